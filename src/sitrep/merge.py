"""Stage 9: reports of one incident become one event.

Within a document (`merge_within`), two events from different articles merge when they have the
same event type and sub-event type, places within a few kilometres, and the same date.
Across documents (`cluster`), reports become one `MergedEvent` when they have the same event
type with compatible sub-types, dates within a day, the same place (a few km apart, or the same
named district or province) and compatible actors. Events are the connected components of
these links over all reports, so the same reports give the same events and ids in any order.
A merged event keeps every report with its claims, says why each report joined, marks a
claimant's older figure superseded by its newer one, and recomputes low and high tolls.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
from collections.abc import Callable, Iterable, Sequence

from sitrep import claims as claims_stage
from sitrep.geo import distance_km
from sitrep.model import Actor, Claim, Event, Location, MergedEvent, Report

SAME_PLACE_KM = 10.0


def same_incident(a: Event, b: Event) -> bool:
    """Whether two typed events from different articles report one incident."""
    if a.article == b.article or a.event_type is None or a.event_type != b.event_type:
        return False
    if a.sub_event_type != b.sub_event_type or a.date.date != b.date.date or a.date.date is None:
        return False
    if a.location is None or b.location is None:
        return False
    km = distance_km(a.location, b.location)
    return km is not None and km <= SAME_PLACE_KM


def merge_within(events: Sequence[Event]) -> list[Event]:
    """Merge events of one document that report the same incident; the first report stays primary."""
    out: list[Event] = []
    for event in events:
        target = next((e for e in out if same_incident(e, event)), None)
        if target is None:
            out.append(event)
            continue
        offset = len(target.claims)
        for claim in event.claims:
            if claim.part_of is not None:
                claim.part_of += offset
            target.claims.append(claim)
        target.evidence += [s for s in event.evidence if s not in target.evidence]
        target.notes.append(f"merged with the report in article {event.article}")
        _combine_tolls(target, event)
    return out


def _combine_tolls(target: Event, other: Event) -> None:
    """Two reports of one incident count the same people: keep the lowest and the highest toll."""
    lows = [e.fatalities_low for e in (target, other) if e.fatalities_low is not None]
    highs = [e.fatalities_high for e in (target, other) if e.fatalities_high is not None]
    target.fatalities_low = min(lows) if lows else None
    target.fatalities_high = max(highs) if highs else None
    target.fatalities = target.fatalities_low or 0


# --- across documents --------------------------------------------------------------------------
#
# Reports of one incident from different documents become one `MergedEvent`. Two reports are
# linked when every test below passes; an event is a connected component of links, so the
# result depends only on the set of reports, never on the order they arrived in.

SUB_TYPE_FAMILIES: tuple[frozenset[str], ...] = (
    # wordings outlets use for one incident ("missile strike" / "air strike"; "bombing")
    frozenset({"Air/drone strike", "Shelling/artillery/missile attack"}),
    frozenset({"Suicide bomb", "Remote explosive/landmine/IED", "Grenade"}),
    frozenset({"Armed clash", "Government regains territory", "Non-state actor overtakes territory"}),
    frozenset({"Peaceful protest", "Protest with intervention", "Excessive force against protesters"}),
    frozenset({"Violent demonstration", "Mob violence"}),
)
UNARMED_TYPES = {"Civilians", "Protesters"}
STANDS_IN = " ~ "  # in a link's reason: an unnamed actor taken to be a named one


def compatible_sub_types(a: str | None, b: str | None) -> bool:
    """Whether two sub-event types can describe one incident (equal, unknown, or one family)."""
    return a is None or b is None or a == b or any(a in f and b in f for f in SUB_TYPE_FAMILIES)


def _span(event: Event) -> tuple[dt.date, dt.date] | None:
    """The days an event's date covers, or None when it has no day-precise date."""
    d = event.date
    if d.date is None or d.precision not in (None, "day"):
        return None
    return d.date, d.date_end or d.date


def date_match(a: Event, b: Event) -> str | None:
    """Why two reports' dates agree (within a day), or None."""
    sa, sb = _span(a), _span(b)
    if sa is None or sb is None:
        return None
    gap = max((sb[0] - sa[1]).days, (sa[0] - sb[1]).days, 0)
    if gap > 1:
        return None
    return f"same day {sa[0].isoformat()}" if sa == sb and sa[0] == sa[1] else f"dates within {gap or 0} day"


