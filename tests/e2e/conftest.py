"""The slice for the end-to-end tests: started once for this package, as real processes.

`deploy/local/provision.sh` makes a fresh database (`jumin_e2e_test`, or JUMIN_E2E_DB; dropped
first, so each run starts from nothing: two runs at once need different names) and a vhost of the
run's own (`jumin_e2e_<hex>`, JUMIN_E2E_VHOST the prefix; deleted at the end) — then the registry
API, relay, command consumer, cs_adapter, koseki_adapter, moj_notify and the three simulators
(CS, 戸籍附票システム, 出入国在留管理庁) run as subprocesses, their output and span files in pytest's
tmp directory.
A failing test's report carries the tail of every process log.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from typing import Any

import httpx
import pytest
from jumin_testing.broker import delete_vhost
from jumin_testing.e2e.clients import (
    KosekiSimulatorClient,
    OperatorClient,
    Outbox,
    RegistryClient,
    SimulatorClient,
)
from jumin_testing.e2e.environment import SliceEnvironment
from jumin_testing.e2e.moj import MojOperatorClient, MojSimulatorClient
from jumin_testing.e2e.slice import Slice, provision


@pytest.fixture(scope="package")
async def ward(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Slice]:
    """Provision the slice's database and vhost, start its processes; stop them at the end.

    Their logs and span files stay in pytest's tmp directory (printed at the end)."""
    environment = SliceEnvironment.from_env(tmp_path_factory.mktemp("e2e"))
    await provision(environment)
    running = Slice.build(environment)
    try:
        await running.start()
        yield running
    finally:
        running.stop()
        try:
            await delete_vhost(environment.vhost)
        except httpx.HTTPError as exc:  # the broker away: keep the test's own error in view
            print(f"\nvhost {environment.vhost} left behind: {type(exc).__name__}")
        print(f"\ne2e logs and spans: {environment.workdir}")


@pytest.fixture(scope="package")
async def registry(ward: Slice) -> AsyncIterator[RegistryClient]:
    client = RegistryClient(ward.environment.registry_url)
    yield client
    await client.aclose()


@pytest.fixture(scope="package")
async def cs(ward: Slice) -> AsyncIterator[SimulatorClient]:
    client = SimulatorClient(ward.environment.simulator_url)
    yield client
    await client.aclose()


@pytest.fixture(scope="package")
async def operator(ward: Slice) -> AsyncIterator[OperatorClient]:
    client = OperatorClient(ward.environment.cs_adapter_url)
    yield client
    await client.aclose()


@pytest.fixture(scope="package")
async def koseki(ward: Slice) -> AsyncIterator[KosekiSimulatorClient]:
    """The 戸籍附票システム simulator's test side."""
    client = KosekiSimulatorClient(ward.environment.koseki_simulator_url)
    yield client
    await client.aclose()


@pytest.fixture(scope="package")
async def koseki_operator(ward: Slice) -> AsyncIterator[OperatorClient]:
    """The koseki_adapter's operator API."""
    assert ward.koseki_adapter is not None, "the koseki_adapter is installed (uv sync)"
    client = OperatorClient(ward.environment.koseki_adapter_url)
    yield client
    await client.aclose()


@pytest.fixture(scope="package")
async def moj(ward: Slice) -> AsyncIterator[MojSimulatorClient]:
    """The 出入国在留管理庁 simulator's test side."""
    client = MojSimulatorClient(ward.environment.moj_simulator_url)
    yield client
    await client.aclose()


@pytest.fixture(scope="package")
async def moj_operator(ward: Slice) -> AsyncIterator[MojOperatorClient]:
    """moj_notify's operator API."""
    assert ward.moj_notify is not None, "moj_notify is installed (uv sync)"
    client = MojOperatorClient(ward.environment.moj_notify_url)
    yield client
    await client.aclose()


@pytest.fixture(scope="package")
def outbox(ward: Slice) -> Outbox:
    return Outbox(ward.environment)


@pytest.fixture(scope="package")
def seen() -> set[str]:
    """Every personal datum the session's tests entered or CS made up (names, birth dates,
    addresses, 個人番号, 住民票コード): none may show in a log or span file (checked last)."""
    return set()


@pytest.fixture(autouse=True)
async def no_faults_left(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Whatever a test did to a simulator (CS, 附票, 法務省), the next one starts without faults."""
    yield
    for simulator in ("cs", "koseki", "moj"):
        if simulator in request.fixturenames:
            await request.getfixturevalue(simulator).clear_faults()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Generator[None, Any, None]:
    """Attach the tail of every process log to a failing test's report."""
    outcome = yield
    report = outcome.get_result()
    running = getattr(item, "funcargs", {}).get("ward")
    if report.failed and isinstance(running, Slice):
        report.sections.append(("slice process logs", running.dump()))
