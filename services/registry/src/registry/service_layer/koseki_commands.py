"""Apply the 戸籍 side's notices (koseki_adapter → registry.in): pending changes or work items.

- 住民票記載事項通知 (住基法9条2項) → a pending 職権 change entered by ``system:koseki`` for a
  reviewer (`registry.domain.koseki_notices`); never approved here.
- 戸籍照合通知 (19条2項) and 本籍転属通知 (19条3項) → a staff work item
  (`registry.domain.work_items`); never a write to the register.

People are found by 住民票コード (a 出生 by its parents'); nobody, or more than one, is
``unmatched``. Each request is checked as a clerk's entry would be, so one the register's rules
refuse is ``refused`` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final
from uuid import uuid4

from jumin_contracts.codes import ChangeKind
from jumin_contracts.commands import (
    HonsekiTransferNotice,
    KosekiCollationNotice,
    KosekiEvent,
    KosekiRecordNotice,
    RegistryCommand,
)

from registry.adapters.change_repository import ChangeFilter
from registry.domain.change_requests import ChangeRequest
from registry.domain.changes import ChangeOrigin, ChangeStatus
from registry.domain.errors import NothingToChange
from registry.domain.koseki_notices import (
    amendment_for,
    birth_date_of,
    birth_for,
    death_for,
    names_the_child,
)
from registry.domain.model import HistoryRow
from registry.domain.projection import municipality_of
from registry.domain.work_items import WorkItem, collation_item, transfer_item
from registry.service_layer.command_context import (
    UNMATCHED,
    Applier,
    CommandContext,
    CommandResult,
    Outcome,
    enter_for_review,
    only_person,
)

KOSEKI_MAKER: Final = ChangeOrigin.KOSEKI.system_maker
"""The maker of changes the 戸籍 side's notices ask for (a reviewer decides them)."""

_REMOVALS = frozenset({ChangeKind.DEATH, ChangeKind.EX_OFFICIO_REMOVAL})


async def _record_notice(context: CommandContext, command: RegistryCommand) -> CommandResult:
    assert isinstance(command, KosekiRecordNotice)
    if command.event is KosekiEvent.BIRTH:
        return await _birth(context, command)
    assert command.juminhyo_code is not None  # the contract requires it but for a birth
    uow = context.uow
    atena_no = only_person(context, await uow.commands.by_juminhyo_code(command.juminhyo_code))
    if atena_no is None:
        return UNMATCHED
    person = (await uow.history.current([atena_no]))[atena_no].person
    request: ChangeRequest
    if command.event is KosekiEvent.DEATH:
        await _refuse_second_removal(context, atena_no)
        request = death_for(command, atena_no=atena_no, person=person)
    else:
        request = amendment_for(command, atena_no=atena_no, person=person)
    change_id = await enter_for_review(context, request, origin=ChangeOrigin.KOSEKI)
    return CommandResult(Outcome.PENDING_REVIEW, change_ids=(change_id,))


async def _refuse_second_removal(context: CommandContext, atena_no: str) -> None:
    selection = ChangeFilter(status=ChangeStatus.PENDING, atena_no=atena_no)
    pending = await context.uow.changes.list(selection, limit=100, offset=0)
    if any(change.request.kind in _REMOVALS for change in pending):
        raise NothingToChange(
            "消除の異動が既に仮登録されています / a removal of the person is already pending"
        )


async def _birth(context: CommandContext, command: KosekiRecordNotice) -> CommandResult:
    parents = await _parents_on_register(context, command.parent_juminhyo_codes)
    if not parents:
        return UNMATCHED
    if await _birth_entered(context, command, parents):
        return CommandResult(
            Outcome.UNCHANGED,
            detail="この子の出生は既に入力されています / a 出生 change for the child exists",
        )
    request = birth_for(
        command,
        parents=parents,
        sent_from=_sender(command),
        received_on=context.now.date(),
    )
    change_id = await enter_for_review(context, request, origin=ChangeOrigin.KOSEKI)
    return CommandResult(Outcome.PENDING_REVIEW, change_ids=(change_id,))


async def _parents_on_register(context: CommandContext, codes: Sequence[str]) -> list[HistoryRow]:
    """Return the current rows of the parents who are residents, in the notice's order."""
    found = [only_person(context, await context.uow.commands.by_juminhyo_code(c)) for c in codes]
    atena_nos = [a for a in found if a is not None]
    rows = await context.uow.history.current(atena_nos)
    return [rows[a] for a in atena_nos if a in rows and rows[a].person.is_resident]


async def _birth_entered(
    context: CommandContext, command: KosekiRecordNotice, parents: Sequence[HistoryRow]
) -> bool:
    """Say whether a pending or approved 出生 enters this child into a parent's household."""
    households = sorted({p.person.household_no for p in parents})
    born = birth_date_of(command).to_storage()
    entered = await context.uow.changes.births_into(households, birth_date=born)
    return any(names_the_child(command, family, given) for family, given in entered)


def _sender(command: KosekiRecordNotice) -> str:
    """Name the 本籍地 that sent the notice (送付元), from the 本籍 it states."""
    municipality = municipality_of(command.honseki)
    return municipality or f"地方公共団体コード {command.honseki_municipality_code}"


async def _collation_notice(context: CommandContext, command: RegistryCommand) -> CommandResult:
    assert isinstance(command, KosekiCollationNotice)
    if command.juminhyo_code is None:
        return UNMATCHED
    uow = context.uow
    atena_no = only_person(context, await uow.commands.by_juminhyo_code(command.juminhyo_code))
    if atena_no is None:
        return UNMATCHED
    item = collation_item(command, work_item_id=uuid4(), atena_no=atena_no, received_at=context.now)
    return await _open(context, item)


async def _transfer_notice(context: CommandContext, command: RegistryCommand) -> CommandResult:
    assert isinstance(command, HonsekiTransferNotice)
    uow = context.uow
    atena_no = only_person(context, await uow.commands.by_juminhyo_code(command.juminhyo_code))
    if atena_no is None:
        return UNMATCHED
    person = (await uow.history.current([atena_no]))[atena_no].person
    item = transfer_item(
        command, work_item_id=uuid4(), atena_no=atena_no, person=person, received_at=context.now
    )
    return await _open(context, item)


async def _open(context: CommandContext, item: WorkItem) -> CommandResult:
    await context.uow.work_items.add(item)
    return CommandResult(Outcome.WORK_ITEM, detail=f"work item {item.work_item_id}")


APPLIERS: Final[dict[type[RegistryCommand], Applier]] = {
    KosekiRecordNotice: _record_notice,
    KosekiCollationNotice: _collation_notice,
    HonsekiTransferNotice: _transfer_notice,
}
"""The appliers of the 戸籍 side's commands, by command model."""