def place_match(a: Location | None, b: Location | None) -> str | None:
    """Why two places are one (a few km apart, or the same named place in one admin1), or None."""
    if a is None or b is None or country_key(a) != country_key(b) or country_key(a) is None:
        return None
    if a.precision in ("country", "region") or b.precision in ("country", "region"):
        return None
    km = distance_km(a, b)
    if km is not None and km <= SAME_PLACE_KM and a.precision == b.precision == "town":
        return f"places {km:.1f} km apart ({a.name} / {b.name})"
    if a.admin1 == b.admin1 and fold(a.name) == fold(b.name) and a.precision == b.precision:
        return f"same {a.precision or 'place'} {a.name}, {a.admin1 or a.country}"
    return None


def country_key(location: Location | None) -> str | None:
    """The key that bounds a merge neighbourhood: ISO2 code, else the country name."""
    if location is None:
        return None
    return location.iso2 or location.country


def _generic(actor: Actor) -> bool:
    """An unnamed armed actor ("Unidentified Armed Group (Nigeria)") may be any named one."""
    return actor.name.startswith("Unidentified") and actor.type not in UNARMED_TYPES


def _side_match(x: Actor | None, y: Actor | None) -> str | None:
    """Why two actors on one side are compatible ('' when one is unknown), or None."""
    if x is None or y is None:
        return ""
    if fold(x.name) == fold(y.name):
        return x.name
    if _generic(x) and y.type not in UNARMED_TYPES or _generic(y) and x.type not in UNARMED_TYPES:
        return f"{x.name}{STANDS_IN}{y.name}"
    return None


def actors_match(a: Event, b: Event) -> str | None:
    """Why two reports' actors are compatible (same sides, possibly swapped), or None."""
    pairs = [(b.actor1, b.actor2, False)]
    if None not in (a.actor1, a.actor2, b.actor1, b.actor2):  # a battle told from the other side
        pairs.append((b.actor2, b.actor1, True))
    for x1, x2, swapped in pairs:
        one, two = _side_match(a.actor1, x1), _side_match(a.actor2, x2)
        if one is not None and two is not None:
            named = [n for n in (one, two) if n]
            if not named:
                return "actors not contradicting"
            return "actors " + " and ".join(named) + (" (sides swapped)" if swapped else "")
    return None


def link(a: Report, b: Report) -> str | None:
    """Why two reports from different documents report one incident, or None when they do not."""
    ea, eb = a.event, b.event
    if a.document_id == b.document_id or ea.event_type is None or ea.event_type != eb.event_type:
        return None
    if not compatible_sub_types(ea.sub_event_type, eb.sub_event_type):
        return None
    reasons = [date_match(ea, eb), place_match(ea.location, eb.location), actors_match(ea, eb)]
    if any(r is None for r in reasons):
        return None
    kind = ea.event_type if ea.sub_event_type == eb.sub_event_type else f"{ea.event_type} (compatible sub-types)"
    return "; ".join([f"same type {kind}", *[r for r in reasons if r]])


def fold(name: str | None) -> str:
    """A name folded for comparison."""
    return " ".join((name or "").casefold().split())


def event_id(report_ids: Iterable[str]) -> str:
    """A merged event's id: stable, from the smallest of its report ids."""
    return "ev-" + hashlib.sha256(min(report_ids).encode("utf-8")).hexdigest()[:12]


def cluster(reports: Iterable[Report]) -> list[MergedEvent]:
    """Merge typed reports into events, independent of input order.

    Reports linked with their actors named (or unknown) form components first. A link that takes
    an unnamed actor ("Unidentified Armed Group") to be a named one then joins components only
    when everything it would join names no rival actors: a report of "gunmen" is never the bridge
    that merges a Boko Haram attack with an ISWAP attack, and when it could belong to either it
    stays apart, saying so.
    """
    typed = sorted((r for r in reports if r.event.event_type), key=lambda r: r.id)
    parent = list(range(len(typed)))
    edges: dict[int, list[tuple[int, str]]] = {i: [] for i in range(len(typed))}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    assumed: list[tuple[int, int]] = []
    for i, a in enumerate(typed):
        for j in range(i + 1, len(typed)):
            why = link(a, typed[j])
            if why is None:
                continue
            edges[i].append((j, why))
            edges[j].append((i, why))
            if STANDS_IN in why:
                assumed.append((i, j))
            else:
                parent[root(j)] = root(i)
    notes = _join_through_unnamed(typed, assumed, root, parent)
    groups: dict[int, list[int]] = {}
    for i in range(len(typed)):
        groups.setdefault(root(i), []).append(i)
    events = []
    for members in groups.values():
        inside = {i: [(j, why) for j, why in edges[i] if root(j) == root(i)] for i in members}
        event = _merged([typed[i] for i in members], inside, members)
        event.reasons += [n for i in members for n in notes.get(i, [])]
        events.append(event)
    return sorted(events, key=lambda e: e.id)


