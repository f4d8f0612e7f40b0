"""Name folding: the transliteration-tolerant keys place names are matched on."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

from sitrep.geo.words import cues

# Latin letters NFKD does not decompose into a base letter and a diacritic.
_SPECIAL = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ħ": "h",
        "ŀ": "l",
        "ə": "a",
        "ɛ": "e",
        "ɔ": "o",
        "ŋ": "ng",
    }
)
_APOSTROPHES = re.compile(r"[’'`ʿʾ‘ʻʼ´′]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DOUBLED = re.compile(r"(zh|kh|sh|ch|gh|th|dh|.)\1+")
_INNER_Y = re.compile(r"(?<=.)y")
_FINAL_H = re.compile(r"([ae])h$")
_VOWELS = re.compile(r"(?<=.)[aeiou]")
_KH_Q = re.compile(r"kh|q")


def fold(text: str) -> str:
    """Lowercase, strip diacritics and map the Latin letters NFKD leaves alone (ø, ł, ı ...)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_SPECIAL)


def plain(name: str) -> str:
    """A name without diacritics, case kept: 'Ad Darbāsīyah' -> 'Ad Darbasiyah'."""
    decomposed = unicodedata.normalize("NFKD", name)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _tokens(text: str) -> list[str]:
    return _NON_ALNUM.sub(" ", _APOSTROPHES.sub("", fold(text))).split()


def _token_key(token: str) -> str:
    # Hasakeh/Hasakah -> hasaka, Nassir/Nasir -> nasir, Zaporizhzhia/Zaporizhia, Kamyanka/Kamianka,
    # cheap transliteration variants.
    # Dhi Qar/Thi Qar: one Arabic letter, two spellings
    return _FINAL_H.sub("a", _DOUBLED.sub(r"\1", _INNER_Y.sub("i", token))).replace("dh", "th")


def name_key(text: str, strip_suffix: bool = False) -> str:
    """The matching key of a place name: folded, articles/punctuation/doubled letters dropped, -eh/-ah as -a."""
    c = cues()
    toks = _tokens(without_type_prefix(text) if strip_suffix else text)
    if strip_suffix:
        while len(toks) > 1 and (toks[-1] in c.admin_suffixes or " ".join(toks[-2:]) in c.admin_suffixes):
            toks = toks[:-2] if " ".join(toks[-2:]) in c.admin_suffixes else toks[:-1]
    kept = [t for t in toks if t not in c.articles] or toks
    return "".join(_token_key(t) for t in kept)


def without_type_prefix(name: str) -> str:
    """A subdivision's name without a leading type word and its particle: 'Caza du Chouf' -> 'Chouf',
    'Shahrestan-e Zanjan' -> 'Zanjan'."""
    words = name.split()
    c = cues()
    heads = {(*p.split(), *q.split()) for p in c.admin_prefixes for q in ("", *c.prefix_particles)}
    for i in range(min(4, len(words) - 1), 0, -1):  # the longest head first: 'Departement de la' before 'Departement'
        if tuple(_tokens(" ".join(words[:i]))) in heads:
            return " ".join(words[i:])
    return name


def loose_key(key: str) -> str:
    """A vowel-blind key for a `name_key` (Idleb/Idlib, Ninewa/Ninawa, Deir/Dayr), used only in context: Kh and H,
    Q and K are one letter too (Khan Yunis/Han Yunis, Qamishli/Kamishli), as transliterations of Arabic and
    Persian mix them."""
    return "~" + _VOWELS.sub("", _KH_Q.sub(lambda m: "h" if m.group(0) == "kh" else "k", key))


def _is_latin(text: str) -> bool:
    return fold(_APOSTROPHES.sub("", text)).isascii()


def key_rows(keys: Iterable[str], place_id: int) -> set[tuple[str, int]]:
    """(key, id) rows of the index's names table for a place's keys, vowel-blind keys included."""
    return {(k2, place_id) for k in keys if len(k) >= 2 for k2 in (k, loose_key(k))}


@cache
def ordinary_keys() -> frozenset[str]:
    """The keys of ordinary words that also name hamlets ('Market', 'Police'): such a place is found by that name
    only when it is large (`ORDINARY_MIN_POP`)."""
    return frozenset(name_key(w) for w in cues().ordinary)


# A place named like an ordinary word is found by that name only from this size.
ORDINARY_MIN_POP = 100_000
