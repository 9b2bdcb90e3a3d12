"""The characters a text field may hold: the MJ set from IPAmj明朝, per-field repertoires, refusals.

What is proven:

- the shipped set is what the installed font says (regenerated and compared, not trusted);
- real names in MJ文字 (incl. 𠮷, 髙, IVS sequences of the Moji_Joho collection) pass, kana and
  Latin where the field allows them;
- emoji, bidi overrides, zero-width, control, unassigned, surrogate and private-use characters
  are refused, the message naming the 1-based position and U+XXXX and never the text;
- a 外字 passes only where it is registered; a recipient whose contract carries MJ characters only
  refuses one, certificates take it.
"""

from __future__ import annotations

import pytest
from jumin_contracts.characters import (
    ANY_GAIJI,
    MJ,
    Reason,
    TextKind,
    build,
    check_text,
    find_problem,
    private_use_chars,
)
from jumin_contracts.messages import MESSAGE_MODELS, CertificatesRecord, CharacterForm, CsIdentity

GAIJI = "\ue000"


def test_the_shipped_set_is_what_the_installed_ipamj_font_carries() -> None:
    assert build.FONT_PATH.exists(), "fonts-ipamj-mincho is installed by deploy/local/bootstrap.sh"

    assert build.DATA_PATH.read_text(encoding="utf-8") == build.read_font()


def test_the_set_holds_the_fonts_ideographs_and_ivs_pairs_only() -> None:
    assert len(MJ.ideographs) > 50_000  # MJ文字: 58,862 glyphs, about 52,600 coded alone
    assert len(MJ.sequences) > 11_000
    assert all(build.is_ideograph(ord(c)) for c in MJ.ideographs)
    assert {"Ａ", "α", "①", "😀"}.isdisjoint(MJ.ideographs)  # the font's symbols stay out
    assert "IPAmj明朝" in MJ.source


@pytest.mark.parametrize(
    "name",
    [
        "山田",
        "髙橋",  # U+9AD9, 常用外
        "𠮷野",  # U+20BB7, outside the BMP
        "佐々木",  # 々
        "葛\U000e0102城",  # 葛 + an MJ IVS (Moji_Joho collection)
        "辻\U000e0102",
        "スミス",
        "SMITH",
        "ヴァン　アン",
        "O'Brien-Smith",
    ],
)
def test_names_in_mj_characters_kana_and_latin_are_accepted(name: str) -> None:
    assert find_problem(name, TextKind.NAME, gaiji=()) is None


@pytest.mark.parametrize(
    ("text", "kind", "position", "code_point", "reason"),
    [
        ("山田😀", TextKind.NAME, 3, 0x1F600, Reason.SYMBOL),
        ("山\u202e田", TextKind.NAME, 2, 0x202E, Reason.BIDI),
        ("山\u202e田", TextKind.FREE, 2, 0x202E, Reason.BIDI),
        ("山\u200b田", TextKind.NAME, 2, 0x200B, Reason.ZERO_WIDTH),
        ("東京都\u200b新宿区", TextKind.FREE, 4, 0x200B, Reason.ZERO_WIDTH),
        ("a\u2066b", TextKind.FREE, 2, 0x2066, Reason.BIDI),
        ("a\ufeffb", TextKind.FREE, 2, 0xFEFF, Reason.ZERO_WIDTH),
        ("a\x00b", TextKind.FREE, 2, 0x0000, Reason.CONTROL),
        ("a\tb", TextKind.FREE, 2, 0x0009, Reason.CONTROL),
        ("a\nb", TextKind.FREE, 2, 0x000A, Reason.CONTROL),
        ("a\u00adb", TextKind.FREE, 2, 0x00AD, Reason.FORMAT),
        ("a\u00a0b", TextKind.FREE, 2, 0x00A0, Reason.SPACE),
        ("a\u0378b", TextKind.FREE, 2, 0x0378, Reason.UNASSIGNED),
        ("a\ud800b", TextKind.FREE, 2, 0xD800, Reason.SURROGATE),
        ("a" + GAIJI, TextKind.FREE, 2, 0xE000, Reason.PRIVATE_USE),
        ("山" + GAIJI, TextKind.NAME, 2, 0xE000, Reason.PRIVATE_USE),
        ("Иванов", TextKind.NAME, 1, 0x0418, Reason.OUTSIDE_SET),
        ("山①", TextKind.NAME, 2, 0x2460, Reason.OUTSIDE_SET),
        ("葛\U000e0100城", TextKind.NAME, 2, 0xE0100, Reason.SELECTOR),  # Adobe-Japan1, not MJ
        ("\U000e0102", TextKind.NAME, 1, 0xE0102, Reason.SELECTOR),
        ("SMITH😀", TextKind.ALPHABET, 6, 0x1F600, Reason.SYMBOL),
        ("山田", TextKind.ALPHABET, 1, ord("山"), Reason.OUTSIDE_SET),
    ],
)
def test_refusals_name_the_position_the_code_point_and_why(
    text: str, kind: TextKind, position: int, code_point: int, reason: Reason
) -> None:
    problem = find_problem(text, kind, gaiji=())

    assert problem is not None
    assert (problem.position, problem.code_point, problem.reason) == (position, code_point, reason)
    assert f"{position}文字目" in problem.message()
    assert f"U+{code_point:04X}" in problem.message()


