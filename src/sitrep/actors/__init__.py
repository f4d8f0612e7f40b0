"""Who is who: actor names, aliases and ACLED actor types from reviewable data files.

Where each decision is made:

* `lexicon` — what the data files say: ``sitrep/data/actors_*`` read into typed entries (a
  `Country`, a named `Group`, a `Leader`, a generic `RoleNoun` of an `ActorClass`, a `Source`...),
  every alias in one token trie, which actor an entry stands for in a country at a date, and the
  spaCy entity ruler's patterns.
* `match` — where the lexicon's words are in a text: one tokenising pass, the leftmost-longest
  trie walk (linear in the text), ACLED's "(coded as X)" brackets, and ACLED's rule that state
  forces outside their own country are "External/Other forces".
* `compose` — what neighbouring words mean together: the grammar that turns "Turkish and Russian
  forces", "pro-Iran fighters", "Al Shabaab militants" or a bare "soldiers" into actor mentions.
* `book` — `ActorBook`, the facade callers use: `find` runs match then compose; `resolve`,
  `country_of`, `guess_country`, `iso2`, `ruler_patterns`; and `acled_name` for scoring.

Actor names follow ACLED's forms without the year brackets ("Military Forces of Israel",
"Civilians (Syria)", "Unidentified Armed Group (Yemen)", "Al Shabaab"). The small word lists the
grammar reads are in ``sitrep/data/actors_grammar.toml``.
"""

from sitrep.actors.book import ActorBook, acled_name
from sitrep.actors.lexicon import normalise
from sitrep.actors.match import ROLES, ActorMention

__all__ = ["ActorMention", "ActorBook", "acled_name", "normalise", "ROLES"]
