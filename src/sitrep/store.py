"""Stage 10a: keep every document, report and claim in SQLite (default) or PostgreSQL, and the merged events.

`Store.open(url)` opens (and migrates) a database: a SQLite file (`sitrep.db`, `$SITREP_DB`,
`sqlite:///path` or a plain path) or a PostgreSQL server (`postgresql://…`). One schema serves
both; migrations are named, ordered and applied in one transaction each, recorded in
`sitrep_migrations`.

`Store.add` writes one extracted document in one transaction: the document, its articles, one
report per extracted event with its claims and evidence, the actors, places and sources they
name, and then re-merges the neighbourhood of those reports (same country, dates within a day,
followed to a fixed point) so that the merged events are always those of `merge.cluster` over
every stored report. Writers are serialised (SQLite's write lock, a PostgreSQL advisory lock),
so concurrent ingests give the same events as one. Only this module speaks SQL.

Faults lose nothing: a document is written whole or not at all. A PostgreSQL server that goes
away (restarted, failed over) is waited for, up to `reconnect_timeout` seconds
(`$SITREP_DB_RECONNECT`, 60 by default), and the document's transaction is replayed on a new
connection; past that, `StoreDown`. A full disk (or a file-size limit) is `StoreFull`, with the
transaction rolled back and every document written before it intact.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sitrep import __version__, merge, syndication
from sitrep.ingest import content_id
from sitrep.model import (
    Actor, Article, Claim, DateResolution, Document, Event, InputError, Location, MergedEvent, Report, Result,
)  # fmt: skip

DEFAULT_FILE = "sitrep.db"
PG_LOCK_KEY = 0x5173_7265  # the advisory lock every writer takes ("Sqre")
Outcome = Literal["stored", "updated", "unchanged", "skipped", "failed"]
RECONNECT_TIMEOUT = float(os.environ.get("SITREP_DB_RECONNECT", "60"))  # seconds to wait for a server that went away


class StoreError(Exception):
    """A database problem, with a message a person can act on."""


class StoreLocked(StoreError):
    """The database stayed locked by another writer for longer than the store waits."""


class StoreDown(StoreError):
    """The database server went away and did not come back within the store's reconnect timeout."""


class StoreFull(StoreError):
    """The disk (or the file-size limit) would not take the write; the transaction was rolled back."""


# --- schema -----------------------------------------------------------------------------------

