"""syndication: wire credits are read from datelines, bylines and sign-offs; republished copies are near-duplicates."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from sitrep import syndication

# A wire story as the agency files it (written for these tests).
WIRE_BODY = """Israeli strikes on the ancient Syrian city of Palmyra killed at least 36 people and wounded more than 50 others on Wednesday, the Syrian defence ministry said.

"The Israeli enemy launched an air aggression from the direction of the al-Tanf area targeting a number of buildings in the city of Palmyra," the ministry said in a statement.

The Britain-based Syrian Observatory for Human Rights, which relies on a network of sources inside Syria, put the toll higher, saying 71 pro-Iran fighters had been killed in the strikes, most of them members of groups based in Iraq.

The monitor said the strikes hit a residential building used by the fighters and a meeting place close to the city's industrial zone, and that the dead included members of the Lebanese Hezbollah movement.

Israel has carried out hundreds of strikes in Syria since the start of the civil war in 2011, mostly targeting Iran-backed forces and Hezbollah positions, though it rarely comments on individual strikes.

The Israeli military declined to comment when asked about the reported attack on Palmyra, a UNESCO World Heritage site whose Roman-era ruins were badly damaged by the Islamic State group during its occupation of the city.

The strikes came a day after Israeli raids on the Damascus suburb of Mazzeh, which the monitor said killed at least 15 people, including several civilians, in one of the deadliest such attacks in months."""

SITE_A = (
    "Home | World | Middle East | Opinion | Sport\nSubscribe for $1\n\n"
    "Israeli strikes on Syria's Palmyra kill dozens\nPublished 21 November 2024, 9:42 am\n\n"
    "PALMYRA, Syria (AFP) — "
    + WIRE_BODY
    + "\n\nRead more: Who are the Iran-backed groups in Syria?\nShare this article on Facebook, X and WhatsApp\n"
    "Sign up for our daily newsletter and never miss a story.\n© 2024 The Daily Courier. All rights reserved."
)

SITE_B = (
    "WORLD NEWS\n\nDozens killed as Israel strikes Palmyra, Syria says\n\nBy AFP\n\n"
    + "\n\n".join(WIRE_BODY.split("\n\n")[:5])  # runs only the first five paragraphs
    + "\n\nAdvertisement\n\nMore from World: Floods in Valencia leave 200 dead; Markets rally on rate cut hopes\n"
    "© Agence France-Presse"
)

SITE_C = (
    "Breaking | Middle East\n\n"
    + WIRE_BODY.replace(
        "Israeli strikes on the ancient Syrian city of Palmyra", "Israeli air strikes on Palmyra"
    ).replace("the Syrian defence ministry said", "Syria's defence ministry said")
    + "\n\nRelated stories\nUN envoy warns of regional war\nLebanon ceasefire talks stall\nIraq militias vow revenge\n"
    "Comments are closed. Follow us on Telegram for live updates."
)

# The same event told by another agency in its own words.
OTHER_AGENCY = """BEIRUT (Reuters) - Israeli air strikes on Palmyra in central Syria on Wednesday killed 36 people, Syrian state media reported, citing the defence ministry, in what a monitoring group called the deadliest Israeli attack on the country in years.

State news agency SANA said the strikes, launched from the direction of the U.S.-run al-Tanf garrison near the Jordanian border, destroyed several buildings and wounded 50 people.

The Syrian Observatory for Human Rights said 71 people were killed, all of them members of armed factions loyal to Iran, among them Iraqi and Lebanese fighters.

Israel's military said it does not comment on reports by foreign media. It has stepped up its strikes in Syria since the war in Gaza began, saying it is hitting weapons supply lines to Hezbollah in Lebanon.

Palmyra, whose ancient ruins were seized twice by Islamic State fighters during the Syrian war, lies on a desert route linking Damascus with the eastern province of Deir el-Zor.

