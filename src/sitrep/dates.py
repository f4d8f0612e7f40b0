"""Event dates: find date mentions in news text and resolve them against an anchor, never inventing a day.

Conventions (news and ACLED practice):
- An anchor is the day relative expressions are read against: the published date, a dateline, a headline
  date, or the date in a caption that shows the event. A caption anchor is the *event's* day, and the text
  was published on or after it, so weekdays resolve forward from it (see `_weekday_date`).
- A weekday is the last such day on or before the anchor: "Thursday" in a story published on a Thursday
  is that same day; "last Thursday" is a week before.
- A day-month without a year takes the anchor's year, or the year before when that would fall after the
  anchor (six days' grace for a caption anchor, whose text may be published up to a week later).
- Vague phrases: "days earlier" / "days ago" give the anchor minus 7 days with precision "week" (ACLED's
  time_precision 2): the earliest plausible day, flagged as week-level. "last week" gives the Monday of
  the previous week, "earlier this month" / "last month" the first of the month (precision "month"),
  "in 2019" the first of January (precision "year").
- Ranges ("between 27 and 30 September") give `date` and `date_end`, precision "day".
- No anchor: weekdays, day-months and relative phrases stay null, with the reason.
- Bounds and durations ("since 2006", "by the end of 2014", "for three days", "65 years old") are not
  mentions at all.
Domain words live in data/dates_lexicon.toml. Every pattern uses bounded repetition only, and each
mention is examined through a window of bounded size, so scanning is linear in the text's length.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sitrep.model import DateResolution


@dataclass(frozen=True)
class DateMention:
    """A date expression as written, with its offsets in the text it was found in."""

    text: str
    start: int
    end: int
    kind: str  # "absolute" | "weekday" | "relative" | "range" | "month" | "year"
    reporting: bool  # True when it dates a statement ("a monitor said Thursday"), not an event


@dataclass(frozen=True)
class Anchor:
    """The day relative expressions are read against, and why we trust it."""

    date: dt.date
    basis: str  # "published" | "dateline" | "caption" | "text"


def _load_lexicon() -> dict[str, Any]:
    raw = resources.files("sitrep").joinpath("data/dates_lexicon.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)


_LEX = _load_lexicon()
_MONTHS: dict[str, int] = _LEX["months"]
_WEEKDAYS: dict[str, int] = _LEX["weekdays"]
_WEEKDAY_ABBR: dict[str, int] = _LEX["weekday_abbreviations"]
_NUMBERS: dict[str, int] = _LEX["numbers"]
_RELATIVE: dict[str, dict[str, Any]] = {k.lower(): v for k, v in _LEX["relative"].items()}
_MONTH_NAMES = "january february march april may june july august september october november december".split()
_WEEKDAY_NAMES = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

SP = r"\s{1,3}"
SP0 = r"\s{0,3}"


def _phrase(words: str) -> str:
    """A literal phrase whose spaces may be 1-3 whitespace characters."""
    return SP.join(re.escape(w) for w in words.split())


def _alt(words: Sequence[str]) -> str:
    """Alternation of literal phrases, longest first so the regex prefers the fullest reading."""
    return "|".join(_phrase(w) for w in sorted(set(words), key=len, reverse=True))


def _cased(words: Sequence[str]) -> str:
    """Alternation of names as Capitalised or ALL CAPS ("May", "MAY"), never lower case ("may")."""
    return _alt([form for w in words for form in (w.capitalize(), w.upper())])


_FULL_MONTH_ALT = _cased(_MONTH_NAMES)
# Abbreviations may carry a dot ("Nov. 20"); full names never take one (that dot ends the sentence).
_MONTH_ALT = rf"{_FULL_MONTH_ALT}|(?:{_cased([k for k in _MONTHS if k not in _MONTH_NAMES])})\.?"
_WEEKDAY_ALT = _cased(list(_WEEKDAYS))
_ANY_WEEKDAY_ALT = _cased([*_WEEKDAYS, *_WEEKDAY_ABBR])


def _month(g: str) -> str:
    return rf"(?P<{g}>{_MONTH_ALT})"


def _day(g: str) -> str:
    return rf"(?P<{g}>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)"


def _year(g: str) -> str:
    return rf"(?P<{g}>1[89]\d\d|20\d\d)(?!\d)"


_WD_PREFIX = rf"(?:(?P<wd>{_ANY_WEEKDAY_ALT})\.?,?{SP})?"
_L = r"(?<![\w])"  # left word edge (digits and letters)
_R = r"(?![\w])"  # right word edge
_CONN = rf"(?:{SP0}[-–—/]{SP0}|{SP}(?i:to|and|until|till|through){SP})"
_RANGE_PRE = rf"(?:(?P<pre>(?i:between|from|the{SP}night{SP}of|night{SP}of)){SP})?"
_MOD = r"(?:(?P<mod>(?i:early|late|mid))(?:-|\s{1,3})?)?"

_ISO = r"(?<![\w-])(?P<y>\d{4})-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?![\w-])"
_DMY = rf"{_L}{_WD_PREFIX}{_day('d')}(?:{SP}of)?{SP}{_month('m')}(?:,?{SP}{_year('y')})?{_R}"
_MDY = rf"{_L}{_WD_PREFIX}{_month('m')}{SP}{_day('d')}(?:,?{SP}{_year('y')})?{_R}"
_R_DM = (
    rf"{_L}{_RANGE_PRE}{_day('d1')}{_CONN}{_day('d2')}(?:{SP}of)?{SP}{_month('m2')}"
    rf"(?:,?{SP}{_year('y2')})?{_R}"
)
_R_DMDM = (
    rf"{_L}{_RANGE_PRE}{_day('d1')}(?:{SP}of)?{SP}{_month('m1')}(?:,?{SP}{_year('y1')})?{_CONN}"
    rf"{_day('d2')}(?:{SP}of)?{SP}{_month('m2')}(?:,?{SP}{_year('y2')})?{_R}"
)
_R_MD = rf"{_L}{_RANGE_PRE}{_month('m2')}{SP}{_day('d1')}{_CONN}{_day('d2')}(?:,?{SP}{_year('y2')})?{_R}"
_R_MDMD = (
    rf"{_L}{_RANGE_PRE}{_month('m1')}{SP}{_day('d1')}(?:,?{SP}{_year('y1')})?{_CONN}"
    rf"{_month('m2')}{SP}{_day('d2')}(?:,?{SP}{_year('y2')})?{_R}"
)
_R_WEEKDAYS = (
    rf"{_L}(?P<pre>(?i:between|from)){SP}(?P<wd1>{_WEEKDAY_ALT}){SP}(?i:and|to|until|till|through){SP}"
    rf"(?P<wd2>{_WEEKDAY_ALT}){_R}"
)
_MONTH_YEAR = rf"{_L}{_MOD}{_month('m')}(?:{SP}of)?,?{SP}{_year('y')}{_R}"
_MONTH_REL_YEAR = rf"{_L}{_MOD}(?P<m>{_FULL_MONTH_ALT}){SP}(?P<ry>(?i:last|this)){SP}(?i:year){_R}"
_MONTH_ONLY = rf"{_L}{_MOD}(?P<m>{_FULL_MONTH_ALT}){_R}"
_YEAR_ONLY = rf"{_L}{_MOD}{_year('y')}(?![\w-])"
_WEEKDAY = (
    rf"{_L}(?:(?P<pre>(?i:{_alt(_LEX['weekday_modifiers']['before'])})){SP})?(?P<wd>{_WEEKDAY_ALT})"
    rf"(?P<post>['’]s|{SP}(?i:{_alt(_LEX['weekday_modifiers']['after'])}))?{_R}"
)
_REL = rf"{_L}(?P<rel>(?i:{_alt(list(_RELATIVE))}))(?:['’]s)?{_R}"
_NUM_WORDS = _alt([*_NUMBERS, *_LEX["vague_numbers"]["words"]])
_REL_N = (
    rf"{_L}(?P<n>\d{{1,3}}|(?i:{_NUM_WORDS})){SP}(?P<u>(?i:days?|weeks?|months?|years?)){SP}"
    rf"(?P<dir>(?i:ago|earlier|before|later)){_R}"
)

# Context rules (on a bounded window before the mention).
_NOT_EVENT_BEFORE = re.compile(
    rf"{_L}(?i:{_alt(_LEX['not_event']['before'])})(?:{SP}(?i:on|in|the))?{SP}\Z"
)
_IN_BEFORE = re.compile(rf"{_L}(?i:in|during|earlier{SP}in|later{SP}in){SP}\Z")


def _ok_absolute(text: str, m: re.Match[str]) -> bool:
    return not _NOT_EVENT_BEFORE.search(text[max(0, m.start() - 30) : m.start()])


def _ok_month(text: str, m: re.Match[str]) -> bool:
    """A bare month or year is a date only after "in" / "during" (or with early/late/mid)."""
    before = text[max(0, m.start() - 30) : m.start()]
    if _NOT_EVENT_BEFORE.search(before):
        return False
    return bool(m.group("mod")) or bool(_IN_BEFORE.search(before))


def _ok_year(text: str, m: re.Match[str]) -> bool:
    before = text[max(0, m.start() - 30) : m.start()]
    return bool(_IN_BEFORE.search(before)) and not _NOT_EVENT_BEFORE.search(before)


@dataclass(frozen=True)
class _Spec:
    kind: str
    priority: int  # breaks ties between equally long overlapping matches: lower wins
    pattern: re.Pattern[str]
    context: Callable[[str, re.Match[str]], bool] | None = None


_SPECS: tuple[_Spec, ...] = (
    _Spec("range", 0, re.compile(_R_DMDM), _ok_absolute),
    _Spec("range", 0, re.compile(_R_MDMD), _ok_absolute),
    _Spec("range", 0, re.compile(_R_DM), _ok_absolute),
    _Spec("range", 0, re.compile(_R_MD), _ok_absolute),
    _Spec("range", 0, re.compile(_R_WEEKDAYS)),
    _Spec("absolute", 1, re.compile(_ISO), _ok_absolute),
    _Spec("absolute", 1, re.compile(_DMY), _ok_absolute),
    _Spec("absolute", 1, re.compile(_MDY), _ok_absolute),
    _Spec("month", 2, re.compile(_MONTH_YEAR), _ok_absolute),
    _Spec("month", 2, re.compile(_MONTH_REL_YEAR), _ok_absolute),
    _Spec("month", 3, re.compile(_MONTH_ONLY), _ok_month),
    _Spec("year", 4, re.compile(_YEAR_ONLY), _ok_year),
    _Spec("weekday", 5, re.compile(_WEEKDAY)),
    _Spec("relative", 6, re.compile(_REL)),
    _Spec("relative", 7, re.compile(_REL_N)),
)
_PATTERNS_BY_KIND: dict[str, list[re.Pattern[str]]] = {
    kind: [s.pattern for s in _SPECS if s.kind == kind] for kind in dict.fromkeys(s.kind for s in _SPECS)
}
_ABSOLUTE = _PATTERNS_BY_KIND["absolute"]

# Reporting: the date dates a statement.
_REP = _LEX["reporting"]
_VERBS = _alt(_REP["verbs"])
_STATEMENT = (
    rf"in{SP}(?:a|an|the|its|their|his|her){SP}(?:[\w-]{{1,20}}{SP}){{0,2}}?"
    rf"(?:{_alt(_REP['statement_nouns'])})"
    rf"(?:{SP}(?:{_alt(_REP['statement_participles'])}))?"
)
_SAID_BEFORE = re.compile(
    rf"{_L}(?:{_VERBS})(?:{SP}(?:{_alt(_REP['objects'])}|{_STATEMENT}))?"
    rf"(?:{SP}(?:late|early|on|late{SP}on|early{SP}on))?{SP}\Z",
    re.IGNORECASE,
)
_TOLD_BEFORE = re.compile(
    rf"{_L}(?i:told|tells|telling){SP}(?:the{SP})?(?:[A-Z][\w.&'’-]{{0,30}}{SP}){{1,3}}"
    rf"(?:(?i:on|late|early){SP})?\Z"
)
_CLAUSE_OPENING = re.compile(rf"[.!?;\n]{SP0}(?:(?i:{_alt(_REP['clause_openers'])}){SP})?\Z")
_SPEAKS_AFTER = re.compile(rf",{SP}(?:[\w'’()-]{{1,30}}{SP}){{0,6}}?(?i:{_VERBS}){_R}")


_AS_REPORTED = re.compile(rf"(?i:\bas{SP}reported)(?:{SP}(?i:by){SP}[^,.;]{{1,40}}?)?(?:{SP}(?i:on))?{SP0}\Z")


def _is_reporting(text: str, start: int, end: int, kind: str, mention: str) -> bool:
    """Whether the mention dates a statement: right after a reporting verb, or opening a clause whose
    subject then speaks ("On Wednesday, Amnesty International said ...")."""
    if kind == "weekday" and re.search(r"['’]s\Z", mention):
        return False  # "Wednesday's strikes": the date modifies the event noun
    before = text[max(0, start - 80) : start]
    if _AS_REPORTED.search(before):
        return False  # ACLED's convention: the date an event was reported dates it when nothing closer does
    if _SAID_BEFORE.search(before) or _TOLD_BEFORE.search(before):
        return True
    opening = ("\n" if start <= 40 else "") + text[max(0, start - 40) : start]
    if not _CLAUSE_OPENING.search(opening):
        return False
    return bool(_SPEAKS_AFTER.match(text, end, min(len(text), end + 120)))


def find_dates(text: str) -> list[DateMention]:
    """Every date mention in `text`, in reading order, with its kind and whether it dates a statement."""
    candidates: list[tuple[int, int, _Spec]] = []
    for spec in _SPECS:
        for m in spec.pattern.finditer(text):
            if spec.context is None or spec.context(text, m):
                candidates.append((m.start(), m.end(), spec))
    # The fullest reading wins: "overnight on Wednesday" over "overnight", a range over its end date.
    candidates.sort(key=lambda c: (c[0] - c[1], c[2].priority, c[0]))
    taken = bytearray(len(text))
    chosen: list[tuple[int, int, _Spec]] = []
    for start, end, spec in candidates:
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        chosen.append((start, end, spec))
    chosen.sort(key=lambda c: c[0])
    return [
        DateMention(text[s:e], s, e, spec.kind, _is_reporting(text, s, e, spec.kind, text[s:e]))
        for s, e, spec in chosen
    ]


# ---------------------------------------------------------------------------------------------- resolve


def _month_number(token: str) -> int:
    return int(token) if token.isdigit() else _MONTHS[token.rstrip(".").lower()]


def _null(reason: str) -> DateResolution:
    return DateResolution(None, reason=reason)


def _anchor_words(anchor: Anchor) -> str:
    return f"the {anchor.basis} date {anchor.date.isoformat()}"


def _grace(anchor: Anchor) -> int:
    """Days a date may lie after the anchor: a caption's text is published up to a week after its photo."""
    return 6 if anchor.basis == "caption" else 0


