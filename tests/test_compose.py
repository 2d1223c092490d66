"""docker-compose.yml, without Docker: the API starts only after the app's own configuration
check has passed, so a secret shorter than the app accepts stops `docker compose up` with the
app's message instead of a restart loop."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from csm_graphql.settings import MIN_SECRET_LENGTH

REPO = Path(__file__).resolve().parents[1]
COMMAND = Path(sys.executable).with_name("csm-graphql")


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return loaded


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR:?message} and ${VAR:-default}, enough for this file."""

    def one(match: re.Match[str]) -> str:
        name, operator, argument = match["name"], match["op"], match["arg"]
        if env.get(name):
            return env[name]
        assert operator == ":-", f"compose refuses to start: {argument}"
        return argument

    return re.sub(r"\$\{(?P<name>\w+)(?P<op>:[?-])(?P<arg>[^}]*)\}", one, value)


def _check(environment: dict[str, str], secret: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSM_")}
    env.update({k: _interpolate(v, {"CSM_SECRET_KEY": secret}) for k, v in environment.items()})
    return subprocess.run(
        [str(COMMAND), "check"], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_api_waits_for_the_configuration_check() -> None:
    services = _compose()["services"]
    config, api = services["config"], services["api"]
    assert config["command"] == ["csm-graphql", "check"]
    assert config["image"] == api["image"]
    assert config["environment"] == api["environment"]
    assert api["depends_on"]["config"] == {"condition": "service_completed_successfully"}
    assert "${CSM_SECRET_KEY:?" in api["environment"]["CSM_SECRET_KEY"]


def test_a_short_secret_is_refused_with_the_apps_message() -> None:
    environment = _compose()["services"]["config"]["environment"]
    short = _check(environment, "x" * (MIN_SECRET_LENGTH - 1))
    assert short.returncode == 2
    assert "production needs CSM_SECRET_KEY: a random secret of at least 32" in short.stderr
    assert "Traceback" not in short.stderr
    good = _check(environment, "x" * MIN_SECRET_LENGTH)
    assert good.returncode == 0, good.stderr
    assert "configuration ok (production)" in good.stderr
