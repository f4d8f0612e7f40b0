"""Live sources: fetch a page by URL, read RSS 2.0 / RSS 1.0 / Atom feeds, and watch feeds for new items.

Pages go through the same HTML path as files (`sitrep.ingest`); every failure is an `InputError`
naming the URL, and a watch loop survives a feed that is down, slow or malformed.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import html
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sitrep import ingest
from sitrep.model import Document, InputError, Problem

USER_AGENT = "sitrep/0.1 (+https://github.com/sitrep; news event extraction)"
MAX_BYTES = 10_000_000
TEXT_TYPES = ("text/", "application/xhtml+xml", "application/xml", "application/json")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")

_ATOM = "{http://www.w3.org/2005/Atom}"
_RSS1 = "{http://purl.org/rss/1.0/}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"


@dataclass(frozen=True)
class Fetched:
    """The body of one HTTP response, with its declared type and the URL after redirects."""

    url: str
    data: bytes
    content_type: str  # media type without parameters, lower case ('' when not declared)
    charset: str | None


@dataclass(frozen=True)
class FeedItem:
    """One entry of an RSS or Atom feed."""

    key: str  # stable identity: the guid/id (scoped to the feed when not a URI), else the link
    feed: str  # the feed's URL
    link: str | None
    title: str | None
    published: dt.date | None
    summary: str | None  # plain text of the description/summary, tags removed


class SeenItems(Protocol):
    """Remembers which feed items were handled; the store provides a persistent one."""

    def seen(self, key: str) -> bool:
        """Whether the item was handled already."""
        ...

    def remember(self, key: str, feed: str) -> None:
        """Record that the item was handled."""
        ...


@dataclass
class MemorySeen:
    """SeenItems kept in memory for one process (tests, or a watch without a store)."""

    keys: set[str] = field(default_factory=set)

    def seen(self, key: str) -> bool:
        """Whether the item was handled already."""
        return key in self.keys

    def remember(self, key: str, feed: str) -> None:
        """Record that the item was handled."""
        self.keys.add(key)


@dataclass
class Round:
    """What one pass over the feeds did."""

    number: int
    new: int = 0  # items handed to `handle` without error
    failed: int = 0  # items whose handling raised InputError (tried again next round)
    errors: list[InputError] = field(default_factory=list)  # feeds that were down or malformed, failed items


def fetch_bytes(url: str, timeout: float = 20.0, max_bytes: int = MAX_BYTES) -> Fetched:
    """GET a URL within `timeout` seconds overall; an InputError on a bad URL, timeout, HTTP error or oversize body."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(url, "not an http(s) URL", Problem.UNSUPPORTED)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() > deadline:
                    raise InputError(url, f"timed out after {timeout:g} s", Problem.TIMEOUT)
                chunk = response.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise InputError(url, f"too large: more than {max_bytes // 1_000_000} MB", Problem.TOO_LARGE)
                chunks.append(chunk)
            content_type = response.headers.get_content_type() if response.headers.get("Content-Type") else ""
            return Fetched(
                response.geturl(), b"".join(chunks), content_type, response.headers.get_content_charset()
            )
    except urllib.error.HTTPError as exc:
        raise InputError(url, f"HTTP {exc.code} {exc.reason}", Problem.UNREADABLE) from None
    except TimeoutError:
        raise InputError(url, f"timed out after {timeout:g} s", Problem.TIMEOUT) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise InputError(url, f"timed out after {timeout:g} s", Problem.TIMEOUT) from None
        raise InputError(url, f"cannot connect: {exc.reason}", Problem.UNREADABLE) from None
    except (OSError, ValueError) as exc:  # connection reset, bad chunked encoding, invalid header
        raise InputError(url, f"cannot read: {exc}", Problem.UNREADABLE) from None


