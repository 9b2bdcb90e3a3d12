"""Generate 住民票コード and 個人番号 with valid check digits, never the same one twice."""

from __future__ import annotations

import random

from jumin_contracts.check_digits import juminhyo_code_check_digit, my_number_check_digit


class NumberIssuer:
    """Hand out unused numbers drawn from a (seedable) random source."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._juminhyo_codes: set[str] = set()
        self._my_numbers: set[str] = set()

    def mark_juminhyo_code_used(self, code: str) -> None:
        """Remember a code the ward uses, so no free-code batch hands it out."""
        self._juminhyo_codes.add(code)

    def mark_my_number_used(self, number: str) -> None:
        """Remember a 個人番号 already generated (before a restart)."""
        self._my_numbers.add(number)

    def new_juminhyo_code(self) -> str:
        """Return an unused 住民票コード (10 random digits + check digit)."""
        while True:
            body = self._digits(10)
            code = body + juminhyo_code_check_digit(body)
            if code not in self._juminhyo_codes:
                self._juminhyo_codes.add(code)
                return code

    def new_my_number(self) -> str:
        """Return an unused 個人番号 (11 random digits + 検査用数字)."""
        while True:
            body = self._digits(11)
            number = body + my_number_check_digit(body)
            if number not in self._my_numbers:
                self._my_numbers.add(number)
                return number

    def _digits(self, length: int) -> str:
        return f"{self._rng.randrange(10**length):0{length}d}"
