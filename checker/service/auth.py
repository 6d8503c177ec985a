"""Authentication: the JSON API's bearer token, and CDS Hooks client JWTs (CDS Hooks 2.0, "Trusting CDS Clients").

A CDS client (the EHR) signs a JWT for every call and sends it as ``Authorization: Bearer <jwt>``. We accept it when

* its ``iss`` is an issuer on the allow-list (``Settings.cds_issuers``),
* its signature verifies with a key of that issuer's configured JWK Set (picked by ``kid``; keys are never
  fetched from ``jku``: the service works on a closed network),
* it uses an asymmetric algorithm (RS/PS/ES 256-512; CDS Hooks requires ES384 and RS384),
* ``aud`` is the URL of the endpoint being called, ``exp`` is in the future, ``iat`` is present and ``jti`` is a
  non-empty string not seen before from that issuer (replays are refused while the token is unexpired; the memory
  is per worker process).
"""
from __future__ import annotations

import hmac
import threading
import time
from collections import OrderedDict
from typing import Any, Optional

import jwt

from .settings import Settings

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
LEEWAY_SECONDS = 30


class AuthError(Exception):
    """Missing or invalid credentials: answered with 401."""


def bearer(authorization: Optional[str]) -> Optional[str]:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def check_api_token(authorization: Optional[str], settings: Settings) -> None:
    if settings.api_token is None:
        return
    token = bearer(authorization)
    if token is None:
        raise AuthError("missing bearer token")
    if not hmac.compare_digest(token.encode(), settings.api_token.encode()):
        raise AuthError("invalid token")


class _SeenJti:
    """jti values seen per issuer until their token expires (bounded)."""

    def __init__(self, maxsize: int = 100_000):
        self.maxsize = maxsize
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, iss: str, jti: str, exp: float) -> bool:
        now = time.time()
        with self._lock:
            while self._seen and (len(self._seen) >= self.maxsize or next(iter(self._seen.values())) < now - LEEWAY_SECONDS):
                self._seen.popitem(last=False)
            if (iss, jti) in self._seen:
                return False
            self._seen[(iss, jti)] = exp
            return True


class CdsJwtVerifier:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._keys: dict[str, list[jwt.PyJWK]] = {}
        for iss, jwks in settings.cds_issuers.items():
            try:
                self._keys[iss] = list(jwt.PyJWKSet.from_dict(jwks).keys)
            except jwt.PyJWTError as exc:
                from .settings import SettingsError

                raise SettingsError(f"cds_issuers[{iss!r}]: unusable JWK Set: {exc}") from None
        self._seen = _SeenJti()

    def verify(self, authorization: Optional[str], audience: list[str]) -> Optional[dict[str, Any]]:
        """The token's claims, or None when CDS Hooks authentication is not configured. Raises AuthError."""
        if not self.settings.cds_auth_required:
            return None
        token = bearer(authorization)
        if token is None:
            raise AuthError("missing bearer token")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise AuthError(f"malformed token: {exc}") from None
        iss = unverified.get("iss")
        if not isinstance(iss, str) or iss not in self._keys:
            raise AuthError("issuer not allowed")
        if header.get("alg") not in ALGORITHMS:
            raise AuthError(f"algorithm {header.get('alg')!r} not accepted")
        keys = self._keys[iss]
        kid = header.get("kid")
        candidates = [k for k in keys if kid is None or k.key_id == kid]
        if not candidates:
            raise AuthError("no key of the issuer matches the token's kid")
        last: Optional[Exception] = None
        for k in candidates:
            try:
                claims = jwt.decode(token, k.key, algorithms=[header["alg"]], audience=audience, issuer=iss,
                                    leeway=LEEWAY_SECONDS, options={"require": ["iss", "aud", "exp", "iat", "jti"]})
                break
            except jwt.InvalidSignatureError as exc:
                last = exc
            except jwt.PyJWTError as exc:
                raise AuthError(str(exc)) from None
        else:
            raise AuthError(f"signature verification failed: {last}")
        if not isinstance(claims.get("jti"), str) or not claims["jti"]:
            raise AuthError("jti must be a non-empty string")
        if not self._seen.add(iss, claims["jti"], float(claims["exp"])):
            raise AuthError("token already used (jti replay)")
        return claims
