"""Tests for sitrep.geo against the real gazetteer index (built once into the cache dir)."""

from __future__ import annotations

import math
import multiprocessing
import re
import tomllib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from checks import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitrep.geo import (
    Gazetteer,
    PlaceMention,
    best_place,
    build_index,
    coded_place,
    countries_of_places,
    country_context,
    default_index_path,
    find_place_mentions,
    name_key,
    places_in,
    weighed_context,
)
from sitrep.geo.keys import without_type_prefix
from sitrep.geo.mentions import _name
from sitrep.geo.words import cues, demonyms
from sitrep.model import Location


@pytest.fixture(scope="session")
def gaz() -> Gazetteer:
    return Gazetteer.open()


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 6371 * 2 * math.asin(math.sqrt(h))


def resolve_first(gaz: Gazetteer, text: str) -> Location | None:
    ctx = country_context(gaz, [text])
    for mention in find_place_mentions(text):
        loc = gaz.resolve(mention, ctx)
        if loc is not None and loc.precision not in ("country", "region"):
            return loc
    return None


@pytest.mark.parametrize(
    ("name", "countries", "lat", "lon", "max_km", "admin1_key"),
    [
        ("Palmyra", ["SY"], 34.56, 38.28, 10, "homs"),
        ("Tadmor", ["SY"], 34.56, 38.28, 10, "homs"),
        ("al-Darbasiyah", ["SY"], 37.07, 40.65, 25, "hasaka"),
        ("Ad Darbasiyah", ["SY"], 37.07, 40.65, 25, "hasaka"),
        ("Darbasiyah", [], 37.07, 40.65, 25, "hasaka"),
        ("Karachi", [], 24.86, 67.01, 25, "sindh"),
        ("Afgoye", ["SO"], 2.14, 45.12, 25, None),
        ("Bambari", ["CF"], 5.77, 20.68, 25, "ouaka"),
        # Q for K and Kh for H, in the context country only (GeoNames: Qiryat Shmona, Al Khums, Sirte)
        ("Kiryat Shmona", ["IL"], 33.21, 35.57, 10, None),
        ("Khoms", ["LY"], 32.65, 14.26, 10, None),
        ("Sirt", ["LY"], 31.21, 16.59, 10, None),
    ],
)
def test_resolves_transliterated_town_names(
    gaz: Gazetteer,
    name: str,
    countries: list[str],
    lat: float,
    lon: float,
    max_km: float,
    admin1_key: str | None,
) -> None:
    loc = gaz.resolve(name, countries)
    assert loc is not None and loc.lat is not None and loc.lon is not None
    assert km(loc.lat, loc.lon, lat, lon) <= max_km
    assert loc.precision == "town"
    if admin1_key:
        assert loc.admin1 is not None and name_key(admin1_key) in name_key(loc.admin1)


@pytest.mark.parametrize(
    ("countries", "iso2", "lon_sign"),
    [(["LB"], "LB", 1), (["LY"], "LY", 1), (["LB", "LY"], "LB", 1), (["LY", "LB"], "LY", 1)],
)
def test_tripoli_follows_country_context(
    gaz: Gazetteer, countries: list[str], iso2: str, lon_sign: int
) -> None:
    loc = gaz.resolve("Tripoli", countries)
    assert loc is not None and loc.iso2 == iso2 and loc.precision == "town"


def test_ambiguous_name_without_context_is_refused(gaz: Gazetteer) -> None:
    # several towns of like size: no reading stands out
    assert gaz.resolve("Springfield") is None
    assert gaz.resolve("Rochester") is None
    assert gaz.resolve("Lourdes") is None


@pytest.mark.parametrize(("name", "iso2"), [("Athens", "GR"), ("Birmingham", "GB"), ("Dimitrovgrad", "RU")])
def test_name_one_reading_of_which_is_far_larger_resolves_without_context(gaz: Gazetteer, name: str,
                                                                           iso2: str) -> None:
    loc = gaz.resolve(name)
    assert loc is not None and loc.iso2 == iso2


@pytest.mark.parametrize(("name", "countries", "iso2"), [("Valence", [], None), ("Nis", [], "RS"),
                                                         ("Palmyra", ["SY"], "SY"), ("Islamabad", [], "PK")])
def test_a_name_is_first_the_place_it_is_the_own_name_of(gaz: Gazetteer, name: str, countries: list[str],
                                                         iso2: str | None) -> None:
    # "Valence" is also French for Valencia (which does not outweigh Valence, France) and "Nis" an alternate name of
    # Nice;
    # a context country where the name is only an alternate one still counts (Palmyra is Syria's Tadmur); a city
    # called so outranks a larger one only once called so (Chattogram, Islamabad of old)
    loc = gaz.resolve(name, countries)
    assert (loc.iso2 if loc else None) == iso2


@pytest.mark.parametrize("name", ["Xyzzyqqville", "Qwrtplk", "the Blorfian Heights"])
def test_unknown_name_resolves_to_none(gaz: Gazetteer, name: str) -> None:
    assert gaz.resolve(name, ["SY"]) is None


@pytest.mark.parametrize(
    ("phrase", "countries", "iso2", "admin1_key"),
    [
        ("Kunar province", ["AF"], "AF", "kunar"),
        ("Kunar Province", [], "AF", "kunar"),
        ("al-Hasakeh province", ["SY"], "SY", "hasaka"),
        ("Homs governorate", [], "SY", "homs"),
        ("Lower Shabelle region", [], "SO", None),
        ("Zabul province", ["AF"], "AF", "zabul"),
    ],
)
def test_province_phrase_resolves_to_province(
    gaz: Gazetteer, phrase: str, countries: list[str], iso2: str, admin1_key: str | None
) -> None:
    loc = gaz.resolve(phrase, countries)
    assert loc is not None
    assert loc.precision == "province" and loc.iso2 == iso2
    assert loc.lat is not None and loc.lon is not None
    if admin1_key:
        assert loc.admin1 is not None and name_key(loc.admin1) == admin1_key


