"""Project an approved change into one message per authorised recipient (minimum disclosure).

For every appended history row (and the row before it) and every message of the policy whose
condition holds, the payload is built from the policy's fields only — nothing else is read from the
record — and then validated by the recipient's ``extra="forbid"`` contract model.  The 個人番号 is
unsealed only for a field whose source is ``my_number_plain``.  Pure: lookups come in as callables.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from jumin_contracts.codes import ChangeKind
from jumin_contracts.dates import PartialDate
from jumin_contracts.messages import CharacterForm, RecipientMessage

from registry.domain.changes import ChangeOrigin
from registry.domain.model import HistoryRow, Person, RecordStatus
from registry.domain.recipient_policy import (
    DERIVED_SOURCES,
    MessagePolicy,
    ProjectionInput,
    RecipientPolicy,
    notice_class,
)


@dataclass(frozen=True, kw_only=True)
class RecordFlags:
    """Hold the statuses kept outside the record that certificates must know."""

    support_measure_active: bool  # 支援措置 in force
    seal_registered: bool  # 印鑑登録


@dataclass(frozen=True, kw_only=True)
class ProjectedMessage:
    """Hold one message for one recipient about one person, ready for the outbox."""

    recipient: str
    message: str
    routing_key: str
    atena_no: str  # for the outbox's bookkeeping only; it never enters a payload it is not in
    person_key: str
    payload: RecipientMessage
    legal_basis: str

    @property
    def schema(self) -> str:
        """Return the payload's schema ``name@version``."""
        return self.payload.schema_id()


@dataclass(frozen=True, kw_only=True)
class _Context:
    item: ProjectionInput
    open_my_number: Callable[[str, str], str | None]
    record_flags: Callable[[str], RecordFlags]
    head_of: Callable[[Person], Person | None]
    substitutes: dict[int, str]  # 外字 → its MJ substitute, as a str.translate table


def project(
    *,
    change_kind: ChangeKind,
    occurred_on: PartialDate,
    rows: list[tuple[HistoryRow | None, HistoryRow]],
    origin: ChangeOrigin,
    policy: RecipientPolicy,
    person_key: Callable[[str], str],
    open_my_number: Callable[[str, str], str | None],
    record_flags: Callable[[str], RecordFlags],
    household_head: Callable[[str], Person | None],
    gaiji: Mapping[str, str] | None = None,
    head_renamed_for: Sequence[HistoryRow] = (),
) -> list[ProjectedMessage]:
    """Return the messages an approved change sends, in row order.

    ``rows`` has one (previous row or None, appended row) pair per appended history row, in the
    order they were appended (a 帰化 gives two pairs for one person).  ``origin`` says where the
    change came from (a 長官通知's change sends no 市町村通知).  ``person_key`` maps a
    宛名番号 to its opaque key; ``open_my_number(sealed, atena_no)`` unseals a 個人番号;
    ``record_flags(atena_no)`` gives the 支援措置・印鑑登録 status; ``household_head(世帯番号)``
    gives a household's 世帯主 as the register held it before this change, for households this
    change's rows name no head for and for the people it takes off the register.  ``gaiji`` maps
    each registered 外字 in the rows to its substitute, sent to recipients whose contract carries
    MJ characters only (`CharacterForm.MJ`); the others receive the 外字 itself.
    ``head_renamed_for`` holds the current rows of members whose 世帯主 this change renamed
    and who have no row in it (`renamed_heads_members`): each is projected unchanged after
    the rows, marked `ProjectionInput.head_renamed`.
    """
    heads = {
        after.person.household_no: after.person
        for _, after in rows
        if after.person.is_head and after.person.is_resident
    }

    def head_of(person: Person) -> Person | None:
        # A record this change takes off the register keeps the 世帯主 it had (除票, 転出証明書),
        # not the one this change makes head of those who stay (spec 4.0.4).
        head = heads.get(person.household_no) if person.is_resident else None
        return head or household_head(person.household_no)

    def item_of(before: HistoryRow | None, after: HistoryRow, renamed: bool) -> ProjectionInput:
        return ProjectionInput(
            change_kind=change_kind,
            occurred_on=occurred_on,
            before=before,
            after=after,
            ward=policy.ward,
            origin=origin,
            head_renamed=renamed,
        )

    items = [item_of(before, after, False) for before, after in rows]
    items += [item_of(member, member, True) for member in head_renamed_for]
    messages: list[ProjectedMessage] = []
    for item in items:
        context = _Context(
            item=item,
            open_my_number=open_my_number,
            record_flags=record_flags,
            head_of=head_of,
            substitutes=str.maketrans(dict(gaiji or {})),
        )
        key = person_key(item.after.atena_no)
        messages.extend(
            _message(rule, context, key) for rule in policy.messages if rule.applies(item)
        )
    return messages


