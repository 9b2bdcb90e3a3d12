"""戸籍 events (test API): they change the 附票 held and queue what the 戸籍 side sends the 住所地."""

from __future__ import annotations

from typing import Any

import httpx

from .builders import (
    FATHER,
    HITTOSHA,
    HONSEKI,
    MOTHER,
    feed,
    fuhyo,
    juminhyo_code,
    notice,
    notice_body,
    seed,
    send,
)

NEW_HONSEKI = "東京都新宿区大久保一丁目1番"


async def _event(client: httpx.AsyncClient, **event: Any) -> httpx.Response:
    return await client.post(
        "/sim/koseki-events",
        json={"honseki": HONSEKI, "hittosha": HITTOSHA, "event_date": "20261201", **event},
    )


async def test_a_marriage_moves_the_person_to_the_new_koseki_and_notifies_the_ward(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)

    response = await _event(
        client,
        event="marriage",
        juminhyo_code=MOTHER,
        new_honseki=NEW_HONSEKI,
        new_hittosha="大久保 次郎",
        new_family_name="大久保",
        new_family_name_kana="オオクボ",
    )

    assert response.status_code == 201, response.text
    [queued] = response.json()["items"]
    [sent] = await feed(client)
    assert (sent["cursor"], sent["type"]) == (queued["cursor"], "residence_record_notice")
    assert sent["body"] == {
        "event": "marriage",
        "event_date": "20261201",
        "juminhyo_code": MOTHER,
        "family_name": "大久保",
        "given_name": "花子",
        "family_name_kana": "オオクボ",
        "given_name_kana": None,  # the 戸籍 as seeded has no 振り仮名 (an older one)
        "birth_date": "19820202",
        "sex": "2",
        "honseki": NEW_HONSEKI,
        "hittosha": "大久保 次郎",
        "honseki_municipality_code": "131041",
        "previous_honseki": HONSEKI,
        "previous_hittosha": HITTOSHA,
        "previous_family_name": "新宿",
        "previous_given_name": "花子",
        "parent_juminhyo_codes": [],
    }
    held = (await fuhyo(client))[MOTHER]
    assert (held["honseki"], held["hittosha"], held["family_name"]) == (
        NEW_HONSEKI,
        "大久保 次郎",
        "大久保",
    )
    assert held["address_since"] == "20100401"  # the 住所 lines move with her


async def test_after_a_marriage_notices_are_checked_against_the_new_koseki(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)
    await _event(
        client,
        event="marriage",
        juminhyo_code=MOTHER,
        new_honseki=NEW_HONSEKI,
        new_hittosha="大久保 次郎",
        new_family_name="大久保",
    )

    old = await send(client, notice(notice_body()))
    new = await send(
        client,
        notice(notice_body(honseki=NEW_HONSEKI, hittosha="大久保 次郎", family_name="大久保")),
    )
    stale_name = await send(
        client, notice(notice_body(honseki=NEW_HONSEKI, hittosha="大久保 次郎"))
    )

    assert (old.status_code, old.json()["code"]) == (422, "E-PERSON-UNKNOWN")  # 除籍
    assert new.status_code == 201, new.text
    assert (stale_name.status_code, stale_name.json()["code"]) == (422, "E-NAME-MISMATCH")


async def test_a_marriage_into_a_koseki_outside_the_ward_takes_the_fuhyo_away(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)

    await _event(
        client,
        event="marriage",
        juminhyo_code=MOTHER,
        new_honseki="大阪府大阪市北区中之島一丁目3番",
        new_hittosha="中之島 次郎",
        new_family_name="中之島",
        new_honseki_municipality_code="271004",
    )

    [sent] = await feed(client)
    assert sent["body"]["honseki_municipality_code"] == "271004"
    assert MOTHER not in await fuhyo(client)
    assert FATHER in await fuhyo(client)


async def test_a_divorce_is_a_residence_record_notice_of_its_own_kind(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)

    await _event(
        client,
        event="divorce",
        juminhyo_code=MOTHER,
        new_honseki="東京都新宿区戸塚町一丁目1番",
        new_hittosha="戸塚 花子",
        new_family_name="戸塚",
    )

    [sent] = await feed(client)
    assert (sent["body"]["event"], sent["body"]["hittosha"]) == ("divorce", "戸塚 花子")
    assert (await fuhyo(client))[MOTHER]["family_name"] == "戸塚"


async def test_a_transfer_within_the_ward_moves_every_member_and_notifies_each(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)

    response = await _event(client, event="transfer", new_honseki=NEW_HONSEKI)

    assert response.status_code == 201, response.text
    sent = await feed(client)
    assert [s["body"]["event"] for s in sent] == ["transfer"] * 3  # the child too (no code)
    assert {s["body"]["juminhyo_code"] for s in sent} == {FATHER, MOTHER, None}
    assert {s["body"]["previous_honseki"] for s in sent} == {HONSEKI}
    assert {f["honseki"] for f in (await fuhyo(client)).values()} == {NEW_HONSEKI}
    old = await send(client, notice(notice_body()))
    assert old.json()["code"] == "E-KOSEKI-UNKNOWN"


