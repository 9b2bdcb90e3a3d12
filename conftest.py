"""Mark every test with its tier, by where it lives (`pytestmark` in a conftest.py does nothing).

- `unit`: under a `unit/` (or `<name>_unit/`) folder of a `tests/` folder — no PostgreSQL, no
  RabbitMQ, no provisioning (`make test-unit`);
- `integration`: under `tests/integration/` — real PostgreSQL and RabbitMQ (anything not placed
  in a tier counts as integration, so a test of unknown cost never slows `make test-unit`);
- `e2e`: tests/e2e — the slice's processes; `chaos`: tests/chaos — faults injected into them;
- `fuzz`: a module named `test_*fuzz*.py`, besides its tier's marker.

`make test-fast` runs everything but e2e, chaos and fuzz; `make test` runs everything.

A session that runs anything beyond the unit tier must not touch the development vhost `jumin`
(`jumin_testing.vhost_guard`): it stops before its first test if a broker setting names `jumin`,
and fails at the end if the `jumin` vhost's queues or publish counter changed meanwhile.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from jumin_testing import vhost_guard

ROOT = Path(__file__).resolve().parent
TOP_LEVEL_TIERS = {"e2e", "chaos"}  # tests/<tier>/ at the repository root


def tier_of(path: Path) -> str:
    """Name the tier of a test module from its path."""
    parts = path.resolve().relative_to(ROOT).parts
    if parts[0] == "tests" and parts[1] in TOP_LEVEL_TIERS:
        return parts[1]
    below_tests = parts[parts.index("tests") + 1 :] if "tests" in parts else ()
    folders = below_tests[:-1]
    if any(f == "unit" or f.endswith("_unit") for f in folders):
        return "unit"
    return "integration"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give each collected test the marker of its tier (and `fuzz` to fuzz modules)."""
    for item in items:
        item.add_marker(tier_of(item.path))
        if item.path.name.startswith("test_") and "fuzz" in item.path.stem:
            item.add_marker("fuzz")


_JUMIN_AT_START = pytest.StashKey[vhost_guard.VhostSnapshot]()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Before a session with broker tests starts: no setting may name `jumin`; note its queues."""
    if session.config.option.collectonly or all(
        item.get_closest_marker("unit") for item in session.items
    ):
        return
    named = vhost_guard.settings_naming(vhost_guard.DEVELOPMENT_VHOST, os.environ)
    if named:
        pytest.exit(
            "tests never use the development vhost "
            f"{vhost_guard.DEVELOPMENT_VHOST!r} (make up's): {', '.join(named)}. "
            "Run them with `make test` (it provisions and exports the test vhost).",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )
    before = vhost_guard.snapshot()
    if before is not None:
        session.stash[_JUMIN_AT_START] = before


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Fail the session if the `jumin` vhost's queues changed while it ran."""
    before = session.stash.get(_JUMIN_AT_START, None)
    if before is None:
        return
    time.sleep(vhost_guard.STATS_INTERVAL_SECONDS)  # let the management API catch up
    after = vhost_guard.snapshot()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if after is None:
        return
    changed = vhost_guard.differences(before, after)
    if not changed:
        return
    message = f"the development vhost {vhost_guard.DEVELOPMENT_VHOST!r} changed during the tests"
    lines = "\n".join(f"  - {c}" for c in changed)
    if before.connections or after.connections:
        # A running `make up` (or another client) uses it: its traffic is not the tests'.
        if reporter is not None:
            reporter.write_line(f"WARNING {message} (inconclusive: others are connected):\n{lines}")
        return
    if reporter is not None:
        reporter.write_line(f"FAILED {message}:\n{lines}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
