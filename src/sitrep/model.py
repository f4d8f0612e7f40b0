"""Typed records passed between the pipeline stages.

Every stage takes and returns these records; no loose dicts travel between stages.
`to_dict` on the output records gives the JSON contract of DESIGN.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, Literal

Field = Literal["headline", "caption", "text"]
ClaimKind = Literal["killed", "injured", "casualties", "missing", "abducted", "arrested", "displaced"]
Qualifier = Literal["exact", "at_least", "more_than", "about", "up_to", "range", "vague"]
Precision = Literal["day", "week", "month", "year"]
PlacePrecision = Literal["town", "district", "province", "country", "region"]
TypeSource = Literal["rules", "model", "both"]

ACTOR_TYPES = (
    "State forces",
    "Rebel group",
    "Political militia",
    "Identity militia",
    "Rioters",
    "Protesters",
    "Civilians",
    "External/Other forces",
)

MAX_COUNT = 1_000_000_000  # the largest offset, limit or toll a filter may give (a database integer holds it)


def bbox_of(text: str) -> tuple[float, float, float, float]:
    """A box 'west,south,east,north' in degrees (west > east crosses 180°); ValueError saying what is wrong."""
    try:
        west, south, east, north = (float(x) for x in text.split(","))
    except ValueError:
        raise ValueError("a box is four numbers west,south,east,north in degrees") from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise ValueError("a box has longitudes within -180..180, latitudes within -90..90 and south <= north")
    return west, south, east, north

EVENT_TYPES = {
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}


class Problem(StrEnum):
    """Why an input was rejected: every rejection has one of these kinds (README, "Robustness")."""

    MISSING = "missing"  # no such file, not a regular file, an empty folder
    UNREADABLE = "unreadable"  # the file system or the network would not give the bytes
    EMPTY = "empty"  # nothing but white space
    BINARY = "binary"  # NUL or control bytes: not text in any encoding
    TOO_LARGE = "too_large"  # over the size limit (file, JSONL line, decompressed gzip, fetched page)
    MALFORMED = "malformed"  # broken JSON, JSONL line, gzip stream or feed XML
    BAD_RECORD = "bad_record"  # well-formed JSON that is not a document record
    UNKNOWN_DATE = "unknown_date"  # a 'published' value that is not a date
    NO_TEXT = "no_text"  # a page with no main text, or not a text page at all
    UNSUPPORTED = "unsupported"  # not an http(s) URL, a feed where a page was expected, an item without a link
    TIMEOUT = "timeout"  # a fetch or a document past its time budget
    WORKER_DIED = "worker_died"  # the worker process extracting it died (killed, out of memory) twice
    STORE = "store"  # the database refused it (locked, down, full): nothing of it was written; try again
    FAILED = "failed"  # extraction raised: a bug, reported with the exception and the document


class InputError(Exception):
    """A document that cannot be read; the message names the input and the problem, `kind` says which."""

    def __init__(self, source: str, problem: str, kind: Problem) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem
        self.kind = Problem(kind)

    def at(self, source: str) -> InputError:
        """The same error, naming another input (a file for an error found in its bytes)."""
        return InputError(source, self.problem, self.kind)

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str, Problem]]:
        """Pickle by its fields, so that errors cross process boundaries (worker pools, Dask)."""
        return (InputError, (self.source, self.problem, self.kind))


@dataclass
class Document:
    """One input document as read by `ingest`, before cleaning."""

    id: str
    text: str
    origin: str  # where it came from (path, 'stdin', 'file.jsonl:12'): named in errors
    html: str | None = None
    published: dt.date | None = None
    url: str | None = None
    source: str | None = None
    title: str | None = None  # a headline the input gives apart from its text (HTML <title>)


@dataclass
class Article:
    """One story after cleaning: headline, image caption and body kept apart."""

    headline: str | None
    caption: str | None
    text: str
    published: dt.date | None = None

    def field_text(self, name: Field) -> str:
        """The text of one field ('' when the field is absent)."""
        return (getattr(self, name) or "") if name != "text" else self.text

    def to_dict(self) -> dict[str, Any]:
        """The contract's article object."""
        return {
            "headline": self.headline,
            "caption": self.caption,
            "text": self.text,
            "published": self.published.isoformat() if self.published else None,
        }


