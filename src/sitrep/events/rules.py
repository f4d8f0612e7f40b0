"""Stage 5, the typing: an event's ACLED type by the trigger lexicon's priority rules (with the learned model),
who acted on whom, and salience.

An event's type is its highest-ranked trigger (ACLED's priority rules); generic violence words are typed by
who was hit; the learned model types what the rules leave untyped and may overrule generic words.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from spacy.tokens import Span, Token

from sitrep.actors import ActorBook, ActorMention
from sitrep.events import learned
from sitrep.claims import Found
from sitrep.claims import lexicon as claims_lexicon
from sitrep.events.segment import ACTIVITY, DAMAGE, Draft
from sitrep.events.triggers import (
    CROWD_ROLES, GENERIC, SPECIFIC_RANK, TERRITORY, VIOLENT, Hit, SentenceFacts, has_phrase, lexicon, noun_of,
    object_of,
)  # fmt: skip
from sitrep.model import Actor, Location, TypeSource

TYPE_WEIGHT = {
    "Battles": 3, "Explosions/Remote violence": 3, "Violence against civilians": 3,
    "Riots": 2, "Protests": 2, "Strategic developments": 1,
}


# --- typing and actors -------------------------------------------------------------------------


@dataclass(frozen=True)
class Typed:
    """An event's ACLED type, sub-event type and actors, what decided the type and how sure, with the reasons."""

    event_type: str | None
    sub_event_type: str | None
    actor1: Actor | None
    actor2: Actor | None
    notes: list[str]
    source: TypeSource | None = None
    confidence: float | None = None


def type_event(draft: Draft, label: Label | None, book: ActorBook, country: str | None,
               location: Location | None, iso2: str | None, typing: learned.Typing = "both",
               note: bool = False) -> Typed:
    """Type and actors of a draft: the rules (triggers by ACLED's priority rules) with the learned model, who
    acted on whom, then the territory and detention rules. `country` and `iso2` are the article's; an event
    placed in another country takes that country's generic actors ("Unidentified Armed Group (X)"). `note`: the
    draft is an event note's main one (see `learned.decide`)."""
    if location is not None and location.country and location.iso2 != iso2:
        country = book.country_of(location.country) or location.country
    victims = victims_of(draft)
    event_type, sub_type, notes = classify(draft, victims, label.types if label else None)
    acled_country = (book.country_of(country) or country) if country else None
    generic = {cls: book.class_actor(cls, acled_country) if acled_country else None
               for cls in ("armed", "civilians", "protesters", "rioters")}

    chosen: dict[str | None, tuple[Actor | None, Actor | None]] = {}

    def actors(types: str | None) -> tuple[Actor | None, Actor | None]:
        if types not in chosen:
            chosen[types] = choose_actors(draft, types, victims, generic["armed"], generic["civilians"],
                                          generic["protesters"], generic["rioters"])
        return chosen[types]

    if label is not None:
        unsure = label.source == "model" and label.confidence is not None and label.confidence < learned.FILL
        decided = learned.Decision(event_type, sub_type, label.source, label.confidence,
                                   f"an event note, typed by the model however unsure ({label.confidence:.2f})"
                                   if unsure else "")
    else:
        core = core_sentences(draft)
        strongest = max((h.trigger.rank for s in core for h in s.typed), default=0)
        plain = (event_type is not None and strongest < SPECIFIC_RANK and not _force_acted(draft)
                 and not any(map(_organised, actors(event_type))))  # generic words, no organised actor acting
        crime = _crime_cue(draft) if plain and event_type != "Riots" else None
        hazard = event_type is None and bool(draft.family) and any(s.cue(lexicon().hazards) for s in draft.sentences)
        if hazard and typing != "model":
            decided = learned.Decision(None, None, None, None, "")  # the rules' reading, in `notes`, stands
        elif crime is not None and typing != "model":
            decided = learned.Decision(None, None, None, None, f"'{crime}' with only generic violence words and no "
                                       "organised actor: ordinary crime")
        else:
            reading = learned.model().predict(" ".join(s.sent.text.strip() for s in core))
            decided = learned.decide((event_type, sub_type), reading, typing, plain, note)
    if decided.note:
        notes = [*notes, decided.note]
    actor1, actor2 = actors(decided.event_type)
    event_type, sub_type = territory((decided.event_type, decided.sub_event_type), actor1, country, draft)
    event_type, sub_type = detention((event_type, sub_type), actor1)
    return Typed(event_type, sub_type, actor1, actor2, notes, decided.source if event_type else None,
                 decided.confidence if event_type else None)


