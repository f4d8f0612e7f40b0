"""Tests for sitrep.actors: the lexicon data files and actor mention finding."""

from __future__ import annotations

import csv
import datetime as dt
import re
import time
import tomllib
import unicodedata
from importlib import resources

import pytest
from checks import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitrep.actors import ROLES, ActorBook, ActorMention, acled_name, normalise
from sitrep.model import ACTOR_TYPES, Actor


@pytest.fixture(scope="module")
def book() -> ActorBook:
    return ActorBook.load()


def _data(name: str) -> str:
    return resources.files("sitrep").joinpath("data", name).read_text(encoding="utf-8")


def _one(book: ActorBook, text: str, country: str | None = None) -> list[tuple[str, str, str | None, str]]:
    return [(m.text, m.actor.name, m.actor.type, m.role) for m in book.find(text, country)]


def _by_text(book: ActorBook, text: str, country: str | None = None) -> dict[str, ActorMention]:
    return {m.text: m for m in book.find(text, country)}


# ------------------------------------------------------------------------------ data files


def test_load_is_cached(book: ActorBook) -> None:
    assert ActorBook.load() is book


def test_every_entry_has_an_acled_type(book: ActorBook) -> None:
    groups = tomllib.loads(_data("actors_groups.toml"))
    for block in groups["actor"]:
        assert block["type"] in ACTOR_TYPES, block["name"]
        assert block["aliases"], block["name"]
        for era in block.get("eras", []):
            assert era["type"] in ACTOR_TYPES, block["name"]
            dt.date.fromisoformat(str(era["until"]))
        for target in block.get("by_country", {}).values():
            assert target in book.actors, (block["name"], target)
        for c in block.get("by_country", {}):
            assert c in book.countries, (block["name"], c)
        if block.get("country"):
            assert block["country"] in book.countries, block["name"]
    for block in groups["alias"]:
        for target in [block.get("default"), *block.get("by_country", {}).values()]:
            assert target is None or target in book.actors, target
    generic = tomllib.loads(_data("actors_generic.toml"))
    for cls, spec in generic["class"].items():
        assert spec["type"] in ACTOR_TYPES, cls
        assert spec["role"] in ROLES, cls
    assert generic["ethnic"]["type"] in ACTOR_TYPES
    assert generic["proxy"]["type"] in ACTOR_TYPES
    officials = tomllib.loads(_data("actors_officials.toml"))
    for block in officials["leader"]:
        assert ("country" in block) != ("actor" in block), block
        assert block.get("country") is None or block["country"] in book.countries, block
        assert block.get("actor") is None or block["actor"] in book.actors, block
    sources = tomllib.loads(_data("actors_sources.toml"))
    for block in sources["source"]:
        assert "type" not in block  # sources have no ACLED actor type
        assert block["kind"] in ("monitor", "un", "ngo", "agency", "media", "state_media")
        assert block.get("country") is None or block["country"] in book.countries
    for name, entry in book.sources.items():
        assert entry.type is None and entry.role == "source", name


def _word_lists(table: dict[str, object], prefix: str = "") -> list[tuple[str, object]]:
    """Every list of a TOML table, named by its dotted path."""
    found: list[tuple[str, object]] = []
    for name, value in table.items():
        if isinstance(value, dict):
            found += _word_lists(value, f"{prefix}{name}.")
        else:
            found.append((prefix + name, value))
    return found


GRAMMAR_LISTS = _word_lists(tomllib.loads(_data("actors_grammar.toml")))


def test_actors_grammar_has_the_tables_the_modules_load() -> None:
    assert {name.split(".")[0] for name, _ in GRAMMAR_LISTS} == {"lexicon", "compose"}


@pytest.mark.parametrize(("name", "words"), GRAMMAR_LISTS, ids=[name for name, _ in GRAMMAR_LISTS])
def test_actors_grammar_word_list(name: str, words: object) -> None:
    """Each list of actors_grammar.toml is non-empty, of non-empty strings, without duplicates."""
    assert isinstance(words, list) and words, name
    assert all(isinstance(w, str) and w and w == w.strip() for w in words), name
    assert len(words) == len(set(words)), name


def test_countries_table(book: ActorBook) -> None:
    lines = [ln for ln in _data("actors_countries.tsv").splitlines() if ln.strip() and not ln.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(rows) >= 193  # every UN member, plus Palestine, Kosovo, Taiwan ...
    iso = [r["iso2"] for r in rows]
    assert len(iso) == len(set(iso))
    assert all(re.fullmatch(r"[A-Z]{2}", c) for c in iso)
    assert all(r["the"] in ("0", "1") for r in rows)
    assert book.iso2("Türkiye") == "TR" and book.iso2("Syria") == "SY" and book.iso2("DR Congo") == "CD"


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.replace("’", "'").casefold())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join(re.findall(r"[^\W_]+|'", s))


