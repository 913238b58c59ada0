"""The deployment files, checked statically (no Docker engine here) against the real app.

fly.toml must name the port, health check and metrics path the service really serves;
the Dockerfile must build the wheel, install it in the final image, run as a non-root user
and start the console script with arguments the CLI accepts.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from widget.app import ROUTES, create_app
from widget.cli import parser
from widget.settings import from_env
from widget.store import load

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Stage:
    """One ``FROM`` stage of a Dockerfile: its base, name and instructions in order."""

    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        """The arguments of every instruction with this keyword."""
        return [arguments for word, arguments in self.instructions if word == keyword]


def dockerfile_stages(text: str) -> list[Stage]:
    """The stages of a Dockerfile (comments dropped, continuation lines joined)."""
    logical = re.sub(
        r"\\\n",
        " ",
        "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")),
    )
    stages: list[Stage] = []
    for line in logical.splitlines():
        if not line.strip():
            continue
        keyword, _, arguments = line.strip().partition(" ")
        keyword, arguments = keyword.upper(), " ".join(arguments.split())
        if keyword == "FROM":
            base, _, name = (
                arguments.partition(" AS ")
                if " AS " in arguments
                else (arguments.partition(" as "))
            )
            stages.append(Stage(base.strip(), name.strip() or None))
        elif stages:
            stages[-1].instructions.append((keyword, arguments))
    return stages


@pytest.fixture(scope="module")
def fly() -> dict[str, Any]:
    """fly.toml, parsed."""
    with (ROOT / "fly.toml").open("rb") as handle:
        return tomllib.load(handle)


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    """The Dockerfile's stages."""
    return dockerfile_stages((ROOT / "Dockerfile").read_text("utf-8"))


@pytest.fixture(scope="module")
def command(stages: list[Stage]) -> list[str]:
    """The final image's CMD (exec form)."""
    commands = stages[-1].all("CMD")
    assert len(commands) == 1, "one CMD in the final stage"
    parsed = json.loads(commands[0])
    assert isinstance(parsed, list) and all(isinstance(part, str) for part in parsed)
    return parsed


def route_paths() -> dict[str, str]:
    """Route name → path of the application's declared routes."""
    return {route.name: route.path for route in ROUTES}


