"""The artifact: the built wheel holds everything and serves from a fresh virtualenv.

A wheel built from this flat layout silently drops the top-level ``templates/`` and
``static/`` unless the build maps them into the package; this test builds it the way
``make wheel`` does (with the locked build backend, no isolation), installs it with its
locked runtime dependencies (``requirements/run.txt``, hashes required) into a clean venv
that cannot see the checkout, and serves the bundled sample from a temporary directory.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.bench.server_process import ServerProcess

from conftest import SAMPLE_SLUG

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built with ``python -m build --no-isolation --wheel`` into a temporary
    directory (the build backend comes from the lock, not from the package index)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--wheel",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("pauseai_widget-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean venv (no system site-packages, no checkout) with the locked runtime
    dependencies and then the wheel (``--no-deps``) installed, as the Dockerfile does.

    The venv gets no pip of its own (ensurepip is slow); this interpreter's pip installs
    into it with ``--python``.
    """
    target = tmp_path_factory.mktemp("venv")
    venv.create(target, with_pip=False, clear=True)
    pip = [
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(target / "bin" / "python"),
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
    ]
    subprocess.run(
        [*pip, "--require-hashes", "-r", str(ROOT / "requirements" / "run.txt")],
        check=True,
        capture_output=True,
        timeout=600,
    )
    subprocess.run([*pip, str(wheel)], check=True, capture_output=True, timeout=600)
    return target


def test_wheel_holds_templates_static_sample_data_and_catalogs(wheel: Path) -> None:
    """Every template, static file, sample data file, data file and compiled catalog is in
    the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())

    def shipped(source: Path, inside: str) -> set[str]:
        return {
            f"{inside}/{path.relative_to(source).as_posix()}"
            for path in source.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }

    expected = (
        shipped(ROOT / "templates", "widget/templates")
        | shipped(ROOT / "static", "widget/static")
        | shipped(ROOT / "widget" / "sample_data", "widget/sample_data")
        | shipped(ROOT / "widget" / "data", "widget/data")  # the map's land, the gazetteer
    )
    assert any(name.endswith(".html") for name in expected)
    assert "widget/static/embed.js" in expected
    assert expected <= names, sorted(expected - names)
    catalogs = {
        f"widget/{po.relative_to(ROOT / 'widget').with_suffix('.mo').as_posix()}"
        for po in (ROOT / "widget" / "locales").glob("*/LC_MESSAGES/*.po")
    }
    missing = sorted(catalogs - names)
    assert not missing, f"compiled catalogs missing (run make messages): {missing}"
    (entry_points,) = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
    console = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "pauseai-widget = widget.cli:main" in console


def test_installed_wheel_serves_the_sample_from_anywhere(installed: Path, tmp_path: Path) -> None:
    """The console script from the fresh venv serves the sample's JSON (and the widget)."""
    script = installed / "bin" / "pauseai-widget"
    probe = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import widget; print(widget.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert str(installed) in probe.stdout, "the venv imported the checkout, not the wheel"
    env = {"WIDGET_NOW": "2024-05-01T12:00:00+00:00", "PYTHONPATH": ""}
    with ServerProcess(env, argv=[str(script), "serve"], cwd=tmp_path) as server:
        status, _, body = server.get(f"/events/{SAMPLE_SLUG}.json")
        assert status == 200
        document = json.loads(body)
        assert document["slug"] == SAMPLE_SLUG
        assert document["links"]["embed"] == f"{server.public_url}/embed/{SAMPLE_SLUG}"
        status, headers, body = server.get("/embed/next")
        assert status == 200, "the widget route answers from the installed wheel"
        assert dict(headers)["content-type"].startswith("text/html")
        assert b"<html" in body
        status, _, script_body = server.get("/embed.js")
        assert status == 200 and len(script_body) > 100
