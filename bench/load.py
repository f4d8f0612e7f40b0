"""Load benchmark (not a test): 10,000 API requests on loopback against `sitrep serve`; p50/p99 latency and errors.

Builds a SQLite store of synthetic merged events (hand-made records through `Store.add`, no NLP, so the
store's size is chosen, not waited for), starts `sitrep serve` on it in a subprocess (or targets --url),
then sends a mix of requests with bounded concurrency: event lists with the filters of `sitrep events`,
single events, aggregates per day / country / type, actors, places, exports of a filter and the map (the world,
clustered above its point limit, and regions). Prints latency percentiles, requests per second and the error count
(any non-2xx answer or failed connection) of each run, the median p99 of each store size, and their ratio.

    .venv/bin/python bench/load.py [--requests 10000] [--concurrency 16] [--events 1000,10000] [--runs 3] [--url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from sitrep import service
from sitrep.model import EVENT_TYPES, Actor, Article, Claim, DateResolution, Document, Event, Location, Result
from sitrep.store import Store

TOWNS = [
    Location("Maiduguri", "Borno", "Nigeria", "NG", 11.84692, 13.15712, 2331447, "town"),
    Location("Kano", "Kano", "Nigeria", "NG", 12.00012, 8.51672, 2335204, "town"),
    Location("Mogadishu", "Banadir", "Somalia", "SO", 2.03711, 45.34375, 53654, "town"),
    Location("Kismayo", "Jubbada Hoose", "Somalia", "SO", -0.35817, 42.54536, 55671, "town"),
    Location("Tadmur", "Homs", "Syria", "SY", 34.56041, 38.26737, 163345, "town"),
    Location("Aleppo", "Aleppo", "Syria", "SY", 36.20124, 37.16117, 170063, "town"),
    Location("Goma", "North Kivu", "DR Congo", "CD", -1.67409, 29.22845, 216281, "town"),
    Location("Nairobi", "Nairobi", "Kenya", "KE", -1.28333, 36.81667, 184745, "town"),
]
ACTORS = [Actor("Al Shabaab", "Rebel group"), Actor("Military Forces of Somalia", "State forces"),
          Actor("Boko Haram", "Rebel group"), Actor("Protesters (Kenya)", "Protesters"),
          Actor("M23", "Rebel group"), Actor("Civilians (Nigeria)", "Civilians")]
CLAIMANTS = ["police", "the army", "a local official", "a monitor", "hospital staff"]
BOXES = ["40,-3,50,5", "5,5,15,15", "35,32,40,38", "-20,-40,60,40"]  # Somalia, Nigeria, Syria, Africa
WORDS = ("market road village convoy patrol checkpoint district council river bridge school clinic farm herders "
         "traders fuel water night morning militia soldiers residents camp border truck bus mosque church court "
         "election strike rally curfew").split()


def fill(path: str, n: int, seed: int = 7) -> None:
    """A store of n synthetic one-report documents over a year, eight towns and every event type, stored in one
    bulk load (`service.add_many`) and merged once."""
    rng = random.Random(seed)
    types = [(t, s) for t, subs in EVENT_TYPES.items() for s in subs]

    def documents() -> Iterator[tuple[Document, Result]]:
        for i in range(n):
            event_type, sub_type = rng.choice(types)
            day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(366))
            counts = [rng.choice([0, 1, 3, 7, 12, 40]) for _ in range(rng.randrange(1, 3))]
            sentences = [f"{k} people were killed, {rng.choice(CLAIMANTS)} said." for k in counts]
            # words of its own, so that syndication does not take the reports for copies of one story
            head = f"Report {i}: {' '.join(rng.choices(WORDS, k=30))}.\n\n"
            text = head + " ".join(sentences)
            claims, at = [], len(head)
            for k, sentence in zip(counts, sentences):
                written = f"{k} people"
                claims.append(Claim("killed", k, written, "exact", "text", at, at + len(written), sentence,
                                    claimant=sentence.split(", ")[1].removesuffix(" said.")))
                at += len(sentence) + 1
            event = Event(0, event_type, sub_type, DateResolution(day, precision="day", reason="synthetic"),
                          rng.choice(TOWNS), rng.choice(ACTORS), rng.choice(ACTORS + [None]), claims, sentences,
                          min(counts), min(counts), max(counts))
            doc = Document(f"load-{i}", text, f"load:{i}", published=day + dt.timedelta(days=1), source="Load Wire")
            yield doc, Result(doc.id, "en", [Article(f"Report {i}", None, text, doc.published)], [event])

    with Store.open(path) as store:
        service.add_many(store, documents())


def requests_mix(event_ids: list[str], n: int, seed: int = 11) -> list[tuple[str, dict]]:
    """n (path, params) pairs: lists with filters, single events, aggregates, actors and places."""
    rng = random.Random(seed)

    def month() -> str:
        return dt.date(2024, rng.randrange(1, 13), 1).isoformat()

    makers = [
        lambda: ("/api/events", {"limit": 50}),
        lambda: ("/api/events", {"country": rng.choice(["Nigeria", "SO", "Syria"]), "limit": 50}),
        lambda: ("/api/events", {"type": rng.choice(list(EVENT_TYPES)), "from": month(), "limit": 50}),
        lambda: ("/api/events", {"actor": "shabaab", "min-fatalities": 3, "sort": "-fatalities", "limit": 20}),
        lambda: ("/api/events", {"text": "police", "offset": rng.randrange(100), "limit": 20}),
        lambda: (f"/api/events/{rng.choice(event_ids)}", {}),
        lambda: (f"/api/events/{rng.choice(event_ids)}", {}),
        lambda: ("/api/aggregates", {"by": rng.choice(["day", "country", "type"])}),
        lambda: ("/api/aggregates", {"by": "day", "country": "Somalia"}),
        lambda: ("/api/actors", {}),
        lambda: ("/api/places", {"country": "SY"}),
        lambda: ("/api/export", {"format": rng.choice(["geojson", "acled-csv"]), "country": "SO", "limit": 100}),
        # the map: the whole world (cells above the point limit) and a region, as the page asks after a pan
        lambda: ("/api/map", {}),
        lambda: ("/api/map", {"bbox": rng.choice(BOXES)}),
        lambda: ("/api/map", {"bbox": rng.choice(BOXES), "type": rng.choice(list(EVENT_TYPES))}),
    ]
    return [rng.choice(makers)() for _ in range(n)]


async def hammer(url: str, mix: list[tuple[str, dict]], concurrency: int) -> tuple[list[float], int, float]:
    """Send every request with at most `concurrency` in flight; latencies (s), errors and wall time."""
    latencies: list[float] = []
    errors = 0
    queue = iter(mix)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for path, params in queue:
            start = time.perf_counter()
            try:
                response = await client.get(path, params=params)
                errors += not response.is_success
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - start)

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        return latencies, errors, time.perf_counter() - start


def start_server(db: str) -> tuple[subprocess.Popen, str]:
    """`sitrep serve` on a free loopback port (read-only); the process and its URL once it answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "SITREP_TOKEN"}
    proc = subprocess.Popen([sys.executable, "-m", "sitrep.cli", "serve", "--db", db, "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/api/status").is_success:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("sitrep serve did not start")


def run(url: str, requests: int, concurrency: int) -> tuple[list[float], int, float, int]:
    """One pass of the mix against a server: latencies (ms, sorted), errors, wall time, events listed."""
    event_ids = [e["id"] for e in httpx.get(url + "/api/events", params={"limit": 1000}).json()["items"]]
    latencies, errors, wall = asyncio.run(hammer(url, requests_mix(event_ids, requests), concurrency))
    return sorted(x * 1000 for x in latencies), errors, wall, len(event_ids)


def quantile(ms: list[float], q: float) -> float:
    """The q-quantile of sorted latencies."""
    return ms[min(len(ms) - 1, int(q * len(ms)))]


def main() -> None:
    """For each store size: fill a store (unless --url), start the server, send the mix --runs times, print the
    figures of each run and the median p99; then the ratio of the largest store's median p99 to the smallest's."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000, help="requests per run")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--events", default="1000,10000", help="store sizes, comma-separated (synthetic documents)")
    parser.add_argument("--runs", type=int, default=3, help="runs per store size; the median p99 is compared")
    parser.add_argument("--url", help="target a running server instead of starting one")
    args = parser.parse_args()

    sizes = [int(n) for n in args.events.split(",")] if args.url is None else [0]
    medians: dict[int, float] = {}
    for size in sizes:
        proc, url = None, args.url
        if url is None:
            db = str(Path(tempfile.mkdtemp(prefix="sitrep-load-")) / "load.db")
            started = time.perf_counter()
            fill(db, size)
            print(f"store: {size} synthetic documents in {time.perf_counter() - started:.1f} s ({db})")
            proc, url = start_server(db)
        try:
            p99s = []
            for i in range(args.runs):
                ms, errors, wall, listed = run(url, args.requests, args.concurrency)
                p99s.append(quantile(ms, 0.99))
                print(f"  run {i + 1}: {len(ms)} requests, concurrency {args.concurrency}, {listed} events listed: "
                      f"{len(ms) / wall:.0f} req/s; latency ms p50 {quantile(ms, 0.5):.1f}  p90 {quantile(ms, 0.9):.1f}"
                      f"  p99 {p99s[-1]:.1f}  max {ms[-1]:.1f}  mean {statistics.fmean(ms):.1f}; errors: {errors}")
            medians[size] = statistics.median(p99s)
            print(f"  median p99 over {args.runs} runs: {medians[size]:.1f} ms")
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(10)
    if len(medians) > 1:
        small, large = min(medians), max(medians)
        print(f"median p99 at {large} / at {small} events: {medians[large] / medians[small]:.2f}")


if __name__ == "__main__":
    main()