def _join_through_unnamed(typed: Sequence[Report], assumed: Sequence[tuple[int, int]],
                          root: Callable[[int], int], parent: list[int]) -> dict[int, list[str]]:
    """Apply the links that rest on an unnamed actor, between components with no rival named actors.

    Decisions are taken on the components of named links alone, so the result does not depend on
    the order links are found in. Returns notes for reports left apart, by report index.
    """
    reach: dict[int, set[int]] = {}
    for i, j in assumed:
        a, b = root(i), root(j)
        if a != b:
            reach.setdefault(a, set()).add(b)
            reach.setdefault(b, set()).add(a)
    named: dict[int, set[str]] = {}
    for i, r in enumerate(typed):
        named.setdefault(root(i), set()).update(_named_actors(r.event))
    notes: dict[int, list[str]] = {}
    clear: set[int] = set()  # components whose assumed links join no rivals
    for comp, others in reach.items():
        together = [comp, *sorted(others, key=lambda c: typed[c].id)]
        if not any(_rivals(named[x], named[y]) for x, y in itertools.combinations(together, 2)):
            clear.add(comp)
        elif not named[comp]:
            options = "; ".join(f"{typed[c].id} ({', '.join(sorted(named[c]))})" for c in together[1:])
            notes[comp] = [f"not merged with {options}: its unnamed actor could be any of them"]
    for a in clear:
        for b in reach[a] & clear:
            parent[root(b)] = root(a)
    return notes


def _named_actors(event: Event) -> set[str]:
    """The folded names of an event's named actors."""
    return {fold(a.name) for a in (event.actor1, event.actor2) if a is not None and not _generic(a)}


def _rivals(a: set[str], b: set[str]) -> bool:
    """Whether two sets of named actors describe different incidents (each names someone the other does not)."""
    return bool(a - b) and bool(b - a)


def _specificity(report: Report) -> tuple:
    """Sort key: the most specific report first (typed sub-type, town, day, named actors, claims)."""
    e = report.event
    place = {"town": 0, "district": 1, "province": 2}.get(e.location.precision if e.location else "", 3)
    named = sum(1 for a in (e.actor1, e.actor2) if a and not _generic(a))
    return (e.sub_event_type is None, place, e.date.precision != "day", -named, -len(e.claims), report.id)


def _merged(members: list[Report], edges: dict[int, list[tuple[int, str]]], index: list[int]) -> MergedEvent:
    """One event from the reports of one component, with reasons and recomputed tolls."""
    by_index = dict(zip(index, members))
    primary_index = min(index, key=lambda i: _specificity(by_index[i]))
    primary = by_index[primary_index]
    reasons: list[str] = []
    # breadth-first from the primary report: each other report is explained by the link that reached it
    seen, queue = {primary_index}, [primary_index]
    order = [primary_index]
    while queue:
        i = queue.pop(0)
        for j, why in sorted(edges[i], key=lambda t: by_index[t[0]].id):
            if j not in seen:
                seen.add(j)
                queue.append(j)
                order.append(j)
                reasons.append(f"{by_index[j].id} merged with {by_index[i].id}: {why}")
    reports = [_copy(by_index[i]) for i in order]
    reasons += supersede_across(reports)
    e = primary.event
    low, high = merged_toll(reports)
    return MergedEvent(
        id=event_id(r.id for r in members),
        event_type=e.event_type,
        sub_event_type=e.sub_event_type or next((r.event.sub_event_type for r in reports if r.event.sub_event_type), None),
        date=e.date,
        location=e.location,
        actor1=e.actor1,
        actor2=e.actor2,
        fatalities=low or 0,
        fatalities_low=low,
        fatalities_high=high,
        reports=reports,
        reasons=reasons,
    )


