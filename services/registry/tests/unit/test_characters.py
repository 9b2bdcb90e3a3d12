"""Characters in change requests, 外字 registration rules, and what each recipient receives.

What is proven:

- a change request refuses emoji in a name, U+202E and U+200B anywhere, control characters in
  every text field (names, addresses, 続柄 maps, 備考 — which alone may break lines), naming the
  field, the 1-based position and the code point;
- a private-use character passes the request model (the registry then asks its 外字 table);
- a 外字 needs a real PNG glyph within bounds, a reason, and one MJ文字 as its substitute, at a
  private-use code point;
- projection sends CS (and every MJ-only recipient) the substitute, certificates the 外字;
- the stored-record check finds what it should, by item and position, never echoing the text.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any
from uuid import uuid4

import pytest
from jumin_contracts.characters import Reason
from jumin_contracts.codes import HEAD, ChangeKind, ResidentType, Sex
from jumin_contracts.dates import PartialDate
from PIL import Image
from pydantic import ValidationError
from registry.domain.changes import ChangeOrigin
from registry.domain.characters import Finding, record_problems
from registry.domain.errors import RuleViolation
from registry.domain.gaiji import check_code_point, check_substitute, read_glyph
from registry.domain.model import HistoryRow, Person
from registry.domain.projection import RecordFlags, project
from registry.domain.recipient_policy import Ward
from registry.policy import load_policy

from .builders import HONSEKI, atena, household_no, newcomer, request

GAIJI = "\ue000"
TODAY = PartialDate.exact(date(2026, 11, 27))


def _move_in(**person: Any) -> dict[str, Any]:
    return {
        "occurred_on": "2026-11-20",
        "notified_on": "2026-11-21",
        "persons": [newcomer(**person)],
        "address": "西新宿二丁目8番1号",
        "previous_address": "東京都中野区中野四丁目8番1号",
    }


def refusal(**fields: Any) -> tuple[tuple[str | int, ...], str]:
    with pytest.raises(ValidationError) as caught:
        request(ChangeKind.DOMESTIC_MOVE_IN, **fields)
    (error,) = caught.value.errors()
    return error["loc"], str(error["ctx"]["error"])


@pytest.mark.parametrize(
    ("item", "value", "where", "code"),
    [
        ("family_name", "佐藤😀", "3文字目", "U+1F600"),
        ("given_name", "健\u202e", "2文字目", "U+202E"),
        ("family_name", "佐\u200b藤", "2文字目", "U+200B"),
        ("hittosha", "佐藤\u202e健", "3文字目", "U+202E"),
        ("honseki", "大阪府\u200b大阪市", "4文字目", "U+200B"),
        ("given_name_kana", "ケ\tン", "2文字目", "U+0009"),
    ],
)
def test_a_name_or_item_with_an_emoji_bidi_or_zero_width_character_is_refused(
    item: str, value: str, where: str, code: str
) -> None:
    loc, message = refusal(**_move_in(**{item: value}))

    assert loc == ("domestic_move_in", "persons", 0, item)
    assert where in message
    assert code in message
    assert value not in message


def test_every_text_field_refuses_control_and_bidi_characters() -> None:
    assert refusal(**_move_in(), note="備考\u202e")[0] == ("domestic_move_in", "note")
    assert refusal(**(_move_in() | {"address": "西新宿\u2066二丁目"}))[0] == (
        "domestic_move_in",
        "address",
    )
    relationships = {atena(2): "子\u200b"}
    with pytest.raises(ValidationError, match=r"U\+200B"):
        request(
            ChangeKind.HEAD_CHANGE,
            occurred_on="2026-11-20",
            notified_on="2026-11-21",
            household_no=household_no(1),
            new_head=atena(1),
            relationships=relationships,
        )


def test_a_note_may_break_lines() -> None:
    assert request(ChangeKind.DOMESTIC_MOVE_IN, **_move_in(), note="一行目\n二行目")


def test_a_private_use_character_is_left_to_the_gaiji_table() -> None:
    change = request(ChangeKind.DOMESTIC_MOVE_IN, **_move_in(family_name="葛" + GAIJI))

    assert change.persons[0].family_name == "葛" + GAIJI  # type: ignore[union-attr]


def test_an_alphabet_name_is_latin_only() -> None:
    foreign = {
        "resident_type": "foreign",
        "honseki": None,
        "hittosha": None,
        "foreign": {
            "nationality": "アメリカ合衆国",
            "name_alphabet": "SMITH JOHN😀",
            "foreign_category": "special_permanent",
            "special_permanent_cert_no": "AB12345678CD",
        },
    }
    loc, message = refusal(**_move_in(**foreign))

    assert loc[-2:] == ("foreign", "name_alphabet")
    assert "11文字目 (U+1F600)" in message


# --- 外字 registration ------------------------------------------------------------------------


def png(width: int = 64, height: int = 64) -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (width, height), 1).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_glyph_is_a_real_png_within_bounds() -> None:
    glyph = read_glyph(png(48, 64))

    assert (glyph.width, glyph.height) == (48, 64)


@pytest.mark.parametrize(
    "bad",
    [
        b"",
        b"not a png at all",
        png()[:-20],  # truncated
        png()[:40] + b"\x00" * 8 + png()[48:],  # a chunk's CRC broken
        png(8, 8),  # too small to read
        png(2048, 32),  # too large
    ],
    ids=["empty", "text", "truncated", "bad-crc", "tiny", "huge"],
)
def test_a_glyph_that_is_no_usable_png_is_refused(bad: bytes) -> None:
    with pytest.raises(RuleViolation):
        read_glyph(bad)


def test_a_jpeg_is_not_a_png() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64)).save(buffer, format="JPEG")
    with pytest.raises(RuleViolation, match="PNG"):
        read_glyph(buffer.getvalue())


@pytest.mark.parametrize("substitute", ["葛", "葛\U000e0102", "𠮷"])
def test_the_substitute_is_one_mj_character(substitute: str) -> None:
    check_substitute(substitute)


@pytest.mark.parametrize("substitute", ["葛城", "カ", "A", "😀", GAIJI, "葛\U000e0100", "①"])
def test_anything_else_is_no_substitute(substitute: str) -> None:
    with pytest.raises(RuleViolation):
        check_substitute(substitute)


@pytest.mark.parametrize("code_point", [0xE000, 0xF8FF, 0xF0000, 0x10FFFD])
def test_a_gaiji_lives_in_a_private_use_area(code_point: int) -> None:
    check_code_point(code_point)


@pytest.mark.parametrize("code_point", [0x845B, 0xDFFF, 0xF900, 0xFFFFE, 0x1F600])
def test_nowhere_else(code_point: int) -> None:
    with pytest.raises(RuleViolation):
        check_code_point(code_point)


# --- what each recipient receives -------------------------------------------------------------

WARD = Ward(code="131041", prefecture="東京都", name="新宿区")


def _born(family_name: str) -> HistoryRow:
    person = Person(
        resident_type=ResidentType.JAPANESE,
        household_no=household_no(1),
        is_head=True,
        relationship=HEAD,
        family_name=family_name,
        given_name="太郎",
        family_name_kana="カツラギ",
        given_name_kana="タロウ",
        birth_date=PartialDate.exact(date(1980, 1, 1)),
        sex=Sex.MALE,
        honseki=HONSEKI,
        hittosha=family_name + "太郎",
        address="東京都新宿区西新宿二丁目8番1号",
        address_since=PartialDate.exact(date(2020, 4, 1)),
        juminhyo_code="12345678901",
    )
    return HistoryRow(
        atena_no=atena(1),
        history_no=1,
        change_id=uuid4(),
        change_kind=ChangeKind.DOMESTIC_MOVE_IN,
        occurred_on=TODAY,
        recorded_at=datetime(2026, 11, 27, 15, 0),
        ex_officio=False,
        person=person,
    )


def test_cs_gets_the_substitute_and_certificates_the_gaiji() -> None:
    messages = project(
        change_kind=ChangeKind.DOMESTIC_MOVE_IN,
        occurred_on=TODAY,
        rows=[(None, _born("葛" + GAIJI))],
        origin=ChangeOrigin.STAFF,
        policy=load_policy(ward=WARD),
        person_key=lambda a: "pk" + a,
        open_my_number=lambda sealed, a: None,
        record_flags=lambda a: RecordFlags(support_measure_active=False, seal_registered=False),
        household_head=lambda h: None,
        gaiji={GAIJI: "城"},
    )
    sent = {m.routing_key: m.payload.model_dump() for m in messages}

    assert sent["cs.identity"]["family_name"] == "葛城"
    assert sent["koseki.fuhyo_notice"]["hittosha"] == "葛城太郎"  # 管内本籍: MJ only, too
    assert sent["certificates.record"]["family_name"] == "葛" + GAIJI
    assert sent["certificates.record"]["head_name"] == "葛" + GAIJI + "\u3000太郎"


def test_without_its_substitute_a_gaiji_cannot_leave_for_cs() -> None:
    with pytest.raises(ValidationError, match="U\\+E000"):
        project(
            change_kind=ChangeKind.DOMESTIC_MOVE_IN,
            occurred_on=TODAY,
            rows=[(None, _born("葛" + GAIJI))],
            origin=ChangeOrigin.STAFF,
            policy=load_policy(ward=WARD),
            person_key=lambda a: "pk" + a,
            open_my_number=lambda sealed, a: None,
            record_flags=lambda a: RecordFlags(support_measure_active=False, seal_registered=False),
            household_head=lambda h: None,
        )


# --- the stored-record check ------------------------------------------------------------------


def test_stored_items_outside_the_set_are_found_by_item_and_position() -> None:
    items = {
        "family_name": "山田😀",
        "given_name": "太郎",
        "address": "東京都新宿区\u202e西新宿",
        "alias": "葛" + GAIJI,
        "name_alphabet": None,
    }
    found = list(record_problems(items, gaiji=frozenset()))

    assert [(item, p.position, p.code) for item, p in found] == [
        ("family_name", 3, "U+1F600"),
        ("alias", 2, "U+E000"),
        ("address", 7, "U+202E"),
    ]
    assert (
        list(record_problems(items | {"family_name": "山田", "address": "東京都"}, gaiji={GAIJI}))
        == []
    )
    line = Finding(
        atena_no=atena(1), history_no=2, change_id="c", item="family_name", problem=found[0][1]
    ).line()
    assert "山田" not in line
    assert f"atena_no={atena(1)} history_no=2 change_id=c field=family_name position=3" in line
    assert found[0][1].reason is Reason.SYMBOL
