"""One trace each way on the 法務省 link, proven from the span files.

- Outbound: a 法第30条の46転入 approved at the registry → the relay → moj_notify (its consumer puts
  the notice on the schedule, its dispatcher sends it under the event's trace) → the ministry's
  receipt of the 市町村通知, every hop's parent in some process's span file.
- Inbound: a 長官通知 on the ministry's feed → moj_notify's poller → the registry's command
  consumer, which records the pending change.

(The privacy scan of test_trace_and_privacy.py, which runs after this module, covers moj_notify's
and the ministry simulator's logs and spans and the foreign residents entered here.)
"""

from __future__ import annotations

from datetime import date

from jumin_testing.e2e.clients import Outbox, RegistryClient
from jumin_testing.e2e.foreigners import foreigner
from jumin_testing.e2e.moj import (
    MUNICIPAL_NOTICE,
    MojSimulatorClient,
    foreigners_moved_in,
    notices_of,
)
from jumin_testing.e2e.slice import Slice
from jumin_testing.e2e.spans import paths_to, receipt_path, traceparent_ids
from jumin_testing.waiting import eventually

OUTBOUND = ["registry-serve", "registry-relay", "moj-notify", "moj-simulator"]
INBOUND = ["moj-simulator", "moj-notify", "registry-commands"]


async def test_one_trace_from_the_approval_to_the_ministry(
    ward: Slice, registry: RegistryClient, moj: MojSimulatorClient, outbox: Outbox, seen: set[str]
) -> None:
    newcomer = foreigner()

    change = await foreigners_moved_in(registry, [newcomer], seen, on=date.today())

    (sent,) = await outbox.sent(change["change_id"], recipient="moj")
    assert sent.traceparent, "the outbox row keeps the approving request's trace"
    trace_id, _ = traceparent_ids(sent.traceparent)
    received = await notices_of(moj, {sent.event_id}, count=2)
    (notice,) = [r for r in received if r["type"] == MUNICIPAL_NOTICE]
    assert notice["traceparent"], "the ministry got the trace with the notice"
    assert traceparent_ids(notice["traceparent"])[0] == trace_id
    hops, trace = await receipt_path(
        ward.environment.traces, "moj-simulator", notice["traceparent"]
    )
    assert not trace.orphans(), "every hop's parent span is in some process's span file"
    assert hops == OUTBOUND


async def test_one_trace_from_the_director_notice_to_the_pending_change(
    ward: Slice, registry: RegistryClient, moj: MojSimulatorClient, outbox: Outbox, seen: set[str]
) -> None:
    holder = foreigner()
    change = await foreigners_moved_in(registry, [holder], seen, on=date.today())
    (atena_no,) = change["subjects"]
    (sent,) = await outbox.sent(change["change_id"], recipient="moj")
    await notices_of(moj, {sent.event_id}, count=2)  # the ministry knows the card first

    queued = await moj.director_notice(
        {
            "kind": "period_extension",
            "residence_card_no": holder.residence_card_no,
            "effective_date": date.today().strftime("%Y%m%d"),
            "corrections": {"period_of_stay": "3年"},
            "notice_text": "在留期間更新許可",
        }
    )

    await eventually(
        lambda: registry.changes(status="pending", atena_no=atena_no),
        lambda rows: len(rows) == 1,
        what="the pending change of the 在留期間更新",
        within=45,
        every=0.3,
    )
    trace_id, _ = traceparent_ids(
        await moj.feed_traceparent("/moj/v1/notifications", int(queued["cursor"]))
    )

    paths, trace = await paths_to(ward.environment.traces, trace_id, "registry-commands")
    assert not trace.orphans(), "every hop's parent span is in some process's span file"
    assert paths == {tuple(INBOUND)}