@dataclass(frozen=True)
class Actor:
    """A normalised actor with its ACLED actor type."""

    name: str
    type: str | None  # one of ACTOR_TYPES, or None when unknown
    country: str | None = None  # the state it belongs to, for state forces and office holders

    def to_dict(self) -> dict[str, Any]:
        """The contract's actor object."""
        return {"name": self.name, "type": self.type}


@dataclass(frozen=True)
class Toll:
    """A death toll under DESIGN.md's rules (computed by `sitrep.tolls`), with why."""

    fatalities: int
    low: int | None
    high: int | None
    reason: str = ""


@dataclass(frozen=True)
class Location:
    """A place resolved against GeoNames."""

    name: str
    admin1: str | None
    country: str | None
    iso2: str | None
    lat: float | None
    lon: float | None
    geonames_id: int | None
    precision: PlacePrecision | None
    near: bool = False  # the text places the event near or outside this place ("near Y", "east of Y")
    mentioned: str | None = None  # the place the text names when the gazetteer lacks it ("the village of X near Y")

    @property
    def country_key(self) -> str | None:
        """The key that bounds a merge neighbourhood: the ISO2 code, else the country name."""
        return self.iso2 or self.country

    def to_dict(self) -> dict[str, Any]:
        """The contract's location object."""
        # its fields are plain values: a shallow copy (asdict deep-copies each one, the map's cost per point)
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class DateResolution:
    """A resolved date (or a range) with its precision, or the reason there is none."""

    date: dt.date | None
    date_end: dt.date | None = None
    precision: Precision | None = None
    reason: str = ""  # why this date (or why null), for verbose output


@dataclass
class Claim:
    """One count of people killed, injured, missing, abducted, arrested or displaced."""

    kind: ClaimKind
    count: int | None
    as_written: str
    qualifier: Qualifier
    field: Field
    start: int  # character offsets of `as_written` in the field's text
    end: int
    sentence: str
    count_high: int | None = None
    subject: str | None = None
    claimant: str | None = None
    part_of: int | None = None  # index in the event's claim list of the total this breaks down
    superseded: bool = False
    article: int = 0
    sentence_start: int = 0  # offset of the sentence in the field, for grouping
    # what the toll rule needs, read once by `claims` so that nothing downstream re-derives it:
    group: str = "all"  # who is counted: civilians / state_forces / armed_groups / all (people in general) / other:NOUN
    update: bool = False  # given as a newer figure ("the toll rose to 12"): it supersedes older ones
    coded: int | None = None  # the count ACLED's codebook gives a vague figure ("dozens"), or a note's stated toll
    stated: bool = False  # an ACLED note states the toll outright ("Fatalities coded as 3"): it decides the toll
    aggregate: bool = False  # a total over many incidents ("300 killed since the fighting began"): shown, never added
    incident: int = 0  # which incident of its article the claim belongs to (`events.segment`)
    canonical: str | None = None  # one name for the claimant however written ("U.N. officials" -> "United Nations")

    def to_dict(self) -> dict[str, Any]:
        """The contract's claim object."""
        return {
            "kind": self.kind,
            "count": self.count,
            "count_high": self.count_high,
            "as_written": self.as_written,
            "qualifier": self.qualifier,
            "subject": self.subject,
            "claimant": self.claimant,
            "claimant_canonical": self.canonical,
            "part_of": self.part_of,
            "superseded": self.superseded,
            "aggregate": self.aggregate,
            "incident": self.incident,
            "article": self.article,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "sentence": self.sentence,
        }


