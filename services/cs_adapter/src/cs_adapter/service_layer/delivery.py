"""Deliver one cs.* message to CS: the consumer kit's handler (spec 7.1.1.1 CSへの自動送信).

Runs inside the kit's transaction, on its connection: map the payload to the 電文, send it with
the event id as idempotency key, and record the transmission (提供・移転の記録) — or, in 手動連携
or behind the person's held messages, record it as held without sending. A 本人確認情報 of a new
resident without a 個人番号 is followed by a 個人番号生成要求, once per 住民票コード (新規付番); a
`cs.my_number_change` is a 生成要求 with reason `change`, once per approved change.

A failure rolls the kit's savepoint back, so the records of this attempt (including a message
CS did accept before a later one failed) are written in a separate transaction before the error
goes to the kit: `rejected` (permanent: the kit blocks the person, its reason names the CS code)
or `failed` (transient: the kit retries with the same key, and CS replays what it accepted).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from jumin_contracts.envelope import Envelope
from jumin_contracts.messages import CsIdentity, CsMyNumberChangeRequest, RecipientMessage
from jumin_platform.consumer import PermanentError, TransientError
from jumin_platform.my_number_vault import MyNumberVault
from opentelemetry import trace

from cs_adapter.adapters.cs_client import CsClient
from cs_adapter.adapters.deliveries_repository import DeliveryRepository
from cs_adapter.domain.cs_messages import Outgoing, my_number_request, to_outgoing
from cs_adapter.domain.deliveries import (
    CsReply,
    DeliveryStatus,
    NewDelivery,
    ReplyClass,
    my_number_request_key,
    needs_my_number_request,
    should_hold,
)
from cs_adapter.service_layer.sealing import seal
from cs_adapter.service_layer.unit_of_work import UnitsOfWork

logger = logging.getLogger("cs_adapter.delivery")

_APART_LOCK_TIMEOUT = "2s"
"""How long a record written beside the kit's transaction may wait for a row lock."""


def current_trace_id() -> str | None:
    """Return the current trace id (hex), to find the transmission's trace later."""
    context = trace.get_current_span().get_span_context()
    return trace.format_trace_id(context.trace_id) if context.is_valid else None


@dataclass
class _Attempt:
    """What one handler call has sent so far (written out if a later send fails)."""

    envelope: Envelope
    payload: RecipientMessage
    records: list[NewDelivery] = field(default_factory=list)


