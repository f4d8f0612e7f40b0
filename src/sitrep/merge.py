"""Stage 9: reports of one incident become one event.

One link rule (`link_events`) decides whether two typed events report one incident: the same
event type with compatible sub-types, dates within a day, the same place (a few km apart, or
the same named district or province) and compatible actors. Related reports are read as their
relation allows: two articles of one page date alike (the same day, or both undated), and republished copies of one story (`Report.copy_of`) tell the same "Monday" and the same
place, so a date or a place that one copy lacks does not keep them apart.

Within a document (`merge_within`), events of different articles that link become one. Across
documents (`cluster`), reports become one `MergedEvent`: the connected components of the links
over all reports, so the same reports give the same events and ids in any order; a merged event
never holds two reports of one document (the document already decided they differ). The toll
of a merged event is `tolls.toll` over the claims of all its reports, after marking the figures
a claimant's newer one replaces: the same claims give the same toll however they arrived.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from typing import Literal

from sitrep import tolls
from sitrep.claims import same_people, supersede_updates
from sitrep.geo import distance_km
from sitrep.model import Actor, Event, Location, MergedEvent, Report

SAME_PLACE_KM = 10.0
# How two reports are related: apart (different stories), on one page (articles of one document),
# or copies of one story (republished, `Report.copy_of`). Related reports tell "Monday" alike.
Relation = Literal["apart", "page", "copies"]


def merge_within(events: Sequence[Event]) -> list[Event]:
    """Merge events of one document's articles that report one incident; the first report stays primary."""
    out: list[Event] = []
    for event in events:
        target = next((e for e in out if e.article != event.article and link_events(e, event, "page")), None)
        if target is None:
            out.append(event)
            continue
        offset = len(target.claims)
        for claim in event.claims:
            if claim.part_of is not None:
                claim.part_of += offset
            target.claims.append(claim)
        target.evidence += [s for s in event.evidence if s not in target.evidence]
        supersede_updates(target.claims)
        toll = tolls.toll(target.claims)
        target.fatalities, target.fatalities_low, target.fatalities_high = toll.fatalities, toll.low, toll.high
        target.notes = [n for n in target.notes if not n.startswith("fatalities: ")]
        target.notes += [f"merged with the report in article {event.article}", f"fatalities: {toll.reason}"]
    return out


# --- across documents --------------------------------------------------------------------------
#
# Reports of one incident from different documents become one `MergedEvent`. Two reports are
# linked when every test below passes; an event is a connected component of links, so the
# result depends only on the set of reports, never on the order they arrived in.

UNARMED_TYPES = {"Civilians", "Protesters"}
STANDS_IN = " ~ "  # in a link's reason: an unnamed actor taken to be a named one


@lru_cache(maxsize=1)
def sub_type_families() -> tuple[frozenset[str], ...]:
    """The sub-event types outlets use for one incident (`data/merge_families.toml`), loaded once."""
    raw = tomllib.loads(resources.files("sitrep.data").joinpath("merge_families.toml").read_text("utf-8"))
    return tuple(frozenset(family) for family in raw["families"])


def compatible_sub_types(a: str | None, b: str | None) -> bool:
    """Whether two sub-event types can describe one incident (equal, unknown, or one family)."""
    return a is None or b is None or a == b or any(a in f and b in f for f in sub_type_families())


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
    if a is None or b is None or a.country_key != b.country_key or a.country_key is None:
        return None
    if a.precision in ("country", "region") or b.precision in ("country", "region"):
        return None
    km = distance_km(a, b)
    if km is not None and km <= SAME_PLACE_KM and a.precision == b.precision == "town":
        return f"places {km:.1f} km apart ({a.name} / {b.name})"
    if a.admin1 == b.admin1 and fold(a.name) == fold(b.name) and a.precision == b.precision:
        return f"same {a.precision or 'place'} {a.name}, {a.admin1 or a.country}"
    return None


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


def link_events(a: Event, b: Event, relation: Relation = "apart") -> str | None:
    """Why two typed events report one incident, or None; `relation` says how their reports are related."""
    if a.event_type is None or a.event_type != b.event_type:
        return None
    if not compatible_sub_types(a.sub_event_type, b.sub_event_type):
        return None
    date = date_match(a, b)
    if relation == "page" and _span(a) != _span(b):  # one page dates its articles alike: a day apart is another day
        date = None
    elif date is None and relation == "page" and _span(a) is None and _span(b) is None:
        date = "undated, on one page"
    elif date is None and relation == "copies" and (_span(a) is None or _span(b) is None):
        date = "copies of one story, not both dated"
    place = place_match(a.location, b.location)
    if place is None and relation == "copies" and (a.location is None or b.location is None):
        place = "copies of one story, not both placed"
    reasons = [date, place, actors_match(a, b)]
    if any(r is None for r in reasons):
        return None
    kind = a.event_type if a.sub_event_type == b.sub_event_type else f"{a.event_type} (compatible sub-types)"
    return "; ".join([f"same type {kind}", *[r for r in reasons if r]])


