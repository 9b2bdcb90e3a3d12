"""Other bodies' 情報照会: answered from the 副本 on a legal basis in the table, refused without
one, and every answer recorded as an 情報提供等記録 listed per 符号."""

from __future__ import annotations

import httpx

from .builders import (
    FUGO,
    OTHER_FUGO,
    ask,
    head_items,
    inquiry,
    member_items,
    operation,
    records,
    stored,
)


async def test_an_inquiry_on_a_legal_basis_gets_the_copy_and_is_recorded(
    client: httpx.AsyncClient,
) -> None:
    await stored(client, operation("register", member_items()))

    answer = await ask(client, inquiry())

    assert answer["outcome"] == "provided"
    assert answer["items"] == member_items()
    assert answer["as_of"] == "2026-12-01T10:00:00+09:00"
    assert "児童手当法" in answer["clause"]
    [record] = await records(client)
    assert record == {
        "record_no": answer["record_no"],
        "answered_at": record["answered_at"],
        "fugo": FUGO,
        "data_item": "juminhyo_kankei",
        "requester_code": "131130",
        "requester_name": "渋谷区長",
        "legal_basis_id": "child-allowance",
        "clause": answer["clause"],
        "outcome": "provided",
        "refusal_code": None,
        "copy_version": 1,
    }


async def test_an_inquiry_without_a_legal_basis_is_refused_and_recorded(
    client: httpx.AsyncClient,
) -> None:
    await stored(client, operation("register", member_items()))

    answer = await ask(client, inquiry(legal_basis_id="curiosity"))

    assert (answer["outcome"], answer["refusal_code"]) == ("refused", "R-NO-LEGAL-BASIS")
    assert (answer["items"], answer["clause"]) == (None, None)
    [record] = await records(client)
    assert (record["outcome"], record["refusal_code"], record["copy_version"]) == (
        "refused",
        "R-NO-LEGAL-BASIS",
        None,
    )


async def test_a_basis_that_does_not_cover_the_item_is_refused(client: httpx.AsyncClient) -> None:
    await stored(client, operation("register", member_items()))

    answer = await ask(client, inquiry(data_item="tax_info"))

    assert (answer["outcome"], answer["refusal_code"]) == ("refused", "R-ITEM-NOT-COVERED")
    assert answer["items"] is None


async def test_no_copy_or_a_deleted_one_is_no_data(client: httpx.AsyncClient) -> None:
    never = await ask(client, inquiry(fugo=OTHER_FUGO))
    await stored(client, operation("register", head_items()))
    await stored(client, operation("delete", None, as_of="2026-12-02T10:00:00+09:00"))
    deleted = await ask(client, inquiry())

    assert (never["outcome"], never["items"]) == ("no_data", None)
    assert (deleted["outcome"], deleted["items"]) == ("no_data", None)
    assert [r["outcome"] for r in await records(client, OTHER_FUGO)] == ["no_data"]
    assert [r["outcome"] for r in await records(client)] == ["no_data"]


async def test_records_are_listed_per_fugo_oldest_first_in_pages(
    client: httpx.AsyncClient,
) -> None:
    await stored(client, operation("register", member_items()))
    await ask(client, inquiry())
    await ask(client, inquiry(fugo=OTHER_FUGO))
    await ask(client, inquiry(legal_basis_id="nhi-benefits", requester_name="新宿区長"))

    first = (
        await client.get("/intermediate/v1/provision-records", params={"fugo": FUGO, "limit": 1})
    ).json()
    rest = (
        await client.get(
            "/intermediate/v1/provision-records", params={"fugo": FUGO, "after": first["next"]}
        )
    ).json()

    assert [r["record_no"] for r in first["items"] + rest["items"]] == ["PR-000001", "PR-000003"]
    assert rest["next"] == 2
    assert [r["record_no"] for r in await records(client, OTHER_FUGO)] == ["PR-000002"]


async def test_the_legal_basis_table_can_be_extended(client: httpx.AsyncClient) -> None:
    await stored(client, operation("register", member_items()))
    basis = {
        "basis_id": "school-aid",
        "clause": "番号法19条8号・主務省令（就学援助の項; test entry）",
        "affair": "学校教育法による就学援助に関する事務",
        "requester": "市町村教育委員会",
        "data_items": ["juminhyo_kankei"],
    }

    before = await ask(client, inquiry(legal_basis_id="school-aid"))
    put = await client.put("/sim/legal-bases", json=basis)
    after = await ask(client, inquiry(legal_basis_id="school-aid"))

    assert put.status_code == 200, put.text
    assert before["outcome"] == "refused"
    assert (after["outcome"], after["clause"]) == ("provided", basis["clause"])
    table = {b["basis_id"] for b in (await client.get("/sim/legal-bases")).json()}
    assert {"child-allowance", "nhi-benefits", "school-aid"} <= table


async def test_malformed_inquiries_are_refused_and_leave_no_record(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/sim/inquiries", json=inquiry(fugo="123456789018"))

    assert (response.status_code, response.json()["code"]) == (400, "E-FORMAT")
    assert "123456789018" not in response.text
    assert await records(client) == []