def test_no_alias_maps_to_two_actors(book: ActorBook) -> None:
    """Read the files directly (not through the loader) and check every alias has one meaning."""
    meaning: dict[str, set[str]] = {}

    def put(alias: str, target: str) -> None:
        meaning.setdefault(_fold(alias), set()).add(target)

    lines = [ln for ln in _data("actors_countries.tsv").splitlines() if ln.strip() and not ln.startswith("#")]
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        for col in ("country", "demonyms", "names", "metonyms"):
            for alias in (row[col] or "").split(","):
                if alias.strip():
                    put(alias.strip(), "country:" + row["country"])
    groups = tomllib.loads(_data("actors_groups.toml"))
    for block in groups["actor"]:
        for alias in block["aliases"]:
            put(alias, "actor:" + block["name"])
    for block in groups["alias"]:
        for alias in block["words"]:
            put(alias, "alias:" + block["words"][0])
    for block in tomllib.loads(_data("actors_officials.toml"))["leader"]:
        for alias in block["aliases"]:
            put(alias, "leader:" + (block.get("actor") or block["country"]))
    for block in tomllib.loads(_data("actors_sources.toml"))["source"]:
        for alias in block["aliases"]:
            put(alias, "source:" + block["name"])
    generic = tomllib.loads(_data("actors_generic.toml"))
    for cls, spec in generic["class"].items():
        for alias in spec.get("words", []) + spec.get("needs_country", []):
            put(alias, "class:" + cls)
    office = tomllib.loads(_data("actors_officials.toml"))["office"]
    for alias in office["titles"] + office["bodies"]:
        put(alias, "class:official")
    clashes = {a: t for a, t in meaning.items() if len(t) > 1}
    assert clashes == {}
    assert book.conflicts == []


def test_every_named_alias_is_found_whole(book: ActorBook) -> None:
    """Each alias of a named actor, written as in the data, is found as one mention of that actor."""
    groups = tomllib.loads(_data("actors_groups.toml"))
    failures = []
    for block in groups["actor"]:
        home = block.get("country")
        for alias in block["aliases"]:
            found = book.find(alias, home, foreign_as_external=False)
            core = re.sub(r"^the ", "", alias)
            ok = len(found) == 1 and found[0].text == core and found[0].actor.name in (
                block["name"], *block.get("by_country", {}).values())
            if not ok:
                failures.append((alias, [(m.text, m.actor.name) for m in found]))
    assert failures == []


def test_every_source_and_leader_is_found(book: ActorBook) -> None:
    for block in tomllib.loads(_data("actors_sources.toml"))["source"]:
        for alias in block["aliases"]:
            found = book.find(alias)
            assert [(m.actor.name, m.role) for m in found] == [(block["name"], "source")], alias
    for block in tomllib.loads(_data("actors_officials.toml"))["leader"]:
        for alias in block["aliases"]:
            found = book.find(alias)
            assert len(found) == 1 and found[0].text == alias and found[0].role == "official", alias
            if "country" in block:
                assert found[0].actor.country == block["country"], alias


# ------------------------------------------------------------------------------ the seed


SEED_1 = (
    "Turkish Defense Minister Hulusi Akar held telephone talks overnight on Wednesday with his Russian "
    "counterpart Sergei Shoigu to discuss developments in Syria. Akar stressed that Türkiye will continue to "
    "secure peace. Moreover, he added that Ankara was waiting on Damascus to acknowledge its position from the "
    "Kurdish People’s Protection Units, the military backbone of the Syrian Democratic Forces, which Türkiye "
    "views as an extension of the banned terrorist Kurdistan Workers’ Party. Soon after the talks between Akar "
    "and Shoigu, Turkish and Russian forces deployed on Thursday a joint patrol in Syria's al-Darbasiyah countryside."
)
SEED_2 = (
    "Israeli strikes killed 71 pro-Iran operatives in the Syrian city of Palmyra, a monitor said Thursday. "
    "The Syrian Observatory for Human Rights said those killed included 45 fighters from pro-Iran Syrian groups, "
    "26 foreign fighters, most of them from the Iraqi Al-Nujaba movement, and four from Lebanon's Hezbollah "
    "armed group. Syria said the Israeli strikes on the central city killed 36 people, in the latest toll "
    "issued by the defense ministry, according to Agence France Presse."
)


