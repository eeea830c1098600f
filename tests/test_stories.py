"""Story grouping: same event in several outlets → one story id; syndicated copies collapse; the
search, related and quote endpoints use it. Real node, real model."""
import json
import shutil
import tempfile
from pathlib import Path

from indexer import store, stories
from indexer.pipeline import Indexer

WILDFIRE = "Wildfire forces evacuation of mountain villages"


def _article(api, article_id: str) -> dict:
    return api.get(f"/api/articles/{article_id}").json()


def test_the_two_seeds_are_one_story(api, seed_ids):
    ids = seed_ids
    unn, tass = _article(api, ids["UNN"]), _article(api, ids["TASS"])
    assert unn["story"] and unn["story"] == tass["story"]
    assert "same event" in (unn["story_reason"] + tass["story_reason"])


def test_syndicated_copies_collapse_into_one_hit(api):
    flat = api.get("/api/search", params={"q": "wildfire evacuation villages", "mode": "keyword"}).json()["hits"]
    copies = [h for h in flat if h["title"] == WILDFIRE]
    assert len(copies) == 2 and copies[0]["story"] == copies[1]["story"]
    collapsed = api.get("/api/search", params={"q": "wildfire evacuation villages", "mode": "keyword",
                                               "collapse": "story"}).json()
    hits = [h for h in collapsed["hits"] if h["title"] == WILDFIRE]
    assert len(hits) == 1, [h["title"] for h in collapsed["hits"]]
    hit = hits[0]
    other = {c["id"] for c in copies} - {hit["id"]}
    assert {a["id"] for a in hit["story_articles"]} >= other
    # The copy, and also the next day's follow-up (same commander, same villages), are in the story.
    matches = {m["id"]: m for m in hit["story_matches"]}
    assert other <= set(matches) and all(matches[i]["highlights"] for i in other)
    assert set(hit["story_outlets"]) >= {"Harbor Gazette", "Northern Ledger"} - {hit["outlet"]}
    assert collapsed["stories"] < len(flat) and collapsed["total"] == api.get(
        "/api/search", params={"q": "wildfire evacuation villages", "mode": "keyword"}).json()["total"]
    only = api.get("/api/search", params={"story": hit["story"], "mode": "keyword", "size": 20}).json()["hits"]
    assert {h["id"] for h in only} == {hit["id"], *(a["id"] for a in hit["story_articles"])}


def test_council_vote_coverage_is_one_story_and_related_lists_it_first(api):
    hits = api.get("/api/search", params={"q": "council vote barrier Ostrand", "mode": "keyword",
                                          "to": "2025-03-12", "from": "2025-03-12", "size": 10}).json()["hits"]
    assert {h["outlet"] for h in hits} >= {"Harbor Gazette", "Northern Ledger", "Valley Wire"}
    assert len({h["story"] for h in hits}) == 1
    related = api.get(f"/api/articles/{hits[0]['id']}/related").json()["hits"]
    same = [h for h in related if h["same_story"]]
    assert len(same) >= 2 and related[:len(same)] == same  # the story's other articles first


def test_fingerprint_bands():
    text = " ".join(f"word{i} and more words about the harbour barrier vote number {i}" for i in range(40))
    edited = text.replace("word7 ", "changed7 ")
    other = " ".join(f"entirely different text {i} on rail strikes and timetables" for i in range(40))
    shared = lambda a, b: len(set(stories.fingerprint(a)) & set(stories.fingerprint(b)))  # noqa: E731
    assert shared(text, text) == stories.BANDS
    assert shared(text, edited) >= stories.COPY_BANDS
    assert shared(text, other) == 0


