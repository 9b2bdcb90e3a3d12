"""Give each newborn a 住民票コード drawn at random from the pool of free codes (spec 4.3.1).

A birth is not approved while the pool is empty (409 `CodePoolEmpty`; the 出生 stays pending and
can be approved as soon as CS has supplied codes): a record without a 住民票コード is incomplete
(住基法7条13号) and CS refuses 本人確認情報 without one, blocking the person. A 住民票コードの変更
(住基法30条の4) takes its new code here too and waits the same way (the person keeps the old code
meanwhile). The log warns (change id only) when that happens and once the free codes fall below
`LOW_WATER` (spec 4.3.1: アラート when the pool runs low), so CS can be asked for more long
before it is empty.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Final, Protocol

from jumin_contracts.codes import ChangeKind

from registry.domain.changes import Change
from registry.domain.errors import CodePoolEmpty
from registry.domain.rules import PlannedRow

logger = logging.getLogger("registry.code_pool")

LOW_WATER: Final = 100
"""Warn when fewer free 住民票コード than this remain (市区町村が任意に設定した数)."""


class CodeSource(Protocol):
    """Hand out free 住民票コード."""

    async def take(self, *, atena_no: str, at: datetime) -> str | None: ...

    async def free(self) -> int: ...


async def assign_juminhyo_codes(
    planned: Sequence[PlannedRow],
    change: Change,
    pool: CodeSource,
    *,
    at: datetime,
    known: Collection[str],
) -> list[PlannedRow]:
    """Give a 出生's newborns (people not in `known`) a code from the pool, if they have none,
    and a 住民票コードの変更 its new code (spec 4.3.1: 変更異動の場合も自動付番)."""
    kind = change.request.kind
    if kind is ChangeKind.JUMINHYO_CODE_CHANGE:
        result = [await _new_code(row, change, pool, at=at) for row in planned]
    elif kind is ChangeKind.BIRTH:
        result = [await _newborn_code(row, change, pool, at=at, known=known) for row in planned]
    else:
        return list(planned)
    free = await pool.free()
    if free < LOW_WATER:
        logger.warning("only %d free 住民票コード left; request more from CS", free)
    return result


async def _newborn_code(
    row: PlannedRow, change: Change, pool: CodeSource, *, at: datetime, known: Collection[str]
) -> PlannedRow:
    if row.atena_no in known or row.person.juminhyo_code is not None:
        return row
    return await _new_code(row, change, pool, at=at)


async def _new_code(
    row: PlannedRow, change: Change, pool: CodeSource, *, at: datetime
) -> PlannedRow:
    """Draw a code at random; with none free the change stays pending (CodePoolEmpty)."""
    code = await pool.take(atena_no=row.atena_no, at=at)
    if code is None:
        logger.warning("no free 住民票コード: change %s stays pending", change.change_id)
        raise CodePoolEmpty(
            "住民票コードの在庫がありません。CSから住民票コードの払出しを受けてから"
            "承認してください / no free juminhyo code: approve once CS has supplied more"
        )
    return dataclasses.replace(row, person=row.person.evolve(juminhyo_code=code))
