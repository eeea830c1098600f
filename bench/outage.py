"""Elasticsearch dies in the middle of `morgue index`; after a restart the same command finishes the job.

    python bench/outage.py [--corpus ../shared/data/bbc] [--kill-after 40] [--out bench/results/outage.md]

Uses the managed node (`morgue es start`), into its own alias (`outage-check`, deleted first):
1. starts `morgue index CORPUS` in a subprocess;
2. after --kill-after seconds, SIGKILLs the node's process group (no clean shutdown);
3. waits for `morgue index` to give up (expected: exit code 3 and one clear line);
4. restarts the node and runs the same command again;
5. counts the documents under the alias and the distinct source files among them.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import commit, drop_alias, write_result  # noqa: E402
from morgue.core import Morgue  # noqa: E402
from indexer.listing import iter_files  # noqa: E402

ALIAS = "outage-check"


def index_command(corpus: Path) -> list[str]:
    return [sys.executable, "-m", "morgue", "index", str(corpus), "--quiet"]


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    shared = Path(os.environ.get("MORGUE_SHARED", root.parent / "shared"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=shared / "data" / "bbc")
    parser.add_argument("--kill-after", type=float, default=40.0)
    parser.add_argument("--out", type=Path, default=root / "bench" / "results" / "outage.md")
    args = parser.parse_args()
    env = dict(os.environ, MORGUE_INDEX=ALIAS)
    morgue = Morgue()
    node = morgue.node()
    node.start()
    drop_alias(morgue.es, ALIAS)

    first = subprocess.Popen(index_command(args.corpus), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    time.sleep(args.kill_after)
    state = node.state()
    os.killpg(state.pid, signal.SIGKILL)  # the node dies without a clean shutdown
    killed_at = time.monotonic()
    out, err = first.communicate()
    gave_up = time.monotonic() - killed_at
    node.state()  # clears the stale state file
    restart = time.monotonic()
    node.start()
    restarted = time.monotonic() - restart
    es = Morgue().es
    es.indices.refresh(index=ALIAS)
    before = es.count(index=ALIAS)["count"]

    second = subprocess.run(index_command(args.corpus), env=env, capture_output=True, text=True)
    es.indices.refresh(index=ALIAS)
    after = es.count(index=ALIAS)["count"]
    sources = es.search(index=ALIAS, size=0, aggs={"files": {"cardinality": {"field": "source",
                                                                                "precision_threshold": 40000}}})
    distinct = sources["aggregations"]["files"]["value"]
    files = sum(1 for item in iter_files([args.corpus]) if isinstance(item, tuple) and item[0].stem.isdigit())
    text = f"""# Elasticsearch killed during `morgue index`, then restarted

Commit `{commit()}`, `python bench/outage.py --kill-after {args.kill_after:g}` on `{args.corpus.name}` ({files} article files).

1. `morgue index` ran {args.kill_after:g}s, then the node's process group got SIGKILL.
2. `morgue index` gave up {gave_up:.1f}s later with exit code {first.returncode}:
   `{err.strip().splitlines()[-1] if err.strip() else '(no message)'}`
3. Node restarted in {restarted:.1f}s; {before} documents had survived under `{ALIAS}`.
4. The same command again: exit code {second.returncode}, summary:

```
{second.stdout.strip()}
```

5. Documents under `{ALIAS}` now: **{after}** (distinct source files: ~{distinct}, cardinality estimate); article files in the corpus: {files}.
"""
    write_result(args.out, text)
    drop_alias(es, ALIAS)


if __name__ == "__main__":
    main()
