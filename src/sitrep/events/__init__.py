"""Stage 5: events — which events an article reports, of which ACLED type, by whom against whom.

- `rules`: the trigger lexicon (data/events_triggers.toml) with ACLED's priority rules; grouping an
  article's sentences into draft events; the type, sub-type and actors of a draft; salience.
- `learned`: a linear classifier trained on the project's own labelled examples (data/event_*.jsonl),
  which types what the rules leave untyped and says how sure it is (`type_source`, `type_confidence`).
"""

from sitrep.events.learned import Typing
from sitrep.events.rules import (
    Draft, Hit, Label, SentenceFacts, Typed, article_label, caption_draft, draft_events, find_triggers, lexicon,
    main_draft, salience, type_event, with_label,
)  # fmt: skip

__all__ = [
    "Draft", "Hit", "Label", "SentenceFacts", "Typed", "Typing", "article_label", "caption_draft", "draft_events",
    "find_triggers", "lexicon", "main_draft", "salience", "type_event", "with_label",
]  # fmt: skip
