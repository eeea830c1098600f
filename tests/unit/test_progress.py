"""indexer.progress: in a log, a plain line every interval and at each quarter, with totals and rate."""
import io
import re

from indexer.progress import Progress


def test_a_log_gets_a_line_at_each_quarter_with_totals_and_rate():
    out = io.StringIO()
    progress = Progress(8, out=out, interval=1000)
    for files in range(1, 9):
        progress.update(files, articles=files * 3, passages=files * 10)
    progress.close(8, 24, 80)
    lines = out.getvalue().splitlines()
    assert [re.search(r"\((\d+)%\)", line).group(1) for line in lines] == ["25", "50", "75", "100"]
    assert lines[0].startswith("index: 2/8 files (25%), 6 articles at ") and "/s, 20 passages; about" in lines[0]
    assert lines[-1].endswith("in all")


def test_a_line_every_interval_and_none_when_quiet():
    out = io.StringIO()
    progress = Progress(1000, out=out, interval=0)
    for files in range(1, 4):
        progress.update(files, files, files)
    assert len(out.getvalue().splitlines()) == 3
    quiet = io.StringIO()
    silent = Progress(10, enabled=False, out=quiet)
    silent.update(5, 5, 5)
    silent.close(10, 10, 10)
    assert quiet.getvalue() == ""
