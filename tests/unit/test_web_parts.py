"""web.segments and web.timeline: pieces and geometry, no HTML built in Python."""
from search_api.models import Quote, TimeBucket
from web.segments import marked, paragraphs
from web.timeline import chart, choose_interval


def test_marks_and_quotes_become_pieces_by_offset():
    body = 'He said "the gate holds" today.\n\nSecond paragraph about the gate.'
    quote = Quote(text="the gate holds", start=9, end=23)
    gate = [[m, m + 4] for m in (13, body.index("gate", 30))]
    first, second = paragraphs(body, [quote], gate)
    kinds = [p.kind for p in first]
    assert kinds == ["text", "quote", "text"] and first[1].quote is quote
    assert [c.text for c in first[1].children if c.kind == "mark"] == ["gate"]
    assert [p.text for p in second if p.kind == "mark"] == ["gate"]
    assert [p.kind for p in marked("<b>x</b>", [[3, 4]])] == ["text", "mark", "text"]  # text stays text


def test_timeline_bars_and_interval():
    rows = [TimeBucket(date=f"2025-0{m}-01", count=c, total=10, ratio=c / 10) for m, c in ((1, 2), (2, 0), (3, 4))]
    drawn = chart(rows)
    assert drawn.peak == 4 and len(drawn.bars) == 3 and drawn.bars[1].height == 0
    assert drawn.bars[2].y == 0 and "4 of 10 articles (40.0%)" in drawn.bars[2].label
    assert chart([TimeBucket(date="2025-01-01", count=0, total=3, ratio=0)]) is None
    assert (choose_interval(30), choose_interval(400), choose_interval(None)) == ("day", "month", "year")
