"""Composition: the atoms found in a text -> actor mentions, by a small grammar over neighbouring atoms.

* demonym / country / leader + role noun  -> that country's actor ("Iraqi soldiers",
  "Turkish and Russian forces", "Turkish Defense Minister Hulusi Akar"); before an act noun
  ("Israeli strikes", "Russia's invasion") the mention is the demonym alone, the act being an
  event trigger;
* "pro-X" / "X-backed" + fighters         -> a militia backed by X, never X's state forces;
* named group + role noun                 -> the group ("Al Shabaab militants", "Houthi forces");
* ethnic or clan name + militia           -> an identity militia ("Fulani militiamen");
* role noun alone                         -> the article's country ("soldiers" in a Somalia story).

The word lists this grammar reads are the [compose] table of data/actors_grammar.toml.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sitrep.actors.lexicon import (
    PARTICLES,
    CountryName,
    Dispatch,
    EthnicGroup,
    Group,
    Leader,
    Lexicon,
    RoleNoun,
    Source,
    fold,
    grammar,
)
from sitrep.actors.match import ActorMention, Atom, Tok, gap_ok, is_ref
from sitrep.model import Actor

_WORDS = grammar("compose")
_LOCATIVE = frozenset(_WORDS["locative"])
_CONNECTORS = frozenset(_WORDS["connectors"])
_NEGATIONS = frozenset(_WORDS["negations"])
_ABSORB = frozenset(_WORDS["absorb"])
_ABSORB_CLASSES = frozenset(_WORDS["absorb_classes"])
_NAME_STOP = frozenset(_WORDS["name_stop"])
_RANKS = frozenset(_WORDS["ranks"])
_NAME_PARTICLES = frozenset(_WORDS["name_particles"])
_MODIFIERS = frozenset(_WORDS["modifiers"])
_BARE_MILITIA = frozenset(_WORDS["bare_militia"])
_MILITARY_ADJECTIVES = frozenset(_WORDS["military_adjectives"])
_PERSON_BEFORE = frozenset(_WORDS["person_before"])
_PERSON_AFTER = frozenset(_WORDS["person_after"])
_PROTEST_PARTICIPLES = {word: cls for cls, words in _WORDS["protest_participles"].items() for word in words}

_DASHES = ("-", "‑", "–")
_POSSESSIVE = ("'s", "'")
_SENTENCE_END = (".", "!", "?", ":", '"')


@dataclass
class _Text:
    """One text being composed: its tokens and atoms, its context, and the mentions found so far."""

    text: str
    toks: list[Tok]
    atoms: list[Atom]
    country: str | None  # the article's country
    date: dt.date | None
    out: list[ActorMention] = field(default_factory=list)
    # class -> (country, end) of the last state force named with its country ("Israeli police")
    explicit: dict[str, tuple[str, int]] = field(default_factory=dict)

    def emit(self, i: int, j: int, actor: Actor, role: str) -> None:
        """Record a mention of tokens i..j-1."""
        start, end = self.toks[i].start, self.toks[j - 1].end
        self.out.append(ActorMention(self.text[start:end], start, end, actor, role))

    def gap(self, a: int, b: int) -> str:
        """The characters between token a and token b."""
        return self.text[self.toks[a].end : self.toks[b].start]

    def tight(self, a: int, b: int) -> bool:
        """Tokens a and b may be words of one name."""
        return gap_ok(self.text, self.toks[a], self.toks[b])

    def adjacent(self, j: int, i: int) -> bool:
        """Token j directly follows token j-1 (i == j) in one phrase."""
        return i == j and j < len(self.toks) and j > 0 and self.tight(j - 1, j)

    def covered(self, k: int, i: int) -> bool:
        """The atom before atom k covers token i."""
        return k > 0 and self.atoms[k - 1].j > i


class Composer:
    """The grammar that turns atoms into actor mentions."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def compose(self, text: str, toks: list[Tok], atoms: list[Atom], country: str | None,
                date: dt.date | None) -> list[ActorMention]:
        """The mentions the atoms of a text make, in the order composed."""
        t = _Text(text, toks, atoms, country, date)
        k = 0
        while k < len(atoms):
            k = self._compose(t, k)
        return t.out

    def _compose(self, t: _Text, k: int) -> int:
        """Compose the mention that starts at atom k; returns the next atom to look at."""
        atom = t.atoms[k]
        e = atom.entry
        nxt = t.atoms[k + 1] if k + 1 < len(t.atoms) else None
        # "anti-Houthi forces", "anti-Taliban": not that actor
        if atom.i > 0 and t.toks[atom.i - 1].key in _NEGATIONS and t.gap(atom.i - 1, atom.i) in ("-", ""):
            if e.kind == "noun":
                return k + 1
            return k + 1 if not (nxt and nxt.i == atom.j and nxt.entry.kind == "noun") else k + 2
        if is_ref(atom):
            return self._compose_ref(t, k)
        if isinstance(e, (Group, Dispatch, Source)) or (isinstance(e, Leader) and e.actor):
            return self._compose_named(t, k)
        if isinstance(e, EthnicGroup):
            return self._compose_ethnic(t, k, e)
        if isinstance(e, RoleNoun):
            return self._compose_noun(t, k, e)
        return k + 1

    def _compose_ethnic(self, t: _Text, k: int, e: EthnicGroup) -> int:
        """An ethnic group's militia ("Fulani militiamen"); the name alone is no actor."""
        atom = t.atoms[k]
        nxt = t.atoms[k + 1] if k + 1 < len(t.atoms) else None
        rule = self.lexicon.ethnic
        if nxt and t.adjacent(atom.j, nxt.i) and isinstance(nxt.entry, RoleNoun) and (
            fold(nxt.entry.name) in rule.nouns or nxt.entry.cls in ("armed", "communal")
        ):
            name = rule.name.format(group=e.name, country=t.country or "").replace(" ()", "")
            t.emit(atom.i, nxt.j, Actor(name, rule.type, t.country), "armed")
            return k + 2
        return k + 1

    def _compose_named(self, t: _Text, k: int) -> int:
        """A named group, source or leader, with the role nouns that follow a group ("PKK fighters")."""
        atom = t.atoms[k]
        e = atom.entry
        resolved = self.lexicon.actor_of(e, t.country, t.date)
        if resolved is None:
            return k + 1
        actor, role = resolved
        j = atom.j
        kk = k + 1
        if e.kind != "source" and e.kind != "leader":
            j, kk, absorbed_role = _absorb(t, kk, j)
            if absorbed_role == "official":
                role = "official"
        elif e.kind == "source":
            j, kk, _ = _absorb(t, kk, j, sources=True)
        t.emit(atom.i, j, actor, role)
        return kk

    # ------------------------------------------------------------------ country references

    def _compose_ref(self, t: _Text, k: int) -> int:
        """Country references ("Turkish and Russian", "Syria's", "Erdogan") and what they qualify."""
        chain, kk = _ref_chain(t, k)
        atom, last = chain[0], chain[-1]
        j = last.j
        poss = j < len(t.toks) and t.toks[j].key in _POSSESSIVE and t.toks[j].start == t.toks[j - 1].end
        if poss:
            j += 1
        # "Palestinian-owned shed": civilians of that country
        if (len(chain) == 1 and j < len(t.toks) and t.toks[j].key in self.lexicon.owner_suffixes
                and t.gap(j - 1, j) in _DASHES and atom.entry.kind != "leader"):
            t.emit(atom.i, j + 1, self.lexicon.civilians(_country(atom)), "civilian")
            while kk < len(t.atoms) and t.atoms[kk].i <= j:
                kk += 1
            return kk
        # pro-Iran fighters / Iran-backed militias
        proxy = self._proxy_span(t, chain, kk)
        if proxy is not None:
            i0, j1, actor, kk2 = proxy
            t.emit(i0, j1, actor, "armed")
            return kk2
        if kk < len(t.atoms) and t.atoms[kk].i == j and j > 0 and t.tight(j - 1, j):
            done = self._ref_head(t, chain, kk, poss, j)
            if done is not None:
                return done
        for a in chain:
            self._ref_alone(t, a, poss)
        return kk

    def _ref_head(self, t: _Text, chain: list[Atom], kk: int, poss: bool, poss_end: int) -> int | None:
        """References followed by atom kk: a role noun, the country's own group, or a leader."""
        head, last = t.atoms[kk], chain[-1]
        he = head.entry
        if isinstance(he, RoleNoun):
            return self._ref_noun(t, chain, kk, he, poss, poss_end)
        if he.kind in ("actor", "dispatch"):
            resolved = self.lexicon.actor_of(he, t.country or _country(last), t.date)
            if resolved is not None and len(chain) == 1:
                actor, role = resolved
                home = self.lexicon.actors.get(actor.name)
                if home is not None and home.country == _country(last):  # "Lebanon's Hezbollah"
                    end, kk2, absorbed = _absorb(t, kk + 1, head.j)
                    t.emit(last.i, end, actor, "official" if absorbed == "official" else role)
                    return kk2
        if isinstance(he, Leader) and not he.actor and len(chain) == 1 and not poss:
            # "Syrian Bashar al-Assad": one person
            t.emit(last.i, head.j, self.lexicon.government(he.country or ""), "official")
            return kk + 1
        return None

    def _ref_noun(self, t: _Text, chain: list[Atom], kk: int, he: RoleNoun, poss: bool, poss_end: int) -> int:
        """References before a role noun: "Iraqi soldiers", "Turkish and Russian forces"."""
        head, last = t.atoms[kk], chain[-1]
        bare_name = not poss and any(a.entry.kind != "demonym" for a in chain)
        if not self._military_ok(t, he, head.j) or (he.needs_demonym and bare_name):
            for a in chain:
                self._ref_alone(t, a, poss)
            return kk
        actors = [self.lexicon.noun_actor(he, _country(a)) for a in chain]
        for a, (actor, role) in zip(chain[:-1], actors[:-1]):
            t.emit(a.i, a.j, actor, role)
        end, used = head.j, 1
        # "Military Forces" + "of Israel" handled in noun composition; titles take a name
        if he.title:
            end, extra = _person_after(t, kk + 1, head.j)
            used += extra
        if he.needs_demonym:  # "Israeli strikes": the actor is "Israeli", the strikes are the act
            end = poss_end if poss else last.j
        actor, role = actors[-1]
        t.emit(last.i, end, actor, role)
        if he.cls in ("military", "police") and actor.country:
            t.explicit[he.cls] = (actor.country, t.toks[end - 1].end)
        return kk + used

    def _ref_alone(self, t: _Text, a: Atom, poss: bool) -> None:
        """A country reference that qualifies nothing: the country, its government, or its people."""
        e = a.entry
        # locative capitals are places, not governments ("in Mogadishu")
        if e.kind == "metonym" and a.i > 0 and t.toks[a.i - 1].key in _LOCATIVE:
            return
        if isinstance(e, Leader) or (isinstance(e, CountryName) and e.role == "official"):
            t.emit(a.i, a.j, self.lexicon.government(e.country or ""), "official")
        elif e.kind == "demonym" and not poss and self._demonym_person(t, a):
            t.emit(a.i, a.j, self.lexicon.civilians(_country(a)), "civilian")
        else:
            t.emit(a.i, a.j, Actor(_country(a) or "", None, _country(a)), "country")

    def _demonym_person(self, t: _Text, a: Atom) -> bool:
        """A demonym standing for people, who are civilians unless named otherwise.

        A plural ("Palestinians", "Afghans") or a singular after an article or number ("killed a
        Palestinian"), with no noun after it.
        """
        if a.j - a.i != 1:
            return False
        toks = t.toks
        nxt = toks[a.j] if a.j < len(toks) else None
        if self.lexicon.plural_demonym(toks[a.i].text, _country(a) or ""):  # a plural is not an adjective
            return True
        if nxt is not None and gap_ok(t.text, toks[a.j - 1], nxt) and nxt.key not in _PERSON_AFTER:
            return False
        prev = toks[a.i - 1] if a.i > 0 else None
        return (prev is not None and (prev.key in _PERSON_BEFORE or prev.key.isdigit())
                and gap_ok(t.text, prev, toks[a.i]))

    def _proxy_span(self, t: _Text, chain: list[Atom], kk: int) -> tuple[int, int, Actor, int] | None:
        """A militia backed by a state: "pro-Iran fighters", "Iran-backed militias", "pro-Iran Syrian groups".

        Returns (first token, end token, actor, next atom), or None.
        """
        toks, atoms, rule = t.toks, t.atoms, self.lexicon.proxy
        i0, j = chain[0].i, chain[-1].j
        pro = i0 > 0 and toks[i0 - 1].key in rule.prefixes and t.gap(i0 - 1, i0) in ("-", "")
        backed = j < len(toks) and toks[j].key in rule.suffixes and t.gap(j - 1, j) in _DASHES
        if not (pro or backed):
            return None
        start = i0 - 1 if pro else i0
        j = j + 1 if backed else j
        nationality = t.country
        # an optional nationality of the proxies: "pro-Iran Syrian groups"
        if kk < len(atoms) and atoms[kk].i == j and atoms[kk].entry.kind == "demonym" and t.adjacent(j, j):
            nationality = _country(atoms[kk])
            j = atoms[kk].j
            kk += 1
        end = None
        nxt = atoms[kk] if kk < len(atoms) and atoms[kk].i == j else None
        if nxt is not None and isinstance(nxt.entry, RoleNoun) and j < len(toks) and t.tight(j - 1, j) \
                and fold(nxt.entry.name) in rule.nouns:
            end = nxt.j
            kk += 1
        elif j < len(toks) and toks[j].key in rule.nouns and t.tight(j - 1, j):
            end = j + 1
            while kk < len(atoms) and atoms[kk].i < end:
                kk += 1
        if end is None:  # "pro-Iran" alone: still not Iran; no mention
            return None
        state = _country(chain[0]) or ""
        name = (rule.name.format(state=state, country=nationality) if nationality
                else rule.no_country.format(state=state))
        return start, end, Actor(name, rule.type, None), kk

    # ------------------------------------------------------------------ role nouns

    def _compose_noun(self, t: _Text, k: int, e: RoleNoun) -> int:
        """A role noun alone or with what qualifies it: "unidentified", "protesting", a title's holder."""
        done = self._named_community(t, k, e)
        if done is None:
            done = self._noun_of_country(t, k, e)
        if done is not None:
            return done
        atom = t.atoms[k]
        if e.needs_country or not self._military_ok(t, e, atom.j):
            return k + 1
        i, j = atom.i, atom.j
        # "protesting farmers", "striking teachers", "rioting youths": people acting as protesters/rioters
        if (e.cls == "civilians" and i > 0 and t.toks[i - 1].key in _PROTEST_PARTICIPLES
                and t.tight(i - 1, i) and not t.covered(k, i - 1)):
            cls = _PROTEST_PARTICIPLES[t.toks[i - 1].key]
            t.emit(i - 1, j, self.lexicon.class_actor(cls, t.country), self.lexicon.classes[cls].role)
            return k + 1
        # unidentified/suspected + noun
        if i > 0 and t.toks[i - 1].key in _MODIFIERS and t.tight(i - 1, i) and not t.covered(k, i - 1):
            i -= 1
        kk = k + 1
        c = t.country
        if e.cls in ("military", "police"):
            c = _recent_state(t, e.cls, t.toks[i].start) or t.country
        if e.title:
            end, used = _person_after(t, kk, j)
            if used:
                leader = t.atoms[kk].entry
                if isinstance(leader, Leader) and leader.actor:
                    t.emit(i, end, self.lexicon.named_actor(leader.actor, None), "official")
                    return kk + 1
                c = _country(t.atoms[kk])
            j, kk = end, kk + used
        actor, role = self.lexicon.noun_actor(e, c)
        t.emit(i, j, actor, role)
        return kk

    def _named_community(self, t: _Text, k: int, e: RoleNoun) -> int | None:
        """ "Zaiter clan militia", "Kaduna militiamen": a named clan or community's militia."""
        atom = t.atoms[k]
        i = atom.i
        named = self.lexicon.ethnic.named.get(fold(e.name))
        if not (named and i > 0 and t.tight(i - 1, i)):
            return None
        prev = t.toks[i - 1]
        sentence_start = i - 1 == 0 or t.text[max(0, t.toks[i - 2].end) : prev.start].strip() in _SENTENCE_END
        if (prev.text[:1].isupper() and prev.key not in _NAME_STOP and not t.covered(k, i - 1)
                and not (sentence_start and e.name in _BARE_MILITIA)):
            name = named.format(group=prev.text, country=t.country or "").replace(" ()", "")
            t.emit(i - 1, atom.j, Actor(name, "Identity militia", t.country), "armed")
            return k + 1
        return None

    def _noun_of_country(self, t: _Text, k: int, e: RoleNoun) -> int | None:
        """ "Military Forces of Israel", "soldiers of the Malian army": a country after "of"."""
        atom = t.atoms[k]
        j = atom.j
        if e.cls not in ("military", "police", "official") or j + 1 >= len(t.toks) or t.toks[j].key != "of":
            return None
        jj = j + 1
        if t.toks[jj].key == "the" and jj + 1 < len(t.toks):
            jj += 1
        nxt = t.atoms[k + 1] if k + 1 < len(t.atoms) else None
        if nxt is not None and nxt.i == jj and nxt.entry.kind == "country":
            actor, role = self.lexicon.noun_actor(e, _country(nxt))
            t.emit(atom.i, nxt.j, actor, role)
            return k + 2
        return None

    def _military_ok(self, t: _Text, noun: RoleNoun, j: int) -> bool:
        """A role noun (ending before token j) used as a modifier names no actor: 'military presence'."""
        if noun.cls == "military" and noun.name not in _MILITARY_ADJECTIVES:
            return True
        spec = self.lexicon.classes.get(noun.cls)
        stop = spec.not_before if spec is not None else None
        return not (stop and j < len(t.toks) and t.toks[j].key in stop)


