"""Stage 6: casualty claims — every count of killed, injured, missing, abducted, arrested or displaced.

A claim is a number (digits, words, "a dozen", vague "dozens"), its qualifier, who was
counted, who said so, and where it is written. Figures are read from a parsed sentence:
a count of people next to a casualty word ("killed 11 civilians", "two people died"),
or inherited inside a list or a breakdown ("including 10 children").
`link_claims` ties breakdowns to their totals and marks superseded figures;
`tally` applies DESIGN.md's toll rules.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from spacy.tokens import Doc, Span, Token

from sitrep.model import Claim, ClaimKind, Field, Qualifier

NON_COUNT_ENTS = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL"}


@dataclass(frozen=True)
class Lexicon:
    """The claim words of `data/claims_lexicon.toml`, prepared for lookup."""

    units: dict[str, int]
    tens: dict[str, int]
    scales: dict[str, int]
    groups: dict[str, int]
    vague: dict[str, int]
    qualifiers: list[tuple[tuple[str, ...], Qualifier]]
    kind_before: list[tuple[tuple[str, ...], ClaimKind]]
    kind_after: list[tuple[tuple[str, ...], ClaimKind]]
    kind_heads: dict[str, ClaimKind]
    speakers: frozenset[str]
    people: frozenset[str]
    not_people: frozenset[str]
    subject_groups: dict[str, str]
    reporting_verbs: frozenset[str]
    according_to: list[tuple[str, ...]]
    by_phrases: list[tuple[str, ...]]
    generic: dict[str, tuple[str, ...]]
    agencies: frozenset[str]
    supersede: list[tuple[str, ...]]
    supersede_old: list[tuple[str, ...]]
    breakdown: list[tuple[str, ...]]
    toll_nouns: dict[str, ClaimKind]
    toll_verbs: frozenset[str]
    toll_injured: frozenset[str]
    after_fillers: frozenset[str]
    before_fillers: frozenset[str]
    intransitive_death: frozenset[str]
    pronoun_subjects: frozenset[str]
    spans: list[tuple[str, ...]]
    canonical: list[tuple[str, str]]  # (folded name, canonical name), longest name first
    windows: list[tuple[str, ...]]
    units_of_time: frozenset[str]
    total_subjects: frozenset[str]
    documents: frozenset[str]


def _phrases(words: Sequence[str]) -> list[tuple[str, ...]]:
    """Phrases as token tuples, longest first."""
    return sorted({tuple(w.split()) for w in words}, key=len, reverse=True)


def _longest_first(table: dict[str, int]) -> dict[str, int]:
    """A phrase table ordered so that 'several dozen' is tried before 'several'."""
    return dict(sorted(table.items(), key=lambda kv: -len(kv[0].split())))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Load the claim lexicon once."""
    raw = tomllib.loads(resources.files("sitrep.data").joinpath("claims_lexicon.toml").read_text("utf-8"))
    kinds = raw["kinds"]
    before: list[tuple[tuple[str, ...], ClaimKind]] = []
    after: list[tuple[tuple[str, ...], ClaimKind]] = []
    for kind, words in kinds.items():
        before += [(p, kind) for p in _phrases(words["before"])]
        after += [(p, kind) for p in _phrases(words["after"])]
    quals = [(p, q) for q, words in raw["qualifiers"].items() for p in _phrases(words)]
    groups = {w: g for g, words in raw["subjects"].items() for w in words}
    return Lexicon(
        units=raw["numbers"]["units"],
        tens=raw["numbers"]["tens"],
        scales=raw["numbers"]["scales"],
        groups=_longest_first(raw["numbers"]["groups"]),
        vague=_longest_first(raw["vague"]),
        qualifiers=sorted(quals, key=lambda x: len(x[0]), reverse=True),
        kind_before=sorted(before, key=lambda x: len(x[0]), reverse=True),
        kind_after=sorted(after, key=lambda x: len(x[0]), reverse=True),
        kind_heads={w: kind for kind, words in kinds.items() for w in words.get("heads", [])},
        speakers=frozenset(raw["claimants"]["speakers"]),
        people=frozenset(raw["people"]["nouns"]),
        not_people=frozenset(raw["people"]["not_people"]),
        subject_groups=groups,
        reporting_verbs=frozenset(raw["claimants"]["verbs"]),
        according_to=_phrases(raw["claimants"]["according_to"]),
        by_phrases=_phrases(raw["claimants"]["by_phrases"]),
        generic={k: tuple(v) for k, v in raw["claimants"]["generic"].items()},
        agencies=frozenset(raw["claimants"]["agencies"]),
        supersede=_phrases(raw["supersede"]["cues"]),
        supersede_old=_phrases(raw["supersede"]["old_cues"]),
        breakdown=_phrases(raw["breakdown"]["cues"]),
        toll_nouns=raw["toll_subject"]["nouns"],
        toll_verbs=frozenset(raw["toll_subject"]["verbs"]),
        toll_injured=frozenset(raw["toll_subject"]["injured"]),
        after_fillers=frozenset(raw["grammar"]["after_fillers"]),
        before_fillers=frozenset(raw["grammar"]["before_fillers"]),
        intransitive_death=frozenset(raw["grammar"]["intransitive_death"]),
        pronoun_subjects=frozenset(raw["grammar"]["pronoun_subjects"]),
        spans=_phrases(raw["aggregate"]["spans"]),
        canonical=sorted(((_fold(a), name) for name, aliases in raw["canonical"].items() for a in aliases),
                         key=lambda x: len(x[0]), reverse=True),
        windows=_phrases(raw["aggregate"]["windows"]),
        units_of_time=frozenset(raw["aggregate"]["units"]),
        total_subjects=frozenset(raw["aggregate"]["subjects"]),
        documents=frozenset(raw["claimants"]["documents"]),
    )


