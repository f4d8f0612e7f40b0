"""Stage 5, the reading: event triggers in a sentence (data/events_triggers.toml), and what the earlier stages
read from each sentence (`SentenceFacts`).

A trigger is skipped where the text does not report the act: negated or hypothetical ('no clashes were
reported', 'an attack would be answered'), recalled or judged ('a court jailed two men for the attack'), dated
in the past ('the 2016 bombings'), or a gesture ('burned a flag').
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from spacy.tokens import Span, Token

from sitrep.actors import ActorMention
from sitrep.claims import Found
from sitrep.model import Field, Location

VIOLENT = ("Battles", "Explosions/Remote violence", "Violence against civilians")
GENERIC = ("violence", "harm")  # trigger families typed by who was hit, or not at all
SPECIFIC_RANK = 50  # triggers from here up name a weapon, a fight, a protest or a riot; below, generic words
CROWD_ROLES = ("civilian", "protest")  # actor roles of an unorganised crowd
TERRITORY = ("Non-state actor overtakes territory", "Government regains territory")


@dataclass(frozen=True)
class Trigger:
    """One entry of the trigger lexicon."""

    words: tuple[str, ...]
    event_type: str  # an ACLED type, "violence" (typed by the target) or "" (untyped)
    sub_event_type: str
    rank: int
    label: str = ""
    requires: str = ""
    unless_before: frozenset[str] = frozenset()
    unless_after: frozenset[str] = frozenset()
    next_pos: frozenset[str] = frozenset()  # the next word must have one of these tags ("captured Kidal")
    needs_crowd: bool = False  # an act of a riot: a riot only when done by a crowd or at a demonstration
    needs_marks: bool = False  # remains found: an attack only with marks of violence in the sentence
    as_object: bool = False  # a thing: a trigger only when put to use, not as a cause or remains (see `_used`)
    lower_only: bool = False  # 'march', never the month 'March'
    aftermath: bool = False  # a development that tells of earlier violence: its dead make it no attack
    otherwise: str = ""  # what such an act is when no crowd does it (a strategic development), or nothing


@dataclass(frozen=True)
class Hit:
    """A trigger found in a sentence, at doc token index `token`."""

    trigger: Trigger
    token: int
    text: str


@dataclass(frozen=True)
class Lexicon:
    """Triggers by first word, and the cue phrases for separate and background reports."""

    by_first: dict[str, list[Trigger]]
    separate: tuple[tuple[str, ...], ...]
    earlier: tuple[tuple[str, ...], ...]
    not_referents: frozenset[str]
    marks: tuple[str, ...]  # word beginnings that show remains were killed ('bullet', 'dismembered', 'bound')
    background: tuple[tuple[str, ...], ...]
    hazards: tuple[tuple[str, ...], ...]
    off_duty: frozenset[str]
    crowd: tuple[tuple[str, ...], ...]
    armed_targets: tuple[tuple[str, ...], ...]
    property: frozenset[str]  # things (singular) whose attack with no one hurt is property destruction
    airborne: frozenset[str]  # what fire aimed at intercepts
    weapons: frozenset[str]  # what, seized or found, is disrupted weapons use
    seize_verbs: frozenset[str]
    measures: frozenset[str]  # 'head' in '40 head of cattle'
    unreal: tuple[tuple[str, ...], ...]
    symbolic: tuple[tuple[str, ...], ...]
    nonviolent_transfer: tuple[tuple[str, ...], ...]
    frames: frozenset[str]
    crime: tuple[tuple[str, ...], ...]
    organised_crime: tuple[tuple[str, ...], ...]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Load the trigger lexicon once."""
    raw = tomllib.loads(resources.files("sitrep.data").joinpath("events_triggers.toml").read_text("utf-8"))
    by_first: dict[str, list[Trigger]] = {}
    for entry in raw["trigger"]:
        for phrase in entry["words"]:
            words = tuple(phrase.replace("-", " - ").split())
            trig = Trigger(
                words=words,
                event_type=entry["event_type"],
                sub_event_type=entry["sub_event_type"],
                rank=entry["rank"],
                label=entry.get("label", ""),
                requires=entry.get("requires", ""),
                unless_before=frozenset(entry.get("unless_before", [])),
                unless_after=frozenset(entry.get("unless_after", [])),
                next_pos=frozenset(entry.get("next_pos", [])),
                needs_crowd=entry.get("needs_crowd", False),
                needs_marks=entry.get("needs_marks", False),
                as_object=entry.get("as_object", False),
                lower_only=entry.get("lower_only", False),
                aftermath=entry.get("aftermath", False),
                otherwise=entry.get("otherwise", ""),
            )
            by_first.setdefault(words[0], []).append(trig)
    for trigs in by_first.values():
        trigs.sort(key=lambda t: len(t.words), reverse=True)
    return Lexicon(
        by_first=by_first,
        separate=tuple(tuple(c.split()) for c in raw["separate"]["cues"]),
        earlier=tuple(tuple(c.split()) for c in raw["separate"]["earlier"]),
        not_referents=frozenset(raw["separate"]["not_referents"]),
        marks=tuple(raw["remains"]["marks"]),
        background=tuple(tuple(c.split()) for c in raw["separate"]["background"]),
        hazards=tuple(tuple(c.split()) for c in raw["hazards"]["cues"]),
        off_duty=frozenset(raw["off_duty"]["cues"]),
        crowd=tuple(tuple(c.split()) for c in raw["crowd"]["cues"]),
        armed_targets=tuple(tuple(c.split()) for c in raw["armed_targets"]["cues"]),
        property=frozenset(raw["objects"]["property"]),
        airborne=frozenset(raw["objects"]["airborne"]),
        weapons=frozenset(raw["objects"]["weapons"]),
        seize_verbs=frozenset(raw["objects"]["seize_verbs"]),
        measures=frozenset(raw["objects"]["measures"]),
        unreal=tuple(tuple(c.split()) for c in raw["unreal"]["cues"]),
        symbolic=tuple(tuple(c.split()) for c in raw["symbolic"]["cues"]),
        nonviolent_transfer=tuple(tuple(c.split()) for c in raw["nonviolent_transfer"]["cues"]),
        frames=frozenset(raw["frames"]["words"]),
        crime=tuple(tuple(c.split()) for c in raw["crime"]["cues"]),
        organised_crime=tuple(tuple(c.split()) for c in raw["crime"]["organised"]),
    )


