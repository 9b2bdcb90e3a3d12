"""Plan changes of a resident's numbers: 個人番号の変更 (spec 4.4, 7.1.2.1) and 住民票コードの変更
(住基法30条の4; spec 4.3.2).

個人番号の変更 is asked of J-LIS: approval appends a row that records the 請求 (or the 職権 decision)
with the record as it is, and sends CS the 変更要求; the new number arrives later as a command and
is recorded as a 個人番号の職権記載, like the first. 住民票コードの変更 takes its new code from the pool
at approval (service_layer/code_assignment.py); the old code stays in the previous history row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from registry.domain.change_requests import JuminhyoCodeChange, MyNumberChange
from registry.domain.errors import StateConflict
from registry.domain.rules import PlannedRow

if TYPE_CHECKING:
    from registry.domain.planning import RegisterView


def plan_my_number_change(
    request: MyNumberChange, view: RegisterView, *, ex_officio: bool
) -> list[PlannedRow]:
    """Record a 個人番号の変更請求 (or 職権による変更) of a resident who has a number and a code."""
    row = view.resident(request.atena_no)
    if row.person.my_number is None:
        raise StateConflict(
            "個人番号が記載されていないため変更できません / no 個人番号 is recorded to change"
        )
    if row.person.juminhyo_code is None:
        raise StateConflict(
            "住民票コードがないためCSへ変更要求できません / "
            "without a 住民票コード CS cannot be asked for a new number"
        )
    return [PlannedRow(request.atena_no, row.person, ex_officio)]


def plan_juminhyo_code_change(request: JuminhyoCodeChange, view: RegisterView) -> list[PlannedRow]:
    """Give up a resident's 住民票コード; approval draws the new one from the pool (spec 4.3.1)."""
    row = view.resident(request.atena_no)
    if row.person.juminhyo_code is None:
        raise StateConflict(
            "住民票コードが記載されていないため変更できません / no 住民票コード is recorded to change"
        )
    return [PlannedRow(request.atena_no, row.person.evolve(juminhyo_code=None), False)]