def test_seed_turkey_russia(book: ActorBook) -> None:
    ms = _by_text(book, SEED_1, "Syria")
    akar = ms["Turkish Defense Minister Hulusi Akar"]
    assert (akar.actor.name, akar.actor.country, akar.role) == ("Government of Turkey", "Turkey", "official")
    shoigu = ms["Russian counterpart Sergei Shoigu"]
    assert shoigu.actor.country == "Russia" and shoigu.role == "official"
    assert ms["Türkiye"].actor.country == "Turkey" and ms["Türkiye"].role == "country"
    assert ms["Ankara"].actor.country == "Turkey" and ms["Damascus"].actor.country == "Syria"
    ypg = ms["Kurdish People’s Protection Units"]
    assert ypg.actor.name == "YPG: People's Protection Units" and ypg.actor.type == "Rebel group"
    assert ms["Syrian Democratic Forces"].actor.name == "QSD: Syrian Democratic Forces"
    assert ms["Kurdistan Workers’ Party"].actor.name == "PKK: Kurdistan Workers Party"
    assert ms["Turkish"].actor.name == "Military Forces of Turkey"
    assert ms["Russian forces"].actor.name == "Military Forces of Russia"
    # foreign state forces in Syria are External/Other forces (ACLED's codebook)
    assert ms["Russian forces"].actor.type == "External/Other forces"
    assert ms["Shoigu"].actor.country == "Russia"
    assert "terrorist" not in ms  # an adjective here


def test_seed_palmyra(book: ActorBook) -> None:
    ms = _by_text(book, SEED_2, "Syria")
    israel = ms["Israeli"]  # "strikes" is the act (an event trigger), not part of the actor
    assert (israel.actor.name, israel.actor.country, israel.role) == ("Military Forces of Israel", "Israel", "state")
    pro = ms["pro-Iran operatives"]
    assert pro.role == "armed" and pro.actor.country != "Iran" and "Military Forces" not in pro.actor.name
    assert ms["pro-Iran Syrian groups"].actor.type == "Political militia"
    assert ms["Iraqi Al-Nujaba movement"].actor.name == "Harakat Hezbollah al-Nujaba"
    assert ms["Lebanon's Hezbollah armed group"].actor.name == "Hezbollah"
    sohr = ms["Syrian Observatory for Human Rights"]
    assert (sohr.actor.type, sohr.role) == (None, "source")
    assert ms["defense ministry"].actor.name == "Government of Syria"
    assert ms["Agence France Presse"].role == "source"
    assert ms["Syria"].role == "country"


def test_external_rule_can_be_switched_off(book: ActorBook) -> None:
    (m,) = book.find("Israeli strikes", "Syria", foreign_as_external=False)
    assert (m.text, m.actor.type) == ("Israeli", "State forces")
    (m,) = book.find("Israeli strikes")
    assert m.actor.type == "State forces"


# ------------------------------------------------------------------------------ ACLED-style notes


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        (
            "On 15 March 2022, Al Shabaab militants shot and killed a government soldier (SNA) [assumed on duty].",
            "Somalia",
            [("Al Shabaab militants", "Al Shabaab"), ("government soldier", "Military Forces of Somalia"),
             ("SNA", "Military Forces of Somalia")],
        ),
        (
            "Unidentified gunmen abducted a teacher and two children near the village.",
            "Nigeria",
            [("Unidentified gunmen", "Unidentified Armed Group (Nigeria)"), ("teacher", "Civilians (Nigeria)"),
             ("children", "Civilians (Nigeria)")],
        ),
        (
            "Houthi forces shelled pro-government positions with artillery.",
            "Yemen",
            [("Houthi forces", "Military Forces of Yemen Supreme Political Council"),
             ("government positions", "Military Forces of Yemen")],
        ),
        (
            "Ukrainian forces fired artillery at DPR positions near Donetsk.",
            "Ukraine",
            [("Ukrainian forces", "Military Forces of Ukraine"), ("DPR positions", "NAF: United Armed Forces of Novorossiya")],
        ),
        (
            "Turkish army warplanes carried out airstrikes against PKK forces in Duhok.",
            "Iraq",
            [("Turkish army warplanes", "Military Forces of Turkey"), ("PKK forces", "PKK: Kurdistan Workers Party")],
        ),
        (
            # cattle raiders are the communal militias of pastoralist communities
            "Cattle raiders killed two herders at a cattle camp near Rumbek.",
            "South Sudan",
            [("Cattle raiders", "Unidentified Communal Militia (South Sudan)"), ("herders", "Civilians (South Sudan)")],
        ),
        (
            "Unknown gunmen shot and killed 2 regime soldiers near Sayda town.",
            "Syria",
            [("Unknown gunmen", "Unidentified Armed Group (Syria)"), ("regime soldiers", "Military Forces of Syria")],
        ),
        (
            "Iraqi police forces defused an IED; IS militants attacked a Popular Mobilization Forces checkpoint.",
            "Iraq",
            [("Iraqi police forces", "Police Forces of Iraq"), ("IS militants", "Islamic State (Iraq)"),
             ("Popular Mobilization Forces", "Military Forces of Iraq Popular Mobilization Forces")],
        ),
        (
            "Fulani militiamen attacked and killed three civilians.",
            "Nigeria",
            [("Fulani militiamen", "Fulani Ethnic Militia (Nigeria)"), ("civilians", "Civilians (Nigeria)")],
        ),
        (
            "Armed clashes erupted between military forces and a member of Zaiter clan militia.",
            "Lebanon",
            [("military forces", "Military Forces of Lebanon"),
             ("Zaiter clan militia", "Zaiter Clan Militia (Lebanon)")],
        ),
        (
            "Unidentified tribesmen ambushed the convoy; protesters took to the streets.",
            "Yemen",
            [("Unidentified tribesmen", "Unidentified Tribal Militia (Yemen)"), ("protesters", "Protesters (Yemen)")],
        ),
        (
            "Israeli police demolished a Palestinian-owned shed. Police also razed land.",
            "Palestine",
            [("Israeli police", "Police Forces of Israel"), ("Palestinian-owned", "Civilians (Palestine)"),
             ("Police", "Police Forces of Israel")],
        ),
        (
            "FARDC clashed with M23 militiamen in Rutshuru; ADF rebels killed villagers.",
            "Democratic Republic of Congo",
            [("FARDC", "Military Forces of the Democratic Republic of Congo"), ("M23 militiamen", "M23: March 23 Movement"),
             ("ADF rebels", "ADF: Allied Democratic Forces"), ("villagers", "Civilians (Democratic Republic of Congo)")],
        ),
        (
            "Russian military forces opened fire on British journalists near Kyiv.",
            "Ukraine",
            [("Russian military forces", "Military Forces of Russia"), ("British journalists", "Civilians (United Kingdom)")],
        ),
    ],
)
def test_acled_notes(book: ActorBook, text: str, country: str, expected: list[tuple[str, str]]) -> None:
    got = [(m.text, m.actor.name) for m in book.find(text, country)]
    assert got == expected


