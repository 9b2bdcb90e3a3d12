"""FastAPI dependencies: the composition root's objects and staff roles per endpoint."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from jumin_platform.auth import Role, Staff, require_roles

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
NO_NUL = r"^[^\x00]*$"
"""Pattern for free-text query parameters: PostgreSQL text cannot hold NUL (it would be a 500)."""
