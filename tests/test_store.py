"""store: documents, reports, claims and merged events in SQLite and PostgreSQL; faults lose nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from checks import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitrep import __version__, service, tolls
from sitrep.model import Actor, Article, Claim, DateResolution, Document, Event, Location, MergedEvent, Result
from sitrep.service import FeedItems, ingest_documents, reprocess
from sitrep.store import EventCounts, EventFilter, Store, StoreLocked
from sitrep.store.connection import PG_LOCK_KEY
from sitrep.store.schema import MIGRATIONS

KISMAYO = Location("Kismayo", "Jubbada Hoose", "Somalia", "SO", -0.35817, 42.54536, 55671, "town")
MOGADISHU = Location("Mogadishu", "Banadir", "Somalia", "SO", 2.03711, 45.34375, 53654, "town")
SHABAAB = Actor("Al Shabaab", "Rebel group", "Somalia")
ARMY = Actor("Military Forces of Somalia", "State forces", "Somalia")
SITREP = [sys.executable, "-m", "sitrep.cli"]

# Reports of dev articles 010 (Kismayo base bombing) and 011 (El-Salin base raid) in other words.
RETOLD = [
    Document("retold-kismayo", "Al-Shabab claims Kismayo base attack\n\nAl-Shabab suicide bombers attacked a base "
             "north of Kismayo early Sunday, killing at least nine soldiers, regional officials said. The militants "
             "then stormed the base.", "retold", published=dt.date(2017, 9, 4),
             source="Example Wire"),
    Document("retold-elsalin", "Al-Shabab raids base near Mogadishu\n\nAl-Shabab fighters raided a military base "
             "south of Mogadishu on Sunday, killing 23 Somali government soldiers, security sources said. The army "
             "said its troops killed 13 militants.", "retold", published=dt.date(2019, 9, 22), source="Example Wire"),
]


def report_result(doc_id: str, place: Location, day: dt.date, claims: list[Claim], actor2: Actor | None = ARMY,
                  event_type: str = "Battles", sub_type: str = "Armed clash",
                  published: dt.date | None = None) -> tuple[Document, Result]:
    """A hand-made document with one extracted event (no NLP needed)."""
    text = " ".join(c.sentence for c in claims) or "Fighting was reported."
    toll = tolls.toll(claims)
    event = Event(0, event_type, sub_type, DateResolution(day, precision="day", reason="given"), place, SHABAAB,
                  actor2, claims, [text], toll.fatalities, toll.low, toll.high, salience=1.5, notes=["made by hand"])
    doc = Document(doc_id, text, f"test:{doc_id}", published=published or day + dt.timedelta(days=1),
                   source="Example Wire")
    return doc, Result(doc_id, "en", [Article(None, None, text, doc.published)], [event], origin=doc.origin)


GROUPS = {"soldiers": "state_forces", "troops": "state_forces", "militants": "armed_groups", "civilians": "civilians"}


def killed(n: int, claimant: str | None, subject: str = "people", sentence: str | None = None) -> Claim:
    """A claim of n killed, counting the group its subject names (as `claims` reads it)."""
    written = f"{n} {subject}"
    return Claim("killed", n, written, "exact", "text", 0, len(written), sentence or f"{written} were killed.",
                 subject=subject, claimant=claimant, group=GROUPS.get(subject, "all"))


def snapshot(store: Store) -> list[tuple]:
    """Everything that must not depend on ingest order: events, their reports, tolls and claims."""
    return [(e.id, e.event_type, e.sub_event_type, e.date.date, e.location, e.actor1, e.actor2, e.fatalities,
             e.fatalities_low, e.fatalities_high, sorted(r.id for r in e.reports),
             sorted((r.id, i, c.count, c.superseded) for r in e.reports for i, c in enumerate(r.event.claims)))
            for e in store.events()]


# --- schema and round trips -----------------------------------------------------------------


def test_store_migrations_are_recorded_once(db_url):
    names = [name for name, _ in MIGRATIONS]
    with Store.open(db_url) as first:
        assert first.migrations() == names
    with Store.open(db_url) as again:
        assert again.migrate() == [] and again.migrations() == names


def test_store_upgrades_an_older_database_keeping_its_rows(db_url, monkeypatch):
    monkeypatch.setattr("sitrep.store.connection.MIGRATIONS", MIGRATIONS[:1])
    with Store.open(db_url) as old:  # a database written before the later migrations existed
        old._exec("INSERT INTO documents (id, content_hash, origin, text, extractor_version, ingested_at) "
                  "VALUES ('old', 'h', 'test:old', 'Gunmen killed four villagers.', '0.0.1', '2024-01-01')")
    monkeypatch.setattr("sitrep.store.connection.MIGRATIONS", MIGRATIONS)
    with Store.open(db_url) as new:
        assert new.migrations() == [name for name, _ in MIGRATIONS]
        (kept,) = new.documents()
        assert (kept.document.id, kept.document.text, kept.extractor_version) == ("old", "Gunmen killed four villagers.", "0.0.1")
        service.add(new, *report_result("b", KISMAYO, dt.date(2017, 9, 3), [killed(9, "police")]))
        assert len(new.documents()) == 2 and new.check() == []


@pytest.mark.parametrize("url_form", ["plain", "sqlite_url", "env"])
def test_store_opens_sqlite_from_path_url_or_env(tmp_path, monkeypatch, url_form):
    path = tmp_path / "x.db"
    monkeypatch.setenv("SITREP_DB", str(path))
    url = {"plain": str(path), "sqlite_url": f"sqlite:///{path}", "env": None}[url_form]
    with Store.open(url) as s:
        service.add(s, *report_result("a", KISMAYO, dt.date(2017, 9, 3), [killed(7, "officials")]))
    assert path.exists() and sqlite3.connect(path).execute("SELECT COUNT(*) FROM documents").fetchone() == (1,)


def test_store_then_load_returns_the_same_reports(store):
    doc, result = report_result("a", KISMAYO, dt.date(2017, 9, 3), [killed(7, "officials", "soldiers"), killed(26, "Al-Shabab", "troops")])
    assert service.add(store, doc, result) == "stored"
    (event,) = store.events()
    (report,) = event.reports
    assert report.event == result.events[0]
    assert (report.document_id, report.source, report.published, report.extractor_version) == ("a", "Example Wire", doc.published, __version__)
    (stored,) = store.documents()
    assert stored.document == doc and stored.extractor_version == __version__


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20)
claims_strategy = st.builds(
    Claim, kind=st.sampled_from(["killed", "injured", "arrested"]), count=st.none() | st.integers(0, 10**6),
    as_written=names, qualifier=st.sampled_from(["exact", "at_least", "vague"]), field=st.sampled_from(["headline", "text"]),
    start=st.integers(0, 500), end=st.integers(0, 500), sentence=names, count_high=st.none() | st.integers(0, 10**6),
    subject=st.none() | names, claimant=st.none() | names, part_of=st.none() | st.integers(0, 3), superseded=st.booleans(),
    article=st.just(0), sentence_start=st.integers(0, 500), aggregate=st.booleans(), incident=st.integers(0, 5),
    canonical=st.none() | names)
events_strategy = st.builds(
    Event, article=st.just(0), event_type=st.just("Battles"), sub_event_type=st.sampled_from(["Armed clash", None]),
    date=st.builds(DateResolution, st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)), st.none(), st.just("day"), names),
    location=st.sampled_from([KISMAYO, MOGADISHU, None]), actor1=st.builds(Actor, names, st.sampled_from([None, "Rebel group"]), st.none() | names),
    actor2=st.none(), claims=st.lists(claims_strategy, max_size=4), evidence=st.lists(names, max_size=3),
    fatalities=st.integers(0, 1000), fatalities_low=st.none() | st.integers(0, 1000), fatalities_high=st.none() | st.integers(0, 1000),
    salience=st.floats(0, 100), notes=st.lists(names, max_size=2))


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=events_strategy, text=names)
def test_store_then_load_returns_the_same_events(tmp_path_factory, event, text):
    path = tmp_path_factory.mktemp("h") / "h.db"
    with Store.open(str(path)) as store:
        doc = Document("d1", text, "hyp", published=dt.date(2020, 1, 1))
        service.add(store, doc, Result("d1", "en", [Article("h", None, text)], [event]))
        (merged,) = store.events()
        assert merged.reports[0].event == event
        assert store.documents()[0].document == doc


# --- idempotence, updates, reprocessing -------------------------------------------------------------


def test_store_same_document_twice_changes_nothing(store):
    pair = report_result("a", KISMAYO, dt.date(2017, 9, 3), [killed(7, "officials")])
    assert service.add(store, *pair) == "stored"
    before = (store.counts(), snapshot(store))
    assert service.add(store, *pair) == "unchanged"
    assert (store.counts(), snapshot(store)) == before


def test_store_changed_document_replaces_its_reports(store):
    service.add(store, *report_result("a", KISMAYO, dt.date(2017, 9, 3), [killed(7, "officials")]))
    assert service.add(store, *report_result("a", KISMAYO, dt.date(2017, 9, 3), [killed(9, "officials")])) == "updated"
    (event,) = store.events()
    assert event.fatalities == 9 and store.counts()["reports"] == 1 and store.check() == []


def test_store_reprocess_replaces_old_versions_without_duplicates(store, extractor):
    for doc in RETOLD:
        service.add(store, doc, extractor.extract(doc), extractor_version="0.0.1")
    before = snapshot(store)
    assert {s.extractor_version for s in store.documents()} == {"0.0.1"}
    outcomes = list(reprocess(store, lambda: extractor))
    assert [o.outcome for o in outcomes] == ["updated", "updated"]
    assert {s.extractor_version for s in store.documents()} == {__version__}
    assert snapshot(store) == before and store.check() == []
    assert all(r.extractor_version == __version__ for e in store.events() for r in e.reports)
    assert list(reprocess(store, lambda: extractor)) == []


# --- queries ------------------------------------------------------------------------------------


@pytest.fixture
def two_events(store):
    service.add(store, *report_result("kis", KISMAYO, dt.date(2017, 9, 3), [killed(7, "officials", "soldiers", "Seven soldiers died at the base.")],
                             event_type="Explosions/Remote violence", sub_type="Suicide bomb"))
    service.add(store, *report_result("mog", MOGADISHU, dt.date(2019, 9, 22), [killed(20, "security sources", "soldiers")], actor2=None))
    return store


@pytest.mark.parametrize("filters, expected", [
    (EventFilter(), ["kis", "mog"]),
    (EventFilter(country="so"), ["kis", "mog"]),
    (EventFilter(country="Kenya"), []),
    (EventFilter(admin1="banadir"), ["mog"]),
    (EventFilter(event_type="Battles"), ["mog"]),
    (EventFilter(sub_event_type="Suicide bomb"), ["kis"]),
    (EventFilter(date_from=dt.date(2018, 1, 1)), ["mog"]),
    (EventFilter(date_to=dt.date(2017, 9, 3)), ["kis"]),
    (EventFilter(actor="military forces"), ["kis"]),
    (EventFilter(actor="shabaab"), ["kis", "mog"]),
    (EventFilter(min_fatalities=10), ["mog"]),
    (EventFilter(text="AT THE BASE"), ["kis"]),
    (EventFilter(text="100%_"), []),
    # the search syntax: words all present, "phrases", OR, -word; the same on SQLite and PostgreSQL
    (EventFilter(text='"at the base"'), ["kis"]),
    (EventFilter(text='"the base'), ["kis"]),
    (EventFilter(text="soldiers -base"), ["mog"]),
    (EventFilter(text="base OR killed"), ["kis", "mog"]),
    (EventFilter(text="died killed"), []),
    (EventFilter(text='-"were killed"'), ["kis"]),
    (EventFilter(country=("Kenya", "SO")), ["kis", "mog"]),
    (EventFilter(event_type=("Battles", "Riots")), ["mog"]),
    (EventFilter(actor=("nobody at all", "military forces")), ["kis"]),
    (EventFilter(bbox=(44.0, 0.0, 50.0, 5.0)), ["mog"]),
    (EventFilter(bbox=(170.0, -10.0, 45.0, 10.0)), ["kis"]),  # a box across 180°
    (EventFilter(limit=1), ["kis"]),
    (EventFilter(limit=1, offset=1), ["mog"]),
    (EventFilter(offset=1), ["mog"]),
])
def test_store_events_filters(two_events, filters, expected):
    found = two_events.events(filters)
    assert [e.reports[0].document_id for e in found] == expected


def test_store_counts_the_events_with_no_point_or_no_date(two_events):
    doc, result = report_result("nowhere", KISMAYO, dt.date(2018, 5, 5), [killed(3, "police")])
    placeless = dataclasses.replace(result.events[0], location=None, date=DateResolution(None))
    service.add(two_events, doc, dataclasses.replace(result, events=[placeless]))
    counts = two_events.event_counts(EventFilter())
    assert (counts.events, counts.without_point, counts.without_date) == (3, 1, 1)
    assert two_events.event_counts(EventFilter(country="SO")) == EventCounts(2, 0, 0)


def test_store_map_cells_count_events_per_type(two_events):
    (cell,) = two_events.map_cells(EventFilter(), 100.0)
    assert cell.events == 2 and cell.types == {"Explosions/Remote violence": 1, "Battles": 1}
    assert cell.fatalities == 27 and -0.4 < cell.lat < 2.1 and 42.5 < cell.lon < 45.4
    assert sum(c.events for c in two_events.map_cells(EventFilter(), 1.0)) == 2


def test_store_event_by_id_or_prefix(two_events):
    first = two_events.events()[0]
    assert two_events.event(first.id).reports[0].document_id == "kis"
    assert two_events.event(first.id[:8]).id == first.id
    assert two_events.event("ev-nothing") is None


@pytest.fixture
def many_events(two_events, extractor):
    """The two events, one of them told again by a second document, and a wire story run by three sites."""
    service.add(two_events, *report_result("kis-later", KISMAYO, dt.date(2017, 9, 3),
                                           [killed(9, "regional officials", "soldiers")],
                                           event_type="Explosions/Remote violence", sub_type="Suicide bomb"))
    for doc in wire_documents():
        service.add(two_events, doc, extractor.extract(doc))
    return two_events


def summary_of(event: MergedEvent) -> tuple:
    """What the summary of a fully loaded merged event holds, in EventSummary's field order."""
    return (event.id, event.event_type, event.sub_event_type, event.date, event.location, event.actor1, event.actor2,
            event.fatalities, event.fatalities_low, event.fatalities_high, len(event.reports),
            event.independent_reports, tuple(sorted({r.source for r in event.reports if r.source})),
            tuple(event.reasons))


