"""The actor lexicon: the data files ``sitrep/data/actors_*`` as typed entries, and the alias trie.

Five loaders read countries (with demonyms, other names and metonyms), named groups, office holders,
generic role-noun classes and sources. Every alias goes into one token trie; an alias given to two
different things is a data error (reported in `Lexicon.conflicts`, the first kept). The lexicon also
says which actor an entry stands for (`actor_of`, `class_actor`, `named_actor`) and builds the spaCy
entity ruler's patterns from its entries.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, ClassVar, Literal

from sitrep.model import Actor

# ----------------------------------------------------------------------------- data files


def data_text(name: str) -> str:
    """The text of a file in sitrep/data."""
    return resources.files("sitrep").joinpath("data", name).read_text(encoding="utf-8")


def _data_toml(name: str) -> dict[str, Any]:
    return tomllib.loads(data_text(name))


@lru_cache(maxsize=1)
def _grammar() -> dict[str, Any]:
    return _data_toml("actors_grammar.toml")


def grammar(owner: str) -> dict[str, Any]:
    """The word lists of actors_grammar.toml that one module of the package owns ("lexicon", "compose")."""
    return _grammar()[owner]


_WORDS = grammar("lexicon")
PARTICLES = frozenset(_WORDS["particles"])
_OFFICIAL_METONYMS = frozenset(_WORDS["official_metonyms"])
_BODIES_WITH_DEMONYM = tuple(_WORDS["bodies_with_demonym"])

# ----------------------------------------------------------------------------- text keys

# Words (letters/digits), dotted abbreviations ("U.S."), possessive "'s" and a bare apostrophe
# after a plural ("Workers’"). One pass, no backtracking beyond a token.
TOKEN_RE = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_]+|(?<=\w)['’]s\b|(?<=s)['’](?!\w)")
_YEARS_RE = re.compile(r"\(\s*\d{4}\s*[-–]\s*(?:\d{4})?\s*\)")
_PREFIX_RE = re.compile(r"^([^\s:]{1,25}|CPI \(Maoist\)):\s+(?=\S)")


def fold(s: str) -> str:
    """Lower case without accents, curly quotes made straight."""
    s = s.replace("’", "'").replace("‘", "'").replace("ı", "i")
    s = unicodedata.normalize("NFKD", s.casefold())
    return "".join(c for c in s if not unicodedata.combining(c))


def key(surface: str) -> str:
    """The trie key of a token: folded, and "U.S." written "us"."""
    k = fold(surface)
    if k.endswith(".") and "." in k[:-1]:
        k = k.replace(".", "")
    return k


def signature(surface: str) -> str:
    """How a data token must be written in a text: 'A' exactly, 'C' capitalised, '*' any case."""
    letters = [c for c in surface if c.isalpha()]
    if not letters:
        return "*"
    upper = sum(1 for c in letters if c.isupper())
    if "." in surface and upper:
        return "A"
    if upper == len(letters) and (len(letters) >= 2 or any(c.isdigit() for c in surface) or len(surface) == 1):
        return "A"
    if upper >= 2:  # FAMa, LeT, JeM, PDFs: mixed-case acronyms
        return "A"
    if surface[0].isupper() and fold(surface) not in PARTICLES:
        return "C"
    return "*"


def normalise(name: str) -> str:
    """A form for comparing actor names: no year brackets, no "ABC:" prefix, no case or accents.

    "Military Forces of Israel (2022-)" == "military forces of israel";
    "PKK: Kurdistan Workers Party" == "Kurdistan Workers' Party".
    """
    if not name:
        return ""
    s = _YEARS_RE.sub(" ", name)
    s = _PREFIX_RE.sub("", s.strip())
    s = fold(s)
    s = re.sub(r"['`]", "", s)
    s = re.sub(r"[^\w]+", " ", s).strip()
    s = re.sub(r"^the ", "", s)
    return re.sub(r"\s+", " ", s)


def strip_years(name: str) -> str:
    """An ACLED actor name without its year brackets ("Military Forces of Israel (2022-)")."""
    return re.sub(r"\s{2,}", " ", _YEARS_RE.sub(" ", name)).strip()


# ----------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Country:
    """A country as ACLED names it (actors_countries.tsv)."""

    name: str
    iso2: str
    the: bool  # ACLED writes "Military Forces of the United States"


@dataclass(frozen=True)
class ActorClass:
    """A class of generic role nouns (actors_generic.toml [class.X]) and the actor it names."""

    cls: str
    name: str  # "Military Forces of {the}{country}"
    no_country: str  # the name when no country is known
    type: str
    role: str
    not_before: frozenset[str]  # folded words after which a noun of the class is a modifier ("refugee camp")


@dataclass(frozen=True)
class EthnicRule:
    """How an ethnic, clan or community name before a militia noun names an identity militia."""

    name: str  # "{group} Ethnic Militia ({country})"
    type: str
    nouns: frozenset[str]  # folded militia nouns after an ethnic group ("Fulani militiamen")
    named: dict[str, str]  # folded noun -> name, for any capitalised name before it ("Zaiter clan militia")


@dataclass(frozen=True)
class ProxyRule:
    """How "pro-X fighters" and "X-backed militias" name a militia backed by X, not X's forces."""

    name: str  # "Pro-{state} Militia ({country})"
    no_country: str
    type: str
    prefixes: frozenset[str]
    suffixes: frozenset[str]
    nouns: frozenset[str]  # folded


