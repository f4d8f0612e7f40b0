"""Hostile input and faults: bounded time on adversarial text, a typed one-line error for each bad input,
and faults (a PostgreSQL restart, a full disk) that lose and half-write nothing.

The README's "Robustness" table lists the same cases.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from checks import check_error, check_result
from conftest import PgServer
from test_store import KISMAYO, killed, report_result, snapshot, write_jsonl

from sitrep import service
from sitrep.cli import main
from sitrep.ingest import read_inputs
from sitrep.model import Document, InputError, Problem, Result
from sitrep.service import ingest_documents
from sitrep.store import Store
from sitrep.workers import WorkerPool

HERE = Path(__file__).resolve().parent
SITREP = [sys.executable, "-m", "sitrep.cli"]
STORY = "Gunmen kill five in Kabul\n\nGunmen killed five people at a market in Kabul on Monday, police said.\n"
ARABIC = "قتل مسلحون خمسة أشخاص في سوق في كابول يوم الاثنين، بحسب ما أفادت الشرطة. وقال مسؤولون إن الهجوم وقع صباحا."


# --- time: nothing super-linear -------------------------------------------------------------------


@pytest.mark.slow
def test_no_regular_expression_is_superlinear_on_adversarial_text():
    # A linear scan of 30,000 characters takes milliseconds; a quadratic one seconds (tests/regex_scan.py).
    try:
        proc = subprocess.run([sys.executable, str(HERE / "regex_scan.py"), "--chars", "30000", "--limit", "1.0"],
                              capture_output=True, text=True, timeout=600, check=False)
    except subprocess.TimeoutExpired as exc:
        last = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()[-1:]
        pytest.fail(f"the regex scan did not finish; it was {last}")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "no pattern was slow" in proc.stdout
    assert int(proc.stdout.split(" patterns")[0]) >= 50  # it did see sitrep's patterns


ADVERSARIAL = {  # ~100,000 characters each: a long article's size, none of it a normal sentence
    "digits": "1" * 100_000,
    "digits and spaces": "1 " * 50_000,
    "spaces": "Gunmen killed 5." + " " * 100_000 + "x",
    "nested brackets": "(" * 50_000 + "Gunmen killed 5 in Kabul." + ")" * 50_000,
    "one long word": "A" * 100_000,
    "capitalised words": "Abc " * 25_000,
    "no full stop": "Gunmen killed 5 people in Kabul, police said, and " * 2_000,
    "numbers everywhere": "12 killed, 3 wounded, 1,200 displaced; " * 2_500,
}


@pytest.fixture(scope="module")
def pool():
    """One worker process with a per-document budget far above what any of these documents needs."""
    with WorkerPool(1, chunk=1, budget=120) as p:
        yield p


@pytest.mark.slow
def test_adversarial_documents_finish_well_within_their_budget(pool):
    docs = [Document(name, text, name) for name, text in ADVERSARIAL.items()]
    outcomes = list(pool.extract_many(docs))
    assert [getattr(o, "id", None) or o.source for o in outcomes] == list(ADVERSARIAL)
    for outcome in outcomes:
        assert isinstance(outcome, Result), f"{outcome}"  # not a timeout, not a crash
        check_result(outcome)


def test_ten_thousand_nested_html_tags_give_a_clear_error_not_a_hang(tmp_path):
    page = tmp_path / "nested.html"
    inner = "<p>Gunmen killed five people at a market in Kabul on Monday, police said.</p>"
    page.write_text("<html><body>" + "<div>" * 10_000 + inner + "</div>" * 10_000 + "</body></html>")
    started = time.monotonic()
    (item,) = read_inputs([str(page)])
    assert time.monotonic() - started < 30  # milliseconds in fact; a hang would be minutes
    assert isinstance(item, InputError) and item.kind is Problem.NO_TEXT and "nest deeper" in item.problem
    shallow = tmp_path / "shallow.html"
    shallow.write_text("<html><body>" + "<div>" * 200 + inner + "</div>" * 200 + "</body></html>")
    (doc,) = read_inputs([str(shallow)])
    assert isinstance(doc, Document) and "Gunmen killed five" in doc.text


# --- inputs: each gets a result or a typed one-line error -----------------------------------------


def _write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def _big_file(path: Path) -> Path:
    with path.open("w") as fh:
        for _ in range(50_000_000 // len(STORY) + 1):
            fh.write(STORY)
    return path


JSONL = (
    '{"id": "a", "text": "Gunmen killed five people in Kabul on Monday, police said.", "published": "2024-03-04"}\n'
    '{"id": "b", "text": \n'
    "\x00\x01 garbage line\n"
    '{"id": "c", "text": "Police arrested 12 protesters in Lagos on Friday.", "published": "2024-03-09"}\n'
    '["not", "a", "record"]\n'
    '{"id": "d", "text": "Gunmen killed two.", "published": "someday"}\n'
)

# name -> (file name, content, expected: a Problem for an error, "en" for extracted English, "skipped")
INPUTS = {
    "0 bytes": ("empty.txt", b"", Problem.EMPTY),
    "white space only": ("blank.txt", " \n\t\n ", Problem.EMPTY),
    "50 MB of text": ("big.txt", _big_file, Problem.TOO_LARGE),
    "binary": ("photo.jpg", bytes(range(256)) * 40, Problem.BINARY),
    "invalid UTF-8": ("bad.txt", STORY.encode()[:40] + b"\xff\xfe" + STORY.encode()[40:], "en"),
    "UTF-16 with BOM": ("utf16.txt", STORY.encode("utf-16"), "en"),
    "Windows-1256 Arabic": ("arabic.txt", ARABIC.encode("cp1256"), "skipped"),
    "mixed right-to-left text": ("rtl.txt", STORY.replace("a market", "the \u202bسوق الكبير\u202c market")
                                 .replace("police said", "police spokesman \u200fخالد زدران\u200f said"), "en"),
    "emoji": ("emoji.txt", STORY.replace("five", "five 😢").replace("Kabul", "Kabul 🔥👨‍👩‍👧"), "en"),
    "control characters": ("ctl.txt", STORY.replace("killed", "killed\x1b[31m\x07").replace("Monday", "Mon\x00day"), "en"),
    "HTML with no body": ("head.html", "<html><head><title>Gunmen kill five in Kabul</title></head></html>", "en"),
    "HTML with nothing in it": ("void.html", "<html><head></head><body><script>x()</script></body></html>",
                                Problem.NO_TEXT),
    "gzip": ("story.txt.gz", gzip.compress(STORY.encode()), "en"),
    "corrupt gzip": ("broken.txt.gz", gzip.compress(STORY.encode())[:30], Problem.MALFORMED),
    "gzip bomb": ("bomb.txt.gz", gzip.compress(b"a" * 30_000_000), Problem.TOO_LARGE),
}


@pytest.mark.parametrize("case", list(INPUTS))
def test_each_kind_of_input_gets_a_result_or_a_typed_error(tmp_path, capsys, case):
    name, content, expected = INPUTS[case]
    path = content(tmp_path / name) if callable(content) else _write(tmp_path / name, content)
    items = list(read_inputs([str(path)], max_bytes=20_000_000))
    assert len(items) == 1
    (item,) = items
    if isinstance(expected, Problem):
        assert isinstance(item, InputError) and item.kind is expected, item
        check_error(item)
        assert item.source == str(path)
    else:
        assert isinstance(item, Document), item
        assert not any(ch < " " and ch not in "\t\n" for ch in item.text)  # control characters are gone
    # the same through the command line: one line on stderr naming the input, never a traceback
    code = main(["extract", "--workers", "0", "--format", "jsonl", "--published", "2024-03-05", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    if isinstance(expected, Problem):
        assert code == 1 and out == ""
        assert [line for line in err.splitlines() if line.startswith("sitrep: error:")] == [
            f"sitrep: error: {path}: {item.problem}"]
        return
    assert code == 0
    (line,) = out.splitlines()
    doc = json.loads(line)
    if expected == "skipped":
        assert doc["skipped"] and doc["events"] == [] and f"sitrep: skipped {path}" in err
        return
    assert doc["language"] == "en" and doc["events"], doc
    main_event = doc["events"][0]
    assert main_event["event_type"] is not None and main_event["fatalities"] == 5
    for claim in main_event["claims"]:
        field = doc["articles"][claim["article"]][claim["field"]]
        assert field[claim["start"] : claim["end"]] == claim["as_written"]


def test_a_jsonl_file_with_broken_lines_keeps_the_good_ones(tmp_path, capsys):
    path = _write(tmp_path / "mixed.jsonl", JSONL)
    items = list(read_inputs([str(path)]))
    assert [i.id if isinstance(i, Document) else (i.source, i.kind) for i in items] == [
        "a", (f"{path}:2", Problem.MALFORMED), (f"{path}:3", Problem.BINARY), "c",
        (f"{path}:5", Problem.BAD_RECORD), (f"{path}:6", Problem.UNKNOWN_DATE)]
    assert main(["extract", "--workers", "0", "--format", "jsonl", str(path)]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["a", "c"]
    assert len([line for line in err.splitlines() if line.startswith("sitrep: error:")]) == 4


def test_the_size_limit_is_configurable(tmp_path, capsys):
    path = _write(tmp_path / "story.txt", STORY)
    assert main(["extract", "--workers", "0", "--max-bytes", "50", str(path)]) == 1
    assert f"too large: {len(STORY.encode())} bytes > 50 bytes limit" in capsys.readouterr().err


# --- faults: nothing lost, nothing half-written ------------------------------------------------------


def _ingest(*args: str, env: dict[str, str] | None = None, preexec=None) -> subprocess.Popen:
    """`sitrep ingest` in a fresh process, in this process (no worker processes), so that faults hit it."""
    import os

    return subprocess.Popen([*SITREP, "ingest", "--workers", "0", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})},
                            preexec_fn=preexec)  # noqa: PLW1509 - the only way to limit the child alone; no threads here


def _wait_for_documents(count, proc: subprocess.Popen, at_least: int) -> int:
    """Poll until the ingest has stored at least this many documents (or ended); the count."""
    deadline = time.monotonic() + 180
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None and stored < at_least:
        time.sleep(0.1)
        with contextlib.suppress(sqlite3.Error, psycopg.Error):  # busy or down for a moment: poll again
            stored = count()
    return stored


@pytest.fixture
def own_pg():
    """A PostgreSQL server of this test's own, free to be crashed and restarted, that keeps what it acknowledged."""
    server = PgServer(durable=True)
    try:
        yield server
    finally:
        try:
            server.remove()
        except subprocess.CalledProcessError:  # already stopped by the test
            pass


