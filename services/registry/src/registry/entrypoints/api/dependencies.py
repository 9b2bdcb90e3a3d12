"""FastAPI dependencies: the composition root's objects and staff roles per endpoint."""

from __future__ import annotations

import functools
from collections.abc import Container
from typing import Annotated

from fastapi import Depends, Request
from jumin_contracts.characters import ANY_GAIJI, TextKind, check_text
from jumin_platform.auth import Role, Staff, require_roles
from pydantic import AfterValidator

from registry.bootstrap import Registry


def get_registry(request: Request) -> Registry:
    """Return the registry built at start-up."""
    registry: Registry = request.app.state.registry
    return registry


RegistryDep = Annotated[Registry, Depends(get_registry)]
Clerk = Annotated[Staff, Depends(require_roles(Role.CLERK))]
Reviewer = Annotated[Staff, Depends(require_roles(Role.REVIEWER))]
ChangeReader = Annotated[Staff, Depends(require_roles(Role.CLERK, Role.REVIEWER))]
RecordReader = Annotated[Staff, Depends(require_roles(Role.VIEWER, Role.CLERK, Role.REVIEWER))]


def _text(kind: TextKind, gaiji: Container[str]) -> AfterValidator:
    return AfterValidator(functools.partial(check_text, kind=kind, gaiji=gaiji))


PlainText = Annotated[str, _text(TextKind.FREE, ())]
"""Free text of one line: control, bidi, zero-width, format, unassigned, surrogate and
private-use characters are refused, naming the position and code point (NUL among them:
PostgreSQL text cannot hold it)."""
MultilineText = Annotated[str, _text(TextKind.MULTILINE, ())]
"""Free text that may break lines (理由): as `PlainText`, LF allowed."""
SearchText = Annotated[str, _text(TextKind.FREE, ANY_GAIJI)]
"""A search term: as `PlainText`, but a 外字 may be searched for (an unregistered one finds nobody)."""