# --- numbers -----------------------------------------------------------------------------------

_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d{1,7}$")


@dataclass
class Number:
    """A count found in a sentence: tokens [start, end) of the doc, its value and qualifier."""

    start: int
    end: int
    value: int | None
    high: int | None
    qualifier: Qualifier
    vague_code: int | None = None  # ACLED's value for a vague word
    singular: bool = False  # "a soldier", "an Afghan doctor": one person, only beside a casualty word
    dated: bool = False  # tagged DATE/TIME/... by NER: a count only when people are counted


def _word_value(word: str, lex: Lexicon) -> int | None:
    """The value of one number token ('71', '1,100', 'four', 'twenty')."""
    w = word.lower()
    if _DIGITS.match(w):
        return int(w.replace(",", ""))
    return lex.units.get(w, lex.tens.get(w))


def _read_cardinal(doc: Doc, i: int, stop: int, lex: Lexicon) -> tuple[int, int] | None:
    """Read a cardinal starting at token i ('twenty two', 'twenty-two', 'two hundred'): (value, end)."""
    value = _word_value(doc[i].text, lex)
    if value is None:
        return None
    j = i + 1
    if value in lex.tens.values() and not doc[i].text.isdigit():
        k = j + 1 if j < stop and doc[j].text == "-" else j
        if k < stop and doc[k].lower_ in lex.units and 0 < lex.units[doc[k].lower_] < 10:
            value, j = value + lex.units[doc[k].lower_], k + 1
    if j < stop and doc[j].lower_ in lex.scales and not doc[i].text.isdigit() or (
        j < stop and doc[j].lower_ in ("hundred", "thousand") and doc[i].text.isdigit()
    ):
        value, j = value * lex.scales[doc[j].lower_], j + 1
    return value, j


def _qualifier_before(doc: Doc, i: int, floor: int, lex: Lexicon) -> tuple[Qualifier, int]:
    """The qualifier phrase ending just before token i, and where it starts."""
    for phrase, qual in lex.qualifiers:
        n = len(phrase)
        if i - n >= floor and tuple(t.lower_ for t in doc[i - n : i]) == phrase:
            return qual, i - n
    return "exact", i


def find_numbers(sent: Span) -> list[Number]:
    """Counts in a sentence: cardinals, ranges, group words and vague amounts, with qualifiers."""
    lex = lexicon()
    doc, out, i, stop = sent.doc, [], sent.start, sent.end
    while i < stop:
        tok = doc[i]
        low = tok.lower_
        group = _group_word(doc, i, stop, lex)
        if group:
            value, end, vague = group
            qual, qstart = _qualifier_before(doc, i, sent.start, lex)
            if vague is not None:
                out.append(Number(qstart, end, None, None, "vague", vague))
            else:
                out.append(Number(qstart, end, value, None, qual))
            i = end
            continue
        if low in ("a", "an", "the") and i + 1 < stop:
            # "a soldier", "the businessman": one person, kept only beside a casualty word
            out.append(Number(i, i + 1, 1, None, "exact", singular=True))
            i += 1
            continue
        read = _read_cardinal(doc, i, stop, lex) if (tok.like_num or low in lex.units or low in lex.tens) else None
        if read is None:
            i += 1
            continue
        value, end = read
        if end < stop and doc[end].text == "-" and end + 1 < stop and not doc[end + 1].like_num:
            i = end  # "15-member", "100-km": a modifier, not a count
            i += 1
            continue
        qual, qstart = _qualifier_before(doc, i, sent.start, lex)
        high = None
        # ranges: "13-14", "13 to 14", "between 10 and 15", spoken "13, 14"
        if end + 1 < stop and doc[end].lower_ in ("-", "–", "to", "and", ",", "or"):
            nxt = _read_cardinal(doc, end + 1, stop, lex)
            is_between = doc[end].lower_ == "and" and qstart > sent.start and doc[i - 1].lower_ == "between"
            spoken = doc[end].lower_ in (",", "or") and nxt is not None and 0 < nxt[0] - value <= 5
            if nxt and nxt[0] > value and (doc[end].lower_ in ("-", "–", "to") or is_between or spoken):
                high, end = nxt[0], nxt[1]
                qual = "range"
                if is_between:
                    qstart = i - 1
        out.append(Number(qstart, end, value, high, qual, dated=tok.ent_type_ in NON_COUNT_ENTS))
        i = end
    return out