def find_triggers(sent: Span) -> list[Hit]:
    """Event triggers in a sentence, longest phrase first at each position, non-overlapping."""
    lex = lexicon()
    words = [t.lower_ for t in sent]
    hits: list[Hit] = []
    k = 0
    while k < len(words):
        matched = 0
        for trig in lex.by_first.get(words[k], ()):
            n = len(trig.words)
            if tuple(words[k : k + n]) != trig.words:
                continue
            before = words[k - 1] if k else ""
            after = " ".join(words[k + n : k + n + 2])
            if before in trig.unless_before or any(after.startswith(u) for u in trig.unless_after):
                continue
            if trig.event_type and (ends_with(words[max(0, k - 3) : k], lex.unreal) or _dated_past(words, k)):
                continue  # 'no clashes were reported', 'in anticipation of attacks', 'the 2016 bombings'
            if trig.event_type == "Protests" and _named(sent.doc[sent.start + k]):
                continue  # 'the headquarters of the National Rally party': a name, not a rally
            if trig.lower_only and not sent.doc[sent.start + k].is_lower:
                continue
            if trig.as_object and not _used(sent.doc[sent.start + k + n - 1]):
                continue  # 'some streets stayed blocked because of leftover barricades': no one is using them now
            if trig.needs_marks and not any(w.startswith(lex.marks) for w in words):
                continue  # 'the body of a fisherman was found on the beach': no sign that anyone killed him
            if trig.needs_crowd and has_phrase(words[k + n : k + n + 5], lex.symbolic):
                continue  # 'burned a flag', 'set fire to an effigy': a gesture of protest, not violence
            nxt = sent.start + k + n
            if trig.next_pos and (nxt >= sent.end or sent.doc[nxt].pos_ not in trig.next_pos):
                continue
            if trig.event_type and _modal_subject(sent.doc[sent.start + k]):
                continue  # 'an attack on the country would be answered': a hypothetical act
            if trig.event_type and _since(sent.doc[sent.start + k]):
                continue  # 'killed since the fighting began': the span of a total, not an act
            if trig.event_type and _framed(sent.doc[sent.start + k], lex.frames):
                continue  # 'a court jailed two men for the 2016 attack': the act is recalled, not reported
            if trig.sub_event_type in TERRITORY and sent.doc[sent.start + k].dep_ in ("relcl", "acl"):
                continue  # 'migrants who entered Turkey', 'rebels who took the town in 2019': who, not what happened
            hits.append(Hit(trig, sent.start + k, sent.doc[sent.start + k : sent.start + k + n].text))
            matched = n
            break
        k += matched or 1
    taken = {h.token for h in hits}
    return (hits + _fired_at(sent, taken) + _gathered_to(sent, taken) + _found_remains(sent, hits)
            + _seized_weapons(sent, hits))


