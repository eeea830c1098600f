"""`morgue` command line. Errors are one line on stderr with a non-zero exit code, never a traceback."""
from __future__ import annotations

import argparse
import os
import sys
import time

from elasticsearch import ConnectionError as ESConnectionError, ConnectionTimeout

from indexer.local_es import LocalESError, node_info
from indexer.maven import MavenError
from indexer.store import ModelMismatch, SchemaOutdated, StoreUnavailable
from morgue.core import Morgue
from search_api.errors import ApiError


def _es_start(morgue: Morgue, args: argparse.Namespace) -> int:
    if args.nodes > 1:
        return _cluster_start(morgue, args.nodes)
    node = morgue.node()
    already = node.state()
    started = time.monotonic()
    state = node.start(port=args.port)
    if already:
        print(f"already running (pid {state.pid}): {state.url}")
    else:
        print(f"started in {time.monotonic() - started:.1f}s (pid {state.pid}, Java {state.java_home}): {state.url}")
    print(state.url)
    return 0


def _cluster_start(morgue: Morgue, nodes: int) -> int:
    if morgue.node().state() is not None:
        raise LocalESError("the single managed node is running: `morgue es stop` it before starting a cluster")
    cluster = morgue.local_cluster(nodes)
    started = time.monotonic()
    states = cluster.start()
    print(f"{len(states)} nodes up in {time.monotonic() - started:.1f}s (data in {cluster.dir}); "
          f"indices built now take MORGUE_SHARDS and MORGUE_REPLICAS (e.g. 3 and 1)")
    print(",".join(cluster.urls))
    return 0


def _es_stop(morgue: Morgue, args: argparse.Namespace) -> int:
    node, cluster = morgue.node().stop(), morgue.local_cluster().stop()
    print("stopped" if node or cluster else "not running")
    return 0


def _es_status(morgue: Morgue, args: argparse.Namespace) -> int:
    state = morgue.node().state()
    running = morgue.local_cluster().running()
    if state is None and not running:
        print("not running (start it with `morgue es start`)")
        return 3
    info = node_info(state.url if state else running[0].url)
    where = (f"pid: {state.pid}\ndirectory: {state.node_dir}" if state else
             "\n".join(f"node: {s.url} pid {s.pid} {s.node_dir}" for s in running))
    print(f"url: {state.url if state else ','.join(s.url for s in running)}\nversion: {info['version']}\n"
          f"health: {info['health']}\nnodes: {info['nodes']}\ndocs: {info['docs']}\n{where}")
    return 0


def _index(morgue: Morgue, args: argparse.Namespace) -> int:
    from datetime import date
    from pathlib import Path

    from indexer.pipeline import write_report

    reference = date.fromisoformat(args.reference_date) if args.reference_date else None
    summary = morgue.indexer().run([Path(p) for p in args.paths], outlet=args.outlet, rebuild=args.rebuild,
                                   prune=args.prune, reference=reference, quiet=args.quiet or args.json,
                                   group=not args.no_stories, follow_links=args.follow_links,
                                   max_bytes=morgue.settings.max_file_bytes, seconds=morgue.settings.file_seconds,
                                   workers=args.workers)
    watched = None if args.no_watches else _evaluate_watches(morgue)
    if args.json:
        import json
        from dataclasses import asdict

        print(json.dumps({**summary.as_json(), "watches": asdict(watched) if watched else None}))
    else:
        print(summary.table())
        if watched is not None:
            print(watched.line())
    if args.report:
        write_report(summary, Path(args.report))
    for item in summary.rejected[:20]:
        print(f"rejected: {item.source}: {item.reason}", file=sys.stderr)
    return 1 if summary.counts["rejected"] else 0


def _evaluate_watches(morgue: Morgue):
    """After an index run: every watch against what it wrote (nothing to do when there are none). The
    articles are written whatever happens here: a failure is reported, and `morgue watch run` (or the
    next index run) catches up, since a watch's watermark moves only when its matches are recorded."""
    import elasticsearch

    from search_api import watch_run, watch_store

    try:
        if not morgue.es.indices.exists_alias(name=watch_store.name(morgue.alias, "watches")):
            return None
        report = watch_run.run(morgue.context, morgue.webhook_policy())
    except (ApiError, watch_store.RecordError, elasticsearch.ApiError, elasticsearch.TransportError) as exc:
        print(f"morgue: watches not evaluated ({getattr(exc, 'message', exc)}); the articles are indexed: run "
              f"`morgue watch run` to catch up", file=sys.stderr)
        return None
    return report


def _watch_run(morgue: Morgue, args: argparse.Namespace) -> int:
    """Exit codes: 0 evaluated (a delivery that will be retried is not an error), 1 a watch could not
    run, 3 Elasticsearch unreachable, 75 another evaluation is running (try later)."""
    import json
    from dataclasses import asdict

    from search_api import watch_run

    report = watch_run.run(morgue.context, morgue.webhook_policy())
    print(json.dumps(asdict(report)) if args.json else report.line())
    for watch_id, why in report.failed_watches.items():
        print(f"watch {watch_id} could not run: {why}", file=sys.stderr)
    return 75 if not report.ran else 1 if report.failed_watches else 0


