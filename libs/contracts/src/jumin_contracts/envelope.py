"""The event envelope every recipient message travels in (docs/architecture.md, "Messaging").

The envelope carries what routing, ordering and idempotency need — event id (UUIDv7, also the AMQP
``message_id``), schema ``name@version``, change id, an opaque person key, the per-(recipient,
person) sequence number, 異動事由 and the three dates — and the recipient's payload, which is one of
`jumin_contracts.messages` dumped to JSON.  `parse_payload` turns it back into that model, refusing
a payload of another schema or one with fields the model does not allow.
"""

from __future__ import annotations

import secrets
import threading
import time
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from jumin_contracts.codes import ChangeKind
from jumin_contracts.messages import RecipientMessage, StoredDate

M = TypeVar("M", bound=RecipientMessage)

_MS_MASK = (1 << 48) - 1


class _Uuid7Clock:
    """Hand out strictly increasing 60-bit stamps: Unix ms (48 bits) and a 12-bit sub-ms part.

    RFC 9562 §6.2 method 3 (sub-millisecond precision in ``rand_a``), with the monotonic guard of
    §6.2: a stamp that would not exceed the last one is the last one plus one, so ids made in one
    process sort in creation order even within one millisecond or when the clock steps back.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def next_stamp(self) -> int:
        """Return the next stamp."""
        now = time.time_ns()
        stamp = (now // 1_000_000) << 12 | (now % 1_000_000) * 4096 // 1_000_000
        with self._lock:
            self._last = stamp if stamp > self._last else self._last + 1
            return self._last


_CLOCK = _Uuid7Clock()


def new_event_id() -> UUID:
    """Return a new time-ordered UUID version 7 (RFC 9562 §5.7; Python 3.11 has no uuid.uuid7)."""
    stamp = _CLOCK.next_stamp()
    unix_ms, sub_ms = (stamp >> 12) & _MS_MASK, stamp & 0xFFF
    value = unix_ms << 80 | 0x7 << 76 | sub_ms << 64 | 0b10 << 62 | secrets.randbits(62)
    return UUID(int=value)


def event_time(event_id: UUID) -> datetime:
    """Return the creation time (millisecond precision, UTC) kept in a UUIDv7."""
    if event_id.version != 7:
        raise ValueError(f"UUIDv7ではありません / not a UUIDv7: {event_id}")
    return datetime.fromtimestamp((event_id.int >> 80) / 1000, tz=UTC)


class SchemaMismatch(ValueError):
    """Refuse to read a payload with a model of another schema (name@version)."""


class Envelope(BaseModel):
    """Wrap one recipient message about one person (イベント封筒)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

    event_id: UUID = Field(description="イベントID (UUIDv7; AMQP message_id)")
    # "schema" on the wire; the attribute has another name because BaseModel.schema exists.
    schema_id: str = Field(
        alias="schema",
        pattern=r"^[a-z][a-z_]*\.[a-z][a-z_]*@[1-9][0-9]*$",
        description="スキーマ (name@version, e.g. cs.identity@1)",
    )
    change_id: UUID = Field(description="異動ID")
    person_key: str = Field(
        pattern=r"^[A-Za-z0-9_-]{16,128}$",
        description="個人キー (不透明; 宛名番号ではない。受信側の順序保証・分割のため)",
    )
    seq: int = Field(ge=1, le=2**63 - 1, description="提供先・個人ごとの通番 (bigint)")
    kind: ChangeKind = Field(description="異動事由")
    occurred_on: StoredDate = Field(description="異動日 (保存形式)")
    notified_on: date | None = Field(description="届出日 (職権処理ではなし)")
    recorded_at: AwareDatetime = Field(description="処理日時 (本登録)")
    payload: dict[str, Any] = Field(description="提供先ごとのメッセージ")

    @field_validator("event_id")
    @classmethod
    def _time_ordered(cls, value: UUID) -> UUID:
        """Require a UUIDv7 so ids sort by creation time."""
        if value.version != 7:
            raise ValueError("event_id は UUIDv7 です / event_id must be a UUIDv7")
        return value

    @classmethod
    def wrap(
        cls,
        message: RecipientMessage,
        *,
        change_id: UUID,
        person_key: str,
        seq: int,
        kind: ChangeKind,
        occurred_on: str,
        notified_on: date | None,
        recorded_at: datetime,
        event_id: UUID | None = None,
    ) -> Envelope:
        """Put a recipient message in an envelope (a new event id unless one is given)."""
        return cls.model_validate(
            {
                "event_id": event_id or new_event_id(),
                "schema": type(message).schema_id(),
                "change_id": change_id,
                "person_key": person_key,
                "seq": seq,
                "kind": kind,
                "occurred_on": occurred_on,
                "notified_on": notified_on,
                "recorded_at": recorded_at,
                "payload": message.model_dump(mode="json"),
            }
        )


def parse_payload(envelope: Envelope, model: type[M]) -> M:
    """Read the payload as *model*; raise SchemaMismatch or pydantic's ValidationError."""
    if envelope.schema_id != model.schema_id():
        raise SchemaMismatch(
            f"スキーマが違います / schema {envelope.schema_id} cannot be read as "
            f"{model.schema_id()}"
        )
    return model.model_validate(envelope.payload)