def _infer_year(month: int, day: int, anchor: Anchor) -> int:
    """The anchor's year, or the year before when the date would fall after the anchor."""
    year = anchor.date.year
    try:
        candidate = dt.date(year, month, day)
    except ValueError:  # 29 February in a common year: try the year before
        return year - 1
    return year - 1 if candidate > anchor.date + dt.timedelta(days=_grace(anchor)) else year


def _resolve_absolute(m: re.Match[str], mention: str, anchor: Anchor | None) -> DateResolution:
    month, day = _month_number(m.group("m")), int(m.group("d"))
    if m.group("y"):
        date = dt.date(int(m.group("y")), month, day)
        why = f"'{mention}': a full date"
    elif anchor is None:
        return _null(f"'{mention}': day and month with no year and no anchor")
    else:
        date = dt.date(_infer_year(month, day, anchor), month, day)
        why = f"'{mention}': day and month, year from {_anchor_words(anchor)}"
    wd = m.groupdict().get("wd")
    if wd:
        named = {**_WEEKDAYS, **_WEEKDAY_ABBR}[wd.lower()]
        if named != date.weekday():
            why += f" (the text calls it {wd}, but it is a {_WEEKDAY_NAMES[date.weekday()]})"
    return DateResolution(date, precision="day", reason=why)


