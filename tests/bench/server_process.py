"""A real server process on a free 127.0.0.1 port, for the benchmark and the process tests.

``ServerProcess`` starts a command (by default ``pauseai-widget serve``, the console script
the Docker image runs), waits until ``/healthz`` answers, and stops it with a signal,
always: tests and the benchmark must never leave a server behind. Its output goes to a
file so tests can read the logs.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

VENV_BIN = Path(sys.executable).parent
CONSOLE_SCRIPT = "pauseai-widget"
Response = tuple[int, list[tuple[str, str]], bytes]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def console_script(name: str = CONSOLE_SCRIPT) -> str:
    """The path of a console script installed beside the running interpreter."""
    beside = VENV_BIN / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} is not installed (pip install -e .)")
    return found


def fetch(
    port: int,
    target: str,
    headers: Mapping[str, str] | None = None,
    method: str = "GET",
    timeout: float = 10.0,
) -> Response:
    """One request to 127.0.0.1:``port``; returns status, raw headers and undecoded body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, target, headers=dict(headers or {}))
        response = connection.getresponse()
        return response.status, list(response.getheaders()), response.read()
    finally:
        connection.close()


class ServerProcess:
    """One server process: started on entry, stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        argv: Sequence[str] | None = None,
        port: int | None = None,
        cpus: str | None = None,
        cwd: Path | None = None,
        ready_path: str = "/healthz",
    ) -> None:
        self.port = port or free_port()
        self.public_url = f"http://127.0.0.1:{self.port}"
        command = list(argv) if argv is not None else [console_script(), "serve"]
        command += ["--port", str(self.port)]
        if cpus is not None and shutil.which("taskset"):
            command = ["taskset", "-c", cpus, *command]
        self.command = command
        self.env = {
            **os.environ,
            "WIDGET_PUBLIC_URL": self.public_url,
            "WIDGET_RELOAD_SECONDS": "0",
            **(env or {}),
        }
        self.cwd = cwd
        self.ready_path = ready_path
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in __exit__
            prefix="widget-server-", suffix=".log", delete=False
        )
        self.process: subprocess.Popen[bytes] | None = None
        self._final_output: str | None = None

    @property
    def pid(self) -> int:
        """The server's process id (taskset execs the server in place)."""
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 30.0) -> ServerProcess:
        """Start the process and wait until ``ready_path`` answers (any status)."""
        if self.process is not None:
            return self
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=self.cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"server exited with {code}:\n{self.output()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                fetch(self.port, self.ready_path, timeout=1.0)
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout} s:\n{self.output()}")

    def get(self, target: str, headers: Mapping[str, str] | None = None) -> Response:
        """GET ``target`` from this server."""
        return fetch(self.port, target, headers)

    def signal(self, signum: int) -> None:
        """Send a signal to the server."""
        assert self.process is not None
        self.process.send_signal(signum)

    def rss_kib(self) -> int:
        """Resident set size (VmRSS) in KiB, from /proc."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS in /proc status")

    def memory_kib(self) -> dict[str, int]:
        """VmRSS and its parts (RssAnon, RssFile, RssShmem) and VmHWM, in KiB."""
        wanted = ("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmHWM")
        found = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in wanted:
                found[name] = int(rest.split()[0])
        return found

    def cpu_seconds(self) -> float:
        """User plus system CPU time the server (and its worker processes) used so far."""
        ticks, pending = 0, [self.pid]
        while pending:
            pid = pending.pop()
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
                pending += [int(child) for child in children]
        return ticks / os.sysconf("SC_CLK_TCK")

    def output(self) -> str:
        """Everything the process wrote so far (stdout and stderr; kept after exit)."""
        if self._final_output is not None:
            return self._final_output
        return Path(self._log.name).read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, wait for a graceful exit (SIGKILL after ``timeout``); the exit code."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
        self._final_output = self.output()
        self._log.close()
        with contextlib.suppress(OSError):
            os.unlink(self._log.name)