def test_fly_health_check_is_the_apps_health_route(fly: dict[str, Any], client: TestClient) -> None:
    """The one HTTP check GETs /healthz, a declared route that answers 200 with status ok."""
    checks = fly["http_service"]["checks"]
    assert [(check["method"].upper(), check["path"]) for check in checks] == [("GET", "/healthz")]
    assert route_paths()["healthz"] == "/healthz"
    response = client.get(checks[0]["path"])
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_fly_metrics_are_the_apps_metrics(fly: dict[str, Any], client: TestClient) -> None:
    """[metrics] scrapes the internal port at the path where the app serves Prometheus text."""
    assert fly["metrics"]["port"] == fly["http_service"]["internal_port"]
    assert route_paths()["metrics"] == fly["metrics"]["path"]
    response = client.get(fly["metrics"]["path"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "widget_requests_total" in response.text


def test_fly_ports_agree_with_the_image(
    fly: dict[str, Any], stages: list[Stage], command: list[str]
) -> None:
    """internal_port, PORT, EXPOSE and the CMD's --port are one number."""
    port = fly["http_service"]["internal_port"]
    assert int(fly["env"]["PORT"]) == port
    assert stages[-1].all("EXPOSE") == [str(port)]
    assert command[command.index("--port") + 1] == str(port)
    assert from_env({"PORT": fly["env"]["PORT"]}).port == port


def test_fly_service_settings(fly: dict[str, Any]) -> None:
    """HTTPS forced, machines start and stop with traffic, one always up, request limits set."""
    service = fly["http_service"]
    assert service["force_https"] is True
    assert service["auto_stop_machines"] in (True, "stop", "suspend")
    assert service["auto_start_machines"] is True
    assert service["min_machines_running"] >= 1
    concurrency = service["concurrency"]
    assert concurrency["type"] == "requests"
    assert 0 < concurrency["soft_limit"] < concurrency["hard_limit"]
    assert fly["app"] and fly["primary_region"]


def test_fly_env_is_valid_settings(fly: dict[str, Any]) -> None:
    """The [env] block is accepted by the settings parser and sets an https public URL."""
    settings = from_env(fly["env"])
    assert settings.public_url.startswith("https://")
    allowed = ("PORT", "HOST", "WEB_CONCURRENCY")
    assert all(name in allowed or name.startswith("WIDGET_") for name in fly["env"])


def test_fly_runs_one_worker_per_core(fly: dict[str, Any], stages: list[Stage]) -> None:
    """WEB_CONCURRENCY (serve's --workers default) is the core count of the machine size."""
    size = fly["vm"][0]["size"]
    cores = int(re.fullmatch(r"(?:shared-cpu|performance)-(\d+)x", size).group(1))  # type: ignore[union-attr]
    assert int(fly["env"]["WEB_CONCURRENCY"]) == cores
    assert "WEB_CONCURRENCY=" in " ".join(stages[-1].all("ENV"))


def test_fly_waits_longer_than_the_graceful_shutdown(
    fly: dict[str, Any], command: list[str]
) -> None:
    """Fly's kill_timeout leaves uvicorn its whole --graceful-seconds after SIGTERM."""
    graceful = parser().parse_args(command[1:]).graceful_seconds
    assert fly["kill_signal"] == "SIGTERM"
    assert int(fly["kill_timeout"].removesuffix("s")) > graceful


def test_the_baked_data_directory_is_valid(fly: dict[str, Any], stages: list[Stage]) -> None:
    """The DATA_DIR build argument names a data directory that loads without problems."""
    data_dir = fly["build"]["args"]["DATA_DIR"]
    catalog, problems = load(ROOT / data_dir)
    assert catalog is not None and not problems, problems
    final = stages[-1]
    assert any(argument.startswith("DATA_DIR=") for argument in final.all("ARG"))
    copies = [argument for argument in final.all("COPY") if "${DATA_DIR}" in argument]
    assert len(copies) == 1
    target = copies[0].split()[-1]
    assert f"WIDGET_DATA_DIR={target}" in " ".join(final.all("ENV"))


def test_cmd_is_the_console_script_serving_on_all_interfaces(command: list[str]) -> None:
    """CMD runs the pyproject console script's serve with arguments the CLI accepts."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        scripts = tomllib.load(handle)["project"]["scripts"]
    assert command[0] in scripts and scripts[command[0]] == "widget.cli:main"
    args = parser().parse_args(command[1:])
    assert args.command == "serve"
    assert args.host == "0.0.0.0"  # inside the container, behind Fly's proxy
    assert args.proxy_headers is True
    for network in args.forwarded_allow_ips.split(","):
        assert ipaddress.ip_network(network.strip()).is_private, "trust only the private proxy"


def test_final_image_installs_the_built_wheel_as_a_non_root_user(stages: list[Stage]) -> None:
    """A slim multi-stage build: the first stage builds a wheel, the last installs it, non-root."""
    assert len(stages) >= 2
    assert all(stage.base == "python:3.11-slim" for stage in stages)
    builder, final = stages[0], stages[-1]
    builds = " ".join(builder.all("RUN"))
    assert re.search(r"pip wheel .*--no-deps|python -m build .*--wheel", builds)
    copied = [argument for argument in final.all("COPY") if argument.startswith("--from=")]
    assert any(argument.startswith(f"--from={builder.name} ") for argument in copied)
    installs = " ".join(final.all("RUN"))
    assert re.search(r"pip install --no-deps [^&]*\.whl", installs)
    # Dependencies come from the lock, hashes checked, never resolved from version ranges.
    locked = r"pip install --require-hashes --no-deps -r \S*run\.txt"
    assert re.search(locked, installs) and re.search(locked, builds)
    users = final.all("USER")
    assert users and users[-1] not in ("root", "0", "0:0")
    keywords = [keyword for keyword, _ in final.instructions]
    assert keywords.index("USER") < keywords.index("CMD")
    assert keywords.index("USER") > max(i for i, keyword in enumerate(keywords) if keyword == "RUN")


def test_build_context_holds_what_the_image_copies(stages: list[Stage]) -> None:
    """Every COPY source exists and is not excluded by .dockerignore; heavy dirs are excluded."""
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for pattern in (".git", ".venv", "node_modules", "tests"):
        assert pattern in ignored
    sources = []
    for stage in stages:
        for argument in stage.all("COPY"):
            parts = [part for part in argument.split() if not part.startswith("--")]
            if not argument.startswith("--from="):
                sources += parts[:-1]
    assert sources, "the build copies files from the context"
    for source in sources:
        source = source.replace("${DATA_DIR}", "widget/sample_data")
        assert (ROOT / source).exists(), source
        assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), source


def test_fly_public_url_is_only_configuration(fly: dict[str, Any]) -> None:
    """The app's links come from WIDGET_PUBLIC_URL, not from the Host header Fly forwards."""
    settings = from_env({**fly["env"], "WIDGET_NOW": "2024-05-01"})
    headers = {"x-forwarded-host": "evil.example", "x-forwarded-proto": "http"}
    with TestClient(create_app(settings), base_url="http://internal.example:8080") as client:
        document = client.get("/events/next.json", headers=headers).json()
    assert document["links"]["page"].startswith(fly["env"]["WIDGET_PUBLIC_URL"])
    text = json.dumps(document)
    assert "evil.example" not in text and "internal.example" not in text
