"""Reading the store: reports, merged events, documents and articles, tallies and checks.

Every read returns the records of `sitrep.model` (or the small records below), never rows.
A read on its own survives a PostgreSQL restart (`Connection._rows`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sitrep.model import (
    Actor,
    Article,
    Claim,
    DateResolution,
    Document,
    Event,
    EventSummary,
    Location,
    MergedEvent,
    Report,
)
from sitrep.store.connection import Connection, parse_date

# --- records of the read API ------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilter:
    """What `Store.events` selects; every set field must match."""

    country: str | tuple[str, ...] | None = None  # country name or ISO2 code, any case; several: any of them
    admin1: str | None = None
    event_type: str | tuple[str, ...] | None = None  # several: any of them
    sub_event_type: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor: str | tuple[str, ...] | None = None  # substring of actor1 or actor2 of the event or of any of its reports
    min_fatalities: int | None = None
    text: str | None = None  # the search syntax of `search_terms` over any report's evidence
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north (degrees); west > east wraps
    limit: int | None = None
    offset: int = 0
    sort: str = "date"  # one of EVENT_SORTS; a leading '-' sorts descending

    def values(self, name: str) -> list[str]:
        """The values of a filter field that takes one or several (country, event type, actor); none when unset."""
        value = getattr(self, name)
        if isinstance(value, str):
            return [value] if value else []
        return [v for v in value or () if v]


@dataclass(frozen=True)
class MapCell:
    """Events drawn together on a map: their mean point, how many, killed, and how many of each event type."""

    lat: float
    lon: float
    events: int
    fatalities: int
    types: dict[str, int]


@dataclass(frozen=True)
class EventCounts:
    """How many events a filter matches, and how many of them the map or the timeline cannot show."""

    events: int
    without_point: int
    without_date: int


@dataclass(frozen=True)
class StoredDocument:
    """A stored document with what the store knows about it."""

    document: Document
    content_hash: str
    language: str | None
    extractor_version: str
    skipped: str | None


@dataclass(frozen=True)
class StoredArticle:
    """One stored article with the document it belongs to."""

    document_id: str
    index: int
    article: Article
    source: str | None
    url: str | None


@dataclass(frozen=True)
class Tally:
    """Merged events and their conservative fatalities under one key (a day, a country, a type, an actor, a place)."""

    key: str | None
    events: int
    fatalities: int


# How `EventFilter.sort` orders merged events (ties broken by id); '-' before a name sorts descending.
EVENT_SORTS = {"date": "e.date IS NULL, e.date {}, e.id", "fatalities": "e.fatalities {}, e.date IS NULL, e.date, e.id",
               "id": "e.id {}"}
TALLY_KEYS = {"day": "e.date", "country": "p.country", "type": "e.event_type"}
# A merged event's own row with its place and actors, for summaries; `_event_where` filters it.
SUMMARY_SELECT = (
    "SELECT e.id, e.event_type, e.sub_event_type, e.date, e.date_end, e.date_precision, e.date_reason, e.fatalities, "
    "e.fatalities_low, e.fatalities_high, p.id AS place_found, p.name, p.admin1, p.country, p.iso2, p.lat, p.lon, "
    "p.geonames_id, p.place_precision, p.near, p.mentioned, a1.name AS actor1, a1.type AS actor1_type, a1.country AS actor1_country, "
    "a2.name AS actor2, a2.type AS actor2_type, a2.country AS actor2_country FROM events e "
    "LEFT JOIN places p ON p.id = e.place_id LEFT JOIN actors a1 ON a1.name = e.actor1 "
    "LEFT JOIN actors a2 ON a2.name = e.actor2"
)
# Every report row (its source and story) and every merge reason of some events, in one round trip.
SUMMARY_PARTS = (
    "SELECT er.event_id, 'report' AS part, er.pos AS idx, r.source AS text, r.document_id, d.copy_of "
    "FROM event_reports er JOIN reports r ON r.id = er.report_id LEFT JOIN documents d ON d.id = r.document_id "
    "WHERE er.event_id IN ({0}) UNION ALL "
    "SELECT x.event_id, 'reason', x.idx, x.reason, NULL, NULL FROM event_reasons x WHERE x.event_id IN ({0})"
)


# --- reads ------------------------------------------------------------------------------------


class Reads(Connection):
    """The store's reads."""

    def reports(self, ids: Sequence[str]) -> dict[str, Report]:
        """Reports by id as extracted (claims marked superseded by their own document only), for merging."""
        return self._load_reports(ids, in_event=False)

    def neighbours(self, report_ids: Iterable[str]) -> set[str]:
        """Typed reports that could report the incident of any of these: the same country with dates within a
        day, or a copy of the same story; and the reports of the merged events that hold any of them."""
        ids = set(report_ids)
        rows = self._in("SELECT r.id, r.country_key, r.date, r.date_end, COALESCE(d.copy_of, d.id) AS story "
                        "FROM reports r JOIN documents d ON d.id = r.document_id WHERE r.id IN ({})", ids)
        near: set[str] = set()
        for r in rows:
            if r["country_key"] is None or r["date"] is None:
                continue
            lo = dt.date.fromisoformat(r["date"]) - dt.timedelta(days=1)
            hi = dt.date.fromisoformat(r["date_end"] or r["date"]) + dt.timedelta(days=1)
            near |= {x["id"] for x in self._rows(
                "SELECT id FROM reports WHERE country_key = ? AND event_type IS NOT NULL AND date <= ? "
                "AND COALESCE(date_end, date) >= ?", (r["country_key"], hi.isoformat(), lo.isoformat()))}
        near |= {x["id"] for x in self._in(
            "SELECT r.id FROM reports r JOIN documents d ON d.id = r.document_id WHERE r.event_type IS NOT NULL "
            "AND COALESCE(d.copy_of, d.id) IN ({})", {r["story"] for r in rows})}
        near |= {r["report_id"] for r in self._in("SELECT report_id FROM event_reports WHERE event_id IN ({})",
                                                  self.events_of(ids | near))}
        return near

    def events_of(self, report_ids: Iterable[str]) -> set[str]:
        """Ids of the merged events that hold any of these reports."""
        return {r["event_id"] for r in self._in("SELECT event_id FROM event_reports WHERE report_id IN ({})", report_ids)}

    def stored_version(self, document_id: str) -> tuple[str, str] | None:
        """The content hash and extractor version a document is stored with, or None when it is not stored."""
        rows = self._rows("SELECT content_hash, extractor_version FROM documents WHERE id = ?", (document_id,))
        return (rows[0]["content_hash"], rows[0]["extractor_version"]) if rows else None

    def is_current(self, document_id: str, content_hash: str, extractor_version: str) -> bool:
        """Whether this document, with this content, is stored by this extractor version."""
        return self.stored_version(document_id) == (content_hash, extractor_version)

    def copy_candidates(self, bands: Iterable[str], document_id: str) -> list[tuple[str, str, str | None]]:
        """Other stored documents sharing a MinHash band with a document: (id, signature, copy_of)."""
        rows = self._in("SELECT DISTINCT d.id, d.signature, d.copy_of FROM document_bands b JOIN documents d "
                        "ON d.id = b.document_id WHERE b.band IN ({})", bands)
        return sorted((r["id"], r["signature"], r["copy_of"]) for r in rows if r["id"] != document_id and r["signature"])

    def story_documents(self, stories: Iterable[str]) -> set[str]:
        """The documents of these stories (a story is named by its first document's id)."""
        return {r["id"] for r in self._in("SELECT id FROM documents WHERE COALESCE(copy_of, id) IN ({})", stories)}

    def story_of(self, document_id: str) -> str | None:
        """The story a stored document belongs to (its first copy's id, else its own), or None when not stored."""
        rows = self._rows("SELECT COALESCE(copy_of, id) AS story FROM documents WHERE id = ?", (document_id,))
        return rows[0]["story"] if rows else None

    def document_reports(self, document_ids: Iterable[str]) -> set[str]:
        """Ids of the typed reports of these documents."""
        return {r["id"] for r in self._in("SELECT id FROM reports WHERE event_type IS NOT NULL AND document_id IN ({})",
                                          document_ids)}

    def feed_item_seen(self, key: str) -> bool:
        """Whether `sitrep watch` has handled this feed item already."""
        return bool(self._rows("SELECT 1 FROM feed_items WHERE item_key = ?", (key,)))

    def _load_reports(self, ids: Sequence[str], in_event: bool = True) -> dict[str, Report]:
        """Reports by id with their claims and evidence; `in_event` shows claims as their merged event marks them."""
        rows = self._in("SELECT * FROM reports WHERE id IN ({})", ids)
        places = self._places({r["place_id"] for r in rows if r["place_id"]})
        actors = self._actors({r[k] for r in rows for k in ("actor1", "actor2") if r[k]})
        claims: dict[str, list[Claim]] = {}
        for c in sorted(self._in("SELECT * FROM claims WHERE report_id IN ({})", ids), key=lambda c: c["idx"]):
            claims.setdefault(c["report_id"], []).append(Claim(
                kind=c["kind"], count=c["count_value"], as_written=c["as_written"], qualifier=c["qualifier"],
                field=c["field_name"], start=c["start_offset"], end=c["end_offset"], sentence=c["sentence"],
                count_high=c["count_high"], subject=c["subject"], claimant=c["claimant"], part_of=c["part_of"],
                superseded=bool(c["superseded_in_event"] if in_event else c["superseded"]), article=c["article"],
                sentence_start=c["sentence_start"], group=c["group_counted"], update=bool(c["is_update"]),
                coded=c["coded"], stated=bool(c["stated"]), aggregate=bool(c["aggregate"]), incident=c["incident"],
                canonical=c["claimant_canonical"],
            ))
        docs = {d["id"]: dict(d) for d in self._in("SELECT id, source, copy_of FROM documents WHERE id IN ({})",
                                                {r["document_id"] for r in rows})}
        evidence: dict[str, list[str]] = {}
        for s in sorted(self._in("SELECT * FROM evidence WHERE report_id IN ({})", ids), key=lambda s: s["idx"]):
            evidence.setdefault(s["report_id"], []).append(s["sentence"])
        out: dict[str, Report] = {}
        for r in rows:
            event = Event(
                article=r["article"], event_type=r["event_type"], sub_event_type=r["sub_event_type"],
                date=DateResolution(parse_date(r["date"]), parse_date(r["date_end"]), r["date_precision"], r["date_reason"] or ""),
                location=places.get(r["place_id"]), actor1=actors.get(r["actor1"]), actor2=actors.get(r["actor2"]),
                claims=claims.get(r["id"], []), evidence=evidence.get(r["id"], []), fatalities=r["fatalities"],
                fatalities_low=r["fatalities_low"], fatalities_high=r["fatalities_high"], salience=r["salience"] or 0.0,
                notes=json.loads(r["notes"] or "[]"), type_source=r["type_source"], type_confidence=r["type_confidence"],
            )
            doc = docs.get(r["document_id"], {})
            out[r["id"]] = Report(r["id"], r["document_id"], event, r["source"], r["url"], parse_date(r["published"]),
                                  r["extractor_version"], outlet=doc.get("source"), copy_of=doc.get("copy_of"))
        return out

    def _places(self, ids: Iterable[str]) -> dict[str, Location]:
        """Places by id."""
        return {p["id"]: _location(p) for p in self._in("SELECT * FROM places WHERE id IN ({})", ids)}

    def _actors(self, names: Iterable[str]) -> dict[str, Actor]:
        """Actors by name."""
        return {a["name"]: Actor(a["name"], a["type"], a["country"])
                for a in self._in("SELECT * FROM actors WHERE name IN ({})", names)}

    def events(self, filters: EventFilter | None = None) -> list[MergedEvent]:
        """Merged events matching the filters, in the filter's order (by date then id by default), with reports and claims."""
        f = filters or EventFilter()
        where, params = self._event_where(f)
        sql = ("SELECT e.id FROM events e LEFT JOIN places p ON p.id = e.place_id WHERE " + where
               + " ORDER BY " + _event_order(f.sort))
        ids = [r["id"] for r in self._rows(*self._paged(sql, params, f))]
        found = self._load_events(ids)
        return [found[i] for i in ids]

    def event_summaries(self, filters: EventFilter | None = None) -> list[EventSummary]:
        """The merged events of `events(filters)`, in the same order, as summaries: two queries, no claims read."""
        f = filters or EventFilter()
        where, params = self._event_where(f)
        sql = SUMMARY_SELECT + " WHERE " + where + " ORDER BY " + _event_order(f.sort)
        return self._summaries(self._rows(*self._paged(sql, params, f)))

    def event_summaries_of(self, ids: Sequence[str]) -> list[EventSummary]:
        """Summaries of these merged events in the order given (an id not stored is left out)."""
        rows = {r["id"]: r for r in self._in(SUMMARY_SELECT + " WHERE e.id IN ({})", ids)}
        return self._summaries([rows[i] for i in ids if i in rows])

    def _paged(self, sql: str, params: list[Any], f: EventFilter) -> tuple[str, list[Any]]:
        """A query and its parameters with the filter's limit and offset."""
        if f.limit is not None:
            return sql + " LIMIT ? OFFSET ?", [*params, f.limit, f.offset]
        if f.offset:
            return sql + (" LIMIT -1 OFFSET ?" if self.dialect == "sqlite" else " OFFSET ?"), [*params, f.offset]
        return sql, params

    def _summaries(self, rows: Sequence[Any]) -> list[EventSummary]:
        """Summaries of rows of SUMMARY_SELECT, with their reports' count, stories and sources and the merge reasons."""
        parts: dict[str, dict[str, list[Any]]] = {r["id"]: {"report": [], "reason": []} for r in rows}
        ids = list(parts)
        for k in range(0, len(ids), 500):
            chunk = ids[k : k + 500]
            for x in self._rows(SUMMARY_PARTS.format(", ".join("?" * len(chunk))), [*chunk, *chunk]):
                parts[x["event_id"]][x["part"]].append(x)
        return [_summary(r, parts[r["id"]]["report"], parts[r["id"]]["reason"]) for r in rows]

    def _event_where(self, f: EventFilter) -> tuple[str, list[Any]]:
        """The WHERE clause (over events `e` left-joined to places `p`) and parameters of a filter."""
        where: list[str] = ["1 = 1"]
        params: list[Any] = []
        countries = f.values("country")
        if countries:
            where.append("(" + " OR ".join(["LOWER(p.country) = LOWER(?) OR LOWER(p.iso2) = LOWER(?)"] * len(countries))
                         + ")")
            params += [c for country in countries for c in (country, country)]
        if f.admin1:
            where.append("LOWER(p.admin1) = LOWER(?)")
            params.append(f.admin1)
        for column, field in (("e.event_type", "event_type"), ("e.sub_event_type", "sub_event_type")):
            values = f.values(field)
            if values:
                where.append("(" + " OR ".join([f"LOWER({column}) = LOWER(?)"] * len(values)) + ")")
                params += values
        if f.date_from:
            where.append("COALESCE(e.date_end, e.date) >= ?")
            params.append(f.date_from.isoformat())
        if f.date_to:
            where.append("e.date <= ?")
            params.append(f.date_to.isoformat())
        if f.min_fatalities is not None:
            where.append("e.fatalities >= ?")
            params.append(f.min_fatalities)
        actors = f.values("actor")
        if actors:
            one = ("LOWER(e.actor1) LIKE ? ESCAPE '\\' OR LOWER(e.actor2) LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM "
                   "event_reports er JOIN reports r ON r.id = er.report_id WHERE er.event_id = e.id AND "
                   "(LOWER(r.actor1) LIKE ? ESCAPE '\\' OR LOWER(r.actor2) LIKE ? ESCAPE '\\'))")
            where.append("(" + " OR ".join([one] * len(actors)) + ")")
            params += [_like(a) for a in actors for _ in range(4)]
        if f.bbox is not None:
            west, south, east, north = f.bbox
            where.append("p.lat BETWEEN ? AND ? AND " + ("p.lon BETWEEN ? AND ?" if west <= east
                                                         else "(p.lon >= ? OR p.lon <= ?)"))  # across 180°
            params += [south, north, west, east]
        # text search: every group must match (one of its words or phrases, `OR`), no `-word` may
        for group, wanted in search_terms(f.text or ""):
            said = ("EXISTS (SELECT 1 FROM event_reports er JOIN evidence v ON v.report_id = er.report_id "
                    "WHERE er.event_id = e.id AND (" + " OR ".join(["LOWER(v.sentence) LIKE ? ESCAPE '\\'"] * len(group))
                    + "))")
            where.append(said if wanted else f"NOT {said}")
            params += [_like(term) for term in group]
        return " AND ".join(where), params

    def event(self, event_id: str) -> MergedEvent | None:
        """One merged event with its reports, claims and merge reasons (an unambiguous id prefix will do)."""
        rows = self._rows("SELECT id FROM events WHERE id = ?", (event_id,))
        if not rows and len(event_id) >= 4:
            rows = self._rows("SELECT id FROM events WHERE id LIKE ? ESCAPE '\\'", (_like(event_id, prefix=True),))
            rows = rows if len(rows) == 1 else []
        return self._load_events([rows[0]["id"]])[rows[0]["id"]] if rows else None

    def _load_events(self, ids: Sequence[str]) -> dict[str, MergedEvent]:
        """Merged events by id, with reports in merge order."""
        if not ids:
            return {}
        rows = self._in("SELECT * FROM events WHERE id IN ({})", ids)
        links = sorted(self._in("SELECT * FROM event_reports WHERE event_id IN ({})", ids), key=lambda r: r["pos"])
        reasons = sorted(self._in("SELECT * FROM event_reasons WHERE event_id IN ({})", ids), key=lambda r: r["idx"])
        reports = self._load_reports([link["report_id"] for link in links])
        places = self._places({r["place_id"] for r in rows if r["place_id"]})
        actors = self._actors({r[k] for r in rows for k in ("actor1", "actor2") if r[k]})
        out: dict[str, MergedEvent] = {}
        for r in rows:
            out[r["id"]] = MergedEvent(
                id=r["id"], event_type=r["event_type"], sub_event_type=r["sub_event_type"],
                date=DateResolution(parse_date(r["date"]), parse_date(r["date_end"]), r["date_precision"], r["date_reason"] or ""),
                location=places.get(r["place_id"]), actor1=actors.get(r["actor1"]), actor2=actors.get(r["actor2"]),
                fatalities=r["fatalities"], fatalities_low=r["fatalities_low"], fatalities_high=r["fatalities_high"],
                reports=[reports[link["report_id"]] for link in links if link["event_id"] == r["id"]],
                reasons=[x["reason"] for x in reasons if x["event_id"] == r["id"]],
            )
        return out

    def documents(self, stale_for: str | None = None) -> list[StoredDocument]:
        """Stored documents by id; with `stale_for`, only those extracted by another extractor version."""
        sql, params = "SELECT * FROM documents", []
        if stale_for is not None:
            sql += " WHERE extractor_version <> ?"
            params.append(stale_for)
        out = []
        for r in self._rows(sql + " ORDER BY id", params):
            doc = Document(id=r["id"], text=r["text"], origin=r["origin"] or "", html=r["html"],
                           published=parse_date(r["published"]), url=r["url"], source=r["source"], title=r["title"])
            out.append(StoredDocument(doc, r["content_hash"], r["language"], r["extractor_version"], r["skipped"]))
        return out

    def counts(self) -> dict[str, int]:
        """Rows per table, for summaries and consistency checks."""
        tables = ("documents", "articles", "reports", "claims", "evidence", "actors", "places", "sources", "events",
                  "event_reports")
        return {t: self._rows(f"SELECT COUNT(*) AS n FROM {t}")[0]["n"] for t in tables}

    # -- reading for the web app

    def count_events(self, filters: EventFilter | None = None) -> int:
        """How many merged events match the filters (ignoring limit and offset)."""
        return self.event_counts(filters).events

    def event_counts(self, filters: EventFilter | None = None) -> EventCounts:
        """How many merged events match the filters, and how many of them have no point or no date."""
        where, params = self._event_where(filters or EventFilter())
        row = self._rows("SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN p.lat IS NULL THEN 1 ELSE 0 END), 0) AS np, "
                         "COALESCE(SUM(CASE WHEN e.date IS NULL THEN 1 ELSE 0 END), 0) AS nd "
                         "FROM events e LEFT JOIN places p ON p.id = e.place_id WHERE " + where, params)[0]
        return EventCounts(int(row["n"]), int(row["np"]), int(row["nd"]))

    def map_cells(self, filters: EventFilter, cell: float) -> list[MapCell]:
        """The events of the filters with a point, grouped in cells of `cell` degrees: how many, of which types,
        killed, and their mean point (what a map draws when there are too many points to send one by one)."""
        where, params = self._event_where(filters)
        rows = self._rows(
            "SELECT ROUND(p.lat / ?) AS cy, ROUND(p.lon / ?) AS cx, e.event_type AS t, COUNT(*) AS n, "
            "COALESCE(SUM(e.fatalities), 0) AS f, AVG(p.lat) AS lat, AVG(p.lon) AS lon FROM events e "
            f"JOIN places p ON p.id = e.place_id WHERE p.lat IS NOT NULL AND {where} GROUP BY 1, 2, 3",
            [cell, cell, *params])
        cells: dict[tuple[float, float], dict[str, Any]] = {}
        for r in rows:
            c = cells.setdefault((r["cy"], r["cx"]), {"n": 0, "f": 0, "lat": 0.0, "lon": 0.0, "types": {}})
            n = int(r["n"])
            c["n"] += n
            c["f"] += int(r["f"])
            c["lat"] += float(r["lat"]) * n
            c["lon"] += float(r["lon"]) * n
            c["types"][r["t"] or ""] = n
        found = [MapCell(c["lat"] / c["n"], c["lon"] / c["n"], c["n"], c["f"], c["types"]) for c in cells.values()]
        return sorted(found, key=lambda m: -m.events)

    def tally(self, by: str, filters: EventFilter | None = None) -> list[Tally]:
        """Events and fatalities matching the filters per day, country or event type (a key of TALLY_KEYS)."""
        key = TALLY_KEYS[by]
        where, params = self._event_where(filters or EventFilter())
        rows = self._rows(f"SELECT {key} AS k, COUNT(*) AS n, COALESCE(SUM(e.fatalities), 0) AS f FROM events e "
                          f"LEFT JOIN places p ON p.id = e.place_id WHERE {where} GROUP BY {key} ORDER BY {key} IS NULL, {key}", params)
        return [Tally(r["k"], r["n"], int(r["f"])) for r in rows]

    def actors(self, name: str | None = None, limit: int = 100,
               offset: int = 0) -> tuple[list[tuple[Actor, Tally]], int]:
        """Actors (a name substring narrows them) with their merged events, most events first; and how many match."""
        where, params = "LOWER(a.name) LIKE ? ESCAPE '\\'", [_like(name or "")]
        total = self._rows(f"SELECT COUNT(*) AS n FROM actors a WHERE {where}", params)[0]["n"]
        rows = self._rows(
            "SELECT a.name, a.type, a.country, COUNT(e.id) AS n, COALESCE(SUM(e.fatalities), 0) AS f FROM actors a "
            f"LEFT JOIN events e ON e.actor1 = a.name OR e.actor2 = a.name WHERE {where} "
            "GROUP BY a.name, a.type, a.country ORDER BY COUNT(e.id) DESC, a.name LIMIT ? OFFSET ?",
            [*params, limit, offset])
        return [(Actor(r["name"], r["type"], r["country"]), Tally(r["name"], r["n"], int(r["f"]))) for r in rows], total

    def places(self, country: str | None = None, limit: int = 100,
               offset: int = 0) -> tuple[list[tuple[Location, Tally]], int]:
        """Places (a country name or ISO2 code narrows them) with their merged events, most first; and how many match."""
        where, params = "1 = 1", []
        if country:
            where, params = "(LOWER(p.country) = LOWER(?) OR LOWER(p.iso2) = LOWER(?))", [country, country]
        total = self._rows(f"SELECT COUNT(*) AS n FROM places p WHERE {where}", params)[0]["n"]
        rows = self._rows(
            "SELECT p.id, p.name, p.admin1, p.country, p.iso2, p.lat, p.lon, p.geonames_id, p.place_precision, p.near, "
            "p.mentioned, COUNT(e.id) AS n, COALESCE(SUM(e.fatalities), 0) AS f FROM places p "
            f"LEFT JOIN events e ON e.place_id = p.id WHERE {where} GROUP BY p.id, p.name, p.admin1, p.country, p.iso2, "
            "p.lat, p.lon, p.geonames_id, p.place_precision, p.near, p.mentioned ORDER BY COUNT(e.id) DESC, p.name, p.id LIMIT ? OFFSET ?",
            [*params, limit, offset])
        return [(_location(r), Tally(r["id"], r["n"], int(r["f"]))) for r in rows], total

    def articles(self, document_id: str | None = None, text: str | None = None, limit: int = 100,
                 offset: int = 0) -> tuple[list[StoredArticle], int]:
        """Stored articles, newest first (one document's, or those whose headline or text has the words); how many match."""
        where, params = ["1 = 1"], []
        if document_id is not None:
            where.append("a.document_id = ?")
            params.append(document_id)
        if text:
            where.append("(LOWER(a.headline) LIKE ? ESCAPE '\\' OR LOWER(a.text) LIKE ? ESCAPE '\\')")
            params += [_like(text)] * 2
        sql = " FROM articles a JOIN documents d ON d.id = a.document_id WHERE " + " AND ".join(where)
        total = self._rows("SELECT COUNT(*) AS n" + sql, params)[0]["n"]
        rows = self._rows("SELECT a.*, d.source, d.url" + sql + " ORDER BY a.published IS NULL, a.published DESC, "
                          "a.document_id, a.idx LIMIT ? OFFSET ?", [*params, limit, offset])
        return [_stored_article(r) for r in rows], total

    def article(self, document_id: str, index: int) -> StoredArticle | None:
        """One stored article, by its document and its index in that document."""
        rows = self._rows("SELECT a.*, d.source, d.url FROM articles a JOIN documents d ON d.id = a.document_id "
                          "WHERE a.document_id = ? AND a.idx = ?", (document_id, index))
        return _stored_article(rows[0]) if rows else None

    def document_events(self, document_id: str) -> list[str]:
        """Ids of the merged events that hold a report of this document."""
        rows = self._rows("SELECT DISTINCT er.event_id FROM event_reports er JOIN reports r ON r.id = er.report_id "
                          "WHERE r.document_id = ? ORDER BY er.event_id", (document_id,))
        return [r["event_id"] for r in rows]

    def check(self) -> list[str]:
        """Consistency problems (none in a healthy store): orphans, and typed reports in no event or in two."""
        problems = []
        queries = {
            "articles without a document": "SELECT COUNT(*) AS n FROM articles a WHERE NOT EXISTS "
                                           "(SELECT 1 FROM documents d WHERE d.id = a.document_id)",
            "reports without a document": "SELECT COUNT(*) AS n FROM reports r WHERE NOT EXISTS "
                                          "(SELECT 1 FROM documents d WHERE d.id = r.document_id)",
            "claims without a report": "SELECT COUNT(*) AS n FROM claims c WHERE NOT EXISTS "
                                       "(SELECT 1 FROM reports r WHERE r.id = c.report_id)",
            "typed reports in no event": "SELECT COUNT(*) AS n FROM reports r WHERE r.event_type IS NOT NULL AND NOT "
                                         "EXISTS (SELECT 1 FROM event_reports er WHERE er.report_id = r.id)",
            "reports in two events": "SELECT COUNT(*) AS n FROM (SELECT report_id FROM event_reports GROUP BY "
                                     "report_id HAVING COUNT(*) > 1) x",
            "event links without an event": "SELECT COUNT(*) AS n FROM event_reports er WHERE NOT EXISTS "
                                            "(SELECT 1 FROM events e WHERE e.id = er.event_id)",
        }
        for name, sql in queries.items():
            n = self._rows(sql)[0]["n"]
            if n:
                problems.append(f"{n} {name}")
        return problems


