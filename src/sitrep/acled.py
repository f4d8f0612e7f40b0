"""ACLED's note conventions (`data/acled_conventions.toml`): cues that state the coding outright.

ACLED's notes sometimes say how they were coded: a label before the note ("Property
destruction: On 17 March 2022, …"), "(coded as X)" after an actor, "coded to X" for a place,
"Fatalities coded as 3", "There were no fatalities". This module is the one home of those cues:
`actors`, `geo` and the pipeline read them through it, like any other wording; `strip_cues`
removes them so that evaluation can measure what is read from ordinary wording.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Conventions:
    """Compiled cue patterns."""

    strip: tuple[re.Pattern[str], ...]
    labels: dict[str, tuple[str, str]]
    label: re.Pattern[str]
    note_opening: re.Pattern[str]
    fatalities_coded: re.Pattern[str]
    no_fatalities: re.Pattern[str]
    coded_actor: re.Pattern[str]  # group 1: the phrase an actor was coded as
    coded_place: re.Pattern[str]  # the coded place's name follows the match
    coded_place_bracket: str  # a pattern to embed in geo's "A (coded to B) (C, D)" pattern


@lru_cache(maxsize=1)
def conventions() -> Conventions:
    """Load the conventions once."""
    raw = tomllib.loads(resources.files("sitrep.data").joinpath("acled_conventions.toml").read_text("utf-8"))
    labels = {k.lower(): (v[0], v[1]) for k, v in raw["labels"].items()}
    names = "|".join(re.escape(k) for k in sorted(labels, key=len, reverse=True))
    return Conventions(
        strip=tuple(re.compile(p, re.I) for p in raw["strip"]),
        labels=labels,
        label=re.compile(rf"^\s*({names})\s*:\s*", re.I),
        note_opening=re.compile(raw["note_opening"], re.I),
        fatalities_coded=re.compile(raw["fatalities_coded"], re.I),
        no_fatalities=re.compile(raw["no_fatalities"], re.I),
        coded_actor=re.compile(raw["coded_actor"], re.I),
        coded_place=re.compile(raw["coded_place"]),
        coded_place_bracket=raw["coded_place_bracket"],
    )


def note_label(text: str) -> tuple[str, str] | None:
    """The (event type, sub-event type) an opening label names ('Property destruction: …')."""
    m = conventions().label.match(text)
    return conventions().labels[m.group(1).lower()] if m else None


def is_note(text: str) -> bool:
    """Whether a text opens as an event note does, with the event's date ('On 3 May 2022, …')."""
    return conventions().note_opening.match(text) is not None


def stated_toll(text: str) -> tuple[int, int, int] | None:
    """The toll a note states outright, with where it says so: ('Fatalities coded as 3') -> (3, start, end).

    'There were no fatalities' states 0.
    """
    conv = conventions()
    m = conv.fatalities_coded.search(text)
    if m:
        return int(m.group(1)), m.start(), m.end()
    m = conv.no_fatalities.search(text)
    return (0, m.start(), m.end()) if m else None


def strip_cues(text: str) -> str:
    """Remove the cues that state the coding outright."""
    conv = conventions()
    text = conv.label.sub("", text)
    for pattern in conv.strip:
        text = pattern.sub("", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()