def test_new_copies_join_existing_stories_incrementally_and_rebuild_agrees(es, embedder, index_prefix):
    folder = Path(tempfile.mkdtemp(prefix="morgue-stories-"))
    alias = f"{index_prefix}-stories"
    try:
        source = Path(__file__).resolve().parents[1] / "sample_archive" / "exports" / "wire-and-web.jsonl"
        records = [json.loads(line) for line in source.read_text().splitlines() if line.strip()]
        (folder / "first.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
        indexer = Indexer(es, embedder, alias, folder / "cache")
        first = indexer.run([folder / "first.jsonl"], quiet=True)
        assert first.stories.articles == len(records)
        # each article was written as its own story: grouping rewrites only those that joined another
        assert first.stories.joined > 0 and first.stories.written == first.stories.joined
        wildfire = next(r for r in records if r["title"] == WILDFIRE)
        copy = {**wildfire, "id": "ck-9", "outlet": "Coast Kurier", "url": "https://coast.example/9"}
        (folder / "second.jsonl").write_text(json.dumps(copy) + "\n")
        second = indexer.run([folder / "second.jsonl"], quiet=True)
        assert second.stories.articles == 1 and second.stories.joined == 1  # only the new article is grouped
        assert second.stories.written == 1
        # indexed without grouping (`--no-stories`, or a run cut short before it): the next grouping
        # takes exactly what was left, and a grouping with nothing left does nothing
        late = {**wildfire, "id": "ck-10", "outlet": "Bay Tribune", "url": "https://bay.example/10"}
        (folder / "third.jsonl").write_text(json.dumps(late) + "\n")
        assert indexer.run([folder / "third.jsonl"], quiet=True, group=False).stories is None
        index = next(iter(es.indices.get_alias(name=alias)))
        es.indices.refresh(index=index)
        left = stories.assign(es, index)
        assert (left.articles, left.joined, left.written) == (1, 1, 1)
        assert stories.assign(es, index).articles == 0
        # an index an older version grouped has no mark: what it left without a story is grouped, then marked
        meta = store.index_meta(es, index)
        es.indices.put_mapping(index=index, meta={k: v for k, v in meta.items() if k != stories.GROUPED_UNTIL})
        late_id = es.search(index=index, query={"term": {"outlet": "Bay Tribune"}})["hits"]["hits"][0]["_id"]
        es.update(index=index, id=late_id, doc={"story": None, "story_reason": None}, refresh=True)
        legacy = stories.assign(es, index)
        assert (legacy.articles, legacy.joined, legacy.written) == (1, 1, 1)
        assert stories.grouped_until(es, index) is not None and stories.assign(es, index).articles == 0
        by_title = {}
        for hit in es.search(index=alias, size=100, source=["title", "story"])["hits"]["hits"]:
            by_title.setdefault(hit["_source"]["title"], set()).add(hit["_source"]["story"])
        assert len(by_title[WILDFIRE]) == 1
        before = {h["_id"]: h["_source"]["story"] for h in es.search(index=alias, size=100, source=["story"])["hits"]["hits"]}
        kept = stories.current(es, index)
        assert stories.forget(es, index) == len(before)
        again = stories.assign(es, index)
        assert again.articles == len(before)
        stories.keep_ids(es, index, kept)
        es.indices.refresh(index=index)
        after = {h["_id"]: h["_source"]["story"] for h in es.search(index=alias, size=100, source=["story"])["hits"]["hits"]}
        assert after == before  # same members, same story ids: links to a story survive a rebuild
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_story_says_what_it_is(api):
    """One line a journalist reads: outlets, articles, the days it spans, copies apart."""
    collapsed = api.get("/api/search", params={"q": "council vote barrier Ostrand", "mode": "keyword",
                                               "collapse": "story", "size": 5}).json()
    summary = collapsed["hits"][0]["story_summary"]
    assert summary["outlets"] >= 3 and summary["articles"] >= 3
    assert summary["first"] and summary["last"] and summary["first"] <= summary["last"]
    members = collapsed["hits"][0]["story_articles"]
    days = [m["date"] or "9999" for m in members]
    assert days == sorted(days)  # oldest first, undated last
    wildfire = api.get("/api/search", params={"q": "wildfire evacuation villages", "mode": "keyword",
                                              "collapse": "story"}).json()["hits"]
    hit = next(h for h in wildfire if h["title"] == WILDFIRE)
    assert hit["story_summary"]["copies"] >= 1
    copies = [m for m in hit["story_articles"] if m["copy_of"]] + ([hit] if hit.get("copy_of") else [])
    assert copies and all(c["copy_of"] for c in copies)