@pytest.mark.parametrize(
    ("name", "iso2"),
    [
        ("Syria", "SY"),
        ("SY", "SY"),
        ("Syrian Arab Republic", "SY"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Afghanistan", "AF"),
        ("DRC", "CD"),
        ("Ivory Coast", "CI"),
    ],
)
def test_country_names_and_codes(gaz: Gazetteer, name: str, iso2: str) -> None:
    found = gaz.country(name)
    assert found is not None and found[0] == iso2


def test_country_name_resolves_to_country_precision(gaz: Gazetteer) -> None:
    loc = gaz.resolve("Afghanistan")
    assert loc is not None and loc.precision == "country" and loc.iso2 == "AF"
    # a point inside the country, from Natural Earth's shapes: an event placed by its country is on the map
    assert loc.lat is not None and loc.lon is not None and 29 < loc.lat < 39 and 60 < loc.lon < 75


@pytest.mark.parametrize(("iso2", "box"), [
    ("FR", (42, 51, -5, 8)),  # metropolitan France, not French Guiana (Natural Earth gives France no ISO code)
    ("NO", (58, 71, 4, 31)),
    ("ID", (-11, 6, 95, 141)),
    ("CL", (-56, -17, -76, -66)),
    ("SG", (1, 2, 103, 105)),  # too small for the 1:110m shapes: its largest town
    ("BH", (25, 27, 50, 51)),
])
def test_country_points_lie_in_the_country(gaz: Gazetteer, iso2: str, box: tuple[int, int, int, int]) -> None:
    point = gaz.country_point(iso2)
    assert point is not None and box[0] < point[0] < box[1] and box[2] < point[1] < box[3]


def test_inside_point_of_a_concave_ring_is_inside() -> None:
    from sitrep.geo.shapes import inside_point

    # a C open to the east: its centroid falls in the gap, the point must not
    ring = [(0, 0), (10, 0), (10, 2), (2, 2), (2, 8), (10, 8), (10, 10), (0, 10), (0, 0)]
    lat, lon = inside_point(ring)
    assert 0 < lon < 2 and 0 < lat < 10


@pytest.mark.parametrize(
    ("text", "iso2"),
    [
        ("Clashes erupted in northern Syria on Tuesday.", "SY"),
        ("Airstrikes hit villages in western Afghanistan, officials said.", "AF"),
        ("Gunmen attacked a convoy in the eastern part of the country, Afghan officials said.", "AF"),
    ],
)
def test_directional_phrase_is_a_region_not_a_town(gaz: Gazetteer, text: str, iso2: str) -> None:
    ctx = country_context(gaz, [text])
    regions = [m for m in find_place_mentions(text) if m.hint == "region"]
    assert regions
    loc = gaz.resolve(regions[0], ctx)
    assert loc is not None and loc.precision == "region" and loc.iso2 == iso2


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hasakeh", "Hasakah"),
        ("al-Hasakeh", "Al Hasakah"),
        ("Nassir", "Nasir"),
        ("Da'el", "Dael"),
        ("ad-Darbasiyah", "Darbasiyah"),
        ("Türkiye", "turkiye"),
        ("Deir ez-Zor", "Deir ez Zor"),
    ],
)
def test_name_key_tolerates_transliteration(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("text", "name", "hint", "within"),
    [
        ("Taliban fighters attacked a checkpoint in Kunar province on Monday.", "Kunar", "province", ()),
        ("Government forces shelled the city of Idlib overnight.", "Idlib", "city", ()),
        (
            "On 3 May 2022, militants killed two civilians in Kafr Nabl (Maarat an Numan, Idleb).",
            "Kafr Nabl",
            None,
            ("Maarat an Numan", "Idleb"),
        ),
        (
            "On 9 May 2022, troops clashed with rebels near Irpin, Kyiv. Casualties unknown.",
            "Irpin",
            None,
            ("Kyiv",),
        ),
        ("An IED hit a patrol near Sayda town in Dara countryside.", "Sayda", "city", ("Dara countryside",)),
    ],
)
def test_find_place_mentions_cue_patterns(
    text: str, name: str, hint: str | None, within: tuple[str, ...]
) -> None:
    mentions = find_place_mentions(text)
    match = [m for m in mentions if m.name == name]
    assert match, mentions
    assert match[0].hint == hint and match[0].within == within
    assert text[match[0].start : match[0].end] == match[0].text


def test_find_place_mentions_uses_ner_spans_and_dedupes() -> None:
    text = "Explosions shook Kabul as residents fled to Jalalabad."
    spans = [(17, 22, "GPE"), (44, 53, "GPE"), (0, 10, "PERSON")]
    mentions = find_place_mentions(text, spans)
    assert [m.name for m in mentions if not m.weak] == ["Kabul", "Jalalabad"]
    assert [m.name for m in mentions if m.weak] == ["Explosions"]  # a person's span: a place only if it resolves
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)


@pytest.mark.parametrize(
    ("text", "lat", "lon", "max_km", "precision"),
    [
        (
            "On 2 March 2022, gunmen shot dead a shopkeeper in Kafr Takharim (Harim, Idleb).",
            36.12,
            36.52,
            10,
            "town",
        ),
        (
            "Taliban fighters attacked a police post in Kunar province, officials said.",
            34.87,
            71.15,
            10,
            "province",
        ),
        (
            "A car bomb exploded in the Lebanese city of Tripoli on Friday, killing three.",
            34.43,
            35.84,
            10,
            "town",
        ),
        (
            "Militias loyal to the government in Tripoli clashed with rival Libyan forces.",
            32.89,
            13.19,
            10,
            "town",
        ),
        # the village is not in the gazetteer: the note's district, then province, is used
        (
            "On 4 June 2022, soldiers clashed with militants in Qqqzzzxvillage (Afgooye, Lower Shabelle).",
            2.14,
            45.12,
            25,
            "district",
        ),
    ],
)
def test_wire_and_acled_style_sentences(
    gaz: Gazetteer, text: str, lat: float, lon: float, max_km: float, precision: str
) -> None:
    loc = resolve_first(gaz, text)
    assert loc is not None and loc.lat is not None and loc.lon is not None, loc
    assert km(loc.lat, loc.lon, lat, lon) <= max_km
    assert loc.precision == precision


def test_country_context_counts_names_and_demonyms(gaz: Gazetteer) -> None:
    texts = [
        "Syrian troops and Iraqi militias met near the border.",
        "Syria said the talks in Türkiye went well.",
    ]
    ctx = country_context(gaz, texts)
    assert ctx[0] == "SY" and {"IQ", "TR"} <= set(ctx)
    assert country_context(gaz, ["the chad and jordan rivers"]) == []  # lowercase words are not names


def test_index_reopens_fast_and_reports_size(gaz: Gazetteer) -> None:
    import time

    t = time.perf_counter()
    again = Gazetteer(gaz.path)
    assert time.perf_counter() - t < 0.2
    assert len(again) > 200_000
    assert Gazetteer.open() is gaz  # cached per process


def _open_in_child(path: str) -> int:
    return len(Gazetteer.open(Path(path)))


def test_index_built_atomically_when_two_processes_race(tmp_path: Path) -> None:
    path = tmp_path / default_index_path().name
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        sizes = pool.map(_open_in_child, [str(path), str(path)])
    assert sizes[0] == sizes[1] > 200_000
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []  # no temp file left behind
    built = path.stat().st_mtime_ns
    build_index(path)  # a rebuild replaces the file whole; readers of the old one are unaffected
    assert path.stat().st_mtime_ns >= built
    assert len(Gazetteer(path)) == sizes[0]


PLACE_WORDS = [
    "Palmyra",
    "Homs",
    "Tripoli",
    "Kunar",
    "al-Hasakeh",
    "Kabul",
    "Baghdad",
    "Syria",
    "Xyzzy",
    "Sadr City",
]
FILLER = [
    "in",
    "near",
    "the city of",
    "province",
    "governorate",
    "northern",
    "(",
    ")",
    ",",
    "and",
    "killed",
    ".",
]


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PLACE_WORDS + FILLER) | st.text(max_size=6), max_size=25))
def test_property_offsets_and_coordinates(gaz: Gazetteer, words: list[str]) -> None:
    text = " ".join(words)
    for mention in find_place_mentions(text):
        assert text[mention.start : mention.end] == mention.text
        assert isinstance(mention, PlaceMention)
        for countries in ((), ("SY",), ("LB", "LY")):
            loc = gaz.resolve(mention, countries)
            if loc is not None and loc.lat is not None:
                assert -90 <= loc.lat <= 90
                assert loc.lon is not None and -180 <= loc.lon <= 180


