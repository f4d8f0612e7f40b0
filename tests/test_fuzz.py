"""Fuzzing the whole extractor: news-like and random text never raises and keeps the contract's invariants.

The stage-level properties live beside their stages (test_ingest, test_clean, test_dates, test_geo,
test_actors, test_store); these run every stage at once, on text built from the words that drive
them: counts, qualifiers, casualty verbs, claimants, places, dates, brackets and stray characters.
"""

from __future__ import annotations

import datetime as dt

from checks import check_error, check_result, examples
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from sitrep.ingest import read_text
from sitrep.model import Document, InputError

FRAGMENTS = [
    # counts and qualifiers
    "12", "1,200", "0", "3", "45", "twenty-one", "a dozen", "dozens", "hundreds", "several", "at least",
    "more than", "up to", "about", "between 3 and 5", "some", "one", "two", "nine", "1.5 million",
    # casualties
    "killed", "were killed", "dead", "died", "wounded", "injured", "missing", "abducted", "kidnapped",
    "arrested", "detained", "displaced", "fled", "people", "civilians", "soldiers", "militants", "children",
    "including", "the toll rose to", "raising its earlier toll of", "of them", "among them",
    # actors and events
    "Gunmen", "Al-Shabaab", "Boko Haram", "the army", "Russian forces", "Israeli strikes", "police",
    "protesters", "an air strike", "a drone strike", "shelling", "clashes", "a suicide bomber", "attacked",
    "stormed", "a car bomb", "exploded", "fired on", "talks", "a ceasefire", "a flood", "an earthquake",
    # claimants
    "police said", "officials said", ", a monitor said", "according to the Syrian Observatory for Human Rights",
    "the ministry said", "told AFP", "(Reuters)", "— AP", "said in a statement", "claimed",
    # places
    "in Kabul", "near Aleppo", "Tadmur", "Palmyra", "in northern Syria", "Homs province", "in Gao, Mali",
    "the village of", "Mogadishu", "Kharkiv region", "in the Gaza Strip", "(Jowhar, Middle Shabelle)",
    # dates
    "on Monday", "on Thursday", "last week", "Nov. 20", "2024-11-20", "yesterday", "days earlier",
    "on 4 May 2023", "overnight", "earlier this month", "in 2019",
    # structure and noise
    ".", ",", ";", "(", ")", '"', "'", "“", "”", "-", "—", "\n", "\n\n", "Photo: AFP", "File photo",
    "Share this", "Subscribe", "BEIRUT (Reuters) -", "\u200f", "\u202e", "🙂", "\x07", "\t",
]
NEWSLIKE = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), min_size=1, max_size=60).map(" ".join)
PUBLISHED = st.none() | st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))


def fuzz(n: int) -> settings:
    """Settings for a fuzz test of n examples in CI (scaled by SITREP_FUZZ_SCALE)."""
    return settings(max_examples=examples(n), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@fuzz(400)
@given(text=NEWSLIKE, published=PUBLISHED)
def test_extract_newslike_text_keeps_the_contract(extractor, text: str, published: dt.date | None) -> None:
    result = extractor.extract(Document("fuzz", text, "fuzz", published=published))
    check_result(result)
    target(float(sum(len(e.claims) for e in result.events)), label="claims")  # steer towards texts with claims


@fuzz(200)
@given(text=st.text(max_size=400), published=PUBLISHED)
def test_extract_arbitrary_text_keeps_the_contract(extractor, text: str, published: dt.date | None) -> None:
    items = list(read_text(text, "fuzz", "sniff", published))
    assert items
    for item in items:
        if isinstance(item, InputError):
            check_error(item)
        else:
            check_result(extractor.extract(item))


@fuzz(100)
@given(st.lists(NEWSLIKE, min_size=1, max_size=6))
def test_extract_many_keeps_order_and_each_document_alone(extractor, texts: list[str]) -> None:
    docs = [Document(f"d{i}", text, f"fuzz:{i}") for i, text in enumerate(texts)]
    together = list(extractor.extract_many(docs))
    assert [r.id for r in together] == [d.id for d in docs]
    for doc, result in zip(docs, together):
        check_result(result)
        assert result.to_dict() == extractor.extract(doc).to_dict()  # batching never changes a result


@fuzz(100)
@given(st.lists(st.sampled_from(["<div>", "</div>", "<p>", "</p>", "<script>x</script>", "<figure><figcaption>",
                                 "</figcaption></figure>", "<h1>", "</h1>", "<!--", "-->", "<", ">", "&amp;",
                                 "&#0;", "<title>", "</title>", "<br/>", "<table><tr><td>"]) | NEWSLIKE,
                max_size=40).map(lambda parts: "<html><body>" + "".join(parts)))
def test_extract_broken_html_keeps_the_contract(extractor, html: str) -> None:
    for item in read_text(html, "fuzz.html", "html", None):
        if isinstance(item, InputError):
            check_error(item)
        else:
            check_result(extractor.extract(item))
