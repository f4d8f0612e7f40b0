"""Read input documents: plain text, HTML, JSON/JSONL, folders, gzip and stdin.

Every input yields a `Document` or an `InputError`; one bad input never stops a batch.
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import sys
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import IO, BinaryIO, TextIO, cast

from sitrep.model import Document, InputError, Problem

MAX_BYTES = int(os.environ.get("SITREP_MAX_BYTES", "20000000"))  # one file, JSONL line or stdin; --max-bytes
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
JSON_SUFFIXES = {".json"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
TEXT_SUFFIXES = {".txt", ".text", ".md"}

# Single-byte code pages tried for text that is not UTF-8, in order of preference on a tie.
LEGACY_ENCODINGS = [
    "cp1252", "cp1256", "cp1251", "cp1250", "cp1253", "cp1254",
    "cp1255", "cp1257", "cp1258", "iso8859_15", "koi8_r", "cp874",
]  # fmt: skip

_HTML_SNIFF = re.compile(
    r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<(?:p|div|article|h1|title)[\s>]", re.IGNORECASE
)
_SPACE = re.compile(r"\s+")

ByteStream = IO[bytes] | io.BufferedIOBase  # a file, stdin's buffer, or a gzip stream over either


def content_id(text: str) -> str:
    """A stable id for a text: 'sha256:' and 16 hex digits of its NFC, whitespace-collapsed form."""
    norm = _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return "sha256:" + hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text ('en', 'ar', ...) or 'und'; deterministic."""
    sample = text[:5000]
    if sum(ch.isalpha() for ch in sample) < 3:
        return "und"
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    try:
        code = detect(sample).split("-")[0]  # 'zh-cn' -> 'zh'
    except LangDetectException:
        return "und"
    # hyphenated words are one word: "Ille-et-Vilaine" is a name, not the French "et"
    words = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", sample)
    # langdetect is unreliable on a line or two ("Gunmen killed four villagers." -> 'da'); names say nothing of
    # the language ("Boko Haram JAS attacked Kouyape (Kolofata, Mayo-Sava) killing 1" -> 'tl'), so the words
    # written in lower case decide
    plain = [w for w in words if w[:1].islower()] or words
    if code != "en" and len(words) < SHORT_TEXT_WORDS and plain:
        english = sum(all(part in _english_words() for part in w.lower().split("-")) for w in plain)
        if english / len(plain) >= 0.5:
            return "en"
    return code


SHORT_TEXT_WORDS = 40


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """English function words (spaCy's list) and common words of conflict reporting."""
    from spacy.lang.en.stop_words import STOP_WORDS

    raw = resources.files("sitrep.data").joinpath("ingest_english.txt").read_text("utf-8")
    listed = [w for line in raw.splitlines() if not line.startswith("#") for w in line.split()]
    return frozenset(STOP_WORDS) | frozenset(listed)


def read_inputs(
    inputs: Sequence[str],
    published: dt.date | None = None,
    stdin: TextIO | BinaryIO | None = None,
    max_bytes: int = MAX_BYTES,
) -> Iterator[Document | InputError]:
    """Yield one Document per input document, or an InputError for one that cannot be read; never stop a batch."""
    for name in inputs:
        if name == "-":
            yield from _read_stdin(stdin, published, max_bytes)
            continue
        path = Path(name)
        if path.is_dir():
            files = _walk(path)
            if not files:
                yield InputError(name, "no files in directory", Problem.MISSING)
            for child in files:
                yield from _read_path(child, str(child), published, max_bytes)
        else:
            yield from _read_path(path, name, published, max_bytes)