def _resolve_range(m: re.Match[str], mention: str, anchor: Anchor | None) -> DateResolution:
    g = m.groupdict()
    if g.get("wd1"):
        return _weekday_range(m, mention, anchor)
    m2, d2 = _month_number(g["m2"]), int(g["d2"])
    m1, d1 = (_month_number(g["m1"]) if g.get("m1") else m2), int(g["d1"])
    y2 = g.get("y2") or None
    y1 = g.get("y1") or None
    if y2 is None and y1 is not None:
        y2 = str(int(y1) + (1 if (m1, d1) > (m2, d2) else 0))
    if y2 is None:
        if anchor is None:
            return _null(f"'{mention}': a range with no year and no anchor")
        end_year = _infer_year(m2, d2, anchor)
        source = f"year from {_anchor_words(anchor)}"
    else:
        end_year = int(y2)
        source = "a full range"
    start_year = int(y1) if y1 else end_year - (1 if (m1, d1) > (m2, d2) else 0)
    start, end = dt.date(start_year, m1, d1), dt.date(end_year, m2, d2)
    if start > end:
        return _null(f"'{mention}': the range ends before it starts")
    why = f"'{mention}': {source}, {start.isoformat()} to {end.isoformat()}"
    return DateResolution(start, end, "day", why)


