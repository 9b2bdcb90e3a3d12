"""Pieces of the operator API's view of 整合性確認 results shared by the adapters."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["MismatchOut"]


class MismatchOut(BaseModel):
    """A person whose record differs: their person key and the items' names (never values)."""

    person_key: str
    fields: list[str] = Field(description="names of the items that differ")