def test_types_and_roles(book: ActorBook) -> None:
    ms = _by_text(book, "Rioters torched cars as protesters marched; Iraqi soldiers and civilians fled.", "Iraq")
    assert (ms["Rioters"].actor.type, ms["Rioters"].role) == ("Rioters", "protest")
    assert (ms["protesters"].actor.type, ms["protesters"].role) == ("Protesters", "protest")
    assert (ms["Iraqi soldiers"].actor.type, ms["Iraqi soldiers"].role) == ("State forces", "state")
    assert (ms["civilians"].actor.type, ms["civilians"].role) == ("Civilians", "civilian")
    for m in book.find(SEED_1 + " " + SEED_2, "Syria"):
        assert m.role in ROLES
        assert m.actor.type in ACTOR_TYPES or m.actor.type is None


# ------------------------------------------------------------------------------ wire style


def test_wire_style(book: ActorBook) -> None:
    text = (
        "KABUL (Reuters) - The Taliban said on Monday its fighters had killed two Islamic State militants, "
        "while in Pakistan the Pakistani Taliban claimed an attack on police. U.S. and British warplanes struck "
        "Houthi targets in Yemen, the Pentagon said, according to the Associated Press (AP)."
    )
    ms = _by_text(book, text, "Afghanistan")
    assert ms["Reuters"].role == "source"
    assert ms["Taliban"].actor.name == "Military Forces of Afghanistan"
    assert ms["Islamic State militants"].actor.name == "Islamic State (Afghanistan)"
    assert ms["Pakistani Taliban"].actor.name == "TTP: Tehreek-i-Taliban Pakistan"
    assert ms["U.S."].actor.name == "Military Forces of the United States"
    assert ms["British warplanes"].actor.name == "Military Forces of the United Kingdom"
    assert ms["Pentagon"].role == "official" and ms["Pentagon"].actor.country == "United States"
    assert ms["AP"].actor.name == "Associated Press" and ms["Associated Press"].role == "source"


def test_country_dependent_names(book: ActorBook) -> None:
    assert _one(book, "Taliban militants attacked a checkpoint.", "Pakistan")[0][1] == "TTP: Tehreek-i-Taliban Pakistan"
    assert _one(book, "ISIS fighters", "Syria")[0][1] == "Islamic State (Syria)"
    assert _one(book, "ISIS fighters", "Nigeria")[0][1] == "Islamic State (West Africa) - Lake Chad Faction"
    assert _one(book, "ISIS fighters")[0][1] == "Islamic State"
    assert _one(book, "separatists attacked", "Cameroon")[0][1] == "Ambazonian Separatists"
    assert _one(book, "separatists attacked", "Chad") == []
    assert _one(book, "peacekeepers were wounded", "Mali")[0][1].startswith("MINUSMA")
    assert _one(book, "al-Shabaab insurgents", "Mozambique")[0][1] == "Islamic State (Mozambique)"