# Names and SQL both dialects accept: TEXT dates (ISO, so they sort), DOUBLE PRECISION, BOOLEAN.
MIGRATIONS: list[tuple[str, list[str]]] = [
    ("0001_initial", [
        """CREATE TABLE documents (
            id TEXT PRIMARY KEY, content_hash TEXT NOT NULL, origin TEXT, url TEXT, source TEXT,
            published TEXT, language TEXT, title TEXT, text TEXT NOT NULL, html TEXT, skipped TEXT,
            extractor_version TEXT NOT NULL, ingested_at TEXT NOT NULL)""",
        "CREATE INDEX documents_content_hash ON documents (content_hash)",
        "CREATE INDEX documents_extractor_version ON documents (extractor_version)",
        "CREATE TABLE sources (name TEXT PRIMARY KEY)",
        """CREATE TABLE articles (
            document_id TEXT NOT NULL, idx INTEGER NOT NULL, headline TEXT, caption TEXT, text TEXT NOT NULL,
            published TEXT, PRIMARY KEY (document_id, idx))""",
        "CREATE TABLE actors (name TEXT PRIMARY KEY, type TEXT, country TEXT)",
        """CREATE TABLE places (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, admin1 TEXT, country TEXT, iso2 TEXT,
            lat DOUBLE PRECISION, lon DOUBLE PRECISION, geonames_id INTEGER, place_precision TEXT)""",
        """CREATE TABLE reports (
            id TEXT PRIMARY KEY, document_id TEXT NOT NULL, idx INTEGER NOT NULL, article INTEGER NOT NULL,
            event_type TEXT, sub_event_type TEXT, date TEXT, date_end TEXT, date_precision TEXT, date_reason TEXT,
            place_id TEXT, actor1 TEXT, actor2 TEXT, fatalities INTEGER NOT NULL, fatalities_low INTEGER,
            fatalities_high INTEGER, salience DOUBLE PRECISION, notes TEXT, source TEXT, url TEXT, published TEXT,
            country_key TEXT, extractor_version TEXT NOT NULL)""",
        "CREATE INDEX reports_document ON reports (document_id)",
        "CREATE INDEX reports_neighbourhood ON reports (country_key, date)",
        "CREATE TABLE evidence (report_id TEXT NOT NULL, idx INTEGER NOT NULL, sentence TEXT NOT NULL, "
        "PRIMARY KEY (report_id, idx))",
        """CREATE TABLE claims (
            report_id TEXT NOT NULL, idx INTEGER NOT NULL, kind TEXT NOT NULL, count_value INTEGER,
            count_high INTEGER, as_written TEXT NOT NULL, qualifier TEXT NOT NULL, subject TEXT, claimant TEXT,
            part_of INTEGER, superseded BOOLEAN NOT NULL, superseded_in_event BOOLEAN NOT NULL,
            article INTEGER NOT NULL, field_name TEXT NOT NULL, start_offset INTEGER NOT NULL,
            end_offset INTEGER NOT NULL, sentence TEXT NOT NULL, sentence_start INTEGER NOT NULL,
            PRIMARY KEY (report_id, idx))""",
        """CREATE TABLE events (
            id TEXT PRIMARY KEY, event_type TEXT, sub_event_type TEXT, date TEXT, date_end TEXT,
            date_precision TEXT, date_reason TEXT, place_id TEXT, actor1 TEXT, actor2 TEXT,
            fatalities INTEGER NOT NULL, fatalities_low INTEGER, fatalities_high INTEGER, country_key TEXT,
            primary_report TEXT NOT NULL, n_reports INTEGER NOT NULL, extractor_version TEXT NOT NULL)""",
        "CREATE INDEX events_date ON events (date)",
        "CREATE TABLE event_reports (event_id TEXT NOT NULL, report_id TEXT NOT NULL, pos INTEGER NOT NULL, "
        "PRIMARY KEY (event_id, report_id))",
        "CREATE INDEX event_reports_report ON event_reports (report_id)",
        "CREATE TABLE event_reasons (event_id TEXT NOT NULL, idx INTEGER NOT NULL, reason TEXT NOT NULL, "
        "PRIMARY KEY (event_id, idx))",
    ]),
    ("0002_syndication_and_feeds", [
        # the wire a story credits, its MinHash, and the first stored document of the same story
        "ALTER TABLE documents ADD COLUMN wire TEXT",
        "ALTER TABLE documents ADD COLUMN signature TEXT",
        "ALTER TABLE documents ADD COLUMN copy_of TEXT",
        "CREATE INDEX documents_copy_of ON documents (copy_of)",
        "CREATE TABLE document_bands (band TEXT NOT NULL, document_id TEXT NOT NULL, PRIMARY KEY (band, document_id))",
        "CREATE INDEX document_bands_document ON document_bands (document_id)",
        "CREATE TABLE feed_items (item_key TEXT PRIMARY KEY, feed TEXT NOT NULL, seen_at TEXT NOT NULL)",
    ]),
]  # fmt: skip


# --- records of the read API ------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilter:
    """What `Store.events` selects; every set field must match."""

    country: str | None = None  # country name or ISO2 code, any case
    admin1: str | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor: str | None = None  # substring of actor1 or actor2 of the event or of any of its reports
    min_fatalities: int | None = None
    text: str | None = None  # substring of any report's evidence
    limit: int | None = None
    offset: int = 0
    sort: str = "date"  # one of EVENT_SORTS; a leading '-' sorts descending


