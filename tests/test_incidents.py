"""Incidents: the project's own hard cases (tests/incidents.jsonl), short multi-incident texts with gold.

Each case covers one cue of issue 15: where one incident ends and the next begins (a change of date,
place or weapon, a background cue, a sentence that refers back), totals over many incidents, who said
so, claims as written, and dates from captions and bulletin titles. For each case the main event's
type, toll and date, the other events' types and tolls, and every claim (matched one to one by its
words, as `sitrep eval` matches them) with its claimant, kind, breakdown and aggregate flag must be
as the gold says, and no other claim may be read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sitrep.evaluate import main_event, match_claims, same_claimant

CASES = [json.loads(line) for line in (Path(__file__).parent / "incidents.jsonl").read_text("utf-8").splitlines()
         if line.strip()]


def test_the_cases_cover_every_cue_of_the_issue():
    assert len(CASES) >= 20 and len({c["id"] for c in CASES}) == len(CASES)
    for case in CASES:
        assert all(claim["text"] in case["text"] for claim in case["claims"]), case["id"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_hard_case(extract, case):
    result = extract(case["text"], published=case["published"])
    main = main_event(result)
    assert main is not None, "no typed event"
    want = case["main"]
    got_date = main.date.date.isoformat() if main.date.date else None
    assert (main.event_type, main.fatalities, got_date) == (want["type"], want["toll"], want["date"])
    others = [e for e in result.events if e.event_type and e is not main]
    assert sorted((e.event_type, e.fatalities) for e in others) == sorted((o["type"], o["toll"]) for o in case["others"])
    gold = {"events": [{"fatality_claims": [{**c, "kind": c["kind"]} for c in case["claims"]]}]}
    golds = [{**c, "kind": c["kind"], "event": 0} for c in gold["events"][0]["fatality_claims"]]
    pairs, missed, extra = match_claims(golds, result)
    assert [g["text"] for g in missed] == [] and [c.as_written for c in extra] == []
    for g, c in pairs:
        assert same_claimant(c.claimant, g["claimant"]), (g["text"], c.claimant)
        assert c.aggregate is g.get("aggregate", False), g["text"]
        assert (c.part_of is not None) is g.get("part", False), g["text"]
        if "canonical" in g:
            assert c.canonical == g["canonical"], g["text"]