def _group_word(doc: Doc, i: int, stop: int, lex: Lexicon) -> tuple[int | None, int, int | None] | None:
    """A group or vague amount at token i: (value, end, vague code), e.g. 'a dozen', 'dozens of'."""
    first = doc[i].lower_
    for table, vague in ((lex.groups, False), (lex.vague, True)):
        for phrase, value in table.items():
            if not phrase.startswith(first):
                continue  # most tokens start no phrase: skip them before splitting each one
            words = phrase.split()
            end = i + len(words)
            if end <= stop and tuple(t.lower_ for t in doc[i:end]) == tuple(words):
                if end < stop and doc[end].lower_ == "of":
                    end += 1
                return (None, end, value) if vague else (value, end, None)
    return None


# --- claims ------------------------------------------------------------------------------------


@dataclass
class Found:
    """A claim as read from a sentence, with what linking needs."""

    claim: Claim  # carries the group counted, the update flag and the vague code
    is_part: bool = False  # introduced as a breakdown ("including 10 children")
    old: bool = False  # introduced as the figure a newer one replaces ("up from eight", "its earlier toll of eight")
    head: int = -1  # doc index of the counted noun (or the number)


def _match_at(tokens: Sequence[str], pos: int, phrases: list[tuple[tuple[str, ...], ClaimKind]]):
    """Phrases that start at tokens[pos]."""
    for phrase, kind in phrases:
        if tuple(tokens[pos : pos + len(phrase)]) == phrase:
            yield phrase, kind


def _kinds_after(doc: Doc, pos: int, stop: int, lex: Lexicon) -> list[ClaimKind]:
    """Casualty words following the counted people ('were killed', 'dead', 'killed and wounded')."""
    words = [t.lower_ for t in doc[pos:stop]]
    k = 0
    while k < len(words) and k < 6 and words[k] in lex.after_fillers:
        k += 1
    kinds: list[ClaimKind] = []
    while k < len(words):
        hit = next(_match_at(words, k, lex.kind_after), None)
        if not hit:
            break
        kinds.append(hit[1])
        k += len(hit[0])
        if k < len(words) and words[k] in ("and", "or", ","):
            k += 1
        else:
            break
    return kinds


def _kinds_before(doc: Doc, pos: int, floor: int, lex: Lexicon) -> list[ClaimKind]:
    """Casualty words preceding the count ('killed 11', 'killing and injuring several', 'toll rose to')."""
    words = [t.lower_ for t in doc[floor:pos]]

    def phrase_ending_at(k: int) -> tuple[int, ClaimKind] | None:
        for phrase, kind in lex.kind_before:
            n = len(phrase)
            if k - n >= 0 and tuple(words[k - n : k]) == phrase:
                return n, kind
        return None

    k, skipped = len(words), 0
    # skip fillers ("the toll rose to 12"), stopping early at a phrase that ends with one ("deaths of two")
    while k > 0 and words[k - 1] in lex.before_fillers and skipped < 4 and not phrase_ending_at(k):
        k, skipped = k - 1, skipped + 1
    kinds: list[ClaimKind] = []
    while k > 0:
        hit = phrase_ending_at(k)
        if not hit:
            break
        kinds.append(hit[1])
        k -= hit[0]
        if k > 0 and words[k - 1] in ("and", "or", ","):
            k -= 1
        else:
            break
    return kinds[::-1]


def _toll_subject(doc: Doc, pos: int, lex: Lexicon) -> list[ClaimKind]:
    """The kind a toll gives its count from afar: 'The toll from Thursday's strike on … rose to 12'."""
    verb = doc[pos].head
    if verb.lower_ in ("to", "at") and verb.i < pos:
        verb = verb.head
    if verb.lower_ not in lex.toll_verbs:
        return []
    for subject in verb.children:  # the parser may attach a far subject as a modifier ("npadvmod")
        if subject.dep_ in ("nsubj", "nsubjpass", "npadvmod") and subject.lower_ in lex.toll_nouns:
            injured = any(t.lower_ in lex.toll_injured for t in subject.lefts)
            return ["injured" if injured else lex.toll_nouns[subject.lower_]]
    return []