def test_eras(book: ActorBook) -> None:
    (m,) = book.find("Taliban fighters", "Afghanistan", date=dt.date(2019, 5, 1))
    assert (m.actor.name, m.actor.type) == ("Taliban", "Rebel group")
    (m,) = book.find("Taliban fighters", "Afghanistan", date=dt.date(2022, 5, 1))
    assert (m.actor.name, m.actor.type) == ("Military Forces of Afghanistan", "State forces")
    (m,) = book.find("RSF fighters", "Sudan", date=dt.date(2022, 5, 1))
    assert m.actor.type == "State forces"
    (m,) = book.find("RSF fighters", "Sudan", date=dt.date(2023, 6, 1))
    assert m.actor.type == "Rebel group"


def test_demonym_chains(book: ActorBook) -> None:
    got = _one(book, "Turkish and Russian forces", "Syria")
    assert [g[:2] for g in got] == [("Turkish", "Military Forces of Turkey"), ("Russian forces", "Military Forces of Russia")]
    got = _one(book, "a Turkish-Russian joint patrol")
    assert [g[1] for g in got] == ["Military Forces of Turkey", "Military Forces of Russia"]
    # a comma between a place and a demonym does not chain them
    got = _one(book, "In northern Syria, Turkish forces advanced.")
    assert [g[:2] for g in got] == [("Syria", "Syria"), ("Turkish forces", "Military Forces of Turkey")]


def test_proxies_are_not_state_forces(book: ActorBook) -> None:
    for text in ("pro-Iran fighters", "Iran-backed militias", "pro-Iranian groups", "Iranian-backed militiamen"):
        (m,) = book.find(text, "Syria")
        assert m.actor.type == "Political militia" and m.actor.country is None, text
        assert "Iran" in m.actor.name and not m.actor.name.startswith("Military Forces"), text
    # "anti-Houthi forces" are not the Houthis
    assert all("Yemen Supreme" not in m.actor.name for m in book.find("anti-Houthi forces shelled", "Yemen"))


def test_military_as_adjective(book: ActorBook) -> None:
    assert _one(book, "Turkish military presence in Syria") == [
        ("Turkish", "Turkey", None, "country"), ("Syria", "Syria", None, "country")]
    assert _one(book, "a refugee camp", "Sudan") == []
    assert _one(book, "the military said", "Mali") == [("military", "Military Forces of Mali", "State forces", "state")]


def test_acts_need_a_demonym(book: ActorBook) -> None:
    assert _one(book, "The Iraq bombing killed 12.", "Iraq") == [("Iraq", "Iraq", None, "country")]
    assert _one(book, "Russia's invasion", "Ukraine")[0][:2] == ("Russia's", "Military Forces of Russia")
    assert _one(book, "US troops left", "Iraq")[0][:2] == ("US troops", "Military Forces of the United States")
    assert _one(book, "strikes continued", "Syria") == []


def test_titles_take_names(book: ActorBook) -> None:
    ms = _by_text(book, "Army spokesman Brig. Gen. Yahya Rasool said; President Joe Biden said.", "Iraq")
    assert ms["Army spokesman Brig. Gen. Yahya Rasool"].actor.name == "Government of Iraq"
    assert ms["President Joe Biden"].actor.country == "United States"
    ms = _by_text(book, "Hamas officials said; the Gaza health ministry said.", "Palestine")
    assert (ms["Hamas officials"].actor.name, ms["Hamas officials"].role) == ("Hamas Movement", "official")
    assert ms["Gaza health ministry"].actor.name == "Government of Palestine"


def test_locative_capitals_are_places(book: ActorBook) -> None:
    assert _one(book, "a blast in Mogadishu") == []
    assert _one(book, "Ankara to Moscow")[0][3] == "country"
    assert _one(book, "the Kremlin said")[0][1:] == ("Government of Russia", "State forces", "official")


# ------------------------------------------------------------------------------ case and spelling


def test_acronyms_only_in_their_case(book: ActorBook) -> None:
    assert _one(book, "The adf and the Adf were not there.") == []
    assert _one(book, "Is it true? It is.") == []
    assert _one(book, "ap news, Ap style") == []
    assert _one(book, "us and them; Un-named") == []
    assert [g[1] for g in _one(book, "ADF, IS and AP", "Iraq")] == [
        "ADF: Allied Democratic Forces", "Islamic State (Iraq)", "Associated Press"]
    assert _one(book, "the chad and turkey dinner; a jordan") == []


