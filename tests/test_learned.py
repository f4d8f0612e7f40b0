"""events.learned: the corpus the project wrote, the model built from it, and what it must never contain."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from conftest import SHARED, needs_shared_data
from sitrep.events import learned
from sitrep.model import EVENT_TYPES

DATA = learned.DATA
SUB_TYPES = [sub for subs in EVENT_TYPES.values() for sub in subs]
EVAL_NEGATIVES = DATA / "event_negatives_eval.jsonl"
_WORDS = re.compile(r"[a-z0-9]+")


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text("utf-8").splitlines() if line.strip()]


def runs(text: str, n: int) -> set[tuple[str, ...]]:
    words = _WORDS.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_learned_corpus_covers_every_sub_type_in_many_countries():
    examples = rows("event_examples_violent.jsonl") + rows("event_examples_other.jsonl")
    per_type = Counter(r["sub_event_type"] for r in examples)
    assert {sub: per_type[sub] for sub in SUB_TYPES if per_type[sub] < 40} == {}
    assert all(learned.SUB_TO_TYPE[r["sub_event_type"]] == r["event_type"] for r in examples)
    assert len({r["country"] for r in examples}) >= 50
    assert {r["style"] for r in examples} == {"news", "note"}
    negatives = rows("event_negatives_train.jsonl")
    assert set(Counter(r["kind"] for r in negatives)) == {"diplomacy", "crime", "claim", "accident", "disaster"}


def test_learned_eval_negatives_are_not_in_the_training_corpus():
    held_out = rows(EVAL_NEGATIVES.name)
    assert len(held_out) >= 150
    trained = learned.corpus_rows()
    seen = {" ".join(_WORDS.findall(r["text"].lower())) for r in trained}
    long_runs = set().union(*(runs(r["text"], 10) for r in trained))
    for r in held_out:
        assert " ".join(_WORDS.findall(r["text"].lower())) not in seen, r["text"]
        assert not runs(r["text"], 10) & long_runs, r["text"]


@needs_shared_data(SHARED / "acled_dev.jsonl", SHARED / "acled_dev_large.jsonl")
def test_learned_no_example_shares_six_words_with_an_acled_row():
    acled = set()
    for name in ("acled_dev.jsonl", "acled_dev_large.jsonl"):
        for line in (SHARED / name).read_text("utf-8").splitlines():
            if line.strip():
                acled |= runs(json.loads(line)["text"], 6)
    ours = learned.corpus_rows() + rows(EVAL_NEGATIVES.name)
    shared = [(r["text"], sorted(runs(r["text"], 6) & acled)[:3]) for r in ours if runs(r["text"], 6) & acled]
    assert shared == []


def test_learned_model_is_built_from_the_corpus_as_it_is():
    assert learned.model().corpus_hash == learned.corpus_hash(), (
        "the corpus changed: rebuild the model with `.venv/bin/python -m sitrep.events`")


@pytest.mark.slow
def test_learned_rebuild_is_deterministic_and_gives_the_shipped_model():
    built = [json.dumps(learned.train(learned.corpus_rows(), learned.corpus_hash()), separators=(",", ":")) + "\n"
             for _ in range(2)]
    assert built[0] == built[1] == (DATA / learned.MODEL_FILE).read_text("utf-8")


@pytest.mark.parametrize("text, sub_event_type", [
    ("Fighter jets bombed a rebel position outside the town on Sunday, killing four fighters.", "Air/drone strike"),
    ("Soldiers and insurgents exchanged fire for two hours near the border post.", "Armed clash"),
    ("Hundreds of nurses marched peacefully to parliament to demand better pay.", "Peaceful protest"),
    ("Police defused a roadside bomb found near the market before it could explode.", "Disrupted weapons use"),
], ids=["air_strike", "clash", "protest", "defused"])
def test_learned_model_reads_plain_reports(text, sub_event_type):
    assert learned.model().predict(text).sub_event_type == sub_event_type


def test_learned_model_says_a_disaster_is_no_event():
    prediction = learned.model().predict("An earthquake of magnitude 6.1 killed at least 40 people and destroyed "
                                         "hundreds of homes, the disaster agency said.")
    assert not prediction.is_event and prediction.none_probability > 0.5


def test_learned_features_stem_words_drop_numbers_and_stop_words_and_pair_words():
    assert learned.features("Gunmen killed 12 of the villagers on 3 May 2022") == [
        "w:gunmen", "w:kill", "w:villager", "w:may", "b:gunmen_kill", "b:kill_villager", "b:villager_may"]


def test_learned_prediction_sums_sub_types_into_the_event_type():
    prediction = learned.model().predict("Soldiers and rebels exchanged heavy gunfire for hours near the border town.")
    by_type = {t: sum(prediction.of[s] for s in subs) for t, subs in learned.EVENT_TYPES.items()}
    assert prediction.event_type == max(by_type, key=lambda t: by_type[t]) == "Battles"
    assert prediction.sub_event_type in learned.EVENT_TYPES["Battles"] and prediction.is_event


def test_learned_an_event_note_is_typed_by_the_model_however_unsure():
    unsure = learned.Prediction("Battles", "Armed clash", 0.25, 0.1, {"Armed clash": 0.25})
    assert learned.decide((None, None), unsure).event_type is None  # below FILL: not taken in an article
    assert learned.decide((None, None), unsure, note=True).event_type == "Battles"  # a note reports an event
    no_event = learned.Prediction("Battles", "Armed clash", 0.05, 0.8, {"Armed clash": 0.05})
    assert learned.decide((None, None), no_event, note=True).event_type is None  # unless the model reads none


def test_learned_no_event_vetoes_generic_violence_words_except_in_an_event_note():
    no_event = learned.Prediction("Violence against civilians", "Attack", 0.1, 0.8, {"Attack": 0.1})
    rules = ("Violence against civilians", "Attack")
    # "a man was shot on a road; the gunman fled": in an article, maybe a crime; in an event note, an event
    assert learned.decide(rules, no_event, weak=True).event_type is None
    assert learned.decide(rules, no_event, weak=True, note=True).event_type == "Violence against civilians"