def _walk(root: Path) -> list[Path]:
    """Files under a folder, recursively, sorted, skipping hidden files and folders."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(Path(dirpath) / f for f in filenames if not f.startswith("."))
    return sorted(found)


def _read_path(
    path: Path, name: str, published: dt.date | None, max_bytes: int
) -> Iterator[Document | InputError]:
    """Read one file (never a folder) into documents or errors; a JSONL file streams, line by line."""
    suffixes = [s.lower() for s in path.suffixes]
    gzipped = bool(suffixes) and suffixes[-1] in (".gz", ".gzip")
    try:
        if not path.exists():
            yield InputError(name, "no such file or directory", Problem.MISSING)
            return
        if not path.is_file():
            yield InputError(name, "not a regular file", Problem.MISSING)
            return
        if _kind_from_suffix(suffixes[-2 if gzipped else -1] if len(suffixes) > gzipped else "") == "jsonl":
            with (gzip.open(path, "rb") if gzipped else path.open("rb")) as stream:
                yield from _stream_jsonl(stream, name, published, max_bytes)
            return
        size = path.stat().st_size
        if size > max_bytes:
            yield InputError(name, f"too large: {_size(size)} > {_size(max_bytes)} limit", Problem.TOO_LARGE)
            return
        data = path.read_bytes()
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:  # while streaming a .jsonl.gz
        yield InputError(name, f"bad gzip file: {exc}", Problem.MALFORMED)
        return
    except OSError as exc:
        yield InputError(name, f"cannot read: {exc.strerror or exc}", Problem.UNREADABLE)
        return
    if gzipped:
        data_or_err = _gunzip(data, max_bytes)
        if isinstance(data_or_err, InputError):
            yield data_or_err.at(name)
            return
        data = data_or_err
        suffixes = suffixes[:-1]
    kind = _kind_from_suffix(suffixes[-1] if suffixes else "")
    yield from _read_bytes(data, name, kind, published)


def _read_stdin(
    stdin: TextIO | BinaryIO | None, published: dt.date | None, max_bytes: int
) -> Iterator[Document | InputError]:
    """Read stdin (text or binary stream), sniffing JSONL, HTML or plain text."""
    stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", sys.stdin)
    raw: bytes | str
    try:
        if not isinstance(stream, io.TextIOBase):
            stream = _peekable(cast(BinaryIO, stream))
            if stream.peek(2)[:2] == b"\x1f\x8b":
                stream = _peekable(gzip.GzipFile(fileobj=stream))
            first = stream.readline(max_bytes + 1)
            head = decode_bytes(first) if first.strip() else ""
            if isinstance(head, str) and _sniff(head, allow_json=True) == "jsonl":
                yield from _stream_jsonl(stream, "stdin", published, max_bytes, first)
                return
            raw = first + stream.read(max_bytes + 1 - len(first))
        else:
            raw = stream.read(max_bytes + 1)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        yield InputError("stdin", f"bad gzip input: {exc}", Problem.MALFORMED)
        return
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        yield InputError("stdin", f"cannot read: {exc}", Problem.UNREADABLE)
        return
    if isinstance(raw, str):
        if len(raw.encode("utf-8", "surrogatepass")) > max_bytes:
            yield InputError("stdin", f"too large: more than {_size(max_bytes)} limit", Problem.TOO_LARGE)
            return
        yield from read_text(raw, "stdin", "sniff", published)
        return
    if len(raw) > max_bytes:
        yield InputError("stdin", f"too large: more than {_size(max_bytes)} limit", Problem.TOO_LARGE)
        return
    if raw[:2] == b"\x1f\x8b":
        data_or_err = _gunzip(raw, max_bytes)
        if isinstance(data_or_err, InputError):
            yield data_or_err.at("stdin")
            return
        raw = data_or_err
    yield from _read_bytes(raw, "stdin", "sniff", published)


def _kind_from_suffix(suffix: str) -> str:
    """'jsonl', 'json', 'html', 'text' or 'sniff' from a file suffix."""
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in JSON_SUFFIXES:
        return "json"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return "sniff"


def _peekable(stream: ByteStream) -> io.BufferedReader:
    """A binary stream whose first bytes can be looked at before reading."""
    return stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)  # type: ignore[arg-type]


def _read_bytes(
    data: bytes, name: str, kind: str, published: dt.date | None
) -> Iterator[Document | InputError]:
    """Decode bytes and read them as the given kind."""
    text = decode_bytes(data)
    if isinstance(text, InputError):
        yield text.at(name)
        return
    yield from read_text(text, name, kind, published)


def read_text(text: str, name: str, kind: str, published: dt.date | None) -> Iterator[Document | InputError]:
    """Read decoded text as the given kind ('sniff' picks JSONL, HTML or plain text)."""
    text = _normalise(text.lstrip("\ufeff"))
    if not text.strip():
        yield InputError(name, "empty file" if name != "stdin" else "empty input", Problem.EMPTY)
        return
    if kind in ("sniff", "text"):
        kind = _sniff(text, allow_json=kind == "sniff")
    if kind == "jsonl":
        yield from _read_jsonl(text, name, published)
    elif kind == "json":
        yield from _read_json(text, name, published)
    elif kind == "html":
        yield _html_document(text, name, None, published)
    else:
        yield Document(id=content_id(text), text=text, origin=name, published=published)


def _sniff(text: str, allow_json: bool) -> str:
    """Guess 'jsonl', 'html' or 'text' from the content."""
    head = text.lstrip()
    if allow_json and head.startswith("{"):
        first = head.split("\n", 1)[0]
        try:
            obj = json.loads(first)
        except ValueError:
            obj = None
        if isinstance(obj, dict) and ("text" in obj or "html" in obj):
            return "jsonl"
    if head.startswith("<") and _HTML_SNIFF.search(head[:2000]):
        return "html"
    return "text"


def decode_bytes(data: bytes) -> str | InputError:
    """Text of a file's bytes (UTF-8/16/32 with BOM, UTF-8, or a legacy code page), or why it is not text."""
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            text = data.decode(enc, errors="replace")
            return _not_text() if _looks_binary(text) else text
    if not data.strip():
        return InputError("", "empty file", Problem.EMPTY)
    if data.count(b"\x00") > len(data) // 100:  # a stray NUL is dropped with the other controls
        return InputError("", "binary file (NUL bytes), not text", Problem.BINARY)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_legacy(data)
    if _looks_binary(text):
        return _not_text()
    return text