def _head_of(doc: Doc, num: Number, lex: Lexicon) -> tuple[int, int]:
    """The counted noun of a number and the end of its noun phrase: (head index, end)."""
    last = doc[num.end - 1]
    stop = last.sent.end
    j = num.end
    if j + 2 < stop and doc[j].lower_ == "of" and doc[j + 1].lower_ in ("the", "them", "those", "these", "our",
                                                                          "their", "its", "his", "her", "my"):
        j += 1  # "two of the policemen", "ten of them", "seven of our soldiers"
        if doc[j].lower_ in ("them", "those", "these"):
            return j, j + 1
        j += 1
    if j + 1 < stop and doc[j].lower_ in ("year", "years") and doc[j + 1].lower_ == "old" and not num.singular:
        return j, j + 1  # "sixteen years old": an age, not a count
    # walk the noun phrase: adjectives, nouns, proper nouns, hyphens ("pro-Iran", "U.S.")
    head, k = -1, j
    while k < stop and k - j < 8:
        t = doc[k]
        if t.like_num and k + 2 < stop and doc[k + 1].lower_ in ("year", "years") and doc[k + 2].lower_ == "old":
            k += 3  # "a sixteen years old young man": skip the age
            continue
        if t.like_num and k + 4 < stop and [x.lower_ for x in doc[k + 1 : k + 5]] in (["-", "year", "-", "old"],
                                                                                   ["-", "years", "-", "old"]):
            k += 5  # "a 12-year-old boy"
            continue
        if t.pos_ in ("NOUN", "PROPN") or (t.pos_ in ("ADJ", "PUNCT") and t.text in ("-", "–", "'", "‘", "’", '"', "“", "”")):
            if t.pos_ in ("NOUN", "PROPN"):
                head = k
            k += 1
            continue
        if t.pos_ in ("ADJ", "VERB") and t.tag_ in ("JJ", "VBN", "NNP", "VBG") and k + 1 < stop and doc[k + 1].pos_ in (
            "NOUN", "PROPN", "ADJ", "PUNCT", "VERB"
        ) and t.lower_ not in lex.people | {"killed", "wounded", "injured", "dead"}:
            k += 1
            continue
        if t.pos_ == "ADJ" and t.lower_ in lex.people:  # "the dead", "13 others"
            head, k = k, k + 1
            continue
        break
    if head == -1:
        return num.end - 1, num.end
    # stop the phrase at a casualty noun used as a verb ("71 Fighters Killed")
    return head, head + 1


def _is_people(doc: Doc, head: int, num: Number, lex: Lexicon) -> bool | None:
    """True when the count is of people, False when of things, None when the noun is elided."""
    if head == num.end - 1:
        return None
    low = doc[head].lower_
    if _of_those(doc, head):
        return True
    if low in lex.not_people:
        return False
    if low in lex.people or low + "s" in lex.people or low[:-1] + "ies" in lex.people:
        return True
    tok = doc[head]
    if tok.ent_type_ == "NORP" or (tok.pos_ == "PROPN" and low.endswith("s")):
        return True
    return None if tok.pos_ == "PROPN" else False  # "three Twic Dinka": a people's name, if a casualty word follows


def _has_phrase_before(doc: Doc, pos: int, floor: int, phrases: list[tuple[str, ...]], reach: int = 3) -> bool:
    """Whether one of the phrases ends within `reach` tokens before pos."""
    words = [t.lower_ for t in doc[floor:pos]]
    for back in range(0, reach + 1):
        end = len(words) - back
        for phrase in phrases:
            n = len(phrase)
            if end - n >= 0 and tuple(words[end - n : end]) == phrase:
                return True
    return False


def _kind_earlier_in_sentence(doc: Doc, sent: Span, pos: int, lex: Lexicon) -> ClaimKind | None:
    """The casualty word nearest before pos in the sentence ('those killed … included 45')."""
    for k in range(pos - 1, sent.start - 1, -1):
        words = [t.lower_ for t in doc[k:pos]]
        for phrase, kind in (*lex.kind_after, *lex.kind_before):
            if tuple(words[: len(phrase)]) == phrase:
                return kind
    return None


def _no_verb_between(doc: Doc, a: int, b: int) -> bool:
    """No finite clause starts between tokens a and b (a list continues)."""
    return all(not (t.pos_ in ("VERB", "AUX") and t.dep_ not in ("amod", "acl")) for t in doc[a:b]) and b - a <= 14


