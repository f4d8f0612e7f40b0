"""GeoNames dump files a user loads (`sitrep gazetteer load`), for village-level places.

The packages ship towns of 500 people and more; GeoNames' full dumps (https://download.geonames.org/export/dump/)
hold every village. Loaded files go to their own SQLite file beside the built index (`geonames-loaded.sqlite`)
and are applied to every index built after, so an upgrade that rebuilds the index keeps them. Their
fingerprint names the index file, so a change of loaded data builds a new index and is recorded with each
stored report (see `service.current_version`).

Files are recognised by their columns: the 19-column main table (allCountries, XX, citiesN), the alternate
names table (alternateNamesV2: 10 columns; alternateNames: 8) and admin2Codes (4). Zip files are read as
streams, member by member; rows are keyed by GeoNames id, so loading a file twice changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import IO

from sitrep.geo.keys import ORDINARY_MIN_POP, _is_latin, key_rows, name_key, ordinary_keys, plain

LOADED = "geonames-loaded.sqlite"
# Populated places that no longer are: historical, abandoned (GeoNames feature codes).
GONE = frozenset({"PPLH", "PPLQ", "PPLW"})
ADMIN = {"ADM1": "province", "ADM2": "district"}
# Alternate-name "languages" that are codes or links, not names.
NOT_NAMES = frozenset({"link", "wkdt", "post", "iata", "icao", "faac", "abbr", "unlc", "phon", "piny", "tcid"})
BATCH = 20_000

Progress = Callable[[int, int], None]  # bytes read so far, bytes in all


def loaded_path(cache: Path) -> Path:
    """The loaded dumps' SQLite file in a cache dir."""
    return cache / LOADED


def fingerprint(cache: Path) -> str | None:
    """A short hash of what is loaded, or None when nothing is (read from a one-line file next to the data)."""
    with contextlib.suppress(OSError):
        return (cache / (LOADED + ".id")).read_text("utf-8").strip() or None
    return None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS places(id INTEGER PRIMARY KEY, name TEXT, kind TEXT, cc TEXT, admin1 TEXT,
                                  admin2 TEXT, lat REAL, lon REAL, pop INTEGER);
