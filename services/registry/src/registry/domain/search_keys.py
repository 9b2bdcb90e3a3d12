"""Search keys (検索キー): what 住民検索 compares instead of the names as stored (spec 2.1.2).

A name is stored byte-exact, IVS and all; search compares *keys* computed here, by the one
function used both when a record is written (registry.resident_current) and when a query is
read, so the two can never drift apart.

フリガナ (`kana_search_key`), after `jumin_contracts.kana.normalize_kana` (NFKC: 半角 → 全角,
ひらがな → カタカナ with jaconv, small kana ァィゥェォャュョッヮヵヶ → large, the long-vowel and
dash variants of spec 2.1.2 → ー, spaces removed):

- ヴァ ヴィ ヴェ ヴォ → バ ビ ベ ボ, ヴ → ブ (also ヷ ヸ ヹ ヺ);
- ヂ → ジ, ヅ → ズ, ヲ → オ (and the old ヰ → イ, ヱ → エ);
- 長音 ignored: every ー is dropped;
- from the second character on, ウ after an オ段 kana becomes オ (コウ = コオ);
- on request only (`ignore_voicing=True`): 濁音・半濁音 → 清音 (ガ → カ, パ → ハ) and ワ → ハ.

氏名 (`name_search_key`), after `jumin_contracts.kana.normalize_name` (NFKC, no spaces, Latin
upper-cased): variation selectors are dropped (IVS U+E0100–E01EF, SVS U+FE00–FE0F: 葛󠄀 is 葛)
and every kanji is folded along the MJ縮退マップ (`fold_kanji_variant`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jaconv
import jntajis
from jumin_contracts.kana import normalize_kana, normalize_name

# Bump when a rule below (or the jntajis-python release, i.e. the MJ tables) changes: rows written
# with an older version are refreshed by `jumin-registry reindex-search` (run by `migrate`).
SEARCH_KEYS_VERSION = 2  # 2: a run of ウ after an オ段 reads as オ throughout

# --- フリガナ -------------------------------------------------------------------------------------

_VU_SYLLABLE = re.compile("ヴ([ァィェォ]?)")
_VU_AS_BA_ROW = {"": "ブ", "ァ": "バ", "ィ": "ビ", "ェ": "ベ", "ォ": "ボ"}
_HOMOPHONES = str.maketrans("ヷヸヹヺヂヅヲヰヱ", "バビベボジズオイエ")
_LONG_VOWEL = "ー"
_O_ROW = frozenset("オコソトノホモヨロゴゾドボポ")
_VOICING_MARKS = re.compile("[\u3099\u309a]")  # combining (han)dakuten after NFD


def kana_search_key(text: str, *, ignore_voicing: bool = False) -> str:
    """Return the key a フリガナ is searched by (カナ検索キー, spec 2.1.2).

    With ``ignore_voicing`` the key also ignores 清音・濁音・半濁音 (and ワ/ハ): the clerk asks
    for it, it is never the default.
    """
    # ヴァ is read while ァ is still small (ヴア, with a large ア, stays ブア).
    katakana = jaconv.hira2kata(unicodedata.normalize("NFKC", text))
    kana = normalize_kana(_VU_SYLLABLE.sub(lambda m: _VU_AS_BA_ROW[m.group(1)], katakana))
    kana = kana.translate(_HOMOPHONES).replace(_LONG_VOWEL, "")
    kana = _o_row_u_as_o(kana)
    return _without_voicing(kana) if ignore_voicing else kana


def _o_row_u_as_o(kana: str) -> str:
    """Turn ウ into オ when the character before it (in the key) is of the オ段.

    "Before it" is read in the key being built, so a run of ウ after an オ段 all turn (コウウン →
    コオオン) and a key is its own key: taken from the input, オウウ would give オオウ, whose key
    is オオオ (found by the property test of fixed points)."""
    key: list[str] = []
    for ch in kana:
        key.append("オ" if ch == "ウ" and key and key[-1] in _O_ROW else ch)
    return "".join(key)


def _without_voicing(kana: str) -> str:
    """Drop 濁点・半濁点 (Unicode decomposition, not a table) and read ワ as ハ."""
    plain = _VOICING_MARKS.sub("", unicodedata.normalize("NFD", kana))
    return unicodedata.normalize("NFC", plain).replace("ワ", "ハ")


# --- 氏名 -----------------------------------------------------------------------------------------

_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")

# The MJ縮退マップ schemes followed (jntajis-python ships the map, IPA / 文字情報技術促進協議会,
# CC BY-SA 2.1 JP): JIS包摂規準・UCS統合規則, 法務省告示582号別表第四 and 法務省戸籍法関連通達・通知.
# Not 読み・字形による類推: a guess by reading or shape, too loose for finding a person.
_MJ_SCHEMES = (
    jntajis.MJShrinkSchemeCombo.JIS_INCORPORATION_UCS_UNIFICATION_RULE
    | jntajis.MJShrinkSchemeCombo.MOJ_NOTICE_582
    | jntajis.MJShrinkSchemeCombo.MOJ_FAMILY_REGISTER_ACT_RELATED_NOTICE
)
_JIS_LEVEL_1_LAST_ROW = 47  # JIS X 0208 第一水準: 区 16–47; 第二水準: 区 48–84


def name_search_key(text: str) -> str:
    """Return the key a 氏名 (kanji, kana or alphabet) is searched by (氏名検索キー).

    葛󠄀城 (葛 + IVS) and 葛城 share a key, and so do 髙橋 and 高橋, 渡邊 and 渡辺.
    """
    bare = _VARIATION_SELECTORS.sub("", normalize_name(text))
    return "".join(fold_kanji_variant(ch) for ch in bare)


@lru_cache(maxsize=1 << 16)
def fold_kanji_variant(ch: str) -> str:
    """Return the character a 異体字 is searched as: its MJ縮退 target in more common use.

    The MJ縮退マップ is keyed by MJ glyph; a bare code point stands for every glyph that shares it,
    some of them 誤字 of *other* characters (one glyph filed under 師 shrinks to 帥, one under 書 to
    昼). So a character moves only to a candidate of a strictly more common set — JIS X 0208
    第一水準, then 第二水準, then everything else — and repeats until nothing better is offered
    (高 ← 髙, 崎 ← 﨑, 辺 ← 邊 ← 邉, 浜 ← 濱, 吉 ← 𠮷). Pairs within one level stay apart
    (嶋/島, 龍/竜), as does anything the map does not list.
    """
    current = ch
    while True:
        better = [
            c
            for c in jntajis.mj_shrink_candidates(current, _MJ_SCHEMES)
            if len(c) == 1 and _commonness(c) < _commonness(current)
        ]
        if not better:
            return current
        current = min(better, key=lambda c: (_commonness(c), ord(c)))


def _commonness(ch: str) -> int:
    """Rank a character: 1 JIS X 0208 第一水準, 2 第二水準, 3 anything else (lower is commoner)."""
    try:
        encoded = ch.encode("euc_jp")
    except UnicodeEncodeError:
        return 3
    if len(encoded) != 2 or encoded[0] < 0xB0:  # not a two-byte kanji (区 16 = 0xB0)
        return 3
    return 1 if encoded[0] - 0xA0 <= _JIS_LEVEL_1_LAST_ROW else 2
