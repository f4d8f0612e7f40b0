"""web page in headless Debian Chromium (Playwright): offline, markers, claims, brushing, and inert article markup."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from conftest import ROOT

from sitrep.web import create_app

pytestmark = pytest.mark.slow  # a headless browser

CHROMIUM = Path(os.environ.get("SITREP_CHROMIUM", "/usr/bin/chromium"))
# As root in a closed network: no sandbox, and none of Chromium's own background connections.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-default-apps"]
ARTIFACTS = Path(os.environ.get("SITREP_ARTIFACTS") or ROOT / "tests" / "artifacts")
TOKEN = "browser-token"
WATCH_CSP = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
             "(e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
HOSTILE = (
    "Gunmen attack village near Kano\n\nGunmen killed five villagers in an attack near Kano on Monday, police said. "
    "<script>window.__pwned = 'script'; document.title = 'pwned'</script> Residents said "
    "<img src=x onerror=\"window.__pwned = 'img'\"> at least eight people were killed. "
    "<svg onload=\"window.__pwned = 'svg'\"></svg> <a href=\"javascript:window.__pwned = 'link'\">more</a> "
    "<iframe srcdoc=\"<script>parent.__pwned = 'iframe'</script>\"></iframe> The attackers fled."
)


def _unavailable(reason: str) -> None:
    """Fail under CI (the browser must be installed there), skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@contextlib.contextmanager
def running(app) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, in a thread, until the block ends; its address."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def server(web_db, extractor, tmp_path_factory):
    """The real app over a copy of the filled store, with a token."""
    path = tmp_path_factory.mktemp("browser") / "web.db"
    shutil.copy(web_db, path)
    with running(create_app(str(path), token=TOKEN, extractor_factory=lambda: extractor)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: pip install -e '.[test]'")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found: apt-get install -y chromium")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """One page in a fresh context, with every request, console message, dialog and CSP violation recorded."""

    def __init__(self, browser, url: str) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.add_init_script(WATCH_CSP)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.console: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(url)
        self.page.wait_for_selector("body[data-ready=yes]", state="attached", timeout=20_000)

    def wait_until(self, expression: str, timeout: float = 20.0) -> None:
        """Poll a JavaScript expression until it is true (by DevTools, not the page's eval, which the CSP forbids)."""
        deadline = time.monotonic() + timeout
        while not self.page.evaluate(expression):
            assert time.monotonic() < deadline, f"still false after {timeout:g} s: {expression}"
            time.sleep(0.05)

    def csp_violations(self) -> list[str]:
        """Violations the page reported, and any the console mentions."""
        return self.page.evaluate("window.__csp") + [m for m in self.console if "Content Security Policy" in m]

    def problems(self) -> list[str]:
        """Console errors, page errors and CSP violations."""
        return self.csp_violations() + [m for m in self.console if m.startswith(("error", "pageerror"))]

    def foreign_requests(self) -> list[str]:
        """Requests that left loopback (or were not http at all, apart from inline data)."""
        return [u for u in self.requests if not u.startswith("data:") and urlparse(u).hostname != "127.0.0.1"]


@pytest.fixture
def visit(browser, server):
    """Open the page (optionally at a query string); close its context afterwards."""
    opened: list[Visit] = []

    def open_page(query: str = "") -> Visit:
        opened.append(Visit(browser, server + "/" + query))
        return opened[-1]

    yield open_page
    for v in opened:
        v.context.close()


def api(server: str, path: str, **params) -> dict:
    return httpx.get(server + path, params=params).json()


def test_browser_page_loads_offline_with_markers_and_map(visit, server):
    v = visit()
    markers = v.page.locator(".leaflet-marker-icon.ev")
    assert markers.count() >= 3 and v.page.locator(".ev").count() >= 1
    assert v.page.locator(".leaflet-overlay-pane path").count() > 100  # Natural Earth's countries
    assert v.page.locator("#bars rect.bar-events").count() >= 4
    assert v.page.locator("#count").inner_text() == f"{api(server, '/api/events')['total']} events"
    # the vendored 1:50m countries, named from zoom 3 on
    v.page.evaluate("state.map.setView([5, 20], 4, {animate: false})")
    v.wait_until("document.querySelectorAll('.country-name').length > 20")
    assert {"Nigeria", "Somalia", "Kenya"} <= set(v.page.locator(".country-name").all_inner_texts())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(ARTIFACTS / "web-page.png"), full_page=True)
    assert v.foreign_requests() == [] and len(v.requests) >= 8
    assert v.problems() == []


def test_browser_marker_opens_its_event(visit):
    v = visit()
    v.page.locator(".ev").first.click()
    v.page.wait_for_selector("#panel:not([hidden]) h2")
    assert v.page.locator("#panel dd.toll").inner_text() and "event=" in v.page.url


