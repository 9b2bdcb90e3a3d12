"""Search keys of spec 2.1.2: the kana rules, IVS and 異体字 folding (registry.domain.search_keys)."""

from __future__ import annotations

import jaconv
import pytest
from hypothesis import given
from hypothesis import strategies as st
from registry.domain.search_keys import fold_kanji_variant, kana_search_key, name_search_key

KATSURAGI_IVS = "葛\U000e0100城"  # 葛 + VS17 (U+E0100): the MJ glyph with 匕, as a 戸籍 may hold it

katakana = st.text(alphabet=st.characters(min_codepoint=0x30A1, max_codepoint=0x30FA), max_size=20)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("チヂワ", "チジワ"),  # ヂ/ジ
        ("ツヅキ", "ツズキ"),  # ヅ/ズ
        ("ヴァイオレット", "バイオレット"),  # ヴァ/バ
        ("ヴィクトル", "ビクトル"),  # ヴィ/ビ
        ("ヴ", "ブ"),
        ("ヲノ", "オノ"),  # ヲ/オ
        ("キャッシュ", "キヤツシユ"),  # 拗音・促音の大小
        ("ユーコ", "ユコ"),  # 長音の有無
        ("サト―", "サト"),  # 全角ダッシュ as 長音
        ("オウタ", "オオタ"),  # ウ after オ段 → オ
        ("コウノ", "コオノ"),
        ("ｼｮｳｼﾞ", "しょうじ"),  # 半角カナ, ひらがな
        ("ヤマダ　タロウ", "ヤマダタロウ"),  # space between 氏 and 名
    ],
)
def test_spellings_spec_2_1_2_forgives_share_a_kana_key(one: str, other: str) -> None:
    assert kana_search_key(one) == kana_search_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("カトウ", "ガトウ"),
        ("ハシモト", "パシモト"),
        ("ヒラタ", "ビラタ"),
        ("ワダ", "ハダ"),
    ],
)
def test_voicing_is_told_apart_unless_asked(one: str, other: str) -> None:
    assert kana_search_key(one) != kana_search_key(other)
    assert kana_search_key(one, ignore_voicing=True) == kana_search_key(other, ignore_voicing=True)


def test_vu_reads_a_small_vowel_only() -> None:
    assert kana_search_key("ヴァ") == kana_search_key("ゔぁ") == kana_search_key("ｳﾞｧ") == "バ"
    assert kana_search_key("イヴアン") == "イブアン"  # イヴ + アン: the ア is a syllable of its own


def test_u_stays_u_at_the_start_and_after_other_rows() -> None:
    assert kana_search_key("ウエノ") == "ウエノ"
    assert kana_search_key("クウ") == "クウ"  # ウ段 before it


def test_a_run_of_u_after_the_o_row_reads_as_o() -> None:
    assert kana_search_key("オウウ") == kana_search_key("オオウ") == "オオオ"
    assert kana_search_key("コウウン") == "コオオン"


@given(katakana)
def test_kana_keys_are_fixed_points(text: str) -> None:
    key = kana_search_key(text)
    assert kana_search_key(key) == key
    loose = kana_search_key(text, ignore_voicing=True)
    assert kana_search_key(key, ignore_voicing=True) == loose


@given(katakana)
def test_hiragana_and_halfwidth_input_share_the_katakana_key(text: str) -> None:
    assert kana_search_key(jaconv.kata2hira(text)) == kana_search_key(text)
    assert kana_search_key(jaconv.z2h(text, kana=True)) == kana_search_key(text)


# A 名 never starts with a small kana or ー.
given_names = katakana.filter(lambda name: not name or name[0] not in "ァィゥェォッャュョヮヵヶー")


@given(katakana, given_names)
def test_a_family_name_key_is_a_prefix_of_the_full_name_key(family: str, given_name: str) -> None:
    """Kana search is a prefix search: typing the 氏 alone must find the 氏名."""
    assert kana_search_key(family + given_name).startswith(kana_search_key(family))


def test_ivs_selectors_are_dropped_both_ways() -> None:
    assert name_search_key(KATSURAGI_IVS) == name_search_key("葛城") == "葛城"
    assert name_search_key("葛\ufe00城") == "葛城"  # a standardized variation selector too


@pytest.mark.parametrize(
    ("variant", "common"),
    [
        ("髙橋", "高橋"),  # JIS包摂規準・UCS統合規則
        ("山﨑", "山崎"),  # 法務省戸籍法関連通達・通知
        ("渡邊", "渡辺"),
        ("渡邉", "渡辺"),  # via 邊
        ("濱田", "浜田"),
        ("𠮷田", "吉田"),
        ("齋藤", "斎藤"),
        ("德永", "徳永"),
        ("眞子", "真子"),
    ],
)
def test_mj_shrink_map_folds_variants_to_the_common_character(variant: str, common: str) -> None:
    assert name_search_key(variant) == name_search_key(common) == common


@pytest.mark.parametrize(("one", "other"), [("師", "帥"), ("書", "昼"), ("功", "切")])
def test_characters_the_map_pools_under_one_code_point_stay_apart(one: str, other: str) -> None:
    """Some MJ glyphs filed under 師 are 誤字 shrinking to 帥; 師 as typed is still 師."""
    assert fold_kanji_variant(one) == one
    assert fold_kanji_variant(other) == other


def test_latin_and_kana_names_keep_their_width_and_case_folding() -> None:
    assert name_search_key("ｓｍｉｔｈ john") == "SMITHJOHN"
    assert name_search_key("スミス　ジョン") == "スミスジョン"


@given(st.text(max_size=12))
def test_name_keys_are_fixed_points(text: str) -> None:
    key = name_search_key(text)
    assert name_search_key(key) == key
