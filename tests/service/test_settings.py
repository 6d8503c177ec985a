"""Configuration from environment variables and a settings file."""
from __future__ import annotations

import json

import pytest

from checker.service.settings import SettingsError, load_settings

from .conftest import public_jwk


def test_defaults_require_no_authentication():
    s = load_settings({})
    assert s.api_token is None and not s.cds_auth_required and s.max_body_bytes == 10_000_000


def test_environment_with_inline_jwks_and_a_jwks_file(tmp_path, rsa_key, ec_key):
    (tmp_path / "ehr2.json").write_text(json.dumps({"keys": [public_jwk(ec_key, "ec-1")]}))
    env = {"IMRCHECK_API_TOKEN": "t", "IMRCHECK_PUBLIC_URL": "https://x.example/", "IMRCHECK_MAX_BODY_BYTES": "1000",
           "IMRCHECK_CDS_ISSUERS": json.dumps({"https://ehr1": {"keys": [public_jwk(rsa_key, "k")]},
                                               "https://ehr2": str(tmp_path / "ehr2.json")})}
    s = load_settings(env)
    assert s.api_token == "t" and s.public_url == "https://x.example" and s.max_body_bytes == 1000
    assert set(s.cds_issuers) == {"https://ehr1", "https://ehr2"} and s.cds_auth_required


def test_settings_file_with_relative_jwks_path_and_env_override(tmp_path, rsa_key):
    (tmp_path / "keys.json").write_text(json.dumps({"keys": [public_jwk(rsa_key, "k")]}))
    (tmp_path / "settings.json").write_text(json.dumps({"api_token": "from-file", "store_size": 10,
                                                        "cds_issuers": {"https://ehr": "keys.json"}}))
    s = load_settings({"IMRCHECK_SETTINGS": str(tmp_path / "settings.json"), "IMRCHECK_API_TOKEN": "from-env"})
    assert s.api_token == "from-env" and s.store_size == 10 and "https://ehr" in s.cds_issuers


@pytest.mark.parametrize("env, fragment", [
    ({"IMRCHECK_CDS_ISSUERS": "{not json"}, "not JSON"),
    ({"IMRCHECK_CDS_ISSUERS": json.dumps({"https://ehr": "/nonexistent/keys.json"})}, "cannot read"),
    ({"IMRCHECK_CDS_ISSUERS": json.dumps({"https://ehr": {"keys": []}})}, "at least one key"),
    ({"IMRCHECK_MAX_BODY_BYTES": "lots"}, "whole number"),
    ({"IMRCHECK_SETTINGS": "/nonexistent/settings.json"}, "cannot read"),
])
def test_bad_configuration_is_a_clear_error(env, fragment):
    with pytest.raises(SettingsError, match=fragment):
        load_settings(env)


def test_unknown_settings_key(tmp_path):
    (tmp_path / "s.json").write_text(json.dumps({"api_tokne": "x"}))
    with pytest.raises(SettingsError, match="unknown key"):
        load_settings({"IMRCHECK_SETTINGS": str(tmp_path / "s.json")})


def test_an_unusable_key_is_refused_at_start(rsa_key):
    from checker.service.app import create_app

    with pytest.raises(SettingsError, match="unusable JWK Set"):
        create_app(load_settings({"IMRCHECK_CDS_ISSUERS": json.dumps({"https://ehr": {"keys": [{"kty": "RSA", "n": "x"}]}})}))


def test_serve_stops_on_a_configuration_error_with_its_message(monkeypatch):
    from typer.testing import CliRunner

    from checker.cli import app as cli

    monkeypatch.setenv("IMRCHECK_CDS_ISSUERS", json.dumps({"https://ehr": "/nonexistent/jwks.json"}))
    run = CliRunner().invoke(cli, ["serve", "--port", "1"])
    assert run.exit_code == 1
    assert "cannot read the JWKS file /nonexistent/jwks.json" in " ".join(run.output.split())