# --- helpers ----------------------------------------------------------------------------------


def _like(text: str, prefix: bool = False) -> str:
    """A LIKE pattern matching text literally (lower-cased), as a substring or a prefix."""
    escaped = re.sub(r"([\\%_])", r"\\\1", text.lower())
    return escaped + "%" if prefix else f"%{escaped}%"


SEARCH_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def search_terms(query: str) -> list[tuple[list[str], bool]]:
    """A text search as groups that must all match: words and "quoted phrases" (each a substring of some evidence
    sentence, any case), alternatives joined by `OR`, `-word` or `-"phrase"` for what must not appear.
    'shabaab "car bomb" -drill' -> [(['shabaab'], True), (['car bomb'], True), (['drill'], False)];
    'mortar OR shelling' -> [(['mortar', 'shelling'], True)]."""
    groups: list[tuple[list[str], bool]] = []
    joining = False
    for m in SEARCH_TOKEN.finditer(query):
        if m.group(3) == "OR":  # joins two wanted terms; alone or after a '-word' it means nothing
            joining = bool(groups) and groups[-1][1]
            continue
        if m.group(3) is not None:
            negated, term = m.group(3).startswith("-") and len(m.group(3)) > 1, m.group(3)
            term = term[1:] if negated else term
        else:
            negated, term = bool(m.group(1)), m.group(2)
        term = " ".join(term.split())
        if not term:
            continue
        if joining and not negated:
            groups[-1][0].append(term)
        else:
            groups.append(([term], not negated))
        joining = False
    return groups


