"""Measured accuracy: score extraction against labelled rows (ACLED notes) or gold articles.

`evaluate_rows` scores each document's main event (the first typed event) against ACLED's
coded fields; `evaluate_articles` scores full articles against an analyst's gold: claims as
(kind, count) pairs, claimants on matched claims, the main event type, the conservative toll,
and no event where the gold has none. Only the text and the gold's `published` date reach the
extractor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitrep.acled import strip_cues
from sitrep.actors import acled_name, normalise
from sitrep.geo import Gazetteer, km, name_key
from sitrep.model import Claim, Document, Event, Result
from sitrep.events import Typing
from sitrep.pipeline import Extractor

ADMIN_WORDS = re.compile(
    r"\b(governorate|province|provincia|region|state|oblast|department|departement|district|county|"
    r"prefecture|muhafazat|wilayat|region of|city|municipality)\b",
    re.I,
)
GOLD_CLAIM_LISTS = {
    "fatality_claims": "killed",
    "injury_claims": "injured",
    "displacement_claims": "displaced",
}
STOP = {"the", "a", "an", "of", "in", "and", "to", "via", "for", "on", "said", "officials", "official"}


@dataclass
class Score:
    """Right answers out of scored ones for one field."""

    right: int = 0
    total: int = 0

    @property
    def rate(self) -> float:
        """Share right (1.0 when nothing was scored)."""
        return self.right / self.total if self.total else 1.0

    def add(self, ok: bool | None) -> None:
        """Count one answer; None means the field does not apply."""
        if ok is None:
            return
        self.total += 1
        self.right += int(ok)


@dataclass
class Row:
    """One scored document: which fields were right, what was expected, what came out."""

    id: str
    ok: dict[str, bool]
    expected: dict[str, Any]
    got: dict[str, Any]

    @property
    def wrong(self) -> int:
        """How many fields were wrong."""
        return sum(not v for v in self.ok.values())


@dataclass
class Report:
    """Scores for a data set."""

    name: str
    corpus_hash: str
    fields: dict[str, Score] = field(default_factory=dict)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    rows: list[Row] = field(default_factory=list)
    extra: dict[str, float] = field(default_factory=dict)  # derived figures (precision, recall, F1)
    breakdown: dict[str, tuple[int, int]] = field(default_factory=dict)  # (right, total) by group, shown only

    def score(self, name: str, ok: bool | None) -> bool | None:
        """Record one answer for a field and return it."""
        self.fields.setdefault(name, Score()).add(ok)
        return ok

    def rates(self) -> dict[str, float]:
        """Every field's rate and every derived figure, rounded."""
        out = {k: round(v.rate, 4) for k, v in self.fields.items()}
        out.update({k: round(v, 4) for k, v in self.extra.items()})
        return out

    def to_dict(self, worst: int = 10) -> dict[str, Any]:
        """Machine-readable report."""
        return {
            "dataset": self.name,
            "corpus_hash": self.corpus_hash,
            "n": len(self.rows),
            "scores": self.rates(),
            "counts": {k: [v.right, v.total] for k, v in self.fields.items()},
            "confusion": [[g, p, n] for (g, p), n in sorted(self.confusion.items())],
            "breakdown": {k: list(v) for k, v in self.breakdown.items()},
            "worst": [r.__dict__ for r in self.worst(worst)],
        }

    def worst(self, n: int) -> list[Row]:
        """The rows with the most wrong fields."""
        return sorted((r for r in self.rows if r.wrong), key=lambda r: -r.wrong)[:n]


# --- helpers -------------------------------------------------------------------------------------


def corpus_hash(paths: Iterable[Path]) -> str:
    """A short hash of the data files, so pinned floors are tied to one corpus."""
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def same_admin(a: str | None, b: str | None) -> bool:
    """Whether two admin1 names are the same place, ignoring 'Governorate', spelling and articles."""
    if not a or not b:
        return False
    ka, kb = (name_key(ADMIN_WORDS.sub(" ", x)) for x in (a, b))
    return bool(ka) and (ka == kb or ka in kb or kb in ka)


def same_actor(pred: str | None, gold: str | None) -> bool:
    """ACLED actor names compared without years, case and accents; both absent counts as right."""
    if not gold:
        return not pred
    return pred is not None and normalise(pred) == normalise(gold)


def _words(text: str | None) -> set[str]:
    """Significant words of a name ('U.S.' -> 'us')."""
    plain = (text or "").lower().replace(".", "")
    return {w for w in re.findall(r"[a-z]+", plain) if w not in STOP and len(w) >= 2}


