"""Helpers shared by the property, fuzz and robustness tests: example counts and output invariants."""

from __future__ import annotations

import datetime as dt
import json
import os

from sitrep.model import EVENT_TYPES, InputError, Problem, Result

# CI runs every property test at its given count (over 2,000 examples in all); a longer run multiplies
# them: SITREP_FUZZ_SCALE=5 .venv/bin/pytest -q -m fuzz  (README, "Robustness").
FUZZ_SCALE = float(os.environ.get("SITREP_FUZZ_SCALE", "1"))


def examples(n: int) -> int:
    """The number of hypothesis examples for a test that runs n in CI."""
    return max(1, round(n * FUZZ_SCALE))


def check_error(error: InputError) -> None:
    """A rejection is typed, names its input and says its problem on one line."""
    assert isinstance(error.kind, Problem)
    assert error.problem and "\n" not in error.problem and "Traceback" not in error.problem
    assert error.kind is not Problem.FAILED, f"a bug, not bad input: {error}"


def check_result(result: Result) -> None:
    """Every invariant of the output contract that holds whatever the input text."""
    out = result.to_dict(verbose=True)
    json.dumps(out, allow_nan=False)  # the contract is JSON, with no NaN or infinity
    for event in result.events:
        assert 0 <= event.article < len(result.articles)
        if event.event_type is not None:
            assert event.event_type in EVENT_TYPES
            assert event.sub_event_type is None or event.sub_event_type in EVENT_TYPES[event.event_type]
        if event.date.date is not None:
            assert event.date.precision in ("day", "week", "month", "year")
            assert dt.date(1900, 1, 1) <= event.date.date <= dt.date(2200, 1, 1)
            if event.date.date_end is not None:
                assert event.date.date <= event.date.date_end
        else:
            assert event.date.date_end is None and event.date.reason
        if event.location is not None and event.location.lat is not None:
            assert -90 <= event.location.lat <= 90 and -180 <= event.location.lon <= 180
        assert event.fatalities >= 0
        if event.fatalities_low is None:
            assert event.fatalities_high is None
        else:
            assert event.fatalities_low == event.fatalities <= event.fatalities_high
        for i, claim in enumerate(event.claims):
            article = result.articles[claim.article]
            field = getattr(article, claim.field)
            assert field is not None and 0 <= claim.start <= claim.end <= len(field)
            assert field[claim.start : claim.end] == claim.as_written
            assert claim.count is None or claim.count >= 0
            if claim.count_high is not None:
                assert claim.count is not None and claim.count <= claim.count_high
            assert claim.part_of is None or (0 <= claim.part_of < len(event.claims) and claim.part_of != i)
