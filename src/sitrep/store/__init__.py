"""Stage 10a: keep every document, report and claim in SQLite (default) or PostgreSQL, and the merged events.

`Store.open(url)` opens (and migrates) a database: a SQLite file (`sitrep.db`, `$SITREP_DB`,
`sqlite:///path` or a plain path) or a PostgreSQL server (`postgresql://…`). One schema serves
both (`schema`); migrations are named, ordered and applied in one transaction each, recorded in
`sitrep_migrations`. Only this package speaks SQL, and it imports nothing of sitrep but
`model`: it saves the reports, tolls and merged events it is given (`write`) and reads them
back as records (`read`); extracting, merging and tallying are `sitrep.service`'s to compose.
Opening, dialects, transactions and the faults they survive are in `connection`.
"""

from sitrep.store.connection import (
    RECONNECT_TIMEOUT,
    StoreDown,
    StoreError,
    StoreFull,
    StoreLocked,
    default_url,
)
from sitrep.store.read import (
    EVENT_SORTS,
    TALLY_KEYS,
    EventCounts,
    EventFilter,
    MapCell,
    Reads,
    StoredArticle,
    StoredDocument,
    Tally,
)
from sitrep.store.write import Writes

__all__ = [
    "EVENT_SORTS", "RECONNECT_TIMEOUT", "TALLY_KEYS", "EventCounts", "EventFilter", "Store", "StoreDown", "StoreError",
    "MapCell", "StoreFull", "StoreLocked", "StoredArticle", "StoredDocument", "Tally", "default_url",
]  # fmt: skip


class Store(Writes, Reads):
    """A sitrep database: documents, reports, claims and merged events."""
