"""Variant pairs of CJK characters (異体字) from Unicode's Unihan database, for 軽微な修正.

The data file holds the lines of Unihan_Variants.txt (Unicode 15.0.0, as shipped by Debian's
``unicode-data``) for kZVariant (same character, different glyph), kSemanticVariant and
kSpecializedSemanticVariant. kTraditionalVariant / kSimplifiedVariant are left out on purpose:
Chinese simplification is not a Japanese 字体 (後 → 后 changes the name). To regenerate::

    bzcat /usr/share/unicode/Unihan_Variants.txt.bz2 | awk -F'\\t' \\
      '$2=="kZVariant"||$2=="kSemanticVariant"||$2=="kSpecializedSemanticVariant" \\
       {v=$3; gsub(/<[^ ]*/,"",v); print $1"\\t"$2"\\t"v}'
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

_DATA = "data/unihan_variants.txt"


def _char(code_point: str) -> str:
    return chr(int(code_point.removeprefix("U+"), 16))


@cache
def _pairs() -> frozenset[tuple[str, str]]:
    text = files("registry.adapters").joinpath(_DATA).read_text(encoding="utf-8")
    pairs: set[tuple[str, str]] = set()
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        source, _field, targets = line.split("\t")
        for target in targets.split():
            pairs.add((_char(source), _char(target)))
    return frozenset(pairs)


def unihan_variants(a: str, b: str) -> bool:
    """Say whether Unihan records *b* as a variant of *a* (kZ, semantic, specialised semantic)."""
    return (a, b) in _pairs()
