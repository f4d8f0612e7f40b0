"""Many documents at once: worker processes on this machine, or a Dask cluster.

`WorkerPool(n)` starts n processes that each load the models once (spaCy, the actor book, the
gazetteer's on-disk index, which the workers share through the page cache rather than copy) and
extract chunks of documents sent to them over one pipe each. `extract_many` streams: it holds at
most a few chunks per worker in flight and yields results in input order, so memory stays flat
however long the input.

Each document has a time budget, enforced from outside the work: a worker that overruns its
chunk's budget (or dies, whatever killed it) is killed and replaced; its chunk is retried one
document at a time, and a document that overruns alone, or kills its worker alone, is reported as
a failed input, never retried forever and never silently dropped.

`DaskRunner` runs the same per-document pipeline on a Dask distributed cluster (a scheduler URL, or
a local cluster of worker processes), returning results to the client; `ingest_on_cluster` has the
workers write to a PostgreSQL store themselves.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import resource
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from sitrep.model import Document, InputError, Problem, Result

CHUNK = 8  # documents per task: enough for spaCy's batching, small enough to balance two workers
IN_FLIGHT = 3  # tasks queued per worker, so a worker never waits for the parent
DEFAULT_BUDGET = float(os.environ.get("SITREP_DOC_TIMEOUT", "120"))  # seconds per document
STARTUP_BUDGET = 300.0  # seconds a new worker may take to load the models

Item = Document | InputError
Outcome = Result | InputError


def default_workers() -> int:
    """$SITREP_WORKERS, else the number of cores this process may use."""
    if os.environ.get("SITREP_WORKERS", "").strip().isdigit():
        return int(os.environ["SITREP_WORKERS"])
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- inside a worker process ----------------------------------------------------------------------


@functools.cache
def worker_extractor() -> Any:
    """The Extractor of this worker process, loaded on first use."""
    from sitrep.pipeline import Extractor

    return Extractor()


def extract_chunk(items: Sequence[Item]) -> list[Outcome]:
    """Extract a chunk of documents with this process's Extractor; a document that breaks the code fails alone."""
    extractor = worker_extractor()
    try:
        return list(extractor.extract_many(items))
    except Exception:  # noqa: BLE001 - find the one document at fault and report it by name
        return [_extract_one(extractor, item) for item in items]


def _extract_one(extractor: Any, item: Item) -> Outcome:
    """One document; a bug it triggers becomes a failed input naming the document and the error."""
    if isinstance(item, InputError):
        return item
    try:
        return extractor.extract(item)
    except Exception as exc:  # noqa: BLE001 - reported as that document's failure, the batch goes on
        return InputError(item.origin or item.id, f"extraction failed: {type(exc).__name__}: {exc}", Problem.FAILED)


def _serve(conn: Connection) -> None:
    """A worker: load the models, then extract each chunk received until told to stop."""
    worker_extractor()
    conn.send(("ready", None, peak_rss_mb()))
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        task_id, items = task
        conn.send(("done", (task_id, extract_chunk(items)), peak_rss_mb()))


# --- the pool -------------------------------------------------------------------------------------


@dataclass
class _Task:
    """A chunk of input items, with where its results go."""

    id: int
    items: list[Item]
    position: int | None = None  # set when one document of a chunk is re-run alone: its place in the chunk


@dataclass
class _Worker:
    """One worker process and what it is doing."""

    slot: int
    process: Any
    conn: Connection
    ready: bool = False
    started: float = field(default_factory=time.monotonic)
    task: _Task | None = None
    deadline: float = 0.0