def extract_sentence(sent: Span, field_name: Field, article: int, context: ClaimantContext,
                     speaker: str | None = None) -> list[Found]:
    """All claims written in one sentence; `speaker` (a headline's "…, police say") claims what it leaves unattributed."""
    lex = lexicon()
    doc = sent.doc
    found: list[Found] = []
    numbers = find_numbers(sent)
    pending: list[tuple[Number, int, int]] = []  # person counts with no kind yet: (number, head, end)
    parts_without_kind: list[tuple[Number, int, int]] = []  # "including six officials" before "were killed"
    for num in numbers:
        head, np_end = _head_of(doc, num, lex)
        people = _is_people(doc, head, num, lex)
        if people is False or (num.dated and not people) or (
            num.singular and (not people or doc[head].tag_ not in ("NN", "NNP")
                              or doc[head].ent_type_ in ("ORG", "GPE", "LOC", "FAC"))  # 'the United Nations said'
        ):
            continue
        kinds = _kinds_before(doc, num.start, sent.start, lex) or _toll_subject(doc, num.start, lex)
        after = _kinds_after(doc, np_end, sent.end, lex)
        if head >= num.end and doc[head].lower_ in lex.kind_heads:
            kinds = [lex.kind_heads[doc[head].lower_]]
        if num.singular and not (kinds or after):
            after = _kinds_by_dependency(doc[head], lex)
        if num.singular and not (kinds or after):
            if not (found and found[-1].is_part and _no_verb_between(doc, found[-1].head + 1, num.start)):
                continue
        if people is None and not after and not kinds:
            # an elided noun counts only when a list of people continues ("…, and four from Hezbollah")
            prev = found[-1] if found else None
            if not (prev and _no_verb_between(doc, prev.head + 1, num.start)):
                pending.append((num, head, np_end))
                continue
        kinds = kinds or after or _kinds_by_dependency(doc[head], lex)
        is_part = (_has_phrase_before(doc, num.start, sent.start, lex.breakdown) or _among_after(doc, np_end, sent.end)
                   or _of_those(doc, head))
        if not kinds and is_part:
            kind = _kind_earlier_in_sentence(doc, sent, num.start, lex)
            kinds = [kind] if kind else []
        if not kinds and found and _no_verb_between(doc, found[-1].head + 1, num.start):
            kinds = [found[-1].claim.kind]  # a list continues: "45 fighters …, 26 foreign fighters, and four"
            is_part = is_part or found[-1].is_part
        if not kinds:
            if people and is_part:
                parts_without_kind.append((num, head, np_end))
            elif people:
                pending.append((num, head, np_end))
            continue
        for kind in dict.fromkeys(kinds):
            found.append(_make(doc, sent, num, head, np_end, kind, field_name, article, context, is_part))
    # "4 Hezbollah members among 71 fighters killed": a count before "among" a claim is a part of it
    for num, head, np_end in pending:
        if np_end < sent.end and doc[np_end].lower_ in ("among", "of"):
            total = next((f for f in found if f.claim.start >= doc[np_end].idx), None)
            if total is not None:
                found.append(_make(doc, sent, num, head, np_end, total.claim.kind, field_name, article, context, True))
    # a breakdown takes the kind of the total it breaks down ("eight people, including six officials, were killed")
    for num, head, np_end in parts_without_kind:
        totals = [f for f in found if not f.is_part]
        before = [f for f in totals if f.claim.start < doc[num.start].idx]
        total = before[-1] if before else (totals[0] if totals else None)
        if total is not None:
            found.append(_make(doc, sent, num, head, np_end, total.claim.kind, field_name, article, context, True))
    found.sort(key=lambda f: f.claim.start)
    for f in found:
        f.claim.claimant = f.claim.claimant or speaker
    return found


def _kinds_by_dependency(head: Token, lex: Lexicon) -> list[ClaimKind]:
    """The casualty verb the counted noun is subject or object of, through conjunctions ('shot and killed')."""
    if head.dep_ not in ("nsubj", "nsubjpass", "dobj", "obj", "appos"):
        return []
    verb = head.head
    verbs = [verb, *[c for c in verb.children if c.dep_ == "conj"]]
    if verb.dep_ == "conj":
        verbs.append(verb.head)
    words = {v.lower_ for v in verbs if v.pos_ in ("VERB", "AUX", "ADJ")}
    if head.dep_ == "nsubj":
        # the active subject did the act ("a soldier shot and killed a driver") unless it died
        words &= lex.intransitive_death
    for phrase, kind in lex.kind_after if head.dep_.startswith("nsubj") else lex.kind_before:
        if len(phrase) == 1 and phrase[0] in words:
            return [kind]
    return []


def _of_those(doc: Doc, head: int) -> bool:
    """'One of those killed', 'two of them': a part of the people already counted."""
    return doc[head].lower_ in ("them", "those", "these") and doc[head - 1].lower_ == "of"


def _among_after(doc: Doc, pos: int, stop: int) -> bool:
    """'… was among the dead': the count is part of a total."""
    words = [t.lower_ for t in doc[pos : min(stop, pos + 3)]]
    return "among" in words or "amongst" in words


def _make(
    doc: Doc, sent: Span, num: Number, head: int, np_end: int, kind: ClaimKind, field_name: Field,
    article: int, context: ClaimantContext, is_part: bool,
) -> Found:
    """Build the claim record for one count."""
    lex = lexicon()
    span = doc[num.start : max(np_end, num.end)]
    subject_tokens = doc[num.end : np_end] if head >= num.end else None
    subject = subject_tokens.text.strip() if subject_tokens is not None and len(subject_tokens) else None
    if subject and subject.lower().startswith(("of the ", "of them")):
        subject = subject[3:].strip()
    group = "all"
    if head >= num.end:
        low = doc[head].lower_
        # "three regime forces members": a modifier names the group when the head does not
        modifiers = [lex.subject_groups.get(t.lower_) for t in doc[num.end : head]]
        group = lex.subject_groups.get(low) or next((g for g in modifiers if g and g != "all"), f"other:{low.rstrip('s')}")
    old = _has_phrase_before(doc, num.start, sent.start, lex.supersede_old, reach=1)
    update = not old and any(" ".join(p) in sent.text.lower() for p in lex.supersede)
    claim = Claim(
        kind=kind,
        count=num.value if num.qualifier != "vague" else None,
        count_high=num.high,
        as_written=span.text,
        qualifier=num.qualifier,
        field=field_name,
        start=span.start_char,
        end=span.end_char,
        sentence=sent.text.strip(),
        subject=subject,
        claimant=context.claimant_for(doc[num.start], sent),
        article=article,
        sentence_start=sent.start_char,
        group=group,
        update=update,
        coded=num.vague_code,
        aggregate=_over_many(doc[head], sent, lex),
    )
    return Found(claim, is_part=is_part, old=old, head=head)