def _crime_cue(draft: Draft) -> str | None:
    """A word of ordinary crime in the draft ('a robber', 'a quarrel'), unless it names organised crime."""
    lex = lexicon()
    if any(s.cue(lex.organised_crime) for s in draft.sentences):
        return None
    return next((" ".join(c) for s in draft.sentences for c in lex.crime if s.cue((c,))), None)


ACTING = ("armed", "state", "protest", "civilian")  # actor roles that can carry an event (not officials, countries)
ORGANISED = ("State forces", "Rebel group", "Political militia", "Identity militia", "External/Other forces")


def _organised(actor: Actor | None) -> bool:
    """Whether an actor is an organised armed or political actor known by name: not an unidentified group, a crowd,
    or the police (who are named in ordinary crime news as the ones who report and arrest)."""
    return (actor is not None and actor.type in ORGANISED
            and not actor.name.startswith(("Unidentified", "Police Forces")))


@dataclass(frozen=True)
class Label:
    """A type given to an article before its wording is read: an ACLED note's label, or the model's reading of
    an article in which the rules found no event."""

    types: tuple[str, str]
    source: TypeSource
    confidence: float | None = None


def article_label(text: str, acled_label: tuple[str, str] | None, drafts: Sequence[Draft],
                  facts: Sequence[SentenceFacts], typing: learned.Typing = "both", note: bool = False) -> Label | None:
    """The label of an article: its ACLED note label, else what the model reads in it when the rules drafted no
    typed event (or when the model alone types). Together with the rules, the model labels only an event
    `note` ('On 3 May 2022, …') or an article with some word of harm, force or protest, or people who can act
    in one (armed men, forces, crowds, civilians): text with none of these ("the central bank raised rates")
    is no event, whatever the model, which never saw such text, makes of it."""
    if acled_label is not None:
        return Label(acled_label, "rules")
    if typing == "rules" or any(d.family for d in drafts) and typing == "both":
        return None
    if typing == "both" and not note and not any(f.hits or any(m.role in ACTING for m in f.actors) for f in facts):
        return None
    if typing == "model" and drafts:
        return None  # the model types each draft
    decided = learned.decide((None, None), learned.model().predict(text), typing, note=note)
    if decided.event_type is None or decided.sub_event_type is None:
        return None
    return Label((decided.event_type, decided.sub_event_type), "model", decided.confidence)


