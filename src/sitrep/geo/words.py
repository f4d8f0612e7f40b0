"""The reviewable word tables of place finding: data/geo_cues.toml and data/geo_demonyms.tsv, read once."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Cues:
    """The cue-word tables of data/geo_cues.toml."""

    articles: frozenset[str]
    capitalised: frozenset[str]
    hint_of_word: dict[str, str]
    kind_order: dict[str, tuple[str, ...]]
    admin_suffixes: frozenset[str]
    admin_prefixes: tuple[str, ...]
    adjectival_endings: tuple[str, ...]
    prefix_particles: tuple[str, ...]
    before: tuple[str, ...]
    directions: frozenset[str]
    not_places: frozenset[str]
    calendar: frozenset[str]
    features: frozenset[str]
    feature_endings: frozenset[str]
    ordinary: frozenset[str]
    # Alternations keep the file's order, so the name pattern is the one reviewed there.
    lead_articles_hyphen: tuple[str, ...]
    lead_articles_space: tuple[str, ...]
    inner_particles: tuple[str, ...]
    country_parts: tuple[str, ...]
    origin_words: tuple[str, ...]
    leaving: tuple[str, ...]
    reaching: tuple[str, ...]
    topics: tuple[str, ...]
    institutions: tuple[str, ...]
    near: tuple[str, ...]
    speech: tuple[str, ...]
    stances: tuple[str, ...]
    located: frozenset[str]
    qualifiers_after: tuple[str, ...]
    qualifiers_unless: tuple[str, ...]
    qualifiers_before: tuple[str, ...]


@cache
def cues() -> Cues:
    """The cue tables, read once."""
    raw = tomllib.loads((DATA_DIR / "geo_cues.toml").read_text(encoding="utf-8"))
    hint_of_word = {w: hint for hint, words in raw["hint_words"].items() for w in words}
    return Cues(
        articles=frozenset(raw["articles"]),
        capitalised=frozenset(raw["capitalised"]),
        hint_of_word=hint_of_word,
        kind_order={k: tuple(v) for k, v in raw["kind_order"].items()},
        admin_suffixes=frozenset(raw["admin_suffixes"]["words"]),
        admin_prefixes=tuple(raw["admin_suffixes"]["prefixes"]),
        adjectival_endings=tuple(raw["admin_suffixes"]["adjectival_endings"]),
        prefix_particles=tuple(raw["admin_suffixes"]["prefix_particles"]),
        before=tuple(sorted(raw["cues"]["before"], key=len, reverse=True)),
        directions=frozenset(raw["directions"]["words"]),
        not_places=frozenset(raw["not_places"]["words"] + raw["not_places"]["calendar"]),
        calendar=frozenset(raw["not_places"]["calendar"]),
        features=frozenset(raw["features"]["words"]),
        feature_endings=frozenset(raw["features"]["ending"]),
        ordinary=frozenset(raw["ordinary"]["words"]),
        lead_articles_hyphen=tuple(raw["name_articles"]["hyphen"]),
        lead_articles_space=tuple(raw["name_articles"]["space"]),
        inner_particles=tuple(raw["name_articles"]["inner"]),
        country_parts=tuple(raw["the_country"]["parts"]),
        origin_words=tuple(raw["origin_words"]["words"]),
        leaving=tuple(raw["origin_words"]["leaving"]),
        reaching=tuple(raw["origin_words"]["reaching"]),
        topics=tuple(raw["origin_words"]["topics"]),
        institutions=tuple(raw["institutions"]["words"]),
        near=tuple(raw["near"]["words"]),
        speech=tuple(raw["institutions"]["speech"]),
        stances=tuple(raw["institutions"]["stances"]),
        located=frozenset(raw["institutions"]["located"]),
        qualifiers_after=tuple(sorted(raw["qualifiers"]["after"], key=len, reverse=True)),
        qualifiers_unless=tuple(raw["qualifiers"]["unless"]),
        qualifiers_before=tuple(raw["qualifiers"]["before"]),
    )


@cache
def demonyms() -> dict[str, str]:
    """Demonym -> iso2, from data/geo_demonyms.tsv."""
    out: dict[str, str] = {}
    for line in (DATA_DIR / "geo_demonyms.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, iso2 = line.split("\t")[:2]
            out[word.strip()] = iso2.strip()
    return out
