"""The schedule's rules with a fixed clock: what goes now, what waits, and until when."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from moj_notify.domain.schedule import (
    WARD_TIME,
    Head,
    NoticeStatus,
    ScheduledNotice,
    Waiting,
    plan,
    retry_delay,
    waiting_for,
    ward_day,
)

# 2026-12-08 23:30 in Japan (14:30 UTC): the ward's date is the 8th, UTC's too.
NOW = datetime(2026, 12, 8, 14, 30, tzinfo=UTC)


def notice(notice_id: int = 1, **changes: object) -> ScheduledNotice:
    base = ScheduledNotice(
        id=notice_id,
        event_id=uuid.uuid4(),
        type="municipal_notice",
        person_key=f"p{notice_id}",
        seq=1,
        change_kind="move_out_abroad",
        not_before=None,
        idempotency_key=uuid.uuid4(),
        body={},
        status=NoticeStatus.PENDING,
        attempts=0,
        next_attempt_at=None,
        last_reply=None,
        delivery_id=None,
        traceparent=None,
        received_at=NOW,
        done_at=None,
        operator=None,
        note=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_ward_day_is_japans() -> None:
    assert ward_day(datetime(2026, 12, 8, 15, 0, tzinfo=UTC)) == date(2026, 12, 9)
    assert ward_day(datetime(2026, 12, 8, 14, 59, tzinfo=UTC)) == date(2026, 12, 8)


def test_a_notice_without_a_day_or_of_today_or_before_goes_now() -> None:
    for day in (None, date(2026, 12, 8), date(2026, 11, 1)):
        assert waiting_for(Head(notice(not_before=day), blocked=False), NOW) is Waiting.NOTHING


def test_a_planned_day_ahead_waits_until_japans_midnight_of_that_day() -> None:
    ahead = notice(not_before=date(2026, 12, 10))
    result = plan([Head(ahead, blocked=False)], NOW)
    assert result.due == []
    assert result.wake_at == datetime(2026, 12, 10, tzinfo=WARD_TIME)
    on_the_day = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)  # 2026-12-10 00:00 in Japan
    assert plan([Head(ahead, blocked=False)], on_the_day).due == [ahead]
    a_minute_before = on_the_day - timedelta(minutes=1)
    assert plan([Head(ahead, blocked=False)], a_minute_before).due == []


def test_a_retry_waits_for_its_time() -> None:
    later = NOW + timedelta(seconds=8)
    retried = notice(attempts=3, next_attempt_at=later)
    assert waiting_for(Head(retried, blocked=False), NOW) is Waiting.RETRY
    assert plan([Head(retried, blocked=False)], NOW).wake_at == later
    assert plan([Head(retried, blocked=False)], later).due == [retried]


def test_a_blocked_person_waits_without_a_wake_time() -> None:
    result = plan([Head(notice(), blocked=True)], NOW)
    assert result.due == []
    assert result.wake_at is None
    assert waiting_for(Head(notice(), blocked=True), NOW) is Waiting.PERSON_BLOCKED


def test_a_refused_head_waits_for_the_operator() -> None:
    refused = notice(status=NoticeStatus.REFUSED)
    assert waiting_for(Head(refused, blocked=True), NOW) is Waiting.OPERATOR
    assert plan([Head(refused, blocked=True)], NOW).due == []


def test_due_heads_go_oldest_first_and_the_earliest_wake_is_kept() -> None:
    heads = [
        Head(notice(5), blocked=False),
        Head(notice(2), blocked=False),
        Head(notice(3, not_before=date(2026, 12, 20)), blocked=False),
        Head(notice(4, not_before=date(2026, 12, 12)), blocked=False),
    ]
    result = plan(heads, NOW)
    assert [n.id for n in result.due] == [2, 5]
    assert result.wake_at == datetime(2026, 12, 12, tzinfo=WARD_TIME)


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 2.0), (2, 4.0), (3, 8.0), (9, 300.0), (500, 300.0)]
)
def test_retries_back_off_doubling_up_to_the_most(attempts: int, seconds: float) -> None:
    assert retry_delay(attempts, first=2.0, most=300.0) == timedelta(seconds=seconds)
