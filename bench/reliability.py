"""The reliability batteries' figures, from one run of their tests (they are in `make test` too):

    python -m bench.reliability        # needs the managed node (morgue es start) or MORGUE_ES_URL

Runs, with pytest: the ingest battery (inputs accounted for, max RSS, exit code), schemathesis with
300 examples per operation (requests, server errors, schema violations), the XSS battery in headless
Chromium with the CSP off, the faults (SIGKILL mid-index, the node stopped under load, a reader
dropping mid-export), and the hand battery; writes bench/results/reliability.md. Load and extraction
have their own benches (bench/load.py, bench/extraction.py).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from bench.report import commit, write_result

ROOT = Path(__file__).resolve().parents[1]
SUITES = [
    ("ingest battery", ["tests/test_ingest_battery.py"], r"^battery: .*$"),
    ("fuzz (schemathesis, 300 examples per operation)", ["tests/test_fuzz.py"], r"^fuzz: .*$"),
    ("XSS in Chromium, CSP off", ["tests/test_xss.py"], r"^xss: .*$"),
    ("faults: SIGKILL mid-index, node stopped under load, reader gone mid-export",
     ["tests/test_faults.py", "tests/test_reconnect.py", "tests/test_api_contract.py::"
      "test_a_client_that_drops_mid_export_leaves_no_point_in_time_open"], None),
    ("hand battery and 4xx contract", ["tests/test_api_contract.py"], None),
]


def main() -> None:
    env = {**os.environ, "MORGUE_FUZZ_EXAMPLES": os.environ.get("MORGUE_FUZZ_EXAMPLES", "300")}
    if not env.get("MORGUE_ES_URL"):
        env["MORGUE_ES_URL"] = subprocess.run([sys.executable, "-m", "morgue", "es", "start"], capture_output=True,
                                              text=True, check=True).stdout.strip().splitlines()[-1]
    rows = ["| battery | tests | result | figures | seconds |", "|---|---|---|---|---:|"]
    for name, paths, pattern in SUITES:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", *paths],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        summary = (re.findall(r"^=*\s*(\d+ passed.*?|\d+ failed.*?)\s*=*$", done.stdout, re.M) or ["no summary"])[-1]
        figures = "; ".join(re.findall(pattern, done.stdout, re.M)) if pattern else ""
        figures += "; ".join(re.findall(r"^FAILED (\S+)", done.stdout, re.M))
        rows.append(f"| {name} | `{' '.join(p.split('::')[0] for p in paths)}` | "
                    f"{'pass' if done.returncode == 0 else '**FAIL**'}: {summary} | {figures} | "
                    f"{time.monotonic() - started:.0f} |")
    text = (f"# Reliability batteries (issue 18)\n\nOne run of each battery's tests against a real node, encoder and "
            f"headless Chromium, commit {commit()}. The same tests run in `make test` (fuzz with 25 examples per "
            "operation there).\n\n" + "\n".join(rows) + "\n\n`python -m bench.reliability`\n")
    write_result(ROOT / "bench" / "results" / "reliability.md", text)


if __name__ == "__main__":
    main()
