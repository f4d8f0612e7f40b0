"""Events: triggers, ACLED types and priority rules, grouping, actors and salience."""

from __future__ import annotations

import pytest

from sitrep.events import find_triggers, lexicon
from sitrep.model import EVENT_TYPES


def test_trigger_lexicon_uses_acled_spelling():
    for triggers in lexicon().by_first.values():
        for t in triggers:
            if t.event_type in ("", "violence", "harm"):
                continue
            assert t.sub_event_type in EVENT_TYPES[t.event_type], t


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Israeli warplanes carried out an air strike on the town.", "warplanes"),
        ("A roadside bomb exploded as the convoy passed.", "roadside bomb"),
        ("Teachers went on a hunger strike in the capital.", None),
        ("The ministry said the deployment was aimed at fighting terrorism.", None),
    ],
)
def test_find_triggers_longest_phrase(nlp, sentence, expected):
    hits = [h for h in find_triggers(next(nlp(sentence).sents)) if h.trigger.event_type]
    assert (hits[0].text.lower() if hits else None) == expected


@pytest.mark.parametrize(
    ("text", "event_type", "sub_event_type"),
    [
        ("A suicide bomber blew himself up at a checkpoint in Mogadishu, killing five soldiers.",
         "Explosions/Remote violence", "Suicide bomb"),
        ("Government troops clashed with rebels near Goma, supported by air strikes, leaving 12 fighters dead.",
         "Battles", "Armed clash"),
        ("Gunmen shot dead four villagers in a village near Maiduguri on Monday.",
         "Violence against civilians", "Attack"),
        ("Militants attacked an army post near Kidal, killing three soldiers.", "Battles", "Armed clash"),
        ("Gunmen kidnapped 20 students from a school in Kaduna state.",
         "Violence against civilians", "Abduction/forced disappearance"),
        ("Artillery shelling hit residential areas of Donetsk, wounding six civilians.",
         "Explosions/Remote violence", "Shelling/artillery/missile attack"),
        ("Al Shabaab fighters seized control of the town of Afgoye after government forces withdrew.",
         "Battles", "Non-state actor overtakes territory"),
        ("Thousands of demonstrators marched peacefully through Nairobi demanding lower food prices.",
         "Protests", "Peaceful protest"),
        ("Police fired tear gas to disperse hundreds of protesters in Khartoum.",
         "Protests", "Protest with intervention"),
        ("Police arrested 15 opposition activists in Kampala on Tuesday.", "Strategic developments", "Arrests"),
        ("A grenade was thrown into a bar in Bujumbura, wounding nine people.", "Explosions/Remote violence", "Grenade"),
    ],
)
def test_event_type_and_priority(extract, text, event_type, sub_event_type):
    result = extract(text, published="2024-05-10")
    event = next(e for e in result.events if e.event_type)
    assert (event.event_type, event.sub_event_type) == (event_type, sub_event_type)


@pytest.mark.parametrize(
    "text",
    [
        "A landslide buried 40 homes in the mountain village, killing 12 people, officials said.",
        "Floods swept through the valley, leaving two people dead and hundreds homeless.",
        "The central bank raised interest rates by half a point on Tuesday.",
    ],
)
def test_no_typed_event_for_non_political_text(extract, text):
    assert all(e.event_type is None for e in extract(text, published="2024-05-10").events)


def test_separate_incident_becomes_its_own_event(extract):
    text = (
        "Two car bombs killed at least 23 people in Baghdad on Sunday, officials said.\n\n"
        "In a third incident Sunday, police said one man was killed when a bomb attached to his car exploded in Mosul."
    )
    typed = [e for e in extract(text, published="2010-09-20").events if e.event_type]
    assert len(typed) == 2
    assert typed[0].fatalities == 23 and typed[1].fatalities == 1
    assert typed[0].location.name != typed[1].location.name


def test_main_event_is_the_deadliest_headline_event(extract):
    text = (
        "Suicide Attack Kills 30 at Market\n\n"
        "A suicide bomber killed 30 people at a crowded market in Kabul on Monday, police said.\n\n"
        "Separately, police arrested two suspects in Jalalabad."
    )
    events = extract(text, published="2015-06-02").events
    assert events[0].sub_event_type == "Suicide bomb"
    assert any(e.sub_event_type == "Arrests" for e in events[1:])


def test_actors_named_perpetrator_and_victims(extract):
    text = "Al Shabaab militants ambushed Somali soldiers near Afgoye on Monday, killing seven soldiers, the army said."
    event = next(e for e in extract(text, published="2022-03-15").events if e.event_type)
    assert event.actor1.name == "Al Shabaab"
    assert event.actor2.name == "Military Forces of Somalia"


def test_claimed_responsibility_names_actor1(extract):
    text = ("Pakistani police say a bomb blast has killed two people in Karachi. "
            "The Taliban has claimed responsibility for the attack.")
    event = next(e for e in extract(text, published="2015-03-28").events if e.event_type)
    assert "Taliban" in event.actor1.name


def test_unknown_perpetrator_of_a_bombing_is_unidentified(extract):
    text = "A bomb exploded at a bus stop in Baghdad on Tuesday, killing 51 people. No group claimed the attack."
    event = next(e for e in extract(text, published="2008-06-17").events if e.event_type)
    assert event.actor1.name == "Unidentified Armed Group (Iraq)"
    assert event.actor2.name == "Civilians (Iraq)"


@pytest.mark.parametrize("text, event_type", [
    ("Gunmen shot dead an off-duty policeman outside his home in Quetta on Tuesday.", "Violence against civilians"),
    ("Militants fired at a retired soldier in his village near Bannu, wounding him.", "Violence against civilians"),
    ("Wagner fighters and Malian soldiers killed at least ten people in a village near Mopti.",
     "Violence against civilians"),
    ("Gunmen attacked a police checkpoint near Quetta, killing two policemen.", "Battles"),
    ("Soldiers and rebels clashed near Goma, killing 12 people.", "Battles"),
], ids=["off_duty_police", "retired_soldier", "one_sided_killing", "police_on_duty", "two_sided_clash"])
def test_killing_unarmed_or_off_duty_people_is_violence_against_civilians(extract, text, event_type):
    (event,) = [e for e in extract(text, published="2024-05-10").events if e.event_type]
    assert event.event_type == event_type


def test_off_duty_words_load_from_the_trigger_file():
    from sitrep.events.rules import lexicon

    assert lexicon().off_duty >= {"off-duty", "retired", "unarmed"} and all(w.strip() == w for w in lexicon().off_duty)
