"""Generate a synthetic 新宿区: households, residents and their 異動履歴, ready for COPY.

Every row is built as the registry builds it: a `Person` inside a `HistoryRow`, written out by
`registry.adapters.rows.history_to_json` / `current_to_json` and only then turned into a COPY
record of the table's column types (`RecordShape`).  The data is seeded and deterministic.

What the ward looks like (`REFERENCE_DAY` is "today" for the data, fixed so that a seed gives
the same ward on any day):

- household sizes 1–6 with about half single households (Tokyo); one 世帯主 each, the others
  妻/夫/子/父/母; about 12 % foreign residents (国籍, 区分, 在留資格, 在留カード番号, no 本籍);
- names: Faker ja_JP knows only 50 family names and about as many given names, so the pools
  of 5,000 family and 5,000 given names mix Faker's (drawn with Faker's frequencies: the
  common head, 佐藤 ≈ 1.7 %) with compound names (山+田, 大+翔 …) drawn by a Zipf law (the
  tail, about 1,500 family names);
- addresses: real 町 (and 丁目) of 新宿区 from the 住所辞書, every street address parsed by
  `PostalAddressBook.parse_ward_address`, most of them in a building with room numbers;
- history: an entry row (転入, 出生, 法第30条の46転入), a quarter of the households move within
  the ward once or twice (転居), 2 % have moved out (転出, status 'removed').
"""

from __future__ import annotations

import itertools
import json
import random
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from faker import Faker
from jumin_contracts.check_digits import (
    juminhyo_code_check_digit,
    make_atena_no,
    my_number_check_digit,
)
from jumin_contracts.codes import HEAD, ChangeKind, ForeignResidentCategory, ResidentType, Sex
from jumin_contracts.dates import PartialDate
from jumin_contracts.kana import normalize_kana
from registry.adapters.address_dictionary import PostalAddressBook
from registry.adapters.rows import current_to_json, history_to_json
from registry.domain.addresses import AddressError, Town
from registry.domain.model import HistoryRow, Person, Qualifications, RecordStatus

if TYPE_CHECKING:
    from jumin_platform.my_number_vault import MyNumberVault

REFERENCE_DAY = date(2026, 10, 1)
JST = timezone(timedelta(hours=9))
YEAR = 365.25

HOUSEHOLD_SIZES = {1: 0.50, 2: 0.24, 3: 0.13, 4: 0.09, 5: 0.03, 6: 0.01}
FOREIGN_SHARE = 0.12
MOVED_SHARE = 0.25  # households with at least one 転居
MOVED_AGAIN_SHARE = 0.30  # of those, households with a second 転居
MOVED_OUT_SHARE = 0.02  # households that have moved out (転出): current status 'removed'
NAME_POOL_SIZE = 5_000
ZIPF_EXPONENT = 0.5  # rank r drawn with weight r**-0.5: the top compound gets ~1 % of residents
STREET_POOL_SIZE = 20_000

# --- names ---------------------------------------------------------------------------------------

Name = tuple[str, str, str]  # (氏名 as written, フリガナ, alphabet)

_SURNAME_HEADS = (
    "山ヤマ 川カワ 石イシ 中ナカ 高タカ 小コ 大オオ 松マツ 藤フジ 森モリ 西ニシ 東ヒガシ 北キタ "
    "南ミナミ 岡オカ 長ナガ 吉ヨシ 宮ミヤ 原ハラ 竹タケ 金カネ 平ヒラ 今イマ 菊キク 梅ウメ 柴シバ "
    "福フク 浅アサ 青アオ 白シラ 黒クロ 赤アカ 星ホシ 桜サクラ 杉スギ 荒アラ 岩イワ 上ウエ 下シモ "
    "野ノ 新ニイ 古フル 水ミズ 秋アキ 春ハル 角カド 熊クマ 鳥トリ 神カミ 宇ウ"
)
_SURNAME_TAILS = (
    "田タ 川カワ 本モト 山ヤマ 野ノ 村ムラ 井イ 木キ 原ハラ 沢サワ 島シマ 崎サキ 口グチ 谷タニ "
    "部ベ 尾オ 内ウチ 林バヤシ 岡オカ 浜ハマ 橋ハシ 宮ミヤ 瀬セ 森モリ 坂サカ 池イケ 江エ 城シロ "
    "藤フジ 永ナガ"
)
_MALE_STEMS = (
    "大ダイ 健ケン 翔ショウ 拓タク 直ナオ 和カズ 浩ヒロ 雄ユウ 隆タカ 正マサ 康ヤス 昌アキ 俊トシ "
    "秀ヒデ 信ノブ 光ミツ 達タツ 智トモ 悠ユウ 蓮レン 陽ハル 恭キョウ 賢ケン 英エイ 義ヨシ"
)
_MALE_ENDS = (
    "太タ 樹キ 人ト 介スケ 也ヤ 斗ト 輔スケ 彦ヒコ 志シ 一イチ 平ヘイ 郎ロウ 司ジ 男オ 之ユキ"
)
_FEMALE_STEMS = (
    "愛アイ 優ユ 美ミ 真マ 彩アヤ 結ユイ 春ハル 夏ナツ 千チ 奈ナ 由ユ 佳カ 智トモ 恵メグ 明アキ "
    "幸サチ 陽ヒ 百モモ 里リ 紗サ"
)
_FEMALE_ENDS = "子コ 美ミ 香カ 奈ナ 花カ 恵エ 代ヨ 菜ナ 乃ノ 穂ホ 音ネ 希キ 衣イ 帆ホ 里リ"


