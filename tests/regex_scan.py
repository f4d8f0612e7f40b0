"""Run every regular expression sitrep compiles against adversarial text; print the slow ones.

Usage: python tests/regex_scan.py [--chars N] [--limit SECONDS]

It records each pattern that sitrep's own code compiles (directly or through re.search & co.),
and which of its methods (search, fullmatch, sub…) the code calls, while it imports every stage
and extracts a real article and short adversarial texts; then it calls those methods over long
runs of digits, spaces, brackets, tags, quotes and the like. A linear scan of 40,000 characters
takes milliseconds; a pattern that backtracks quadratically or worse takes seconds or never ends.
Each pattern's name is printed before it runs, so a hang names its culprit. Exit status 1 when
some pattern took longer than the limit. `tests/test_robustness.py` runs it in a subprocess.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "examples" / "seed_news_dump.txt"


def adversarial(n: int) -> dict[str, str]:
    """Long inputs that make backtracking regular expressions blow up."""
    return {
        "digits": "1" * n,
        "digits and spaces": "1 " * (n // 2),
        "digits and commas": "1," * (n // 2),
        "spaces": " " * n,
        "newlines": "\n" * n,
        "spaces then x": " " * n + "x!",
        "letters": "a" * n,
        "capitals": "A" * n,
        "capitalised words": "Abc " * (n // 4),
        "open brackets": "(" * n,
        "nested brackets": "(" * (n // 2) + ")" * (n // 2),
        "square brackets": "[a" * (n // 2),
        "tags": "<a>" * (n // 3),
        "unclosed tag": "<a " + "b=1 " * (n // 4),
        "quotes": '"' * n,
        "apostrophes": "'" * n,
        "hyphens": "-" * n,
        "dots": "." * n,
        "abbreviations": "Mr. " * (n // 4),
        "numbers in words": "twenty-one " * (n // 11),
        "killed numbers": "killed 12 " * (n // 10),
        "said commas": ", said " * (n // 7),
        "dates": "2024-11-20 " * (n // 11),
        "months": "November " * (n // 9),
        "arabic": "\u0627\u0644" * (n // 2),
        "mixed": ("Al-Qaeda (AQ) 12, 'x' - " * (n // 24)),
    }


class _Spy:
    """A compiled pattern that notes which of its methods sitrep's code calls."""

    def __init__(self, pattern: re.Pattern[str], where: str, uses: dict[tuple[str, int], tuple[str, set[str]]]) -> None:
        self._pattern = pattern
        self._uses = uses.setdefault((pattern.pattern, pattern.flags), (where, set()))[1]

    def __getattr__(self, name: str) -> object:
        value = getattr(self._pattern, name)
        if callable(value) and name in METHODS:
            self._uses.add(name)
        return value


METHODS = {"search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"}


def record_uses() -> list[tuple[str, re.Pattern[str], set[str]]]:
    """Import sitrep and extract the seed once; (where, pattern, methods used) for each pattern sitrep's code uses."""
    uses: dict[tuple[str, int], tuple[str, set[str]]] = {}
    real_compile = re._compile  # type: ignore[attr-defined]

    def spying_compile(pattern, flags):  # type: ignore[no-untyped-def]
        if isinstance(pattern, _Spy):
            pattern = pattern._pattern
        compiled = real_compile(pattern, flags)
        frame = sys._getframe(1)
        while frame is not None and frame.f_globals.get("__name__") in ("re", "functools"):
            frame = frame.f_back  # re.compile, re.search & co.
        caller = frame.f_globals.get("__name__", "") if frame is not None else ""
        if not caller.startswith("sitrep.") or not isinstance(compiled.pattern, str):
            return compiled
        return _Spy(compiled, f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno}", uses)

    re._compile = spying_compile  # type: ignore[attr-defined]
    re.purge()
    try:
        from sitrep.model import Document
        from sitrep.pipeline import Extractor

        extractor = Extractor()
        for text in (SEED.read_text("utf-8"), *adversarial(2_000).values()):
            extractor.extract(Document("scan", text, "scan"))
    finally:
        re._compile = real_compile  # type: ignore[attr-defined]
        re.purge()
    return [(where, re.compile(p, f), methods) for (p, f), (where, methods) in uses.items() if methods]


def run(pattern: re.Pattern[str], method: str, text: str) -> None:
    """Call one method of a pattern over the whole text (iterators run to their end)."""
    if method in ("sub", "subn"):
        getattr(pattern, method)("", text)
    elif method == "finditer":
        for _ in pattern.finditer(text):
            pass
    else:
        getattr(pattern, method)(text)


def main(argv: list[str] | None = None) -> int:
    """Scan; print every (pattern, input) over the limit and the slowest overall."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--chars", type=int, default=40_000)
    parser.add_argument("--limit", type=float, default=1.0, help="seconds one pattern may take on one input")
    args = parser.parse_args(argv)
    patterns = record_uses()
    inputs = adversarial(args.chars)
    print(f"{len(patterns)} patterns x {len(inputs)} inputs of ~{args.chars:,} characters", flush=True)
    slow: list[str] = []
    worst = (0.0, "")
    for where, pattern, methods in sorted(patterns, key=lambda p: p[0]):
        print(f"scanning {where} {sorted(methods)}: {pattern.pattern[:80]!r}", file=sys.stderr, flush=True)
        for name, text in inputs.items():
            started = time.perf_counter()
            for method in methods:
                run(pattern, method, text)
            took = time.perf_counter() - started
            label = f"{where} {sorted(methods)} on {name}: {took:.2f} s ({pattern.pattern[:120]!r})"
            worst = max(worst, (took, label))
            if took > args.limit:
                slow.append(label)
                print("SLOW " + label, flush=True)
    print(f"slowest: {worst[1]}")
    print(f"{len(slow)} slow" if slow else "no pattern was slow", flush=True)
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
