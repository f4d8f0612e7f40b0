"""The command line: formats, stdin, bad input, exit status, `sitrep info`."""

from __future__ import annotations

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
