"""Any sequence of valid changes (異動) keeps the register's invariants, on the real database.

A hypothesis state machine files changes through the real handlers (entered by clerk01, approved
by reviewer01) and, after every step, checks what the 住民記録 must never lose:

1. every 世帯 with resident members has exactly one 世帯主 (and one 住所);
2. nobody is in two 世帯: one current row per person, and it is their last 履歴番号;
3. 履歴番号 per person run 1..n without gaps;
4. as-of answers (異動日, 処理日時) agree with the history rows;
5. a refused change writes nothing.

Each rule also predicts the change's effect on its own model of who lives where (the register as
read before the step), and a pending change (仮登録) must leave every read unchanged.

This module holds the machine's plumbing and rules; its model is in register_model.py, the plans
(one valid request per kind of change) in register_plans.py, the invariants' checks in
register_checks.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, TypeVar
from urllib.parse import urlparse
from uuid import UUID, uuid4

import asyncpg
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from jumin_platform.db import create_pool
from jumin_platform.my_number_vault import load_vault
from registry.bootstrap import Registry
from registry.config import Settings
from registry.domain.change_requests import ChangeRequest
from registry.domain.changes import ChangeStatus
from registry.domain.errors import RegistryError
from registry.service_layer.handlers import approve_change, get_change, submit_change

from .helpers import juminhyo_code
from .register_checks import RegisterChecks
from .register_model import START, Approved, Fact, Plan, Snapshot, address_book
from .register_plans import RegisterPlans

T = TypeVar("T")

CLERK, REVIEWER = "clerk01", "reviewer01"
RECORD_TABLES = ("resident_current", "resident_history", "households")
TABLES = (*RECORD_TABLES, "changes", "juminhyo_code_pool")
FREE_CODES = 500
"""住民票コード CS supplied before the run: every 出生 draws one (an empty pool refuses it)."""

SNAPSHOT = """
SELECT c.atena_no, c.status, c.household_no, c.is_head, h.relationship, h.family_name,
       h.given_name, h.address, last.occurred_on
  FROM registry.resident_current c
  JOIN registry.resident_history h USING (atena_no, history_no)
  JOIN (SELECT atena_no, max(occurred_on_sort) AS occurred_on
          FROM registry.resident_history GROUP BY atena_no) last USING (atena_no)