def _pg_count(url: str):
    def count() -> int:
        with psycopg.connect(url, connect_timeout=2) as conn:
            return conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    return count


@pytest.mark.slow
def test_postgresql_restarted_mid_ingest_the_ingest_resumes_and_loses_nothing(own_pg, tmp_path, extractor):
    url, jsonl = own_pg.new_database(), tmp_path / "news.jsonl"
    ids = write_jsonl(jsonl, 300)
    proc = _ingest("--db", url, str(jsonl))
    before = _wait_for_documents(_pg_count(url), proc, 30)
    assert proc.poll() is None, "the ingest finished before the restart"
    own_pg.stop("immediate")  # as a crash: every transaction in flight is aborted
    time.sleep(1.0)
    own_pg.start()
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and before >= 30
    with Store.open(url) as s:
        assert sorted(d.document.id for d in s.documents()) == ids and s.check() == []
        counts, after = s.counts(), snapshot(s)
    with Store.open(str(tmp_path / "ref.db")) as ref:
        list(ingest_documents(ref, read_inputs([str(jsonl)]), lambda: extractor))
        assert ref.counts() == counts and snapshot(ref) == after


@pytest.mark.slow
def test_an_open_store_reads_again_after_a_postgresql_restart(own_pg):
    url = own_pg.new_database()
    with Store.open(url) as s:
        service.add(s, *report_result("a", KISMAYO, dt.date(2017, 9, 3), [killed(7, "regional officials", "soldiers")]))
        before = snapshot(s)
        own_pg.stop("immediate")
        own_pg.start()
        assert snapshot(s) == before and s.counts()["documents"] == 1  # a long-lived reader (sitrep serve) recovers
        service.add(s, *report_result("b", KISMAYO, dt.date(2017, 9, 3), [killed(9, "Al-Shabab", "soldiers")]))
        assert s.counts()["documents"] == 2 and s.check() == []