@dataclass(frozen=True)
class StoredDocument:
    """A stored document with what the store knows about it."""

    document: Document
    content_hash: str
    language: str | None
    extractor_version: str
    skipped: str | None


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one input document."""

    origin: str
    document_id: str | None
    outcome: Outcome
    problem: str | None = None  # why it failed or was skipped


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


# --- the store --------------------------------------------------------------------------------


def default_url() -> str:
    """`$SITREP_DB`, else `sitrep.db` in the working directory."""
    return os.environ.get("SITREP_DB") or DEFAULT_FILE


class Store:
    """A sitrep database: documents, reports, claims and merged events."""

    def __init__(self, conn: Any, dialect: Literal["sqlite", "postgresql"], url: str, lock_timeout: float,
                 reconnect_timeout: float = RECONNECT_TIMEOUT) -> None:
        self.conn = conn
        self.dialect = dialect
        self.url = url
        self.lock_timeout = lock_timeout
        self.reconnect_timeout = reconnect_timeout

    # -- opening

    @classmethod
    def open(cls, url: str | None = None, lock_timeout: float = 30.0,
             reconnect_timeout: float = RECONNECT_TIMEOUT) -> Store:
        """Open (creating and migrating) the database at url; see the module docstring for the forms."""
        url = url or default_url()
        if url.startswith(("postgresql://", "postgres://")):
            store = cls(cls._connect_postgres(url), "postgresql", url, lock_timeout, reconnect_timeout)
        else:
            path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
            store = cls._open_sqlite(Path(path), url, lock_timeout)
        store._resilient(store.migrate)
        return store

    @classmethod
    def _open_sqlite(cls, path: Path, url: str, lock_timeout: float) -> Store:
        """A SQLite connection in WAL mode, transactions managed by hand."""
        if path.parent and not path.parent.exists():
            raise StoreError(f"{url}: folder {path.parent} does not exist")
        try:
            conn = sqlite3.connect(path, timeout=min(lock_timeout, 1.0), isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            store = cls(conn, "sqlite", url, lock_timeout)
            store._retry(lambda: conn.execute("PRAGMA journal_mode=WAL"))
            conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a killed process loses no commit
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{url}: not a usable SQLite database ({exc})") from None
        return store

    @staticmethod
    def _connect_postgres(url: str) -> Any:
        """A PostgreSQL connection (psycopg 3) in autocommit mode; transactions are explicit."""
        try:
            import psycopg
            from psycopg.rows import dict_row
        except ImportError:  # pragma: no cover - psycopg is a dependency
            raise StoreError("PostgreSQL needs psycopg: pip install 'psycopg[binary]'") from None
        try:
            return psycopg.connect(url, autocommit=True, row_factory=dict_row, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise StoreError(f"{_redact(url)}: cannot connect ({_one_line(exc)})") from None

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- SQL plumbing

    def _sql(self, sql: str) -> str:
        """SQL written with '?' placeholders, in the connection's dialect."""
        return sql.replace("?", "%s") if self.dialect == "postgresql" else sql

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; return its cursor."""
        return self.conn.execute(self._sql(sql), tuple(params))

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """All rows of a query (each row indexable by column name); a read on its own survives a server restart."""
        if self._in_transaction():  # a statement of a transaction is replayed only with its whole transaction
            return list(self._exec(sql, params).fetchall())
        return self._resilient(lambda: list(self._exec(sql, params).fetchall()))

    def _in_transaction(self) -> bool:
        """Whether a transaction is open on the connection."""
        if self.dialect == "sqlite":
            return self.conn.in_transaction
        from psycopg.pq import TransactionStatus as Status

        return self.conn.info.transaction_status in (Status.ACTIVE, Status.INTRANS, Status.INERROR)

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for many parameter rows."""
        rows = [tuple(r) for r in rows]
        if not rows:
            return
        if self.dialect == "postgresql":
            with self.conn.cursor() as cur:
                cur.executemany(self._sql(sql), rows)
        else:
            self.conn.executemany(sql, rows)

    def _retry(self, action: Callable[[], Any]) -> Any:
        """Run a SQLite action, retrying while the database is locked, then fail clearly."""
        deadline = time.monotonic() + self.lock_timeout
        pause = 0.05
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreLocked(
                        f"{self.url}: the database stayed locked for {self.lock_timeout:g} s (another process is "
                        "writing to it); nothing was written — try again, or give it longer"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.5)

    def _resilient(self, action: Callable[[], Any]) -> Any:
        """Run a whole transaction (or a read); replay it on a new connection if the server went away.

        A PostgreSQL server that is restarted aborts the transaction in flight, so nothing of it
        is written: once a new connection opens, the action runs again from its start.
        """
        deadline: float | None = None
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_FULL", "SQLITE_IOERR")):
                    raise StoreFull(
                        f"{self.url}: cannot write ({exc}: the disk is full or the file hit its size limit); "
                        "nothing of this document was written and everything stored before it is intact"
                    ) from None
                raise
            except Exception as exc:
                if self.dialect != "postgresql" or not self._connection_lost(exc):
                    raise
                deadline = deadline or time.monotonic() + self.reconnect_timeout
                self._reconnect(deadline, exc)

    def _connection_lost(self, exc: Exception) -> bool:
        """Whether a PostgreSQL error means the connection is gone (server restarted, shut down, network)."""
        import psycopg

        return isinstance(exc, psycopg.OperationalError) and (
            self.conn.broken or self.conn.closed or isinstance(exc, psycopg.errors.OperatorIntervention)
        )

    def _reconnect(self, deadline: float, cause: Exception) -> None:
        """Open a new PostgreSQL connection, trying until the deadline; StoreDown past it."""
        self.conn.close()
        while True:
            try:
                self.conn = self._connect_postgres(self.url)
                return
            except StoreError:
                if time.monotonic() >= deadline:
                    raise StoreDown(
                        f"{_redact(self.url)}: the server went away ({_one_line(cause)}) and did not come back "
                        f"within {self.reconnect_timeout:g} s; nothing of this document was written — run the "
                        "same command again to resume"
                    ) from None
                time.sleep(0.5)

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction, serialised against every other writer."""
        if self.dialect == "sqlite":
            self._retry(lambda: self.conn.execute("BEGIN IMMEDIATE"))
            try:
                yield
                self._retry(lambda: self.conn.execute("COMMIT"))
            except BaseException:
                if self.conn.in_transaction:  # SQLite may have rolled back already (a full disk, an I/O error)
                    self.conn.execute("ROLLBACK")
                raise
            return
        import psycopg

        try:
            with self.conn.transaction():
                self._exec(f"SET LOCAL lock_timeout = '{int(self.lock_timeout * 1000)}ms'")
                self._exec("SELECT pg_advisory_xact_lock(?)", (PG_LOCK_KEY,))
                yield
        except psycopg.errors.LockNotAvailable:
            raise StoreLocked(
                f"{_redact(self.url)}: another writer held the lock for over {self.lock_timeout:g} s; "
                "nothing was written — try again"
            ) from None

    # -- migrations

    def migrate(self) -> list[str]:
        """Apply the migrations not yet recorded, each in its own transaction; return their names."""
        with self._write():
            self._exec("CREATE TABLE IF NOT EXISTS sitrep_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        applied: list[str] = []
        for name, statements in MIGRATIONS:
            with self._write():
                if self._rows("SELECT name FROM sitrep_migrations WHERE name = ?", (name,)):
                    continue
                for statement in statements:
                    self._exec(statement)
                self._exec("INSERT INTO sitrep_migrations (name, applied_at) VALUES (?, ?)", (name, _now()))
                applied.append(name)
        return applied

    def migrations(self) -> list[str]:
        """Names of the applied migrations, in order."""
        return [r["name"] for r in self._rows("SELECT name FROM sitrep_migrations ORDER BY name")]

    # -- writing

    def is_current(self, document_id: str, content_hash: str, extractor_version: str = __version__) -> bool:
        """Whether this document, with this content, is stored by this extractor version."""
        rows = self._rows("SELECT content_hash, extractor_version FROM documents WHERE id = ?", (document_id,))
        return bool(rows) and rows[0]["content_hash"] == content_hash and rows[0]["extractor_version"] == extractor_version

    def add(self, document: Document, result: Result, extractor_version: str = __version__,
            force: bool = False) -> Outcome:
        """Store one extracted document in one transaction and re-merge around it; idempotent."""
        return self._resilient(lambda: self._add(document, result, extractor_version, force))

    def _add(self, document: Document, result: Result, extractor_version: str, force: bool) -> Outcome:
        """The transaction of `add`."""
        digest = content_id(document.text)
        with self._write():
            old = self._rows("SELECT content_hash, extractor_version FROM documents WHERE id = ?", (document.id,))
            if old and not force and old[0]["content_hash"] == digest and old[0]["extractor_version"] == extractor_version:
                return "unchanged"
            affected = self._remove_reports(document.id)
            self._exec("DELETE FROM articles WHERE document_id = ?", (document.id,))
            self._exec("DELETE FROM documents WHERE id = ?", (document.id,))
            self._unlink_copies(document.id)
            wire = syndication.wire_origin(document.text)
            self._insert_document(document, result, digest, extractor_version, wire)
            self._link_copies(document.id, syndication.signature(result.body() or document.text))
            reports = self._insert_reports(document, result, extractor_version, wire)
            self._remerge(affected | {r.id for r in reports if r.event.event_type})
        if result.skipped:
            return "skipped"
        return "updated" if old else "stored"

    def _insert_document(self, document: Document, result: Result, digest: str, version: str,
                         wire: str | None) -> None:
        """The document row, its sources (outlet and wire) and its articles."""
        self._exec(
            "INSERT INTO documents (id, content_hash, origin, url, source, published, language, title, text, html, "
            "skipped, extractor_version, ingested_at, wire) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (document.id, digest, document.origin, document.url, document.source, _iso(document.published),
             result.language, document.title, document.text, document.html, result.skipped, version, _now(), wire),
        )
        for name in {document.source, wire} - {None}:
            self._exec("INSERT INTO sources (name) VALUES (?) ON CONFLICT DO NOTHING", (name,))
        self._many(
            "INSERT INTO articles (document_id, idx, headline, caption, text, published) VALUES (?, ?, ?, ?, ?, ?)",
            [(document.id, i, a.headline, a.caption, a.text, _iso(a.published)) for i, a in enumerate(result.articles)],
        )

    def _link_copies(self, document_id: str, sig: syndication.Signature) -> None:
        """Index a document's MinHash bands and join it to the stored copies of its story.

        Copies of one story form a group whose members point (`copy_of`) at its smallest document
        id, so the group, and which document leads it, do not depend on the order of arrival.
        """
        keys = syndication.band_keys(sig)
        self._exec("UPDATE documents SET signature = ? WHERE id = ?", (sig.to_hex(), document_id))
        self._many("INSERT INTO document_bands (band, document_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                   [(k, document_id) for k in keys])
        candidates = self._in("SELECT DISTINCT d.id, d.signature, d.copy_of FROM document_bands b JOIN documents d "
                              "ON d.id = b.document_id WHERE b.band IN ({})", keys)
        roots = {c["copy_of"] or c["id"] for c in candidates if c["id"] != document_id and c["signature"]
                 and syndication.similarity(sig, syndication.Signature.from_hex(c["signature"]))
                 >= syndication.DUPLICATE_THRESHOLD}
        if not roots:
            return
        group = roots | {document_id} | {r["id"] for r in self._in("SELECT id FROM documents WHERE copy_of IN ({})", roots)}
        first = min(group)
        self._exec("UPDATE documents SET copy_of = NULL WHERE id = ?", (first,))
        self._in("UPDATE documents SET copy_of = ? WHERE id IN ({})", sorted(group - {first}), fetch=False,
                 before=(first,))

    def _unlink_copies(self, document_id: str) -> None:
        """Before a document is replaced: drop its bands; copies it led now follow the next smallest id."""
        self._exec("DELETE FROM document_bands WHERE document_id = ?", (document_id,))
        rest = sorted(r["id"] for r in self._rows("SELECT id FROM documents WHERE copy_of = ?", (document_id,)))
        if rest:
            self._exec("UPDATE documents SET copy_of = NULL WHERE id = ?", (rest[0],))
            self._exec("UPDATE documents SET copy_of = ? WHERE copy_of = ?", (rest[0], document_id))

    def _insert_reports(self, document: Document, result: Result, version: str, wire: str | None) -> list[Report]:
        """One report per extracted event, with its claims, evidence, actors and place; the wire is its source."""
        reports: list[Report] = []
        for i, event in enumerate(result.events):
            article = result.articles[event.article] if event.article < len(result.articles) else None
            report = Report(
                id=f"{document.id}/{i}", document_id=document.id, event=event, source=wire or document.source,
                url=document.url, published=(article.published if article else None) or document.published,
                extractor_version=version, outlet=document.source,
            )
            reports.append(report)
            self._insert_report(report)
        return reports

    def _insert_report(self, report: Report) -> None:
        """The rows of one report."""
        e = report.event
        for actor in (e.actor1, e.actor2):
            if actor is not None:
                self._exec("INSERT INTO actors (name, type, country) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                           (actor.name, actor.type, actor.country))
        place_id = self._place(e.location)
        self._exec(
            "INSERT INTO reports (id, document_id, idx, article, event_type, sub_event_type, date, date_end, "
            "date_precision, date_reason, place_id, actor1, actor2, fatalities, fatalities_low, fatalities_high, "
            "salience, notes, source, url, published, country_key, extractor_version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (report.id, report.document_id, int(report.id.rsplit("/", 1)[1]), e.article, e.event_type,
             e.sub_event_type, _iso(e.date.date), _iso(e.date.date_end), e.date.precision, e.date.reason, place_id,
             e.actor1.name if e.actor1 else None, e.actor2.name if e.actor2 else None, e.fatalities,
             e.fatalities_low, e.fatalities_high, e.salience, json.dumps(e.notes, ensure_ascii=False), report.source,
             report.url, _iso(report.published), merge.country_key(e.location), report.extractor_version),
        )
        self._many("INSERT INTO evidence (report_id, idx, sentence) VALUES (?, ?, ?)",
                   [(report.id, i, s) for i, s in enumerate(e.evidence)])
        self._many(
            "INSERT INTO claims (report_id, idx, kind, count_value, count_high, as_written, qualifier, subject, "
            "claimant, part_of, superseded, superseded_in_event, article, field_name, start_offset, end_offset, "
            "sentence, sentence_start) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(report.id, i, c.kind, c.count, c.count_high, c.as_written, c.qualifier, c.subject, c.claimant,
              c.part_of, c.superseded, c.superseded, c.article, c.field, c.start, c.end, c.sentence,
              c.sentence_start) for i, c in enumerate(e.claims)],
        )

    def _place(self, location: Location | None) -> str | None:
        """The id of a place row (inserted once): its GeoNames id, else its name, admin1 and country."""
        if location is None:
            return None
        key = (f"geonames:{location.geonames_id}" if location.geonames_id is not None
               else "name:" + "|".join(x or "" for x in (location.name, location.admin1, location.iso2 or location.country)))
        self._exec(
            "INSERT INTO places (id, name, admin1, country, iso2, lat, lon, geonames_id, place_precision) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (key, location.name, location.admin1, location.country, location.iso2, location.lat, location.lon,
             location.geonames_id, location.precision),
        )
        return key

    def _remove_reports(self, document_id: str) -> set[str]:
        """Delete a document's reports; return the other reports of the events they were part of."""
        ids = [r["id"] for r in self._rows("SELECT id FROM reports WHERE document_id = ?", (document_id,))]
        if not ids:
            return set()
        events = self._events_of(ids)
        others = {r["report_id"] for r in self._in("SELECT report_id FROM event_reports WHERE event_id IN ({})", events)}
        self._drop_events(events)
        for sql in ("DELETE FROM claims WHERE report_id IN ({})", "DELETE FROM evidence WHERE report_id IN ({})",
                    "DELETE FROM reports WHERE id IN ({})"):
            self._in(sql, ids, fetch=False)
        return others - set(ids)

    def _in(self, sql: str, values: Iterable[Any], fetch: bool = True, before: Sequence[Any] = ()) -> list[Any]:
        """A statement with one 'IN ({})' list (after the parameters `before`), run in slices."""
        values = list(values)
        out: list[Any] = []
        for k in range(0, len(values), 500):
            part = values[k : k + 500]
            cur = self._exec(sql.format(", ".join("?" * len(part))), [*before, *part])
            if fetch:
                out += cur.fetchall()
        return out

    def _events_of(self, report_ids: Iterable[str]) -> set[str]:
        """Ids of the merged events that hold any of these reports."""
        return {r["event_id"] for r in self._in("SELECT event_id FROM event_reports WHERE report_id IN ({})", report_ids)}

    def _drop_events(self, event_ids: Iterable[str]) -> None:
        """Delete merged events with their report links and reasons."""
        event_ids = list(event_ids)
        for sql in ("DELETE FROM event_reports WHERE event_id IN ({})", "DELETE FROM event_reasons WHERE event_id IN ({})",
                    "DELETE FROM events WHERE id IN ({})"):
            self._in(sql, event_ids, fetch=False)

    def _remerge(self, seeds: set[str]) -> None:
        """Recompute the merged events of every report that could link to the seeds, to a fixed point."""
        found: set[str] = set()
        frontier = set(seeds)
        while frontier:
            found |= frontier
            rows = self._in("SELECT id, country_key, date, date_end FROM reports WHERE id IN ({})", frontier)
            near: set[str] = set()
            for r in rows:
                if r["country_key"] is None or r["date"] is None:
                    continue
                lo = dt.date.fromisoformat(r["date"]) - dt.timedelta(days=1)
                hi = dt.date.fromisoformat(r["date_end"] or r["date"]) + dt.timedelta(days=1)
                near |= {x["id"] for x in self._rows(
                    "SELECT id FROM reports WHERE country_key = ? AND event_type IS NOT NULL AND date <= ? "
                    "AND COALESCE(date_end, date) >= ?", (r["country_key"], hi.isoformat(), lo.isoformat()))}
            events = self._events_of(frontier | near)
            near |= {r["report_id"] for r in self._in("SELECT report_id FROM event_reports WHERE event_id IN ({})", events)}
            frontier = near - found
        self._drop_events(self._events_of(found))
        reports = self._load_reports(sorted(found), in_event=False)
        for event in merge.cluster(reports.values()):
            self._insert_event(event)

    def _insert_event(self, event: MergedEvent) -> None:
        """The rows of one merged event; claims superseded across reports are marked on their rows."""
        versions = ",".join(sorted({r.extractor_version for r in event.reports}))
        self._exec(
            "INSERT INTO events (id, event_type, sub_event_type, date, date_end, date_precision, date_reason, place_id, "
            "actor1, actor2, fatalities, fatalities_low, fatalities_high, country_key, primary_report, n_reports, "
            "extractor_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (event.id, event.event_type, event.sub_event_type, _iso(event.date.date), _iso(event.date.date_end),
             event.date.precision, event.date.reason, self._place(event.location),
             event.actor1.name if event.actor1 else None, event.actor2.name if event.actor2 else None,
             event.fatalities, event.fatalities_low, event.fatalities_high, merge.country_key(event.location),
             event.reports[0].id, len(event.reports), versions),
        )
        self._many("INSERT INTO event_reports (event_id, report_id, pos) VALUES (?, ?, ?)",
                   [(event.id, r.id, i) for i, r in enumerate(event.reports)])
        self._many("INSERT INTO event_reasons (event_id, idx, reason) VALUES (?, ?, ?)",
                   [(event.id, i, why) for i, why in enumerate(event.reasons)])
        self._many("UPDATE claims SET superseded_in_event = ? WHERE report_id = ? AND idx = ?",
                   [(c.superseded, r.id, i) for r in event.reports for i, c in enumerate(r.event.claims)])

    # -- reading

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
                sentence_start=c["sentence_start"],
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
                date=DateResolution(_date(r["date"]), _date(r["date_end"]), r["date_precision"], r["date_reason"] or ""),
                location=places.get(r["place_id"]), actor1=actors.get(r["actor1"]), actor2=actors.get(r["actor2"]),
                claims=claims.get(r["id"], []), evidence=evidence.get(r["id"], []), fatalities=r["fatalities"],
                fatalities_low=r["fatalities_low"], fatalities_high=r["fatalities_high"], salience=r["salience"] or 0.0,
                notes=json.loads(r["notes"] or "[]"),
            )
            doc = docs.get(r["document_id"], {})
            out[r["id"]] = Report(r["id"], r["document_id"], event, r["source"], r["url"], _date(r["published"]),
                                  r["extractor_version"], outlet=doc.get("source"), copy_of=doc.get("copy_of"))
        return out

    def _places(self, ids: Iterable[str]) -> dict[str, Location]:
        """Places by id."""
        return {p["id"]: Location(p["name"], p["admin1"], p["country"], p["iso2"], p["lat"], p["lon"], p["geonames_id"],
                                  p["place_precision"])
                for p in self._in("SELECT * FROM places WHERE id IN ({})", ids)}

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
        if f.limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [f.limit, f.offset]
        elif f.offset:
            sql += " LIMIT -1 OFFSET ?" if self.dialect == "sqlite" else " OFFSET ?"
            params.append(f.offset)
        ids = [r["id"] for r in self._rows(sql, params)]
        found = self._load_events(ids)
        return [found[i] for i in ids]

    def _event_where(self, f: EventFilter) -> tuple[str, list[Any]]:
        """The WHERE clause (over events `e` left-joined to places `p`) and parameters of a filter."""
        where, params = ["1 = 1"], []
        if f.country:
            where.append("(LOWER(p.country) = LOWER(?) OR LOWER(p.iso2) = LOWER(?))")
            params += [f.country, f.country]
        if f.admin1:
            where.append("LOWER(p.admin1) = LOWER(?)")
            params.append(f.admin1)
        for column, value in (("e.event_type", f.event_type), ("e.sub_event_type", f.sub_event_type)):
            if value:
                where.append(f"LOWER({column}) = LOWER(?)")
                params.append(value)
        if f.date_from:
            where.append("COALESCE(e.date_end, e.date) >= ?")
            params.append(f.date_from.isoformat())
        if f.date_to:
            where.append("e.date <= ?")
            params.append(f.date_to.isoformat())
        if f.min_fatalities is not None:
            where.append("e.fatalities >= ?")
            params.append(f.min_fatalities)
        if f.actor:
            like = _like(f.actor)
            where.append(
                "(LOWER(e.actor1) LIKE ? ESCAPE '\\' OR LOWER(e.actor2) LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM "
                "event_reports er JOIN reports r ON r.id = er.report_id WHERE er.event_id = e.id AND "
                "(LOWER(r.actor1) LIKE ? ESCAPE '\\' OR LOWER(r.actor2) LIKE ? ESCAPE '\\')))")
            params += [like] * 4
        if f.text:
            where.append(
                "EXISTS (SELECT 1 FROM event_reports er JOIN evidence v ON v.report_id = er.report_id "
                "WHERE er.event_id = e.id AND LOWER(v.sentence) LIKE ? ESCAPE '\\')")
            params.append(_like(f.text))
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
                date=DateResolution(_date(r["date"]), _date(r["date_end"]), r["date_precision"], r["date_reason"] or ""),
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
                           published=_date(r["published"]), url=r["url"], source=r["source"], title=r["title"])
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
        where, params = self._event_where(filters or EventFilter())
        return self._rows("SELECT COUNT(*) AS n FROM events e LEFT JOIN places p ON p.id = e.place_id WHERE "
                          + where, params)[0]["n"]

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
            "SELECT p.id, p.name, p.admin1, p.country, p.iso2, p.lat, p.lon, p.geonames_id, p.place_precision, "
            "COUNT(e.id) AS n, COALESCE(SUM(e.fatalities), 0) AS f FROM places p "
            f"LEFT JOIN events e ON e.place_id = p.id WHERE {where} GROUP BY p.id, p.name, p.admin1, p.country, p.iso2, "
            "p.lat, p.lon, p.geonames_id, p.place_precision ORDER BY COUNT(e.id) DESC, p.name, p.id LIMIT ? OFFSET ?",
            [*params, limit, offset])
        return [(Location(r["name"], r["admin1"], r["country"], r["iso2"], r["lat"], r["lon"], r["geonames_id"],
                          r["place_precision"]), Tally(r["id"], r["n"], int(r["f"]))) for r in rows], total

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