def _over_many(head: Token, sent: Span, lex: Lexicon) -> bool:
    """Whether the clause of a counted noun spans many incidents ('More than 300 people have been killed since
    the fighting began', '40 soldiers killed in the region so far this year'); 'the deadliest attack since 2020'
    qualifies the attack, not the count."""
    clause = head
    while clause.pos_ not in ("VERB", "AUX") and clause.head.i != clause.i:
        clause = clause.head
    mine = {head.i, clause.i}
    if any(c.dep_ == "nsubj" and c.lower_ in lex.total_subjects for c in clause.children):
        return True  # 'The war has left tens of thousands of people dead
    words = [t.lower_ for t in sent]
    for k in range(len(words)):
        for phrase in lex.spans + lex.windows:
            n = len(phrase)
            if tuple(words[k : k + n]) != phrase:
                continue
            if phrase in lex.windows and not lex.units_of_time & set(words[k + n : k + n + 3]):
                continue
            cue = sent[k : k + n]
            root = cue.root
            anchor = root.head.head if root.dep_ == "mark" else root.head
            if anchor.i in mine or root.i in mine:
                return True
    return False


# --- claimants ---------------------------------------------------------------------------------


class ClaimantContext:
    """Who said so: reporting verbs, 'according to', and references to earlier speakers."""

    def __init__(self, named_sources: Sequence[str] = (), country_of=None) -> None:
        self.named_sources = list(named_sources)  # organisations named anywhere in the article
        self.last_speaker: str | None = None
        self.country_of = country_of  # demonym/country resolver from actors

    def observe(self, sent: Span) -> None:
        """Remember the sentence's speaker (or named subject) for later pronouns ('it said', 'he added')."""
        named = None
        for tok in sent:
            speaker = self._subject_of(tok)
            if speaker and speaker.lower() not in lexicon().pronoun_subjects:
                self.last_speaker = speaker
                return
            if named is None and tok.dep_ == "nsubj" and tok.ent_type_ in ("ORG", "PERSON"):
                ent = next((e for e in sent.ents if e.start <= tok.i < e.end), None)
                named = clean_name(ent.text) if ent is not None else None
        if named:
            self.last_speaker = named

    def _subject_of(self, verb: Token) -> str | None:
        """The subject of a reporting verb, as written (with its appositive); for 'X issued a statement
        reporting that …', X."""
        lex = lexicon()
        if verb.lower_ not in lex.reporting_verbs or verb.pos_ not in ("VERB", "AUX"):
            return None
        if verb.dep_ == "acl" and verb.head.lower_ in lex.documents and verb.head.head.pos_ in ("VERB", "AUX"):
            verb = verb.head.head
        for child in verb.children:
            if child.dep_ in ("nsubj", "nsubjpass") and self._can_speak(child):
                toks = [t for t in child.subtree if not (t.dep_ == "relcl" or t.i > child.i and t.text == "that")]
                text = child.doc[toks[0].i : toks[-1].i + 1].text
                return clean_name(text)
        return None

    def _comma_speaker(self, sent: Span) -> str | None:
        """The speaker of '…, the Syrian Observatory said' when the parser gave the verb no subject."""
        reporting = lexicon().reporting_verbs
        for verb in sent:
            if verb.lower_ not in reporting or verb.pos_ != "VERB" or verb.i == sent.start:
                continue
            start = verb.i
            while start > sent.start and sent.doc[start - 1].text not in (",", ";", "—", "–") and verb.i - start < 10:
                start -= 1
            words = sent.doc[start : verb.i]
            if start > sent.start and len(words) and self._can_speak(words.root):
                return clean_name(words.text)
        return None

    @staticmethod
    def _can_speak(head: Token) -> bool:
        """Whether a subject can make a claim: a person, an organisation, officials — not 'the blast'."""
        return head.ent_type_ in ("PERSON", "ORG", "NORP", "GPE") or head.pos_ in ("PROPN", "PRON") or (
            head.lower_ in lexicon().speakers
        )

    def claimant_for(self, token: Token, sent: Span) -> str | None:
        """The claimant of the figure at `token`: the reporting clause above it, else the sentence's."""
        lex = lexicon()
        speaker = None
        node = token
        for _ in range(12):
            speaker = self._subject_of(node)
            if speaker or node.head.i == node.i:
                break
            node = node.head
        if not speaker:
            for tok in sent:
                speaker = self._subject_of(tok)
                if speaker:
                    break
        speaker = speaker or self._comma_speaker(sent)
        via = _phrase_object(sent, lex.according_to)
        issuer = _phrase_object(sent, lex.by_phrases, self._can_speak)
        speaker = self._resolve(speaker) if speaker else None
        if issuer:
            issuer = self._resolve(issuer) or issuer
            if speaker and self.country_of and not self.country_of(issuer) and self.country_of(speaker) == speaker:
                issuer = f"{speaker}'s {issuer}"  # "Syria said … the defense ministry" -> "Syria's defense ministry"
            speaker = issuer
        if via:
            via = self._resolve(via) or via
            if speaker and via.lower() in lex.agencies | {a.title() for a in lex.agencies}:
                return f"{speaker} (via {via})"
            if via.lower() in lex.agencies and not speaker:
                return via
            return speaker or via
        return self._named_next(speaker, sent) if speaker else None

    def _named_next(self, speaker: str, sent: Span) -> str:
        """A bare role ('the spokesman said') named by the next sentence's speaker of that role ('Police spokesman
        Abdifatah Aden told reporters ...'); otherwise the role as written."""
        role = speaker.lower()
        if " " in role or role not in lexicon().speakers or sent.end >= len(sent.doc):
            return speaker
        following = sent.doc[sent.end].sent
        named = next((x for t in following if (x := self._subject_of(t))), None)
        person = any(e.label_ == "PERSON" for e in following.ents)
        return named if named and person and role in named.lower().split() else speaker

    def _resolve(self, name: str) -> str | None:
        """Resolve 'it'/'he' to the last speaker and 'a monitor' to the monitor the article names."""
        lex = lexicon()
        low = name.lower()
        if low in lexicon().pronoun_subjects or low in ("the group", "the statement"):
            return self.last_speaker  # None when nobody was named before: the speaker is unknown
        words = low.split()
        if len(words) <= 2 and words[-1] in lex.generic and (len(words) == 1 or words[0] in ("a", "the", "an")):
            cues = lex.generic[words[-1]]
            for source in self.named_sources:
                if any(c in source.lower() for c in cues):
                    return source
        return name