class WorkerPool:
    """Worker processes that extract documents, each with the models loaded once."""

    def __init__(self, workers: int | None = None, chunk: int = CHUNK, budget: float = DEFAULT_BUDGET) -> None:
        self.size = max(1, workers or default_workers())
        self.chunk = max(1, chunk)
        self.budget = budget
        self.peak_rss_mb: dict[int, float] = {}  # per worker slot: the highest peak any of its processes reached
        self.replaced = 0  # workers killed (overran) or found dead, and started again
        self._ctx = multiprocessing.get_context("spawn")  # no inherited threads or open connections
        self._workers = [self._start(slot) for slot in range(self.size)]

    def _start(self, slot: int) -> _Worker:
        """Start the worker process of a slot."""
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_serve, args=(child,), name=f"sitrep-worker-{slot}", daemon=True)
        process.start()
        child.close()
        return _Worker(slot, process, parent)

    def close(self) -> None:
        """Stop every worker."""
        for w in self._workers:
            try:
                w.conn.send(None)
            except OSError:
                pass
        for w in self._workers:
            w.process.join(timeout=5)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def extract_many(self, items: Iterable[Item]) -> Iterator[Outcome]:
        """Extract documents across the workers; one outcome per input item, in input order."""
        source = iter(items)
        queue: deque[_Task] = deque()  # tasks not yet sent, retries first
        results: dict[int, list[Outcome]] = {}
        pending: dict[int, int] = {}  # task id -> documents of it still out (a split chunk has several)
        order: deque[int] = deque()  # task ids in input order
        parts: dict[int, list[tuple[int, Outcome]]] = {}  # results of a split chunk, by position
        next_id = 0
        exhausted = False
        while True:
            while not exhausted and len(order) < IN_FLIGHT * self.size:  # tasks read and not yet yielded
                chunk = [x for _, x in zip(range(self.chunk), source)]
                if not chunk:
                    exhausted = True
                    break
                queue.append(_Task(next_id, chunk))
                order.append(next_id)
                pending[next_id] = 1
                next_id += 1
            for w in self._workers:
                if w.ready and w.task is None and queue:
                    self._send(w, queue.popleft())
            while order and not pending.get(order[0], 1) and order[0] in results:
                task_id = order.popleft()
                pending.pop(task_id)
                yield from results.pop(task_id)
            if exhausted and not order:
                return
            self._wait(queue, results, pending, parts)

    def _send(self, w: _Worker, task: _Task) -> None:
        """Give a task to an idle worker, with its deadline."""
        w.task = task
        w.deadline = time.monotonic() + self.budget * max(1, sum(isinstance(x, Document) for x in task.items))
        w.conn.send((task.id, task.items))

    def _wait(self, queue: deque[_Task], results: dict[int, list[Outcome]], pending: dict[int, int],
              parts: dict[int, list[tuple[int, Outcome]]]) -> None:
        """Wait for a worker to answer (or a deadline to pass) and account for what happened."""
        now = time.monotonic()
        deadlines = [w.deadline if w.ready else w.started + STARTUP_BUDGET for w in self._workers]
        timeout = min(1.0, max(0.0, min(deadlines) - now))
        for conn in wait([w.conn for w in self._workers], timeout=timeout):
            w = next(w for w in self._workers if w.conn is conn)
            try:
                kind, payload, rss = w.conn.recv()
            except (EOFError, OSError):
                if not w.ready:  # it died loading the models: no other worker will do better
                    raise RuntimeError(f"a sitrep worker failed to start (exit code {w.process.exitcode})") from None
                self._lost(w, queue, results, pending, parts, "the worker process died", Problem.WORKER_DIED)
                continue
            self.peak_rss_mb[w.slot] = max(self.peak_rss_mb.get(w.slot, 0.0), rss)
            if kind == "ready":
                w.ready = True
            else:
                task_id, outcomes = payload
                self._finish(w.task, outcomes, results, pending, parts)
                w.task = None
        now = time.monotonic()
        for w in self._workers:
            if not w.ready and now > w.started + STARTUP_BUDGET:
                raise RuntimeError(f"a sitrep worker did not start within {STARTUP_BUDGET:.0f} s")
            if w.task is not None and now > w.deadline:
                self._lost(w, queue, results, pending, parts, f"took longer than its {self.budget:g} s budget",
                           Problem.TIMEOUT)
            elif w.task is not None and not w.process.is_alive():
                self._lost(w, queue, results, pending, parts, "the worker process died", Problem.WORKER_DIED)

    def _finish(self, task: _Task | None, outcomes: list[Outcome], results: dict[int, list[Outcome]],
                pending: dict[int, int], parts: dict[int, list[tuple[int, Outcome]]]) -> None:
        """File the outcomes of a task (or of one retried document of a split chunk)."""
        if task is None:
            return
        if task.position is None:
            results[task.id] = outcomes
            pending[task.id] = 0
            return
        parts.setdefault(task.id, []).append((task.position, outcomes[0]))
        pending[task.id] -= 1
        if pending[task.id] == 0:
            results[task.id] = [o for _, o in sorted(parts.pop(task.id), key=lambda p: p[0])]

    def _lost(self, w: _Worker, queue: deque[_Task], results: dict[int, list[Outcome]], pending: dict[int, int],
              parts: dict[int, list[tuple[int, Outcome]]], why: str, kind: Problem) -> None:
        """Kill and replace a worker; retry its chunk one document at a time, or fail the lone document."""
        task = w.task
        if w.process.is_alive():
            w.process.kill()
        w.process.join()
        w.conn.close()
        self._workers[w.slot] = self._start(w.slot)
        self.replaced += 1
        if task is None:
            return
        if task.position is not None:
            doc = task.items[0]
            name = doc.source if isinstance(doc, InputError) else doc.origin or doc.id
            self._finish(task, [InputError(name, f"not processed: {why}", kind)], results, pending, parts)
            return
        pending[task.id] = len(task.items)
        for position, item in enumerate(task.items):
            if isinstance(item, InputError):
                parts.setdefault(task.id, []).append((position, item))
                pending[task.id] -= 1
            else:
                queue.appendleft(_Task(task.id, [item], position))
        if pending[task.id] == 0:
            results[task.id] = [o for _, o in sorted(parts.pop(task.id), key=lambda p: p[0])]


