"""Normalise kana and names for search (検索文字入力, spec 2.1.2).

`normalize_kana` gives the key for フリガナ search: width, script (ひらがな/カタカナ), small kana
(拗音・促音), long-vowel variants and spaces no longer matter.  `normalize_name` does the same
for kanji and alphabet names (氏名) where only width, case and spaces should not matter.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv

_SMALL_TO_LARGE = str.maketrans("ァィゥェォャュョッヮヵヶ", "アイウエオヤユヨツワカケ")

# spec 2.1.2: ー(全角長音) ―(全角ダッシュ) －(全角マイナス) ‐(全角ハイフン) ｰ(半角長音)
# -(半角) are one character for search.  NFKC turns － into "-" and ｰ into "ー"; the rest
# survive NFKC unchanged.
_LONG_VOWEL_VARIANTS = str.maketrans(dict.fromkeys("-‐‑‒–—―−", "ー"))

_WHITESPACE = re.compile(r"\s+")

# ひらがな ぁ-ゖ ゝゞ, カタカナ ァ-ヺ ・ ー ヽヾ (the whole Katakana block from U+30A1).
_KANA_CHARS = re.compile(r"[\u3041-\u3096\u309d\u309e\u30a1-\u30fe]+")


def _compact(text: str) -> str:
    """Apply NFKC (半角カナ → 全角, 全角英数 → 半角) and drop whitespace, then recompose.

    Recomposing (NFC) after dropping spaces turns カ゛ (NFKC: カ, space, combining ゛) into ガ.
    """
    squeezed = _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))
    return unicodedata.normalize("NFC", squeezed)


def normalize_kana(text: str) -> str:
    """Normalise a フリガナ for search (カナ検索キー).

    NFKC (半角カナ → 全角, カ゛ → ガ), ひらがな → カタカナ, small kana (ァィゥェォャュョッヮヵヶ)
    → large, every long-vowel variant listed in spec 2.1.2 → "ー" (kept, not removed), and all
    whitespace including 全角スペース removed.  Voicing (濁音) and 長音 are *not* folded away here.
    """
    katakana: str = jaconv.hira2kata(_compact(text))
    return katakana.translate(_SMALL_TO_LARGE).translate(_LONG_VOWEL_VARIANTS)


def is_kana(text: str) -> bool:
    """Tell whether *text* is a フリガナ: only カタカナ, ひらがな, 長音 and spaces after NFKC.

    The 長音 variants of spec 2.1.2 count as "ー"; "・" (中黒, in the Katakana block) is accepted
    because foreign residents' フリガナ separate names with it.  Blank text is not kana.
    """
    return bool(_KANA_CHARS.fullmatch(_compact(text).translate(_LONG_VOWEL_VARIANTS)))


def normalize_name(text: str) -> str:
    """Normalise a 氏名 (kanji or alphabet) for search: NFKC, no spaces, alphabet upper-cased."""
    return _compact(_compact(text).upper())  # again: upper-casing can leave NFKC/NFC (ß → SS)
