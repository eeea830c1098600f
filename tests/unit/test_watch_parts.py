"""The pure parts of watches and batch search: watermarks, webhook signatures, the feed's escaping,
a watch's window, batch terms and their limits."""
import xml.etree.ElementTree as ET

import pytest

from search_api import batch, feed, watch_run, watermark, webhook
from search_api.errors import BadRequest
from search_api.query import SearchQuery
from search_api.watch_models import WatchMatch
from search_api.watch_store import Watch, match_id


def test_watermarks_are_utc_milliseconds_and_sort_as_text():
    a = watermark.parse("2026-12-01T17:00:00+02:00")
    assert watermark.iso(a) == "2026-12-01T15:00:00.000Z"
    assert watermark.iso(watermark.parse("2026-12-01T15:00:00")) == "2026-12-01T15:00:00.000Z"  # no zone: UTC
    assert watermark.iso(watermark.parse("2026-12-01T15:00:00.001Z")) > "2026-12-01T15:00:00.000Z"


def test_indexed_since_must_be_a_time():
    assert SearchQuery(indexed_since="2026-12-01T15:00:00Z").indexed_since.tzinfo is not None
    for bad in ("yesterday", "12345", "2026-13-01T00:00:00Z"):
        with pytest.raises(ValueError):
            SearchQuery(indexed_since=bad)


def test_signature_is_hmac_sha256_of_the_body():
    body = b'{"a": 1}'
    header = webhook.sign("s3cret", body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert webhook.verify("s3cret", body, header)
    assert not webhook.verify("s3cret", body + b" ", header)
    assert not webhook.verify("other", body, header)
    assert not webhook.verify("s3cret", body, None)


def test_a_dead_receiver_leaves_the_delivery_pending_with_a_later_attempt():
    from search_api.watch_store import Delivery

    delivery = Delivery(id="d1", watch="w1", run="r1", created_at="2026-12-01T00:00:00.000Z", payload={}, articles=1)
    [done] = webhook.deliver([delivery], {"w1": ("http://127.0.0.1:9/", "k")},
                             webhook.Policy(timeout=0.5, backoff=0.01, attempts_now=2))
    assert (done.status, done.attempts) == ("pending", 2) and done.last_error and done.next_attempt_at
    [gone] = webhook.deliver([Delivery(id="d2", watch="w2", run="r1", created_at="x", payload={}, articles=1)], {},
                             webhook.Policy())
    assert gone.status == "failed" and "no webhook" in gone.last_error


def _watch(**changes) -> Watch:
    base = dict(id="w1", name="n", query={"q": "flood", "mode": "keyword"}, mode="keyword",
                created_at="2026-12-01T10:00:00.000Z", watermark="2026-12-01T12:00:00.000Z")
    return Watch(**{**base, **changes})


def test_a_watch_looks_back_by_the_overlap_but_never_before_it_was_made():
    assert watch_run._lower(_watch()) == watermark.iso(
        watermark.parse("2026-12-01T12:00:00Z") - watch_run.timedelta(seconds=watch_run.OVERLAP_SECONDS))
    assert watch_run._lower(_watch(watermark="2026-12-01T10:01:00.000Z")) == "2026-12-01T10:00:00.000Z"
    assert watch_run._lower(_watch(backfill=True)) is None  # the first run of a backfill looks at everything
    assert watch_run._lower(_watch(backfill=True, last_run_at="2026-12-01T12:00:00.000Z")) is not None


def test_legs_of_each_mode():
    keyword = watch_run.legs(_watch(), None, "2026-12-01T12:00:00.000Z")
    assert list(keyword) == ["keyword"]
    meaning = watch_run.legs(_watch(query={"q": "flood", "mode": "semantic"}, mode="semantic", vector=[0.1] * 4,
                                    floor=0.67), "2026-12-01T11:00:00.000Z", "2026-12-01T12:00:00.000Z")
    assert list(meaning) == ["semantic"] and all(k["similarity"] == 0.67 for k in meaning["semantic"]["knn"])
    window = meaning["semantic"]["knn"][0]["filter"][-1]["range"]["indexed_at"]
    assert window == {"gt": "2026-12-01T11:00:00.000Z", "lte": "2026-12-01T12:00:00.000Z"}


def test_match_ids_are_one_per_watch_and_article():
    assert match_id("w1", "a") == match_id("w1", "a") != match_id("w2", "a") != match_id("w1", "b")


def test_feed_escapes_what_articles_carry():
    match = WatchMatch(id="a&1", title="<script>alert(1)</script> & co", outlet="O", date="2026-11-30",
                       matched_at="2026-12-01T12:00:00.000Z")
    xml = feed.atom(_watch(name="watch <b>"), [match], "http://h/", "http://h/watches/w1/feed.atom")
    root = ET.fromstring(xml)
    ns = {"a": feed.ATOM}
    assert root.find("a:title", ns).text == "Morgue watch: watch <b>"
    assert root.find("a:entry/a:title", ns).text == "<script>alert(1)</script> & co"
    assert b"<script>" not in xml
    assert root.find("a:entry/a:link", ns).get("href") == "http://h/articles/a%261"


def test_batch_terms_limits_and_csv():
    assert batch.terms_from_csv("name,notes\nVladimir Putin,x\n\n\"Smith, John\",y\n") == ["Vladimir Putin", "Smith, John"]
    assert batch.terms_from_csv("Kirby\nBlinken") == ["Kirby", "Blinken"]
    assert batch.terms_from_csv("Kirby\rBlinken\r\nAustin\r") == ["Kirby", "Blinken", "Austin"]  # old Mac line ends
    with pytest.raises(BadRequest, match="at most 10,000 terms"):
        batch.checked(["x"] * (batch.MAX_TERMS + 1))
    with pytest.raises(BadRequest):
        batch.checked([])
    with pytest.raises(BadRequest):
        batch.checked("Kirby")
    for bad in ("", "   ", '""', "x" * 600):
        with pytest.raises(BadRequest):
            batch._phrase(bad)
    assert batch._phrase('John "Jack" Kirby')  # inner quotes are read as spaces
    with pytest.raises(BadRequest):
        batch.filters_of({"q": "x"})
    with pytest.raises(BadRequest):
        batch.filters_of(["outlet"])
    assert batch.filters_of({"outlet": "TASS", "from": "2025-01-01"}).outlet == ["TASS"]


def test_a_watch_requires_every_plain_word():
    from search_api.syntax import parse

    def operators(query) -> list:
        """The `operator` of every combined_fields clause in a query."""
        if isinstance(query, list):
            return [o for v in query for o in operators(v)]
        if not isinstance(query, dict):
            return []
        found = [query["combined_fields"].get("operator")] if "combined_fields" in query else []
        return found + [o for v in query.values() for o in operators(v)]

    assert "and" in operators(parse("lighthouse keeper", every_word=True).query)
    assert "and" not in operators(parse("lighthouse keeper").query)
    either = parse("lighthouse OR keeper", every_word=True).query
    assert either["bool"]["minimum_should_match"] == 1  # OR still means either
