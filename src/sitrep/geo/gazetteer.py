"""Place records and the Gazetteer: which indexed place a mention names, given the text's countries.

Candidates come from the index by name key (vowel-blind keys only where a province or a
context country bounds them); the enclosing names a text gives ("A (B, C)") come first, then
the context countries, then kind and size, and a name the context does not single out is refused.
"""

from __future__ import annotations

import dataclasses
import math
import re
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from sitrep.actors.lexicon import country_aliases
from sitrep.geo.index import _build_locked, default_index_path
from sitrep.geo.keys import ORDINARY_MIN_POP, fold, loose_key, name_key, ordinary_keys
from sitrep.geo.mentions import THE_COUNTRY, PlaceMention, _mention_of_phrase, _named, _split_cue
from sitrep.geo.shapes import country_points
from sitrep.geo.words import cues
from sitrep.model import Location, PlacePrecision

# Candidates further apart than this are different places; closer ones are duplicates of one place.
SAME_PLACE_KM = 30.0
# With no deciding context, the most populous candidate wins only when it is this many times the next one
# (Athens, Greece over Athens, Georgia; Dimitrovgrad, Russia over Dimitrovgrad, Bulgaria; not one Springfield) ...
DOMINANCE = 3.0
# ... and among candidates of one context country, this many times.
IN_CONTEXT_DOMINANCE = 4.0
# A place outside the article's countries is accepted only when it is this large and unambiguous.
OUT_OF_CONTEXT_MIN_POP = 300_000
# A name whose enclosing places cannot be checked is accepted only when unique worldwide and this large.
UNIQUE_MIN_POP = 50_000
# The broadest name of a note's chain, unique worldwide but outside the context, is trusted from this size.
UNIQUE_TOWN_MIN_POP = 1_000
# A town outside the text's countries, when none inside matches, is taken only from this size and unambiguous.
ABROAD_MIN_POP = 10_000
# A rival known by the name only as an alternate name weighs this many times less than one it is the own name of.
ALIAS_DISCOUNT = 8
# Vowel-blind keys shorter than this ("~hr") match too much to be used.
LOOSE_MIN_LEN = 5
# A town the text places in a district or province that GeoNames files elsewhere is taken when it lies this close to
# that area's point: provinces are split and merged (Paoua, now of Lim-Pende; Thu Dau Mot, now of Ho Chi Minh City)
MOVED_KM = {"district": 50.0, "province": 150.0}
# A name several towns of a country share is the one lying this close to another place its sentence names: "Kamenka,
# near Nalchik" is the Kamenka by Nalchik, not the larger one by Penza.
ANCHOR_KM = 50.0


