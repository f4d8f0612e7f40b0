"""Split raw documents into articles (headline, caption, body) and drop page boilerplate.

A raw page dump is read line by line. Each story opens with a *header zone* (headline,
repeated headline, image captions with their credits, datelines, bylines, site marks)
that ends at the first line of prose; the body runs until the next story boundary: a
new headline that is repeated, that is followed by a caption, that follows two blank
lines, or an ALL-CAPS section headline (OCHA bulletins). Boilerplate cues live in
`data/clean_boilerplate.toml`. Body lines are kept verbatim apart from whitespace.

1. pre-filter: drop lines that never reach the output (boilerplate, bylines, site marks, pull
   quotes, source lists), attach photo credits to the line above, fold repeated lines;
2. read stories: header zone (headline candidates, captions, datelines), then body;
3. build articles: pick the headline, drop stories without a body, date each article
   (the document's date, else a dateline the page prints);
4. read each article once more as written back, so that `clean` is idempotent.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from sitrep.model import Article, Document

# --- text normalisation ---------------------------------------------------------------------------

_LINE_SEPS = re.compile(r"\r\n|[\r\u2028\u2029\x85\x0b\x0c\x1c\x1d\x1e]")
# zero-width space, word joiner, BOM, soft hyphen, other C0/C1 controls (ZWJ/ZWNJ are kept: they matter in scripts)
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\u00ad\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def _clean_line(line: str) -> str:
    """One line with invisible characters removed and spaces collapsed."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", line)).strip()