@dataclass(frozen=True)
class Era:
    """An actor's ACLED name and type before a date."""

    until: dt.date
    name: str | None  # None: the actor's own name
    type: str | None


PlaceKind = Literal["country", "demonym", "metonym"]


@dataclass(frozen=True)
class CountryName:
    """A trie entry: a country's name, demonym or metonym (capital, seat of government)."""

    kind: PlaceKind
    country: str
    role: str  # "country", or "official" for a seat of government ("the Kremlin said")
    origin: str  # file and row, for error messages

    @property
    def ident(self) -> tuple[str, str, str]:
        """What the entry stands for: two entries with one ident are not a conflict."""
        return ("place", self.country, "")


@dataclass(frozen=True)
class Group:
    """A trie entry: a named group, force or organisation (actors_groups.toml [[actor]])."""

    name: str
    type: str | None
    country: str | None
    role: str
    by_country: Mapping[str, str]  # article country -> the actor these words mean there
    eras: tuple[Era, ...]  # sorted by date
    origin: str
    kind: ClassVar[str] = "actor"

    @property
    def ident(self) -> tuple[str, str, str]:
        """What the entry stands for: two entries with one ident are not a conflict."""
        return (self.kind, self.name, self.country or "")


@dataclass(frozen=True)
class Dispatch:
    """A trie entry: words that mean a different actor in each country (actors_groups.toml [[alias]])."""

    name: str  # the first of the words
    default: str | None
    by_country: Mapping[str, str]
    origin: str
    kind: ClassVar[str] = "dispatch"

    @property
    def ident(self) -> tuple[str, str, str]:
        """What the entry stands for: two entries with one ident are not a conflict."""
        return (self.kind, self.name, "")


@dataclass(frozen=True)
class Source:
    """A trie entry: a monitor, agency or outlet that reports (actors_sources.toml); no ACLED type."""

    name: str
    country: str | None  # set for state media
    origin: str
    kind: ClassVar[str] = "source"
    role: ClassVar[str] = "source"
    type: ClassVar[None] = None

    @property
    def ident(self) -> tuple[str, str, str]:
        """What the entry stands for: two entries with one ident are not a conflict."""
        return (self.kind, self.name, self.country or "")


@dataclass(frozen=True)
class Leader:
    """A trie entry: a person in office, speaking for a country's government or leading a named actor."""

    country: str | None
    actor: str | None
    origin: str
    kind: ClassVar[str] = "leader"
    role: ClassVar[str] = "official"

    @property
    def name(self) -> str:
        """The actor led, else the country."""
        return self.actor or self.country or ""

    @property
    def ident(self) -> tuple[str, str, str]:
        """What the entry stands for: two entries with one ident are not a conflict."""
        return (self.kind, self.name, self.actor or self.country or "")


