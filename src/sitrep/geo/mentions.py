"""Place mentions: which phrases of a text name a place, with the cue words and enclosing names around them.

A mention is found by a cue ("in X", "the town of X", "X province", "northern X"), by a named-entity
span, by ACLED's "coded to X", or as an enclosing name of a note ("A (B, C)", "A, B."). Overlapping
finds are settled by the kind of cue, then position, then length.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from sitrep import acled
from sitrep.geo.words import cues, demonyms

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
WEAK_LABELS = frozenset({"PERSON", "ORG"})  # what the parser often makes of an unfamiliar town
THE_COUNTRY = (
    "the country"  # name of a mention that refers to the context country ("the north of the country")
)


@dataclass(frozen=True)
class PlaceMention:
    """A candidate place phrase in a text."""

    text: str  # as written, e.g. "al-Hasakeh province"
    start: int  # offsets in the given text
    end: int
    name: str  # the name to look up, e.g. "al-Hasakeh"
    hint: str | None  # "province" | "district" | "city" | "country" | "region" | None, from cue words
    # Enclosing places the text gives, narrowest first: "in A (B, C)" -> A within ("B", "C").
    within: tuple[str, ...] = ()
    # named by a span the parser took for a person or an organisation ("shelling Kharkiv"): a place only where the
    # document's own country has it
    weak: bool = False


_POSSESSIVE = re.compile(r"['’]s[ \t]+")
# Words are bounded (no place name has a 40-letter word) and must end where the word ends, so that a
# long run of capitals or a pasted token costs a fixed amount of backtracking at each position.
_CAP_WORD = r"[A-Z][\w'’ʿʾ`]{0,40}(?:-[\w'’ʿʾ]{1,40}){0,4}(?![\w'’ʿʾ`])"


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in words)


@cache
def _name() -> str:
    """The pattern of a place name: up to six capitalised words, with the articles and particles of data."""
    c = cues()
    lead = rf"(?:(?:{_alternation(c.lead_articles_hyphen)})-|(?:{_alternation(c.lead_articles_space)}) )"
    part = rf"(?:{lead})?(?:(?:St|Ste|Mt|Ft)\.[ \t])?{_CAP_WORD}"  # "St. John's"
    inner = rf"(?:{_alternation(c.inner_particles)})"
    # never across lines; up to two particles between words ("Jerez de la Frontera")
    return rf"{part}(?:(?:[ \t]-[ \t]|[ \t]+|-)(?:{inner}[- ][ ]?){{0,2}}{part}){{0,5}}"


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    c = cues()
    name = _name()
    before = "|".join(re.escape(b).replace(r"\ ", r"\s+") for b in c.before)
    hint_words = _alternation(sorted(c.hint_of_word, key=len, reverse=True))
    directions = _alternation(sorted(c.directions, key=len, reverse=True))
    features = _alternation(sorted(c.features, key=len, reverse=True))
    parts = _alternation(c.country_parts)
    ward = r"(?:-\d{1,3})?"  # "Baudhimai municipality-2": a ward of it
    qualifiers = _alternation(c.qualifiers_after).replace(r"\ ", r"\s+")
    residence = _alternation(c.qualifiers_before).replace(r"\ ", r"\s+")
    unless = _alternation(c.qualifiers_unless)
    landmarks = _alternation(sorted(c.ordinary, key=len, reverse=True))
    return {
        "name": re.compile(name),
        "before": re.compile(rf"(?<![\w-])(?i:{before})\s+(?:the\s+)?(?P<name>{name})"),
        "after": re.compile(rf"(?P<name>{name})\s+(?P<cue>(?i:{hint_words})){ward}(?![\w-])"),
        "cue_of": re.compile(rf"(?<![\w-])(?P<cue>{hint_words})\s+of\s+(?:the\s+)?(?P<name>{name})"),
        "direction": re.compile(rf"(?<![\w-])(?P<dir>{directions})\s+(?P<name>{name})"),
        "the_country": re.compile(
            rf"(?<![\w-])(?:(?:the\s+)?(?:{directions})(?:ern)?\s+(?:{parts})\s+of\s+the\s+country"
            rf"|the\s+(?:{directions})\s+of\s+the\s+country|the\s+country's\s+(?:{directions}))(?![\w-])"
        ),
        # "the Atbara river", "the Sweida-Damascus road", "the Baghdad - Kut city road": a feature named after a
        # town is not the town
        "feature_next": re.compile(rf"(?:[ \t]?-[ \t]?{name})?(?:\s+(?i:city|town))?\s+(?i:{features})(?![\w-])"),
        "cue_next": re.compile(rf"\s+(?P<cue>(?i:{hint_words})){ward}(?![\w-])"),
        "cue_tail": re.compile(rf"(?<!\s)\s+(?P<cue>{hint_words}){ward}$", re.IGNORECASE),
        "paren": re.compile(
            rf"\s*(?:{acled.conventions().coded_place_bracket}\s*)?\((?P<inner>[^()]{{2,120}})\)"
        ),
        "comma": re.compile(
            rf",\s+(?:in\s+)?(?P<name>{name}(?:\s+(?:{hint_words}))?)"
            rf"(?=\s*[.;()]|(?:,\s+{name})+\s*\)|\s*,\s+(?:and\s+)?[a-z]|\s*$)"
        ),
        # "a Kaduna militia", "Ukrainians living in Antalya": a name qualifying a group (see geo_cues.toml)
        "qualifier_next": re.compile(
            rf"\s+(?i:{qualifiers})(?![\w'’-])(?!\s+(?i:{unless})(?![\w-]))"),
        "qualifier_before": re.compile(
            rf"(?<![\w-])(?:{residence})\s+(?:the\s+)?$"),
        "of_in": re.compile(rf"\s+(?:of|in)\s+(?:the\s+)?(?P<name>{name})"),
        "appositive": re.compile(r",\s+(?:the|a|an)\s+(?:[a-z-]+\s+){0,2}(?:capital|town|city|village)\s+(?:of|in)\s"),
        # "Nabatiye junction (Al Nabatieh)", "Buenos Aires - Comuna 2 (...)": what stands between a name and its chain
        "to_chain": re.compile(rf"(?:\s+\d{{1,3}}|(?:\s+(?i:{landmarks})){{1,3}})(?=\s*\()"),
        "chain_before": re.compile(rf",\s+(?P<name>{name})\s*[(\[]\s*$"),
        "element": re.compile(r"[A-Za-z][\w'’ʿʾ` &-]*"),  # "J&K"
        # ACLED's note chain standing alone: "... seized X & Y (District, Province)."
        "note": re.compile(r"\((?P<inner>[A-Z][^()]{1,118}[a-z])\)"),
        # "captured Starohnativka, Donetsk." / "near Irpin, Kyiv region;": a town, then its province, ending a clause
        "town_comma": re.compile(
            rf"(?<=[a-z] )(?P<name>{name}),\s+(?P<prov>{name})(?:\s+(?:{hint_words}))?"
            rf"(?=\s*(?:[.;(]|$|,\s+(?:and\s+)?[a-z]))"
        ),
    }


def _cue_counts(cue: str) -> bool:
    """A lowercase (or acronym: LGA) cue word always counts; a capitalised one only for admin words ('Kunar Province', not 'Sadr City')."""
    return cue.islower() or cue.isupper() or cue.lower() in cues().capitalised


def _split_cue(phrase: str) -> tuple[str, str, str | None]:
    """(phrase, name, hint): 'Homs governorate' -> name 'Homs', hint 'province'."""
    m = _patterns()["cue_tail"].search(phrase)
    if m and _cue_counts(m.group("cue")):
        return phrase, phrase[: m.start()].strip(), cues().hint_of_word[m.group("cue").lower()]
    return phrase, phrase.strip(), None


def _mention_of_phrase(phrase: str) -> PlaceMention | None:
    """A mention for a bare phrase given to `resolve` ('Kunar province', 'northern Syria', 'Tripoli')."""
    phrase = phrase.strip()
    if not phrase:
        return None
    found = find_place_mentions(phrase)
    whole = [m for m in found if m.start == 0]
    if whole and whole[0].end >= len(phrase.rstrip(".")) - 1:
        return whole[0]
    _, name, hint = _split_cue(phrase)
    return PlaceMention(phrase, 0, len(phrase), name, hint)


def _clean_name(name: str) -> str:
    return re.sub(r"['’]s$", "", name.strip())  # "Baghdad's" -> "Baghdad"


def _is_place_name(name: str) -> bool:
    c = cues()
    return (
        bool(name)
        and name not in c.not_places
        and name not in demonyms()
        and name.rstrip("s") not in demonyms()
    )


def _follow(text: str, end: int, hint: str | None, depth: int = 0) -> tuple[str, ...]:
    """Enclosing places written after a mention: '(B, C)', ', B', ' town of B', ' in B countryside'."""
    if depth > 3:
        return ()
    p = _patterns()
    rest = text[end:]
    gap = p["to_chain"].match(rest) if depth == 0 else None
    m = p["paren"].match(rest, gap.end() if gap else 0)
    if m and re.match(r"(?i)cod(?:ed|ing)\s", m.group("inner")):
        return ()  # "Donetsk (coded to X)": where the note is coded, not a name enclosing the mention
    if m:
        parts = [x.strip() for x in m.group("inner").split(",")]
        if all(p["element"].fullmatch(x) and len(x.split()) <= 5 for x in parts):
            return tuple(x for x in parts if x)
        return ()
    m = p["comma"].match(rest)
    if m and _is_place_name(_split_cue(m.group("name"))[1]):
        # "Ma Yoe Kone village, Myaung township (Sagaing district, Sagaing region)": the chain goes on
        return (m.group("name"), *_follow(text, end + m.end(), None, depth + 1))
    m = p["of_in"].match(rest)
    if m:
        tail = m.group("name")
        nxt = p["cue_next"].match(rest, m.end())
        name = tail + (nxt.group(0) if nxt else "")
        inner_hint = _split_cue(name)[2]
        # "X town of Y", "X in Y countryside": only after or before a cue word, else "in Homs in April"
        if _is_place_name(tail) and (hint in ("city", "district") or inner_hint in ("province", "district")):
            return (name, *_follow(text, end + (nxt.end() if nxt else m.end()), inner_hint, depth + 1))
    return ()


def _make(text: str, start: int, end: int, hint: str | None = None) -> PlaceMention | None:
    """A mention for text[start:end], taking a cue word written right after it and what follows."""
    phrase = text[start:end]
    if phrase.lower().startswith("the "):
        start += 4
        phrase = phrase[4:]
    possessive = list(_POSSESSIVE.finditer(phrase))
    if possessive:  # "Syria's al-Darbasiyah countryside": the place is after the possessive
        start += possessive[-1].end()
        phrase = phrase[possessive[-1].end() :]
    while len(phrase.split()) > 1 and (phrase.split()[-1] in cues().calendar
                                       or re.fullmatch(r"[A-Z]-[a-z]+", phrase.split()[-1])):  # "Diyarbakir D-type"
        phrase = phrase.rstrip().rsplit(None, 1)[0].rstrip()  # "in Baghdad Wednesday": the place is Baghdad
        end = start + len(phrase)
    while len(phrase.split()) > 1 and re.search(r"\d", phrase.split()[0]):
        cut = len(phrase.split()[0]) + 1  # "PD5 Kandahar city": a code before the name (police district 5)
        start, phrase = start + cut, phrase[cut:]
    _, name, tail_hint = _split_cue(phrase)
    hint = tail_hint or hint  # "the front of Marib governorate": the name's own cue word wins
    nxt = _patterns()["cue_next"].match(text, end)
    if nxt and tail_hint is None and _cue_counts(nxt.group("cue")):
        end = nxt.end()  # "districts of Amanat al Asimah governorate": the cue after the name wins here too
        hint = cues().hint_of_word[nxt.group("cue").lower()]
    name = _clean_name(name)
    if not _is_place_name(name) or _patterns()["feature_next"].match(text, end) \
            or len(name.split()) > 1 and name.split()[-1].lower() in cues().feature_endings:
        return None  # "the Atbara river", "Union Station": a feature named after a place, not the place
    if all(w.lower() in cues().directions for w in name.split()) and re.match(r"\s+of\s", text[end : end + 4]):
        return None  # "North East of High Prairie": a direction from a place, not a place
    return PlaceMention(text[start:end], start, end, name, hint, _follow(text, end, hint))


def find_place_mentions(text: str, entities: Sequence[tuple[int, int, str]] = ()) -> list[PlaceMention]:
    """Place phrases in text: NER spans (GPE/LOC/FAC) plus cue patterns, deduplicated, in text order."""
    # (priority, mention): a lower priority wins an overlap
    found = [(priority, m) for priority, m in _cue_mentions(text, entities) if m is not None and m.name]
    found += _enclosing_mentions(text, [m for _, m in found])
    kept: list[PlaceMention] = []
    for _, mention in sorted(found, key=lambda pm: (pm[0], pm[1].start, -(pm[1].end - pm[1].start))):
        if all(mention.end <= k.start or mention.start >= k.end for k in kept):
            kept.append(mention)
    return [_qualified(text, m) for m in _shared_cues(text, sorted(kept, key=lambda m: m.start))]


def _qualified(text: str, mention: PlaceMention) -> PlaceMention:
    """A name that qualifies a group ("a Kaduna militia", "Ukrainians living in Antalya") is weak: it places the
    event only when its sentence names no other place."""
    p = _patterns()
    if mention.weak or mention.within or mention.hint == "region":
        return mention
    if (p["qualifier_next"].match(text, mention.end)
            or p["qualifier_before"].search(text[max(0, mention.start - 40) : mention.start])):
        return dataclasses.replace(mention, weak=True)
    return mention


def _shared_cues(text: str, mentions: list[PlaceMention]) -> list[PlaceMention]:
    """Names joined before a plural cue share it and what encloses it: in "Sahar and Haydan districts in
    Sa'ada Governorate" Sahar is a district of Sa'ada too."""
    out = list(mentions)
    for i in range(len(out) - 2, -1, -1):
        first, second = out[i], out[i + 1]
        plural = second.text.rsplit(None, 1)[-1]
        if (first.hint is None and not first.within and second.hint and plural.endswith("s")
                and plural.lower() in cues().hint_of_word
                and re.fullmatch(r",?\s+(?:and|&)\s+", text[first.end : second.start])):
            out[i] = PlaceMention(first.text, first.start, first.end, first.name, second.hint, second.within)
    return out


def _cue_mentions(
    text: str, entities: Sequence[tuple[int, int, str]]
) -> Iterator[tuple[int, PlaceMention | None]]:
    """(priority, mention) for each cue pattern's and named-entity span's find, in a fixed order."""
    p = _patterns()
    for m in p["the_country"].finditer(text):
        yield 0, PlaceMention(m.group(0), m.start(), m.end(), THE_COUNTRY, "region")
    for m in p["direction"].finditer(text):
        mention = _make(text, m.start("name"), m.end("name"))
        if mention is not None and mention.hint == "city":  # "the central Bambari town" is the town
            yield 0, mention
        elif mention is not None:
            region = text[m.start() : mention.end]
            yield 0, PlaceMention(region, m.start(), mention.end, mention.name, "region", mention.within)
    for m in p["before"].finditer(text):
        cue_text = text[m.start() : m.start("name")].lower()
        cue_hint = next((h for w, h in cues().hint_of_word.items() if f" {w} of" in f" {cue_text}"), None)
        yield 1, _make(text, m.start("name"), m.end("name"), cue_hint)
    # "the Shi'ite neighborhood of Sadr City", "the central town of Hillah"
    for m in p["cue_of"].finditer(text):
        if m.group("cue") == "front" and text[: m.start()].rstrip().endswith(" in"):
            continue  # "in front of the X prison"
        yield 1, _make(text, m.start("name"), m.end("name"), cues().hint_of_word[m.group("cue")])
    for m in p["after"].finditer(text):
        if _cue_counts(m.group("cue")):
            yield 2, _make(text, m.start("name"), m.end("name"))
    for start, end, label in entities:
        if label in PLACE_LABELS:
            mention = _make(text, start, _span_end(text, start, end))
            # a facility is where the town it is named after is ("Sidnaya Military Prison")
            yield 3, _named(mention) if mention and label == "FAC" else mention
    for start, end, label in entities:
        if label in WEAK_LABELS:
            mention = _make(text, start, _span_end(text, start, end))
            named = _named(mention) if mention else None
            # "Wad Madani, the capital of Gezira state": a name the text says is a town is one, however parsed
            town = named is not None and p["appositive"].match(text, named.end) is not None
            yield 6, dataclasses.replace(named, weak=not town) if named else None
    for m in acled.conventions().coded_place.finditer(text):
        name = p["name"].match(text, m.end())
        if name:
            coded = _make(text, name.start(), name.end())
            if coded is not None and not coded.within and text[coded.end : coded.end + 1] in (")", "]"):
                # "(coded to Al Buqa) (Kitaf wa Al Boqee, Sadah)", "[coded to Mashhad], Badakhshan"
                coded = dataclasses.replace(coded, within=_follow(text, coded.end + 1, coded.hint))
            # a bounded window: a note's province stands right before the bracket, and a long text costs nothing more
            chain_before = p["chain_before"].search(text[max(0, m.start() - 200) : m.start()])
            if coded is not None and not coded.within and chain_before:
                # "Olenivka - Novomykhaylivka, Donetsk (coded to Novomykhaylivka)": the province before the bracket
                coded = dataclasses.replace(coded, within=(chain_before.group("name"),))
            yield 0, coded
    for m in p["town_comma"].finditer(text):
        if _is_place_name(m.group("prov").strip()):
            yield 5, _make(text, m.start("name"), m.end("name"))


def _span_end(text: str, start: int, end: int) -> int:
    """Where a named-entity span's own name ends: "Luparevo, Mykolaiv" and "X Hospital (Cheongju" read as one
    span are the first name, with the rest as where it lies."""
    cuts = [i for i in (text.find(", ", start, end), text.find(" (", start, end)) if i > start]
    return min(cuts, default=end)


def _named(mention: PlaceMention) -> PlaceMention | None:
    """The mention of the town an office, a force or a facility is named after, if that is a place name."""
    name = _named_after(mention.name)
    return dataclasses.replace(mention, name=name) if _is_place_name(name) else None


def _named_after(name: str) -> str:
    """The town an office or a force is named after: 'Hakkari Governor' -> 'Hakkari', 'Kufra Police' -> 'Kufra'."""
    words = name.split()
    while len(words) > 1 and words[-1].lower() in cues().ordinary:
        words.pop()
    return " ".join(words)


def _enclosing_mentions(text: str, mentions: Sequence[PlaceMention]) -> list[tuple[int, PlaceMention]]:
    """The enclosing names of "A (B, C)" as mentions of their own, also for a note chain standing alone."""
    p = _patterns()
    primary = list(mentions)
    for m in p["note"].finditer(text):
        parts = [x.strip() for x in m.group("inner").split(",")]
        if len(parts) >= 2 and all(
            p["element"].fullmatch(x) and len(x.split()) <= 5 and not x.isupper() and x[:1].isupper()
            for x in parts
        ):
            primary.append(PlaceMention("", m.start(), m.start(), "", None, tuple(parts)))
    found: list[tuple[int, PlaceMention]] = []
    for mention in primary:
        for i, inner in enumerate(mention.within):
            pos = text.find(inner, mention.end)
            if pos >= 0:
                _, name, hint = _split_cue(inner)
                # in a note "(B, C)" the last name is a province, the others districts
                hint = hint or ("province" if i == len(mention.within) - 1 else "district")
                if _is_place_name(name):
                    enclosing = mention.within[i + 1 :]
                    found.append((4, PlaceMention(inner, pos, pos + len(inner), name, hint, enclosing)))
    return found
