"""Apply the commands adapters send back (jumin.commands → registry.in), each exactly once.

A command's inbox row and its effect commit in one transaction: a redelivered command finds the
row and does nothing (outcome ``duplicate``). What a command does:

- 個人番号 assigned (CS) → a 個人番号の職権記載 entered by ``system:cs`` and approved by
  ``system:registry``: history row and outbox messages, as any approval writes them.
- free 住民票コード (CS) → pooled for 出生 (spec 4.3.1).
- 転入通知 (CS) → a 転入通知受理 row keeping the 確定 転出 date and address beside the 予定 ones.
- 長官通知 (法務省) → pending changes entered by ``system:moj``, for a reviewer to decide.
- 住民票記載事項通知, 戸籍照合通知, 本籍転属通知 (the ward's 戸籍 side) → pending 職権 changes
  entered by ``system:koseki``, or staff work items (`koseki_commands`).

A command naming nobody on the register is recorded as ``unmatched``; one the register's rules
refuse as ``refused`` (the effect rolled back, the reason kept). Neither raises, so neither is
redelivered for ever; operators find them in registry.command_inbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from jumin_contracts.codes import ChangeKind
from jumin_contracts.commands import (
    FreeCodesReceived,
    HonsekiTransferNotice,
    KosekiCollationNotice,
    KosekiRecordNotice,
    MojDirectorNotice,
    MoveInNoticeReceived,
    MyNumberAssigned,
    RegistryCommand,
)
from jumin_contracts.dates import PartialDate
from jumin_platform.access_log import AccessEntry, AccessLog
from opentelemetry import trace
from pydantic import ValidationError

from registry.domain.addresses import AddressBook
from registry.domain.change_requests import MoveInNotice, MyNumberEntry
from registry.domain.changes import ChangeOrigin
from registry.domain.errors import NothingToChange, RegistryError
from registry.domain.moj_notices import moj_requests
from registry.service_layer import koseki_commands
from registry.service_layer.command_context import (
    CHECKER,
    UNMATCHED,
    Applier,
    CommandContext,
    CommandResult,
    Outcome,
    enter_for_review,
    only_person,
    record_system_change,
)
from registry.service_layer.handlers import Clock
from registry.service_layer.koseki_commands import KOSEKI_MAKER
from registry.service_layer.unit_of_work import UnitOfWork

__all__ = ["CHECKER", "CS_MAKER", "KOSEKI_MAKER", "MOJ_MAKER", "CommandResult", "Outcome"]

CS_MAKER: Final = ChangeOrigin.CS.system_maker
MOJ_MAKER: Final = ChangeOrigin.MOJ.system_maker

TERMINAL: Final = "registry.in"

_MAKERS: dict[type[RegistryCommand], str] = {
    MojDirectorNotice: MOJ_MAKER,
    KosekiRecordNotice: KOSEKI_MAKER,
    KosekiCollationNotice: KOSEKI_MAKER,
    HonsekiTransferNotice: KOSEKI_MAKER,
}
"""The system that sends each command, as the access log names it (CS for the rest)."""


async def apply_command(
    *,
    uow: UnitOfWork,
    command: RegistryCommand,
    clock: Clock,
    addresses: AddressBook,
    access_log: AccessLog | None = None,
) -> CommandResult:
    """Apply a command once: a second delivery of the same ``command_id`` has no effect."""
    context = CommandContext(uow=uow, addresses=addresses, now=clock())
    async with uow:
        if not await _claim(uow, command, context.now):
            return CommandResult(Outcome.DUPLICATE)
        try:
            result = await _APPLIERS[type(command)](context, command)
        except NothingToChange as error:
            settled = CommandResult(Outcome.UNCHANGED, detail=error.detail)
        except RegistryError as error:
            settled = CommandResult(Outcome.REFUSED, detail=error.detail)
        except ValidationError as error:  # the command fits its contract but not a change request
            settled = CommandResult(Outcome.REFUSED, detail=_fields_of(error))
        else:
            await _settle(context, command, result, access_log)
            await uow.commit()
            return result
    # The effect rolled back with its transaction; record the outcome on its own.
    async with uow:
        if not await _claim(uow, command, context.now):
            return CommandResult(Outcome.DUPLICATE)
        await _settle(context, command, settled, access_log)
        await uow.commit()
    return settled


async def _claim(uow: UnitOfWork, command: RegistryCommand, now: datetime) -> bool:
    return await uow.commands.claim(
        command.command_id, routing_key=command.ROUTING_KEY, received_at=now
    )


async def _settle(
    context: CommandContext,
    command: RegistryCommand,
    result: CommandResult,
    access_log: AccessLog | None,
) -> None:
    await context.uow.commands.settle(
        command.command_id,
        outcome=result.outcome.value,
        change_ids=result.change_ids,
        detail=result.detail,
    )
    if access_log is not None:
        await context.uow.commands.log_access(access_log, _access_entry(context, command, result))


def _access_entry(
    context: CommandContext, command: RegistryCommand, result: CommandResult
) -> AccessEntry:
    """Log a command like a staff call: its system maker, the people touched (spec 10.2)."""
    span = trace.get_current_span().get_span_context()
    return AccessEntry(
        occurred_at=context.now,
        operator=_MAKERS.get(type(command), CS_MAKER),
        terminal=TERMINAL,
        function="command:" + command.ROUTING_KEY.removeprefix("registry."),
        subjects=tuple(sorted(set(context.subjects))),
        my_number_accessed=isinstance(command, MyNumberAssigned),
        outcome=_ACCESS_OUTCOME[result.outcome],
        trace_id=format(span.trace_id, "032x") if span.is_valid else None,
    )


_ACCESS_OUTCOME = {
    Outcome.APPLIED: "ok",
    Outcome.UNCHANGED: "ok",
    Outcome.PENDING_REVIEW: "ok",
    Outcome.WORK_ITEM: "ok",
    Outcome.UNMATCHED: "not_found",
    Outcome.REFUSED: "refused",
    Outcome.DUPLICATE: "ok",
}


def _fields_of(error: ValidationError) -> str:
    """Name the fields that failed, never their values (they may be personal data)."""
    where = sorted({".".join(str(part) for part in e["loc"]) or "(body)" for e in error.errors()})
    return "入力項目が不正です / invalid items: " + ", ".join(where)


async def _my_number_assigned(context: CommandContext, command: RegistryCommand) -> CommandResult:
    assert isinstance(command, MyNumberAssigned)
    uow = context.uow
    atena_no = only_person(context, await uow.commands.by_juminhyo_code(command.juminhyo_code))
    if atena_no is None:
        return UNMATCHED
    current = (await uow.history.current([atena_no]))[atena_no]
    if current.person.my_number_hash == uow.publication.vault.lookup_hash(command.my_number):
        return CommandResult(Outcome.UNCHANGED, detail="記載済みの個人番号です / already recorded")
    request = MyNumberEntry(
        kind=ChangeKind.MY_NUMBER_ENTRY,
        occurred_on=PartialDate.exact(context.now.date()),
        atena_no=atena_no,
        my_number=command.my_number,
    )
    return await record_system_change(context, request, origin=ChangeOrigin.CS)


async def _free_codes(context: CommandContext, command: RegistryCommand) -> CommandResult:
    assert isinstance(command, FreeCodesReceived)
    added = await context.uow.code_pool.add(command.codes, received_at=context.now)
    detail = f"{added} / {len(set(command.codes))} codes pooled (the rest known or in use)"
    return CommandResult(Outcome.APPLIED if added else Outcome.UNCHANGED, detail=detail)


async def _move_in_notice(context: CommandContext, command: RegistryCommand) -> CommandResult:
    assert isinstance(command, MoveInNoticeReceived)
    uow = context.uow
    atena_no = only_person(context, await uow.commands.by_juminhyo_code(command.juminhyo_code))
    if atena_no is None:
        return UNMATCHED
    request = MoveInNotice(
        kind=ChangeKind.MOVE_IN_NOTICE,
        occurred_on=PartialDate.exact(context.now.date()),  # 転入通知を受理した日
        atena_no=atena_no,
        confirmed_on=command.confirmed_on,
        confirmed_destination=command.confirmed_address,
    )
    return await record_system_change(context, request, origin=ChangeOrigin.CS)


async def _moj_notice(context: CommandContext, command: RegistryCommand) -> CommandResult:
    assert isinstance(command, MojDirectorNotice)
    uow = context.uow
    candidates: set[str] | None = None
    if command.residence_card_no is not None:
        candidates = set(await uow.commands.by_card_no(command.residence_card_no))
    if command.juminhyo_code is not None:
        by_code = set(await uow.commands.by_juminhyo_code(command.juminhyo_code))
        candidates = by_code if candidates is None else candidates & by_code
    atena_no = only_person(context, candidates or ())
    if atena_no is None:
        return UNMATCHED
    person = (await uow.history.current([atena_no]))[atena_no].person
    requests = moj_requests(
        command, atena_no=atena_no, person=person, received_on=context.now.date()
    )
    change_ids = [
        await enter_for_review(context, request, origin=ChangeOrigin.MOJ) for request in requests
    ]
    return CommandResult(Outcome.PENDING_REVIEW, change_ids=tuple(change_ids))


_APPLIERS: dict[type[RegistryCommand], Applier] = {
    MyNumberAssigned: _my_number_assigned,
    FreeCodesReceived: _free_codes,
    MoveInNoticeReceived: _move_in_notice,
    MojDirectorNotice: _moj_notice,
    **koseki_commands.APPLIERS,
}
