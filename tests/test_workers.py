"""workers: local worker processes and a Dask cluster give the same results as one process; faults lose nothing."""

from __future__ import annotations

import os
import signal
import threading

import pytest
from test_store import snapshot

from sitrep.model import Document, InputError, Problem, Result
from sitrep.service import ingest_documents
from sitrep.store import Store
from sitrep.workers import IN_FLIGHT, DaskRunner, WorkerPool, chunks

pytestmark = pytest.mark.slow  # worker processes

SHORT = ("Gunmen killed four villagers in an attack on Tuesday near Maiduguri, Borno state, police said.",
         "An air strike killed 12 people in a market in Idlib, Syria on Wednesday, a war monitor said.")


def same(a: Result | InputError, b: Result | InputError) -> bool:
    """Whether two outcomes are the same (results by their contract JSON, errors by their message)."""
    if isinstance(a, Result) and isinstance(b, Result):
        return a.to_dict(verbose=True) == b.to_dict(verbose=True)
    return type(a) is type(b) and str(a) == str(b)


def test_chunks_cover_the_input_in_order():
    assert list(chunks(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]


def test_pool_gives_what_one_process_gives_in_input_order(extractor, dev_documents):
    items = [*dev_documents[:6], InputError("broken.jsonl:3", "malformed JSON", Problem.MALFORMED), *dev_documents[6:]]
    reference = list(extractor.extract_many(items))
    with WorkerPool(2, chunk=3) as pool:
        got = list(pool.extract_many(items))
        assert pool.replaced == 0 and len(pool.peak_rss_mb) == 2
        assert all(0 < mb < 1536 for mb in pool.peak_rss_mb.values())  # the 1.5 GB per worker ceiling
    assert len(got) == len(reference) and all(same(a, b) for a, b in zip(got, reference))


def test_pool_replaces_a_killed_worker_and_loses_no_document(extractor, dev_documents):
    reference = list(extractor.extract_many(dev_documents))
    with WorkerPool(2, chunk=2) as pool:
        got = []
        for outcome in pool.extract_many(dev_documents):
            if not got:  # kill -9 a loaded worker while the rest of the batch is in flight
                # (a worker killed while still loading is a failed start, which stops the pool by design)
                victim = next(w for w in pool._workers if w.ready)
                os.kill(victim.process.pid, signal.SIGKILL)
            got.append(outcome)
        assert pool.replaced >= 1
    assert len(got) == len(reference) and all(same(a, b) for a, b in zip(got, reference))


def test_pool_skips_a_document_past_its_time_budget_and_goes_on(extractor):
    huge = " ".join([SHORT[1]] * 2500)  # ~240,000 characters: many seconds of parsing
    docs = [Document("a", SHORT[0], "a.txt"), Document("huge", huge, "huge.txt"), Document("b", SHORT[1], "b.txt")]
    with WorkerPool(2, chunk=1, budget=1.5) as pool:
        got = list(pool.extract_many(docs))
    assert isinstance(got[1], InputError) and str(got[1]) == "huge.txt: not processed: took longer than its 1.5 s budget"
    assert [g.id for g in (got[0], got[2])] == ["a", "b"]
    assert all(same(g, extractor.extract(d)) for g, d in ((got[0], docs[0]), (got[2], docs[2])))


def test_pool_stream_holds_a_bounded_number_of_documents(extractor):
    taken = 0
    lock = threading.Lock()

    def endless():
        nonlocal taken
        for i in range(10_000):
            with lock:
                taken += 1
            yield Document(f"d{i}", SHORT[i % 2], f"d{i}")

    with WorkerPool(2, chunk=4) as pool:
        stream = pool.extract_many(endless())
        first = [next(stream) for _ in range(5)]
        assert [r.id for r in first] == ["d0", "d1", "d2", "d3", "d4"]
        assert taken <= 8 + IN_FLIGHT * 2 * 4  # the two chunks yielded from, and the tasks read and not yet yielded


# --- Dask ---------------------------------------------------------------------------------------------


def test_dask_local_cluster_stores_the_same_events_as_one_process(db_url, tmp_path, extractor, dev_documents):
    with Store.open(str(tmp_path / "one.db")) as one:
        list(ingest_documents(one, dev_documents, lambda: extractor))
        expected = snapshot(one)
    with DaskRunner(workers=2) as runner, Store.open(db_url) as store:
        assert runner.size == 2
        if store.dialect == "postgresql":  # the workers write to the server themselves
            outcomes = list(runner.ingest_many(dev_documents, db_url))
        else:  # results come back to this process, which writes the SQLite file
            outcomes = list(ingest_documents(store, dev_documents, lambda: runner))
        assert [o.outcome for o in outcomes] == ["stored"] * len(dev_documents)
        assert snapshot(store) == expected and store.check() == []


def test_dask_extraction_matches_one_process(extractor, dev_documents):
    with DaskRunner(workers=2) as runner:
        got = list(runner.extract_many(dev_documents[:5]))
    assert all(same(a, b) for a, b in zip(got, extractor.extract_many(dev_documents[:5]), strict=True))


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_cli_extract_with_workers_matches_in_process(tmp_path, capsys, engine):
    from sitrep.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    for i, text in enumerate(SHORT):
        (folder / f"{i}.txt").write_text(text, "utf-8")
    assert main(["extract", "--format", "jsonl", "--workers", "0", str(folder)]) == 0
    one = capsys.readouterr().out
    assert main(["extract", "--format", "jsonl", "--workers", "2", "--engine", engine, str(folder)]) == 0
    assert capsys.readouterr().out == one and one.count("\n") == 2