def classify(draft: Draft, victims: str, label: tuple[str, str] | None = None) -> tuple[str | None, str | None, list[str]]:
    """ACLED event type and sub-event type of a draft, with the reason."""
    if label is not None:
        return label[0], label[1], [f"type from the article's label: {label[0]} / {label[1]}"]
    hits = draft.hits
    present = {h.trigger.event_type for h in hits if h.trigger.event_type and not h.trigger.requires}
    core = [h for s in core_sentences(draft) for h in s.hits if h.trigger.event_type]
    acts = [_as_done(draft, h) for h in core if not h.trigger.requires or h.trigger.requires in present]
    usable = [h for h in acts if h is not None]
    if not usable:
        return None, None, [f"untyped event ({draft.label})"] if draft.label else []
    best = max(usable, key=lambda h: h.trigger.rank)
    trig = best.trigger
    armed = any(m.role in ("armed", "state") for s in draft.sentences for m in s.actors)
    hurt = any(c.claim.kind in ("killed", "injured") and c.claim.count != 0 and not c.is_part for c in draft.claims)
    # 'drove over two children, killing both'; 'shot down two drones' is an interception, not a killing
    killing = any(h.trigger.event_type in GENERIC and h.text.lower().startswith(HARM_STEMS) for h in usable)
    if trig.event_type == "Strategic developments" and not trig.aftermath and (hurt or killing) and armed:
        # people killed or hurt: the violence, not the arrests or looting, is the event
        violent = [h for h in usable if h.trigger.event_type in (*VIOLENT, *GENERIC)]
        if violent:
            best = max(violent, key=lambda h: h.trigger.rank)
            trig = best.trigger
    if trig.event_type in GENERIC or trig.sub_event_type in (DAMAGE, *ACTIVITY):
        # a crash or a flood kills soldiers too: with only a word of harm, an armed actor makes it no attack; troops
        # deployed or people evacuated for a flood make no political event
        if (not armed or trig.event_type == "harm" or trig.sub_event_type in ACTIVITY) \
                and any(s.cue(lexicon().hazards) for s in draft.sentences):
            return None, None, [f"'{best.text}' with a natural or accidental hazard: not political violence"]
        if trig.event_type == "harm" and not armed and _crowd_violence(draft, best) is None:
            return None, None, [f"'{best.text}' with no armed actor named: not typed"]
    # 'wounded one occupant' hurts people; 'killed 40 head of cattle' does not
    harmed = any(h.trigger.event_type == "harm" and _hit_object(draft, h) not in lexicon().property for h in usable)
    thing = _hit_object(draft, best) if trig.event_type in GENERIC and not (hurt or harmed) else None
    if thing in lexicon().property:
        return ("Strategic developments", "Looting/property destruction",
                [f"'{best.text}' against a {thing}, no one hurt: property destruction"])
    if thing in lexicon().airborne:
        return "Strategic developments", "Disrupted weapons use", [f"'{best.text}' at a {thing}: an interception"]
    clash = _clash_sentence(draft) if victims != "civilians" else None
    if clash is not None and trig.rank < CLASH_OUTRANKS and trig.event_type in ("Explosions/Remote violence", *GENERIC):
        # ACLED: armed actors fighting each other, even with shelling or air support, is an armed clash
        return "Battles", "Armed clash", [f"armed actors on both sides of '{clash}'"]
    if trig.sub_event_type == "Abduction/forced disappearance" and any(
        c.claim.kind == "killed" and not c.is_part for c in draft.claims
    ):
        return "Violence against civilians", "Attack", [f"'{best.text}' with people killed: an attack"]
    riot = _crowd_violence(draft, best)
    if trig.event_type == "Protests" and trig.sub_event_type != "Excessive force against protesters":
        # ACLED: a demonstration in which the demonstrators turn violent is a violent demonstration
        riot = next((r for h in hits if (r := _crowd_violence(draft, h)) == "Violent demonstration"), None)
    if riot is not None:
        return "Riots", riot, [f"'{best.text}' done by a crowd, not an armed group or a force: a riot"]
    if trig.event_type == "Protests" and trig.sub_event_type != "Excessive force against protesters":
        force = next((h.text for s in core_sentences(draft) for h in s.hits
                      if h.trigger.event_type == "violence" and _force_did(s, h)), None)
        if force is not None and hurt:
            return ("Protests", "Excessive force against protesters",
                    [f"'{force}' by a force, people hurt at '{best.text}'"])
        if trig.sub_event_type == "Peaceful protest" and (force is not None or _arrests(draft)):
            return ("Protests", "Protest with intervention",
                    [f"'{best.text}' with arrests or force: a protest with intervention"])
    if trig.event_type not in GENERIC:
        return trig.event_type, trig.sub_event_type, [f"type from trigger '{best.text}' (rank {trig.rank})"]
    if victims != "armed":
        return "Violence against civilians", "Attack", [f"'{best.text}' against civilians"]
    return "Battles", "Armed clash", [f"'{best.text}' between armed actors"]


HARM_STEMS = ("kill", "wound", "injur", "murder", "shot")


def _hit_object(draft: Draft, hit: Hit) -> str | None:
    """The head noun (singular, lower case) of what a trigger's act is done to ('fired shots at the parked car',
    'a school was attacked', 'killed 40 head of cattle'), or None (see `object_of`)."""
    s = next((s for s in draft.sentences if hit in s.hits), None)
    obj = object_of(s.sent.doc[hit.token]) if s is not None else None
    if obj is None:
        return None
    noun = noun_of(obj)
    if noun in lexicon().property and any(c.dep_ == "acl" for c in obj.children):
        return None  # 'a car carrying a family': people are in it
    return noun


# violence and harm words, riot words, and clashes (not territory changes): 'a group of people killed a woman'
CROWD_ACTS = ("violence", "harm", "Riots", "Battles")


