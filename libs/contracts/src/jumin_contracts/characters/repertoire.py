"""Repertoires: the MJ set read from `mj_set.txt`, and the characters each kind of field allows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from importlib import resources


@dataclass(frozen=True)
class MjSet:
    """Hold the MJ文字 (文字情報基盤) the font carries: its ideographs and IVS pairs."""

    source: str
    ideographs: frozenset[str]
    sequences: frozenset[str]  # base + selector, two characters each

    @classmethod
    def parse(cls, text: str) -> MjSet:
        """Read the data file's format (see `build.render`)."""
        source = ""
        section = ""
        ideographs: set[str] = set()
        sequences: set[str] = set()
        for line in text.splitlines():
            if line.startswith("# source:"):
                source = line.removeprefix("# source:").strip()
            elif line.startswith("["):
                section = line.strip("[]")
            elif line and not line.startswith("#"):
                if section == "ideographs":
                    first, _, last = line.partition("-")
                    start = int(first, 16)
                    ideographs.update(chr(cp) for cp in range(start, int(last or first, 16) + 1))
                else:
                    base, *selectors = (chr(int(h, 16)) for h in line.split())
                    sequences.update(base + selector for selector in selectors)
        return cls(source=source, ideographs=frozenset(ideographs), sequences=frozenset(sequences))

    @classmethod
    def shipped(cls) -> MjSet:
        """Load the set shipped with this package."""
        data = resources.files(__package__).joinpath("mj_set.txt").read_text(encoding="utf-8")
        return cls.parse(data)


MJ = MjSet.shipped()
"""The MJ set this package ships (IPAmj明朝 Ver.005.01)."""


class TextKind(StrEnum):
    """Tell which repertoire a text field draws from (decided per record item, docs/domain.md)."""

    FREE = "free"  # any printable text on one line (住所, 本籍, 理由 …): the refusals only
    MULTILINE = "multiline"  # free text that may break lines (備考, 理由): LF allowed
    NAME = "name"  # 氏, 名, 旧氏, 通称, 筆頭者: MJ漢字 (+IVS, 外字), kana, Latin letters
    ALPHABET = "alphabet"  # 氏名 (アルファベット): Latin letters, space - ' . ,
    KATAGAKI = "katagaki"  # 方書: a name's repertoire plus digits and a few building marks


def _span(first: str, last: str) -> frozenset[str]:
    return frozenset(chr(cp) for cp in range(ord(first), ord(last) + 1))


HIRAGANA = _span("ぁ", "ゖ") | set("ゝゞ")
KATAKANA = _span("ァ", "ヺ") | set("・ーヽヾ")
NAME_MARKS = frozenset(
    "々〆〇"
)  # 同の字点, しめ, 漢数字ゼロ (MJ, but outside the ideograph blocks)
LATIN = _span("A", "Z") | _span("a", "z")
FULLWIDTH_LATIN = _span("Ａ", "Ｚ") | _span("ａ", "ｚ")
NAME_PUNCTUATION = frozenset(
    " \u3000-'.,"
)  # spaces (半角・全角), hyphen, apostrophe, period, comma
DIGITS = _span("0", "9") | _span("０", "９")
BUILDING_MARKS = frozenset("－‐−()（）#＃&＆/／．，")

EXTRAS: dict[TextKind, frozenset[str]] = {
    TextKind.NAME: HIRAGANA | KATAKANA | NAME_MARKS | LATIN | FULLWIDTH_LATIN | NAME_PUNCTUATION,
    TextKind.ALPHABET: LATIN | NAME_PUNCTUATION - {"\u3000"},
    TextKind.KATAGAKI: HIRAGANA
    | KATAKANA
    | NAME_MARKS
    | LATIN
    | FULLWIDTH_LATIN
    | NAME_PUNCTUATION
    | DIGITS
    | BUILDING_MARKS,
}
"""Characters besides the MJ ideographs that each restricted kind allows."""

WITH_IDEOGRAPHS = frozenset({TextKind.NAME, TextKind.KATAGAKI})
"""Kinds that carry MJ ideographs, their IVS and registered 外字."""


def allowed(kind: TextKind, mj: MjSet = MJ) -> frozenset[str] | None:
    """Return the characters a restricted kind allows alone (None: any printable character)."""
    extras = EXTRAS.get(kind)
    if extras is None:
        return None
    return extras | mj.ideographs if kind in WITH_IDEOGRAPHS else extras
