"""The 住所辞書 (spec 1.3.3) built from Japan Post data: ward, outside and foreign addresses."""

from __future__ import annotations

import pytest
from registry.adapters.address_dictionary import PostalAddressBook
from registry.domain.addresses import (
    AddressError,
    WardAddress,
    int_to_kanji,
    kanji_to_int,
    parse_street,
)
from registry.domain.errors import RuleViolation


@pytest.fixture(scope="module")
def book() -> PostalAddressBook:
    return PostalAddressBook(prefecture="東京都", ward="新宿区")


# --- 区内住所 -----------------------------------------------------------------


def test_kanji_chome_and_banchi_are_parsed(book: PostalAddressBook) -> None:
    address = book.parse_ward_address("西新宿二丁目8番1号")

    assert (address.town_name, address.chome, address.banchi) == ("西新宿", 2, "8番1号")
    assert address.postal_code == "1600023"
    assert address.full_text == "東京都新宿区西新宿二丁目8番1号"


@pytest.mark.parametrize(
    "text",
    [
        "西新宿2丁目8番1号",
        "西新宿２丁目８番１号",
        "東京都新宿区西新宿二丁目8番1号",
        "新宿区西新宿2-8-1",
        "東京都 新宿区 西新宿２－８－１",
        "西新宿 2ー8ー1",
    ],
)
def test_the_same_place_is_accepted_however_it_is_typed(book: PostalAddressBook, text: str) -> None:
    address = book.parse_ward_address(text)

    assert (address.town_name, address.chome, address.banchi_numbers) == ("西新宿", 2, (8, 1))


@pytest.mark.parametrize(
    ("text", "town", "chome", "banchi", "postal_code"),
    [
        ("歌舞伎町1-1", "歌舞伎町", 1, "1", "1600021"),
        ("新宿3丁目", "新宿", 3, "", "1600022"),
        ("高田馬場", "高田馬場", None, "", "1690075"),
        ("大久保", "大久保", None, "", "1690072"),
        ("大久保三丁目14番4号", "大久保", 3, "14番4号", "1690072"),
        ("四谷坂町12番地の3", "四谷坂町", None, "12番地の3", "1600002"),
        ("四谷一丁目", "四谷", 1, "", "1600004"),
        ("霞ヶ丘町", "霞ケ丘町", None, "", "1600013"),
        ("市谷加賀町十二丁目", "市谷加賀町", 12, "", "1620062"),
    ],
)
def test_real_shinjuku_towns_are_accepted(
    book: PostalAddressBook,
    text: str,
    town: str,
    chome: int | None,
    banchi: str,
    postal_code: str,
) -> None:
    address = book.parse_ward_address(text)

    assert (address.town_name, address.chome, address.banchi) == (town, chome, banchi)
    assert address.postal_code == postal_code
    assert address.town_code == f"131041-{town}"


def test_katagaki_is_kept_apart_from_the_banchi(book: PostalAddressBook) -> None:
    address = book.parse_ward_address("東京都新宿区西新宿2-8-1 ○○ビル301")

    assert address.banchi == "8-1"
    assert address.katagaki == "○○ビル301"
    assert address.full_text == "東京都新宿区西新宿二丁目8-1 ○○ビル301"


def test_a_kanji_building_name_is_not_read_as_a_number(book: PostalAddressBook) -> None:
    address = book.parse_ward_address("新宿三丁目1番1号三井ビル")

    assert (address.banchi, address.katagaki) == ("1番1号", "三井ビル")


@pytest.mark.parametrize(
    "text",
    ["渋谷", "新宿御苑", "東京都渋谷区道玄坂1-2-3", "大阪府大阪市北区梅田1-1", "", "新宿区"],
)
def test_unknown_towns_are_refused(book: PostalAddressBook, text: str) -> None:
    with pytest.raises(AddressError, match="新宿区内の町名として辞書にありません"):
        book.parse_ward_address(text)


def test_a_chome_for_a_town_without_chome_is_refused(book: PostalAddressBook) -> None:
    with pytest.raises(AddressError, match="愛住町には丁目がありません"):
        book.parse_ward_address("愛住町2丁目5番")


