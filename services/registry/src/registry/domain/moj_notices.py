"""Turn a 長官通知 from 法務省 (住基法30条の50) into the change requests a reviewer will decide.

The notice corrects foreign-resident items. 在留 items (区分, 在留資格, 在留期間, 満了日, カード番号)
become a 法第30条の47 change carrying the person's full 在留 details with the corrections laid over
them; 氏名・生年月日・性別 (and 国籍・アルファベット氏名 when nothing else changes) become a 職権修正.
A notice touching both gives two pending changes, each decided on its own.  A ``stay_ended``
notice (出国による在留期間満了, 在留資格取消 …) becomes a 職権消除 of the record (spec [S:j960]: a
status that ends the stay → 消除).  None of them is ever approved here: a reviewer decides each,
and none sends a 市町村通知 back (their origin is ``moj``: `recipient_policy.foreign_and_notifiable`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from jumin_contracts.codes import ChangeKind, ResidentType
from jumin_contracts.commands import MojDirectorNotice, MojNoticeKind
from jumin_contracts.dates import PartialDate

from registry.domain.change_requests import (
    Amendment,
    ChangeRequest,
    ForeignDetails,
    PersonPatch,
    RemovalChange,
    ResidenceStatusChange,
)
from registry.domain.errors import StateConflict
from registry.domain.model import Person

IDENTITY_ITEMS = frozenset({"family_name", "given_name", "birth_date", "sex"})
"""Items only a 職権修正 can correct (a PersonPatch)."""

SHARED_ITEMS = frozenset({"nationality", "name_alphabet"})
"""Items both shapes carry: they go with the 在留 details when those change too."""

_DETAIL_FIELDS = tuple(ForeignDetails.model_fields)


def moj_requests(
    notice: MojDirectorNotice, *, atena_no: str, person: Person, received_on: date
) -> list[ChangeRequest]:
    """Return the change requests a 長官通知 asks of one person, 在留 first."""
    if person.resident_type is not ResidentType.FOREIGN:
        raise StateConflict(
            "長官通知の対象は外国人住民だけです / a MOJ notice concerns foreign residents only"
        )
    dated: dict[str, Any] = {
        "occurred_on": PartialDate.exact(notice.effective_on),
        "note": notice.notice_text,
    }
    if notice.notice_kind is MojNoticeKind.STAY_ENDED:  # the stay ended: 職権消除
        return [RemovalChange(kind=ChangeKind.EX_OFFICIO_REMOVAL, atena_nos=[atena_no], **dated)]
    common = {"atena_no": atena_no, **dated}
    return _corrections(notice, common, person=person, received_on=received_on)


def _corrections(
    notice: MojDirectorNotice, common: dict[str, Any], *, person: Person, received_on: date
) -> list[ChangeRequest]:
    """Return the 法第30条の47 change and/or the 職権修正 the notice's corrections ask for."""
    corrections: dict[str, Any] = notice.corrections.model_dump(exclude_unset=True)
    residence = {k: v for k, v in corrections.items() if k not in IDENTITY_ITEMS | SHARED_ITEMS}
    identity_keys = IDENTITY_ITEMS if residence else IDENTITY_ITEMS | SHARED_ITEMS
    identity = {k: v for k, v in corrections.items() if k in identity_keys}
    if residence:
        residence |= {k: v for k, v in corrections.items() if k in SHARED_ITEMS}
    requests: list[ChangeRequest] = []
    if residence:
        details = {name: getattr(person, name) for name in _DETAIL_FIELDS} | residence
        requests.append(
            ResidenceStatusChange(
                kind=ChangeKind.RESIDENCE_STATUS_30_47,
                foreign=ForeignDetails(**details),
                notified_on=received_on,  # a 届出日 is required: the day the 通知 arrived
                **common,
            )
        )
    if identity:
        requests.append(
            Amendment(
                kind=ChangeKind.EX_OFFICIO_AMENDMENT,
                patch=PersonPatch(**identity),
                **common,
            )
        )
    return requests