def _serve(morgue: Morgue, args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run(morgue.app(), host=args.host, port=args.port, log_level="info")
    return 0


def _search(morgue: Morgue, args: argparse.Namespace) -> int:
    from search_api.query import validated
    from search_api.search import search

    result = search(morgue.context, validated({"q": args.query, "mode": args.mode, "size": args.size}))
    if args.json:
        print(result.model_dump_json(indent=2))
        return 0
    for note in result.notes:
        print(note)
    print(f"{result.total}{'+' if result.total_relation == 'gte' else ''} matches")
    for rank, hit in enumerate(result.hits, 1):
        print(f"{rank:>3}. {hit.title or '(no title)'} — {hit.outlet or '?'}, {(hit.date or '')[:10]}  [{hit.id}]")
        for quote in hit.quotes[:2]:
            print(f"       “{quote.text[:100]}” — {quote.speaker or 'unattributed'}")
    return 0


def _stories(morgue: Morgue, args: argparse.Namespace) -> int:
    from indexer import stories
    from indexer.pipeline import group_stories
    from indexer.store import alias_index

    index = alias_index(morgue.es, morgue.alias)
    if index is None:
        print(f"morgue: no index behind {morgue.alias!r} yet: run `morgue index PATH` first", file=sys.stderr)
        return 2
    before = stories.current(morgue.es, index) if args.rebuild else {}
    if args.rebuild:
        print(f"grouping all {stories.forget(morgue.es, index)} articles again")
    print(group_stories(morgue.es, index).line())
    if args.rebuild:
        print(f"stories with the same members as before keep their ids ({stories.keep_ids(morgue.es, index, before)} "
              "articles given their old id back)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="morgue", description="Search engine over a news archive.")
    sub = parser.add_subparsers(dest="command", required=True)

    es = sub.add_parser("es", help="the managed local Elasticsearch node (used when MORGUE_ES_URL is unset)")
    es_sub = es.add_subparsers(dest="es_command", required=True)
    start = es_sub.add_parser("start", help="start the node (or report the running one) and print its URL")
    start.add_argument("--port", type=int, default=9200, help="preferred port; the next free one if busy")
    start.add_argument("--nodes", type=int, default=1, choices=range(1, 10), metavar="N",
                       help="N > 1: a local cluster of N nodes (HTTP ports from 9201, data under MORGUE_HOME/cluster)")
    start.set_defaults(func=_es_start)
    es_sub.add_parser("stop", help="stop the node started by `morgue es start`").set_defaults(func=_es_stop)
    es_sub.add_parser("status", help="URL, version, health, document count").set_defaults(func=_es_status)

    index = sub.add_parser("index", help="index files and folders of articles (exit 1 when something was rejected)")
    index.add_argument("paths", nargs="+", help=".txt .html .jsonl .json .csv .warc(.gz) files or folders")
    index.add_argument("--outlet", help="outlet name for articles that do not say (otherwise: the name of the folder named, unless it is a generic one such as data or exports)")
    index.add_argument("--rebuild", action="store_true", help="build a new index version and swap the alias")
    index.add_argument("--prune", action="store_true", help="remove articles whose source files are gone")
    index.add_argument("--report", help="write rejected items (and warnings) to this JSONL file")
    index.add_argument("--follow-links", action="store_true",
                       help="follow symbolic links that lead outside the folders named (default: rejected)")
    index.add_argument("--reference-date", help="YYYY-MM-DD used to infer a year missing from datelines")
    index.add_argument("--workers", type=int, default=0, choices=range(0, 65), metavar="N",
                       help="processes that clean, parse and enrich while this one embeds and writes (default 0: "
                            "all in this process; the encoder stays one batched stage)")
    index.add_argument("--quiet", action="store_true", help="no progress (a bar on a terminal, a line every 10 s in a log)")
    index.add_argument("--json", action="store_true", help="the outcome as one JSON object (counts, rejected with "
                                                           "reasons, time) instead of the table")
    index.add_argument("--no-stories", action="store_true", help="skip story grouping (run `morgue stories` later)")
    index.add_argument("--no-watches", action="store_true", help="do not evaluate watches after the run")
    index.set_defaults(func=_index)

    group = sub.add_parser("stories", help="group the articles not grouped yet (new or changed ones) into stories")
    group.add_argument("--rebuild", action="store_true", help="forget every story and group the whole index again")
    group.set_defaults(func=_stories)

    watch = sub.add_parser("watch", help="saved searches (watches): evaluate them against what is new")
    watch_sub = watch.add_subparsers(dest="watch_command", required=True)
    run = watch_sub.add_parser("run", help="evaluate every watch now and deliver new matches (cron-friendly; exit 0 "
                                           "done, 1 a watch could not run, 3 no Elasticsearch, 75 another run is on)")
    run.add_argument("--json", action="store_true", help="the run's report as JSON")
    run.set_defaults(func=_watch_run)

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
    """Exit codes: 0 done, 1 the user's mistake or inputs rejected, 2 set-up (no node, wrong model or
    schema), 3 Elasticsearch unreachable (re-run to finish), 4 a bug, 130 interrupted."""
    args = build_parser().parse_args(argv)
    morgue = Morgue()
    try:
        return args.func(morgue, args)
    except ApiError as exc:
        print(f"morgue: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except (LocalESError, MavenError, ModelMismatch, SchemaOutdated) as exc:
        print(f"morgue: {exc}", file=sys.stderr)
        return 2
    except (ESConnectionError, ConnectionTimeout) as exc:
        print(f"morgue: Elasticsearch is not reachable ({type(exc).__name__}): is `morgue es start` running?",
              file=sys.stderr)
        return 3
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
    finally:
        morgue.close()


if __name__ == "__main__":
    sys.exit(main())
