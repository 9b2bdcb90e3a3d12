"""Find the people and households a change request names (異動者・異動先世帯)."""

from __future__ import annotations

from registry.domain.commands import (
    Amendment,
    Cancellation,
    ChangeRequest,
    EntryChange,
    HeadChange,
    HouseholdMerger,
    HouseholdSeparation,
    HouseholdTransfer,
    LossOfNationality,
    MoveInNotice,
    MoveWithinWard,
    MyNumberEntry,
    Naturalization,
    RemovalChange,
    ResidenceStatusChange,
)


def referenced_people(request: ChangeRequest) -> tuple[set[str], set[str]]:
    """Return the 宛名番号 and 世帯番号 a request names (not those it will create)."""
    match request:
        case EntryChange():
            return set(), _optional(request.join_household_no)
        case RemovalChange() | HouseholdSeparation():
            return set(request.atena_nos), set()
        case MoveWithinWard():
            return set(request.atena_nos), _optional(request.join_household_no)
        case HouseholdTransfer():
            return set(request.atena_nos), {request.into_household_no}
        case HouseholdMerger():
            return set(), {request.household_no, request.into_household_no}
        case HeadChange():
            return {request.new_head}, {request.household_no}
        case Amendment() | ResidenceStatusChange() | Naturalization() | LossOfNationality():
            return {request.atena_no}, set()
        case MyNumberEntry() | MoveInNotice():
            return {request.atena_no}, set()
        case Cancellation():
            return set(), set()


def _optional(value: str | None) -> set[str]:
    return set() if value is None else {value}