OPEN_QUOTES = ("“", '"', "‘")
CLOSE_QUOTES = ("”", '"', "’")


def attribute_quotes(sentences: Sequence[tuple[Span, Sequence[Found]]], context: ClaimantContext) -> None:
    """Give unattributed figures inside a quotation the speaker named where the quote closes.

    “… over 100 soldiers were killed. We destroyed three vehicles,” the spokesman said.
    The figure's sentence names nobody; the sentence that closes the quote does.
    """
    for i, (sent, found) in enumerate(sentences):
        opening = sent.text.lstrip()
        # a quote mark followed by a line break closes the paragraph before; it opens no quotation
        if not any(f.claim.claimant is None for f in found) or not opening.startswith(OPEN_QUOTES) \
                or not opening[1:2].strip():
            continue
        for later, _ in sentences[i : i + 4]:
            if later.doc is not sent.doc:
                break
            speaker = next((context._subject_of(t) for t in later if context._subject_of(t)), None)
            if any(q in later.text for q in CLOSE_QUOTES[:1]) or speaker:
                for f in found:
                    if f.claim.claimant is None and speaker:
                        f.claim.claimant = context._resolve(speaker) or speaker
                break


def _fold(name: str) -> str:
    """A name folded for matching: lower case, no dots, no leading article ('The U.N.' -> 'un')."""
    return re.sub(r"^(the|a|an)\s+", "", " ".join(name.casefold().replace(".", "").split()))


def canonical_claimant(claimant: str | None) -> str | None:
    """One name for a claimant however written ('U.N. officials', 'the United Nations' -> 'United Nations');
    a claimant the lexicon does not list keeps its words, without a leading article."""
    if not claimant:
        return None
    folded = _fold(claimant)
    for alias, name in lexicon().canonical:
        if folded == alias or folded.startswith(alias + " ") or folded.startswith(alias + "'s "):
            return name
    cleaned = clean_name(claimant)
    return cleaned[:1].upper() + cleaned[1:] if cleaned else None


def clean_name(text: str) -> str:
    """A claimant's name: no leading article or 'Britain-based', no trailing ', which relies on …' clause."""
    text = re.sub(r",\s+(which|who|whose|that)\s.*$", "", text.strip(), flags=re.I | re.S)
    text = re.sub(r"^(the|a|an)\s+", "", text, flags=re.I)
    text = re.sub(r"^[\w.]+-based\s+(?=[A-Z])", "", text)
    return text.strip(" ,.;:\"'“”‘’")


def _phrase_object(sent: Span, phrases: list[tuple[str, ...]],
                   speaker: Callable[[Token], bool] | None = None) -> str | None:
    """The noun phrase after 'according to' (or another cue) in the sentence; with `speaker`, only one that can speak.

    ("the toll from the ministry" names a source; "the toll from Thursday's air strike" does not.)
    """
    words = [t.lower_ for t in sent]
    for phrase in phrases:
        n = len(phrase)
        for k in range(len(words) - n + 1):
            if tuple(words[k : k + n]) == phrase:
                start = sent.start + k + n
                end = start
                while end < sent.end and sent.doc[end].text not in (",", ".", ";", "—", "--", ":", "(") and (
                    sent.doc[end].pos_ not in ("VERB", "AUX") or sent.doc[end].dep_ == "amod"
                ) and end - start < 10:
                    end += 1
                if end > start and (speaker is None or speaker(sent.doc[start:end].root)):
                    return clean_name(sent.doc[start:end].text)
    return None


def headline_claimant(headline: str) -> str | None:
    """The speaker of a headline written 'Afghan Officials: NATO Air Strike Kills 11'."""
    m = re.match(r"^([^:]{3,40}):\s", headline)
    if not m:
        return None
    head = m.group(1).strip()
    lex = lexicon()
    last = head.split()[-1].lower()
    if last in lex.people or last in lex.generic or last in ("police", "army", "un", "ministry", "military"):
        return head
    return None