CREATE TABLE IF NOT EXISTS names(id INTEGER, name TEXT, PRIMARY KEY(id, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS admin2(code TEXT PRIMARY KEY, name TEXT, id INTEGER);
CREATE TABLE IF NOT EXISTS sources(file TEXT PRIMARY KEY, size INTEGER, rows INTEGER, loaded_at TEXT);
"""


@dataclass(frozen=True)
class Loaded:
    """What one file added: its name, the kind of table it held, and the rows kept."""

    file: str
    table: str
    rows: int


def load(files: list[Path], cache: Path, progress: Progress | None = None) -> list[Loaded]:
    """Load GeoNames dump files into the cache's loaded data; idempotent. Raises ValueError naming a bad file."""
    for f in files:
        if not f.is_file():
            raise ValueError(f"{f}: no such file")
    cache.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(loaded_path(cache))
    total = sum(f.stat().st_size for f in files)
    done = 0
    out: list[Loaded] = []
    try:
        db.executescript(_SCHEMA)
        for f in files:
            def step(n: int, base: int = done) -> None:
                if progress is not None:
                    progress(base + n, total)
            for member, lines in _members(f, step):
                table, rows = _load_lines(db, lines, f"{f.name}:{member}" if member else f.name)
                out.append(Loaded(f"{f.name}:{member}" if member else f.name, table, rows))
            done += f.stat().st_size
            db.execute("INSERT OR REPLACE INTO sources VALUES (?,?,?,?)",
                       (f.name, f.stat().st_size, sum(x.rows for x in out if x.file.startswith(f.name)),
                        datetime.now(timezone.utc).isoformat(timespec="seconds")))
        db.commit()  # all files or none: a bad file leaves what was loaded before as it was
        sources = db.execute("SELECT file, size FROM sources ORDER BY file").fetchall()
    finally:
        db.close()
    digest = hashlib.sha256(repr(sources).encode()).hexdigest()[:12]
    (cache / (LOADED + ".id")).write_text(digest + "\n", "utf-8")
    return out


def _members(f: Path, step: Callable[[int], None]) -> Iterator[tuple[str, Iterator[str]]]:
    """(member name, its lines) of a zip's text tables, or ('', lines) of a plain text file."""
    if not zipfile.is_zipfile(f):
        with open(f, "rb") as raw:
            yield "", _lines(raw, step)
        return
    with zipfile.ZipFile(f) as z:
        infos = [i for i in z.infolist() if i.filename.endswith(".txt")
                 and not i.filename.lower().startswith(("readme", "iso-languagecodes"))]
        if not infos:
            raise ValueError(f"{f}: no GeoNames table in this zip")
        for info in infos:
            with z.open(info) as raw:
                yield info.filename, _lines(raw, partial(_scaled, step, info.compress_size / max(1, info.file_size)))


def _scaled(step: Callable[[int], None], ratio: float, n: int) -> None:
    step(int(n * ratio))  # progress counts the zip's bytes, the stream its uncompressed characters


def _lines(raw: IO[bytes], step: Callable[[int], None]) -> Iterator[str]:
    """The data lines of a table (no comments, no blank lines), reporting the characters read so far."""
    read = 0
    for n, line in enumerate(io.TextIOWrapper(raw, encoding="utf-8", newline="\n")):
        read += len(line)
        if n % 50_000 == 0:
            step(read)
        if line.strip() and not line.startswith("#"):
            yield line.rstrip("\n")
    step(read)


INSERT = {"place": "INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?)",
          "name": "INSERT OR IGNORE INTO names VALUES (?,?)",
          "admin2": "INSERT OR REPLACE INTO admin2 VALUES (?,?,?)"}


def _load_lines(db: sqlite3.Connection, lines: Iterator[str], name: str) -> tuple[str, int]:
    """Store a table's rows by its column count; the table's kind and the rows kept."""
    first = next(lines, None)
    if first is None:
        return "empty", 0
    width = len(first.split("\t"))
    kinds = {19: ("places", _place_rows), 10: ("alternate names", _name_rows), 8: ("alternate names", _name_rows),
             4: ("admin2 codes", _admin2_rows)}
    if width not in kinds:
        raise ValueError(f"{name}: {width} tab-separated columns: not a GeoNames main table (19), alternate "
                         "names (10 or 8) or admin2Codes (4)")
    table, rows_of = kinds[width]
    kept = 0
    batches: dict[str, list[tuple]] = {k: [] for k in INSERT}
    for n, line in enumerate(_chain(first, lines), 1):
        cols = line.split("\t")
        if len(cols) != width:
            raise ValueError(f"{name}: line {n} has {len(cols)} columns, not {width}")
        for kind, row in rows_of(cols):
            batches[kind].append(row)
            kept += kind != "name" or table == "alternate names"
        if n % BATCH == 0:
            _flush(db, batches)
    _flush(db, batches)
    return table, kept


def _flush(db: sqlite3.Connection, batches: dict[str, list[tuple]]) -> None:
    for kind, rows in batches.items():
        db.executemany(INSERT[kind], rows)
        rows.clear()


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _place_rows(cols: list[str]) -> Iterator[tuple[str, tuple]]:
    """A loaded place (a populated place, province or district) and its Latin names."""
    fclass, fcode = cols[6], cols[7]
    if fclass == "P" and fcode not in GONE:
        kind = "town"
    elif fclass == "A" and fcode in ADMIN:
        kind = ADMIN[fcode]
    else:
        return
    gid = int(cols[0])
    yield "place", (gid, cols[1], kind, cols[8], cols[10], cols[11], float(cols[4]), float(cols[5]),
                    int(cols[14] or 0))
    for n in sorted({cols[1], cols[2], *cols[3].split(",")}):
        if n and _is_latin(n):
            yield "name", (gid, n)


def _name_rows(cols: list[str]) -> Iterator[tuple[str, tuple]]:
    if cols[2] not in NOT_NAMES and cols[3] and _is_latin(cols[3]):
        yield "name", (int(cols[1]), cols[3])


def _admin2_rows(cols: list[str]) -> Iterator[tuple[str, tuple]]:
    yield "admin2", (cols[0], cols[2] or cols[1], int(cols[3]) if cols[3].isdigit() else None)


def summary(cache: Path) -> dict[str, int] | None:
    """Counts of the loaded places, names, admin2 codes and files, or None when nothing is loaded."""
    path = loaded_path(cache)
    if not path.exists():
        return None
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 (fixed table names)
                for t in ("places", "names", "admin2", "sources")}
    finally:
        db.close()


# ---------------------------------------------------------------- applying to an index


def apply(index: sqlite3.Connection, cache: Path, admin_ids: dict[str, int]) -> int:
    """Add the loaded places and names to an index being built; the number of places added.

    `admin_ids` maps GeoNames admin codes ('SY.13', 'SY.13.1234') to the index's province and district ids.
    A place already in the index keeps its row and gains the loaded names; a district named only in
    admin2Codes becomes a place at its largest loaded town. Streams through SQL joins: allCountries holds
    millions of places."""
    path = loaded_path(cache)
    if not path.exists():
        return 0
    index.execute("ATTACH DATABASE ? AS src", (f"file:{path}?mode=ro",))
    codes = dict(admin_ids)
    for code, gid in index.execute("SELECT code, id FROM src.admin2 WHERE id IS NOT NULL"):
        codes.setdefault(code, gid)
    for gid, kind, cc, a1, a2 in index.execute("SELECT id, kind, cc, admin1, admin2 FROM src.places "
                                               "WHERE kind <> 'town'"):
        codes.setdefault(f"{cc}.{a1}" if kind == "province" else f"{cc}.{a1}.{a2}", gid)
    before = index.execute("SELECT count(*) FROM places").fetchone()[0]
    biggest: dict[int, tuple[int, float, float]] = {}  # district id -> its largest loaded town
    rows: list[tuple] = []
    for gid, name, kind, cc, a1, a2, lat, lon, pop in _pages(
            index, "SELECT * FROM src.places WHERE id > ? AND id NOT IN (SELECT id FROM main.places) ORDER BY id"):
        a1_id = gid if kind == "province" else codes.get(f"{cc}.{a1}")
        a2_id = gid if kind == "district" else codes.get(f"{cc}.{a1}.{a2}") if a2 and kind == "town" else None
        if kind == "town" and a2_id is not None and pop >= biggest.get(a2_id, (-1, 0.0, 0.0))[0]:
            biggest[a2_id] = (pop, lat, lon)
        rows.append((gid, plain(name), kind, cc, a1_id, a2_id, lat, lon, pop))
        if len(rows) >= BATCH:
            index.executemany("INSERT OR IGNORE INTO places VALUES (?,?,?,?,?,?,?,?,?)", rows)
            rows.clear()
    index.executemany("INSERT OR IGNORE INTO places VALUES (?,?,?,?,?,?,?,?,?)", rows)
    for code, name, gid in index.execute("SELECT code, name, id FROM src.admin2 WHERE id NOT IN "
                                         "(SELECT id FROM main.places)").fetchall():
        if gid in biggest:
            cc, a1 = code.split(".")[:2]
            _, lat, lon = biggest[gid]
            index.execute("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?)",
                          (gid, plain(name), "district", cc, codes.get(f"{cc}.{a1}"), gid, lat, lon, 0))
            index.executemany("INSERT OR IGNORE INTO names VALUES (?,?)", sorted(key_rows([name_key(name)], gid)))
    _apply_names(index)
    added = index.execute("SELECT count(*) FROM places").fetchone()[0] - before
    index.commit()
    index.execute("DETACH DATABASE src")
    return int(added)


def _apply_names(index: sqlite3.Connection) -> None:
    """The loaded names of the index's places as name keys; ordinary words name only large places."""
    ordinary = ordinary_keys()
    rows: set[tuple[str, int]] = set()
    for gid, name, pop in _pages(index, "SELECT n.id, n.name, p.pop FROM src.names n JOIN main.places p "
                                        "ON p.id = n.id WHERE (n.id, n.name) > (?, ?) ORDER BY n.id, n.name", 2):
        key = name_key(name)
        if key in ordinary and pop < ORDINARY_MIN_POP:
            continue
        rows |= key_rows([key], gid)
        if len(rows) >= BATCH:
            index.executemany("INSERT OR IGNORE INTO names VALUES (?,?)", sorted(rows))
            rows.clear()
    index.executemany("INSERT OR IGNORE INTO names VALUES (?,?)", sorted(rows))


def _pages(db: sqlite3.Connection, sql: str, key_width: int = 1) -> Iterator[tuple]:
    """The rows of a query ordered by its first columns, read a page at a time (keyset paging), so that the
    index can be written between pages; `sql` takes the last row's key columns as parameters."""
    last: tuple = (-1, "")[:key_width]
    while True:
        page = db.execute(f"{sql} LIMIT {BATCH}", last).fetchall()
        yield from page
        if len(page) < BATCH:
            return
        last = tuple(page[-1][:key_width])
