"""The operator's use cases on the schedule: what each notice waits for, retry and withdraw."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import cast

import pytest
from jumin_platform.deliveries import NothingFound
from moj_notify.adapters.schedule import ScheduleFilter
from moj_notify.domain.schedule import NoticeStatus, Waiting
from moj_notify.service_layer.scheduled import (
    NotOpen,
    NotRefused,
    list_scheduled,
    retry_refused,
    withdraw,
)
from moj_notify.service_layer.unit_of_work import UnitsOfWork

from .fake_uow import FakeUnitOfWork, Store

NOW = datetime(2026, 12, 8, 1, tzinfo=UTC)


def _store() -> tuple[Store, UnitsOfWork]:
    store = Store()
    return store, cast(UnitsOfWork, FakeUnitOfWork(store))


def _schedule(store: Store, person_key: str, **values: object) -> int:
    notice = store.schedule(
        event_id=uuid.uuid4(), person_key=person_key, idempotency_key=uuid.uuid4(), **values
    )
    return notice.id


async def test_each_notice_says_what_it_waits_for_and_behind_which() -> None:
    store, uow = _store()
    planned = _schedule(store, "a", not_before=date(2026, 12, 10))
    later = _schedule(store, "a")
    refused = _schedule(store, "b", status=NoticeStatus.REFUSED)
    sent = _schedule(store, "c", status=NoticeStatus.SENT)
    views = {v.notice.id: v for v in await list_scheduled(uow, ScheduleFilter(), now=NOW)}
    assert (views[planned].waiting_for, views[planned].behind) == (Waiting.DATE, None)
    assert (views[later].waiting_for, views[later].behind) == (Waiting.EARLIER_NOTICE, planned)
    assert views[refused].waiting_for is Waiting.OPERATOR
    assert views[sent].waiting_for is Waiting.DONE


async def test_a_retry_puts_a_refused_notice_back_under_a_new_key_and_clears_its_block() -> None:
    store, uow = _store()
    refused = _schedule(store, "a", status=NoticeStatus.REFUSED)
    old_key = store.notices[refused].idempotency_key
    block = {"person_key": "a", "source": "refusal", "notice_id": refused, "cleared_at": None}
    store.blocks[1] = block
    notice = await retry_refused(uow, notice_id=refused, operator="ops", reason="照合済み")
    assert notice.status is NoticeStatus.PENDING
    assert notice.idempotency_key != old_key
    assert store.blocks[1]["cleared_at"] is not None


async def test_only_a_refused_notice_is_retried_and_only_an_open_one_withdrawn() -> None:
    store, uow = _store()
    pending = _schedule(store, "a")
    sent = _schedule(store, "b", status=NoticeStatus.SENT)
    with pytest.raises(NotRefused):
        await retry_refused(uow, notice_id=pending, operator="ops", reason="x")
    with pytest.raises(NotOpen):
        await withdraw(uow, notice_id=sent, operator="ops", reason="x")
    with pytest.raises(NothingFound):
        await withdraw(uow, notice_id=999, operator="ops", reason="x")
    assert store.notices[pending].status is NoticeStatus.PENDING
    withdrawn = await withdraw(uow, notice_id=pending, operator="ops", reason="誤送信")
    assert (withdrawn.status, withdrawn.note) == (NoticeStatus.WITHDRAWN, "誤送信")
