"""An in-memory unit of work: the delivery record (`jumin_testing.fake_ledger`), the schedule
and the person blocks, kept only on commit — and a ministry that answers as told."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from jumin_platform.deliveries import Outgoing
from jumin_testing.fake_ledger import NOW, FakeLedgerUnitOfWork, LedgerStore
from moj_notify.domain.notices import MojReply
from moj_notify.domain.schedule import Head, NoticeStatus, ScheduledNotice

__all__ = ["FakeMinistry", "FakeUnitOfWork", "Store"]

OPEN = (NoticeStatus.PENDING, NoticeStatus.REFUSED)


@dataclass
class Store(LedgerStore):
    notices: dict[int, ScheduledNotice] = field(default_factory=dict)
    blocks: dict[int, dict[str, Any]] = field(default_factory=dict)
    notice_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def schedule(self, **values: Any) -> ScheduledNotice:
        """Put a pending notice on the schedule (as the kit's handler would)."""
        notice_id = next(self.notice_ids)
        defaults: dict[str, Any] = {
            "id": notice_id,
            "type": "municipal_notice",
            "seq": notice_id,
            "change_kind": "move_within_ward",
            "not_before": None,
            "body": {"n": notice_id},
            "status": NoticeStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": None,
            "last_reply": None,
            "delivery_id": None,
            "traceparent": None,
            "received_at": NOW,
            "done_at": None,
            "operator": None,
            "note": None,
        }
        notice = ScheduledNotice(**(defaults | values))
        self.notices[notice_id] = notice
        return notice


class FakeSchedule:
    def __init__(self, store: Store) -> None:
        self._s = store

    def _open(self, person_key: str) -> list[ScheduledNotice]:
        mine = [n for n in self._s.notices.values() if n.person_key == person_key]
        return sorted((n for n in mine if n.status in OPEN), key=lambda n: (n.seq, n.id))

    def _blocked(self, person_key: str) -> bool:
        return any(
            b["person_key"] == person_key and b["cleared_at"] is None
            for b in self._s.blocks.values()
        )

    async def heads(self, *, after_id: int, limit: int) -> list[Head]:
        persons = {n.person_key for n in self._s.notices.values()}
        firsts = [o[0] for o in (self._open(p) for p in persons) if o]
        chosen = sorted((n for n in firsts if n.id > after_id), key=lambda n: n.id)[:limit]
        return [Head(n, self._blocked(n.person_key)) for n in chosen]

    async def head_of(self, person_key: str) -> ScheduledNotice | None:
        return next(iter(self._open(person_key)), None)

    first_open = head_of

    async def get(self, notice_id: int) -> ScheduledNotice | None:
        return self._s.notices.get(notice_id)

    def _set(self, notice_id: int, **changes: Any) -> None:
        self._s.notices[notice_id] = replace(self._s.notices[notice_id], **changes)

    async def sent(self, notice_id: int, *, delivery_id: int, reply: str) -> None:
        self._set(notice_id, status=NoticeStatus.SENT, delivery_id=delivery_id, last_reply=reply)

    async def held(self, notice_id: int, *, delivery_id: int) -> None:
        self._set(notice_id, status=NoticeStatus.HELD, delivery_id=delivery_id)

    async def refused(self, notice_id: int, *, delivery_id: int, reply: str) -> None:
        self._set(notice_id, status=NoticeStatus.REFUSED, delivery_id=delivery_id, last_reply=reply)

    async def unanswered(self, notice_id: int, *, retry_at: Any, reply: str) -> None:
        attempts = self._s.notices[notice_id].attempts + 1
        self._set(notice_id, attempts=attempts, next_attempt_at=retry_at, last_reply=reply)

    async def retry(self, notice_id: int, *, key: UUID, operator: str, note: str) -> bool:
        if self._s.notices[notice_id].status is not NoticeStatus.REFUSED:
            return False
        self._set(notice_id, status=NoticeStatus.PENDING, idempotency_key=key, operator=operator)
        return True

    async def withdraw(self, notice_id: int, *, operator: str, note: str) -> bool:
        if self._s.notices[notice_id].status not in OPEN:
            return False
        self._set(notice_id, status=NoticeStatus.WITHDRAWN, operator=operator, note=note)
        return True


class FakeBlocks:
    def __init__(self, store: Store) -> None:
        self._s = store

    async def add(self, person_key: str, *, source: str, reason: str, **refs: Any) -> None:
        block_id = len(self._s.blocks) + 1
        self._s.blocks[block_id] = {
            "person_key": person_key,
            "source": source,
            "reason": reason,
            "cleared_at": None,
            **refs,
        }

    async def open_of(self, person_key: str) -> list[dict[str, Any]]:
        return [
            b
            for b in self._s.blocks.values()
            if b["person_key"] == person_key and b["cleared_at"] is None
        ]

    async def clear_of_notice(self, notice_id: int, *, source: str, **_: Any) -> None:
        for block in self._s.blocks.values():
            if block.get("notice_id") == notice_id and block["source"] == source:
                block["cleared_at"] = NOW


class FakeUnitOfWork(FakeLedgerUnitOfWork):
    store: Store

    def _attach(self, store: Any) -> None:
        self.schedule = FakeSchedule(store)
        self.blocks = FakeBlocks(store)


@dataclass
class FakeMinistry:
    """Answers each transmission with the next status of `answers` (then 201); keeps what came."""

    answers: list[int | None] = field(default_factory=list)
    received: list[tuple[str, UUID, dict[str, Any]]] = field(default_factory=list)

    async def send(self, message: Outgoing, *, event_id: UUID, key: UUID) -> MojReply:
        self.received.append((message.type, key, dict(message.body)))
        status = self.answers.pop(0) if self.answers else 201
        if status is None:
            return MojReply(None, code="ReadTimeout")
        code = {503: "E-BUSY", 400: "E-FORMAT", 422: "E-REJECTED"}.get(status)
        return MojReply(status, code=code, receipt_no=f"MJ-{len(self.received):06d}")