def test_browser_event_shows_each_claim_highlighted_with_its_claimant(visit, server):
    v = visit()
    (palmyra,) = api(server, "/api/events", text="palmyra")["items"]
    v.page.locator("#events li", has_text="Tadmur").locator("button").click()
    v.page.wait_for_selector("#panel mark")
    claims = [c for r in api(server, f"/api/events/{palmyra['id']}")["reports"] for c in r["event"]["claims"]]
    marks = v.page.locator("#panel .article mark").all_inner_texts()
    claimants = v.page.locator("#panel .article .claimant").all_inner_texts()
    assert sorted(marks) == sorted(c["as_written"] for c in claims)
    assert sorted(claimants) == sorted(c["claimant"] or "unattributed" for c in claims)
    assert v.page.locator("#panel table.tolls.conflict").count() == 1  # 36 by the ministry, 71 by the monitor
    assert "36 (claims range 36–71)" in v.page.locator("#panel dd.toll").inner_text()
    assert parse_qs(urlparse(v.page.url).query)["event"] == [palmyra["id"]]
    assert v.problems() == []


def test_browser_filters_are_reflected_in_the_url(visit, server):
    v = visit("?country=Somalia")
    assert v.page.locator("#events li").count() == 1 and v.page.locator("select[name=country]").input_value() == "Somalia"
    v.page.fill("input[name=actor]", "protesters")
    v.page.select_option("select[name=country]", "")
    v.page.click("#filters button[type=submit]")
    v.wait_until("location.search.includes('actor=protesters')")
    protests = api(server, "/api/events", actor="protesters")["total"]
    assert protests >= 1
    v.wait_until(f"document.querySelectorAll('#events li').length === {protests}")
    assert "country" not in v.page.url


def test_browser_timeline_brush_filters_the_list(visit, server):
    v = visit()
    total = api(server, "/api/events")["total"]
    box = v.page.locator("#bars").bounding_box()
    y = box["y"] + box["height"] / 2
    v.page.mouse.move(box["x"] + box["width"] * 0.85, y)
    v.page.mouse.down()
    v.page.mouse.move(box["x"] + box["width"] * 0.95, y, steps=5)
    v.page.mouse.move(box["x"] + box["width"] - 1, y, steps=5)
    v.page.mouse.up()
    v.wait_until("location.search.includes('from=') && location.search.includes('to=')")
    query = parse_qs(urlparse(v.page.url).query)
    expected = api(server, "/api/events", **{"from": query["from"][0], "to": query["to"][0]})["total"]
    v.wait_until(f"document.getElementById('count').textContent.startsWith('{expected} event')")
    assert 0 < expected < total and v.page.locator("#events li").count() == expected
    assert v.page.locator(".leaflet-marker-icon.ev").count() <= expected
    # the brushed range is now the timeline's whole width (zoomed in); the button zooms back out
    ticks = v.page.locator("#bars text.tick").all_text_contents()
    assert query["from"][0].startswith(ticks[0]) and query["to"][0].startswith(ticks[-1])
    v.page.screenshot(path=str(ARTIFACTS / "web-timeline-zoomed.png"), full_page=True)
    v.page.click("#unbrush")
    v.wait_until(f"document.getElementById('count').textContent.startsWith('{total} event')")
    days = [t["key"] for t in api(server, "/api/aggregates", by="day")["items"] if t["key"]]
    ticks = v.page.locator("#bars text.tick").all_text_contents()
    assert days[0].startswith(ticks[0]) and days[-1].startswith(ticks[-1]) and len(ticks) >= 3


def test_browser_ingested_markup_runs_nothing(visit, server):
    v = visit()
    v.page.fill("#ingest-form textarea", HOSTILE)
    v.page.fill("#ingest-form input[name=published]", "2024-03-13")
    v.page.fill("#ingest-form input[name=token]", TOKEN)
    v.page.click("#ingest-form button[type=submit]")
    v.page.wait_for_selector("#ingest-result li button", timeout=30_000)
    v.page.locator("#ingest-result li button").first.click()
    v.page.wait_for_selector("#panel .article mark")
    v.page.wait_for_timeout(300)  # give any payload its chance to run
    text = v.page.locator("#panel .article .text").inner_text()
    assert "<script>window.__pwned" in text and "onerror=" in text and "<iframe srcdoc=" in text
    assert v.page.evaluate("window.__pwned") is None and v.page.title() == "sitrep" and v.dialogs == []
    for tag in ("script", "img", "svg", "iframe", "a[href^=javascript]"):
        assert v.page.locator(f"#panel {tag}, #ingest-result {tag}").count() == 0, tag
    assert not any(urlparse(u).path == "/x" for u in v.requests)  # the <img src=x> was never fetched
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(ARTIFACTS / "web-hostile-article.png"), full_page=True)
    assert v.foreign_requests() == [] and v.problems() == []


