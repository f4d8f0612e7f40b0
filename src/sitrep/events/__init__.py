"""Stage 5: events — which events an article reports, of which ACLED type, by whom against whom.

- `triggers`: the trigger lexicon (data/events_triggers.toml) and what is read from each sentence.
- `segment`: an article's sentences grouped into incidents (draft events).
- `rules`: the type, sub-type and actors of a draft by ACLED's priority rules; salience.
- `learned`: a linear classifier trained on the project's own labelled examples (data/event_*.jsonl),
  which types what the rules leave untyped and says how sure it is (`type_source`, `type_confidence`).
"""

from sitrep.events.learned import Typing
from sitrep.events.rules import Label, Typed, article_label, main_draft, salience, type_event, with_label
from sitrep.events.segment import Draft, caption_draft, draft_events
from sitrep.events.triggers import Hit, SentenceFacts, find_triggers, lexicon

__all__ = [
    "Draft", "Hit", "Label", "SentenceFacts", "Typed", "Typing", "article_label", "caption_draft", "draft_events",
    "find_triggers", "lexicon", "main_draft", "salience", "type_event", "with_label",
]  # fmt: skip