def test_the_message_never_repeats_the_text() -> None:
    with pytest.raises(ValueError, match=r"4文字目 \(U\+1F600\)") as refused:
        check_text("東海林😀", TextKind.NAME)

    assert "東海林" not in str(refused.value)


def test_a_note_may_break_lines_but_not_hide_characters() -> None:
    assert find_problem("一行目\n二行目", TextKind.MULTILINE) is None
    problem = find_problem("一行目\r\n", TextKind.MULTILINE)
    assert problem is not None
    assert problem.code_point == 0x0D


def test_a_katagaki_holds_digits_and_building_marks() -> None:
    assert find_problem("新宿ハイツＡ棟（東）１０１号室", TextKind.KATAGAKI) is None
    assert find_problem("101-B", TextKind.KATAGAKI) is None
    assert find_problem("ハイツ🏠", TextKind.KATAGAKI) is not None


def test_a_gaiji_passes_where_it_is_registered_or_left_to_the_caller() -> None:
    assert find_problem("山" + GAIJI, TextKind.NAME, gaiji={GAIJI}) is None
    assert find_problem("山" + GAIJI, TextKind.NAME, gaiji=ANY_GAIJI) is None
    assert find_problem("山\ue001", TextKind.NAME, gaiji={GAIJI}) is not None
    assert private_use_chars("山" + GAIJI + "田\U000f0001") == {GAIJI, "\U000f0001"}
    assert private_use_chars("山田") == set()


def _identity(**names: str) -> dict[str, object]:
    return {
        "change_kind": "birth",
        "occurred_on": "2020-01-01",
        "family_name": "山田",
        "given_name": "太郎",
        "family_name_kana": "ヤマダ",
        "given_name_kana": "タロウ",
        "former_surname": None,
        "former_surname_kana": None,
        "alias": None,
        "alias_kana": None,
        "name_alphabet": None,
        "birth_date": "2020-01-01",
        "sex": "male",
        "address": "東京都新宿区西新宿二丁目8番1号",
        "juminhyo_code": None,
        "previous_juminhyo_code": None,
        "my_number": None,
        "record_status": "resident",
        **names,
    }


def test_cs_refuses_a_gaiji_so_only_its_substitute_can_reach_it() -> None:
    assert CsIdentity.model_validate(_identity(family_name="葛城")).family_name == "葛城"
    with pytest.raises(ValueError, match=r"family_name: 2文字目 \(U\+E000\)"):
        CsIdentity.model_validate(_identity(family_name="葛" + GAIJI))


def test_only_certificates_receive_the_gaiji_itself() -> None:
    forms = {key: model.CHARACTERS for key, model in MESSAGE_MODELS.items()}

    assert forms.pop(CertificatesRecord.ROUTING_KEY) is CharacterForm.WITH_GAIJI
    assert set(forms.values()) == {CharacterForm.MJ}  # cs.*, koseki, moj, intermediate
