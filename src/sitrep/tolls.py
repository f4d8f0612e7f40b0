"""The toll rule: how many were killed, from the claims alone (DESIGN.md, "Tolls").

One function, `toll`, used for an event as one article reports it (the pipeline), for reports
of one incident merged within a document or across documents (`merge`), and nowhere else; the
store saves the `Toll` it is given. Everything the rule needs travels on the claims (`kind`,
`count`, `group`, `part_of`, `superseded`, `aggregate`, `coded`, `stated`), so the same claims give the
same toll however they are split into reports, articles or documents.

- A breakdown (`part_of`), a superseded figure and a total over many incidents (`aggregate`) never
  count; injuries, arrests and `casualties` ("killed or injured 14") never count.
- Claims about the same people conflict: the lowest credible one counts (a headline's
  "over 50" restates a body's "51"), the highest sets `high`.
- Claims about different groups (soldiers, militants, civilians) add, so a claim about a
  group not yet counted never lowers the toll. A figure for people in general and the sum
  over groups are two accounts of the same dead: they conflict, and the lower counts.
- Only vague figures ("dozens"): the number ACLED's codebook gives the word.
- An ACLED note that states the toll ("Fatalities coded as 3", "There were no fatalities")
  decides it; the other figures can only raise `high`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sitrep.model import Claim, Toll

VAGUE_DEFAULT = 10  # a vague figure with no code of its own ("many killed"), as ACLED codes it


def toll(claims: Iterable[Claim]) -> Toll:
    """Conservative, low and high death tolls of one incident's claims."""
    live = [c for c in claims if c.kind == "killed" and c.part_of is None and not c.superseded and not c.aggregate]
    stated = [c for c in live if c.stated]
    found = _from_figures([c for c in live if not c.stated])
    if not stated:
        return found
    n = min(c.count or 0 for c in stated)
    if n == 0 and found.low is None:
        return Toll(0, None, None, "the note states there were no fatalities")
    high = n if found.high is None else max(n, found.high)
    return Toll(n, n, high, f"the note states the toll: {n}")


def _from_figures(live: Sequence[Claim]) -> Toll:
    """The toll of live death claims read from ordinary wording."""
    if not live:
        return Toll(0, None, None, "no deaths reported")
    numeric = [c for c in live if c.count is not None]
    if not numeric:
        code = min(VAGUE_DEFAULT if c.coded is None else c.coded for c in live)
        return Toll(code, code, code, f"only vague figures: coded {code} as ACLED codes them")
    by_group: dict[str, list[Claim]] = {}
    for c in numeric:
        by_group.setdefault(c.group, []).append(c)
    general = by_group.pop("all", [])
    lows, highs = [], []
    if general:
        lows.append(_lowest(general))
        highs.append(max(_highest(c) for c in general))
    if by_group:
        lows.append(sum(_lowest(cs) for cs in by_group.values()))
        highs.append(sum(max(_highest(c) for c in cs) for cs in by_group.values()))
    low = min(lows)
    reason = f"lowest of {len(numeric)} figure(s) per group over {len(by_group) + bool(general)} group(s)"
    return Toll(low, low, max(highs), reason)


def _highest(claim: Claim) -> int:
    """The most a claim allows: the top of a range, else its count."""
    return claim.count_high or claim.count or 0


def _bound(claim: Claim) -> int | None:
    """The least number a bound claim allows: 'more than 50' -> 51, 'at least 8' -> 8; None when not a bound."""
    count = claim.count or 0
    return {"more_than": count + 1, "at_least": count}.get(claim.qualifier)


def _lowest(claims: Sequence[Claim]) -> int:
    """The lowest credible figure among claims about the same people.

    A headline rounds: "Over 50 dead" above a body's "51 killed" restates the 51, so a
    headline or caption bound that a body figure satisfies is not taken as a lower toll.
    A bound in the body ("at least seven soldiers") is a claim of its own.
    """
    exact = [c.count or 0 for c in claims if _bound(c) is None and c.field == "text"]

    def restated(c: Claim) -> bool:
        bound = _bound(c)
        return c.field != "text" and bound is not None and any(n >= bound for n in exact)

    credible = [c.count or 0 for c in claims if not restated(c)]
    return min(credible or [c.count or 0 for c in claims])