FIRE_VERBS = frozenset({"fired", "fires", "firing", "fire"})
FIRE_TARGETS = frozenset({"at", "on", "upon", "towards", "toward", "into"})
# what small arms fire at someone ('fired 200 workers on Monday' fires nothing; shells and rockets fired are
# remote violence, which their own triggers name)
PROJECTILES = frozenset({"fire", "shot", "shots", "bullet", "bullets", "round", "rounds", "gun", "guns", "gunfire", "gas",
                         "canisters", "ammunition", "arrows", "volleys"})


def _fired_at(sent: Span, taken: set[int]) -> list[Hit]:
    """'fired' with its target further on ('police fired without warning at a car', 'fired live bullets and tear
    gas at fishing boats'): the 'fired at' trigger, which the phrase lexicon finds only when the words touch."""
    trig = next((t for t in lexicon().by_first.get("fired", ()) if t.words == ("fired", "at")), None)
    if trig is None:
        return []
    return [Hit(trig, tok.i, tok.text) for tok in sent
            if tok.lower_ in FIRE_VERBS and tok.pos_ == "VERB" and tok.i not in taken and _aimed(tok)
            and not ends_with([t.lower_ for t in sent.doc[max(sent.start, tok.i - 3) : tok.i]], lexicon().unreal)]


GATHER_VERBS = frozenset({"gathered", "assembled", "converged", "massed", "congregated"})
# what a crowd gathers to do when it gathers to protest ('gathered in Minsk to oppose the law')
GRIEVANCES = frozenset({"oppose", "denounce", "condemn", "protest", "reject", "demand", "decry", "voice", "express",
                        "show", "call", "press", "urge", "support"})


def _gathered_to(sent: Span, taken: set[int]) -> list[Hit]:
    """People gathered to voice a grievance, with words between ('gathered in Minsk on Monday to oppose the law'):
    the 'gathered to' trigger, which the phrase lexicon finds only when the words touch."""
    trig = next((t for t in lexicon().by_first.get("gathered", ()) if t.words == ("gathered", "to")), None)
    if trig is None:
        return []
    return [Hit(trig, tok.i, tok.text) for tok in sent
            if tok.lower_ in GATHER_VERBS and tok.pos_ == "VERB" and tok.i not in taken
            and any(c.dep_ in ("advcl", "xcomp") and c.lower_ in GRIEVANCES for c in tok.children)][:1]


REMAINS = frozenset({"body", "bodies", "remains", "corpse", "corpses"})
FOUND = frozenset({"found", "discovered", "recovered", "retrieved"})


def _found_remains(sent: Span, hits: Sequence[Hit]) -> list[Hit]:
    """Remains found with marks of violence, with words between ('The body of a man was found with a bullet in his
    head'): the remains trigger, which the phrase lexicon finds only when the words touch."""
    if any(h.trigger.needs_marks or h.trigger.words[0] == "mass" for h in hits):
        return []  # a mass grave found is its own development (ACLED: Other), not a killing reported
    trig = next((t for t in lexicon().by_first.get("found", ()) if t.needs_marks), None)
    words = [t.lower_ for t in sent]
    if trig is None or not any(w.startswith(lexicon().marks) for w in words):
        return []
    return [Hit(trig, tok.i, tok.text) for tok in sent if tok.lower_ in FOUND and tok.pos_ == "VERB"
            and any(c.dep_ in ("nsubjpass", "dobj") and c.lower_ in REMAINS for c in tok.children)][:1]


AIMED_AT = ("at", "on", "upon", "against", "toward", "towards")


def object_of(tok: Token) -> Token | None:
    """The head noun of what an act is done to: the object of the verb (or of the verb its doer is subject of, or
    of a verb joined to it), a passive's subject, or what it is aimed at ('fired shots at the car'); through an
    amount ('40 head of cattle', 'a cache of rifles'). None when the first such word is no noun, or there is none."""
    if tok.dep_ == "nsubj":
        tok = tok.head  # 'gunmen killed 40 head of cattle': what the doers did
    verbs = [tok, *(c for c in tok.children if c.dep_ == "conj" and c.pos_ == "VERB")]
    objects = [c for v in verbs for c in v.children if c.dep_ in ("dobj", "nsubjpass") and c.lower_ not in PROJECTILES]
    objects += [c for c in tok.children if c.dep_ == "prep" and c.lower_ in AIMED_AT and c.i > tok.i]
    for obj in objects:
        if obj.dep_ == "prep":
            obj = next((c for c in obj.children if c.dep_ == "pobj"), obj)
        if obj.lower_ in lexicon().measures:
            obj = next((g for c in obj.children if c.dep_ == "prep" and c.lower_ == "of"
                        for g in c.children if g.dep_ == "pobj"), obj)
        if obj.pos_ not in ("NOUN", "PROPN"):
            return None
        if has_phrase([t.lower_ for t in obj.doc[obj.left_edge.i : obj.i + 1]], lexicon().armed_targets):
            return None  # 'a military vehicle' is what forces hold, not property
        return obj
    return None