def test_browser_uploaded_file_shows_its_extracted_events(visit, server):
    v = visit()
    line = json.dumps({"id": "upload-1", "published": "2024-08-02", "text": "Clashes in Goma\n\nFighting between "
                       "M23 rebels and Congolese troops near Goma on Thursday killed 12 soldiers, the army said."})
    v.page.set_input_files("#ingest-form input[type=file]",
                           files=[{"name": "story.jsonl", "mimeType": "application/jsonl", "buffer": line.encode()}])
    v.page.fill("#ingest-form input[name=token]", TOKEN)
    v.page.click("#ingest-form button[type=submit]")
    v.page.wait_for_selector("#ingest-result li button", timeout=30_000)
    assert "stored" in v.page.locator("#ingest-result p").first.inner_text()
    assert "Goma" in v.page.locator("#ingest-result li").first.inner_text()
    v.wait_until("document.getElementById('count').textContent.startsWith('"
                             f"{api(server, '/api/events')['total']} event')")
    assert api(server, "/api/articles", document="upload-1")["total"] == 1 and v.problems() == []


def test_browser_wrong_token_is_refused_in_the_page(visit, server):
    v = visit()
    before = api(server, "/api/status")["counts"]["documents"]
    v.page.fill("#ingest-form textarea", HOSTILE)
    v.page.fill("#ingest-form input[name=token]", "not-the-token")
    v.page.click("#ingest-form button[type=submit]")
    v.wait_until("document.getElementById('ingest-status').textContent.startsWith('refused')")
    assert api(server, "/api/status")["counts"]["documents"] == before


def test_browser_lists_newest_first_counts_what_the_map_cannot_show_and_exports_the_view(visit, server):
    v = visit("?country=Somalia")
    page = api(server, "/api/events", country="Somalia")
    dates = [d for d in v.page.locator("#events li .date").all_inner_texts() if d != "date unknown"]
    assert dates == sorted(dates, reverse=True)
    everything = api(server, "/api/events")
    expected = "; ".join(part for n, part in [
        (everything["without_point"], f"{everything['without_point']} without a point (not on the map)"),
        (everything["without_date"], f"{everything['without_date']} without a date (not on the timeline)")] if n)
    assert visit().page.locator("#missing").text_content() == expected
    href = v.page.locator("#exports a[data-format=jsonl]").get_attribute("href")
    assert "country=Somalia" in href and "format=jsonl" in href
    rows = httpx.get(server + href).text.splitlines()
    assert len(rows) == page["total"] >= 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(ARTIFACTS / "web-export-links.png"), full_page=True)
    assert v.problems() == []


def test_browser_an_actor_alias_filters_like_the_actors_own_name(visit, server):
    v = visit("?actor=al-Shabab")
    expected = api(server, "/api/events", actor="shabaab")["total"]
    assert expected >= 1
    v.wait_until(f"document.querySelectorAll('#events li').length === {expected}")
    assert v.problems() == []


def test_browser_legend_hollow_coarse_points_and_the_chosen_marker(visit, server):
    v = visit()
    status = api(server, "/api/status")
    legend = v.page.locator(".legend-box").inner_text()
    assert all(t in legend for t in status["event_types"]) and "province" in legend
    events = api(server, "/api/events")["items"]
    coarse = [e for e in events if e["location"] and e["location"]["precision"] in ("district", "province", "country")]
    assert v.page.locator(".leaflet-marker-icon.ev.coarse").count() == len(coarse)
    v.page.locator("#events li button").first.click()
    v.wait_until("document.querySelectorAll('.leaflet-marker-icon.ev.chosen').length === 1")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(ARTIFACTS / "web-legend-chosen.png"), full_page=True)
    assert v.problems() == []


def test_browser_panel_has_one_toll_row_per_claimant(visit, server):
    v = visit()
    for event in api(server, "/api/events")["items"]:
        full = api(server, f"/api/events/{event['id']}")
        claims = [c for r in full["reports"] for c in r["event"]["claims"]
                  if c["kind"] == "killed" and not c["superseded"] and not c["aggregate"] and c["part_of"] is None]
        who = {c["claimant_canonical"] or c["claimant"] or "unattributed" for c in claims}
        v.page.locator("#events li", has=v.page.locator(f"text={event['date']}")).first.locator("button").click()
        v.wait_until(f"document.getElementById('panel').dataset.event === {json.dumps(event['id'])}")
        rows = v.page.locator("#panel table.tolls tr:not(.totals) td:first-child").all_inner_texts()
        assert sorted(rows) == sorted(who), event["id"]
    v.page.screenshot(path=str(ARTIFACTS / "web-toll-rows.png"), full_page=True)
    assert v.problems() == []