@pytest.mark.slow
def test_postgresql_gone_for_good_the_ingest_fails_cleanly_and_a_rerun_finishes(own_pg, tmp_path):
    url, jsonl = own_pg.new_database(), tmp_path / "news.jsonl"
    ids = write_jsonl(jsonl, 160)
    proc = _ingest("--db", url, str(jsonl), env={"SITREP_DB_RECONNECT": "3"})
    _wait_for_documents(_pg_count(url), proc, 20)
    own_pg.stop("immediate")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("sitrep: error:")]
    assert len(errors) == 1 and "did not come back within 3 s" in errors[0] and "nothing of this document" in errors[0]
    own_pg.start()
    with Store.open(url) as s:
        assert s.check() == [] and 20 <= s.counts()["documents"] < 160
    rerun = _ingest("--db", url, str(jsonl))
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    with Store.open(url) as s:
        assert sorted(d.document.id for d in s.documents()) == ids and s.check() == []


@pytest.mark.slow
def test_disk_full_on_sqlite_is_a_clean_error_and_the_database_stays_intact(tmp_path):
    jsonl, db = tmp_path / "news.jsonl", tmp_path / "full.db"
    ids = write_jsonl(jsonl, 120)
    first = tmp_path / "first.jsonl"
    first.write_text("".join(jsonl.read_text("utf-8").splitlines(keepends=True)[:10]), "utf-8")
    assert _ingest("--db", str(db), str(first)).communicate(timeout=300) and db.exists()
    with Store.open(str(db)) as s:
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        kept = snapshot(s)
    limit = db.stat().st_size + 48_000  # room for a few documents, then the file-size limit: a full disk

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = _ingest("--db", str(db), str(jsonl), preexec=small_disk)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 2 and "Traceback" not in err, err
    errors = [line for line in err.splitlines() if line.startswith("sitrep: error:")]
    assert len(errors) == 1 and "cannot write" in errors[0] and "everything stored before it is intact" in errors[0]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Store.open(str(db)) as s:
        assert s.check() == []
        stored = [d.document.id for d in s.documents()]
        assert ids[:10] == sorted(stored)[:10] and len(stored) < 120
        assert {e[0] for e in kept} <= {e[0] for e in snapshot(s)}
    rerun = _ingest("--db", str(db), str(jsonl))  # with room again, the same command finishes the job
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    with Store.open(str(db)) as s:
        assert sorted(d.document.id for d in s.documents()) == ids and s.check() == []


def test_store_errors_are_typed(tmp_path):
    from sitrep.store import StoreDown, StoreError, StoreFull, StoreLocked

    assert all(issubclass(e, StoreError) for e in (StoreDown, StoreFull, StoreLocked))
    with pytest.raises(StoreError, match="cannot connect"):
        Store.open("postgresql://nobody@127.0.0.1:1/none")
