"""The shared dev data the accuracy tests read: under CI=true its absence fails the run instead of skipping them."""

from __future__ import annotations

import pytest
from conftest import CI, SHARED

EXPECTED = ["seed_news_dump.txt", "seed_expected.json", "acled_dev.jsonl", "acled_dev_large.jsonl", "articles_dev"]


def test_shared_data_is_present_where_ci_needs_it():
    missing = [name for name in EXPECTED if not (SHARED / name).exists()]
    if missing and not CI:
        pytest.skip(f"shared data not found beside the checkout: {', '.join(missing)}")
    assert not missing, f"CI needs the shared data in {SHARED}: missing {', '.join(missing)}"
    assert len(list((SHARED / "articles_dev").glob("*.txt"))) >= 31
