"""Staff authentication (職員認証) and role checks, end to end through a tiny FastAPI app."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import jwt
import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from jumin_platform.auth import (
    AuthenticationError,
    Role,
    Staff,
    TokenVerifier,
    current_staff,
    require_roles,
)
from jumin_platform.devkeys import generate_keypair, issue_token
from jumin_platform.problems import PROBLEM_MEDIA_TYPE, install_problem_handlers

ISSUER = "jumin-dev-idp"
AUDIENCE = "jumin-registry"


@dataclass(frozen=True)
class KeyPair:
    private_pem: str
    public_pem: str


def make_keypair(directory: Path) -> KeyPair:
    generate_keypair(directory / "private.pem", directory / "public.pem")
    return KeyPair(
        private_pem=(directory / "private.pem").read_text(),
        public_pem=(directory / "public.pem").read_text(),
    )


@pytest.fixture
def keys(tmp_path: Path) -> KeyPair:
    return make_keypair(tmp_path / "current")


@pytest.fixture
def other_keys(tmp_path: Path) -> KeyPair:
    return make_keypair(tmp_path / "other")


@pytest.fixture
def verifier(keys: KeyPair) -> TokenVerifier:
    return TokenVerifier(public_keys=[keys.public_pem], issuer=ISSUER, audience=AUDIENCE)


def token(keys: KeyPair, *roles: str, **overrides: Any) -> str:
    arguments: dict[str, Any] = {
        "private_key_pem": keys.private_pem,
        "sub": "staff-0042",
        "roles": list(roles),
        "issuer": ISSUER,
        "audience": AUDIENCE,
    }
    return issue_token(**(arguments | overrides))


def raw_token(keys: KeyPair, claims: dict[str, Any]) -> str:
    now = datetime.now(UTC)
    base = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + timedelta(hours=1)}
    return jwt.encode(base | claims, keys.private_pem, algorithm="EdDSA")


@pytest.fixture
def client(verifier: TokenVerifier) -> TestClient:
    app = FastAPI()
    app.state.token_verifier = verifier
    install_problem_handlers(app)

    @app.get("/whoami")
    async def whoami(staff: Annotated[Staff, Depends(current_staff)]) -> dict[str, Any]:
        return {"user_id": staff.user_id, "roles": sorted(staff.roles)}

    @app.post("/changes/1/approve")
    async def approve(
        staff: Annotated[Staff, Depends(require_roles(Role.REVIEWER))],
    ) -> dict[str, str]:
        return {"approved_by": staff.user_id}

    return TestClient(app)


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def assert_unauthorized(response: Any) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401


def test_request_without_token_is_401_problem_with_bearer_challenge(client: TestClient) -> None:
    response = client.post("/changes/1/approve")

    assert_unauthorized(response)
    assert response.headers["www-authenticate"] == "Bearer"
    assert "ログイン" in response.json()["detail"]


def test_expired_token_is_401_telling_the_clerk_to_sign_in_again(
    client: TestClient, keys: KeyPair
) -> None:
    expired = token(keys, "reviewer", ttl=timedelta(minutes=-5))

    response = client.post("/changes/1/approve", headers=bearer(expired))

    assert_unauthorized(response)
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert "有効期限" in response.json()["detail"]


def test_token_signed_with_an_unknown_key_is_401(client: TestClient, other_keys: KeyPair) -> None:
    response = client.post("/changes/1/approve", headers=bearer(token(other_keys, "reviewer")))

    assert_unauthorized(response)
    assert "署名" in response.json()["detail"]


def test_token_for_another_audience_is_401(client: TestClient, keys: KeyPair) -> None:
    foreign = token(keys, "reviewer", audience="jumin-certificates")

    assert_unauthorized(client.post("/changes/1/approve", headers=bearer(foreign)))


def test_garbage_token_is_401(client: TestClient) -> None:
    assert_unauthorized(client.get("/whoami", headers=bearer("not.a.jwt")))


def test_staff_without_the_role_is_403_problem(client: TestClient, keys: KeyPair) -> None:
    response = client.post("/changes/1/approve", headers=bearer(token(keys, "clerk", "viewer")))

    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert "reviewer" in response.json()["detail"]
    assert "権限" in response.json()["detail"]


def test_admin_is_not_implicitly_a_reviewer(client: TestClient, keys: KeyPair) -> None:
    response = client.post("/changes/1/approve", headers=bearer(token(keys, "admin")))

    assert response.status_code == 403


def test_staff_with_the_role_gets_through(client: TestClient, keys: KeyPair) -> None:
    response = client.post("/changes/1/approve", headers=bearer(token(keys, "reviewer")))

    assert response.status_code == 200
    assert response.json() == {"approved_by": "staff-0042"}


def test_current_staff_reports_identity_and_roles(client: TestClient, keys: KeyPair) -> None:
    response = client.get("/whoami", headers=bearer(token(keys, "viewer", "issuer")))

    assert response.json() == {"user_id": "staff-0042", "roles": ["issuer", "viewer"]}


def test_openapi_declares_the_bearer_scheme(client: TestClient) -> None:
    schemes = client.get("/openapi.json").json()["components"]["securitySchemes"]

    assert schemes["HTTPBearer"]["scheme"] == "bearer"


def test_tokens_from_the_old_and_new_key_both_verify_during_rotation(
    keys: KeyPair, other_keys: KeyPair
) -> None:
    rotating = TokenVerifier(
        public_keys=[other_keys.public_pem, keys.public_pem], issuer=ISSUER, audience=AUDIENCE
    )

    assert rotating.verify(token(keys, "clerk")).roles == {Role.CLERK}
    assert rotating.verify(token(other_keys, "auditor")).roles == {Role.AUDITOR}


def test_wrong_issuer_is_rejected(verifier: TokenVerifier, keys: KeyPair) -> None:
    with pytest.raises(AuthenticationError, match="発行元"):
        verifier.verify(token(keys, "clerk", issuer="someone-else"))


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"roles": ["clerk"]}, id="no-sub"),
        pytest.param({"sub": " ", "roles": ["clerk"]}, id="blank-sub"),
        pytest.param({"sub": "staff-1"}, id="no-roles"),
        pytest.param({"sub": "staff-1", "roles": "clerk"}, id="roles-not-a-list"),
        pytest.param({"sub": "staff-1", "roles": ["clerk", "superuser"]}, id="unknown-role"),
        pytest.param({"sub": "staff-1", "roles": [1]}, id="role-not-a-string"),
    ],
)
def test_token_with_bad_identity_claims_is_rejected(
    verifier: TokenVerifier, keys: KeyPair, claims: dict[str, Any]
) -> None:
    with pytest.raises(AuthenticationError):
        verifier.verify(raw_token(keys, claims))


def test_token_without_iat_is_rejected(verifier: TokenVerifier, keys: KeyPair) -> None:
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "s", "roles": ["clerk"]}
    claims_with_exp = claims | {"exp": datetime.now(UTC) + timedelta(hours=1)}
    unsigned_iat = jwt.encode(claims_with_exp, keys.private_pem, algorithm="EdDSA")

    with pytest.raises(AuthenticationError, match="iat"):
        verifier.verify(unsigned_iat)


def test_public_key_cannot_be_abused_as_an_hmac_secret(
    verifier: TokenVerifier, keys: KeyPair
) -> None:
    now = int(datetime.now(UTC).timestamp())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "roles": ["admin"], "iat": now}
    signing_input = b".".join(
        b64url(json.dumps(part).encode())
        for part in ({"alg": "HS256", "typ": "JWT"}, claims | {"exp": now + 3600})
    )
    signature = hmac.new(keys.public_pem.encode(), signing_input, hashlib.sha256).digest()
    forged = (signing_input + b"." + b64url(signature)).decode()

    with pytest.raises(AuthenticationError):
        verifier.verify(forged)


def b64url(raw: bytes) -> bytes:
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def test_symmetric_algorithms_are_refused_at_configuration(keys: KeyPair) -> None:
    with pytest.raises(ValueError, match="asymmetric"):
        TokenVerifier(
            public_keys=[keys.public_pem], issuer=ISSUER, audience=AUDIENCE, algorithms=("HS256",)
        )


def test_generated_private_key_is_owner_only_and_kept_on_rerun(tmp_path: Path) -> None:
    private, public = tmp_path / "keys" / "dev.pem", tmp_path / "keys" / "dev.pub.pem"
    generate_keypair(private, public)
    first = private.read_bytes()

    generate_keypair(private, public)

    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_bytes() == first
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
