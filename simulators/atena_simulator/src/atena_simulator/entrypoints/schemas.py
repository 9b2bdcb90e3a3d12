"""What the HTTP API answers (OpenAPI response models)."""

from __future__ import annotations

from datetime import datetime

from jumin_simulator.idempotency import Acknowledgement
from jumin_simulator.received import ReceivedOut as SharedReceivedOut
from pydantic import BaseModel, Field

from atena_simulator.domain.persons import FugoStatus, Person
from atena_simulator.domain.state import Receipt


class PersonReceipt(BaseModel):
    """受付: the 受付番号, the person's 団体内統合宛名番号, whether the person was new, where the
    符号 stood then, and whether this is a replay."""

    receipt_no: str
    received_at: datetime
    integrated_atena_no: str = Field(description="団体内統合宛名番号")
    first_sight: bool = Field(description="the person was numbered by this message")
    fugo_status: FugoStatus
    replayed: bool

    @classmethod
    def of(cls, acknowledgement: Acknowledgement[Receipt]) -> PersonReceipt:
        """Describe a receipt."""
        receipt = acknowledgement.receipt
        return cls(
            receipt_no=receipt.receipt_no,
            received_at=receipt.received_at,
            integrated_atena_no=receipt.integrated_atena_no,
            first_sight=receipt.first_sight,
            fugo_status=receipt.fugo_status,
            replayed=acknowledgement.replayed,
        )


class FugoOut(BaseModel):
    """A person's 団体内統合宛名番号 and 符号 as they stand now."""

    integrated_atena_no: str = Field(description="団体内統合宛名番号")
    fugo_status: FugoStatus
    acquisition_no: str | None = Field(description="取得番号 of the 符号取得要求 (null: none sent)")
    fugo: str | None = Field(description="情報提供用個人識別符号 (null: not back yet)")

    @classmethod
    def of(cls, person: Person) -> FugoOut:
        """Describe a person's 符号."""
        return cls(
            integrated_atena_no=person.integrated_atena_no,
            fugo_status=person.fugo_status,
            acquisition_no=person.acquisition_no,
            fugo=person.fugo,
        )


class PersonOut(FugoOut):
    """Everything held about a person (simulator inspection)."""

    links: list[str] = Field(description="linked 宛名番号 as `system:atena_no`")
    juminhyo_code: str
    my_number: str | None
    requested_at: datetime | None
    fugo_due_at: datetime | None
    fugo_obtained_at: datetime | None

    @classmethod
    def of(cls, person: Person) -> PersonOut:
        """Describe a person."""
        return cls(
            **FugoOut.of(person).model_dump(),
            links=list(person.links),
            juminhyo_code=person.juminhyo_code,
            my_number=person.my_number,
            requested_at=person.requested_at,
            fugo_due_at=person.fugo_due_at,
            fugo_obtained_at=person.fugo_obtained_at,
        )


class ReceivedOut(SharedReceivedOut):
    """A received 宛名連携 and the answer it got (simulator inspection)."""

    integrated_atena_no: str
    first_sight: bool
    fugo_status: FugoStatus

    @classmethod
    def of(cls, receipt: Receipt) -> ReceivedOut:
        """Describe a received message."""
        return cls(
            **cls.items_of(receipt),
            integrated_atena_no=receipt.integrated_atena_no,
            first_sight=receipt.first_sight,
            fugo_status=receipt.fugo_status,
        )


class ReceivedList(BaseModel):
    """Received messages in receipt order."""

    items: list[ReceivedOut]