def renamed_heads_members(
    rows: Sequence[tuple[HistoryRow | None, HistoryRow]], current: Mapping[str, HistoryRow]
) -> list[HistoryRow]:
    """Return the members whose 世帯主 these rows renamed and who have no row of their own.

    A head's 氏名 is every member's 世帯主の氏名 (住基法7条4号), but a 修正 (or its 取消)
    appends the head's row only.  ``current`` is the register before the change, holding every
    resident member of the households it touches (`RegisterView.current`).
    """
    in_change = {after.atena_no for _, after in rows}
    renamed = {
        after.person.household_no
        for before, after in rows
        if before is not None
        and before.person.is_head
        and after.person.is_head
        and after.person.is_resident
        and _full_name(before.person) != _full_name(after.person)
    }
    return [
        row
        for atena_no, row in sorted(current.items())
        if row.person.household_no in renamed
        and row.person.is_resident
        and atena_no not in in_change
    ]


def _full_name(person: Person) -> tuple[str, str]:
    return person.family_name, person.given_name


def _message(rule: MessagePolicy, context: _Context, person_key: str) -> ProjectedMessage:
    """Build one payload from the policy's fields only, then validate it against the contract."""
    values = {name: _value(source, context) for name, source in rule.fields}
    if context.substitutes and rule.model.CHARACTERS is CharacterForm.MJ:
        values = {
            k: v.translate(context.substitutes) if isinstance(v, str) else v
            for k, v in values.items()
        }
    return ProjectedMessage(
        recipient=rule.recipient,
        message=rule.message,
        routing_key=rule.routing_key,
        atena_no=context.item.after.atena_no,
        person_key=person_key,
        payload=rule.model.model_validate(values),
        legal_basis=rule.legal_basis,
    )


def _value(source: str, context: _Context) -> object:
    derive = _DERIVED.get(source)
    if derive is not None:
        return derive(context)
    return _plain(getattr(context.item.person, source))


def _plain(value: object) -> object:
    """Turn record values into what the contracts take: 年月日 in storage form, nested dicts."""
    if isinstance(value, PartialDate):
        return value.to_storage()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


# --- derived sources (names and meanings: recipient_policy.DERIVED_SOURCES) ---------------------


def _moved_abroad(person: Person) -> bool:
    return (
        person.status is RecordStatus.REMOVED and person.removal_kind is ChangeKind.MOVE_OUT_ABROAD
    )


def _abroad_country(context: _Context) -> str | None:
    """Read the country: a 国外 転出先 is stored as '<国・地域> <住所>' (OutsideAddress)."""
    person = context.item.person
    if not _moved_abroad(person) or not person.move_out_destination:
        return None
    return person.move_out_destination.split(" ", 1)[0]


def _fuhyo_address_since(context: _Context) -> str:
    person = context.item.person
    if _moved_abroad(person) and person.removed_on is not None:
        return person.removed_on.to_storage()
    return person.address_since.to_storage()


_MUNICIPALITY = re.compile(
    r"(東京都|北海道|京都府|大阪府|[^都道府県]{2,3}県)(.+?郡)?(.+?[市区町村])"
)
_DESIGNATED_CITY_WARD = re.compile(r".{1,4}?区")


