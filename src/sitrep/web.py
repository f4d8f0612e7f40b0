"""Stage 10b: the HTTP API and the web page over the store (FastAPI on uvicorn).

`create_app(db_url, token)` builds the app; `serve(...)` runs it. The app is thin: each endpoint
opens (per worker thread) a `Store`, calls one of its methods and shapes the JSON with
`export.event_dict` (one event) or `export.summary_dict` (lists, read without claims); ingesting
runs `pipeline.Extractor` through `service.ingest_documents` in a worker thread. Without a token
the server is read-only. Article text is untrusted: the page renders it with DOM text nodes only,
and every response carries a strict Content-Security-Policy.
The page's scripts, styles and map come from installed packages (Leaflet and
Leaflet.markercluster from XStatic packages, Natural Earth country shapes from pyogrio's data),
so it works with no internet.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import importlib.util
import io
import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from sitrep import __version__, export
from sitrep.model import EVENT_TYPES, MAX_COUNT, InputError, bbox_of
from sitrep.service import ingest_documents, towns, with_aliases
from sitrep.store import EVENT_SORTS, TALLY_KEYS, EventFilter, Store, StoreError

log = logging.getLogger("sitrep.web")

STATIC = Path(__file__).parent / "static"
DEFAULT_MAX_BODY = 2_000_000  # bytes a request body may have
MAX_PAGE = 1000  # events, articles, actors or places one request may list
MAX_TOWNS = 100  # town labels one map view may ask for
MAX_EXPORT = 100_000  # events one export may hold
JOB_BYTES = 100_000  # an ingest body larger than this (or of several documents) runs as a background job
KEEP_JOBS = 100  # finished jobs remembered for their status
MAP_POINTS = 2000  # events the map is sent one by one; above, the server groups them in cells
MAP_CELLS = 40  # cells across the map's box when it groups
EXPORT_TYPES = {"acled-csv": ("text/csv", "csv"), "csv": ("text/csv", "csv"),
                "geojson": ("application/geo+json", "geojson"), "jsonl": ("application/x-ndjson", "jsonl")}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; frame-src 'none'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
INGEST_KINDS = {"auto": "sniff", "text": "text", "html": "html", "jsonl": "jsonl"}
SORT_PATTERN = "^-?(" + "|".join(EVENT_SORTS) + ")$"


# --- the filters of `sitrep events`, as query parameters ---------------------------------------


def event_filter(
    country: Annotated[list[str] | None, Query(description="country name or ISO2 code; repeat for any of several")]
    = None,
    admin1: Annotated[str | None, Query(description="first-level region (province, state)")] = None,
    event_type: Annotated[list[str] | None, Query(alias="type", description="ACLED event type; repeat for any of "
                                                                              "several")] = None,
    sub_event_type: Annotated[str | None, Query(alias="sub-type", description="ACLED sub-event type")] = None,
    date_from: Annotated[dt.date | None, Query(alias="from", description="first day (YYYY-MM-DD)")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to", description="last day (YYYY-MM-DD)")] = None,
    actor: Annotated[list[str] | None, Query(description="an actor's name, alias or part of its name; repeat for "
                                                         "any of several")] = None,
    min_fatalities: Annotated[int | None, Query(alias="min-fatalities", ge=0, le=MAX_COUNT,
                                                description="at least this conservative toll")] = None,
    text: Annotated[str | None, Query(description='words all present in a report\'s evidence sentences, "quoted '
                                                   'phrases", OR between alternatives, -word for what must not be '
                                                   'there')] = None,
    bbox: Annotated[str | None, Query(description="west,south,east,north in degrees: events placed inside")] = None,
) -> EventFilter:
    """The filters of `sitrep events`, with the same names."""
    return EventFilter(country=tuple(country or ()), admin1=admin1 or None, event_type=tuple(event_type or ()),
                       sub_event_type=sub_event_type or None, date_from=date_from, date_to=date_to,
                       actor=tuple(actor or ()), min_fatalities=min_fatalities, text=text or None,
                       bbox=_bbox(bbox) if bbox else None)


def _bbox(text: str) -> tuple[float, float, float, float]:
    """The bbox parameter, checked (422 saying what is wrong)."""
    try:
        return bbox_of(text)
    except ValueError as exc:
        raise HTTPException(422, f"bbox: {exc}") from None


def named_filter(f: Annotated[EventFilter, Depends(event_filter)]) -> EventFilter:
    """The filters with countries and actors read by any of their names (`service.with_aliases`)."""
    return with_aliases(f)


Filters = Annotated[EventFilter, Depends(named_filter)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="at most this many items")]
Offset = Annotated[int, Query(ge=0, le=MAX_COUNT, description="skip this many items first")]


# --- JSON shapes ----------------------------------------------------------------------------------


def _page(items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    """One page of a listing."""
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON error every failure answers with: {"error": message}."""
    return JSONResponse({"error": message}, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})})