def _weekday_range(m: re.Match[str], mention: str, anchor: Anchor | None) -> DateResolution:
    """"between Monday and Wednesday": the end as a weekday, the start the named day before it."""
    if anchor is None:
        return _null(f"'{mention}': weekdays with no anchor")
    end = _weekday_date(_WEEKDAYS[m.group("wd2").lower()], "", anchor)
    if end is None:
        return _null(f"'{mention}': weekdays counted from an unknown publication day")
    start = end - dt.timedelta(days=(end.weekday() - _WEEKDAYS[m.group("wd1").lower()]) % 7)
    why = f"'{mention}': {start.isoformat()} to {end.isoformat()}, from {_anchor_words(anchor)}"
    return DateResolution(start, end, "day", why)


def _resolve_month(m: re.Match[str], mention: str, anchor: Anchor | None) -> DateResolution:
    month = _month_number(m.group("m"))
    if m.groupdict().get("ry"):
        if anchor is None:
            return _null(f"'{mention}': a month of a relative year with no anchor")
        year = anchor.date.year - (1 if m.group("ry").lower() == "last" else 0)
        why = f"'{mention}': month, year counted from {_anchor_words(anchor)}"
        return DateResolution(dt.date(year, month, 1), precision="month", reason=why)
    if m.groupdict().get("y"):
        date = dt.date(int(m.group("y")), month, 1)
        return DateResolution(date, precision="month", reason=f"'{mention}': month and year")
    if anchor is None:
        return _null(f"'{mention}': a month with no year and no anchor")
    year = anchor.date.year - (1 if month > anchor.date.month else 0)
    why = f"'{mention}': month, year from {_anchor_words(anchor)}"
    return DateResolution(dt.date(year, month, 1), precision="month", reason=why)


