"""Establish staff identity (職員認証) from bearer JWTs and guard endpoints by role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

__all__ = [
    "AuthenticationError",
    "AuthorizationError",
    "Role",
    "Staff",
    "TokenVerifier",
    "bearer_scheme",
    "current_staff",
    "require_roles",
]


class Role(StrEnum):
    """Name a staff role (職員の役割) carried in the token's `roles` claim."""

    CLERK = "clerk"
    """入力: enters changes as 仮登録."""
    REVIEWER = "reviewer"
    """審査・決裁: approves or rejects pending changes (本登録)."""
    VIEWER = "viewer"
    """照会: looks up residents."""
    ISSUER = "issuer"
    """証明発行: issues certificates."""
    AUDITOR = "auditor"
    """監査: reads the access log and delivery records."""
    ADMIN = "admin"
    """システム管理: operates the system; gets no other role implicitly."""
    SUPPORT_OFFICER = "support_officer"
    """支援措置責任者: sets and ends 支援措置 and may see the people they protect (spec 3.4)."""


@dataclass(frozen=True)
class Staff:
    """職員: the authenticated staff member behind a request."""

    user_id: str
    roles: frozenset[str]

    def has_any_role(self, roles: Iterable[str]) -> bool:
        """Tell whether this staff member holds at least one of `roles`."""
        return not self.roles.isdisjoint(roles)


class AuthenticationError(Exception):
    """Signal that the caller's identity could not be established (認証エラー → 401).

    `detail` is safe to show to the clerk; `error` is the RFC 6750 error code for the
    `WWW-Authenticate` header (None when no token was sent at all).
    """

    def __init__(self, detail: str, *, error: str | None = "invalid_token") -> None:
        super().__init__(detail)
        self.detail = detail
        self.error = error