async def test_a_transfer_out_of_the_ward_leaves_no_fuhyo_here(client: httpx.AsyncClient) -> None:
    await seed(client)

    await _event(
        client,
        event="transfer",
        new_honseki="大阪府大阪市北区中之島一丁目3番",
        new_honseki_municipality_code="271004",
    )

    sent = await feed(client)
    assert {s["body"]["honseki_municipality_code"] for s in sent} == {"271004"}
    assert await fuhyo(client) == {}


async def test_a_transfer_onto_a_koseki_held_already_is_refused(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)
    await seed(client, {**(await _koseki_body(client)), "honseki": NEW_HONSEKI})

    response = await _event(client, event="transfer", new_honseki=NEW_HONSEKI)

    assert (response.status_code, response.json()["code"]) == (409, "E-KOSEKI-EXISTS")
    assert await feed(client) == []


async def _koseki_body(client: httpx.AsyncClient) -> dict[str, Any]:
    [held] = (await client.get("/sim/koseki", params={"honseki": HONSEKI})).json()["items"]
    members = [{k: v for k, v in m.items() if k != "in_koseki"} for m in held["members"]]
    return {"honseki": held["honseki"], "hittosha": held["hittosha"], "members": members}


async def test_a_name_change_is_notified_and_later_notices_need_the_new_name(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)

    await _event(client, event="name_change", juminhyo_code=MOTHER, new_given_name="華子")

    [sent] = await feed(client)
    assert (sent["body"]["given_name"], sent["body"]["previous_given_name"]) == ("華子", "花子")
    old_name = await send(client, notice(notice_body()))
    assert old_name.json()["code"] == "E-NAME-MISMATCH"


async def test_a_birth_enters_the_child_and_names_the_parents(client: httpx.AsyncClient) -> None:
    await seed(client)

    await _event(
        client,
        event="birth",
        family_name="新宿",
        given_name="二郎",
        family_name_kana="シンジュク",
        given_name_kana="ジロウ",
        birth_date="20261125",
        sex="1",
        parent_juminhyo_codes=[FATHER, MOTHER],
    )

    [sent] = await feed(client)
    assert sent["body"]["event"] == "birth"
    assert (sent["body"]["family_name_kana"], sent["body"]["given_name_kana"]) == (
        "シンジュク",
        "ジロウ",
    )
    assert (sent["body"]["juminhyo_code"], sent["body"]["parent_juminhyo_codes"]) == (
        None,
        [FATHER, MOTHER],
    )
    code = juminhyo_code(4)  # the ward gives the code and notifies the 附票
    body = notice_body(code=code, given_name="二郎", birth_date="20261125", sex="1")
    assert (await send(client, notice(body))).status_code == 201
    assert (await fuhyo(client))[code]["given_name"] == "二郎"


async def test_a_death_closes_the_fuhyo(client: httpx.AsyncClient) -> None:
    await seed(client)

    await _event(client, event="death", juminhyo_code=FATHER)

    [sent] = await feed(client)
    assert (sent["body"]["event"], sent["body"]["juminhyo_code"]) == ("death", FATHER)
    assert FATHER not in await fuhyo(client)


async def test_an_event_about_an_unknown_koseki_or_person_is_refused_and_sends_nothing(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)

    person = await _event(client, event="death", juminhyo_code=juminhyo_code(99))
    book = await _event(client, event="death", juminhyo_code=FATHER, hittosha="誰 か")
    malformed = await _event(client, event="adoption", juminhyo_code=FATHER)

    assert (person.status_code, person.json()["code"]) == (422, "E-PERSON-UNKNOWN")
    assert (book.status_code, book.json()["code"]) == (422, "E-KOSEKI-UNKNOWN")
    assert (malformed.status_code, malformed.json()["code"]) == (400, "E-FORMAT")
    assert await feed(client) == []


async def test_19_jo_notices_are_queued_by_hand_and_fetched_by_cursor(
    client: httpx.AsyncClient,
) -> None:
    collation = await client.post(
        "/sim/collation-notices",
        json={
            "honseki": HONSEKI,
            "hittosha": HITTOSHA,
            "juminhyo_code": MOTHER,
            "differing_items": ["birth_date"],
            "birth_date": "19820203",
        },
    )
    transfer = await client.post(
        "/sim/honseki-transfer-notices",
        json={
            "juminhyo_code": MOTHER,
            "previous_honseki": HONSEKI,
            "previous_hittosha": HITTOSHA,
            "honseki": "大阪府大阪市北区中之島一丁目3番",
            "hittosha": HITTOSHA,
            "honseki_municipality_code": "271004",
            "event_date": "20261201",
        },
    )
    assert (collation.status_code, transfer.status_code) == (201, 201)

    start = collation.json()["cursor"] - 1
    first = (
        await client.get("/koseki/v1/notifications", params={"after": start, "limit": 1})
    ).json()
    rest = (await client.get("/koseki/v1/notifications", params={"after": first["next"]})).json()
    empty = (await client.get("/koseki/v1/notifications", params={"after": rest["next"]})).json()

    assert [i["type"] for i in first["items"]] == ["collation_notice"]
    assert first["items"][0]["body"]["koseki_items"] == {
        "family_name": None,
        "given_name": None,
        "birth_date": "19820203",
        "sex": None,
    }
    assert [i["type"] for i in rest["items"]] == ["honseki_transfer_notice"]
    assert rest["items"][0]["body"]["honseki_municipality_code"] == "271004"
    assert empty == {"items": [], "next": rest["next"]}
    assert len(await feed(client)) == 2  # reading removes nothing
