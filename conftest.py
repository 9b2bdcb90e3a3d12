"""Mark every test with its tier, by where it lives (`pytestmark` in a conftest.py does nothing).

- `unit`: under a `unit/` (or `<name>_unit/`) folder of a `tests/` folder — no PostgreSQL, no
  RabbitMQ, no provisioning (`make test-unit`);
- `integration`: under `tests/integration/` — real PostgreSQL and RabbitMQ (anything not placed
  in a tier counts as integration, so a test of unknown cost never slows `make test-unit`);
- `e2e`: tests/e2e — the slice's processes; `chaos`: tests/chaos — faults injected into them;
- `fuzz`: a module named `test_*fuzz*.py`, besides its tier's marker.

`make test-fast` runs everything but e2e, chaos and fuzz; `make test` runs everything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
