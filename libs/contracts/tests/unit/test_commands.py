"""Commands to the registry: one model per routing key, checked down to the check digits."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jumin_contracts.check_digits import juminhyo_code_check_digit, my_number_check_digit
from jumin_contracts.commands import (
    COMMAND_MODELS,
    FreeCodesReceived,
    HonsekiTransferNotice,
    KosekiCollationNotice,
    KosekiRecordNotice,
    MojDirectorNotice,
    MojNoticeKind,
    MoveInNoticeReceived,
    MyNumberAssigned,
    RegistryCommand,
    parse_command,
)
from pydantic import ValidationError

CODE = "1234567890" + juminhyo_code_check_digit("1234567890")
OTHER_CODE = "0000000001" + juminhyo_code_check_digit("0000000001")
MY_NUMBER = "123456789018"  # docs/domain.md: valid
SENT = "2026-11-27T10:00:00+09:00"


def _bad_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def body(model: type[RegistryCommand], **fields: Any) -> dict[str, Any]:
    """Return a valid body of a command, with some fields replaced."""
    valid: dict[type[RegistryCommand], dict[str, Any]] = {
        MyNumberAssigned: {"juminhyo_code": CODE, "my_number": MY_NUMBER},
        FreeCodesReceived: {"codes": [CODE, OTHER_CODE]},
        MoveInNoticeReceived: {
            "juminhyo_code": CODE,
            "confirmed_on": "2026-11-20",
            "confirmed_address": "東京都中野区中野四丁目8番1号",
        },
        MojDirectorNotice: {
            "residence_card_no": "AB12345678CD",
            "notice_kind": "period_extension",
            "effective_on": "2026-11-20",
            "corrections": {"period_of_stay": "3年", "stay_expires_on": "2029-11-20"},
            "notice_text": "在留期間更新許可",
        },
        KosekiRecordNotice: {
            "notification_id": str(uuid4()),
            "event": "marriage",
            "event_date": "2026-11-20",
            "juminhyo_code": CODE,
            "family_name": "佐藤",
            "given_name": "花子",
            "birth_date": "1990-04-01",
            "sex": "female",
            "honseki": "東京都新宿区西新宿二丁目8番",
            "hittosha": "佐藤太郎",
            "honseki_municipality_code": "131041",
            "previous_honseki": "東京都新宿区歌舞伎町一丁目4番",
            "previous_hittosha": "山田一郎",
            "previous_family_name": "山田",
        },
        KosekiCollationNotice: {
            "notification_id": str(uuid4()),
            "honseki": "東京都新宿区西新宿二丁目8番",
            "hittosha": "佐藤太郎",
            "juminhyo_code": CODE,
            "differing_items": ["birth_date"],
            "koseki_items": {
                "family_name": "佐藤",
                "given_name": "花子",
                "birth_date": "1990-04-02",
                "sex": "female",
            },
            "receipt_no": "FH-000001",
        },
        HonsekiTransferNotice: {
            "notification_id": str(uuid4()),
            "juminhyo_code": CODE,
            "previous_honseki": "東京都新宿区西新宿二丁目8番",
            "previous_hittosha": "佐藤太郎",
            "honseki": "大阪府大阪市北区中之島一丁目3番",
            "hittosha": "佐藤太郎",
            "honseki_municipality_code": "271276",
            "event_date": "2026-11-20",
        },
    }
    return {"command_id": str(uuid4()), "sent_at": SENT, **valid[model], **fields}


def parse(model: type[RegistryCommand], data: dict[str, Any]) -> RegistryCommand:
    return parse_command(model.ROUTING_KEY, json.dumps(data))


MODELS = list(COMMAND_MODELS.values())


def test_each_routing_key_is_a_registry_key_of_its_own_model() -> None:
    assert set(COMMAND_MODELS) == {
        "registry.my_number_assigned",
        "registry.free_codes",
        "registry.move_in_notice",
        "registry.moj_notice",
        "registry.koseki_record_notice",
        "registry.koseki_collation_notice",
        "registry.honseki_transfer_notice",
    }
    for key, model in COMMAND_MODELS.items():
        assert key == model.ROUTING_KEY


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_valid_command_round_trips_through_json(model: type[RegistryCommand]) -> None:
    command = parse(model, body(model))

    assert parse_command(model.ROUTING_KEY, command.model_dump_json()) == command


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_an_unknown_field_is_refused(model: type[RegistryCommand]) -> None:
    with pytest.raises(ValidationError, match="extra_forbidden"):
        parse(model, body(model, nickname="やまちゃん"))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_commands_are_frozen(model: type[RegistryCommand]) -> None:
    command = parse(model, body(model))
    with pytest.raises(ValidationError, match="frozen"):
        command.command_id = uuid4()  # type: ignore[misc]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_idempotency_key_and_an_aware_send_time_are_required(
    model: type[RegistryCommand],
) -> None:
    without_id = body(model)
    del without_id["command_id"]
    with pytest.raises(ValidationError, match="command_id"):
        parse(model, without_id)
    with pytest.raises(ValidationError, match="timezone"):
        parse(model, body(model, sent_at="2026-11-27T10:00:00"))


def test_an_unknown_routing_key_is_not_a_command() -> None:
    with pytest.raises(KeyError):
        parse_command("registry.delete_everyone", b"{}")


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (MyNumberAssigned, "my_number", _bad_digit(MY_NUMBER)),
        (MyNumberAssigned, "my_number", "12345678901"),
        (MyNumberAssigned, "juminhyo_code", _bad_digit(CODE)),
        (MoveInNoticeReceived, "juminhyo_code", _bad_digit(CODE)),
        (FreeCodesReceived, "codes", [CODE, _bad_digit(OTHER_CODE)]),
        (FreeCodesReceived, "codes", []),
        (MojDirectorNotice, "juminhyo_code", _bad_digit(CODE)),
        (MojDirectorNotice, "residence_card_no", "ab12345678cd"),
        (KosekiRecordNotice, "juminhyo_code", _bad_digit(CODE)),
        (KosekiRecordNotice, "birth_date", "19900401"),
        (KosekiRecordNotice, "honseki_municipality_code", "13104"),
        (KosekiCollationNotice, "differing_items", []),
        (HonsekiTransferNotice, "juminhyo_code", _bad_digit(CODE)),
    ],
)
def test_numbers_with_a_wrong_check_digit_or_shape_are_refused(
    model: type[RegistryCommand], field: str, value: object
) -> None:
    with pytest.raises(ValidationError, match=field):
        parse(model, body(model, **{field: value}))


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_any_11_digits_with_their_check_digit_make_a_valid_my_number(first11: str) -> None:
    command = MyNumberAssigned.model_validate(
        body(MyNumberAssigned, my_number=first11 + my_number_check_digit(first11))
    )
    assert command.my_number[:11] == first11


def test_a_moj_notice_must_name_the_person() -> None:
    data = body(MojDirectorNotice)
    del data["residence_card_no"]
    with pytest.raises(ValidationError, match="residence_card_no or juminhyo_code"):
        parse(MojDirectorNotice, data)
    assert parse(MojDirectorNotice, {**data, "juminhyo_code": CODE})


CORRECTING_KINDS = [k for k in MojNoticeKind if k is not MojNoticeKind.STAY_ENDED]


@pytest.mark.parametrize("kind", CORRECTING_KINDS)
@pytest.mark.parametrize("empty", [{}, None], ids=["corrections={}", "corrections omitted"])
def test_a_moj_notice_must_correct_something_unless_the_stay_ended(
    kind: MojNoticeKind, empty: dict[str, Any] | None
) -> None:
    data = body(MojDirectorNotice, notice_kind=kind.value, corrections=empty)
    if empty is None:
        del data["corrections"]
    with pytest.raises(ValidationError, match="corrects nothing"):
        parse(MojDirectorNotice, data)


def test_a_stay_ended_notice_removes_the_record_and_corrects_nothing() -> None:
    data = body(MojDirectorNotice, notice_kind="stay_ended", notice_text="出国により在留期間満了")
    del data["corrections"]
    command = parse(MojDirectorNotice, data)
    assert isinstance(command, MojDirectorNotice)
    assert command.corrections.empty
    given_empty = parse(MojDirectorNotice, {**data, "corrections": {}})
    assert isinstance(given_empty, MojDirectorNotice)
    assert given_empty.corrections.empty

    with pytest.raises(ValidationError, match="corrects nothing"):
        parse(MojDirectorNotice, {**data, "corrections": {"period_of_stay": "3年"}})


@pytest.mark.parametrize("item", ["address", "honseki", "my_number", "juminhyo_code", "alias"])
def test_a_moj_notice_corrects_only_foreign_resident_items(item: str) -> None:
    corrections = {"period_of_stay": "3年", item: "x"}
    with pytest.raises(ValidationError, match="extra_forbidden"):
        parse(MojDirectorNotice, body(MojDirectorNotice, corrections=corrections))


def test_a_moj_notice_may_clear_an_item_by_giving_null() -> None:
    corrections = {"foreign_category": "special_permanent", "residence_card_no": None}
    command = parse(MojDirectorNotice, body(MojDirectorNotice, corrections=corrections))

    assert isinstance(command, MojDirectorNotice)
    assert command.corrections.model_dump(exclude_unset=True) == corrections


def test_a_moj_notice_text_fits_a_change_note() -> None:
    with pytest.raises(ValidationError, match="notice_text"):
        parse(MojDirectorNotice, body(MojDirectorNotice, notice_text="あ" * 501))


def test_a_record_notice_names_its_person_by_code_except_for_a_birth() -> None:
    with pytest.raises(ValidationError, match="juminhyo_code is required"):
        parse(KosekiRecordNotice, body(KosekiRecordNotice, juminhyo_code=None))
    birth = parse(
        KosekiRecordNotice,
        body(KosekiRecordNotice, event="birth", juminhyo_code=None, parent_juminhyo_codes=[CODE]),
    )
    assert isinstance(birth, KosekiRecordNotice)
    assert birth.juminhyo_code is None


def test_a_record_notice_may_carry_the_furigana_the_koseki_records() -> None:
    with_kana = parse(
        KosekiRecordNotice,
        body(KosekiRecordNotice, family_name_kana="サトウ", given_name_kana="はなこ"),
    )
    assert isinstance(with_kana, KosekiRecordNotice)
    assert (with_kana.family_name_kana, with_kana.given_name_kana) == ("サトウ", "はなこ")
    with pytest.raises(ValidationError, match="furigana must be kana"):
        parse(KosekiRecordNotice, body(KosekiRecordNotice, given_name_kana="花子"))