def _resolve_year(m: re.Match[str], mention: str, anchor: Anchor | None) -> DateResolution:
    date = dt.date(int(m.group("y")), 1, 1)
    return DateResolution(date, precision="year", reason=f"'{mention}': year only")


def _weekday_date(wd: int, pre: str, anchor: Anchor) -> dt.date | None:
    """The day a weekday names, read against the anchor (None: it counts from an unknown day).

    Against a publication anchor: the last such day on or before it ("last": strictly before; "next":
    strictly after). A caption anchor is the event's own day and the text was published on or after it
    (usually within days), so a weekday names the nearest such day from the caption date forward, within
    6 days: the caption's own weekday is the caption day ("Wednesday's strikes" under a Wednesday photo)
    and a later one is the day the story was told ("a monitor said Thursday"). A weekday naming a day
    *before* the photo cannot be told apart from this and would be misdated: the price of the choice.
    """
    a = anchor.date
    if anchor.basis == "caption":
        return None if pre in ("last", "next", "this past") else a + dt.timedelta(days=(wd - a.weekday()) % 7)
    if pre == "next":
        return a + dt.timedelta(days=(wd - a.weekday()) % 7 or 7)
    if pre in ("last", "this past"):
        return a - dt.timedelta(days=(a.weekday() - wd) % 7 or 7)
    return a - dt.timedelta(days=(a.weekday() - wd) % 7)


