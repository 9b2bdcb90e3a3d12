"""The 統合宛名: one record per person, the 業務システム's 宛名番号 linked to it, and the 符号 round
trip through 住基ネット.

A person is first sought by the sending system's 宛名番号 (a link made before), then by
住民票コード or 個人番号 (名寄せ: the same person known to another system, or under a new 宛名番号);
only a person found nowhere gets a new 団体内統合宛名番号. The 符号 is asked for (a 取得番号 sent
through 住基ネット) once the person has a 個人番号, and comes back after a delay.
"""

from __future__ import annotations

import enum
import random
import string
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from atena_simulator.domain.messages import JUKI, PersonItems

INTEGRATED_DIGITS = 15
"""団体内統合宛名番号: 15 digits (the real length is each ward's choice; unconfirmed)."""


class FugoStatus(enum.StrEnum):
    """Where the person's 符号 stands."""

    NO_MY_NUMBER = "no_my_number"
    """no 個人番号 yet: no 符号取得要求 can be sent"""
    REQUESTED = "requested"
    """符号取得要求 sent through 住基ネット with a 取得番号; the 符号 has not come back yet"""
    OBTAINED = "obtained"
    """the 符号 came back"""


class Person(BaseModel):
    """One person in the 統合宛名 (what the simulator holds; the journal keeps each version)."""

    model_config = ConfigDict(frozen=True)

    integrated_atena_no: str = Field(description="団体内統合宛名番号")
    links: tuple[str, ...] = Field(description="linked 宛名番号 as `system:atena_no`")
    juminhyo_code: str = Field(description="住民票コード (the latest sent)")
    my_number: str | None = Field(description="個人番号 (null: none known yet)")
    acquisition_no: str | None = Field(default=None, description="取得番号 of the 符号取得要求")
    requested_at: AwareDatetime | None = None
    fugo_due_at: AwareDatetime | None = None
    request_traceparent: str | None = None
    fugo: str | None = Field(default=None, description="情報提供用個人識別符号")
    fugo_obtained_at: AwareDatetime | None = None

    @property
    def fugo_status(self) -> FugoStatus:
        if self.fugo is not None:
            return FugoStatus.OBTAINED
        if self.acquisition_no is not None:
            return FugoStatus.REQUESTED
        return FugoStatus.NO_MY_NUMBER

    def fugo_due(self, now: datetime) -> bool:
        """Tell whether the 符号 has come back by *now* and is not yet handed out."""
        return self.fugo is None and self.fugo_due_at is not None and self.fugo_due_at <= now


def link_of(system: str, atena_no: str) -> str:
    """The link key of a 業務システム's 宛名番号."""
    return f"{system}:{atena_no}"


def integrated_atena_no(ordinal: int) -> str:
    """The *ordinal*-th 団体内統合宛名番号 (1, 2, …), zero-padded."""
    return f"{ordinal:0{INTEGRATED_DIGITS}d}"


def new_person(items: PersonItems, number: str) -> Person:
    """A person seen for the first time."""
    return Person(
        integrated_atena_no=number,
        links=(link_of(items.system, items.atena_no),),
        juminhyo_code=items.juminhyo_code,
        my_number=items.my_number,
    )


def merged(person: Person, items: PersonItems) -> Person:
    """The person with what a system sent now: its link, the 住民票コード as 住民記録 has it (the
    register is its source; other systems' copies may be stale), a 個人番号 once known (a system
    that does not know it sends none, which changes nothing)."""
    link = link_of(items.system, items.atena_no)
    return person.model_copy(
        update={
            "links": person.links if link in person.links else (*person.links, link),
            "juminhyo_code": (
                items.juminhyo_code if items.system == JUKI else person.juminhyo_code
            ),
            "my_number": items.my_number or person.my_number,
        }
    )


def with_request(
    person: Person, *, rng: random.Random, now: datetime, due: datetime, traceparent: str | None
) -> Person:
    """Send the 符号取得要求 if the person has a 個人番号 and none was sent (else as it is)."""
    if person.my_number is None or person.acquisition_no is not None:
        return person
    return person.model_copy(
        update={
            "acquisition_no": acquisition_no(rng),
            "requested_at": now,
            "fugo_due_at": due,
            "request_traceparent": traceparent,
        }
    )


def acquisition_no(rng: random.Random) -> str:
    """A 取得番号: `Q` + 15 digits, neither a 個人番号 (12 digits) nor a 住民票コード (11 digits)."""
    return "Q" + "".join(rng.choices(string.digits, k=15))


def fugo(rng: random.Random) -> str:
    """A 符号 (`jumin_simulator.formats.FUGO_PATTERN`)."""
    return "FG" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=22))
