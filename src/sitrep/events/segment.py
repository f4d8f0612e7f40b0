"""Stage 5, the incidents: an article's sentences grouped into draft events, one per incident.

The headline's event is the main one; a body sentence joins the event it continues. A new incident starts at
a cue ("in a separate attack", "in another province"), a town or province far away, another weekday with an
act of its own, another weapon newly named ("a roadside bomb" after an air strike), another kind of event, or
an earlier incident ("a day earlier", "last month": never the main one). A sentence that refers back ("The
attack on the church killed 22") joins the incident it names. Sentences with only a casualty figure join the
event in progress; totals over many incidents told before any ("300 killed since the fighting began") are shown
with the first; a sentence that recalls the past joins none unless it gives a figure. Each claim records the
incident it belongs to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Token

from sitrep.claims import Found
from sitrep.events.triggers import CROWD_ROLES, GENERIC, SPECIFIC_RANK, VIOLENT, Hit, SentenceFacts, lexicon
from sitrep.geo import distance_km
from sitrep.model import EVENT_TYPES, Location

SEPARATE_KM = 30.0  # towns further apart than this are separate incidents


@dataclass
class Draft:
    """An event being assembled from sentences."""

    article: int
    sentences: list[SentenceFacts] = field(default_factory=list)
    label: str = ""  # for untyped events
    in_headline: bool = False
    order: int = 0
    earlier: bool = False  # an incident before the one reported ("Last month, ..."): never the main event

    @property
    def hits(self) -> list[Hit]:
        """All triggers of the event's sentences."""
        return [h for s in self.sentences for h in s.hits]

    @property
    def claims(self) -> list[Found]:
        """All claims of the event's sentences, in reading order."""
        return [c for s in self.sentences for c in s.claims]

    @property
    def family(self) -> str:
        """The family of the strongest typed trigger (see `_family`)."""
        return _family([h for s in self.sentences for h in s.typed])

    def town(self, precision: str = "town") -> Location | None:
        """The first town-level (or other `precision`) place of the event."""
        return next((p for s in self.sentences for p in s.places if p.precision == precision), None)


DAMAGE = "Looting/property destruction"
ACTIVITY = ("Other", "Change to group/activity")  # patrols, reinforcements, curfews: around any event, part of it
OWN_FAMILY = ("Disrupted weapons use", *ACTIVITY, "Arrests", DAMAGE)  # strategic developments that may join another event


def _family(typed: Sequence[Hit]) -> str:
    """The event type of the strongest trigger ('violence' for generic words; the strategic developments of
    OWN_FAMILY by their sub-event type), '' when there is none."""
    if not typed:
        return ""
    trig = max(typed, key=lambda h: h.trigger.rank).trigger
    return trig.sub_event_type if trig.sub_event_type in OWN_FAMILY else trig.event_type or ""


def _compatible(a: str, b: str) -> bool:
    """Whether two trigger families can describe one event."""
    if not a or not b or a == b or a in ACTIVITY or b in ACTIVITY:
        return True
    violent = {*VIOLENT, *GENERIC}
    # a demonstration that turns violent, is met with force or ends in arrests is one event
    crowd = {"Protests", "Riots", "Arrests", *GENERIC}
    # 'defused an IED. The IED was primed ...'; 'clashed with troops ... a rifle was recovered'
    weapons = {"Disrupted weapons use", "Explosions/Remote violence", "Battles"}
    # what an attack or a riot damaged belongs to it ('nearby buildings were damaged, while 30 people were killed')
    damage = DAMAGE in (a, b) and bool({a, b} & {*violent, "Riots"})
    return a in violent and b in violent or {a, b} <= crowd and bool({a, b} & {"Protests", "Riots"}) \
        or a in weapons and b in weapons or damage


def _family_of(facts: SentenceFacts) -> str:
    return _family(facts.typed)


