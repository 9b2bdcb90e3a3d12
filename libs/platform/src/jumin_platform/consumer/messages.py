"""What the kit knows about one message: its envelope, original routing key and retry count."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from uuid import UUID

from jumin_contracts.envelope import Envelope, SchemaMismatch, parse_payload
from jumin_contracts.messages import RecipientMessage
from opentelemetry.context import Context
from pydantic import ValidationError

from jumin_platform.consumer.errors import PermanentError

__all__ = [
    "ATTEMPT_HEADER",
    "DEAD_REASON_HEADER",
    "ROUTING_KEY_HEADER",
    "TRACEPARENT",
    "Incoming",
    "ModelIndex",
    "describe_validation_error",
]

ATTEMPT_HEADER: Final = "x-jumin-attempt"
"""How many retries a message has had (absent on a first delivery)."""
ROUTING_KEY_HEADER: Final = "x-jumin-routing-key"
"""The original ``<recipient>.<message>`` key of a message travelling through the retry queues."""
DEAD_REASON_HEADER: Final = "x-jumin-dead-reason"
"""Why the kit itself dead-lettered a message (parked messages have no delivery to reject)."""
TRACEPARENT: Final = "traceparent"


@dataclass(frozen=True)
class Incoming:
    """One message as the kit handles it, whether fresh from the broker or taken from parking."""

    envelope: Envelope
    routing_key: str
    attempt: int = 0
    traceparent: str | None = None
    raw: bytes | None = None
    #: the trace context of the delivery's consume span: a batch runs each handler under its own
    trace_context: Context | None = field(default=None, compare=False, repr=False)

    @property
    def event_id(self) -> UUID:
        return self.envelope.event_id

    @property
    def person_key(self) -> str:
        return self.envelope.person_key

    @property
    def seq(self) -> int:
        return self.envelope.seq

    def body(self) -> bytes:
        """Return the body as received, or the envelope serialised as the registry sends it."""
        if self.raw is not None:
            return self.raw
        return self.envelope.model_dump_json(by_alias=True).encode()

    def envelope_json(self) -> dict[str, Any]:
        """Return the envelope as a JSON-ready dict (for the parked table)."""
        data: dict[str, Any] = json.loads(self.envelope.model_dump_json(by_alias=True))
        return data


class ModelIndex:
    """Find the payload model for an envelope's schema (``name@version``) and validate with it."""

    def __init__(self, recipient: str, models: Iterable[type[RecipientMessage]]) -> None:
        own = [m for m in models if m.ROUTING_KEY.split(".", 1)[0] == recipient]
        if not own:
            raise ValueError(f"no message model for recipient {recipient!r}")
        self._by_schema: Mapping[str, type[RecipientMessage]] = {m.schema_id(): m for m in own}

    @property
    def schemas(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_schema))

    def read(self, envelope: Envelope) -> RecipientMessage:
        """Return the validated payload; raise PermanentError for an unknown schema or bad payload."""
        model = self._by_schema.get(envelope.schema_id)
        if model is None:
            raise PermanentError(
                f"スキーマ {envelope.schema_id} は受け付けていません "
                f"(unknown schema; this consumer reads {', '.join(self.schemas)})"
            )
        try:
            return parse_payload(envelope, model)
        except SchemaMismatch as exc:
            raise PermanentError(str(exc)) from exc
        except ValidationError as exc:
            raise PermanentError(describe_validation_error(exc)) from exc


def describe_validation_error(exc: ValidationError) -> str:
    """Name the invalid fields and error kinds, never the values (they may be personal data)."""
    parts = [
        f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['type']}"
        for err in exc.errors(include_url=False, include_input=False, include_context=False)
    ]
    return ("payload invalid — " + "; ".join(parts))[:500]
