"""Tests for sitrep.ingest: every input gives a Document or an InputError, and the batch goes on."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
import tempfile
from pathlib import Path

import pytest
from checks import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitrep.clean import clean
from sitrep.ingest import content_id, detect_language, read_inputs
from sitrep.model import Document, InputError

ARABIC = (
    "قالت وزارة الدفاع السورية إن الغارات الإسرائيلية على مدينة تدمر أسفرت عن مقتل 36 شخصا "
    "وإصابة أكثر من 50 آخرين، بحسب المرصد السوري لحقوق الإنسان."
)
STORY = (
    "Gunmen Kill Five Soldiers in Northern Mali\n\n"
    "Gunmen killed five soldiers on Monday in an attack on a checkpoint near Gao, the army said.\n\n"
    "The attackers fled on motorbikes, a local official said."
)
HTML_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Gunmen Kill Five Soldiers in Mali | Example News</title>
<meta property="article:published_time" content="2024-03-05T08:00:00Z">
<link rel="canonical" href="https://example.org/mali-attack"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Gunmen Kill Five Soldiers in Northern Mali</h1>
<figure><img src="gao.jpg" alt="Soldiers at a checkpoint near Gao">
<figcaption>Malian soldiers at a checkpoint near Gao, in a 2022 photo.</figcaption></figure>
<p>Gunmen killed five soldiers on Monday in an attack on a checkpoint near Gao, the army said in a statement
released late in the evening.</p>
<p>The attackers fled on motorbikes toward the border with Niger, a local official told reporters, adding that
two more soldiers were wounded and taken to hospital in Gao.</p>
</article><footer>Share Subscribe</footer></body></html>"""


def _read(*inputs: str, **kwargs) -> list[Document | InputError]:
    return list(read_inputs(list(inputs), **kwargs))


def _one_doc(path: Path, **kwargs) -> Document:
    (item,) = _read(str(path), **kwargs)
    assert isinstance(item, Document), item
    return item


def _one_error(path: Path | str, **kwargs) -> InputError:
    (item,) = _read(str(path), **kwargs)
    assert isinstance(item, InputError), item
    return item


# --- plain text, ids, dates ---------------------------------------------------------------------------


