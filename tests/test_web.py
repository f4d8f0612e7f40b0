"""web: the HTTP API over a store filled from real-looking articles; filters, pages, detail, ingest, safety."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
import time

import pytest
from fastapi.testclient import TestClient

from conftest import WEB_ARTICLES
from sitrep.cli import build_parser
from sitrep.store import EventFilter, Store
from sitrep.web import SECURITY_HEADERS, create_app

TOKEN = "s3cret-token"
NEW_STORY = ("Gunmen attack market in Kaduna\n\nGunmen killed nine traders at a market near Kaduna on Monday, police "
             "said. Hospital officials said 14 people were wounded.")


@pytest.fixture(scope="module")
def client(web_db, extractor):
    """A read-only client over the filled store (no token: ingest is refused)."""
    with TestClient(create_app(web_db, extractor_factory=lambda: extractor)) as c:
        yield c


@pytest.fixture
def writer(web_db, extractor, tmp_path):
    """A client with a token over a copy of the filled store."""
    path = tmp_path / "copy.db"
    shutil.copy(web_db, path)
    app = create_app(str(path), token=TOKEN, max_body=10_000, extractor_factory=lambda: extractor)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def ids(page: dict) -> list[str]:
    return [e["id"] for e in page["items"]]


# --- reading -------------------------------------------------------------------------------------------


def test_web_events_lists_the_stored_events_newest_first_with_their_total(client, web_db):
    page = client.get("/api/events").json()
    with Store.open(web_db) as store:
        expected = [e.id for e in store.events(EventFilter(sort="-date"))]
    assert ids(page) == expected and page["total"] == len(expected) >= 4
    assert all("reports" not in e and e["report_count"] >= 1 for e in page["items"])


def test_web_events_pages_cover_every_event_once(client):
    total = client.get("/api/events").json()["total"]
    pages = [client.get("/api/events", params={"limit": 2, "offset": k}).json() for k in range(0, total, 2)]
    seen = [i for p in pages for i in ids(p)]
    assert len(seen) == len(set(seen)) == total and all(p["total"] == total for p in pages)


@pytest.mark.parametrize("params", [
    {"country": "Nigeria"},
    {"country": "so"},
    {"type": "Battles"},
    {"sub-type": "Air/drone strike"},
    {"from": "2024-05-01", "to": "2024-06-30"},
    {"actor": "shabaab"},
    {"min-fatalities": 30},
    {"text": "palmyra"},
    {"admin1": "Borno"},
])
def test_web_events_filters_have_the_cli_names_and_meaning(client, web_db, params):
    page = client.get("/api/events", params=params).json()
    cli = build_parser().parse_args(["events", *[x for k, v in params.items() for x in (f"--{k}", str(v))]])
    keys = [f.name for f in dataclasses.fields(EventFilter) if f.name not in ("limit", "offset", "sort")]
    with Store.open(web_db) as store:
        expected = [e.id for e in store.events(EventFilter(**{k: getattr(cli, k) for k in keys}, sort="-date"))]
        everything = store.count_events()
    assert ids(page) == expected and 0 < page["total"] == len(expected) < everything


@pytest.mark.parametrize("sort, key, reverse", [("-fatalities", "fatalities", True), ("date", "date", False),
                                                ("-date", "date", True)])
def test_web_events_sort(client, sort, key, reverse):
    values = [e[key] for e in client.get("/api/events", params={"sort": sort}).json()["items"] if e[key] is not None]
    assert values == sorted(values, reverse=reverse) and len(set(values)) > 1


def test_web_event_detail_has_claims_sources_and_the_spans_they_come_from(client):
    (palmyra,) = client.get("/api/events", params={"text": "palmyra"}).json()["items"]
    event = client.get(f"/api/events/{palmyra['id']}").json()
    (report,) = event["reports"]
    assert report["source"] == "Agence France Presse" and event["fatalities_high"] > event["fatalities_low"]
    assert all("text" not in a for a in event["articles"])  # an event stays small: text comes per article
    articles = {(a["document_id"], a["index"]): client.get("/api/article", params={
        "document": a["document_id"], "index": a["index"]}).json() for a in event["articles"]}
    claims = report["event"]["claims"]
    assert {c["count"] for c in claims if c["kind"] == "killed"} >= {36, 71}
    for claim in claims:
        text = articles[(report["document_id"], claim["article"])][claim["field"]]
        assert text[claim["start"]:claim["end"]] == claim["as_written"]


def test_web_event_merged_from_two_articles_shows_both(client):
    (attack,) = client.get("/api/events", params={"country": "NG"}).json()["items"]
    event = client.get(f"/api/events/{attack['id']}").json()
    assert {r["document_id"] for r in event["reports"]} == {"web-maiduguri-a", "web-maiduguri-b"}
    assert {a["document_id"] for a in event["articles"]} == {"web-maiduguri-a", "web-maiduguri-b"}
    assert event["reasons"] and attack["sources"] == ["Daily Monitor", "Example Wire"]


def test_web_event_list_items_are_the_detail_without_reports_with_their_count_and_sources(client):
    items = client.get("/api/events", params={"limit": 1000}).json()["items"]
    for item in items:
        detail = client.get(f"/api/events/{item['id']}").json()
        expected = {k: v for k, v in detail.items() if k not in ("reports", "articles")}
        expected |= {"report_count": len(detail["reports"]),
                     "sources": sorted({r["source"] for r in detail["reports"] if r["source"]})}
        assert item == expected and list(item) == list(expected)
    assert any(item["reasons"] for item in items) and any(item["sources"] for item in items)


def test_web_unknown_event_is_a_json_404(client):
    response = client.get("/api/events/no-such-event")
    assert response.status_code == 404 and response.json() == {"error": "no event 'no-such-event'"}


@pytest.mark.parametrize("by", ["day", "country", "type"])
def test_web_aggregates_add_up_to_the_events(client, by):
    events = client.get("/api/events", params={"limit": 1000}).json()["items"]
    tally = client.get("/api/aggregates", params={"by": by}).json()["items"]
    assert sum(t["events"] for t in tally) == len(events)
    assert sum(t["fatalities"] for t in tally) == sum(e["fatalities"] for e in events)
    assert len(tally) > 1


def test_web_aggregates_take_the_filters(client):
    (day,) = client.get("/api/aggregates", params={"by": "day", "country": "Syria"}).json()["items"]
    assert day == {"key": "2024-11-20", "events": 1, "fatalities": 36}


def test_web_actors_places_and_articles(client):
    actors = client.get("/api/actors", params={"name": "shabaab"}).json()
    assert actors["total"] >= 1 and actors["items"][0]["events"] >= 1 and actors["items"][0]["type"] == "Rebel group"
    places = client.get("/api/places", params={"country": "Nigeria"}).json()["items"]
    assert [p["name"] for p in places] == ["Maiduguri"] and places[0]["events"] == 1
    articles = client.get("/api/articles", params={"limit": 2}).json()
    assert articles["total"] == sum(1 for _ in WEB_ARTICLES.open()) and len(articles["items"]) == 2
    assert "text" not in articles["items"][0]
    one = client.get("/api/article", params={"document": "web-nairobi-protest", "index": 0}).json()
    assert one["headline"] == "Protesters march in Nairobi" and "finance bill" in one["text"]
    assert client.get("/api/article", params={"document": "nope"}).status_code == 404


def test_web_towns_for_the_map_labels_are_the_largest_inside_the_box(client):
    found = client.get("/api/towns", params={"bbox": "12,10,15,13", "limit": 5}).json()["towns"]
    assert len(found) == 5 and "Maiduguri" in [t["name"] for t in found]  # Borno's capital, in the box
    assert all(12 <= t["lon"] <= 15 and 10 <= t["lat"] <= 13 for t in found)
    assert [t["population"] for t in found] == sorted((t["population"] for t in found), reverse=True)
    # a box across the 180th meridian (Fiji)
    across = client.get("/api/towns", params={"bbox": "175,-20,-175,-15", "limit": 3}).json()["towns"]
    assert across and all(t["lon"] >= 175 or t["lon"] <= -175 for t in across)
    assert client.get("/api/towns", params={"bbox": "12,10,15"}).status_code == 422
    assert client.get("/api/towns").status_code in (400, 422)


def test_web_openapi_documents_the_filters_with_the_cli_names(client):
    spec = client.get("/openapi.json").json()
    params = {p["name"] for p in spec["paths"]["/api/events"]["get"]["parameters"]}
    events_cli = build_parser()._subparsers._group_actions[0].choices["events"]
    cli = {o.removeprefix("--") for a in events_cli._actions for o in a.option_strings if o.startswith("--")}
    assert cli - {"help", "db", "format"} <= params
    assert {"/api/ingest", "/api/aggregates", "/api/actors", "/api/places", "/api/articles"} <= set(spec["paths"])


# --- writing -------------------------------------------------------------------------------------------


def test_web_ingest_is_refused_without_a_server_token(client):
    response = client.post("/api/ingest", content=NEW_STORY, headers={"Authorization": "Bearer anything"})
    assert response.status_code == 403 and "read-only" in response.json()["error"]


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN])
def test_web_ingest_needs_the_bearer_token(writer, header):
    c = writer
    response = c.post("/api/ingest", content=NEW_STORY, headers={"Authorization": header} if header else {})
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert c.get("/api/events", params={"text": "kaduna"}).json()["total"] == 0


def test_web_ingest_stores_and_returns_the_events(writer):
    c = writer
    before = c.get("/api/events").json()["total"]
    response = c.post("/api/ingest", params={"published": "2024-03-13"}, content=NEW_STORY,
                      headers={"Authorization": f"Bearer {TOKEN}"})
    (doc,) = response.json()["documents"]
    (event,) = doc["events"]
    assert response.status_code == 200 and doc["outcome"] == "stored"
    assert event["fatalities"] == 9 and event["date"] == "2024-03-11" and event["location"]["name"] == "Kaduna"
    assert c.get("/api/events").json()["total"] == before + 1
    again = c.post("/api/ingest", params={"published": "2024-03-13"}, content=NEW_STORY,
                   headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert again["documents"][0]["outcome"] == "unchanged" and c.get("/api/events").json()["total"] == before + 1
    (listed,) = c.get("/api/events", params={"text": "kaduna"}).json()["items"]
    assert again["documents"][0]["events"] == [event] and listed == event


def test_web_ingest_reads_jsonl(writer):
    c = writer
    lines = "\n".join(json.dumps({"id": f"j{i}", "text": NEW_STORY.replace("nine", n), "published": "2024-03-13"})
                      for i, n in enumerate(["nine", "ten"]))
    response = c.post("/api/ingest", params={"format": "jsonl"}, content=lines,
                      headers={"Authorization": f"Bearer {TOKEN}"})
    # several documents: a background job, answered at once, with a status to follow
    assert response.status_code == 202 and response.headers["location"] == response.json()["status_url"]
    job = response.json()
    deadline = time.monotonic() + 120
    while (status := c.get(job["status_url"]).json())["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, status
        time.sleep(0.2)
    assert status["state"] == "done" and status["done"] == status["total"] == 2
    assert [d["id"] for d in status["documents"]] == ["j0", "j1"] and all(d["events"] for d in status["documents"])
    assert c.get("/api/jobs/nosuchjob").status_code == 404


def test_web_ingest_of_nothing_readable_is_a_400(writer):
    c = writer
    response = c.post("/api/ingest", content=b"   ", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 400 and "empty" in response.json()["error"]


def test_web_oversize_body_is_refused_before_it_is_read(writer):
    c = writer
    big = NEW_STORY * 200  # over the 10,000-byte limit of this app
    declared = c.post("/api/ingest", content=big, headers={"Authorization": f"Bearer {TOKEN}"})
    streamed = c.post("/api/ingest", content=(chunk.encode() for chunk in [big[:5000]] * 4),
                      headers={"Authorization": f"Bearer {TOKEN}"})  # chunked: no Content-Length
    assert declared.status_code == streamed.status_code == 413
    assert "limit" in declared.json()["error"] and "limit" in streamed.json()["error"]
    assert c.get("/api/events", params={"text": "kaduna"}).json()["total"] == 0


# --- safety --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/api/events", "/static/app.js", "/vendor/leaflet/leaflet.js",
                                  "/api/events/none"])
def test_web_responses_carry_the_security_headers(client, path):
    headers = client.get(path).headers
    assert all(headers[k] == v for k, v in SECURITY_HEADERS.items())
    assert "script-src 'self'" in headers["content-security-policy"]


def test_web_errors_never_leak_a_traceback(writer, monkeypatch):
    c = writer

    def boom(self, *args, **kwargs):
        raise RuntimeError("secret internals at /srv/sitrep")

    monkeypatch.setattr(Store, "event_counts", boom)
    response = c.get("/api/events")
    assert response.status_code == 500 and response.json() == {"error": "internal error (logged on the server)"}
    assert "Traceback" not in response.text and "secret" not in response.text


@pytest.mark.parametrize("query", ["from=yesterday", "limit=0", "limit=100000", "sort=name;drop", "min-fatalities=x"])
def test_web_bad_parameters_are_json_422(client, query):
    response = client.get("/api/events?" + query)
    assert response.status_code == 422 and set(response.json()) == {"error"}


def test_web_page_and_assets_are_served_by_sitrep(client):
    page = client.get("/").text
    assert "/vendor/leaflet/leaflet.js" in page and "http:" not in page and "https:" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script,
    assert not re.search(r"\son[a-z]+\s*=", page) and "style=" not in page  # no inline handler or style
    assert client.get("/vendor/markercluster/leaflet.markercluster.js").status_code == 200
    shapes = client.get("/api/basemap.geojson").json()
    names = {f["properties"]["name"] for f in shapes["features"]}
    assert len(names) > 150 and {"Nigeria", "Syria", "Somalia"} <= names


# --- PostgreSQL --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_web_api_over_postgresql_matches_sqlite(pg_server, extractor, client):
    from sitrep.ingest import read_inputs
    from sitrep.service import ingest_documents

    url = pg_server.new_database()
    with Store.open(url) as pg:
        list(ingest_documents(pg, read_inputs([str(WEB_ARTICLES)]), lambda: extractor))
    with TestClient(create_app(url)) as pg_client:
        for path, params in [("/api/events", {"country": "Nigeria"}), ("/api/events", {"sort": "-fatalities"}),
                             ("/api/events", {"from": "2024-05-01", "limit": 2, "offset": 1}),
                             ("/api/aggregates", {"by": "type"}), ("/api/aggregates", {"by": "day"}),
                             ("/api/actors", {}), ("/api/places", {}), ("/api/articles", {"text": "police"})]:
            assert pg_client.get(path, params=params).json() == client.get(path, params=params).json(), path


# --- the command and its documentation -------------------------------------------------------------------


def test_web_every_endpoint_and_serve_option_is_in_the_readme(client):
    readme = (WEB_ARTICLES.parent.parent / "README.md").read_text("utf-8")
    paths = [p.split("{")[0] for p in client.get("/openapi.json").json()["paths"]]
    assert paths and all(f"`{'GET' if p != '/api/ingest' else 'POST'} {p}" in readme for p in paths), paths
    serve = build_parser()._subparsers._group_actions[0].choices["serve"]
    options = [o for a in serve._actions for o in a.option_strings if o.startswith("--") and o != "--help"]
    assert options and all(o in readme for o in options) and "SITREP_TOKEN" in readme


@pytest.mark.slow
def test_web_sitrep_serve_answers_read_only_on_loopback(web_db, tmp_path):
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "SITREP_TOKEN"}
    proc = subprocess.Popen([sys.executable, "-m", "sitrep.cli", "serve", "--db", web_db, "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url, status = f"http://127.0.0.1:{port}", None
        deadline = time.monotonic() + 30
        while status is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                status = httpx.get(url + "/api/status").json()
            except httpx.HTTPError:
                time.sleep(0.2)
        assert status is not None and status["read_only"] is True and status["counts"]["events"] >= 4
        assert httpx.post(url + "/api/ingest", content=NEW_STORY).status_code == 403
    finally:
        proc.terminate()
        out = proc.communicate(timeout=10)[0]
    assert "read-only: no SITREP_TOKEN" in out and "Traceback" not in out


# --- every bad parameter a 4xx JSON error; exports; what the map cannot show --------------------------------

BIG = str(2**63)


@pytest.mark.parametrize(("path", "overflowing", "negative"), [
    ("/api/events", {"offset": BIG}, {"offset": "-1"}),
    ("/api/events", {"min-fatalities": BIG}, {"min-fatalities": "-5"}),
    ("/api/aggregates", {"min-fatalities": BIG}, {"min-fatalities": "-5"}),
    ("/api/articles", {"offset": BIG}, {"limit": "-1"}),
    ("/api/actors", {"offset": BIG}, {"offset": "-1"}),
    ("/api/places", {"offset": BIG}, {"limit": "-1"}),
    ("/api/export", {"limit": BIG}, {"limit": "-1"}),
    ("/api/article", {"document": "x", "index": BIG}, {"document": "x", "index": "-1"}),
    ("/api/towns", {"bbox": "30,10,40,20", "limit": BIG}, {"bbox": "30,10,40,20", "limit": "-1"}),
])
def test_web_every_list_endpoint_answers_bad_parameters_with_a_json_4xx(client, path, overflowing, negative):
    for params in (overflowing, negative, {"no-such-filter": "1"}):
        response = client.get(path, params=params)
        assert 400 <= response.status_code < 500 and set(response.json()) == {"error"}, (params, response.text)
    unknown = client.get(path, params={"contry": "IQ"}).json()["error"]
    assert "'contry'" in unknown and "takes:" in unknown


def test_web_a_single_valued_filter_given_twice_is_refused_and_country_takes_several(client):
    assert client.get("/api/events?admin1=Borno&admin1=Banadir").status_code == 400
    one = {c: client.get("/api/events", params={"country": c}).json()["total"] for c in ("Nigeria", "SO")}
    both = client.get("/api/events?country=Nigeria&country=SO").json()["total"]
    assert both == one["Nigeria"] + one["SO"] and min(one.values()) > 0


def test_web_counts_the_events_the_map_or_the_timeline_cannot_show(client, web_db):
    page = client.get("/api/events").json()
    with Store.open(web_db) as store:
        events = store.events()
    assert page["without_point"] == sum(e.location is None or e.location.lat is None for e in events)
    assert page["without_date"] == sum(e.date.date is None for e in events)


@pytest.mark.parametrize("fmt", ["jsonl", "geojson", "acled-csv", "csv"])
def test_web_export_returns_the_filtered_events(client, fmt):
    params = {"country": "SO"}
    wanted = {e["id"] for e in client.get("/api/events", params=params).json()["items"]}
    response = client.get("/api/export", params={**params, "format": fmt})
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    if fmt == "jsonl":
        got = {json.loads(line)["id"] for line in response.text.splitlines()}
    elif fmt == "geojson":
        got = {f["properties"]["id"] for f in response.json()["features"]}
    else:
        rows = list(csv.DictReader(io.StringIO(response.text)))
        got = {r.get("sitrep_event_id") or r.get("id") for r in rows}
        assert len(rows) == len(wanted)
        if fmt == "acled-csv":
            assert {r["country"] for r in rows} == {"Somalia"}
    assert got == wanted and wanted


def test_web_cors_is_off_unless_an_origin_is_given(web_db):
    asked = {"Origin": "https://dashboard.example.org"}
    closed = TestClient(create_app(web_db)).get("/api/status", headers=asked)
    assert "access-control-allow-origin" not in closed.headers
    opened = TestClient(create_app(web_db, cors="https://dashboard.example.org")).get("/api/status", headers=asked)
    assert opened.headers["access-control-allow-origin"] == "https://dashboard.example.org"


def test_web_a_database_file_that_is_not_there_is_an_error(tmp_path):
    from sitrep.store import StoreError

    with pytest.raises(StoreError, match="no database at"):
        create_app(str(tmp_path / "typo.db"))
    assert not (tmp_path / "typo.db").exists()


def test_web_filters_know_the_names_people_write(client):
    by_alias = client.get("/api/events", params={"actor": "al-Shabab"}).json()
    by_part = client.get("/api/events", params={"actor": "shabaab"}).json()
    assert ids(by_alias) == ids(by_part) and by_alias["total"] >= 1
    phrase = client.get("/api/events", params={"text": '"palmyra" -nonexistentword'}).json()
    assert phrase["total"] == client.get("/api/events", params={"text": "palmyra"}).json()["total"] == 1


def test_web_bbox_keeps_the_events_placed_inside(client):
    everything = client.get("/api/events").json()["items"]
    inside = client.get("/api/events", params={"bbox": "30,-5,50,15"}).json()["items"]  # the Horn and Kenya
    expected = [e["id"] for e in everything if e["location"] and e["location"]["lat"] is not None
                and -5 <= e["location"]["lat"] <= 15 and 30 <= e["location"]["lon"] <= 50]
    assert ids({"items": inside}) == expected and 0 < len(expected) < len(everything)
    for bad in ("1,2,3", "10,20,0,0", "a,b,c,d", "0,0,200,10"):
        assert client.get("/api/events", params={"bbox": bad}).status_code == 422


def test_web_map_sends_points_or_cells_that_count_every_placed_event(client, monkeypatch):
    import sitrep.web

    points = client.get("/api/map").json()
    placed = [e for e in client.get("/api/events").json()["items"] if e["location"] and e["location"]["lat"] is not None]
    assert {e["id"] for e in points["points"]} == {e["id"] for e in placed} and points["events"] == len(placed)
    # a point carries what a marker draws, not the event's actors, reasons and sources
    assert all(set(p) == {"id", "event_type", "date", "fatalities", "location"} for p in points["points"])
    monkeypatch.setattr(sitrep.web, "MAP_POINTS", 1)
    cells = client.get("/api/map", params={"bbox": "-20,-35,60,40"}).json()
    assert "points" not in cells and sum(c["events"] for c in cells["clusters"]) == cells["events"] == len(placed)
    assert all(sum(c["types"].values()) == c["events"] for c in cells["clusters"])
