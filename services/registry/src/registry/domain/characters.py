"""Which characters each record item may hold (docs/domain.md, "Characters"), and the findings
of a check over stored records.

The repertoires themselves (MJ set, kana, Latin) are `jumin_contracts.characters`; this module
says which item draws from which, and judges a stored record's items against them.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass

from jumin_contracts.characters import CharacterProblem, TextKind, find_problem

TEXT_KINDS: dict[str, TextKind] = {
    "family_name": TextKind.NAME,  # 氏
    "given_name": TextKind.NAME,  # 名
    "former_surname": TextKind.NAME,  # 旧氏
    "alias": TextKind.NAME,  # 通称
    "hittosha": TextKind.NAME,  # 筆頭者
    "name_alphabet": TextKind.ALPHABET,  # 氏名 (アルファベット)
    "address_katagaki": TextKind.KATAGAKI,  # 方書
    "note": TextKind.MULTILINE,  # 備考
    "reason": TextKind.MULTILINE,  # 理由
}
"""The repertoire of each text item; every other text item is `TextKind.FREE`."""

STORED_TEXT_ITEMS = (
    "relationship",
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "former_surname",
    "former_surname_kana",
    "alias",
    "alias_kana",
    "name_alphabet",
    "honseki",
    "hittosha",
    "address",
    "address_katagaki",
    "previous_address",
    "move_out_destination",
    "confirmed_destination",
    "nationality",
    "status_of_residence",
    "period_of_stay",
)
"""The free-text items of a stored record (codes, numbers and dates have formats of their own)."""


def kind_of(item: str) -> TextKind:
    """Return the repertoire a text item draws from."""
    return TEXT_KINDS.get(item, TextKind.FREE)


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One stored character outside the set: where it is, never what the text says."""

    atena_no: str
    history_no: int
    change_id: str
    item: str
    problem: CharacterProblem

    def line(self) -> str:
        """Render the finding for the operator (ids, item, position, code point only)."""
        return (
            f"atena_no={self.atena_no} history_no={self.history_no} change_id={self.change_id} "
            f"field={self.item} position={self.problem.position} code_point={self.problem.code} "
            f'reason="{self.problem.reason.english}"'
        )


def record_problems(
    items: Mapping[str, str | None], *, gaiji: Container[str]
) -> Iterator[tuple[str, CharacterProblem]]:
    """Yield (item, problem) for each stored text item holding a character outside its set."""
    for item in STORED_TEXT_ITEMS:
        value = items.get(item)
        if value:
            problem = find_problem(value, kind_of(item), gaiji=gaiji)
            if problem is not None:
                yield item, problem
