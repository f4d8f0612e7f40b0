"""Syndication: which wire agency a story credits, and whether two texts are copies of one story.

One wire story republished by ten sites, each with its own header, footer and "related"
links, is one report. `wire_origin` reads the credit ("BEIRUT (Reuters) -", "AP —",
"via AFP", "Copyright … The Associated Press") with patterns from
`data/syndication_wires.toml`; `signature` makes a MinHash of word 5-gram shingles
(stdlib hashing, deterministic across runs and machines) so that `similarity` estimates how
much of the shorter text the longer one contains, whatever boilerplate surrounds it.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

SHINGLE_WORDS = 5
NUM_HASHES = 128
BANDS = 32  # for band_keys: 32 bands of 4 hashes find pairs with Jaccard above about 0.4
DUPLICATE_THRESHOLD = 0.5  # similarity at or above which two texts are copies of one story

_PRIME = (1 << 61) - 1  # a Mersenne prime for the universal hash family
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class WireCredit:
    """One credit of a wire agency in a text: the agency's canonical name, the words as written, where."""

    agency: str
    as_written: str
    start: int
    end: int


@dataclass(frozen=True)
class _Wires:
    """Compiled credit patterns, one per agency, with the sign-off trailers."""

    credits: tuple[tuple[str, re.Pattern[str]], ...]
    trailers: tuple[tuple[str, re.Pattern[str]], ...]
    photo_words: re.Pattern[str]
    photo_window: int
    head_chars: int
    tail_chars: int


@lru_cache(maxsize=1)
def _wires() -> _Wires:
    """Load the agencies and credit patterns once."""
    raw = tomllib.loads(resources.files("sitrep.data").joinpath("syndication_wires.toml").read_text("utf-8"))
    credits: list[tuple[str, re.Pattern[str]]] = []
    trailers: list[tuple[str, re.Pattern[str]]] = []
    for agency, spec in raw["agencies"].items():
        names = "|".join(re.escape(n) for n in sorted(spec["names"], key=len, reverse=True))
        names = rf"(?<![\w-])(?:{names})(?![\w-])"
        for pattern in raw["credits"]["patterns"]:
            credits.append((agency, re.compile(pattern.replace("{agency}", names))))
        trailers.extend((agency, re.compile(p)) for p in spec.get("trailers", []))
    return _Wires(
        tuple(credits),
        tuple(trailers),
        re.compile(raw["credits"]["photo_words"]),
        int(raw["credits"]["photo_window"]),
        int(raw["head_chars"]),
        int(raw["tail_chars"]),
    )


def wire_credits(text: str) -> list[WireCredit]:
    """Every credit of a wire agency in a text's head or tail, in text order (photo credits excluded)."""
    wires = _wires()
    spans = [(0, min(len(text), wires.head_chars))]
    if len(text) > wires.head_chars:
        spans.append((max(wires.head_chars, len(text) - wires.tail_chars), len(text)))
    found: dict[tuple[int, str], WireCredit] = {}
    for lo, hi in spans:
        for agency, pattern in (*wires.credits, *wires.trailers):
            for m in pattern.finditer(text, lo, hi):
                if _photo_credit(text, m.start(), m.end(), wires):
                    continue
                found.setdefault(
                    (m.start(), agency), WireCredit(agency, m.group().strip(), m.start(), m.end())
                )
    return sorted(found.values(), key=lambda c: (c.start, c.agency))


def wire_origin(text: str) -> str | None:
    """The wire agency a story credits ('AFP', 'Reuters', 'AP', …): the first credit in the text, else None."""
    credits = wire_credits(text)
    return credits[0].agency if credits else None


def _photo_credit(text: str, start: int, end: int, wires: _Wires) -> bool:
    """Whether a match is part of a photo credit: a photo word just before it, or a slash joining a name."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[max(line_start, start - wires.photo_window) : start]
    after = text[end : end + 2]
    return (
        bool(wires.photo_words.search(before))
        or before.rstrip().endswith("/")
        or after.lstrip().startswith("/")
    )


# --- near-duplicates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """A MinHash of a text's word shingles, with the number of distinct shingles it was made from."""

    hashes: tuple[int, ...]
    shingles: int

    def to_hex(self) -> str:
        """A compact text form for a database column."""
        body = b"".join(h.to_bytes(8, "big") for h in self.hashes)
        return f"{self.shingles}:{body.hex()}"

    @classmethod
    def from_hex(cls, value: str) -> Signature:
        """The signature `to_hex` wrote."""
        count, body = value.split(":", 1)
        raw = bytes.fromhex(body)
        return cls(tuple(int.from_bytes(raw[i : i + 8], "big") for i in range(0, len(raw), 8)), int(count))


def words(text: str) -> list[str]:
    """Normalised words of a text: NFKC, case-folded, punctuation dropped."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[int]:
    """64-bit hashes of the text's overlapping word n-grams (the whole text when shorter)."""
    tokens = words(text)
    if not tokens:
        return set()
    grams = (" ".join(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1)))
    return {_hash64(g) for g in grams}


def signature(text: str, num_hashes: int = NUM_HASHES) -> Signature:
    """The MinHash signature of a text."""
    values = shingles(text)
    if not values:
        return Signature((), 0)
    return Signature(
        tuple(min((a * v + b) % _PRIME for v in values) for a, b in _coefficients(num_hashes)), len(values)
    )


def similarity(a: Signature, b: Signature) -> float:
    """Estimated share of the shorter text's shingles found in the longer one (0 to 1)."""
    if not a.shingles or not b.shingles or len(a.hashes) != len(b.hashes):
        return 0.0
    jaccard = sum(x == y for x, y in zip(a.hashes, b.hashes, strict=True)) / len(a.hashes)
    shared = jaccard * (a.shingles + b.shingles) / (1 + jaccard)
    return min(1.0, shared / min(a.shingles, b.shingles))


def near_duplicate(a_text: str, b_text: str) -> float:
    """How far two texts are copies of one story (0 to 1; DUPLICATE_THRESHOLD and above: the same story)."""
    return similarity(signature(a_text), signature(b_text))


def band_keys(sig: Signature, bands: int = BANDS) -> list[str]:
    """Locality-sensitive keys: two texts sharing any key are candidates to compare (index these in the store)."""
    if not sig.hashes:
        return []
    rows = len(sig.hashes) // bands
    keys = []
    for band in range(bands):
        chunk = b"".join(h.to_bytes(8, "big") for h in sig.hashes[band * rows : (band + 1) * rows])
        keys.append(f"{band}:{hashlib.blake2b(chunk, digest_size=8).hexdigest()}")
    return keys


def _hash64(value: str) -> int:
    """A stable 64-bit hash of a string (blake2b; Python's hash() changes between runs)."""
    return int.from_bytes(hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest(), "big")


@lru_cache(maxsize=4)
def _coefficients(n: int) -> tuple[tuple[int, int], ...]:
    """Fixed (a, b) pairs of the n hash functions h(x) = (a·x + b) mod p, derived from their index."""
    pairs = []
    for i in range(n):
        digest = hashlib.blake2b(f"sitrep-minhash-{i}".encode(), digest_size=16).digest()
        a = int.from_bytes(digest[:8], "big") % (_PRIME - 1) + 1
        b = int.from_bytes(digest[8:], "big") % _PRIME
        pairs.append((a, b))
    return tuple(pairs)
