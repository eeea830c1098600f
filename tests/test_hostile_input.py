"""Inputs a careless scraper or a hostile leak produces (issue 22): each fails only itself, with a
reason; nothing outside the named folders is read; memory stays bounded. Fixtures are generated here."""
import gzip
import json
import os
import re
import resource
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from indexer.pipeline import Indexer, write_report
from indexer.listing import iter_files
from indexer.sources import read_path
from records import warc_record

ROOT = Path(__file__).resolve().parents[1]
TEXT = ("Harbour workers in Valparaiso went on strike on Monday over pay, halting exports of copper and "
        "leaving ships waiting outside the port for a third day.")


def page(n: int) -> bytes:
    return (f"<html><head><title>Strike day {n}</title></head><body><article><h1>Strike day {n}</h1>"
            f"<p>{TEXT} Day {n} of the strike.</p><p>{TEXT}</p></article></body></html>").encode()


@pytest.fixture
def indexer(es, embedder, index_prefix, tmp_path):
    return Indexer(es, embedder, f"{index_prefix}-{tmp_path.name[-8:].lower().replace('_', '-')}", tmp_path / "cache")


def _bomb(path: Path, inflated: int) -> None:
    """A gzip WARC member whose one HTML record inflates to `inflated` bytes of zeros."""
    html_head = b"<html><body><p>"
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % inflated
    head = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://bomb.example/\r\n"
            b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n" % (len(http) + inflated))
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as out:
        out.write(packer.compress(head + http + html_head))
        block = b"0" * (1 << 20)
        for _ in range(inflated // len(block)):
            out.write(packer.compress(block))
        out.write(packer.flush())


def test_gzip_bomb_is_rejected_within_a_memory_limit(tmp_path):
    bomb = tmp_path / "bomb.warc.gz"
    _bomb(bomb, 2 * 1024 ** 3)  # 2 GB of HTML in about 2 MB
    assert bomb.stat().st_size < 5 * 1024 ** 2
    script = ("import sys; from pathlib import Path; from indexer.sources import read_path\n"
              "items = list(read_path(Path(sys.argv[1])))\n"
              "print([getattr(i, 'reason', 'article') for i in items])")

    def limit():  # 1.5 GB of address space: the whole bomb could never be held
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 ** 2, 1536 * 1024 ** 2))

    done = subprocess.run([sys.executable, "-c", script, str(bomb)], capture_output=True, text=True, cwd=ROOT,
                          preexec_fn=limit, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "over 10,485,760 bytes" in done.stdout and "decompression bomb" in done.stdout, done.stdout


def test_truncated_warc_keeps_what_it_read_and_reports_the_cut(tmp_path):
    whole = b"".join(gzip.compress(warc_record(f"https://port.example/{n}", page(n))) for n in range(3))
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole[: len(whole) * 5 // 6])
    items = list(read_path(cut))
    articles = [i for i in items if not hasattr(i, "reason")]
    rejected = [i for i in items if hasattr(i, "reason")]
    assert len(articles) == 2 and len(rejected) == 1, items
    assert rejected[0].reason.startswith("cut short or damaged after")


@pytest.mark.parametrize("name, content, reason", [
    ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("deep.jsonl", json.dumps({"title": "ok", "text": TEXT}) + "\n" + "[" * 100_000 + "\n", "nested too deeply"),
])
def test_deeply_nested_json_fails_alone(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_text(content)
    items = list(read_path(path))
    assert any(reason in getattr(i, "reason", "") for i in items), items
    assert name == "deep.json" or any(getattr(i, "text", None) == TEXT for i in items)


def test_utf16_and_other_encodings_are_read(tmp_path):
    body = "Café strike\n\n" + TEXT + " The café owners of Málaga joined them."
    cases = {"bom16.txt": body.encode("utf-16"), "le16.txt": body.encode("utf-16-le"),
             "be16.txt": body.encode("utf-16-be"), "latin1.txt": body.encode("latin-1"),
             "cp1251.txt": ("Забастовка\n\n" + "Рабочие порта вышли на забастовку из-за зарплаты. " * 4).encode("cp1251")}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        (item,) = list(read_path(tmp_path / name))
        assert getattr(item, "text", None), (name, item)
        assert name == "cp1251.txt" and "Рабочие" in item.text or "Málaga" in item.text, (name, item.text[:80])


def test_symlinks_do_not_leave_the_indexed_folders(tmp_path):
    archive = tmp_path / "archive"
    (archive / "sub").mkdir(parents=True)
    (archive / "real.txt").write_text("Strike\n\n" + TEXT)
    (archive / "inside.txt").symlink_to(archive / "real.txt")
    (archive / "passwd.txt").symlink_to("/etc/passwd")
    (archive / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (archive / "sub" / "loop").symlink_to(archive)
    (archive / "self.txt").symlink_to(archive / "self.txt")
    listed = list(iter_files([archive]))
    files = sorted(i[1] for i in listed if isinstance(i, tuple))
    reasons = {Path(i.source).name: i.reason for i in listed if not isinstance(i, tuple)}
    assert files == ["archive/inside.txt", "archive/real.txt"], files
    assert "outside the folders being indexed" in reasons["passwd.txt"]
    assert "broken symbolic link" in reasons["dangling.txt"]
    assert "loop" in reasons["self.txt"]
    assert "not followed" in reasons["loop"]
    allowed = [i for i in iter_files([archive], follow_links=True) if isinstance(i, tuple)]
    assert any(p.name == "passwd.txt" for p, _ in allowed)  # only when asked for


def test_unreadable_file_is_rejected(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = tmp_path / "secret.txt"
    path.write_text("x" * 200)
    path.chmod(0)
    (item,) = list(read_path(path))
    assert "unreadable" in item.reason


def test_one_bad_input_fails_only_itself(es, indexer, tmp_path):
    archive = tmp_path / "mixed"
    archive.mkdir()
    (archive / "good.txt").write_text("Port strike halts copper exports\n\n" + TEXT)
    (archive / os.fsdecode(b"caf\xff.txt")).write_text("Odd name, good text\n\n" + TEXT + " Odd file name.")
    (archive / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    rows = [{"title": "Huge", "text": "word " * 2_100_000}, {"title": "Fine", "text": TEXT + " From the CSV."},
            {"title": "Bad date", "text": TEXT + " Dated oddly.", "date": "2024-13-45"}]
    with (archive / "feed.csv").open("w", newline="") as out:
        out.write("title,text,date\n" + "".join(f'"{r["title"]}","{r["text"]}",{r.get("date", "")}\n' for r in rows))
    (archive / "README.md").write_text("# a dataset readme")
    summary = indexer.run([archive], quiet=True)
    assert summary.counts["indexed"] == 4, (summary.counts, summary.rejected)
    reasons = {Path(r.source.split("#")[0]).name + ("#" + r.source.split("#")[1] if "#" in r.source else ""): r.reason
               for r in summary.rejected}
    assert "nested too deeply" in reasons["deep.json"]
    assert "over the limit" in reasons["feed.csv#2"]
    assert any("caf\\xff.txt" in r for r in [s for s, _ in summary.warnings] + list(reasons)) is False
    assert summary.warnings and "2024-13-45" in summary.warnings[0][1]
    report = tmp_path / "report.jsonl"
    write_report(summary, report)
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    assert {"source", "reason"} <= set(lines[0]) and any("warning" in line for line in lines)
    es.indices.refresh(index=indexer.alias)
    sources = [h["_source"]["source"] for h in es.search(index=indexer.alias, size=10, _source=["source"])["hits"]["hits"]]
    assert any(s.endswith("caf\\xff.txt") for s in sources), sources


def test_a_lone_surrogate_or_a_huge_number_in_a_json_record_is_indexed_not_fatal(es, indexer, tmp_path):
    """A JSON escape of half a surrogate pair stopped the whole run (hashing the text); a number past
    64 bits in a metadata field is the field's text (the client writes JSON with orjson, which refuses it)."""
    archive = tmp_path / "odd"
    archive.mkdir()
    lines = ['{"id": "half", "title": "Half a pair", "text": "%s Torn \\ud800 character."}' % TEXT,
             json.dumps({"id": 123456789012345678901234567890, "outlet": 98765432109876543210987,
                         "title": "Numbered outlet", "text": TEXT + " A numbered outlet."})]
    (archive / "odd.jsonl").write_text("\n".join(lines) + "\n")
    summary = indexer.run([archive], quiet=True)
    assert summary.counts["indexed"] == 2 and not summary.rejected, (summary.counts, summary.rejected)
    es.indices.refresh(index=indexer.alias)
    found = {h["_source"]["id"]: h["_source"] for h in
             es.search(index=indexer.alias, size=10, _source=["id", "outlet", "body"])["hits"]["hits"]}
    assert "Torn \ufffd character." in found["half"]["body"]
    assert found["123456789012345678901234567890"]["outlet"] == "98765432109876543210987"


def test_an_exports_id_that_elasticsearch_or_a_link_cannot_carry_is_replaced_and_fails_nothing(
        es, es_url, indexer, make_app, tmp_path):
    """An id over 512 bytes made Elasticsearch refuse the whole bulk request, so every article sent with
    it was rejected; an id with a slash made the article unreachable (/articles/a/b has no route). Both
    become a stable digest; an id with ?, # or a space is kept, and the page links to it encoded."""
    from fastapi.testclient import TestClient

    archive = tmp_path / "ids"
    archive.mkdir()
    ids = ["x" * 2000, "feeds/2024/harbour", "ask?this#that one", "plain-7"]
    (archive / "ids.jsonl").write_text("".join(
        json.dumps({"id": i, "title": f"Harbour strike {n}", "text": f"{TEXT} Item {n}."}) + "\n" for n, i in enumerate(ids)))
    summary = indexer.run([archive], quiet=True)
    assert summary.counts["indexed"] == 4 and not summary.rejected, (summary.counts, summary.rejected)
    es.indices.refresh(index=indexer.alias)
    stored = {h["_source"]["title"]: h["_id"] for h in es.search(index=indexer.alias, size=10, _source=["title"])["hits"]["hits"]}
    assert stored["Harbour strike 2"] == "ask?this#that one" and stored["Harbour strike 3"] == "plain-7"
    assert all(len(stored[f"Harbour strike {n}"]) == 24 and "/" not in stored[f"Harbour strike {n}"] for n in (0, 1))
    with TestClient(make_app(es_url, indexer.alias)) as client:
        page = client.get("/", params={"q": "harbour strike"}).text
        links = [link.replace("&amp;", "&") for link in re.findall(r'href="(/articles/[^"]+)"', page)]
        assert len(links) == 4
        assert all(client.get(link).status_code == 200 for link in links), links
        assert "Item 2." in client.get(next(link for link in links if link.startswith("/articles/ask"))).text


def test_file_size_limit_is_a_setting(tmp_path):
    (tmp_path / "big.txt").write_text("Big\n\n" + TEXT * 10)
    env = {**os.environ, "MORGUE_MAX_FILE_BYTES": "100", "MORGUE_ES_URL": "http://127.0.0.1:9"}
    from indexer.settings import Settings

    assert Settings(_env_file=None, max_file_bytes=100).max_file_bytes == 100
    (item,) = list(read_path(tmp_path / "big.txt", max_bytes=Settings(**{"max_file_bytes": 100}).max_file_bytes))
    assert "over the limit of 100 (MORGUE_MAX_FILE_BYTES)" in item.reason
    assert env["MORGUE_MAX_FILE_BYTES"] == "100"


def test_a_crash_has_its_own_exit_code(tmp_path):
    script = ("import sys, morgue.cli as cli, indexer.pipeline as p\n"
              "def boom(*a, **k): raise KeyError('bug')\n"
              "cli._index = boom\n"
              "sys.exit(cli.main(['index', 'nothing']))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 4 and "this is a bug" in done.stderr and "Traceback" not in done.stderr
