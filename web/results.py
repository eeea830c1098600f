"""What the results page says and links around its hits: the count phrased for the set that was
counted, the active filters as removable chips, facet links that add to the filters, the permalink
and the export links of the same query. Pure functions of the page's parameters and the answer."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from search_api.query import LIST_PARAMS

PAGE_SIZE = 20  # hits a page shows ("next 20")
UI_ONLY = ("timeline",)  # page parameters that are not the query's (the timeline's count or share view)
NOT_EXPORTED = ("cursor", "size", "facets", "collapse", "depth", *UI_ONLY)
FILTER_LABELS = {"from": "From", "to": "To", "outlet": "Outlet", "language": "Language", "speaker": "Quoting",
                 "person": "Naming", "org": "Organisation", "place": "Place", "story": "Story",
                 "has_quotes": "Has quotes"}
SORTS = [("relevance", "relevance"), ("date", "newest first"), ("oldest", "oldest first")]


@dataclass
class Chip:
    label: str
    value: str
    remove: str  # the same search without this filter


def link(params: dict, path: str = "/", **changes) -> str:
    """The page's parameters with some changed (None removes one; lists repeat the name)."""
    merged = {**params, **changes}
    items = [(k, v) for k, values in merged.items() if values is not None
             for v in (values if isinstance(values, list) else [values])]
    return f"{path}?{urlencode(items)}"


def chips(params: dict) -> list[Chip]:
    out = []
    for name, label in FILTER_LABELS.items():
        value = params.get(name)
        if value in (None, "", []):
            continue
        for one in value if isinstance(value, list) else [value]:
            rest = [v for v in value if v != one] if isinstance(value, list) else None
            out.append(Chip(label, one, link(params, **{name: rest or None, "cursor": None})))
    return out


def facet_link(params: dict, name: str, key: str) -> tuple[str, bool]:
    """(href, active): a facet value adds itself to the filter of its kind (values of one kind are
    alternatives, kinds combine); an active one links to the search without it."""
    current = params.get(name) or []
    current = current if isinstance(current, list) else [current]
    if key in current:
        return link(params, **{name: [v for v in current if v != key] or None, "cursor": None}), True
    value = current + [key] if name in LIST_PARAMS else key
    return link(params, **{name: value, "cursor": None}), False


def permalink(params: dict) -> str:
    return link({k: v for k, v in params.items() if k != "cursor"})


def export_link(params: dict, fmt: str) -> str:
    return link({k: v for k, v in params.items() if k not in NOT_EXPORTED}, "/api/export", format=fmt)


def count_phrase(total: int, relation: str, counted: str, floor: float | None, words: bool = True) -> str:
    """The count as what it is: the articles containing the words (or, with no words, under the
    filters), those close in meaning (above the floor), or either."""
    n = f"{total:,}{'+' if relation == 'gte' else ''}"
    articles = "article" if total == 1 else "articles"
    if counted == "meaning":
        if not total:
            return f"No article is close in meaning (similarity {floor:.2f} or more)"
        return f"About {n} {articles} close in meaning (similarity {floor:.2f} or more)"
    one = total == 1 and relation == "eq"
    if counted == "keyword_or_meaning":
        verbs = "matches these words or is" if one else "match these words or are"
        return f"{n} {articles} {verbs} close in meaning (similarity {floor:.2f} or more)"
    return f"{n} {articles} {'matches' if one else 'match'} {'these words' if words else 'these filters'}"
