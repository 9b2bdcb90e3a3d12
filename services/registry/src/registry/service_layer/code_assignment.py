"""Give each newborn a 住民票コード drawn at random from the pool of free codes (spec 4.3.1).

A birth is not approved while the pool is empty (409 `CodePoolEmpty`; the 出生 stays pending and
can be approved as soon as CS has supplied codes): a record without a 住民票コード is incomplete
(住基法7条13号) and CS refuses 本人確認情報 without one, blocking the person. The log warns
(change id only) when that happens and once the free codes fall below `LOW_WATER` (spec 4.3.1:
アラート when the pool runs low), so CS can be asked for more long before it is empty.
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
    """Give a 出生's newborns (people not in `known`) a code from the pool, if they have none."""
    if change.request.kind is not ChangeKind.BIRTH:
        return list(planned)
    result = []
    for row in planned:
        if row.atena_no not in known and row.person.juminhyo_code is None:
            code = await pool.take(atena_no=row.atena_no, at=at)
            if code is None:
                logger.warning("no free 住民票コード: change %s stays pending", change.change_id)
                raise CodePoolEmpty(
                    "住民票コードの在庫がありません。CSから住民票コードの払出しを受けてから"
                    "承認してください / no free juminhyo code: approve once CS has supplied more"
                )
            row = dataclasses.replace(row, person=row.person.evolve(juminhyo_code=code))
        result.append(row)
    free = await pool.free()
    if free < LOW_WATER:
        logger.warning("only %d free 住民票コード left; request more from CS", free)
    return result