@dataclass
class Event:
    """One event reported in an article, with its claims and evidence."""

    article: int
    event_type: str | None
    sub_event_type: str | None
    date: DateResolution = field(default_factory=lambda: DateResolution(None, reason="no date found"))
    location: Location | None = None
    actor1: Actor | None = None
    actor2: Actor | None = None
    claims: list[Claim] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    fatalities: int = 0
    fatalities_low: int | None = None
    fatalities_high: int | None = None
    salience: float = 0.0
    type_source: TypeSource | None = None  # what decided the type: the rules, the learned model, or both agreeing
    type_confidence: float | None = None  # how sure that decision is, 0..1
    notes: list[str] = field(default_factory=list)  # reasons for verbose output

    def to_dict(self, verbose: bool = False) -> dict[str, Any]:
        """The contract's event object (with `notes` when verbose)."""
        out: dict[str, Any] = {
            "article": self.article,
            "event_type": self.event_type,
            "sub_event_type": self.sub_event_type,
            "date": self.date.date.isoformat() if self.date.date else None,
            "date_end": self.date.date_end.isoformat() if self.date.date_end else None,
            "date_precision": self.date.precision,
            "location": self.location.to_dict() if self.location else None,
            "actor1": self.actor1.to_dict() if self.actor1 else None,
            "actor2": self.actor2.to_dict() if self.actor2 else None,
            "type_source": self.type_source,
            "type_confidence": self.type_confidence,
            "fatalities": self.fatalities,
            "fatalities_low": self.fatalities_low,
            "fatalities_high": self.fatalities_high,
            "claims": [c.to_dict() for c in self.claims],
            "evidence": list(self.evidence),
        }
        if verbose:
            out["notes"] = [*self.notes, f"date: {self.date.reason}"]
        return out


@dataclass
class Result:
    """Everything extracted from one document."""

    id: str
    language: str
    articles: list[Article]
    events: list[Event]
    origin: str = ""
    skipped: str | None = None  # why the document was not processed (non-English, empty)

    def body(self) -> str:
        """The articles' body texts, without the page's boilerplate: what copies of one story share."""
        return "\n\n".join(a.text for a in self.articles)

    def to_dict(self, verbose: bool = False) -> dict[str, Any]:
        """The contract's document object."""
        out: dict[str, Any] = {
            "id": self.id,
            "language": self.language,
            "articles": [a.to_dict() for a in self.articles],
            "events": [e.to_dict(verbose) for e in self.events],
        }
        if self.skipped:
            out["skipped"] = self.skipped
        return out


@dataclass
class Report:
    """One event as one article of one stored document reports it."""

    id: str  # stable: "<document id>/<event index>"
    document_id: str
    event: Event
    source: str | None = None  # the wire origin the story credits ("AFP", "Reuters"), else the outlet
    url: str | None = None
    published: dt.date | None = None
    extractor_version: str = ""
    outlet: str | None = None  # the site or feed that published the document
    copy_of: str | None = None  # the first stored document of the same story, when this one republishes it


@dataclass
class MergedEvent:
    """One incident: every report of it, with tolls recomputed over all their claims."""

    id: str  # stable: derived from the smallest report id of the cluster
    event_type: str | None
    sub_event_type: str | None
    date: DateResolution
    location: Location | None
    actor1: Actor | None
    actor2: Actor | None
    fatalities: int
    fatalities_low: int | None
    fatalities_high: int | None
    reports: list[Report] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why the reports were merged

    @property
    def independent_reports(self) -> int:
        """How many distinct stories report the event: republished copies of one wire story count once."""
        return len({r.copy_of or r.document_id for r in self.reports})


@dataclass(frozen=True)
class EventSummary:
    """A merged event without its reports' claims and evidence: what lists and the map show."""

    id: str
    event_type: str | None
    sub_event_type: str | None
    date: DateResolution
    location: Location | None
    actor1: Actor | None
    actor2: Actor | None
    fatalities: int
    fatalities_low: int | None
    fatalities_high: int | None
    report_count: int
    independent_reports: int  # as `MergedEvent.independent_reports` counts them
    sources: tuple[str, ...]  # the distinct sources of its reports, sorted
    reasons: tuple[str, ...]  # why its reports were merged
