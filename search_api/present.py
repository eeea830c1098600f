"""Elasticsearch's answers → the response models (search_api.models): each shown hit with its
evidence (explain, highlights, the passage that matched by meaning, its quotes), stories, facets."""
from __future__ import annotations

from indexer import schema
from search_api import fuse, speakers
from search_api.highlight import highlights, term_spans
from search_api.models import (ArticleSummary, Bucket, DateRange, Explain, Facets, Hit, Passage, Quote,
                               SearchResponse, StorySummary)
from search_api.plan import ENTITY_FACETS, MEMBER_FIELDS
from search_api.query import Fusion, Mode, SearchQuery
from search_api.retrieve import LegResult
from search_api.syntax import Parsed

QUOTE_FIELDS = ("text", "speaker", "speaker_role", "speaker_kind", "speaker_surface", "cue", "block", "start", "end",
                "key")


def explain(fused: fuse.Fused, query: SearchQuery | None) -> Explain:
    """How a score came about: per leg its rank and raw score, and the fusion's parameters. query=None:
    plain RRF with its defaults (related coverage)."""
    if query is None:
        return Explain(fusion="rrf", score=fused.score, keyword=fused.legs.get("keyword"),
                       semantic=fused.legs.get("semantic"), rrf_k=60)
    hybrid = query.mode is Mode.hybrid
    rrf = hybrid and query.fusion is Fusion.rrf
    return Explain(fusion=query.fusion.value if hybrid else query.mode.value, score=fused.score,
                   keyword=fused.legs.get("keyword"), semantic=fused.legs.get("semantic"),
                   rrf_k=query.rrf_k if rrf else None,
                   weights={"keyword": 1.0, "semantic": query.semantic_weight} if rrf else None,
                   alpha=query.alpha if hybrid and not rrf else None)


def quote(raw: dict, matches: list[list[int]] | None = None) -> Quote:
    return Quote(**{k: raw.get(k) for k in QUOTE_FIELDS}, matches=matches or [])


def matching_quotes(quotes: list[dict], parsed: Parsed, query: SearchQuery, best: Passage | None) -> list[Quote]:
    """The hit's quotes that the query is about: containing a query term, by a requested speaker, or
    inside the passage that matched by meaning."""
    out = []
    for raw in quotes:
        matches = term_spans(raw.get("text") or "", parsed.terms)
        in_passage = best is not None and best.start is not None and raw["start"] < best.end and raw["end"] > best.start
        if matches or speakers.matches(raw.get("speaker"), query.speaker) or in_passage:
            out.append(quote(raw, matches))
    return out


def best_passage(hit: dict, parsed: Parsed) -> Passage | None:
    inner = (hit.get("inner_hits") or {}).get(schema.PASSAGES, {}).get("hits", {}).get("hits", [])
    if not inner:
        return None
    passage = inner[0]["_source"]
    return Passage(text=passage.get("text"), start=passage.get("start"), end=passage.get("end"),
                   score=inner[0].get("_score"), matches=term_spans(passage.get("text") or "", parsed.terms))


def hit(doc_id: str, page: dict, fused: fuse.Fused, query: SearchQuery, parsed: Parsed) -> Hit:
    """page: the article as the page's search fetched it (plan.page_body): source, highlights, and
    its passage closest to the query as an inner hit."""
    source = page.get("_source", {})
    best = best_passage(page, parsed)
    return Hit(
        id=doc_id, title=source.get(schema.TITLE), outlet=source.get(schema.OUTLET), date=source.get(schema.DATE),
        date_precision=source.get(schema.DATE_PRECISION), url=source.get(schema.URL),
        language=source.get(schema.LANGUAGE), place=source.get(schema.PLACE), story=source.get(schema.STORY),
        score=fused.score, explain=explain(fused, query), highlights=highlights(page, parsed.terms), best_passage=best,
        quotes=matching_quotes(source.get(schema.QUOTES) or [], parsed, query, best))


def facets(result: LegResult) -> Facets:
    aggs = {name: agg["inner"] for name, agg in result.aggregations.items()}  # each under its filter (plan.facets_body)
    return Facets(
        outlet=[Bucket(key=b["key"], count=b["doc_count"]) for b in aggs["outlet"]["buckets"]],
        language=[Bucket(key=b["key"], count=b["doc_count"]) for b in aggs["language"]["buckets"]],
        speaker=[Bucket(key=b["key"], count=b["articles"]["doc_count"], quotes=b["doc_count"])
                 for b in aggs["speaker"]["names"]["buckets"]],
        **{name: [Bucket(key=b["key"], count=b["doc_count"]) for b in aggs[name]["buckets"]] for name in ENTITY_FACETS},
        dates=DateRange(first=aggs["dates"].get("min_as_string"), last=aggs["dates"].get("max_as_string"),
                        dated=aggs["dates"].get("count") or 0))


def _story_members(result: LegResult | None) -> dict[str, list[ArticleSummary]]:
    members: dict[str, list[ArticleSummary]] = {}
    for raw in (result.hits if result else []):
        source = raw["_source"]
        reason = source.get(schema.STORY_REASON) or ""
        members.setdefault(source[schema.STORY], []).append(
            ArticleSummary(id=raw["_id"], **{k: source.get(k) for k in MEMBER_FIELDS},
                           copy_of=reason.removeprefix("copy of ") if reason.startswith("copy of ") else None))
    for group in members.values():  # oldest first, the first report at the head
        group.sort(key=lambda m: (m.date or "9999", m.id != m.story, m.id))
    return members


def story_summary(story: str, item: Hit, group: list[ArticleSummary]) -> StorySummary:
    """The story in figures, from its members as fetched (the shown article among them)."""
    others = [m for m in group if m.id != item.id]
    dates = sorted(d for d in [item.date, *(m.date for m in others)] if d)
    outlets = {o for o in [item.outlet, *(m.outlet for m in others)] if o}
    return StorySummary(articles=len(others) + 1, outlets=len(outlets), copies=sum(1 for m in group if m.copy_of),
                        first=dates[0] if dates else None, last=dates[-1] if dates else None, first_report=story)


def response(query: SearchQuery, parsed: Parsed, ranking, grouped, shown: list[fuse.Fused],
             fetched: dict[str, LegResult], next_cursor: str | None, watermark: str) -> SearchResponse:
    pages = {h["_id"]: h for h in fetched["page"].hits} if "page" in fetched else {}

    def one(entry: fuse.Fused) -> Hit:
        return hit(entry.id, pages.get(entry.id, {}), entry, query, parsed)

    hits = [one(entry) for entry in shown]
    if query.collapse == "story":
        members = _story_members(fetched.get("members"))
        for item, entry in zip(hits, shown):
            others = [m for m in members.get(item.story, []) if m.id != item.id]
            item.story_articles = others
            item.story_outlets = sorted({m.outlet for m in others if m.outlet} - {item.outlet})
            if item.story:
                item.story_summary = story_summary(item.story, item, members.get(item.story, []))
            item.story_matches = [one(m) for m in grouped.members.get(entry.id, [])]
    return SearchResponse(total=ranking.total, total_relation=ranking.relation, counted=ranking.counted,
                          floor=query.floor if ranking.counted != "keyword" else None, hits=hits, cursor=next_cursor,
                          notes=parsed.notes, stories=len(grouped.ranked) if query.collapse == "story" else None,
                          facets=facets(ranking.facets) if ranking.facets is not None else None,
                          watermark=watermark)
