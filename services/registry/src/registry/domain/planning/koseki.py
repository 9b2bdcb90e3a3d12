"""出生 and 死亡 as the spec records them: 職権記載 / 職権消除 on a 戸籍届出 (spec 4.2.1.2, 4.2.2.1).

A birth or death is not a 住民異動届: the 出生届 / 死亡届 is a 戸籍届出, and the register records
the person (職権記載) or removes them (職権消除) on it, with the 戸籍届出・通知日 (spec 4.2.0.4).
The counter enters it as before (kind ``birth`` / ``death``, ``notified_on`` = the 届出日); the
optional ``koseki_filing`` adds where and when it was accepted and, if another municipality
accepted it, who sent the notice and when it arrived (4.2.0.3). History shows the 異動事由
出生 / 死亡 with ``ex_officio`` and this basis.
"""

from __future__ import annotations

from datetime import date

from jumin_contracts.codes import ChangeKind

from registry.domain.change_requests import ChangeRequest, EntryChange, RemovalChange
from registry.domain.errors import RuleViolation
from registry.domain.model import KosekiBasis

KOSEKI_KINDS = {ChangeKind.BIRTH: "出生届", ChangeKind.DEATH: "死亡届"}
"""Kinds recorded 職権 on a 戸籍届出, and the 届出 each rests on."""


def koseki_basis(request: ChangeRequest, today: date) -> KosekiBasis | None:
    """Return the 戸籍届出 a 出生 / 死亡 rests on, refusing facts that cannot be true."""
    filing = getattr(request, "koseki_filing", None)
    if request.kind not in KOSEKI_KINDS:
        if filing is not None:
            raise RuleViolation(
                "戸籍届出の情報は出生・死亡にだけ入力します / koseki filing facts are for birth "
                "and death only"
            )
        return None
    assert isinstance(request, EntryChange | RemovalChange)
    if request.notified_on is None:
        if filing is not None:
            raise RuleViolation(
                "戸籍届出の届出日 (notified_on) を入力してください / give the filing date"
            )
        return (
            None  # e.g. a 死亡 entered before the 死亡届's date is known (spec 4.2.0.4: 入力できる)
        )
    return _basis(KOSEKI_KINDS[request.kind], request, today)


def _basis(kind: str, request: EntryChange | RemovalChange, today: date) -> KosekiBasis:
    filed_on, filing = request.notified_on, request.koseki_filing
    assert filed_on is not None
    if filing is None:  # entered at the counter: accepted here on its 届出日
        return KosekiBasis(filing=kind, filed_on=filed_on, accepted_on=filed_on)
    accepted_on = filing.accepted_on or filed_on
    _in_order("受理日", "the acceptance date", filed_on, accepted_on, today)
    noticed = (filing.sent_from is None) == (filing.notice_received_on is None)
    if not noticed or (filing.accepted_at is not None and filing.sent_from is None):
        raise RuleViolation(
            "他の市区町村で受理された届出には送付元と通知日が必要です (両方) / a filing accepted "
            "elsewhere needs who sent the notice and when it arrived"
        )
    if filing.notice_received_on is not None:
        _in_order("通知日", "the notice date", accepted_on, filing.notice_received_on, today)
    return KosekiBasis(
        filing=kind,
        filed_on=filed_on,
        accepted_on=accepted_on,
        accepted_at=filing.accepted_at,
        sent_from=filing.sent_from,
        notice_received_on=filing.notice_received_on,
    )


def _in_order(name: str, english: str, earliest: date, value: date, today: date) -> None:
    if not earliest <= value <= today:
        raise RuleViolation(
            f"{name}は届出日・受理日以後、今日以前の日付です / {english} must lie between the "
            "filing (or acceptance) date and today"
        )
