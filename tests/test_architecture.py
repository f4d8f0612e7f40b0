"""The arrows ARCHITECTURE.md forbids: read every import in src/sitrep and fail on any of them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "sitrep"
STAGES = {"actors", "events", "claims", "tolls", "dates", "geo", "clean", "nlp"}
# (importing room, imported room): the arrows that must not exist
FORBIDDEN = (
    [(stage, upper) for stage in STAGES for upper in ("store", "service", "web", "cli")]
    + [("store", other) for other in (*STAGES, "merge", "tolls", "service", "pipeline", "ingest", "syndication",
                                      "export", "web", "cli", "workers", "evaluate", "acled", "feeds")]
    + [("pipeline", "web"), ("pipeline", "cli")]
)


def room(path: Path) -> str:
    """The room of a module: its top-level module or package under sitrep ('store' for store/read.py)."""
    return path.relative_to(SRC).parts[0].removesuffix(".py")


def imported_rooms(source: str, here: str) -> set[str]:
    """The other rooms of sitrep that a module imports, anywhere in it (imports inside functions count too)."""
    rooms: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] if node.module != "sitrep" else [f"sitrep.{a.name}" for a in node.names]
        else:  # a relative import stays in its own package
            continue
        rooms |= {n.split(".")[1] for n in names if n.startswith("sitrep.")}
    return rooms - {here}


def forbidden(source: str, here: str) -> list[str]:
    """The rooms a module of room `here` imports although ARCHITECTURE.md forbids it."""
    rooms = imported_rooms(source, here)
    allowed = {"model"} if here == "store" else set() if here == "model" else None  # only these, when given
    return sorted(r for r in rooms if (here, r) in FORBIDDEN or (allowed is not None and r not in allowed))


MODULES = sorted(SRC.rglob("*.py"))


def test_architecture_reads_every_room():
    assert {"model", "pipeline", "store", "service", "tolls", "merge"} <= {room(p) for p in MODULES}


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(SRC)) for p in MODULES])
def test_architecture_no_forbidden_arrow(path):
    bad = forbidden(path.read_text("utf-8"), room(path))
    assert not bad, f"{path.relative_to(SRC)} imports {bad}: an arrow ARCHITECTURE.md forbids"


@pytest.mark.parametrize("source, here, expected", [
    ("from sitrep import merge\nfrom sitrep.model import Claim\n", "store", ["merge"]),
    ("def f():\n    from sitrep.store import Store\n", "geo", ["store"]),
    ("import sitrep.web\n", "pipeline", ["web"]),
    ("from sitrep import __version__\n", "model", ["__version__"]),
    ("from sitrep.model import Claim\nfrom sitrep.store.read import Reads\n", "store", []),
])
def test_architecture_check_catches_forbidden_arrows(source, here, expected):
    assert forbidden(source, here) == expected