def test_browser_paste_box_recovers_when_the_server_does_not_answer(visit):
    v = visit()
    v.page.route("**/api/ingest*", lambda route: route.abort())  # the network drops the request
    v.page.fill("#ingest-form textarea", "Gunmen killed three villagers near Gao on Monday, officials said.")
    v.page.fill("#ingest-form input[name=token]", "any")
    v.page.click("#ingest-form button[type=submit]")
    v.wait_until("document.getElementById('ingest-status').textContent.startsWith('failed')")
    assert "no answer" in v.page.locator("#ingest-status").inner_text()
    assert v.page.locator("#ingest-form button[type=submit]").is_enabled()


@pytest.fixture(scope="module")
def crowded_server(tmp_path_factory):
    """The app over a store of 130 synthetic events (more than a page of the list), read-only."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from load import fill  # the load benchmark's synthetic store: records made by hand, no NLP

    path = tmp_path_factory.mktemp("crowded") / "crowded.db"
    fill(str(path), 130)
    with running(create_app(str(path))) as url:
        yield url


def test_browser_lists_a_page_of_the_newest_and_then_the_next(browser, crowded_server, monkeypatch):
    import sitrep.web

    total = api(crowded_server, "/api/events")["total"]
    v = Visit(browser, crowded_server + "/")
    try:
        assert total > 100 and v.page.locator("#events li:not(.more)").count() == 100
        assert v.page.locator("#count").inner_text() == f"{total} events (newest 100)"
        dates = v.page.locator("#events li .date").all_inner_texts()
        assert dates == sorted(dates, reverse=True)
        v.page.locator("#events li.more button").click()
        v.wait_until(f"document.querySelectorAll('#events li:not(.more)').length === {total}")
        # above the map's limit the server sends cells: their counts add up to every placed event
        monkeypatch.setattr(sitrep.web, "MAP_POINTS", 40)
        v.page.reload()
        v.wait_until("document.body.dataset.ready === 'yes'")
        cells = v.page.locator(".leaflet-marker-icon.ev.cell").all_text_contents()
        assert cells and sum(map(int, cells)) == total
        v.page.screenshot(path=str(ARTIFACTS / "web-cells.png"), full_page=True)
        assert v.problems() == []
    finally:
        v.context.close()


def test_browser_several_documents_are_followed_as_a_background_job(visit, server):
    v = visit()
    lines = "\n".join(json.dumps({"id": f"job-{i}", "published": "2024-09-0" + str(i + 1), "text": (
        f"Attack near {town}\n\nGunmen killed {n} villagers in an attack near {town} on Monday, police said.")})
        for i, (town, n) in enumerate([("Kaduna", "four"), ("Zaria", "six")]))
    v.page.set_input_files("#ingest-form input[type=file]",
                           files=[{"name": "two.jsonl", "mimeType": "application/jsonl", "buffer": lines.encode()}])
    v.page.fill("#ingest-form input[name=token]", TOKEN)
    v.page.click("#ingest-form button[type=submit]")
    v.wait_until("document.getElementById('ingest-status').textContent.startsWith('extracting in the background')",
                 timeout=30)
    v.wait_until("document.getElementById('ingest-status').textContent === 'stored'", timeout=120)
    assert v.page.locator("#ingest-result .doc").count() == 2
    assert all(api(server, "/api/articles", document=f"job-{i}")["total"] == 1 for i in range(2))
    assert v.problems() == []


def test_browser_town_labels_near_the_events_and_clusters_coloured_by_type(visit, server):
    v = visit()
    # zoomed out, nearby markers cluster: a disc coloured by the type most of its events have
    v.page.evaluate("state.map.setView([20, 20], 1, {animate: false})")
    v.wait_until("document.querySelectorAll('.leaflet-marker-icon.ev.cell').length > 0")
    classes = v.page.locator(".leaflet-marker-icon.ev.cell").evaluate_all("els => els.map(e => e.className)")
    assert all(re.search(r"\bt-[a-z-]+", c) for c in classes) and "marker-cluster" not in " ".join(classes)
    assert v.page.locator(".town-name").count() == 0  # no town labels at the scale of continents
    # zoomed in on an event, the larger towns of the view are named (the gazetteer, through /api/towns)
    v.page.evaluate("state.map.setView([11.85, 13.16], 7, {animate: false})")
    v.wait_until("document.querySelectorAll('.town-name').length >= 5")
    assert "Maiduguri" in v.page.locator(".town-name").all_inner_texts()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(ARTIFACTS / "web-town-labels.png"), full_page=True)
    assert v.problems() == []