@pytest.mark.parametrize("filters", [
    EventFilter(),
    EventFilter(country="so"),
    EventFilter(country="Kenya"),
    EventFilter(sort="-fatalities"),
    EventFilter(limit=2, offset=1),
    EventFilter(offset=2),
    EventFilter(text="AT THE BASE"),
])
def test_store_event_summaries_are_the_events_without_their_claims(many_events, filters):
    summaries = many_events.event_summaries(filters)
    fields = [tuple(getattr(s, f.name) for f in dataclasses.fields(s)) for s in summaries]
    assert fields == [summary_of(e) for e in many_events.events(filters)]
    everything = many_events.event_summaries()
    assert any(s.report_count > s.independent_reports for s in everything) and any(s.reasons for s in everything)


def test_store_event_summaries_take_two_queries_and_read_no_claims(many_events, monkeypatch):
    statements: list[str] = []
    run = Store._exec
    monkeypatch.setattr(Store, "_exec", lambda self, sql, params=(): statements.append(sql) or run(self, sql, params))
    found = many_events.event_summaries(EventFilter(limit=100))
    assert len(found) >= 3 and len(statements) == 2
    assert not any(table in sql for sql in statements for table in ("claims", "evidence"))
    statements.clear()
    wanted = [found[-1].id, "ev-nothing", found[0].id]
    assert [s.id for s in many_events.event_summaries_of(wanted)] == [found[-1].id, found[0].id]
    assert len(statements) == 2