def municipality_of(honseki: str | None) -> str | None:
    """Read 都道府県 + 市区町村 (郡, 政令市の区 included) from a 本籍, None if it does not parse.

    A heuristic for routing only (the 本籍地's 地方公共団体コード is not held here): names that
    repeat 市町村 (四日市市, 十日町市) are kept whole.
    """
    match = _MUNICIPALITY.match(honseki or "")
    if match is None or honseki is None:
        return None
    end = match.end()
    while end < len(honseki) and honseki[end] in "市町村":
        end += 1
    if honseki[end - 1] == "市" and (ward := _DESIGNATED_CITY_WARD.match(honseki, end)):
        end = ward.end()
    return honseki[:end]


def _head_name(context: _Context) -> str | None:
    person = context.item.person
    head = person if person.is_head else context.head_of(person)
    return None if head is None else f"{head.family_name}\u3000{head.given_name}"


def _member_head_name(context: _Context) -> str | None:
    return None if context.item.person.is_head else _head_name(context)


def _member_relationship(context: _Context) -> str | None:
    person = context.item.person
    return None if person.is_head else person.relationship


def _my_number_plain(context: _Context) -> str | None:
    sealed = context.item.person.my_number
    return None if sealed is None else context.open_my_number(sealed, context.item.after.atena_no)


_MOVE_IN_KINDS = frozenset(
    {ChangeKind.DOMESTIC_MOVE_IN, ChangeKind.MOVE_IN_FROM_ABROAD, ChangeKind.FOREIGN_MOVE_IN_30_46}
)


def _moved_from(context: _Context) -> str | None:
    """Name the 前住所 of a 転入 (its 従前の住所, as entered) or of a 転居 (the address left)."""
    item = context.item
    if item.change_kind in _MOVE_IN_KINDS and item.entered:
        return item.person.previous_address
    previous = item.previous
    if item.change_kind is ChangeKind.MOVE_WITHIN_WARD and previous is not None:
        return previous.address if previous.address != item.person.address else None
    return None


def _previous_juminhyo_code(context: _Context) -> str | None:
    """Name the code CS knows the person by when this row replaced it (住基法30条の4)."""
    before, code = context.item.previous, context.item.person.juminhyo_code
    if before is None or before.juminhyo_code in (None, code):
        return None
    return before.juminhyo_code


def _flags(context: _Context) -> RecordFlags:
    return context.record_flags(context.item.after.atena_no)


_DERIVED: dict[str, Callable[[_Context], object]] = {
    "change_kind": lambda c: c.item.change_kind,
    "occurred_on": lambda c: c.item.occurred_on.to_storage(),
    "atena_no": lambda c: c.item.after.atena_no,
    "history_no": lambda c: c.item.after.history_no,
    "my_number_plain": _my_number_plain,
    "moved_abroad": lambda c: _moved_abroad(c.item.person),
    "abroad_country": _abroad_country,
    "fuhyo_address": lambda c: None if _moved_abroad(c.item.person) else c.item.person.address,
    "fuhyo_address_since": _fuhyo_address_since,
    "destination_municipality": lambda c: municipality_of(c.item.person.honseki),
    "destination_municipality_code": lambda c: None,
    "notice_class": lambda c: notice_class(c.item.change_kind),
    "moved_from": _moved_from,
    "head_name": _head_name,
    "member_head_name": _member_head_name,
    "member_relationship": _member_relationship,
    "previous_juminhyo_code": _previous_juminhyo_code,
    "support_measure_active": lambda c: _flags(c).support_measure_active,
    "seal_registered": lambda c: _flags(c).seal_registered,
}

if set(_DERIVED) != set(DERIVED_SOURCES):  # the policy checks names against DERIVED_SOURCES
    raise RuntimeError(f"derived sources out of step: {set(_DERIVED) ^ set(DERIVED_SOURCES)}")