class AuthorizationError(Exception):
    """Signal that the staff member lacks a role the operation needs (権限エラー → 403)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


_MISSING_TOKEN = (
    "認証トークンがありません。ログインしてください。 (Missing bearer token; please sign in.)"
)
_BAD_SIGNATURE = "認証トークンの署名を検証できません。 (The token signature could not be verified.)"
_EXPIRED = (
    "認証トークンの有効期限が切れています。再度ログインしてください。 "
    "(The token has expired; please sign in again.)"
)
_NOT_YET_VALID = "認証トークンはまだ有効ではありません。 (The token is not valid yet.)"
_WRONG_ISSUER = (
    "認証トークンの発行元が正しくありません。 (The token was not issued by the expected issuer.)"
)
_WRONG_AUDIENCE = (
    "このシステム向けの認証トークンではありません。 (The token is not meant for this system.)"
)
_BAD_ROLES = (
    "認証トークンの役割（roles）が正しくありません。 "
    "(The token's 'roles' claim must be a list of known roles.)"
)
_INVALID = "認証トークンが無効です。 (The token is invalid.)"
_ASYMMETRIC_PREFIXES = ("RS", "PS", "ES", "EdDSA")


class TokenVerifier:
    """Verify staff bearer tokens against the configured public keys (公開鍵).

    Several keys may be configured so that tokens signed with the old and the new key are both
    accepted while keys are rotated. Only asymmetric algorithms are allowed, so a public key can
    never be misused as an HMAC secret.
    """

    def __init__(
        self,
        *,
        public_keys: Sequence[str],
        issuer: str,
        audience: str,
        algorithms: tuple[str, ...] = ("EdDSA", "RS256", "ES256"),
        leeway_seconds: float = 30.0,
    ) -> None:
        if not public_keys:
            raise ValueError("TokenVerifier needs at least one public key")
        if not algorithms or not all(a.startswith(_ASYMMETRIC_PREFIXES) for a in algorithms):
            raise ValueError(f"only asymmetric JWT algorithms are allowed, got {algorithms!r}")
        self._keys: tuple[PublicKeyTypes, ...] = tuple(
            load_pem_public_key(pem.encode()) for pem in public_keys
        )
        self._issuer = issuer
        self._audience = audience
        self._algorithms = list(algorithms)
        self._leeway = leeway_seconds

    def verify(self, token: str) -> Staff:
        """Return the staff member a valid token names, or raise AuthenticationError."""
        claims = self._decode(token)
        if not isinstance(claims["sub"], str) or not claims["sub"].strip():
            raise AuthenticationError(_explain(jwt.MissingRequiredClaimError("sub")))
        return Staff(user_id=claims["sub"], roles=_parse_roles(claims.get("roles")))

    def _decode(self, token: str) -> dict[str, Any]:
        for key in self._keys:
            try:
                return self._decode_with(token, key)
            except (jwt.InvalidSignatureError, jwt.InvalidKeyError):
                continue  # signed with another configured key, or a key of another type
            except jwt.PyJWTError as exc:
                raise AuthenticationError(_explain(exc)) from exc
        raise AuthenticationError(_BAD_SIGNATURE)

    def _decode_with(self, token: str, key: PublicKeyTypes) -> dict[str, Any]:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,  # type: ignore[arg-type]  # PyJWT rejects key types unfit for the alg
            algorithms=self._algorithms,
            issuer=self._issuer,
            audience=self._audience,
            leeway=self._leeway,
            options={"require": ["exp", "iat", "sub"]},
        )
        return claims


def _explain(exc: jwt.PyJWTError) -> str:
    """Turn a PyJWT failure into a clerk-readable detail."""
    match exc:
        case jwt.ExpiredSignatureError():
            return _EXPIRED
        case jwt.ImmatureSignatureError():
            return _NOT_YET_VALID
        case jwt.InvalidIssuerError():
            return _WRONG_ISSUER
        case jwt.InvalidAudienceError():
            return _WRONG_AUDIENCE
        case jwt.MissingRequiredClaimError(claim=claim):
            return (
                f"認証トークンに必要な項目（{claim}）がありません。 "
                f"(The token lacks the required '{claim}' claim.)"
            )
        case _:
            return _INVALID


def _parse_roles(raw: object) -> frozenset[str]:
    """Check that the `roles` claim is a list of known role names."""
    if not isinstance(raw, list) or not all(isinstance(r, str) for r in raw):
        raise AuthenticationError(_BAD_ROLES)
    try:
        return frozenset(Role(r) for r in raw)
    except ValueError:
        raise AuthenticationError(_BAD_ROLES) from None


bearer_scheme = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="職員の認証トークン (staff JWT with a `roles` claim)",
)


async def current_staff(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
) -> Staff:
    """Authenticate the caller from `Authorization: Bearer …` and remember them on the request.

    The verifier is taken from `request.app.state.token_verifier`, set by the service's
    composition root.
    """
    if credentials is None:
        raise AuthenticationError(_MISSING_TOKEN, error=None)
    verifier = getattr(request.app.state, "token_verifier", None)
    if not isinstance(verifier, TokenVerifier):
        raise RuntimeError("app.state.token_verifier is not configured")
    staff = verifier.verify(credentials.credentials)
    request.state.staff = staff
    return staff


def require_roles(*roles: Role) -> Callable[..., Awaitable[Staff]]:
    """Build a dependency that admits staff holding at least one of `roles`.

    Roles are never implied: list `Role.ADMIN` explicitly where an administrator may act.
    """
    if not roles:
        raise ValueError("require_roles needs at least one role")
    allowed = frozenset(roles)
    names = ", ".join(sorted(allowed))

    async def staff_with_role(staff: Annotated[Staff, Depends(current_staff)]) -> Staff:
        if not staff.has_any_role(allowed):
            raise AuthorizationError(
                f"この操作を行う権限がありません（必要な役割: {names}）。 "
                f"(This operation requires one of the roles: {names}.)"
            )
        return staff

    return staff_with_role
