"""feeds: pages and RSS/Atom feeds served from a local HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import pytest

from sitrep import feeds
from sitrep.model import InputError

ARTICLE_HTML = """<!doctype html>
<html><head><title>Strike on market kills 12 | Example News</title>
<meta property="article:published_time" content="2024-11-21T09:30:00Z"></head>
<body><nav>Home | World | Subscribe</nav>
<article><h1>Strike on market kills 12 in northern town</h1>
<p>An air strike hit a crowded market in the northern town of Maarat al-Numan on Wednesday,
killing at least 12 civilians and wounding dozens more, a war monitor said.</p>
<p>The Syrian Observatory for Human Rights said the dead included three children. Rescue workers
were still searching the rubble of shops and stalls late into the evening.</p>
<p>There was no immediate comment from the government on the strike, the second on the town this week.</p>
</article><footer>Copyright Example News. All rights reserved.</footer></body></html>"""

SECOND_HTML = (
    ARTICLE_HTML.replace("Maarat al-Numan", "Saraqeb")
    .replace("kills 12", "kills 7")
    .replace("at least 12", "at least seven")
)


def rss(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS 2.0 feed of (guid, path, title) items."""
    body = "".join(
        f'<item><title>{title}</title><link>{path}</link><guid isPermaLink="false">{guid}</guid>'
        f"<pubDate>Thu, 21 Nov 2024 08:00:00 GMT</pubDate>"
        f"<description>&lt;p&gt;{title} &amp;amp; more&lt;/p&gt;</description></item>"
        for guid, path, title in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Example News</title>'
        f"<link>/</link><description>World news</description>{body}</channel></rss>"
    ).encode()


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example Atom</title><id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2024-11-21T10:00:00Z</updated>
  <entry>
    <title type="html">Strike on market kills 12</title>
    <link rel="enclosure" href="/photo.jpg"/>
    <link href="/page.html"/>
    <id>tag:example.org,2024:market-strike</id>
    <published>2024-11-20T18:00:00+02:00</published>
    <summary>An air strike hit a crowded market.</summary>
  </entry>
</feed>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="http://example.org/rss"><title>RDF news</title></channel>
  <item rdf:about="http://example.org/page.html"><title>Market strike</title>
    <link>http://example.org/page.html</link><dc:date>2024-11-19</dc:date></item>
</rdf:RDF>"""


@dataclass
class Route:
    """One canned response."""

    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    body: bytes = b""
    delay: float = 0.0


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, Route]] = {}
    hits: ClassVar[dict[str, int]] = {}

    def do_GET(self) -> None:
        """Serve the route's canned response."""
        self.hits[self.path] = self.hits.get(self.path, 0) + 1
        route = self.routes.get(self.path, Route(404, "text/plain", b"not found"))
        if route.delay:
            time.sleep(route.delay)
        try:
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args: object) -> None:
        """Quiet."""


@dataclass
class Server:
    """A running local server: its base URL, its routes (mutable) and hit counts."""

    base: str
    routes: dict[str, Route]
    hits: dict[str, int]

    def url(self, path: str) -> str:
        """The absolute URL of a path."""
        return self.base + path


@pytest.fixture
def server() -> Iterator[Server]:
    """A threaded HTTP server on 127.0.0.1 with a good page, feeds, a malformed feed, a slow page and a 500."""
    routes = {
        "/page.html": Route(body=ARTICLE_HTML.encode()),
        "/second.html": Route(body=SECOND_HTML.encode()),
        "/plain.txt": Route(content_type="text/plain; charset=utf-8", body=b"Gunmen killed four villagers."),
        "/feed.rss": Route(
            content_type="application/rss+xml", body=rss([("a1", "/page.html", "Market strike")])
        ),
        "/atom.xml": Route(content_type="application/atom+xml", body=ATOM),
        "/rdf.xml": Route(content_type="application/rdf+xml", body=RDF),
        "/bad.xml": Route(content_type="application/rss+xml", body=b"<rss><channel><item><title>cut off"),
        "/slow": Route(body=ARTICLE_HTML.encode(), delay=3.0),
        "/error": Route(500, "text/html", b"<h1>Internal Server Error</h1>"),
        "/photo.jpg": Route(content_type="image/jpeg", body=b"\xff\xd8\xff\xe0" + bytes(200)),
        "/empty.html": Route(body=b""),
    }
    handler = type("Handler", (_Handler,), {"routes": routes, "hits": {}})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", routes, handler.hits)
    finally:
        httpd.shutdown()
        httpd.server_close()


