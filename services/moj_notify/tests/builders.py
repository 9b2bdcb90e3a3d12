"""Contract payloads for moj_notify's tests (invented foreign residents, valid codes)."""

from __future__ import annotations

from datetime import date
from typing import Any

from jumin_contracts.codes import ChangeKind, ForeignResidentCategory, Sex
from jumin_contracts.envelope import Envelope
from jumin_contracts.messages import MojMunicipalNotice, NoticeClass
from jumin_testing.envelopes import person, wrap

__all__ = [
    "CARD_NO",
    "FILED_ON",
    "SPECIAL_PERMANENT_CERT_NO",
    "event",
    "municipal_notice",
    "person",
    "special_permanent",
]

CARD_NO = "AB12345678CD"
SPECIAL_PERMANENT_CERT_NO = "SP12345678AB"
FILED_ON = date(2026, 11, 20)


def municipal_notice(**changes: Any) -> MojMunicipalNotice:
    """A 法第30条の46転入 of a 中長期在留者 (ベトナム) with a 在留カード."""
    values: dict[str, Any] = {
        "change_kind": ChangeKind.FOREIGN_MOVE_IN_30_46,
        "occurred_on": "2026-11-18",
        "name_alphabet": "NGUYEN VAN AN",
        "family_name": "グエン",
        "given_name": "ヴァン アン",
        "birth_date": "1995-03-04",
        "sex": Sex.MALE,
        "nationality": "ベトナム",
        "address": "東京都新宿区百人町一丁目2番3号",
        "foreign_category": ForeignResidentCategory.MID_LONG_TERM,
        "status_of_residence": "技術・人文知識・国際業務",
        "period_of_stay": "3年",
        "stay_expires_on": date(2029, 4, 1),
        "residence_card_no": CARD_NO,
        "special_permanent_cert_no": None,
        "notice_class": NoticeClass.JUKI_AND_IMMIGRATION,
    }
    return MojMunicipalNotice(**(values | changes))


def special_permanent(**changes: Any) -> MojMunicipalNotice:
    """A 転居 of a 特別永住者 (韓国): a 特別永住者証明書番号, no 在留カード."""
    values: dict[str, Any] = {
        "change_kind": ChangeKind.MOVE_WITHIN_WARD,
        "nationality": "韓国",
        "name_alphabet": None,
        "family_name": "金",
        "given_name": "英子",
        "sex": Sex.FEMALE,
        "foreign_category": ForeignResidentCategory.SPECIAL_PERMANENT,
        "status_of_residence": None,
        "period_of_stay": None,
        "stay_expires_on": None,
        "residence_card_no": None,
        "special_permanent_cert_no": SPECIAL_PERMANENT_CERT_NO,
    }
    return municipal_notice(**(values | changes))


def event(
    payload: MojMunicipalNotice,
    person_key: str | None = None,
    seq: int = 1,
    *,
    notified_on: date | None = FILED_ON,
) -> Envelope:
    """The registry's event carrying the payload (a 届出 of `notified_on`; None: 職権)."""
    return wrap(payload, person_key or person(), seq, notified_on=notified_on)
