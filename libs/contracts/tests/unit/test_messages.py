"""Recipient messages refuse what they do not allow; envelopes round-trip; event ids sort by time."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jumin_contracts.codes import ChangeKind
from jumin_contracts.envelope import (
    Envelope,
    SchemaMismatch,
    event_time,
    new_event_id,
    parse_payload,
)
from jumin_contracts.messages import (
    MESSAGE_MODELS,
    CsIdentity,
    MojMunicipalNotice,
    RecipientMessage,
)
from pydantic import ValidationError

CHANGE = {"change_kind": "domestic_move_in", "occurred_on": "2026-11-27"}
NAME = {"family_name": "山田", "given_name": "太郎"}
FUHYO = {
    **CHANGE,
    **NAME,
    "honseki": "東京都新宿区西新宿二丁目8番地",
    "hittosha": "山田太郎",
    "address": "東京都新宿区西新宿二丁目8番1号",
    "moved_abroad": False,
    "abroad_country": None,
    "address_since": "2026-11-27",
    "birth_date": "1980-04-01",
    "sex": "male",
    "juminhyo_code": "12345678901",
}
NO_FOREIGN_ITEMS = dict.fromkeys(
    [
        "status_of_residence",
        "period_of_stay",
        "stay_expires_on",
        "residence_card_no",
        "special_permanent_cert_no",
    ]
)
SAMPLES: dict[str, dict[str, Any]] = {
    "cs.identity": {
        **CHANGE,
        **NAME,
        "family_name_kana": "ヤマダ",
        "given_name_kana": "タロウ",
        "former_surname": None,
        "former_surname_kana": None,
        "alias": None,
        "alias_kana": None,
        "name_alphabet": None,
        "birth_date": "1975~",
        "sex": "male",
        "address": "東京都新宿区西新宿二丁目8番1号",
        "juminhyo_code": "12345678901",
        "my_number": "123456789018",
        "record_status": "resident",
    },
    "cs.fuhyo_notice": {
        **FUHYO,
        "destination_municipality": "東京都新宿区",
        "destination_municipality_code": None,
    },
    "cs.moveout_certificate": {
        **NAME,
        "change_kind": "domestic_move_out",
        "occurred_on": "2026-12-05",
        "birth_date": "1980-04-01",
        "sex": "male",
        "address": "東京都新宿区西新宿二丁目8番1号",
        "destination": "大阪府大阪市北区梅田一丁目1番1号",
        "planned_on": "2026-12-05",
        "head_name": "山田\u3000太郎",
        "relationship": "世帯主",
        "juminhyo_code": "12345678901",
        "my_number": "123456789018",
    },
    "koseki.fuhyo_notice": FUHYO,
    "moj.municipal_notice": {
        **CHANGE,
        **NAME,
        **NO_FOREIGN_ITEMS,
        "name_alphabet": "KIM MINJUN",
        "birth_date": "1990-07-15",
        "sex": "male",
        "nationality": "韓国",
        "address": "東京都新宿区西新宿二丁目8番1号",
        "previous_address": "大韓民国 ソウル特別市鍾路区世宗大路209",
        "foreign_category": "special_permanent",
        "special_permanent_cert_no": "AB12345678CD",
        "notice_class": "juki_and_immigration",
    },
    "intermediate.household_info": {
        **CHANGE,
        **NAME,
        "juki_atena_no": "0000000027",
        "juminhyo_code": "12345678901",
        "my_number": "123456789018",
        "birth_date": "1982-07-10",
        "sex": "female",
        "address": "東京都新宿区西新宿二丁目8番1号",
        "record_status": "resident",
        "household_no": "0005000010",
        "is_head": False,
        "head_name": "山田\u3000太郎",
        "relationship": "妻",
    },
}
SAMPLES["certificates.record"] = {
    **SAMPLES["cs.identity"],
    **NO_FOREIGN_ITEMS,
    "atena_no": "0000000019",
    "history_no": 1,
    "resident_type": "japanese",
    "household_no": "0005000010",
    "is_head": True,
    "head_name": "山田\u3000太郎",
    "relationship": "世帯主",
    "honseki": "東京都新宿区西新宿二丁目8番地",
    "hittosha": "山田太郎",
    "became_resident_on": "2026-11-27",
    "became_foreign_resident_on": None,
    "address_town_code": None,
    "address_katagaki": None,
    "postal_code": "1600023",
    "address_since": "2026-11-27",
    "notified_on": "2026-11-27",
    "previous_address": "大阪府大阪市北区梅田一丁目1番1号",
    "planned_move_out_on": None,
    "move_out_destination": None,
    "confirmed_move_out_on": None,
    "confirmed_destination": None,
    "removed_on": None,
    "removal_kind": None,
    "voter_registered": True,
    "qualifications": {
        "national_health_insurance": True,
        "late_elderly_insurance": False,
        "long_term_care_insurance": False,
        "national_pension": True,
        "child_allowance": False,
    },
    "nationality": None,
    "foreign_category": None,
    "support_measure_active": False,
    "seal_registered": True,
}
SAMPLES["cs.identity"] = {**SAMPLES["cs.identity"], "previous_juminhyo_code": None}
SAMPLES["cs.my_number_change"] = {
    "change_kind": "my_number_change_request",
    "occurred_on": "2026-12-05",
    "juminhyo_code": "12345678901",
}
EVERY_MODEL = pytest.mark.parametrize("routing_key", sorted(MESSAGE_MODELS))


def test_every_model_has_a_sample() -> None:
    assert set(SAMPLES) == set(MESSAGE_MODELS)


@EVERY_MODEL
def test_a_sample_is_valid_and_names_its_schema(routing_key: str) -> None:
    model = MESSAGE_MODELS[routing_key]
    message = model.model_validate(SAMPLES[routing_key])
    assert model.schema_id() == f"{routing_key}@{model.VERSION}"
    assert model.model_validate_json(message.model_dump_json()) == message


FORBIDDEN_EXTRAS = [
    (routing_key, extra)
    for routing_key, model in MESSAGE_MODELS.items()
    for extra in ("my_number_hash", "voter_registered", "atena_no", "note")
    if extra not in model.model_fields  # certificates.record is entitled to some of these
]


@pytest.mark.parametrize(("routing_key", "extra"), FORBIDDEN_EXTRAS)
def test_a_field_the_recipient_may_not_have_is_refused(routing_key: str, extra: str) -> None:
    model = MESSAGE_MODELS[routing_key]
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        model.model_validate({**SAMPLES[routing_key], extra: "x"})


@EVERY_MODEL
def test_every_field_must_be_present_even_when_empty(routing_key: str) -> None:
    """Payload keys always equal the contract's fields: a missing one is an error, not a gap."""
    model = MESSAGE_MODELS[routing_key]
    for name in model.model_fields:
        partial = {k: v for k, v in SAMPLES[routing_key].items() if k != name}
        with pytest.raises(ValidationError, match=name):
            model.model_validate(partial)