def test_spelling_tolerance(book: ActorBook) -> None:
    for text in ("al-Shabab", "Al Shabaab", "al Shabaab", "AL-SHABAAB", "Al-Shabaab", "the al-Shabaab"):
        ms = book.find(text, "Somalia")
        assert [m.actor.name for m in ms] == ["Al Shabaab"], text
    for text in ("Kurdistan Workers’ Party", "Kurdistan Workers' Party", "Kurdistan Workers Party"):
        assert [m.actor.name for m in book.find(text)] == ["PKK: Kurdistan Workers Party"], text
    for text in ("People’s Protection Units", "People's Protection Units", "Peoples Protection Units"):
        assert [m.actor.name for m in book.find(text)] == ["YPG: People's Protection Units"], text
    assert [m.actor.name for m in book.find("Hay’at Tahrir al-Sham")] == ["HTS: Hayat Tahrir al-Sham"]
    assert [m.actor.country for m in book.find("TÜRKİYE and Turkiye and Türkiye")] == ["Turkey"] * 3


def test_longest_match_wins(book: ActorBook) -> None:
    got = _one(book, "the Syrian Observatory for Human Rights and the Syrian Democratic Forces")
    assert [g[1] for g in got] == ["Syrian Observatory for Human Rights", "QSD: Syrian Democratic Forces"]
    got = _one(book, "Kataib Hezbollah and Hezbollah")
    assert [g[1] for g in got] == ["Kataib Hezbollah", "Hezbollah"]


# ------------------------------------------------------------------------------ helpers


def test_country_of(book: ActorBook) -> None:
    cases = {"Turkish": "Turkey", "Türkiye": "Turkey", "Ankara": "Turkey", "Turkey": "Turkey", "Syria's": "Syria",
             "Damascus": "Syria", "Kremlin": "Russia", "Moscow": "Russia", "Israeli": "Israel", "Nigerien": "Niger",
             "Nigerian": "Nigeria", "Burkinabe": "Burkina Faso", "Congolese": "Democratic Republic of Congo",
             "DR Congo": "Democratic Republic of Congo", "South Sudanese": "South Sudan", "Sudanese": "Sudan",
             "Burma": "Myanmar", "U.S.": "United States", "American": "United States", "the Pentagon": "United States",
             "Kyiv": "Ukraine", "Palestinian": "Palestine", "CAR": "Central African Republic", "Erdogan": "Turkey",
             "turkish": "Turkey", "Hezbollah": None, "soldiers": None, "": None}
    for word, country in cases.items():
        assert book.country_of(word) == country, word


def test_guess_country(book: ActorBook) -> None:
    assert book.guess_country(SEED_2) == "Syria"
    assert book.guess_country("Kenyan police said Somali militants crossed from Somalia.") == "Somalia"
    assert book.guess_country("no place here") is None


def test_normalise() -> None:
    assert normalise("Military Forces of Israel (2022-)") == normalise("military forces of israel")
    assert normalise("Military Forces of Somalia (2017-2022)") == normalise("Military Forces of Somalia")
    assert normalise("Military Forces of Yemen (2016-) Supreme Political Council") == normalise(
        "Military Forces of Yemen Supreme Political Council")
    assert normalise("PKK: Kurdistan Workers Party") == normalise("Kurdistan Workers’ Party")
    assert normalise("Civilians (Syria)") == "civilians syria"
    assert normalise("") == ""


def test_acled_name() -> None:
    assert acled_name(Actor("SDF", None)) == "QSD: Syrian Democratic Forces"
    assert acled_name(Actor("al-Shabab", "Rebel group")) == "Al Shabaab"
    assert acled_name(Actor("Military Forces of Israel (2022-)", "State forces")) == "Military Forces of Israel"
    assert acled_name(Actor("Civilians (Syria)", "Civilians")) == "Civilians (Syria)"
    assert acled_name(Actor("Some New Brigade", "Political militia")) == "Some New Brigade"
    assert acled_name(Actor("Iraqi police", None)) == "Police Forces of Iraq"


def test_resolve(book: ActorBook) -> None:
    assert book.resolve("the SDF").name == "QSD: Syrian Democratic Forces"  # type: ignore[union-attr]
    assert book.resolve("Houthi forces").name.startswith("Military Forces of Yemen")  # type: ignore[union-attr]
    assert book.resolve("Israeli police").name == "Police Forces of Israel"  # type: ignore[union-attr]
    assert book.resolve("nobody in particular") is None


def test_ruler_patterns(book: ActorBook) -> None:
    patterns = book.ruler_patterns()
    assert len(patterns) > 1000
    assert {p["label"] for p in patterns} <= {"ORG", "NORP", "GPE", "PERSON"}
    for p in patterns:
        assert p["pattern"] and p["id"]
        for tok in p["pattern"]:
            assert set(tok) <= {"TEXT", "LOWER"}
    ids = {(p["label"], p["id"]) for p in patterns}
    assert ("ORG", "Syrian Observatory for Human Rights") in ids
    assert ("ORG", "YPG: People's Protection Units") in ids
    assert ("PERSON", "Government of Turkey") in ids
    assert ("GPE", "Turkey") in ids and ("NORP", "Turkey") in ids


