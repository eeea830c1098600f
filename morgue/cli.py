"""`morgue` command line. Errors are one line on stderr with a non-zero exit code, never a traceback."""
from __future__ import annotations

import argparse
import os
import sys
import time

from indexer.local_es import LocalESError, managed_node, node_info
from indexer.store import ModelMismatch, SchemaOutdated, StoreUnavailable


def _es_start(args: argparse.Namespace) -> int:
    node = managed_node()
    already = node.state()
    started = time.monotonic()
    state = node.start(port=args.port)
    if already:
        print(f"already running (pid {state.pid}): {state.url}")
    else:
        print(f"started in {time.monotonic() - started:.1f}s (pid {state.pid}, Java {state.java_home}): {state.url}")
    print(state.url)
    return 0


def _es_stop(args: argparse.Namespace) -> int:
    node = managed_node()
    print("stopped" if node.stop() else "not running")
    return 0


def _es_status(args: argparse.Namespace) -> int:
    state = managed_node().state()
    if state is None:
        print("not running (start it with `morgue es start`)")
        return 3
    info = node_info(state.url)
    print(f"url: {info['url']}\nversion: {info['version']}\nhealth: {info['health']}\ndocs: {info['docs']}\n"
          f"pid: {state.pid}\ndirectory: {state.node_dir}")
    return 0


def _index(args: argparse.Namespace) -> int:
    from datetime import date
    from pathlib import Path

    from indexer.connection import connect
    from indexer.embed import get_embedder
    from indexer.pipeline import Indexer, write_report
    from indexer.settings import get_settings

    settings = get_settings()
    reference = date.fromisoformat(args.reference_date) if args.reference_date else None
    indexer = Indexer(connect(settings), get_embedder(settings.model), settings.index, settings.home / "cache")
    summary = indexer.run([Path(p) for p in args.paths], outlet=args.outlet, rebuild=args.rebuild, prune=args.prune,
                          reference=reference, quiet=args.quiet, group=not args.no_stories,
                          follow_links=args.follow_links, max_bytes=settings.max_file_bytes)
    print(summary.table())
    if args.report:
        write_report(summary, Path(args.report))
    for item in summary.rejected[:20]:
        print(f"rejected: {item.source}: {item.reason}", file=sys.stderr)
    return 1 if summary.counts["rejected"] else 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from search_api.app import create_app

    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")
    return 0


def _search(args: argparse.Namespace) -> int:
    import json

    from indexer.connection import connect
    from indexer.embed import get_embedder
    from indexer.settings import get_settings
    from search_api import service
    from search_api.app import validated_query
    from search_api.errors import ApiError

    settings = get_settings()
    ctx = service.Context(connect(settings), settings.index, get_embedder(settings.model))
    try:
        result = service.search(ctx, validated_query({"q": args.query, "mode": args.mode, "size": args.size}))
    except ApiError as exc:
        print(f"morgue: {exc.message}", file=sys.stderr)
        return 1 if exc.status < 500 else 3
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"{result['total']}{'+' if result['total_relation'] == 'gte' else ''} matches")
    for rank, hit in enumerate(result["hits"], 1):
        print(f"{rank:>3}. {hit['title'] or '(no title)'} — {hit['outlet'] or '?'}, {(hit['date'] or '')[:10]}  [{hit['id']}]")
        for quote in hit["quotes"][:2]:
            print(f"       “{quote['text'][:100]}” — {quote['speaker'] or 'unattributed'}")
    return 0


def _stories(args: argparse.Namespace) -> int:
    from indexer import stories
    from indexer.connection import connect
    from indexer.pipeline import group_stories
    from indexer.settings import get_settings
    from indexer.store import alias_index

    settings = get_settings()
    es = connect(settings)
    index = alias_index(es, settings.index)
    if index is None:
        print(f"morgue: no index behind {settings.index!r} yet: run `morgue index PATH` first", file=sys.stderr)
        return 2
    if args.rebuild:
        print(f"forgot the story of {stories.forget(es, index)} articles")
    print(group_stories(es, index).line())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="morgue", description="Search engine over a news archive.")
    sub = parser.add_subparsers(dest="command", required=True)

    es = sub.add_parser("es", help="the managed local Elasticsearch node (used when MORGUE_ES_URL is unset)")
    es_sub = es.add_subparsers(dest="es_command", required=True)
    start = es_sub.add_parser("start", help="start the node (or report the running one) and print its URL")
    start.add_argument("--port", type=int, default=9200, help="preferred port; the next free one if busy")
    start.set_defaults(func=_es_start)
    es_sub.add_parser("stop", help="stop the node started by `morgue es start`").set_defaults(func=_es_stop)
    es_sub.add_parser("status", help="URL, version, health, document count").set_defaults(func=_es_status)

    index = sub.add_parser("index", help="index files and folders of articles (exit 1 when something was rejected)")
    index.add_argument("paths", nargs="+", help=".txt .html .jsonl .json .csv .warc(.gz) files or folders")
    index.add_argument("--outlet", help="outlet name for articles that do not say")
    index.add_argument("--rebuild", action="store_true", help="build a new index version and swap the alias")
    index.add_argument("--prune", action="store_true", help="remove articles whose source files are gone")
    index.add_argument("--report", help="write rejected items (and warnings) to this JSONL file")
    index.add_argument("--follow-links", action="store_true",
                       help="follow symbolic links that lead outside the folders named (default: rejected)")
    index.add_argument("--reference-date", help="YYYY-MM-DD used to infer a year missing from datelines")
    index.add_argument("--quiet", action="store_true", help="no progress line")
    index.add_argument("--no-stories", action="store_true", help="skip story grouping (run `morgue stories` later)")
    index.set_defaults(func=_index)

    group = sub.add_parser("stories", help="group articles without a story (new or changed ones) into stories")
    group.add_argument("--rebuild", action="store_true", help="forget every story and group the whole index again")
    group.set_defaults(func=_stories)

    serve = sub.add_parser("serve", help="the search API and web UI")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=_serve)

    search = sub.add_parser("search", help="search from the command line (same service as the API)")
    search.add_argument("query")
    search.add_argument("--mode", choices=["hybrid", "keyword", "semantic"], default="hybrid")
    search.add_argument("--size", type=int, default=10)
    search.add_argument("--json", action="store_true", help="the API's JSON response")
    search.set_defaults(func=_search)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except LocalESError as exc:
        print(f"morgue: {exc}", file=sys.stderr)
        return 2
    except (ModelMismatch, SchemaOutdated) as exc:
        print(f"morgue: {exc}", file=sys.stderr)
        return 2
    except StoreUnavailable as exc:
        print(f"morgue: {exc}; nothing indexed so far is lost: re-run the same command to finish", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug: say so in one line, with its own exit code
        print(f"morgue: unexpected error ({type(exc).__name__}: {exc}); this is a bug, please report it "
              f"(MORGUE_DEBUG=1 shows the traceback)", file=sys.stderr)
        if os.environ.get("MORGUE_DEBUG"):
            raise
        return 4


if __name__ == "__main__":
    sys.exit(main())
