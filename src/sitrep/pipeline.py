"""The extraction pipeline: raw news documents in, sourced events out.

1. ingest  — read files, folders, JSONL, stdin into `Document`s (`sitrep.ingest`).
2. clean   — drop boilerplate, split run-together stories into `Article`s (`sitrep.clean`).
3. nlp     — parse every headline, caption and body with one spaCy pipeline, in batches (`sitrep.nlp`).
4. actors  — find and normalise actors in each sentence (`sitrep.actors`).
5. events  — find event triggers and group an article's sentences into events (`sitrep.events`).
6. claims  — read casualty claims with their claimants; link breakdowns (`sitrep.claims`); the toll
              of each event from its claims (`sitrep.tolls`).
7. dates   — resolve each event's date against the article's anchor (`sitrep.dates`).
8. geo     — resolve place mentions against GeoNames (`sitrep.geo`).
9. merge   — join reports of one incident within a document (`sitrep.merge`).
10. export — the contract's JSON (`Result.to_dict`) and readable summaries (`sitrep.export`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from sitrep import claims as claims_stage
from sitrep import acled, dates, events, geo, merge, nlp, tolls
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
    """Runs stages 2–10 on documents; loads the models and the gazetteer once."""

    def __init__(self) -> None:
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
        for r, result in enumerate(prepared):
            if isinstance(result, Result) and not result.skipped:
                arts = [Parsed(a, art, parsed.get((r, a), {})) for a, art in enumerate(result.articles)]
                result.events = self._events(arts)
            yield result

    def _prepare(self, document: Document) -> Result:
        """Stages 1–2: language check and cleaning."""
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
        """Stages 4–9 for the articles of one document."""
        found: list[Event] = []
        for parsed in articles:
            found += self._article_events(parsed)
        found = merge.merge_within(found)
        found.sort(key=lambda e: -e.salience)
        return found

    def _article_events(self, parsed: Parsed) -> list[Event]:
        """Events of one article."""
        art = parsed.article
        texts = [art.field_text(f) for f in FIELDS]
        countries = geo.country_context(self.gazetteer, texts) or self._countries_of_places(parsed)
        country = self.gazetteer.country_name(countries[0]) if countries else None
        sources = _named_sources(parsed.docs.values())
        context = claims_stage.ClaimantContext(sources, self.book.country_of)
        facts: list[events.SentenceFacts] = []
        for name in FIELDS:
            doc = parsed.docs.get(name)
            if doc is None:
                continue
            headline_speaker = claims_stage.headline_claimant(doc.text) if name == "headline" else None
            for sent in doc.sents:
                found = claims_stage.extract_sentence(sent, name, parsed.index, context)
                if headline_speaker:
                    for f in found:
                        f.claim.claimant = f.claim.claimant or headline_speaker
                context.observe(sent)
                facts.append(events.SentenceFacts(
                    field=name,
                    sent=sent,
                    hits=events.find_triggers(sent),
                    claims=found,
                    places=self._places(sent, countries),
                    actors=self._actors(sent, country),
                ))
        claims_stage.attribute_quotes([(f.sent, f.claims) for f in facts], context)
        anchor = dates.article_anchor(art.published, art.headline, art.caption, art.text)
        shown = dates.caption_date(art.caption)
        drafts = events.group_sentences(parsed.index, facts)
        label = acled.note_label(art.text)
        if label and not any(d.family for d in drafts) and facts:
            # a labelled note whose wording has no trigger ("Land seizure: settlers set up an outpost")
            drafts.insert(0, events.Draft(parsed.index, [f for f in facts if f.field == "text"][:1] or facts[:1]))
        main = next((d for d in drafts if d.family or label), None)
        lead = next((f for f in facts if f.field == "text"), None)
        stated = acled.stated_toll(art.text)
        stated_claim = (claims_stage.stated_claim(parsed.docs["text"], stated[1], stated[2], stated[0], parsed.index)
                        if stated is not None and "text" in parsed.docs else None)
        caption_draft = next((d for d in drafts if any(s.field == "caption" for s in d.sentences)), None)
        if caption_draft is None:
            caption_draft = next((d for d in drafts if d.family), None)
        finished = [
            self._finish(d, anchor, shown if d is caption_draft else None, country, countries,
                         label if d is main else None, stated_claim if d is main else None,
                         lead if d is main else None, facts if d is main else ())
            for d in drafts
        ]
        # a draft whose triggers turned out not to be political violence (a flood) is no event
        return [e for e, d in zip(finished, drafts) if e.event_type or d.label]

    def _countries_of_places(self, parsed: Parsed) -> list[str]:
        """Countries of the towns an article names, when it names no country ('in Baghdad')."""
        seen: dict[str, int] = {}
        for doc in parsed.docs.values():
            for sent in doc.sents:
                for loc in self._places(sent, ()):
                    if loc.iso2 and loc.precision in ("town", "district", "province"):
                        seen[loc.iso2] = seen.get(loc.iso2, 0) + 1
        return sorted(seen, key=lambda k: -seen[k])

    def _places(self, sent: Span, countries: Sequence[str]) -> list[Location]:
        """Places named in a sentence, resolved against the gazetteer."""
        base = sent.start_char
        ents = [(e.start_char - base, e.end_char - base, e.label_) for e in sent.ents if e.label_ in ("GPE", "LOC", "FAC")]
        return geo.places_in(self.gazetteer, sent.text, ents, countries)

    def _actors(self, sent: Span, country: str | None) -> list[ActorMention]:
        """Actors named in a sentence, with offsets in the field's text."""
        base = sent.start_char
        return [
            dataclasses.replace(m, start=m.start + base, end=m.end + base)
            for m in self.book.find(sent.text, country)
        ]

    def _finish(self, draft: events.Draft, anchor: dates.Anchor | None, shown, country: str | None,
                countries: Sequence[str], label: tuple[str, str] | None = None, stated: Claim | None = None,
                lead: events.SentenceFacts | None = None, article_facts: Sequence[events.SentenceFacts] = ()) -> Event:
        """Type, actors, place, date, claims and toll of one draft event."""
        victims = events.victims_of(draft)
        event_type, sub_type, notes = events.classify(draft, victims, label)
        claims_stage.inherit_claimants([(s.sent, s.claims) for s in draft.sentences])
        found = draft.claims
        claim_list = claims_stage.link_claims(found)
        if stated is not None and (stated.count or any(c.kind == "killed" for c in claim_list)):
            claim_list.append(stated)  # "There were no fatalities" is kept where it overrides a figure read
        toll = tolls.toll(claim_list)
        location = geo.best_place([s.places for s in draft.sentences], countries)
        if location is None and article_facts:
            # the main event's own sentences name no place: the article's places stand for it
            location = geo.best_place([f.places for f in article_facts], countries)
        if location is not None and location.country and location.iso2 != (countries[0] if countries else None):
            country = self.book.country_of(location.country) or location.country
        acled_country = (self.book.country_of(country) or country) if country else None
        generic = {cls: self.book.class_actor(cls, acled_country) if acled_country else None
                   for cls in ("armed", "civilians", "protesters", "rioters")}
        actor1, actor2 = events.choose_actors(draft, event_type, victims, generic["armed"], generic["civilians"],
                                              generic["protesters"], generic["rioters"])
        event_type, sub_type = events.territory((event_type, sub_type), actor1, country, draft)
        event_type, sub_type = events.detention((event_type, sub_type), actor1)
        evidence = list(dict.fromkeys(s.sent.text.strip() for s in draft.sentences))
        # body sentences first: a headline may carry a bulletin's period rather than the event's day
        ordered = [s for s in draft.sentences if s.field == "text"] + [s for s in draft.sentences if s.field == "headline"]
        when = dates.event_date([s.sent.text for s in ordered], anchor, shown)
        if when.date is None and lead is not None and lead not in ordered:
            # the lead sentence dates the article's main event ("On 10 March 2022, …")
            when = dates.event_date([lead.sent.text, *(s.sent.text for s in ordered)], anchor, shown)
        event = Event(
            article=draft.article,
            event_type=event_type,
            sub_event_type=sub_type,
            date=when,
            location=location,
            actor1=actor1,
            actor2=actor2,
            claims=claim_list,
            evidence=evidence,
            fatalities=toll.fatalities,
            fatalities_low=toll.low,
            fatalities_high=toll.high,
            notes=[*notes, f"fatalities: {toll.reason}"],
        )
        event.salience = events.salience(event_type, draft.in_headline, toll.fatalities, draft.order)
        return event


def _named_sources(docs: Iterable[Doc]) -> list[str]:
    """Organisations named in an article, for resolving 'a monitor' or 'the ministry'."""
    names: list[str] = []
    for doc in docs:
        for ent in doc.ents:
            if ent.label_ == "ORG":
                names.append(claims_stage.clean_name(ent.text))
    return list(dict.fromkeys(names))


def extract_documents(items: Iterable[Document | InputError]) -> Iterator[Result | InputError]:
    """Run the pipeline over documents (and pass read errors through), in order."""
    yield from Extractor().extract_many(items)