def test_address_errors_are_registry_refusals_and_value_errors(book: PostalAddressBook) -> None:
    with pytest.raises(AddressError) as caught:
        book.parse_ward_address("どこか町1-1")

    assert isinstance(caught.value, RuleViolation)
    assert isinstance(caught.value, ValueError)
    assert "not a town of 新宿区" in caught.value.detail


# --- 郵便番号 (spec 1.1.17) ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "postal_code"),
    [
        ("戸山3丁目18番1号", "1690052"),  # '戸山（３丁目１８・２１番）'
        ("戸山3丁目17番", "1620052"),  # '戸山（その他）'
        ("西早稲田2丁目1番5号", "1620051"),  # '西早稲田（２丁目１番１〜２３号、２番）'
        ("西早稲田2丁目2番3号", "1620051"),
        ("西早稲田2丁目1番24号", "1690051"),  # '西早稲田（その他）'
        ("西早稲田1丁目", "1690051"),
    ],
)
def test_a_town_split_over_postal_codes_gets_the_right_one(
    book: PostalAddressBook, text: str, postal_code: str
) -> None:
    assert book.parse_ward_address(text).postal_code == postal_code


def test_a_skyscraper_floor_gets_its_own_postal_code(book: PostalAddressBook) -> None:
    floor = book.parse_ward_address("西新宿二丁目6番1号 新宿住友ビル12階")
    basement = book.parse_ward_address("西新宿6-5-1 新宿アイランドタワー地下1階")

    assert (floor.town_name, floor.postal_code) == ("西新宿", "1630212")
    assert (basement.town_name, basement.postal_code) == ("西新宿", "1631390")


def test_a_building_name_right_after_the_town_is_a_katagaki(book: PostalAddressBook) -> None:
    address = book.parse_ward_address("西新宿新宿アイランドタワー5階")

    assert (address.town_name, address.katagaki) == ("西新宿", "新宿アイランドタワー5階")
    assert address.postal_code == "1631305"


@pytest.mark.parametrize(
    ("postal_code", "town"),
    [("1600023", "西新宿"), ("163-1305", "西新宿"), ("〒169-0052", "戸山"), ("1620052", "戸山")],
)
def test_a_postal_code_finds_its_town(book: PostalAddressBook, postal_code: str, town: str) -> None:
    assert book.town_for_postal_code(postal_code).name == town


@pytest.mark.parametrize("postal_code", ["1500002", "1600000", "9999999"])
def test_a_postal_code_outside_the_ward_or_without_a_town_is_refused(
    book: PostalAddressBook, postal_code: str
) -> None:
    with pytest.raises(AddressError):
        book.town_for_postal_code(postal_code)


# --- 町名一覧・住所カナ入力 ----------------------------------------------------------


def test_the_dictionary_lists_shinjuku_towns_without_buildings(book: PostalAddressBook) -> None:
    names = [town.name for town in book.towns()]

    assert {"西新宿", "歌舞伎町", "高田馬場", "大久保", "戸山", "四谷"} <= set(names)
    assert not [name for name in names if "ビル" in name or "タワー" in name]
    assert len(names) == len(set(names)) > 80


def test_towns_can_be_picked_by_kana_or_name_prefix(book: PostalAddressBook) -> None:
    assert [t.name for t in book.towns("タカダ")] == ["高田馬場"]
    assert [t.name for t in book.towns("たかだ")] == ["高田馬場"]
    assert [t.name for t in book.towns("西新")] == ["西新宿"]
    assert {t.name for t in book.towns("ニシ")} >= {"西新宿", "西早稲田", "西落合"}