def same_claimant(pred: str | None, gold: str | None) -> bool:
    """A claimant is right when both are null, or they share a significant word."""
    if gold is None or pred is None:
        return gold is None and pred is None
    if re.sub(r"\W", "", pred.lower()) == re.sub(r"\W", "", gold.lower()):
        return True
    pw, gw = _words(pred), _words(gold)
    pw |= {w.rstrip("s") for w in pw}
    gw |= {w.rstrip("s") for w in gw}
    return bool(pw & gw)


def main_event(result: Result) -> Event | None:
    """The document's main event: its first typed event."""
    return next((e for e in result.events if e.event_type), None)


# --- ACLED rows ----------------------------------------------------------------------------------


def evaluate_rows(path: Path, extractor: Extractor, cues: bool = True) -> Report:
    """Score each row's main event against ACLED's coded fields (`gold`)."""
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    report = Report(path.name + ("" if cues else " (cues stripped)"), corpus_hash([path]))
    gaz = extractor.gazetteer
    docs = [
        Document(id=r["id"], text=r["text"] if cues else strip_cues(r["text"]), origin=f"{path.name}:{i + 1}",
                 published=_date(r.get("published")))
        for i, r in enumerate(rows)
    ]
    for row, result in zip(rows, extractor.extract_many(docs)):
        gold = row["gold"]
        event = main_event(result) if isinstance(result, Result) else None
        report.rows.append(_score_row(report, row["id"], gold, event, gaz))
    report.extra, report.breakdown = typing_figures(report.rows)
    return report


PLACE_FIELDS = ("country", "admin1", "location_25km", "location_50km")


def typing_figures(rows: Sequence[Row]) -> tuple[dict[str, float], dict[str, tuple[int, int]]]:
    """How well events are typed: sub-event macro-F1, each event type's recall, accuracy on odd and even rows
    (study errors on one half, check the gain on the other), by what typed them and by the model's confidence;
    and the place figures on each half and over the rows with an event."""
    pairs = [(r.expected.get("sub_event_type"), r.got.get("sub_event_type")) for r in rows]
    f1s = []
    for sub in sorted({g for g, _ in pairs if g}):
        tp = sum(g == p == sub for g, p in pairs)
        fp = sum(p == sub and g != sub for g, p in pairs)
        fn = sum(g == sub and p != sub for g, p in pairs)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    pinned: dict[str, list[Row]] = {}  # stable groups: floors may be pinned on them
    shown: dict[str, list[Row]] = {}  # groups that move with the typing itself: printed, never pinned
    for r in rows:
        pinned.setdefault(f"recall: {r.expected.get('event_type')}", []).append(r)
        number = re.search(r"(\d+)$", r.id)
        if number:
            half = "odd" if int(number.group(1)) % 2 else "even"
            pinned.setdefault(f"event_type ({half} rows)", []).append(r)
            pinned.setdefault(f"sub_event_type ({half} rows)", []).append(r)
        shown.setdefault(f"event_type when typed by {r.got.get('type_source') or 'nothing'}", []).append(r)
        confidence = r.got.get("type_confidence")
        if confidence is not None:
            low = min(int(confidence * 10), 9) / 10
            shown.setdefault(f"event_type at model confidence {low:.1f}-{low + 0.1:.1f}", []).append(r)
    extra = {"sub_event_macro_f1": sum(f1s) / len(f1s) if f1s else 0.0}
    for name, ms in sorted(pinned.items()):
        scored = "sub_event_type" if name.startswith("sub_event_type") else "event_type"
        extra[name] = sum(r.ok[scored] for r in ms) / len(ms)
    breakdown = {name: (sum(r.ok["event_type"] for r in ms), len(ms)) for name, ms in sorted(shown.items())}
    # the place figures on each half and over the rows with an event (a row with none can have no place)
    halves = {"odd rows": pinned.get("event_type (odd rows)", []), "even rows": pinned.get("event_type (even rows)", []),
              "rows with an event": [r for r in rows if r.got.get("event_type")]}
    for scored in PLACE_FIELDS:
        for label, ms in halves.items():
            if ms:
                breakdown[f"{scored} ({label})"] = (sum(r.ok[scored] for r in ms), len(ms))
    return extra, breakdown


