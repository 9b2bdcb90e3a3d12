"""The characters a text item may hold (文字): the MJ set, 外字, kana and Latin, per kind of field.

A 住民票 can carry only what the register's character set has: the MJ文字 of 文字情報基盤 with
their IVS, read from the IPAmj明朝 font (`mj_set.txt`, built by `build`), plus the kana and Latin
forms the record items allow, plus the ward's registered 外字 (private-use code points).  Every
text field refuses control, bidi, zero-width, other format, unassigned and surrogate code points
and unregistered private-use ones; name fields also refuse whatever is outside their repertoire
(emoji, symbols, Cyrillic …).  See docs/domain.md, "Characters".
"""

from __future__ import annotations

from jumin_contracts.characters.check import (
    ANY_GAIJI,
    CharacterProblem,
    Reason,
    check_text,
    find_problem,
    has_private_use,
    is_private_use,
    private_use_chars,
    private_use_positions,
)
from jumin_contracts.characters.repertoire import MJ, MjSet, TextKind

__all__ = [
    "ANY_GAIJI",
    "MJ",
    "CharacterProblem",
    "MjSet",
    "Reason",
    "TextKind",
    "check_text",
    "find_problem",
    "has_private_use",
    "is_private_use",
    "private_use_chars",
    "private_use_positions",
]
