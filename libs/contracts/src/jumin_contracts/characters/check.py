"""Find the first character a text field may not hold, and say why without echoing the text.

`check_text` raises `ValueError` with a message naming the 1-based position (counted in code
points) and the code point (U+XXXX) — never the text — so a pydantic validator can use it as is.
Fast paths: `str.isprintable` for free text, a frozenset superset test for the restricted kinds;
only a refused or unusual string is walked character by character.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from dataclasses import dataclass
from enum import Enum
from functools import cache

from jumin_contracts.characters.repertoire import MJ, WITH_IDEOGRAPHS, MjSet, TextKind, allowed

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
SPACES = frozenset(" \u3000")
"""The only space separators (Zs) accepted: 半角 and 全角 space (not NBSP, thin spaces …)."""


class Reason(Enum):
    """Why a character is refused: (Japanese, English)."""

    CONTROL = ("制御文字", "a control character")
    BIDI = ("双方向制御文字", "a bidirectional control")
    ZERO_WIDTH = ("ゼロ幅文字", "a zero-width character")
    FORMAT = ("書式制御文字", "a format character")
    SPACE = ("特殊な空白", "a special space")
    SURROGATE = ("サロゲート", "a lone surrogate")
    UNASSIGNED = ("未割当の符号位置", "an unassigned code point")
    PRIVATE_USE = ("未登録の外字 (私用領域)", "a private-use character not registered as 外字")
    SYMBOL = ("記号・絵文字", "a symbol or emoji")
    OUTSIDE_SET = ("この項目で使えない文字", "a character this field does not allow")
    SELECTOR = (
        "文字情報基盤にない異体字セレクタの組合せ",
        "a variation selector not in the MJ set",
    )

    @property
    def japanese(self) -> str:
        """Return the Japanese wording."""
        return self.value[0]

    @property
    def english(self) -> str:
        """Return the English wording."""
        return self.value[1]


@dataclass(frozen=True)
class CharacterProblem:
    """Point at one refused character: 1-based position, code point, reason."""

    position: int
    code_point: int
    reason: Reason

    @property
    def code(self) -> str:
        """Return the code point as U+XXXX."""
        return f"U+{self.code_point:04X}"

    def message(self) -> str:
        """Say what is wrong, in Japanese then English, without the text itself."""
        return (
            f"{self.position}文字目 ({self.code}) は{self.reason.japanese}のため使用できません / "
            f"character {self.position} ({self.code}) is {self.reason.english}"
        )


class _AnyGaiji(Container[str]):
    """Stand for 'whichever 外字 the register holds': decided later, against the 外字 table."""

    def __contains__(self, item: object) -> bool:
        return True


ANY_GAIJI: Container[str] = _AnyGaiji()
"""Let every private-use character through, for a caller that checks them against the 外字
table itself (the registry, inside the transaction)."""


def is_private_use(char: str) -> bool:
    """Say whether a character is in a private-use area (私用領域: 外字 live there)."""
    return unicodedata.category(char) == "Co"


_PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")


def has_private_use(text: str) -> bool:
    """Say whether a text holds any private-use character (外字)."""
    return _PRIVATE_USE.search(text) is not None


def private_use_chars(text: str) -> set[str]:
    """Return the private-use characters of a text (empty for almost every text; a regex scan)."""
    return set(_PRIVATE_USE.findall(text))


def private_use_positions(text: str) -> list[tuple[int, str]]:
    """Return the 1-based position of each private-use character of a text."""
    return [(match.start() + 1, match.group()) for match in _PRIVATE_USE.finditer(text)]


def _refusal(char: str, gaiji: Container[str], multiline: bool) -> Reason | None:
    """Return why any field refuses this character, or None."""
    category = unicodedata.category(char)
    if category[0] not in "CZ":
        return None
    if char in BIDI_CONTROLS:
        return Reason.BIDI
    if char in ZERO_WIDTH:
        return Reason.ZERO_WIDTH
    if category == "Cc":
        return None if multiline and char == "\n" else Reason.CONTROL
    if category == "Zs":
        return None if char in SPACES else Reason.SPACE
    simple = {"Cf": Reason.FORMAT, "Cs": Reason.SURROGATE, "Cn": Reason.UNASSIGNED}
    if category == "Co":
        return None if char in gaiji else Reason.PRIVATE_USE
    return simple.get(category, Reason.CONTROL)  # Zl, Zp: line and paragraph separators


@cache
def _allowed(kind: TextKind) -> frozenset[str] | None:
    return allowed(kind, MJ)


def find_problem(
    text: str, kind: TextKind = TextKind.FREE, *, gaiji: Container[str] = (), mj: MjSet = MJ
) -> CharacterProblem | None:
    """Return the first character of *text* that a field of *kind* may not hold, or None.

    *gaiji* holds the registered 外字 (private-use characters) allowed here; `ANY_GAIJI` defers
    that question to the caller.  A variation selector is allowed only right after the base it
    forms an MJ IVS pair with.
    """
    repertoire = _allowed(kind) if mj is MJ else allowed(kind, mj)
    if repertoire is None:
        if text.isprintable():
            return None
    elif repertoire.issuperset(text):
        return None
    multiline = kind is TextKind.MULTILINE
    for index, char in enumerate(text):
        reason = _refusal(char, gaiji, multiline)
        if reason is None and repertoire is not None and char not in repertoire:
            reason = _outside(text, index, kind, gaiji, mj)
        if reason is not None:
            return CharacterProblem(position=index + 1, code_point=ord(char), reason=reason)
    return None


def _outside(
    text: str, index: int, kind: TextKind, gaiji: Container[str], mj: MjSet
) -> Reason | None:
    """Judge a character outside a restricted repertoire: 外字, an IVS, or refused."""
    char = text[index]
    if kind not in WITH_IDEOGRAPHS:
        return Reason.SYMBOL if unicodedata.category(char)[0] == "S" else Reason.OUTSIDE_SET
    if is_private_use(char):
        return None  # a 外字 the caller allows (_refusal has checked `gaiji`)
    if unicodedata.name(char, "").startswith("VARIATION SELECTOR"):
        pair = text[index - 1 : index + 1] if index > 0 else ""
        return None if pair in mj.sequences else Reason.SELECTOR
    return Reason.SYMBOL if unicodedata.category(char)[0] == "S" else Reason.OUTSIDE_SET


def check_text(
    text: str, kind: TextKind = TextKind.FREE, *, gaiji: Container[str] = ANY_GAIJI
) -> str:
    """Return *text* unchanged if a field of *kind* may hold it; else raise ValueError.

    By default private-use characters pass (`ANY_GAIJI`): the registry checks them against its
    外字 table; pass ``gaiji=()`` where no 外字 may appear.
    """
    problem = find_problem(text, kind, gaiji=gaiji)
    if problem is not None:
        raise ValueError(problem.message())
    return text