# --- merging in the store -----------------------------------------------------------------------


def test_store_merges_reports_of_one_incident_across_documents(store):
    service.add(store, *report_result("a", KISMAYO, dt.date(2017, 9, 3), [killed(7, "regional officials", "soldiers")]))
    service.add(store, *report_result("b", KISMAYO, dt.date(2017, 9, 4), [killed(26, "Al-Shabab", "soldiers")]))
    service.add(store, *report_result("c", MOGADISHU, dt.date(2017, 9, 3), [killed(3, "police")]))
    events = store.events()
    assert sorted(len(e.reports) for e in events) == [1, 2]
    (pair,) = [e for e in events if len(e.reports) == 2]
    assert (pair.fatalities, pair.fatalities_low, pair.fatalities_high) == (7, 7, 26)
    assert any("places 0.0 km apart" in why for why in pair.reasons)


def test_store_newer_figure_from_same_claimant_supersedes_across_documents(store):
    service.add(store, *report_result("day1", KISMAYO, dt.date(2017, 9, 3), [killed(8, "Syrian Observatory")]))
    service.add(store, *report_result("day2", KISMAYO, dt.date(2017, 9, 3), [killed(12, "Syrian Observatory")],
                             published=dt.date(2017, 9, 6)))
    (event,) = store.events()
    assert (event.fatalities, event.fatalities_low, event.fatalities_high) == (12, 12, 12)
    history = {(r.document_id, c.count, c.superseded) for r in event.reports for c in r.event.claims}
    assert history == {("day1", 8, True), ("day2", 12, False)}
    assert any("superseded" in why for why in event.reasons)