@dataclass(frozen=True)
class RoleNoun:
    """A trie entry: a generic role noun of an actor class ("soldiers", "gunmen", "spokesman")."""

    cls: str
    name: str  # the noun as listed
    role: str
    origin: str
    needs_country: bool = False  # an actor only after a demonym or country ("Turkish forces")
    needs_demonym: bool = False  # an act ("strikes"): an actor only after a demonym or possessive
    title: bool = False  # an office title: a person's name may follow
    kind: ClassVar[str] = "noun"

    @property
    def ident(self) -> tuple[str, str, str]:
        """What the entry stands for: two entries with one ident are not a conflict."""
        return (self.kind, self.cls, "")


@dataclass(frozen=True)
class EthnicGroup:
    """A trie entry: an ethnic, clan or regional name that makes a militia an identity militia."""

    name: str
    origin: str
    kind: ClassVar[str] = "ethnic"

    @property
    def ident(self) -> tuple[str, str, str]:
        """What the entry stands for: two entries with one ident are not a conflict."""
        return (self.kind, self.name, "")


Entry = CountryName | Group | Dispatch | Source | Leader | RoleNoun | EthnicGroup


@dataclass
class TrieNode:
    """One token of the alias trie: the tokens that may follow, and the aliases that end here."""

    children: dict[str, TrieNode] = field(default_factory=dict)
    # (signature, entry, alias as written) of each alias that ends here
    terminals: list[tuple[tuple[str, ...], Entry, str]] = field(default_factory=list)


# ----------------------------------------------------------------------------- the lexicon

_STATE_TYPES = ("State forces",)


