"""The command line: formats, stdin, bad input, exit status, `sitrep info`."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEED
from sitrep.cli import main

STORY = "Gunmen killed four villagers in an attack on Tuesday near Maiduguri, police said."


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_extract_jsonl_prints_one_line_per_document(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(STORY, "utf-8")
    (tmp_path / "b.txt").write_text(STORY.replace("four", "six"), "utf-8")
    code, out, _ = run(capsys, "extract", "--format", "jsonl", "--published", "2024-05-10", str(tmp_path))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == 2
    assert sorted(e["fatalities"] for d in lines for e in d["events"] if e["event_type"]) == [4, 6]


def test_extract_published_option_resolves_weekdays(tmp_path, capsys):
    path = tmp_path / "a.txt"
    path.write_text(STORY, "utf-8")
    _, out, _ = run(capsys, "extract", "--format", "json", "--published", "2024-05-10", str(path))
    (doc,) = json.loads(out)
    assert doc["events"][0]["date"] == "2024-05-07"


def test_extract_verbose_explains_null_date(tmp_path, capsys):
    path = tmp_path / "a.txt"
    path.write_text(STORY, "utf-8")
    _, out, _ = run(capsys, "extract", "--format", "jsonl", "-v", str(path))
    event = json.loads(out)["events"][0]
    assert event["date"] is None
    assert any(note.startswith("date:") and "anchor" in note for note in event["notes"])


def test_extract_summary_names_claims_and_claimants(capsys):
    code, out, _ = run(capsys, "extract", str(SEED))
    assert code == 0
    assert "Air/drone strike" in out and "Syrian Observatory for Human Rights" in out and "part of #" in out


def test_bad_documents_do_not_stop_the_batch(tmp_path, capsys):
    (tmp_path / "good.txt").write_text(STORY, "utf-8")
    (tmp_path / "empty.txt").write_text("", "utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    jsonl = tmp_path / "batch.jsonl"
    jsonl.write_text(json.dumps({"id": "ok", "text": STORY}) + "\n{not json\n", "utf-8")
    code, out, err = run(capsys, "extract", "--format", "jsonl", str(tmp_path))
    ids = [json.loads(line)["id"] for line in out.splitlines()]
    assert code == 0
    assert "ok" in ids and len(ids) == 2
    errors = [line for line in err.splitlines() if line.startswith("sitrep: error:")]
    assert len(errors) == 3
    assert any("empty.txt" in e for e in errors) and any("binary.txt" in e for e in errors)
    assert any("batch.jsonl:2" in e for e in errors)


def test_nothing_read_exits_non_zero(tmp_path, capsys):
    code, out, err = run(capsys, "extract", str(tmp_path / "missing.txt"))
    assert code == 1 and out == ""
    assert "missing.txt" in err and len(err.strip().splitlines()) == 2


def test_bad_published_date_is_a_clear_error(capsys):
    with pytest.raises(SystemExit):
        main(["extract", "--published", "yesterday", str(SEED)])
    assert "unknown date 'yesterday'" in capsys.readouterr().err


def test_non_english_document_is_reported_and_skipped(tmp_path, capsys):
    path = tmp_path / "fr.txt"
    path.write_text("Des hommes armés ont tué quatre villageois lors d'une attaque mardi près de Maiduguri, "
                    "a déclaré la police. Les victimes travaillaient dans les champs.", "utf-8")
    code, out, err = run(capsys, "extract", "--format", "jsonl", str(path))
    doc = json.loads(out)
    assert doc["language"] == "fr" and doc["events"] == [] and doc["articles"] == []
    assert "not English" in err


@pytest.mark.slow
def test_console_script_reads_stdin():
    exe = Path(sys.executable).with_name("sitrep")
    proc = subprocess.run([str(exe), "extract", "--format", "jsonl", "--published", "2024-05-10", "-"],
                          input=STORY, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["events"][0]["sub_event_type"] == "Attack"


def test_info_prints_pipeline_and_gazetteer(capsys):
    code, out, _ = run(capsys, "info")
    assert code == 0
    assert "core_web_sm" in out and "gazetteer places" in out
    size = next(line for line in out.splitlines() if line.startswith("gazetteer places")).split()[-1]
    assert int(size.replace(",", "")) > 200_000


def test_article_too_long_for_the_parser_is_skipped_not_fatal(tmp_path, capsys):
    (tmp_path / "a_huge.txt").write_text(STORY * 6000, "utf-8")  # ~500k characters in one paragraph
    (tmp_path / "b_small.txt").write_text(STORY, "utf-8")
    code, out, err = run(capsys, "extract", "--format", "jsonl", str(tmp_path))
    docs = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(docs) == 2
    assert docs[0]["events"] == [] and docs[1]["events"]
    assert "a_huge.txt" in err and "character" in err and "limit" in err


def test_ingest_then_export_acled_csv_and_geojson(tmp_path, capsys):
    import csv

    db = str(tmp_path / "t.db")
    (tmp_path / "a.txt").write_text(STORY, "utf-8")
    assert run(capsys, "ingest", "--db", db, "--published", "2024-05-10", str(tmp_path / "a.txt"))[0] == 0
    code, out, _ = run(capsys, "export", "--db", db, "--format", "acled-csv")
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and row["event_date"] == "2024-05-07" and row["fatalities"] == "4"
    assert row["country"] == "Nigeria" and row["event_id_cnty"].startswith("NGA")
    run(capsys, "export", "--db", db, "--format", "geojson", "-o", str(tmp_path / "e.geojson"))
    features = json.loads((tmp_path / "e.geojson").read_text("utf-8"))["features"]
    assert len(features) == 1 and features[0]["geometry"]["type"] == "Point"
    assert run(capsys, "export", "--db", db, "--format", "parquet")[0] == 2  # binary needs -o


# --- merged events: `sitrep events` and `sitrep show` ------------------------------------------------------


def stored_events(db: str) -> None:
    """Two reports of one clash at Kismayo (different sources and tolls) and one report with no place or date."""
    from sitrep import service, tolls
    from sitrep.model import Actor, Article, Claim, DateResolution, Document, Event, Location, Result
    from sitrep.store import Store

    kismayo = Location("Kismayo", "Jubbada Hoose", "Somalia", "SO", -0.35817, 42.54536, 55671, "town")
    shabaab = Actor("Al Shabaab", "Rebel group", "Somalia")
    army = Actor("Military Forces of Somalia", "State forces", "Somalia")

    def document(doc_id, place, day, count, claimant, actor2, source):
        written = f"{count} soldiers"
        claims = [Claim("killed", count, written, "exact", "text", 0, len(written), f"{written} were killed.",
                        subject="soldiers", claimant=claimant, group="state_forces")] if count else []
        text = " ".join(c.sentence for c in claims) or "Fighting was reported."
        toll = tolls.toll(claims)
        date = DateResolution(day, precision="day", reason="given") if day else DateResolution(None, reason="none")
        event = Event(0, "Battles", "Armed clash", date, place, shabaab, actor2, claims, [text], toll.fatalities,
                      toll.low, toll.high)
        doc = Document(doc_id, text, f"test:{doc_id}", published=dt.date(2017, 9, 5), source=source,
                       url=f"https://example.org/{doc_id}")
        return doc, Result(doc_id, "en", [Article(None, None, text, doc.published)], [event], origin=doc.origin)

    with Store.open(db) as store:
        for args in (("a", kismayo, dt.date(2017, 9, 3), 7, "regional officials", army, "Example Wire"),
                     ("b", kismayo, dt.date(2017, 9, 3), 26, None, army, "Other Wire"),
                     ("c", None, None, 0, None, None, None)):
            service.add(store, *document(*args))


def test_events_table_and_csv_keep_their_columns_and_empty_cells(tmp_path, capsys):
    db = str(tmp_path / "e.db")
    stored_events(db)
    assert run(capsys, "events", "--db", db)[1] == (
        "id               date        event_type  sub_event_type  location  country  actor1      fatalities  reports\n"
        "ev-d7e98967056f  2017-09-03  Battles     Armed clash     Kismayo   Somalia  Al Shabaab  7           2      \n"
        "ev-ef7346218d4b              Battles     Armed clash                        Al Shabaab  0           1      \n")
    assert run(capsys, "events", "--db", db, "--format", "csv")[1] == (
        "id,date,event_type,sub_event_type,location,admin1,country,actor1,actor2,fatalities,fatalities_low,"
        "fatalities_high,reports\n"
        "ev-d7e98967056f,2017-09-03,Battles,Armed clash,Kismayo,Jubbada Hoose,Somalia,Al Shabaab,"
        "Military Forces of Somalia,7,7,26,2\n"
        "ev-ef7346218d4b,,Battles,Armed clash,,,,Al Shabaab,,0,,,1\n")
    assert run(capsys, "events", "--db", db, "--country", "Kenya")[1] == "no events match\n"
    (event,) = json.loads(run(capsys, "events", "--db", db, "--format", "json", "--limit", "1")[1])
    assert [r["source"] for r in event["reports"]] == ["Example Wire", "Other Wire"] and event["reasons"]


def test_show_prints_the_toll_each_report_its_claims_and_why_merged(tmp_path, capsys):
    from sitrep import __version__

    db = str(tmp_path / "s.db")
    stored_events(db)
    out = run(capsys, "show", "--db", db, "ev-d7e98967056f")[1].splitlines()
    assert out[:-1] == [
        "event ev-d7e98967056f: Battles / Armed clash",
        "   when: 2017-09-03   where: Kismayo, Jubbada Hoose, Somalia",
        "   who: Al Shabaab vs Military Forces of Somalia",
        "   fatalities: 7 (low 7, high 26)",
        "   2 report(s) from 2 independent stories:",
        f"-- report a/0  source: Example Wire  published: 2017-09-05  extractor {__version__}",
        "   url: https://example.org/a",
        "   Battles / Armed clash, 2017-09-03, Kismayo, fatalities 7",
        '   #0 killed: "7 soldiers" — regional officials (text 0–10)',
        f"-- report b/0  source: Other Wire  published: 2017-09-05  extractor {__version__}",
        "   url: https://example.org/b",
        "   Battles / Armed clash, 2017-09-03, Kismayo, fatalities 26",
        '   #0 killed: "26 soldiers" — unattributed (text 0–11)',
        "why merged:",
    ]
    assert out[-1].startswith("   b/0 merged with a/0: ")
    assert run(capsys, "show", "--db", db, "ev-ef7346218d4b")[1] == (
        "event ev-ef7346218d4b: Battles / Armed clash\n"
        "   when: date unknown   where: place unknown\n"
        "   who: Al Shabaab\n"
        "   fatalities: 0\n"
        "   1 report(s) from 1 independent story:\n"
        f"-- report c/0  source: unknown  published: 2017-09-05  extractor {__version__}\n"
        "   url: https://example.org/c\n"
        "   Battles / Armed clash, date unknown, place unknown, fatalities 0\n")


@pytest.mark.parametrize("command", ["events", "export", "show", "reprocess"])
def test_a_database_file_that_is_not_there_is_an_error_not_a_new_one(tmp_path, capsys, command):
    typo = tmp_path / "sitrp.db"
    extra = {"export": ["--format", "jsonl"], "show": ["ev-1"]}.get(command, [])
    assert main([command, "--db", str(typo), *extra]) == 2
    assert f"no database at {typo}" in capsys.readouterr().err and not typo.exists()


@pytest.mark.parametrize("option", [["--limit", "-1"], ["--limit", "0"], ["--offset", "-3"],
                                    ["--min-fatalities", str(2**63)]])
def test_counts_out_of_range_are_refused(tmp_path, capsys, option):
    with pytest.raises(SystemExit) as stop:
        main(["events", "--db", str(tmp_path / "x.db"), *option])
    assert stop.value.code == 2 and "out of range" in capsys.readouterr().err