# --- the app ---------------------------------------------------------------------------------------


@dataclass
class Stores:
    """One open Store per worker thread (a SQLite or PostgreSQL connection is never shared by two threads)."""

    url: str | None
    local: threading.local = field(default_factory=threading.local)
    opened: list[Store] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self) -> Store:
        """This thread's store, opened on first use."""
        store = getattr(self.local, "store", None)
        if store is None:
            store = self.local.store = Store.open(self.url)
            with self.lock:
                self.opened.append(store)
        return store

    def close(self) -> None:
        """Close every store opened (a later `get` opens anew)."""
        with self.lock:
            for store in self.opened:
                store.close()
            self.opened.clear()
            self.local = threading.local()


def create_app(db_url: str | None = None, token: str | None = None, max_body: int = DEFAULT_MAX_BODY,
               extractor_factory: Callable[[], Any] | None = None, cors: str | None = None) -> FastAPI:
    """The sitrep web app over the database at db_url; `token` enables POST /api/ingest (else read-only); `cors`
    names the one other origin whose pages may read the API (none by default)."""
    stores = Stores(db_url)
    # fail at start (bad URL, unreachable server, a database file that is not there), not on the first request
    Store.open(db_url, create=False).close()
    app = FastAPI(title="sitrep", version=__version__, docs_url=None, redoc_url=None,
                  dependencies=[Depends(_known_parameters)],
                  description="Conflict events extracted from news, every figure traced to its sentence. "
                              "Filters have the names of `sitrep events`. Errors are JSON: {\"error\": \"...\"}.")
    app.router.on_shutdown.append(stores.close)
    _install_safety(app, max_body)
    if cors:
        app.add_middleware(CORSMiddleware, allow_origins=[cors], allow_methods=["GET"], allow_headers=["Accept"])
    # registered in this order, which is the order of the paths in /openapi.json
    _page_routes(app, stores, token)
    _event_routes(app, stores)
    _catalogue_routes(app, stores)
    _ingest_route(app, Ingester(stores, extractor_factory), token, max_body)
    _asset_routes(app)
    return app


def _page_routes(app: FastAPI, stores: Stores, token: str | None) -> None:
    """The page itself and the status it starts from."""

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/api/status", summary="Version, row counts, and whether ingest is enabled")
    def status() -> dict[str, Any]:
        db = stores.get()
        return {"version": __version__, "read_only": token is None, "counts": db.counts(),
                "event_types": list(EVENT_TYPES)}


