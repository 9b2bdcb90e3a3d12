"""戸籍 and their 附票 as the system holds them, and the 照合 of a notice against them.

A 戸籍 is keyed by (本籍, 筆頭者). Each member carries the identity items the 戸籍 states (氏名,
生年月日, 男女の別), the 住民票コード the 附票 has (from the ward's notices), whether the member is
still in the 戸籍 (除籍: 死亡, 婚姻 into another 戸籍 …) and the 附票's 住所 lines, oldest first.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any

from koseki_simulator.domain.notices import AddressEntry, FuhyoNoticeBody, KosekiIn, MemberIn

KosekiKey = tuple[str, str]
"""(本籍, 筆頭者)."""


@dataclass
class Member:
    """One person of a 戸籍 and the 附票 lines about them."""

    family_name: str
    given_name: str
    birth_date: str
    sex: str
    juminhyo_code: str | None = None
    addresses: list[AddressEntry] = field(default_factory=list)
    in_koseki: bool = True
    family_name_kana: str | None = None  # 振り仮名 (戸籍法13条; none on an older 戸籍)
    given_name_kana: str | None = None

    @classmethod
    def of(cls, member: MemberIn) -> Member:
        """A member as seeded."""
        return cls(
            member.family_name,
            member.given_name,
            member.birth_date,
            member.sex,
            member.juminhyo_code,
            list(member.addresses),
            family_name_kana=member.family_name_kana,
            given_name_kana=member.given_name_kana,
        )

    def dump(self) -> dict[str, Any]:
        """JSON-able (journal, listing)."""
        return {
            "juminhyo_code": self.juminhyo_code,
            "family_name": self.family_name,
            "given_name": self.given_name,
            "family_name_kana": self.family_name_kana,
            "given_name_kana": self.given_name_kana,
            "birth_date": self.birth_date,
            "sex": self.sex,
            "in_koseki": self.in_koseki,
            "addresses": [a.model_dump(mode="json") for a in self.addresses],
        }

    @classmethod
    def load(cls, data: dict[str, Any]) -> Member:
        """Back from `dump`."""
        return cls(
            data["family_name"],
            data["given_name"],
            data["birth_date"],
            data["sex"],
            data["juminhyo_code"],
            [AddressEntry.model_validate(a) for a in data["addresses"]],
            data["in_koseki"],
            data.get("family_name_kana"),
            data.get("given_name_kana"),
        )

    def record_address(self, entry: AddressEntry) -> None:
        """Write a 住所 line: a new one, or a correction of the latest with the same 住定日."""
        if self.addresses and self.addresses[-1] == entry:
            return
        if self.addresses and self.addresses[-1].address_since == entry.address_since:
            self.addresses[-1] = entry
            return
        self.addresses.append(entry)


@dataclass
class Koseki:
    """One 戸籍 (本籍, 筆頭者) and its members' 附票."""

    honseki: str
    hittosha: str
    members: list[Member] = field(default_factory=list)

    @property
    def key(self) -> KosekiKey:
        return (self.honseki, self.hittosha)

    @classmethod
    def of(cls, seeded: KosekiIn) -> Koseki:
        """A 戸籍 as seeded."""
        return cls(seeded.honseki, seeded.hittosha, [Member.of(m) for m in seeded.members])

    def dump(self) -> dict[str, Any]:
        """JSON-able (journal)."""
        return {
            "honseki": self.honseki,
            "hittosha": self.hittosha,
            "members": [m.dump() for m in self.members],
        }

    @classmethod
    def load(cls, data: dict[str, Any]) -> Koseki:
        """Back from `dump`."""
        return cls(data["honseki"], data["hittosha"], [Member.load(m) for m in data["members"]])

    def present(self) -> list[Member]:
        """Members still in the 戸籍 (not 除籍)."""
        return [m for m in self.members if m.in_koseki]

    def member_with_code(self, juminhyo_code: str) -> Member | None:
        """The present member whose 附票 has this 住民票コード."""
        return next((m for m in self.present() if m.juminhyo_code == juminhyo_code), None)

    def moved_to(self, honseki: str) -> Koseki:
        """This 戸籍 after a 転籍 (same 筆頭者, new 本籍)."""
        return replace(self, honseki=honseki)


class Mismatch(enum.Enum):
    """Why a notice disagrees with the 附票 (照合結果 other than accepted); permanent per person."""

    KOSEKI_UNKNOWN = ("E-KOSEKI-UNKNOWN", "koseki")
    PERSON_UNKNOWN = ("E-PERSON-UNKNOWN", "person")
    NAME = ("E-NAME-MISMATCH", "name")
    BIRTH_DATE = ("E-BIRTH-DATE-MISMATCH", "birth_date")
    SEX = ("E-SEX-MISMATCH", "sex")

    @property
    def code(self) -> str:
        return self.value[0]

    @property
    def item(self) -> str:
        return self.value[1]


@dataclass(frozen=True)
class Collation:
    """The 照合結果 of one notice: the member it is about, or what disagrees."""

    member: Member | None
    mismatches: tuple[Mismatch, ...] = ()


def collate(koseki: Koseki | None, notice: FuhyoNoticeBody) -> Collation:
    """Find the notice's person in the 戸籍 and compare the identity items the 戸籍 states.

    By 住民票コード first; else (a code the 附票 does not have yet, or none) by 氏名 and 生年月日.
    """
    if koseki is None:
        return Collation(None, (Mismatch.KOSEKI_UNKNOWN,))
    code = notice.juminhyo_code
    member = koseki.member_with_code(code) if code is not None else None
    if member is None:
        member = _by_name_and_birth(koseki, notice)
    if member is None:
        return Collation(None, (Mismatch.PERSON_UNKNOWN,))
    differing = []
    if (member.family_name, member.given_name) != (notice.family_name, notice.given_name):
        differing.append(Mismatch.NAME)
    if member.birth_date != notice.birth_date:
        differing.append(Mismatch.BIRTH_DATE)
    if member.sex != notice.sex:
        differing.append(Mismatch.SEX)
    return Collation(member, tuple(differing))


def _by_name_and_birth(koseki: Koseki, notice: FuhyoNoticeBody) -> Member | None:
    return next(
        (
            m
            for m in koseki.present()
            if (m.family_name, m.given_name, m.birth_date)
            == (notice.family_name, notice.given_name, notice.birth_date)
        ),
        None,
    )


def apply_notice(member: Member, notice: FuhyoNoticeBody) -> None:
    """Write an accepted notice onto the member's 附票: 住民票コード and the 住所 line."""
    if notice.juminhyo_code is not None:
        member.juminhyo_code = notice.juminhyo_code
    member.record_address(
        AddressEntry(
            address=notice.address,
            address_since=notice.address_since,
            moved_abroad=notice.moved_abroad,
            abroad_country=notice.abroad_country,
        )
    )