Reporting by Maya Gebeily and Laila Bassam; Editing by Angus MacSwan"""

UNRELATED = """KABUL, Afghanistan (AP) — Heavy rains triggered flash floods in three northern provinces, washing away hundreds of homes and cutting roads to several districts, officials said on Saturday. The Taliban-appointed disaster management ministry said rescue teams had reached some of the worst-hit villages, where farmers lost their livestock and winter wheat seed."""


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("BEIRUT (Reuters) - Israeli strikes on Palmyra killed 36 people, the ministry said.", "Reuters"),
        ("KABUL, Afghanistan (AP) — Gunmen killed four aid workers on Tuesday, police said.", "AP"),
        ("AP — Gunmen killed four aid workers on Tuesday, police said.", "AP"),
        ("Damascus (AFP) – Israeli strikes on Palmyra killed 36 people, the ministry said.", "AFP"),
        ("MAIDUGURI, Nigeria, Nov 20 (Reuters) - Suspected jihadists killed 12 farmers.", "Reuters"),
        (
            "Dozens killed in Palmyra\n\nBy Sarah El Deeb | The Associated Press\n\nIsraeli strikes killed 36.",
            "AP",
        ),
        ("Dozens killed in Palmyra\nBy AFP\nIsraeli strikes killed 36 people on Wednesday.", "AFP"),
        ("Israeli strikes killed 36 people on Wednesday, the ministry said.\n\n— AFP", "AFP"),
        ("Israeli strikes killed 36 people on Wednesday, the ministry said. (via Reuters)", "Reuters"),
        ("Israeli strikes killed 36 people, the ministry said.\nStory via REUTERS", "Reuters"),
        ("Israeli strikes killed 36 people, the ministry said.\n\n(With inputs from Reuters)", "Reuters"),
        ("Gunmen killed four people.\n\nCopyright 2024 The Associated Press. All rights reserved.", "AP"),
        ("Gunmen killed four people, police said.\n© Agence France-Presse", "AFP"),
        (
            "Israeli strikes killed 36 people.\n\nReporting by Maya Gebeily; Editing by Angus MacSwan",
            "Reuters",
        ),
        ("ANKARA (AA) - Turkish drones struck PKK positions in northern Iraq, the ministry said.", "Anadolu"),
        ("BEIJING, Nov. 21 (Xinhua) -- Gunmen killed five people in a market, police said.", "Xinhua"),
        (OTHER_AGENCY, "Reuters"),
        (SITE_A, "AFP"),
        (SITE_B, "AFP"),
        (UNRELATED, "AP"),
    ],
)
def test_wire_origin_reads_the_credit(text, agency):
    assert syndication.wire_origin(text) == agency


@pytest.mark.parametrize(
    "text",
    [
        "Gunmen killed four villagers near Maiduguri on Tuesday, police said.",
        "A spokesman for the governor told AFP that the attackers fled on motorcycles.",
        "Smoke rises over Palmyra after the strikes.\nREUTERS/Firas Makdesi\nThe ministry said 36 were killed.",
        "A handout picture released by the Syrian Presidency. Syrian Presidency/Handout via REUTERS",
        "Rescuers search the rubble. (Photo: AFP)\nThe ministry said 36 people were killed.",
        "Rescuers search the rubble. Omar Haj Kadour/AFP via Getty Images",
        "The strike killed the TAPS convoy commander and his APC crew near the AFPI base.",
        "",
    ],
)
def test_wire_origin_ignores_quotes_photo_credits_and_lookalikes(text):
    assert syndication.wire_origin(text) is None


@pytest.mark.parametrize("text", [SITE_C, WIRE_BODY + "\n\nAFP\n\n" + WIRE_BODY])
def test_wire_origin_ignores_a_mention_deep_in_the_body(text):
    assert syndication.wire_origin(text) is None


def test_wire_credits_give_the_words_and_offsets():
    text = "PALMYRA, Syria (AFP) — Strikes killed 36.\n\nCopyright 2024 The Associated Press."
    credits = syndication.wire_credits(text)
    assert [(c.agency, c.as_written) for c in credits] == [
        ("AFP", "(AFP) —"),
        ("AP", "Copyright 2024 The Associated Press"),
    ]
    assert all(text[c.start : c.end].strip() == c.as_written for c in credits)


@pytest.mark.parametrize(
    ("a", "b"), [(SITE_A, SITE_B), (SITE_A, SITE_C), (SITE_B, SITE_C), (WIRE_BODY, SITE_A)]
)
def test_republished_copies_are_near_duplicates(a, b):
    assert syndication.near_duplicate(a, b) >= syndication.DUPLICATE_THRESHOLD


@pytest.mark.parametrize(
    ("a", "b"), [(SITE_A, OTHER_AGENCY), (SITE_B, OTHER_AGENCY), (SITE_A, UNRELATED), (SITE_C, "")]
)
def test_different_stories_are_not_near_duplicates(a, b):
    assert syndication.near_duplicate(a, b) < 0.2


def test_near_duplicate_is_symmetric_and_one_for_identical_texts():
    assert syndication.near_duplicate(SITE_A, SITE_A) == 1.0
    assert syndication.near_duplicate(SITE_A, SITE_C) == syndication.near_duplicate(SITE_C, SITE_A)


def test_signature_is_deterministic_and_round_trips():
    sig = syndication.signature(SITE_A)
    assert sig == syndication.signature(SITE_A)
    assert len(sig.hashes) == syndication.NUM_HASHES
    assert syndication.Signature.from_hex(sig.to_hex()) == sig
    # a fixed value guards against an accidental change of hashing (which would orphan stored signatures)
    assert syndication.signature("Gunmen killed four villagers near Maiduguri.").hashes[0] == FIRST_HASH


FIRST_HASH = 273965049464201703  # blake2b shingles, (a·x + b) mod 2^61-1, as first written


def test_signature_ignores_case_and_punctuation():
    a = syndication.signature("Israeli strikes on Palmyra killed 36 people, the ministry said.")
    b = syndication.signature("ISRAELI STRIKES ON PALMYRA KILLED 36 PEOPLE — THE MINISTRY SAID")
    assert a == b


def test_band_keys_let_copies_meet_and_keep_strangers_apart():
    keys = {name: set(syndication.band_keys(syndication.signature(t))) for name, t in
            (("a", SITE_A), ("b", SITE_B), ("c", SITE_C), ("other", OTHER_AGENCY))}  # fmt: skip
    assert keys["a"] & keys["b"] and keys["a"] & keys["c"]
    assert not keys["a"] & keys["other"]
    assert len(keys["a"]) == syndication.BANDS


def test_data_file_entries_all_compile():
    raw = tomllib.loads(resources.files("sitrep.data").joinpath("syndication_wires.toml").read_text("utf-8"))
    assert raw["agencies"] and raw["credits"]["patterns"]
    for agency, spec in raw["agencies"].items():
        assert spec["names"], agency
        for name in spec["names"]:
            text = f"KABUL ({name}) - Gunmen killed four people."
            assert syndication.wire_origin(text) == agency, name