# ----------------------------------------------------------------------------- token-level helpers


def _country(atom: Atom) -> str | None:
    """The country a country reference names."""
    e = atom.entry
    return e.country if isinstance(e, (CountryName, Leader)) else None


def _ref_chain(t: _Text, k: int) -> tuple[list[Atom], int]:
    """The references joined to atom k: "Turkish and Russian", "Turkish-Russian", "US, British and French"."""
    atoms = t.atoms
    atom = atoms[k]
    chain = [atom]
    kk = k + 1
    while atom.entry.kind != "leader" and kk < len(atoms) and len(chain) < 6 \
            and _connected(t, chain[-1].j, atoms[kk].i) and (
                atoms[kk].entry.kind == atom.entry.kind
                or ({atoms[kk].entry.kind, atom.entry.kind} == {"country", "demonym"}
                    and _joined(t, chain[-1].j, atoms[kk].i))):
        chain.append(atoms[kk])
        kk += 1
    return chain, kk


def _connected(t: _Text, j: int, i: int) -> bool:
    """Tokens j..i-1 only join two names: 'and', 'or', commas, hyphens, slashes."""
    if i <= j or i - j > 2 or j == 0:
        return i == j and j > 0 and _sep_ok(t.text, t.toks[j - 1], t.toks[j])
    prev = t.toks[j - 1]
    for tok in t.toks[j:i]:
        if tok.key not in _CONNECTORS or not _sep_ok(t.text, prev, tok):
            return False
        prev = tok
    return _sep_ok(t.text, prev, t.toks[i])


