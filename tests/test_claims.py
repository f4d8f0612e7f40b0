"""Claims: numbers, qualifiers, kinds, claimants, breakdowns, superseded figures and tolls."""

from __future__ import annotations

import pytest

from sitrep.claims import (
    ClaimantContext, Found, canonical_claimant, clean_name, extract_sentence, find_numbers, link_claims,
)  # fmt: skip
from sitrep.model import Toll
from sitrep.tolls import toll


def read(nlp, text: str, sources=("Syrian Observatory for Human Rights",)):
    """All claims of a text, linked, with the Found records."""
    doc = nlp(text)
    ctx = ClaimantContext(list(sources))
    found = []
    for sent in doc.sents:
        found += extract_sentence(sent, "text", 0, ctx)
        ctx.observe(sent)
    link_claims(found)
    return found


def tally(found: list[Found]) -> Toll:
    """The toll rule over the claims read."""
    return toll(f.claim for f in found)


def pairs(found):
    return [(f.claim.kind, f.claim.count, f.claim.qualifier) for f in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gunmen killed four villagers in the attack.", [("killed", 4, "exact")]),
        ("A roadside bomb killed at least 12 soldiers on Monday.", [("killed", 12, "at_least")]),
        ("More than 80 people were wounded in the blasts.", [("injured", 80, "more_than")]),
        ("Twenty two people were killed and twelve were injured.", [("killed", 22, "exact"), ("injured", 12, "exact")]),
        ("The bombing killed a dozen people.", [("killed", 12, "exact")]),
        ("Nearly 100 civilians were displaced by the fighting.", [("displaced", 100, "about")]),
        ("Gunmen abducted 23 students from the school.", [("abducted", 23, "exact")]),
        ("Police arrested 15 protesters in the capital.", [("arrested", 15, "exact")]),
        ("Two of the policemen died, about 13, 14 were wounded.", [("killed", 2, "exact"), ("injured", 13, "range")]),
        ("The clashes claimed 14 lives.", [("killed", 14, "exact")]),
        ("Militants shot and killed a government soldier in the town.", [("killed", 1, "exact")]),
        ("Rebels say they killed up to 40 soldiers.", [("killed", 40, "up_to")]),
        ("Dozens of people were killed in the raid.", [("killed", None, "vague")]),
        ("Between 10 and 15 fighters were killed.", [("killed", 10, "range")]),
        ("Gunmen killed or injured 14 people at a church.", [("casualties", 14, "exact")]),
        ("No one was injured in the blast.", [("injured", 0, "exact")]),
        ("Several dozen people were killed in the raid.", [("killed", None, "vague")]),
        ("Seven of our soldiers were killed in the ambush.", [("killed", 7, "exact")]),
    ],
)
def test_claims_kind_count_qualifier(nlp, text, expected):
    assert pairs(read(nlp, text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Two car bombs exploded near the market.",
        "The man, at least 65 years old, was later released.",
        "The 15-member Council condemned the attack.",
        "About two hundred people gathered outside the hospital.",
        "The strikes targeted three sites in the city.",
        "On November 20, 2024, the army said it had secured the road.",
    ],
)
def test_claims_ignore_counts_that_are_not_tolls(nlp, text):
    assert read(nlp, text) == []


def test_claims_range_keeps_high_value(nlp):
    (claim,) = [f.claim for f in read(nlp, "Between 10 and 15 fighters were killed.")]
    assert (claim.count, claim.count_high) == (10, 15)


def test_claims_offsets_slice_back_to_the_figure(nlp):
    text = "Officials said a suicide bomber killed at least 31 people at a market in the town."
    (claim,) = [f.claim for f in read(nlp, text)]
    assert text[claim.start : claim.end] == claim.as_written
    assert claim.as_written.startswith("at least 31")


@pytest.mark.parametrize(
    ("text", "claimant"),
    [
        ("Afghan officials say a coalition air strike has killed 11 civilians.", "Afghan officials"),
        ("The attack killed nine people, according to the Interior Ministry.", "Interior Ministry"),
        ("\"Two of the policemen died,\" said Raza Mohammad, a police official.", "Raza Mohammad, a police official"),
        ("Israeli strikes killed 71 fighters in Palmyra, a monitor said Thursday.", "Syrian Observatory for Human Rights"),
        ("A car bomb killed five people in the city.", None),
        # the parser leaves "said" without a subject: the words between the comma and the verb speak
        ("Twelve people were killed in Thursday's air strike on a market in Idlib, Syria, the Syrian Observatory "
         "for Human Rights said on Saturday.", "Syrian Observatory for Human Rights"),
        # "the toll from <an event>" names no source
        ("The death toll from an air strike on a market in Idlib on Thursday has risen to 12, according to the "
         "Syrian Observatory for Human Rights.", "Syrian Observatory for Human Rights"),
    ],
)
def test_claims_claimant(nlp, text, claimant):
    (found,) = read(nlp, text)
    assert found.claim.claimant == claimant


