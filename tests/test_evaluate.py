"""evaluate: field comparisons, cue stripping, gold claims, and the floor-update rules of the gate."""

from __future__ import annotations

import pytest

import eval_gate
from sitrep.acled import is_note, note_label, stated_toll, strip_cues
from sitrep.evaluate import Report, Score, gold_claims, match_claims, same_actor, same_admin, same_claimant


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [("Homs Governorate", "Homs", True), ("Al-Hasakah", "Al Hasakeh", True), ("Banaadir", "Banadir", True),
     ("Homs", "Hama", False), (None, "Homs", False)],
)
def test_same_admin(a, b, same):
    assert same_admin(a, b) is same


@pytest.mark.parametrize(
    ("pred", "gold", "same"),
    [("Military Forces of Israel", "Military Forces of Israel (2022-)", True), (None, None, True),
     ("Civilians (Syria)", "Civilians (Iraq)", False), ("Al Shabaab", None, False)],
)
def test_same_actor_ignores_years(pred, gold, same):
    assert same_actor(pred, gold) is same


@pytest.mark.parametrize(
    ("pred", "gold", "same"),
    [("Syria's defense ministry (via Agence France Presse)", "Syrian defense ministry (via AFP)", True),
     ("U.S. officials", "U.S. officials", True), ("U.N", "U.N.", True), (None, None, True),
     ("officials", None, False), ("Afghan officials", "Iraqi authorities", False)],
)
def test_same_claimant(pred, gold, same):
    assert same_claimant(pred, gold) is same


def test_strip_cues_removes_explicit_coding_only():
    note = ("Property destruction: On 4 May 2022, militants (coded as Al Shabaab) burned a house in X (Y, Z). "
            "Fatalities coded as 0. [size=no report]")
    assert strip_cues(note) == "On 4 May 2022, militants burned a house in X (Y, Z)."
    assert note_label(note) == ("Strategic developments", "Looting/property destruction")
    count, start, end = stated_toll(note)
    assert (count, note[start:end]) == (0, "Fatalities coded as 0")
    assert stated_toll("Unclear fatalities coded as 10.") == (10, 0, 30)
    assert stated_toll("There were no fatalities.")[0] == 0 and stated_toll("Gunmen killed two people.") is None


def test_gold_claims_include_all_kinds_and_aggregates():
    gold = {"events": [{"fatality_claims": [{"count": 3}], "injury_claims": [{"count": 5}],
                        "displacement_claims": [{"count": 100}], "other_claims": [{"count": 8, "kind": "abducted"}],
                        "fatalities_conservative": 3}],
            "aggregate_claims": [{"count": 29, "kind": "killed"}, {"count": None, "kind": "killed"}]}
    got = [(c["kind"], c["count"], c["event"], c.get("aggregate", False)) for c in gold_claims(gold)]
    assert sorted(got, key=str) == sorted([("killed", 3, 0, False), ("injured", 5, 0, False), ("displaced", 100, 0, False),
                                           ("abducted", 8, 0, False), ("killed", 29, None, True),
                                           ("killed", None, None, True)], key=str)


STORY = ("Bomb kills 4 in Kirkuk\n\nA roadside bomb killed four soldiers in Kirkuk on Monday, police said. "
         "In a separate attack, gunmen killed four civilians in Mosul, officials said.")


def _gold(*claims: tuple[str, str | None]) -> dict:
    return {"events": [{"fatality_claims": [{"count": 4, "text": t, "claimant": who} for t, who in claims]}]}


def test_claims_match_one_to_one_by_their_words(extract):
    result = extract(STORY)
    # the same count twice: each gold claim takes the extracted claim inside its own words
    pairs, missed, extra = match_claims(gold_claims(_gold(("killed four soldiers", "police"),
                                                          ("gunmen killed four civilians", "officials"))), result)
    assert [(g["text"], c.as_written, c.claimant) for g, c in pairs] == [
        ("killed four soldiers", "four soldiers", "police"), ("gunmen killed four civilians", "four civilians", "officials")]
    assert missed == [] and extra == []  # the headline's 4 repeats a matched claim: neither right nor wrong


def test_a_claim_of_the_right_count_in_other_words_does_not_match(extract):
    pairs, missed, extra = match_claims(gold_claims(_gold(("gunmen killed four civilians", None))), extract(STORY))
    assert [c.as_written for _, c in pairs] == ["four civilians"]
    assert [g["text"] for g in missed] == [] and [c.as_written for c in extra] == ["four soldiers"]
    pairs, missed, extra = match_claims(gold_claims(_gold(("A roadside bomb", None))), extract(STORY))
    assert pairs == [] and [g["text"] for g in missed] == ["A roadside bomb"] and len(extra) == 3


def _report(rate: float) -> Report:
    r = Report("x", "hash")
    r.fields["event_type"] = Score(int(rate * 100), 100)
    return r


def test_gate_raises_floors_but_never_lowers_silently(tmp_path, monkeypatch):
    monkeypatch.setattr(eval_gate, "CHANGELOG", tmp_path / "CHANGELOG.md")
    baseline = {"datasets": {"x": {"corpus_hash": "hash", "floors": {"event_type": 0.8}}}}
    eval_gate.update({"x": _report(0.9)}, baseline, allow_lower=False)
    assert baseline["datasets"]["x"]["floors"]["event_type"] == 0.9
    eval_gate.update({"x": _report(0.7)}, baseline, allow_lower=False)
    assert baseline["datasets"]["x"]["floors"]["event_type"] == 0.9
    with pytest.raises(SystemExit):
        eval_gate.update({"x": _report(0.7)}, baseline, allow_lower=True)
    (tmp_path / "CHANGELOG.md").write_text("- lowered the event_type floor: new harder data\n")
    eval_gate.update({"x": _report(0.7)}, baseline, allow_lower=True)
    assert baseline["datasets"]["x"]["floors"]["event_type"] == 0.7


def test_gate_reports_fields_below_floor_and_changed_corpus():
    baseline = {"datasets": {"x": {"corpus_hash": "other", "floors": {"event_type": 0.95}}}}
    problems = eval_gate.check({"x": _report(0.9)}, baseline)
    assert any("corpus changed" in p for p in problems) and any("below its floor" in p for p in problems)


@pytest.mark.parametrize(("text", "note"), [
    ("On 3 May 2022, militants burned a house in X.", True),
    ("Around 9 May 2022 (as reported), gunmen killed two herders.", True),
    ("Training: On 8 April 2022, a militia held a drill.", True),
    ("Between 3 and 5 May 2022, fighting continued near Y.", True),
    ("The central bank raised interest rates on 3 May 2022.", False),
    ("On Tuesday, the minister visited the capital.", False),
])
def test_is_note_reads_the_opening_of_an_event_note(text, note):
    assert is_note(text) is note


def test_admin1_spelled_another_way_is_the_same_province():
    from sitrep.geo import Gazetteer

    gaz = Gazetteer.open()
    assert gaz.same_province("Brittany", "Bretagne", "FR")
    assert gaz.same_province("Mazovia", "Mazowieckie", "PL")
    assert not gaz.same_province("Brittany", "Normandy", "FR")
    assert not gaz.same_province("Brittany", "Bretagne", "DE")