def _score_row(report: Report, rid: str, gold: dict[str, Any], event: Event | None, gaz: Gazetteer) -> Row:
    """Score one ACLED row."""
    loc = event.location if event else None
    gold_iso = (gaz.country(gold.get("country") or "") or (None, None))[0]
    point = (loc.lat, loc.lon) if loc and loc.lat is not None and loc.lon is not None else None
    gpoint = (gold["latitude"], gold["longitude"]) if gold.get("latitude") is not None else None
    dist = km(point, gpoint) if point and gpoint else None
    got: dict[str, Any] = {
        "event_type": event.event_type if event else None,
        "sub_event_type": event.sub_event_type if event else None,
        "date": event.date.date.isoformat() if event and event.date.date else None,
        "fatalities": event.fatalities if event else None,
        "country": loc.country if loc else None,
        "admin1": loc.admin1 if loc else None,
        "location": f"{loc.name} ({dist:.0f} km)" if loc and dist is not None else (loc.name if loc else None),
        "actor1": acled_name(event.actor1) if event and event.actor1 else None,
        "actor2": acled_name(event.actor2) if event and event.actor2 else None,
        "type_source": event.type_source if event else None,
        "type_confidence": event.type_confidence if event else None,
    }
    ok = {
        "event_type": got["event_type"] == gold["event_type"],
        "sub_event_type": got["sub_event_type"] == gold["sub_event_type"],
        "date": got["date"] == gold.get("event_date"),
        "fatalities": event is not None and event.fatalities == gold.get("fatalities"),
        "country": bool(loc and gold_iso and loc.iso2 == gold_iso),
        "admin1": same_admin(got["admin1"], gold.get("admin1"))
        or bool(loc and loc.iso2 == gold_iso and gaz.same_province(got["admin1"], gold.get("admin1"), gold_iso)),
        "location_25km": dist is not None and dist <= 25,
        "location_50km": dist is not None and dist <= 50,
        "actor1": same_actor(got["actor1"], gold.get("actor1")),
        "actor2": same_actor(got["actor2"], gold.get("actor2")),
    }
    for name, value in ok.items():
        report.score(name, value)
    report.confusion[(gold["event_type"], got["event_type"] or "(none)")] += 1
    expected = {k: gold.get(k) for k in ("event_type", "sub_event_type", "fatalities", "country", "admin1",
                                          "location", "actor1", "actor2")}
    expected["date"] = gold.get("event_date")
    return Row(rid, ok, expected, got)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# --- gold articles -------------------------------------------------------------------------------


def gold_claims(gold: dict[str, Any]) -> list[dict[str, Any]]:
    """Every claim of a gold file (all events, aggregates included, vague ones too), with its kind and event."""
    out: list[dict[str, Any]] = []
    for n, event in enumerate(gold.get("events", [])):
        for key, kind in GOLD_CLAIM_LISTS.items():
            out += [{**c, "kind": kind, "event": n} for c in event.get(key) or []]
        out += [{**c, "kind": c.get("kind", "abducted"), "event": n} for c in event.get("other_claims") or []]
        out += [{**c, "kind": c.get("kind", "killed"), "event": n, "aggregate": True}
                for c in event.get("aggregate_claims") or []]
    out += [{**c, "kind": c.get("kind", "killed"), "event": None, "aggregate": True}
            for c in gold.get("aggregate_claims") or []]
    return out


Span = tuple[int, str, int, int]  # article, field, start, end


def gold_spans(text: str, result: Result) -> list[Span]:
    """Where a gold claim's literal text stands in the cleaned articles (every occurrence)."""
    spans: list[Span] = []
    for n, article in enumerate(result.articles):
        for name in ("headline", "caption", "text"):
            body = article.field_text(name)
            spans += [(n, name, m.start(), m.end()) for m in re.finditer(re.escape(text), body)] if text else []
    return spans


def match_claims(golds: Sequence[dict[str, Any]], result: Result) -> tuple[list[tuple[dict[str, Any], Claim]],
                                                                        list[dict[str, Any]], list[Claim]]:
    """Match predicted claims to gold claims one to one: the same kind and count, and the predicted words
    inside the gold's literal text. Returns the pairs, the gold claims missed and the predicted claims that
    match none. A headline figure that repeats a matched claim is a restatement the gold does not list, and
    is neither right nor wrong."""
    preds = [c for e in result.events for c in e.claims]
    used: set[int] = set()
    pairs: list[tuple[dict[str, Any], Claim]] = []
    missed: list[dict[str, Any]] = []
    for gold in golds:
        spans = gold_spans(gold.get("text") or "", result)
        found = next((i for i, c in enumerate(preds) if i not in used and (c.kind, c.count) == (gold["kind"], gold["count"])
                      and any(c.article == a and c.field == f and c.start < e and s < c.end for a, f, s, e in spans)),
                     None)
        if found is None:
            missed.append(gold)
        else:
            used.add(found)
            pairs.append((gold, preds[found]))
    said = {(c.kind, c.count) for _, c in pairs}
    extra = [c for i, c in enumerate(preds) if i not in used and not (c.field == "headline" and (c.kind, c.count) in said)]
    return pairs, missed, extra