class Lexicon:
    """Every actor entry from the data files and the alias trie. Use `Lexicon.load()` (cached)."""

    def __init__(self) -> None:
        self.root = TrieNode()
        self.maxlen = 1  # tokens in the longest alias
        self.countries: dict[str, Country] = {}
        self.actors: dict[str, Group] = {}  # canonical actor name -> entry
        self.sources: dict[str, Source] = {}
        self.classes: dict[str, ActorClass] = {}
        self.entries: list[tuple[str, Entry]] = []  # (alias as written, entry): every data entry
        self.conflicts: list[str] = []  # aliases given to two different things
        self.country_by_key: dict[str, str] = {}  # folded name, demonym or metonym -> country
        self.canon: dict[str, str] = {}  # normalise(alias or name) -> canonical actor name
        self.owner_suffixes: frozenset[str] = frozenset()
        self.ethnic = EthnicRule("", "", frozenset(), {})
        self.proxy = ProxyRule("", "", "", frozenset(), frozenset(), frozenset())
        self._registered: dict[tuple[str, ...], Entry] = {}

    @classmethod
    def load(cls) -> Lexicon:
        """The lexicon from the data files, built once per process."""
        return _load_lexicon()

    def _add(self, alias: str, entry: Entry) -> None:
        """Put an alias of an entry into the trie (and its form without apostrophes)."""
        alias = alias.strip()
        if not alias:
            return
        toks = [m.group() for m in TOKEN_RE.finditer(alias)]
        if not toks:
            return
        keys = tuple(key(t) for t in toks)
        sig = tuple(("A" + t if signature(t) == "A" else signature(t)) for t in toks)
        # an alias registered twice for different things is a data error (reported, first kept)
        prev = self._registered.get(keys)
        if prev is not None and prev.ident != entry.ident:
            self.conflicts.append(f"{alias!r}: {prev.origin} vs {entry.origin}")
            return
        self._registered[keys] = entry
        node = self.root
        for k in keys:
            node = node.children.setdefault(k, TrieNode())
        if any(t_sig == sig for t_sig, _e, _a in node.terminals):
            return
        self.entries.append((alias, entry))
        node.terminals.append((sig, entry, alias))
        self.maxlen = max(self.maxlen, len(keys))
        # "People's" also written "Peoples", "Workers’" also "Workers"
        if any(k in ("'s", "'") for k in keys):
            glued: list[str] = []
            for t in toks:
                if key(t) == "'s" and glued:
                    glued[-1] = glued[-1] + "s"
                elif key(t) == "'":
                    continue
                else:
                    glued.append(t)
            self._add(" ".join(glued), entry)

    def _load(self) -> None:
        self._load_countries()
        self._load_groups()
        self._load_officials()
        self._load_generic()
        self._load_sources()

    def _load_countries(self) -> None:
        for row in _country_rows():
            name = row["country"].strip()
            self.countries[name] = Country(name, row["iso2"].strip(), row["the"].strip() == "1")
            origin = f"actors_countries.tsv:{name}"

            def split(col: str) -> list[str]:
                return [x.strip() for x in (row.get(col) or "").split(",") if x.strip()]

            names: list[tuple[str, PlaceKind]] = [(name, "country")]
            names += [(a, "country") for a in split("names")] + [(a, "demonym") for a in split("demonyms")]
            names += [(a, "metonym") for a in split("metonyms")]
            for alias, kind in names:
                role = "official" if kind == "metonym" and alias in _OFFICIAL_METONYMS else "country"
                self._add(alias, CountryName(kind, name, role, origin))
                self.country_by_key[fold(alias)] = name

    def _load_groups(self) -> None:
        data = _data_toml("actors_groups.toml")
        for block in data.get("actor", []):
            name = block["name"]
            typ = block.get("type")
            entry = Group(
                name=name,
                type=typ,
                country=block.get("country"),
                role=block.get("role") or ("state" if typ in _STATE_TYPES else "armed"),
                by_country=dict(block.get("by_country", {})),
                eras=_eras(block.get("eras", [])),
                origin=f"actors_groups.toml:{name}",
            )
            if name in self.actors:
                self.conflicts.append(f"actor {name!r} defined twice")
            self.actors[name] = entry
            self.canon[normalise(name)] = name
            for alias in block.get("aliases", []):
                self._add(alias, entry)
                self.canon.setdefault(normalise(alias), name)
        for block in data.get("alias", []):
            words = block["words"]
            dispatch = Dispatch(words[0], block.get("default"), dict(block.get("by_country", {})),
                                f"actors_groups.toml:[[alias]] {words[0]}")
            for alias in words:
                self._add(alias, dispatch)

    def _load_officials(self) -> None:
        data = _data_toml("actors_officials.toml")
        for block in data.get("leader", []):
            leader = Leader(block.get("country"), block.get("actor"),
                            f"actors_officials.toml:{block.get('actor') or block.get('country')}")
            for alias in block.get("aliases", []):
                self._add(alias, leader)
        office = data.get("office", {})
        needs = set(office.get("needs_country", []))
        for word in office.get("titles", []):
            self._add(word, RoleNoun("official", word, "official", "actors_officials.toml:titles",
                                     needs_country=word in needs, title=True))
        for word in office.get("bodies", []):
            self._add(word, RoleNoun("official", word, "official", "actors_officials.toml:bodies",
                                     needs_country=word in needs))

    def _load_generic(self) -> None:
        data = _data_toml("actors_generic.toml")
        for cls, spec in data.get("class", {}).items():
            self.classes[cls] = ActorClass(cls, spec["name"], spec["no_country"], spec["type"], spec["role"],
                                           frozenset(fold(w) for w in spec.get("not_before", [])))
            origin = f"actors_generic.toml:{cls}"
            for word in spec.get("words", []):
                self._add(word, RoleNoun(cls, word, spec["role"], origin))
            for word in spec.get("needs_country", []):
                self._add(word, RoleNoun(cls, word, spec["role"], origin, needs_country=True))
            for word in spec.get("needs_demonym", []):
                self._add(word, RoleNoun(cls, word, spec["role"], origin, needs_country=True,
                                         needs_demonym=True))
            if spec.get("owner_suffixes"):
                self.owner_suffixes = frozenset(fold(w) for w in spec["owner_suffixes"])
        ethnic = data.get("ethnic", {})
        for group in ethnic.get("groups", []):
            self._add(group, EthnicGroup(group, "actors_generic.toml:ethnic"))
        self.ethnic = EthnicRule(ethnic.get("name", ""), ethnic.get("type", ""),
                                 frozenset(fold(n) for n in ethnic.get("nouns", [])),
                                 {fold(k): v for k, v in ethnic.get("named", {}).items()})
        proxy = data.get("proxy", {})
        self.proxy = ProxyRule(proxy.get("name", ""), proxy.get("no_country", ""), proxy.get("type", ""),
                               frozenset(proxy.get("prefixes", [])), frozenset(proxy.get("suffixes", [])),
                               frozenset(fold(n) for n in proxy.get("nouns", [])))

    def _load_sources(self) -> None:
        data = _data_toml("actors_sources.toml")
        for block in data.get("source", []):
            name = block["name"]
            source = Source(name, block.get("country"), f"actors_sources.toml:{name}")
            self.sources[name] = source
            for alias in block.get("aliases", []):
                self._add(alias, source)

    # ------------------------------------------------------------------ what entries stand for

    def class_actor(self, cls: str, country: str | None) -> Actor:
        """The actor a generic noun class stands for in a country ("military", "Syria")."""
        spec = self.classes[cls]
        if country:
            info = self.countries.get(country)
            name = spec.name.format(the="the " if info is not None and info.the else "", country=country)
        else:
            name = spec.no_country
        return Actor(name, spec.type, country)

    def noun_actor(self, noun: RoleNoun, country: str | None) -> tuple[Actor, str]:
        """The actor and role a role noun stands for in a country."""
        return self.class_actor(noun.cls, country), self.classes[noun.cls].role

    def government(self, country: str) -> Actor:
        """ "Government of X": a state's civilian authorities."""
        return self.class_actor("official", country)

    def civilians(self, country: str | None) -> Actor:
        """ "Civilians (X)"."""
        return self.class_actor("civilians", country)

    def named_actor(self, name: str, date: dt.date | None) -> Actor:
        """A named actor as ACLED named it at a date (its current name when no date is given)."""
        entry = self.actors.get(name)
        if entry is None:  # a by_country target missing from the data: keep the name
            return Actor(name, None, None)
        a_name, a_type = entry.name, entry.type
        if date is not None:
            for era in entry.eras:
                if date < era.until:
                    a_name = era.name if era.name is not None else a_name
                    a_type = era.type if era.type is not None else a_type
                    break
        return Actor(a_name, a_type, entry.country)

    def actor_of(self, entry: Entry, country: str | None, date: dt.date | None) -> tuple[Actor, str] | None:
        """The actor and role of a named entry (group, dispatch, source, leader) in a country, at a date."""
        if isinstance(entry, Group):
            target = entry.by_country.get(country or "", entry.name)
            role = self.actors[target].role if target in self.actors else entry.role
            return self.named_actor(target, date), role
        if isinstance(entry, Dispatch):
            dispatched = entry.by_country.get(country or "") or entry.default
            if not dispatched:
                return None
            role = self.actors[dispatched].role if dispatched in self.actors else "armed"
            return self.named_actor(dispatched, date), role
        if isinstance(entry, Source):
            return Actor(entry.name, None, entry.country), "source"
        if isinstance(entry, Leader):
            if entry.actor:
                return self.named_actor(entry.actor, date), "official"
            return self.government(entry.country or ""), "official"
        return None

    def plural_demonym(self, word: str, country: str) -> bool:
        """Whether a word is the plural of one of a country's one-word demonyms ("Afghans")."""
        k = fold(word)
        if not k.endswith("s") or len(k) < 4:
            return False
        for stem in (k[:-1], k[:-2]):
            entry = self._registered.get((stem,))
            if self.country_by_key.get(stem) == country and entry is not None and entry.kind == "demonym":
                return True
        return False