def _closed_port_url() -> str:
    """A loopback URL nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.rss"


def test_fetch_reads_a_page_through_the_html_path(server):
    doc = feeds.fetch(server.url("/page.html"), timeout=5)
    assert doc.title == "Strike on market kills 12 in northern town"
    assert "killing at least 12 civilians" in doc.text and "Subscribe" not in doc.text
    assert doc.published == dt.date(2024, 11, 21)
    assert doc.url == server.url("/page.html") and doc.source == "127.0.0.1"
    assert doc.id.startswith("sha256:")


def test_fetch_reads_plain_text(server):
    assert feeds.fetch(server.url("/plain.txt"), timeout=5).text == "Gunmen killed four villagers."


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/slow", "timed out after 0.5 s"),
        ("/error", "HTTP 500"),
        ("/missing", "HTTP 404"),
        ("/photo.jpg", "not a text page (content type image/jpeg)"),
        ("/feed.rss", "feed, not a page"),
        ("/empty.html", "empty"),
    ],
)
def test_fetch_fails_with_a_clear_input_error(server, path, problem):
    start = time.monotonic()
    with pytest.raises(InputError, match=problem.replace("(", r"\(").replace(")", r"\)")) as info:
        feeds.fetch(server.url(path), timeout=0.5)
    assert info.value.source == server.url(path)
    assert time.monotonic() - start < 2.5


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "not a url"])
def test_fetch_refuses_what_is_not_http(url):
    with pytest.raises(InputError, match="not an http"):
        feeds.fetch(url)


def test_fetch_reports_a_server_that_is_down():
    with pytest.raises(InputError, match="cannot connect"):
        feeds.fetch(_closed_port_url(), timeout=2)


def test_parse_feed_reads_rss_items_with_absolute_links(server):
    (item,) = feeds.read_feed(server.url("/feed.rss"), timeout=5)
    assert item.link == server.url("/page.html")
    assert item.key == server.url("/feed.rss") + "#a1"  # a guid that is not a URI is scoped to its feed
    assert item.title == "Market strike" and item.summary == "Market strike & more"
    assert item.published == dt.date(2024, 11, 21)


def test_parse_feed_reads_atom_alternate_link_and_date(server):
    (item,) = feeds.read_feed(server.url("/atom.xml"), timeout=5)
    assert item.link == server.url("/page.html")
    assert item.key == "tag:example.org,2024:market-strike"
    assert item.published == dt.date(2024, 11, 20)


def test_parse_feed_reads_rss_1():
    (item,) = feeds.parse_feed(RDF, "http://example.org/rss")
    assert (item.key, item.published) == ("http://example.org/page.html", dt.date(2024, 11, 19))


@pytest.mark.parametrize(
    "data",
    [
        b"<rss><channel><item><title>cut off",
        b"",
        b"not xml at all",
        b"<html><body><p>A page</p></body></html>",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><rss>&b;</rss>',
    ],
)
def test_parse_feed_rejects_what_is_not_a_feed(data):
    with pytest.raises(InputError) as info:
        feeds.parse_feed(data, "http://example.org/feed")
    assert info.value.source == "http://example.org/feed"


def test_watch_hands_only_new_items_and_survives_bad_feeds(server):
    feed_urls = [
        server.url("/bad.xml"),
        server.url("/feed.rss"),
        server.url("/error"),
        _closed_port_url(),
        server.url("/slow"),
    ]
    handled: list[str] = []
    rounds: list[feeds.Round] = []
    stop = threading.Event()

    def on_round(r: feeds.Round) -> None:
        rounds.append(r)
        if r.number == 1:  # a new story appears between rounds
            server.routes["/feed.rss"] = feeds_route(
                [("a2", "/second.html", "Second strike"), ("a1", "/page.html", "Market strike")]
            )
        if r.number == 3:
            stop.set()

    def handle(item: feeds.FeedItem) -> None:
        handled.append(feeds.fetch_item(item, timeout=5).text.split("\n")[0])

    feeds.watch(feed_urls, 0.01, handle, stop, timeout=0.5, on_round=on_round)
    assert handled == [
        "Strike on market kills 12 in northern town",
        "Strike on market kills 7 in northern town",
    ]
    assert [r.new for r in rounds] == [1, 1, 0]
    assert all(len(r.errors) == 4 for r in rounds)
    assert server.hits["/page.html"] == 1


def feeds_route(items: list[tuple[str, str, str]]) -> Route:
    """A feed route with the given items."""
    return Route(content_type="application/rss+xml", body=rss(items))


def test_watch_retries_an_item_whose_page_failed(server):
    server.routes["/feed.rss"] = feeds_route(
        [("b1", "/error", "Broken"), ("a1", "/page.html", "Market strike")]
    )
    seen = feeds.MemorySeen()
    stop = threading.Event()
    rounds: list[feeds.Round] = []

    def on_round(r: feeds.Round) -> None:
        rounds.append(r)
        if r.number == 1:
            server.routes["/error"] = Route(body=SECOND_HTML.encode())
        else:
            stop.set()

    feeds.watch(
        [server.url("/feed.rss")], 0, lambda i: feeds.fetch_item(i, 5), stop, seen=seen, on_round=on_round
    )
    assert [(r.new, r.failed) for r in rounds] == [(1, 1), (1, 0)]
    assert seen.keys == {server.url("/feed.rss") + "#a1", server.url("/feed.rss") + "#b1"}


def test_watch_remembers_through_the_given_store(server):
    class Recorder(feeds.MemorySeen):
        def remember(self, key: str, feed: str) -> None:
            super().remember(key, feed)
            self.feeds = [*getattr(self, "feeds", []), feed]

    seen = Recorder({server.url("/feed.rss") + "#a1"})  # already handled in an earlier run
    stop = threading.Event()
    handled: list[feeds.FeedItem] = []
    feeds.watch([server.url("/feed.rss"), server.url("/atom.xml")], 0, handled.append, stop, seen=seen,
                on_round=lambda r: stop.set())  # fmt: skip
    assert [i.key for i in handled] == ["tag:example.org,2024:market-strike"]
    assert seen.feeds == [server.url("/atom.xml")]


def test_watch_sleeps_between_rounds_until_stopped(server):
    stop = threading.Event()
    rounds: list[float] = []
    thread = threading.Thread(
        target=feeds.watch,
        args=([server.url("/feed.rss")], 60, lambda i: None, stop),
        kwargs={"on_round": lambda r: rounds.append(time.monotonic())},
    )
    thread.start()
    time.sleep(0.3)
    stop.set()
    thread.join(timeout=2)
    assert not thread.is_alive() and len(rounds) == 1


@pytest.mark.parametrize(
    ("text", "seconds"), [("15m", 900), ("90s", 90), ("1h", 3600), ("2d", 172800), ("30", 30), ("1.5h", 5400)]
)
def test_parse_interval(text, seconds):
    assert feeds.parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "0m", "-5m", "fortnight", "15 parsecs"])
def test_parse_interval_rejects_nonsense(text):
    with pytest.raises(ValueError, match="not an interval"):
        feeds.parse_interval(text)


# --- the `sitrep watch` command over a store -------------------------------------------------------


def test_watch_command_ingests_new_items_once_across_runs(server, tmp_path, capsys):
    from sitrep.cli import main
    from sitrep.store import Store

    db = str(tmp_path / "watch.db")
    feed_urls = [server.url("/feed.rss"), server.url("/bad.xml"), _closed_port_url()]
    assert main(["watch", *feed_urls, "--once", "--db", db, "--timeout", "2"]) == 0
    err = capsys.readouterr().err
    assert "round 1: 1 new item(s), 0 failed" in err and err.count("sitrep: error:") == 2
    server.routes["/feed.rss"] = feeds_route([("a2", "/second.html", "Second strike"), ("a1", "/page.html", "Market strike")])
    assert main(["watch", *feed_urls, "--once", "--db", db, "--timeout", "2"]) == 0  # a new process: the store remembers
    assert "round 1: 1 new item(s)" in capsys.readouterr().err
    assert server.hits["/page.html"] == 1 and server.hits["/second.html"] == 1
    with Store.open(db) as store:
        docs = store.documents()
        assert sorted(d.document.url for d in docs) == [server.url("/page.html"), server.url("/second.html")]
        places = {e.location.name for e in store.events() if e.location}
    assert len(places) == 2, places


def test_watch_command_refuses_a_bad_interval(capsys):
    from sitrep.cli import main

    assert main(["watch", "http://127.0.0.1:9/feed.rss", "--every", "soon"]) == 2
    assert "--every" in capsys.readouterr().err
