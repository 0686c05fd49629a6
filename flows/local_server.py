"""``prefect server start`` as a child process: SQLite under its own ``PREFECT_HOME``, on
loopback. ``ieiwatch serve`` starts one when no ``PREFECT_API_URL`` is set, since Prefect
schedules runs only on a real server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from ieiwatch.flows.deployments import ServeError

SERVER_START_TIMEOUT = 180.0
"""Seconds for a fresh ``prefect server start`` (database migrations included)."""
STOP_TIMEOUT = 30.0


class LocalPrefectServer:
    """``prefect server start`` as a child process: SQLite under ``home``, on loopback.

    It gets a session of its own, so a Ctrl-C in the terminal reaches ``serve`` only, which
    then stops the runner first and the server last.
    """

    def __init__(self, home: Path, port: int = 0, host: str = "127.0.0.1") -> None:
        self.home = home.resolve()
        self.host = host
        self.port = port or free_port(host)
        self.log_path = self.home / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}/api"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "PREFECT_HOME": str(self.home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            # The UI asks /ui-settings where its API is; without this it answers
            # 127.0.0.1:4200 whatever port the server was started on.
            "PREFECT_UI_API_URL": self.api_url,
        }
        env.pop("PREFECT_API_URL", None)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "prefect",
                    "server",
                    "start",
                    "--host",
                    self.host,
                    "--port",
                    str(self.port),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    async def wait_healthy(self, timeout: float = SERVER_START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=5) as client:
            while time.monotonic() < deadline:
                if not self.alive():
                    raise ServeError(f"prefect server exited at start: {self.log_tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{self.api_url}/health")).status_code == 200:
                        return
                await asyncio.sleep(0.5)
        self.stop()
        raise ServeError(
            f"prefect server did not answer within {timeout:.0f} s (log: {self.log_path})"
        )

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM (uvicorn shuts down gracefully), then SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]
