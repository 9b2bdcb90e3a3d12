"""Tell recipients about an approved change: project it by policy into outbox messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jumin_platform.my_number_vault import MyNumberVault, is_sealed

from registry.domain.changes import Change
from registry.domain.model import HistoryRow, Person
from registry.domain.planning import RegisterView
from registry.domain.projection import (
    ProjectedMessage,
    RecordFlags,
    project,
    renamed_heads_members,
)
from registry.domain.recipient_policy import RecipientPolicy


@dataclass(frozen=True)
class Publication:
    """What projection needs besides the rows: the policy, the vault, the person-key secret."""

    policy: RecipientPolicy
    vault: MyNumberVault

    def person_key(self, atena_no: str) -> str:
        """Return the opaque key recipients order one person's messages by (not the 宛名番号)."""
        return "pk" + self.vault.lookup_hash(f"atena:{atena_no}")[:32]

    def open_my_number(self, value: str, atena_no: str) -> str | None:
        """Return a plain 個人番号 for the recipients the policy allows it."""
        return self.vault.open(value, atena_no=atena_no) if is_sealed(value) else value


def before_and_after(
    rows: Sequence[HistoryRow], view: RegisterView
) -> list[tuple[HistoryRow | None, HistoryRow]]:
    """Pair each appended row with the person's row before it (None for a new person)."""
    latest: dict[str, HistoryRow] = dict(view.current)
    pairs: list[tuple[HistoryRow | None, HistoryRow]] = []
    for row in rows:
        pairs.append((latest.get(row.atena_no), row))
        latest[row.atena_no] = row
    return pairs


def members_told(rows: Sequence[HistoryRow], view: RegisterView) -> list[HistoryRow]:
    """Return the current rows of members whose 世帯主 the change renamed (no row of their own).

    They are told too (their 世帯主の氏名 changed), so their 支援措置 and 外字 count as well.
    """
    return renamed_heads_members(before_and_after(rows, view), view.current)


def messages_for(
    change: Change,
    rows: Sequence[HistoryRow],
    view: RegisterView,
    *,
    publication: Publication,
    protected: set[str],
    gaiji: Mapping[str, str] | None = None,
    told: Sequence[HistoryRow] = (),
) -> list[ProjectedMessage]:
    """Project an approved change's rows into the messages each recipient may receive.

    ``gaiji`` maps each registered 外字 the rows hold to its substitute (the nearest MJ文字);
    ``told`` are `members_told`'s rows, projected unchanged after the change's own.
    """

    def flags(atena_no: str) -> RecordFlags:
        # 印鑑登録 is not kept by the registry yet; certificates learn it when it is.
        return RecordFlags(support_measure_active=atena_no in protected, seal_registered=False)

    def head_of(household_no: str) -> Person | None:
        for row in view.current.values():
            person = row.person
            if person.household_no == household_no and person.is_head and person.is_resident:
                return person
        return None

    return project(
        change_kind=change.request.kind,
        occurred_on=change.request.occurred_on,
        rows=before_and_after(rows, view),
        origin=change.origin,
        policy=publication.policy,
        person_key=publication.person_key,
        open_my_number=publication.open_my_number,
        record_flags=flags,
        household_head=head_of,
        gaiji=gaiji or {},
        head_renamed_for=told,
    )
