"""The ingest battery (issue 18): every kind of bad input a scraper or a leak produces, generated here,
indexed in one `morgue index --report` run under /usr/bin/time: every file ends indexed or rejected
with a reason, nothing crashes or hangs, memory stays under a stated bound, the exit code is the
documented one (1: something was rejected)."""
from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from indexer.listing import display
from records import warc_record

ROOT = Path(__file__).resolve().parents[1]
TEXT = ("Harbour workers in Valparaiso went on strike on Monday over pay, halting exports of copper and "
        "leaving ships waiting outside the port for a third day, union leaders said.")
RSS_BOUND_MB = 2500  # the encoder, the parser and one batch of articles; measured ~1.3 GB here
TINY_FILES = 5000


def article(n: int, extra: str = "") -> str:
    return f"Strike day {n}\n\n{TEXT} Day {n} of the strike. {extra}"


def battery(root: Path) -> dict[str, str]:
    """Writes the battery under root; returns {file: what it is}."""
    made: dict[str, str] = {}

    def put(name: str, data: bytes | str, what: str) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        made[name] = what

    put("binary.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + os.urandom(4000), "binary named .txt")
    put("empty.txt", b"", "empty file")
    put("zero.jsonl", b"", "0-byte JSONL")
    lines = [json.dumps({"title": "Good one", "text": article(1)}), '{"title": "broken", "text": ',
             "[1, 2, 3]", json.dumps({"title": "no text"}), json.dumps({"title": "Good two", "text": article(2)})]
    put("mixed.jsonl", "\n".join(lines) + "\n", "JSONL with malformed lines among good ones")
    put("columns.csv", "headline,when\nOnly a headline,2025-01-01\n", "CSV without a text column")
    put("cell.csv", "title,text\n" + f'"Huge","{"word " * 2_100_000}"\n"Fine","{article(3)}"\n', "CSV with a 10 MB cell")
    put("utf16-bom.txt", article(4, "UTF-16 with BOM.").encode("utf-16"), "UTF-16 with BOM")
    put("utf16-nobom.txt", article(5, "UTF-16 without BOM.").encode("utf-16-le"), "UTF-16 without BOM")
    put("latin1.txt", article(6, "Café, São Paulo, Málaga.").encode("latin-1"), "Latin-1")
    put("cp1251.txt", ("Забастовка в порту\n\nРабочие порта Вальпараисо в понедельник начали забастовку из-за "
                       "зарплаты, остановив экспорт меди; суда третий день ждут у входа в порт.").encode("cp1251"),
        "Windows-1251")
    with (root / "big.txt").open("wb") as out:  # 200 MB: over the size limit, never read whole
        block = (TEXT + "\n").encode() * 4000
        for _ in range(200 * 1024 * 1024 // len(block) + 1):
            out.write(block)
    made["big.txt"] = "200 MB text file"
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = packer.compress(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 4000000000\r\n\r\n")
    bomb += b"".join(packer.compress(b"\0" * (1 << 20)) for _ in range(2048)) + packer.flush()  # 2 GB inflated
    put("bomb.warc.gz", bomb, "gzip bomb named .warc.gz")
    whole = b"".join(gzip.compress(warc_record(f"https://example.org/{n}", (  # one gzip member a record, as WARC writes
        f"<html><body><article><p>{article(n)}</p><p>{TEXT}</p></article></body></html>").encode())) for n in (7, 8, 13))
    put("truncated.warc.gz", whole[: len(whole) * 5 // 6], "truncated .warc.gz")
    put("notext.html", "<html><head><title>x</title></head><body><nav>Home · About</nav></body></html>", "HTML with no text")
    (root / "loop").symlink_to(root / "loop")
    made["loop"] = "symbolic link loop"
    deep = "/".join(f"d{i}" for i in range(60))
    put(f"{deep}/deep.txt", article(9, "Sixty folders down."), "deep folders")
    put("name with\nnewline.txt", article(10, "A newline in the name."), "a newline in the file name")
    put("日本語-ñandú.txt", article(11, "A non-ASCII name."), "a non-ASCII file name")
    put("unreadable.txt", article(12, "Unreadable."), "an unreadable file (readable anyway when the tests run as root)")
    (root / "unreadable.txt").chmod(0)
    for i in range(TINY_FILES):
        put(f"tiny/{i:05d}.txt", "x", "one of 5,000 tiny files")
    return made


def test_every_input_is_accounted_for_within_memory_and_time(es, es_url, index_prefix, tmp_path):
    if not Path("/usr/bin/time").exists():
        pytest.fail("/usr/bin/time is needed to measure the run's memory (Debian package `time`)")
    archive = tmp_path / "battery"
    made = battery(archive)
    alias, report = f"{index_prefix}-battery", tmp_path / "report.jsonl"
    env = {**os.environ, "MORGUE_ES_URL": es_url, "MORGUE_INDEX": alias}
    started = time.monotonic()
    done = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "morgue", "index", str(archive), "--quiet",
                           "--no-stories", "--report", str(report)], env=env, capture_output=True, text=True,
                          timeout=900, cwd=ROOT)
    seconds = time.monotonic() - started
    assert done.returncode == 1, done.stderr[-3000:]  # documented: 1 when something was rejected
    assert "Traceback" not in done.stderr
    rss_mb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1)) / 1024
    assert rss_mb < RSS_BOUND_MB, rss_mb

    rejected = [json.loads(line) for line in report.read_text().splitlines()]
    reasons = {r["source"].split("#")[0]: r["reason"] for r in rejected if "reason" in r}
    assert all(reasons.values())
    es.indices.refresh(index=alias)
    stored = {h["_source"]["source"].split("#")[0]
              for h in es.search(index=alias, size=1000, source=["source"])["hits"]["hits"]}
    missing = [name for name in made if display(archive / name) not in stored | set(reasons)]
    assert not missing, missing  # every input ends indexed or rejected with a reason

    def outcome(name: str) -> str:
        return "indexed" if display(archive / name) in stored else reasons[display(archive / name)]

    for name in ("utf16-bom.txt", "utf16-nobom.txt", "latin1.txt", "cp1251.txt", "mixed.jsonl", "cell.csv",
                 "truncated.warc.gz", "name with\nnewline.txt", "日本語-ñandú.txt"):
        assert outcome(name) == "indexed", (name, outcome(name))
    if os.geteuid() == 0:  # root reads a file whatever its mode
        assert outcome("unreadable.txt") == "indexed"
    else:
        assert "unreadable" in outcome("unreadable.txt") or "ermission" in outcome("unreadable.txt")
    assert any(name.startswith("d0/") and outcome(name) == "indexed" for name in made)
    assert "over the limit" in outcome("big.txt")
    assert "symbolic link loop" in outcome("loop")
    for name in ("binary.txt", "empty.txt", "zero.jsonl", "columns.csv", "bomb.warc.gz", "notext.html",
                 "tiny/00000.txt"):
        assert outcome(name) != "indexed", name
    print(f"\nbattery: {len(made):,} inputs accounted for, {len(stored)} indexed, {len(reasons):,} rejected; "
          f"max RSS {rss_mb:.0f} MB; {seconds:.0f} s")