def test_plain_text_file_is_one_document(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(STORY, encoding="utf-8")
    doc = _one_doc(path, published=dt.date(2024, 3, 5))
    assert doc.text == STORY
    assert doc.origin == str(path)
    assert doc.published == dt.date(2024, 3, 5)
    assert doc.id == content_id(STORY)
    assert doc.html is None


def test_same_text_gives_same_id_and_other_text_another() -> None:
    assert content_id("Five killed in Gao.") == content_id("  Five killed\n in Gao. ")
    assert content_id("Five killed in Gao.") != content_id("Six killed in Gao.")
    assert content_id("x").startswith("sha256:") and len(content_id("x")) == len("sha256:") + 16


def test_windows_line_ends_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(STORY.replace("\n", "\r\n").encode())
    assert _one_doc(path).text == STORY


# --- HTML -----------------------------------------------------------------------------------------------


def test_html_file_keeps_page_title_caption_and_main_text(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    doc = _one_doc(path, published=dt.date(2000, 1, 1))
    assert doc.html == HTML_PAGE
    assert doc.title == "Gunmen Kill Five Soldiers in Northern Mali"
    assert doc.published == dt.date(2024, 3, 5)  # the page's own date wins over the default
    assert doc.url == "https://example.org/mali-attack"
    lines = doc.text.split("\n")
    assert lines[0] == doc.title
    assert "Malian soldiers at a checkpoint near Gao, in a 2022 photo." in lines
    assert "Home" not in doc.text and "Subscribe" not in doc.text
    (article,) = clean(doc)
    assert article.headline == doc.title
    assert article.caption == "Malian soldiers at a checkpoint near Gao, in a 2022 photo."
    assert article.text.startswith("Gunmen killed five soldiers on Monday")
    assert "\n\n" in article.text  # paragraphs kept apart


def test_html_is_sniffed_without_an_html_suffix(tmp_path: Path) -> None:
    path = tmp_path / "saved_page"
    path.write_text(HTML_PAGE, encoding="utf-8")
    doc = _one_doc(path)
    assert doc.html is not None and doc.title == "Gunmen Kill Five Soldiers in Northern Mali"


@pytest.mark.parametrize(
    ("html", "expect"),
    [
        ("<html><body></body></html>", "error"),
        ("<html><head><title></title></head></html>", "error"),
        ("<p>unclosed <b>bold <i>italic", "unclosed bold italic"),
        ("<html><body><div><p>Half a page, cut off", "Half a page, cut off"),
        ("<html><body><h1>Only A Headline Here</h1></body></html>", "Only A Headline Here"),
        ("<<<>>><html></p></div>&&&;", "<<<>>>&&&;"),
    ],
)
def test_broken_html_gives_its_text_or_an_error(tmp_path: Path, html: str, expect: str) -> None:
    path = tmp_path / "broken.html"
    path.write_text(html, encoding="utf-8")
    (item,) = _read(str(path))
    if expect == "error":
        assert isinstance(item, InputError)
        assert item.problem
    else:
        assert isinstance(item, Document), item
        assert expect in item.text


# --- JSONL and JSON -------------------------------------------------------------------------------------


def test_jsonl_with_a_broken_line_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text(
        '{"id": "a1", "text": "On 15 March 2022, Al Shabaab militants shot a soldier.", "published": "2022-03-16",'
        ' "url": "https://example.org/a1", "source": "Calamada"}\n'
        "\n"
        '{"id": "a2", "text": "On 3 June, bandits raided Koro\n'
        '{"id": 7, "html": "<html><body><h1>Clashes In Diffa Leave Eight Dead</h1><p>Clashes broke out.</p></body></html>"}\n'
        '{"text": "No id and no date here."}\n',
        encoding="utf-8",
    )
    items = _read(str(path), published=dt.date(2024, 1, 1))
    assert [type(i).__name__ for i in items] == ["Document", "InputError", "Document", "Document"]
    first, broken, html_doc, no_id = items
    assert (first.id, first.origin, first.published) == ("a1", f"{path}:1", dt.date(2022, 3, 16))
    assert (first.url, first.source) == ("https://example.org/a1", "Calamada")
    assert broken.source == f"{path}:3" and "malformed JSON" in broken.problem and "column" in broken.problem
    assert html_doc.id == "7" and html_doc.title == "Clashes In Diffa Leave Eight Dead" and html_doc.html
    assert no_id.id == content_id("No id and no date here.") and no_id.published == dt.date(2024, 1, 1)


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"id": "x"}, "no 'text' or 'html' field"),
        ({"id": "x", "text": "   "}, "empty 'text'"),
        ({"id": "x", "text": 42}, "'text' must be a string, got int"),
        ({"id": "x", "text": "Ten killed.", "published": "yesterday"}, "unknown date 'yesterday'"),
        ({"id": "x", "text": "Ten killed.", "published": "2024-02-30"}, "unknown date '2024-02-30'"),
        ({"id": "x", "text": "Ten killed.", "published": 2024}, "unknown date 2024"),
        ({"id": ["x"], "text": "Ten killed."}, "'id' must be a string or a number, got list"),
        (["not", "an", "object"], "expected a JSON object, got list"),
    ],
)
def test_bad_jsonl_record_gives_a_clear_error(tmp_path: Path, record: object, problem: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    err = _one_error(path)
    assert err.source == f"{path}:1"
    assert err.problem == problem


def test_published_accepts_an_iso_datetime(tmp_path: Path) -> None:
    path = tmp_path / "t.ndjson"
    path.write_text('{"text": "Five killed.", "published": "2024-11-21T09:30:00Z"}\n', encoding="utf-8")
    assert _one_doc(path).published == dt.date(2024, 11, 21)


def test_json_file_with_a_list_of_records(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([{"id": "a", "text": "One."}, {"id": "b", "text": "Two."}, {"id": "c"}]))
    items = _read(str(path))
    assert [getattr(i, "id", None) for i in items] == ["a", "b", None]
    assert isinstance(items[2], InputError) and items[2].source == f"{path}[3]"


# --- folders and stdin ----------------------------------------------------------------------------------


def test_folder_is_read_recursively_sorted_skipping_hidden_files(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "2.txt").write_text("Second story.")
    (tmp_path / "a.txt").write_text("First story.")
    (tmp_path / "b" / "1.jsonl").write_text('{"id": "j", "text": "From JSONL."}\n')
    (tmp_path / ".hidden.txt").write_text("Hidden.")
    (tmp_path / ".git" / "config").write_text("Hidden too.")
    (tmp_path / "b" / "empty.txt").write_text("")
    items = _read(str(tmp_path))
    assert [i.origin if isinstance(i, Document) else i.source for i in items] == [
        str(tmp_path / "a.txt"),
        f"{tmp_path / 'b' / '1.jsonl'}:1",
        str(tmp_path / "b" / "2.txt"),
        str(tmp_path / "b" / "empty.txt"),
    ]
    assert isinstance(items[-1], InputError) and items[-1].problem == "empty file"


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    assert _one_error(tmp_path).problem == "no files in directory"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ('{"id": "s1", "text": "Five killed in Gao."}\n{"id": "s2", "text": "Two hurt."}\n', "jsonl"),
        (HTML_PAGE, "html"),
        (STORY, "text"),
        ("{not json at all, just a brace}\nAnd a second line.", "text"),
    ],
)
def test_stdin_is_sniffed(data: str, kind: str) -> None:
    for stream in (io.StringIO(data), io.BytesIO(data.encode("utf-8"))):
        items = _read("-", stdin=stream)
        assert all(isinstance(i, Document) for i in items), items
        if kind == "jsonl":
            assert [(d.id, d.origin) for d in items] == [("s1", "stdin:1"), ("s2", "stdin:2")]
        else:
            (doc,) = items
            assert doc.origin == "stdin"
            assert (doc.html is not None) == (kind == "html")