def _eras(raw: list[dict[str, Any]]) -> tuple[Era, ...]:
    eras = []
    for era in sorted(raw, key=lambda e: str(e["until"])):
        until = era["until"]
        until = until if isinstance(until, dt.date) else dt.date.fromisoformat(str(until))
        eras.append(Era(until, era.get("name"), era.get("type")))
    return tuple(eras)


@lru_cache(maxsize=1)
def _country_rows() -> tuple[dict[str, str], ...]:
    """The rows of actors_countries.tsv."""
    lines = [ln for ln in data_text("actors_countries.tsv").splitlines() if ln.strip() and not ln.startswith("#")]
    return tuple(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


@lru_cache(maxsize=1)
def acled_country_names() -> dict[str, str]:
    """ISO 3166-1 alpha-2 -> the country's name as ACLED writes it ('PS' -> 'Palestine'), without loading the
    whole lexicon."""
    return {row["iso2"].strip().upper(): row["country"].strip() for row in _country_rows()}


@lru_cache(maxsize=1)
def country_aliases() -> dict[str, str]:
    """Other names of countries ('Korea', 'DRC', 'Ivory Coast') -> ISO 3166-1 alpha-2, from actors_countries.tsv."""
    return {alias.strip(): row["iso2"].strip().upper() for row in _country_rows()
            for alias in (row["names"] or "").split(",") if alias.strip()}


@lru_cache(maxsize=1)
def _load_lexicon() -> Lexicon:
    lexicon = Lexicon()
    lexicon._load()
    return lexicon


# ----------------------------------------------------------------------------- spaCy patterns

_LABELS = {"actor": "ORG", "dispatch": "ORG", "source": "ORG", "leader": "PERSON", "country": "GPE",
           "metonym": "GPE", "demonym": "NORP"}


def _pattern_id(e: Entry) -> str:
    if isinstance(e, CountryName):
        return e.country
    if isinstance(e, Leader):
        return e.actor or f"Government of {e.country}"
    if isinstance(e, Dispatch):
        return e.default or e.name
    return e.name


def _variants(alias: str) -> set[str]:
    out = {alias, alias.replace("'", "’")}
    if re.search(r"\w-\w", alias):
        out.add(re.sub(r"(?<=\w)-(?=\w)", " ", alias))
    m = re.match(r"^(al|Al|el|El) (\w)", alias)
    if m:
        out.add(f"{m.group(1)}-{alias[len(m.group(1)) + 1:]}")
    return out


class _Patterns:
    """EntityRuler patterns in the order added, each (label, tokens) once."""

    def __init__(self) -> None:
        import spacy  # imported here: matching and composing do not need spaCy

        self.tokenizer = spacy.blank("en").tokenizer
        self.seen: set[tuple[str, str]] = set()
        self.patterns: list[dict[str, Any]] = []

    def add(self, label: str, alias: str, pid: str) -> None:
        """Patterns for an alias and its spelling variants, unless already there."""
        for v in _variants(alias):
            doc = self.tokenizer(v)
            if not len(doc):
                continue
            if len(doc) == 1:
                for f in {doc[0].text, doc[0].text.upper()}:
                    if (label, "T:" + f) not in self.seen:
                        self.seen.add((label, "T:" + f))
                        self.patterns.append({"label": label, "pattern": [{"TEXT": f}], "id": pid})
                continue
            toks = [{"TEXT": t.text} if signature(t.text) == "A" else {"LOWER": t.text.lower()} for t in doc]
            if (label, repr(toks)) not in self.seen:
                self.seen.add((label, repr(toks)))
                self.patterns.append({"label": label, "pattern": toks, "id": pid})


def ruler_patterns(lexicon: Lexicon) -> list[dict[str, Any]]:
    """spaCy EntityRuler patterns for the lexicon's names (ORG, NORP, GPE, PERSON), with ids."""
    out = _Patterns()
    for alias, e in lexicon.entries:
        label = _LABELS.get(e.kind)
        if label is None:
            continue
        if e.kind in ("actor", "dispatch") and alias == alias.lower():
            continue  # generic-looking aliases ("settlers", "peacekeepers") are not names
        out.add(label, alias, _pattern_id(e))
    for name in lexicon.actors:
        out.add("ORG", _PREFIX_RE.sub("", name), name)
    for alias, e in lexicon.entries:
        if isinstance(e, CountryName) and e.kind == "demonym":
            for body in _BODIES_WITH_DEMONYM:
                pid = (f"Government of {e.country}" if "Ministry" in body else
                       f"{'Police' if body == 'police' else 'Military'} Forces of {e.country}")
                out.add("ORG", f"{alias} {body}", pid)
    return out.patterns
