from __future__ import annotations

import time
import uuid
from typing import Any, Optional

import pytest

fastapi = pytest.importorskip("fastapi", reason="the service needs fastapi (pip install -e '.[test]')")
jwt = pytest.importorskip("jwt", reason="the service needs PyJWT[crypto]")

from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from checker.service.app import create_app  # noqa: E402
from checker.service.settings import Settings  # noqa: E402

ISSUER = "https://ehr.example.org"
SERVICE_URL = "http://testserver/cds-services/imrcheck-order-sign"


@pytest.fixture(scope="session")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def ec_key():
    return ec.generate_private_key(ec.SECP384R1())


def public_jwk(key, kid: str) -> dict[str, Any]:
    import json

    from jwt.algorithms import ECAlgorithm, RSAAlgorithm

    alg = RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else ECAlgorithm
    jwk = json.loads(alg.to_jwk(key.public_key()))
    jwk["kid"] = kid
    return jwk


def make_token(key, kid: str = "rsa-1", alg: str = "RS384", iss: str = ISSUER, aud: Any = SERVICE_URL,
               exp_in: int = 300, jti: Optional[str] = "auto", drop: tuple[str, ...] = ()) -> str:
    now = int(time.time())
    claims = {"iss": iss, "aud": aud, "exp": now + exp_in, "iat": now, "jti": str(uuid.uuid4()) if jti == "auto" else jti}
    for k in drop:
        claims.pop(k, None)
    if jti is None:
        claims.pop("jti")
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


@pytest.fixture(scope="session")
def open_client():
    """No authentication configured."""
    with TestClient(create_app(Settings())) as c:
        yield c


@pytest.fixture(scope="session")
def secured_settings(rsa_key, ec_key) -> Settings:
    return Settings(api_token="s3cret-token",
                    cds_issuers={ISSUER: {"keys": [public_jwk(rsa_key, "rsa-1"), public_jwk(ec_key, "ec-1")]}})


@pytest.fixture(scope="session")
def secured_client(secured_settings):
    with TestClient(create_app(secured_settings)) as c:
        yield c