def test_empty_stdin_is_an_error() -> None:
    assert _one_error("-", stdin=io.StringIO("  \n")).problem == "empty input"


# --- encodings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("utf-8", STORY),
        ("utf-8-sig", STORY),
        ("utf-16", STORY),  # Python writes a BOM
        ("utf-16", ARABIC),
        ("cp1252", "Les combats à Tombouctou ont fait cinq morts, a déclaré l'armée française."),
        ("latin-1", "Die Bundeswehr meldete größere Schäden an zwei Fahrzeugen in Gao."),
        ("cp1256", ARABIC),
    ],
)
def test_encodings_are_decoded(tmp_path: Path, encoding: str, text: str) -> None:
    path = tmp_path / "enc.txt"
    path.write_bytes(text.encode(encoding))
    assert _one_doc(path).text == text


def test_cp1256_arabic_is_detected_as_arabic(tmp_path: Path) -> None:
    path = tmp_path / "ar.txt"
    path.write_bytes(ARABIC.encode("cp1256"))
    assert detect_language(_one_doc(path).text) == "ar"


def test_invalid_utf8_bytes_do_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "damaged.txt"
    path.write_bytes("Café – five killed in Gao. ".encode() * 20 + b"\xff\xfe\xc3(" + b"Done.")
    doc = _one_doc(path)
    assert doc.text.startswith("Café – five killed") and "\ufffd" in doc.text


# --- errors ---------------------------------------------------------------------------------------------


def test_missing_file_is_an_error_and_the_batch_goes_on(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Five killed in Gao.")
    items = _read(str(tmp_path / "nope.txt"), str(good))
    assert isinstance(items[0], InputError) and items[0].problem == "no such file or directory"
    assert isinstance(items[1], Document)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty file"),
        (b"  \n\t\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (NUL bytes), not text"),
        (bytes(range(1, 32)) * 50, "binary file (control bytes), not text"),
    ],
)
def test_empty_and_binary_files_are_errors(tmp_path: Path, data: bytes, problem: str) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(data)
    assert _one_error(path).problem == problem


def test_gzip_file_is_read_transparently(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"id": "g1", "text": "Five killed in Gao."}\n'))
    doc = _one_doc(path)
    assert (doc.id, doc.text, doc.origin) == ("g1", "Five killed in Gao.", f"{path}:1")


def test_corrupt_gzip_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage")
    assert _one_error(path).problem.startswith("bad gzip file")


def test_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:  # a sparse file: 52 MB on paper, nothing on disk
        fh.truncate(52_000_000)
    assert _one_error(path).problem == "too large: 52 MB > 20 MB limit"


def test_gzip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a" * 2_000_000))
    err = _one_error(path, max_bytes=1_000_000)
    assert err.problem.startswith("too large")


# --- language -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (STORY, "en"),
        (ARABIC, "ar"),
        ("Les combats à Tombouctou ont fait cinq morts, a déclaré l'armée française mardi.", "fr"),
        ("", "und"),
        ("12 345 — 67", "und"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang
    assert detect_language(text) == lang  # deterministic


# --- properties -----------------------------------------------------------------------------------------


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".html", ".jsonl", ".json", ".gz", ""]))
def test_ingest_never_raises_on_arbitrary_bytes(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "input" + suffix)
        with open(path, "wb") as fh:
            fh.write(data)
        items = list(read_inputs([path], max_bytes=2000))
    assert items
    assert all(isinstance(i, (Document, InputError)) for i in items)
    for item in items:
        if isinstance(item, InputError):
            assert item.problem and "\n" not in item.problem


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Gunmen killed four villagers.", "en"),
        ("Suicide Attack Kills 30 at Market", "en"),
        # a name's hyphenated French words are no French: the text around it decides
        ("Police dispersed a sit-in at Pont-de-la-Maye and Saint-Jean-de-Luz.", "en"),
        ("On 9 April 2022, farmers blocked roads in Rennes (Ille-et-Vilaine, Bretagne) to protest fuel prices.", "en"),
        ("Des hommes armés ont tué quatre villageois près de la frontière.", "fr"),
        ("Hombres armados mataron a cuatro personas en el pueblo.", "es"),
    ],
)
def test_detect_language_on_short_news_lines(text, language):
    assert detect_language(text) == language
