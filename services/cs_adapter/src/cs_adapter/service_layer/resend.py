"""再送信 (spec 7.1.1.1): send recorded messages to CS again, optionally with another 異動事由.

Each resend is a new transmission with a new idempotency key and its own record (`resend_of`
points at the original). Messages go in id order under the person's lock. A message is not sent
when CS has since received the same type for a later event of the person (outside this resend):
CS keeps the latest it accepted, so resending the older one would put stale data back
(異動の時系列の担保).
Held messages are released, not resent; nothing is sent in 手動連携.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from jumin_platform.my_number_vault import MyNumberVault

from cs_adapter.adapters.cs_client import CsClient
from cs_adapter.adapters.deliveries_repository import DeliveryRepository
from cs_adapter.domain.cs_messages import MessageType, Outgoing
from cs_adapter.domain.deliveries import Delivery, DeliveryStatus, NewDelivery, ReplyClass
from cs_adapter.service_layer.delivery import current_trace_id
from cs_adapter.service_layer.operator_errors import ManualModeOn, NothingFound, TooMany
from cs_adapter.service_layer.sealing import rebuild, seal
from cs_adapter.service_layer.unit_of_work import UnitsOfWork

logger = logging.getLogger("cs_adapter.resend")

_STATUS_OF = {
    ReplyClass.ACCEPTED: DeliveryStatus.SENT,
    ReplyClass.TRANSIENT: DeliveryStatus.FAILED,
    ReplyClass.PERMANENT: DeliveryStatus.REJECTED,
}


@dataclass(frozen=True, kw_only=True)
class ResendRequest:
    """Which records to resend (ids, or those sent in [sent_from, sent_to)) and how."""

    delivery_ids: Sequence[int] = ()
    sent_from: datetime | None = None
    sent_to: datetime | None = None
    change_reason: str | None = None
    operator: str
    reason: str | None = None


@dataclass(frozen=True)
class ResendOutcome:
    """What became of one record: `sent`, `rejected`, `failed`, or why it was not sent."""

    delivery_id: int
    person_key: str  # whose message (処理対象者 of the access log; not in the API answer)
    outcome: str
    new_delivery_id: int | None = None
    receipt_no: str | None = None
    reply: str | None = None


async def resend(
    uow: UnitsOfWork,
    cs: CsClient,
    vault: MyNumberVault,
    request: ResendRequest,
    *,
    most: int,
) -> list[ResendOutcome]:
    """Resend the chosen records in id order; one outcome per record."""
    async with uow() as unit:
        if (await unit.state.manual_mode()).manual:
            raise ManualModeOn()
        chosen = await _choose(unit.deliveries, request, most)
    batch = [d.event_id for d in chosen]
    outcomes = [await _resend_one(uow, cs, vault, d, batch, request) for d in chosen]
    logger.info("operator %s resent %d message(s)", request.operator, len(outcomes))
    return outcomes


async def _choose(repo: DeliveryRepository, request: ResendRequest, most: int) -> list[Delivery]:
    if request.delivery_ids:
        if len(request.delivery_ids) > most:
            raise TooMany(_TOO_MANY.format(most=most))
        chosen = await repo.by_ids(request.delivery_ids)
        missing = set(request.delivery_ids) - {d.id for d in chosen}
        if missing:
            raise NothingFound(_UNKNOWN_IDS.format(ids=", ".join(map(str, sorted(missing)))))
        return chosen
    assert request.sent_from is not None
    assert request.sent_to is not None
    chosen = await repo.sent_between(request.sent_from, request.sent_to, most + 1)
    if len(chosen) > most:
        raise TooMany(_TOO_MANY.format(most=most))
    return chosen


async def _resend_one(
    uow: UnitsOfWork,
    cs: CsClient,
    vault: MyNumberVault,
    original: Delivery,
    batch: list[UUID],
    request: ResendRequest,
) -> ResendOutcome:
    if original.status is DeliveryStatus.HELD:
        return ResendOutcome(original.id, original.person_key, "held: release it instead")
    async with uow() as unit:
        repo = unit.deliveries
        await repo.lock_person(original.person_key)
        if await repo.has_held(original.person_key):
            return ResendOutcome(
                original.id, original.person_key, "person has held messages: release them first"
            )
        if await repo.newer_sent_exists(original, batch):
            return ResendOutcome(
                original.id, original.person_key, "superseded: CS has a newer message of this type"
            )
        message = _with_reason(rebuild(vault, original), request.change_reason)
        key = _resend_key(original)
        reply = await cs.send(message, event_id=original.event_id, key=key)
        status = _STATUS_OF[reply.kind]
        record = await repo.add(
            NewDelivery(
                event_id=original.event_id,
                idempotency_key=key,
                type=original.type,
                person_key=original.person_key,
                seq=original.seq,
                change_reason=message.change_reason,
                fields=message.fields,
                body=message.without_my_number(),
                my_number_sealed=seal(vault, message, person_key=original.person_key),
                status=status,
                reply=reply,
                trace_id=current_trace_id(),
                resend_of=original.id,
                operator=request.operator,
                note=request.reason,
            )
        )
        await unit.commit()
    described = None if status is DeliveryStatus.SENT else reply.describe()
    return ResendOutcome(
        original.id, original.person_key, status.value, record.id, reply.receipt_no, described
    )


def _resend_key(original: Delivery) -> UUID:
    """A new Idempotency-Key (再送信 is a new transmission), except for a 個人番号生成要求.

    CS generates one number per request it accepts: the same request sent under a new key would
    ask J-LIS for another number. Under its first key CS accepts it if it never got it, and
    replays its answer if it did.
    """
    if original.type == MessageType.MY_NUMBER_REQUEST.value:
        return original.idempotency_key
    return uuid.uuid4()


def _with_reason(message: Outgoing, change_reason: str | None) -> Outgoing:
    """Change the 異動事由 of a message that carries one (a 生成要求 has none)."""
    if change_reason is None or message.change_reason is None:
        return message
    return message.with_change_reason(change_reason)


_TOO_MANY = (
    "一度に再送信できるのは {most} 件までです。範囲を狭めてください。 "
    "(At most {most} messages per resend; narrow the selection.)"
)
_UNKNOWN_IDS = "該当する送信記録がありません: {ids} (No such delivery records: {ids}.)"
