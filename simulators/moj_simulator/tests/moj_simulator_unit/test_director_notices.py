"""長官通知 (住基法30条の50): injected, queued on the feed, changing the ministry's record, with a
body the ward's adapter maps to the registry's `registry.moj_notice` command."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
from jumin_contracts.codes import Sex
from jumin_contracts.commands import MojCorrections, MojDirectorNotice, MojNoticeKind

from .builders import CARD, OTHER_CARD, SPECIAL_CERT, feed, resident, seed

JUMINHYO_CODE = "00000000019"


def director_notice(**changes: Any) -> dict[str, Any]:
    """A 在留期間更新 of the person of `resident()`."""
    body: dict[str, Any] = {
        "kind": "period_extension",
        "residence_card_no": CARD,
        "effective_date": "20261201",
        "corrections": {"period_of_stay": "5年", "stay_expires_on": "20351201"},
        "notice_text": "在留期間の更新を許可しました。",
    }
    return body | changes


async def _queue(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/sim/director-notices", json=body)
    assert response.status_code == 201, response.text
    queued: dict[str, Any] = response.json()
    return queued


def _wire_date(value: str) -> date:
    return datetime.strptime(value, "%Y%m%d").date()


def as_command(body: dict[str, Any]) -> MojDirectorNotice:
    """What the adapter will do: map a 長官通知 onto the registry's command (formats only)."""
    corrections = dict(body["corrections"])
    for name in ("birth_date", "stay_expires_on"):
        if corrections.get(name):
            corrections[name] = _wire_date(corrections[name])
    if corrections.get("sex"):
        corrections["sex"] = {"1": Sex.MALE, "2": Sex.FEMALE}[corrections["sex"]]
    return MojDirectorNotice(
        command_id=uuid4(),
        sent_at=datetime.now().astimezone(),
        residence_card_no=body["residence_card_no"] or body["special_permanent_cert_no"],
        juminhyo_code=body["juminhyo_code"],
        notice_kind=MojNoticeKind(body["kind"]),
        effective_on=_wire_date(body["effective_date"]),
        corrections=MojCorrections.model_validate(corrections),
        notice_text=body["notice_text"],
    )


async def test_a_period_extension_is_queued_and_changes_the_record(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)

    queued = await _queue(client, director_notice())

    [item] = await feed(client)
    assert (item["cursor"], item["type"]) == (queued["cursor"], "director_notice")
    body = item["body"]
    assert body | {"notice_date": None} == {
        "notice_no": "DN-000001",
        "kind": "period_extension",
        "notice_date": None,
        "effective_date": "20261201",
        "residence_card_no": CARD,
        "special_permanent_cert_no": None,
        "juminhyo_code": None,
        "special_permanent": False,
        "corrections": {"period_of_stay": "5年", "stay_expires_on": "20351201"},
        "notice_text": "在留期間の更新を許可しました。",
    }
    [record] = (await client.get("/sim/residents")).json()
    assert record["stay_expires_on"] == "20351201"


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"kind": "status_change", "corrections": {"status_of_residence": "永住者"}},
        {"kind": "card_issued", "corrections": {"residence_card_no": OTHER_CARD}},
        {
            "kind": "item_correction",
            "juminhyo_code": JUMINHYO_CODE,
            "corrections": {"name_alphabet": "NGUYEN THI AN", "sex": "2", "birth_date": "19950313"},
        },
        {"kind": "item_correction", "corrections": {"nationality": "KOR"}},
    ],
)
async def test_every_kind_of_the_contract_maps_onto_the_registry_command(
    client: httpx.AsyncClient, changes: dict[str, Any]
) -> None:
    await _queue(client, director_notice(**changes))

    [item] = await feed(client)
    command = as_command(item["body"])

    assert command.notice_kind.value == item["body"]["kind"]
    assert command.corrections.model_fields_set == set(item["body"]["corrections"])


async def test_a_new_card_voids_the_old_one_in_the_record(client: httpx.AsyncClient) -> None:
    await seed(client)

    await _queue(
        client,
        director_notice(kind="card_issued", corrections={"residence_card_no": OTHER_CARD}),
    )

    records = {r["card_no"]: r for r in (await client.get("/sim/residents")).json()}
    assert records[CARD]["replaced_by"] == OTHER_CARD
    assert (records[OTHER_CARD]["replaced_by"], records[OTHER_CARD]["birth_date"]) == (
        None,
        "19950312",
    )


async def test_the_end_of_a_stay_corrects_nothing_and_says_so(client: httpx.AsyncClient) -> None:
    await _queue(
        client,
        director_notice(
            kind="stay_ended", corrections={}, notice_text="出国により在留期間が満了しました。"
        ),
    )

    [item] = await feed(client)
    assert (item["body"]["kind"], item["body"]["corrections"]) == ("stay_ended", {})


@pytest.mark.parametrize(
    ("seeded", "changes"),
    [
        (resident(card_no=SPECIAL_CERT, foreign_category="special_permanent"), {}),
        (None, {"residence_card_no": None, "special_permanent_cert_no": SPECIAL_CERT}),
        (None, {"foreign_category": "special_permanent"}),
    ],
)
async def test_a_special_permanent_residents_notice_is_flagged(
    client: httpx.AsyncClient, seeded: dict[str, Any] | None, changes: dict[str, Any]
) -> None:
    if seeded is not None:
        await seed(client, seeded)
        changes = {"residence_card_no": None, "special_permanent_cert_no": SPECIAL_CERT}
    await _queue(
        client,
        director_notice(
            kind="item_correction", corrections={"name_alphabet": "KIM MINSU"}, **changes
        ),
    )

    [item] = await feed(client)
    assert item["body"]["special_permanent"] is True


@pytest.mark.parametrize(
    "changes",
    [
        {"residence_card_no": None},  # nobody named
        {"corrections": {}},  # nothing corrected
        {"kind": "card_issued"},  # no new number
        {"kind": "visa_waiver"},
        {"effective_date": "2026-12-01"},
        {"corrections": {"residence_card_no": "AB123"}},
        {"corrections": {"passport_no": "TZ1234567"}},
        {"notice_text": ""},
        {"corrections": {"birth_date": None}},
        {"corrections": {"foreign_category": None, "period_of_stay": None}},
    ],
)
async def test_malformed_director_notices_are_refused(
    client: httpx.AsyncClient, changes: dict[str, Any]
) -> None:
    await seed(client)
    response = await client.post("/sim/director-notices", json=director_notice(**changes))

    assert (response.status_code, response.json()["code"]) == (400, "E-FORMAT"), response.text
    assert await feed(client) == []
    assert (await client.get("/sim/residents")).json() == [resident(replaced_by=None)]
