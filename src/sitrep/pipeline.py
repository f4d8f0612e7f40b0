"""The extraction pipeline: raw news documents in, sourced events out. It decides nothing itself:
each numbered step is one call into the stage that owns the decision.

For a chunk of documents (`Extractor.extract_many`; reading them is `sitrep.ingest`'s):
 1. ingest  — the language of each document (`ingest.detect_language`); non-English is skipped.
 2. clean   — boilerplate dropped, run-together stories split into `Article`s (`clean.clean`).
 3. nlp     — every headline, caption and body parsed in one batch (`nlp.pipe`).
For each article (`_article_events`):
 4. geo, dates — the article's countries (`geo.country_context`) and its date anchor (`dates.article_anchor`).
 5. sentences  — each sentence's triggers (`events`), claims and claimants (`claims`), places (`geo`), actors (`actors`).
 6. events     — the sentences grouped into draft events; the main one and the one a caption shows (`events`).
For each draft event (`_finish`):
 7. geo     — its place and precision (`geo.event_place`).
 8. events  — its type, sub-type and actors, with ACLED's territory and detention rules (`events.type_event`).
 9. claims, tolls — its claims (`claims.event_claims`) and toll (`tolls.toll`).
10. dates   — its date (`dates.event_date_of`).
For the document (`_events`):
11. merge   — reports of one incident in several articles become one event, most salient first (`merge`).
The contract's JSON is `Result.to_dict`; merging across documents and storing are `sitrep.service`'s.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from sitrep import acled, dates, events, geo, merge, nlp, tolls
from sitrep import claims as claims_stage
from sitrep.actors import ActorBook, ActorMention
from sitrep.clean import clean
from sitrep.ingest import detect_language
from sitrep.model import Article, Claim, Document, Event, Field, InputError, Location, Result

FIELDS: tuple[Field, ...] = ("headline", "caption", "text")
CHUNK = 32  # documents parsed together in one nlp.pipe stream
# A news article is 2–50k characters; the parser needs ~1 GB per 100k, and spaCy refuses 1M.
MAX_ARTICLE_CHARS = int(os.environ.get("SITREP_MAX_ARTICLE_CHARS", "300000"))


@dataclass
class Parsed:
    """An article with the spaCy parse of each of its fields."""

    index: int
    article: Article
    docs: dict[Field, Doc]


class Extractor:
    """Runs steps 1–11 on documents; loads the models, the actor book and the gazetteer once."""

    def __init__(self, typing: events.Typing = "both") -> None:
        self.typing = typing  # what types events: the rules, the learned model, or both (the default)
        self.nlp = nlp.load()
        self.book = ActorBook.load()
        self.gazetteer = geo.Gazetteer.open()

    def extract(self, document: Document) -> Result:
        """Extract the events of one document."""
        return next(iter(self.extract_many([document])))  # type: ignore[return-value]

    def extract_many(self, items: Iterable[Document | InputError]) -> Iterator[Result | InputError]:
        """Extract documents in chunks so that spaCy parses many texts per batch."""
        chunk: list[Document | InputError] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= CHUNK:
                yield from self._chunk(chunk)
                chunk = []
        if chunk:
            yield from self._chunk(chunk)

    def _chunk(self, items: Sequence[Document | InputError]) -> Iterator[Result | InputError]:
        """Clean, parse and analyse a chunk of documents, keeping their order."""
        prepared: list[Result | InputError] = []
        texts: list[tuple[str, tuple[int, int, Field]]] = []
        for item in items:
            if isinstance(item, InputError):
                prepared.append(item)
                continue
            result = self._prepare(item)
            prepared.append(result)
            if result.skipped:
                continue
            for a, article in enumerate(result.articles):
                for name in FIELDS:
                    text = article.field_text(name)
                    if text.strip():
                        texts.append((text, (len(prepared) - 1, a, name)))
        parsed: dict[tuple[int, int], dict[Field, Doc]] = {}
        for doc, (r, a, name) in nlp.pipe(texts, self.nlp):
            parsed.setdefault((r, a), {})[name] = doc
        for r, out in enumerate(prepared):
            if isinstance(out, Result) and not out.skipped:
                out.events = self._events([Parsed(a, art, parsed.get((r, a), {})) for a, art in enumerate(out.articles)])
            yield out

    def _prepare(self, document: Document) -> Result:
        """Steps 1–2: language check and cleaning."""
        language = detect_language(document.text)
        result = Result(document.id, language, [], [], origin=document.origin)
        if not document.text.strip():
            result.skipped = "empty text"
        elif language != "en":
            result.skipped = f"language '{language}' is not English; not processed"
        else:
            result.articles = clean(document)
            longest = max((len(a.field_text(f)) for a in result.articles for f in FIELDS), default=0)
            if not result.articles:
                result.skipped = "no article text after cleaning"
            elif longest > MAX_ARTICLE_CHARS:
                result.skipped = (f"an article of {longest:,} characters exceeds the {MAX_ARTICLE_CHARS:,}-character "
                                  "limit (SITREP_MAX_ARTICLE_CHARS); not processed")
        return result

    def _events(self, articles: Sequence[Parsed]) -> list[Event]:
        """Steps 4–11 for the articles of one document."""
        found: list[Event] = []
        for parsed in articles:
            found += self._article_events(parsed)
        found = merge.merge_within(found)
        found.sort(key=lambda e: -e.salience)
        return found

    def _article_events(self, parsed: Parsed) -> list[Event]:
        """Steps 4–10 for one article: its context, each sentence read, its events drafted, each one finished."""
        art = parsed.article
        countries, demonyms_only = geo.weighed_context(self.gazetteer, [art.field_text(f) for f in FIELDS])
        countries = (countries
                     or geo.countries_of_places(self._places(sent, ()) for doc in parsed.docs.values()
                                                for sent in doc.sents)
                     or self._actor_countries(parsed))
        ctx = ArticleContext(
            countries=countries,
            demonyms_only=demonyms_only,
            country=self.gazetteer.country_name(countries[0]) if countries else None,
            anchor=dates.article_anchor(art.published, art.headline, art.caption, art.text),
        )
        facts = self._read_sentences(parsed, ctx)
        drafts = events.draft_events(parsed.index, facts)
        note = acled.is_note(art.text)
        label = events.article_label(art.text, acled.note_label(art.text), drafts, facts, self.typing, note)
        drafts = events.with_label(parsed.index, drafts, facts, label)
        main = events.main_draft(drafts, label)
        shown = events.caption_draft(drafts, facts)
        lead = next((f for f in facts if f.field == "text"), None)
        coded = geo.coded_place(self.gazetteer, art.text, ctx.countries)
        finished = (
            self._finish(d, ctx, MainContext(label, self._stated_claim(parsed), lead, facts, coded, note)
                         if d is main else None,
                         dates.caption_date(art.caption) if d is shown else None, _places_before(d, facts))
            for d in drafts
        )
        # a draft whose triggers turned out not to be political violence (a flood) is no event
        return [e for e in finished if e is not None]

    def _actor_countries(self, parsed: Parsed) -> list[str]:
        """The countries (ISO2) of the forces and groups an article names ('TTP militants', 'police forces of
        Pakistan'), most named first: the last context for a text that names no country and no place
        known without one."""
        seen: dict[str, int] = {}
        for doc in parsed.docs.values():
            for m in self.book.find(doc.text, None):
                found = self.gazetteer.country(m.actor.country) if m.actor.country else None
                if found and m.role in ("armed", "state"):
                    seen[found[0]] = seen.get(found[0], 0) + 1
        return sorted(seen, key=lambda k: -seen[k])

    def _read_sentences(self, parsed: Parsed, ctx: ArticleContext) -> list[events.SentenceFacts]:
        """Step 5, sentence by sentence: triggers, claims with their claimants, places, actors."""
        context = claims_stage.ClaimantContext(_named_sources(parsed.docs.values()), self.book.country_of)
        facts: list[events.SentenceFacts] = []
        for name in FIELDS:
            doc = parsed.docs.get(name)
            if doc is None:
                continue
            headline_speaker = claims_stage.headline_claimant(doc.text) if name == "headline" else None
            for sent in doc.sents:
                found = claims_stage.extract_sentence(sent, name, parsed.index, context, headline_speaker)
                context.observe(sent)
                facts.append(events.SentenceFacts(
                    field=name,
                    sent=sent,
                    hits=events.find_triggers(sent),
                    claims=found,
                    places=self._places(sent, ctx.countries, ctx.demonyms_only),
                    actors=self._actors(sent, ctx.country),
                ))
        claims_stage.attribute_quotes([(f.sent, f.claims) for f in facts], context)
        return facts

    def _stated_claim(self, parsed: Parsed) -> Claim | None:
        """The toll an ACLED note states outright, as a claim."""
        doc = parsed.docs.get("text")
        stated = acled.stated_toll(parsed.article.text)
        return claims_stage.stated_claim(doc, stated[1], stated[2], stated[0], parsed.index) if stated and doc else None

    def _places(self, sent: Span, countries: Sequence[str], anywhere: bool = False) -> list[Location]:
        """Places named in a sentence, resolved against the gazetteer (see `geo.places_in` for `anywhere`)."""
        base = sent.start_char
        ents = [(e.start_char - base, e.end_char - base, e.label_) for e in sent.ents]
        return geo.places_in(self.gazetteer, sent.text, ents, countries, anywhere)

    def _actors(self, sent: Span, country: str | None) -> list[ActorMention]:
        """Actors named in a sentence, with offsets in the field's text."""
        base = sent.start_char
        return [
            dataclasses.replace(m, start=m.start + base, end=m.end + base)
            for m in self.book.find(sent.text, country)
        ]

    def _finish(self, draft: events.Draft, ctx: ArticleContext, main: MainContext | None,
                shown: dt.date | None, before: Sequence[Sequence[Location]] = ()) -> Event | None:
        """Steps 7–10 for one drafted event, each decision its stage's; None when it is no event after all."""
        own = [s.places for s in draft.sentences]
        location = geo.event_place(own, main.places if main else before, ctx.countries, main.coded if main else None)
        typed = events.type_event(draft, main.label if main else None, self.book, ctx.country, location,
                                  ctx.countries[0] if ctx.countries else None, self.typing, bool(main and main.note))
        if typed.event_type is None and not draft.label:
            return None
        claim_list = claims_stage.event_claims([(s.sent, s.claims) for s in draft.sentences],
                                               main.stated if main else None)
        toll = tolls.toll(claim_list)
        when = dates.event_date_of([(s.field, s.sent.text) for s in draft.sentences], ctx.anchor, shown,
                                   main.lead.sent.text if main and main.lead else None)
        event = Event(
            article=draft.article,
            event_type=typed.event_type,
            sub_event_type=typed.sub_event_type,
            date=when,
            location=location,
            actor1=typed.actor1,
            actor2=typed.actor2,
            claims=claim_list,
            evidence=list(dict.fromkeys(s.sent.text.strip() for s in draft.sentences)),
            fatalities=toll.fatalities,
            fatalities_low=toll.low,
            fatalities_high=toll.high,
            notes=[*typed.notes, geo.place_reason(location, own, ctx.countries, main.coded if main else None), f"fatalities: {toll.reason}"],
            type_source=typed.source,
            type_confidence=typed.confidence,
        )
        event.salience = events.salience(typed.event_type, draft.in_headline, toll.fatalities, draft.order, draft.earlier)
        return event


@dataclass(frozen=True)
class ArticleContext:
    """What an article tells each of its events: its countries (ISO2, likeliest first) and its date anchor."""

    countries: Sequence[str]
    country: str | None  # the likeliest country's name
    anchor: dates.Anchor | None
    demonyms_only: bool = False  # the countries come from demonyms alone: they rule out no place


@dataclass(frozen=True)
class MainContext:
    """What only an article's main event inherits: a note's label and stated toll, the lead, the article's places."""

    label: events.Label | None
    stated: Claim | None
    lead: events.SentenceFacts | None  # the article's first body sentence, which may date the main event
    facts: Sequence[events.SentenceFacts]
    coded: Location | None = None  # where a note says its event is coded ('[coded to Warsaw]')
    note: bool = False  # the article is an event note ('On 3 May 2022, …'): its main draft is an event by its form

    @property
    def places(self) -> list[list[Location]]:
        """The places of every sentence of the article, for a main event whose own sentences name none."""
        return [f.places for f in self.facts]


def _places_before(draft: events.Draft, facts: Sequence[events.SentenceFacts]) -> list[list[Location]]:
    """The places of the sentences before a draft's first, nearest first: where an event whose own sentences
    name no place is ('Their accomplice was shot dead by the police' after 'lynched two men in Ruai')."""
    first = next((i for i, f in enumerate(facts) if draft.sentences and f is draft.sentences[0]), 0)
    return [f.places for f in reversed(facts[:first]) if f.field == draft.sentences[0].field] if first else []


def _named_sources(docs: Iterable[Doc]) -> list[str]:
    """Organisations named in an article, for resolving 'a monitor' or 'the ministry'."""
    names: list[str] = []
    for doc in docs:
        for ent in doc.ents:
            if ent.label_ == "ORG":
                names.append(claims_stage.clean_name(ent.text))
    return list(dict.fromkeys(names))
