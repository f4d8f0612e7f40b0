"""tolls: the one toll rule, and properties that hold however the claims are split into reports."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from checks import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from sitrep.claims import supersede_updates
from sitrep.merge import cluster, merge_within
from sitrep.model import Actor, Claim, DateResolution, Event, Location, Report
from sitrep.tolls import VAGUE_DEFAULT, toll

PALMYRA = Location("Palmyra", "Homs", "Syria", "SY", 34.56, 38.28, 170017, "town")


def claim(n: int | None, group: str = "all", claimant: str | None = None, qualifier: str = "exact",
          field: str = "text", **kw) -> Claim:
    return Claim("killed", n, str(n), qualifier, field, 0, 1, f"{n} killed.", group=group, claimant=claimant, **kw)


@pytest.mark.parametrize("claims, expected", [
    ([], (0, None, None)),
    ([claim(71, claimant="SOHR"), claim(36, claimant="ministry")], (36, 36, 71)),
    ([claim(10, "state_forces"), claim(5, "civilians")], (15, 15, 15)),
    ([claim(10, "state_forces"), claim(7, "state_forces"), claim(5, "civilians")], (12, 12, 15)),
    ([claim(12), claim(10, "state_forces"), claim(5, "civilians")], (12, 12, 15)),  # a total conflicts with the sum
    ([claim(50, qualifier="more_than", field="headline"), claim(51)], (51, 51, 51)),  # "over 50" restates 51
    ([claim(8, qualifier="at_least"), claim(12)], (8, 8, 12)),
    ([claim(None, coded=12), claim(None, coded=24)], (12, 12, 12)),
    ([claim(None)], (VAGUE_DEFAULT,) * 3),
    ([claim(None, coded=12), claim(3)], (3, 3, 3)),
    ([claim(20, count_high=30, qualifier="range")], (20, 20, 30)),
    ([claim(3, stated=True, coded=3), claim(8)], (3, 3, 8)),
    ([claim(0, stated=True, coded=0)], (0, None, None)),
    ([claim(0, stated=True, coded=0), claim(4)], (0, 0, 4)),
    ([dataclasses.replace(claim(10), kind="injured")], (0, None, None)),
    ([dataclasses.replace(claim(10), kind="casualties")], (0, None, None)),
], ids=["none", "conflict", "groups_add", "lowest_per_group", "total_vs_groups", "headline_rounds", "bound",
        "vague_coded", "vague_default", "number_beats_vague", "range", "stated", "stated_zero_alone",
        "stated_zero_overrides", "injuries_never", "casualties_never"])
def test_toll_rule(claims, expected):
    got = toll(claims)
    assert (got.fatalities, got.low, got.high) == expected and got.reason


# --- properties -----------------------------------------------------------------------------------

GROUPS = ("all", "civilians", "state_forces", "armed_groups", "other:fighter")
CLAIMANTS = (None, "army", "SOHR", "villagers")
claims_st = st.builds(
    claim,
    n=st.integers(0, 400),
    group=st.sampled_from(GROUPS),
    claimant=st.sampled_from(CLAIMANTS),
    qualifier=st.sampled_from(("exact", "exact", "at_least", "more_than", "about")),
    field=st.sampled_from(("text", "text", "headline")),
    update=st.booleans(),
)
some_claims = st.lists(claims_st, min_size=1, max_size=8)


def whole_toll(claims: list[Claim]) -> tuple[int, int | None, int | None]:
    """The toll of a set of claims read as one report: updates supersede, then the rule."""
    copies = [dataclasses.replace(c) for c in claims]
    supersede_updates(copies)
    t = toll(copies)
    return t.fatalities, t.low, t.high


def event_of(claims: list[Claim], article: int = 0) -> Event:
    """An event as the pipeline makes it: its own claims superseded among themselves, its toll from the rule."""
    copies = [dataclasses.replace(c) for c in claims]
    supersede_updates(copies)
    t = toll(copies)
    return Event(article, "Explosions/Remote violence", "Air/drone strike",
                 DateResolution(dt.date(2024, 11, 20), precision="day"), PALMYRA,
                 Actor("Military Forces of Israel", "State forces", "Israel"), None, copies, [], t.fatalities, t.low, t.high)


@settings(max_examples=examples(150), deadline=None)
@given(some_claims)
def test_toll_low_is_the_toll_and_never_above_high(claims):
    t = toll(claims)
    assert t.fatalities >= 0
    if t.low is None:
        assert t.high is None and t.fatalities == 0
    else:
        assert t.low == t.fatalities <= t.high


@settings(max_examples=examples(150), deadline=None)
@given(some_claims, st.data())
def test_toll_any_split_into_documents_or_articles_gives_the_toll_of_the_whole(claims, data):
    parts = data.draw(st.lists(st.integers(0, 3), min_size=len(claims), max_size=len(claims)), label="part of each claim")
    groups = [[c for c, p in zip(claims, parts) if p == k] for k in sorted(set(parts))]
    expected = whole_toll(claims)
    reports = [Report(f"d{k}/0", f"d{k}", event_of(g)) for k, g in enumerate(groups)]
    (merged,) = cluster(reports)
    assert (merged.fatalities, merged.fatalities_low, merged.fatalities_high) == expected
    (within,) = merge_within([event_of(g, article=k) for k, g in enumerate(groups)])
    assert (within.fatalities, within.fatalities_low, within.fatalities_high) == expected


@settings(max_examples=examples(150), deadline=None)
@given(some_claims, claims_st, st.integers(0, 7))
def test_toll_a_breakdown_or_a_superseded_figure_changes_nothing(claims, extra, index):
    before = toll(claims)
    part = dataclasses.replace(extra, part_of=index % len(claims))
    old = dataclasses.replace(extra, superseded=True)
    assert toll([*claims, part]) == before
    assert toll([*claims, old]) == before


@settings(max_examples=examples(150), deadline=None)
@given(some_claims, st.integers(1, 400), st.sampled_from(GROUPS[1:]))
def test_toll_a_claim_about_a_new_group_never_lowers_it(claims, n, group):
    counted = {c.group for c in claims}
    if group in counted or counted == {"all"}:
        return  # not a new group; or the only figure is for people in general, which a group figure conflicts with
    assert toll([*claims, claim(n, group)]).fatalities >= toll(claims).fatalities
