"""The recipient policy (提供先ポリシー): recipient → message → fields → condition → legal basis.

Minimum disclosure at the source (docs/architecture.md, non-negotiable 2): an approved change leaves the
registry only as the messages this policy allows, each carrying only the fields it names.  This
module holds the policy's vocabulary — the conditions, the sources a field may come from, what may
never leave — and its shape; the text is ``registry/policy/recipients.toml``, read and checked
against the contract models by `registry.policy.load_policy` at start-up.

Conditions are a fixed set of pure predicates over a `ProjectionInput` (one appended history row
and the row before it); the policy picks them by name.  Decisions are in each predicate's docstring.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from jumin_contracts.codes import ChangeKind, ResidentType
from jumin_contracts.dates import PartialDate
from jumin_contracts.messages import IDENTITY_ITEMS, NoticeClass, RecipientMessage

from registry.domain.changes import ChangeOrigin
from registry.domain.model import HistoryRow, Person, RecordStatus


@dataclass(frozen=True, kw_only=True)
class Ward:
    """Name the ward the registry serves (地方公共団体コード, 都道府県, 区名)."""

    code: str
    prefecture: str
    name: str

    def holds_honseki(self, honseki: str | None) -> bool:
        """Say whether a 本籍 lies in this ward (管内本籍): it starts with e.g. 東京都新宿区.

        戸籍 writes a 特別区's 本籍 with its 都道府県, so a plain prefix test suffices.
        """
        return honseki is not None and honseki.startswith(self.prefecture + self.name)


@dataclass(frozen=True, kw_only=True)
class ProjectionInput:
    """Hold what a condition may look at: one appended row, the row before it, the change, the ward.

    ``before`` is None when the change entered the person (記載).  A 帰化 or 国籍喪失 appends two
    rows for one person (the old record closed, the new one opened), so it gives two inputs.
    ``origin`` says where the change came from (a member of staff, or a system's notice).
    ``head_renamed`` marks a member's unchanged current row (``before`` is ``after``) projected
    because this change renamed their 世帯主: their 世帯主の氏名 (住基法7条4号) changed with it.
    """

    change_kind: ChangeKind
    occurred_on: PartialDate
    before: HistoryRow | None
    after: HistoryRow
    ward: Ward
    origin: ChangeOrigin
    head_renamed: bool = False

    @property
    def person(self) -> Person:
        """Return the record after the change."""
        return self.after.person

    @property
    def previous(self) -> Person | None:
        """Return the record before the change, if there was one."""
        return self.before.person if self.before is not None else None

    @property
    def entered(self) -> bool:
        """Say whether this row puts the person (back) on the register (記載・回復)."""
        return self.person.is_resident and (self.previous is None or not self.previous.is_resident)

    @property
    def left(self) -> bool:
        """Say whether this row takes the person off the register (消除, or 記載の取消)."""
        return (
            self.previous is not None and self.previous.is_resident and not self.person.is_resident
        )

    def changed(self, *items: str) -> bool:
        """Say whether the record is new, changed status, or changed any of *items*."""
        before = self.previous
        if before is None or before.status is not self.person.status:
            return True
        return any(getattr(before, item) != getattr(self.person, item) for item in items)


# --- conditions ---------------------------------------------------------------------------------

CS_ITEMS = tuple(n for n in IDENTITY_ITEMS if n not in {"my_number", "record_status"})
"""本人確認情報 (住基法30条の6) as kept on the record; 個人番号 is compared by its hash and the
記載・消除の別 follows from a change of the record's status (`ProjectionInput.changed`)."""

MOJ_ITEMS = (
    "name_alphabet",
    "family_name",
    "given_name",
    "birth_date",
    "sex",
    "nationality",
    "address",
    "foreign_category",
    "status_of_residence",
    "period_of_stay",
    "stay_expires_on",
    "residence_card_no",
    "special_permanent_cert_no",
)
"""Items of a 市町村通知 (入管法61条の8の2)."""

FUHYO_ADDRESS_ITEMS = ("address", "address_since", "juminhyo_code")
"""附票 items whose source is the 住所地 (氏名・生年月日・性別 come from the 戸籍 itself)."""

HOUSEHOLD_ITEMS = ("household_no", "is_head", "relationship")

HOUSEHOLD_KINDS = frozenset(
    {
        ChangeKind.HOUSEHOLD_SEPARATION,
        ChangeKind.HOUSEHOLD_MERGER,
        ChangeKind.HOUSEHOLD_TRANSFER,
        ChangeKind.HEAD_CHANGE,
    }
)


def _my_number_key(person: Person | None) -> str | None:
    """Compare 個人番号 by its keyed hash: a re-sealed value differs but means the same number."""
    return None if person is None else person.my_number_hash or person.my_number


def identity_changed(i: ProjectionInput) -> bool:
    """Send 本人確認情報 on every 記載・消除 and every 修正 touching its items (住基法30条の6).

    Never for a person without a 住民票コード: CS keys 本人確認情報 by it and refuses a record
    without one (E-FORMAT, the person blocked). A 出生 cannot be approved without a code (the pool
    must have one); a person entered without one is told to CS by the change that records their
    code — that change touches an identity item, so the whole identity goes then.
    """
    if i.person.juminhyo_code is None:
        return False
    return i.changed(*CS_ITEMS) or _my_number_key(i.previous) != _my_number_key(i.person)


def _address_related(i: ProjectionInput) -> bool:
    """Say whether a 附票 must learn of this row (住基法19条; spec 7.1.1.1, 7.2.4).

    Only Japanese residents with a 本籍 have a 附票.  It is notified when the person is entered
    (転入・出生・職権記載・帰化・取消による回復), leaves abroad (国外転出) or is struck off 職権
    (職権消除), when an entry is cancelled, and when 住所, 住所を定めた年月日 or 住民票コード change.
    Not for 国内転出 (the new 住所地 notifies on 転入), 死亡 or 国籍喪失 (the 戸籍 records them
    and closes the 附票 itself).
    """
    person = i.person
    if person.resident_type is not ResidentType.JAPANESE or person.honseki is None:
        return False
    if i.entered:
        return True
    if i.left:
        removal_kinds = {ChangeKind.MOVE_OUT_ABROAD, ChangeKind.EX_OFFICIO_REMOVAL}
        return person.removal_kind in removal_kinds or person.status is RecordStatus.VOID
    previous = i.previous
    if previous is None:  # a first row that is not on the register (e.g. a migrated 除票)
        return False
    return any(getattr(previous, item) != getattr(person, item) for item in FUHYO_ADDRESS_ITEMS)


def honseki_outside_ward_and_address_related(i: ProjectionInput) -> bool:
    """Notify a 本籍地 outside the ward through CS (管外本籍者, 住基法19条)."""
    return not i.ward.holds_honseki(i.person.honseki) and _address_related(i)


def honseki_inside_ward_and_address_related(i: ProjectionInput) -> bool:
    """Notify the ward's own 戸籍附票システム (管内本籍者, 住基法19条; spec 7.2.4)."""
    return i.ward.holds_honseki(i.person.honseki) and _address_related(i)


def foreign_and_notifiable(i: ProjectionInput) -> bool:
    """Send a 市町村通知 for a foreign resident's notifiable change (入管法61条の8の2).

    Foreign records only (the closed record of a 帰化 is one; the opened Japanese one is not).
    Not 世帯変更, nor any 職権 household change, nor a change touching none of the notified items
    — so 続柄-only changes between foreigners and 国保・年金・手当 changes send nothing
    (DOMAIN-SERVICES.md §2 [U6]).  Every 記載・消除 and every 修正 of a notified item does:
    転入 (国内・法第30条の46), 法第30条の47届出, 転居, 転出 (国外転出 too, on its 予定日's 異動日),
    出生, 死亡, 国籍喪失 and 帰化 (the foreign record opened or closed), 職権記載・消除・修正,
    取消 (the 政令's list is not public: DOMAIN-SERVICES.md §2 expects these).

    Never for a change made from a 長官通知 (origin ``moj``, 住基法30条の50): the ministry made
    that change itself and would only hear its own fact back, a loop (DOMAIN-SERVICES.md §2
    [S:j960]: "avoid loops").  The next change staff make for the person notifies again.
    """
    if i.origin is ChangeOrigin.MOJ:
        return False
    if i.person.resident_type is not ResidentType.FOREIGN:
        return False
    if i.change_kind is ChangeKind.HOUSEHOLD_TRANSFER:
        return False
    if i.after.ex_officio and i.change_kind in HOUSEHOLD_KINDS:
        return False
    return i.changed(*MOJ_ITEMS)


def household_related(i: ProjectionInput) -> bool:
    """Send 住民票関係情報 when a row changes what the 中間サーバー's 副本 or its link hold.

    DOMAIN-SERVICES.md §3's triggers: a person joins or leaves the register or a 世帯 (転入, 出生,
    転出・死亡・職権消除, 世帯分離・合併・変更, 帰化・国籍喪失 closing one record and opening
    another, 取消 voiding or restoring), a 世帯番号・世帯主・続柄 changes (続柄修正), every member
    of a 世帯主変更 (each 続柄 is recomputed and the 世帯主の氏名 changes, even where the 続柄 reads
    the same), a 世帯主's change of name, and a new 個人番号 or 住民票コード, which the 統合宛名
    links the person by (re-link).  Nothing else: the 基本4情報 of a member ride along for 名寄せ
    but do not, alone, make a message.  A renamed head's other members are told too
    (``head_renamed``): their 世帯主の氏名 changed though no row of theirs was appended.
    """
    if i.head_renamed or i.change_kind is ChangeKind.HEAD_CHANGE:
        return True
    if i.changed(*HOUSEHOLD_ITEMS, "juminhyo_code"):
        return True
    if _my_number_key(i.previous) != _my_number_key(i.person):
        return True
    return i.person.is_head and i.changed("family_name", "given_name")


def domestic_move_out(i: ProjectionInput) -> bool:
    """Send 転出証明書情報 for each person a 国内転出 filed in time removes (住基法24条の2).

    It stands in for the 転出証明書 (spec 4.1.3.0.4), so only where one would be issued: not for a
    転出 filed over 14 days late, recorded 職権 with a 転出証明書に準ずる証明書 instead (4.1.3.0.3);
    not for the member left behind who becomes 世帯主 職権 under the same change.  Never
    automatically again for the same 転出: a 取消 restores the record (CS hears of it by
    本人確認情報), a 修正 of the 除票 or a 転入通知 changes no 転出先・予定日 (corrected by 取消
    and a new 転出), and 7.1.1.1 leaves re-sending, 異動事由 changed, to CS's operator (再送信).
    """
    return (
        i.change_kind is ChangeKind.DOMESTIC_MOVE_OUT
        and i.left
        and i.person.removal_kind is ChangeKind.DOMESTIC_MOVE_OUT
        and not i.after.ex_officio
    )


MY_NUMBER_CHANGE_KINDS = frozenset(
    {ChangeKind.MY_NUMBER_CHANGE_REQUEST, ChangeKind.MY_NUMBER_EX_OFFICIO_CHANGE}
)


def my_number_change_requested(i: ProjectionInput) -> bool:
    """Ask J-LIS (via CS) for a new 個人番号 when its change is approved (番号法7条2項)."""
    return i.change_kind in MY_NUMBER_CHANGE_KINDS and i.person.juminhyo_code is not None


def always(i: ProjectionInput) -> bool:
    """Send on every approved change (the certificates read model mirrors the register)."""
    return True


Condition = Callable[[ProjectionInput], bool]

CONDITIONS: dict[str, Condition] = {
    f.__name__: f
    for f in (
        identity_changed,
        honseki_outside_ward_and_address_related,
        honseki_inside_ward_and_address_related,
        foreign_and_notifiable,
        household_related,
        domestic_move_out,
        my_number_change_requested,
        always,
    )
}
"""The predicates a policy may name."""


_IMMIGRATION_FILINGS = frozenset(
    {
        ChangeKind.DOMESTIC_MOVE_IN,
        ChangeKind.FOREIGN_MOVE_IN_30_46,
        ChangeKind.MOVE_WITHIN_WARD,
        ChangeKind.RESIDENCE_STATUS_30_47,
    }
)


def notice_class(kind: ChangeKind) -> NoticeClass:
    """Classify a 市町村通知 by 異動事由 (spec 4.5.7).

    住基法・入管法: filings that also count as the 入管法 住居地届出 (転入, 法第30条の46転入, 転居:
    入管法19条の7第3項・19条の9第3項; 法第30条の47届出: 19条の8第3項).  住基法: every other
    記載・消除・修正 (出生, 死亡, 転出, 職権, 帰化・国籍喪失, 取消).  入管法 (an 入管法 procedure
    that changes nothing on the record, e.g. 特別永住者証明書 applications) has no 異動事由 yet.
    """
    return NoticeClass.JUKI_AND_IMMIGRATION if kind in _IMMIGRATION_FILINGS else NoticeClass.JUKI


# --- sources and the policy ---------------------------------------------------------------------

PERSON_ATTRIBUTES = frozenset(f.name for f in dataclasses.fields(Person))

DERIVED_SOURCES: dict[str, str] = {
    "change_kind": "異動事由 of the change",
    "occurred_on": "異動日 of the change (storage form)",
    "atena_no": "宛名番号 of the row",
    "history_no": "履歴番号 of the row",
    "my_number_plain": "個人番号 unsealed (12 digits) — only where the law grants it",
    "moved_abroad": "国外転出をした旨 (removed by 国外転出)",
    "abroad_country": "国外転出先の国・地域 (the first word of the 転出先)",
    "fuhyo_address": "住所 as the 附票 shows it (None for a 国外転出者)",
    "fuhyo_address_since": "住所を定めた年月日, or 国外転出の年月日",
    "destination_municipality": "本籍地の都道府県・市区町村 read from the 本籍",
    "destination_municipality_code": "本籍地の地方公共団体コード (not held: always None)",
    "notice_class": "市町村通知の区分 by 異動事由 (notice_class())",
    "moved_from": "前住所: 従前の住所 of a 転入, the 住所 before a 転居 (else None)",
    "head_name": "世帯主の氏名 (this change's rows first, then the register)",
    "member_head_name": "世帯主の氏名 for a member; None for the 世帯主 (住基法7条4号)",
    "member_relationship": "世帯主との続柄 for a member; None for the 世帯主 (住基法7条4号)",
    "previous_juminhyo_code": "住民票コード before this row, when this row changed it (else None)",
    "support_measure_active": "支援措置 in force today",
    "seal_registered": "印鑑登録 held",
}
"""Sources computed rather than copied from a `Person` attribute; `projection` implements them."""

FORBIDDEN_SOURCES: dict[str, str] = {
    "my_number": "sealed at rest; grant my_number_plain instead",
    "my_number_hash": "internal lookup hash",
}

ENVELOPE_LEVEL_FIELDS = frozenset(
    {"event_id", "schema", "change_id", "person_key", "seq", "recorded_at", "payload"}
)
"""Envelope metadata: filled by the outbox, never by a payload (so never named by a policy)."""


@dataclass(frozen=True, kw_only=True)
class MessagePolicy:
    """Hold one recipient message: its fields (payload field → source), condition and basis."""

    recipient: str
    message: str
    model: type[RecipientMessage]
    fields: tuple[tuple[str, str], ...]
    condition: str
    legal_basis: str
    description: str = ""

    @property
    def routing_key(self) -> str:
        """Return ``<recipient>.<message>``."""
        return f"{self.recipient}.{self.message}"

    @property
    def field_names(self) -> frozenset[str]:
        """Return the payload fields the policy grants."""
        return frozenset(name for name, _ in self.fields)

    def applies(self, item: ProjectionInput) -> bool:
        """Say whether this message goes out for one appended row."""
        return CONDITIONS[self.condition](item)


@dataclass(frozen=True, kw_only=True)
class RecipientPolicy:
    """Hold every recipient message the registry may send, for one ward."""

    ward: Ward
    messages: tuple[MessagePolicy, ...]

    def only(self, recipients: Iterable[str]) -> RecipientPolicy:
        """Return the policy restricted to these recipients (the ones the broker routes).

        A recipient whose service does not exist yet gets no messages at all: its queue is not
        bound, and a message nobody consumes is not kept anywhere (docs/architecture.md).
        """
        keep = frozenset(recipients)
        return dataclasses.replace(
            self, messages=tuple(m for m in self.messages if m.recipient in keep)
        )

    def message(self, routing_key: str) -> MessagePolicy:
        """Return the policy of one routing key; KeyError if there is none."""
        for rule in self.messages:
            if rule.routing_key == routing_key:
                return rule
        raise KeyError(routing_key)