def _event_order(sort: str) -> str:
    """The ORDER BY of a sort name of EVENT_SORTS, '-' first for descending."""
    name = sort.removeprefix("-")
    if name not in EVENT_SORTS:
        raise ValueError(f"unknown sort {sort!r}; expected one of {', '.join(EVENT_SORTS)}, with '-' to reverse")
    return EVENT_SORTS[name].format("DESC" if sort.startswith("-") else "ASC")


def _location(row: Any) -> Location:
    """A place from a row holding the columns of `places`."""
    return Location(row["name"], row["admin1"], row["country"], row["iso2"], row["lat"], row["lon"], row["geonames_id"],
                    row["place_precision"], bool(row["near"]), row["mentioned"])


def _summary(row: Any, reports: list[Any], reasons: list[Any]) -> EventSummary:
    """An event summary from its row of SUMMARY_SELECT and its rows of SUMMARY_PARTS."""
    date = DateResolution(parse_date(row["date"]), parse_date(row["date_end"]), row["date_precision"],
                          row["date_reason"] or "")
    actors = [Actor(row[k], row[f"{k}_type"], row[f"{k}_country"]) if row[k] is not None else None
              for k in ("actor1", "actor2")]
    return EventSummary(
        id=row["id"], event_type=row["event_type"], sub_event_type=row["sub_event_type"], date=date,
        location=_location(row) if row["place_found"] is not None else None, actor1=actors[0], actor2=actors[1],
        fatalities=row["fatalities"], fatalities_low=row["fatalities_low"], fatalities_high=row["fatalities_high"],
        report_count=len(reports),
        independent_reports=len({x["copy_of"] or x["document_id"] for x in reports}),  # MergedEvent's rule
        sources=tuple(sorted({x["text"] for x in reports if x["text"]})),
        reasons=tuple(x["text"] for x in sorted(reasons, key=lambda x: x["idx"])),
    )


def _stored_article(row: Any) -> StoredArticle:
    """An article row joined with its document's source and url."""
    article = Article(row["headline"], row["caption"], row["text"], parse_date(row["published"]))
    return StoredArticle(row["document_id"], row["idx"], article, row["source"], row["url"])