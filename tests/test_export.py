"""export: the JSON contract round-trips; the summary shows claims with claimants."""

from __future__ import annotations

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sitrep import export


def test_jsonl_is_one_line_per_document_and_valid_json(extract):
    result = extract("Gunmen killed four villagers near Maiduguri on Tuesday, police said.", published="2024-05-10")
    buf = io.StringIO()
    export.to_jsonl(result, buf)
    (line,) = buf.getvalue().splitlines()
    doc = json.loads(line)
    assert doc["events"][0]["claims"][0]["claimant"] == "police"
    assert doc["events"][0]["date"] == "2024-05-07"


def test_summary_names_unattributed_claims(extract):
    text = "A car bomb killed five people in Kirkuk on Monday."
    out = export.summary(extract(text, published="2024-05-10"))
    assert "unattributed" in out and '"five people"' in out


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_extraction_never_raises_and_offsets_stay_inside(extract, text):
    result = extract(text or "x")
    for event in result.events:
        assert event.fatalities_low is None or event.fatalities_low <= event.fatalities_high
        for claim in event.claims:
            field = result.articles[claim.article].field_text(claim.field)
            assert 0 <= claim.start <= claim.end <= len(field)
    json.dumps(result.to_dict())