def test_store_toll_rose_in_a_later_article_supersedes_the_first(store, extractor):
    first = Document("idlib-thu", "An air strike hit a market in Idlib, Syria on Thursday, killing eight people, the "
                     "Syrian Observatory for Human Rights said.", "test", published=dt.date(2024, 2, 29))
    later = Document("idlib-sat", "The toll from Thursday's air strike on a market in Idlib, Syria rose to 12, the "
                     "Syrian Observatory for Human Rights said on Saturday.", "test", published=dt.date(2024, 3, 2))
    for doc in (later, first):
        service.add(store, doc, extractor.extract(doc))
    (event,) = store.events()
    assert (event.date.date, event.fatalities, event.fatalities_low, event.fatalities_high) == (
        dt.date(2024, 2, 29), 12, 12, 12)
    assert {(r.document_id, c.count, c.superseded) for r in event.reports for c in r.event.claims} == {
        ("idlib-thu", 8, True), ("idlib-sat", 12, False)}


@pytest.mark.slow
def test_store_dev_articles_merge_the_same_in_any_order(db_url, extractor, dev_documents, tmp_path):
    results = {d.id: extractor.extract(d) for d in [*dev_documents, *RETOLD]}
    docs = [*dev_documents, *RETOLD]
    snaps = []
    for seed in (1, 2):
        order = docs[:]
        random.Random(seed).shuffle(order)
        url = db_url if seed == 1 else str(tmp_path / "second.db")
        with Store.open(url) as s:
            for d in order:
                service.add(s, d, results[d.id])
            assert s.check() == []
            snaps.append(snapshot(s))
    assert snaps[0] == snaps[1]
    merged = [e for e in snaps[0] if len(e[10]) > 1]
    assert {tuple(sorted(ids)) for *_, ids, _claims in merged} >= {("dev-010/0", "retold-kismayo/0"), ("dev-011/0", "retold-elsalin/0")}