def _event_routes(app: FastAPI, stores: Stores) -> None:
    """Merged events: a page of summaries, one event in full, and tallies."""

    @app.get("/api/events", summary="Merged events matching the filters, one page, newest first (undated last); "
                                     "with how many of them have no point or no date")
    def events(f: Filters, limit: Limit = 100, offset: Offset = 0,
               sort: Annotated[str, Query(pattern=SORT_PATTERN, description="date, fatalities or id; '-' "
                                                                            "first for descending")] = "-date") -> dict:
        db = stores.get()
        found = db.event_summaries(dataclasses.replace(f, limit=limit, offset=offset, sort=sort))
        counts = db.event_counts(f)
        return _page([export.summary_dict(e) for e in found], counts.events, limit, offset) | {
            "without_point": counts.without_point, "without_date": counts.without_date}

    @app.get("/api/map", summary="What the map shows of the filters inside bbox: the events themselves up to "
                                  f"{MAP_POINTS:,}, else cells of about a fortieth of the box with counts per type")
    def map_view(f: Filters) -> dict:
        db = stores.get()
        inside = db.event_counts(f)
        placed = inside.events - inside.without_point
        if placed <= MAP_POINTS:
            # the unplaced events of the filter come too (then are left out): every placed one must be sent
            found = db.event_summaries(dataclasses.replace(f, limit=placed + inside.without_point, sort="-date"))
            return {"events": placed, "points": [export.point_dict(e) for e in found
                                                 if e.location is not None and e.location.lat is not None]}
        west, _, east, _ = f.bbox or (-180.0, -90.0, 180.0, 90.0)
        cell = max(0.01, ((east - west) % 360 or 360) / MAP_CELLS)
        return {"events": placed, "clusters": [dataclasses.asdict(c) for c in db.map_cells(f, cell)]}

    @app.get("/api/export", summary="The merged events matching the filters as a file: ACLED CSV, CSV, GeoJSON or "
                                     "JSONL, newest first")
    def export_events(f: Filters,
                      format: Annotated[str, Query(pattern="^(" + "|".join(EXPORT_TYPES) + ")$")] = "acled-csv",
                      limit: Annotated[int, Query(ge=1, le=MAX_EXPORT, description="at most this many events")]
                      = MAX_EXPORT) -> Response:
        db = stores.get()
        out = io.StringIO()
        export.write_events(db.events(dataclasses.replace(f, limit=limit, sort="-date")), format, out)
        media, suffix = EXPORT_TYPES[format]
        return Response(out.getvalue(), media_type=media,
                        headers={"Content-Disposition": f'attachment; filename="sitrep-events.{suffix}"'})

    @app.get("/api/events/{event_id:path}", summary="One merged event: reports, claims, sources, merge reasons, "
                                                     "and the articles its claims come from (without their text: "
                                                     "GET /api/article has it)")
    def event(event_id: str) -> dict:
        db = stores.get()
        found = db.event(event_id)
        if found is None:
            raise HTTPException(404, f"no event '{event_id}'")
        out = export.event_dict(found)
        # an event stays small however long its articles: their text comes one article at a time
        articles = [db.article(doc, idx) for doc, idx in _cited_articles(out)]
        return out | {"articles": [_article(a, with_text=False) for a in articles if a is not None]}

    @app.get("/api/aggregates", summary="Events and fatalities per day, country or event type, with the filters")
    def aggregates(f: Filters,
                   by: Annotated[str, Query(pattern="^(" + "|".join(TALLY_KEYS) + ")$")] = "day") -> dict:
        db = stores.get()
        return {"by": by, "items": [{"key": t.key, "events": t.events, "fatalities": t.fatalities}
                                    for t in db.tally(by, f)]}


def _catalogue_routes(app: FastAPI, stores: Stores) -> None:
    """Stored articles, actors and places."""

    @app.get("/api/articles", summary="Stored articles, newest first (without their text)")
    def articles(document: str | None = None, text: str | None = None, limit: Limit = 100,
                 offset: Offset = 0) -> dict:
        db = stores.get()
        found, total = db.articles(document, text, limit, offset)
        return _page([_article(a, with_text=False) for a in found], total, limit, offset)

    @app.get("/api/article", summary="One stored article with its headline, caption and text")
    def article(document: str, index: Annotated[int, Query(ge=0, le=MAX_COUNT)] = 0) -> dict:
        db = stores.get()
        found = db.article(document, index)
        if found is None:
            raise HTTPException(404, f"no article {index} in document '{document}'")
        return _article(found)

    @app.get("/api/actors", summary="Actors with their ACLED type and event counts, most events first")
    def actors(name: str | None = None, limit: Limit = 100, offset: Offset = 0) -> dict:
        db = stores.get()
        found, total = db.actors(name, limit, offset)
        items = [a.to_dict() | {"country": a.country, "events": t.events, "fatalities": t.fatalities} for a, t in found]
        return _page(items, total, limit, offset)

    @app.get("/api/places", summary="Geocoded places with their event counts, most events first")
    def places(country: str | None = None, limit: Limit = 100, offset: Offset = 0) -> dict:
        db = stores.get()
        found, total = db.places(country, limit, offset)
        return _page([p.to_dict() | {"events": t.events, "fatalities": t.fatalities} for p, t in found],
                     total, limit, offset)

    @app.get("/api/towns", summary="The largest towns inside bbox, from the gazetteer: the map's town labels")
    def largest_towns(bbox: Annotated[str, Query(description="west,south,east,north in degrees")],
                      limit: Annotated[int, Query(ge=1, le=MAX_TOWNS, description="at most this many towns")] = 25,
                      ) -> dict:
        return {"towns": towns(_bbox(bbox), limit)}


