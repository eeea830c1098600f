"""HTML extraction quality on the ScrapingHub (Zyte) article-extraction benchmark: 181 news pages with
the article body written out by hand.

    python -m bench.extraction [--data ../shared/data/article-extraction-benchmark]

Each page goes through the indexer's own path (indexer.enrich: trafilatura with favor_precision, its default
when that keeps nothing, then our scrape cleaning and normalisation) and, for comparison on the same pages and the same scoring,
through trafilatura alone with its defaults. Scored per page and averaged over pages, two ways:
tokens (lower-case words as a multiset: precision = shared / ours, recall = shared / gold) and, as the
benchmark's own evaluate.py does, shingles of four tokens. A page where we extract nothing scores 0.
Also: the pages where we lose most, with what is missing or extra.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import re
from collections import Counter
from pathlib import Path

from bench.report import commit, write_result
from indexer.enrich import enrich
from indexer.raw import RawArticle, Rejected

WORD = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    return WORD.findall((text or "").lower())


def shingles(words: list[str], n: int = 4) -> Counter:
    return Counter(tuple(words[i:i + n]) for i in range(max(len(words) - n + 1, 1))) if words else Counter()


def score(ours: Counter, gold: Counter) -> tuple[float, float, float]:
    shared = sum((ours & gold).values())
    if not gold and not ours:
        return 1.0, 1.0, 1.0
    p = shared / sum(ours.values()) if ours else 0.0
    r = shared / sum(gold.values()) if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def ours(html: str, url: str) -> str:
    result = enrich(RawArticle(source=url, html=html, meta={"url": url}, key=url))
    return "" if isinstance(result, Rejected) else result.body


def plain_trafilatura(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def mean(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    return tuple(sum(r[i] for r in rows) / len(rows) for i in range(3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shared = Path(os.environ.get("MORGUE_SHARED", "../shared"))
    parser.add_argument("--data", type=Path, default=shared / "data" / "article-extraction-benchmark")
    args = parser.parse_args()
    truth = json.loads((args.data / "ground-truth.json").read_text())
    results = {"ours": {"tokens": [], "shingles": []}, "trafilatura": {"tokens": [], "shingles": []}}
    losses = []
    for key, item in sorted(truth.items()):
        html = gzip.decompress((args.data / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        gold = tokens(item["articleBody"])
        for name, extract in (("ours", ours), ("trafilatura", plain_trafilatura)):
            words = tokens(extract(html, item["url"]))
            results[name]["tokens"].append(score(Counter(words), Counter(gold)))
            results[name]["shingles"].append(score(shingles(words), shingles(gold)))
            if name == "ours":
                mine = Counter(words)
                losses.append((results[name]["tokens"][-1][2], item["url"], sum((Counter(gold) - mine).values()),
                               sum((mine - Counter(gold)).values()), len(gold), len(words)))
    rows = ["| extractor | scoring | precision | recall | F1 |", "|---|---|---:|---:|---:|"]
    for name, label in (("ours", "Morgue (trafilatura, favor_precision falling back to its default when that keeps nothing, then our cleaning)"),
                        ("trafilatura", "trafilatura alone, defaults")):
        for scoring in ("tokens", "shingles"):
            p, r, f = mean(results[name][scoring])
            rows.append(f"| {label} | {scoring} | {p:.3f} | {r:.3f} | **{f:.3f}** |")
    losses.sort()
    worst = ["| F1 | page | gold words missing | extra words | gold words | our words |", "|---:|---|---:|---:|---:|---:|"]
    worst += [f"| {f:.2f} | {url[:70]} | {missing:,} | {extra:,} | {g:,} | {o:,} |"
              for f, url, missing, extra, g, o in losses[:12]]
    empty = sum(1 for row in losses if row[5] == 0)
    text = (f"# HTML extraction on the article-extraction benchmark ({len(truth)} pages)\n\nPer page, then "
            f"averaged; tokens are lower-case words (a multiset), shingles four consecutive tokens (the "
            f"benchmark's own scoring). trafilatura 2.0.0's published figure there: F1 0.958 (P 0.938, R 0.978). "
            f"Commit {commit()}.\n\n" + "\n".join(rows) +
            f"\n\nPages where we extract nothing: {empty}.\n\nWhere we lose most (token F1):\n\n" + "\n".join(worst) +
            "\n\n`python -m bench.extraction`\n")
    write_result(Path(__file__).resolve().parent / "results" / "extraction.md", text)


if __name__ == "__main__":
    main()