# --- syndication: a wire story republished by several sites is one story ------------------------


def wire_documents() -> list[Document]:
    """Three sites running one AFP story with their own furniture, and Reuters telling it in its own words."""
    from test_syndication import OTHER_AGENCY, SITE_A, SITE_B, SITE_C

    texts = {"site-a": SITE_A, "site-b": SITE_B, "site-c": SITE_C, "reuters-own": OTHER_AGENCY}
    return [Document(name, text, f"test:{name}", published=dt.date(2024, 11, 21), source=f"{name}.example")
            for name, text in texts.items()]


def test_store_republished_copies_count_once_whatever_the_order(db_url, extractor, tmp_path):
    docs = wire_documents()
    results = {d.id: extractor.extract(d) for d in docs}
    seen = []
    for url, order in ((db_url, docs), (str(tmp_path / "reversed.db"), docs[::-1])):
        with Store.open(url) as s:
            for d in order:
                service.add(s, d, results[d.id])
            event = max(s.events(), key=lambda e: len(e.reports))
            copies = {r.document_id: r.copy_of for r in event.reports}
            seen.append(copies)
            assert len({r.document_id for r in event.reports}) == 4
            assert event.independent_reports == 2
            assert {r.source for r in event.reports} == {"AFP", "Reuters", "site-c.example"}  # site C credits no one
            assert {r.outlet for r in event.reports} == {f"{d.id}.example" for d in docs}
    assert seen[0] == seen[1] == {"site-a": None, "site-b": "site-a", "site-c": "site-a", "reuters-own": None}


