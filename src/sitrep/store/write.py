"""Writing the store: documents, reports, claims, merged events, copies of one story, feed items.

Each write method is one step of a transaction that `sitrep.service` composes and runs with
`Connection.transaction`; the store saves what it is given (reports with their tolls, merged
events with theirs) and decides nothing about extraction, merging or tolls.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sitrep.model import Document, Location, MergedEvent, Report, Result
from sitrep.store.connection import Connection, iso, now_iso


class Writes(Connection):
    """The store's writes."""

    def remove_document(self, document_id: str) -> set[str]:
        """Delete a document with its articles, reports and their merged events; return the reports to re-merge.

        Those are the other reports of the dropped events, and the reports of the document's copies (the
        story they tell loses a copy, and copies it led now follow the next smallest id).
        """
        ids = [r["id"] for r in self._rows("SELECT id FROM reports WHERE document_id = ?", (document_id,))]
        events = {r["event_id"] for r in self._in("SELECT event_id FROM event_reports WHERE report_id IN ({})", ids)}
        others = {r["report_id"] for r in self._in("SELECT report_id FROM event_reports WHERE event_id IN ({})", events)}
        self.drop_events(events)
        for sql in ("DELETE FROM claims WHERE report_id IN ({})", "DELETE FROM evidence WHERE report_id IN ({})",
                    "DELETE FROM reports WHERE id IN ({})"):
            self._in(sql, ids, fetch=False)
        rows = self._rows("SELECT COALESCE(copy_of, id) AS story FROM documents WHERE id = ?", (document_id,))
        copies = sorted(r["id"] for r in self._rows(
            "SELECT id FROM documents WHERE COALESCE(copy_of, id) = ? AND id <> ?", (rows[0]["story"], document_id))
        ) if rows else []
        self._exec("DELETE FROM articles WHERE document_id = ?", (document_id,))
        self._exec("DELETE FROM document_bands WHERE document_id = ?", (document_id,))
        self._exec("DELETE FROM documents WHERE id = ?", (document_id,))
        if copies:
            self.set_story(copies, copies[0])
        copied = {r["id"] for r in self._in(
            "SELECT id FROM reports WHERE event_type IS NOT NULL AND document_id IN ({})", copies)}
        return (others | copied) - set(ids)

    def put_document(self, document: Document, result: Result, content_hash: str, version: str,
                     wire: str | None, signature: str, bands: Iterable[str]) -> None:
        """The document row, its sources (outlet and wire), its articles and its MinHash bands."""
        self._insert_document(document, result, content_hash, version, wire)
        self._exec("UPDATE documents SET signature = ? WHERE id = ?", (signature, document.id))
        self._many("INSERT INTO document_bands (band, document_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                   [(k, document.id) for k in bands])

    def set_story(self, document_ids: Iterable[str], first: str) -> None:
        """Make these documents copies of one story led by `first`: its `copy_of` is null, the others point at it."""
        self._exec("UPDATE documents SET copy_of = NULL WHERE id = ?", (first,))
        self._in("UPDATE documents SET copy_of = ? WHERE id IN ({})", sorted(set(document_ids) - {first}), fetch=False,
                 before=(first,))

    def _insert_document(self, document: Document, result: Result, digest: str, version: str,
                         wire: str | None) -> None:
        """The document row, its sources (outlet and wire) and its articles."""
        self._exec(
            "INSERT INTO documents (id, content_hash, origin, url, source, published, language, title, text, html, "
            "skipped, extractor_version, ingested_at, wire) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (document.id, digest, document.origin, document.url, document.source, iso(document.published),
             result.language, document.title, document.text, document.html, result.skipped, version, now_iso(), wire),
        )
        for name in {document.source, wire} - {None}:
            self._exec("INSERT INTO sources (name) VALUES (?) ON CONFLICT DO NOTHING", (name,))
        self._many(
            "INSERT INTO articles (document_id, idx, headline, caption, text, published) VALUES (?, ?, ?, ?, ?, ?)",
            [(document.id, i, a.headline, a.caption, a.text, iso(a.published)) for i, a in enumerate(result.articles)],
        )

    def put_report(self, report: Report) -> None:
        """The rows of one report, with the toll it was given."""
        e = report.event
        for actor in (e.actor1, e.actor2):
            if actor is not None:
                self._exec("INSERT INTO actors (name, type, country) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                           (actor.name, actor.type, actor.country))
        place_id = self._place(e.location)
        self._exec(
            "INSERT INTO reports (id, document_id, idx, article, event_type, sub_event_type, date, date_end, "
            "date_precision, date_reason, place_id, actor1, actor2, fatalities, fatalities_low, fatalities_high, "
            "salience, notes, source, url, published, country_key, extractor_version, type_source, type_confidence) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (report.id, report.document_id, int(report.id.rsplit("/", 1)[1]), e.article, e.event_type,
             e.sub_event_type, iso(e.date.date), iso(e.date.date_end), e.date.precision, e.date.reason, place_id,
             e.actor1.name if e.actor1 else None, e.actor2.name if e.actor2 else None, e.fatalities,
             e.fatalities_low, e.fatalities_high, e.salience, json.dumps(e.notes, ensure_ascii=False), report.source,
             report.url, iso(report.published), (e.location.country_key if e.location else None), report.extractor_version,
             e.type_source, e.type_confidence),
        )
        self._many("INSERT INTO evidence (report_id, idx, sentence) VALUES (?, ?, ?)",
                   [(report.id, i, s) for i, s in enumerate(e.evidence)])
        self._many(
            "INSERT INTO claims (report_id, idx, kind, count_value, count_high, as_written, qualifier, subject, "
            "claimant, part_of, superseded, superseded_in_event, article, field_name, start_offset, end_offset, "
            "sentence, sentence_start, group_counted, is_update, coded, stated, aggregate, incident, claimant_canonical) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(report.id, i, c.kind, c.count, c.count_high, c.as_written, c.qualifier, c.subject, c.claimant,
              c.part_of, c.superseded, c.superseded, c.article, c.field, c.start, c.end, c.sentence,
              c.sentence_start, c.group, c.update, c.coded, c.stated, c.aggregate, c.incident, c.canonical)
             for i, c in enumerate(e.claims)],
        )

    def _place(self, location: Location | None) -> str | None:
        """The id of a place row (inserted once): its GeoNames id, else its name, admin1 and country."""
        if location is None:
            return None
        key = (f"geonames:{location.geonames_id}" if location.geonames_id is not None
               else "name:" + "|".join(x or "" for x in (location.name, location.admin1, location.iso2 or location.country)))
        key += (":near" if location.near else "") + (f":{location.mentioned}" if location.mentioned else "")
        self._exec(
            "INSERT INTO places (id, name, admin1, country, iso2, lat, lon, geonames_id, place_precision, near, "
            "mentioned) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (key, location.name, location.admin1, location.country, location.iso2, location.lat, location.lon,
             location.geonames_id, location.precision, location.near, location.mentioned),
        )
        return key

    def put_event(self, event: MergedEvent) -> None:
        """The rows of one merged event with its toll; claims superseded across its reports are marked on their rows."""
        versions = ",".join(sorted({r.extractor_version for r in event.reports}))
        self._exec(
            "INSERT INTO events (id, event_type, sub_event_type, date, date_end, date_precision, date_reason, place_id, "
            "actor1, actor2, fatalities, fatalities_low, fatalities_high, country_key, primary_report, n_reports, "
            "extractor_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (event.id, event.event_type, event.sub_event_type, iso(event.date.date), iso(event.date.date_end),
             event.date.precision, event.date.reason, self._place(event.location),
             event.actor1.name if event.actor1 else None, event.actor2.name if event.actor2 else None,
             event.fatalities, event.fatalities_low, event.fatalities_high, (event.location.country_key if event.location else None),
             event.reports[0].id, len(event.reports), versions),
        )
        self._many("INSERT INTO event_reports (event_id, report_id, pos) VALUES (?, ?, ?)",
                   [(event.id, r.id, i) for i, r in enumerate(event.reports)])
        self._many("INSERT INTO event_reasons (event_id, idx, reason) VALUES (?, ?, ?)",
                   [(event.id, i, why) for i, why in enumerate(event.reasons)])
        self._many("UPDATE claims SET superseded_in_event = ? WHERE report_id = ? AND idx = ?",
                   [(c.superseded, r.id, i) for r in event.reports for i, c in enumerate(r.event.claims)])

    def drop_events(self, event_ids: Iterable[str]) -> None:
        """Delete merged events with their report links and reasons."""
        event_ids = list(event_ids)
        for sql in ("DELETE FROM event_reports WHERE event_id IN ({})", "DELETE FROM event_reasons WHERE event_id IN ({})",
                    "DELETE FROM events WHERE id IN ({})"):
            self._in(sql, event_ids, fetch=False)

    def remember_feed_item(self, key: str, feed: str) -> None:
        """Record that `sitrep watch` handled a feed item (a transaction of its own)."""
        self.transaction(lambda: self._exec(
            "INSERT INTO feed_items (item_key, feed, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (key, feed, now_iso())))
