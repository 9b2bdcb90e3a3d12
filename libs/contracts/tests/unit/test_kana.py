"""Search normalisation of フリガナ and 氏名 (spec 2.1.2)."""

from __future__ import annotations

import jaconv
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jumin_contracts.kana import is_kana, normalize_kana, normalize_name

katakana = st.text(alphabet=st.characters(min_codepoint=0x30A1, max_codepoint=0x30F6), max_size=20)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ"),  # 半角カナ, 濁点 composed
        ("やまだ　たろう", "ヤマダタロウ"),  # ひらがな, 全角スペース
        ("ヤマダ タロウ", "ヤマダタロウ"),
        ("キャッシュ", "キヤツシユ"),  # 拗音・促音
        ("ヵヶヮァィゥェォ", "カケワアイウエオ"),
        ("ぱっぴー", "パツピー"),  # ー is kept
        ("ｻﾄｰ", "サトー"),
        ("カ゛ンタ゛", "ガンダ"),  # 濁点 typed as a separate ゛
    ],
)
def test_normalize_kana_gives_one_search_key(typed: str, key: str) -> None:
    assert normalize_kana(typed) == key


@pytest.mark.parametrize("dash", ["ー", "―", "－", "‐", "ｰ", "-"])
def test_long_vowel_variants_of_spec_2_1_2_are_one_character(dash: str) -> None:
    assert normalize_kana(f"サト{dash}") == "サトー"


@given(katakana)
def test_hiragana_and_katakana_spellings_share_a_key(text: str) -> None:
    assert normalize_kana(jaconv.kata2hira(text)) == normalize_kana(text)


@given(st.text(max_size=30))
def test_normalize_kana_is_idempotent_and_drops_spaces(text: str) -> None:
    key = normalize_kana(text)
    assert normalize_kana(key) == key
    assert not any(ch.isspace() for ch in key)


@pytest.mark.parametrize("text", ["やまだ タロウ", "ﾔﾏﾀﾞ", "ジョン・スミス", "サトー", "さと－"])
def test_is_kana_accepts_furigana(text: str) -> None:
    assert is_kana(text)


@pytest.mark.parametrize("text", ["山田", "Yamada", "ヤマダ1", "", "　 "])
def test_is_kana_rejects_other_text(text: str) -> None:
    assert not is_kana(text)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("山田　太郎", "山田太郎"),
        ("ｊｏｈｎ smith", "JOHNSMITH"),
        ("Ｓｍｉｔｈ, John", "SMITH,JOHN"),
    ],
)
def test_normalize_name_ignores_width_case_and_spaces(typed: str, key: str) -> None:
    assert normalize_name(typed) == key


@given(st.text(max_size=30))
def test_normalize_name_is_idempotent(text: str) -> None:
    assert normalize_name(normalize_name(text)) == normalize_name(text)
