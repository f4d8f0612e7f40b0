"""The connection under the store: opening SQLite or PostgreSQL, SQL in either dialect, transactions.

A write is one transaction (`Connection.transaction`), serialised against every other writer
(SQLite's write lock, a PostgreSQL advisory lock). A PostgreSQL server that goes away
(restarted, failed over) is waited for, up to `reconnect_timeout` seconds
(`$SITREP_DB_RECONNECT`, 60 by default), and the transaction is replayed on a new connection;
past that, `StoreDown`. A full disk (or a file-size limit) is `StoreFull`, with the transaction
rolled back and everything written before it intact.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Self, TypeVar

from sitrep.store.schema import MIGRATIONS

DEFAULT_FILE = "sitrep.db"
PG_LOCK_KEY = 0x5173_7265  # the advisory lock every writer takes ("Sqre")
T = TypeVar("T")
RECONNECT_TIMEOUT = float(os.environ.get("SITREP_DB_RECONNECT", "60"))  # seconds to wait for a server that went away


class StoreError(Exception):
    """A database problem, with a message a person can act on."""


class StoreLocked(StoreError):
    """The database stayed locked by another writer for longer than the store waits."""


class StoreDown(StoreError):
    """The database server went away and did not come back within the store's reconnect timeout."""


class StoreFull(StoreError):
    """The disk (or the file-size limit) would not take the write; the transaction was rolled back."""


def default_url() -> str:
    """`$SITREP_DB`, else `sitrep.db` in the working directory."""
    return os.environ.get("SITREP_DB") or DEFAULT_FILE


class Connection:
    """A database connection with sitrep's schema; `Store` adds the reads and writes."""

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
             reconnect_timeout: float = RECONNECT_TIMEOUT, create: bool = True) -> Self:
        """Open (creating and migrating) the database at url; see the module docstring for the forms. With
        `create` false a SQLite file that does not exist is an error (a mistyped path), not a new empty database."""
        url = url or default_url()
        if url.startswith(("postgresql://", "postgres://")):
            store = cls(cls._connect_postgres(url), "postgresql", url, lock_timeout, reconnect_timeout)
        else:
            path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
            if not create and not Path(path).exists():
                raise StoreError(f"no database at {path} (`sitrep ingest --db {path} …` creates one)")
            store = cls._open_sqlite(Path(path), url, lock_timeout)
        store._resilient(store.migrate)
        return store

    @classmethod
    def _open_sqlite(cls, path: Path, url: str, lock_timeout: float) -> Self:
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

    def __enter__(self) -> Self:
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

    def transaction(self, action: Callable[[], T]) -> T:
        """Run `action` as one write transaction: all of it is written or none; replayed if the server went away."""

        def once() -> T:
            with self._write():
                return action()

        return self._resilient(once)

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
                self._exec("INSERT INTO sitrep_migrations (name, applied_at) VALUES (?, ?)", (name, now_iso()))
                applied.append(name)
        return applied

    def migrations(self) -> list[str]:
        """Names of the applied migrations, in order."""
        return [r["name"] for r in self._rows("SELECT name FROM sitrep_migrations ORDER BY name")]

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


def iso(value: dt.date | None) -> str | None:
    """A date as stored: ISO 8601 text (so that it sorts), or NULL."""
    return value.isoformat() if value else None


def parse_date(value: str | None) -> dt.date | None:
    """A stored date back as a date."""
    return dt.date.fromisoformat(value) if value else None


def now_iso() -> str:
    """The time now, in UTC, as ISO 8601 to the second."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _one_line(exc: Exception) -> str:
    """An exception's message on one line (libpq's run over several)."""
    return " ".join(str(exc).split())


def _redact(url: str) -> str:
    """A database URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)
