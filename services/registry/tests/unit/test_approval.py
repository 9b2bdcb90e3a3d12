"""Approval (審査・決裁, spec 4.0.8): a pending change becomes history only by another's decision."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

import pytest
from jumin_contracts.codes import ChangeKind
from registry.domain.changes import Change, ChangeStatus
from registry.domain.errors import ChangeNotPending, SelfApprovalError

from .builders import atena, days_ago, refused, request

ENTERED_AT = datetime(2026, 11, 27, 9, 30)
DECIDED_AT = datetime(2026, 11, 27, 11, 0)


@pytest.fixture
def pending() -> Change:
    """A 死亡 entered by clerk01 and not yet decided (仮登録)."""
    return Change(
        change_id=uuid4(),
        request=request(ChangeKind.DEATH, occurred_on=days_ago(2), atena_nos=[atena(1)]),
        status=ChangeStatus.PENDING,
        created_by="clerk01",
        created_at=ENTERED_AT,
    )


def test_another_member_of_staff_approves_a_pending_change(pending: Change) -> None:
    approved = pending.approve(by="reviewer01", at=DECIDED_AT)

    assert approved.status is ChangeStatus.APPROVED
    assert (approved.decided_by, approved.decided_at) == ("reviewer01", DECIDED_AT)
    assert (approved.created_by, approved.request) == ("clerk01", pending.request)


def test_the_member_of_staff_who_entered_a_change_cannot_approve_it(pending: Change) -> None:
    with refused(SelfApprovalError, "自分の異動を決裁できません"):
        pending.approve(by="clerk01", at=DECIDED_AT)


def test_an_approved_change_cannot_be_approved_again(pending: Change) -> None:
    approved = pending.approve(by="reviewer01", at=DECIDED_AT)

    with refused(ChangeNotPending, "既に"):
        approved.approve(by="reviewer02", at=DECIDED_AT)
