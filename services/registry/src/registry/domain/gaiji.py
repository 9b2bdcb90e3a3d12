"""外字 (gaiji): a character the ward needs outside the MJ set, registered by an administrator.

A 外字 lives at a private-use code point, has a glyph image (PNG) that certificates print from, a
reason, and a substitute: the nearest MJ文字 (with its IVS, if any), sent to every recipient whose
contract carries MJ characters only (CS, 戸籍附票, 法務省, 中間サーバー).  We assume the substitute
stands for the 住基ネット統一文字 mapping CS needs (spec 7.1.1.1); docs/domain.md says so.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from jumin_contracts.characters import MJ, TextKind, find_problem, is_private_use
from PIL import Image, UnidentifiedImageError

from registry.domain.errors import RuleViolation

PRIVATE_USE_RANGES = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))
"""Where 外字 may be registered (the private-use areas of the BMP and planes 15-16)."""

GLYPH_MAX_BYTES = 256 * 1024
GLYPH_MIN_PIXELS = 16
GLYPH_MAX_PIXELS = 1024
"""A glyph is a real PNG of 16-1024 pixels a side, at most 256 KiB."""


@dataclass(frozen=True, kw_only=True)
class Glyph:
    """Hold a 外字's image: PNG bytes and their size in pixels."""

    png: bytes
    width: int
    height: int


@dataclass(frozen=True, kw_only=True)
class Gaiji:
    """Hold one registered 外字 (外字登録)."""

    code_point: int
    glyph: Glyph
    reason: str
    substitute: str  # the nearest MJ文字, with its IVS selector if any
    registered_by: str
    registered_at: datetime

    @property
    def char(self) -> str:
        """Return the 外字 as a one-character string."""
        return chr(self.code_point)

    @property
    def code(self) -> str:
        """Return the code point as U+XXXX."""
        return f"U+{self.code_point:04X}"


def is_gaiji_code_point(code_point: int) -> bool:
    """Say whether a code point lies in a private-use area (where 外字 are registered)."""
    return any(low <= code_point <= high for low, high in PRIVATE_USE_RANGES)


def check_code_point(code_point: int) -> None:
    """Refuse a code point outside the private-use areas."""
    if not is_gaiji_code_point(code_point) or not is_private_use(chr(code_point)):
        raise RuleViolation(
            f"U+{code_point:04X} は私用領域の符号位置ではありません / "
            "a 外字 must be registered at a private-use code point"
        )


def check_substitute(substitute: str) -> None:
    """Refuse a substitute that is not one MJ文字 (an MJ ideograph, or one with an MJ IVS)."""
    one_character = len(substitute) == 1 or (len(substitute) == 2 and substitute in MJ.sequences)
    if not one_character or substitute[0] not in MJ.ideographs:
        raise RuleViolation(
            "代替文字は文字情報基盤の漢字1文字 (異体字セレクタ付きも可) にしてください / "
            "the substitute must be one MJ ideograph (optionally with its IVS)"
        )
    problem = find_problem(substitute, TextKind.NAME, gaiji=())
    if problem is not None:
        raise RuleViolation(f"代替文字: {problem.message()}")


def read_glyph(png: bytes) -> Glyph:
    """Check that the bytes are a real PNG within the size bounds; return the glyph."""
    if not 0 < len(png) <= GLYPH_MAX_BYTES:
        raise RuleViolation(
            f"字形画像は{GLYPH_MAX_BYTES // 1024}KiB以下のPNGにしてください / "
            f"the glyph must be a PNG of at most {GLYPH_MAX_BYTES // 1024} KiB"
        )
    try:
        with Image.open(io.BytesIO(png), formats=["PNG"]) as image:
            image.verify()  # the chunks and their CRCs
        with Image.open(io.BytesIO(png), formats=["PNG"]) as image:
            width, height = image.size  # from the header: checked before decoding anything
            _check_size(width, height)
            image.load()  # decodes the pixels: a truncated stream fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise RuleViolation(
            "字形画像がPNGとして読めません / the glyph is not a readable PNG"
        ) from None
    return Glyph(png=png, width=width, height=height)


def _check_size(width: int, height: int) -> None:
    if not all(GLYPH_MIN_PIXELS <= side <= GLYPH_MAX_PIXELS for side in (width, height)):
        raise RuleViolation(
            f"字形画像は縦横{GLYPH_MIN_PIXELS}〜{GLYPH_MAX_PIXELS}ピクセルにしてください / "
            f"the glyph must be {GLYPH_MIN_PIXELS}-{GLYPH_MAX_PIXELS} pixels a side"
        )


def check_reason(reason: str) -> None:
    """Refuse an empty reason (登録理由)."""
    if not reason.strip():
        raise RuleViolation("登録理由を入力してください / a reason is required")