def _weekday(m: re.Match[str], mention: str, anchor: Anchor | None) -> DateResolution:
    """Resolve a weekday mention ("Thursday", "early Sunday", "Wednesday's", "last Friday")."""
    wd = _WEEKDAYS[m.group("wd").lower()]
    if anchor is None:
        return _null(f"'{mention}': weekday with no anchor")
    pre = re.sub(r"\s+", " ", (m.group("pre") or "").lower())
    date = _weekday_date(wd, pre, anchor)
    if date is None:
        return _null(f"'{mention}': '{pre}' counts from the publication day, unknown under a caption")
    name = _WEEKDAY_NAMES[wd]
    if anchor.basis == "caption":
        how = f"the nearest {name} on or after"
    else:
        how = {"next": "the first {} after", "last": "the last {} before", "this past": "the last {} before"}.get(
            pre, "the last {} on or before"
        ).format(name)
    return DateResolution(date, precision="day", reason=f"'{mention}': {how} {_anchor_words(anchor)}")


def _monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def _months_back(d: dt.date, n: int) -> dt.date:
    index = d.year * 12 + d.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def _relative(m: re.Match[str], mention: str, anchor: Anchor | None) -> DateResolution:
    g = m.groupdict()
    counted = None if g.get("rel") else _counted_rule(g["n"].lower(), g["u"].lower().rstrip("s"), g["dir"].lower())
    if not g.get("rel") and counted is None:
        return _null(f"'{mention}': counts from another date in the story, not from the anchor")
    rule = counted if counted is not None else _RELATIVE[re.sub(r"\s+", " ", g["rel"].lower())]
    if rule.get("narrative"):
        return _null(f"'{mention}': relative to another date in the story, not to the anchor")
    if anchor is None:
        return _null(f"'{mention}': relative date with no anchor")
    if anchor.basis == "caption" and rule.get("publication"):
        return _null(f"'{mention}': counts from the publication day, unknown under a caption anchor")
    a = anchor.date
    where = _anchor_words(anchor)
    if "days" in rule:
        precision = rule.get("precision", "day")
        date = a - dt.timedelta(days=rule["days"])
        note = " (week precision: the earliest plausible day)" if precision == "week" else ""
        why = f"'{mention}': {rule['days']} days before {where}{note}"
        return DateResolution(date, precision=precision, reason=why)
    if "week" in rule:
        date = _monday(a) - dt.timedelta(weeks=rule["week"])
        why = f"'{mention}': the week of Monday {date.isoformat()}, from {where}"
        return DateResolution(date, precision="week", reason=why)
    if "month" in rule:
        date = _months_back(a, rule["month"])
        why = f"'{mention}': the month {date:%Y-%m}, from {where}"
        return DateResolution(date, precision="month", reason=why)
    date = dt.date(a.year - rule["year"], 1, 1)
    return DateResolution(date, precision="year", reason=f"'{mention}': the year {date.year}, from {where}")


def _counted_rule(n: str, unit: str, direction: str) -> dict[str, Any] | None:
    """The rule for "two days ago", "a few days earlier": None when it counts from another date."""
    vague = n not in _NUMBERS and not n.isdigit()
    count = 0 if vague else (int(n) if n.isdigit() else _NUMBERS[n])
    if direction == "ago":
        if vague:
            return {"days": 7, "precision": "week", "publication": True} if unit == "day" else None
        if unit == "day":
            return {"days": count, "publication": True}
        if unit == "week":
            return {"days": 7 * count, "precision": "week", "publication": True}
        return {"month" if unit == "month" else "year": count, "publication": True}
    # "earlier": counted from the story's own time, which is at or shortly before the anchor; only a
    # few days back is kept, at week precision, as for "days earlier".
    if direction == "earlier" and unit == "day" and (vague or count <= 6):
        return {"days": 7, "precision": "week", "publication": True}
    return None


