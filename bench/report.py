"""What every bench result file carries: the commit and date it was measured at."""
from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path


def commit() -> str:
    """Short hash of HEAD, with "+changes" when the code differs from it (the result files that the
    benches themselves write do not count)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=Path(__file__).parent).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD") or "unknown"
        code = ["--", ":/", ":(top,exclude)bench/results", ":(top,exclude)bench/RESULTS.md"]
        return head + ("+changes" if git("status", "--porcelain", "--untracked-files=no", *code) else "")
    except OSError:
        return "unknown"


def write_result(path: Path, text: str) -> None:
    """Write a markdown result (stamped with the UTC time) and print it."""
    stamped = text.rstrip() + f"\n\nMeasured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(stamped)
    print(stamped)


def drop_alias(es, alias: str) -> None:
    """Delete the indices behind a bench's alias, if it exists (wildcard deletes are refused)."""
    if es.indices.exists_alias(name=alias):
        es.indices.delete(index=",".join(es.indices.get_alias(name=alias)))
