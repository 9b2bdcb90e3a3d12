"""One trace from the counter to CS and back, proven from the span files; no personal data anywhere.

Each process of the slice exports its spans as JSON lines to the session's trace directory. A birth
is approved at the registry; the trace of that request must reach CS (relay → cs_adapter →
simulator), come back with J-LIS's 個人番号 (simulator → cs_adapter's poller → the registry's
command consumer → the registry's new change → relay → cs_adapter → simulator), every span's
parent must be in some process's file, and the path from the approval to CS's receipt of the
updated 本人確認情報 must pass through the processes in that order.

Last (this module runs after the others): every span file and every process log — the
koseki_adapter's, moj_notify's and the 戸籍附票システム and 出入国在留管理庁 simulators' too — is
searched for the names, birth dates, addresses, 本籍, 個人番号 and 住民票コード of every person the
session entered, and the 氏名 (英字) and 在留カード番号 of every foreign resident.
"""

from __future__ import annotations

from jumin_testing.e2e.clients import OperatorClient, Outbox, RegistryClient, SimulatorClient
from jumin_testing.e2e.scenarios import birth_and_my_number
from jumin_testing.e2e.slice import Slice
from jumin_testing.e2e.spans import Trace, files_under, leaks, read_spans, traceparent_ids
from jumin_testing.waiting import eventually

REQUEST_PATH = ["registry-serve", "registry-relay", "cs-adapter", "cs-simulator"]
ROUND_TRIP = [
    *REQUEST_PATH,
    "cs-adapter",  # the poller fetched J-LIS's answer …
    "registry-commands",  # … the registry recorded it as a new change …
    "registry-relay",
    "cs-adapter",
    "cs-simulator",  # … and CS received the 本人確認情報 with the 個人番号
]


async def test_one_trace_covers_a_birth_to_cs_and_its_my_number_back(
    ward: Slice, registry: RegistryClient, cs: SimulatorClient, outbox: Outbox, seen: set[str]
) -> None:
    newborn = await birth_and_my_number(registry, cs, outbox, seen)

    (birth_message,) = [
        s for s in await outbox.sent(newborn.change_id) if s.routing_key == "cs.identity"
    ]
    assert birth_message.traceparent, "the outbox row keeps the approving request's trace"
    trace_id, _ = traceparent_ids(birth_message.traceparent)
    (request,) = [r for r in newborn.at_cs if r["type"] == "my_number_request"]
    (updated,) = [r for r in newborn.at_cs if r["type"] == "identity" and r["body"]["my_number"]]
    for transmission in (request, updated):
        assert transmission["traceparent"], f"CS got the trace with the {transmission['type']}"
        assert traceparent_ids(transmission["traceparent"])[0] == trace_id
    history = await registry.history(newborn.atena_no)
    entry = await outbox.sent(history[-1]["change_id"])
    assert {traceparent_ids(s.traceparent or "--x-")[0] for s in entry} == {trace_id}, (
        "the registry's 個人番号の職権記載 continued the birth's trace"
    )

    async def received_span(transmission: dict[str, str]) -> str | None:
        """The simulator's span in which CS received this transmission.

        The stored traceparent names that span itself, or (had the simulator kept the header as
        it came) the adapter's client span whose child it is.
        """
        _, named = traceparent_ids(transmission["traceparent"])
        found = [
            s.span_id
            for s in read_spans(ward.environment.traces)
            if s.service == "cs-simulator" and named in (s.span_id, s.parent_id)
        ]
        return found[0] if found else None

    final_span = await eventually(
        lambda: received_span(updated),
        lambda span: span is not None,
        what="the simulator's span of the updated 本人確認情報",
        every=0.2,
    )
    trace = Trace.of(read_spans(ward.environment.traces), trace_id)
    assert trace.services >= set(ROUND_TRIP)
    assert not trace.orphans(), "every hop's parent span is in some process's span file"
    request_span = await received_span(request)
    assert request_span is not None
    assert trace.hops(request_span) == REQUEST_PATH
    assert final_span is not None
    assert trace.hops(final_span) == ROUND_TRIP


async def test_no_personal_data_in_any_span_file_or_process_log(
    ward: Slice, seen: set[str], operator: OperatorClient, koseki_operator: OperatorClient
) -> None:
    assert len(seen) > 20, "the session entered people (this module runs last)"
    # The 整合性確認 pages CS and the 附票 by 住民票コード (in query strings): run both first.
    check = await operator.consistency_check()
    assert check["checked"] > 20, check
    assert check["cs_records"] > 20, check
    fuhyo_check = await koseki_operator.consistency_check()
    assert fuhyo_check["checked"] > 7, "more than one page of 附票"
    assert fuhyo_check["fuhyo_records"] > 7, "more than one page of 附票"
    texts = files_under(ward.environment.traces, ward.environment.logs)
    assert any(path.endswith(".jsonl") for path in texts), "the processes exported spans"
    assert {p.name for p in ward} <= {
        path.rsplit("/", 1)[-1].removesuffix(".log") for path in texts
    }, "every process left a log"

    found = leaks(texts, seen)

    assert not found, f"personal data in: { {k: len(v) for k, v in found.items()} }"