def group_sentences(article: int, facts: Sequence[SentenceFacts]) -> list[Draft]:
    """Group an article's sentences (headline, caption, body in order) into draft events."""
    lex = lexicon()
    drafts: list[Draft] = []
    current: Draft | None = None
    totals: list[SentenceFacts] = []  # totals over many incidents told before any incident: shown with the first
    for f in facts:
        family = _family_of(f)
        if family and f.claims and all(c.claim.aggregate for c in f.claims) and all(
                h.trigger.rank < SPECIFIC_RANK for h in f.typed):
            family = ""  # 'More than 300 people have been killed since April': a total, no act of its own
        if not family:
            label = f.untyped_label
            if (f.claims or any(h.trigger.requires for h in f.hits)) and current is not None:
                current.sentences.append(f)  # a toll, or what needs the event ('police dispersed the crowd')
            elif f.claims and all(c.claim.aggregate for c in f.claims):
                totals.append(f)
            elif label:
                same = next((d for d in drafts if d.label == label), None)
                if same is None:
                    same = Draft(article, label=label, order=len(drafts))
                    drafts.append(same)
                same.sentences.append(f)
            continue
        if f.background() and not f.claims:
            continue
        earlier = f.cue(lex.earlier)
        target = _continues(current, f, family, drafts) if not (earlier or f.cue(lex.separate)) else None
        if target is None:
            target = Draft(article, in_headline=f.field == "headline", order=len(drafts), earlier=earlier)
            drafts.append(target)
        target.sentences.append(f)
        if f.field == "headline":
            target.in_headline = True
        current = target
    first = next((d for d in drafts if d.family), None)
    if first is not None:
        first.sentences += totals  # after its own sentences: a total never dates or places the incident
    return [d for d in drafts if d.family or d.label]


def draft_events(article: int, facts: Sequence[SentenceFacts]) -> list[Draft]:
    """An article's events in draft, from its sentences; each claim records the incident it belongs to."""
    drafts = group_sentences(article, facts)
    for n, d in enumerate(drafts):
        for s in d.sentences:
            for found in s.claims:
                found.claim.incident = n
    return drafts


def caption_draft(drafts: Sequence[Draft], facts: Sequence[SentenceFacts]) -> Draft | None:
    """The event an article's caption shows: the draft holding a caption sentence, else the first typed one,
    unless the caption shows another time or an aftermath ('Mourners carry the coffin of a policeman killed in
    a bombing last week')."""
    with_caption = next((d for d in drafts if any(s.field == "caption" for s in d.sentences)), None)
    if with_caption is not None:
        return with_caption
    lex = lexicon()
    caption = [f for f in facts if f.field == "caption"]
    if any(f.cue(lex.earlier) or any(t.lower_ in lex.frames for t in f.sent) for f in caption):
        return None
    return next((d for d in drafts if d.family), None)


def _apart(d: Draft, f: SentenceFacts) -> bool:
    """Whether a sentence's place makes it another incident than the draft's: a town far away, or another
    district named with an act of its own ('an airstrike in Zabid District ... an airstrike hit a minibus in
    Al Garrahi District'; not '(Majzar, Marib) killing a number of fighters' closing the clash it follows)."""
    town, there = next((p for p in f.places if p.precision == "town"), None), d.town()
    if town is not None and there is not None and (distance_km(town, there) or 0.0) > SEPARATE_KM:
        return True
    # a town or district in another province, far away ("airstrikes hit Sahar district in Sa'ada ... blasts
    # rocked Sana'a")
    here = next((p for p in f.places if p.precision in ("town", "district")), None)
    there = next((p for s in d.sentences for p in s.places if p.precision in ("town", "district")), None)
    if (here is not None and there is not None and here.admin1 and there.admin1 and here.admin1 != there.admin1
            and (distance_km(here, there) or 0.0) > SEPARATE_KM):
        return True
    district, other = next((p for p in f.places if p.precision == "district"), None), d.town("district")
    return (district is not None and other is not None and district.name != other.name
            and any(h.trigger.rank >= SPECIFIC_RANK for h in f.typed))


def _continues(current: Draft | None, f: SentenceFacts, family: str, drafts: list[Draft]) -> Draft | None:
    """The draft this sentence continues, or None when it reports a new event. A sentence that refers back
    ('The attack on the church killed 22') continues the incident it names, else the one in progress."""
    candidates = [current] if current is not None and current.family else []
    candidates += [d for d in drafts if d.family and d is not current and d.in_headline]
    named = _referred(f, [d for d in drafts if d.family])
    if named is not None:
        candidates = [named, *[d for d in candidates if d is not named]]
    for d in candidates:
        if not (_compatible(d.family, family) or _demonstrators_fight(d, f, family)) or (
                d is not named and (_apart(d, f) or _other_day(d, f) or _other_weapon(d, f))):
            continue
        return d
    return None


