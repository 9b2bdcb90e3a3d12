"""Places of the synthetic ward: real 町 of 新宿区, parsed street addresses, buildings."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import NamedTuple

from registry.adapters.address_dictionary import PostalAddressBook
from registry.domain.addresses import AddressError, Town

STREET_POOL_SIZE = 20_000

_MAX_CHOME = {
    "市谷加賀町": 2, "市谷砂土原町": 3, "市谷田町": 3, "大久保": 3, "神楽坂": 6, "歌舞伎町": 2,
    "上落合": 3, "北新宿": 4, "下落合": 4, "新宿": 7, "高田馬場": 4, "戸塚町": 1, "戸山": 3,
    "中井": 2, "中落合": 4, "西落合": 4, "西新宿": 8, "西早稲田": 3, "原町": 3, "百人町": 4,
    "四谷": 4, "若葉": 3,
}  # fmt: skip
_BUILDING_WORDS = ("ハイツ", "コーポ", "パレス", "レジデンス", "マンション", "コート", "ハウス")


class Place(NamedTuple):
    """Hold the 住所 items a household's members share (Person.address … postal_code)."""

    address: str
    town_code: str
    katagaki: str | None
    postal_code: str


@dataclass(frozen=True)
class Street:
    """Hold one parsed street address of the ward and the building standing there, if any."""

    town_code: str
    text: str  # 東京都新宿区西新宿二丁目8番1号
    postal_code: str
    building: str | None

    def place(self, rng: random.Random) -> Place:
        """Return the address of one dwelling there (a room when it is a building)."""
        if self.building is None:
            return Place(self.text, self.town_code, None, self.postal_code)
        katagaki = f"{self.building}{rng.randint(1, 12)}{rng.randint(1, 10):02d}"
        return Place(f"{self.text} {katagaki}", self.town_code, katagaki, self.postal_code)


def draw_streets(
    rng: random.Random, book: PostalAddressBook, count: int = STREET_POOL_SIZE
) -> list[Street]:
    """Draw street addresses over the ward's 町 and parse each with the 住所辞書."""
    towns = book.towns()
    weights = [3 * _MAX_CHOME.get(t.name, 3) if t.has_chome else 1 for t in towns]
    streets = []
    for town in rng.choices(towns, weights=weights, k=count):
        try:
            address = book.parse_ward_address(_street_text(rng, town))
        except AddressError:
            continue
        building = None
        if rng.random() < 0.7:  # 新宿区: most people live in apartment buildings
            building = f"{town.name}{rng.choice(_BUILDING_WORDS)}"
        streets.append(Street(address.town_code, address.full_text, address.postal_code, building))
    return streets


def _street_text(rng: random.Random, town: Town) -> str:
    """Write a street address in the 町, with 丁目 where the 町 has them."""
    chome = f"{rng.randint(1, _MAX_CHOME.get(town.name, 3))}丁目" if town.has_chome else ""
    return f"{town.name}{chome}{rng.randint(1, 30)}番{rng.randint(1, 25)}号"
