"""`ActorBook`: the one object callers use, over the lexicon, the matcher and the composer."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from sitrep.actors.compose import Composer
from sitrep.actors.lexicon import Lexicon, normalise, ruler_patterns, strip_years
from sitrep.actors.match import ActorMention, Matcher, externalise, tokens
from sitrep.model import Actor


class ActorBook:
    """The compiled lexicon and what finds actors with it. Use `ActorBook.load()` (cached per process)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.countries = lexicon.countries  # ACLED name -> Country
        self.actors = lexicon.actors  # canonical actor name -> Group
        self.sources = lexicon.sources
        self.conflicts = lexicon.conflicts  # aliases given to two different things
        self._matcher = Matcher(lexicon)
        self._composer = Composer(lexicon)
        self._patterns: list[dict[str, Any]] | None = None

    @classmethod
    def load(cls) -> ActorBook:
        """The lexicon from the data files, compiled once per process."""
        return _load_book()

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
        toks = tokens(text)
        out = self._composer.compose(text, toks, self._matcher.atoms(text, toks), country, date)
        out.sort(key=lambda m: m.start)
        if "(" in text or "[" in text:
            out = self._matcher.coded_as(text, out, country)
        if foreign_as_external and country:
            out = [externalise(m, country) for m in out]
        return _without_overlaps(out)

    def class_actor(self, cls: str, country: str | None) -> Actor:
        """The actor a generic noun class stands for in a country ("military", "Syria")."""
        return self.lexicon.class_actor(cls, country)

    def government(self, country: str) -> Actor:
        """ "Government of X": a state's civilian authorities."""
        return self.lexicon.government(country)

    def civilians(self, country: str | None) -> Actor:
        """ "Civilians (X)"."""
        return self.lexicon.civilians(country)

    def country_of(self, word: str) -> str | None:
        """The country a word names: "Turkish", "Türkiye", "Ankara", "Syria's", "Erdogan" -> ACLED name."""
        return self._matcher.country_of(word)

    def guess_country(self, text: str) -> str | None:
        """The country a text is most about, from its country names, demonyms and capitals.

        The first mentioned wins a tie; for callers that have no geocoded country to pass to `find`.
        """
        return self._matcher.guess_country(text)

    def iso2(self, country: str) -> str | None:
        """ISO 3166-1 alpha-2 code of a country (any name, demonym or alias)."""
        name = country if country in self.countries else self.country_of(country)
        return self.countries[name].iso2 if name in self.countries else None

    def resolve(self, name: str, country: str | None = None, date: dt.date | None = None) -> Actor | None:
        """The actor a short name stands for, when the whole name is one mention.

        "the SDF", "Houthi forces", "Iraqi police", "Military Forces of Israel (2022-)".
        """
        if not name or not name.strip():
            return None
        text = strip_years(name.strip())
        canon = self.lexicon.canon.get(normalise(text))
        if canon:
            a = self.lexicon.named_actor(canon, date)
            return externalise(ActorMention("", 0, 0, a, ""), country).actor if country else a
        core = re.sub(r"^(?:the|The)\s+", "", text)
        for m in self.find(text, country, date):
            if m.text == core or m.text == text:
                return m.actor
        return None

    def ruler_patterns(self) -> list[dict[str, Any]]:
        """spaCy EntityRuler patterns for the domain's names (ORG, NORP, GPE, PERSON), with ids."""
        if self._patterns is None:
            self._patterns = ruler_patterns(self.lexicon)
        return list(self._patterns)


@lru_cache(maxsize=1)
def _load_book() -> ActorBook:
    return ActorBook(Lexicon.load())


def acled_name(actor: Actor) -> str:
    """The canonical ACLED-style name of an actor (years dropped), for scoring and export.

    Known aliases map to the canonical name ("SDF" -> "QSD: Syrian Democratic Forces");
    anything else keeps its own name without year brackets.
    """
    name = strip_years(actor.name or "")
    book = ActorBook.load()
    canon = book.lexicon.canon.get(normalise(name))
    if canon:
        return canon
    m = book.resolve(name)
    if m is not None and m.type is not None:
        return m.name
    return name


def _without_overlaps(mentions: list[ActorMention]) -> list[ActorMention]:
    """The mentions in text order, a longer one kept where two overlap ('President Aclan' in 'President Aclan
    militia': the official and the militia cannot both be named by the same words)."""
    kept: list[ActorMention] = []
    for m in sorted(mentions, key=lambda m: (m.start - m.end, m.start)):
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)