def _joined(t: _Text, j: int, i: int) -> bool:
    """'and'/'or' or a hyphen between two names (not a bare comma: "in Syria, Turkish forces")."""
    if any(tok.key in _CONNECTORS for tok in t.toks[j:i]):
        return True
    return i == j and t.gap(j - 1, j) in ("-", "/", "–")


def _sep_ok(text: str, a: Tok, b: Tok) -> bool:
    gap = text[a.end : b.start]
    return len(gap) <= 3 and all(c in " \t\u00a0,-–/" for c in gap)


def _absorb(t: _Text, kk: int, j: int, sources: bool = False) -> tuple[int, int, str | None]:
    """Extend a named group's mention over role nouns that follow ("Al Shabaab militants").

    Returns (end token, next atom, "official" when an official's noun was absorbed).
    """
    toks, atoms = t.toks, t.atoms
    role: str | None = None
    steps = 0
    j0, kk0 = j, kk
    skipped = -1
    if not sources:
        j, kk = _skip_qualifier(t, kk, j)
        skipped = j if j != j0 else -1
    while steps < 3 and j < len(toks) and (t.tight(j - 1, j) or j == skipped):
        if kk < len(atoms) and atoms[kk].i == j:
            e = atoms[kk].entry
            if isinstance(e, RoleNoun) and (
                (not sources and e.cls in _ABSORB_CLASSES) or (sources and e.cls == "official")
            ):
                if e.cls == "official":
                    role = "official"
                j, kk, steps = atoms[kk].j, kk + 1, steps + 1
                continue
            break
        if not sources and toks[j].key in _ABSORB:
            j, steps = j + 1, steps + 1
            continue
        break
    if steps == 0 and skipped >= 0:  # the bracket was not followed by a role noun after all
        return j0, kk0, role
    return j, kk, role


