"""The one place that composes the stages with the store: extract -> syndicate -> store -> merge.

`ingest_documents` (used by `sitrep ingest`, `reprocess`, `watch`, the web app's ingest and the
Dask workers) extracts the documents not yet stored and stores each with `add`, which runs one
transaction: replace the document, join it to the stored copies of its story (`syndication`),
save one report per extracted event, then re-merge every report that could report the same
incident as the new ones (`merge.cluster` over their neighbourhood, followed to a fixed point)
and save the merged events with their tolls. The merged events are therefore always those of
`merge.cluster` over every stored report, whatever order the documents came in.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from sitrep import __version__, geo, merge, syndication
from sitrep.ingest import content_id
from sitrep.model import Document, InputError, Report, Result
from sitrep.actors import ActorBook
from sitrep.store import EventFilter, Store

Outcome = Literal["stored", "updated", "unchanged", "skipped", "failed"]


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one input document."""

    origin: str
    document_id: str | None
    outcome: Outcome
    problem: str | None = None  # why it failed or was skipped


def with_aliases(f: EventFilter) -> EventFilter:
    """The filter with the names people write read as the store keeps them, through the tables the extractor uses:
    a country by any of the gazetteer's names or codes ('DRC' -> CD), an actor by any alias of the actor book
    ('al-Shabab' -> 'Al Shabaab'). What the tables do not know is kept as written."""
    countries = [*f.values("country"), *(found[0] for c in f.values("country") if (found := _gazetteer().country(c)))]
    actors = [*f.values("actor"), *(m.actor.name for a in f.values("actor") for m in _actor_book().find(a)
                                    if m.end - m.start >= len(a.strip()) - 2)]  # the alias is the whole value
    return dataclasses.replace(f, country=tuple(dict.fromkeys(countries)), actor=tuple(dict.fromkeys(actors)))


def towns(bbox: tuple[float, float, float, float], limit: int) -> list[dict[str, Any]]:
    """The largest towns inside a box (west, south, east, north), from the gazetteer: the map's town labels."""
    return [{"name": name, "lat": lat, "lon": lon, "population": pop}
            for name, lat, lon, pop in _gazetteer().largest_towns(bbox, limit)]


@cache
def _gazetteer() -> geo.Gazetteer:
    return geo.Gazetteer.open()


@cache
def _actor_book() -> ActorBook:
    return ActorBook.load()


def current_version() -> str:
    """The version recorded with each stored report: sitrep's, and the fingerprint of the GeoNames dumps loaded
    into the gazetteer ('0.2.0+gn3f2a…'), since those change where events are placed."""
    loaded = geo.loaded_fingerprint(geo.cache_dir())
    return f"{__version__}+gn{loaded}" if loaded else __version__


def add(store: Store, document: Document, result: Result, extractor_version: str | None = None,
        force: bool = False) -> Outcome:
    """Store one extracted document and re-merge around it, in one transaction; idempotent."""
    version = extractor_version or current_version()

    def write() -> Outcome:
        outcome, seeds = _put(store, document, result, version, force)
        remerge(store, seeds)
        return outcome

    return store.transaction(write)


def add_many(store: Store, items: Iterable[tuple[Document, Result]], extractor_version: str | None = None) -> None:
    """Store many extracted documents and merge them once, in one transaction: a bulk load (a benchmark's store,
    a migration), where re-merging around each document in turn costs time that grows with the neighbourhood."""
    version = extractor_version or current_version()

    def write() -> None:
        seeds: set[str] = set()
        for document, result in items:
            seeds |= _put(store, document, result, version, False)[1]
        remerge(store, seeds)

    store.transaction(write)


def _put(store: Store, document: Document, result: Result, version: str, force: bool) -> tuple[Outcome, set[str]]:
    """Write one document, its copies' links and its reports (no merging); its outcome and the reports to re-merge
    around."""
    digest = content_id(document.text)
    old = store.stored_version(document.id)
    if old == (digest, version) and not force:
        return "unchanged", set()
    wire = syndication.wire_origin(document.text)
    sig = syndication.signature(result.body() or document.text)
    bands = syndication.band_keys(sig)
    reports = _reports(document, result, version, wire)
    seeds = store.remove_document(document.id)
    store.put_document(document, result, digest, version, wire, sig.to_hex(), bands)
    seeds |= _join_copies(store, document.id, sig, bands)
    for report in reports:
        store.put_report(report)
    return ("skipped" if result.skipped else "updated" if old else "stored"), \
        seeds | {r.id for r in reports if r.event.event_type}