def test_ruler_in_spacy(book: ActorBook) -> None:
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(book.ruler_patterns())
    doc = nlp("the Kurdish People’s Protection Units and al-Shabaab; Hulusi Akar in Türkiye with AFP")
    ents = {(e.text, e.label_) for e in doc.ents}
    assert ("Kurdish People’s Protection Units", "ORG") in ents
    assert ("al-Shabaab", "ORG") in ents
    assert ("Hulusi Akar", "PERSON") in ents
    assert ("Türkiye", "GPE") in ents
    assert ("AFP", "ORG") in ents


def test_linear_time(book: ActorBook) -> None:
    """Adversarial repetitions stay fast (no per-pattern loop, no backtracking)."""
    for chunk in ("al ", "Syrian and ", "pro-Iran ", "military ", "People's ", "President Abu ", "-al", "U.S."):
        text = chunk * (60_000 // len(chunk))
        t = time.perf_counter()
        book.find(text, "Syria")
        assert time.perf_counter() - t < 3.0, chunk


# ------------------------------------------------------------------------------ properties


_alphabet = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:-'’\n\t()/&–")
    + ["al-", "Al ", "IS ", "pro-", "-backed ", "Syrian ", "Turkish ", "and ", "forces ", "'s ", "Hezbollah ",
       "militants ", "Al Shabaab ", "President ", "Akar ", "U.S. ", "Türkiye", "clan militia ", "ü", "ß", "İ",
       " (coded as ", " (assumed ", " [coded as military]", "Palestinians ", "a Syrian ", "ISWAP (Greater Sahara) ",
       "protesting ", "farmers "]
)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.lists(_alphabet, max_size=60).map("".join), country=st.sampled_from([None, "Syria", "Somalia", "Türkiye", "Narnia"]))
def test_find_never_raises_and_offsets_slice(text: str, country: str | None) -> None:
    book = ActorBook.load()
    ms = book.find(text, country)
    last_end = -1
    for m in ms:
        assert text[m.start : m.end] == m.text
        assert m.text and m.text == m.text.strip()
        assert m.start >= last_end  # non-overlapping, in text order
        last_end = m.end
        assert m.role in ROLES
        assert m.actor.type in ACTOR_TYPES or m.actor.type is None


@settings(max_examples=examples(200), deadline=None)
@given(text=st.text(max_size=200))
def test_find_any_unicode(text: str) -> None:
    book = ActorBook.load()
    for m in book.find(text, "Syria"):
        assert text[m.start : m.end] == m.text
    book.country_of(text)
    normalise(text)


# ------------------------------------------------------------------------------ ACLED note hints and people nouns


@pytest.mark.parametrize(
    "text, country, expected",
    [
        # the bracketed actor replaces the vague phrase before it; the bracket itself is no mention
        ("Houthi forces shelled government positions (coded as National Resistance forces) near Hays.", "Yemen",
         [("Houthi forces", "Military Forces of Yemen Supreme Political Council"),
          ("government positions", "National Resistance Forces")]),
        # a bare class noun in the bracket keeps the outer mention's country
        ("A Turkish drone [coded as military] struck a car near Qamishli.", "Syria",
         [("Turkish drone", "Military Forces of Turkey")]),
        # doubtful attribution: assumed / suspected to be
        ("Three armed men (assumed Misseriya ethnic militia) attacked herders near Muglad.", "Sudan",
         [("armed men", "Misseriya Ethnic Militia (Sudan)"), ("herders", "Civilians (Sudan)")]),
        ("Soldiers killed two 'terrorists' (suspected to be JNIM) near Diafarabe.", "Mali",
         [("Soldiers", "Military Forces of Mali"), ("terrorists", "JNIM: Group for Support of Islam and Muslims")]),
        # a bracket that names no actor changes nothing
        ("A soldier (assumed off duty) was shot by gunmen in Afgooye.", "Somalia",
         [("soldier", "Military Forces of Somalia"), ("gunmen", "Unidentified Armed Group (Somalia)")]),
        # the bracket must follow the phrase closely, in the same clause
        ("Police arrested a man. Later, gunmen (suspected to be Al Shabaab) attacked.", "Somalia",
         [("Police", "Police Forces of Somalia"), ("man", "Civilians (Somalia)"), ("gunmen", "Al Shabaab")]),
    ],
)
def test_coded_as_hints(book: ActorBook, text: str, country: str, expected: list[tuple[str, str]]) -> None:
    assert [(m.text, m.actor.name) for m in book.find(text, country)] == expected


