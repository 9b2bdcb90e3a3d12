"""The 戸籍附票システム's refusals and 照合結果 codes (INTERFACE.md); each says whether a retry helps."""

from __future__ import annotations

from jumin_simulator.errors import CodedError

from koseki_simulator.domain.fuhyo import Mismatch

ERROR_CODES: dict[str, tuple[int, str]] = {
    "E-FORMAT": (400, "電文・パラメータの形式誤り (malformed; `errors` names the fields)"),
    "E-KEY-REUSED": (409, "冪等キーの再利用 (the key was used for another notice)"),
    "E-KOSEKI-EXISTS": (409, "転籍先に同じ戸籍の表示の戸籍があります (test API)"),
    "E-KOSEKI-UNKNOWN": (422, "照合不一致: その本籍・筆頭者の戸籍はありません (permanent)"),
    "E-PERSON-UNKNOWN": (422, "照合不一致: その戸籍にその者はいません (permanent)"),
    "E-NAME-MISMATCH": (422, "照合不一致: 氏名が戸籍と異なります (permanent)"),
    "E-BIRTH-DATE-MISMATCH": (422, "照合不一致: 出生の年月日が戸籍と異なります (permanent)"),
    "E-SEX-MISMATCH": (422, "照合不一致: 男女の別が戸籍と異なります (permanent)"),
    "E-REJECTED": (422, "受付拒否 (fault injection: the system refuses this person)"),
    "E-BUSY": (503, "混雑 (fault injection, also a lost reply; retry later)"),
    "E-DOWN": (503, "停止中 (fault injection; the system is down)"),
}
"""Each error code with its HTTP status and what it means."""

MISMATCH_CODES = tuple(m.code for m in Mismatch)

_MISMATCH_DETAIL = {
    Mismatch.KOSEKI_UNKNOWN: "通知の戸籍の表示 (本籍・筆頭者) の戸籍がありません。",
    Mismatch.PERSON_UNKNOWN: "通知の者が戸籍にありません。",
    Mismatch.NAME: "通知の氏名が戸籍と一致しません。",
    Mismatch.BIRTH_DATE: "通知の出生の年月日が戸籍と一致しません。",
    Mismatch.SEX: "通知の男女の別が戸籍と一致しません。",
}


def mismatch(codes: tuple[str, ...], *, receipt_no: str, replayed: bool) -> CodedError:
    """The 照合結果 of a received notice that disagrees with the 附票: permanent for this person.

    The first code is the answer's `code`; `mismatches` lists every one (no values)."""
    first = next(m for m in Mismatch if m.code == codes[0])
    detail = f"{_MISMATCH_DETAIL[first]} (The notice disagrees with the 戸籍: {first.item}.)"
    extra = {"mismatches": list(codes), "receipt_no": receipt_no, "replayed": replayed}
    return CodedError(422, first.code, detail, extra=extra)


def unknown(what: Mismatch) -> CodedError:
    """A test-API event names a 戸籍 or person the system does not hold."""
    return CodedError(422, what.code, _MISMATCH_DETAIL[what])


def koseki_exists() -> CodedError:
    """A 転籍 would land on a 戸籍 the system already holds."""
    return CodedError(409, "E-KOSEKI-EXISTS", "転籍先に同じ戸籍の表示の戸籍があります。")


def rejected() -> CodedError:
    """The system refuses this person (fault injection 'reject people'): permanent."""
    detail = "戸籍附票システムがこの住民票コードの通知を受け付けません。 (Refused for this person.)"
    return CodedError(422, "E-REJECTED", detail)