def fetch(url: str, timeout: float = 20.0, max_bytes: int = MAX_BYTES) -> Document:
    """A Document from a web page (HTML through ingest's main-text path, or plain text); InputError otherwise."""
    got = fetch_bytes(url, timeout, max_bytes)
    if (
        got.content_type
        and not got.content_type.startswith(TEXT_TYPES)
        and got.content_type not in FEED_TYPES
    ):
        raise InputError(url, f"not a text page (content type {got.content_type})", Problem.NO_TEXT)
    if is_feed(got):
        raise InputError(url, "an RSS/Atom feed, not a page: watch it instead", Problem.UNSUPPORTED)
    text = _decode(got)
    kind = "html" if got.content_type in ("text/html", "application/xhtml+xml") else "sniff"
    docs = list(ingest.read_text(text, url, kind, None))  # one document per page; JSONL pages are not pages
    doc = docs[0] if len(docs) == 1 else InputError(url, "not a single page", Problem.NO_TEXT)
    if isinstance(doc, InputError):
        raise doc.at(url)
    doc.origin = url
    doc.url = doc.url or got.url
    doc.source = doc.source or _host(got.url)
    return doc


def fetch_item(item: FeedItem, timeout: float = 20.0) -> Document:
    """The page a feed item links to, with the item's date and title where the page gives none."""
    if not item.link:
        raise InputError(item.feed, f"feed item {item.key} has no link", Problem.UNSUPPORTED)
    doc = fetch(item.link, timeout)
    doc.published = doc.published or item.published
    doc.title = doc.title or item.title
    return doc


def is_feed(got: Fetched) -> bool:
    """Whether a response is an RSS or Atom feed (by its declared type or its first element)."""
    if got.content_type in FEED_TYPES:
        return True
    head = got.data[:1000].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml"):
        head = head[head.find(b"?>") + 2 :].lstrip()
    while head.startswith((b"<!--", b"<?")):
        end = head.find(b"-->" if head.startswith(b"<!--") else b"?>")
        head = head[end + 3 :].lstrip() if end >= 0 else b""
    return head.startswith((b"<rss", b"<feed", b"<rdf:rdf"))


def parse_feed(data: bytes, url: str) -> list[FeedItem]:
    """The items of an RSS 2.0, RSS 1.0 or Atom feed in feed order; InputError when it is not a well-formed feed."""
    if re.search(rb"<!ENTITY", data[:5000], re.IGNORECASE):
        raise InputError(url, "feed declares XML entities (refused)", Problem.MALFORMED)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputError(url, f"malformed feed: {exc}", Problem.MALFORMED) from None
    if root.tag == "rss":
        channel = root.find("channel")
        entries = channel.findall("item") if channel is not None else []
        return [_rss_item(e, url) for e in entries]
    if root.tag == f"{_ATOM}feed":
        return [_atom_item(e, url) for e in root.findall(f"{_ATOM}entry")]
    if root.tag == f"{_RDF}RDF":
        return [_rss_item(e, url) for e in root.findall(f"{_RSS1}item")]
    raise InputError(url, f"not an RSS or Atom feed (root element <{_local(root.tag)}>)", Problem.MALFORMED)


def read_feed(url: str, timeout: float = 20.0) -> list[FeedItem]:
    """Fetch and parse one feed."""
    got = fetch_bytes(url, timeout)
    return parse_feed(got.data, got.url)


def watch(
    feeds: Sequence[str],
    every: float,
    handle: Callable[[FeedItem], None],
    stop: threading.Event,
    seen: SeenItems | None = None,
    timeout: float = 20.0,
    on_round: Callable[[Round], None] | None = None,
) -> None:
    """Every `every` seconds until `stop` is set: read each feed, hand each unseen item (oldest first) to `handle`.

    An item is remembered only once `handle` returns; an InputError from `handle` (page down) leaves it
    to be tried again next round. A feed that is down or malformed is reported in the round and skipped.
    """
    seen = seen if seen is not None else MemorySeen()
    number = 0
    while not stop.is_set():
        number += 1
        report = Round(number)
        for feed in feeds:
            if stop.is_set():
                break
            try:
                items = read_feed(feed, timeout)
            except InputError as exc:
                report.errors.append(exc)
                continue
            for item in reversed(items):  # feeds list the newest first
                if stop.is_set() or seen.seen(item.key):
                    continue
                try:
                    handle(item)
                except InputError as exc:
                    report.failed += 1
                    report.errors.append(exc)
                    continue
                seen.remember(item.key, feed)
                report.new += 1
        if on_round is not None:
            on_round(report)
        stop.wait(every)


