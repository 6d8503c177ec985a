"""Service configuration from environment variables or a JSON settings file.

Environment variables (each overrides the same key of the settings file):

* ``IMRCHECK_SETTINGS`` - path of a JSON file with any of the keys below (lower case, without the prefix).
* ``IMRCHECK_API_TOKEN`` (``api_token``) - when set, ``POST /api/check`` needs ``Authorization: Bearer <token>``.
* ``IMRCHECK_CDS_ISSUERS`` (``cds_issuers``) - JSON object: EHR issuer (the JWT ``iss``) -> its JWK Set, given
  inline (``{"keys": [...]}``) or as the path of a JWKS file. When set, every CDS Hooks call (discovery too)
  needs a JWT signed by a key of an allowed issuer; when unset, CDS Hooks calls are not authenticated.
* ``IMRCHECK_PUBLIC_URL`` (``public_url``) - the service's base URL as the EHR calls it (e.g.
  ``https://imrcheck.example.org``): the expected JWT ``aud`` and the base of the links in cards. Default: the
  URL of the incoming request.
* ``IMRCHECK_MAX_BODY_BYTES`` (``max_body_bytes``) - larger request bodies get 413 (default 10000000: room for a PDF note of a few MB).
* ``IMRCHECK_STORE_SIZE`` (``store_size``) - results kept in memory for ``/result/{id}`` links (default 500).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional


class SettingsError(ValueError):
    """The configuration cannot be used (a clear message, shown at start-up)."""


@dataclass(frozen=True)
class Settings:
    api_token: Optional[str] = None
    cds_issuers: dict[str, dict[str, Any]] = field(default_factory=dict)  # issuer -> JWK Set
    public_url: Optional[str] = None
    max_body_bytes: int = 10_000_000
    store_size: int = 500

    @property
    def cds_auth_required(self) -> bool:
        return bool(self.cds_issuers)


def _jwks(issuer: str, value: Any, base: Path) -> dict[str, Any]:
    if isinstance(value, str):
        path = Path(value).expanduser()
        if not path.is_absolute():
            path = base / path
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise SettingsError(f"cds_issuers[{issuer!r}]: cannot read the JWKS file {path}: {exc.strerror}") from None
        except ValueError as exc:
            raise SettingsError(f"cds_issuers[{issuer!r}]: {path} is not JSON: {exc}") from None
    if not isinstance(value, dict) or not isinstance(value.get("keys"), list) or not value["keys"]:
        raise SettingsError(f"cds_issuers[{issuer!r}]: expected a JWK Set {{\"keys\": [...]}} with at least one key")
    return value


def load_settings(environ: Optional[dict[str, str]] = None) -> Settings:
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    base = Path.cwd()
    if env.get("IMRCHECK_SETTINGS"):
        path = Path(env["IMRCHECK_SETTINGS"]).expanduser()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise SettingsError(f"IMRCHECK_SETTINGS: cannot read {path}: {exc.strerror}") from None
        except ValueError as exc:
            raise SettingsError(f"IMRCHECK_SETTINGS: {path} is not JSON: {exc}") from None
        if not isinstance(raw, dict):
            raise SettingsError(f"IMRCHECK_SETTINGS: {path} must hold a JSON object")
        unknown = set(raw) - {"api_token", "cds_issuers", "public_url", "max_body_bytes", "store_size"}
        if unknown:
            raise SettingsError(f"IMRCHECK_SETTINGS: unknown key(s) {', '.join(sorted(unknown))}")
        base = path.resolve().parent
    for key in ("api_token", "public_url", "max_body_bytes", "store_size"):
        if env.get(f"IMRCHECK_{key.upper()}"):
            raw[key] = env[f"IMRCHECK_{key.upper()}"]
    if env.get("IMRCHECK_CDS_ISSUERS"):
        try:
            raw["cds_issuers"] = json.loads(env["IMRCHECK_CDS_ISSUERS"])
        except ValueError as exc:
            raise SettingsError(f"IMRCHECK_CDS_ISSUERS is not JSON: {exc}") from None
    issuers = raw.get("cds_issuers") or {}
    if not isinstance(issuers, dict):
        raise SettingsError("cds_issuers must be an object: issuer -> JWK Set or JWKS file path")
    ints = {}
    for key, default in (("max_body_bytes", 10_000_000), ("store_size", 500)):
        try:
            ints[key] = int(raw.get(key, default))
        except (TypeError, ValueError):
            raise SettingsError(f"{key} must be a whole number, not {raw.get(key)!r}") from None
        if ints[key] < 1:
            raise SettingsError(f"{key} must be at least 1")
    public_url = (raw.get("public_url") or "").rstrip("/") or None
    return Settings(api_token=raw.get("api_token") or None,
                    cds_issuers={iss: _jwks(iss, v, base) for iss, v in issuers.items()},
                    public_url=public_url, **ints)
