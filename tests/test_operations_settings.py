"""The operations settings, read from the environment and checked before anything starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from csm_graphql.settings import Settings, SettingsError

TOKEN = "t" * 32


def test_defaults_follow_the_environment() -> None:
    development = Settings.from_env({})
    assert (development.log_format_or_default, development.metrics_mode) == ("console", "on")
    assert development.persisted_queries
    assert development.trusted_documents is None
    production = Settings(environment="production")
    assert (production.log_format_or_default, production.metrics_mode) == ("json", "off")


def test_every_operations_setting_is_read() -> None:
    settings = Settings.from_env(
        {
            "CSM_LOG_FORMAT": "json",
            "CSM_METRICS": "token",
            "CSM_METRICS_TOKEN": TOKEN,
            "CSM_PERSISTED_QUERIES": "off",
            "CSM_TRUSTED_DOCUMENTS": "/etc/csm/persisted-documents.json",
        }
    )
    assert settings.log_format == "json"
    assert (settings.metrics_mode, settings.metrics_token) == ("token", TOKEN)
    assert not settings.persisted_queries
    assert settings.trusted_documents == Path("/etc/csm/persisted-documents.json")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CSM_LOG_FORMAT": "xml"}, "CSM_LOG_FORMAT"),
        ({"CSM_METRICS": "yes"}, "CSM_METRICS"),
        ({"CSM_METRICS": "token"}, "CSM_METRICS_TOKEN"),
        ({"CSM_PERSISTED_QUERIES": "maybe"}, "CSM_PERSISTED_QUERIES"),
    ],
)
def test_unknown_values_refuse_to_start(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)