def evaluate_articles(folder: Path, extractor: Extractor) -> Report:
    """Score full articles against their `.gold.json` files."""
    paths = sorted(folder.glob("*.txt"))
    golds = [json.loads(p.with_suffix(".gold.json").read_text("utf-8")) for p in paths]
    report = Report(folder.name, corpus_hash([*paths, *(p.with_suffix(".gold.json") for p in paths)]))
    docs = [Document(id=p.stem, text=p.read_text("utf-8"), origin=str(p), published=_date(g.get("published")))
            for p, g in zip(paths, golds)]
    tp = fp = fn = 0
    for path, gold, result in zip(paths, golds, extractor.extract_many(docs)):
        assert isinstance(result, Result)
        row, counts = _score_article(report, path.stem, gold, result)
        tp, fp, fn = tp + counts[0], fp + counts[1], fn + counts[2]
        report.rows.append(row)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    report.extra = {
        "claims_precision": precision,
        "claims_recall": recall,
        "claims_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }
    return report


def _score_article(report: Report, name: str, gold: dict[str, Any], result: Result) -> tuple[Row, tuple[int, int, int]]:
    """Score one article; returns the row and the (true positive, false positive, false negative) claims."""
    pairs, missed, extra = match_claims(gold_claims(gold), result)
    for g, c in pairs:
        report.score("claimant", same_claimant(c.claimant, g.get("claimant")))
    event = main_event(result)
    gold_events = gold.get("events") or []
    gold_main = gold_events[0] if gold_events else None
    ok: dict[str, bool] = {}
    if gold_main is None:
        ok["no_event_on_negatives"] = bool(report.score("no_event_on_negatives", event is None))
    else:
        ok["main_event_type"] = bool(report.score("main_event_type", event is not None and event.event_type == gold_main["event_type"]))
        ok["main_sub_event_type"] = bool(report.score(
            "main_sub_event_type", event is not None and event.sub_event_type == gold_main["sub_event_type"]))
        ok["conservative_toll"] = bool(report.score(
            "conservative_toll", event is not None and event.fatalities == gold_main.get("fatalities_conservative")))
        if gold_main.get("date"):
            ok["main_date"] = bool(report.score(
                "main_date", event is not None and event.date.date is not None and event.date.date.isoformat() == gold_main["date"]))
        gl = gold_main.get("location") or {}
        if gl.get("lat") is not None:
            loc = event.location if event else None
            near = bool(loc and loc.lat is not None and loc.lon is not None
                        and km((loc.lat, loc.lon), (gl["lat"], gl["lon"])) <= 25)
            ok["main_location_25km"] = bool(report.score("main_location_25km", near))
        report.confusion[(gold_main["event_type"], event.event_type if event and event.event_type else "(none)")] += 1
    others = _other_events(gold_events[1:], result, event, pairs)
    for n, (g, e) in enumerate(others):
        ok[f"other event {n + 2} type"] = bool(report.score("other_event_type", e is not None and e.event_type == g["event_type"]))
        ok[f"other event {n + 2} toll"] = bool(report.score(
            "other_event_toll", e is not None and e.fatalities == g.get("fatalities_conservative")))
    expected = {
        "main": f"{gold_main['event_type']} / {gold_main['sub_event_type']}" if gold_main else None,
        "toll": gold_main.get("fatalities_conservative") if gold_main else None,
        "date": gold_main.get("date") if gold_main else None,
        "claims only in one": [(g["kind"], g["count"], g.get("text")) for g in missed],
        "claimants": [(g.get("text"), g.get("claimant")) for g, c in pairs if not same_claimant(c.claimant, g.get("claimant"))],
        "other events": [f"{g['event_type']} / {g.get('fatalities_conservative')}" for g, _ in others],
    }
    got = {
        "main": f"{event.event_type} / {event.sub_event_type}" if event else None,
        "toll": event.fatalities if event else None,
        "date": event.date.date.isoformat() if event and event.date.date else None,
        "claims only in one": [(c.kind, c.count, c.as_written) for c in extra],
        "claimants": [(g.get("text"), c.claimant) for g, c in pairs if not same_claimant(c.claimant, g.get("claimant"))],
        "other events": [f"{e.event_type} / {e.fatalities}" if e else None for _, e in others],
    }
    if missed or extra:
        ok["claims"] = False
    return Row(name, ok, expected, got), (len(pairs), len(extra), len(missed))


def _other_events(golds: Sequence[dict[str, Any]], result: Result, main: Event | None,
                  pairs: Sequence[tuple[dict[str, Any], Claim]]) -> list[tuple[dict[str, Any], Event | None]]:
    """Each gold event after the main one with the extracted event that reports it: the one holding its
    matched claims, else the first unused typed event of its type; None when there is none."""
    typed = [e for e in result.events if e.event_type and e is not main]
    used: set[int] = set()
    out: list[tuple[dict[str, Any], Event | None]] = []
    for n, g in enumerate(golds, start=1):
        mine = [id(c) for gc, c in pairs if gc.get("event") == n]
        found = next((e for e in typed if id(e) not in used and any(id(c) in mine for c in e.claims)), None)
        found = found or next((e for e in typed if id(e) not in used and e.event_type == g["event_type"]), None)
        if found is not None:
            used.add(id(found))
        out.append((g, found))
    return out


# --- printing ------------------------------------------------------------------------------------


def render(report: Report, worst: int = 10) -> str:
    """A per-field table, the confusion matrix of event types and the worst rows."""
    lines = [f"== {report.name}: {len(report.rows)} documents (corpus {report.corpus_hash})", ""]
    lines.append(f"{'field':26} {'score':>7}  {'right/total':>11}")
    for name, score in report.fields.items():
        lines.append(f"{name:26} {score.rate:7.1%}  {score.right:>5}/{score.total:<5}")
    for name, value in report.extra.items():
        lines.append(f"{name:26} {value:7.1%}")
    for name, (right, total) in report.breakdown.items():
        lines.append(f"{name:48} {right / total:7.1%}  {right:>5}/{total:<5}")
    lines += ["", "event types (rows: gold, columns: extracted)"]
    gold_types = sorted({g for g, _ in report.confusion})
    pred_types = sorted({p for _, p in report.confusion})
    short = {t: t.split("/")[0][:12] for t in pred_types}
    lines.append(" " * 28 + " ".join(f"{short[p]:>12}" for p in pred_types))
    for g in gold_types:
        lines.append(f"{g[:27]:28}" + " ".join(f"{report.confusion.get((g, p), 0):>12}" for p in pred_types))
    if worst:
        lines += ["", f"worst {worst}:"]
        for row in report.worst(worst):
            wrong = [k for k, v in row.ok.items() if not v]
            lines.append(f"- {row.id}: wrong {', '.join(wrong)}")
            for key in sorted(set(row.expected) | set(row.got)):
                exp, got = row.expected.get(key), row.got.get(key)
                if exp != got:
                    lines.append(f"    {key}: expected {exp!r}, got {got!r}")
    return "\n".join(lines)


def evaluate(paths: Sequence[Path], cues: bool = True, typing: Typing = "both") -> list[Report]:
    """Evaluate each path: a folder of gold articles, a JSONL file of labelled rows or of negatives."""
    extractor = Extractor(typing)
    return [evaluate_articles(p, extractor) if p.is_dir()
            else evaluate_negatives(p, extractor) if _is_negatives(p) else evaluate_rows(p, extractor, cues)
            for p in paths]


def _is_negatives(path: Path) -> bool:
    """Whether a JSONL file holds negatives ({text, kind}) rather than labelled rows ({id, text, gold})."""
    with path.open(encoding="utf-8") as fh:
        first = next((line for line in fh if line.strip()), "{}")
    return "kind" in json.loads(first) and "gold" not in json.loads(first)


# --- negatives -----------------------------------------------------------------------------------


def evaluate_negatives(path: Path, extractor: Extractor) -> Report:
    """Score news items that report no political violence (diplomacy, crime, old claims, accidents,
    disasters): each must yield no typed event."""
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    report = Report(path.name, corpus_hash([path]))
    docs = [Document(id=f"neg-{i + 1}", text=r["text"], origin=f"{path.name}:{i + 1}") for i, r in enumerate(rows)]
    for row, result in zip(rows, extractor.extract_many(docs)):
        event = main_event(result) if isinstance(result, Result) else None
        ok = report.score("no_event", event is None)
        report.score(f"no_event: {row['kind']}", ok)
        report.confusion[(row["kind"], event.event_type if event and event.event_type else "(none)")] += 1
        got = f"{event.event_type} / {event.sub_event_type}" if event else None
        report.rows.append(Row(row["text"][:60], {"no_event": bool(ok)}, {"event": None}, {"event": got}))
    return report