"""

TOUCHED = "SELECT DISTINCT atena_no FROM registry.resident_history WHERE change_id = $1"

Tables = dict[str, list[tuple[Any, ...]]]


@cache
def _settings() -> Settings:
    settings_ = Settings()
    if "test" not in urlparse(settings_.migration_database_url.get_secret_value()).path:
        pytest.fail("integration tests run only against a *test* database")
    return settings_


class RegisterMachine(RegisterPlans, RegisterChecks, RuleBasedStateMachine):
    """File random valid changes and check the register after each one."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.ticks = 0
        settings_ = _settings()
        self.owner: asyncpg.Connection[Any] = self._run(
            asyncpg.connect(settings_.migration_database_url.get_secret_value())
        )
        self._run(self._clean())
        pool = self._run(create_pool(settings_.database_url.get_secret_value(), max_size=2))
        self.registry = Registry(
            settings=settings_,
            pool=pool,
            addresses=address_book(),
            vault=load_vault(settings_.my_number_key_file),
            clock=self._now,
        )
        self._run(self._supply_codes())
        self.approved: list[Approved] = []
        self.pending: list[UUID] = []
        self.state: Snapshot = {}
        self.last_on: dict[str, date] = {}

    def teardown(self) -> None:
        try:
            self._run(self._clean())
            self._run(self.owner.close())
            self._run(self.registry.pool.close())
        finally:
            self.loop.close()

    # --- plumbing ---------------------------------------------------------------------------

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def _now(self) -> datetime:
        return START + timedelta(seconds=self.ticks)

    async def _clean(self) -> None:
        await self.owner.execute(f"TRUNCATE {', '.join(f'registry.{t}' for t in TABLES)} CASCADE")

    async def _supply_codes(self) -> None:
        codes = [juminhyo_code(f"7{n:09d}") for n in range(FREE_CODES)]
        async with self.registry.uow() as uow:
            await uow.code_pool.add(codes, received_at=START)
            await uow.commit()

    async def _read_state(self) -> None:
        records = await self.owner.fetch(SNAPSHOT)
        self.state = {r["atena_no"]: Fact(**{k: r[k] for k in Fact._fields}) for r in records}
        self.last_on = {r["atena_no"]: r["occurred_on"] for r in records}

    def _tables(self) -> Tables:
        async def dump() -> Tables:
            return {
                t: sorted(tuple(r) for r in await self.owner.fetch(f"SELECT * FROM registry.{t}"))
                for t in TABLES
            }

        return self._run(dump())

    def _submit(self, request: ChangeRequest, change_id: UUID) -> UUID:
        self.ticks += 1
        self._run(
            submit_change(
                uow=self.registry.uow(),
                request=request,
                staff_id=CLERK,
                terminal=None,
                change_id=change_id,
                addresses=self.registry.addresses,
                clock=self.registry.clock,
            )
        )
        return change_id

    def _approve(self, change_id: UUID) -> None:
        self.ticks += 1  # each approval is recorded one second after the last
        self._run(
            approve_change(
                uow=self.registry.uow(),
                change_id=change_id,
                reviewer_id=REVIEWER,
                addresses=self.registry.addresses,
                clock=self.registry.clock,
            )
        )

    @staticmethod
    def _refusal(action: Callable[[], object]) -> RegistryError | None:
        """Run an action; return the domain error that refused it, if any."""
        try:
            action()
        except RegistryError as error:
            return error
        return None

    def _check_refusal(self, plan: Plan, error: RegistryError, tables: Tables) -> None:
        assert plan.refused_by is not None, f"valid change refused: {error.detail} {plan.request}"
        assert isinstance(error, plan.refused_by), error.detail
        assert not plan.may_be_refused or "世帯主" in error.detail, error.detail
        assert self._tables() == tables, "a refused change wrote rows"

    def _carry_out(self, plan: Plan) -> None:
        """Submit and approve a change; check its predicted outcome or that a refusal wrote nothing."""
        before, tables, change_id = self.state, self._tables(), uuid4()
        error = self._refusal(lambda: self._approve(self._submit(plan.request, change_id)))
        event(f"{plan.request.kind.value}: {'refused' if error else 'approved'}")
        if error is not None:
            self._check_refusal(plan, error, tables)
            return
        assert plan.refused_by is None or plan.may_be_refused, f"expected refusal: {plan.request}"
        self._approved(change_id, before)
        plan.expect(before, self.state)

    def _approved(self, change_id: UUID, before: Snapshot) -> None:
        touched = self._run(self.owner.fetch(TOUCHED, change_id))
        self.approved.append(Approved(change_id, before, frozenset(r[0] for r in touched)))
        self._run(self._read_state())

    # --- rules ------------------------------------------------------------------------------

    @initialize(data=st.data())
    def first_households(self, data: st.DataObject) -> None:
        """Start with two 国内転入 (often at one address), so every rule has something to act on."""
        self._carry_out(self._plan_move_in(data))
        self._carry_out(self._plan_move_in(data))

    @rule(data=st.data())
    def move_in(self, data: st.DataObject) -> None:
        """国内転入 of a new household of 1-4 people."""
        self._carry_out(self._plan_move_in(data))

    @precondition(lambda self: self._households())
    @rule(data=st.data())
    def birth(self, data: st.DataObject) -> None:
        """出生 into a household."""
        self._carry_out(self._plan_birth(data))

    @precondition(lambda self: self._households())
    @rule(data=st.data())
    def move_household(self, data: st.DataObject) -> None:
        """転居 of a whole household, or of some members to a new or another household."""
        self._carry_out(self._plan_move(data))

    @precondition(lambda self: self._large_households())
    @rule(data=st.data())
    def separate(self, data: st.DataObject) -> None:
        """世帯分離 of non-head members."""
        self._carry_out(self._plan_separation(data))

    @precondition(lambda self: self._same_address_pairs())
    @rule(data=st.data())
    def transfer(self, data: st.DataObject) -> None:
        """世帯変更 between households at one address (the head too: maybe refused)."""
        self._carry_out(self._plan_transfer(data))

    @precondition(lambda self: self._same_address_pairs())
    @rule(data=st.data())
    def merge(self, data: st.DataObject) -> None:
        """世帯合併 of a whole household into another at the same address."""
        self._carry_out(self._plan_merger(data))

    @precondition(lambda self: self._large_households())
    @rule(data=st.data())
    def change_head(self, data: st.DataObject) -> None:
        """世帯主変更."""
        self._carry_out(self._plan_head_change(data))

    @precondition(lambda self: self._households())
    @rule(data=st.data())
    def remove(self, data: st.DataObject) -> None:
        """死亡 or 国内転出 of members, the head included (refused if 2+ are left headless)."""
        self._carry_out(self._plan_removal(data))

    @precondition(lambda self: self._households())
    @rule(data=st.data())
    def correct_name(self, data: st.DataObject) -> None:
        """誤記修正 of a 名 (removed records included)."""
        self._carry_out(self._plan_correction(data))

    @precondition(lambda self: self.approved)
    @rule(data=st.data())
    def cancel_latest(self, data: st.DataObject) -> None:
        """異動の取消し of the most recent change: everyone it touched is as before it."""
        self._carry_out(self._plan_cancellation(data))

    @precondition(lambda self: self.approved)
    @rule(data=st.data())
    def cancel_earlier(self, data: st.DataObject) -> None:
        """異動の取消し of any approved change (refused if a later change touched its people)."""
        self._carry_out(self._plan_earlier_cancellation(data))

    @rule(data=st.data())
    def enter_pending(self, data: st.DataObject) -> None:
        """仮登録 of any valid change: every read stays as it was."""
        plans = self._plans()
        plan = plans[data.draw(st.sampled_from(sorted(plans)))](data)
        reads, tables, change_id = self._run(self._reads()), self._tables(), uuid4()
        error = self._refusal(lambda: self._submit(plan.request, change_id))
        if error is not None:
            self._check_refusal(plan, error, tables)
            return
        assert self._run(self._reads()) == reads, "a pending change altered a read"
        after = self._tables()
        assert all(after[t] == tables[t] for t in RECORD_TABLES), "a pending change wrote history"
        self.pending.append(change_id)

    @precondition(lambda self: self.pending)
    @rule(data=st.data())
    def approve_stale(self, data: st.DataObject) -> None:
        """本登録 of a change entered steps ago: it fits the register as it is now, or writes nothing."""
        change_id = data.draw(st.sampled_from(self.pending))
        self.pending.remove(change_id)
        before, tables = self.state, self._tables()
        if self._refusal(lambda: self._approve(change_id)) is not None:
            after = self._tables()
            assert all(after[t] == tables[t] for t in RECORD_TABLES), "a refused change wrote rows"
            change = self._run(get_change(uow=self.registry.uow(), change_id=change_id))
            assert change.status is ChangeStatus.PENDING
            event(f"stale {change.request.kind.value}: refused")
        else:
            self._approved(change_id, before)
            event("stale change: approved")

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def register_is_consistent(self) -> None:
        self._run(self._read_state())
        self._run(self._check_tables())
        self._run(self._check_reads())


RegisterMachine.TestCase.settings = settings(
    max_examples=15,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestRegisterStateMachine = RegisterMachine.TestCase