# --- Dask ---------------------------------------------------------------------------------------


def chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Consecutive lists of at most `size` items."""
    source = iter(items)
    while chunk := [x for _, x in zip(range(size), source)]:
        yield chunk


class DaskRunner:
    """The per-document pipeline on a Dask distributed cluster: a scheduler's URL, or a local cluster."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None, chunk: int = CHUNK) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - distributed is a dependency
            raise RuntimeError("the dask engine needs dask's distributed package: pip install distributed") from None
        self.chunk = max(1, chunk)
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler, timeout=30)
        else:
            self.cluster = LocalCluster(n_workers=max(1, workers or default_workers()), threads_per_worker=1,
                                        processes=True, host="127.0.0.1", dashboard_address=None)
            self.client = Client(self.cluster)
        self.size = max(1, len(self.client.scheduler_info()["workers"]))

    def close(self) -> None:
        """Disconnect, and stop the local cluster if this runner started it."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> DaskRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _map(self, fn: Any, batches: Iterable[list[Item]], *args: Any) -> Iterator[Any]:
        """fn(batch, *args) for each batch on the cluster, a bounded number in flight, results in order."""
        window: deque[Any] = deque()
        for batch in batches:
            window.append(self.client.submit(fn, batch, *args, pure=False))
            if len(window) >= IN_FLIGHT * self.size:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()

    def extract_many(self, items: Iterable[Item]) -> Iterator[Outcome]:
        """Extract documents on the cluster's workers; one outcome per input item, in input order."""
        for outcomes in self._map(extract_chunk, chunks(items, self.chunk)):
            yield from outcomes

    def ingest_many(self, items: Iterable[Item], url: str, force: bool = False) -> Iterator[Any]:
        """Extract and store documents on the workers, each writing to the (PostgreSQL) database at url."""
        for outcomes in self._map(ingest_chunk, chunks(items, self.chunk), url, force):
            yield from outcomes


@functools.cache
def _worker_store(url: str) -> Any:
    """This worker process's connection to the store at url."""
    from sitrep.store import Store

    return Store.open(url)


def ingest_chunk(items: Sequence[Item], url: str, force: bool = False) -> list[Any]:
    """Extract a chunk of documents and store them, in this worker process; their ingest outcomes."""
    from sitrep.service import ingest_documents

    return list(ingest_documents(_worker_store(url), items, worker_extractor, force=force))
