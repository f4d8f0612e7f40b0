"""A learned event classifier: ACLED sub-event type (or no event at all) from the words of a report.

A multinomial logistic regression over word unigrams and bigrams, trained on the labelled
examples this project wrote (`data/event_examples_*.jsonl`, with non-events from
`data/event_negatives_train.jsonl`; how they were written: `data/EVENT_EXAMPLES.md`). The model
ships as plain JSON (`data/event_model.json`: the classes, the features, the weights, and the
hash of the corpus it was built from), read with the standard library and numpy; nothing is
trained or downloaded at run time. Rebuild it, deterministically, with

    .venv/bin/python -m sitrep.events

Training is full-batch gradient descent in float64 over sparse rows, summed in a fixed order,
and the weights are written rounded, so two builds from one corpus are byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np

from sitrep.model import EVENT_TYPES, TypeSource

NONE = "none"  # the class of reports that are no political violence, demonstration or strategic development
CORPUS = ("event_examples_violent.jsonl", "event_examples_other.jsonl", "event_negatives_train.jsonl",
          "event_features.toml")  # the files the model is built from (the last says how texts are read)
MODEL_FILE = "event_model.json"
MIN_DOCS = 2  # a feature must occur in this many training examples
EPOCHS, RATE, L2 = 800, 20.0, 1e-5
SUB_TO_TYPE = {sub: t for t, subs in EVENT_TYPES.items() for sub in subs}
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+")


@lru_cache(maxsize=1)
def _words() -> tuple[frozenset[str], tuple[str, ...]]:
    """The stop words and the endings cut from words (`data/event_features.toml`)."""
    raw = tomllib.loads(resources.files("sitrep.data").joinpath("event_features.toml").read_text("utf-8"))
    return frozenset(raw["stop_words"]), tuple(raw["suffixes"])


def _stem(word: str, suffixes: Sequence[str]) -> str:
    """A word without its first ending that leaves at least four letters."""
    for suffix in suffixes:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def features(text: str) -> list[str]:
    """The features of a text: its content words, stemmed, and word pairs, each once."""
    stop, suffixes = _words()
    # numbers are left out: dates and counts are in every kind of report and say nothing of its type
    words = [_stem(w, suffixes) for w in _WORD.findall(text.lower()) if w not in stop and not w[0].isdigit()]
    grams = [f"w:{w}" for w in words] + [f"b:{a}_{b}" for a, b in zip(words, words[1:])]
    return list(dict.fromkeys(grams))


@dataclass(frozen=True)
class Prediction:
    """The classifier's reading of a text: its likeliest event type and sub-event type, and how likely the text is
    no event at all."""

    event_type: str  # the event type whose sub-event types are likeliest together
    sub_event_type: str  # the likeliest sub-event type of that event type
    probability: float  # of that sub-event type
    none_probability: float  # that the text reports no event at all
    of: dict[str, float]  # every class's probability

    @property
    def is_event(self) -> bool:
        """Whether the model reads an event at all: 'no event' is less likely than some event."""
        return self.none_probability < 0.5


class EventModel:
    """The trained weights, ready to score texts."""

    def __init__(self, classes: Sequence[str], vocabulary: Sequence[str], weights: np.ndarray, bias: np.ndarray,
                 corpus_hash: str) -> None:
        self.classes = list(classes)
        self.index = {f: i for i, f in enumerate(vocabulary)}
        self.weights = weights  # features x classes
        self.bias = bias
        self.corpus_hash = corpus_hash

    @classmethod
    def from_json(cls, raw: dict) -> EventModel:
        """A model from its JSON form."""
        return cls(raw["classes"], raw["features"], np.array(raw["weights"], dtype=np.float64),
                   np.array(raw["bias"], dtype=np.float64), raw["corpus_hash"])

    def probabilities(self, text: str) -> np.ndarray:
        """The probability of each class for a text."""
        idx = [self.index[f] for f in features(text) if f in self.index]
        scores = self.bias + (self.weights[idx].sum(axis=0) / math.sqrt(len(idx)) if idx else 0.0)
        exp = np.exp(scores - scores.max())
        return exp / exp.sum()

    def predict(self, text: str) -> Prediction:
        """The likeliest event type of a text (its sub-event types summed), that type's likeliest sub-event type, and
        how likely the text is no event."""
        of = {c: round(float(x), 4) for c, x in zip(self.classes, self.probabilities(text))}
        by_type: dict[str, float] = {}
        for c in self.classes:
            if c != NONE:
                by_type[SUB_TO_TYPE[c]] = by_type.get(SUB_TO_TYPE[c], 0.0) + of[c]
        event_type = max(by_type, key=lambda t: by_type[t])
        sub = max(EVENT_TYPES[event_type], key=lambda c: of.get(c, 0.0))
        return Prediction(event_type, sub, of[sub], of[NONE], of)


@lru_cache(maxsize=1)
def model() -> EventModel:
    """The shipped model, loaded once per process."""
    return EventModel.from_json(json.loads(resources.files("sitrep.data").joinpath(MODEL_FILE).read_text("utf-8")))


# --- rules and model together -------------------------------------------------------------------

Typing = Literal["rules", "model", "both"]  # what types events: `sitrep eval --typing` compares them
FILL = 0.4  # the model types what the rules left untyped when at least this sure (26 classes: 0.04 is chance)
OVERRIDE = 0.9  # and overrules a rule of another event type only when at least this sure
GATE = 0.6  # the model vetoes a weakly read event (see `decide`) when at least this sure the text reports none


@dataclass(frozen=True)
class Decision:
    """The event type chosen for a report, what chose it, how sure, and why."""

    event_type: str | None
    sub_event_type: str | None
    source: TypeSource | None
    confidence: float | None  # the model's probability of the chosen sub-event type
    note: str


def decide(rules: tuple[str | None, str | None], prediction: Prediction, typing: Typing = "both",
           weak: bool = False, note: bool = False) -> Decision:
    """Combine the rules' type with the model's reading: agreement is 'both'; the model fills in what the rules
    left untyped when it reads an event, and overrules them only when it is very sure of another event type.
    When the rules' reading is `weak` (only generic violence words, no organised actor doing it), the model's
    'no event' vetoes it: a stabbing in a bar or a crush in a stadium is not political violence. An event
    `note` ('On 3 May 2022, …') reports an event by its form: the model's reading of one fills in however unsure,
    its confidence kept with the type, and its 'no event' vetoes no reading of the rules."""
    rule_type, rule_sub = rules
    said = (f"model: {prediction.sub_event_type} ({prediction.probability:.2f}), "
            f"no event ({prediction.none_probability:.2f})")
    if typing == "rules":
        return Decision(rule_type, rule_sub, "rules" if rule_type else None, None, "")
    if typing == "model":
        if not prediction.is_event:
            return Decision(None, None, None, None, f"{said}: no event")
        return Decision(prediction.event_type, prediction.sub_event_type, "model", prediction.probability, said)
    if weak and not note and prediction.none_probability >= GATE:
        return Decision(None, None, None, None, f"{said}: no political violence, demonstration or development")
    if rule_type is None:
        if prediction.is_event and (note or prediction.probability >= FILL):
            return Decision(prediction.event_type, prediction.sub_event_type, "model", prediction.probability,
                            f"type from the {said}")
        return Decision(None, None, None, None, f"{said}: not taken")
    if prediction.event_type == rule_type:
        return Decision(rule_type, rule_sub, "both", prediction.of.get(rule_sub or ""), f"{said}: agrees")
    if prediction.is_event and prediction.probability >= OVERRIDE:
        return Decision(prediction.event_type, prediction.sub_event_type, "model", prediction.probability,
                        f"type from the {said}, overruling the rules' {rule_type}")
    return Decision(rule_type, rule_sub, "rules", prediction.of.get(rule_sub or ""), f"{said}: overruled")


# --- training ---------------------------------------------------------------------------------------


DATA = Path(__file__).resolve().parent.parent / "data"  # where the corpus and the model live in the package


def corpus_rows(data: Path = DATA) -> list[dict]:
    """The labelled examples and training negatives, in file order."""
    rows: list[dict] = []
    for name in CORPUS:
        if not name.endswith(".jsonl"):
            continue
        for line in (data / name).read_text("utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def corpus_hash(data: Path = DATA) -> str:
    """A hash of the corpus files' bytes: the model records the corpus it was built from."""
    h = hashlib.sha256()
    for name in CORPUS:
        h.update(name.encode())
        h.update((data / name).read_bytes())
    return h.hexdigest()[:16]