def noun_of(tok: Token) -> str:
    """A noun in the singular, lower case, by its ending (the pipeline has no lemmatizer): 'factories' -> 'factory'."""
    word = tok.lower_
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "premises")):
        return word[:-1]
    return word


def _used(tok: Token) -> bool:
    """Whether a noun names a thing put to use ('erected barricades', 'blocked the road with barricades'), not the
    cause or remains of something ('blocked because of leftover barricades')."""
    return not (tok.dep_ == "pobj" and tok.head.lower_ in ("of", "because", "from", "after"))


def _named(tok: Token) -> bool:
    """Whether a word is part of an organisation's name ('National Rally', 'Rally for Culture and Democracy'), as
    protest words often are."""
    return tok.ent_type_ == "ORG" and tok.is_title and tok.i > tok.sent.start


def _seized_weapons(sent: Span, hits: Sequence[Hit]) -> list[Hit]:
    """Weapons seized, found or made safe, whatever words name them ('seized a number of weapons belonging to the
    PKK', 'over 200 artillery shells were found', 'located an IED ... and destroyed it'): the cache trigger, at
    the verb. It outranks the weapon word, which names what was taken, not an attack."""
    lex = lexicon()
    trig = next((t for t in lex.by_first.get("weapons", ()) if t.words == ("weapons", "cache")), None)
    if trig is None or any(h.trigger.sub_event_type == trig.sub_event_type for h in hits):
        return []
    for tok in sent:
        if tok.lower_ in lex.seize_verbs and tok.pos_ == "VERB" and tok.dep_ not in ("amod", "acl", "relcl"):
            obj = object_of(tok)
            if obj is None or any(c.dep_ == "neg" for c in tok.children) or any(c.lower_ == "no" for c in obj.children):
                continue  # 'no bomb was found'
            if obj.tag_ == "NN" and any(c.dep_ in ("det", "poss") and c.lower_ != "a" for c in obj.children):
                continue  # 'the weapon was seized', 'his gun was recovered': the weapon of a deed told, not a cache
            if (noun_of(obj) in lex.weapons or any(
                    c.dep_ == "compound" and noun_of(c) in lex.weapons for c in obj.children)):
                return [Hit(trig, tok.i, tok.text)]
    return []


def _governed(tok: Token, verb: Token) -> bool:
    """Whether a word belongs to the verb's own clause ('fired without warning at'), not to a clause below it."""
    while tok.i != verb.i and tok.head.i != tok.i:  # spaCy makes a new Token object on each access: compare .i
        if tok.dep_ in ("acl", "relcl", "advcl", "ccomp", "conj"):
            return False
        tok = tok.head
    return tok.i == verb.i


def _aimed(verb: Token) -> bool:
    """Whether 'fire' is aimed at someone: a target after at/on/towards that is no date, and nothing fired but
    a weapon's ('fired shots at', 'fired without warning at'; not 'fired 200 workers on Monday')."""
    near = [t for t in verb.doc[verb.i + 1 : min(verb.sent.end, verb.i + 8)] if _governed(t, verb)]
    target = any(c.dep_ == "prep" and c.lower_ in FIRE_TARGETS
                 and not any(o.ent_type_ in ("DATE", "TIME") for o in c.children) for c in near)
    fired = [c for c in verb.children if c.dep_ == "dobj"]
    return target and all(c.lower_ in PROJECTILES for c in fired)


_YEAR = re.compile(r"(1[89]|20)\d\d")
# "On 31 January 2022,", "Around 9 May 2022 (as reported),", "On Monday,": a sentence that dates its own report
_DATED_OPENING = re.compile(
    r"^\W*(?:on|around|overnight on)\s+(?:\d{1,2}\s+[A-Za-z]+\s+(?:19|20)\d\d|(?:monday|tuesday|wednesday|thursday"
    r"|friday|saturday|sunday)\b)", re.IGNORECASE)
_MONTHS = frozenset("january february march april may june july august september october november december".split())