def _ingest_route(app: FastAPI, ingesting: Ingester, token: str | None, max_body: int) -> None:
    """POST /api/ingest: refused without the server's token, and for a body over max_body."""

    @app.post("/api/ingest", summary="Extract and store a text, HTML or JSONL body (Authorization: Bearer token)",
              response_model=None,
              responses={202: {"description": "a background job: GET its status_url"},
                         401: {"description": "no or wrong token"}, 403: {"description": "read-only server"},
                         413: {"description": "body too large"}})
    async def ingest(request: Request, authorization: Annotated[str | None, Header()] = None,
                     format: Annotated[str, Query(pattern="^(" + "|".join(INGEST_KINDS) + ")$",
                                                  description="how to read the body")] = "auto",
                     published: Annotated[dt.date | None, Query(description="publication date for documents "
                                                                            "that carry none")] = None
                     ) -> dict | JSONResponse:
        _authorize(token, authorization)
        body = await _read_body(request, max_body)
        answer = await run_in_threadpool(ingesting.run, body, INGEST_KINDS[format], published)
        if "job" in answer:  # a large body or several documents: extracted in the background
            return JSONResponse(answer, status_code=202, headers={"Location": answer["status_url"]})
        return answer

    @app.get("/api/jobs/{job_id}", summary="A background ingest: its state, how many documents are done, and "
                                           "each finished document's outcome and events")
    def job(job_id: str) -> dict:
        found = ingesting.jobs.get(job_id)
        if found is None:
            raise HTTPException(404, f"no job '{job_id}' (jobs are kept in memory until the server restarts)")
        return found.to_dict()


