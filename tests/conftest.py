"""Shared fixtures: the real spaCy pipeline and extractor, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
SEED = ROOT / "examples" / "seed_news_dump.txt"


@pytest.fixture(scope="session")
def nlp():
    """The project's spaCy pipeline (with the domain entity ruler)."""
    from sitrep import nlp as nlp_stage

    return nlp_stage.load()


@pytest.fixture(scope="session")
def extractor():
    """One Extractor for the whole session (models and gazetteer loaded once)."""
    from sitrep.pipeline import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def extract(extractor):
    """Extract one text (optionally with a published date) and return the Result."""
    import datetime as dt

    from sitrep.model import Document

    def run(text: str, published: str | None = None, doc_id: str = "t"):
        pub = dt.date.fromisoformat(published) if published else None
        return extractor.extract(Document(id=doc_id, text=text, origin="test", published=pub))

    return run
