"""Who may see whom: 支援措置 protection (spec 3.4) and 個人番号 display rights."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from fastapi import Request
from jumin_platform.auth import AuthorizationError, Role, Staff
from jumin_platform.my_number_vault import VaultError

from registry.bootstrap import Registry
from registry.domain.changes import Change
from registry.domain.errors import StateConflict
from registry.entrypoints.api.access_logging import access_context
from registry.service_layer.support_measures import protected_among, refuse_protected


class _Someone(Protocol):
    @property
    def atena_no(self) -> str: ...


Shown = TypeVar("Shown", bound=_Someone)


def may_see_protected(staff: Staff) -> bool:
    """Say whether the staff member may see people under 支援措置 (支援措置責任者)."""
    return Role.SUPPORT_OFFICER in staff.roles


async def _protected(registry: Registry, atena_nos: Sequence[str]) -> set[str]:
    return await protected_among(
        uow=registry.uow(), atena_nos=atena_nos, on=registry.read_point().on
    )


async def guard_people(
    http: Request, registry: Registry, staff: Staff, atena_nos: Sequence[str]
) -> None:
    """Refuse (403, logged) to show people under an active 支援措置 to staff without the right."""
    access_context(http).touch(*atena_nos)
    if may_see_protected(staff):
        return
    protected = await _protected(registry, atena_nos)
    access_context(http).block(*protected)
    refuse_protected(protected)


async def withhold_protected(
    http: Request, registry: Registry, staff: Staff, rows: Sequence[Shown]
) -> list[Shown]:
    """Drop protected people from a list (search, household) and log that they were withheld."""
    if may_see_protected(staff):
        access_context(http).touch(*(r.atena_no for r in rows))
        return list(rows)
    protected = await _protected(registry, [r.atena_no for r in rows])
    access_context(http).block(*protected)
    visible = [r for r in rows if r.atena_no not in protected]
    access_context(http).touch(*(r.atena_no for r in visible))
    return visible


async def withhold_protected_changes(
    http: Request, registry: Registry, staff: Staff, changes: Sequence[Change]
) -> list[Change]:
    """Drop changes about protected people from a list for staff without the right."""
    if may_see_protected(staff):
        return list(changes)
    subjects = {a for change in changes for a in change.subjects}
    protected = await _protected(registry, sorted(subjects))
    access_context(http).block(*protected)
    return [c for c in changes if not protected.intersection(c.subjects)]


def require_my_number_role(registry: Registry, staff: Staff) -> None:
    """Refuse a 個人番号 display or lookup to roles not configured for it."""
    if not staff.roles & set(registry.settings.my_number_roles):
        raise AuthorizationError(
            "個人番号を扱う権限がありません / this role may not see or search by 個人番号"
        )


def open_my_number(registry: Registry, sealed: str, atena_no: str) -> str:
    """Decrypt a person's 個人番号; a value that does not open is a data fault, not a 500."""
    try:
        return registry.vault.open(sealed, atena_no=atena_no)
    except VaultError as exc:
        raise StateConflict(
            "個人番号を復号できません。システム管理者に連絡してください / "
            "the stored 個人番号 cannot be decrypted; contact the administrator"
        ) from exc