def _not_text() -> InputError:
    """The error for bytes that decode to mostly control characters (a new one each time: errors get raised)."""
    return InputError("", "binary file (control bytes), not text", Problem.BINARY)


def _decode_legacy(data: bytes) -> str:
    """Decode bytes that are not valid UTF-8: mostly-UTF-8 with damage, or a single-byte code page."""
    lenient = data.decode("utf-8", errors="replace")
    damaged = lenient.count("\ufffd")
    multibyte = sum(1 for ch in lenient if ord(ch) > 0x7F and ch != "\ufffd")
    if multibyte and multibyte >= damaged:
        return lenient  # real UTF-8 with a few bad bytes: keep it, mark the bad bytes
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data, cp_isolation=LEGACY_ENCODINGS))
    if not matches:
        return data.decode("cp1252", errors="replace")
    matches.sort(
        key=lambda m: (
            round(m.chaos, 3),
            -m.coherence,
            LEGACY_ENCODINGS.index(m.encoding) if m.encoding in LEGACY_ENCODINGS else len(LEGACY_ENCODINGS),
        )
    )
    return str(matches[0])


def _looks_binary(text: str) -> bool:
    """True when a decoded text is mostly control characters or replacement marks."""
    if not text:
        return False
    sample = text[:20000]
    bad = sum(
        1
        for ch in sample
        if (ch < " " and ch not in "\t\n\r\f\v") or ch == "\ufffd" or "\x7f" <= ch <= "\x9f"
    )
    return bad > max(2, len(sample) // 20)


def _gunzip(data: bytes, max_bytes: int) -> bytes | InputError:
    """Decompressed bytes, or the problem with them."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            out = fh.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        return InputError("", f"bad gzip file: {exc}", Problem.MALFORMED)
    if len(out) > max_bytes:
        return InputError("", f"too large: more than {_size(max_bytes)} limit once decompressed", Problem.TOO_LARGE)
    return out


def _size(n: int) -> str:
    """A byte count for messages: '52 MB', '300 kB', '12 bytes'."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.0f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.0f} kB"
    return f"{n} bytes"


def _normalise(text: str) -> str:
    """LF line ends, and no control characters: invisible in print, unsafe in a terminal or a CSV cell."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\v", "\n").replace("\f", "\n")
    return _CONTROL.sub("", text)


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # C0 and C1 controls but tab and line ends


# --- JSON and JSONL -------------------------------------------------------------------------------


def _read_jsonl(text: str, name: str, published: dt.date | None) -> Iterator[Document | InputError]:
    """One document per non-blank line of a JSONL text."""
    for lineno, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield _jsonl_record(line, f"{name}:{lineno}", published)


def _jsonl_record(line: str, origin: str, published: dt.date | None) -> Document | InputError:
    """The document of one JSONL line."""
    try:
        obj = json.loads(line)
    except ValueError as exc:
        return InputError(origin, f"malformed JSON: {_json_problem(exc)}", Problem.MALFORMED)
    return _record_document(obj, origin, published)


def _stream_jsonl(stream: ByteStream, name: str, published: dt.date | None, max_bytes: int,
                  first: bytes | None = None) -> Iterator[Document | InputError]:
    """One document per line of a JSONL stream, read a line at a time: memory stays flat whatever its length.

    The size limit applies to each line (one document); a longer line is reported and skipped.
    """
    lineno, seen = 0, False
    while True:
        line, first = (first, None) if first is not None else (stream.readline(max_bytes + 1), None)
        if not line:
            if not seen:
                yield InputError(name, "empty file" if name != "stdin" else "empty input", Problem.EMPTY)
            return
        lineno += 1
        origin = f"{name}:{lineno}"
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass  # skip the rest of the oversize line
            yield InputError(origin, f"line too large: more than {_size(max_bytes)} limit", Problem.TOO_LARGE)
            seen = True
            continue
        if lineno == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        if not line.strip():
            continue
        seen = True
        text = decode_bytes(line)
        yield text.at(origin) if isinstance(text, InputError) else _jsonl_record(text, origin, published)


def _read_json(text: str, name: str, published: dt.date | None) -> Iterator[Document | InputError]:
    """A JSON file holding one record or a list of records."""
    try:
        obj = json.loads(text)
    except ValueError as exc:
        # A .json file may really be JSONL.
        if text.lstrip().startswith("{") and "\n" in text.strip():
            yield from _read_jsonl(text, name, published)
        else:
            yield InputError(name, f"malformed JSON: {_json_problem(exc)}", Problem.MALFORMED)
        return
    if isinstance(obj, list):
        if not obj:
            yield InputError(name, "empty JSON list", Problem.EMPTY)
        for i, item in enumerate(obj, start=1):
            yield _record_document(item, f"{name}[{i}]", published)
    else:
        yield _record_document(obj, name, published)


def _json_problem(exc: ValueError) -> str:
    """A short description of a JSON decoding error."""
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    return str(exc)


def _record_document(obj: object, origin: str, published: dt.date | None) -> Document | InputError:
    """A Document from one {"id", "text" | "html", "published"?, "url"?, "source"?} record."""
    if not isinstance(obj, dict):
        return InputError(origin, f"expected a JSON object, got {type(obj).__name__}", Problem.BAD_RECORD)
    text, html = obj.get("text"), obj.get("html")
    for key, value in (("text", text), ("html", html)):
        if value is not None and not isinstance(value, str):
            return InputError(origin, f"'{key}' must be a string, got {type(value).__name__}", Problem.BAD_RECORD)
    if not (text and text.strip()) and not (html and html.strip()):
        if text is None and html is None:
            return InputError(origin, "no 'text' or 'html' field", Problem.BAD_RECORD)
        return InputError(origin, "empty 'text'" if html is None else "empty 'html'", Problem.EMPTY)
    raw_date = obj.get("published")
    date = published
    if raw_date not in (None, ""):
        date = parse_date(raw_date)
        if date is None:
            return InputError(origin, f"unknown date {_quote(raw_date)}", Problem.UNKNOWN_DATE)
    raw_id = obj.get("id")
    if raw_id is not None and not isinstance(raw_id, (str, int)) or isinstance(raw_id, bool):
        return InputError(origin, f"'id' must be a string or a number, got {type(raw_id).__name__}", Problem.BAD_RECORD)
    url = obj.get("url") if isinstance(obj.get("url"), str) else None
    source = obj.get("source") if isinstance(obj.get("source"), str) else None
    if text and text.strip():
        text = _normalise(text)
        doc: Document | InputError = Document(
            id=content_id(text), text=text, origin=origin, html=html, published=date, url=url, source=source
        )
    else:
        doc = _html_document(
            _normalise(html or ""), origin, url, date, keep_date=raw_date not in (None, "")
        )
        if isinstance(doc, Document):
            doc.source = source
    if isinstance(doc, Document) and raw_id not in (None, ""):
        doc.id = str(raw_id)
    return doc


def _quote(value: object) -> str:
    """A value for an error message: 'yesterday', 2024."""
    return f"'{value}'" if isinstance(value, str) else json.dumps(value)


_DATE_ONLY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_date(value: object) -> dt.date | None:
    """A date from 'YYYY-MM-DD' (or an ISO date-time), else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    m = _DATE_ONLY.match(value)
    if not m:
        return None
    rest = value[m.end() :]
    if rest and not re.fullmatch(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?", rest):
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


# --- HTML -----------------------------------------------------------------------------------------


def _html_document(
    html: str, origin: str, url: str | None, published: dt.date | None, keep_date: bool = False
) -> Document | InputError:
    """A Document from an HTML page: main text by trafilatura, the title and image captions as their own lines."""
    tree = _parse_html(html)
    title = _html_title(tree) if tree is not None else None
    captions = html_captions(tree) if tree is not None else []
    body = _main_text(html, tree)
    lines = [ln.strip() for ln in body.split("\n")]
    # trafilatura repeats the <h1> and figcaptions in its text; they are put back as header lines below.
    skip = {title, *captions}
    paras = [ln for ln in lines if ln and ln not in skip]
    if not paras and not captions and not title:
        deep = tree is not None and tree.get(_TOO_DEEP) is not None
        why = " (its elements nest deeper than the HTML parser reads, 255 levels)" if deep else ""
        return InputError(origin, "HTML page has no text" + why, Problem.NO_TEXT)
    header = [title] if title else []
    parts = ["\n".join([*header]), "\n".join(captions), "\n\n".join(paras)]
    text = "\n\n".join(p for p in parts if p)
    if tree is not None:
        url = url or _html_url(tree)
        if not keep_date:
            published = _html_date(tree) or published
    return Document(
        id=content_id(text), text=text, origin=origin, html=html, published=published, url=url, title=title
    )


def _parse_html(html: str):  # -> lxml.html.HtmlElement | None
    """An lxml tree of the page, or None when it cannot be parsed."""
    import lxml.html
    from lxml import etree

    if not html.strip():
        return None
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        # lxml refuses str with an encoding declaration; bytes let it honour or ignore it.
        tree = lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError, TypeError):
        return None
    # libxml2 stops descending at 256 levels and drops what lies deeper: say so if nothing is left.
    if any(e.message.startswith("Excessive depth in document") for e in parser.error_log):
        tree.set(_TOO_DEEP, "1")
    return tree


_TOO_DEEP = "data-sitrep-too-deep"  # set on the root of a page parsed only down to libxml2's depth limit


def _element_text(el) -> str:
    """Whitespace-collapsed text of an element."""
    return _SPACE.sub(" ", el.text_content()).strip()


def _html_title(tree) -> str | None:
    """The page's headline: its first <h1>, else og:title, else <title> without a ' | Site' suffix."""
    for h1 in tree.iter("h1"):
        text = _element_text(h1)
        if text:
            return text
    for meta in tree.iter("meta"):
        if meta.get("property") == "og:title" and (meta.get("content") or "").strip():
            return _SPACE.sub(" ", meta.get("content")).strip()
    for el in tree.iter("title"):
        text = _element_text(el)
        if text:
            return re.split(r"\s+[|»]\s+", text)[0].strip() or text
    return None


def html_captions(tree_or_html) -> list[str]:
    """Image captions of a page: every <figcaption>, and img alt texts that come before the main text."""
    tree = _parse_html(tree_or_html) if isinstance(tree_or_html, str) else tree_or_html
    if tree is None:
        return []
    captions: list[str] = []
    for el in tree.iter("figcaption"):
        text = _element_text(el)
        if text and text not in captions:
            captions.append(text)
    # alt texts of images near the top (before the first real paragraph) describe the lead photo
    for el in tree.iter("img", "p"):
        if el.tag == "p":
            if len(_element_text(el)) >= 80:
                break
            continue
        figure = next((a for a in el.iterancestors("figure")), None)
        if figure is not None and next(figure.iter("figcaption"), None) is not None:
            continue  # the figure's own caption says it better
        alt = _SPACE.sub(" ", el.get("alt") or "").strip()
        if len(alt.split()) >= 4 and alt not in captions and not any(alt in c for c in captions):
            captions.append(alt)
    return captions


def _main_text(html: str, tree) -> str:
    """Main text of a page by trafilatura (offline), falling back to the body's text."""
    import trafilatura

    text = None
    try:
        text = trafilatura.extract(
            html, include_comments=False, include_tables=False, include_images=False, deduplicate=False
        )
    except Exception:  # noqa: BLE001 -- trafilatura raises assorted errors on broken markup; fall back below
        text = None
    if text and text.strip():
        return text
    if tree is None:
        return ""
    for bad in tree.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    body = tree.find("body")
    root = body if body is not None else tree
    blocks = []
    for el in root.iter("p", "li", "h2", "h3", "blockquote", "pre", "td"):
        t = _element_text(el)
        if t:
            blocks.append(t)
    if blocks:
        return "\n".join(blocks)
    return "\n".join(ln.strip() for ln in root.text_content().split("\n") if ln.strip())


def _html_url(tree) -> str | None:
    """The page's canonical URL, if it names one."""
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            return link.get("href").strip()
    for meta in tree.iter("meta"):
        if meta.get("property") == "og:url" and meta.get("content"):
            return meta.get("content").strip()
    return None


_DATE_META = {
    "article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "dc.date",
    "dc.date.issued",
}


def _html_date(tree) -> dt.date | None:
    """The publication date the page declares in its <meta> tags or first <time datetime>."""
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in _DATE_META:
            date = parse_date((meta.get("content") or "")[:32])
            if date:
                return date
    for el in tree.iter("time"):
        date = parse_date((el.get("datetime") or "")[:32])
        if date:
            return date
    return None
