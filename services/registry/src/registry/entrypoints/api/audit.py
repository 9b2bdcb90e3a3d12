"""Endpoints for auditors (監査): the access log and its analyses (spec 10.2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from jumin_platform.access_log import Checkpoint
from jumin_platform.auth import Role, Staff, require_roles
from jumin_platform.checkpoint_witness import CheckpointNotSent
from jumin_platform.problems import PROBLEM_RESPONSES, problem_response
from pydantic import BaseModel, Field

from registry.adapters.audit_queries import AuditQueries, Window
from registry.domain.errors import RuleViolation
from registry.domain.office_calendar import closed_days
from registry.entrypoints.api.dependencies import PlainText, RegistryDep

router = APIRouter(prefix="/audit", tags=["監査 (audit)"], responses=PROBLEM_RESPONSES)

Auditor = Annotated[Staff, Depends(require_roles(Role.AUDITOR))]
SEARCH_FUNCTIONS = ["search_residents", "search_residents_by_my_number"]
MAX_RANGE = timedelta(days=366)
DEFAULT_VERIFY_ROWS = 5_000
MAX_VERIFY_ROWS = 20_000
"""Rows one verify call recomputes at most: about 0.3 s at ~60,000 rows a second on two cores,
all of it Python on the event loop (100,000 rows per call timed out twice inside CI's fuzzing)."""
JST = ZoneInfo("Asia/Tokyo")
# Log times are sought within these years: at the calendar's ends (0001, 9999) converting to UTC
# or looking a day past the range (off-hours) overflows, which was a 500.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)


class AccessEntryOut(BaseModel):
    """One access-log row (アクセスログ)."""

    seq: int = Field(description="連番")
    occurred_at: datetime = Field(description="日時")
    operator: str | None = Field(description="操作者ID (認証失敗はなし)")
    terminal: str | None = Field(description="端末名")
    function: str = Field(description="機能名")
    subjects: list[str] = Field(description="処理対象者の宛名番号")
    my_number_accessed: bool = Field(description="個人番号へのアクセス有無")
    outcome: str = Field(description="結果")
    status_code: int | None
    trace_id: str | None


class MassSearchOut(BaseModel):
    """An operator's searches in one hour at or above the threshold (大量検索)."""

    operator: str | None = Field(description="操作者ID")
    hour_local: datetime = Field(description="時間帯 (日本時間)")
    searches: int = Field(description="検索回数")
    people: int = Field(description="表示された住民の数")


class ChainOut(BaseModel):
    """Result of recomputing (a window of) the access log's hash chain (改ざん検知)."""

    ok: bool = Field(description="改ざんなし (この範囲)")
    rows: int = Field(description="検証した行数")
    first_bad_seq: int | None = Field(description="最初に不整合が見つかった連番")
    problem: str | None = Field(description="不整合の内容")
    last_seq: int = Field(description="検証した最後の連番")
    head_seq: int | None = Field(description="検証開始時点の最新の連番")
    complete: bool = Field(description="最新の行まで検証したか (false: next から続ける)")
    next: str | None = Field(
        description="続きの検証の起点 (チェックポイント seq:hash)。after に渡す"
    )


class CheckpointOut(BaseModel):
    """A signed checkpoint sent to the witness (署名付きチェックポイント)."""

    log: str = Field(description="ログ (`registry.access_log`)")
    seq: int = Field(description="この時点の最新の連番")
    row_hash: str = Field(description="その行のハッシュ")
    taken_at: datetime = Field(description="取得日時")
    key_id: str = Field(description="署名鍵ID")
    line: str = Field(description="`seq:hash` (`audit verify --expect` に渡せる)")


def _aware(moment: datetime) -> datetime:
    """Read a time given without an offset as Japan time (the ward's own)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=JST)


def _window(start: datetime, end: datetime, limit: int, offset: int) -> Window:
    start, end = _aware(start), _aware(end)
    if start < EARLIEST or end > LATEST:
        raise RuleViolation(
            "期間は1900年から2999年の間で指定してください / give a range within 1900–2999"
        )
    if end <= start or end - start > MAX_RANGE:
        raise RuleViolation(
            "期間は開始 < 終了、1年以内で指定してください / give a range of at most one year"
        )
    return Window(start=start, end=end, limit=limit, offset=offset)


FromQuery = Annotated[
    datetime, Query(alias="from", description="開始日時 (含む、時差なしは日本時間)")
]
ToQuery = Annotated[
    datetime, Query(alias="to", description="終了日時 (含まない、時差なしは日本時間)")
]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


async def _run(registry: RegistryDep, call: Any) -> Any:
    async with registry.pool.acquire() as connection:
        return await call(AuditQueries(connection))


@router.get("/access-log", summary="アクセスログの検索")
async def access_log(
    registry: RegistryDep,
    staff: Auditor,
    start: FromQuery,
    end: ToQuery,
    operator: Annotated[PlainText | None, Query(max_length=64, description="操作者ID")] = None,
    atena_no: Annotated[str | None, Query(pattern=r"^[0-9]{10}$", description="宛名番号")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[AccessEntryOut]:
    window = _window(start, end, limit, offset)
    rows = await _run(registry, lambda q: q.entries(window, operator=operator, atena_no=atena_no))
    return [AccessEntryOut(**r) for r in rows]


@router.get("/off-hours", summary="深夜・休業日におけるアクセス一覧")
async def off_hours(
    registry: RegistryDep,
    staff: Auditor,
    start: FromQuery,
    end: ToQuery,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[AccessEntryOut]:
    settings = registry.settings
    window = _window(start, end, limit, offset)
    days = closed_days(start.date() - timedelta(days=1), end.date() + timedelta(days=1))
    rows = await _run(
        registry,
        lambda q: q.off_hours(
            window,
            closed_days=days,
            opens=settings.office_opens,
            closes=settings.office_closes,
        ),
    )
    return [AccessEntryOut(**r) for r in rows]


@router.get("/mass-searches", summary="大量検索実行一覧")
async def mass_searches(
    registry: RegistryDep,
    staff: Auditor,
    start: FromQuery,
    end: ToQuery,
    threshold: Annotated[int, Query(ge=1, le=100_000, description="1時間あたりの検索回数")] = 50,
) -> list[MassSearchOut]:
    window = _window(start, end, 1, 0)
    rows = await _run(
        registry,
        lambda q: q.mass_searches(window, functions=SEARCH_FUNCTIONS, threshold=threshold),
    )
    # hour_local comes back without an offset; it is Japan time, so say so (RFC 3339)
    return [MassSearchOut(**{**r, "hour_local": _aware(r["hour_local"])}) for r in rows]


@router.get("/my-number-access", summary="個人番号へのアクセス一覧")
async def my_number_access(
    registry: RegistryDep,
    staff: Auditor,
    start: FromQuery,
    end: ToQuery,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[AccessEntryOut]:
    window = _window(start, end, limit, offset)
    rows = await _run(registry, lambda q: q.my_number_access(window))
    return [AccessEntryOut(**r) for r in rows]


@router.get("/failed-authentications", summary="ログイン失敗一覧")
async def failed_authentications(
    registry: RegistryDep,
    staff: Auditor,
    start: FromQuery,
    end: ToQuery,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[AccessEntryOut]:
    window = _window(start, end, limit, offset)
    rows = await _run(registry, lambda q: q.failed_authentications(window))
    return [AccessEntryOut(**r) for r in rows]


AfterQuery = Annotated[
    str | None,
    Query(
        pattern=r"^[0-9]{1,18}:[0-9a-fA-F]{64}$",
        description="起点のチェックポイント (seq:hash、`audit checkpoint` または前回の next)。"
        "省略時は最初の行から",
    ),
]
VerifyLimit = Annotated[int, Query(ge=1, le=MAX_VERIFY_ROWS, description="一度に検証する最大行数")]


@router.get(
    "/access-log/verify",
    summary="アクセスログの改ざん検知 (hash chain)",
    description="Recompute the chain from a checkpoint (or the first row) over at most `limit`"
    " rows. A long log is verified window by window: pass the answer's `next` as `after` until"
    " `complete`. The full log is verified offline with `jumin-registry audit verify`.",
)
async def verify_chain(
    registry: RegistryDep,
    staff: Auditor,
    after: AfterQuery = None,
    limit: VerifyLimit = DEFAULT_VERIFY_ROWS,
) -> ChainOut:
    anchor = Checkpoint.parse(after) if after is not None else None
    async with registry.pool.acquire() as connection:
        report = await registry.access_log.verify(connection, after=anchor, limit=limit)
    return ChainOut(
        ok=report.ok,
        rows=report.rows,
        first_bad_seq=report.first_bad_seq,
        problem=report.problem,
        last_seq=report.last_seq,
        head_seq=report.head_seq,
        complete=report.complete,
        next=report.next,
    )


@router.post(
    "/access-log/checkpoints",
    status_code=201,
    summary="チェックポイントの発行 (sign the log's head and send it to the witness now)",
    description="Sign the access log's current head (seq, hash, time) with the checkpoint key ring"
    " and publish it to the witness (audit_witness), which keeps it where the registry cannot"
    " rewrite it; `jumin-registry audit verify` then reports rows deleted after it. The active"
    " relay also publishes one every `JUMIN_REGISTRY_CHECKPOINT_INTERVAL_SECONDS`.",
    response_model=CheckpointOut,
    responses={
        503: {**PROBLEM_RESPONSES[409], "description": "送信できません (broker unreachable)"}
    },
)
async def publish_checkpoint(registry: RegistryDep, staff: Auditor) -> CheckpointOut | JSONResponse:
    try:
        async with registry.pool.acquire() as connection:
            signed = await registry.checkpoints.publish_now(connection)
    except CheckpointNotSent:
        return problem_response(
            503,
            "Service Unavailable",
            "チェックポイントを送信できません。しばらくしてから再度実行してください。"
            " (The checkpoint could not be sent to the witness; try again later.)",
        )
    return CheckpointOut(
        log=signed.log,
        seq=signed.seq,
        row_hash=signed.row_hash,
        taken_at=signed.taken_at,
        key_id=signed.key_id,
        line=signed.checkpoint.line,
    )
