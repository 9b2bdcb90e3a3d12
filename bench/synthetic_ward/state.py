"""What the synthetic ward generator holds: its seeded state and the COPY records it produces."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from jumin_platform.my_number_vault import MyNumberVault
from bench.synthetic_ward.names import NamePools
from bench.synthetic_ward.places import Street
from bench.synthetic_ward.records import BulkChanges, RecordShape


class ResidentSample(NamedTuple):
    """Hold what the query benchmark needs about one resident."""

    atena_no: str
    family_kana: str  # kana_search_key of the 氏フリガナ: a prefix of the resident's kana_key
    entered_on: date
    rows: int  # history rows (履歴番号 1..rows)


class HouseholdSample(NamedTuple):
    """Hold what the query benchmark needs about one household."""

    household_no: str
    formed_on: date


@dataclass
class SyntheticWard:
    """Hold the COPY records of every table and the samples the queries draw from."""

    households: list[tuple[object, ...]] = field(default_factory=list)
    changes: list[tuple[object, ...]] = field(default_factory=list)
    history: list[tuple[object, ...]] = field(default_factory=list)
    current: list[tuple[object, ...]] = field(default_factory=list)
    residents: list[ResidentSample] = field(default_factory=list)
    household_samples: list[HouseholdSample] = field(default_factory=list)
    foreign_residents: int = 0


@dataclass
class Ward:
    """Hold the generator's state: seeded randomness, pools, number counters and output."""

    rng: random.Random
    names: NamePools
    streets: list[Street]
    history_shape: RecordShape
    current_shape: RecordShape
    changes: BulkChanges
    vault: MyNumberVault | None
    out: SyntheticWard = field(default_factory=SyntheticWard)
    person_seq: int = 0
    household_seq: int = 0
    foreign_seq: int = 0
    change_rows: dict[uuid.UUID, int] = field(default_factory=dict)