def _crowd_violence(draft: Draft, best: Hit) -> str | None:
    """The riot sub-type when the trigger's violence is done by a crowd ('supporters beat a man', 'demonstrators
    clashed with police'), None otherwise.

    A violence verb needs a crowd for its subject (or after the 'by' of a passive) and no armed group or
    force there; a clash needs a crowd on one side and no armed group on either (a force may face
    demonstrators); an act of a riot with no doer named needs a crowd or a demonstration in its sentence."""
    trig = best.trigger
    if trig.event_type not in CROWD_ACTS or trig.event_type == "Battles" and trig.sub_event_type != "Armed clash":
        return None
    if trig.event_type == "Riots" and not trig.needs_crowd:
        return trig.sub_event_type  # named as a riot
    s = next((s for s in draft.sentences if best in s.hits), None)
    if s is None:
        return None
    protest = any(m.role == "protest" and m.actor.type == "Protesters" for m in s.actors) or any(
        h.trigger.event_type == "Protests" and not h.trigger.requires for h in draft.hits)  # not 'intervened'
    tok = s.sent.doc[best.token]
    if trig.event_type == "harm" and not any(c.dep_ == "dobj" for c in tok.children):
        return None  # 'a man died under torture', 'a girl was killed by a man': the victim, not a crowd that killed
    doers = _doers(tok)
    if trig.event_type == "Battles":
        parts = [_sides(tok)] + ([doers] if doers is not None else [])
    elif doers is not None:
        parts = [doers]
    elif trig.needs_crowd and not any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children):
        parts = [s.sent.doc[s.sent.start : tok.i]]  # who stands before the act ('people blocked roads with burning tires')
    elif trig.needs_crowd:
        parts = []  # 'homes were burned': no doer, a riot only at a demonstration
    else:
        return None
    roles = {m.role for m in s.actors if any(m.start < p.end_char and m.end > p.start_char for p in parts)}
    crowd = bool(roles & set(CROWD_ROLES)) or any(_crowd_words(p) for p in parts)
    # a force may face a crowd in a riot ('a group of people clashed with soldiers'), never do one
    if "armed" in roles or "state" in roles and not (trig.event_type == "Battles" and (protest or crowd)):
        return None
    if not (crowd or protest and (trig.event_type == "Battles" or trig.needs_crowd)):
        return None
    return "Violent demonstration" if protest else "Mob violence"


def _as_done(draft: Draft, hit: Hit) -> Hit | None:
    """A riot act as its doers make it: a riot when a crowd did it, else what the act is without a crowd
    (property destruction) or nothing; any other trigger as it is."""
    trig = hit.trigger
    if not trig.needs_crowd or _crowd_violence(draft, hit):
        return hit
    if not trig.otherwise:
        return None
    return Hit(replace(trig, event_type="Strategic developments", sub_event_type=trig.otherwise,
                       rank=PROPERTY_RANK, needs_crowd=False), hit.token, hit.text)


PROPERTY_RANK = 40  # as the looting words: below an attack, above arrests


def _arrests(draft: Draft) -> bool:
    """Whether the report's own sentences tell of arrests made, not recalled ('a protest for X, arrested in May')."""
    return any(h.trigger.sub_event_type == "Arrests" and _made(s.sent.doc[h.token])
               for s in core_sentences(draft) for h in s.hits)


def _made(tok: Token) -> bool:
    """Whether a verb tells of an act done in the report ('police arrested', 'were detained'), not of people
    described by it ('15 illegally detained activists', 'a leader arrested in May')."""
    if tok.pos_ not in ("VERB", "AUX") or tok.dep_ in ("acl", "relcl", "amod"):
        return False
    before = next((t for t in reversed(tok.doc[tok.sent.start : tok.i]) if t.pos_ != "ADV"), None)
    if before is not None and (before.like_num or before.pos_ == "DET"):
        return False  # 'the 15 (illegally) detained activists': the parser may still call it a verb
    return tok.tag_ != "VBN" or any(c.dep_ in ("aux", "auxpass") for c in tok.children)


def _doers(tok: Token) -> Span | None:
    """Who did what a verb says: the 'by' phrase of a passive, else the subject of the verb or of the verb it is
    joined to ('arrested, beat and robbed'); None when the word is no verb or names no doer."""
    verb = tok
    if tok.pos_ == "NOUN" or tok.dep_ in ("pobj", "dobj", "nsubj", "nsubjpass"):  # 'a shooting ... by two gunmen'
        by = next((c for c in tok.children if c.dep_ in ("prep", "agent") and c.lower_ == "by"), None)
        return by.doc[by.left_edge.i : by.right_edge.i + 1] if by is not None else None
    for _ in range(4):
        agent = next((c for c in verb.children if c.dep_ == "agent"), None)
        if agent is not None:
            return agent.doc[agent.left_edge.i : agent.right_edge.i + 1]
        subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None:
            return None if subject.dep_ == "nsubjpass" else subject.doc[subject.left_edge.i : subject.right_edge.i + 1]
        if verb.dep_ not in ("conj", "xcomp", "advcl") or verb.head.i == verb.i:
            return None
        verb = verb.head
    return None


