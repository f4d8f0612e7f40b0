"""Who is who: actor names, aliases and ACLED actor types from reviewable data files.

The lexicon lives in ``sitrep/data/actors_*`` (countries with demonyms, named groups, office
holders, generic role nouns, monitors and agencies). `ActorBook.load()` compiles every alias into
one token trie; `ActorBook.find` tokenises a text once with one regular expression, walks the trie
from each token (bounded by the longest alias, so matching is linear in the text), keeps the
leftmost-longest match at each point, and then composes neighbouring matches:

* demonym / country / leader + role noun  -> that country's actor ("Iraqi soldiers",
  "Turkish and Russian forces", "Turkish Defense Minister Hulusi Akar"); before an act noun
  ("Israeli strikes", "Russia's invasion") the mention is the demonym alone, the act being an
  event trigger;
* "pro-X" / "X-backed" + fighters         -> a militia backed by X, never X's state forces;
* named group + role noun                 -> the group ("Al Shabaab militants", "Houthi forces");
* ethnic or clan name + militia           -> an identity militia ("Fulani militiamen");
* role noun alone                         -> the article's country ("soldiers" in a Somalia story).

Actor names follow ACLED's forms without the year brackets ("Military Forces of Israel",
"Civilians (Syria)", "Unidentified Armed Group (Yemen)", "Al Shabaab"). Following ACLED's codebook,
state forces acting outside their own country are typed "External/Other forces" when the article's
country is known.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from sitrep import acled
from sitrep.model import ACTOR_TYPES, Actor

__all__ = ["ActorMention", "ActorBook", "acled_name", "normalise", "ROLES"]

ROLES = ("armed", "state", "civilian", "protest", "official", "source", "country")


@dataclass(frozen=True)
class ActorMention:
    """One actor mention: the words as written, their offsets, the normalised actor and its role."""

    text: str
    start: int
    end: int
    actor: Actor
    role: str  # "armed" | "state" | "civilian" | "protest" | "official" | "source" | "country"


# ----------------------------------------------------------------------------- text helpers

# Words (letters/digits), dotted abbreviations ("U.S."), possessive "'s" and a bare apostrophe
# after a plural ("Workers’"). One pass, no backtracking beyond a token.
_TOKEN_RE = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_]+|(?<=\w)['’]s\b|(?<=s)['’](?!\w)")
# characters allowed between two tokens of one name: spaces, hyphens, slashes, apostrophes
_GAP_OK = frozenset(" \t\u00a0-‐‑–/'’&")
_PARTICLES = frozenset(
    "al el ad ar as ash at an az ul bin ibn abu bint the of and for de du des la le da di wal wa fi lid is e i y "
    "van von der et en in on to".split()
)
_YEARS_RE = re.compile(r"\(\s*\d{4}\s*[-–]\s*(?:\d{4})?\s*\)")
_PREFIX_RE = re.compile(r"^([^\s:]{1,25}|CPI \(Maoist\)):\s+(?=\S)")


def _fold(s: str) -> str:
    """Lower case without accents, curly quotes made straight."""
    s = s.replace("’", "'").replace("‘", "'").replace("ı", "i")
    s = unicodedata.normalize("NFKD", s.casefold())
    return "".join(c for c in s if not unicodedata.combining(c))


def _key(surface: str) -> str:
    k = _fold(surface)
    if k.endswith(".") and "." in k[:-1]:  # U.S. -> us
        k = k.replace(".", "")
    return k


def _sig(surface: str) -> str:
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
    if surface[0].isupper() and _fold(surface) not in _PARTICLES:
        return "C"
    return "*"


def _straight(s: str) -> str:
    return s.replace("’", "'").replace("‘", "'")


def _sig_ok(sig: str, surface: str) -> bool:
    if sig == "*":
        return True
    if sig == "C":
        return surface[:1].isupper() or surface[:1].isdigit()
    return _straight(surface) == _straight(sig[1:]) if len(sig) > 1 else True


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    text: str
    key: str


def _tokens(text: str) -> list[_Tok]:
    return [_Tok(m.start(), m.end(), m.group(), _key(m.group())) for m in _TOKEN_RE.finditer(text)]


def _gap_ok(text: str, a: _Tok, b: _Tok) -> bool:
    gap = text[a.end : b.start]
    return len(gap) <= 3 and all(c in _GAP_OK for c in gap)


def normalise(name: str) -> str:
    """A form for comparing actor names: no year brackets, no "ABC:" prefix, no case or accents.

    "Military Forces of Israel (2022-)" == "military forces of israel";
    "PKK: Kurdistan Workers Party" == "Kurdistan Workers' Party".
    """
    if not name:
        return ""
    s = _YEARS_RE.sub(" ", name)
    s = _PREFIX_RE.sub("", s.strip())
    s = _fold(s)
    s = re.sub(r"['`]", "", s)
    s = re.sub(r"[^\w]+", " ", s).strip()
    s = re.sub(r"^the ", "", s)
    return re.sub(r"\s+", " ", s)


def _strip_years(name: str) -> str:
    return re.sub(r"\s{2,}", " ", _YEARS_RE.sub(" ", name)).strip()


# ----------------------------------------------------------------------------- lexicon entries


@dataclass
class _Entry:
    """What an alias stands for."""

    kind: str  # actor | dispatch | source | country | demonym | metonym | leader | noun | ethnic
    name: str = ""  # actor name / country name / class name / ethnic group
    type: str | None = None
    country: str | None = None
    role: str = "armed"
    by_country: dict[str, str] = field(default_factory=dict)
    eras: list[dict[str, Any]] = field(default_factory=list)
    default: str | None = None  # dispatch blocks
    cls: str = ""  # noun class
    needs_country: bool = False
    title: bool = False  # office titles: a person's name may follow
    needs_demonym: bool = False  # acts ("strikes"): only after a demonym or possessive
    leader_actor: str | None = None
    origin: str = ""  # file and block, for error messages

    def ident(self) -> tuple[str, str, str]:
        if self.kind in ("country", "demonym", "metonym"):
            return ("place", self.country or "", "")
        if self.kind == "noun":
            return ("noun", self.cls, "")
        return (self.kind, self.name, self.cls or self.leader_actor or self.country or "")


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    terminals: list[tuple[tuple[str, ...], _Entry, str]] = field(default_factory=list)


class _Out(list):  # type: ignore[type-arg]
    """Mentions found so far, with the last explicit state force of each class."""

    def __init__(self) -> None:
        super().__init__()
        self.explicit: dict[str, tuple[str, int]] = {}


@dataclass
class _Atom:
    i: int  # first token
    j: int  # one past the last token
    entry: _Entry


_OFFICIAL_METONYMS = frozenset(
    ["Kremlin", "Pentagon", "White House", "Downing Street", "Whitehall", "Elysee", "Élysée", "Villa Somalia"]
)
_LOCATIVE = frozenset("in near at outside around inside into across of from within".split())
_CONNECTORS = frozenset(["and", "or", "&"])
_ABSORB = frozenset(
    "movement group members member fighters fighter militants militant forces force rebels rebel militia militias "
    "militiamen militiaman elements units unit brigade brigades cells insurgents insurgent gunmen troops soldiers "
    "operatives loyalists combatants affiliates armed men positions position".split()
)
_ABSORB_CLASSES = frozenset(["armed", "rebels", "islamist", "military", "police", "communal", "official"])
_NAME_STOP = frozenset(
    "the a an this that these those local armed unidentified unknown rival two three several some many other another "
    "suspected alleged presumed pro anti government islamist ethnic tribal clan communal christian muslim shia shiite "
    "sunni village district state regional federal national militia militias and or but while when after before "
    "on in at by with from as".split()
)
_RANKS = frozenset("brig gen col lt maj capt cpt sgt adm cmdr cdr dr mr mrs ms rev sen rep gov maj-gen lt-gen".split())
_MODIFIERS = frozenset("unidentified unknown suspected presumed alleged".split())

_STATE_TYPES = ("State forces",)
_CODED_REACH = 40  # how far before an ACLED "(coded as X)" bracket the coded phrase may end
_PROTEST_PARTICIPLES = {"protesting": "protesters", "demonstrating": "protesters", "striking": "protesters",
                        "marching": "protesters", "rallying": "protesters", "rioting": "rioters"}
_BRACKET_GAP_RE = re.compile(r" ?\(")
_BRACKET_CLOSE_RE = re.compile(r"\) ?")
_CLAUSE_BREAK_RE = re.compile(r"[.;:!?]\s|\b(?:and|but|while|whereas)\b")
# a demonym used as a noun for people ("killed a Palestinian", "two Afghans were injured"):
# what may come before a singular one, and the words after it that show no noun follows
_PERSON_BEFORE = frozenset(
    "a an one two three four five six seven eight nine ten several many dozens scores hundreds some".split()
)
_PERSON_AFTER = frozenset(
    "was were is are had has have who whom whose in near at on and or from with after during by while as to for "
    "inside outside into when while allegedly reportedly".split()
)


def _data_text(name: str) -> str:
    return resources.files("sitrep").joinpath("data", name).read_text(encoding="utf-8")


def _data_toml(name: str) -> dict[str, Any]:
    return tomllib.loads(_data_text(name))


class ActorBook:
    """The compiled lexicon. Use `ActorBook.load()` (cached per process)."""

    def __init__(self) -> None:
        self._root = _Node()
        self._maxlen = 1
        self.countries: dict[str, dict[str, Any]] = {}  # ACLED name -> {iso2, the, ...}
        self.actors: dict[str, _Entry] = {}  # canonical actor name -> entry
        self.sources: dict[str, _Entry] = {}
        self.classes: dict[str, dict[str, Any]] = {}
        self.entries: list[tuple[str, _Entry]] = []  # (alias as written, entry): every data entry
        self.conflicts: list[str] = []  # aliases given to two different actors
        self._registered: dict[tuple[str, ...], _Entry] = {}
        self._ethnic: dict[str, Any] = {}
        self._proxy: dict[str, Any] = {}
        self._not_before: dict[str, frozenset[str]] = {}
        self._owner_suffixes: frozenset[str] = frozenset()
        self._country_by_key: dict[str, str] = {}
        self._canon: dict[str, str] = {}  # normalise(alias or name) -> canonical actor name
        self._patterns: list[dict[str, Any]] | None = None

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls) -> ActorBook:
        """The lexicon from the data files, compiled once per process."""
        return _load_book()

    def _add(self, alias: str, entry: _Entry) -> None:
        alias = alias.strip()
        if not alias:
            return
        toks = [m.group() for m in _TOKEN_RE.finditer(alias)]
        if not toks:
            return
        keys = tuple(_key(t) for t in toks)
        sig = tuple(("A" + t if _sig(t) == "A" else _sig(t)) for t in toks)
        # an alias registered twice for different things is a data error (reported, first kept)
        prev = self._registered.get(keys)
        if prev is not None and prev.ident() != entry.ident():
            self.conflicts.append(f"{alias!r}: {prev.origin} vs {entry.origin}")
            return
        self._registered[keys] = entry
        node = self._root
        for k in keys:
            node = node.children.setdefault(k, _Node())
        if any(t_sig == sig for t_sig, _e, _a in node.terminals):
            return
        self.entries.append((alias, entry))
        node.terminals.append((sig, entry, alias))
        self._maxlen = max(self._maxlen, len(keys))
        # "People's" also written "Peoples", "Workers’" also "Workers"
        if any(k in ("'s", "'") for k in keys):
            glued: list[str] = []
            for t in toks:
                if _key(t) == "'s" and glued:
                    glued[-1] = glued[-1] + "s"
                elif _key(t) == "'":
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
        lines = [ln for ln in _data_text("actors_countries.tsv").splitlines() if ln.strip() and not ln.startswith("#")]
        reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in reader:
            name = row["country"].strip()
            info = {"iso2": row["iso2"].strip(), "the": row["the"].strip() == "1"}
            self.countries[name] = info
            origin = f"actors_countries.tsv:{name}"

            def split(col: str) -> list[str]:
                return [x.strip() for x in (row.get(col) or "").split(",") if x.strip()]

            self._add(name, _Entry("country", name=name, country=name, role="country", origin=origin))
            self._country_by_key[_fold(name)] = name
            for alias in split("names"):
                self._add(alias, _Entry("country", name=name, country=name, role="country", origin=origin))
                self._country_by_key[_fold(alias)] = name
            for alias in split("demonyms"):
                self._add(alias, _Entry("demonym", name=name, country=name, role="country", origin=origin))
                self._country_by_key[_fold(alias)] = name
            for alias in split("metonyms"):
                role = "official" if alias in _OFFICIAL_METONYMS else "country"
                self._add(alias, _Entry("metonym", name=name, country=name, role=role, origin=origin))
                self._country_by_key[_fold(alias)] = name

    def _load_groups(self) -> None:
        data = _data_toml("actors_groups.toml")
        for block in data.get("actor", []):
            name = block["name"]
            typ = block.get("type")
            role = block.get("role") or ("state" if typ in _STATE_TYPES else "armed")
            entry = _Entry(
                "actor",
                name=name,
                type=typ,
                country=block.get("country"),
                role=role,
                by_country=dict(block.get("by_country", {})),
                eras=list(block.get("eras", [])),
                origin=f"actors_groups.toml:{name}",
            )
            if name in self.actors:
                self.conflicts.append(f"actor {name!r} defined twice")
            self.actors[name] = entry
            self._canon[normalise(name)] = name
            for alias in block.get("aliases", []):
                self._add(alias, entry)
                self._canon.setdefault(normalise(alias), name)
        for block in data.get("alias", []):
            entry = _Entry(
                "dispatch",
                name="|".join(block["words"][:1]),
                default=block.get("default"),
                by_country=dict(block.get("by_country", {})),
                origin=f"actors_groups.toml:[[alias]] {block['words'][0]}",
            )
            for alias in block["words"]:
                self._add(alias, entry)

    def _load_officials(self) -> None:
        data = _data_toml("actors_officials.toml")
        for block in data.get("leader", []):
            entry = _Entry(
                "leader",
                name=block.get("actor") or block.get("country", ""),
                country=block.get("country"),
                leader_actor=block.get("actor"),
                role="official",
                origin=f"actors_officials.toml:{block.get('actor') or block.get('country')}",
            )
            for alias in block.get("aliases", []):
                self._add(alias, entry)
        office = data.get("office", {})
        needs = set(office.get("needs_country", []))
        for word in office.get("titles", []):
            self._add(word, _Entry("noun", cls="official", name=word, title=True, needs_country=word in needs,
                                   role="official", origin="actors_officials.toml:titles"))
        for word in office.get("bodies", []):
            self._add(word, _Entry("noun", cls="official", name=word, needs_country=word in needs,
                                   role="official", origin="actors_officials.toml:bodies"))

    def _load_generic(self) -> None:
        data = _data_toml("actors_generic.toml")
        for cls, spec in data.get("class", {}).items():
            self.classes[cls] = spec
            for word in spec.get("words", []):
                self._add(word, _Entry("noun", cls=cls, name=word, role=spec["role"],
                                       origin=f"actors_generic.toml:{cls}"))
            for word in spec.get("needs_country", []):
                self._add(word, _Entry("noun", cls=cls, name=word, role=spec["role"], needs_country=True,
                                       origin=f"actors_generic.toml:{cls}"))
            for word in spec.get("needs_demonym", []):
                self._add(word, _Entry("noun", cls=cls, name=word, role=spec["role"], needs_country=True,
                                       needs_demonym=True, origin=f"actors_generic.toml:{cls}"))
            self._not_before[cls] = frozenset(_fold(w) for w in spec.get("not_before", []))
            if spec.get("owner_suffixes"):
                self._owner_suffixes = frozenset(_fold(w) for w in spec["owner_suffixes"])
        self._ethnic = data.get("ethnic", {})
        for group in self._ethnic.get("groups", []):
            self._add(group, _Entry("ethnic", name=group, origin="actors_generic.toml:ethnic"))
        self._ethnic_nouns = frozenset(_fold(n) for n in self._ethnic.get("nouns", []))
        self._ethnic_named = {_fold(k): v for k, v in self._ethnic.get("named", {}).items()}
        self._proxy = data.get("proxy", {})
        self._proxy_prefixes = frozenset(self._proxy.get("prefixes", []))
        self._proxy_suffixes = frozenset(self._proxy.get("suffixes", []))
        self._proxy_nouns = frozenset(_fold(n) for n in self._proxy.get("nouns", []))

    def _load_sources(self) -> None:
        data = _data_toml("actors_sources.toml")
        for block in data.get("source", []):
            name = block["name"]
            entry = _Entry("source", name=name, type=None, country=block.get("country"), role="source",
                           origin=f"actors_sources.toml:{name}")
            self.sources[name] = entry
            for alias in block.get("aliases", []):
                self._add(alias, entry)

    # ------------------------------------------------------------------ actors

    def _country_form(self, country: str) -> tuple[str, str]:
        info = self.countries.get(country, {})
        return ("the " if info.get("the") else ""), country

    def class_actor(self, cls: str, country: str | None, group: str | None = None) -> Actor:
        """The actor a generic noun class stands for in a country ("military", "Syria")."""
        spec = self.classes[cls]
        if country:
            the, c = self._country_form(country)
            name = spec["name"].format(the=the, country=c)
        else:
            name = spec["no_country"]
        return Actor(name, spec["type"], country)

    def state_forces(self, country: str) -> Actor:
        """ "Military Forces of X" (State forces)."""
        return self.class_actor("military", country)

    def police_forces(self, country: str) -> Actor:
        return self.class_actor("police", country)

    def government(self, country: str) -> Actor:
        return self.class_actor("official", country)

    def civilians(self, country: str | None) -> Actor:
        return self.class_actor("civilians", country)

    def _named_actor(self, name: str, date: dt.date | None) -> Actor:
        entry = self.actors.get(name)
        if entry is None:  # a by_country target missing from the data: keep the name
            return Actor(name, None, None)
        a_name, a_type = entry.name, entry.type
        if date is not None:
            for era in sorted(entry.eras, key=lambda e: str(e["until"])):
                until = era["until"]
                until = until if isinstance(until, dt.date) else dt.date.fromisoformat(str(until))
                if date < until:
                    a_name, a_type = era.get("name", a_name), era.get("type", a_type)
                    break
        return Actor(a_name, a_type, entry.country)

    def _actor_of(self, entry: _Entry, country: str | None, date: dt.date | None) -> tuple[Actor, str] | None:
        """The actor and role for a named entry (actor, dispatch, source, leader)."""
        if entry.kind == "actor":
            target = entry.by_country.get(country or "", entry.name)
            actor = self._named_actor(target, date)
            role = self.actors[target].role if target in self.actors else entry.role
            return actor, role
        if entry.kind == "dispatch":
            target = entry.by_country.get(country or "") or entry.default
            if not target:
                return None
            actor = self._named_actor(target, date)
            role = self.actors[target].role if target in self.actors else "armed"
            return actor, role
        if entry.kind == "source":
            return Actor(entry.name, None, entry.country), "source"
        if entry.kind == "leader":
            if entry.leader_actor:
                return self._named_actor(entry.leader_actor, date), "official"
            return self.government(entry.country or ""), "official"
        return None

    # ------------------------------------------------------------------ matching

    def _atoms(self, text: str, toks: list[_Tok]) -> list[_Atom]:
        atoms: list[_Atom] = []
        n = len(toks)
        i = 0
        root = self._root
        while i < n:
            node = root.children.get(toks[i].key)
            best: tuple[int, _Entry] | None = None
            j = i
            while node is not None:
                for sig, entry, _alias in node.terminals:
                    if all(_sig_ok(s, toks[i + k].text) for k, s in enumerate(sig)):
                        if best is None or j + 1 > best[0]:
                            best = (j + 1, entry)
                        break
                j += 1
                if j >= n or j - i >= self._maxlen or not _gap_ok(text, toks[j - 1], toks[j]):
                    break
                node = node.children.get(toks[j].key)
            if best is not None:
                atoms.append(_Atom(i, best[0], best[1]))
                i = best[0]
            else:
                i += 1
        return atoms

    def find(
        self,
        text: str,
        country: str | None = None,
        date: dt.date | None = None,
        foreign_as_external: bool = True,
    ) -> list[ActorMention]:
        """All actor mentions in `text`, longest first, non-overlapping, in text order.

        `country` is the article's main country (ACLED name, or any alias/demonym): generic
        nouns ("soldiers", "civilians") take it, names that differ by country resolve with it
        ("Taliban" in Pakistan = TTP), and state forces of another state are typed
        "External/Other forces" (ACLED's rule) unless `foreign_as_external` is false.
        `date` (the event's) picks the name an actor had then (Taliban before August 2021).
        """
        if not text:
            return []
        if country and country not in self.countries:
            country = self.country_of(country) or country
        toks = _tokens(text)
        atoms = self._atoms(text, toks)
        out: list[ActorMention] = _Out()
        k = 0
        while k < len(atoms):
            k = self._compose(text, toks, atoms, k, country, date, out)
        out.sort(key=lambda m: m.start)
        if "(" in text or "[" in text:
            out = self._coded_as(text, out, country)
        if foreign_as_external and country:
            out = [self._externalise(m, country) for m in out]
        out.sort(key=lambda m: m.start)
        return out

    def _coded_as(self, text: str, out: list[ActorMention], country: str | None) -> list[ActorMention]:
        """ACLED's notes name the coded actor of a vague phrase in brackets: "military targets
        (coded as National Resistance forces)", "an Israeli plane [coded as military]", "armed men
        (assumed Darfur communal militia)". The mention
        just before the bracket takes the coded actor (a bare class noun keeps the outer mention's
        country); the bracketed mention itself is dropped."""
        result = list(out)
        for cue in acled.conventions().coded_actor.finditer(text):
            inner = [m for m in result if m.start >= cue.start(1) and m.end <= cue.end(1)]
            if not inner:
                continue
            coded = inner[0]
            prev = [m for m in result if m.end <= cue.start() and cue.start() - m.end <= _CODED_REACH
                    and not _CLAUSE_BREAK_RE.search(text[m.end : cue.start()])]
            if not prev:
                continue
            target = prev[-1]
            actor, role = coded.actor, coded.role
            noun = self._bare_noun(coded.text)
            if noun is not None:
                actor, role = self._noun_actor(noun, target.actor.country or country)
            if role in ("country", "source"):
                continue
            result = [m for m in result if m not in inner]
            result[result.index(target)] = replace(target, actor=actor, role=role)
        return result

    def _bare_noun(self, words: str) -> _Entry | None:
        """The generic noun entry a phrase is, whole ("military", "police forces"), else None."""
        toks = _tokens(words)
        atoms = self._atoms(words, toks)
        if len(atoms) == 1 and atoms[0].i == 0 and atoms[0].j == len(toks) and atoms[0].entry.kind == "noun" \
                and atoms[0].entry.cls in self.classes:
            return atoms[0].entry
        return None

    def _externalise(self, m: ActorMention, country: str) -> ActorMention:
        a = m.actor
        if a.type == "State forces" and a.country and a.country != country:
            return replace(m, actor=Actor(a.name, "External/Other forces", a.country))
        return m

    # -- composition helpers

    def _emit(self, out: list[ActorMention], text: str, toks: list[_Tok], i: int, j: int, actor: Actor,
              role: str) -> None:
        start, end = toks[i].start, toks[j - 1].end
        out.append(ActorMention(text[start:end], start, end, actor, role))

    def _is_ref(self, atom: _Atom) -> bool:
        e = atom.entry
        return e.kind in ("country", "demonym", "metonym") or (e.kind == "leader" and not e.leader_actor)

    def _adjacent(self, text: str, toks: list[_Tok], j: int, i: int) -> bool:
        """Token j directly follows token j-1 (i == j) in one phrase."""
        return i == j and j < len(toks) and j > 0 and _gap_ok(text, toks[j - 1], toks[j])

    def _connected(self, text: str, toks: list[_Tok], j: int, i: int) -> bool:
        """Tokens j..i-1 only join two names: 'and', 'or', commas, hyphens, slashes."""
        if i <= j or i - j > 2 or j == 0:
            return i == j and j > 0 and self._sep_ok(text, toks[j - 1], toks[j])
        prev = toks[j - 1]
        for t in toks[j:i]:
            if t.key not in _CONNECTORS or not self._sep_ok(text, prev, t):
                return False
            prev = t
        return self._sep_ok(text, prev, toks[i])

    @staticmethod
    def _joined(text: str, toks: list[_Tok], j: int, i: int) -> bool:
        """'and'/'or' or a hyphen between two names (not a bare comma: "in Syria, Turkish forces")."""
        if any(t.key in _CONNECTORS for t in toks[j:i]):
            return True
        return i == j and text[toks[j - 1].end : toks[j].start] in ("-", "/", "–")

    @staticmethod
    def _sep_ok(text: str, a: _Tok, b: _Tok) -> bool:
        gap = text[a.end : b.start]
        return len(gap) <= 3 and all(c in " \t\u00a0,-–/" for c in gap)

    def _ref_country(self, atom: _Atom) -> str | None:
        return atom.entry.country

    def _person_after(self, text: str, toks: list[_Tok], atoms: list[_Atom], k: int, j: int) -> tuple[int, int]:
        """After a title ending at token j: extend over a leader atom or a capitalised name.

        Returns (new end token, atoms consumed)."""
        if k < len(atoms) and atoms[k].i == j and atoms[k].entry.kind == "leader" and self._adjacent(text, toks, j, j):
            return atoms[k].j, 1
        end = j
        words = 0
        while end < len(toks) and words < 5 and (
            _gap_ok(text, toks[end - 1], toks[end])
            or (words and toks[end - 1].key in _RANKS and text[toks[end - 1].end : toks[end].start] == ". ")
        ):
            t = toks[end]
            if t.text[:1].isupper() and t.key not in _NAME_STOP and not self._atom_at(atoms, k, end):
                words += 1
                end += 1
            elif t.key in ("al", "el", "bin", "ibn", "abu", "de") and words and end + 1 < len(toks):
                end += 1
            else:
                break
        while end > j and toks[end - 1].key in ("al", "el", "bin", "ibn", "abu", "de"):
            end -= 1
        return (end, 0) if words else (j, 0)

    @staticmethod
    def _atom_at(atoms: list[_Atom], k: int, i: int) -> bool:
        return any(a.i <= i < a.j for a in atoms[k : k + 3])

    def _noun_actor(self, entry: _Entry, country: str | None) -> tuple[Actor, str]:
        spec = self.classes[entry.cls]
        return self.class_actor(entry.cls, country), spec["role"]

    def _compose(self, text: str, toks: list[_Tok], atoms: list[_Atom], k: int, country: str | None,
                 date: dt.date | None, out: list[ActorMention]) -> int:
        atom = atoms[k]
        e = atom.entry
        nxt = atoms[k + 1] if k + 1 < len(atoms) else None

        # "anti-Houthi forces", "anti-Taliban": not that actor
        if atom.i > 0 and toks[atom.i - 1].key == "anti" and text[toks[atom.i - 1].end : toks[atom.i].start] in ("-", ""):
            if e.kind == "noun":
                return k + 1
            return k + 1 if not (nxt and nxt.i == atom.j and nxt.entry.kind == "noun") else k + 2

        if self._is_ref(atom):
            return self._compose_ref(text, toks, atoms, k, country, date, out)

        if e.kind in ("actor", "dispatch", "source") or (e.kind == "leader" and e.leader_actor):
            resolved = self._actor_of(e, country, date)
            if resolved is None:
                return k + 1
            actor, role = resolved
            j = atom.j
            kk = k + 1
            if e.kind != "source" and e.kind != "leader":
                j, kk, absorbed_role = self._absorb(text, toks, atoms, kk, j)
                if absorbed_role == "official":
                    role = "official"
            elif e.kind == "source":
                j, kk, _ = self._absorb(text, toks, atoms, kk, j, sources=True)
            self._emit(out, text, toks, atom.i, j, actor, role)
            return kk

        if e.kind == "ethnic":
            if nxt and nxt.i == atom.j and self._adjacent(text, toks, atom.j, nxt.i) and nxt.entry.kind == "noun" and (
                _fold(nxt.entry.name) in self._ethnic_nouns or nxt.entry.cls in ("armed", "communal")
            ):
                name = self._ethnic["name"].format(group=e.name, country=country or "").replace(" ()", "")
                self._emit(out, text, toks, atom.i, nxt.j, Actor(name, self._ethnic["type"], country), "armed")
                return k + 2
            return k + 1

        if e.kind == "noun":
            return self._compose_noun(text, toks, atoms, k, country, out)
        return k + 1

    def _absorb(self, text: str, toks: list[_Tok], atoms: list[_Atom], kk: int, j: int,
                sources: bool = False) -> tuple[int, int, str | None]:
        """Extend a named group's mention over role nouns that follow ("Al Shabaab militants")."""
        role: str | None = None
        steps = 0
        j0, kk0 = j, kk
        skipped = -1
        if not sources:
            j, kk = self._skip_qualifier(text, toks, atoms, kk, j)
            skipped = j if j != j0 else -1
        while steps < 3 and j < len(toks) and (_gap_ok(text, toks[j - 1], toks[j]) or j == skipped):
            if kk < len(atoms) and atoms[kk].i == j:
                a = atoms[kk]
                if a.entry.kind == "noun" and (
                    (not sources and a.entry.cls in _ABSORB_CLASSES) or (sources and a.entry.cls == "official")
                ):
                    if a.entry.cls == "official":
                        role = "official"
                    j, kk, steps = a.j, kk + 1, steps + 1
                    continue
                break
            if not sources and toks[j].key in _ABSORB:
                j, steps = j + 1, steps + 1
                continue
            break
        if steps == 0 and skipped >= 0:  # the bracket was not followed by a role noun after all
            return j0, kk0, role
        return j, kk, role

    def _skip_qualifier(self, text: str, toks: list[_Tok], atoms: list[_Atom], kk: int, j: int) -> tuple[int, int]:
        """A short capitalised qualifier in brackets between a group and its role noun is part of the
        mention: "ISWAP (Greater Sahara) militants". Returns (token, atom) indices after it, or unchanged."""
        if j >= len(toks) or not _BRACKET_GAP_RE.fullmatch(text[toks[j - 1].end : toks[j].start]):
            return j, kk
        e = j
        while e < len(toks) and e - j < 4 and (toks[e].text[:1].isupper() or toks[e].key in _PARTICLES) \
                and ")" not in text[toks[e - 1].end : toks[e].start]:
            e += 1
        if e == j or e >= len(toks) or not _BRACKET_CLOSE_RE.fullmatch(text[toks[e - 1].end : toks[e].start]):
            return j, kk
        k2 = kk
        while k2 < len(atoms) and atoms[k2].i < e:
            k2 += 1
        is_noun = (k2 < len(atoms) and atoms[k2].i == e and atoms[k2].entry.kind == "noun"
                   and atoms[k2].entry.cls in _ABSORB_CLASSES) or toks[e].key in _ABSORB
        return (e, k2) if is_noun else (j, kk)

    def _compose_ref(self, text: str, toks: list[_Tok], atoms: list[_Atom], k: int, country: str | None,
                     date: dt.date | None, out: list[ActorMention]) -> int:
        atom = atoms[k]
        # chain of refs: "Turkish and Russian", "Turkish-Russian", "US, British and French"
        chain = [atom]
        kk = k + 1
        while atom.entry.kind != "leader" and kk < len(atoms) and len(chain) < 6 \
                and self._connected(text, toks, chain[-1].j, atoms[kk].i) and (
                    atoms[kk].entry.kind == atom.entry.kind
                    or ({atoms[kk].entry.kind, atom.entry.kind} == {"country", "demonym"}
                        and self._joined(text, toks, chain[-1].j, atoms[kk].i))):
            chain.append(atoms[kk])
            kk += 1
        last = chain[-1]
        j = last.j
        poss = False
        if j < len(toks) and toks[j].key in ("'s", "'") and toks[j].start == toks[j - 1].end:
            poss = True
            j += 1
        poss_end = j
        head = atoms[kk] if kk < len(atoms) else None
        head_adjacent = head is not None and head.i == j and j > 0 and _gap_ok(text, toks[j - 1], toks[j])

        # "Palestinian-owned shed": civilians of that country
        if (len(chain) == 1 and j < len(toks) and toks[j].key in self._owner_suffixes
                and text[toks[j - 1].end : toks[j].start] in ("-", "‑", "–") and atom.entry.kind != "leader"):
            self._emit(out, text, toks, atom.i, j + 1, self.civilians(self._ref_country(atom)), "civilian")
            while kk < len(atoms) and atoms[kk].i <= j:
                kk += 1
            return kk

        # pro-Iran fighters / Iran-backed militias
        proxy = self._proxy_span(text, toks, atoms, chain, kk, country)
        if proxy is not None:
            i0, j1, actor, kk2 = proxy
            self._emit(out, text, toks, i0, j1, actor, "armed")
            return kk2

        # locative capitals are places, not governments ("in Mogadishu")
        def ref_alone(a: _Atom) -> None:
            e = a.entry
            if e.kind == "metonym" and a.i > 0 and toks[a.i - 1].key in _LOCATIVE:
                return
            if e.kind == "leader":
                self._emit(out, text, toks, a.i, a.j, self.government(e.country or ""), "official")
            elif e.role == "official":
                self._emit(out, text, toks, a.i, a.j, self.government(e.country or ""), "official")
            elif e.kind == "demonym" and not poss and self._demonym_person(text, toks, a):
                self._emit(out, text, toks, a.i, a.j, self.civilians(e.country), "civilian")
            else:
                self._emit(out, text, toks, a.i, a.j, Actor(e.country or e.name, None, e.country), "country")

        if head is not None and head_adjacent:
            he = head.entry
            if he.kind == "noun":
                bare_name = not poss and any(a.entry.kind != "demonym" for a in chain)
                if not self._military_ok(toks, head) or (he.needs_demonym and bare_name):
                    for a in chain:
                        ref_alone(a)
                    return kk
                actors = [self._noun_actor(he, self._ref_country(a)) for a in chain]
                for a, (actor, role) in zip(chain[:-1], actors[:-1]):
                    self._emit(out, text, toks, a.i, a.j, actor, role)
                end, used = head.j, 1
                # "Military Forces" + "of Israel" handled in noun composition; titles take a name
                if he.title:
                    end, extra = self._person_after(text, toks, atoms, kk + 1, head.j)
                    used += extra
                if he.needs_demonym:  # "Israeli strikes": the actor is "Israeli", the strikes are the act
                    end = poss_end if poss else last.j
                actor, role = actors[-1]
                self._emit(out, text, toks, last.i, end, actor, role)
                if he.cls in ("military", "police") and actor.country and isinstance(out, _Out):
                    out.explicit[he.cls] = (actor.country, toks[end - 1].end)
                return kk + used
            if he.kind in ("actor", "dispatch"):
                resolved = self._actor_of(he, country or self._ref_country(last), date)
                home = self.actors.get(resolved[0].name) if resolved else None
                same = resolved is not None and home is not None and home.country == self._ref_country(last)
                if same and len(chain) == 1:
                    actor, role = resolved  # type: ignore[misc]
                    end, kk2, absorbed = self._absorb(text, toks, atoms, kk + 1, head.j)
                    self._emit(out, text, toks, last.i, end, actor, "official" if absorbed == "official" else role)
                    return kk2
            if he.kind == "leader" and not he.leader_actor and len(chain) == 1 and not poss:
                # "Syrian Bashar al-Assad": one person
                self._emit(out, text, toks, last.i, head.j, self.government(he.country or ""), "official")
                return kk + 1
        for a in chain:
            ref_alone(a)
        return kk

    def _demonym_person(self, text: str, toks: list[_Tok], a: _Atom) -> bool:
        """A demonym standing for people, who are civilians unless named otherwise: a plural
        ("Palestinians", "Afghans") or a singular after an article or number ("killed a Palestinian"),
        with no noun after it."""
        if a.j - a.i != 1:
            return False
        word = toks[a.i].text
        nxt = toks[a.j] if a.j < len(toks) else None
        if self._plural_demonym(word, a.entry.country or ""):  # a plural is not an adjective
            return True
        followed = nxt is not None and _gap_ok(text, toks[a.j - 1], nxt) and nxt.key not in _PERSON_AFTER
        if followed:
            return False
        prev = toks[a.i - 1] if a.i > 0 else None
        return prev is not None and (prev.key in _PERSON_BEFORE or prev.key.isdigit()) and _gap_ok(text, prev, toks[a.i])

    def _plural_demonym(self, word: str, country: str) -> bool:
        k = _fold(word)
        if not k.endswith("s") or len(k) < 4:
            return False
        for stem in (k[:-1], k[:-2]):
            if self._country_by_key.get(stem) == country and self._registered.get((stem,)) is not None \
                    and self._registered[(stem,)].kind == "demonym":
                return True
        return False

    def _recent_state(self, text: str, out: list[ActorMention], cls: str, start: int) -> str | None:
        """The country of the last "Israeli police"-style mention of this class in the paragraph:
        a later bare "police" means the same force."""
        last = getattr(out, "explicit", {}).get(cls)
        if last is None:
            return None
        c, end = last
        if start - end > 1500 or "\n\n" in text[end:start]:
            return None
        return c

    def _military_ok(self, toks: list[_Tok], atom: _Atom) -> bool:
        """A role noun used as a modifier names no actor: 'military presence', 'refugee camp'."""
        cls = atom.entry.cls
        if cls == "military" and atom.entry.name not in ("military", "army"):
            return True
        stop = self._not_before.get(cls)
        return not (stop and atom.j < len(toks) and toks[atom.j].key in stop)

    def _proxy_span(self, text: str, toks: list[_Tok], atoms: list[_Atom], chain: list[_Atom], kk: int,
                    country: str | None) -> tuple[int, int, Actor, int] | None:
        first, last = chain[0], chain[-1]
        i0 = first.i
        pro = i0 > 0 and toks[i0 - 1].key in self._proxy_prefixes and text[toks[i0 - 1].end : toks[i0].start] in ("-", "")
        j = last.j
        backed = (
            j < len(toks)
            and toks[j].key in self._proxy_suffixes
            and text[toks[j - 1].end : toks[j].start] in ("-", "‑", "–")
        )
        if not (pro or backed):
            return None
        start = i0 - 1 if pro else i0
        j = j + 1 if backed else j
        nationality = country
        # an optional nationality of the proxies: "pro-Iran Syrian groups"
        if kk < len(atoms) and atoms[kk].i == j and atoms[kk].entry.kind == "demonym" and self._adjacent(text, toks, j, j):
            nationality = atoms[kk].entry.country
            j = atoms[kk].j
            kk += 1
        end = None
        if kk < len(atoms) and atoms[kk].i == j and atoms[kk].entry.kind == "noun" and j < len(toks) \
                and _gap_ok(text, toks[j - 1], toks[j]) and _fold(atoms[kk].entry.name) in self._proxy_nouns:
            end = atoms[kk].j
            kk += 1
        elif j < len(toks) and toks[j].key in self._proxy_nouns and _gap_ok(text, toks[j - 1], toks[j]):
            end = j + 1
            while kk < len(atoms) and atoms[kk].i < end:
                kk += 1
        if end is None:
            if pro:  # "pro-Iran" alone: still not Iran; no mention
                return None
            return None
        state = self.countries.get(first.entry.country or "") and first.entry.country or first.entry.name
        spec = self._proxy
        name = (spec["name"].format(state=state, country=nationality) if nationality
                else spec["no_country"].format(state=state))
        return start, end, Actor(name, spec["type"], None), kk

    def _compose_noun(self, text: str, toks: list[_Tok], atoms: list[_Atom], k: int, country: str | None,
                      out: list[ActorMention]) -> int:
        atom = atoms[k]
        e = atom.entry
        i, j = atom.i, atom.j
        # "Zaiter clan militia", "Kaduna militiamen": a named clan or community
        named = self._ethnic_named.get(_fold(e.name))
        if named and i > 0 and _gap_ok(text, toks[i - 1], toks[i]):
            prev = toks[i - 1]
            covered = k > 0 and atoms[k - 1].j > i - 1
            sentence_start = i - 1 == 0 or text[max(0, toks[i - 2].end) : prev.start].strip() in (".", "!", "?", ":", '"')
            if (prev.text[:1].isupper() and prev.key not in _NAME_STOP and not covered
                    and not (sentence_start and e.name in ("militia", "militiamen"))):
                name = named.format(group=prev.text, country=country or "").replace(" ()", "")
                self._emit(out, text, toks, i - 1, j, Actor(name, "Identity militia", country), "armed")
                return k + 1
        # "Military Forces of Israel", "soldiers of the Malian army": a country after "of"
        if e.cls in ("military", "police", "official") and j + 1 < len(toks) and toks[j].key == "of":
            jj = j + 1
            if toks[jj].key == "the" and jj + 1 < len(toks):
                jj += 1
            nxt = atoms[k + 1] if k + 1 < len(atoms) else None
            if nxt is not None and nxt.i == jj and nxt.entry.kind == "country":
                actor, role = self._noun_actor(e, nxt.entry.country)
                self._emit(out, text, toks, i, nxt.j, actor, role)
                return k + 2
        if e.needs_country:
            return k + 1
        if not self._military_ok(toks, atom):
            return k + 1
        # "protesting farmers", "striking teachers", "rioting youths": people acting as protesters/rioters
        if e.cls == "civilians" and i > 0 and toks[i - 1].key in _PROTEST_PARTICIPLES \
                and _gap_ok(text, toks[i - 1], toks[i]) and not (k > 0 and atoms[k - 1].j > i - 1):
            cls = _PROTEST_PARTICIPLES[toks[i - 1].key]
            self._emit(out, text, toks, i - 1, j, self.class_actor(cls, country), self.classes[cls]["role"])
            return k + 1
        # unidentified/suspected + noun
        if i > 0 and toks[i - 1].key in _MODIFIERS and _gap_ok(text, toks[i - 1], toks[i]) and not (
            k > 0 and atoms[k - 1].j > i - 1
        ):
            i -= 1
        kk = k + 1
        c = country
        if e.cls in ("military", "police"):
            c = self._recent_state(text, out, e.cls, toks[i].start) or country
        if e.title:
            end, used = self._person_after(text, toks, atoms, kk, j)
            if used:
                leader = atoms[kk].entry
                if leader.leader_actor:
                    self._emit(out, text, toks, i, end, self._named_actor(leader.leader_actor, None), "official")
                    return kk + 1
                c = leader.country
            j, kk = end, kk + used
        actor, role = self._noun_actor(e, c)
        self._emit(out, text, toks, i, j, actor, role)
        return kk

    # ------------------------------------------------------------------ other API

    def country_of(self, word: str) -> str | None:
        """The country a word names: "Turkish", "Türkiye", "Ankara", "Syria's", "Erdogan" -> ACLED name."""
        if not word or not word.strip():
            return None
        w = word.strip()
        w = re.sub(r"^(?:the|The)\s+", "", w)
        w = re.sub(r"['’]s?$", "", w).strip()
        direct = self._country_by_key.get(_fold(w))
        if direct:
            return direct
        toks = _tokens(w)
        if not toks:
            return None
        atoms = self._atoms(w, toks)
        if len(atoms) == 1 and atoms[0].i == 0 and atoms[0].j == len(toks):
            e = atoms[0].entry
            if e.kind in ("country", "demonym", "metonym") or (e.kind == "leader" and not e.leader_actor):
                return e.country
        return None

    def guess_country(self, text: str) -> str | None:
        """The country a text is most about, from its country names, demonyms and capitals
        (first mentioned wins a tie); for callers that have no geocoded country to pass to `find`."""
        toks = _tokens(text)
        counts: dict[str, int] = {}
        first: dict[str, int] = {}
        for a in self._atoms(text, toks):
            e = a.entry
            if e.kind in ("country", "demonym", "metonym") and e.country:
                counts[e.country] = counts.get(e.country, 0) + 1
                first.setdefault(e.country, a.i)
        if not counts:
            return None
        return max(counts, key=lambda c: (counts[c], -first[c]))

    def iso2(self, country: str) -> str | None:
        """ISO 3166-1 alpha-2 code of a country (any name, demonym or alias)."""
        name = country if country in self.countries else self.country_of(country)
        return self.countries[name]["iso2"] if name in self.countries else None

    def resolve(self, name: str, country: str | None = None, date: dt.date | None = None) -> Actor | None:
        """The actor a short name stands for, when the whole name is one mention ("the SDF",
        "Houthi forces", "Iraqi police", "Military Forces of Israel (2022-)")."""
        if not name or not name.strip():
            return None
        text = _strip_years(name.strip())
        canon = self._canon.get(normalise(text))
        if canon:
            a = self._named_actor(canon, date)
            return self._externalise(ActorMention("", 0, 0, a, ""), country).actor if country else a
        ms = self.find(text, country, date)
        core = re.sub(r"^(?:the|The)\s+", "", text)
        for m in ms:
            if m.text == core or m.text == text:
                return m.actor
        return None

    def ruler_patterns(self) -> list[dict[str, Any]]:
        """spaCy EntityRuler patterns for the domain's names (ORG, NORP, GPE, PERSON), with ids."""
        if self._patterns is None:
            self._patterns = _build_patterns(self)
        return list(self._patterns)


# ----------------------------------------------------------------------------- spaCy patterns

_LABELS = {"actor": "ORG", "dispatch": "ORG", "source": "ORG", "leader": "PERSON", "country": "GPE",
           "metonym": "GPE", "demonym": "NORP"}
_BODIES_WITH_DEMONYM = ("Defense Ministry", "Defence Ministry", "Interior Ministry", "Foreign Ministry",
                        "Health Ministry", "Armed Forces", "Air Force", "army", "military", "police")


def _build_patterns(book: ActorBook) -> list[dict[str, Any]]:
    import spacy  # imported here: the rest of the module does not need spaCy

    tokenizer = spacy.blank("en").tokenizer
    seen: set[tuple[str, str]] = set()
    patterns: list[dict[str, Any]] = []

    def ident(e: _Entry) -> str:
        if e.kind in ("country", "demonym", "metonym"):
            return e.country or e.name
        if e.kind == "leader":
            return e.leader_actor or f"Government of {e.country}"
        if e.kind == "dispatch":
            return e.default or e.name
        return e.name

    def variants(alias: str) -> set[str]:
        out = {alias, alias.replace("'", "’")}
        if re.search(r"\w-\w", alias):
            out.add(re.sub(r"(?<=\w)-(?=\w)", " ", alias))
        m = re.match(r"^(al|Al|el|El) (\w)", alias)
        if m:
            out.add(f"{m.group(1)}-{alias[len(m.group(1)) + 1:]}")
        return out

    def add(label: str, alias: str, pid: str) -> None:
        for v in variants(alias):
            doc = tokenizer(v)
            if not len(doc):
                continue
            if len(doc) == 1:
                forms = {doc[0].text, doc[0].text.upper()}
                for f in forms:
                    key = (label, "T:" + f)
                    if key not in seen:
                        seen.add(key)
                        patterns.append({"label": label, "pattern": [{"TEXT": f}], "id": pid})
                continue
            toks = []
            for t in doc:
                toks.append({"TEXT": t.text} if _sig(t.text) == "A" else {"LOWER": t.text.lower()})
            key = (label, repr(toks))
            if key not in seen:
                seen.add(key)
                patterns.append({"label": label, "pattern": toks, "id": pid})

    for alias, e in book.entries:
        label = _LABELS.get(e.kind)
        if label is None:
            continue
        if e.kind == "actor" and e.name in book.actors and alias == alias.lower():
            continue  # generic-looking aliases ("settlers", "peacekeepers") are not names
        if e.kind == "dispatch" and alias == alias.lower():
            continue
        add(label, alias, ident(e))
    for name in book.actors:
        add("ORG", _PREFIX_RE.sub("", name), name)
    for alias, e in book.entries:
        if e.kind == "demonym":
            for body in _BODIES_WITH_DEMONYM:
                add("ORG", f"{alias} {body}", f"Government of {e.country}" if "Ministry" in body else
                    f"{'Police' if body == 'police' else 'Military'} Forces of {e.country}")
    return patterns


# ----------------------------------------------------------------------------- module functions


@lru_cache(maxsize=1)
def _load_book() -> ActorBook:
    book = ActorBook()
    book._load()
    return book


def acled_name(actor: Actor) -> str:
    """The canonical ACLED-style name of an actor (years dropped), for scoring and export.

    Known aliases map to the canonical name ("SDF" -> "QSD: Syrian Democratic Forces");
    anything else keeps its own name without year brackets.
    """
    name = _strip_years(actor.name or "")
    book = ActorBook.load()
    canon = book._canon.get(normalise(name))
    if canon:
        return canon
    m = book.resolve(name)
    if m is not None and m.type is not None:
        return m.name
    return name


def _check_types(book: ActorBook) -> Iterable[str]:
    """Data errors: unknown actor types and broken by_country targets (used by the tests)."""
    for name, e in book.actors.items():
        if e.type not in ACTOR_TYPES:
            yield f"{name}: type {e.type!r}"
        for target in e.by_country.values():
            if target not in book.actors:
                yield f"{name}: by_country target {target!r} unknown"
    for spec_name, spec in book.classes.items():
        if spec["type"] not in ACTOR_TYPES:
            yield f"class {spec_name}: type {spec['type']!r}"
