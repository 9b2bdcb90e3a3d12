"""Which items a notice must carry for its class and 区分, and which 異動事由 are notified.

Assumptions (INTERFACE.md): the 政令's list of reasons is not public; the ministry is assumed to
refuse only what [U6] says is never notified. Items per class and 区分 follow the 在留カード and
the registry's own rules for foreign residents. Problems name fields, never values.
"""

from __future__ import annotations

from typing import Any

from jumin_contracts.codes import ChangeKind, ForeignResidentCategory
from jumin_contracts.messages import NoticeClass
from jumin_simulator.validation import field_error

from moj_simulator.domain.notices import MunicipalNoticeBody, PersonItems

NOT_NOTIFIED = frozenset(
    {
        ChangeKind.HOUSEHOLD_TRANSFER,  # 世帯変更届
        ChangeKind.HEAD_CHANGE,  # 世帯主変更 (続柄 among foreigners)
        ChangeKind.MY_NUMBER_ENTRY,
        ChangeKind.MY_NUMBER_CHANGE_REQUEST,
        ChangeKind.MY_NUMBER_EX_OFFICIO_CHANGE,
        ChangeKind.JUMINHYO_CODE_CHANGE,
    }
)
"""異動事由 the ministry is never told of (世帯・続柄, 個人番号, 住民票コード: no 市町村通知 item)."""

RESIDENCE_FILINGS = frozenset(
    {
        ChangeKind.DOMESTIC_MOVE_IN,
        ChangeKind.FOREIGN_MOVE_IN_30_46,
        ChangeKind.MOVE_WITHIN_WARD,
        ChangeKind.RESIDENCE_STATUS_30_47,
    }
)
"""異動事由 that also count as the 入管法 住居地届出: the only ones of class 住基法・入管法."""

STAY_ITEMS = ("status_of_residence", "period_of_stay", "stay_expires_on")
CARD_ITEMS = ("residence_card_no", "special_permanent_cert_no")
Errors = list[dict[str, Any]]


def name_errors(body: PersonItems, loc: tuple[str, ...]) -> Errors:
    """氏名: in alphabet, in 漢字等, or both — but something."""
    if body.name_alphabet or body.family_name or body.given_name:
        return []
    return [_error(loc, "name_alphabet", "name_missing", "氏名 (英字か漢字等) が必要です")]


def class_errors(body: MunicipalNoticeBody, loc: tuple[str, ...]) -> Errors:
    """Items the notice's class requires, and the class its 異動事由 allows."""
    errors: Errors = []
    if (
        body.notice_class is NoticeClass.JUKI_AND_IMMIGRATION
        and body.change_reason not in RESIDENCE_FILINGS
    ):
        errors.append(
            _error(
                loc, "notice_class", "class_reason", "この異動事由は住基法・入管法ではありません"
            )
        )
    if body.notice_class is not NoticeClass.JUKI and body.notification_date is None:
        errors.append(_error(loc, "notification_date", "missing_for_class", "届出年月日が必要です"))
    return errors + _complete_dates(body, loc)


def category_errors(body: MunicipalNoticeBody, loc: tuple[str, ...]) -> Errors:
    """Items the person's 区分 requires or excludes (the 在留カード or 特別永住者証明書)."""
    category = body.foreign_category
    required: tuple[str, ...]
    excluded: tuple[str, ...]
    if category is ForeignResidentCategory.MID_LONG_TERM:
        required, excluded = ("residence_card_no", *STAY_ITEMS), ("special_permanent_cert_no",)
    elif category is ForeignResidentCategory.SPECIAL_PERMANENT:
        required, excluded = ("special_permanent_cert_no",), ("residence_card_no", *STAY_ITEMS)
    else:
        required, excluded = (), CARD_ITEMS
    items = body.model_dump()
    return [
        _error(loc, name, "missing_for_category", "この区分には必要です")
        for name in required
        if items[name] is None
    ] + [
        _error(loc, name, "not_for_category", "この区分には記載しません")
        for name in excluded
        if items[name] is not None
    ]


def _complete_dates(body: MunicipalNoticeBody, loc: tuple[str, ...]) -> Errors:
    dates = {
        "change_date": body.change_date,
        "notification_date": body.notification_date,
        "stay_expires_on": body.stay_expires_on,
    }
    return [
        _error(loc, name, "date_incomplete", "年月日の一部不詳は認められません")
        for name, value in dates.items()
        if value is not None and not _is_complete(value)
    ]


def _is_complete(wire_date: str) -> bool:
    """Tell whether a `YYYYMMDD` has no unknown (zero) part."""
    return wire_date[:4] != "0000" and "00" not in (wire_date[4:6], wire_date[6:])


def _error(loc: tuple[str, ...], name: str, kind: str, japanese: str) -> dict[str, Any]:
    english = {
        "name_missing": "a name (alphabet or kanji) is required",
        "class_reason": "this change reason is not of that notice class",
        "missing_for_class": "required for this notice class",
        "missing_for_category": "required for this 区分",
        "not_for_category": "not an item of this 区分",
        "date_incomplete": "must be a complete date",
    }[kind]
    return field_error((*loc, name), kind, f"{japanese} / {english}")