def test_claims_nested_attribution_names_the_relay(nlp):
    text = ("The strikes killed 36 people, in the latest toll issued by the defense ministry, "
            "according to Agence France Presse.")
    (found,) = read(nlp, text)
    assert found.claim.claimant == "defense ministry (via Agence France Presse)"


def test_claims_pronoun_takes_the_previous_speaker(nlp):
    found = read(nlp, "The Interior Ministry issued a statement. It said 14 police officers were killed.")
    assert found[0].claim.claimant == "Interior Ministry"


def test_claims_breakdown_is_part_of_its_total_and_never_adds(nlp):
    found = read(nlp, "A coalition air strike killed 11 civilians, including 10 children, officials said.")
    total, part = found
    assert part.claim.part_of == 0 and total.claim.part_of is None
    assert tally(found).fatalities == 11


def test_claims_list_after_included_is_a_breakdown(nlp):
    text = ("Strikes killed 71 fighters, the monitor said. Those killed included 45 fighters from local groups, "
            "26 foreign fighters and four from Hezbollah.")
    found = read(nlp, text)
    assert [f.claim.count for f in found] == [71, 45, 26, 4]
    assert [f.claim.part_of for f in found] == [None, 0, 0, 0]
    assert tally(found).fatalities == 71


def test_claims_count_among_total_is_a_part(nlp):
    found = read(nlp, "4 Hezbollah Members Among 71 Fighters Killed in Syria's Palmyra")
    assert [(f.claim.count, f.claim.part_of) for f in found] == [(4, 1), (71, None)]


def test_claims_toll_rose_supersedes_the_same_claimants_figure(nlp):
    found = read(nlp, "Police said 10 people were killed in the blast. Police later said the death toll rose to 12.")
    assert [f.claim.superseded for f in found] == [True, False]
    toll = tally(found)
    assert (toll.fatalities, toll.low, toll.high) == (12, 12, 12)


@pytest.mark.parametrize("text", [
    "The toll from Thursday's air strike on a market in Idlib, Syria rose to 12, the Syrian Observatory said.",
    "The death toll from the bombing of the market has now risen to 12, officials said.",
])
def test_claims_toll_far_before_its_count_gives_the_kind(nlp, text):
    (found,) = read(nlp, text)
    assert (found.claim.kind, found.claim.count) == ("killed", 12)


def test_claims_an_earlier_toll_named_as_such_is_superseded(nlp):
    found = read(nlp, "Twelve people were killed in the strike, the monitor said, raising its earlier toll of eight.")
    assert [(f.claim.count, f.claim.superseded) for f in found] == [(12, False), (8, True)]
    assert tally(found).fatalities == 12


def test_claims_toll_rose_supersedes_the_articles_own_earlier_figure(nlp):
    found = read(nlp, "An air strike killed eight people in the market. By Friday the toll had risen to 12, the "
                      "monitor said.")
    assert [(f.claim.count, f.claim.superseded) for f in found] == [(8, True), (12, False)]


def test_claims_toll_rose_leaves_another_claimants_figure_standing(nlp):
    found = read(nlp, "Police said eight people were killed. The toll rose to 12, hospital officials said.")
    assert [f.claim.superseded for f in found] == [False, False]
    assert (tally(found).low, tally(found).high) == (8, 12)


def test_tally_conflicting_claimants_take_the_lowest(nlp):
    text = ("Strikes killed 71 fighters, the monitor said. "
            "The defense ministry said the strikes killed 36 people and wounded more than 50 others.")
    toll = tally(read(nlp, text))
    assert (toll.fatalities, toll.low, toll.high) == (36, 36, 71)


def test_tally_different_groups_add(nlp):
    text = ("The army said 20 soldiers were killed in the attack. "
            "Rebels said 13 militants died in the fighting.")
    assert tally(read(nlp, text)).fatalities == 33


def test_tally_no_deaths_is_zero_with_null_range(nlp):
    toll = tally(read(nlp, "Police arrested 15 protesters in the capital."))
    assert (toll.fatalities, toll.low, toll.high) == (0, None, None)


def test_tally_vague_words_coded_as_acled_codes_them(nlp):
    toll = tally(read(nlp, "Gunmen killed several villagers overnight."))
    assert toll.fatalities == 10


def test_tally_numeric_claim_preferred_over_vague(nlp):
    text = "Rebels killed scores of soldiers. A spokesman said over 100 government soldiers were killed."
    assert tally(read(nlp, text)).fatalities == 100


@pytest.mark.parametrize(("text", "value"), [("1,100 people", 1100), ("twenty-two people", 22), ("two hundred people", 200)])
def test_find_numbers_reads_digits_and_words(nlp, text, value):
    sent = next(nlp(text).sents)
    assert find_numbers(sent)[0].value == value