def test_store_replacing_the_first_copy_hands_the_story_to_the_next(store, extractor):
    docs = wire_documents()[:3]
    for d in docs:
        service.add(store, d, extractor.extract(d))
    changed = Document("site-a", "Floods cut roads in three provinces, officials said on Saturday.", "test:site-a",
                       published=dt.date(2024, 11, 21))
    service.add(store, changed, extractor.extract(changed))
    event = max(store.events(), key=lambda e: len(e.reports))
    assert {r.document_id: r.copy_of for r in event.reports} == {"site-b": None, "site-c": "site-b"}
    assert event.independent_reports == 1 and store.check() == []


# --- feed items seen by `sitrep watch` ------------------------------------------------------------


def test_store_remembers_feed_items_across_connections(db_url):
    with Store.open(db_url) as s:
        seen = FeedItems(s)
        assert not seen.seen("https://example.org/a")
        seen.remember("https://example.org/a", "https://example.org/feed")
        seen.remember("https://example.org/a", "https://example.org/feed")  # twice is harmless
    with Store.open(db_url) as s:
        assert FeedItems(s).seen("https://example.org/a") and not FeedItems(s).seen("https://example.org/b")


# --- faults -------------------------------------------------------------------------------------


@pytest.mark.parametrize("held, expect_ok", [(0.5, True), (2.5, False)])
def test_store_waits_for_a_lock_then_succeeds_or_fails_clearly(db_url, held, expect_ok):
    with Store.open(db_url, lock_timeout=1.5) as store:
        if db_url.startswith("postgresql"):
            import psycopg

            other = psycopg.connect(db_url, autocommit=True)
            other.execute("SELECT pg_advisory_lock(%s)", (PG_LOCK_KEY,))
            release = lambda: other.execute("SELECT pg_advisory_unlock(%s)", (PG_LOCK_KEY,))  # noqa: E731
        else:
            other = sqlite3.connect(db_url, isolation_level=None, check_same_thread=False)
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO sources (name) VALUES ('holding the lock')")
            release = lambda: other.execute("COMMIT")  # noqa: E731
        timer = threading.Timer(held, release)
        timer.start()
        try:
            pair = report_result("a", KISMAYO, dt.date(2017, 9, 3), [killed(7, "officials")])
            if expect_ok:
                assert service.add(store, *pair) == "stored"
            else:
                with pytest.raises(StoreLocked, match="locked|lock"):
                    service.add(store, *pair)
        finally:
            timer.join()
            other.close()
        assert store.counts()["documents"] == (1 if expect_ok else 0) and store.check() == []


