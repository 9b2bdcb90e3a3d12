"""Addresses (住所) and the address dictionary (住所辞書, spec 1.3.3) they are checked against.

A ward address is 町丁目 + 番地・号 + 方書; an outside address (転入前・転出先) must at least name a
real 都道府県 + 市区町村; a foreign address (国外) names a country. The dictionary itself is an
adapter (``registry.adapters.address_dictionary``); this module holds the values and the grammar
of 丁目・番地 that does not depend on any data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from registry.domain.errors import RuleViolation

_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_NUMERAL = r"[0-9]+|[〇一二三四五六七八九十]+"
_CHOME = re.compile(rf"(?P<n>{_NUMERAL})丁目")
_BARE_CHOME = re.compile(r"(?P<n>[0-9]+)(?:-|(?![0-9番号の]))")
_BANCHI_TOKEN = re.compile(rf"(?P<n>{_NUMERAL})(?P<unit>番地の|番地|番の|番|号|の|-)?")
_FINAL_UNITS = {"号", ""}
_LINKING_UNITS = {"-", "の", "番地の", "番の"}
_DASHES = "－‐‑‒–—―−"  # full-width and typographic dashes typed for 番地 hyphens
_TRANSLATION = str.maketrans("０１２３４５６７８９　" + _DASHES, "0123456789 " + "-" * len(_DASHES))
_CHOUON_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])[ーｰ](?=[0-9])")  # '2ー8ー1'
_FOREIGN_FORBIDDEN = {"日本", "日本国", "JAPAN", "Japan", "japan"}


class AddressError(RuleViolation, ValueError):
    """Refuse an address the dictionary does not know (住所辞書にない住所)."""

    title = "Address not in the address dictionary"


@dataclass(frozen=True, kw_only=True)
class Town:
    """Hold one 町 or 町丁目 of the ward as the address dictionary lists it.

    Japan Post data lists 町 without their 丁目, so dictionary entries have ``chome=None``.
    """

    code: str  # 町丁目コード: 地方公共団体コード + '-' + 町名, stable across data updates
    name: str  # 町名, e.g. '西新宿'
    kana: str  # 町名カナ (全角カタカナ)
    postal_code: str  # 郵便番号 (7 digits) used when no finer rule applies
    chome: int | None = None  # 丁目
    has_chome: bool = False  # whether addresses in this 町 are written with 丁目


@dataclass(frozen=True, kw_only=True)
class WardAddress:
    """Hold an address inside the ward (区内住所): 町丁目, 番地・号 and 方書."""

    town_code: str
    town_name: str
    chome: int | None  # 丁目
    banchi: str  # 番地・号, normalised: ASCII digits, '8番1号' / '8番地1' / '8-1' as typed
    katagaki: str | None  # 方書 (building, room)
    postal_code: str  # 郵便番号 (7 digits)
    prefecture: str  # 都道府県 of the ward
    municipality: str  # the ward itself (区名)

    @property
    def banchi_numbers(self) -> tuple[int, ...]:
        """Return the numbers of the 番地・号 for sorting (spec 1.3.2: 数値によるコード管理)."""
        return tuple(int(n) for n in re.findall(r"[0-9]+", self.banchi))

    @property
    def full_text(self) -> str:
        """Render the address as printed, e.g. '東京都新宿区西新宿二丁目8番1号 ○○ビル301'."""
        chome = f"{int_to_kanji(self.chome)}丁目" if self.chome is not None else ""
        text = f"{self.prefecture}{self.municipality}{self.town_name}{chome}{self.banchi}"
        return f"{text} {self.katagaki}" if self.katagaki else text


@dataclass(frozen=True, kw_only=True)
class OutsideAddress:
    """Hold an address outside the ward: 国内 (都道府県 + 市区町村 + free text) or 国外 (国名)."""

    text: str  # the address as given (for 国外, the part after the country)
    prefecture: str | None = None  # 都道府県
    municipality: str | None = None  # 市区町村 (郡名・政令市の区名を含む)
    municipality_code: str | None = None  # 地方公共団体コード (6 digits with check digit)
    country: str | None = None  # 国名 (国外のみ)

    @property
    def full_text(self) -> str:
        """Render the address as printed; a foreign one is preceded by its country."""
        if self.country is None:
            return self.text
        return f"{self.country} {self.text}".rstrip()


@dataclass(frozen=True, kw_only=True)
class StreetPart:
    """Hold what follows a 町名: 丁目, 番地・号 and the remaining text (方書)."""

    chome: int | None
    banchi: str
    rest: str


class AddressBook(Protocol):
    """Look addresses up in the 住所辞書 (spec 1.3.3)."""

    def parse_ward_address(self, text: str) -> WardAddress:
        """Parse an address inside the ward, with or without '東京都新宿区'; raise AddressError."""
        ...

    def towns(self, prefix: str = "") -> list[Town]:
        """List the ward's 町 whose name or カナ starts with *prefix* (住所カナ入力), 五十音順."""
        ...

    def town_for_postal_code(self, postal_code: str) -> Town:
        """Find the 町 of a ward postal code (building codes too); raise AddressError."""
        ...

    def check_outside_address(self, text: str) -> OutsideAddress:
        """Check a domestic address outside the ward (転入前・転出先); raise AddressError."""
        ...

    def check_foreign_address(self, country: str, text: str) -> OutsideAddress:
        """Check an address abroad (国外転入・国外転出); raise AddressError."""
        ...