def _read_article(nlp, text: str):
    from sitrep.claims import attribute_quotes, inherit_claimants

    doc = nlp(text)
    ctx = ClaimantContext([])
    rows = []
    for sent in doc.sents:
        rows.append((sent, extract_sentence(sent, "text", 0, ctx)))
        ctx.observe(sent)
    attribute_quotes(rows, ctx)
    inherit_claimants(rows)
    return [f.claim for _, found in rows for f in found]


def test_quote_spanning_sentences_takes_the_speaker_where_it_closes(nlp):
    text = ("“Over 100 government soldiers were killed in the battle. We destroyed three armoured "
            "vehicles,” opposition spokesman Lul Ruai Koang said.")
    (claim,) = _read_article(nlp, text)
    assert claim.claimant == "opposition spokesman Lul Ruai Koang"


def test_same_paragraph_figure_inherits_the_source_but_not_across_paragraphs(nlp):
    text = ("A bombing in Baghdad has killed 51 people, according to local police. The car bomb went off near a "
            "bus stop. 75 people were also wounded.\n\nIn a separate incident, two people were killed in Mosul.")
    claims = _read_article(nlp, text)
    assert [(c.count, c.claimant) for c in claims] == [(51, "local police"), (75, "local police"), (2, None)]


@pytest.mark.parametrize(("written", "name"), [
    ("The Britain-based Syrian Observatory for Human Rights, which relies on a network of sources inside Syria",
     "Syrian Observatory for Human Rights"),
    ("the London-based monitor", "London-based monitor"),
    ("Raza Mohammad, a police official", "Raza Mohammad, a police official"),
])
def test_clean_name_drops_articles_places_of_base_and_relative_clauses(written, name):
    assert clean_name(written) == name


@pytest.mark.parametrize("name", ["after_fillers", "before_fillers", "intransitive_death", "pronoun_subjects"])
def test_claims_grammar_word_lists_load_every_entry(name):
    import tomllib
    from importlib import resources

    from sitrep.claims import lexicon

    words = tomllib.loads(resources.files("sitrep.data").joinpath("claims_lexicon.toml").read_text("utf-8"))["grammar"][name]
    assert words and len(set(words)) == len(words) and all(w and w == w.strip().lower() for w in words)
    assert getattr(lexicon(), name) == frozenset(words)


@pytest.mark.parametrize(
    ("text", "aggregate"),
    [("More than 300 people have been killed since the fighting began in April.", [True]),
     ("At least 40 soldiers have been killed in the region so far this year.", [True]),
     ("Over the past three months, 120 civilians were killed in the province.", [True]),
     ("The war has left tens of thousands of people dead.", [True]),
     ("Police detained 18 suspects over the past two days.", [False]),  # one operation's window
     ("Gunmen killed five people on Monday, the deadliest attack since 2020.", [False]),
     ("Fighting killed 12 people in the town on Monday.", [False])],
)
def test_claims_a_total_over_many_incidents_is_an_aggregate_and_never_adds(nlp, text, aggregate):
    found = read(nlp, text)
    assert [f.claim.aggregate for f in found] == aggregate
    if all(aggregate):
        assert tally(found).fatalities == 0


def test_claims_one_of_those_killed_is_a_part(nlp):
    found = read(nlp, "Gunmen killed 17 people. One of those killed, Ali Hassan, was a teacher.")
    assert [(f.claim.count, f.claim.part_of) for f in found] == [(17, None), (1, 0)]
    assert tally(found).fatalities == 17


def test_claims_a_statement_issued_names_its_issuer(nlp):
    found = read(nlp, "The Ministry of Health issued a statement reporting that 11 civilians were killed.")
    assert [f.claim.claimant for f in found] == ["Ministry of Health"]


def test_claims_a_bare_role_is_named_by_the_next_speaker_of_that_role(nlp):
    found = read(nlp, "A car bomb killed seven people, the spokesman said. Police spokesman Abdifatah Aden told "
                      "reporters the bomber had targeted a checkpoint.")
    assert [f.claim.claimant for f in found] == ["Police spokesman Abdifatah Aden"]
    found = read(nlp, "A car bomb killed seven people, the spokesman said. Residents said the blast shook the town.")
    assert [f.claim.claimant for f in found] == ["spokesman"]


@pytest.mark.parametrize(
    ("written", "canonical"),
    [("U.N. officials", "United Nations"), ("the United Nations", "United Nations"), ("a UN spokesman", "United Nations"),
     ("the UN refugee agency", "UNHCR"), ("Taliban spokesman Zabihullah Mujahid", "Taliban"),
     ("Afghan officials", "Afghan officials"), ("police", "Police"), ("Uganda police", "Uganda police"), (None, None)],
)
def test_canonical_claimant_gives_one_name_however_written(written, canonical):
    assert canonical_claimant(written) == canonical
