"""What the ward sends the 団体内統合宛名システム (宛名連携): one person's items in an envelope.

Formats follow the other simulators' 電文 (`jumin_simulator.formats`): 年月日 `YYYYMMDD` with
zeros for unknown parts, 性別 `"1"`/`"2"`, 記載・消除の別 `resident`/`removed`/`void`. Unknown items
are refused. The items are what the 統合宛名 needs to match the person (基本4情報, 住民票コード,
個人番号) and the 業務システム's own 宛名番号 it links to its 統合宛名番号 [S:j1150].
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from jumin_simulator.formats import (
    AtenaNo,
    JuminhyoCode,
    MunicipalityCode,
    MyNumber,
    Name,
    RecordStatus,
    Sex,
    Text,
    WireDate,
)
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

SystemCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{0,19}$")]
"""業務システム: which of the ward's systems the 宛名番号 belongs to (`juki` = 住民記録)."""

JUKI = "juki"
"""住民記録システム, the registry: the system that sends by default."""


class WireModel(BaseModel):
    """Refuse unknown items: a field the system should not get is an error, not a surprise."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonItems(WireModel):
    """One person as a 業務システム knows them (宛名情報)."""

    system: SystemCode = Field(default=JUKI, description="業務システム (juki: 住民記録)")
    atena_no: AtenaNo = Field(description="その業務システムの宛名番号 (住記宛名番号)")
    juminhyo_code: JuminhyoCode = Field(description="住民票コード")
    my_number: MyNumber | None = Field(
        default=None, description="個人番号 (null: not yet assigned, e.g. a newborn)"
    )
    family_name: Name = Field(min_length=1, description="氏")
    given_name: Name = Field(description="名")
    birth_date: WireDate = Field(description="生年月日")
    sex: Sex = Field(description="性別")
    address: Text = Field(description="住所")
    record_status: RecordStatus = Field(description="記載・消除の別")


class Envelope(WireModel):
    """One transmission from the ward (送信元: its 地方公共団体コード)."""

    event_id: UUID = Field(description="the registry event the 宛名連携 reports")
    municipality_code: MunicipalityCode
    sent_at: AwareDatetime
    body: PersonItems
