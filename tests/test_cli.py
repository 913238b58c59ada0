"""The command line: check, help, and python -m widget."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from widget.cli import main

from conftest import SAMPLE_SLUG


def test_check_sample_passes(capsys: pytest.CaptureFixture[str]) -> None:
    """`check` on the bundled sample exits 0 with a one-line summary."""
    assert main(["check"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "ok, 1 events, 14 locations" in out[0]


def test_check_lists_every_problem(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`check` on broken data exits 1 and lists each problem with file and field."""
    event = data_dir / SAMPLE_SLUG / "event.yaml"
    text = event.read_text().replace("country: CA", "country: QQ", 1)
    text = text.replace("https://partiful.com/e/JWPe9q6IJ9peRKvwhYEl", "javascript:alert(1)")
    event.write_text(text)
    assert main(["check", str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert f"{SAMPLE_SLUG}/event.yaml:" in err
    assert "locations.10.country" in err
    assert "locations.3.signup_url" in err
    assert err.strip().splitlines()[-1].endswith("2 problems")


def test_check_missing_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`check` on a directory that does not exist exits 1 without a traceback."""
    assert main(["check", str(tmp_path / "nope")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_python_dash_m_widget_runs_the_cli() -> None:
    """`python -m widget check` works like the console script."""
    result = subprocess.run(
        [sys.executable, "-m", "widget", "check"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout
