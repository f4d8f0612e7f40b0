"""Accuracy floors for the dev data: check them, or raise them after an improvement.

    .venv/bin/python tests/eval_gate.py            # measure and compare with the floors
    .venv/bin/python tests/eval_gate.py --update   # raise floors to what is measured now (never lowers)
    .venv/bin/python tests/eval_gate.py --update --allow-lower
                                                   # also lower floors; refused unless CHANGELOG.md
                                                   # has a line naming each lowered field

Floors are pinned in eval_baseline.json next to a hash of each corpus, so a changed corpus is
noticed instead of silently compared. `tests/test_quality_gate.py` runs the check in CI.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sitrep.evaluate import Report, evaluate

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "eval_baseline.json"
CHANGELOG = HERE.parent / "CHANGELOG.md"
DATA = HERE.parent.parent / "shared" / "data"
# (name in the baseline, path, cues kept)
NEGATIVES = HERE.parent / "src" / "sitrep" / "data" / "event_negatives_eval.jsonl"  # the project's own, held out
DATASETS = (
    ("acled_dev", DATA / "acled_dev.jsonl", True),
    ("acled_dev_stripped", DATA / "acled_dev.jsonl", False),
    ("articles_dev", DATA / "articles_dev", True),
    ("event_negatives", NEGATIVES, True),
)


def measure() -> dict[str, Report]:
    """Evaluate every dev set."""
    with_cues = evaluate([p for _, p, cues in DATASETS if cues])
    stripped = evaluate([p for _, p, cues in DATASETS if not cues], cues=False)
    reports = iter(with_cues)
    plain = iter(stripped)
    return {name: next(reports) if cues else next(plain) for name, _, cues in DATASETS}


def check(reports: dict[str, Report], baseline: dict) -> list[str]:
    """Every field below its floor, and every corpus whose hash changed."""
    problems = []
    for name, report in reports.items():
        pinned = baseline["datasets"].get(name)
        if pinned is None:
            problems.append(f"{name}: no floors pinned (run tests/eval_gate.py --update)")
            continue
        if pinned["corpus_hash"] != report.corpus_hash:
            problems.append(f"{name}: the corpus changed ({pinned['corpus_hash']} -> {report.corpus_hash}); re-pin floors")
        rates = report.rates()
        for field, floor in pinned["floors"].items():
            got = rates.get(field)
            if got is None or got + 1e-9 < floor:
                problems.append(f"{name}: {field} {got} is below its floor {floor}")
    return problems


def update(reports: dict[str, Report], baseline: dict, allow_lower: bool) -> list[str]:
    """Raise floors to the measured rates (lower them only when allowed and logged); return the changes."""
    changes, lowered = [], []
    changelog = CHANGELOG.read_text("utf-8").lower() if CHANGELOG.exists() else ""
    for name, report in reports.items():
        pinned = baseline["datasets"].setdefault(name, {"corpus_hash": report.corpus_hash, "floors": {}})
        pinned["corpus_hash"] = report.corpus_hash
        for field, rate in report.rates().items():
            old = pinned["floors"].get(field)
            if old is None or rate > old:
                pinned["floors"][field] = rate
                changes.append(f"{name}: {field} {old} -> {rate}")
            elif rate < old:
                lowered.append((name, field, old, rate))
    for name, field, old, rate in lowered:
        if not allow_lower:
            changes.append(f"{name}: {field} measured {rate} < floor {old}: kept (lowering needs --allow-lower)")
        elif "floor" in changelog and field.lower() in changelog:
            baseline["datasets"][name]["floors"][field] = rate
            changes.append(f"{name}: {field} LOWERED {old} -> {rate}")
        else:
            raise SystemExit(f"refused: lowering {name} {field} needs a CHANGELOG.md line naming the floor and '{field}'")
    return changes


def main() -> int:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--allow-lower", action="store_true")
    args = ap.parse_args()
    baseline = json.loads(BASELINE.read_text("utf-8")) if BASELINE.exists() else {"datasets": {}}
    reports = measure()
    for name, report in reports.items():
        print(name, json.dumps(report.rates()))
    if args.update:
        for line in update(reports, baseline, args.allow_lower):
            print(line)
        BASELINE.write_text(json.dumps(baseline, indent=2, sort_keys=True) + "\n", "utf-8")
        return 0
    problems = check(reports, baseline)
    for p in problems:
        print("BELOW FLOOR:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
