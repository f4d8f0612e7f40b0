"""merge: reports of one incident in one document become one event; distinct incidents stay apart."""

from __future__ import annotations

import datetime as dt

from sitrep.merge import merge_within, same_incident
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
    assert not same_incident(report(0, PALMYRA, 20, 5), report(0, PALMYRA, 20, 3))


def test_unknown_date_never_merges():
    a, b = report(0, PALMYRA, 20, 5), report(1, PALMYRA, 20, 5)
    a.date = b.date = DateResolution(None, reason="no date")
    assert len(merge_within([a, b])) == 2