def inherit_claimants(sentences: Sequence[tuple[Span, Sequence[Found]]]) -> None:
    """An unattributed figure in the same paragraph as an attributed one, in the same incident, has its source.

    "A bombing has killed 51 people, according to local police. The car bomb exploded near a
    bus stop. 75 people were also wounded." — the 75 is the police's figure too. A figure in
    another paragraph stays unattributed rather than guessed.
    """
    last: tuple[str, Span] | None = None
    for sent, found in sentences:
        # spaCy keeps a paragraph break as a whitespace token at the end of the sentence before it
        same_paragraph = (
            last is not None and last[1].doc is sent.doc and last[1].end <= sent.start
            and "\n\n" not in sent.doc.text[last[1].start_char + len(last[1].text.rstrip()) : sent.start_char]
        )
        for f in found:
            if f.claim.claimant is None and same_paragraph and last is not None:
                f.claim.claimant = last[0]
        attributed = [f.claim.claimant for f in found if f.claim.claimant]
        if attributed:
            last = (attributed[-1], sent)


def event_claims(sentences: Sequence[tuple[Span, Sequence[Found]]], stated: Claim | None = None) -> list[Claim]:
    """An event's claims: claimants carried through paragraphs, breakdowns linked, superseded figures marked,
    each claimant's one name.

    A note's stated toll joins them; "There were no fatalities" only where it overrides a figure read.
    """
    inherit_claimants(sentences)
    claims = link_claims([f for _, found in sentences for f in found])
    for c in claims:
        c.canonical = canonical_claimant(c.claimant)
    if stated is not None and (stated.count or any(c.kind == "killed" for c in claims)):
        claims.append(stated)
    return claims


# --- linking --------------------------------------------------------------------------------


def link_claims(found: list[Found]) -> list[Claim]:
    """Order an event's claims, link breakdowns to their totals, mark superseded figures."""
    claims = [f.claim for f in found]
    for i, f in enumerate(found):
        if not f.is_part or f.claim.count is None:
            continue
        total = _find_total(found, i)
        if total is not None:
            f.claim.part_of = total
        else:
            f.is_part = False
    for f in found:
        if f.old:  # "raising its earlier toll of eight": the other figure of the sentence replaces it
            f.claim.superseded = any(same_people(f.claim, g.claim) and not g.old
                                     and g.claim.sentence_start == f.claim.sentence_start for g in found if g is not f)
    supersede_updates(claims)
    return claims


def stated_claim(doc: Doc, start: int, end: int, count: int, article: int) -> Claim:
    """The toll an ACLED note states outright ("Fatalities coded as 3") as a claim: it decides the toll."""
    span = doc.char_span(start, end, alignment_mode="expand")
    assert span is not None  # "expand" always finds the tokens of a span inside the text
    sent = span.sent
    return Claim(kind="killed", count=count, as_written=doc.text[start:end], qualifier="exact", field="text",
                 start=start, end=end, sentence=sent.text.strip(), article=article, sentence_start=sent.start_char,
                 coded=count, stated=True)


def same_people(a: Claim, b: Claim) -> bool:
    """Whether two figures count the same people (same kind and group, neither a breakdown)."""
    return a.kind == b.kind and a.group == b.group and a.part_of is None and b.part_of is None


def supersede_updates(claims: Sequence[Claim]) -> list[tuple[Claim, Claim]]:
    """Mark the figures a newer one replaces; return (older, newer) pairs.

    A figure given as an update ("the toll rose to 12") supersedes every other figure of the
    same people from the same claimant or from nobody in particular (the article's own voice).
    The rule looks at pairs only, never at their order, so it gives the same marks over one
    report's claims as over the claims of several reports of the incident.
    """
    pairs = []
    for new in claims:
        if not new.update:
            continue
        for old in claims:
            if (old is not new and not old.update and same_people(old, new) and old.count != new.count
                    and _speaker(old.claimant) in ("", _speaker(new.claimant))):
                old.superseded = True
                pairs.append((old, new))
    return pairs


def _speaker(claimant: str | None) -> str:
    """A claimant folded for comparison ('' for none): its one name, so 'U.N. officials' is 'the United Nations'."""
    return " ".join((canonical_claimant(claimant) or "").casefold().split())


def _find_total(found: list[Found], i: int) -> int | None:
    """The claim that the breakdown at i is part of: same kind, larger count, nearest first."""
    part = found[i]
    def fits(j: int) -> bool:
        g = found[j]
        return (j != i and not g.is_part and g.claim.kind == part.claim.kind and g.claim.count is not None
                and g.claim.count >= (part.claim.count or 0))
    same_sentence = [j for j in range(len(found)) if fits(j) and found[j].claim.field == part.claim.field
                     and found[j].claim.sentence_start == part.claim.sentence_start]
    if same_sentence:
        return min(same_sentence, key=lambda j: abs(j - i))
    earlier = [j for j in range(i) if fits(j)]
    if not earlier:
        return None
    same_claimant = [j for j in earlier if found[j].claim.claimant == part.claim.claimant]
    return (same_claimant or earlier)[-1]
