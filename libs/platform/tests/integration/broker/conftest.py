"""Real-broker fixtures: a throwaway vhost with Jumin's topology and the real users' permissions.

Each test gets its own vhost `jumin_broker_test_<hex>` (see `jumin_testing.broker`):
the topology from `jumin_platform.topology` is declared there by `jumin_admin`, and every broker
user of the topology (created by deploy/local/provision.sh, which `make test` runs first) is
granted exactly the topology's vhost and topic permissions on it. So the tests exercise the real
accounts and the real permission matrix without touching the `jumin` vhost that a running `make up`
consumes from. The vhost (with its permissions) is deleted afterwards, also when the test failed.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from jumin_platform.topology import Topology, topology_from_env
from jumin_testing.broker import Sandbox, SandboxFactory, management, q, sandbox_vhost

__all__ = ["Sandbox", "SandboxFactory", "management", "q"]


@pytest.fixture
async def make_sandbox() -> AsyncIterator[SandboxFactory]:
    """Build sandboxes from topologies (the vhost name is replaced by a fresh one)."""
    async with contextlib.AsyncExitStack() as made:

        async def build(topology: Topology) -> Sandbox:
            return await made.enter_async_context(
                sandbox_vhost(topology, prefix="jumin_broker_test")
            )

        yield build


@pytest.fixture
async def sandbox(make_sandbox: SandboxFactory) -> Sandbox:
    """The default topology (no scale-out) in a fresh vhost, every recipient routed (as once all
    services exist): the permission matrix is the same either way (test_unrouted.py)."""
    return await make_sandbox(Topology().with_all_routed())


@pytest.fixture
def provisioned_topology() -> Topology:
    """The topology deploy/local/provision.sh applied to the real vhost (same environment)."""
    return topology_from_env()
