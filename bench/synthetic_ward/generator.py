"""Generate a synthetic 新宿区: households, residents and their 異動履歴, ready for COPY.

Every row is built as the registry builds it: a `Person` inside a `HistoryRow`, written out by
`registry.adapters.rows.history_to_json` / `current_to_json` and only then turned into a COPY
record of the table's column types (`RecordShape`).  The data is seeded and deterministic.

What the ward looks like (`REFERENCE_DAY` is "today" for the data, fixed so that a seed gives
the same ward on any day):

- household sizes 1–6 with about half single households (Tokyo); one 世帯主 each, the others
  妻/夫/子/父/母; about 12 % foreign residents (国籍, 区分, 在留資格, 在留カード番号, no 本籍);
- names: Faker ja_JP knows only 50 family names and about as many given names, so the pools
  of 5,000 family and 5,000 given names mix Faker's (drawn with Faker's frequencies: the
  common head, 佐藤 ≈ 1.7 %) with compound names (山+田, 大+翔 …) drawn by a Zipf law (the
  tail, about 1,500 family names);
- addresses: real 町 (and 丁目) of 新宿区 from the 住所辞書, every street address parsed by
  `PostalAddressBook.parse_ward_address`, most of them in a building with room numbers;
- history: an entry row (転入, 出生, 法第30条の46転入), a quarter of the households move within
  the ward once or twice (転居), 2 % have moved out (転出, status 'removed').

The generator is split by what it builds: `names` (name pools, nationalities), `places` (streets
and buildings), `households` (who lives together, their dates), `persons` (each member's items),
`history` (the history and current rows), `records` (COPY shapes), `state` (the generator's state
and output), `dates` (the data's "today").
"""

from __future__ import annotations

import itertools
import random
from datetime import datetime
from typing import TYPE_CHECKING

from faker import Faker
from jumin_contracts.check_digits import make_atena_no
from registry.adapters.address_dictionary import PostalAddressBook

if TYPE_CHECKING:
    from jumin_platform.my_number_vault import MyNumberVault
from bench.synthetic_ward.dates import JST, draw_recorded_at
from bench.synthetic_ward.history import add_person
from bench.synthetic_ward.households import (
    compose,
    draw_arrival_kind,
    draw_nationality,
    draw_timeline,
)
from bench.synthetic_ward.names import NamePools
from bench.synthetic_ward.persons import build_people
from bench.synthetic_ward.places import draw_streets
from bench.synthetic_ward.records import BulkChanges, RecordShape
from bench.synthetic_ward.state import HouseholdSample, SyntheticWard, Ward

HOUSEHOLD_SIZES = {1: 0.50, 2: 0.24, 3: 0.13, 4: 0.09, 5: 0.03, 6: 0.01}
FOREIGN_SHARE = 0.12


def generate_ward(
    scale: int,
    *,
    seed: int,
    history_shape: RecordShape,
    current_shape: RecordShape,
    vault: MyNumberVault | None = None,
    book: PostalAddressBook | None = None,
) -> SyntheticWard:
    """Generate `scale` residents in households, with their history and current rows.

    With a vault, 個人番号 is stored sealed with its lookup hash, as the schema then requires.
    """
    rng = random.Random(seed)
    faker = Faker("ja_JP")
    faker.seed_instance(seed)
    ward = Ward(
        rng=rng,
        names=NamePools.draw(rng, faker),
        streets=draw_streets(rng, book or PostalAddressBook(prefecture="東京都", ward="新宿区")),
        history_shape=history_shape,
        current_shape=current_shape,
        changes=BulkChanges.draw(rng),
        vault=vault,
    )
    sizes, size_weights = zip(*HOUSEHOLD_SIZES.items(), strict=True)
    cumulative = list(itertools.accumulate(size_weights))
    while ward.person_seq < scale:
        size = rng.choices(sizes, cum_weights=cumulative)[0]
        _add_household(ward, min(size, scale - ward.person_seq))
    ward.out.changes = ward.changes.records(ward.change_rows, datetime.now(JST))
    return ward.out


def _add_household(ward: Ward, size: int) -> None:
    """Generate one household and append its rows and samples."""
    rng = ward.rng
    members = compose(rng, size)
    nationality = draw_nationality(rng) if rng.random() < FOREIGN_SHARE else None
    timeline = draw_timeline(rng, ward, members)
    ward.household_seq += 1
    household_no = make_atena_no(ward.household_seq)
    ward.out.households.append((household_no, draw_recorded_at(rng, timeline.formed_on)))
    ward.out.household_samples.append(HouseholdSample(household_no, timeline.formed_on))
    people = build_people(ward, members, nationality, household_no)
    arrival = draw_arrival_kind(rng, nationality)
    for member, (atena_no, person) in zip(members, people, strict=True):
        add_person(ward, atena_no, member, person, timeline, arrival)