@dataclass
class CsDelivery:
    """The consumer kit's handler for recipient `cs`."""

    cs: CsClient
    vault: MyNumberVault
    uow: UnitsOfWork  # the adapter's own transactions: records that must outlive a rollback

    async def __call__(
        self, envelope: Envelope, payload: RecipientMessage, connection: Any
    ) -> None:
        """Send (or hold) the message and what it calls for; record everything."""
        repo = DeliveryRepository(connection)
        await repo.lock_person(envelope.person_key)
        hold = should_hold(
            manual_mode=await repo.manual_mode(),
            person_has_held=await repo.has_held(envelope.person_key),
        )
        attempt = _Attempt(envelope, payload)
        for message, key in await self._messages(repo, envelope, payload):
            if hold:
                attempt.records.append(self._record(envelope, message, key, DeliveryStatus.HELD))
            else:
                await self._send(attempt, message, key)
        for record in attempt.records:
            await repo.add(record)
        if isinstance(payload, CsIdentity):
            await self._keep_identity(repo, envelope, payload)
        if hold:
            logger.info("event %s held (manual hand-over)", envelope.event_id)

    async def _messages(
        self, repo: DeliveryRepository, envelope: Envelope, payload: RecipientMessage
    ) -> list[tuple[Outgoing, Any]]:
        if isinstance(payload, CsMyNumberChangeRequest):
            return await self._change_request(repo, envelope, payload)
        messages: list[tuple[Outgoing, Any]] = [(to_outgoing(payload), envelope.event_id)]
        if isinstance(payload, CsIdentity) and needs_my_number_request(payload):
            assert payload.juminhyo_code is not None
            key = my_number_request_key(envelope.event_id)
            if await repo.claim_my_number_request(
                juminhyo_code=payload.juminhyo_code,
                person_key=envelope.person_key,
                event_id=envelope.event_id,
                key=key,
                reason="new",
            ):
                messages.append((my_number_request(payload.juminhyo_code), key))
        return messages

    async def _change_request(
        self, repo: DeliveryRepository, envelope: Envelope, payload: CsMyNumberChangeRequest
    ) -> list[tuple[Outgoing, Any]]:
        """A 変更要求 (reason change) is a request of its own: one per approved change, even for
        a code that already had its 新規付番 (spec 7.1.2.1)."""
        claimed = await repo.claim_my_number_request(
            juminhyo_code=payload.juminhyo_code,
            person_key=envelope.person_key,
            event_id=envelope.event_id,
            key=envelope.event_id,
            reason="change",
        )
        return [(to_outgoing(payload), envelope.event_id)] if claimed else []

    async def _send(self, attempt: _Attempt, message: Outgoing, key: Any) -> None:
        envelope = attempt.envelope
        reply = await self.cs.send(message, event_id=envelope.event_id, key=key)
        kind = reply.kind
        status = {
            ReplyClass.ACCEPTED: DeliveryStatus.SENT,
            ReplyClass.TRANSIENT: DeliveryStatus.FAILED,
            ReplyClass.PERMANENT: DeliveryStatus.REJECTED,
        }[kind]
        attempt.records.append(self._record(envelope, message, key, status, reply))
        if kind is ReplyClass.ACCEPTED:
            logger.info("event %s %s sent: %s", envelope.event_id, message.type, reply.receipt_no)
            return
        await self._record_apart(attempt)
        reason = f"{message.type.value}: {reply.describe()}"
        if kind is ReplyClass.TRANSIENT:
            raise TransientError(reason)
        raise PermanentError(reason)

    def _record(
        self,
        envelope: Envelope,
        message: Outgoing,
        key: Any,
        status: DeliveryStatus,
        reply: CsReply | None = None,
    ) -> NewDelivery:
        return NewDelivery(
            event_id=envelope.event_id,
            idempotency_key=key,
            type=message.type.value,
            person_key=envelope.person_key,
            seq=envelope.seq,
            change_reason=message.change_reason,
            fields=message.fields,
            body=message.without_my_number(),
            my_number_sealed=seal(self.vault, message, person_key=envelope.person_key),
            status=status,
            reply=reply,
            trace_id=current_trace_id(),
        )

    async def _record_apart(self, attempt: _Attempt) -> None:
        """Write this attempt's records in their own transaction (the kit's will roll back).

        The registry's view of the person is kept too (CS not holding it is what the 整合性確認
        should find), in a transaction of its own that gives up after `_APART_LOCK_TIMEOUT`:
        the kit's open transaction may hold that person's snapshot row itself (an earlier
        message of the same person in the same batch), and it waits for this handler — without
        the timeout the two would wait for each other for ever, unseen by PostgreSQL.
        """
        try:
            async with self.uow() as unit:
                for record in attempt.records:
                    await unit.deliveries.add(record)
                await unit.commit()
        except (OSError, asyncpg.PostgresError) as exc:
            logger.error("could not record a failed transmission: %s", type(exc).__name__)
        if not isinstance(attempt.payload, CsIdentity):
            return
        try:
            async with self.uow() as unit:
                await unit.deliveries.wait_for_locks_at_most(_APART_LOCK_TIMEOUT)
                await self._keep_identity(unit.deliveries, attempt.envelope, attempt.payload)
                await unit.commit()
        except (OSError, asyncpg.PostgresError) as exc:
            # The kit's transaction holds the row: the retry or the operator's resend keeps it.
            logger.warning("snapshot of a failed transmission not kept: %s", type(exc).__name__)

    async def _keep_identity(
        self, repo: DeliveryRepository, envelope: Envelope, payload: CsIdentity
    ) -> None:
        """Keep the registry's view for the 整合性確認 and note a free code in use."""
        message = to_outgoing(payload)
        number = message.my_number
        await repo.save_snapshot(
            person_key=envelope.person_key,
            seq=envelope.seq,
            event_id=envelope.event_id,
            body=message.without_my_number(),
            hash_=self.vault.lookup_hash(number) if number else None,
        )
        if payload.juminhyo_code is not None:
            await repo.mark_code_seen(payload.juminhyo_code, envelope.event_id)
