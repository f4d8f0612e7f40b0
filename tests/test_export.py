"""export: the JSON contract round-trips; the summary shows claims with claimants."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from checks import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from sitrep import export
from sitrep.model import Actor, Claim, DateResolution, Event, EventSummary, Location, MergedEvent, Report


def test_jsonl_is_one_line_per_document_and_valid_json(extract):
    result = extract(
        "Gunmen killed four villagers near Maiduguri on Tuesday, police said.", published="2024-05-10"
    )
    buf = io.StringIO()
    export.to_jsonl(result, buf)
    (line,) = buf.getvalue().splitlines()
    doc = json.loads(line)
    assert doc["events"][0]["claims"][0]["claimant"] == "police"
    assert doc["events"][0]["date"] == "2024-05-07"


def test_summary_names_unattributed_claims(extract):
    text = "A car bomb killed five people in Kirkuk on Monday."
    out = export.summary(extract(text, published="2024-05-10"))
    assert "unattributed" in out and '"five people"' in out


@settings(max_examples=examples(25), deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_extraction_never_raises_and_offsets_stay_inside(extract, text):
    result = extract(text or "x")
    for event in result.events:
        assert event.fatalities_low is None or event.fatalities_low <= event.fatalities_high
        for claim in event.claims:
            field = result.articles[claim.article].field_text(claim.field)
            assert 0 <= claim.start <= claim.end <= len(field)
    json.dumps(result.to_dict())


# --- merged events ------------------------------------------------------------------------------

TADMUR = Location("Tadmur", "Homs", "Syria", "SY", 34.56, 38.28, 170991, "town")
ISRAEL = Actor("Israel", "External/Other forces")
CIVILIANS = Actor("Civilians (Syria)", "Civilians")


def _claim(count: int, claimant: str | None, sentence: str) -> Claim:
    written = f"{count} people"
    start = sentence.find(str(count))
    return Claim(
        "killed", count, written, "exact", "text", start, start + len(written), sentence, claimant=claimant
    )


def _merged(
    event_id: str = "doc-a/0",
    location: Location | None = TADMUR,
    date: DateResolution | None = None,
    actor1: Actor | None = ISRAEL,
    actor2: Actor | None = CIVILIANS,
    event_type: str | None = "Explosions/Remote violence",
) -> MergedEvent:
    date = date or DateResolution(dt.date(2024, 11, 20), precision="day")
    s1 = "Israeli strikes on Palmyra killed 71 people, the Syrian Observatory for Human Rights said."
    s2 = "The defence ministry said 36 people were killed in the strikes on Palmyra."
    reports = [
        Report(
            "doc-a/0",
            "doc-a",
            Event(
                0,
                event_type,
                "Air/drone strike",
                claims=[_claim(71, "Syrian Observatory for Human Rights", s1)],
                evidence=[s1],
            ),
            source="AFP",
            url="https://example.org/a",
            published=dt.date(2024, 11, 21),
        ),
        Report(
            "doc-b/0",
            "doc-b",
            Event(
                0,
                event_type,
                "Air/drone strike",
                claims=[_claim(36, "Syria's defense ministry", s2)],
                evidence=[s2],
            ),
            source="Reuters",
            url="https://example.net/b",
        ),
    ]
    return MergedEvent(
        event_id, event_type, "Air/drone strike" if event_type else None, date, location,
        actor1, actor2, 36, 36, 71, reports, ["same place and day"],
    )  # fmt: skip


def _acled_rows(events, **kw) -> list[dict[str, str]]:
    buf = io.StringIO()
    export.to_acled_csv(events, buf, timestamp=1732147200, **kw)
    return list(csv.DictReader(io.StringIO(buf.getvalue())))


def test_acled_csv_has_acled_columns_first_then_extras():
    buf = io.StringIO()
    export.to_acled_csv([_merged()], buf, timestamp=0)
    header = next(csv.reader(io.StringIO(buf.getvalue())))
    assert header[: len(export.ACLED_COLUMNS)] == list(export.ACLED_COLUMNS)
    assert {"fatalities_low", "fatalities_high", "claims"} <= set(header)


def test_acled_csv_codes_follow_acled_conventions():
    (row,) = _acled_rows([_merged()])
    assert row["event_id_cnty"].startswith("SYR") and row["event_id_cnty"][3:].isdigit()
    assert row["event_date"] == "2024-11-20" and row["year"] == "2024" and row["time_precision"] == "1"
    assert (row["inter1"], row["inter2"], row["interaction"]) == ("8", "7", "78")
    assert row["civilian_targeting"] == "Civilian targeting"
    assert (row["iso"], row["country"], row["admin1"], row["location"]) == ("760", "Syria", "Homs", "Tadmur")
    assert (row["latitude"], row["longitude"], row["geo_precision"]) == ("34.56", "38.28", "1")
    assert row["source"] == "AFP; Reuters"
    assert (row["fatalities"], row["fatalities_low"], row["fatalities_high"]) == ("36", "36", "71")
    assert row["timestamp"] == "1732147200"
    claims = json.loads(row["claims"])
    assert [(c["count"], c["claimant"], c["source"]) for c in claims] == [
        (71, "Syrian Observatory for Human Rights", "AFP"),
        (36, "Syria's defense ministry", "Reuters"),
    ]
    assert row["notes"].startswith("Israeli strikes on Palmyra killed 71 people")


def test_acled_csv_event_id_is_stable_and_distinct():
    a1, a2, b = (_acled_rows([_merged(i)])[0]["event_id_cnty"] for i in ("doc-a/0", "doc-a/0", "doc-c/3"))
    assert a1 == a2 != b


@pytest.mark.parametrize(
    ("actor1", "actor2", "inter1", "inter2", "interaction"),
    [
        (Actor("Military Forces of Syria", "State forces"), Actor("HTS", "Rebel group"), "1", "2", "12"),
        (Actor("HTS", "Rebel group"), Actor("Military Forces of Syria", "State forces"), "2", "1", "12"),
        (Actor("Protesters (Syria)", "Protesters"), None, "6", "0", "60"),
        (Actor("Unidentified Armed Group", None), Actor("Civilians (Syria)", "Civilians"), "", "7", ""),
        (None, None, "", "", ""),
    ],
)
def test_acled_csv_inter_codes_and_interaction(actor1, actor2, inter1, inter2, interaction):
    (row,) = _acled_rows([_merged(actor1=actor1, actor2=actor2)])
    assert (row["inter1"], row["inter2"], row["interaction"]) == (inter1, inter2, interaction)


@pytest.mark.parametrize(
    ("date", "precision"),
    [
        (DateResolution(dt.date(2024, 11, 20), precision="day"), "1"),
        (DateResolution(dt.date(2024, 11, 18), precision="week"), "2"),
        (DateResolution(dt.date(2024, 11, 1), precision="month"), "3"),
        (DateResolution(dt.date(2024, 11, 18), dt.date(2024, 11, 20), precision="day"), "2"),
        (DateResolution(dt.date(2024, 10, 1), dt.date(2024, 11, 20), precision="day"), "3"),
        (DateResolution(None, reason="no date found"), ""),
    ],
)
def test_acled_csv_time_precision(date, precision):
    (row,) = _acled_rows([_merged(date=date)])
    assert row["time_precision"] == precision
    assert (row["event_date"] == "") == (date.date is None)


@pytest.mark.parametrize(
    ("precision", "geo", "admin2"),
    [("town", "1", ""), ("district", "2", "Tadmur"), ("province", "3", ""), ("country", "3", "")],
)
def test_acled_csv_geo_precision(precision, geo, admin2):
    loc = Location("Tadmur", "Homs", "Syria", "SY", 34.56, 38.28, None, precision)
    (row,) = _acled_rows([_merged(location=loc)])
    assert (row["geo_precision"], row["admin2"]) == (geo, admin2)


@pytest.mark.parametrize(
    ("geonames", "iso2", "acled"),
    [("Palestinian Territory", "PS", "Palestine"), ("Democratic Republic of the Congo", "CD",
     "Democratic Republic of Congo"), ("Ivory Coast", "CI", "Ivory Coast"), ("Atlantis", "QQ", "Atlantis")],
)
def test_acled_csv_writes_acled_country_names_and_json_keeps_geonames(geonames, iso2, acled):
    loc = Location("Somewhere", None, geonames, iso2, 31.5, 34.4, None, "town")
    (row,) = _acled_rows([_merged(location=loc)])
    assert row["country"] == acled  # a code ACLED does not list keeps the gazetteer's name
    assert export.event_dict(_merged(location=loc))["location"]["country"] == geonames


def test_acled_csv_leaves_unknowns_empty():
    event = _merged(location=None, actor1=None, actor2=None, event_type=None,
                    date=DateResolution(None, reason="no date found"))  # fmt: skip
    (row,) = _acled_rows([event])
    for col in ("event_date", "year", "event_type", "iso", "country", "latitude", "longitude",
                "geo_precision", "source_scale", "tags", "civilian_targeting", "actor1"):  # fmt: skip
        assert row[col] == "", col
    assert row["event_id_cnty"].isdigit()  # no country, no ISO3 prefix invented
    assert row["fatalities"] == "36"


@pytest.mark.parametrize(
    ("iso2", "codes"), [("SY", ("SYR", 760)), ("ng", ("NGA", 566)), ("XK", ("XKX", 0)), (None, None)]
)
def test_country_codes_are_iso_3166(iso2, codes):
    assert export.country_codes(iso2) == codes


def _assert_valid_geojson(doc: dict) -> None:
    """RFC 7946 for what we write: a FeatureCollection of Point features (or null geometry)."""
    assert doc["type"] == "FeatureCollection" and isinstance(doc["features"], list)
    for feature in doc["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["properties"], dict)
        geom = feature["geometry"]
        if geom is None:
            continue
        assert geom["type"] == "Point"
        lon, lat = geom["coordinates"]
        assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lon, lat))
        assert -180 <= lon <= 180 and -90 <= lat <= 90


def test_geojson_is_valid_points_in_lon_lat_order():
    elsewhere = _merged("doc-z/1", location=None)
    buf = io.StringIO()
    export.to_geojson([_merged(), elsewhere], buf)
    doc = json.loads(buf.getvalue())
    _assert_valid_geojson(doc)
    first, second = doc["features"]
    assert first["geometry"]["coordinates"] == [38.28, 34.56]
    assert first["properties"]["fatalities_high"] == 71 and first["properties"]["location"] == "Tadmur"
    assert isinstance(first["properties"]["claims"], list)
    assert second["geometry"] is None


def test_events_jsonl_keeps_every_report_and_claim():
    buf = io.StringIO()
    export.to_events_jsonl([_merged(), _merged("doc-c/0")], buf)
    lines = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert [d["id"] for d in lines] == ["doc-a/0", "doc-c/0"]
    assert [r["source"] for r in lines[0]["reports"]] == ["AFP", "Reuters"]
    assert lines[0]["reports"][0]["event"]["claims"][0]["count"] == 71
    assert lines[0]["reports"][0]["published"] == "2024-11-21"


def test_flat_csv_uses_sitrep_field_names():
    buf = io.StringIO()
    export.to_csv([_merged()], buf)
    (row,) = csv.DictReader(io.StringIO(buf.getvalue()))
    assert list(row) == list(export.FLAT_COLUMNS)
    assert (row["date"], row["iso3"], row["actor2_type"], row["report_count"]) == (
        "2024-11-20",
        "SYR",
        "Civilians",
        "2",
    )


def test_parquet_reads_back_with_types(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "events.parquet"
    export.write_events([_merged(), _merged("doc-q/0", location=None)], "parquet", path)
    table = pq.read_table(path)
    assert table.column_names == list(export.FLAT_COLUMNS)
    assert table.schema.field("date").type == pa.date32()
    assert table.schema.field("fatalities_high").type == pa.int64()
    rows = table.to_pylist()
    assert rows[0]["date"] == dt.date(2024, 11, 20) and rows[0]["lat"] == 34.56
    assert rows[1]["lat"] is None and rows[1]["iso3"] is None
    try:
        import pandas  # noqa: F401
    except ImportError:
        return
    frame = __import__("pandas").read_parquet(path)
    assert list(frame["id"]) == ["doc-a/0", "doc-q/0"]


def test_parquet_goes_through_a_text_stream_buffer():
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    raw = io.BytesIO()
    stdout_like = io.TextIOWrapper(raw)
    export.write_events([_merged()], "parquet", stdout_like)
    assert not stdout_like.closed
    assert pq.read_table(io.BytesIO(raw.getvalue())).num_rows == 1


@pytest.mark.parametrize("fmt", [f for f in export.FORMATS if f != "parquet"])
def test_write_events_to_a_path_for_every_text_format(tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    export.write_events([_merged()], fmt, path)
    assert "Tadmur" in path.read_text("utf-8")


def test_write_events_rejects_an_unknown_format():
    with pytest.raises(ValueError, match="unknown export format"):
        export.write_events([], "xlsx", io.StringIO())


def test_acled_csv_of_an_extracted_event(extract):
    result = extract(
        "Gunmen killed four villagers near Maiduguri on Tuesday, police said.",
        published="2024-05-10",
        doc_id="d1",
    )
    event = result.events[0]
    merged = MergedEvent(
        "d1/0", event.event_type, event.sub_event_type, event.date, event.location, event.actor1,
        event.actor2, event.fatalities, event.fatalities_low, event.fatalities_high,
        [Report("d1/0", "d1", event, source="Premium Times")],
    )  # fmt: skip
    (row,) = _acled_rows([merged])
    assert row["event_date"] == "2024-05-07" and row["fatalities"] == "4"
    assert row["iso"] == "566" and row["event_id_cnty"].startswith("NGA")
    assert json.loads(row["claims"])[0]["claimant"] == "police"


def test_export_rows_are_built_from_the_event_dict():
    fields = export.event_dict(_merged())
    flat, acled = export.flat_row(fields), export.acled_row(fields, timestamp=0)
    claims = [{"report": r["id"], "source": r["source"], "url": r["url"], **c}
              for r in fields["reports"] for c in r["event"]["claims"]]  # fmt: skip
    assert json.loads(flat["claims"]) == json.loads(acled["claims"]) == claims
    assert (flat["id"], flat["date"], flat["location"], flat["fatalities_high"]) == (
        fields["id"], fields["date"], fields["location"]["name"], fields["fatalities_high"])
    assert (acled["sitrep_event_id"], acled["event_date"], acled["report_count"]) == (fields["id"], "2024-11-20", 2)
    assert export.flat_row(fields, dates=True)["date"] == dt.date(2024, 11, 20)


def test_summary_dict_is_the_event_dict_without_reports_with_their_count_and_sources():
    event = _merged()
    summary = EventSummary(
        event.id, event.event_type, event.sub_event_type, event.date, event.location, event.actor1, event.actor2,
        event.fatalities, event.fatalities_low, event.fatalities_high, report_count=2, independent_reports=2,
        sources=("AFP", "Reuters"), reasons=("same place and day",),
    )  # fmt: skip
    expected = {k: v for k, v in export.event_dict(event).items() if k != "reports"}
    expected |= {"report_count": 2, "sources": ["AFP", "Reuters"]}
    got = export.summary_dict(summary)
    assert got == expected and list(got) == list(expected)


def test_event_text_tells_each_report_with_its_claims_and_why_merged():
    event = _merged()
    event.reports[1].copy_of, event.reports[1].outlet = "doc-a", "example.net"
    event.reports[1].event.claims[0].part_of = 0
    lines = export.event_text(export.event_dict(event)).splitlines()
    assert lines[:5] == [
        "event doc-a/0: Explosions/Remote violence / Air/drone strike",
        "   when: 2024-11-20   where: Tadmur, Homs, Syria",
        "   who: Israel vs Civilians (Syria)",
        "   fatalities: 36 (low 36, high 71)",
        "   2 report(s) from 1 independent story:",
    ]
    assert "-- report doc-b/0  source: Reuters via example.net  published: unknown  extractor   (a copy of doc-a)" in lines
    assert '   #0 killed: "36 people" — Syria\'s defense ministry [part of #0] (text 26–35)' in lines
    assert lines[-2:] == ["why merged:", "   same place and day"]


def test_acled_csv_codes_a_town_the_event_is_only_near_as_precision_two():
    near = Location("Tadmur", "Homs", "Syria", "SY", 34.56, 38.28, 170991, "town", near=True, mentioned="Qqzzyq")
    (row,) = _acled_rows([_merged(location=near)])
    assert (row["location"], row["geo_precision"]) == ("Tadmur", "2")
    assert export.event_dict(_merged(location=near))["location"]["mentioned"] == "Qqzzyq"