def _sides(tok: Token) -> Span:
    """The words that name who took part in a clash: a few words before it, and those after a 'between' or
    'with' that follows it closely ('clashes erupted between supporters of two candidates')."""
    sent = tok.sent
    end = tok.i + 1
    link = next((t for t in tok.doc[end : min(sent.end, end + 3)] if t.lower_ in ("between", "with", "among")), None)
    if link is not None:
        end = min(sent.end, link.i + 9)
    return tok.doc[max(sent.start, tok.i - 4) : end]


def _crowd_words(span: Span) -> bool:
    """Whether the words name an unorganised crowd ('a group of people', 'supporters'), not an armed one."""
    words = [t.lower_ for t in span]
    unnamed = {"armed", "unknown", "unidentified"}  # 'unknown people' are perpetrators nobody named, not a crowd
    return not unnamed & set(words) and has_phrase(words, lexicon().crowd)


def core_sentences(draft: Draft) -> list[SentenceFacts]:
    """The sentences that describe the incident itself: the first two with triggers, those with tolls, and those
    with words that need the event ('police dispersed the crowd').

    Later context ("rebels have since retaken several areas") may carry stronger triggers
    that belong to other events; ACLED's priority rules apply within the incident's own report.
    """
    typed = [s for s in draft.sentences if any(h.trigger.event_type for h in s.hits)]
    core = typed[:2] + [s for s in draft.sentences if any(c.claim.kind in ("killed", "injured") for c in s.claims)
                        or any(h.trigger.requires for h in s.hits)]  # what only this event's wording needs
    return [s for s in draft.sentences if any(s is c for c in core)]


CLASH_OUTRANKS = 86  # an attack between armed actors outranks remote violence, not territory changes


def _clash_sentence(draft: Draft) -> str | None:
    """A generic attack word in the incident's own sentences, different armed or state actors before and after it.

    ('militants attacked army units'); later context ("the reported attack … the Islamic State group")
    does not make a strike a battle.
    """
    for s in core_sentences(draft):
        for h in s.hits:
            if h.trigger.event_type != "violence":
                continue
            at = s.sent.doc[h.token].idx
            sides = [m for m in s.actors if m.role in ("armed", "state") and not _speaks(s, m)]
            before = {m.actor for m in sides if m.end <= at}
            after = {m.actor for m in sides if m.start > at}
            if any(a != b for a in before for b in after):  # 'police beat a man at the police station': one side
                return h.text
    return None




def _head_word(s: SentenceFacts, m: ActorMention) -> Token | None:
    """The head word of an actor mention in its sentence's parse."""
    span = s.sent.doc.char_span(m.start, m.end, alignment_mode="expand")
    return span.root if span is not None else None


def _speaks(s: SentenceFacts, m: ActorMention) -> bool:
    """Whether an actor is named only as who said so ('..., police said', 'according to the army'): a source,
    not a side."""
    root = _head_word(s, m)
    verbs = claims_lexicon().reporting_verbs
    return root is not None and ((root.dep_ in ("nsubj", "nsubjpass") and root.head.lower_ in verbs) or (
        root.dep_ == "pobj" and root.head.lower_ == "to" and root.head.head.lower_ == "according"))


def _agent(s: SentenceFacts, m: ActorMention) -> bool:
    """Whether an actor is named as who did it ('killed by unknown gunmen'), so no target."""
    root = _head_word(s, m)
    return root is not None and root.dep_ == "pobj" and root.head.lower_ == "by"


def detention(types: tuple[str | None, str | None], actor1: Actor | None) -> tuple[str | None, str | None]:
    """ACLED: only state forces arrest; a detention by anyone else is an abduction."""
    if types[1] == "Arrests" and actor1 is not None and actor1.type not in ("State forces", None):
        return "Violence against civilians", "Abduction/forced disappearance"
    return types


def territory(types: tuple[str | None, str | None], actor1: Actor | None, country: str | None,
              draft: Draft) -> tuple[str | None, str | None]:
    """ACLED's territory rule: the state's own forces regain, anyone else overtakes, no fight is a transfer."""
    if types[1] not in TERRITORY:
        return types
    if any(s.cue(lexicon().nonviolent_transfer) for s in draft.sentences):
        return "Strategic developments", "Non-violent transfer of territory"
    own = actor1 is not None and actor1.type == "State forces" and (country is None or actor1.country == country)
    return "Battles", TERRITORY[1] if own else TERRITORY[0]


