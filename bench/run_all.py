"""Every benchmark in one command, then bench/RESULTS.md: `make bench` (or `python -m bench.run_all`).

Needs the managed node (`morgue es start`, which `make bench` runs) and MORGUE_SHARED (default
../shared). Indexes BBC into the `morgue` alias and Reuters (converted from its SGML) into `reuters`
when they are not there yet — incremental, so a second run re-indexes nothing. The outage bench is
left out: it kills the node (run `python bench/outage.py` on its own); so is the encoder comparison
(`python -m bench.encoders`, about 40 minutes), whose last result is assembled in.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.report import commit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def steps(shared: Path, home: Path) -> list[tuple[str, list[str], dict]]:
    py, morgue = sys.executable, [sys.executable, "-m", "morgue"]
    reuters = home / "corpora" / "reuters.jsonl"
    return [
        ("convert Reuters-21578", [py, "-m", "bench.reuters", str(shared / "data" / "reuters21578"), str(reuters)], {}),
        ("index BBC (alias morgue)", morgue + ["index", str(shared / "data" / "bbc"), "--quiet"], {"MORGUE_INDEX": "morgue"}),
        ("index Reuters (alias reuters)", morgue + ["index", str(reuters), "--quiet"], {"MORGUE_INDEX": "reuters"}),
        ("throughput, BBC", [py, "-m", "bench.throughput", "--corpus", str(shared / "data" / "bbc"), "--limit", "300"], {}),
        ("throughput, Reuters", [py, "-m", "bench.throughput", "--corpus", str(reuters), "--limit", "1000"], {}),
        ("query latency, BBC", [py, "-m", "bench.latency", "--alias", "morgue", "--out",
                                str(RESULTS / "latency-bbc.md")], {}),
        ("int8 vs torch", [py, "-m", "bench.int8", "--corpus", str(shared / "data" / "bbc")], {}),
        ("BM25 statistics across shards, TIME", [py, "-m", "bench.cluster_relevance"], {}),
        ("cost growth: 20k, 100k, 200k synthetic articles", [py, "-m", "bench.scale", "--source", "morgue"], {}),
        ("cost growth from Reuters", [py, "-m", "bench.scale", "--source", "reuters",
                                      "--out", str(RESULTS / "scale-reuters.md")], {}),
        ("query latency, Reuters", [py, "-m", "bench.latency", "--alias", "reuters"], {}),
        ("export memory, Reuters", [py, "-m", "bench.export_memory", "--alias", "reuters"], {}),
        ("stories, BBC", [py, "-m", "bench.story_groups", "--alias", "morgue", "--rebuild"], {}),
        ("stories, Reuters", [py, "-m", "bench.story_groups", "--alias", "reuters", "--rebuild"], {}),
        ("relevance, Reuters dev and TIME", [py, "-m", "bench.relevance"], {}),
        ("two builds of TIME rank the same", [py, "-m", "bench.repeat"], {}),
        ("same-event model, SemEval and labelled pairs", [py, "-m", "bench.story_model"], {}),
        ("quotes, PolNeAR dev", [py, "bench/polnear_quotes.py"], {}),
        ("entity facets, BBC", [py, "-m", "bench.entity_facets", "--alias", "morgue"], {}),
        ("entity facets, Reuters", [py, "-m", "bench.entity_facets", "--alias", "reuters"], {}),
        ("meaning watches: the similarity floor, Reuters dev", [py, "-m", "bench.watch_floor"], {}),
        ("watches: 1,000 after 100 new BBC articles", [py, "-m", "bench.watches", "run"], {}),
        ("batch search: 2,000 names over Reuters", [py, "-m", "bench.watches", "batch", "--alias", "reuters"], {}),
        ("HTML extraction, ScrapingHub benchmark", [py, "-m", "bench.extraction"], {}),
        ("load: 16 clients × 60 s on BBC", [py, "-m", "bench.load", "--alias", "morgue"], {}),
        ("reliability batteries (fuzz at 300)", [py, "-m", "bench.reliability"], {}),
    ]


ORDER = ["relevance-reuters.md", "relevance-time.md", "repeat-time.md", "cluster-relevance.md", "encoders.md", "int8.md",
         "throughput-bbc.md", "throughput-reuters.md", "latency-bbc.md", "latency-reuters.md", "scale.md", "scale-reuters.md", "export_memory.md", "stories-morgue.md", "stories-reuters.md",
         "story_model.md", "polnear_quotes.md", "polnear_quotes-train.md", "facets-morgue.md", "facets-reuters.md",
         "watch-floor.md", "watches-run.md", "watches-batch.md", "extraction.md", "load-bbc.md", "load-morgue.md",
         "reliability.md", "outage.md"]


def main() -> int:
    """`--assemble`: rebuild RESULTS.md from bench/results/ and the last full run's step log, after a
    single bench was re-run on its own."""
    if "--assemble" in sys.argv:
        log_file = RESULTS / "run_log.json"
        saved = json.loads(log_file.read_text()) if log_file.exists() else \
            {"steps": [], "seconds": None, "commit": commit(), "when": "no complete `make bench` run yet"}
        assemble([tuple(row) for row in saved["steps"]], saved["seconds"], saved["commit"], saved["when"])
        return 0
    shared = Path(os.environ.get("MORGUE_SHARED", ROOT.parent / "shared")).resolve()
    from indexer.settings import Settings

    home = Settings().home
    log: list[tuple[str, float, int, str]] = []
    started = time.monotonic()
    for name, command, env in steps(shared, home):
        print(f"== {name}: {' '.join(command[1:])}", flush=True)
        t = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, env={**os.environ, "MORGUE_SHARED": str(shared), **env},
                              capture_output=True, text=True)
        tail = [line for line in done.stdout.splitlines() if line.startswith(("stories:", "indexed", "updated",
                                                                              "unchanged", "rejected "))]
        log.append((name, time.monotonic() - t, done.returncode, "; ".join(tail)))
        print(done.stdout[-2000:], done.stderr[-2000:] if done.returncode not in (0, 1) else "", flush=True)
    total = time.monotonic() - started
    when = f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"
    (RESULTS / "run_log.json").write_text(json.dumps({"steps": log, "seconds": total, "commit": commit(),
                                                      "when": when}, indent=1))
    assemble(log, total, commit(), when)
    return 0 if all(code in (0, 1) for _, _, code, _ in log) else 1


def assemble(log: list, total: float | None, at: str, when: str) -> None:
    rows = "\n".join(f"| {name} | {seconds:.0f} | {code} | {tail} |" for name, seconds, code, tail in log)
    sections = [(RESULTS / name).read_text() for name in ORDER if (RESULTS / name).exists()]
    wall = f"**{total / 60:.1f} minutes** wall time" if total is not None else \
        "**assembled from the scripts' separate runs: no complete one-command run is recorded yet**"
    text = f"""# Morgue benchmark results

`make bench` at commit `{at}`, {when}, {os.cpu_count()} CPUs: {wall}.
Each section below is also in `bench/results/`, written by the script named in it (a section re-run on
its own after `make bench` carries its own commit and time). Exit code 1 from `morgue index` means some
inputs were rejected (with reasons).

| step | seconds | exit | summary |
|---|---:|---:|---|
{rows}

""" + "\n\n".join(s.replace("\n# ", "\n## ").replace("# ", "## ", 1) for s in sections)
    (ROOT / "bench" / "RESULTS.md").write_text(text)
    print("bench/RESULTS.md written")


if __name__ == "__main__":
    sys.exit(main())