@dataclass(frozen=True)
class _Place:
    """A row of the index's places table: a town, district or province."""

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
        rows = self._db.execute("SELECT iso2, name, iso3 FROM countries").fetchall()
        self._countries: dict[str, str] = {r[0]: r[1] for r in rows}
        self._iso3 = {r[2]: r[0] for r in rows if r[2]}
        self._iso3_of = {r[0]: r[2] for r in rows if r[2]}
        self._country_keys = dict(self._db.execute("SELECT key, iso2 FROM country_keys").fetchall())
        self._place_cache: dict[str, list[_Place]] = {}
        self._small_country_points: dict[str, tuple[float, float] | None] = {}
        # "Korea", "DRC": names people write for a country; a part of the country that people name it by
        # ("Gaza", "West Bank") stays that part, and GeoNames' own names win clashes
        self.aliases = {alias: iso2 for alias, iso2 in country_aliases().items()
                        if iso2 in self._countries and all(p.cc != iso2 for p in self._lookup(alias))}
        for alias, iso2 in self.aliases.items():
            self._country_keys.setdefault(name_key(alias), iso2)
        self._size = int(self._db.execute("SELECT v FROM meta WHERE k='places'").fetchone()[0])

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
        if loose and _acronym(name, 5):
            return []  # "SNNPR" is no vowel-blind spelling of Sonepur
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
        if name_key(name) in ordinary_keys():  # "the House of Lords", "Police said": no hamlet of that name
            return [p for p in self._place_cache[key] if p.kind == "province" or p.pop >= ORDINARY_MIN_POP]
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
        # an area no town of the gazetteer is linked to takes its province's point, else its country's
        point = next(((q.lat, q.lon) for q in (p, admin1) if q is not None and q.lat is not None), None)
        point = point or self.country_point(p.cc)
        return Location(
            name=admin1_name if p.kind == "province" and admin1_name else p.name,
            admin1=admin1_name,
            country=self._countries.get(p.cc),
            iso2=p.cc,
            lat=point[0] if point else None,
            lon=point[1] if point else None,
            geonames_id=p.id if p.id > 0 else None,
            precision=precision or _PRECISION[p.kind],
        )

    def _country_location(
        self, iso2: str, name: str | None = None, precision: PlacePrecision = "country"
    ) -> Location:
        point = self.country_point(iso2)
        return Location(
            name=name or self._countries[iso2],
            admin1=None,
            country=self._countries[iso2],
            iso2=iso2,
            lat=point[0] if point else None,
            lon=point[1] if point else None,
            geonames_id=None,
            precision=precision,
        )

    def largest_towns(self, bbox: tuple[float, float, float, float], limit: int) -> list[tuple[str, float, float, int]]:
        """The `limit` most populous towns inside a box (west, south, east, north; west > east crosses the 180th
        meridian): (name, lat, lon, population), largest first."""
        west, south, east, north = bbox
        lon = "(lon >= ? OR lon <= ?)" if west > east else "lon BETWEEN ? AND ?"
        return self._db.execute(
            f"SELECT name, lat, lon, pop FROM places WHERE kind = 'town' AND lat BETWEEN ? AND ? AND {lon} "
            "ORDER BY pop DESC LIMIT ?", (south, north, west, east, limit)).fetchall()

    def country_point(self, iso2: str) -> tuple[float, float] | None:
        """(lat, lon) of a point inside the country (Natural Earth's shapes, `shapes`); for one too small for the
        1:110m map (Bahrain, Singapore...), its largest town's; None for a country with neither."""
        points = country_points()
        point = points.get(self._iso3_of.get(iso2, "")) or points.get(self._countries.get(iso2, ""))
        if point is None and iso2 not in self._small_country_points:
            row = self._db.execute("SELECT lat, lon FROM places WHERE cc = ? AND kind = 'town' AND lat IS NOT NULL "
                                   "ORDER BY pop DESC LIMIT 1", (iso2,)).fetchone()
            self._small_country_points[iso2] = (row[0], row[1]) if row else None
        return point or self._small_country_points.get(iso2)

    def resolve(self, mention: PlaceMention | str, countries: Sequence[str] = (),
                anchors: Sequence[Location] = ()) -> Location | None:
        """The place a mention refers to, or None when unknown or ambiguous; `countries`: iso2 context, likeliest
        first; `anchors`: other places the text names, which settle a name several towns share."""
        m = mention if isinstance(mention, PlaceMention) else _mention_of_phrase(mention)
        if m is None:
            return None
        countries = [c for c in countries if c in self._countries]
        found = self._resolve(m, countries)
        words = m.name.split(maxsplit=1)
        if found is None and m.hint is None and len(words) == 2 and words[0].lower() in cues().directions \
                and self._lookup(words[1]):
            # "Northern Nicosia": a part of the town, when no place is called so ("North Darfur" is)
            town = None if self.country(words[1]) else self._resolve_name(words[1], "city", countries, ())
            found = (self._location(town) if town is not None and town.kind == "town"
                     else self._resolve_region(dataclasses.replace(m, name=words[1], hint="region"), countries))
        if found is None and (named := _named(m)) is not None and named.name != m.name:
            found = self._resolve(named, countries)  # "died in Sidnaya Military Prison": where the prison is
        if anchors and not m.within and m.hint in (None, "city") and (found is None or found.precision == "town"):
            # "Kamenka, near Nalchik": of the towns a name several share, the one beside another place named
            found = self._by_anchor(m.name, anchors) or found
        return found

    def shared(self, name: str) -> bool:
        """Whether several towns far apart share the name (Kamenka), so that other places named may settle it."""
        towns = [p for p in self._lookup(name) if p.kind == "town"]
        return any(_km(towns[0], p) >= SAME_PLACE_KM for p in towns[1:])

    def _by_anchor(self, name: str, anchors: Sequence[Location]) -> Location | None:
        """The one town of a shared name close to one of `anchors` (other than itself) and in its country."""
        towns = [p for p in self._lookup(name) if p.kind == "town"]
        own = {p.id for p in towns}
        others = [a for a in anchors if a.precision in ("town", "district") and a.geonames_id not in own]
        close = [p for p in towns if any(p.cc == a.iso2 and (d := distance_km(p, a)) is not None and d <= ANCHOR_KM
                                         for a in others)]
        best = max(close, key=lambda p: p.pop, default=None)
        if best is None or any(_km(best, p) >= SAME_PLACE_KM for p in close):
            return None
        return self._location(best)

    def _resolve(self, m: PlaceMention, countries: Sequence[str]) -> Location | None:
        if m.hint == "region":
            return self._resolve_region(m, countries)
        if _acronym(m.name) and name_key(m.name) not in self._country_keys:
            return None  # a code in running text ('KP', 'DR') is no place, unless people write it for one (UK, DRC)
        if m.hint not in ("province", "district", "city"):
            # "Benin City" is a town, not Benin
            found = self.country(m.name) or (None if self._lookup(m.name) else self._country_prefix(m.name))
            if found:
                return self._in_country(m, found[0]) or self._country_location(found[0])
        elif m.hint == "province" and not m.within and (nation := self.country(m.name)):
            # the last name of "(Gao, Mali)" is read as a province: the country, unless a province of that name
            # lies in a context country (Niger state, Nigeria)
            province = self._resolve_top(m.name, "province", countries, ())
            if province is None or province.kind != "province" or province.cc not in countries:
                return self._country_location(nation[0])
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
        if place is None and len(chain) > 1 and chain[0].kind != "town" and name_key(named[0][1]) == name_key(m.name):
            # "Kosti (Kosti, White Nile)": the town the district is named after, when the province holds it
            place = self._pick([p for p in self._lookup(m.name) if p.kind == "town" and _inside(p, chain[1])],
                               "city", [chain[1].cc], m.name)
        if place is None:
            # when the text says where the place is and we cannot check it, only a name unique worldwide will do
            unique_only = bool(m.within) and not chain and not countries
            place = self._resolve_name(m.name, m.hint, countries, chain, unique_only=unique_only)
        if place is None and countries and not m.within and m.hint in (None, "city"):
            # "protested in Oulu for peace in Ukraine": a town the context does not hold (it came from a country the
            # text only talks about), taken when it is one sizeable place worldwide by its own name, or the only
            # place of that name anywhere ("graffiti on buildings in Uffenheim" beside a "Ukrainian flag")
            abroad = self._resolve_name(m.name, m.hint, (), ())
            only = self._unique(self._lookup(m.name))
            place = abroad if (abroad is not None and abroad.kind == "town" and _own_name(abroad, m.name)
                               and (abroad.pop >= ABROAD_MIN_POP or only is not None and only.id == abroad.id)) else None
        if place is not None and _generic(m.name) and place.cc not in countries:
            place = None  # a bare "West": a province of that name in many countries
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
        if chain and (part := self._part_inside(m.name, m.hint, chain)) is not None:
            return dataclasses.replace(self._location(part, None, written), mentioned=m.name)
        if chain:  # the town is not in the gazetteer: fall back to its district, then its province
            fallback = next((c for c in chain if c.lat is not None), chain[0])
            moved = self._moved(m.name, fallback)
            if moved is not None:  # in the province the text names, whichever GeoNames files it in
                loc, top = self._location(moved, None, written), chain[-1]
                return loc if top.kind != "province" else dataclasses.replace(loc, admin1=written.get(top.id, top.name))
            loc = self._location(fallback, "district" if fallback.kind == "town" else None, written)
            return dataclasses.replace(loc, mentioned=m.name)
        return None

    def _part_inside(self, name: str, hint: str | None, chain: Sequence[_Place]) -> _Place | None:
        """The place named by the last words of a name the gazetteer lacks, inside the narrowest enclosing place
        ("Hazari Imam Sahib district, Kunduz": Imam Sahib)."""
        words = name.split()
        for part in (" ".join(words[i:]) for i in range(1, len(words))):
            if len(name_key(part)) < 5:
                break
            inside = [p for p in self._lookup(part) if p.lat is not None and _inside(p, chain[0])]
            if inside:
                return self._pick(inside, hint, [chain[0].cc], part)
        return None

    def _moved(self, name: str, area: _Place) -> _Place | None:
        """The one town of that name close to an area the text places it in, though GeoNames files it elsewhere, or,
        for a district, in its province with no district of its own in GeoNames (Lalibela, in North Wollo)."""
        radius = MOVED_KM.get(area.kind)
        if radius is None:
            return None
        near = [p for p in self._candidates(name, (), [area.cc])
                if p.kind == "town" and p.cc == area.cc
                and (_km(p, area) <= radius or area.kind == "district" and p.a2 is None and p.a1 == area.a1)]
        return self._pick(near, "city", [area.cc], name)

    def _in_country(self, m: PlaceMention, iso2: str) -> Location | None:
        """A country's name followed by a note's chain: the town of that name the chain encloses ("Salvador (Bahia)",
        "Djibouti (Djibouti, Djibouti)"), else the place the chain names in that country ("Mongolia (Ulaanbaatar -
        Sukhbaatar)"); None without a chain or when neither is found."""
        if not m.within:
            return None
        chain = [p for p, _ in self._resolve_chain(m.within, [iso2], [m.name])]
        town = self._pick([p for p in self._lookup(m.name) if p.kind == "town" and chain and _inside(p, chain[0])],
                          "city", [chain[0].cc]) if chain else None
        if town is not None:
            return self._location(town)
        _, name, hint = _split_cue(m.within[0])
        inner = self.resolve(PlaceMention(m.within[0], m.start, m.end, name, hint, m.within[1:]), [iso2])
        return inner if inner is not None and inner.iso2 == iso2 and inner.precision != "country" else None

    def same_province(self, a: str | None, b: str | None, iso2: str | None) -> bool:
        """Whether two names are names of one province of a country: 'Brittany' and 'Bretagne', 'Seoul-teukbyeolsi'
        and 'Seoul Special City' (ACLED spells provinces its own way)."""
        if not a or not b or not iso2:
            return False
        ids = [{p.id for p in self._lookup(n) if p.kind == "province" and p.cc == iso2} for n in (a, b)]
        return bool(ids[0] & ids[1])

    def sizeable(self, loc: Location, name: str) -> bool:
        """Whether a resolved place is a town of some size called by its own name: 'Kharkiv' is Kharkiv wherever
        the context says the text is, 'Novak' (a person) names no such town."""
        place = self._get(loc.geonames_id)
        return place is not None and place.kind == "town" and place.pop >= ABROAD_MIN_POP and _own_name(place, name)

    def only(self, loc: Location, name: str) -> bool:
        """Whether a resolved place is the only place the gazetteer knows by that name (a town and its same-named
        district are one), more than a hamlet, and spelled so ('Iban' is no spelling of the Philippine Ibaan)."""
        unique = self._unique(self._lookup(name))
        return unique is not None and unique.id == loc.geonames_id and fold(unique.name) == fold(name)

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
        # "east Naples (Florida)": in the chain's country and province
        named = self._resolve_chain(m.within, countries, [m.name])
        chain = [p for p, _ in named]
        countries = [chain[-1].cc, *countries] if chain else countries
        # "northern Aleppo (countryside)": a part of a province, coded to the province, never to a town; "eastern
        # Kharkiv" of a town that is no province is coded to the town; "central London", "central Aleppo": the
        # town's centre, before any province whose capital it is
        kinds = ("town", "province") if m.text.split()[0].lower() == "central" else ("province", "town")
        for kind in kinds:
            place = self._resolve_name(m.name, "city" if kind == "town" else kind, countries, chain)
            if place is not None and place.kind == kind:
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
            if " - " in name_only:  # "(London - Hackney)": the city
                name_only, hint = _resolve_head(name_only), hint or "city"
            if _acronym(name_only):
                continue  # a code ('KP') is no place
            if parent is None:
                narrower = [_split_cue(n)[1] for n in within[:i]] + [n for n in inner if n]
                place = self._resolve_top(name_only, hint, countries, narrower)
                if place is not None and _generic(name_only) and place.cc not in countries \
                        and not self._inside_names(place, narrower):
                    continue  # 'West', 'Capital': a province of many countries, this one holding none of the names
                country = self.country(name_only)
                if country and (place is None or place.cc != country[0] and not self._inside_names(place, narrower)):
                    countries = [country[0]]  # "Gao, Mali": the country, not a place abroad named like it
                    continue
            else:
                cands = self._candidates(name_only, [parent], [parent.cc])
                # ACLED's admin1 is not always GeoNames' (West Bank vs Jenin governorate): same country will do;
                # inside a district, the same province ("Nia-Nia (Bandaka, Mambasa, Ituri)" is not Equateur's Mbandaka)
                cands = [p for p in cands if _inside(p, parent)] or [
                    p for p in cands if p.cc == parent.cc and (parent.kind == "province" or p.a1 == parent.a1)]
                place = self._pick(cands, hint or "district", [parent.cc])
            if place is not None:
                resolved.append((place, name_only))
                parent = place
        return list(reversed(resolved))

    def _inside_names(self, container: _Place, names: Sequence[str]) -> int:
        """How many of `names` have a candidate inside `container`, a name found by its exact key counting twice
        one found by its vowel-blind key (Qandala is in Somalia's Bari, not near Italy's Bari by some Candela).
        A hamlet holds nothing: its surroundings would hold a namesake of almost any name. A town holds only places
        called so by their own names: Galician towns are known by their parishes' saints' names ("San Salvador",
        "San Martin"), so those names are around many of them."""
        town = container.kind == "town"
        if town and container.pop < UNIQUE_TOWN_MIN_POP:
            return 0
        found = 0
        for n in names:
            key = name_key(n)
            if len(key) < 3:
                continue
            exact = [p for p in self._lookup(n) if _inside(p, container) and (not town or _own_name(p, n))]
            if exact:
                found += 2
            elif not town and len(loose_key(key)) >= LOOSE_MIN_LEN \
                    and any(_inside(p, container) for p in self._lookup(n, loose=True)):
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
            # the province a town called so is the centre of ("Idleb"), unless the name is only the town's alternate
            # name and outweighed by a place it is the own name of (Portland's "Bridgetown" is no name of Oregon)
            own = max((c.pop if c.kind == "town" else math.inf for c in cands if _own_name(c, name)), default=0)
            provinces = {p.id: p for p in (self._capital_to_province(c) if _own_name(c, name)
                                           or c.pop // ALIAS_DISCOUNT > own else c for c in cands)
                         if p.kind == "province"}
            options = [*provinces.values(), *(p for p in cands if p.kind != "province" and p.id not in provinces)]
        # the reading that contains the narrower names the text gives wins
        if narrower:
            support = {p.id: self._inside_names(p, narrower) for p in options}
            best = max(support.values())
            if best > 0:
                pool = [p for p in options if support[p.id] == best]
                return self._pick_supported(pool, hint, countries)
            # none holds them, but the narrower names are places of one reading's country only: that country
            # ("Taizz - Usayfarah (Al Qahirah)" is Taizz's district, not Cairo; "Minya (Tripoli)" is Lebanon)
            kin = {p.cc for p in options} & self._countries_of(narrower)
            if len(kin) == 1:
                options = [p for p in options if p.cc in kin]
                cands = [p for p in cands if p.cc in kin] or cands
                exact = [p for p in exact if p.cc in kin]
                countries = [*kin, *countries]
            if any(len(name_key(n)) >= 4 and self._lookup(n) for n in narrower) \
                    and (len({p.cc for p in options}) > 1 or _generic(name)):
                # the narrower names exist elsewhere, not in any reading of this one: only a context reading
                # (a name read in one country only is trusted: "Fantafota (Solhan, Yagha)" is in Yagha, whatever
                # town abroad is called Solhan)
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
            self._pick(provinces_only, "province", countries, name)
            or self._pick(provinces_only, "province", (), name)
            or self._pick(cands, hint or "chain", countries)
            or self._unique(options)
        )

    def _countries_of(self, names: Sequence[str]) -> set[str]:
        """The countries where some of `names` name a place."""
        return {p.cc for head in map(_resolve_head, names) if len(name_key(head)) >= 4 for p in self._lookup(head)}

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
        return best if _dominant(best, [best, *rivals], IN_CONTEXT_DOMINANCE) else None

    @staticmethod
    def _unique(cands: Sequence[_Place]) -> _Place | None:
        """The one place all candidates are (one cluster worldwide), if it is more than a hamlet."""
        if not cands:
            return None
        best = max(cands, key=lambda p: (p.kind != "town", p.pop))
        if any(p.id != best.id and _km(best, p) >= SAME_PLACE_KM for p in cands):
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
        if not cands and _without_city(name) != name:  # "Batumi City": the town, named with its cue word
            return self._resolve_name(_without_city(name), "city", countries, chain, unique_only)
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
                # a small place is trusted when it is called by its own name: 'Hamrun', not a hamlet's alias
                or max(p.pop for p in cands) < (UNIQUE_TOWN_MIN_POP if any(_own_name(p, name) for p in cands)
                                                else UNIQUE_MIN_POP)
            )
        ):
            return None
        place = self._pick(cands, hint, countries, name)
        return self._capital_to_province(place) if place is not None and hint == "province" else place

    def _capital_to_province(self, place: _Place) -> _Place:
        """The province a town is the centre of ("Idleb" spelled only for the town), else the place itself."""
        if place.kind != "town":
            return place
        admin = self._get(place.a1)
        return admin if admin is not None and _km(admin, place) < 1.0 else place

    def _pick(self, cands: Sequence[_Place], hint: str | None, countries: Sequence[str],
              name: str | None = None) -> _Place | None:
        """The one candidate the context supports, or None when it does not single one out. A candidate the
        `name` is the own name of outweighs those known by it only as an alternate name (Bolu, not Porur)."""
        if not cands:
            return None
        # the first context country where the name is a place's own name ("Bridgetown" in Barbados before Portland,
        # Oregon's nickname), else the first where it names any (Palmyra, Syria's Tadmur)
        in_context = next(
            ([p for p in cands if p.cc == cc] for own in (True, False) for cc in countries
             if any(p.cc == cc and (not own or name is not None and _own_name(p, name)) for p in cands)), []
        )
        pool = in_context or list(cands)
        order = cues().kind_order.get(hint or "none", cues().kind_order["none"])
        if not in_context and hint not in (None, "city", "chain"):
            # without context, "X district" is a district, not a same-named town abroad, or else a province (Kenya's
            # counties are); "X city" may be a district named after its town when no town is called so ("Nassriya city")
            order = tuple(k for k in order if k != "town") if hint == "district" else order[:1]
        by_kind = {k: [p for p in pool if p.kind == k] for k in order}
        if hint is None and by_kind.get("province") and by_kind.get("town"):
            # a bare name that is a province and a town: the town if it lies in that province (Homs)
            # or is sizeable, else the province (Kunar, not a hamlet called Kunar)
            provinces = by_kind["province"]
            towns = [t for t in by_kind["town"] if any(t.a1 == p.id for p in provinces) or t.pop >= 50_000]
            if not towns:
                order = ("province", *[k for k in order if k != "province"])
        for kind in order:
            group = by_kind.get(kind, [])
            if group:
                # a candidate known by the name only as an alternate one weighs less (Bolu, not Porur; Bridgetown,
                # Barbados, not Portland, Oregon)
                weight = {p.id: p.pop if name is None or _own_name(p, name) else p.pop // ALIAS_DISCOUNT
                          for p in group}
                best = max(group, key=lambda p: weight[p.id])
                if countries and not in_context and best.pop < OUT_OF_CONTEXT_MIN_POP:
                    return None  # a place outside the article's countries: only a large, unambiguous one
                rivals = [p for p in group if p is not best and _km(best, p) >= SAME_PLACE_KM]
                ratio = IN_CONTEXT_DOMINANCE if in_context else DOMINANCE
                # in the context country, or when it is a city, the place officially called so outranks those known
                # by it as an alternate name (Tashkent region before Tashkent city, whose other name it is; Islamabad
                # before Chattogram, once called so), unless they outweigh it
                own = name is not None and _own_name(best, name) \
                    and (in_context or best.pop >= UNIQUE_MIN_POP)
                return best if all(weight[best.id] >= (1 if own and not _own_name(p, name or "")
                                                       else ratio) * max(weight[p.id], 1) for p in rivals) else None
        return None


