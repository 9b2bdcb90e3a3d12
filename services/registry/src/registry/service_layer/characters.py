"""外字 in use cases: refuse unregistered ones, register new ones, substitute them for recipients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from jumin_contracts.characters import has_private_use, private_use_positions
from pydantic import BaseModel

from registry.adapters import character_audit
from registry.domain.characters import Finding, record_problems
from registry.domain.errors import CharacterRefused, StateConflict
from registry.domain.gaiji import (
    Gaiji,
    check_code_point,
    check_reason,
    check_substitute,
    read_glyph,
)
from registry.domain.model import HistoryRow
from registry.service_layer.unit_of_work import UnitOfWork

Clock = Callable[[], datetime]


def _texts(
    value: object, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Yield (field path, text) for every string of a request, nested models and lists too."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        for name, item in value:
            yield from _texts(item, (*path, name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, (*path, str(key)))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _texts(item, (*path, index))


async def refuse_unregistered_gaiji(uow: UnitOfWork, request: BaseModel) -> None:
    """Refuse a request holding a private-use character that is not a registered 外字.

    The request models let private-use characters through (`ANY_GAIJI`); this asks the 外字 table,
    inside the caller's transaction, only when the request holds any.
    """
    found = [
        (path, position, char)
        for path, text in _texts(request)
        if has_private_use(text)
        for position, char in private_use_positions(text)
    ]
    if not found:
        return
    registered = await uow.gaiji.substitutes({char for _, _, char in found})
    for path, position, char in found:
        if char not in registered:
            raise CharacterRefused(
                path,
                f"{position}文字目 (U+{ord(char):04X}) は未登録の外字 (私用領域) のため使用できません / "
                f"character {position} (U+{ord(char):04X}) is a private-use character "
                "not registered as 外字",
            )


async def substitutes_for(uow: UnitOfWork, rows: Sequence[HistoryRow]) -> dict[str, str]:
    """Return the substitute of each 外字 the rows hold (empty, without a query, for most)."""
    chars: set[str] = set()
    for row in rows:
        for value in vars(row.person).values():
            if isinstance(value, str) and has_private_use(value):
                chars.update(char for _, char in private_use_positions(value))
    return await uow.gaiji.substitutes(chars)


async def register_gaiji(
    *,
    uow: UnitOfWork,
    code_point: int | None,
    glyph_png: bytes,
    reason: str,
    substitute: str,
    staff_id: str,
    clock: Clock,
) -> Gaiji:
    """Register a 外字 (外字登録) at the given private-use code point or the next free one."""
    glyph = read_glyph(glyph_png)
    check_reason(reason)
    check_substitute(substitute)
    if code_point is not None:
        check_code_point(code_point)
    async with uow:
        chosen = code_point if code_point is not None else await uow.gaiji.next_free()
        if chosen is None:
            raise StateConflict("外字の空き符号位置がありません / no free private-use code point")
        gaiji = Gaiji(
            code_point=chosen,
            glyph=glyph,
            reason=reason,
            substitute=substitute,
            registered_by=staff_id,
            registered_at=clock(),
        )
        if not await uow.gaiji.add(gaiji):
            raise StateConflict(
                f"{gaiji.code} は登録済みの外字です / {gaiji.code} is already registered"
            )
        await uow.commit()
    return gaiji


async def list_gaiji(*, uow: UnitOfWork) -> list[Gaiji]:
    """Return every registered 外字 (外字一覧)."""
    async with uow:
        return await uow.gaiji.all()


async def stored_findings(connection: Any) -> AsyncIterator[Finding]:
    """Yield every stored character outside the set (history rows, current ones included).

    Reads only, in one read-only transaction: nothing is rewritten (a 外字 to register, or a
    correction to enter, is for staff to decide).
    """
    async with connection.transaction(readonly=True, isolation="repeatable_read"):
        gaiji = await character_audit.registered_gaiji(connection)
        async for row in character_audit.history_rows(connection):
            for item, problem in record_problems(dict(row), gaiji=gaiji):
                yield Finding(
                    atena_no=row["atena_no"],
                    history_no=row["history_no"],
                    change_id=row["change_id"],
                    item=item,
                    problem=problem,
                )