# ---------------------------------------------------------------- ACLED note conventions


@pytest.mark.parametrize(
    ("text", "iso2"),
    [
        # the note never names its country: the province it names says where it is
        ("On 4 May 2023, gunmen shot dead a trader in Qqzzyq (Al Mukalla, Hadramawt).", "YE"),
        ("On 2 June 2023, militants attacked a police post in Tuz Khurmatu district, Salah al-Din.", "IQ"),
        ("On 9 July 2023, clan militias clashed in Qqzzyq village (Jowhar, Middle Shabelle).", "SO"),
        # a demonym names an actor, not the place: the province outranks it
        ("On 1 August 2023, Russian forces shelled Hulyaipole, Zaporizhzhia. Casualties unknown.", "UA"),
        ("On 3 March 2023, Israeli drones struck a house in Qqzzyq (Bint Jbeil, Nabatieh).", "LB"),
    ],
)
def test_country_context_from_the_notes_province(gaz: Gazetteer, text: str, iso2: str) -> None:
    assert country_context(gaz, [text])[0] == iso2


@pytest.mark.parametrize(
    ("text", "iso2", "admin1", "lat", "lon", "max_km"),
    [
        # the enclosing names pick the reading that contains the town (Abyan in Yemen, not Abidjan)
        ("On 5 May 2023, gunmen killed a soldier in Zinjibar (Zinjibar, Abyan).", "YE", "Abyan", 13.13, 45.38, 25),
        # a chain element standing for "East" must not drag the town to another continent
        ("On 6 May 2023, a militia abducted a lawyer in Derna (Derna, East).", "LY", None, 32.77, 22.64, 25),
        # admin1 as the note spells it
        ("On 7 May 2023, an IED exploded in Kismayo town (Kismayo, Lower Juba).", "SO", "Lower Juba", -0.36, 42.55, 25),
        # "LGA" in capitals is a district cue word
        ("On 8 May 2023, insurgents attacked Qqzzyq in Gwoza LGA (Borno).", "NG", "Borno", 11.08, 13.69, 25),
        # "A, B" ending a clause, the town unknown: its province
        ("On 9 May 2023, Russian forces captured Qqzzyqivka, Kharkiv. Casualties unknown.", "UA", "Kharkiv", None, None, 0),
        # a note chain after a name the patterns cannot read ("X II & III")
        ("On 10 May 2023, troops seized Qqzzy II & III (Beni, Nord-Kivu) from rebels.", "CD", "Nord-Kivu", 0.49, 29.47, 25),
        # a name the gazetteer lacks whose last words name a place of the chain
        ("On 22 April 2023, a blast killed worshippers in Hazari Imam Sahib district, Kunduz.", "AF", "Kunduz",
         37.19, 68.94, 5),
        # the vowel-blind spelling of a province is trusted when the district it contains is found in it
        ("On 11 May 2023, unknown gunmen killed a shepherd in Tal Afar district, Ninawa.", "IQ", None, 36.38, 42.45, 25),
    ],
)
def test_acled_note_chains(
    gaz: Gazetteer, text: str, iso2: str, admin1: str | None, lat: float | None, lon: float | None, max_km: float
) -> None:
    ctx = country_context(gaz, [text])
    places = places_in(gaz, text, [], ctx)
    loc = best_place([places], ctx)
    assert loc is not None and loc.iso2 == iso2, places
    if admin1:
        assert loc.admin1 == admin1
    if lat is not None and lon is not None:
        assert loc.lat is not None and loc.lon is not None
        assert km(loc.lat, loc.lon, lat, lon) <= max_km


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Two villagers drowned on the banks of the Atbara river near the camp.", "Atbara"),
        ("Protesters blocked the Homs-Damascus highway with burning tyres.", "Damascus"),
        ("Residents fled from the villages of Kherson region to the Dnipropetrovsk region.", "Dnipropetrovsk"),
    ],
)
def test_features_and_destinations_are_not_the_place(gaz: Gazetteer, text: str, absent: str) -> None:
    ctx = country_context(gaz, [text]) or ["SD", "SY", "UA"]
    names = [loc.name for loc in places_in(gaz, text, [], ctx)]
    assert all(absent not in n for n in names), names


def test_coded_to_names_the_place(gaz: Gazetteer) -> None:
    text = "Clashes were reported in the hills east of Afgooye, location coded to Baidoa (Baidoa, Bay)."
    places = places_in(gaz, text, [], country_context(gaz, [text]))
    assert [p.name for p in places] == ["Baidoa"]


def test_province_named_by_the_text_beats_a_same_named_district_of_the_demonyms_country(gaz: Gazetteer) -> None:
    loc = gaz.resolve("Donetsk region", ["RU"])
    assert loc is not None and loc.iso2 == "UA" and loc.precision == "province"


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("KABUL (AP) — A roadside bomb killed three police officers on Tuesday in Kandahar province, officials said.",
         "Kandahar"),
        ("BEIRUT, Nov 20 (Reuters) - Israeli air strikes near Qusayr in Syria's Homs province killed five people.",
         "Al Qusayr"),
        ("BEIRUT (Reuters) - Gunmen killed four farmers in a village on Tuesday, Syrian state media said.", None),
    ],
)
def test_a_wire_dateline_is_where_the_story_was_filed_not_the_place(gaz: Gazetteer, text: str, place: str | None) -> None:
    places = places_in(gaz, text, [], country_context(gaz, [text]))
    assert (places[0].name if places else None) == place, places


def test_the_target_of_an_attack_is_a_place(gaz: Gazetteer) -> None:
    text = "Israeli air strikes on Palmyra killed at least 36 people on Wednesday, Syria's defence ministry said."
    assert [p.name for p in places_in(gaz, text, [], ["SY"])][:1] == ["Tadmur"]


# ---------------------------------------------------------------- word tables (data/geo_cues.toml, geo_demonyms.tsv)

GEO_CUES = tomllib.loads(resources.files("sitrep.data").joinpath("geo_cues.toml").read_text("utf-8"))


def _word_lists(table: dict[str, object], where: str = "") -> Iterator[tuple[str, object]]:
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _word_lists(value, f"{where}{key}.")
        else:
            yield f"{where}{key}", value


@pytest.mark.parametrize(("where", "words"), list(_word_lists(GEO_CUES)), ids=[w for w, _ in _word_lists(GEO_CUES)])
def test_geo_cues_every_list_loads(where: str, words: object) -> None:
    assert isinstance(words, list) and words, where
    assert all(isinstance(w, str) and w and w == w.strip() for w in words), where
    assert len(set(words)) == len(words), f"{where} repeats a word"