@pytest.mark.parametrize(
    "text, country, word, name, role",
    [
        ("Israeli troops shot and injured two Palestinians near Nablus.", "Palestine", "Palestinians",
         "Civilians (Palestine)", "civilian"),
        ("Soldiers shot a Palestinian at a checkpoint.", "Palestine", "Palestinian", "Civilians (Palestine)", "civilian"),
        ("Border guards fired on Afghans crossing into Iran.", "Iran", "Afghans", "Civilians (Afghanistan)", "civilian"),
        ("Gunmen abducted three Pakistanis who were working on a dam.", "Afghanistan", "Pakistanis",
         "Civilians (Pakistan)", "civilian"),
        # an adjective before a noun the lexicon does not know stays a country reference
        ("Troops seized a Palestinian tractor.", "Palestine", "Palestinian", "Palestine", "country"),
        ("The Syrian delegation arrived.", "Syria", "Syrian", "Syria", "country"),
    ],
)
def test_demonym_as_people(book: ActorBook, text: str, country: str, word: str, name: str, role: str) -> None:
    m = _by_text(book, text, country)[word]
    assert (m.actor.name, m.role) == (name, role)


@pytest.mark.parametrize(
    "text, country, word, name",
    [
        ("Israeli gunboats opened fire at Palestinian fishing boats off Khan Younis.", "Palestine", "Palestinian",
         "Civilians (Palestine)"),
        ("Settlers uprooted Palestinian olive trees near Hebron.", "Palestine", "Palestinian", "Civilians (Palestine)"),
        ("Rockets hit Israeli homes in Sderot.", "Israel", "Israeli", "Civilians (Israel)"),
    ],
)
def test_property_of_a_nationality_is_civilian(book: ActorBook, text: str, country: str, word: str, name: str) -> None:
    m = _by_text(book, text, country)[word]
    assert (m.actor.name, m.role) == (name, "civilian")


def test_property_after_a_bare_place_name_is_no_actor(book: ActorBook) -> None:
    assert "Gaza homes" not in _by_text(book, "Strikes destroyed Gaza homes.", "Palestine")
    assert all(m.role != "civilian" for m in book.find("Strikes destroyed Gaza homes.", "Palestine"))


@pytest.mark.parametrize(
    "text, country, expected",
    [
        ("Police dispersed protesting farmers outside the assembly.", "India",
         [("Police", "Police Forces of India"), ("protesting farmers", "Protesters (India)")]),
        ("Striking teachers blocked the road.", "Kenya", [("Striking teachers", "Protesters (Kenya)")]),
        ("Rioting youths and rioting residents torched a police post.", "Guinea",
         [("Rioting youths", "Rioters (Guinea)")]),
        ("Farmers marched to the capital.", "Kenya", [("Farmers", "Civilians (Kenya)")]),
    ],
)
def test_protesting_role_nouns(book: ActorBook, text: str, country: str, expected: list[tuple[str, str]]) -> None:
    got = [(m.text, m.actor.name) for m in book.find(text, country)]
    for item in expected:
        assert item in got


@pytest.mark.parametrize(
    "text, country, span, name",
    [
        ("Presumed ISWAP (Greater Sahara) militants attacked a village.", "Mali", "ISWAP (Greater Sahara) militants",
         "Islamic State (West Africa) - Greater Sahara Faction"),
        ("JNIM (Katiba Macina) fighters ambushed a convoy.", "Mali", "JNIM (Katiba Macina) fighters",
         "JNIM: Group for Support of Islam and Muslims"),
        ("ISWAP fighters raided Malam Fatori.", "Nigeria", "ISWAP fighters",
         "Islamic State (West Africa) - Lake Chad Faction"),
        ("ISWAP militants killed herders near Menaka.", "Burkina Faso", "ISWAP militants",
         "Islamic State (West Africa) - Greater Sahara Faction"),
    ],
)
def test_group_qualifier_in_brackets_and_sahel_branch(book: ActorBook, text: str, country: str, span: str,
                                                      name: str) -> None:
    m = _by_text(book, text, country)[span]
    assert m.actor.name == name


def test_bracket_without_role_noun_is_not_absorbed(book: ActorBook) -> None:
    ms = _by_text(book, "JNIM (Mali) said it holds the hostages.", "Mali")
    assert "JNIM" in ms and ms["JNIM"].actor.name.startswith("JNIM")


def test_ground_troops(book: ActorBook) -> None:
    m = _by_text(book, "Nigerian ground troops cleared the forest.", "Nigeria")["Nigerian ground troops"]
    assert m.actor.name == "Military Forces of Nigeria"