def _written(name: str) -> str:
    """A province's name as the text writes it, cue word dropped: 'Lower Juba region' -> 'Lower Juba'."""
    name = _split_cue(name.strip())[1]
    name = re.sub(r"^(?:the|The)\s+", "", name)
    return name[:1].upper() + name[1:] if name.islower() else name


def _own_name(place: _Place, name: str) -> bool:
    """Whether `name` is the place's own name (spacing and a trailing 'City' aside), not an alternate one."""
    return name_key(place.name).replace(" ", "") == name_key(_without_city(name)).replace(" ", "")


def _without_city(name: str) -> str:
    """A town's name without the 'City' or 'Town' a text adds to it ('Batumi City' -> 'Batumi')."""
    head, _, tail = name.rpartition(" ")
    return head if tail in ("City", "Town") and head else name


def _generic(name: str) -> bool:
    """Whether a name is made of direction words and 'capital' only ('South Eastern', 'West', 'Capital'):
    provinces of many countries are called so."""
    words = name.lower().replace("-", " ").split()
    return bool(words) and all(w in cues().directions or w == "capital" for w in words)


def _acronym(name: str, longest: int = 3) -> bool:
    """Whether a name is a short code ('KP', 'DR', 'IS'; 'JeM', 'FAMa'): GeoNames' two-letter alternate names
    would match it."""
    return (len(name) <= longest and name.isupper()
            or len(name) <= 5 and name.isalpha() and sum(c.isupper() for c in name) >= 2 and not name.isupper())


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