_RESOLVERS: dict[str, Callable[[re.Match[str], str, Anchor | None], DateResolution]] = {
    "absolute": _resolve_absolute,
    "range": _resolve_range,
    "month": _resolve_month,
    "year": _resolve_year,
    "weekday": _weekday,
    "relative": _relative,
}


def resolve(mention: DateMention, anchor: Anchor | None) -> DateResolution:
    """The calendar date (or range) a mention names, read against the anchor; null with a reason if none."""
    resolver = _RESOLVERS.get(mention.kind)
    text = mention.text.strip()
    if resolver is None:
        return _null(f"'{mention.text}': unknown mention kind {mention.kind!r}")
    for pattern in _PATTERNS_BY_KIND[mention.kind]:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        try:
            return resolver(m, text, anchor)
        except (ValueError, OverflowError, KeyError):  # 31 June, a year out of range, odd Unicode case
            return _null(f"'{text}': not a calendar date")
    return _null(f"'{mention.text}': not readable as a {mention.kind} date")


# ---------------------------------------------------------------------------------------------- anchors

_FILE_CUES = _LEX["caption"]["file_cues"]
_FILE_PHOTO = re.compile(
    "|".join(
        [rf"{_L}{_phrase(c)}{_R}" for c in _FILE_CUES if c.isupper()]
        + [
            rf"{_L}(?i:{_phrase(c)}){_R}" if c[0].isalnum() else rf"(?i:{re.escape(c)})"
            for c in _FILE_CUES
            if not c.isupper()
        ]
    )
)
_PUBLISHED = re.compile(rf"{_L}(?i:{_alt(_LEX['dateline']['published_cues'])}):?{SP}")
_TIME_TAIL = re.compile(r"\s{1,3}\d{1,2}:\d\d(?:\s{0,2}[AaPp]\.?[Mm]\.?)?(?:\s{1,2}[A-Z]{2,4})?\s{0,3}\Z")
_CITY_BEFORE = re.compile(r"\A\s{0,3}[A-Z][\w .'’-]{0,40}(?:,[\w .'’-]{1,40})?,\s{1,3}\Z")
_AGENCY_AFTER = re.compile(r"\s{0,3}(?:\([^()\n]{0,40}\)\s{0,3})?[—–-]")


def _full_date_at(text: str, pos: int = 0, endpos: int | None = None, whole: bool = False) -> dt.date | None:
    """A full date (with its year) starting at `pos` (or filling text[pos:endpos] when `whole`)."""
    endpos = len(text) if endpos is None else endpos
    for pattern in _ABSOLUTE:
        m = pattern.fullmatch(text, pos, endpos) if whole else pattern.match(text, pos, endpos)
        if m and m.group("y"):
            try:
                return dt.date(int(m.group("y")), _month_number(m.group("m")), int(m.group("d")))
            except ValueError:
                return None
    return None


def _first_full_date(text: str) -> dt.date | None:
    """The first full date with a year in `text` (the end of a range counts: it is the latest day given)."""
    for mention in find_dates(text):
        if mention.kind in ("absolute", "range"):
            r = resolve(mention, None)
            if r.date is not None:
                return r.date_end or r.date
    return None


def _dateline(text: str) -> dt.date | None:
    """A publication date printed at the top of the text: "Published on 15 Oct 2019", a line holding
    only a date ("Friday, December 25, 2009", "September 22, 2019 10:29 AM"), or a wire dateline
    ("BAGHDAD, December 25, 2009 (Wikinews) —")."""
    head = text[:2000]
    for m in _PUBLISHED.finditer(head):
        date = _full_date_at(head, m.end())
        if date:
            return date
    lines = [line for line in head.splitlines() if line.strip()][:10]
    for line in lines:
        body = _TIME_TAIL.sub("", line.strip())
        date = _full_date_at(body, whole=True)
        if date:
            return date
        for mention in find_dates(line[:200]):
            if mention.kind != "absolute":
                continue
            if _CITY_BEFORE.match(line[: mention.start]) and _AGENCY_AFTER.match(line, mention.end):
                date = resolve(mention, None).date
                if date:
                    return date
            break
    return None