def _strongest_hit(draft: Draft) -> tuple[SentenceFacts, Hit] | None:
    """The sentence with the strongest trigger, and that trigger."""
    sentences = [s for s in draft.sentences if s.typed]
    if not sentences:
        return None
    s = max(sentences, key=lambda s: max(h.trigger.rank for h in s.typed))
    return s, max(s.typed, key=lambda h: h.trigger.rank)


def _strongest(draft: Draft) -> tuple[SentenceFacts, int] | None:
    """The sentence with the strongest trigger and the trigger's character offset."""
    found = _strongest_hit(draft)
    return (found[0], found[0].sent.doc[found[1].token].idx) if found else None


def _force_acted(draft: Draft) -> bool:
    """Whether an armed group or force is the doer of one of the incident's triggers ('Iranian police fired at a
    car', 'a man was shot and killed by two armed individuals'), not only named beside it ('police said', 'police arrested the man who stabbed ...'). Police who arrest
    someone do what they do after any crime: that alone makes no political event."""
    return any(h.trigger.sub_event_type != "Arrests" and _force_did(s, h)
               for s in core_sentences(draft) for h in s.typed)


def _force_did(s: SentenceFacts, hit: Hit) -> bool:
    """Whether an armed group or force is the doer of a trigger's act."""
    doers = _doers(s.sent.doc[hit.token])
    return doers is not None and any(m.role in ("armed", "state") and doers.start_char <= m.start < doers.end_char
                                     for m in s.actors)


def _target(draft: Draft) -> ActorMention | None:
    """The first actor named after the strongest trigger ('opened fire at Palestinian fishing boats'), other
    than the one that acted ('police beat a detainee at the police station' names no target)."""
    found = _strongest(draft)
    if found is None:
        return None
    s, at = found
    doers = {m.actor for m in s.actors if m.end <= at}
    return next((m for m in s.actors if m.start > at and m.role in ("armed", "state", "civilian")
                 and m.actor not in doers and not _speaks(s, m) and not _agent(s, m)), None)


def _armed_target(draft: Draft) -> bool:
    """Whether the strongest trigger hits what forces or armed groups hold ('opened fire towards military posts')."""
    found = _strongest(draft)
    if found is None:
        return False
    s, at = found
    tok = next(t for t in s.sent if t.idx == at)
    return has_phrase([t.lower_ for t in s.sent.doc[tok.i + 1 : min(s.sent.end, tok.i + 8)]], lexicon().armed_targets)


def _off_duty(draft: Draft, target: ActorMention) -> bool:
    """Whether a targeted member of the security forces is off duty, retired or unarmed ('an off-duty policeman')."""
    s = next(s for s in draft.sentences if target in s.actors)
    before = _sent_text(s, target.start - 25, target.start).lower().replace("-", " - ")
    words = re.findall(r"[a-z]+(?: - [a-z]+)?", before)[-2:]
    return any(w.replace(" - ", "-") in lexicon().off_duty or w in lexicon().off_duty for w in words)


def _one_sided(draft: Draft) -> bool:
    """Whether every armed actor of the strongest trigger's sentence stands before it: nobody armed is hit
    ('Wagner and Malian forces killed ten people')."""
    found = _strongest(draft)
    if found is None:
        return False
    s, at = found
    return not any(m.role in ("armed", "state") and m.start > at and not _speaks(s, m) for m in s.actors)


def _victim_group(s: SentenceFacts, found: Found) -> str:
    """The group a count names; members of a named armed group or force ('two QSD members') are armed, and
    off-duty, retired or former members ('a former police officer') civilians."""
    claim = found.claim
    first = re.findall(r"[a-z]+(?:-[a-z]+)?", (claim.subject or "").lower())[:2]
    if claim.group != "civilians" and any(w in lexicon().off_duty for w in first):
        return "civilians"
    named = any(m.role in ("armed", "state") and m.start < claim.end and m.end > claim.start for m in s.actors)
    return "armed_groups" if claim.group.startswith("other:") and named else claim.group


