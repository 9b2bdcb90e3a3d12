"""Deliver one cs.* message to CS: the consumer kit's handler (spec 7.1.1.1 CSへの自動送信).

Runs inside the kit's transaction, on its connection: map the payload to the 電文, send it with
the event id as idempotency key, and record the transmission (提供・移転の記録) — or, in 手動連携
or behind the person's held messages, record it as held without sending (the shared
`jumin_platform.deliveries.sending`). A 本人確認情報 of a new resident without a 個人番号 is
followed by a 個人番号生成要求, once per 住民票コード (新規付番); a `cs.my_number_change` is a
生成要求 with reason `change`, once per approved change.

A failure's records are written apart from the kit's transaction (it rolls back); for a
本人確認情報 the registry's view of the person is kept too (CS not holding it is what the
整合性確認 should find).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
from jumin_contracts.envelope import Envelope
from jumin_contracts.messages import CsIdentity, CsMyNumberChangeRequest, RecipientMessage
from jumin_platform.deliveries import current_trace_id
from jumin_platform.deliveries.sending import LedgerSending
from jumin_platform.my_number_vault import MyNumberVault

from cs_adapter.adapters.cs_client import CsClient
from cs_adapter.adapters.deliveries_repository import DeliveryRepository
from cs_adapter.domain.cs_messages import Outgoing, my_number_request, to_outgoing
from cs_adapter.domain.deliveries import my_number_request_key, needs_my_number_request
from cs_adapter.service_layer.sealing import SealedKeeping
from cs_adapter.service_layer.unit_of_work import UnitsOfWork

__all__ = ["CsDelivery", "current_trace_id"]  # the notification poller takes the trace id here

logger = logging.getLogger("cs_adapter.delivery")

_APART_LOCK_TIMEOUT = "2s"
"""How long a record written beside the kit's transaction may wait for a row lock."""


@dataclass
class CsDelivery:
    """The consumer kit's handler for recipient `cs`."""

    cs: CsClient
    vault: MyNumberVault
    uow: UnitsOfWork  # the adapter's own transactions: records that must outlive a rollback
    sending: LedgerSending = field(init=False)

    def __post_init__(self) -> None:
        self.sending = LedgerSending(self.cs, SealedKeeping(self.vault), self.uow)

    async def __call__(
        self, envelope: Envelope, payload: RecipientMessage, connection: Any
    ) -> None:
        """Send (or hold) the message and what it calls for; record everything."""
        repo = DeliveryRepository(connection)
        attempt = await self.sending.begin(repo, envelope)

        async def keep_apart() -> None:
            await self.keep_identity_apart(envelope, payload)

        for message, key in await self._messages(repo, envelope, payload):
            await self.sending.send_or_hold(attempt, message, key, after_failure=keep_apart)
        await self.sending.finish(repo, attempt)
        if isinstance(payload, CsIdentity):
            await self._keep_identity(repo, envelope, payload)

    async def _messages(
        self, repo: DeliveryRepository, envelope: Envelope, payload: RecipientMessage
    ) -> list[tuple[Outgoing, UUID]]:
        if isinstance(payload, CsMyNumberChangeRequest):
            return await self._change_request(repo, envelope, payload)
        messages: list[tuple[Outgoing, UUID]] = [(to_outgoing(payload), envelope.event_id)]
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
    ) -> list[tuple[Outgoing, UUID]]:
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

    async def keep_identity_apart(self, envelope: Envelope, payload: RecipientMessage) -> None:
        """Keep the registry's view of a failed 本人確認情報 in a transaction of its own.

        It gives up after `_APART_LOCK_TIMEOUT`: the kit's open transaction may hold that
        person's snapshot row itself (an earlier message of the same person in the same batch),
        and it waits for this handler — without the timeout the two would wait for each other
        for ever, unseen by PostgreSQL.
        """
        if not isinstance(payload, CsIdentity):
            return
        try:
            async with self.uow() as unit:
                await unit.deliveries.wait_for_locks_at_most(_APART_LOCK_TIMEOUT)
                await self._keep_identity(unit.deliveries, envelope, payload)
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