def _dated_past(words: Sequence[str], k: int) -> bool:
    """Whether the trigger at k names a past event by its year: 'the 2016 bombings', 'the 1999 rebel invasion',
    'the September 2023 raid' recall an earlier event; a report dates its own with 'On 3 May 2022,'."""
    for j in (k - 1, k - 2):
        if j < 1 or not _YEAR.fullmatch(words[j]) or not all(w.isalpha() for w in words[j + 1 : k]):
            continue
        if words[j - 1] in ("the", "'s") or words[j - 1] in _MONTHS and j > 1 and words[j - 2] == "the":
            return True
    return False


MODALS = frozenset({"would", "could", "might", "may", "will", "shall", "should", "must"})
# what is planned or threatened is not yet done ('Protesters plan to return to the streets')
PLANS = frozenset({"plan", "plans", "planned", "planning", "vow", "vows", "vowed", "threaten", "threatens",
                   "threatened", "intend", "intends", "intended", "pledge", "pledged", "pledges"})


def _modal_subject(tok: Token) -> bool:
    """Whether an event noun is the subject or object of a clause in a modal ('an attack ... would be answered',
    'she must stop supporting the massacre', 'rebels could launch an attack'): a hypothetical act."""
    if tok.dep_ in ("nsubj", "nsubjpass"):
        return tok.head.lower_ in PLANS or any(c.dep_ == "aux" and c.lower_ in MODALS for c in tok.head.children)
    head, steps = tok, 0
    while tok.pos_ == "NOUN" and head.dep_ in ("dobj", "pobj", "prep", "conj", "xcomp") and steps < 5:
        head, steps = head.head, steps + 1
        if head.pos_ in ("VERB", "AUX") and any(c.dep_ == "aux" and c.lower_ in MODALS for c in head.children):
            return True
        if head.pos_ == "NOUN" and head.lower_ in PLANS:  # 'plans for another week of demonstrations'
            return True
    return False


def _since(tok: Token) -> bool:
    """Whether a word opens the span of a total: 'since the fighting began', 'since the start of the war'."""
    for t in (tok, tok.head, tok.head.head):
        if t.lower_ == "since" and t.i < tok.i or any(c.lower_ == "since" and c.dep_ == "mark" for c in t.children):
            return True
        if t.head.i == t.i:
            break
    return False


def _framed(tok: Token, frames: frozenset[str]) -> bool:
    """Whether a trigger hangs below a word that recalls, judges or urges an act rather than reporting it
    ('mourners buried men killed in a raid', 'a court jailed two men for the attack', 'urged groups to stop
    attacking'): the trigger's head words before it, up to the sentence's root, are searched ('X beat a driver,
    who denied the accusation' keeps its beating)."""
    head, seen = tok, 0
    while head.head.i != head.i and seen < 8:
        head = head.head
        seen += 1
        if head.i < tok.i and head.lower_ in frames:
            return True
    return False


def ends_with(words: Sequence[str], phrases: Sequence[tuple[str, ...]]) -> bool:
    """Whether the words end with one of the phrases."""
    return any(len(p) <= len(words) and tuple(words[len(words) - len(p) :]) == p for p in phrases)


def has_phrase(words: Sequence[str], phrases: Sequence[tuple[str, ...]]) -> bool:
    """Whether any phrase occurs in the word list."""
    joined = " " + " ".join(words) + " "
    return any(" " + " ".join(p) + " " in joined for p in phrases)


@dataclass
class SentenceFacts:
    """What the earlier stages read from one sentence."""

    field: Field
    sent: Span
    hits: list[Hit]
    claims: list[Found]
    places: list[Location]
    actors: list[ActorMention]

    @property
    def typed(self) -> list[Hit]:
        """Triggers of political violence, demonstrations and strategic developments."""
        return [h for h in self.hits if h.trigger.event_type and not h.trigger.requires]

    @property
    def untyped_label(self) -> str:
        """The label of an untyped event (talks, demand) this sentence reports, or ''."""
        return next((h.trigger.label for h in self.hits if h.trigger.label), "")

    def cue(self, phrases: Sequence[tuple[str, ...]]) -> bool:
        """Whether the sentence carries one of the cue phrases."""
        return has_phrase([t.lower_ for t in self.sent], phrases)

    def background(self) -> bool:
        """Whether the sentence recalls the past ('attacks since the 2003 invasion') rather than reports. A
        sentence that opens with its own date ('On 31 January 2022, a group gathered …, arrested for the third
        time since November 2021') reports, whatever it recalls after."""
        if _DATED_OPENING.match(self.sent.text):
            return False
        words = [t.text.lower() for t in self.sent]
        since_year = any(w == "since" and any(x.isdigit() and len(x) == 4 for x in words[i + 1 : i + 4])
                         for i, w in enumerate(words))
        return since_year or self.cue(lexicon().background)
