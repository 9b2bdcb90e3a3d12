"""Endpoints for 外字 (gaiji): register one (admin), list them (docs/domain.md, "Characters")."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status
from jumin_platform.auth import Role, Staff, require_roles
from jumin_platform.problems import PROBLEM_RESPONSES
from pydantic import Base64Bytes, BaseModel, ConfigDict, Field

from registry.domain.gaiji import GLYPH_MAX_BYTES, Gaiji
from registry.entrypoints.api.dependencies import MultilineText, RegistryDep
from registry.service_layer import characters

router = APIRouter(prefix="/gaiji", tags=["外字 (gaiji)"], responses=PROBLEM_RESPONSES)

Admin = Annotated[Staff, Depends(require_roles(Role.ADMIN))]
GaijiReader = Annotated[
    Staff, Depends(require_roles(Role.ADMIN, Role.CLERK, Role.REVIEWER, Role.VIEWER))
]


class GaijiIn(BaseModel):
    """外字登録: a private-use code point (or none: the next free one), glyph, reason, substitute."""

    model_config = ConfigDict(extra="forbid")
    code_point: str | None = Field(
        default=None,
        pattern=r"^U\+[0-9A-F]{4,6}$",
        description="符号位置 (私用領域, e.g. U+E000); 省略時は空いている最小の符号位置",
    )
    glyph_png: Base64Bytes = Field(
        description=f"字形画像 (PNG, base64; 16〜1024ピクセル四方, {GLYPH_MAX_BYTES // 1024}KiB以下)"
    )
    reason: Annotated[MultilineText, Field(min_length=1, max_length=500)] = Field(
        description="登録理由"
    )
    substitute: Annotated[str, Field(min_length=1, max_length=2)] = Field(
        description="代替文字: 最も近い文字情報基盤の漢字 (異体字セレクタ付きも可)"
    )


class GaijiOut(BaseModel):
    """One registered 外字."""

    code_point: str = Field(description="符号位置 (U+XXXX)")
    char: str = Field(description="外字 (私用領域の文字)")
    substitute: str = Field(description="代替文字 (文字情報基盤)")
    reason: str = Field(description="登録理由")
    glyph_png: str = Field(description="字形画像 (PNG, base64)")
    glyph_width: int
    glyph_height: int
    registered_by: str = Field(description="登録者")
    registered_at: datetime = Field(description="登録日時")


def _out(gaiji: Gaiji) -> GaijiOut:
    return GaijiOut(
        code_point=gaiji.code,
        char=gaiji.char,
        substitute=gaiji.substitute,
        reason=gaiji.reason,
        glyph_png=base64.b64encode(gaiji.glyph.png).decode("ascii"),
        glyph_width=gaiji.glyph.width,
        glyph_height=gaiji.glyph.height,
        registered_by=gaiji.registered_by,
        registered_at=gaiji.registered_at,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="外字を登録する",
    description="Register a character outside the MJ set at a private-use code point; names "
    "may hold it from then on. Recipients whose contract carries MJ characters only receive "
    "its substitute.",
)
async def register_gaiji(registry: RegistryDep, staff: Admin, body: GaijiIn) -> GaijiOut:
    gaiji = await characters.register_gaiji(
        uow=registry.uow(),
        code_point=None if body.code_point is None else int(body.code_point[2:], 16),
        glyph_png=body.glyph_png,
        reason=body.reason,
        substitute=body.substitute,
        staff_id=staff.user_id,
        clock=registry.clock,
    )
    return _out(gaiji)


@router.get("", summary="外字の一覧")
async def list_gaiji(registry: RegistryDep, staff: GaijiReader) -> list[GaijiOut]:
    return [_out(g) for g in await characters.list_gaiji(uow=registry.uow())]