def victims_of(draft: Draft) -> str:
    """Who was hit: 'civilians', 'armed' or '' — from the counted people and the actors named."""
    groups = {_victim_group(s, c) for s in draft.sentences for c in s.claims
              if c.claim.kind in ("killed", "injured", "abducted")}
    if groups & {"state_forces", "armed_groups"}:
        return "armed"
    # people counted by an unlisted noun (a driver, a Palestinian, two brothers) are civilians
    if "civilians" in groups or any(g.startswith("other:") for g in groups):
        return "civilians"
    target = _target(draft)
    if target is None and _armed_target(draft):
        return "armed"
    if target is not None:
        return "civilians" if target.role == "civilian" or _off_duty(draft, target) else "armed"
    roles = {m.role for s in draft.sentences for m in s.actors if not _speaks(s, m)}
    if "civilian" in roles and not roles & {"armed", "state"} - {"civilian"}:
        return "civilians"
    if roles & {"state"} and roles & {"armed"} and not (groups and _one_sided(draft)):
        return "armed"
    return "civilians" if groups else ""


def choose_actors(draft: Draft, event_type: str | None, victims: str,
                  unidentified: Actor | None, civilians: Actor | None,
                  protesters: Actor | None = None, rioters: Actor | None = None) -> tuple[Actor | None, Actor | None]:
    """actor1 (who acted) and actor2 (who was hit) from the actors named around the triggers.

    Reads the sentence with the strongest trigger first. actor1 is, in order: the agent of a
    passive ("shot by police"), A in "between A and B", a pair joined by "and" before the act,
    the first subject-like mention before it; actor2 the first other actor after it.
    Supporting actors ("backed by coalition air strikes") are left out.
    """
    if event_type is None:
        named = [m.actor for s in draft.sentences for m in s.actors if m.role in ("state", "armed", "official", "country")]
        uniq = list(dict.fromkeys(named))
        return (uniq[0] if uniq else None), (uniq[1] if len(uniq) > 1 else None)
    cues = actor_cues()
    actor1: Actor | None = None
    actor2: Actor | None = None
    pair2: Actor | None = None
    same_both = False  # "clashes between two clans": both sides are one actor
    ranked = sorted(
        (s for s in draft.sentences if s.typed or s.hits),
        key=lambda s: -max(h.trigger.rank for h in (s.typed or s.hits)),
    )
    for s in ranked:
        at = s.sent.doc[max(s.typed or s.hits, key=lambda h: h.trigger.rank).token].idx
        mentions = [m for m in s.actors if not cues.support.search(_before_text(s, m, 60))]
        fighters = [m for m in mentions if m.role in ("armed", "state")]
        between = [m for m in fighters if cues.between.search(_before_text(s, m, 60))]
        if actor1 is None and between:
            actor1 = between[0].actor
            rest = [m for m in fighters if m.start > between[0].end and m.actor != actor1]
            actor2 = actor2 or (rest[0].actor if rest else None)
            same_both = not rest
        agents = [m for m in fighters if cues.agent.search(_before_text(s, m, 20))]
        if actor1 is None and agents:
            actor1 = agents[0].actor
            others = [m.actor for m in mentions if m is not agents[0] and m.role in ("armed", "state", "civilian")]
            actor2 = actor2 or next((a for a in others if a != actor1), None)
        # a mention that contains the trigger ("gunmen", "protesters") counts as before it
        before = [m for m in mentions if m.role in ("armed", "state", "protest") and m.start <= at]
        after = [m for m in mentions if m.start > at and m.role in ("armed", "state", "civilian")]
        if actor1 is None and before:
            pair = _joined_pair(s, before)
            subjects = [m for m in before if not cues.object_before.search(_before_text(s, m, 25))]
            actor1 = pair[0] if pair else (subjects[0] if subjects else before[-1]).actor
            pair2 = pair[1] if pair else None
            if len(before) == 1 and event_type == "Battles" and cues.two.search(_before_text(s, before[0], 30)):
                same_both = True
        if actor2 is None:
            actor2 = next((m.actor for m in after if m.actor != actor1), None)
        if actor1 and actor2:
            break
    if actor1 is None:  # e.g. a labelled note whose actors all follow the label
        first = next((m for s in draft.sentences for m in s.actors if m.role in ("armed", "state", "protest")), None)
        if first is not None:
            actor1 = first.actor
    actor1 = _claimed_responsibility(draft) or actor1
    actor2 = actor2 or pair2
    if event_type == "Protests":
        # protesters act; an actor2 only when someone intervened
        actor1 = protesters or actor1
        intervened = any(h.trigger.requires == "Protests" for h in draft.hits)
        actor2 = actor2 if intervened and actor2 is not None and actor2.type == "State forces" else None
        return actor1, actor2
    if event_type == "Riots" and rioters is not None and (actor1 is None or actor1.type not in ("Rioters", "Protesters")):
        actor1 = rioters
    if actor1 is None and event_type in ("Explosions/Remote violence", "Violence against civilians"):
        actor1 = unidentified
    if actor2 is None and (victims == "civilians" or event_type == "Violence against civilians"):
        actor2 = civilians
    if same_both and actor2 is None:
        actor2 = actor1
    elif actor2 == actor1 and not same_both:
        actor2 = None
    return actor1, actor2