def normalise(text: str) -> str:
    """Normalise typed digits, dashes and spaces (全角→半角) without changing the text's length."""
    return _CHOUON_BETWEEN_DIGITS.sub("-", text.translate(_TRANSLATION))


def fold_for_matching(text: str) -> str:
    """Fold spelling variants of 町名 (ヶ/ケ, ヵ/カ) one character for one, for lookups."""
    return text.replace("ヶ", "ケ").replace("ヵ", "カ")


def kanji_to_int(numeral: str) -> int:
    """Convert '2', '二', '十二', '九十九' or positional '一〇五' to an int (漢数字→算用数字)."""
    if numeral.isascii() and numeral.isdigit():
        return int(numeral)
    try:
        if "十" not in numeral:
            return int("".join(str(_KANJI_DIGITS[c]) for c in numeral))
        tens, _, ones = numeral.partition("十")
        return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)
    except KeyError:
        raise AddressError(f"数字として読めません: {numeral} / not a number") from None


def int_to_kanji(number: int) -> str:
    """Write 1..99 in kanji as 丁目 are printed (2 → '二', 12 → '十二', 20 → '二十')."""
    if not 1 <= number <= 99:
        raise AddressError(f"丁目は1〜99です: {number} / chome must be 1..99")
    digits = "〇一二三四五六七八九"
    tens, ones = divmod(number, 10)
    text = (digits[tens] if tens > 1 else "") + ("十" if tens else "")
    return text + (digits[ones] if ones else "")


def parse_street(rest: str, *, town: str, has_chome: bool) -> StreetPart:
    """Split the text after a 町名 into 丁目, 番地・号 and the remaining 方書 text."""
    chome, pos = _parse_chome(rest, town=town, has_chome=has_chome)
    banchi, pos = _parse_banchi(rest, pos)
    return StreetPart(chome=chome, banchi=banchi, rest=rest[pos:].strip())


def _parse_chome(rest: str, *, town: str, has_chome: bool) -> tuple[int | None, int]:
    """Read '二丁目' / '2丁目' / the '2' of '2-8-1' at the start; return 丁目 and end position."""
    match = _CHOME.match(rest)
    if match and not has_chome:
        raise AddressError(f"{town}には丁目がありません: {rest} / {town} has no chome")
    if not match and has_chome:
        match = _BARE_CHOME.match(rest)
    if not match:
        return None, 0
    chome = kanji_to_int(match["n"])
    if not 1 <= chome <= 99:
        raise AddressError(f"丁目は1〜99です: {rest} / chome must be 1..99")
    return chome, match.end()


