"""国籍・地域: the registry's Japanese text → the code the 連携サーバ takes (pure).

The table is data (`data/nationalities.toml`): ISO 3166-1 alpha-3 codes, `XXA` for 無国籍
(simulators/moj_simulator/INTERFACE.md, assumption 3). A name the table does not hold is an
`UnknownNationality` — the notice goes to the operator, it is never guessed nor sent without it.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Final

__all__ = ["UnknownNationality", "nationality_code", "nationality_name", "nationality_table"]

_TABLE: Final = "nationalities.toml"


class UnknownNationality(ValueError):
    """国籍・地域 not in the table (the message names no value: it is the person's data)."""

    def __init__(self) -> None:
        super().__init__(
            "国籍・地域が国籍コード表にありません (data/nationalities.toml に追加してください) / "
            "nationality not in the code table"
        )


@cache
def _listed() -> Mapping[str, str]:
    """The table as written: Japanese name → code, in the file's order."""
    text = files("moj_notify").joinpath("data", _TABLE).read_text(encoding="utf-8")
    codes: dict[str, str] = tomllib.loads(text)["codes"]
    return codes


@cache
def nationality_table() -> Mapping[str, str]:
    """Return the table: normalised Japanese name → code."""
    return {_normalised(name): code for name, code in _listed().items()}


@cache
def _names() -> Mapping[str, str]:
    names: dict[str, str] = {}
    for name, code in _listed().items():
        names.setdefault(code, name)
    return names


def nationality_name(code: str) -> str | None:
    """Return the registry's text for a code (the first name the table lists for it: the short
    name), as a 長官通知 is recorded; None for a code the table does not hold."""
    return _names().get(code)


def nationality_code(name: str) -> str:
    """Return the code of a 国籍・地域 as the registry holds it; raise `UnknownNationality`."""
    code = nationality_table().get(_normalised(name))
    if code is None:
        raise UnknownNationality()
    return code


def _normalised(name: str) -> str:
    """NFKC and no spaces: ｱﾒﾘｶ and "アメリカ " are アメリカ."""
    return "".join(unicodedata.normalize("NFKC", name).split())