_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """Seconds in an interval like '15m', '90s', '1h', '2d' or a bare number of seconds; ValueError otherwise."""
    m = _INTERVAL.match(text)
    if not m or float(m[1]) <= 0:
        raise ValueError(f"not an interval: {text!r} (expected e.g. 90s, 15m, 1h)")
    return float(m[1]) * _UNIT_SECONDS[(m[2] or "s").lower()]


# --- helpers --------------------------------------------------------------------------------------


def _decode(got: Fetched) -> str:
    """Text of a response: its declared charset when Python knows it, else ingest's detection."""
    if got.charset:
        try:
            return got.data.decode(got.charset)
        except (LookupError, UnicodeDecodeError):
            pass
    text = ingest.decode_bytes(got.data)
    if isinstance(text, InputError):
        raise text.at(got.url)
    return text


def _host(url: str) -> str | None:
    """The site a URL belongs to, without 'www.'."""
    host = urllib.parse.urlsplit(url).hostname
    return host.removeprefix("www.") if host else None


def _local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _text(el: ET.Element | None) -> str | None:
    """Stripped text of an element, None when absent or blank."""
    if el is None or el.text is None:
        return None
    return el.text.strip() or None


def _plain(markup: str | None) -> str | None:
    """Plain text of an HTML fragment (descriptions carry escaped HTML)."""
    if not markup:
        return None
    text = html.unescape(re.sub(r"<[^>]*>", " ", markup))
    return re.sub(r"\s+", " ", text).strip() or None


def _date(value: str | None) -> dt.date | None:
    """A date from an RFC 822 (RSS) or ISO 8601 (Atom, Dublin Core) date-time."""
    if not value:
        return None
    value = value.strip()
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        pass
    return ingest.parse_date(value[:10])


def _key(guid: str | None, link: str | None, feed: str, title: str | None, summary: str | None) -> str:
    """An item's identity: a URI-like guid as is, another guid scoped to its feed, else the link, else a hash."""
    if guid:
        return guid if re.match(r"^(?:[a-z][a-z0-9+.-]*:)", guid, re.IGNORECASE) else f"{feed}#{guid}"
    if link:
        return link
    digest = hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest()[:16]
    return f"{feed}#sha256:{digest}"


def _rss_item(el: ET.Element, feed: str) -> FeedItem:
    """A FeedItem from an RSS 2.0 <item> or an RSS 1.0 item."""
    ns = _RSS1 if el.tag == f"{_RSS1}item" else ""
    link = _text(el.find(f"{ns}link"))
    guid = _text(el.find("guid")) or el.get(f"{_RDF}about")
    title = _plain(_text(el.find(f"{ns}title")))
    summary = _plain(_text(el.find(f"{ns}description")) or _text(el.find(f"{_CONTENT}encoded")))
    published = _date(_text(el.find("pubDate")) or _text(el.find(f"{_DC}date")))
    link = urllib.parse.urljoin(feed, link) if link else None
    return FeedItem(_key(guid, link, feed, title, summary), feed, link, title, published, summary)


def _atom_item(el: ET.Element, feed: str) -> FeedItem:
    """A FeedItem from an Atom <entry>."""
    link = None
    for candidate in el.findall(f"{_ATOM}link"):
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            link = urllib.parse.urljoin(feed, candidate.get("href", ""))
            break
    title = _plain(_text(el.find(f"{_ATOM}title")))
    summary = _plain(_text(el.find(f"{_ATOM}summary")) or _text(el.find(f"{_ATOM}content")))
    published = _date(_text(el.find(f"{_ATOM}published")) or _text(el.find(f"{_ATOM}updated")))
    return FeedItem(
        _key(_text(el.find(f"{_ATOM}id")), link, feed, title, summary), feed, link, title, published, summary
    )
