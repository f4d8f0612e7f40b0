"""merge: reports of one incident in one document become one event; distinct incidents stay apart."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from sitrep import tolls
from sitrep.merge import link_events, merge_within
from sitrep.model import Claim, DateResolution, Event, Location

PALMYRA = Location("Palmyra", "Homs", "Syria", "SY", 34.56, 38.28, 170017, "town")
HOMS = Location("Homs", "Homs", "Syria", "SY", 34.73, 36.72, 169577, "town")


def report(article: int, place: Location, day: int, killed: int) -> Event:
    claim = Claim("killed", killed, f"{killed} people", "exact", "text", 0, 9, f"{killed} people died.")
    return Event(article, "Explosions/Remote violence", "Air/drone strike",
                 date=DateResolution(dt.date(2024, 11, day), precision="day"), location=place,
                 claims=[claim], evidence=[claim.sentence], fatalities=killed, fatalities_low=killed,
                 fatalities_high=killed)


def test_same_strike_in_two_articles_merges_keeping_both_claims():
    (event,) = merge_within([report(0, PALMYRA, 20, 71), report(1, PALMYRA, 20, 36)])
    assert sorted(c.count for c in event.claims) == [36, 71]
    assert (event.fatalities, event.fatalities_low, event.fatalities_high) == (36, 36, 71)


def test_other_town_or_other_day_stays_distinct():
    assert len(merge_within([report(0, PALMYRA, 20, 5), report(1, HOMS, 20, 5)])) == 2
    assert len(merge_within([report(0, PALMYRA, 20, 5), report(1, PALMYRA, 21, 5)])) == 2


def test_one_article_never_merges_with_itself():
    assert len(merge_within([report(0, PALMYRA, 20, 5), report(0, PALMYRA, 20, 3)])) == 2


def test_undated_articles_of_one_page_merge_when_their_place_agrees():
    a, b = report(0, PALMYRA, 20, 5), report(1, PALMYRA, 20, 3)
    a.date = b.date = DateResolution(None, reason="no date")
    assert "undated, on one page; places 0.0 km apart" in link_events(a, b, "page")
    assert len(merge_within([a, b])) == 1


@pytest.mark.parametrize("relation, merges", [("apart", False), ("page", False), ("copies", True)])
def test_a_date_known_in_one_report_only_keeps_them_apart_unless_they_are_copies(relation, merges):
    a, b = report(0, PALMYRA, 20, 5), report(1, PALMYRA, 20, 3)
    b.date = DateResolution(None, reason="no date")
    assert (link_events(a, b, relation) is not None) is merges


@pytest.mark.parametrize("relation, merges", [("apart", False), ("page", False), ("copies", True)])
def test_a_place_missing_in_one_report_keeps_them_apart_unless_they_are_copies(relation, merges):
    a, b = report(0, PALMYRA, 20, 5), report(1, PALMYRA, 20, 3)
    b.location = None
    assert (link_events(a, b, relation) is not None) is merges


# --- across documents ---------------------------------------------------------------------------

import itertools  # noqa: E402

from checks import examples
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sitrep.merge import cluster, link  # noqa: E402
from sitrep.model import Actor, Report  # noqa: E402

KUNDUZ_PUBLISHED = "2021-10-08"
# Realistic pairs written for these tests: (text a, text b, published, must merge)
PAIRS = {
    "one_bombing_two_outlets": (
        "A suicide bomber blew himself up inside a Shiite mosque in the northern Afghan city of Kunduz during "
        "Friday prayers, killing at least 12 worshippers, police said.",
        "At least 15 people were killed on Friday when a suicide bomber attacked a mosque in Kunduz, Afghanistan, "
        "a hospital official told reporters.", KUNDUZ_PUBLISHED, True),
    "bombing_and_protest_same_town_same_day": (
        "A suicide bomber blew himself up inside a Shiite mosque in the northern Afghan city of Kunduz during "
        "Friday prayers, killing at least 12 worshippers, police said.",
        "Hundreds of women protested peacefully in Kunduz, Afghanistan on Friday, demanding the right to work.",
        KUNDUZ_PUBLISHED, False),
    "two_attacks_by_different_groups": (
        "Boko Haram fighters attacked a village near Maiduguri in Borno state, Nigeria on Thursday, killing six "
        "farmers, residents said.",
        "Islamic State West Africa Province fighters attacked a village near Maiduguri, Nigeria on Thursday, "
        "killing nine herders, residents said.", "2024-05-10", False),
    "same_strike_next_day_report": (
        "An air strike hit a crowded market in Idlib, Syria on Thursday, killing eight people, the Syrian "
        "Observatory for Human Rights said.",
        "Twelve people were killed in Thursday's air strike on a market in Idlib, Syria, the Syrian Observatory "
        "for Human Rights said on Saturday.", "2024-03-01", True),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_merge_article_pairs_merge_or_stay_distinct(extract, name):
    text_a, text_b, published, must_merge = PAIRS[name]
    reports = []
    for doc_id, text in (("a", text_a), ("b", text_b)):
        result = extract(text, published, doc_id)
        reports.append(Report(f"{doc_id}/0", doc_id, result.events[0], published=dt.date.fromisoformat(published)))
    events = cluster(reports)
    assert len(events) == (1 if must_merge else 2)
    if must_merge:
        (event,) = events
        assert len(event.reasons) == 1 and "same type" in event.reasons[0]
        assert sorted(c.count for r in event.reports for c in r.event.claims) == sorted(
            c.count for r in reports for c in r.event.claims)


def made(rid: str, place: Location = PALMYRA, day: int = 20, claims: tuple[Claim, ...] = (), actor1: str | None = "Israel",
         sub: str = "Air/drone strike", published: int = 21) -> Report:
    """A report of a strike, made by hand."""
    toll = tolls.toll(claims)
    event = Event(0, "Explosions/Remote violence", sub, DateResolution(dt.date(2024, 11, day), precision="day"), place,
                  Actor(actor1, "External/Other forces") if actor1 else None, None, list(claims), [],
                  toll.fatalities, toll.low, toll.high)
    return Report(rid, rid.split("/")[0], event, published=dt.date(2024, 11, published))


GROUPS = {"soldiers": "state_forces", "militants": "armed_groups", "civilians": "civilians", "children": "civilians"}


def said(n: int, who: str | None, subject: str = "people", sentence: str = "", update: bool = False) -> Claim:
    """A claim of n killed, counting the group its subject names (as `claims` reads it)."""
    return Claim("killed", n, f"{n} {subject}", "exact", "text", 0, 5, sentence or f"{n} {subject} died.",
                 subject=subject, claimant=who, group=GROUPS.get(subject, "all"), update=update)


@pytest.mark.parametrize("a, b, merges", [
    (made("a/0"), made("b/0", day=21), True),
    (made("a/0"), made("b/0", day=22), False),
    (made("a/0"), made("b/0", place=HOMS), False),
    (made("a/0"), made("b/0", sub="Shelling/artillery/missile attack"), True),
    (made("a/0"), made("b/0", sub="Suicide bomb"), False),
    (made("a/0"), made("b/0", actor1="Unidentified Armed Group (Syria)"), True),
    (made("a/0"), made("b/0", actor1="United States"), False),
    (made("a/0"), made("b/0", actor1=None), True),
    (made("a/0"), made("a/1"), False),
])
def test_merge_link_rules(a, b, merges):
    assert (link(a, b) is not None) == merges
    assert (link(b, a) is not None) == merges


def test_merge_conflicting_claims_give_lowest_and_highest():
    event, = cluster([made("a/0", claims=(said(71, "SOHR"),)), made("b/0", claims=(said(36, "ministry"),))])
    assert (event.fatalities, event.fatalities_low, event.fatalities_high) == (36, 36, 71)


def test_merge_claims_about_different_groups_add():
    event, = cluster([made("a/0", claims=(said(5, "army", "soldiers"),)),
                      made("b/0", claims=(said(10, "rebels", "militants"),))])
    assert (event.fatalities_low, event.fatalities_high) == (15, 15)


def test_merge_breakdown_never_adds():
    part = said(10, "SOHR", "children")
    part.part_of = 0
    event, = cluster([made("a/0", claims=(said(30, "SOHR"), part)), made("b/0", claims=(said(28, "UN"),))])
    assert (event.fatalities_low, event.fatalities_high) == (28, 30)


def test_merge_newer_figure_supersedes_across_articles_keeping_history():
    old = made("a/0", claims=(said(8, "Syrian Observatory"),), published=20)
    new = made("b/0", claims=(said(12, "Syrian Observatory", sentence="The toll rose to 12."),), published=21)
    event, = cluster([new, old])
    assert (event.fatalities_low, event.fatalities_high) == (12, 12)
    kept = {(r.id, c.count, c.superseded) for r in event.reports for c in r.event.claims}
    assert kept == {("a/0", 8, True), ("b/0", 12, False)}
    assert not old.event.claims[0].superseded  # the input report is not changed
    assert any("superseded by" in why for why in event.reasons)


@pytest.mark.parametrize("update, toll", [(True, (12, 12)), (False, (8, 12))])
def test_merge_same_day_figures_conflict_unless_one_is_an_update(update, toll):
    a = made("a/0", claims=(said(8, "police"),), published=21)
    b = made("b/0", claims=(said(12, "police", sentence="The toll has risen to 12, police said.", update=update),),
             published=21)
    event, = cluster([a, b])
    assert (event.fatalities_low, event.fatalities_high) == toll


def test_merge_a_note_that_states_the_toll_decides_it_in_the_merged_event_too():
    coded = Claim("killed", 10, "Fatalities coded as 10", "exact", "text", 0, 22, "Fatalities coded as 10.",
                  coded=10, stated=True)
    r = made("a/0", claims=(said(8, "police"), coded))
    (event,) = cluster([r])
    assert (r.event.fatalities, event.fatalities, event.fatalities_low, event.fatalities_high) == (10, 10, 10, 10)


def test_merge_event_id_comes_from_the_smallest_report_id():
    one = cluster([made("b/0"), made("a/0", day=21)])
    other = cluster([made("a/0", day=21)])
    assert one[0].id == other[0].id


REPORTS = [made("a/0", claims=(said(5, "x"),)), made("b/0", day=21, claims=(said(7, "y"),)),
           made("c/0", day=22, claims=(said(9, "x"),), published=23), made("d/0", place=HOMS),
           made("e/0", day=23, actor1="United States"), made("f/0", day=21, actor1="Unidentified Armed Group (Syria)"),
           # an unnamed report between two rival named ones of the same day and place
           made("g/0", day=25, actor1="Hezbollah"), made("h/0", day=25, actor1="Hamas"),
           made("i/0", day=25, actor1="Unidentified Armed Group (Syria)")]


@settings(max_examples=examples(30), deadline=None)
@given(st.permutations(REPORTS))
def test_merge_clusters_do_not_depend_on_order(order):
    def key(events):
        return [(e.id, e.fatalities_low, e.fatalities_high, sorted(r.id for r in e.reports), e.reasons) for e in events]
    assert key(cluster(order)) == key(cluster(REPORTS))


def test_merge_chains_of_links_form_one_event():
    events = cluster(REPORTS)
    sizes = sorted(len(e.reports) for e in events)
    assert sizes == [1, 1, 1, 1, 1, 4]
    assert len(list(itertools.chain.from_iterable(e.reports for e in events))) == len(REPORTS)


def test_merge_an_unnamed_actor_never_bridges_rival_named_ones():
    events = {tuple(sorted(r.id for r in e.reports)): e for e in cluster(REPORTS)}
    assert {("g/0",), ("h/0",), ("i/0",)} <= set(events)
    (note,) = events[("i/0",)].reasons
    assert "not merged with g/0 (hezbollah); h/0 (hamas)" in note


def test_merge_an_unnamed_actor_joins_the_one_named_event_it_can_be():
    events = cluster([made("g/0", day=25, actor1="Hezbollah"), made("i/0", day=25, actor1="Unidentified Armed Group (Syria)"),
                      made("j/0", day=25, actor1=None)])
    (event,) = events
    assert event.actor1.name == "Hezbollah" and any("Unidentified Armed Group (Syria) ~ Hezbollah" in why
                                                     or "Hezbollah ~ Unidentified" in why for why in event.reasons)


def test_merge_sub_type_families_are_acled_sub_types_each_in_one_family():
    from sitrep.merge import sub_type_families
    from sitrep.model import EVENT_TYPES

    known = {sub for subs in EVENT_TYPES.values() for sub in subs}
    families = sub_type_families()
    assert len(families) == 5 and all(len(f) >= 2 and f <= known for f in families)
    assert sum(len(f) for f in families) == len(frozenset().union(*families))


@settings(max_examples=examples(40), deadline=None)
@given(st.lists(st.tuples(st.sampled_from([PALMYRA, HOMS, None]), st.integers(1, 28),
                          st.sampled_from(["Air/drone strike", "Shelling/artillery/missile attack"]),
                          st.sampled_from(["Israel", None]), st.booleans(), st.booleans()),
                min_size=2, max_size=12))
def test_merge_compares_every_pair_that_could_link(rows):
    # copies of one story, undated and unplaced reports among them: the pairs merging compares are every pair
    # `link` would join, so that comparing fewer changes nothing
    from sitrep.merge import _candidates

    reports = []
    for i, (place, day, sub, actor, undated, copy) in enumerate(rows):
        r = made(f"{i:02d}/0", place=place or PALMYRA, day=day, sub=sub, actor1=actor)
        r.event.location = place
        if undated:
            r.event.date = DateResolution(None, reason="no date")
        reports.append(dataclasses.replace(r, copy_of="00" if copy and i else None))
    typed = sorted(reports, key=lambda r: r.id)
    linked = {(i, j) for i, j in itertools.combinations(range(len(typed)), 2) if link(typed[i], typed[j])}
    assert linked <= set(_candidates(typed))
