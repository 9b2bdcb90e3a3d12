"""Check digits (検査数字・チェックデジット) for the numbers the register hands out or receives.

Four schemes are used:

- 宛名番号 / 世帯番号 (spec 1.1.13): modulus 11, weights 2–7 cycling from the rightmost digit
  (M11W2〜7).
- 住民票コード (住民基本台帳法施行規則): the same M11W2〜7 over its 10 body digits.
- 個人番号 (検査用数字, see docs/domain.md): weights 6,5,4,3,2,7,6,5,4,3,2 left to right — which
  is again the 2–7 cycle read from the right, so all three share one helper.
- 地方公共団体コード: weights 6,5,4,3,2; the last digit of 11 − (sum mod 11).
"""

from __future__ import annotations

import re

ATENA_BODY_DIGITS = 9
ATENA_SEQ_MAX = 10**ATENA_BODY_DIGITS - 1

_LOCAL_GOVERNMENT_WEIGHTS = (6, 5, 4, 3, 2)


def _require_digits(value: str, length: int, what: str) -> None:
    """Raise ValueError unless *value* is exactly *length* ASCII digits (半角数字)."""
    if not re.fullmatch(rf"[0-9]{{{length}}}", value):
        raise ValueError(f"{what}は半角数字{length}桁です / {what} must be {length} ASCII digits")


def _mod11_w2_7(body: str) -> str:
    """Compute a modulus 11 check digit (M11W2〜7) with weights 2..7 from the rightmost digit.

    r = sum mod 11; check = 11 − r, except that r ∈ {0, 1} gives 0.  r = 0 → 0 is spec 1.1.13
    ("余りが0の場合、検査付番は0"); r = 1 (11 − r = 10, not one digit) → 0 follows common municipal
    practice and the 住民票コード / 個人番号 rules.
    """
    total = sum(int(digit) * (2 + i % 6) for i, digit in enumerate(reversed(body)))
    remainder = total % 11
    return "0" if remainder <= 1 else str(11 - remainder)


def atena_check_digit(body: str) -> str:
    """Compute the 宛名番号・世帯番号 check digit (検査数字) for a body of digits.

    Modulus 11 with weights 2,3,4,5,6,7,2,3,... applied from the rightmost body digit.
    check = 11 − (sum mod 11); a remainder of 0 gives 0 (spec 1.1.13) and a remainder of 1
    (which would give 10) also gives 0 — our choice, matching common practice.
    """
    if not re.fullmatch(r"[0-9]+", body):
        raise ValueError("宛名番号の本体は半角数字です / atena body must be ASCII digits")
    return _mod11_w2_7(body)


def make_atena_no(seq: int) -> str:
    """Build a 10-digit 宛名番号 or 世帯番号 from a sequence number (単純連番 + 検査数字).

    The sequence (1..999,999,999) is zero-padded to 9 digits and the check digit appended.
    """
    if not 1 <= seq <= ATENA_SEQ_MAX:
        raise ValueError(
            f"連番は1〜{ATENA_SEQ_MAX}です / sequence must be in 1..{ATENA_SEQ_MAX}, got {seq}"
        )
    body = f"{seq:0{ATENA_BODY_DIGITS}d}"
    return body + _mod11_w2_7(body)


def is_valid_atena_no(s: str) -> bool:
    """Tell whether *s* is a 宛名番号・世帯番号: 10 digits with a correct check digit."""
    return bool(re.fullmatch(r"[0-9]{10}", s)) and _mod11_w2_7(s[:-1]) == s[-1]


def my_number_check_digit(first11: str) -> str:
    """Compute the 個人番号 (My Number) check digit from its first 11 digits.

    Weights 6,5,4,3,2,7,6,5,4,3,2 left to right; r = sum mod 11; check = 0 if r ≤ 1 else 11 − r.
    """
    _require_digits(first11, 11, "個人番号の先頭11桁")
    return _mod11_w2_7(first11)


def is_valid_my_number(s: str) -> bool:
    """Tell whether *s* is a 12-digit 個人番号 whose check digit is correct."""
    return bool(re.fullmatch(r"[0-9]{12}", s)) and _mod11_w2_7(s[:-1]) == s[-1]


def local_government_code_check_digit(first5: str) -> str:
    """Compute the 地方公共団体コード check digit from its first 5 digits.

    Weights 6,5,4,3,2; check = last digit of 11 − (sum mod 11) (so r = 0 → 1, r = 1 → 0).
    """
    _require_digits(first5, 5, "地方公共団体コードの先頭5桁")
    total = sum(int(d) * w for d, w in zip(first5, _LOCAL_GOVERNMENT_WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def is_valid_local_government_code(s: str) -> bool:
    """Tell whether *s* is 地方公共団体コード with a correct check digit (新宿区 131041)."""
    return bool(re.fullmatch(r"[0-9]{6}", s)) and local_government_code_check_digit(s[:5]) == s[5]


def juminhyo_code_check_digit(first10: str) -> str:
    """Compute the 住民票コード check digit from its first 10 digits.

    Modulus 11 with weights 2..7 from the rightmost digit (2,3,4,5,6,7,2,3,4,5), check =
    11 − (sum mod 11), remainders 0 and 1 giving 0 — as 住民基本台帳法施行規則 and 宛名番号.
    """
    _require_digits(first10, 10, "住民票コードの先頭10桁")
    return _mod11_w2_7(first10)


def is_valid_juminhyo_code(s: str) -> bool:
    """Tell whether *s* is an 11-digit 住民票コード whose check digit is correct."""
    return bool(re.fullmatch(r"[0-9]{11}", s)) and _mod11_w2_7(s[:-1]) == s[-1]
