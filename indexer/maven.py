"""Artifacts from Maven Central, fetched once with the machine's `mvn` into a private local repository
under MORGUE_HOME/cache/m2: the Elasticsearch distribution and the ONNX embedding models."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import urllib.request
from pathlib import Path

CENTRAL = "https://repo1.maven.org/maven2"


class MavenError(RuntimeError):
    """A one-line reason why an artifact could not be fetched, with what to do about it."""


def fetch(cache: Path, group: str, artifact: str, version: str, packaging: str = "jar") -> Path:
    """The artifact's file in the local repository, downloaded on first use."""
    repo = cache / "m2"
    path = repo.joinpath(*group.split("."), artifact, version, f"{artifact}-{version}.{packaging}")
    if path.exists():
        return path
    mvn = shutil.which("mvn")
    if not mvn:  # e.g. the Docker image: the same file over HTTPS, checked against its published SHA-1
        return _download(repo, path)
    cmd = [mvn, "-B", "-q", "dependency:get", f"-Dartifact={group}:{artifact}:{version}:{packaging}",
           "-Dtransitive=false", f"-Dmaven.repo.local={repo}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not path.exists():
        tail = " | ".join((proc.stdout + proc.stderr).strip().splitlines()[-3:])
        raise MavenError(f"download of {group}:{artifact}:{version} from Maven Central failed: {tail}")
    return path


def _download(repo: Path, path: Path) -> Path:
    url = f"{CENTRAL}/{path.relative_to(repo).as_posix()}"
    partial = path.with_name(path.name + ".partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(url + ".sha1", timeout=60) as response:
            expected = response.read().decode().split()[0]
        digest = hashlib.sha1()
        with urllib.request.urlopen(url, timeout=60) as response, partial.open("wb") as out:
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
    except OSError as exc:
        raise MavenError(f"download of {url} failed ({exc}); install Maven (mvn) or check the network") from exc
    if digest.hexdigest() != expected:
        partial.unlink(missing_ok=True)
        raise MavenError(f"{url} does not match its published SHA-1")
    partial.rename(path)
    return path