def train(rows: Iterable[dict], corpus_id: str) -> dict:
    """Fit the classifier to labelled rows ({text, sub_event_type} or a negative {text, kind}); its JSON form."""
    texts, labels = [], []
    for r in rows:
        texts.append(features(r["text"]))
        labels.append(r.get("sub_event_type") or NONE)
    classes = sorted(set(labels))
    counts: dict[str, int] = {}
    for feats in texts:
        for f in feats:
            counts[f] = counts.get(f, 0) + 1
    vocabulary = sorted(f for f, n in counts.items() if n >= MIN_DOCS)
    index = {f: i for i, f in enumerate(vocabulary)}
    rows_idx = [np.array([index[f] for f in feats if f in index], dtype=np.int64) for feats in texts]
    y = np.array([classes.index(label) for label in labels])
    weights, bias = _fit(rows_idx, y, len(vocabulary), len(classes))
    return {
        "corpus_hash": corpus_id,
        "classes": classes,
        "features": vocabulary,
        "bias": [round(float(b), 5) for b in bias],
        "weights": [[round(float(w), 5) for w in row] for row in weights],
    }


def _fit(rows: list[np.ndarray], y: np.ndarray, n_features: int, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Softmax regression by full-batch gradient descent on sparse binary rows scaled to unit length."""
    weights = np.zeros((n_features, n_classes))
    bias = np.zeros(n_classes)
    onehot = np.eye(n_classes)[y]
    flat = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
    scale = np.array([1 / math.sqrt(len(r)) if len(r) else 0.0 for r in rows])
    for _ in range(EPOCHS):
        scores = np.zeros((len(rows), n_classes))
        np.add.at(scores, owner, weights[flat])
        scores = scores * scale[:, None] + bias
        exp = np.exp(scores - scores.max(axis=1, keepdims=True))
        error = exp / exp.sum(axis=1, keepdims=True) - onehot
        grad = np.zeros_like(weights)
        np.add.at(grad, flat, (error * scale[:, None])[owner])
        weights -= RATE * (grad / len(rows) + L2 * weights)
        bias -= RATE * error.mean(axis=0)
    return weights, bias


def rebuild() -> dict:
    """Rebuild data/event_model.json from the corpus in src/sitrep/data (deterministic); the model built."""
    built = train(corpus_rows(), corpus_hash())
    (DATA / MODEL_FILE).write_text(json.dumps(built, separators=(",", ":")) + "\n", "utf-8")
    return built
