"""One trace each way on the 戸籍附票 link, proven from the span files.

- Outbound: a 転居 approved at the registry → the relay → the koseki_adapter → the 附票 system's
  receipt of the 附票記載事項通知, every hop's parent in some process's span file.
- Inbound: a 戸籍届 filed at the 本籍地 (the simulator's test API) → its 住民票記載事項通知 fetched
  by the koseki_adapter's poller → the registry's command consumer, which records the pending
  職権修正.

(The privacy scan of test_trace_and_privacy.py, which runs after this module, covers the new
processes' logs and spans and the people entered here.)
"""

from __future__ import annotations

from datetime import date, timedelta

from jumin_testing.e2e.clients import KosekiSimulatorClient, Outbox, RegistryClient
from jumin_testing.e2e.koseki import in_ward, seed
from jumin_testing.e2e.people import Family, cs_date, move_within_ward, ward_address
from jumin_testing.e2e.scenarios import moved_in
from jumin_testing.e2e.slice import Slice
from jumin_testing.e2e.spans import paths_to, receipt_path, traceparent_ids
from jumin_testing.e2e.stream import arrived
from jumin_testing.waiting import eventually

OUTBOUND = ["registry-serve", "registry-relay", "koseki-adapter", "koseki-simulator"]


async def test_one_trace_from_the_approval_to_the_fuhyo_system(
    ward: Slice,
    registry: RegistryClient,
    koseki: KosekiSimulatorClient,
    outbox: Outbox,
    seen: set[str],
) -> None:
    mover = in_ward()
    household = Family((mover,))
    seen.update(household.secrets)
    await seed(koseki, mover)
    (atena_no,) = (await moved_in(registry, household))["subjects"]
    address = ward_address()
    seen.add(address)

    move = await registry.enter(move_within_ward([atena_no], address, date.today()))

    (sent,) = await outbox.sent(move["change_id"], recipient="koseki")
    assert sent.traceparent, "the outbox row keeps the approving request's trace"
    trace_id, _ = traceparent_ids(sent.traceparent)
    (notice,) = await arrived(koseki, {sent.event_id})
    assert notice["traceparent"], "the 附票 system got the trace with the notice"
    assert traceparent_ids(notice["traceparent"])[0] == trace_id
    hops, trace = await receipt_path(
        ward.environment.traces, "koseki-simulator", notice["traceparent"]
    )
    assert not trace.orphans(), "every hop's parent span is in some process's span file"
    assert hops == OUTBOUND


INBOUND = ["koseki-simulator", "koseki-adapter", "registry-commands"]


async def test_one_trace_from_the_koseki_notice_to_the_pending_change(
    ward: Slice,
    registry: RegistryClient,
    koseki: KosekiSimulatorClient,
    outbox: Outbox,
    seen: set[str],
) -> None:
    someone = in_ward()
    household = Family((someone,))
    seen.update(household.secrets)
    await seed(koseki, someone)
    change = await moved_in(registry, household)
    (atena_no,) = change["subjects"]
    (notice,) = await outbox.sent(change["change_id"], recipient="koseki")
    await arrived(koseki, {notice.event_id})  # the 附票 knows the 住所 before the 戸籍 event
    seen.add(f"{someone.family_name}琥珀")

    (queued,) = await koseki.file_event(
        {
            "event": "name_change",
            "honseki": someone.honseki,
            "hittosha": someone.full_name,
            "juminhyo_code": someone.juminhyo_code,
            "new_given_name": "琥珀",
            "event_date": cs_date(date.today() - timedelta(days=1)),
        }
    )

    await eventually(
        lambda: registry.changes(status="pending", atena_no=atena_no),
        lambda rows: len(rows) == 1,
        what="the pending 職権修正 of the 氏名の変更",
        within=45,
        every=0.3,
    )
    traceparent = await koseki.feed_traceparent("/koseki/v1/notifications", queued["cursor"])
    trace_id, _ = traceparent_ids(traceparent)

    paths, trace = await paths_to(ward.environment.traces, trace_id, "registry-commands")
    assert not trace.orphans(), "every hop's parent span is in some process's span file"
    assert paths == {tuple(INBOUND)}
