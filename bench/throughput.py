"""Throughput benchmark (not a test): sitrep end to end vs the bare spaCy pass over the same texts.

Builds a corpus of news-length articles from the development articles (shared/data/articles_dev),
then, in one run, times
  1. the bare spaCy pass: the same pipeline and components sitrep uses, same batch size, one process;
  2. sitrep's extraction end to end (clean, parse, actors, events, claims, dates, geo, merge), one process;
  3. the same through `sitrep.workers.WorkerPool` with 1 and 2 worker processes (models loaded
     before timing), with each worker's peak RSS.
Prints articles/s and words/s, the ratio of (2) to (1) (goal: >= 60%), the speed-up from 1 to 2
workers (goal: >= 1.7x) and peak RSS per worker (goal: <= 1.5 GB).

    .venv/bin/python bench/throughput.py [--articles 200] [--workers 2] [--dev PATH]
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from sitrep import nlp as nlp_stage
from sitrep.clean import clean
from sitrep.model import Document
from sitrep.pipeline import FIELDS, Extractor
from sitrep.workers import WorkerPool, peak_rss_mb

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "articles_dev"


def build_corpus(dev: Path, n: int, words: int = 500, seed: int = 7) -> list[Document]:
    """N articles of about `words` words: one dev article's text, padded with paragraphs of others."""
    texts = [p.read_text("utf-8") for p in sorted(dev.glob("*.txt"))]
    paragraphs = [para for t in texts for para in t.split("\n\n") if len(para.split()) > 12]
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        parts = [texts[i % len(texts)]]
        while sum(len(p.split()) for p in parts) < words:
            parts.append(rng.choice(paragraphs))
        docs.append(Document(id=f"bench-{i}", text="\n\n".join(parts), origin=f"bench:{i}"))
    return docs


def main() -> None:
    """Run both passes and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2, help="the most worker processes to time (default 2)")
    ap.add_argument("--dev", type=Path, default=DEV)
    args = ap.parse_args()
    docs = build_corpus(args.dev, args.articles)
    extractor = Extractor()  # loads spaCy, the actor book and the gazetteer before timing
    nlp = extractor.nlp
    # the bare pass parses exactly the field texts sitrep parses
    fields = [a.field_text(f) for d in docs for a in clean(d) for f in FIELDS if a.field_text(f).strip()]
    n_words = sum(len(d.text.split()) for d in docs)
    list(nlp.pipe(fields[:20], batch_size=nlp_stage.BATCH_SIZE))  # warm-up

    t0 = time.perf_counter()
    for _ in nlp.pipe(fields, batch_size=nlp_stage.BATCH_SIZE):
        pass
    bare = time.perf_counter() - t0

    t0 = time.perf_counter()
    events = sum(len(r.events) for r in extractor.extract_many(docs))
    full = time.perf_counter() - t0

    pooled = {n: time_pool(n, docs) for n in range(1, args.workers + 1)}

    print(f"corpus: {len(docs)} articles, {n_words:,} words ({n_words / len(docs):.0f} words/article)")
    print(f"spaCy pipeline: {nlp_stage.model_name()} components={nlp.pipe_names} batch={nlp_stage.BATCH_SIZE}")
    print(f"bare spaCy pass, 1 process  : {len(docs) / bare:7.1f} articles/s  {n_words / bare:9,.0f} words/s  ({bare:.2f} s)")
    print(f"sitrep end to end, 1 process: {len(docs) / full:7.1f} articles/s  {n_words / full:9,.0f} words/s  "
          f"({full:.2f} s, {events} events)")
    print(f"ratio sitrep / bare spaCy   : {bare / full:.0%}   (peak RSS of this process {peak_rss_mb():.0f} MB)")
    for n, (took, rss) in pooled.items():
        print(f"sitrep, {n} worker process(es): {len(docs) / took:7.1f} articles/s  {n_words / took:9,.0f} words/s  "
              f"({took:.2f} s; peak RSS per worker: {', '.join(f'{mb:.0f} MB' for mb in rss)})")
    if len(pooled) > 1:
        print(f"speed-up 1 -> {args.workers} workers: {pooled[1][0] / pooled[args.workers][0]:.2f}x")


def time_pool(workers: int, docs: list[Document]) -> tuple[float, list[float]]:
    """Seconds to extract the corpus with a pool of `workers` processes (models loaded first), and their peak RSS."""
    with WorkerPool(workers) as pool:
        list(pool.extract_many(docs[: 2 * workers]))  # every worker loaded and warm
        t0 = time.perf_counter()
        for _ in pool.extract_many(docs):
            pass
        took = time.perf_counter() - t0
        return took, [pool.peak_rss_mb[k] for k in sorted(pool.peak_rss_mb)]


if __name__ == "__main__":
    main()