# --- 区外住所 (転入前・転出先) -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "prefecture", "municipality", "code"),
    [
        ("大阪府大阪市北区梅田1-1", "大阪府", "大阪市北区", "271276"),
        ("東京都渋谷区道玄坂1-2-3", "東京都", "渋谷区", "131130"),
        ("北海道札幌市中央区北1条西2丁目", "北海道", "札幌市中央区", "011011"),
        ("東京都西多摩郡奥多摩町氷川1", "東京都", "西多摩郡奥多摩町", "133086"),
        ("東京都奥多摩町氷川1", "東京都", "西多摩郡奥多摩町", "133086"),
        ("東京都三宅村", "東京都", "三宅島三宅村", "133817"),
    ],
)
def test_real_outside_addresses_are_accepted(
    book: PostalAddressBook, text: str, prefecture: str, municipality: str, code: str
) -> None:
    address = book.check_outside_address(text)

    assert (address.prefecture, address.municipality) == (prefecture, municipality)
    assert address.municipality_code == code
    assert address.country is None
    assert address.full_text == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("どこか県どこか市1-1", "都道府県名で始まっていません"),
        ("渋谷区道玄坂1-2-3", "都道府県名で始まっていません"),
        ("大阪府大阪市梅田1-1", "市区町村名が辞書にありません"),
        ("東京都どこか市1-1", "市区町村名が辞書にありません"),
        ("東京都新宿区西新宿2-8-1", "区内の移動は転居です"),
    ],
)
def test_outside_addresses_that_are_unknown_or_inside_the_ward_are_refused(
    book: PostalAddressBook, text: str, reason: str
) -> None:
    with pytest.raises(AddressError, match=reason):
        book.check_outside_address(text)


# --- 国外住所 -------------------------------------------------------------------


def test_a_foreign_address_keeps_its_country_and_free_text(book: PostalAddressBook) -> None:
    address = book.check_foreign_address(" アメリカ合衆国 ", "1600 Pennsylvania Ave NW, Washington")

    assert address.country == "アメリカ合衆国"
    assert address.prefecture is None
    assert address.municipality_code is None
    assert address.full_text == "アメリカ合衆国 1600 Pennsylvania Ave NW, Washington"


def test_a_foreign_address_may_be_only_a_country(book: PostalAddressBook) -> None:
    assert book.check_foreign_address("大韓民国", "").full_text == "大韓民国"


@pytest.mark.parametrize("country", ["", "  ", "日本", "Japan"])
def test_a_foreign_address_needs_a_foreign_country(book: PostalAddressBook, country: str) -> None:
    with pytest.raises(AddressError):
        book.check_foreign_address(country, "somewhere")


# --- 丁目・番地の文法 (pure) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("2", 2), ("二", 2), ("十", 10), ("十二", 12), ("二十", 20), ("九十九", 99), ("一〇五", 105)],
)
def test_kanji_numerals_are_read(numeral: str, value: int) -> None:
    assert kanji_to_int(numeral) == value


def test_chome_print_in_kanji_and_read_back() -> None:
    assert [kanji_to_int(int_to_kanji(n)) for n in range(1, 100)] == list(range(1, 100))
    assert [int_to_kanji(n) for n in (1, 10, 11, 20, 99)] == ["一", "十", "十一", "二十", "九十九"]


def test_a_nonsense_numeral_is_refused() -> None:
    with pytest.raises(AddressError):
        kanji_to_int("十十")


@pytest.mark.parametrize(
    ("rest", "chome", "banchi", "katagaki"),
    [
        ("2-8-1", 2, "8-1", ""),
        ("二丁目八番一号 ハイツ201", 2, "8番1号", "ハイツ201"),
        ("3", 3, "", ""),
        ("5番", None, "5番", ""),
    ],
)
def test_street_part_grammar(rest: str, chome: int | None, banchi: str, katagaki: str) -> None:
    street = parse_street(rest, town="西新宿", has_chome=True)

    assert (street.chome, street.banchi, street.rest) == (chome, banchi, katagaki)


def test_banchi_numbers_sort_numerically() -> None:
    def at(banchi: str) -> WardAddress:
        return WardAddress(
            town_code="131041-新宿",
            town_name="新宿",
            chome=1,
            banchi=banchi,
            katagaki=None,
            postal_code="1600022",
            prefecture="東京都",
            municipality="新宿区",
        )

    addresses = [at("10番2号"), at("9番12号"), at("9番2号")]

    assert [a.banchi for a in sorted(addresses, key=lambda a: a.banchi_numbers)] == [
        "9番2号",
        "9番12号",
        "10番2号",
    ]
