"""What the 戸籍 side sends the 住所地 (the ward), as feed notice bodies (INTERFACE.md).

- `residence_record_notice`: 住民票記載事項通知 (住基法9条2項) after a 戸籍 event;
- `collation_notice`: 戸籍照合通知 (住基法19条2項), the ward's items disagree with the 戸籍;
- `honseki_transfer_notice`: 本籍転属通知 (住基法19条3項), the 本籍 now belongs elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from koseki_simulator.domain.fuhyo import Koseki, Member, Mismatch

RESIDENCE_RECORD_NOTICE = "residence_record_notice"
COLLATION_NOTICE = "collation_notice"
HONSEKI_TRANSFER_NOTICE = "honseki_transfer_notice"


@dataclass(frozen=True)
class Before:
    """What the 住民票 showed before the event (戸籍の表示 and 氏名)."""

    honseki: str
    hittosha: str
    family_name: str
    given_name: str

    @classmethod
    def of(cls, koseki: Koseki, member: Member) -> Before:
        return cls(koseki.honseki, koseki.hittosha, member.family_name, member.given_name)


def residence_record_notice(
    *,
    event: str,
    event_date: str,
    koseki: Koseki,
    member: Member,
    honseki_municipality_code: str,
    before: Before | None,
    parent_juminhyo_codes: list[str] | None = None,
) -> dict[str, Any]:
    """住民票記載事項通知: the person's 戸籍 items after the event, and the 戸籍の表示 before."""
    return {
        "event": event,
        "event_date": event_date,
        "juminhyo_code": member.juminhyo_code,
        "family_name": member.family_name,
        "given_name": member.given_name,
        "family_name_kana": member.family_name_kana,
        "given_name_kana": member.given_name_kana,
        "birth_date": member.birth_date,
        "sex": member.sex,
        "honseki": koseki.honseki,
        "hittosha": koseki.hittosha,
        "honseki_municipality_code": honseki_municipality_code,
        "previous_honseki": before.honseki if before else None,
        "previous_hittosha": before.hittosha if before else None,
        "previous_family_name": before.family_name if before else None,
        "previous_given_name": before.given_name if before else None,
        "parent_juminhyo_codes": parent_juminhyo_codes or [],
    }


def collation_notice(
    *,
    honseki: str,
    hittosha: str | None,
    juminhyo_code: str | None,
    mismatches: tuple[Mismatch, ...],
    member: Member | None,
    receipt_no: str | None,
) -> dict[str, Any]:
    """戸籍照合通知: which items disagree, and what the 戸籍 states (when the person is found)."""
    return {
        "honseki": honseki,
        "hittosha": hittosha,
        "juminhyo_code": juminhyo_code,
        "differing_items": [m.item for m in mismatches],
        "koseki_items": None
        if member is None
        else {
            "family_name": member.family_name,
            "given_name": member.given_name,
            "birth_date": member.birth_date,
            "sex": member.sex,
        },
        "receipt_no": receipt_no,
    }