@EVERY_MODEL
def test_messages_are_frozen(routing_key: str) -> None:
    message = MESSAGE_MODELS[routing_key].model_validate(SAMPLES[routing_key])
    for name in type(message).model_fields:
        with pytest.raises(ValidationError, match="frozen"):
            setattr(message, name, None)


@pytest.mark.parametrize("bad", ["令和3年4月5日", "2021/04/05", "2021-13-01", ""])
def test_dates_travel_only_in_storage_form(bad: str) -> None:
    with pytest.raises(ValidationError):
        CsIdentity.model_validate({**SAMPLES["cs.identity"], "birth_date": bad})


def test_household_info_is_version_2_and_names_no_integrated_atena_no() -> None:
    """Version 1 sent the 宛名番号 as the 統合宛名番号; version 2 names it 住記宛名番号."""
    model = MESSAGE_MODELS["intermediate.household_info"]
    assert model.schema_id() == "intermediate.household_info@2"
    sample = SAMPLES["intermediate.household_info"]
    renamed = {k: v for k, v in sample.items() if k != "juki_atena_no"}
    with pytest.raises(ValidationError, match="integrated_atena_no"):
        model.model_validate({**renamed, "integrated_atena_no": sample["juki_atena_no"]})


@pytest.mark.parametrize(
    ("items", "because"),
    [
        ({"is_head": True}, "a head carries no head_name or relationship"),
        ({"is_head": True, "head_name": None}, "a head carries no head_name or relationship"),
        ({"relationship": None}, "a member needs a relationship"),
    ],
    ids=["head-with-both", "head-with-relationship", "member-without"],
)
def test_household_info_carries_7_4_as_the_law_words_it(
    items: dict[str, Any], because: str
) -> None:
    """住基法7条4号: 世帯主についてはその旨, 世帯主でない者については世帯主の氏名と続柄."""
    model = MESSAGE_MODELS["intermediate.household_info"]
    with pytest.raises(ValidationError, match=because):
        model.model_validate({**SAMPLES["intermediate.household_info"], **items})
    head = {"is_head": True, "head_name": None, "relationship": None}
    assert model.model_validate({**SAMPLES["intermediate.household_info"], **head}).is_head