def is_file_photo(caption: str) -> bool:
    """Whether a caption marks an older picture ("FILE -", "file photo", "archive")."""
    return bool(_FILE_PHOTO.search(caption))


def caption_date(caption: str | None) -> dt.date | None:
    """The full date in a caption that shows the event itself; None for a file photo or no full date."""
    if not caption or is_file_photo(caption):
        return None
    return _first_full_date(caption)


def _headline_date(headline: str | None, text: str) -> dt.date | None:
    """A full date (or the end of a dated period) in the headline, or in a title-like first line."""
    if headline:
        return _first_full_date(headline)
    first = next((line.strip() for line in text[:2000].splitlines() if line.strip()), "")
    if first and len(first) <= 150 and not first.endswith((".", "!", "?", '"', "”")):
        return _first_full_date(first)
    return None


def article_anchor(
    published: dt.date | None, headline: str | None, caption: str | None, text: str
) -> Anchor | None:
    """The anchor for relative dates: published, else dateline, else event caption, else headline date."""
    if published is not None:
        return Anchor(published, "published")
    date = _dateline(text)
    if date:
        return Anchor(date, "dateline")
    date = caption_date(caption)
    if date:
        return Anchor(date, "caption")
    date = _headline_date(headline, text)
    if date:
        return Anchor(date, "text")
    return None


# ---------------------------------------------------------------------------------------------- events


def _snippet(sentence: str, limit: int = 70) -> str:
    s = " ".join(sentence.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


PRESENT_PERFECT = re.compile(r"\b(?:has|have)\s+(?:been\s+)?(?:killed|wounded|injured|left|claimed)\b", re.I)


def event_date_of(sentences: Sequence[tuple[str, str]], anchor: Anchor | None, shown: dt.date | None = None,
                  lead: str | None = None) -> DateResolution:
    """An event's date from its (field, sentence) pairs, else the caption that shows it, else the article's lead.

    Body sentences are read before the headline, which may carry a bulletin's period rather than the
    event's day; the lead sentence ("On 10 March 2022, …") dates an article's main event whose own
    sentences give no date. A caption anchor is the day of the incident the caption shows (`shown` is its
    date for that incident's event): it anchors no other incident.
    """
    if anchor is not None and anchor.basis == "caption" and shown is None:
        anchor = None
    ordered = [t for f, t in sentences if f == "text"] + [t for f, t in sentences if f == "headline"]
    when = event_date(ordered, anchor, shown)
    if when.date is None and lead is not None and lead not in ordered:
        when = event_date([lead, *ordered], anchor, shown)
    return when


def event_date(
    sentences: Sequence[str], anchor: Anchor | None, caption_date: dt.date | None = None
) -> DateResolution:
    """The event's date from its evidence sentences (most salient first), else the caption date, else null."""
    skipped: list[str] = []
    for sentence in sentences:
        for mention in find_dates(sentence):
            if mention.reporting:
                skipped.append(f"'{mention.text}' dates a statement")
                continue
            r = resolve(mention, anchor)
            if r.date is not None:
                why = f"{r.reason}; in \"{_snippet(sentence)}\""
                return DateResolution(r.date, r.date_end, r.precision, why)
            skipped.append(r.reason)
            if mention.kind == "weekday" and caption_date is None:
                # the event's own day, unknown without an anchor: a later year or month ("lost control of the
                # city in 2011") dates something else
                return _null("no mention resolves: " + "; ".join(skipped))
    if caption_date is not None:
        why = "; ".join(skipped) + "; " if skipped else ""
        why += "the caption's date (the photo shows the event)"
        return DateResolution(caption_date, precision="day", reason=why)
    if not skipped and anchor is not None and anchor.basis in ("published", "dateline") and sentences and (
        PRESENT_PERFECT.search(sentences[0])
    ):
        # "A bombing … has killed 51 people" on the dateline: wire convention for an event of that day
        return DateResolution(anchor.date, precision="day",
                              reason=f"no date mention; the lead reports it in the present perfect on the {anchor.basis} day")
    if not skipped:
        return _null("no date mention in the evidence" + ("" if anchor else " and no anchor"))
    return _null("no mention resolves: " + "; ".join(skipped))