def _reports(document: Document, result: Result, version: str, wire: str | None) -> list[Report]:
    """One report per extracted event; the wire the story credits is its source, else the outlet."""
    reports = []
    for i, event in enumerate(result.events):
        article = result.articles[event.article] if event.article < len(result.articles) else None
        reports.append(Report(
            id=f"{document.id}/{i}", document_id=document.id, event=event, source=wire or document.source,
            url=document.url, published=(article.published if article else None) or document.published,
            extractor_version=version, outlet=document.source,
        ))
    return reports


def _join_copies(store: Store, document_id: str, sig: syndication.Signature, bands: list[str]) -> set[str]:
    """Join a stored document to the stored copies of its story; return the typed reports of the story's copies.

    Copies of one story form a group led by its smallest document id, so the group, and which
    document leads it, do not depend on the order of arrival.
    """
    stories = {copy_of or other for other, signature, copy_of in store.copy_candidates(bands, document_id)
               if syndication.similarity(sig, syndication.Signature.from_hex(signature))
               >= syndication.DUPLICATE_THRESHOLD}
    if not stories:
        return set()
    group = store.story_documents(stories) | {document_id}
    store.set_story(group, min(group))
    return store.document_reports(group - {document_id})


def remerge(store: Store, seeds: set[str]) -> None:
    """Recompute the merged events of every report that could link to the seeds, to a fixed point."""
    found: set[str] = set()
    frontier = set(seeds)
    while frontier:
        found |= frontier
        frontier = store.neighbours(frontier) - found
    store.drop_events(store.events_of(found))
    for event in merge.cluster(store.reports(sorted(found)).values()):
        store.put_event(event)


def ingest_documents(store: Store, items: Iterable[Document | InputError], extractor_factory: Callable[[], Any],
                     chunk: int = 32, force: bool = False) -> Iterator[IngestOutcome]:
    """Extract and store documents, skipping those already stored; one outcome per input, in order.

    The extractor is made only when some document needs extracting, so re-running a finished
    ingest is quick. Each document is committed on its own: an interrupted run keeps what it
    stored, and running it again stores the rest.
    """
    extractor = None
    batch: list[Document | InputError] = []
    version = current_version()

    def flush() -> Iterator[IngestOutcome]:
        nonlocal extractor
        todo = [d for d in batch if isinstance(d, Document)
                and (force or not store.is_current(d.id, content_id(d.text), version))]
        done: dict[int, Result | InputError] = {}
        if todo:
            extractor = extractor or extractor_factory()
            waiting: dict[str, deque[Document]] = defaultdict(deque)
            for doc in todo:
                waiting[doc.origin or doc.id].append(doc)
            for out in extractor.extract_many(todo):  # a result names its document's origin, an error its source
                key = out.source if isinstance(out, InputError) else out.origin or out.id
                done[id(waiting[key].popleft())] = out
        for item in batch:
            if isinstance(item, InputError):
                yield IngestOutcome(item.source, None, "failed", item.problem)
            elif id(item) not in done:
                yield IngestOutcome(item.origin, item.id, "unchanged")
            elif isinstance(out := done[id(item)], InputError):
                yield IngestOutcome(item.origin, item.id, "failed", out.problem)
            else:
                yield IngestOutcome(item.origin, item.id, add(store, item, out, version, force), out.skipped)

    for item in items:
        batch.append(item)
        if len(batch) >= chunk:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def reprocess(store: Store, extractor_factory: Callable[[], Any], everything: bool = False,
              chunk: int = 32) -> Iterator[IngestOutcome]:
    """Re-extract stored documents made by another extractor version (or all) and replace their reports."""
    stored = store.documents(stale_for=None if everything else current_version())
    yield from ingest_documents(store, (s.document for s in stored), extractor_factory, chunk=chunk, force=True)


class FeedItems:
    """The feed items `sitrep watch` has handled, kept in the store (`feeds.SeenItems`)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def seen(self, key: str) -> bool:
        """Whether the item was handled already."""
        return self.store.feed_item_seen(key)

    def remember(self, key: str, feed: str) -> None:
        """Record that the item was handled."""
        self.store.remember_feed_item(key, feed)