def test_a_sealed_my_number_is_refused() -> None:
    with pytest.raises(ValidationError, match="my_number"):
        CsIdentity.model_validate({**SAMPLES["cs.identity"], "my_number": "mn1:abc"})


# --- envelope -----------------------------------------------------------------------------------

PERSON_KEY = "3f1a0c9e2b7d4e6fa1b2c3d4e5f60718"


def envelope_of(message: RecipientMessage, **overrides: Any) -> Envelope:
    fields: dict[str, Any] = {
        "change_id": uuid4(),
        "person_key": PERSON_KEY,
        "seq": 1,
        "kind": ChangeKind.DOMESTIC_MOVE_IN,
        "occurred_on": "2026-11-27",
        "notified_on": date(2026, 11, 27),
        "recorded_at": datetime(2026, 11, 27, 6, 0, tzinfo=UTC),
    }
    return Envelope.wrap(message, **fields | overrides)


@EVERY_MODEL
def test_an_envelope_round_trips_through_json(routing_key: str) -> None:
    model = MESSAGE_MODELS[routing_key]
    message = model.model_validate(SAMPLES[routing_key])
    envelope = envelope_of(message)
    wire = envelope.model_dump_json()
    assert json.loads(wire)["schema"] == model.schema_id()
    again = Envelope.model_validate_json(wire)
    assert again == envelope
    assert parse_payload(again, model) == message


def test_a_payload_is_not_read_with_another_schema() -> None:
    envelope = envelope_of(CsIdentity.model_validate(SAMPLES["cs.identity"]))
    with pytest.raises(SchemaMismatch, match=r"cs\.identity@1 cannot be read as moj"):
        parse_payload(envelope, MojMunicipalNotice)


def test_a_payload_with_an_extra_field_is_refused_on_receipt() -> None:
    envelope = envelope_of(CsIdentity.model_validate(SAMPLES["cs.identity"]))
    tampered = envelope.model_copy(update={"payload": {**envelope.payload, "honseki": "x"}})
    with pytest.raises(ValidationError, match="honseki"):
        parse_payload(tampered, CsIdentity)


@pytest.mark.parametrize(
    ("override", "because"),
    [
        ({"seq": 0}, "seq"),
        ({"seq": 2**63}, "seq"),  # beyond the consumers' bigint columns
        ({"event_id": uuid4()}, "UUIDv7"),
        ({"person_key": "0000000019"}, "person_key"),  # looks like a 宛名番号: refused
        ({"recorded_at": datetime(2026, 11, 27, 6, 0)}, "recorded_at"),  # naive
        ({"occurred_on": "R8.11.27"}, "occurred_on"),
    ],
    ids=["seq", "seq-bigint", "uuid4", "atena", "naive", "date-form"],
)
def test_an_envelope_refuses_bad_metadata(override: dict[str, Any], because: str) -> None:
    message = CsIdentity.model_validate(SAMPLES["cs.identity"])
    with pytest.raises(ValidationError, match=because):
        envelope_of(message, **override)


def test_an_envelope_refuses_unknown_metadata() -> None:
    wire = json.loads(
        envelope_of(CsIdentity.model_validate(SAMPLES["cs.identity"])).model_dump_json()
    )
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Envelope.model_validate({**wire, "atena_no": "0000000019"})


# --- UUIDv7 -------------------------------------------------------------------------------------


def test_event_ids_are_uuid7_and_strictly_increasing() -> None:
    ids = [new_event_id() for _ in range(20_000)]
    assert all(i.version == 7 and i.variant == "specified in RFC 4122" for i in ids)
    assert ids == sorted(ids)
    assert [str(i) for i in ids] == sorted(str(i) for i in ids), "text order is time order"
    assert len(set(ids)) == len(ids)


def test_an_event_id_keeps_its_creation_time() -> None:
    before = datetime.now(UTC)
    made = event_time(new_event_id())
    assert before - timedelta(milliseconds=1) <= made <= datetime.now(UTC)


@given(st.integers(min_value=2, max_value=300))
def test_ids_made_later_sort_later(n: int) -> None:
    first = new_event_id()
    later = [new_event_id() for _ in range(n)]
    assert all(first < other for other in later)
    assert isinstance(first, UUID)
