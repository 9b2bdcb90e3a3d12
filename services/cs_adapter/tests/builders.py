"""Contract payloads and envelopes for the tests (invented people, valid check digits)."""

from __future__ import annotations

from datetime import date
from typing import Any

from jumin_contracts.codes import ChangeKind, Sex
from jumin_contracts.messages import (
    CsFuhyoNotice,
    CsIdentity,
    CsMoveOutCertificate,
    CsMyNumberChangeRequest,
    RecordState,
)
from jumin_testing.envelopes import person, wrap

from .fake_cs import juminhyo_code, my_number

__all__ = ["fuhyo", "identity", "moveout", "my_number_change", "person", "wrap"]


def identity(**changes: Any) -> CsIdentity:
    values: dict[str, Any] = {
        "change_kind": ChangeKind.DOMESTIC_MOVE_IN,
        "occurred_on": "2026-04-01",
        "family_name": "新宿",
        "given_name": "花子",
        "family_name_kana": "シンジュク",
        "given_name_kana": "ハナコ",
        "former_surname": None,
        "former_surname_kana": None,
        "alias": None,
        "alias_kana": None,
        "name_alphabet": None,
        "birth_date": "1990-05-06",
        "sex": Sex.FEMALE,
        "address": "東京都新宿区歌舞伎町一丁目4番1号",
        "juminhyo_code": juminhyo_code(123_456_789),
        "my_number": my_number(12_345_678_901),
        "record_status": RecordState.RESIDENT,
        "previous_juminhyo_code": None,
    }
    return CsIdentity(**(values | changes))


def fuhyo(**changes: Any) -> CsFuhyoNotice:
    values: dict[str, Any] = {
        "change_kind": ChangeKind.MOVE_OUT_ABROAD,
        "occurred_on": "2026-04-01",
        "honseki": "大阪府大阪市北区中之島一丁目3番",
        "hittosha": "新宿太郎",
        "family_name": "新宿",
        "given_name": "花子",
        "address": None,
        "moved_abroad": True,
        "abroad_country": "フランス",
        "address_since": "2026-04-01",
        "birth_date": "1990-05-xx",
        "sex": Sex.FEMALE,
        "juminhyo_code": juminhyo_code(123_456_789),
        "destination_municipality": "大阪府大阪市",
        "destination_municipality_code": None,
    }
    return CsFuhyoNotice(**(values | changes))


def moveout(**changes: Any) -> CsMoveOutCertificate:
    values: dict[str, Any] = {
        "change_kind": ChangeKind.DOMESTIC_MOVE_OUT,
        "occurred_on": "2026-04-10",
        "family_name": "新宿",
        "given_name": "花子",
        "birth_date": "1990-05-06",
        "sex": Sex.FEMALE,
        "address": "東京都新宿区歌舞伎町一丁目4番1号",
        "destination": "北海道札幌市中央区北一条西二丁目",
        "planned_on": date(2026, 4, 10),
        "head_name": "新宿太郎",
        "relationship": "妻",
        "juminhyo_code": juminhyo_code(123_456_789),
        "my_number": my_number(12_345_678_901),
    }
    return CsMoveOutCertificate(**(values | changes))


def my_number_change(**changes: Any) -> CsMyNumberChangeRequest:
    values: dict[str, Any] = {
        "change_kind": ChangeKind.MY_NUMBER_CHANGE_REQUEST,
        "occurred_on": "2026-04-12",
        "juminhyo_code": juminhyo_code(123_456_789),
    }
    return CsMyNumberChangeRequest(**(values | changes))
