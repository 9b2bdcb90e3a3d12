"""処理結果の取込: match each result to its notice; errors go to the worklist and block the person.

- `ok` confirms the notice (the result row names its delivery record); the ok result of a
  corrected resend resolves its worklist entry and clears the person's block.
- `error` opens a worklist entry and blocks the person's later notices (the sending side's
  dispatcher waits) until the operator corrects and resends (an ok result follows) or marks it
  handled with a reason.
- A result for a notice that is not ours (`event_id` null, no such 受付番号, another event) is
  logged (ids only) and kept in the unmatched list — never dropped silently.

Everything here runs in the poller's transaction (the cursor moves with it) or an operator's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from typing import Any, Protocol
from uuid import uuid4

from jumin_platform.deliveries import DeliveryLedger
from jumin_platform.deliveries.ports import RecordKeeping, Transmitter, new_record
from jumin_platform.deliveries.records import STATUS_OF, DeliveryStatus
from jumin_platform.telemetry import current_trace_id

from moj_notify.adapters.person_blocks import PersonBlocks
from moj_notify.adapters.results_store import Matched, ResultsStore
from moj_notify.adapters.schedule import Schedule
from moj_notify.domain.results import ProcessingResult, WorklistEntry, corrected_body

__all__ = [
    "CorrectionRefused",
    "EntryNotFound",
    "ResendDone",
    "correct_and_resend",
    "mark_handled",
    "take_result",
]

logger = logging.getLogger("moj_notify.results")

SYSTEM_OPERATOR = "system:moj"
"""Who closes an entry when the ministry's ok result of the resend arrives."""


class ResultsUnit(Protocol):
    """A transaction over the results records and the delivery record."""

    @property
    def results(self) -> ResultsStore: ...
    @property
    def deliveries(self) -> DeliveryLedger: ...
    @property
    def blocks(self) -> PersonBlocks: ...
    @property
    def schedule(self) -> Schedule: ...
    async def commit(self) -> None: ...


ResultsUnits = Callable[[], AbstractAsyncContextManager[ResultsUnit]]

Validate = Callable[[str, Mapping[str, Any]], None]
"""Check a corrected body of a notice type as the ministry would (ValueError: names only)."""


class EntryNotFound(LookupError):
    """No worklist entry with that id (→ 404)."""


class CorrectionRefused(ValueError):
    """The corrected items do not fit the notice (→ 422; names items, never values)."""


async def take_result(unit: ResultsUnit, result: ProcessingResult) -> None:
    """Record one 処理結果 and act on it (a replayed feed item changes nothing)."""
    matched = await _matched(unit.results, result)
    if not await unit.results.add(result, matched, current_trace_id()):
        logger.info("processing result %s taken in before", result.notification_id)
        return
    if matched is None:
        logger.warning(
            "processing result %s for receipt %s matches no notice sent (unmatched)",
            result.notification_id,
            result.receipt_no,
        )
        return
    awaiting = await unit.results.awaiting(matched.delivery_id)
    if awaiting is not None:
        answered = awaiting.resend_answered(result)
        await _save(unit, answered, operator=SYSTEM_OPERATOR, note=_code(result))
        logger.info("worklist entry %s: resend %s", answered.id, answered.status.value)
    elif not result.ok:
        block = await unit.blocks.add(
            matched.person_key,
            source="result",
            reason=f"processing result {result.error_code} ({result.receipt_no})",
            delivery_id=matched.delivery_id,
        )
        opened = await unit.results.open_entry(result, matched, block_id=block.id)
        logger.warning(
            "receipt %s %s: worklist entry %s, person blocked",
            result.receipt_no,
            result.error_code,
            opened.id,
        )
    else:
        logger.info("receipt %s confirmed", result.receipt_no)


async def _matched(store: ResultsStore, result: ProcessingResult) -> Matched | None:
    if result.event_id is None:
        return None
    matched = await store.match(result.receipt_no)
    if matched is None or matched.event_id != result.event_id:
        return None
    return matched


async def _save(unit: ResultsUnit, entry: WorklistEntry, *, operator: str, note: str) -> None:
    """Store the entry; once it is closed, clear the person's block and wake the dispatcher."""
    block_id = await unit.results.save(entry, operator=operator, note=note)
    if not entry.status.blocking and block_id is not None:
        await unit.blocks.clear(block_id, operator=operator, note=note)
        await unit.schedule.wake_at_commit()


def _code(result: ProcessingResult) -> str:
    return f"result {result.result} {result.error_code or ''}".rstrip()


@dataclass(frozen=True)
class ResendDone:
    """What a correct-and-resend did: the new record, the answer, flagged items not corrected."""

    entry: WorklistEntry
    delivery_id: int
    outcome: str
    receipt_no: str | None
    reply: str | None
    uncorrected_items: list[str]


async def correct_and_resend(
    uow: ResultsUnits,
    sender: Transmitter,
    keeping: RecordKeeping,
    validate: Validate,
    *,
    entry_id: int,
    corrections: Mapping[str, Any],
    operator: str,
    reason: str,
) -> ResendDone:
    """Send the entry's notice again with the operator's corrections, under a new key.

    The entry stays open (`resent`, still blocking) until the ministry's result of the resend:
    ok resolves it; an error opens it again with the new code. A resend the ministry refuses
    at once is recorded and leaves the entry open.
    """
    async with uow() as unit:
        entry = await unit.results.locked(entry_id)
        if entry is None:
            raise EntryNotFound(entry_id)
        entry.resend(0, None)  # refuses (WorklistRefusal) unless the entry is open
        [original] = await unit.deliveries.by_ids([entry.delivery_id])
        await unit.deliveries.lock_person(original.person_key)
        message = keeping.rebuild(original)
        try:
            body, untouched = corrected_body(message.body, corrections, entry.error_items)
            validate(message.type, body)
        except KeyError as exc:
            raise CorrectionRefused(f"the notice has no item {exc.args[0]}") from exc
        except ValueError as exc:
            raise CorrectionRefused(str(exc)) from exc
        corrected = replace(message, body=body)
        key = uuid4()
        reply = await sender.send(corrected, event_id=original.event_id, key=key)
        status = STATUS_OF[reply.kind]
        record = await unit.deliveries.add(
            new_record(
                keeping,
                corrected,
                event_id=original.event_id,
                key=key,
                person_key=original.person_key,
                seq=original.seq,
                status=status,
                reply=reply,
                resend_of=original.id,
                operator=operator,
                note=reason,
            )
        )
        if status is DeliveryStatus.SENT:
            entry = entry.resend(record.id, reply.receipt_no)
            await _save(unit, entry, operator=operator, note=reason)
        await unit.commit()
    logger.info("worklist entry %s resent as delivery %s: %s", entry_id, record.id, status.value)
    described = None if status is DeliveryStatus.SENT else reply.describe()
    return ResendDone(entry, record.id, status.value, reply.receipt_no, described, untouched)


async def mark_handled(
    uow: ResultsUnits, *, entry_id: int, operator: str, reason: str
) -> WorklistEntry:
    """Close an entry by hand (対応済み) and unblock the person."""
    async with uow() as unit:
        entry = await unit.results.locked(entry_id)
        if entry is None:
            raise EntryNotFound(entry_id)
        handled = entry.handle()
        await _save(unit, handled, operator=operator, note=reason)
        await unit.commit()
    logger.info("worklist entry %s handled by %s", entry_id, operator)
    return handled
