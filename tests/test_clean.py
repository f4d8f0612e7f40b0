"""Tests for sitrep.clean: raw page dumps split into articles with headline, caption and body kept apart."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from checks import examples
from conftest import needs_shared_data
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sitrep.clean import caption_cue, clean, clean_text
from sitrep.model import Article, Document

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"  # the shared data beside the checkout
DEV = DATA / "articles_dev"
needs_data = needs_shared_data(DATA / "seed_news_dump.txt")

BOILERPLATE = [
    "16x9 Image",
    "The Voice of America provides",
    "From Wikinews",
    "Cquote",
    "Wiki Actu en",
    "Infographic",
    "By Harun Maruf",
    "Published on",
]


def _doc(text: str, published: dt.date | None = None) -> Document:
    return Document(id="t", text=text, origin="test", published=published)


def _assemble(article: Article) -> str:
    return "\n\n".join(x for x in (article.headline, article.caption, article.text) if x)


def _reclean(article: Article) -> list[Article]:
    return clean(_doc(_assemble(article), article.published))


def _dev(name: str) -> list[Article]:
    return clean(_doc((DEV / f"{name}.txt").read_text(encoding="utf-8")))


# --- the seed -------------------------------------------------------------------------------------------


@needs_data
def test_seed_gives_two_articles_with_headline_and_caption() -> None:
    expected = json.loads((DATA / "seed_expected.json").read_text(encoding="utf-8"))["articles"]
    articles = clean(_doc((DATA / "seed_news_dump.txt").read_text(encoding="utf-8")))
    assert [a.headline for a in articles] == [e["headline"] for e in expected]
    assert [a.caption for a in articles] == [e["image_caption"] for e in expected]
    for article in articles:
        assert article.caption not in article.text
        assert article.headline not in article.text
        assert "TT" not in article.text.split("\n")
        assert article.published is None
    assert articles[0].text.startswith("Türkiye reiterated that the “sole purpose”")
    assert articles[0].text.endswith("north of al-Hasakeh province.")
    assert articles[1].text.startswith("Israeli strikes killed 71 pro-Iran operatives")
    assert articles[1].text.endswith(
        'targeting a number of buildings in the city of Palmyra," it said on Wednesday.'
    )
    assert articles[0].text.count("\n\n") == 9  # ten paragraphs, kept apart


@needs_data
def test_seed_stories_in_the_other_order() -> None:
    raw = (DATA / "seed_news_dump.txt").read_text(encoding="utf-8")
    cut = raw.index("4 Hezbollah Members")
    swapped = raw[cut:].rstrip() + "\n\n\n\n" + raw[:cut]
    articles = clean(_doc(swapped, dt.date(2024, 11, 21)))
    assert [a.headline for a in articles] == [
        "4 Hezbollah Members Among 71 Fighters Killed in Syria's Palmyra",
        "Ankara to Moscow: Our Military Presence in Syria Aimed at Fighting Terrorism",
    ]
    assert articles[0].caption.startswith("Smoke billows") and articles[1].caption.startswith(
        "A Turkish-Russian"
    )
    assert all(a.published == dt.date(2024, 11, 21) for a in articles)


@needs_data
def test_body_is_verbatim_source_text() -> None:
    raw = (DATA / "seed_news_dump.txt").read_text(encoding="utf-8")
    for article in clean(_doc(raw)):
        for paragraph in article.text.split("\n\n"):
            assert paragraph in raw


# --- the dev articles -----------------------------------------------------------------------------------

DEV_NAMES = [f"{i:03d}" for i in range(1, 18)]


@needs_data
@pytest.mark.parametrize("name", DEV_NAMES)
def test_dev_article_cleans_into_headlined_articles_without_boilerplate(name: str) -> None:
    articles = _dev(name)
    assert articles
    for article in articles:
        assert article.headline and article.text
        for cue in BOILERPLATE:
            assert cue not in article.text, cue
        assert article.headline not in article.text.split("\n")
        assert _reclean(article) == [article]


@needs_data
@pytest.mark.parametrize(
    ("name", "headline", "caption", "starts", "published"),
    [
        (
            "002",
            "Afghan Officials: NATO Air Strike Kills 11 Civilians, Mostly Children",
            None,
            "Afghan officials say a coalition air strike",
            None,
        ),
        (
            "003",
            "Civilian deaths as U.S. bombs hospital in Afghanistan",
            (
                "Kunduz province in Afghanistan.\nImage: User:TUBS.\nThe location of the hospital in Kunduz.\n"
                "Image: © OpenStreetMap contributors."
            ),
            "Twenty two civilians, including three children",
            dt.date(2015, 10, 5),
        ),
        (
            "004",
            "Two Killed in Pakistan Bomb Blast",
            (
                "Men move an injured Special Service Unit (SSU) soldier outside a hospital, after he was wounded with "
                "others from an explosion near their vehicle, in Karachi, March 27, 2015."
            ),
            "Pakistani police say a bomb blast",
            None,
        ),
        (
            "006",
            "Over 50 dead after Iraq bombing",
            "A photo of a previous bombing in Iraq",
            "A bombing in the Iraqi capital",
            dt.date(2008, 6, 17),
        ),
        (
            "009",
            "Al-Shabab Attack on Town West of Somali Capital Leaves 8 Dead",
            (
                "FILE - A fruit seller looks across as a Somali government soldier stands guard in Afgoye, west of the "
                "capital Mogadishu, in Somalia."
            ),
            "At least eight people, including six",
            None,
        ),
        (
            "010",
            "Somalia: Al-Shabaab Carries Out Deadly Attack on Military Base",
            None,
            "Al-Shabab militants carried out a suicide car bombing",
            dt.date(2017, 9, 4),
        ),
        (
            "011",
            "Al-Shabab Attack Kills 20 Somali Soldiers",
            None,
            "At least 20 Somali government soldiers",
            dt.date(2019, 9, 22),
        ),
        (
            "012",
            "South Sudan Rebels Say 100 SPLA Soldiers Killed in New Clashes",
            "A rebel fighter listens to his commander in Upper Nile state in February 2014.",
            "Rebels loyal to former South Sudanese vice president",
            None,
        ),
        (
            "014",
            "Congo-Kinshasa: Security Council Condemns Attack On UN Mission Base in DR Congo",
            None,
            "The United Nations Security Council has called",
            dt.date(2017, 10, 10),
        ),
    ],
)
def test_dev_article_headline_caption_and_body(
    name: str, headline: str, caption: str | None, starts: str, published: dt.date | None
) -> None:
    (article,) = _dev(name)
    assert article.headline == headline
    assert article.caption == caption
    assert article.text.startswith(starts)
    assert article.published == published


@needs_data
def test_page_furniture_is_dropped_from_the_body() -> None:
    (voa,) = _dev("002")
    assert voa.text.endswith("raising fears of increased militant violence.")
    assert "Afghanistan\n" not in voa.text[:20]
    (wiki,) = _dev("006")
    assert wiki.text.endswith("since the 2003 invasion by coalition forces.")  # the source list is gone
    (msf,) = _dev("003")
    assert "—Médecins" not in msf.text and "—United States military" not in msf.text


@needs_data
@pytest.mark.parametrize(
    ("name", "subheading"), [("008", "Saudi coalition"), ("012", "UNMISS calls new unrest 'deplorable'")]
)
def test_subheading_does_not_split_a_story(name: str, subheading: str) -> None:
    (article,) = _dev(name)
    assert f"\n\n{subheading}\n\n" in article.text


SNAPSHOT_2019 = " (8 – 14 October 2019)"  # the bulletin's period, from its title
SNAPSHOT_2017 = " (22 - 28 August 2017)"


@needs_data
@pytest.mark.parametrize(
    ("name", "headlines", "published"),
    [
        (
            "015",
            [
                "BURKINA FASO: ATTACK ON VILLAGE LEAVES AT LEAST 132 DEAD AND MORE THAN 39 WOUNDED",
                "NIGERIA: NEARLY 100 CIVILIANS KILLED BY BANDITS IN KEBBI STATE",
                "NIGER: DEADLY CLASHES LEAVE 8 DEAD IN DIFFA",
            ],
            None,
        ),
        (
            "016",
            [
                "BURKINA FASO: MORE HELP URGED FOR CRISIS-AFFECTED PEOPLE" + SNAPSHOT_2019,
                "CENTRAL AFRICAN REPUBLIC: AT LEAST 29 KILLED IN SPATE OF ARMED ATTACKS" + SNAPSHOT_2019,
                "CENTRAL AFRICAN REPUBLIC: AID WORKERS COME UNDER ATTACK" + SNAPSHOT_2019,
            ],
            dt.date(2019, 10, 15),
        ),
        (
            "017",
            [
                "CAMEROON: 15 KILLED AND 8 KIDNAPPED NEAR KOLOFATA" + SNAPSHOT_2017,
                "CENTRAL AFRICAN REPUBLIC: DETERIORATING ACCESS IN BATANGAFO" + SNAPSHOT_2017,
                "DR CONGO: MORE THAN 170 PEOPLE UNACCOUNTED FOR IN ITURI" + SNAPSHOT_2017,
                "NIGER: FLOODS IN NIAMEY KILL 2" + SNAPSHOT_2017,
            ],
            None,
        ),
    ],
)
def test_ocha_bulletin_splits_into_country_sections(
    name: str, headlines: list[str], published: dt.date | None
) -> None:
    articles = _dev(name)
    assert [a.headline for a in articles] == headlines
    assert all(a.published == published for a in articles)
    assert all(a.caption is None for a in articles)


@needs_data
def test_ocha_section_keeps_a_paragraph_broken_mid_sentence() -> None:
    nigeria = _dev("015")[1]
    assert nigeria.text.startswith("On 3 June, scores of armed bandits raided several communities")
    assert "Zutu,\n\nRafin Gora and Iguenge" in nigeria.text


# --- small inputs ---------------------------------------------------------------------------------------


@needs_data
def test_single_paragraph_texts_are_one_article_unchanged() -> None:
    rows = [
        json.loads(line) for line in (DATA / "acled_dev.jsonl").read_text(encoding="utf-8").splitlines()[:25]
    ]
    for row in rows:
        text = row["text"]
        if "\n" in text:
            continue
        assert clean(_doc(text, dt.date(2022, 3, 16))) == [
            Article(None, None, text.strip(), dt.date(2022, 3, 16))
        ]


@pytest.mark.parametrize(
    "text",
    [
        "On 15 March 2022, Al Shabaab militants shot and killed a government soldier (SNA) in Mogadishu.",
        "Share",
        "TT",
        "Gunmen Kill Five in Kano",
        "  padded text with  double  spaces  ",
    ],
)
def test_newline_free_text_is_kept_as_is(text: str) -> None:
    assert clean(_doc(text)) == [Article(None, None, text.strip(), None)]


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "Share\nPrint\nTT"])
def test_empty_or_all_boilerplate_text_gives_no_article(text: str) -> None:
    assert clean(_doc(text)) == []


@pytest.mark.parametrize(
    "line",
    [
        "Share",
        "Subscribe",
        "Follow us",
        "Print",
        "• 16x9 Image",
        "VOA News",
        "Follow us on Twitter",
        "The Voice of America provides news and information in more than 40 languages to an estimated audience.",
        "From Wikinews, the free news source you can write!",
        "By Harun Maruf",
        "TT",
    ],
)
def test_boilerplate_line_is_dropped(line: str) -> None:
    text = f"Gunmen Kill Five Soldiers in Mali\n\n{line}\n\nGunmen killed five soldiers near Gao on Monday.\n\n{line}"
    (article,) = clean(_doc(text))
    assert article.headline == "Gunmen Kill Five Soldiers in Mali"
    assert article.text == "Gunmen killed five soldiers near Gao on Monday."


def test_two_stories_run_together_without_repeats() -> None:
    text = (
        "Gunmen Kill Five Soldiers in Northern Mali\n\n"
        "Gunmen killed five soldiers on Monday near Gao, the army said.\n\n"
        "The attackers fled on motorbikes.\n\n\n"
        "Floods Displace Thousands Across Eastern Chad\n\n"
        "Heavy rains displaced about 3,000 people in eastern Chad, officials said on Tuesday."
    )
    articles = clean(_doc(text))
    assert [a.headline for a in articles] == [
        "Gunmen Kill Five Soldiers in Northern Mali",
        "Floods Displace Thousands Across Eastern Chad",
    ]
    assert (
        articles[0].text
        == "Gunmen killed five soldiers on Monday near Gao, the army said.\n\nThe attackers fled on motorbikes."
    )


def test_quote_line_does_not_split_a_story() -> None:
    text = (
        "Gunmen Kill Five Soldiers in Northern Mali\n\n"
        "Gunmen killed five soldiers on Monday near Gao, the army said.\n\n"
        "\u201cWe Will Hunt Them Down\u201d\n\n"
        "The defence minister vowed to find the attackers."
    )
    (article,) = clean(_doc(text))
    assert "\u201cWe Will Hunt Them Down\u201d" in article.text


def test_caption_with_credit_after_headline() -> None:
    text = (
        "Strike Hits Market in Northern Town\n\n"
        "Residents inspect the damage at the market on Sunday. (Reuters)\n\n"
        "An air strike hit a crowded market on Sunday, killing at least 12 people, medics said."
    )
    (article,) = clean(_doc(text))
    assert article.caption == "Residents inspect the damage at the market on Sunday. (Reuters)"
    assert article.text.startswith("An air strike hit")


def test_html_figcaption_is_a_caption_even_without_a_cue() -> None:
    html = "<html><body><figure><figcaption>The market in 2019.</figcaption></figure></body></html>"
    doc = Document(
        id="h", origin="t", html=html, title="Strike Hits Market",
        text="Strike Hits Market\n\nThe market in 2019.\n\nAn air strike hit the market on Sunday.",
    )  # fmt: skip
    (article,) = clean(doc)
    assert (article.headline, article.caption) == ("Strike Hits Market", "The market in 2019.")


def test_published_is_the_document_date() -> None:
    text = "Strike Hits Market\n\nPublished on 3 May 2021\n\nAn air strike hit the market on Sunday."
    assert clean(_doc(text))[0].published == dt.date(2021, 5, 3)
    assert clean(_doc(text, dt.date(2024, 1, 2)))[0].published == dt.date(2024, 1, 2)


@pytest.mark.parametrize(
    ("line", "is_caption"),
    [
        ("A Turkish-Russian joint patrol is seen in Syria's al-Darbasiyah countryside.", True),
        ("Smoke billows from a building after a strike. via REUTERS", True),
        ("FILE - Soldiers stand guard in Afgoye.", True),
        ("Israeli strikes killed 71 fighters in Palmyra, a monitor told AFP.", False),
        ("Pakistani police say a bomb blast has killed two people.", False),
        ("Officials said militants detonated two suicide car bombs.", False),
    ],
)
def test_caption_cue(line: str, is_caption: bool) -> None:
    assert caption_cue(line) is is_caption


def test_boilerplate_cues_live_in_a_data_file() -> None:
    raw = tomllib.loads(resources.files("sitrep").joinpath("data/clean_boilerplate.toml").read_text("utf-8"))
    assert "Share" in raw["boilerplate"]["exact"]
    for section in ("boilerplate", "credit", "byline", "dateline", "trailer", "tags", "pull_quote"):
        assert section in raw
    for pattern in raw["boilerplate"]["patterns"] + raw["credit"]["caption_end"]:
        re.compile(pattern)


# --- clean_text -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a  b\t c\u00a0d", "a b c d"),
        ("line one  \r\nline two\r\rline three", "line one\nline two\n\nline three"),
        ("para\n\n\n\n\npara", "para\n\npara"),
        ("“quoted” ‘text’ — kept", "“quoted” ‘text’ — kept"),
        ("zero\u200bwidth\u00adsoft", "zerowidthsoft"),
        ("\n\n  leading and trailing  \n\n", "leading and trailing"),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected
    assert clean_text(expected) == expected


# --- properties -----------------------------------------------------------------------------------------


def _line_pool() -> list[str]:
    pool = ["", "", "", "TT", "Share", "Afghanistan", "NIGER", "By Harun Maruf", "Image: AFP", "• 16x9 Image"]
    for path in [DATA / "seed_news_dump.txt", *sorted(DEV.glob("*.txt"))]:
        if path.exists():
            pool += path.read_text(encoding="utf-8").split("\n")
    return pool


LINES = _line_pool()
news_like = st.lists(st.sampled_from(LINES), max_size=25).map("\n".join)
any_text = st.one_of(
    st.text(max_size=400), news_like, st.lists(st.text(alphabet="aA .:-\n", max_size=12)).map("\n".join)
)


def _captions_have_cues(article: Article) -> bool:
    """Whether every caption line reads as a caption on its own (not only because the page repeated it)."""
    from sitrep.clean import _cues

    lines = (article.caption or "").split("\n")
    credit = _cues().credit_line.fullmatch
    return not article.caption or all(
        credit(line) or caption_cue(line, bool(nxt and credit(nxt)))
        for line, nxt in zip(lines, [*lines[1:], None])
    )


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
def test_clean_never_raises_and_is_idempotent(text: str) -> None:
    articles = clean(_doc(text))
    for article in articles:
        assert isinstance(article, Article) and article.text
        # A caption found only because the page repeated it cannot be found again once the repeat is gone.
        assume(_captions_have_cues(article))
        assert _reclean(article) == [article]


@settings(max_examples=examples(200), deadline=None)
@given(st.text(max_size=300))
def test_clean_text_is_idempotent(text: str) -> None:
    assert clean_text(clean_text(text)) == clean_text(text)


def test_menus_teasers_and_related_headlines_are_dropped() -> None:
    page = (
        "Home | World | Middle East | Opinion | Sport\nBreaking | Middle East\nSubscribe for $1\n\n"
        "Strike kills 12 in Idlib\n\n"
        "An air strike killed 12 people in a market in Idlib on Wednesday, a war monitor said.\n\n"
        "Read more: Who are the armed groups in Idlib?\n\n"
        "Rescuers searched the rubble through the night, residents said.\n\n"
        "More from World: Floods leave 200 dead; Markets rally on rate cut hopes\n\n"
        "Related stories\nUN envoy warns of regional war\nCeasefire talks stall\n"
        "Comments are closed. Follow us on Telegram for live updates."
    )
    (article,) = clean(Document("menu", page, "test"))
    assert article.headline == "Strike kills 12 in Idlib"
    for gone in ("Home |", "Breaking |", "Subscribe", "Read more", "More from World", "Markets rally", "UN envoy",
                 "Ceasefire talks", "Comments are closed"):
        assert gone not in article.text, gone
    assert "Rescuers searched the rubble" in article.text


@pytest.mark.parametrize("caption", ["FILE - Soldiers patrol a street in Mogadishu, Somalia, Jan. 5, 2020. (Photo: Example)",
                                     "Firefighters work at the scene of a car bomb in Mogadishu, Feb. 3, 2024. (Photo: Example)"])
def test_a_caption_marked_by_itself_is_a_caption_on_a_pages_first_line(caption: str) -> None:
    (article,) = clean(Document("c", caption + "\n\nA car bomb killed seven people in Mogadishu on Saturday, police said.", "c"))
    assert (article.headline, article.caption) == (None, caption)


def test_a_paragraph_the_page_repeats_even_cut_short_is_kept_once() -> None:
    para = "A Somali security official tells VOA that the dead include seven soldiers, at least eight attackers and two others."
    text = f"Attack on palace\n\n{para}\n\nThe president was unharmed.\n\n{para[:95]}"
    (article,) = clean(Document("r", text, "r"))
    assert article.text.count("seven soldiers") == 1 and "The president was unharmed." in article.text