def test_geo_cues_every_entry_reaches_the_code() -> None:
    c = cues()
    hint_words = [w for words in GEO_CUES["hint_words"].values() for w in words]
    assert len(c.hint_of_word) == len(hint_words)  # no word stands for two kinds of place
    assert set(c.before) == set(GEO_CUES["cues"]["before"])
    assert c.origin_words == tuple(GEO_CUES["origin_words"]["words"])
    assert c.country_parts == tuple(GEO_CUES["the_country"]["parts"])
    assert c.located == frozenset(GEO_CUES["institutions"]["located"])
    assert set(GEO_CUES["kind_order"]) == {*GEO_CUES["hint_words"], "none", "chain"}


@pytest.mark.parametrize(
    ("written", "joiner"),
    [(f"{a}-", "hyphen") for a in GEO_CUES["name_articles"]["hyphen"]]
    + [(f"{a} ", "space") for a in GEO_CUES["name_articles"]["space"]]
    + [(f"Bab {a} ", "inner") for a in GEO_CUES["name_articles"]["inner"]],
)
def test_geo_cues_name_articles_are_read_as_part_of_a_name(written: str, joiner: str) -> None:
    assert re.fullmatch(_name(), f"{written}Hawa"), joiner


def test_geo_demonyms_every_row_loads() -> None:
    rows = [
        line.split("\t")
        for line in resources.files("sitrep.data").joinpath("geo_demonyms.tsv").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rows and all(len(r) == 2 and r[0].strip() and re.fullmatch(r"[A-Z]{2}", r[1]) for r in rows)
    assert len(demonyms()) == len(rows)  # no demonym listed twice


@pytest.mark.parametrize(
    ("text", "ents", "iso2", "name"),
    [
        # an entity span "Town, Province": the town, inside its province
        ("Russian forces shelled Lupareve, Mykolaiv. No one was hurt.", [(23, 41, "FAC")], "UA", "Lupareve"),
        # "central X" of a town that is no province is the town
        ("Teachers marched in central Thessaloniki against the education bill.", [], "GR", "Thessaloniki"),
        # a town named with its 'City' and particles inside a name
        ("Drivers protested in Batumi City over fuel prices.", [], "GE", "Batumi"),
        ("Dockers blocked the port road in Jerez de la Frontera (Cadiz) on Friday.", [], "ES", "Jerez de la Frontera"),
        # a code in a chain is no place: Wana in Pakistan, not a Cambodian province named 'KP'
        ("Militants attacked a checkpoint at Wana town (South Waziristan district, KP).", [], "PK", "Wana"),
        # a country the text only talks about does not hide the town where it happened
        ("About 50 people rallied in Oulu for peace in Ukraine.", [], "FI", "Oulu"),
        # the town whose own name it is beats a town that has it only as an alternate name
        ("Arsonists set fire to a workshop in Bolu town overnight.", [], "TR", "Bolu"),
        # without context a "county" that is no district anywhere is the province called so (Kenya's counties)
        ("Armed raiders stole 300 goats in Baringo county.", [], "KE", "Baringo"),
        # "central X" is the town's centre, not the province whose capital it is
        ("Thousands marched through central London to demand that the UK government act.", [], "GB", "London"),
        # a name parsed as a person that the text calls a town is a place, beside the province it names
        ("Fighting spread to Wad Madani, the capital of Gezira state, residents said.", [(19, 29, "PERSON")], "SD",
         "Wad Medani"),
        # "A in B": A is a quarter of B, not a town called A 150 km off
        ("Police shot a man dead in Paraisopolis in Sao Paulo (Sao Paulo).", [], "BR", "Sao Paulo"),
    ],
)
def test_a_place_the_text_names_is_found_in_its_own_country(
    gaz: Gazetteer, text: str, ents: list[tuple[int, int, str]], iso2: str, name: str
) -> None:
    ctx = country_context(gaz, [text])
    loc = best_place([places_in(gaz, text, ents, ctx)], ctx)
    assert loc is not None and (loc.iso2, loc.name) == (iso2, name), loc


def test_a_province_before_coded_to_sets_the_country(gaz: Gazetteer) -> None:
    text = "Russian forces fired on a community of Sumy region (coded to Sad), killing two."
    assert country_context(gaz, [text])[0] == "UA"


def test_the_seat_of_an_institution_that_speaks_is_not_the_place(gaz: Gazetteer) -> None:
    spoke = "The Ministry of Health in Sanaa said 11 civilians were killed in the strike."
    assert places_in(gaz, spoke, [], ["YE"]) == []
    protest = "Hundreds protested in front of the Ministry of Foreign Affairs in Vilnius on Friday."
    assert [p.name for p in places_in(gaz, protest, [], ["LT"])] == ["Vilnius"]


@pytest.mark.parametrize(
    ("text", "name", "near", "mentioned"),
    [
        ("Gunmen killed two herders in Qqzzyqa village near Menaka (Menaka, Menaka).", "Menaka", True, "Qqzzyqa"),
        ("Clashes broke out east of Kidal on Sunday.", "Kidal", True, None),
        ("Soldiers were ambushed on the outskirts of Gao on Sunday.", "Gao", True, None),
        ("Clashes broke out in Kidal on Sunday.", "Kidal", False, None),
        # the town is not in the gazetteer: its district, with the name the text gives
        ("Israeli drones struck a house in Qqzzyq (Bint Jbeil, Nabatieh).", "Bent Jbail", False, "Qqzzyq"),
    ],
)
def test_near_a_place_and_a_place_the_gazetteer_lacks(
    gaz: Gazetteer, text: str, name: str, near: bool, mentioned: str | None
) -> None:
    ctx = country_context(gaz, [text]) or ["ML"]
    loc = best_place([places_in(gaz, text, [], ctx)], ctx)
    assert loc is not None and (loc.name, loc.near, loc.mentioned) == (name, near, mentioned), loc


def test_a_country_closing_a_town_is_the_country_not_a_place_named_like_it(gaz: Gazetteer) -> None:
    text = "Gunmen killed two herders near Gao, Mali."
    assert country_context(gaz, [text]) == ["ML"]
    loc = best_place([places_in(gaz, text, [], ["ML"])], ["ML"])
    assert loc is not None and (loc.name, loc.iso2) == ("Gao", "ML")


@pytest.mark.parametrize(
    ("text", "iso2", "name"),
    [
        # a town named after a country, with a country's name opening it, is the town
        ("Police clashed with kidnappers in Benin City (Oredo, Edo) on Sunday.", "NG", "Benin City"),
        # a province called by a direction or 'Capital' is no clue to another country holding one
        ("Protesters marched in Sanabis (Capital) on Friday. Rallies were held across Bahrain.", "BH", "Sanabis"),
        # leaving a town happened there
        ("On 8 May 2023, 170 civilians were evacuated from Mariupol, Donetsk.", "UA", "Mariupol"),
    ],
)
def test_names_that_look_like_other_places(gaz: Gazetteer, text: str, iso2: str, name: str) -> None:
    ctx = country_context(gaz, [text])
    loc = best_place([places_in(gaz, text, [], ctx)], ctx)
    assert loc is not None and (loc.iso2, loc.name) == (iso2, name), loc


def test_a_generic_province_name_alone_sets_no_country(gaz: Gazetteer) -> None:
    text = "Women demonstrated outside the law court in Valletta (South Eastern) on Monday."
    assert "OM" not in country_context(gaz, [text])


def test_every_country_is_found_by_its_own_name(gaz: Gazetteer) -> None:
    assert [(iso2, name) for iso2, name in gaz._countries.items() if (gaz.country(name) or ("",))[0] != iso2] == []


def test_names_before_a_plural_cue_share_it_and_what_encloses_it():
    text = "airstrikes hit Sahar and Haydan districts in Sa'ada Governorate."
    found = {m.name: m for m in find_place_mentions(text, [(15, 20, "GPE"), (25, 31, "GPE")])}
    assert (found["Sahar"].hint, found["Sahar"].within) == ("district", ("Sa'ada Governorate",))


def test_a_comma_and_in_name_what_encloses_a_place():
    text = "gunmen attacked the village of Solhan, in Sebba Commune, killing 132 civilians."
    (solhan, *_) = find_place_mentions(text)
    assert (solhan.name, solhan.within) == ("Solhan", ("Sebba Commune",))


def test_a_day_or_month_after_a_name_is_not_part_of_it():
    names = [m.name for m in find_place_mentions("a bomb killed a soldier in Baghdad Wednesday and two in Mosul May 3")]
    assert names == ["Baghdad", "Mosul"]
    assert [m.name for m in find_place_mentions("shells hit a village near Ain al Arab")] == ["Ain al Arab"]


@pytest.mark.parametrize(("text", "name", "iso2"), [
    # a town the parser took for a person or a group: a place where the document's country has it, or a
    # sizeable town by its own name wherever the demonyms point
    ("On 19 April 2023, Russian forces continued shelling Kharkiv, using multiple rocket launchers.", "Kharkiv", "UA"),
    # a note's chain is read in the country of its broadest name, whatever town abroad shares a narrower one
    ("On 18 May 2023, militants and volunteer fighters clashed in the village of Fantafota (Solhan, Yagha).",
     "Yagha", "BF"),
    # a district named after its town: the town
    ("On 28 May 2023, Resistance Committees staged a protest in Kosti (Kosti, White Nile).", "Kosti", "SD"),
    # the only place of that name anywhere, beside a demonym of another country
    ("On 9 March 2023, people burned a Ukrainian flag and sprayed graffiti on buildings in Uffenheim.",
     "Uffenheim", "DE"),
    # a small town by its own name, with a province name many countries share
    ("On 22 March 2023, party members rallied in Hamrun (Southern) for better building rules.", "Ħamrun", "MT"),
], ids=["ner_person", "chain_country", "district_seat", "unique_abroad", "small_own_name"])
def test_places_the_text_names_in_hard_ways(gaz: Gazetteer, nlp, text: str, name: str, iso2: str) -> None:
    doc = nlp(text)
    ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    found = places_in(gaz, text, ents, country_context(gaz, [text]))
    assert [(p.name, p.iso2) for p in found][:1] == [(name, iso2)]


def test_a_speaker_is_no_place(gaz: Gazetteer, nlp) -> None:
    text = "Hassan said the troops killed 13 militants near the base, but declined to comment further."
    doc = nlp(text)
    ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    assert places_in(gaz, text, ents, ["SO"]) == []


@pytest.mark.parametrize(("text", "names"), [
    # a capital that speaks is its government
    ("On 3 May 2023, Kyiv said Russian forces shelled Kupiansk overnight.", ["Kupyansk"]),
    # people who speak in a place are there
    ("On 3 May 2023, protesters in Kyiv said the police beat them.", ["Kyiv"]),
    # a capital takes a stance for its government
    ("On 3 May 2023, Moscow condemned the shelling of Kharkiv by its own side.", ["Kharkiv"]),
], ids=["government", "people_there", "stance"])
def test_a_place_that_speaks_is_a_government(gaz: Gazetteer, nlp, text: str, names: list[str]) -> None:
    doc = nlp(text)
    ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    assert [p.name for p in places_in(gaz, text, ents, ["UA"])] == names


@pytest.mark.parametrize(("text", "name"), [
    ("On 3 May 2023, fighting between rebels and troops spilled into Myawaddy, Kayin state.", "Myawaddy"),
    ("On 3 May 2023, clashes between militias displaced thousands from Tambura, Western Equatoria.", "Tambura"),
    ("On 12 July 2021, looting and arson spread to Pietermaritzburg, KwaZulu-Natal.", "Pietermaritzburg"),
    ("On 3 May 2023, troops repelled assaults on the eastern approaches to Pokrovsk in Donetsk region.", "Pokrovsk"),
], ids=["into", "leaving", "spread", "approaches"])
def test_where_people_went_into_or_were_driven_from_is_the_place(gaz: Gazetteer, nlp, text: str, name: str) -> None:
    ents = [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]
    assert [p.name for p in places_in(gaz, text, ents, country_context(gaz, [text]))][:1] == [name]


def test_a_town_the_text_places_in_a_province_geonames_has_moved_it_out_of(gaz: Gazetteer) -> None:
    # the Central African prefecture of Ouham-Pende was split: GeoNames files Paoua in Lim-Pende now
    loc = gaz.resolve(PlaceMention("Paoua", 0, 5, "Paoua", None, ("Ouham-Pende",)), ["CF"])
    assert loc is not None and (loc.name, loc.precision, loc.admin1) == ("Paoua", "town", "Ouham-Pende"), loc
    # a town GeoNames links to no district is taken in the province of the district the text names
    loc = gaz.resolve(PlaceMention("Lalibela", 0, 8, "Lalibela", None, ("Lasta", "North Wello")), ["ET"])
    assert loc is not None and (loc.name, loc.precision) == ("Lalibela", "town"), loc
    # a namesake hundreds of kilometres away is another place: the province, with the name as the text gives it
    loc = gaz.resolve(PlaceMention("Goma", 0, 4, "Goma", None, ("Ituri",)), ["CD"])
    assert loc is not None and (loc.name, loc.precision, loc.mentioned) == ("Ituri", "province", "Goma"), loc


@pytest.mark.parametrize(("text", "names"), [
    # a cause people rally for or against, the far side of a border
    ("Students occupied a faculty building in Vilnius in solidarity with Gaza.", ["Vilnius"]),
    ("Hundreds rallied in Tbilisi against the invasion of Ukraine.", ["Tbilisi"]),
    ("Warplanes struck a camp near Sarmada, close to the border with Turkey.", []),
    # an abbreviation before a noun is an adjective; after "in" it is the country
    ("A US citizen was beaten by a mob on Monday.", []),
    ("Thousands marched across the UK on Saturday.", ["United Kingdom"]),
    # a name qualifying activists is their cause or movement
    ("Police detained dozens of Hirak activists in Al Hoceima.", ["Al Hoceima"]),
], ids=["solidarity", "invasion", "border", "adjective", "across", "activists"])
def test_names_that_are_no_place_of_the_event(gaz: Gazetteer, text: str, names: list[str]) -> None:
    places = places_in(gaz, text, [], country_context(gaz, [text]))
    assert [p.name for p in places if p.precision != "region"] == names, places


def test_a_name_the_parser_took_for_a_person_is_the_only_place_called_so(gaz: Gazetteer) -> None:
    # a town of 7,000 that no other place shares a name with: in a text that names no country, that town
    text = "On 3 May 2022, gunmen attacked Tokombere at night."
    start = text.index("Tokombere")
    places = places_in(gaz, text, [(start, start + 9, "PERSON")], [])
    assert [(p.name, p.iso2) for p in places] == [("Tokombere", "NG")]
    # a people's name is no spelling of a town (the Philippine Ibaan), however unique
    text = "Iban longhouse residents blockaded a logging road."
    assert places_in(gaz, text, [(0, 4, "ORG")], []) == []


def test_a_province_weighs_more_than_a_namesake_district_for_an_article_naming_no_country() -> None:
    town_abroad = Location(name="Palma", admin1=None, country="Brazil", iso2="BR", lat=-11.5, lon=-47.0,
                           geonames_id=None, precision="district")
    province = Location(name="Cabo Delgado", admin1="Cabo Delgado", country="Mozambique", iso2="MZ", lat=-12.3,
                        lon=39.3, geonames_id=None, precision="province")
    assert countries_of_places([[town_abroad, province]]) == ["MZ", "BR"]
    assert countries_of_places([[town_abroad, town_abroad, province]]) == ["BR", "MZ"]


@pytest.mark.parametrize(("text", "admin1"), [
    ("On 3 May 2022, police detained a man in Kazan (Tatarstan) for an anti-war poster.", "Tatarstan"),
    ("On 3 May 2022, police detained protesters in Ulan-Ude (Buryatia).", "Buryatia"),
    ("On 3 May 2022, residents protested in Makhachkala (Dagestan).", "Dagestan"),
])
def test_russias_republics_by_their_english_names(gaz: Gazetteer, text: str, admin1: str) -> None:
    # GeoNames writes "Tatarstan, Respublika" and "Buryatiya, Respublika"; notes write the name alone
    loc = best_place([places_in(gaz, text, [], country_context(gaz, [text]))], ["RU"])
    assert loc is not None and loc.precision == "town" and gaz.same_province(loc.admin1, admin1, "RU"), loc


def test_a_chain_is_read_where_its_narrower_name_is_found_by_its_own_key(gaz: Gazetteer) -> None:
    # Italy's Bari holds a town whose vowel-blind key is Qandala's; Somalia's Bari holds Qandala itself
    loc = gaz.resolve(PlaceMention("Qandala", 0, 7, "Qandala", None, ("Bari",)))
    assert loc is not None and (loc.name, loc.iso2) == ("Qandala", "SO"), loc


def test_a_name_several_towns_share_is_the_one_beside_another_place_named(gaz: Gazetteer) -> None:
    # Russia has ten towns called Kamenka; the largest is by Penza, 1,300 km from Nalchik
    alone = gaz.resolve("Kamenka", ["RU"])
    assert alone is not None and alone.admin1 == "Penzenskaya oblast'", alone
    text = "Police detained five men in Kamenka, near Nalchik."
    kamenka, nalchik = places_in(gaz, text, [], country_context(gaz, [text]))[:2]
    assert kamenka.name == "Kamenka" and kamenka.admin1 == nalchik.admin1
    assert gaz.same_province(kamenka.admin1, "Kabardino-Balkaria", "RU"), kamenka
    # places named beside two of them settle nothing
    lermontovo = Location(name="Lermontovo", admin1=None, country="Russia", iso2="RU", lat=52.993, lon=43.661, geonames_id=None,
                          precision="town")
    assert gaz.resolve("Kamenka", ["RU"], [nalchik, lermontovo]) == alone


@pytest.mark.parametrize(("text", "name", "hint"), [
    # the cue after a name says what it is, whatever cue went before
    ("Residents rallied in several districts of Amanat al Asimah governorate.", "Amanat al Asimah", "province"),
    ("Farmers protested near Keles in the Zangiata district of Tashkent region.", "Tashkent", "province"),
    # an abbreviated first word is part of the name
    ("Nurses gathered at the old hospital in St. Petersburg on Monday.", "St. Petersburg", None),
    # a code before a name is not part of it, nor a type after it
    ("A shopkeeper was shot in PD5 Kandahar city.", "Kandahar", "city"),
    ("Families protested at the Diyarbakir D-type prison.", "Diyarbakir", None),
    # a Persian ezafe joins the words of one name, and so do Spanish and Portuguese particles
    ("Teachers held a sit-in in Shahr e Kord city.", "Shahr e Kord", "city"),
    ("Indigenous groups marched in San Cristobal de las Casas on Monday.", "San Cristobal de las Casas", None),
    ("Police shot a man in Mogi das Cruzes on Monday.", "Mogi das Cruzes", None),
    # where people live and walk, a port, the quarters of a town
    ("Residents of Beita clashed with troops.", "Beita", None),
    ("Youths took to the streets of Kano.", "Kano", None),
    ("Truckers blocked the road to Constanta port.", "Constanta", "city"),
    ("Tanks shelled the eastern neighbourhoods of Khan Younis.", "Khan Younis", "city"),
])
def test_mention_names_and_hints(text: str, name: str, hint: str | None) -> None:
    found = {m.name: m.hint for m in find_place_mentions(text)}
    assert name in found and found[name] == hint, found


def test_an_office_named_after_a_town_names_the_town(gaz: Gazetteer, nlp) -> None:
    text = "Hakkari Governor's office banned all protests in the province."
    doc = nlp(text)
    ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    assert [(p.name, p.iso2) for p in places_in(gaz, text, ents, country_context(gaz, [text]))][:1] == \
        [("Hakkari", "TR")]


@pytest.mark.parametrize("name", ["JeM", "FAMa", "SNNPR", "House", "Police", "Easter", "University"])
def test_codes_and_ordinary_words_are_no_towns(gaz: Gazetteer, name: str) -> None:
    # "JeM" militants are not El Jem, "SNNPR" is no vowel-blind Sonepur, "the House of Lords" no Belgian Housse,
    # "the University of Lagos" no district of Kingston
    assert gaz.resolve(name, ["IN", "RU"]) is None


def test_a_country_by_the_name_people_write_for_it(gaz: Gazetteer) -> None:
    loc = gaz.resolve("Korea")
    assert loc is not None and (loc.iso2, loc.precision) == ("KR", "country")
    # a part of a country that people name the country by stays that part
    gaza = gaz.resolve("Gaza", ["PS"])
    assert gaza is not None and gaza.precision != "country"


def test_a_generic_province_out_of_context_is_no_place(gaz: Gazetteer) -> None:
    assert gaz.resolve("West province") is None
    loc = gaz.resolve("West province", ["CM"])
    assert loc is not None and loc.iso2 == "CM"


def test_a_town_of_a_country_the_text_never_names_loses_to_a_province_it_names(gaz: Gazetteer) -> None:
    abroad = gaz.resolve("Liwa", ["OM"])
    province = gaz.resolve("Aleppo province", ["SY"])
    assert abroad is not None and province is not None
    assert best_place([[abroad, province]], ["SY"]) == province


@pytest.mark.parametrize(("text", "name", "iso2"), [
    # a country's name with a note's chain: the town of that name, or the place the chain names in it
    ("On 3 May 2023, gunmen shot a trader in Salvador (Bahia).", "Salvador", "BR"),
    ("On 3 May 2023, police dispersed a sit-in in Djibouti (Djibouti, Djibouti).", "Djibouti", "DJ"),
    ("On 3 May 2023, nurses rallied outside the Ministry of Health of Mongolia (Ulaanbaatar - Sukhbaatar).",
     "Ulan Bator", "MN"),
    # a part of a town, with the chain that places the town
    ("On 3 May 2023, residents marched in east Naples (Florida) against a new road.", "Naples", "US"),
    # the chain after a coded place's bracket, and a chain with a code in it
    ("On 3 May 2023, a drone was shot down over the border (coded to Al Buqa) (Kitaf wa Al Boqee, Sadah).",
     "Kitaf wa Al Boqe'e", "YE"),
    ("On 3 May 2023, troops and militants exchanged fire at Mirhama area (Kulgam district, J&K).", "Kulgam", "IN"),
    # a Colombian corregimiento is a place with a cue word, before its province
    ("On 3 May 2023, soldiers and rebels clashed near Agua Clara corregimiento (Norte de Santander).",
     "Norte de Santander", "CO"),
    # "Northern X": the part of a town no place is called so
    ("On 3 May 2023, union members protested in Northern Nicosia against price rises.", "Nicosia", "CY"),
    # a name the parser took for a group, with a note's chain after it, is a place like any other
    ("On 3 May 2023, gunmen injured a bodyguard at a rally within Mumias (Mumias West, Kakamega).", "Mumias", "KE"),
    # "X, X": a town and its province of the same name, not a reading the name supports by itself
    ("On 3 May 2023, in Bridgetown, Bridgetown, voters queued for hours to cast their ballots.", "Bridgetown", "BB"),
    # a chain that ends at a district (Burkina Faso's provinces are GeoNames districts), with no country named
    ("On 3 May 2023, militants burned a school in the village of Qqzzyq (Kqzzyq, Soum).", "Soum", "BF"),
    # a name with particles is one name, not its first word (Santiago, Chile)
    ("On 3 May 2023, in Santiago de los Caballeros (Santiago), a bus driver was shot dead.",
     "Santiago de los Caballeros", "DO"),
], ids=["country_chain_town", "country_chain_twice", "country_chain_inner", "region_chain", "coded_bracket_chain",
        "chain_code", "corregimiento", "capital_direction", "weak_with_chain", "same_name_chain", "chain_top_district",
        "particles"])
def test_places_named_with_chains(gaz: Gazetteer, nlp, text: str, name: str, iso2: str) -> None:
    loc = _place_of_parsed(gaz, nlp, text)
    assert loc is not None and (loc.name, loc.iso2) == (name, iso2), loc


def _place_of_parsed(gaz: Gazetteer, nlp, text: str) -> Location | None:
    """The place of a one-sentence text, read with the parser's entities and the text's country context."""
    doc = nlp(text)
    ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    ctx = country_context(gaz, [text])
    return best_place([places_in(gaz, text, ents, ctx)], ctx)


def test_a_notes_coded_place_wherever_it_stands(gaz: Gazetteer) -> None:
    text = ("On 3 May 2023, the government expelled 12 diplomats. The move followed a spy scandal involving "
            "Russia [coded to Warsaw].")
    loc = coded_place(gaz, text, ["PL", "RU"])
    assert loc is not None and (loc.name, loc.iso2) == ("Warsaw", "PL")
    assert coded_place(gaz, "Police arrested 12 people in Warsaw.", ["PL"]) is None
    # a sentence of its own that says where the note is coded
    text = ("On 3 May 2023, a brigade was placed under the ministry in Baghdad. Coded as provincial capital "
            "Kut city.")
    loc = coded_place(gaz, text, ["IQ"])
    assert loc is not None and (loc.name, loc.iso2) == ("Al-Kut", "IQ"), loc
    # not "coded as" inside a sentence, which codes an actor
    assert coded_place(gaz, "On 3 May 2023, gunmen coded as Kut militia attacked a shop in Baghdad.", ["IQ"]) is None


def test_an_abbreviation_weighs_as_a_demonym_in_the_context(gaz: Gazetteer) -> None:
    text = "U.S. airstrikes in western Afghanistan killed 25 militants on Friday."
    assert country_context(gaz, [text])[0] == "AF"
    assert country_context(gaz, ["Protesters marched through Seoul, Korea on Sunday."])[0] == "KR"


@pytest.mark.parametrize(("text", "name", "iso2"), [
    # a name qualifying a group places nothing while the sentence names another place
    ("On 3 May 2023, members of a Kaduna militia attacked a patrol in Qqzzyq (Chikun, Kaduna).", "Chikun", "NG"),
    ("On 3 May 2023, Syrians living in Gaziantep protested in Qqzzyq town, Istanbul.", "Istanbul", "TR"),
    # a square, a station: named after a place elsewhere
    ("On 3 May 2023, students rallied at Ulus square in Qqzzyq town, Ankara.", "Ankara", "TR"),
    # Myanmar's townships, a chain after a comma and then a bracket
    ("On 3 May 2023, troops burned houses near Qqzzyq village, Myaung township (Sagaing district, Sagaing region).",
     "Sagaing", "MM"),
    # a ward number after the cue word, then the chain
    ("On 3 May 2023, cadres clashed at a polling station in Qqzzyq municipality-2 (Rautahat district).",
     "Rautahat", "NP"),
    # a landmark, or a number, between a name and its chain
    ("On 3 May 2023, drivers blocked the Qqzzyq junction (Al Nabatieh) to protest.", "Al Nabatieh", "LB"),
    ("On 3 May 2023, in Buenos Aires - Comuna 2 (Ciudad Autonoma de Buenos Aires), relatives gathered.",
     "Buenos Aires", "AR"),
    # a direction from a place is no place
    ("On 3 May 2023, graves were found at a mission site North East of High Prairie (Alberta).",
     "High Prairie", "CA"),
    # "(coded as X)" after a place's type word codes the place
    ("On 3 May 2023, gunmen shot two shopkeepers in Qqzzyq village of Muse township (coded as Muse) "
     "(Muse district, Shan-North state).", "Mu-se", "MM"),
    # GeoNames' type words before a name ("Caza du Chouf"), and Dhi/Thi Qar
    ("On 3 May 2023, employees protested in Qqzzyq (Chouf).", "Chouf", "LB"),
    ("On 3 May 2023, tribes clashed in Qqzzyq district, Thi Qar province.", "Thi Qar", "IQ"),
    # a chain's name read in the country where the narrower name is a place ("Al Qahirah" of Taizz, not Cairo)
    ("On 3 May 2023, sniper fire hit a woman in Taizz - Qqzzyq (Al Qahirah).", "Al-Qahirah", "YE"),
], ids=["qualifier", "residence", "square", "township_chain", "ward", "landmark", "number", "direction_of",
        "coded_as", "type_prefix", "dh_th", "chain_country"])
def test_places_named_around_groups_landmarks_and_codes(gaz: Gazetteer, nlp, text: str, name: str,
                                                        iso2: str) -> None:
    loc = _place_of_parsed(gaz, nlp, text)
    assert loc is not None and (loc.name, loc.iso2) == (name, iso2), loc


def test_a_coded_place_lies_in_the_notes_country(gaz: Gazetteer) -> None:
    text = ("On 3 May 2023, a soldier shot a trader in Qqzzyq market (Aweil South county, Northern Bahr el Ghazal "
            "state) [coded to Anyang].")
    assert coded_place(gaz, text, country_context(gaz, [text])) is None  # not China's Anyang
    text = "On 3 May 2023, forces clashed in the direction of Olenivka - Qqzzyq, Donetsk (coded to Novomykhaylivka)."
    loc = coded_place(gaz, text, country_context(gaz, [text]))
    assert loc is not None and loc.iso2 == "UA"


def test_type_words_before_a_subdivisions_name() -> None:
    assert without_type_prefix("Caza du Chouf") == "Chouf"
    assert without_type_prefix("Departement de la Menoua") == "Menoua"
    assert without_type_prefix("Shahrestan-e Zanjan") == "Zanjan"
    assert without_type_prefix("Kota") == "Kota"  # a type word alone is the name
    assert name_key("Kabupaten Mimika", strip_suffix=True) == name_key("Mimika")
    assert name_key("Dhi Qar") == name_key("Thi Qar")


def test_the_place_officially_called_so_before_the_one_known_by_it_in_one_country(gaz: Gazetteer) -> None:
    loc = gaz.resolve("Tashkent region", ["UZ"])  # GeoNames: 'Tashkent' the region, 'Toshkent' (also Tashkent) the city
    assert loc is not None and (loc.name, loc.precision) == ("Tashkent", "province")


def test_a_district_no_town_is_linked_to_takes_the_town_called_so_by_an_alternate_name(gaz: Gazetteer) -> None:
    seat = next(p for p in gaz._lookup("Galmurti") if p.cc == "IR")  # GeoNames' name of Dalgan county's seat
    loc = gaz.resolve("Dalgan county", ["IR"])
    assert loc is not None and loc.precision == "district" and loc.lat is not None and loc.lon is not None
    assert km(loc.lat, loc.lon, seat.lat, seat.lon) < 1


@pytest.mark.parametrize(("district", "seat"), [
    ("Zelenodolsky raion", "Zelenodolsk"),  # the seat's name and the district's, spelled without vowels alike
    ("Shebekinsky raion", "Shebekino"),  # ... once the adjective's ending is off
    ("Zernogradsky raion", "Zernograd"),
])
def test_a_district_no_town_is_linked_to_takes_the_seat_it_is_named_after(gaz: Gazetteer, district: str,
                                                                          seat: str) -> None:
    town = next(p for p in gaz._lookup(seat) if p.cc == "RU")
    loc = gaz.resolve(district, ["RU"])
    assert loc is not None and loc.precision == "district" and loc.lat is not None and loc.lon is not None
    assert km(loc.lat, loc.lon, town.lat, town.lon) < 1


def test_a_subdivisions_type_word_before_its_name_is_no_part_of_the_name_shown(gaz: Gazetteer) -> None:
    loc = gaz.resolve("Port-au-Prince arrondissement", ["HT"])  # GeoNames: 'Arrondissement de Port-au-Prince'
    assert loc is not None and loc.name == "Port-au-Prince"


@pytest.mark.parametrize(("text", "name", "iso2"), [
    # "X city" where only a district is called X (its seat is spelled otherwise)
    ("On 3 May 2023, graduates blocked a bridge in Nassriya city.", "Nassriya", "IQ"),
    # a confraternity named like a town qualifies a group, not the place
    ("On 3 May 2023, Aiye confraternity members clashed with rivals in Qqzzyq (Abeokuta South, Ogun).",
     "Abeokuta South", "NG"),
    # a prison is where the town it is named after is; "from X in Y" is where someone comes from
    ("On 3 May 2023, a man from Suran in Hama died under torture in Sidnaya Military Prison.", "Saydnaya", "SY"),
], ids=["city_district", "confraternity", "origin_chain_and_prison"])
def test_places_named_past_groups_facilities_and_origins(gaz: Gazetteer, nlp, text: str, name: str,
                                                         iso2: str) -> None:
    loc = _place_of_parsed(gaz, nlp, text)
    assert loc is not None and (loc.name, loc.iso2) == (name, iso2), loc


def test_a_named_span_ends_at_its_bracket_and_a_currency_is_no_place() -> None:
    text = "Nurses picketed the Chungbuk National University Hospital (Cheongju) over pay."
    start = text.index("Chungbuk")
    mentions = find_place_mentions(text, [(start, text.index(")"), "ORG")])
    assert any(m.within == ("Cheongju",) for m in mentions)
    assert "Cheongju" in [m.name for m in mentions]
    text = "Drivers protested the fall of the Lebanese pound against the US dollar; police deployed along the " \
           "Baghdad - Kut city road."
    ents = [(text.index(n), text.index(n) + len(n), "GPE") for n in ("US", "Baghdad", "Kut")]
    assert find_place_mentions(text, ents) == []


def test_a_chain_inside_a_district_stays_in_its_province(gaz: Gazetteer) -> None:
    # GeoNames knows Equateur's Mbandaka also as Bandaka: not a sector of Ituri's Mambasa territory
    loc = gaz.resolve(PlaceMention("Qqzzyq", 0, 6, "Qqzzyq", None, ("Bandaka", "Mambasa", "Ituri")), ["CD"])
    assert loc is not None and loc.admin1 == "Ituri", loc


def test_an_attackers_demonym_breaks_ties_but_rules_out_no_place(gaz: Gazetteer) -> None:
    text = "Turkish shelling struck a village near Tal Tamr, injuring a child."
    assert weighed_context(gaz, [text]) == (["TR"], True)
    assert places_in(gaz, text, [], ["TR"]) == []
    assert [(p.name, p.iso2) for p in places_in(gaz, text, [], ["TR"], anywhere=True)] == [("Tall Tamr", "SY")]
    assert weighed_context(gaz, ["Turkish shelling struck Tal Tamr in Syria."]) == (["SY", "TR"], False)
    # a demonym still breaks ties: the Lebanese Tripoli, not Libya's larger one
    text = "Lebanese soldiers clashed with gunmen in Tripoli."
    assert [p.iso2 for p in places_in(gaz, text, [], ["LB"], anywhere=True)] == ["LB"]


@pytest.mark.parametrize(("text", "iso2"), [
    ("Dock workers marched in Orange at the call of the CFDT.", "FR"),
    ("Activists protested in Boston against the bill now before the House of Lords.", "GB"),
], ids=["union", "parliament"])
def test_a_national_body_weighs_as_a_demonym(gaz: Gazetteer, nlp, text: str, iso2: str) -> None:
    # a union or a parliament of one country says which of the towns so called is meant, and rules none out
    assert weighed_context(gaz, [text]) == ([iso2], True)
    doc = nlp(text)
    ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    assert [p.iso2 for p in places_in(gaz, text, ents, [iso2], anywhere=True)] == [iso2]
