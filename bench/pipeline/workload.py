"""Synthetic changes for `bench.pipeline`: 国内転入 of new households and 転居 of earlier ones.

Every change goes through the registry's own use cases (`handlers.submit_change`, then
`handlers.approve_change` / `record_approval`), so the outbox rows are the real projections of the
recipient policy: 住基CS 本人確認情報, 戸籍附票 notices (管内本籍 → koseki, 管外 → cs), 法務省
市町村通知 for foreign residents, 中間サーバー 世帯情報 and the 証明書 read model.

Mix (deterministic for a seed): households of 1 (70 %), 2 (20 %) or 3 (10 %) people; per person
管内本籍 Japanese 50 %, 管外本籍 Japanese 30 %, foreign resident 20 %. A 転居 moves a whole
household that an earlier phase moved in to another street address of the ward.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic import TypeAdapter
from registry.adapters.address_dictionary import PostalAddressBook
from registry.domain.change_requests import ChangeRequest

from bench.synthetic_ward.places import Street, draw_streets

REQUESTS: TypeAdapter[Any] = TypeAdapter(ChangeRequest)
CLERK = "bench-clerk"
REVIEWER = "bench-reviewer"
TERMINAL = "bench-terminal"

INSIDE_HONSEKI = "東京都新宿区西新宿二丁目8番地"
OUTSIDE_HONSEKI = "大阪府大阪市北区中之島一丁目3番地"
PREVIOUS_ADDRESS = "埼玉県川口市本町一丁目1番1号"
FAMILY = (("山田", "ヤマダ"), ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"))
GIVEN = (("太郎", "タロウ", "male"), ("花子", "ハナコ", "female"), ("一郎", "イチロウ", "male"))
RELATIONSHIPS = ("世帯主", "妻", "子")


@dataclass(frozen=True)
class Household:
    """A household a move-in put on the register: its members' 宛名番号 and address (for a 転居)."""

    atena_nos: tuple[str, ...]
    address: str


class Workload:
    """Draw change requests (as the API would receive them) for one seed."""

    def __init__(self, seed: int, book: PostalAddressBook, streets: int = 2_000) -> None:
        self._rng = random.Random(seed)
        self._streets: list[Street] = draw_streets(self._rng, book, streets)
        self._card = 0

    def _address(self) -> str:
        return self._rng.choice(self._streets).place(self._rng).address

    def _person(self, index: int) -> dict[str, Any]:
        family, family_kana = self._rng.choice(FAMILY)
        given, given_kana, sex = GIVEN[index] if index < len(GIVEN) else GIVEN[0]
        birth = date(1950, 1, 1) + timedelta(days=self._rng.randrange(365 * 60))
        if index == 2:  # the child
            birth = date(2008, 1, 1) + timedelta(days=self._rng.randrange(365 * 10))
        person: dict[str, Any] = {
            "family_name": family,
            "given_name": given,
            "family_name_kana": family_kana,
            "given_name_kana": given_kana,
            "birth_date": birth.isoformat(),
            "sex": sex,
            "relationship": RELATIONSHIPS[index],
        }
        draw = self._rng.random()
        if draw < 0.8:
            honseki = INSIDE_HONSEKI if draw < 0.5 else OUTSIDE_HONSEKI
            return {
                **person,
                "resident_type": "japanese",
                "honseki": honseki,
                "hittosha": f"{family}{given}",
            }
        self._card += 1
        return {
            **person,
            "resident_type": "foreign",
            "foreign": {
                "nationality": "中国",
                "name_alphabet": f"WANG XIAO {self._card}",
                "foreign_category": "mid_long_term",
                "status_of_residence": "留学",
                "period_of_stay": "2年",
                "stay_expires_on": (date.today() + timedelta(days=700)).isoformat(),
                "residence_card_no": f"AB{self._card:08d}CD",
            },
        }

    def move_in(self, occurred_on: date) -> Any:
        """A 国内転入 of a new household of 1–3 people."""
        size = self._rng.choices((1, 2, 3), weights=(70, 20, 10))[0]
        body = {
            "kind": "domestic_move_in",
            "occurred_on": occurred_on.isoformat(),
            "notified_on": occurred_on.isoformat(),
            "persons": [self._person(i) for i in range(size)],
            "address": self._address(),
            "previous_address": PREVIOUS_ADDRESS,
        }
        return REQUESTS.validate_python(body)

    def move_within_ward(self, household: Household, occurred_on: date) -> Any:
        """A 転居 of a whole household to another address in the ward."""
        address = self._address()
        while address == household.address:
            address = self._address()
        body = {
            "kind": "move_within_ward",
            "occurred_on": occurred_on.isoformat(),
            "notified_on": occurred_on.isoformat(),
            "atena_nos": list(household.atena_nos),
            "address": address,
        }
        return REQUESTS.validate_python(body)

    def mix(
        self, count: int, households: list[Household], occurred_on: date, *, moves: float = 0.3
    ) -> list[Any]:
        """`count` requests: a share `moves` of 転居 (each taking one household), the rest 転入."""
        requests = []
        for _ in range(count):
            if households and self._rng.random() < moves:
                requests.append(self.move_within_ward(households.pop(), occurred_on))
            else:
                requests.append(self.move_in(occurred_on))
        return requests
