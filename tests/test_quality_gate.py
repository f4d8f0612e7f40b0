"""The quality gate: extraction accuracy on the dev data may not fall below the pinned floors.

Floors live in tests/eval_baseline.json and are raised with `tests/eval_gate.py --update`;
lowering one needs `--allow-lower` and a CHANGELOG.md line (see eval_gate.py).
"""

from __future__ import annotations

import json

from conftest import needs_shared_data
from eval_gate import BASELINE, DATA, check, measure


@needs_shared_data(DATA)
def test_accuracy_on_dev_data_stays_above_floors():
    problems = check(measure(), json.loads(BASELINE.read_text("utf-8")))
    assert not problems, "\n".join(problems)


def test_floors_are_pinned_for_every_dataset():
    baseline = json.loads(BASELINE.read_text("utf-8"))
    assert set(baseline["datasets"]) == {"acled_dev", "acled_dev_stripped", "articles_dev", "event_negatives"}
    for pinned in baseline["datasets"].values():
        assert pinned["floors"] and all(0 <= v <= 1 for v in pinned["floors"].values())