class FeedItems:
    """The feed items `sitrep watch` has handled, kept in the store (feeds.SeenItems)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def seen(self, key: str) -> bool:
        """Whether the item was handled already."""
        return bool(self.store._rows("SELECT 1 FROM feed_items WHERE item_key = ?", (key,)))

    def remember(self, key: str, feed: str) -> None:
        """Record that the item was handled."""
        with self.store._write():
            self.store._exec("INSERT INTO feed_items (item_key, feed, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                             (key, feed, _now()))


# --- ingesting --------------------------------------------------------------------------------


def ingest_documents(store: Store, items: Iterable[Document | InputError], extractor_factory: Callable[[], Any],
                     chunk: int = 32, force: bool = False) -> Iterator[IngestOutcome]:
    """Extract and store documents, skipping those already stored; one outcome per input, in order.

    The extractor is made only when some document needs extracting, so re-running a finished
    ingest is quick. Each document is committed on its own: an interrupted run keeps what it
    stored, and running it again stores the rest.
    """
    extractor = None
    batch: list[Document | InputError] = []

    def flush() -> Iterator[IngestOutcome]:
        nonlocal extractor
        todo = [d for d in batch if isinstance(d, Document) and (force or not store.is_current(d.id, content_id(d.text)))]
        results: dict[int, Result] = {}
        if todo:
            extractor = extractor or extractor_factory()
            for doc, res in zip(todo, extractor.extract_many(todo)):
                results[id(doc)] = res  # type: ignore[assignment]
        for item in batch:
            if isinstance(item, InputError):
                yield IngestOutcome(item.source, None, "failed", item.problem)
            elif id(item) not in results:
                yield IngestOutcome(item.origin, item.id, "unchanged")
            else:
                res = results[id(item)]
                outcome = store.add(item, res, force=force)
                yield IngestOutcome(item.origin, item.id, outcome, res.skipped)

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
    stored = store.documents(stale_for=None if everything else __version__)
    yield from ingest_documents(store, (s.document for s in stored), extractor_factory, chunk=chunk, force=True)


# --- helpers ----------------------------------------------------------------------------------


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _like(text: str, prefix: bool = False) -> str:
    """A LIKE pattern matching text literally (lower-cased), as a substring or a prefix."""
    escaped = re.sub(r"([\\%_])", r"\\\1", text.lower())
    return escaped + "%" if prefix else f"%{escaped}%"


def _one_line(exc: Exception) -> str:
    """An exception's message on one line (libpq's run over several)."""
    return " ".join(str(exc).split())


def _redact(url: str) -> str:
    """A database URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def _event_order(sort: str) -> str:
    """The ORDER BY of a sort name of EVENT_SORTS, '-' first for descending."""
    name = sort.removeprefix("-")
    if name not in EVENT_SORTS:
        raise ValueError(f"unknown sort {sort!r}; expected one of {', '.join(EVENT_SORTS)}, with '-' to reverse")
    return EVENT_SORTS[name].format("DESC" if sort.startswith("-") else "ASC")


def _stored_article(row: Any) -> StoredArticle:
    """An article row joined with its document's source and url."""
    article = Article(row["headline"], row["caption"], row["text"], _date(row["published"]))
    return StoredArticle(row["document_id"], row["idx"], article, row["source"], row["url"])
