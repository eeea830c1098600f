"""The Elasticsearch distribution: the integ-test zip from Maven Central (or MORGUE_ES_DIST), fetched
once and unpacked under MORGUE_HOME/dist."""
from __future__ import annotations

import re
import shutil
import tarfile
import zipfile
from importlib import resources
from pathlib import Path

from indexer import maven

MAVEN_ARTIFACT = ("org.elasticsearch.distribution.integ-test-zip", "elasticsearch")


class DistributionError(RuntimeError):
    pass


def es_version() -> str:
    """The Elasticsearch version, pinned once in indexer/elasticsearch.env (docker compose reads the
    same file through the repository's .env link)."""
    text = resources.files("indexer").joinpath("elasticsearch.env").read_text()
    match = re.search(r"^MORGUE_ES_VERSION=(\S+)$", text, re.M)
    if not match:
        raise DistributionError("indexer/elasticsearch.env has no MORGUE_ES_VERSION line")
    return match.group(1)


def _extract(archive: Path, dest: Path) -> Path:
    """Unpack a .zip or .tar.gz distribution into dest and return its top directory."""
    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                path = Path(zf.extract(info, tmp))
                mode = (info.external_attr >> 16) & 0o777
                if mode and not info.is_dir():
                    path.chmod(mode)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(tmp, filter="tar")
    tops = [p for p in tmp.iterdir() if p.is_dir()]
    if len(tops) != 1 or not (tops[0] / "bin" / "elasticsearch").exists():
        raise DistributionError(f"{archive} does not look like an Elasticsearch distribution (no bin/elasticsearch)")
    shutil.rmtree(dest, ignore_errors=True)
    tops[0].rename(dest)
    shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _download(version: str, cache: Path) -> Path:
    """Fetch the integ-test zip once with the machine's Maven client into a private local repository."""
    try:
        return maven.fetch(cache, *MAVEN_ARTIFACT, version, "zip")
    except maven.MavenError as exc:
        raise DistributionError(f"{exc}; or set MORGUE_ES_DIST to a local distribution") from exc


def ensure_distribution(home: Path, dist: Path | None = None) -> Path:
    """The unpacked distribution directory, fetching and unpacking it on first use."""
    if dist is not None:
        if not dist.exists():
            raise DistributionError(f"MORGUE_ES_DIST={dist} does not exist")
        name = re.sub(r"(\.tar\.gz|\.tgz|\.zip)$", "", dist.name)
        target = home / "dist" / name
        if not (target / "bin" / "elasticsearch").exists():
            _extract(dist, target)
        return target
    version = es_version()
    target = home / "dist" / f"elasticsearch-{version}"
    if not (target / "bin" / "elasticsearch").exists():
        _extract(_download(version, home / "cache"), target)
    return target