def story(report: Report) -> str:
    """The story a report belongs to: the first stored copy of its document, else the document."""
    return report.copy_of or report.document_id


def link(a: Report, b: Report) -> str | None:
    """Why two reports from different documents report one incident, or None when they do not."""
    if a.document_id == b.document_id:
        return None
    return link_events(a.event, b.event, "copies" if story(a) == story(b) else "apart")


def fold(name: str | None) -> str:
    """A name folded for comparison."""
    return " ".join((name or "").casefold().split())


def event_id(report_ids: Iterable[str]) -> str:
    """A merged event's id: stable, from the smallest of its report ids."""
    return "ev-" + hashlib.sha256(min(report_ids).encode("utf-8")).hexdigest()[:12]


class _Components:
    """Union-find over reports that never puts two reports of one document in one component."""

    def __init__(self, reports: Sequence[Report]) -> None:
        self.parent = list(range(len(reports)))
        self.documents = [{r.document_id} for r in reports]

    def root(self, i: int) -> int:
        """The component of report i."""
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> bool:
        """Join the components of i and j unless they hold reports of one document; whether they are one now."""
        a, b = self.root(i), self.root(j)
        if a == b:
            return True
        if self.documents[a] & self.documents[b]:
            return False
        a, b = min(a, b), max(a, b)
        self.parent[b] = a
        self.documents[a] |= self.documents[b]
        return True


def cluster(reports: Iterable[Report]) -> list[MergedEvent]:
    """Merge typed reports into events, independent of input order.

    Reports linked with their actors named (or unknown) form components first, links taken in
    the order of their report ids. A link that takes an unnamed actor ("Unidentified Armed
    Group") to be a named one then joins components only when everything it would join names no
    rival actors: a report of "gunmen" is never the bridge that merges a Boko Haram attack with an
    ISWAP attack, and when it could belong to either it stays apart, saying so.
    """
    typed = sorted((r for r in reports if r.event.event_type), key=lambda r: r.id)
    comps = _Components(typed)
    edges: dict[int, list[tuple[int, str]]] = {i: [] for i in range(len(typed))}
    assumed: list[tuple[int, int]] = []
    for i, j in _candidates(typed):
        why = link(typed[i], typed[j])
        if why is None:
            continue
        edges[i].append((j, why))
        edges[j].append((i, why))
        if STANDS_IN in why:
            assumed.append((i, j))
        else:
            comps.join(i, j)
    notes = _join_through_unnamed(typed, assumed, comps)
    groups: dict[int, list[int]] = {}
    for i in range(len(typed)):
        groups.setdefault(comps.root(i), []).append(i)
    events = []
    for members in groups.values():
        inside = {i: [(j, why) for j, why in edges[i] if comps.root(j) == comps.root(i)] for i in members}
        event = _merged([typed[i] for i in members], inside, members)
        event.reasons += [n for i in members for n in notes.get(i, [])]
        events.append(event)
    return sorted(events, key=lambda e: e.id)


def _candidates(typed: Sequence[Report]) -> list[tuple[int, int]]:
    """The pairs (i < j) of reports that `link` could join, in the order a scan of every pair meets them: copies
    of one story, and reports of one type in one country whose days are at most a day apart. Comparing only
    these keeps merging a large store near-linear instead of quadratic."""
    pairs: set[tuple[int, int]] = set()
    stories: dict[str, list[int]] = defaultdict(list)
    blocks: dict[tuple[str, str], list[tuple[dt.date, dt.date, int]]] = defaultdict(list)
    for i, r in enumerate(typed):
        stories[story(r)].append(i)
        span, place = _span(r.event), r.event.location
        if span is not None and place is not None and place.country_key and r.event.event_type:
            blocks[(r.event.event_type, place.country_key)].append((*span, i))
    for members in stories.values():
        pairs.update(itertools.combinations(members, 2))
    for block in blocks.values():
        block.sort()
        for k, (_, end, i) in enumerate(block):
            for start, _, j in block[k + 1 :]:
                if (start - end).days > 1:
                    break  # every later report starts later still
                pairs.add((min(i, j), max(i, j)))
    return sorted(pairs)


