"""The CS 電文 as models: envelopes, message bodies by type, notification bodies."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from jumin_simulator.formats import (
    ChangeReason,
    JuminhyoCode,
    MunicipalityCode,
    MyNumber,
    Name,
    RecordStatus,
    RequiredText,
    Sex,
    Text,
    WireDate,
)
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

MessageType = Literal["identity", "fuhyo_notice", "my_number_request", "moveout_certificate"]


class CsModel(BaseModel):
    """Refuse unknown items: a field CS should not get is an error, not a surprise."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Envelope(CsModel):
    """One transmission (送信電文) from the ward; `body` is checked by `type` afterwards."""

    type: MessageType
    event_id: UUID
    municipality_code: MunicipalityCode
    sent_at: AwareDatetime
    body: dict[str, object]


class IdentityBody(CsModel):
    """本人確認情報 (住基法30条の6)."""

    juminhyo_code: JuminhyoCode
    my_number: MyNumber | None = None
    family_name: Name | None = None
    given_name: Name | None = None
    family_name_kana: Name | None = None
    given_name_kana: Name | None = None
    former_surname: Name | None = None
    former_surname_kana: Name | None = None
    alias: Name | None = None
    alias_kana: Name | None = None
    name_alphabet: Name | None = None
    birth_date: WireDate
    sex: Sex
    address: Text | None = None
    record_status: RecordStatus
    change_reason: ChangeReason
    change_date: WireDate
    previous_juminhyo_code: JuminhyoCode | None = None  # 住民票コードの変更 (住基法30条の4)


class FuhyoNoticeBody(CsModel):
    """戸籍附票記載事項通知 (住基法19条) for a 本籍 outside the ward."""

    destination_municipality: RequiredText
    destination_municipality_code: MunicipalityCode | None = None
    honseki: Text | None = None
    hittosha: Name | None = None
    family_name: Name | None = None
    given_name: Name | None = None
    address: Text | None = None
    moved_abroad: bool = False
    abroad_country: Name | None = None
    address_since: WireDate | None = None
    birth_date: WireDate | None = None
    sex: Sex | None = None
    juminhyo_code: JuminhyoCode
    change_reason: ChangeReason
    change_date: WireDate


class MyNumberRequestBody(CsModel):
    """個人番号生成要求 (spec 7.1.2.1): 新規付番 or 変更請求."""

    juminhyo_code: JuminhyoCode
    reason: Literal["new", "change"]


class MoveoutCertificateBody(CsModel):
    """転出証明書情報 (住基法24条の2, 特例転出)."""

    juminhyo_code: JuminhyoCode
    my_number: MyNumber | None = None
    family_name: Name | None = None
    given_name: Name | None = None
    birth_date: WireDate | None = None
    sex: Sex | None = None
    address: Text | None = None
    destination: Text | None = None
    planned_on: WireDate
    head_name: Name | None = None
    relationship: Name | None = None
    change_reason: ChangeReason
    change_date: WireDate


MessageBody = IdentityBody | FuhyoNoticeBody | MyNumberRequestBody | MoveoutCertificateBody

BODY_MODELS: dict[str, type[MessageBody]] = {
    "identity": IdentityBody,
    "fuhyo_notice": FuhyoNoticeBody,
    "my_number_request": MyNumberRequestBody,
    "moveout_certificate": MoveoutCertificateBody,
}


class MyNumberGenerated(CsModel):
    """個人番号生成の応答: the number J-LIS generated for a 生成要求."""

    juminhyo_code: JuminhyoCode
    my_number: MyNumber
    request_receipt_no: str


class MoveInNotice(CsModel):
    """転入通知 (住基法9条1項) from the municipality the person moved to."""

    juminhyo_code: JuminhyoCode
    moved_in_on: WireDate
    new_address: Text
    new_municipality_code: MunicipalityCode


class FreeCodeRequest(CsModel):
    """空き住民票コードの払出し要求."""

    count: int = Field(ge=1, le=10_000)