def _parts(text: str) -> list[tuple[str, str]]:
    """Split "山ヤマ 川カワ" into [("山", "ヤマ"), ("川", "カワ")] (one kanji, then its kana)."""
    return [(word[0], word[1:]) for word in text.split()]


def _compounds(heads: str, tails: str) -> list[Name]:
    """Join every head to every other tail: 山+田 → ("山田", "ヤマタ", "")."""
    return [
        (hk + tk, hr + tr, "")
        for (hk, hr), (tk, tr) in itertools.product(_parts(heads), _parts(tails))
        if hk != tk
    ]


def _zipf_draws(rng: random.Random, names: list[Name], k: int) -> list[Name]:
    """Draw k names with a Zipf law (rank r has weight r**-ZIPF_EXPONENT) over a shuffled order."""
    ranked = names[:]
    rng.shuffle(ranked)
    weights = [rank**-ZIPF_EXPONENT for rank in range(1, len(ranked) + 1)]
    return rng.choices(ranked, weights=weights, k=k)


@dataclass(frozen=True)
class NamePools:
    """Hold pre-drawn Japanese names; residents pick uniformly, so draw frequencies survive."""

    family: tuple[Name, ...]
    male: tuple[Name, ...]
    female: tuple[Name, ...]

    @classmethod
    def draw(cls, rng: random.Random, faker: Faker, size: int = NAME_POOL_SIZE) -> NamePools:
        """Mix Faker's names (the common head) with Zipf-drawn compounds (the tail)."""
        half = size // 2
        faker_family = [faker.last_name_pair() for _ in range(size // 4)]
        faker_male = [faker.first_name_male_pair() for _ in range(half // 3)]
        faker_female = [faker.first_name_female_pair() for _ in range(half // 3)]
        return cls(
            family=tuple(
                faker_family
                + _zipf_draws(rng, _compounds(_SURNAME_HEADS, _SURNAME_TAILS), size - size // 4)
            ),
            male=tuple(
                faker_male + _zipf_draws(rng, _compounds(_MALE_STEMS, _MALE_ENDS), half - half // 3)
            ),
            female=tuple(
                faker_female
                + _zipf_draws(rng, _compounds(_FEMALE_STEMS, _FEMALE_ENDS), half - half // 3)
            ),
        )

    def given(self, rng: random.Random, sex: Sex) -> Name:
        """Pick a given name (名) for the sex."""
        return rng.choice(self.male if sex is Sex.MALE else self.female)


@dataclass(frozen=True)
class Nationality:
    """Hold one 国籍・地域 with its share of foreign residents and some names (漢字 or alphabet)."""

    name: str
    weight: float
    family: tuple[Name, ...]
    male: tuple[Name, ...]
    female: tuple[Name, ...]
    special_permanent_share: float = 0.0  # 特別永住者


def _names(text: str) -> tuple[Name, ...]:
    """Read "王:ワン:WANG 李:リ:LI" (written:kana:alphabet; written may be the alphabet)."""
    return tuple((w or a, k, a) for w, k, a in (item.split(":") for item in text.split()))


NATIONALITIES = (
    Nationality(
        "中国", 0.40,
        _names("王:ワン:WANG 李:リ:LI 張:チョウ:ZHANG 劉:リュウ:LIU 陳:チン:CHEN 楊:ヨウ:YANG "
               "黄:コウ:HUANG 趙:チョウ:ZHAO 呉:ゴ:WU 周:シュウ:ZHOU 徐:ジョ:XU 孫:ソン:SUN"),
        _names("偉:イ:WEI 強:キョウ:QIANG 磊:ライ:LEI 軍:グン:JUN 浩然:コウゼン:HAORAN 洋:ヨウ:YANG"),
        _names("芳:ホウ:FANG 娜:ナ:NA 敏:ビン:MIN 静:セイ:JING 麗:レイ:LI 婷:テイ:TING"),
        special_permanent_share=0.02,
    ),
    Nationality(
        "韓国", 0.16,
        _names("金:キム:KIM 李:イ:LEE 朴:パク:PARK 崔:チェ:CHOI 鄭:チョン:JUNG 姜:カン:KANG"),
        _names("民俊:ミンジュン:MINJUN 志勳:ジフン:JIHOON 成浩:ソンホ:SUNGHO 東賢:ドンヒョン:DONGHYUN"),
        _names("瑞妍:ソヨン:SEOYEON 秀彬:スビン:SUBIN 智恩:ジウン:JIEUN 恩惠:ウネ:EUNHYE"),
        special_permanent_share=0.45,
    ),
    Nationality(
        "ベトナム", 0.10,
        _names(":グエン:NGUYEN :チャン:TRAN :レ:LE :ファム:PHAM :ホアン:HOANG :ヴ:VU"),
        _names(":ヴァンフン:VAN_HUNG :ミン:MINH :ドゥックアイン:DUC_ANH :クアン:QUANG"),
        _names(":ティリン:THI_LINH :タオ:THAO :ティフオン:THI_HUONG :ゴックアイン:NGOC_ANH"),
    ),
    Nationality(
        "ネパール", 0.08,
        _names(":グルン:GURUNG :シュレスタ:SHRESTHA :タマン:TAMANG :ライ:RAI :マガル:MAGAR"),
        _names(":ラム:RAM :ビカシュ:BIKASH :スレシュ:SURESH"),
        _names(":シタ:SITA :アニタ:ANITA :サビナ:SABINA"),
    ),
    Nationality(
        "台湾", 0.06,
        _names("林:リン:LIN 陳:チェン:CHEN 黄:ホアン:HUANG 張:チャン:CHANG 蔡:ツァイ:TSAI"),
        _names("家豪:ジャーハオ:CHIAHAO 冠宇:グァンユー:KUANYU"),
        _names("怡君:イージュン:YICHUN 雅婷:ヤーティン:YATING"),
        special_permanent_share=0.02,
    ),
    Nationality(
        "米国", 0.06,
        _names(":スミス:SMITH :ジョンソン:JOHNSON :ブラウン:BROWN :ミラー:MILLER :デイビス:DAVIS"),
        _names(":ジョン:JOHN :マイケル:MICHAEL :デイビッド:DAVID"),
        _names(":エミリー:EMILY :サラ:SARAH :ジェシカ:JESSICA"),
    ),
    Nationality(
        "フィリピン", 0.05,
        _names(":サントス:SANTOS :レイエス:REYES :クルス:CRUZ :ガルシア:GARCIA"),
        _names(":ホセ:JOSE :マーク:MARK"),
        _names(":マリア:MARIA :ジョイ:JOY"),
    ),
    Nationality(
        "フランス", 0.04,
        _names(":マルタン:MARTIN :ベルナール:BERNARD :デュボワ:DUBOIS :モロー:MOREAU"),
        _names(":リュカ:LUCAS :ユゴー:HUGO"),
        _names(":カミーユ:CAMILLE :レア:LEA"),
    ),
)  # fmt: skip

# 在留資格 of a household's first member and its 在留期間; dependants get _DEPENDANT_STATUS.
_HEAD_STATUSES = {
    ("永住者", "無期限"): 0.25,
    ("留学", "4年3月"): 0.20,
    ("技術・人文知識・国際業務", "5年"): 0.22,
    ("経営・管理", "1年"): 0.05,
    ("特定技能1号", "1年"): 0.06,
    ("技能", "3年"): 0.04,
    ("日本人の配偶者等", "3年"): 0.06,
    ("定住者", "5年"): 0.04,
    ("高度専門職1号ロ", "5年"): 0.03,
}
_DEPENDANT_STATUS = {"永住者": ("永住者の配偶者等", "5年")}
_DEFAULT_DEPENDANT_STATUS = ("家族滞在", "3年")

# --- places --------------------------------------------------------------------------------------

_MAX_CHOME = {
    "市谷加賀町": 2, "市谷砂土原町": 3, "市谷田町": 3, "大久保": 3, "神楽坂": 6, "歌舞伎町": 2,
    "上落合": 3, "北新宿": 4, "下落合": 4, "新宿": 7, "高田馬場": 4, "戸塚町": 1, "戸山": 3,
    "中井": 2, "中落合": 4, "西落合": 4, "西新宿": 8, "西早稲田": 3, "原町": 3, "百人町": 4,
    "四谷": 4, "若葉": 3,
}  # fmt: skip
_BUILDING_WORDS = ("ハイツ", "コーポ", "パレス", "レジデンス", "マンション", "コート", "ハウス")
_HONSEKI = (
    "東京都新宿区西新宿二丁目8番", "東京都世田谷区世田谷四丁目21番", "東京都杉並区阿佐谷南一丁目15番",
    "大阪府大阪市北区中之島一丁目3番", "北海道札幌市中央区北一条西二丁目1番地",
    "福岡県福岡市中央区天神一丁目8番", "愛知県名古屋市中区三の丸三丁目1番",
    "神奈川県横浜市中区日本大通1番地", "宮城県仙台市青葉区国分町三丁目7番",
    "広島県広島市中区基町10番", "新潟県新潟市中央区学校町通一番町602番地",
    "鹿児島県鹿児島市山下町11番",
)  # fmt: skip
_OUTSIDE = (
    "東京都中野区中野四丁目", "東京都渋谷区宇田川町", "東京都豊島区南池袋二丁目",
    "東京都杉並区阿佐谷南一丁目", "東京都練馬区豊玉北六丁目", "神奈川県川崎市中原区小杉町三丁目",
    "埼玉県さいたま市浦和区高砂三丁目", "千葉県船橋市湊町二丁目", "大阪府大阪市北区梅田一丁目",
    "愛知県名古屋市中村区名駅一丁目",
)  # fmt: skip
_ABROAD = ("米国", "英国", "シンガポール", "オーストラリア", "ドイツ")


class Place(NamedTuple):
    """Hold the 住所 items a household's members share (Person.address … postal_code)."""

    address: str
    town_code: str
    katagaki: str | None
    postal_code: str


@dataclass(frozen=True)
class Street:
    """Hold one parsed street address of the ward and the building standing there, if any."""

    town_code: str
    text: str  # 東京都新宿区西新宿二丁目8番1号
    postal_code: str
    building: str | None

    def place(self, rng: random.Random) -> Place:
        """Return the address of one dwelling there (a room when it is a building)."""
        if self.building is None:
            return Place(self.text, self.town_code, None, self.postal_code)
        katagaki = f"{self.building}{rng.randint(1, 12)}{rng.randint(1, 10):02d}"
        return Place(f"{self.text} {katagaki}", self.town_code, katagaki, self.postal_code)


def draw_streets(
    rng: random.Random, book: PostalAddressBook, count: int = STREET_POOL_SIZE
) -> list[Street]:
    """Draw street addresses over the ward's 町 and parse each with the 住所辞書."""
    towns = book.towns()
    weights = [3 * _MAX_CHOME.get(t.name, 3) if t.has_chome else 1 for t in towns]
    streets = []
    for town in rng.choices(towns, weights=weights, k=count):
        try:
            address = book.parse_ward_address(_street_text(rng, town))
        except AddressError:
            continue
        building = None
        if rng.random() < 0.7:  # 新宿区: most people live in apartment buildings
            building = f"{town.name}{rng.choice(_BUILDING_WORDS)}"
        streets.append(Street(address.town_code, address.full_text, address.postal_code, building))
    return streets


def _street_text(rng: random.Random, town: Town) -> str:
    """Write a street address in the 町, with 丁目 where the 町 has them."""
    chome = f"{rng.randint(1, _MAX_CHOME.get(town.name, 3))}丁目" if town.has_chome else ""
    return f"{town.name}{chome}{rng.randint(1, 30)}番{rng.randint(1, 25)}号"


# --- COPY records --------------------------------------------------------------------------------

Converter = Callable[[Any], Any]
_CONVERTERS: dict[str, Converter] = {
    "date": date.fromisoformat,
    "timestamp with time zone": datetime.fromisoformat,
    "uuid": uuid.UUID,
    "jsonb": lambda value: json.dumps(value, ensure_ascii=False),
}


@dataclass(frozen=True)
class RecordShape:
    """Turn rows.py's JSON columns into COPY records: the table's column order and types."""

    columns: tuple[str, ...]
    converters: tuple[Converter | None, ...]

    @classmethod
    def of(cls, columns: Sequence[tuple[str, str]]) -> RecordShape:
        """Build from (column name, format_type) pairs as pg_attribute lists them."""
        return cls(
            columns=tuple(name for name, _ in columns),
            converters=tuple(_CONVERTERS.get(type_name) for _, type_name in columns),
        )

    def record(self, values: Mapping[str, object]) -> tuple[object, ...]:
        """Return one record; a column rows.py does not write raises KeyError (schema drift)."""
        return tuple(
            value if convert is None or value is None else convert(value)
            for value, convert in zip(
                (values[name] for name in self.columns), self.converters, strict=True
            )
        )


CHANGE_COLUMNS = (
    "change_id", "kind", "status", "occurred_on", "notified_on", "request", "terminal",
    "created_by", "created_at", "decided_by", "decided_at", "subjects",
)  # fmt: skip
HOUSEHOLD_COLUMNS = ("household_no", "created_at")


@dataclass(frozen=True)
class BulkChanges:
    """Hold the synthetic 'bulk load' changes every history row points at (one per row kind)."""

    entry: uuid.UUID  # history_no 1: 転入・出生 (データ移行)
    move: uuid.UUID  # 転居
    removal: uuid.UUID  # 転出

    @classmethod
    def draw(cls, rng: random.Random) -> BulkChanges:
        """Draw three seeded change ids."""
        ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(3)]
        return cls(*ids)

    def records(self, counts: Mapping[uuid.UUID, int], now: datetime) -> list[tuple[object, ...]]:
        """Return the approved change rows in CHANGE_COLUMNS order."""
        kinds = {
            self.entry: ChangeKind.EX_OFFICIO_ENTRY,
            self.move: ChangeKind.MOVE_WITHIN_WARD,
            self.removal: ChangeKind.DOMESTIC_MOVE_OUT,
        }
        return [
            (change_id, kind.value, "approved", REFERENCE_DAY.isoformat(), None,
             json.dumps({"bench": "synthetic bulk load", "kind": kind.value,
                         "rows": counts.get(change_id, 0)}),
             "bench", "bench-loader", now, "bench-approver", now, [])
            for change_id, kind in kinds.items()
        ]  # fmt: skip


# --- the ward ------------------------------------------------------------------------------------


class ResidentSample(NamedTuple):
    """Hold what the query benchmark needs about one resident."""

    atena_no: str
    family_kana: str  # normalised 氏フリガナ: a prefix of the resident's kana_key
    entered_on: date
    rows: int  # history rows (履歴番号 1..rows)


class HouseholdSample(NamedTuple):
    """Hold what the query benchmark needs about one household."""

    household_no: str
    formed_on: date


@dataclass
class SyntheticWard:
    """Hold the COPY records of every table and the samples the queries draw from."""

    households: list[tuple[object, ...]] = field(default_factory=list)
    changes: list[tuple[object, ...]] = field(default_factory=list)
    history: list[tuple[object, ...]] = field(default_factory=list)
    current: list[tuple[object, ...]] = field(default_factory=list)
    residents: list[ResidentSample] = field(default_factory=list)
    household_samples: list[HouseholdSample] = field(default_factory=list)
    foreign_residents: int = 0


@dataclass(frozen=True)
class _Member:
    """Hold one planned member of a household before its rows are written."""

    relationship: str
    sex: Sex
    birth: date


@dataclass
class _Ward:
    """Hold the generator's state: seeded randomness, pools, number counters and output."""

    rng: random.Random
    names: NamePools
    streets: list[Street]
    history_shape: RecordShape
    current_shape: RecordShape
    changes: BulkChanges
    vault: MyNumberVault | None
    out: SyntheticWard = field(default_factory=SyntheticWard)
    person_seq: int = 0
    household_seq: int = 0
    foreign_seq: int = 0
    change_rows: dict[uuid.UUID, int] = field(default_factory=dict)


def generate_ward(
    scale: int,
    *,
    seed: int,
    history_shape: RecordShape,
    current_shape: RecordShape,
    vault: MyNumberVault | None = None,
    book: PostalAddressBook | None = None,
) -> SyntheticWard:
    """Generate `scale` residents in households, with their history and current rows.

    With a vault, 個人番号 is stored sealed with its lookup hash, as the schema then requires.
    """
    rng = random.Random(seed)
    faker = Faker("ja_JP")
    faker.seed_instance(seed)
    ward = _Ward(
        rng=rng,
        names=NamePools.draw(rng, faker),
        streets=draw_streets(rng, book or PostalAddressBook()),
        history_shape=history_shape,
        current_shape=current_shape,
        changes=BulkChanges.draw(rng),
        vault=vault,
    )
    sizes, size_weights = zip(*HOUSEHOLD_SIZES.items(), strict=True)
    cumulative = list(itertools.accumulate(size_weights))
    while ward.person_seq < scale:
        size = rng.choices(sizes, cum_weights=cumulative)[0]
        _add_household(ward, min(size, scale - ward.person_seq))
    ward.out.changes = ward.changes.records(ward.change_rows, datetime.now(JST))
    return ward.out


# --- household composition -----------------------------------------------------------------------

_SINGLE_AGES = ((18, 24, 15), (25, 34, 30), (35, 44, 18), (45, 54, 13), (55, 64, 9), (65, 74, 8),
                (75, 95, 7))  # fmt: skip
_COUPLE_AGES = ((24, 34, 20), (35, 49, 30), (50, 64, 25), (65, 90, 25))
_PARENT_AGES = ((27, 39, 35), (40, 49, 40), (50, 60, 25))


def _age(rng: random.Random, brackets: Sequence[tuple[int, int, int]]) -> int:
    """Draw an age in years from (low, high, weight) brackets."""
    low, high, _ = rng.choices(brackets, weights=[w for _, _, w in brackets])[0]
    return rng.randint(low, high)


def _born(rng: random.Random, age: int) -> date:
    """Return a birth date for someone `age` years old on REFERENCE_DAY."""
    return REFERENCE_DAY - timedelta(days=int((age + rng.random()) * YEAR))


def _compose(rng: random.Random, size: int) -> list[_Member]:
    """Plan who lives in a household of `size`: 世帯主 first, then 妻/夫, 子, 父/母."""
    if size == 1:
        return [_Member(HEAD, _sex(rng, 0.55), _born(rng, _age(rng, _SINGLE_AGES)))]
    if size == 2 and rng.random() < 0.35:
        return _parent_and_child(rng) if rng.random() < 0.6 else _adult_and_parent(rng)
    head_sex = _sex(rng, 0.85)
    head_age = _age(rng, _COUPLE_AGES if size == 2 else _PARENT_AGES)
    spouse_age = max(18, head_age + rng.randint(-6, 3))
    members = [
        _Member(HEAD, head_sex, _born(rng, head_age)),
        _Member("妻" if head_sex is Sex.MALE else "夫", _other(head_sex), _born(rng, spouse_age)),
    ]
    children = size - 2
    if children and rng.random() < 0.12:
        members.append(_Member("母", Sex.FEMALE, _born(rng, head_age + rng.randint(25, 35))))
        children -= 1
    members += [_child(rng, head_age) for _ in range(children)]
    return members


def _parent_and_child(rng: random.Random) -> list[_Member]:
    """Plan a single parent (mostly a mother) with one child."""
    head_age = _age(rng, _PARENT_AGES)
    return [_Member(HEAD, _sex(rng, 0.2), _born(rng, head_age)), _child(rng, head_age)]


def _adult_and_parent(rng: random.Random) -> list[_Member]:
    """Plan an adult living with a father or mother."""
    head_age = rng.randint(30, 65)
    parent_sex = _sex(rng, 0.3)
    parent = _Member(
        "父" if parent_sex is Sex.MALE else "母",
        parent_sex,
        _born(rng, head_age + rng.randint(22, 38)),
    )
    return [_Member(HEAD, _sex(rng, 0.5), _born(rng, head_age)), parent]


def _child(rng: random.Random, parent_age: int) -> _Member:
    """Plan a child (子) of a parent aged `parent_age`."""
    return _Member(
        "子", _sex(rng, 0.51), _born(rng, rng.randint(0, max(0, min(parent_age - 22, 28))))
    )


def _sex(rng: random.Random, male_share: float) -> Sex:
    """Draw a sex."""
    return Sex.MALE if rng.random() < male_share else Sex.FEMALE


def _other(sex: Sex) -> Sex:
    """Return the other sex (the spouse of the head)."""
    return Sex.FEMALE if sex is Sex.MALE else Sex.MALE


def _years(birth: date, on: date = REFERENCE_DAY) -> int:
    """Return someone's age in whole years on a day."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _plus_years(day: date, years: int) -> date:
    """Add whole years (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# --- one household -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Timeline:
    """Hold a household's dates: formation, 転居 (with the new places) and 転出 if any."""

    formed_on: date
    places: list[tuple[date, Place]]  # (since, place); the first is the formation
    moved_out_on: date | None

    def place_on(self, day: date) -> Place:
        """Return the household's address on a day."""
        return [place for since, place in self.places if since <= day][-1]


def _add_household(ward: _Ward, size: int) -> None:
    """Generate one household and append its rows and samples."""
    rng = ward.rng
    members = _compose(rng, size)
    nationality = _nationality(rng) if rng.random() < FOREIGN_SHARE else None
    timeline = _timeline(rng, ward, members)
    ward.household_seq += 1
    household_no = make_atena_no(ward.household_seq)
    ward.out.households.append((household_no, _recorded_at(rng, timeline.formed_on)))
    ward.out.household_samples.append(HouseholdSample(household_no, timeline.formed_on))
    people = _people(ward, members, nationality, household_no)
    arrival = _arrival_kind(rng, nationality)
    for member, (atena_no, person) in zip(members, people, strict=True):
        _add_person(ward, atena_no, member, person, timeline, arrival)


def _nationality(rng: random.Random) -> Nationality:
    """Draw a 国籍・地域 by the shares of 新宿区's foreign residents."""
    return rng.choices(NATIONALITIES, weights=[n.weight for n in NATIONALITIES])[0]


def _timeline(rng: random.Random, ward: _Ward, members: list[_Member]) -> _Timeline:
    """Draw when the household formed, moved within the ward and maybe moved out."""
    adults = [m.birth for m in members if m.relationship != "子"]
    earliest = _plus_years(max(adults), 18)
    latest = REFERENCE_DAY - timedelta(days=60)
    back = min(rng.expovariate(1 / 8) * YEAR, max(0, (latest - earliest).days))
    formed_on = latest - timedelta(days=int(back))
    places = [(formed_on, rng.choice(ward.streets).place(rng))]
    moves = 0 if rng.random() >= MOVED_SHARE else 1 + (rng.random() < MOVED_AGAIN_SHARE)
    for move_on in sorted(_days_between(rng, formed_on, latest, moves)):
        places.append((move_on, rng.choice(ward.streets).place(rng)))
    last_event = max(places[-1][0], max(m.birth for m in members))
    moved_out_on = None
    if rng.random() < MOVED_OUT_SHARE and last_event < latest:
        moved_out_on = _days_between(rng, last_event, latest, 1)[0]
    return _Timeline(formed_on, places, moved_out_on)


def _days_between(rng: random.Random, after: date, until: date, count: int) -> list[date]:
    """Draw `count` distinct days in (after, until]; fewer if there is no room."""
    span = (until - after).days
    if span < 1:
        return []
    return [after + timedelta(days=d) for d in rng.sample(range(1, span + 1), min(count, span))]


def _arrival_kind(rng: random.Random, nationality: Nationality | None) -> ChangeKind:
    """Draw how the household came to the ward (転入, 国外転入, 法第30条の46転入)."""
    if nationality is not None:
        return (
            ChangeKind.FOREIGN_MOVE_IN_30_46 if rng.random() < 0.65 else ChangeKind.DOMESTIC_MOVE_IN
        )
    return ChangeKind.MOVE_IN_FROM_ABROAD if rng.random() < 0.08 else ChangeKind.DOMESTIC_MOVE_IN


# --- persons -------------------------------------------------------------------------------------


Entered = tuple[str, Person]  # (宛名番号, the person's items before the address is set)


def _people(
    ward: _Ward, members: list[_Member], nationality: Nationality | None, household_no: str
) -> list[Entered]:
    """Build each member's items; the address and entry dates are set per history row."""
    if nationality is None:
        return _japanese(ward, members, household_no)
    return _foreigners(ward, members, nationality, household_no)


def _base(ward: _Ward, member: _Member, household_no: str, **items: Any) -> Entered:
    """Allocate a 宛名番号 and build the items every record has."""
    ward.person_seq += 1
    seq = ward.person_seq
    person = Person(
        resident_type=items.pop("resident_type"),
        household_no=household_no,
        is_head=member.relationship == HEAD,
        relationship=member.relationship,
        birth_date=PartialDate.exact(member.birth),
        sex=member.sex,
        address="",
        address_since=PartialDate.exact(REFERENCE_DAY),
        my_number=_my_number(seq),
        juminhyo_code=_juminhyo_code(seq),
        qualifications=_qualifications(ward.rng, _years(member.birth)),
        **items,
    )
    return make_atena_no(seq), person


def _japanese(ward: _Ward, members: list[_Member], household_no: str) -> list[Entered]:
    """Build a Japanese household: one 氏, one 本籍 and 筆頭者 (the head)."""
    rng = ward.rng
    family = rng.choice(ward.names.family)
    head_given = ward.names.given(rng, members[0].sex)
    honseki = rng.choice(_HONSEKI)
    people = []
    for i, member in enumerate(members):
        given = head_given if i == 0 else ward.names.given(rng, member.sex)
        people.append(
            _base(
                ward, member, household_no,
                resident_type=ResidentType.JAPANESE,
                family_name=family[0], given_name=given[0],
                family_name_kana=family[1], given_name_kana=given[1],
                honseki=honseki, hittosha=f"{family[0]}　{head_given[0]}",
                voter_registered=_years(member.birth) >= 18,
            )
        )  # fmt: skip
    return people


def _foreigners(
    ward: _Ward, members: list[_Member], nationality: Nationality, household_no: str
) -> list[Entered]:
    """Build a foreign household: 国籍, 区分, 在留資格, カード番号, alphabet name; no 本籍.

    A spouse keeps their own family name; children take the head's.
    """
    rng = ward.rng
    head_family = rng.choice(nationality.family)
    special = rng.random() < nationality.special_permanent_share
    statuses = list(_HEAD_STATUSES)
    head_status = rng.choices(statuses, weights=list(_HEAD_STATUSES.values()))[0]
    dependant_status = _DEPENDANT_STATUS.get(head_status[0], _DEFAULT_DEPENDANT_STATUS)
    people = []
    for i, member in enumerate(members):
        own_family = i > 0 and member.relationship != "子"
        family = rng.choice(nationality.family) if own_family else head_family
        given = rng.choice(nationality.male if member.sex is Sex.MALE else nationality.female)
        ward.foreign_seq += 1
        ward.out.foreign_residents += 1
        items = _residence_items(
            rng, ward.foreign_seq, head_status if i == 0 else dependant_status, special=special
        )
        people.append(
            _base(
                ward, member, household_no,
                resident_type=ResidentType.FOREIGN,
                family_name=family[0], given_name=given[0].replace("_", " "),
                family_name_kana=family[1], given_name_kana=given[1],
                name_alphabet=f"{family[2]} {given[2].replace('_', ' ')}",
                nationality=nationality.name,
                **items,
            )
        )  # fmt: skip
    return people


def _residence_items(
    rng: random.Random, seq: int, status: tuple[str, str], *, special: bool
) -> dict[str, object]:
    """Return 区分, 在留資格, 在留期間, 満了日 and the card or certificate number."""
    number = _card_number(rng, seq)
    if special:
        return {
            "foreign_category": ForeignResidentCategory.SPECIAL_PERMANENT,
            "special_permanent_cert_no": number,
        }
    return {
        "foreign_category": ForeignResidentCategory.MID_LONG_TERM,
        "status_of_residence": status[0],
        "period_of_stay": status[1],
        "stay_expires_on": REFERENCE_DAY + timedelta(days=rng.randint(30, 5 * 365)),
        "residence_card_no": number,
    }


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _card_number(rng: random.Random, seq: int) -> str:
    """Return a 在留カード番号 shape (AB12345678CD), unique by its digits."""
    digits = (seq * 7919 + 12_345_678) % 10**8
    a, b, c, d = rng.choices(_LETTERS, k=4)
    return f"{a}{b}{digits:08d}{c}{d}"


def _my_number(seq: int) -> str:
    """Return a unique 個人番号 with its check digit (an affine bijection of the sequence)."""
    body = f"{(seq * 1_618_033_989 + 57_721_566_490) % 10**11:011d}"
    return body + my_number_check_digit(body)


def _juminhyo_code(seq: int) -> str:
    """Return a unique 住民票コード with its check digit."""
    body = f"{(seq * 3_141_592_653 + 2_718_281_828) % 10**10:010d}"
    return body + juminhyo_code_check_digit(body)


@cache
def _qualification_set(*flags: bool) -> Qualifications:
    """Share one Qualifications value per combination of flags."""
    return Qualifications(
        national_health_insurance=flags[0],
        late_elderly_insurance=flags[1],
        long_term_care_insurance=flags[2],
        national_pension=flags[3],
        child_allowance=flags[4],
    )


def _qualifications(rng: random.Random, age: int) -> Qualifications:
    """Draw 国保・後期高齢・介護・国民年金・児童手当 plausible for an age."""
    return _qualification_set(
        65 <= age < 75 or (age < 65 and rng.random() < 0.25),
        age >= 75,
        age >= 65,
        20 <= age < 60 and rng.random() < 0.3,
        27 <= age < 50 and rng.random() < 0.2,
    )


# --- history rows --------------------------------------------------------------------------------


def _add_person(
    ward: _Ward,
    atena_no: str,
    member: _Member,
    person: Person,
    timeline: _Timeline,
    arrival: ChangeKind,
) -> None:
    """Write a person's history rows and current row, and remember a sample."""
    rows = list(_history(ward, atena_no, member, person, timeline, arrival))
    sealed = _sealed_number(ward.vault, atena_no, person.my_number)
    out = ward.out
    out.history.extend(ward.history_shape.record(history_to_json(r) | sealed) for r in rows)
    out.current.append(ward.current_shape.record(current_to_json(rows[-1]) | sealed))
    entered_on = rows[0].occurred_on.sort_key()
    kana = normalize_kana(person.family_name_kana)
    out.residents.append(ResidentSample(atena_no, kana, entered_on, len(rows)))
    for row in rows:
        ward.change_rows[row.change_id] = ward.change_rows.get(row.change_id, 0) + 1


def _sealed_number(
    vault: MyNumberVault | None, atena_no: str, my_number: str | None
) -> dict[str, object]:
    """Return the stored 個人番号 columns (sealed value, lookup hash), or {} without a vault."""
    if vault is None:
        return {}
    if my_number is None:
        return {"my_number_hash": None}
    return {
        "my_number": vault.seal(my_number, atena_no=atena_no),
        "my_number_hash": vault.lookup_hash(my_number),
    }


def _history(
    ward: _Ward,
    atena_no: str,
    member: _Member,
    person: Person,
    timeline: _Timeline,
    arrival: ChangeKind,
) -> Iterator[HistoryRow]:
    """Yield 履歴番号 1.. : the entry (転入 or 出生), each later 転居, the 転出 if any."""
    rng = ward.rng
    born_here = member.birth > timeline.formed_on
    entered_on = member.birth if born_here else timeline.formed_on
    kind = ChangeKind.BIRTH if born_here else arrival
    notified, recorded = _filed(rng, entered_on)
    current = _entered(rng, person, kind, entered_on, timeline.place_on(entered_on), notified)
    yield _row(atena_no, 1, ward.changes.entry, kind, entered_on, recorded, current)
    history_no = 1
    for moved_on, place in timeline.places[1:]:
        if moved_on <= entered_on:
            continue
        notified, recorded = _filed(rng, moved_on)
        current = current.evolve(
            **_place_items(place), address_since=PartialDate.exact(moved_on), notified_on=notified
        )
        history_no += 1
        yield _row(atena_no, history_no, ward.changes.move, ChangeKind.MOVE_WITHIN_WARD,
                   moved_on, recorded, current)  # fmt: skip
    if timeline.moved_out_on is not None:
        current = _moved_out(rng, current, timeline.moved_out_on)
        recorded = _recorded_at(rng, current.notified_on or timeline.moved_out_on)
        yield _row(atena_no, history_no + 1, ward.changes.removal, ChangeKind.DOMESTIC_MOVE_OUT,
                   timeline.moved_out_on, recorded, current)  # fmt: skip


def _row(
    atena_no: str,
    history_no: int,
    change_id: uuid.UUID,
    kind: ChangeKind,
    occurred_on: date,
    recorded_at: datetime,
    person: Person,
) -> HistoryRow:
    """Build one approved, filed (not 職権) history row."""
    return HistoryRow(
        atena_no=atena_no,
        history_no=history_no,
        change_id=change_id,
        change_kind=kind,
        occurred_on=PartialDate.exact(occurred_on),
        recorded_at=recorded_at,
        ex_officio=False,
        person=person,
    )


def _place_items(place: Place) -> dict[str, Any]:
    """Return the 住所 items of a Person for a place."""
    return {
        "address": place.address,
        "address_town_code": place.town_code,
        "address_katagaki": place.katagaki,
        "postal_code": place.postal_code,
    }


def _entered(
    rng: random.Random, person: Person, kind: ChangeKind, on: date, place: Place, notified: date
) -> Person:
    """Return the record as entered: address, 住所を定めた日, 住民となった日, 従前の住所."""
    japanese = person.resident_type is ResidentType.JAPANESE
    since = PartialDate.exact(on)
    return person.evolve(
        **_place_items(place),
        address_since=since,
        notified_on=notified,
        previous_address=_previous_address(rng, kind, person),
        became_resident_on=since if japanese else None,
        became_foreign_resident_on=None if japanese else since,
    )


def _previous_address(rng: random.Random, kind: ChangeKind, person: Person) -> str | None:
    """Return 従前の住所: another municipality, a country, or none for a birth."""
    if kind is ChangeKind.BIRTH:
        return None
    if kind is ChangeKind.FOREIGN_MOVE_IN_30_46:
        return person.nationality
    if kind is ChangeKind.MOVE_IN_FROM_ABROAD:
        return rng.choice(_ABROAD)
    return f"{rng.choice(_OUTSIDE)}{rng.randint(1, 30)}番{rng.randint(1, 20)}号"


def _moved_out(rng: random.Random, person: Person, on: date) -> Person:
    """Return the record after a 国内転出 (除票): removed, with 転出予定日 and 転出先."""
    destination = f"{rng.choice(_OUTSIDE)}{rng.randint(1, 30)}番{rng.randint(1, 20)}号"
    return person.evolve(
        status=RecordStatus.REMOVED,
        removed_on=PartialDate.exact(on),
        removal_kind=ChangeKind.DOMESTIC_MOVE_OUT,
        planned_move_out_on=on,
        move_out_destination=destination,
        notified_on=on - timedelta(days=rng.randint(0, 14)),
    )


def _filed(rng: random.Random, occurred: date) -> tuple[date, datetime]:
    """Return a 届出日 within 14 days of the event and the approval time after it."""
    notified = min(occurred + timedelta(days=rng.randint(0, 14)), REFERENCE_DAY)
    return notified, _recorded_at(rng, notified)


def _recorded_at(rng: random.Random, day: date) -> datetime:
    """Return an approval time (処理日時) in office hours within 3 days of a day."""
    recorded = min(day + timedelta(days=rng.randint(0, 3)), REFERENCE_DAY)
    return datetime.combine(recorded, time(rng.randint(9, 16), rng.randrange(60)), JST)