def write_jsonl(path: Path, n: int, bad_line: bool = False) -> list[str]:
    """n small news items as JSONL (one incident per town and day, some reported twice); their ids."""
    towns = ["Maiduguri", "Kismayo", "Mogadishu", "Kunduz", "Idlib", "Homs", "Gao", "Mopti"]
    lines, ids = [], []
    for i in range(n):
        town, day = towns[i % len(towns)], 1 + (i // (2 * len(towns))) % 27
        text = (f"Gunmen killed {2 + i % 5} villagers in an attack near {town} on 2023-03-{day:02d}, "
                f"police said. Report number {i}.")
        lines.append(json.dumps({"id": f"n{i:04d}", "text": text, "published": f"2023-03-{day + 1:02d}", "source": "Wire"}))
        ids.append(f"n{i:04d}")
        if bad_line and i == n // 2:
            lines.append('{"id": "broken", "text": ')
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return ids


def sitrep_ingest(*args: str) -> subprocess.Popen:
    """`sitrep ingest` in a fresh process."""
    return subprocess.Popen([*SITREP, "ingest", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_store_kill_during_ingest_then_rerun_loses_and_duplicates_nothing(tmp_path, extractor):
    jsonl, db = tmp_path / "news.jsonl", tmp_path / "k.db"
    ids = write_jsonl(jsonl, 300)
    proc = sitrep_ingest("--db", str(db), str(jsonl))
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        try:
            stored = sqlite3.connect(db, timeout=5).execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        except sqlite3.OperationalError:
            continue
        if stored >= 40:
            proc.kill()  # SIGKILL: no cleanup runs
            break
    proc.wait()
    assert proc.returncode == -9, "the ingest finished before it could be killed"
    with Store.open(str(db)) as s:
        assert 40 <= s.counts()["documents"] < 300 and s.check() == []
    rerun = sitrep_ingest("--db", str(db), str(jsonl))
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert "unchanged" in err
    with Store.open(str(db)) as s:
        assert sorted(d.document.id for d in s.documents()) == ids
        assert s.check() == []
        counts, after = s.counts(), snapshot(s)
    with Store.open(str(tmp_path / "ref.db")) as ref:
        for outcome in ingest_documents(ref, read(jsonl), lambda: extractor):
            assert outcome.outcome == "stored"
        assert ref.counts() == counts and snapshot(ref) == after


def read(path: Path):
    from sitrep.ingest import read_inputs

    return read_inputs([str(path)])


@pytest.mark.slow
def test_store_two_ingests_at_once_give_the_same_events_as_one(db_url, tmp_path, extractor):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_jsonl(first, 48)
    lines = first.read_text("utf-8").splitlines()
    second.write_text("\n".join(lines[::-1]) + "\n", "utf-8")  # the same documents, the other way round
    procs = [sitrep_ingest("--db", db_url, str(p)) for p in (first, second)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    with Store.open(db_url) as s:
        assert s.check() == [] and s.counts()["documents"] == 48
        together = snapshot(s)
    with Store.open(str(tmp_path / "ref.db")) as ref:
        list(ingest_documents(ref, read(first), lambda: extractor))
        assert snapshot(ref) == together


@pytest.mark.slow
def test_store_malformed_jsonl_line_is_reported_and_the_rest_stored(tmp_path):
    jsonl, db = tmp_path / "news.jsonl", tmp_path / "m.db"
    ids = write_jsonl(jsonl, 6, bad_line=True)
    proc = sitrep_ingest("--db", str(db), str(jsonl))
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0
    errors = [line for line in err.splitlines() if line.startswith("sitrep: error:")]
    assert len(errors) == 1 and "news.jsonl:5" in errors[0] and "malformed JSON" in errors[0]
    assert "6 stored" in err and "1 failed" in err
    with Store.open(str(db)) as s:
        assert sorted(d.document.id for d in s.documents()) == ids


def test_store_cli_events_and_show_print_reports_and_reasons(tmp_path, capsys):
    from sitrep.cli import main

    db = str(tmp_path / "c.db")
    with Store.open(db) as s:
        service.add(s, *report_result("a", KISMAYO, dt.date(2017, 9, 3), [killed(7, "regional officials", "soldiers")]))
        service.add(s, *report_result("b", KISMAYO, dt.date(2017, 9, 3), [killed(26, "Al-Shabab", "soldiers")]))
    assert main(["events", "--db", db, "--format", "json"]) == 0
    (event,) = json.loads(capsys.readouterr().out)
    assert (event["fatalities_low"], event["fatalities_high"], len(event["reports"])) == (7, 26, 2)
    assert main(["events", "--db", db, "--format", "csv", "--min-fatalities", "8"]) == 0
    assert capsys.readouterr().out.count("\n") == 1  # the header only
    assert main(["show", "--db", db, event["id"][:9]]) == 0
    out = capsys.readouterr().out
    assert "why merged:" in out and "b/0 merged with a/0" in out and "Al-Shabab" in out
    assert main(["show", "--db", db, "ev-missing"]) == 1


def test_store_keeps_a_place_the_event_is_near_and_the_name_the_text_gave(store):
    near = dataclasses.replace(KISMAYO, near=True, mentioned="Qqzzyq")
    service.add(store, *report_result("near", near, dt.date(2017, 9, 3), [killed(4, "police")]))
    service.add(store, *report_result("in", MOGADISHU, dt.date(2017, 9, 3), [killed(5, "police")]))
    places = {e.location.name: e.location for e in store.events()}
    assert places["Kismayo"] == near and places["Mogadishu"] == MOGADISHU
