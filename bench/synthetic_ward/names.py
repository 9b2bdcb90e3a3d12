"""Names of the synthetic ward's residents: Japanese name pools and foreign nationalities."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from faker import Faker
from jumin_contracts.codes import Sex

NAME_POOL_SIZE = 5_000
ZIPF_EXPONENT = 0.5  # rank r drawn with weight r**-0.5: the top compound gets ~1 % of residents

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