def _copy(report: Report) -> Report:
    """A report whose claims may be marked superseded without touching the original."""
    claims = [dataclasses.replace(c) for c in report.event.claims]
    return dataclasses.replace(report, event=dataclasses.replace(report.event, claims=claims))


def _supersede_cue(sentence: str) -> bool:
    """Whether a sentence gives an updated figure ("the toll rose to 12")."""
    text = sentence.lower()
    return any(" ".join(cue) in text for cue in claims_stage.lexicon().supersede)


def claim_group(claim: Claim) -> str:
    """Who a claim counts, as the toll rules group people: civilians, state_forces, armed_groups, all, other:NOUN."""
    words = fold(claim.subject).replace("-", " ").split()
    if not words:
        return "all"
    groups = claims_stage.lexicon().subject_groups
    head = words[-1]
    return groups.get(head) or next((groups[w] for w in words[:-1] if groups.get(w, "all") != "all"),
                                    f"other:{head.rstrip('s')}")


def supersede_across(reports: Sequence[Report]) -> list[str]:
    """Mark a claimant's older figure superseded by its newer one in a later report; return the reasons."""
    notes: list[str] = []
    live = [(r, c) for r in reports for c in r.event.claims
            if c.kind == "killed" and c.claimant and c.part_of is None and c.count is not None]
    for r, c in live:
        for s, d in live:
            if r.document_id == s.document_id or fold(c.claimant) != fold(d.claimant):
                continue
            if c.count == d.count or claim_group(c) != claim_group(d) or c.superseded:
                continue
            if _newer(s, d, r, c):
                c.superseded = True
                notes.append(f"{c.claimant}'s figure \"{c.as_written}\" ({r.id}) superseded by "
                             f"\"{d.as_written}\" ({s.id}, published {s.published or 'date unknown'})")
                break
    return notes


def _newer(s: Report, d: Claim, r: Report, c: Claim) -> bool:
    """Whether claim d (in report s) is a newer figure than claim c (in report r)."""
    if s.published and r.published and s.published != r.published:
        return s.published > r.published
    return _supersede_cue(d.sentence) and not _supersede_cue(c.sentence)


def merged_toll(reports: Sequence[Report]) -> tuple[int | None, int | None]:
    """Low and high death tolls over every report's live claims (DESIGN.md's toll rules).

    Reports of one incident count the same people: per group, different claims conflict
    (lowest / highest); different groups add; breakdowns and superseded figures never count.
    A single report keeps its own toll, which may rest on rules a bare claim cannot show.
    """
    if len(reports) == 1:
        e = reports[0].event
        if not any(c.superseded for c in e.claims if c.kind == "killed"):
            return e.fatalities_low, e.fatalities_high
    live = [c for r in reports for c in r.event.claims
            if c.kind == "killed" and c.part_of is None and not c.superseded and c.count is not None]
    if not live:
        lows = [r.event.fatalities_low for r in reports if r.event.fatalities_low is not None]
        highs = [r.event.fatalities_high for r in reports if r.event.fatalities_high is not None]
        return (min(lows) if lows else None), (max(highs) if highs else None)
    by_group: dict[str, list[Claim]] = {}
    for c in live:
        by_group.setdefault(claim_group(c), []).append(c)
    general = by_group.pop("all", [])
    lows: list[int] = [_lowest(general)] if general else []
    highs: list[int] = [max(c.count_high or c.count or 0 for c in general)] if general else []
    if by_group:
        lows.append(sum(_lowest(cs) for cs in by_group.values()))
        highs.append(sum(max(c.count_high or c.count or 0 for c in cs) for cs in by_group.values()))
    low = min(lows)
    return low, max(max(highs), low)


def _lowest(claims: Sequence[Claim]) -> int:
    """The lowest credible figure: a headline bound that a body figure satisfies restates it."""
    exact = [c.count or 0 for c in claims if c.field == "text" and c.qualifier not in ("at_least", "more_than")]

    def bound(c: Claim) -> int | None:
        return {"more_than": (c.count or 0) + 1, "at_least": c.count or 0}.get(c.qualifier)

    def restated(c: Claim) -> bool:
        b = bound(c)
        return c.field != "text" and b is not None and any(n >= b for n in exact)

    credible = [c.count or 0 for c in claims if not restated(c)]
    return min(credible or [c.count or 0 for c in claims])
