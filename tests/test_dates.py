"""Tests for sitrep.dates: finding date mentions and resolving them the way a careful analyst does."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from checks import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from sitrep.dates import (
    Anchor,
    DateMention,
    article_anchor,
    caption_date,
    event_date,
    find_dates,
    is_file_photo,
    resolve,
)

D = dt.date
THU = Anchor(D(2024, 11, 21), "published")  # a Thursday
TUE = Anchor(D(2017, 10, 10), "dateline")  # a Tuesday
CAPTION_WED = Anchor(D(2024, 11, 20), "caption")  # a Wednesday: the photo shows the event


def only(text: str) -> DateMention:
    """The single date mention in `text`."""
    mentions = find_dates(text)
    assert len(mentions) == 1, mentions
    return mentions[0]


def resolve_in(text: str, anchor: Anchor | None):
    return resolve(only(text), anchor)


# ------------------------------------------------------------------------------------------ full dates


@pytest.mark.parametrize(
    "sentence, written",
    [
        ("Israeli strikes hit Palmyra on November 20, 2024, killing dozens.", "November 20, 2024"),
        ("Gunmen attacked the village on 20 November 2024, residents said.", "20 November 2024"),
        ("The convoy was ambushed on 20 Nov 2024 near the border.", "20 Nov 2024"),
        ("Clashes resumed on 2024-11-20 in the northern countryside.", "2024-11-20"),
        ("On 20 November 2024, Al Shabaab militants shot and killed a soldier.", "20 November 2024"),
        ("The raid began on Wednesday, November 20, 2024 at dawn.", "Wednesday, November 20, 2024"),
        ("Fighting broke out on Wed, 20 Nov 2024 in the city.", "Wed, 20 Nov 2024"),
        ("Rebels seized the town on the 20th of November 2024.", "20th of November 2024"),
        ("Rebels seized the town on November 20th, 2024.", "November 20th, 2024"),
        ("Around 20 November 2024 (as reported), militiamen killed three civilians.", "20 November 2024"),
    ],
)
def test_full_dates_in_common_forms(sentence: str, written: str) -> None:
    mention = only(sentence)
    assert (mention.text, mention.kind) == (written, "absolute")
    r = resolve(mention, None)
    assert (r.date, r.precision) == (D(2024, 11, 20), "day")
    assert "full date" in r.reason


@pytest.mark.parametrize(
    "sentence, anchor, expected",
    [
        ("The coalition denied a September 28 attack.", Anchor(D(2015, 10, 7), "published"), D(2015, 9, 28)),
        ("Troops seized the base on August 6.", Anchor(D(2019, 9, 22), "dateline"), D(2019, 8, 6)),
        ("Protesters gathered on Nov. 20 outside parliament.", THU, D(2024, 11, 20)),
        ("On 10 October, armed men attacked a village.", Anchor(D(2019, 10, 15), "dateline"), D(2019, 10, 10)),
        # After the anchor in its own year: the year before.
        ("A car bomb exploded on 30 December.", Anchor(D(2020, 1, 3), "published"), D(2019, 12, 30)),
    ],
)
def test_day_month_without_year_takes_the_anchor_year(
    sentence: str, anchor: Anchor, expected: dt.date
) -> None:
    r = resolve_in(sentence, anchor)
    assert (r.date, r.precision) == (expected, "day")
    assert anchor.basis in r.reason


def test_day_month_without_year_and_no_anchor_stays_null() -> None:
    r = resolve_in("The coalition denied responsibility for a September 28 attack.", None)
    assert r.date is None and r.precision is None
    assert "no year" in r.reason


def test_impossible_calendar_date_is_null_not_an_error() -> None:
    r = resolve(DateMention("31 June 2022", 0, 12, "absolute", False), None)
    assert r.date is None and "not a calendar date" in r.reason


# ------------------------------------------------------------------------------------------ weekdays


@pytest.mark.parametrize(
    "sentence, written, expected",
    [
        # Published on a Thursday: "Thursday" is that same day (dateparser would say a week earlier).
        ("Turkish and Russian forces deployed on Thursday a joint patrol.", "Thursday", D(2024, 11, 21)),
        ("Those killed in Wednesday's strikes included 45 fighters.", "Wednesday's", D(2024, 11, 20)),
        ("Those killed in Wednesday’s strikes included 45 fighters.", "Wednesday’s", D(2024, 11, 20)),
        ("Akar held talks overnight on Wednesday with Shoigu.", "overnight on Wednesday", D(2024, 11, 20)),
        ("Militants attacked the base early Sunday at Bulogudud town.", "early Sunday", D(2024, 11, 17)),
        ("The explosion Friday morning was caused by a bomb.", "Friday morning", D(2024, 11, 15)),
        ("A drone struck a fuel depot on Monday night.", "Monday night", D(2024, 11, 18)),
        ("The fighters pulled out of Afgoye late Tuesday.", "late Tuesday", D(2024, 11, 19)),
        ("Gunmen stormed the church last Thursday.", "last Thursday", D(2024, 11, 14)),
        ("GUNMEN KILL 5 IN SUNDAY RAID", "SUNDAY", D(2024, 11, 17)),
    ],
)
def test_weekday_is_the_last_such_day_on_or_before_the_anchor(
    sentence: str, written: str, expected: dt.date
) -> None:
    mention = only(sentence)
    assert (mention.text, mention.kind) == (written, "weekday")
    r = resolve(mention, THU)
    assert (r.date, r.precision) == (expected, "day")
    assert "2024-11-21" in r.reason


def test_monday_resolves_against_a_tuesday_dateline() -> None:
    r = resolve_in("Those behind Monday's attack on a peacekeeping base must face justice.", TUE)
    assert r.date == D(2017, 10, 9)


@pytest.mark.parametrize(
    "weekday, expected",
    [
        ("Wednesday", D(2024, 11, 20)),  # the caption's own day
        ("Thursday", D(2024, 11, 21)),  # the day after: when the story was told
        ("Tuesday", D(2024, 11, 26)),  # six days after, the furthest allowed
    ],
)
def test_weekday_under_a_caption_anchor_is_the_nearest_such_day_from_the_caption_on(
    weekday: str, expected: dt.date
) -> None:
    r = resolve_in(f"The blast on {weekday} shook the city.", CAPTION_WED)
    assert (r.date, r.precision) == (expected, "day")
    assert "caption" in r.reason


def test_weekday_with_no_anchor_is_null() -> None:
    r = resolve_in("Soon after the talks, forces deployed on Thursday a joint patrol.", None)
    assert r.date is None
    assert r.reason.endswith("weekday with no anchor")


def test_plural_weekday_is_a_habit_not_a_date() -> None:
    assert find_dates("Markets close on Fridays.") == []


# ------------------------------------------------------------------------------------------ relative


@pytest.mark.parametrize(
    "sentence, expected, precision",
    [
        ("At least twenty people were killed in attacks across Iraq today.", D(2024, 11, 21), "day"),
        ("Today's bombing hit a crowded market.", D(2024, 11, 21), "day"),
        ("A rocket hit the market yesterday, officials said.", D(2024, 11, 20), "day"),
        ("Shelling continued last night in the east.", D(2024, 11, 20), "day"),
        ("Drones struck two villages overnight.", D(2024, 11, 20), "day"),
        ("The ceasefire collapsed two days ago.", D(2024, 11, 19), "day"),
    ],
)
def test_today_yesterday_and_overnight(sentence: str, expected: dt.date, precision: str) -> None:
    r = resolve_in(sentence, THU)
    assert (r.date, r.precision) == (expected, precision)


@pytest.mark.parametrize(
    "sentence, expected, precision",
    [
        # Week precision, the earliest plausible day: ACLED's time_precision 2.
        ("Days earlier, militants had ambushed a convoy near the town.", D(2024, 11, 14), "week"),
        ("A few days ago gunmen raided the camp.", D(2024, 11, 14), "week"),
        ("Clashes last week displaced 2,000 people.", D(2024, 11, 11), "week"),  # Monday of that week
        ("Airstrikes earlier this week hit a hospital.", D(2024, 11, 18), "week"),
        ("The town fell to the rebels earlier this month.", D(2024, 11, 1), "month"),
        ("The mission changed its name last month.", D(2024, 10, 1), "month"),
        ("The group was founded in 2019 in the north.", D(2019, 1, 1), "year"),
        ("Fighting intensified in early 2019 around the city.", D(2019, 1, 1), "year"),
        ("The offensive began in March 2022 and stalled.", D(2022, 3, 1), "month"),
        ("The offensive began in March and stalled.", D(2024, 3, 1), "month"),
        ("The offensive began in December and stalled.", D(2023, 12, 1), "month"),  # not after the anchor
    ],
)
def test_vague_relative_dates_carry_their_precision(sentence: str, expected: dt.date, precision: str) -> None:
    r = resolve_in(sentence, THU)
    assert (r.date, r.precision) == (expected, precision)
    assert r.reason


def test_publication_relative_phrase_under_a_caption_anchor_is_null() -> None:
    r = resolve_in("A rocket hit the market yesterday.", CAPTION_WED)
    assert r.date is None and "publication day" in r.reason


@pytest.mark.parametrize(
    "sentence",
    [
        "A car bomb killed five Americans on the same day.",
        "Reinforcements arrived the next day.",
        "The town was retaken two weeks later.",
    ],
)
def test_dates_relative_to_another_event_are_null(sentence: str) -> None:
    r = resolve_in(sentence, THU)
    assert r.date is None and "another date" in r.reason


@pytest.mark.parametrize(
    "sentence",
    [
        "He was a career officer, at least 65 years old.",
        "The Council has 15 members; the 15-member Council condemned the attack.",
        "The government declared three days of mourning.",
        "The fighting lasted for three days.",
        "Most NATO troops are due to leave by the end of 2014.",
        "Troops should remain in the country after next year.",
        "Al-Shabab has been fighting the government since 2006.",
        "The 2003 invasion was followed by years of attacks.",
        "A rebel fighter may march 20 km a day.",
        "Police said 13, 14 were wounded and 2,973 people displaced.",
    ],
)
def test_ages_durations_and_bounds_are_not_dates(sentence: str) -> None:
    assert find_dates(sentence) == []


# ------------------------------------------------------------------------------------------ ranges


@pytest.mark.parametrize(
    "sentence, written, start, end",
    [
        ("Between 27 and 30 September, clashes broke out.", "Between 27 and 30 September", D(2019, 9, 27), D(2019, 9, 30)),
        ("Attacks on 27-30 September 2019 left 14 dead.", "27-30 September 2019", D(2019, 9, 27), D(2019, 9, 30)),
        ("Fighting raged from 3 to 5 June in the valley.", "from 3 to 5 June", D(2019, 6, 3), D(2019, 6, 5)),
        ("On 6 and 7 October, clashes claimed three lives.", "6 and 7 October", D(2019, 10, 6), D(2019, 10, 7)),
        ("On the night of 4-5 June, gunmen attacked.", "the night of 4-5 June", D(2019, 6, 4), D(2019, 6, 5)),
        ("The offensive ran September 27-30, 2019.", "September 27-30, 2019", D(2019, 9, 27), D(2019, 9, 30)),
        ("Airstrikes (between 21 January - 11 February)", "between 21 January - 11 February", D(2019, 1, 21), D(2019, 2, 11)),
        ("A snapshot for 30 December 2018 – 5 January 2019.", "30 December 2018 – 5 January 2019", D(2018, 12, 30), D(2019, 1, 5)),
    ],
)
def test_ranges_give_date_and_date_end(sentence: str, written: str, start: dt.date, end: dt.date) -> None:
    mention = only(sentence)
    assert (mention.text, mention.kind) == (written, "range")
    r = resolve(mention, Anchor(D(2019, 10, 15), "dateline"))
    assert (r.date, r.date_end, r.precision) == (start, end, "day")


@pytest.mark.parametrize(
    "sentence, start, end",
    [
        ("Fighting raged between Monday and Wednesday in the old city.", D(2024, 11, 18), D(2024, 11, 20)),
        ("Protests continued from Friday to Sunday across the capital.", D(2024, 11, 15), D(2024, 11, 17)),
    ],
)
def test_weekday_ranges_end_on_or_before_the_anchor(sentence: str, start: dt.date, end: dt.date) -> None:
    r = resolve_in(sentence, THU)
    assert (r.date, r.date_end, r.precision) == (start, end, "day")


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("The town fell in May last year.", D(2023, 5, 1)),
        ("The offensive began in March this year.", D(2024, 3, 1)),
    ],
)
def test_month_of_last_or_this_year(sentence: str, expected: dt.date) -> None:
    r = resolve_in(sentence, THU)
    assert (r.date, r.precision) == (expected, "month")


def test_range_without_year_or_anchor_is_null() -> None:
    r = resolve_in("Between 27 and 30 September, clashes broke out.", None)
    assert r.date is None and r.date_end is None


# ------------------------------------------------------------------------------------------ reporting


@pytest.mark.parametrize(
    "sentence, reporting",
    [
        ("Israeli strikes killed 71 operatives in Palmyra, a monitor said Thursday.", True),
        ("The enemy launched an air attack, it said on Wednesday.", True),
        ("More than 10 soldiers were wounded, a spokesman told VOA Somali on Monday.", True),
        ("The army said in a statement late Monday that the town was secure.", True),
        ("Officials said on 25 August that 15 people were killed.", True),
        ("Rebels loyal to Machar said Monday they killed scores of soldiers.", True),
        ("On Wednesday, the rights group Amnesty International said the coalition is guilty.", True),
        ("Earlier Wednesday, the Houthis announced they accepted the plan.", True),
        ("The observatory said those killed in Wednesday's strikes included 45 fighters.", False),
        ("Forces deployed on Thursday a joint patrol.", False),
        ("Twenty two civilians died, MSF reported, on Saturday after an airstrike.", False),
        ("On Monday, gunmen attacked a village, killing five, residents said.", False),
        # ACLED's convention: the date a report gives dates the event when nothing closer does
        ("Militiamen killed three herders, as reported on 3 May 2022.", False),
        ("Militiamen killed three herders, as reported by local media on 3 May 2022.", False),
    ],
)
def test_reporting_dates_are_told_apart_from_event_dates(sentence: str, reporting: bool) -> None:
    mentions = find_dates(sentence)
    assert len(mentions) == 1
    assert mentions[0].reporting is reporting


# ------------------------------------------------------------------------------------------ anchors


def test_published_date_is_the_anchor_first() -> None:
    a = article_anchor(D(2008, 8, 26), "Snapshot (1-7 June 2021)", "Kabul, May 2, 2008.", "KABUL, May 3, 2008 (VOA) - A")
    assert a == Anchor(D(2008, 8, 26), "published")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("BAGHDAD, December 25, 2009 (Wikinews) — A bomb killed 12 people today.", D(2009, 12, 25)),
        ("KABUL, Afghanistan, 5 May 2019 (Reuters) - A car bomb exploded.", D(2019, 5, 5)),
        ("16 Oct 2019\n\nSnapshot\n\nPublished on 15 Oct 2019\n\nOn 10 October, men attacked.", D(2019, 10, 15)),
        ("Over twenty dead\n\nFrom Wikinews\n\nFriday, December 25, 2009\n\nOfficials said today", D(2009, 12, 25)),
        ("Attack Kills 20\n\nBy Harun Maruf\nSeptember 22, 2019 10:29 AM\nAt least 20 died.", D(2019, 9, 22)),
        ("4 September 2017\n\nSomalia: Attack on Base\n\nMilitants attacked early Sunday.", D(2017, 9, 4)),
    ],
)
def test_dateline_at_the_start_of_the_text_is_the_anchor(text: str, expected: dt.date) -> None:
    assert article_anchor(None, None, None, text) == Anchor(expected, "dateline")


def test_event_caption_date_is_the_anchor_when_nothing_else_dates_the_text() -> None:
    caption = (
        "Smoke billows following an explosion after an attack on the historic city of Palmyra, "
        "Syria November 20, 2024, in this screengrab obtained from a social media video. via REUTERS"
    )
    anchor = article_anchor(None, "4 Hezbollah Members Among 71 Fighters Killed", caption, "Israeli strikes ...")
    assert anchor == CAPTION_WED


@pytest.mark.parametrize(
    "caption",
    [
        "FILE - Smoke rises over the city of Gaza, October 9, 2023.",
        "A file photo of a rebel checkpoint near Goma, May 2, 2013.",
        "Soldiers patrol Mogadishu, March 3, 2012. (Archive)",
        "Fighters in Upper Nile state, February 12, 2014 (file photo).",
    ],
)
def test_file_photo_caption_never_dates_the_event(caption: str) -> None:
    assert is_file_photo(caption)
    assert caption_date(caption) is None
    assert article_anchor(None, None, caption, "Rebels attacked on Sunday.") is None


def test_caption_without_a_full_date_gives_no_anchor() -> None:
    assert caption_date("A rebel fighter listens to his commander in Upper Nile in February 2014.") is None


def test_headline_period_anchors_a_weekly_snapshot() -> None:
    headline = "West and Central Africa: Weekly Regional Humanitarian Snapshot (22 - 28 August 2017)"
    anchor = article_anchor(None, headline, None, "Militants attacked Gakara on the night of 24 August.")
    assert anchor == Anchor(D(2017, 8, 28), "text")
    r = event_date(["Militants attacked Gakara on the night of 24 August, killing 15 people."], anchor)
    assert r.date == D(2017, 8, 24)


def test_no_anchor_when_the_text_gives_none() -> None:
    text = "Two car bombs killed 23 people Sunday."
    assert article_anchor(None, "Car Bombs Kill at Least 29 People in Iraq", None, text) is None


# ------------------------------------------------------------------------------------------ event_date

SEED_CAPTION = (
    "Smoke billows following an explosion after an attack on the historic city of Palmyra, Syria "
    "November 20, 2024, in this screengrab obtained from a social media video. via REUTERS"
)


def test_seed_palmyra_strikes_are_dated_by_wednesdays_strikes_not_by_the_monitor_speaking() -> None:
    sentences = [
        "Israeli strikes killed 71 pro-Iran operatives in the Syrian city of Palmyra, with more than a third "
        "of them identified as fighters from Iraq and Lebanon, a monitor said Thursday.",
        "The Syrian Observatory for Human Rights said those killed in Wednesday's strikes included 45 "
        "fighters from pro-Iran Syrian groups.",
    ]
    anchor = article_anchor(None, None, SEED_CAPTION, "Israeli strikes killed 71 ...")
    r = event_date(sentences, anchor, caption_date(SEED_CAPTION))
    assert (r.date, r.date_end, r.precision) == (D(2024, 11, 20), None, "day")
    assert "Wednesday's" in r.reason


def test_seed_patrol_with_no_anchor_stays_null() -> None:
    sentences = [
        "Soon after the talks between Akar and Shoigu, Turkish and Russian forces deployed on Thursday "
        "a joint patrol in Syria's al-Darbasiyah countryside north of al-Hasakeh province."
    ]
    r = event_date(sentences, None)
    assert r.date is None and r.precision is None
    assert "weekday with no anchor" in r.reason


def test_event_date_falls_back_to_the_event_caption() -> None:
    caption = "Men move an injured soldier outside a hospital in Karachi, March 27, 2015."
    r = event_date(["Pakistani police say a bomb blast has killed two people."], None, caption_date(caption))
    assert (r.date, r.precision) == (D(2015, 3, 27), "day")
    assert "caption" in r.reason


def test_event_date_friday_morning_under_its_caption() -> None:
    caption = "Men move an injured soldier outside a hospital, in Karachi, March 27, 2015."
    anchor = article_anchor(None, "Two Killed in Pakistan Bomb Blast", caption, "Pakistani police say ...")
    sentences = ["Officials say the explosion Friday morning was caused by a bomb."]
    r = event_date(sentences, anchor, caption_date(caption))
    assert r.date == D(2015, 3, 27)


def test_event_date_skips_mentions_that_do_not_resolve() -> None:
    sentences = ["A car bomb killed five Americans on the same day.", "The attack came on Saturday."]
    r = event_date(sentences, Anchor(D(2013, 4, 7), "published"))
    assert r.date == D(2013, 4, 6)


def test_event_date_with_only_a_statement_date_is_null() -> None:
    r = event_date(["Rebels said Monday they killed scores of government soldiers."], THU)
    assert r.date is None and "dates a statement" in r.reason


def test_event_date_without_any_mention_says_so() -> None:
    r = event_date(["A bombing in Baghdad has killed 51 people, according to local police."], None)
    assert r.date is None and r.reason == "no date mention in the evidence and no anchor"


def test_event_date_acled_note() -> None:
    note = "On 15 March 2022, Al Shabaab militants shot and killed a government soldier in Mogadishu (Banadir)."
    r = event_date([note], article_anchor(None, None, None, note))
    assert (r.date, r.precision) == (D(2022, 3, 15), "day")


def test_event_date_keeps_a_range() -> None:
    sentences = ["Between 27 and 30 September, clashes broke out in Kouango."]
    r = event_date(sentences, Anchor(D(2019, 10, 15), "published"))
    assert (r.date, r.date_end, r.precision) == (D(2019, 9, 27), D(2019, 9, 30), "day")


# ------------------------------------------------------------------------------------------ properties

ANCHORS = st.one_of(
    st.none(),
    st.builds(Anchor, st.dates(), st.sampled_from(["published", "dateline", "caption", "text"])),
)
DATEISH = st.lists(
    st.sampled_from(
        [
            "on", "between", "and", "to", "-", "–", ",", "of", "the night of", "in", "early", "late", "last",
            "next", "said", "told VOA", "Thursday", "Wednesday's", "Friday morning", "Nov.", "November", "Feb",
            "May", "29", "31", "0", "7", "30", "2024", "1999", "0001", "9999", "today", "yesterday",
            "days earlier", "two days ago", "last month", "earlier this week", "since", "2024-02-30", "\n", "  ",
        ]
    ),
    max_size=12,
).map(" ".join)


@settings(max_examples=examples(300), deadline=None)
@given(text=st.one_of(st.text(max_size=200), DATEISH), anchor=ANCHORS)
def test_resolve_never_raises_and_ranges_are_ordered(text: str, anchor: Anchor | None) -> None:
    for mention in find_dates(text):
        assert text[mention.start : mention.end] == mention.text
        r = resolve(mention, anchor)
        assert r.reason
        if r.date is None:
            assert r.date_end is None and r.precision is None
        else:
            assert r.precision in ("day", "week", "month", "year")
        if r.date is not None and r.date_end is not None:
            assert r.date <= r.date_end


@settings(max_examples=examples(200), deadline=None)
@given(
    text=st.text(max_size=60),
    kind=st.sampled_from(["absolute", "weekday", "relative", "range", "month", "year", "bogus"]),
    anchor=ANCHORS,
)
def test_resolve_never_raises_on_arbitrary_mentions(text: str, kind: str, anchor: Anchor | None) -> None:
    r = resolve(DateMention(text, 0, len(text), kind, False), anchor)
    assert r.reason


@settings(max_examples=examples(100), deadline=None)
@given(sentences=st.lists(st.one_of(st.text(max_size=80), DATEISH), max_size=4), anchor=ANCHORS)
def test_event_date_never_raises(sentences: list[str], anchor: Anchor | None) -> None:
    r = event_date(sentences, anchor)
    assert r.reason
    if r.date is not None and r.date_end is not None:
        assert r.date <= r.date_end


@pytest.mark.parametrize(
    "text",
    [
        "1" * 100_000,
        " " * 100_000,
        "1 " * 50_000,
        "20 " * 33_000 + "x",
        "November" + " " * 100_000 + "x",
        "Monday's " * 10_000,
        ", said " * 15_000,
        "between 1 and " * 7_000,
        "\n" * 100_000,
    ],
)
def test_scanning_is_linear_on_adversarial_text(text: str) -> None:
    started = time.perf_counter()
    find_dates(text)
    article_anchor(None, text[:5_000], text[:5_000], text)
    assert time.perf_counter() - started < 3.0


def test_an_unresolved_weekday_of_the_event_keeps_later_years_from_dating_it() -> None:
    when = event_date(["Militants attacked the palace Friday.", "The group lost control of the city in 2011."], None)
    assert when.date is None and "weekday" in when.reason