def _skip_qualifier(t: _Text, kk: int, j: int) -> tuple[int, int]:
    """A short capitalised qualifier in brackets between a group and its role noun is part of the mention.

    "ISWAP (Greater Sahara) militants". Returns (token, atom) indices after it, or unchanged.
    """
    toks, atoms = t.toks, t.atoms
    if j >= len(toks) or t.gap(j - 1, j) not in (" (", "("):
        return j, kk
    e = j
    while e < len(toks) and e - j < 4 and (toks[e].text[:1].isupper() or toks[e].key in PARTICLES) \
            and ")" not in t.gap(e - 1, e):
        e += 1
    if e == j or e >= len(toks) or t.gap(e - 1, e) not in (") ", ")"):
        return j, kk
    k2 = kk
    while k2 < len(atoms) and atoms[k2].i < e:
        k2 += 1
    noun = atoms[k2].entry if k2 < len(atoms) and atoms[k2].i == e else None
    is_noun = (isinstance(noun, RoleNoun) and noun.cls in _ABSORB_CLASSES) or toks[e].key in _ABSORB
    return (e, k2) if is_noun else (j, kk)


def _person_after(t: _Text, k: int, j: int) -> tuple[int, int]:
    """After a title ending at token j: extend over a leader atom or a capitalised name.

    Returns (new end token, atoms consumed).
    """
    toks, atoms = t.toks, t.atoms
    if k < len(atoms) and atoms[k].i == j and atoms[k].entry.kind == "leader" and t.adjacent(j, j):
        return atoms[k].j, 1
    end = j
    words = 0
    while end < len(toks) and words < 5 and (
        t.tight(end - 1, end) or (words and toks[end - 1].key in _RANKS and t.gap(end - 1, end) == ". ")
    ):
        tok = toks[end]
        if tok.text[:1].isupper() and tok.key not in _NAME_STOP and not _atom_at(atoms, k, end):
            words += 1
            end += 1
        elif tok.key in _NAME_PARTICLES and words and end + 1 < len(toks):
            end += 1
        else:
            break
    while end > j and toks[end - 1].key in _NAME_PARTICLES:
        end -= 1
    return (end, 0) if words else (j, 0)


def _atom_at(atoms: list[Atom], k: int, i: int) -> bool:
    """One of the next atoms from k covers token i."""
    return any(a.i <= i < a.j for a in atoms[k : k + 3])


def _recent_state(t: _Text, cls: str, start: int) -> str | None:
    """The country of the last "Israeli police"-style mention of this class in the paragraph.

    A later bare "police" means the same force.
    """
    last = t.explicit.get(cls)
    if last is None:
        return None
    c, end = last
    if start - end > 1500 or "\n\n" in t.text[end:start]:
        return None
    return c