def _asset_routes(app: FastAPI) -> None:
    """The map's country shapes, the page's own files and the vendored Leaflet."""

    @app.get("/api/basemap.geojson", summary="Natural Earth country shapes (1:110m) for the map")
    def basemap() -> Response:
        return Response(_basemap(), media_type="application/geo+json",
                        headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for name, directory in _vendor_dirs().items():
        app.mount(f"/vendor/{name}", StaticFiles(directory=directory), name=f"vendor-{name}")


def _cited_articles(event: dict[str, Any]) -> list[tuple[str, int]]:
    """The (document, article index) pairs an `event_dict`'s reports and claims come from, sorted."""
    return sorted({(r["document_id"], a) for r in event["reports"]
                   for a in {r["event"]["article"], *(c["article"] for c in r["event"]["claims"])}})


def _article(stored: Any, with_text: bool = True) -> dict[str, Any]:
    """A stored article as JSON (its text only when asked)."""
    out = {"document_id": stored.document_id, "index": stored.index, "source": stored.source, "url": stored.url}
    out |= stored.article.to_dict()
    if not with_text:
        out.pop("text")
        out.pop("caption")
    return out


@dataclass
class Job:
    """A background ingest: its documents' outcomes as they finish."""

    id: str
    total: int
    state: str = "queued"  # queued | running | done | failed
    documents: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The job as GET /api/jobs/{id} answers it."""
        return {"id": self.id, "state": self.state, "total": self.total, "done": len(self.documents),
                "documents": list(self.documents), "error": self.error}


class Ingester:
    """Extracts and stores request bodies, one at a time, with one Extractor loaded on first use."""

    def __init__(self, stores: Stores, extractor_factory: Callable[[], Any] | None) -> None:
        self.stores = stores
        self.factory = extractor_factory
        self.extractor: Any = None
        self.lock = threading.Lock()
        self.jobs: dict[str, Job] = {}
        self.lock_jobs = threading.Lock()

    def _extractor(self) -> Any:
        """The shared extractor (loading the models once)."""
        if self.extractor is None:
            if self.factory is None:
                from sitrep.pipeline import Extractor

                self.factory = Extractor
            self.extractor = self.factory()
        return self.extractor

    def run(self, body: bytes, kind: str, published: dt.date | None) -> dict[str, Any]:
        """Read the body as documents, extract and store them; each document's outcome and merged events. A body
        over JOB_BYTES or of several documents becomes a background job: the answer names it."""
        from sitrep.ingest import decode_bytes, read_text

        text = decode_bytes(body)
        if isinstance(text, InputError):
            raise HTTPException(400, f"unreadable body: {text.problem}")
        items = list(read_text(text, "request", kind, published))
        if len(body) > JOB_BYTES or len(items) > 1:
            return self._start(items)
        with self.lock:
            outcomes = list(ingest_documents(self.stores.get(), items, self._extractor))
        if all(o.outcome == "failed" for o in outcomes):
            raise HTTPException(400, "; ".join(o.problem or "unreadable" for o in outcomes))
        return {"documents": [self._outcome(o) for o in outcomes]}

    def _outcome(self, o: Any) -> dict[str, Any]:
        """One document's outcome with its merged events, as the answer shows it."""
        store = self.stores.get()
        ids = store.document_events(o.document_id) if o.document_id else []
        return {"id": o.document_id, "origin": o.origin, "outcome": o.outcome, "problem": o.problem,
                "events": [export.summary_dict(e) for e in store.event_summaries_of(ids)]}

    def _start(self, items: list[Any]) -> dict[str, Any]:
        """Run the documents in a thread of their own; the job's id and where to ask how it goes."""
        job = Job(uuid.uuid4().hex[:12], len(items))
        with self.lock_jobs:
            self.jobs[job.id] = job
            while len(self.jobs) > KEEP_JOBS:  # the oldest finished jobs are forgotten first
                done = next((k for k, j in self.jobs.items() if j.state in ("done", "failed")), None)
                if done is None:
                    break
                del self.jobs[done]
        threading.Thread(target=self._work, args=(job, items), daemon=True, name=f"ingest-{job.id}").start()
        return {"job": job.id, "status_url": f"/api/jobs/{job.id}", "total": job.total}

    def _work(self, job: Job, items: list[Any]) -> None:
        """Extract and store a job's documents one at a time, recording each outcome; never raises."""
        job.state = "running"
        try:
            for item in items:
                with self.lock:
                    (outcome,) = ingest_documents(self.stores.get(), [item], self._extractor)
                job.documents.append(self._outcome(outcome))
            job.state = "done"
        except Exception as exc:  # noqa: BLE001 - a job must end with a state, whatever went wrong
            log.exception("ingest job %s failed", job.id)
            job.state, job.error = "failed", f"{type(exc).__name__}: the job stopped (logged on the server)"


# --- safety: parameters, token, body size, headers, errors ---------------------------------------------


def _known_parameters(request: Request) -> None:
    """Refuse (400) a query parameter the endpoint does not take, naming those it does, and a single-valued one
    given twice: a mistyped filter must not silently match everything."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or not request.url.path.startswith("/api/"):
        return  # the page keeps its filters in its own URL and reads them itself
    fields = _query_fields(dependant)
    unknown = sorted(set(request.query_params) - set(fields))
    if unknown:
        known = ", ".join(sorted(fields)) or "none"
        raise HTTPException(400, f"unknown parameter {', '.join(map(repr, unknown))}; this endpoint takes: {known}")
    repeated = sorted(k for k in request.query_params if len(request.query_params.getlist(k)) > 1
                      and not _is_list(fields[k].field_info.annotation))
    if repeated:
        raise HTTPException(400, f"parameter {', '.join(map(repr, repeated))} given more than once")


def _query_fields(dependant: Any) -> dict[str, Any]:
    """The query parameters of an endpoint and of the dependencies it uses (the filters), by name."""
    fields = {f.alias: f for f in dependant.query_params}
    for sub in dependant.dependencies:
        fields |= _query_fields(sub)
    return fields


def _is_list(annotation: Any) -> bool:
    """Whether a parameter's type takes several values (list[str] | None)."""
    return annotation is list or get_origin(annotation) is list or any(map(_is_list, get_args(annotation)))



def _authorize(token: str | None, authorization: str | None) -> None:
    """Allow a write only with the server's bearer token (none set: the server is read-only)."""
    if token is None:
        raise HTTPException(403, "this server is read-only: start it with SITREP_TOKEN set to enable ingest")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise HTTPException(401, "a valid 'Authorization: Bearer <token>' header is required",
                            headers={"WWW-Authenticate": "Bearer"})


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as a streamed body passes the limit (`Guard` checks Content-Length)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"request body over the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


class Guard:
    """ASGI middleware: the security headers on every response; a body declared over the limit refused (413) unread."""

    def __init__(self, app: Any, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body:
            return await _error(413, f"request body over the limit of {self.max_body:,} bytes")(scope, receive, send)

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        return await self.app(scope, receive, send_with_headers)


def _install_safety(app: FastAPI, max_body: int) -> None:
    """Security headers and the body limit on every request, and JSON errors that never carry a traceback."""
    app.add_middleware(Guard, max_body=max_body)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = ["{}: {}".format(".".join(str(x) for x in e.get("loc", ())[1:]) or "request", e.get("msg"))
                    for e in exc.errors()]
        return _error(422, "; ".join(problems))

    @app.exception_handler(StoreError)
    async def store_error(_: Request, exc: StoreError) -> JSONResponse:
        log.error("store error: %s", exc)
        return _error(503, "the database is unavailable or busy; try again")

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("error serving %s %s", request.method, request.url.path)
        return _error(500, "internal error (logged on the server)")


# --- assets from installed packages -----------------------------------------------------------------


def _vendor_dirs() -> dict[str, Path]:
    """Leaflet and Leaflet.markercluster, as the XStatic packages install them."""
    import xstatic.pkg.leaflet
    import xstatic.pkg.leaflet_markercluster

    return {"leaflet": Path(xstatic.pkg.leaflet.BASE_DIR),
            "markercluster": Path(xstatic.pkg.leaflet_markercluster.BASE_DIR)}


def natural_earth_path() -> Path:
    """Natural Earth's 1:110m countries (naturalearth_lowres) as pyogrio installs them, found without importing GDAL."""
    spec = importlib.util.find_spec("pyogrio")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pyogrio is not installed: it carries the Natural Earth shapes of the map")
    return Path(spec.submodule_search_locations[0]) / "tests" / "fixtures" / "naturalearth_lowres" / "naturalearth_lowres.shp"


@lru_cache(maxsize=1)
def _basemap() -> bytes:
    """The country shapes as compact GeoJSON (name and ISO3 per country, coordinates to 0.01°)."""
    import shapefile

    features = []
    with shapefile.Reader(str(natural_earth_path())) as shapes:
        for record in shapes.iterShapeRecords():
            geometry = record.shape.__geo_interface__
            features.append({"type": "Feature", "properties": {"name": record.record["name"],
                                                               "iso_a3": record.record["iso_a3"]},
                             "geometry": {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])}})
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode()


def _round(coordinates: Any) -> Any:
    """Nested coordinates rounded to two decimals."""
    if isinstance(coordinates[0], (int, float)):
        return [round(c, 2) for c in coordinates]
    return [_round(c) for c in coordinates]


# --- running ------------------------------------------------------------------------------------------


def serve(db_url: str | None, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          max_body: int = DEFAULT_MAX_BODY, cors: str | None = None) -> None:
    """Run the app with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(db_url, token, max_body, cors=cors), host=host, port=port, log_level="info",
                server_header=False, proxy_headers=False)

