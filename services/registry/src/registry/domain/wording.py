"""Tell a change of wording (表記) from a change of meaning, for 軽微な修正 (spec 4.2.3.2).

A 軽微な修正 of 氏名 may only write the same name in other characters: 常用平易な文字への変更
(髙 → 高) and 文字の同定 (a 字形 identified as a standard character). The test is mechanical, so
clerk and reviewer can predict it; ``same_name_wording`` says when it holds.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

CharacterVariants = Callable[[str, str], bool]
"""Say whether two characters are recorded as variants (異体字) of one another."""


def no_variants(a: str, b: str) -> bool:
    """Know no variant pairs: only identical characters are the same character."""
    return False


def _is_variation_selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF  # SVS, IVS


def characters(text: str) -> list[str]:
    """Split a name into its characters, each reduced to its identity.

    Variation selectors (IVS/SVS) are dropped, since they choose a 字形 of the same character;
    NFKC folds compatibility forms (全角英数, CJK互換漢字 with a canonical counterpart).
    """
    folded = unicodedata.normalize("NFKC", text)
    return [c for c in folded if not _is_variation_selector(c)]


def same_name_wording(old: str, new: str, variants: CharacterVariants) -> bool:
    """Say whether *new* writes the name *old* in other characters only (表記の修正).

    True when both have the same number of characters (as ``characters`` counts them) and each
    position holds the same character or a pair of variants; so 髙橋 → 高橋 and 葛󠄀城 → 葛城
    are wording, 山田 → 川田 and 高橋 → 高橋子 are not.
    """
    before, after = characters(old), characters(new)
    if len(before) != len(after):
        return False
    return all(
        a == b or variants(a, b) or variants(b, a) for a, b in zip(before, after, strict=True)
    )