def clean_text(text: str) -> str:
    """Normalise line ends and whitespace (quotes and words untouched); paragraphs keep one blank line; idempotent."""
    lines = [_clean_line(ln) for ln in _LINE_SEPS.sub("\n", text).split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")


# --- cues -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cues:
    boiler_exact: frozenset[str]
    boiler: re.Pattern[str]
    pull_quote: re.Pattern[str]
    attribution: re.Pattern[str]
    byline: re.Pattern[str]
    credit_line: re.Pattern[str]
    caption_end: re.Pattern[str]
    caption_start: re.Pattern[str]
    photo_verb: re.Pattern[str]
    trailer_headings: frozenset[str]
    trailer_item: re.Pattern[str]
    site_mark_max: int
    published_prefix: re.Pattern[str]
    other_prefix: re.Pattern[str]


def _any(patterns: list[str], flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """One full-match regex for a list of alternatives."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    """The boilerplate and caption cues of data/clean_boilerplate.toml, compiled once."""
    raw: dict[str, Any] = tomllib.loads(
        resources.files("sitrep").joinpath("data/clean_boilerplate.toml").read_text(encoding="utf-8")
    )
    verbs = sorted(raw["credit"]["photo_verbs"], key=len, reverse=True)
    prefixes = lambda key: _any([re.escape(p) for p in raw["dateline"][key]])
    return _Cues(
        boiler_exact=frozenset(s.casefold() for s in raw["boilerplate"]["exact"]),
        boiler=_any(raw["boilerplate"]["patterns"]),
        pull_quote=_any(raw["pull_quote"]["patterns"]),
        attribution=re.compile(raw["pull_quote"]["attribution"]),
        byline=_any(raw["byline"]["patterns"]),
        credit_line=_any(raw["credit"]["line_patterns"]),
        caption_end=_any(raw["credit"]["caption_end"]),
        caption_start=_any(raw["credit"]["caption_start"]),
        # the verb within the first eight words, after a capitalised subject ('Men move', 'Smoke billows')
        photo_verb=re.compile(
            r"[A-Z\"'“‘][^\s]*(?:\s+[^\s]+){0,6}?\s+(?:" + "|".join(map(re.escape, verbs)) + r")\b"
        ),
        trailer_headings=frozenset(s.casefold() for s in raw["trailer"]["headings"]),
        trailer_item=re.compile(raw["trailer"]["item"]),
        site_mark_max=int(raw["tags"]["site_mark_max_chars"]),
        published_prefix=prefixes("published_prefixes"),
        other_prefix=prefixes("other_prefixes"),
    )


# --- dates on their own line ----------------------------------------------------------------------

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_TIME = r"(?:(?:,|\s+at|\s+-|\s+\|)?\s+\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s+[A-Z]{2,5}|\s+(?:GMT|UTC)[+-]?\d*)?)?"
_DATE_BODY = re.compile(
    _WEEKDAY
    + r"(?:(?P<d1>\d{1,2})\s+"
    + _MONTH.replace("mon>", "mon1>")
    + r",?\s+(?P<y1>\d{4})|"
    + _MONTH.replace("mon>", "mon2>")
    + r"\s+(?P<d2>\d{1,2}),?\s+(?P<y2>\d{4})|(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2}))"
    + _TIME,
    re.IGNORECASE,
)


def _dateline(line: str) -> tuple[dt.date, bool] | None:
    """(date, is_publication_prefixed) when a line is only a date ('Monday, October 5, 2015', 'Published on 15 Oct 2019')."""
    if len(line) > 60 or not any(ch.isdigit() for ch in line):
        return None
    cues = _cues()
    rest, prefixed = line, False
    for pattern, is_pub in ((cues.published_prefix, True), (cues.other_prefix, False)):
        m = pattern.match(line)
        if m and m.end() < len(line) and line[m.end()] in " :":
            rest, prefixed = line[m.end() :].lstrip(" :"), is_pub
            break
    m = _DATE_BODY.fullmatch(rest.strip())
    if not m:
        return None
    try:
        if m["y1"]:
            date = dt.date(int(m["y1"]), _MONTHS[m["mon1"].lower()], int(m["d1"]))
        elif m["y2"]:
            date = dt.date(int(m["y2"]), _MONTHS[m["mon2"].lower()], int(m["d2"]))
        else:
            date = dt.date(int(m["y3"]), int(m["m3"]), int(m["d3"]))
    except (ValueError, KeyError):
        return None
    return date, prefixed


# --- line shapes ----------------------------------------------------------------------------------

_CLOSERS = "\"'”’»)]"
_SENTENCE_END = re.compile(r"[.!?…:;,]$")
_REPORTING = re.compile(
    r"\b(said|says|say|told|tells|according to|reported|reports|claimed|stated)\b", re.IGNORECASE
)
_SMALL_WORDS = {
    "a",
    "an",
    "the",
    "and",
    "or",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "by",
    "with",
    "from",
    "as",
}
_SENTENCE_BREAK = re.compile(r"(?<![A-Z])(?<!\b[A-Z][a-z])(?<!\bSt)[.!?][\"'”’]?\s+[A-Z\"“]")


def _words(s: str) -> list[str]:
    return s.split()


def _is_prose(s: str) -> bool:
    """A line of running text, not a headline: ends a sentence or clause, starts lowercase, or is long."""
    if sum(1 for w in _words(s) if any(ch.isalpha() for ch in w)) > 25 or len(s) > 200:
        return True
    if s[:1].islower():
        return True
    return bool(_SENTENCE_END.search(s.rstrip(_CLOSERS)))


def _cased_ratio(s: str) -> tuple[int, int]:
    """(upper-case letters, cased letters) of a line."""
    upper = sum(1 for ch in s if ch.isupper())
    lower = sum(1 for ch in s if ch.islower())
    return upper, upper + lower


def _is_all_caps(s: str) -> bool:
    """An ALL-CAPS line (two or more cased letters, none lower-case)."""
    upper, cased = _cased_ratio(s)
    return cased >= 2 and upper == cased


def _is_title_case(s: str) -> bool:
    """Most significant words start with a capital or digit."""
    sig = [w for w in _words(s) if w.lower().strip(_CLOSERS + "\"'“‘(") not in _SMALL_WORDS]
    if not sig:
        return False
    caps = sum(1 for w in sig if w.lstrip("\"'“‘(")[:1].isupper() or w[:1].isdigit())
    return caps / len(sig) >= 0.6


# --- document lines -------------------------------------------------------------------------------


@dataclass
class _Line:
    text: str
    blanks: int  # blank lines before it
    block: int  # paragraph number (changes after a blank line)
    repeats: int = 0  # copies of it that followed directly and were dropped
    credits: list[str] = field(default_factory=list)  # photo-credit lines that followed it


def _split_lines(text: str) -> list[_Line]:
    """Non-blank, whitespace-normalised lines with their paragraph numbers."""
    out: list[_Line] = []
    blanks, block = 0, 0
    for raw in _LINE_SEPS.sub("\n", text).split("\n"):
        s = _clean_line(raw)
        if not s:
            blanks += 1
            continue
        if blanks and out:
            block += 1
        out.append(_Line(s, blanks if out else 0, block))
        blanks = 0
    return out


def _boiler(s: str) -> bool:
    """A line of page furniture, a byline or a site mark: dropped wherever it is."""
    cues = _cues()
    if s.casefold() in cues.boiler_exact or cues.boiler.fullmatch(s) or cues.byline.fullmatch(s):
        return True
    return _is_all_caps(s) and len(_words(s)) <= 2 and len(s.replace(" ", "")) <= cues.site_mark_max


def _prefilter(lines: list[_Line]) -> list[_Line]:
    """Drop lines that never reach the output whatever surrounds them.

    Boilerplate, bylines, site marks, pull quotes with their attribution and trailing source lists
    go; a photo credit is attached to the line above it; a line repeated right after itself is kept
    once with a repeat count. Doing this before reading the structure keeps `clean` idempotent.
    """
    cues = _cues()
    out: list[_Line] = []
    after_quote = in_trailer = False
    for ln in lines:
        s = ln.text
        if after_quote:
            after_quote = False
            if cues.attribution.fullmatch(s):
                continue
        if in_trailer:
            if cues.trailer_item.fullmatch(s):
                continue
            in_trailer = False
        if s.rstrip(":").casefold() in cues.trailer_headings:
            in_trailer = True
            continue
        if cues.pull_quote.fullmatch(s):
            after_quote = True
            continue
        if _boiler(s):
            continue
        if cues.credit_line.fullmatch(s):
            if out and s not in out[-1].credits:
                out[-1].credits.append(s)
            continue
        if out and out[-1].text == s:
            out[-1].repeats += 1
            continue
        out.append(ln)
    return out


def _photo_like(s: str) -> bool:
    """One short sentence with no quotation and no reporting verb, as photo captions are."""
    return (
        len(_words(s)) <= 45
        and not _SENTENCE_BREAK.search(s)
        and not _REPORTING.search(s)
        and not any(q in s for q in '"“”')
    )


def caption_cue(line: str, credited: bool = False) -> bool:
    """Whether a line reads as a photo caption by itself: a credit, 'FILE -', or a photo verb ('Men move …')."""
    cues = _cues()
    if len(_words(line)) < 3:
        return False
    if credited or cues.caption_start.fullmatch(line) or cues.caption_end.fullmatch(line):
        return True
    return _photo_like(line) and bool(cues.photo_verb.match(line))


@dataclass
class _Header:
    start: int
    end: int  # index of the first body line (or of the next story)
    candidates: list[int] = field(default_factory=list)  # indices of possible headlines
    captions: list[int] = field(default_factory=list)
    dates: list[tuple[dt.date, bool]] = field(default_factory=list)
    tag: str | None = None  # an OCHA-style country line over an ALL-CAPS headline
    boundary: bool = False  # the zone ended at a new section, so this story has no body


@dataclass
class _Story:
    header: _Header
    body: list[int]  # indices of lines read as body (before filtering)


class _Reader:
    """Reads one document's (pre-filtered) lines into stories."""

    def __init__(self, lines: list[_Line], title: str | None, caption_hints: set[str]) -> None:
        self.lines = lines
        self.text = [ln.text for ln in lines]
        self.title = title
        self.hints = caption_hints

    def _next(self, i: int) -> str | None:
        return self.text[i + 1] if i + 1 < len(self.text) else None

    def section_tag(self, i: int) -> bool:
        """A short ALL-CAPS line (a country) right above an ALL-CAPS headline."""
        s, nxt = self.text[i], self._next(i)
        return (
            nxt is not None
            and _is_all_caps(s)
            and len(_words(s)) <= 4
            and not _is_prose(s)
            and _is_all_caps(nxt)
            and len(_words(nxt)) >= 2
            and not _is_prose(nxt)
        )

    def section_headline(self, i: int) -> bool:
        """An ALL-CAPS headline of three or more words followed by ordinary text."""
        s, nxt = self.text[i], self._next(i)
        return (
            _is_all_caps(s)
            and len(_words(s)) >= 3
            and not _is_prose(s)
            and nxt is not None
            and not _is_all_caps(nxt)
        )

    def repeated(self, i: int, window: int = 10) -> bool:
        """The line was repeated right away, or comes back within the next few lines."""
        return self.lines[i].repeats > 0 or self.text[i] in self.text[i + 1 : i + 1 + window]

    def caption_like(self, i: int, after_headline: bool) -> bool:
        """A line that describes a photo, right after a headline."""
        s = self.text[i]
        if s in self.hints:
            return True
        if caption_cue(s, bool(self.lines[i].credits)) and (after_headline or self._credited(s, i)):
            return True
        if not after_headline:
            return False
        # a line repeated near the headline is its caption, when it reads like one
        return len(_words(s)) >= 3 and self.repeated(i) and _is_prose(s) and _photo_like(s)

    def _credited(self, s: str, i: int) -> bool:
        """A line marked as a caption by itself ('FILE - …', '… (Photo: X)', a credit line): a caption even
        where a page opens with it, before any headline."""
        cues = _cues()
        return bool(cues.caption_start.fullmatch(s) or cues.caption_end.fullmatch(s) or self.lines[i].credits)

    def header(self, start: int) -> _Header:
        """Read a story's header zone from `start` up to its first line of prose."""
        h = _Header(start=start, end=len(self.text))
        seen: set[str] = set()
        for i in range(start, len(self.text)):
            s = self.text[i]
            if s in seen:
                continue
            date = _dateline(s)
            if date:
                h.dates.append(date)
                continue
            if self.section_tag(i):
                if h.candidates or h.captions:
                    h.end, h.boundary = i, True
                    return h
                h.tag = s
                continue
            short = len(_words(s)) <= 3 and not _is_prose(s)
            if short and (self.lines[i].repeats or (_is_all_caps(s) and len(_words(s)) <= 2)):
                continue  # a tag line ('Afghanistan' twice) or a stray ALL-CAPS label
            forced = self.title is not None and s == self.title and start == 0
            if not forced and self.caption_like(i, after_headline=bool(h.candidates)):
                h.captions.append(i)
            elif forced or not _is_prose(s):
                h.candidates.append(i)
            else:
                h.end = i
                return h
            seen.add(s)
        return h

    def boundary(self, i: int) -> bool:
        """Does a new story start at body line i?"""
        s = self.text[i]
        if self.section_tag(i) or self.section_headline(i):
            return True
        n_words = len(_words(s))
        if _is_prose(s) or n_words < 3 or _dateline(s):
            return False
        if self.repeated(i):
            return True
        if i + 1 < len(self.text) and self.caption_like(i + 1, after_headline=True):
            nxt = self.text[i + 1]
            cues = _cues()
            strong = (
                nxt in self.hints
                or cues.caption_start.fullmatch(nxt)
                or cues.caption_end.fullmatch(nxt)
                or self.lines[i + 1].credits
                or self.repeated(i + 1)
            )
            if strong or n_words >= 4:
                return True
        return (
            self.lines[i].blanks >= 2
            and n_words >= 4
            and _is_title_case(s)
            and i + 1 < len(self.text)
            and _is_prose(self.text[i + 1])
        )

    def stories(self) -> list[_Story]:
        """Split the document into stories."""
        out: list[_Story] = []
        i = 0
        while i < len(self.text):
            h = self.header(i)
            j = h.end
            body: list[int] = []
            if not h.boundary:
                while j < len(self.text):
                    if body and self.boundary(j):
                        break
                    body.append(j)
                    j += 1
            out.append(_Story(h, body))
            i = max(j, i + 1)  # always make progress
        return out

    def headline(self, h: _Header) -> int | None:
        """Index of the headline: the page title, else a repeated candidate, else the first long one."""
        if not h.candidates:
            return None
        if self.title is not None:
            for c in h.candidates:
                if self.text[c] == self.title:
                    return c
        counts = Counter(self.text[h.start : h.end])
        for c in h.candidates:
            if self.lines[c].repeats or counts[self.text[c]] >= 2:
                return c
        for c in h.candidates:
            if len(_words(self.text[c])) >= 4:
                return c
        return h.candidates[-1]

    def deks(self, h: _Header, head: int | None) -> list[int]:
        """Headline-like lines after a long headline (a standfirst, an unfinished first line): kept as body."""
        if head is None or len(_words(self.text[head])) < 4:
            return []
        return [
            c
            for c in h.candidates
            if c > head and self.text[c] != self.text[head] and len(_words(self.text[c])) >= 4
        ]

    def join(self, indices: list[int], drop: set[str]) -> str:
        """Lines joined, one newline inside a paragraph and a blank line between paragraphs; repeats dropped (a
        long line said again further down is the page repeating itself, not a second report)."""
        out: list[str] = []
        prev: _Line | None = None
        seen: dict[str, str] = {}  # a long line's opening -> the line: a repeat may be cut short ("…attackers ")
        for i in indices:
            ln = self.lines[i]
            said = seen.get(ln.text[:80].rstrip())
            if ln.text in drop or (prev is not None and prev.text == ln.text) or (
                    said is not None and said.startswith(ln.text.rstrip())):
                continue
            if len(_words(ln.text)) >= 12:
                seen[ln.text[:80].rstrip()] = ln.text
            if prev is not None:
                out.append("\n" if ln.block == prev.block else "\n\n")
            out.append(ln.text)
            prev = ln
        return "".join(out)


_MONTH_ANY = _MONTH.replace("?P<mon>", "?:")
_DATED = re.compile(rf"\b{_MONTH_ANY}\s+\d{{4}}\b|\b{_MONTH_ANY}\s+\d{{1,2}},?\s+\d{{4}}\b", re.IGNORECASE)


def _pick_date(dates: list[tuple[dt.date, bool]]) -> dt.date | None:
    """A publication date from datelines: one marked 'Published' first, else the first."""
    for date, prefixed in dates:
        if prefixed:
            return date
    return dates[0][0] if dates else None


def _clean_once(text: str, published: dt.date | None, title: str | None, hints: set[str]) -> list[Article]:
    """One reading of a multi-line text into articles."""
    lines = _prefilter(_split_lines(text))
    if not lines:
        return []
    reader = _Reader(lines, title, hints)
    stories = reader.stories()

    # A story without a body is dropped: before the first story it is a bulletin title or page chrome
    # (its datelines still date the document); after one, a teaser or a related-story link.
    kept: list[tuple[_Story, int | None]] = []
    lead_dates: list[tuple[dt.date, bool]] = []
    bulletin: str | None = None  # a dated bulletin title over country sections
    for st in stories:
        head = reader.headline(st.header)
        if st.body or reader.deks(st.header, head):
            kept.append((st, head))
        elif not kept:
            lead_dates.extend(st.header.dates)
            if head is not None and _DATED.search(reader.text[head]):
                title = reader.text[head]
                period = next(
                    (m[0] for m in re.finditer(r"\([^()]{4,40}\)", title) if _DATED.search(m[0])), None
                )
                bulletin = period or f"— {title}"
    if not kept:
        # No prose anywhere: keep the text whole rather than guess at its structure.
        return [Article(None, None, clean_text(text), published)]

    articles: list[Article] = []
    for st, head in kept:
        h = st.header
        headline = reader.text[head] if head is not None else None
        captions: list[str] = []
        for c in h.captions:
            for line in (reader.text[c], *reader.lines[c].credits):
                if line not in captions and line != headline:
                    captions.append(line)
        body = reader.join(reader.deks(h, head) + st.body, {headline, *captions} - {None})  # type: ignore[arg-type]
        if h.tag and headline and not headline.startswith(h.tag):
            # 'CAMEROON: 15 KILLED …': the country line is the section's place context, and a bulletin's
            # dated title ('Weekly Snapshot (22 - 28 August 2017)') is the only year some sections have
            headline = f"{h.tag}: {headline}" + (f" {bulletin}" if bulletin else "")
        date = published or _pick_date(h.dates) or _pick_date(lead_dates)
        if not body:
            # everything under the headline was a repeat: keep the text as the body
            body = clean_text("\n\n".join([headline or "", "\n".join(captions)]))
            headline, captions = None, []
        articles.append(Article(headline, "\n".join(captions) or None, body, date))
    return articles


def _assemble(article: Article) -> str:
    """An article written back as text: headline, caption and body separated by blank lines."""
    return "\n\n".join(x for x in (article.headline, article.caption, article.text) if x)


def clean(doc: Document) -> list[Article]:
    """Split a raw document into articles (headline, caption, body), dropping page boilerplate."""
    text = doc.text or ""
    if "\n" not in _LINE_SEPS.sub("\n", text).strip():
        stripped = text.strip()
        return [Article(None, None, stripped, doc.published)] if stripped else []
    hints: set[str] = set()
    if doc.html:
        from sitrep.ingest import html_captions

        hints = {_clean_line(c) for c in html_captions(doc.html)} - {""}
    title = _clean_line(doc.title) if doc.title else None
    articles = _clean_once(text, doc.published, title or None, hints)
    # Read each article once more, as `clean` would read it written back, so that cleaning a clean
    # article changes nothing (a line dropped the first time can change how its neighbours read).
    for _ in range(3):
        again: list[Article] = []
        for a in articles:
            if "\n" not in _assemble(a):
                again.append(a)
                continue
            captions = set((a.caption or "").split("\n")) - {""}
            again.extend(_clean_once(_assemble(a), a.published, a.headline, hints | captions))
        if again == articles:
            break
        articles = again
    return articles
