"""Finding actor words in a text: tokens, the walk of the alias trie, and ACLED's "(coded as X)" notes.

A text is tokenised once with one regular expression. From each token the trie is walked (bounded
by the longest alias, so matching is linear in the text) and the leftmost-longest alias whose case
fits is kept as an atom; composition (`sitrep.actors.compose`) turns atoms into mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sitrep import acled
from sitrep.actors.lexicon import TOKEN_RE, CountryName, Entry, Leader, Lexicon, RoleNoun, fold, key
from sitrep.model import Actor

ROLES = ("armed", "state", "civilian", "protest", "official", "source", "country")


@dataclass(frozen=True)
class ActorMention:
    """One actor mention: the words as written, their offsets, the normalised actor and its role."""

    text: str
    start: int
    end: int
    actor: Actor
    role: str  # "armed" | "state" | "civilian" | "protest" | "official" | "source" | "country"


@dataclass(frozen=True)
class Tok:
    """One token: its offsets, its text and its trie key."""

    start: int
    end: int
    text: str
    key: str


@dataclass(frozen=True)
class Atom:
    """One alias found in a text: tokens i..j-1 and the entry it stands for."""

    i: int  # first token
    j: int  # one past the last token
    entry: Entry


# characters allowed between two tokens of one name: spaces, hyphens, slashes, apostrophes
_GAP_OK = frozenset(" \t\u00a0-‐‑–/'’&")
_CODED_REACH = 40  # how far before an ACLED "(coded as X)" bracket the coded phrase may end
_CLAUSE_BREAK_RE = re.compile(r"[.;:!?]\s|\b(?:and|but|while|whereas)\b")


def tokens(text: str) -> list[Tok]:
    """The tokens of a text."""
    return [Tok(m.start(), m.end(), m.group(), key(m.group())) for m in TOKEN_RE.finditer(text)]


def gap_ok(text: str, a: Tok, b: Tok) -> bool:
    """Tokens a and b may be words of one name: only a short run of spaces, hyphens, slashes between."""
    gap = text[a.end : b.start]
    return len(gap) <= 3 and all(c in _GAP_OK for c in gap)


def _straight(s: str) -> str:
    return s.replace("’", "'").replace("‘", "'")


def _sig_ok(sig: str, surface: str) -> bool:
    if sig == "*":
        return True
    if sig == "C":
        return surface[:1].isupper() or surface[:1].isdigit()
    return _straight(surface) == _straight(sig[1:]) if len(sig) > 1 else True


def is_ref(atom: Atom) -> bool:
    """The atom names a country: its name, demonym or metonym, or a leader who speaks for it."""
    e = atom.entry
    return isinstance(e, CountryName) or (isinstance(e, Leader) and not e.actor)


def externalise(m: ActorMention, country: str) -> ActorMention:
    """ACLED's rule: state forces acting outside their own country are External/Other forces."""
    a = m.actor
    if a.type == "State forces" and a.country and a.country != country:
        return replace(m, actor=Actor(a.name, "External/Other forces", a.country))
    return m


class Matcher:
    """The lexicon's aliases found in texts."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def atoms(self, text: str, toks: list[Tok]) -> list[Atom]:
        """The leftmost-longest aliases in the tokens, in text order, non-overlapping."""
        atoms: list[Atom] = []
        n = len(toks)
        i = 0
        root = self.lexicon.root
        while i < n:
            node = root.children.get(toks[i].key)
            best: tuple[int, Entry] | None = None
            j = i
            while node is not None:
                for sig, entry, _alias in node.terminals:
                    if all(_sig_ok(s, toks[i + k].text) for k, s in enumerate(sig)):
                        if best is None or j + 1 > best[0]:
                            best = (j + 1, entry)
                        break
                j += 1
                if j >= n or j - i >= self.lexicon.maxlen or not gap_ok(text, toks[j - 1], toks[j]):
                    break
                node = node.children.get(toks[j].key)
            if best is not None:
                atoms.append(Atom(i, best[0], best[1]))
                i = best[0]
            else:
                i += 1
        return atoms

    def coded_as(self, text: str, out: list[ActorMention], country: str | None) -> list[ActorMention]:
        """Apply ACLED's brackets that name the coded actor of a vague phrase.

        "military targets (coded as National Resistance forces)", "an Israeli plane [coded as military]",
        "armed men (assumed Darfur communal militia)": the mention just before the bracket takes the
        coded actor (a bare class noun keeps the outer mention's country); the bracketed mention itself
        is dropped.
        """
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
                actor, role = self.lexicon.noun_actor(noun, target.actor.country or country)
            if role in ("country", "source"):
                continue
            result = [m for m in result if m not in inner]
            result[result.index(target)] = replace(target, actor=actor, role=role)
        return result

    def _bare_noun(self, words: str) -> RoleNoun | None:
        """The generic noun entry a phrase is, whole ("military", "police forces"), else None."""
        toks = tokens(words)
        atoms = self.atoms(words, toks)
        if len(atoms) == 1 and atoms[0].i == 0 and atoms[0].j == len(toks):
            e = atoms[0].entry
            if isinstance(e, RoleNoun) and e.cls in self.lexicon.classes:
                return e
        return None

    def country_of(self, word: str) -> str | None:
        """The country a word names: "Turkish", "Türkiye", "Ankara", "Syria's", "Erdogan" -> ACLED name."""
        if not word or not word.strip():
            return None
        w = word.strip()
        w = re.sub(r"^(?:the|The)\s+", "", w)
        w = re.sub(r"['’]s?$", "", w).strip()
        direct = self.lexicon.country_by_key.get(fold(w))
        if direct:
            return direct
        toks = tokens(w)
        if not toks:
            return None
        atoms = self.atoms(w, toks)
        if len(atoms) == 1 and atoms[0].i == 0 and atoms[0].j == len(toks):
            e = atoms[0].entry
            if isinstance(e, CountryName) or (isinstance(e, Leader) and not e.actor):
                return e.country
        return None

    def guess_country(self, text: str) -> str | None:
        """The country a text is most about, from its country names, demonyms and capitals.

        The first mentioned wins a tie; for callers that have no geocoded country to pass to `find`.
        """
        toks = tokens(text)
        counts: dict[str, int] = {}
        first: dict[str, int] = {}
        for a in self.atoms(text, toks):
            e = a.entry
            if isinstance(e, CountryName) and e.country:
                counts[e.country] = counts.get(e.country, 0) + 1
                first.setdefault(e.country, a.i)
        if not counts:
            return None
        return max(counts, key=lambda c: (counts[c], -first[c]))
