"""web.segments and web.timeline: pieces and geometry, no HTML built in Python."""
from search_api.models import Quote, TimeBucket
from web.segments import marked, paragraphs
from urllib.parse import parse_qs, urlsplit

from web import results
from web.timeline import MAX_BAR, TOP, chart, choose_interval, interval_end


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


def test_timeline_bars_axes_and_drill_down():
    rows = [TimeBucket(date=f"2025-0{m}-01", count=c, total=10, ratio=c / 10) for m, c in ((1, 2), (2, 0), (3, 4))]
    drawn = chart(rows, "month", lambda start, end: f"/?from={start}&to={end}")
    assert drawn.peak == 4 and len(drawn.bars) == 3 and drawn.bars[1].height == 0
    tallest = drawn.bars[2]
    assert tallest.y == TOP and tallest.y + tallest.height == drawn.base  # the peak reaches the top of the plot
    assert "2025-03-01 to 2025-03-31: 4 of 10 articles (40.0%)" == tallest.label
    assert tallest.href == "/?from=2025-03-01&to=2025-03-31" and drawn.bars[1].href is None  # an empty month: no link
    assert [t.label for t in drawn.x_ticks] == ["2025-01", "2025-02", "2025-03"]
    assert [t.label for t in drawn.y_ticks] == ["0", "2", "4"] and drawn.y_ticks[-1].at == TOP
    assert all(b.x >= drawn.left for b in drawn.bars)  # bars stay right of the count axis
    assert chart([TimeBucket(date="2025-01-01", count=0, total=3, ratio=0)]) is None


def test_one_dated_match_is_a_bar_not_a_block():
    drawn = chart([TimeBucket(date="2006-05-19", count=1, total=1, ratio=1.0)], "day")
    (bar,) = drawn.bars
    assert bar.width <= MAX_BAR < drawn.width / 4 and drawn.x_ticks[0].label == "2006-05-19"
    assert bar.label.startswith("2006-05-19: 1 of 1")  # a day is one date, not a range


def test_timeline_share_view_and_intervals():
    rows = [TimeBucket(date="2024-01-01", count=5, total=100, ratio=0.05), TimeBucket(date="2025-01-01", count=5, total=10, ratio=0.5)]
    drawn = chart(rows, "year", ratio=True)
    assert drawn.bars[1].height > 9 * drawn.bars[0].height  # same counts, ten times the share
    assert drawn.y_ticks[-1].label == "50.0%" and drawn.x_ticks[0].label == "2024"
    assert [choose_interval(d) for d in (0, 30, 200, 400, 2500, 4000, None)] == \
        ["day", "day", "week", "month", "month", "year", "year"]
    assert [interval_end("2024-02-01", "month"), interval_end("2025-03-10", "week"), interval_end("2025-03-10", "year")] == \
        ["2024-02-29", "2025-03-16", "2025-12-31"]


def test_results_chips_facets_permalink_and_export():
    params = {"q": "barrier", "mode": "keyword", "outlet": ["Harbor Gazette", "Valley Wire"], "from": "2025-01-01",
              "cursor": "abc", "timeline": "ratio"}
    found = {(c.label, c.value): parse_qs(urlsplit(c.remove).query) for c in results.chips(params)}
    assert set(found) == {("Outlet", "Harbor Gazette"), ("Outlet", "Valley Wire"), ("From", "2025-01-01")}
    without = found[("Outlet", "Harbor Gazette")]
    assert without["outlet"] == ["Valley Wire"] and without["from"] == ["2025-01-01"] and "cursor" not in without
    href, active = results.facet_link(params, "language", "en")
    assert not active and parse_qs(urlsplit(href).query)["outlet"] == ["Harbor Gazette", "Valley Wire"]  # kinds combine
    href, active = results.facet_link(params, "outlet", "Valley Wire")
    assert active and parse_qs(urlsplit(href).query)["outlet"] == ["Harbor Gazette"]  # an active value removes itself
    href, _ = results.facet_link(params, "outlet", "Kell Point Courier")
    assert parse_qs(urlsplit(href).query)["outlet"] == ["Harbor Gazette", "Valley Wire", "Kell Point Courier"]
    assert "cursor" not in results.permalink(params) and "q=barrier" in results.permalink(params)
    export = urlsplit(results.export_link(params, "csv"))
    assert export.path == "/api/export" and parse_qs(export.query)["format"] == ["csv"]
    assert not {"cursor", "timeline"} & set(parse_qs(export.query))


def test_count_phrase_says_what_was_counted():
    assert results.count_phrase(1, "eq", "keyword", None) == "1 article matches these words"
    assert results.count_phrase(1, "eq", "keyword_or_meaning", 0.64).startswith("1 article matches these words or is close")
    assert results.count_phrase(1234, "eq", "keyword", None) == "1,234 articles match these words"
    assert results.count_phrase(9, "eq", "keyword", None, words=False) == "9 articles match these filters"
    assert results.count_phrase(140, "eq", "meaning", 0.64).startswith("About 140 articles close in meaning")
    assert results.count_phrase(1000, "gte", "meaning", 0.64).startswith("About 1,000+ articles")
    assert results.count_phrase(0, "eq", "meaning", 0.64).startswith("No article is close in meaning")
    assert "or are close in meaning" in results.count_phrase(12, "eq", "keyword_or_meaning", 0.64)
