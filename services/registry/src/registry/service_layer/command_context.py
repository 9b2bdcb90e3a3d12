"""What every command applier shares: its context, its result, and the ways it enters a change.

`command_handlers` claims a command and settles its outcome; the appliers (there and in
`koseki_commands`) find the person, build the change request and enter it here — approved at once
by the registry (`record_system_change`) or left for a reviewer (`enter_for_review`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final
from uuid import UUID, uuid4

from jumin_contracts.commands import RegistryCommand

from registry.domain.addresses import AddressBook
from registry.domain.change_requests import ChangeRequest
from registry.domain.changes import Change, ChangeOrigin, ChangeStatus
from registry.domain.planning import plan_change, referenced_people
from registry.service_layer.characters import refuse_unregistered_gaiji
from registry.service_layer.handlers import load_view, record_approval
from registry.service_layer.unit_of_work import UnitOfWork

CHECKER: Final = "system:registry"
"""Who approves what the registry records on a command (never its maker: the DB checks)."""


class Outcome(StrEnum):
    """Say what became of a command (registry.command_inbox.outcome)."""

    APPLIED = "applied"
    UNCHANGED = "unchanged"
    PENDING_REVIEW = "pending_review"
    WORK_ITEM = "work_item"  # a staff work item (registry.work_items), never a write
    UNMATCHED = "unmatched"
    REFUSED = "refused"
    DUPLICATE = "duplicate"  # never stored: the first delivery's row stays


@dataclass(frozen=True)
class CommandResult:
    """The outcome of one delivery, the changes it made and why (no personal data in `detail`)."""

    outcome: Outcome
    change_ids: tuple[UUID, ...] = ()
    detail: str | None = None


@dataclass
class CommandContext:
    """The unit of work, dictionary and time a command is applied with."""

    uow: UnitOfWork
    addresses: AddressBook
    now: datetime
    subjects: list[str] = field(default_factory=list)  # 宛名番号 touched, for the access log


Applier = Callable[[CommandContext, RegistryCommand], Awaitable[CommandResult]]

UNMATCHED = CommandResult(
    Outcome.UNMATCHED,
    detail="該当する住民を特定できません / nobody (or more than one person) on the register matches",
)


def only_person(context: CommandContext, candidates: Iterable[str]) -> str | None:
    """Return the one person a command names, or None (nobody, or an ambiguous number)."""
    found = sorted(set(candidates))
    if len(found) != 1:
        return None
    context.subjects.append(found[0])
    return found[0]


def pending_change(request: ChangeRequest, *, origin: ChangeOrigin, now: datetime) -> Change:
    """Return a change as the system it comes from enters it (``system:<origin>``): pending."""
    return Change(
        change_id=uuid4(),
        request=request,
        status=ChangeStatus.PENDING,
        created_by=origin.system_maker,
        created_at=now,
        subjects=tuple(sorted(referenced_people(request)[0])),
        origin=origin,
    )


async def record_system_change(
    context: CommandContext, request: ChangeRequest, *, origin: ChangeOrigin
) -> CommandResult:
    """Enter a change as the system it comes from and approve it as the registry."""
    change = pending_change(request, origin=origin, now=context.now)
    await context.uow.changes.add(change)
    approved = await record_approval(
        context.uow,
        change.approve(by=CHECKER, at=context.now),
        addresses=context.addresses,
        now=context.now,
    )
    return CommandResult(Outcome.APPLIED, change_ids=(approved.change_id,))


async def enter_for_review(
    context: CommandContext, request: ChangeRequest, *, origin: ChangeOrigin
) -> UUID:
    """Check a request as a clerk's entry would be, then leave it pending for a reviewer.

    A request the register's rules refuse raises (the command is then ``refused``).
    """
    uow = context.uow
    await refuse_unregistered_gaiji(uow, request)
    view = await load_view(uow, request, addresses=context.addresses, today=context.now.date())
    plan_change(request, view)
    change = pending_change(request, origin=origin, now=context.now)
    await uow.changes.add(change)
    return change.change_id