REFER_BACK = ("the", "that", "this", "sunday's", "monday's", "tuesday's", "wednesday's", "thursday's", "friday's",
              "saturday's", "yesterday's", "today's")


def _referred(f: SentenceFacts, drafts: Sequence[Draft]) -> Draft | None:
    """The earlier incident a sentence names by a definite event word and a word of its own ('The attack on
    the church' after 'Gunmen stormed a church'), or None."""
    first = next((h for h in f.typed), None)
    if first is None or first.token == f.sent.start or f.sent.doc[first.token - 1].lower_ not in REFER_BACK:
        return None
    doc = f.sent.doc
    end = next((t.i for t in doc[first.token + 1 : f.sent.end] if t.pos_ in ("VERB", "AUX")), f.sent.end)
    words = {_noun(t) for t in doc[first.token + 1 : end] if _referent(t)}
    for d in reversed(drafts):
        said = {_noun(t) for s in d.sentences for t in s.sent if _referent(t)}
        if words & said:
            return d
    return None


def _referent(tok: Token) -> bool:
    """Whether a word can tell which incident is meant: a noun that is no place, date or kind of place."""
    return (tok.pos_ in ("NOUN", "PROPN") and tok.ent_type_ not in ("GPE", "LOC", "FAC", "DATE", "TIME", "NORP")
            and _noun(tok) not in lexicon().not_referents and tok.lower_ not in lexicon().not_referents)


def _noun(tok: Token) -> str:
    """A noun folded for comparison (the pipeline runs no lemmatiser): 'churches' and 'church' match."""
    return tok.lower_.removesuffix("es") if tok.lower_.endswith("ches") else tok.lower_.removesuffix("s")


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SAYING = frozenset({"said", "say", "says", "told", "announced", "reported", "added", "stated", "confirmed"})


def _day(f: SentenceFacts) -> str | None:
    """The weekday a sentence dates its act by ('on Monday'), not the day something was said ('said on Tuesday')."""
    words = [t.lower_ for t in f.sent]
    for i, w in enumerate(words):
        if w in _WEEKDAYS and not _SAYING & set(words[max(0, i - 3) : i]):
            return w
    return None


def _other_day(d: Draft, f: SentenceFacts) -> bool:
    """Whether a sentence with an act of its own dates it on another weekday than the incident's ('on Monday'
    ... 'on Saturday')."""
    day = _day(f)
    there = next((x for s in d.sentences if (x := _day(s))), None)
    return day is not None and there is not None and day != there and any(h.trigger.rank >= SPECIFIC_RANK
                                                                         for h in f.typed)


def _other_weapon(d: Draft, f: SentenceFacts) -> bool:
    """Whether a sentence brings another weapon, newly introduced ('An air strike killed 12 ... a roadside bomb
    killed two soldiers'): a weapon the incident has not named, with 'a' or a number before it."""
    own = {h.trigger.sub_event_type for s in d.sentences for h in s.typed if h.trigger.rank >= SPECIFIC_RANK}
    for h in f.typed:
        tok = f.sent.doc[h.token]
        before = f.sent.doc[tok.i - 1] if tok.i > f.sent.start else None
        new = before is not None and (before.lower_ in ("a", "an", "another") or before.like_num)
        if (h.trigger.event_type == "Explosions/Remote violence" and h.trigger.sub_event_type not in own and own
                and own <= set(EVENT_TYPES["Explosions/Remote violence"]) and new):
            return True
    return False


def _demonstrators_fight(d: Draft, f: SentenceFacts, family: str) -> bool:
    """Whether a fight told after a demonstration is a crowd's, no armed group's ('clashes between demonstrators
    and counter-demonstrators', 'they fought with supporters of the mayor'): one event, a violent demonstration."""
    return (d.family == "Protests" and family in ("Battles", *GENERIC)
            and (any(m.role in CROWD_ROLES for m in f.actors) or f.cue(lexicon().crowd))
            and not any(m.role == "armed" for m in f.actors))
