"""indexer.sources, indexer.raw and indexer.listing on files the test writes: outcomes and reasons."""
import json

from indexer.listing import display, iter_files
from indexer.raw import decode
from indexer.sources import read_path

TEXT = "Harbour workers went on strike on Monday over pay, halting exports of copper from the port."


def reasons(items):
    return [getattr(i, "reason", None) for i in items]


def test_jsonl_keeps_good_records_and_names_bad_lines(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join([json.dumps({"title": "One", "text": TEXT, "url": "https://x.org/1"}), "{broken",
                               json.dumps({"title": "no text"}), json.dumps([1, 2])]) + "\n")
    items = list(read_path(path))
    assert items[0].meta == {"title": "One", "url": "https://x.org/1"} and items[0].text == TEXT
    assert items[0].source.endswith("feed.jsonl#1")
    assert reasons(items)[1].startswith("malformed JSON on line 2") and "no text" in reasons(items)[2]
    assert reasons(items)[3] == "record is not a JSON object"


def test_csv_and_json_records(tmp_path):
    (tmp_path / "a.csv").write_text(f"title,body,date\nStrike,\"{TEXT}\",2024-03-01\n")
    (row,) = list(read_path(tmp_path / "a.csv"))
    assert row.meta["date"] == "2024-03-01" and row.text == TEXT and row.source.endswith("a.csv#2")
    (tmp_path / "b.json").write_text(json.dumps([{"text": TEXT}, {"text": TEXT, "published": "2024-01-01"}]))
    records = list(read_path(tmp_path / "b.json"))
    assert [r.source[-2:] for r in records] == ["#1", "#2"] and records[1].meta["date"] == "2024-01-01"


def test_rejections_say_why(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n ")
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    (tmp_path / "README.md").write_text("# data")
    (tmp_path / "README.txt").write_text("about this dataset")
    found = {p.name: reasons(read_path(p))[0] for p in tmp_path.iterdir()}
    assert found["empty.txt"] == "empty file" and "whitespace" in found["blank.txt"]
    assert "unsupported file type .pdf" in found["x.pdf"] and "README" in found["README.txt"]
    assert "file not found" in reasons(read_path(tmp_path / "missing.txt"))[0]


def test_decoding():
    assert decode("Café".encode("utf-8")) == "Café" and decode("Café".encode("utf-16")) == "Café"
    assert decode(("Рабочие порта вышли на забастовку из-за зарплаты. " * 4).encode("cp1251")).startswith("Рабочие")
    assert decode(b"\x89PNG\r\n\x1a\n\0\0\0\x01\x02binary") is None


def test_listing_is_stable_skips_hidden_files_and_keys_from_the_named_folder(tmp_path):
    archive = tmp_path / "news"
    (archive / "b").mkdir(parents=True)
    (archive / "b" / "2.txt").write_text(TEXT)
    (archive / "1.txt").write_text(TEXT)
    (archive / ".hidden.txt").write_text(TEXT)
    assert [key for _, key in iter_files([archive])] == ["news/1.txt", "news/b/2.txt"]
    assert display(tmp_path / "caf\udcff.txt").endswith("caf\\xff.txt")