def _parse_banchi(rest: str, pos: int) -> tuple[str, int]:
    """Read 番地・号 such as '8番1号', '123番地の4' or '8-1' from *pos*; return text and end."""
    parts: list[str] = []
    while (match := _BANCHI_TOKEN.match(rest, pos)) and _is_banchi_number(match):
        unit, pos = match["unit"] or "", match.end()
        following = _BANCHI_TOKEN.match(rest, pos)
        if unit in _LINKING_UNITS and not (following and _is_banchi_number(following)):
            unit, pos = "", match.start("unit")  # a dangling '-' or 'の' belongs to the 方書
        parts.append(f"{kanji_to_int(match['n'])}{unit}")
        if unit in _FINAL_UNITS:
            break
    return "".join(parts), pos


def _is_banchi_number(match: re.Match[str]) -> bool:
    """Tell a 番地 number from a kanji numeral inside a 方書 ('三井ビル' has no 番/号 after 三)."""
    return match["n"].isascii() or match["unit"] is not None


def foreign_address(country: str, text: str) -> OutsideAddress:
    """Build a 国外 address: the country (国名) is required, the rest is free text."""
    country = country.strip()
    if not country:
        raise AddressError("国外の住所には国名が必要です / a foreign address needs a country")
    if country in _FOREIGN_FORBIDDEN:
        raise AddressError(
            f"国内の住所は国外住所として登録できません: {country} / Japan is not a foreign country"
        )
    return OutsideAddress(text=normalise(text).strip(), country=country)


def outside_address(
    text: str, *, municipalities: Mapping[str, Mapping[str, str]], ward: tuple[str, str]
) -> OutsideAddress:
    """Check a domestic address outside the ward (転入前・転出先の住所).

    *municipalities* maps 都道府県 → 市区町村 → 地方公共団体コード; the text must start with one
    of them, and must not be the ward itself (*ward* = (都道府県, 区)): moving within it is 転居.
    """
    body = normalise(text).strip()
    prefecture = next((p for p in municipalities if body.startswith(p)), None)
    if prefecture is None:
        raise AddressError(
            f"都道府県名で始まっていません: {text} / address must start with a prefecture"
        )
    names = _municipality_names(tuple(municipalities[prefecture]))
    municipality = _longest_prefix(body[len(prefecture) :].lstrip(), names)
    if municipality is None:
        raise AddressError(
            f"{prefecture}の市区町村名が辞書にありません（政令市は区名まで）: {text} "
            "/ no such municipality (give the ward of a designated city)"
        )
    if (prefecture, municipality) == ward:
        raise AddressError(
            f"{ward[1]}内の住所です（区内の移動は転居です）: {text} "
            f"/ this address is inside {ward[1]}: a move within the ward is 転居"
        )
    code = municipalities[prefecture][municipality]
    return OutsideAddress(
        text=body, prefecture=prefecture, municipality=municipality, municipality_code=code
    )


@cache
def _municipality_names(cities: tuple[str, ...]) -> dict[str, str]:
    """Map each 市区町村 and its unique short form ('奥多摩町', '三宅村') to the full name."""
    short_forms: dict[str, list[str]] = {}
    for city in cities:
        short = re.fullmatch(r"[^郡]+郡(.+)", city) or re.fullmatch(r".+島(.{2,}[町村])", city)
        if short:
            short_forms.setdefault(short[1], []).append(city)
    aliases = {alias: full[0] for alias, full in short_forms.items() if len(full) == 1}
    return aliases | {city: city for city in cities}


def _longest_prefix(text: str, names: Mapping[str, str]) -> str | None:
    """Return the full name of the longest name the text starts with, if any."""
    for length in range(min(len(text), 16), 0, -1):
        if text[:length] in names:
            return names[text[:length]]
    return None