@dataclass(frozen=True)
class ActorCues:
    """Compiled cue patterns of [actor_cues], each matched at the end of the text before a mention."""

    support: re.Pattern[str]
    agent: re.Pattern[str]
    between: re.Pattern[str]
    object_before: re.Pattern[str]
    two: re.Pattern[str]


@lru_cache(maxsize=1)
def actor_cues() -> ActorCues:
    """Load the actor cues once."""
    raw = tomllib.loads(resources.files("sitrep.data").joinpath("events_triggers.toml").read_text("utf-8"))["actor_cues"]

    def ending(words: Sequence[str], gap: str = "") -> re.Pattern[str]:
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        return re.compile(rf"\b(?:{alternatives})\s+{gap}$", re.I)

    return ActorCues(
        support=ending(raw["support"], r"(?:the\s+|an?\s+)?"),
        agent=ending(raw["agent"]),
        between=ending(raw["between"]),
        object_before=ending(raw["object_prepositions"], r"(?:\S+\s+){0,3}"),
        two=re.compile(r"\b(?:two|rival|several)\s+(?:\w+\s+){0,2}$", re.I),
    )


def _before_text(s: SentenceFacts, m: ActorMention, width: int) -> str:
    """Up to `width` characters of the sentence before a mention."""
    return _sent_text(s, m.start - width, m.start)


def _sent_text(s: SentenceFacts, start: int, end: int) -> str:
    """The sentence's text between two document offsets (clipped to the sentence); `doc.text` is rebuilt on each
    use, so reading the sentence alone keeps this cheap."""
    first = s.sent.start_char
    return s.sent.text[max(0, start - first) : max(0, end - first)]


def _joined_pair(s: SentenceFacts, before: Sequence[ActorMention]) -> tuple[Actor, Actor] | None:
    """Two actors named together before the act ('Turkish and Russian forces', 'Turkish-Russian')."""
    if len(before) < 2:
        return None
    a, b = before[-2], before[-1]
    gap = _sent_text(s, a.end, b.start).strip().lower()
    if gap in ("and", "-", "–", "/", ",", "and the") and a.actor != b.actor:
        return a.actor, b.actor
    return None


def _claimed_responsibility(draft: Draft) -> Actor | None:
    """The group that claimed the attack ('The Taliban has claimed responsibility')."""
    for s in draft.sentences:
        low = s.sent.text.lower()
        if "responsibility" in low and ("claim" in low):
            pos = s.sent.start_char + low.index("responsibility")
            named = [m for m in s.actors if m.role == "armed" and m.end <= pos]
            if named:
                return named[-1].actor
    return None


def salience(event_type: str | None, in_headline: bool, fatalities: int, order: int, earlier: bool = False) -> float:
    """A score that puts the main event first: violence, then the headline, then the toll; an incident told as
    earlier than the one reported ('Last month, ...') comes after every other typed event."""
    if event_type is None:
        return -1.0 - order / 100
    return (TYPE_WEIGHT.get(event_type, 0) * 10 + (5 if in_headline else 0) + math.log1p(fatalities) - order / 100
            - (100 if earlier else 0))


def with_label(article: int, drafts: list[Draft], facts: Sequence[SentenceFacts], label: Label | None) -> list[Draft]:
    """The drafts, with one for a labelled article whose wording has no trigger ("Land seizure: settlers set up
    an outpost"): its first body sentence."""
    if label and not any(d.family for d in drafts) and facts:
        drafts = [Draft(article, [f for f in facts if f.field == "text"][:1] or list(facts[:1])), *drafts]
    return drafts


def main_draft(drafts: Sequence[Draft], label: Label | None) -> Draft | None:
    """The article's main event: its first typed draft (any first draft of a labelled note)."""
    return next((d for d in drafts if d.family or label), None)