def _join_through_unnamed(typed: Sequence[Report], assumed: Sequence[tuple[int, int]],
                          comps: _Components) -> dict[int, list[str]]:
    """Apply the links that rest on an unnamed actor, between components with no rival named actors.

    Decisions are taken on the components of named links alone, so the result does not depend on
    the order links are found in. Returns notes for reports left apart, by report index.
    """
    reach: dict[int, set[int]] = {}
    for i, j in assumed:
        a, b = comps.root(i), comps.root(j)
        if a != b:
            reach.setdefault(a, set()).add(b)
            reach.setdefault(b, set()).add(a)
    named: dict[int, set[str]] = {}
    for i, r in enumerate(typed):
        named.setdefault(comps.root(i), set()).update(_named_actors(r.event))
    notes: dict[int, list[str]] = {}
    clear: set[int] = set()  # components whose assumed links join no rivals
    for comp, others in reach.items():
        together = [comp, *sorted(others, key=lambda c: typed[c].id)]
        if not any(_rivals(named[x], named[y]) for x, y in itertools.combinations(together, 2)):
            clear.add(comp)
        elif not named[comp]:
            options = "; ".join(f"{typed[c].id} ({', '.join(sorted(named[c]))})" for c in together[1:])
            notes[comp] = [f"not merged with {options}: its unnamed actor could be any of them"]
    for a in sorted(clear):
        for b in sorted(reach[a] & clear):
            comps.join(a, b)
    return notes


def _named_actors(event: Event) -> set[str]:
    """The folded names of an event's named armed actors (civilians and protesters are nobody's rivals)."""
    return {fold(a.name) for a in (event.actor1, event.actor2)
            if a is not None and not _generic(a) and a.type not in UNARMED_TYPES}


def _rivals(a: set[str], b: set[str]) -> bool:
    """Whether two sets of named actors describe different incidents (each names someone the other does not)."""
    return bool(a - b) and bool(b - a)


def _specificity(report: Report) -> tuple:
    """Sort key: the most specific report first (typed sub-type, town, day, named actors, claims)."""
    e = report.event
    place = {"town": 0, "district": 1, "province": 2}.get((e.location.precision if e.location else None) or "", 3)
    named = sum(1 for a in (e.actor1, e.actor2) if a and not _generic(a))
    return (e.sub_event_type is None, place, e.date.precision != "day", -named, -len(e.claims), report.id)


def _merged(members: list[Report], edges: dict[int, list[tuple[int, str]]], index: list[int]) -> MergedEvent:
    """One event from the reports of one component, with reasons and the toll of all their claims."""
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
    toll = tolls.toll(c for r in reports for c in r.event.claims)
    e = primary.event
    return MergedEvent(
        id=event_id(r.id for r in members),
        event_type=e.event_type,
        sub_event_type=e.sub_event_type or next((r.event.sub_event_type for r in reports if r.event.sub_event_type), None),
        date=e.date,
        location=e.location,
        actor1=e.actor1,
        actor2=e.actor2,
        fatalities=toll.fatalities,
        fatalities_low=toll.low,
        fatalities_high=toll.high,
        reports=reports,
        reasons=reasons,
    )


def _copy(report: Report) -> Report:
    """A report whose claims may be marked superseded without touching the original."""
    claims = [dataclasses.replace(c) for c in report.event.claims]
    return dataclasses.replace(report, event=dataclasses.replace(report.event, claims=claims))


def supersede_across(reports: Sequence[Report]) -> list[str]:
    """Mark figures that a newer one replaces across the reports of one incident; return the reasons.

    An update ("the toll rose to 12") supersedes the same claimant's other figures wherever they
    were reported (`claims.supersede_updates`); of two figures of the same people from one
    claimant in documents published on different days, the later one stands.
    """
    where = {id(c): r for r in reports for c in r.event.claims}
    claims = [c for r in reports for c in r.event.claims]
    before = {id(c) for c in claims if c.superseded}
    pairs = supersede_updates(claims)
    dated = [c for c in claims if c.claimant and where[id(c)].published]
    for old, new in itertools.permutations(dated, 2):
        if (fold(old.claimant) == fold(new.claimant) and same_people(old, new) and old.count != new.count
                and where[id(new)].published > where[id(old)].published):  # type: ignore[operator]
            old.superseded = True
            pairs.append((old, new))
    notes: list[str] = []
    for old, new in pairs:
        if id(old) in before:
            continue
        before.add(id(old))
        r, s = where[id(old)], where[id(new)]
        who = f"{old.claimant}'s figure" if old.claimant else "an unattributed figure"
        notes.append(f"{who} \"{old.as_written}\" ({r.id}) superseded by "
                     f"\"{new.as_written}\" ({s.id}, published {s.published or 'date unknown'})")
    return notes
