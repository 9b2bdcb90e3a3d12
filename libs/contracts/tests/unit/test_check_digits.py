"""Check digits (検査数字) of 宛名番号, 個人番号, 地方公共団体コード and 住民票コード."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jumin_contracts.check_digits import (
    ATENA_SEQ_MAX,
    atena_check_digit,
    is_valid_atena_no,
    is_valid_juminhyo_code,
    is_valid_local_government_code,
    is_valid_my_number,
    juminhyo_code_check_digit,
    local_government_code_check_digit,
    make_atena_no,
    my_number_check_digit,
)

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def _with_digit(s: str, i: int, digit: str) -> str:
    return s[:i] + digit + s[i + 1 :]


# --- 個人番号 -----------------------------------------------------------------------------------

MY_NUMBERS = ["621498320257", "983205673214", "123456789018"]


@pytest.mark.parametrize("number", MY_NUMBERS)
def test_published_my_numbers_are_valid(number: str) -> None:
    assert is_valid_my_number(number)
    assert my_number_check_digit(number[:11]) == number[11]


@pytest.mark.parametrize("number", MY_NUMBERS)
def test_changing_any_digit_of_a_my_number_invalidates_it(number: str) -> None:
    altered = [_with_digit(number, i, d) for i in range(12) for d in "0123456789" if d != number[i]]
    assert not any(is_valid_my_number(a) for a in altered)


@pytest.mark.parametrize(
    "text", ["", "62149832025", "6214983202570", "62149832025a", "６２１４９８３２０２５７"]
)
def test_malformed_my_numbers_are_invalid(text: str) -> None:
    assert not is_valid_my_number(text)


def test_my_number_check_digit_rejects_wrong_length() -> None:
    with pytest.raises(ValueError, match="11"):
        my_number_check_digit("1234567890")


# --- 宛名番号・世帯番号 (spec 1.1.13, M11W2〜7) ------------------------------------------------


@pytest.mark.parametrize(
    ("seq", "expected"),
    [
        (1, "0000000019"),  # 1×2 = 2, r = 2 → 11 − 2 = 9
        (123456789, "1234567892"),  # 9×2+8×3+7×4+6×5+5×6+4×7+3×2+2×3+1×4 = 174, r = 9 → 2
        (31, "0000000310"),  # 1×2+3×3 = 11, r = 0 → 0 (spec: 余りが0の場合、検査付番は0)
        (6, "0000000060"),  # 6×2 = 12, r = 1 → 11 − 1 = 10 → 0 (our choice)
    ],
)
def test_make_atena_no_appends_the_hand_computed_check_digit(seq: int, expected: str) -> None:
    assert make_atena_no(seq) == expected
    assert atena_check_digit(expected[:9]) == expected[9]


@given(st.integers(min_value=1, max_value=ATENA_SEQ_MAX))
def test_every_made_atena_no_is_valid_and_keeps_its_sequence(seq: int) -> None:
    number = make_atena_no(seq)
    assert len(number) == 10
    assert is_valid_atena_no(number)
    assert int(number[:9]) == seq


@given(st.integers(min_value=1, max_value=ATENA_SEQ_MAX), digits)
def test_a_wrong_check_digit_is_rejected(seq: int, digit: str) -> None:
    number = make_atena_no(seq)
    assert is_valid_atena_no(number[:9] + digit) == (digit == number[9])


@pytest.mark.parametrize("seq", [0, -1, ATENA_SEQ_MAX + 1])
def test_make_atena_no_rejects_out_of_range_sequences(seq: int) -> None:
    with pytest.raises(ValueError, match="sequence"):
        make_atena_no(seq)


@pytest.mark.parametrize(
    "text", ["", "000000001", "00000000190", "000000001X", "０００００００００１９"]
)
def test_malformed_atena_numbers_are_invalid(text: str) -> None:
    assert not is_valid_atena_no(text)


# --- 地方公共団体コード --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "131041",  # 新宿区: sum 33, r = 0 → 11 → 1
        "131130",  # 渋谷区: sum 34, r = 1 → 10 → 0
        "131016",  # 千代田区
        "130001",  # 東京都
        "011002",  # 札幌市
        "271004",  # 大阪市
    ],
)
def test_published_local_government_codes_are_valid(code: str) -> None:
    assert is_valid_local_government_code(code)
    assert local_government_code_check_digit(code[:5]) == code[5]


@given(st.text(alphabet="0123456789", min_size=5, max_size=5), digits)
def test_exactly_one_check_digit_fits_a_local_government_code(first5: str, digit: str) -> None:
    expected = local_government_code_check_digit(first5)
    assert is_valid_local_government_code(first5 + digit) == (digit == expected)


@pytest.mark.parametrize("code", ["13104", "1310410", "13104a"])
def test_malformed_local_government_codes_are_invalid(code: str) -> None:
    assert not is_valid_local_government_code(code)


# --- 住民票コード --------------------------------------------------------------------------------


def test_juminhyo_code_hand_computed_example() -> None:
    # from the right: 0×2+9×3+8×4+7×5+6×6+5×7+4×2+3×3+2×4+1×5 = 195, r = 8 → 3
    assert juminhyo_code_check_digit("1234567890") == "3"
    assert is_valid_juminhyo_code("12345678903")
    assert not is_valid_juminhyo_code("12345678904")


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_juminhyo_code_follows_the_same_formula_as_my_number(first10: str) -> None:
    # Both are 11 − (Σ Pn×Qn mod 11) with Qn = 2..7 cycling from the right; a leading 0 adds 0.
    assert juminhyo_code_check_digit(first10) == my_number_check_digit("0" + first10)
    assert is_valid_juminhyo_code(first10 + juminhyo_code_check_digit(first10))


@pytest.mark.parametrize("code", ["1234567890", "123456789030", "1234567890x"])
def test_malformed_juminhyo_codes_are_invalid(code: str) -> None:
    assert not is_valid_juminhyo_code(code)
