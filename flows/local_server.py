"""``prefect server start`` as a child process: SQLite under its own ``PREFECT_HOME``, on
loopback. ``ieiwatch serve`` starts one when no ``PREFECT_API_URL`` is set, since Prefect
schedules runs only on a real server.

While it answers, a state file in its home (``STATE_FILE``: API URL and pid) lets a
one-shot ``ieiwatch run`` use it (``prefect_for_one_run``) instead of starting Prefect's
temporary server, which costs seconds every time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from prefect.settings import PREFECT_API_URL, temporary_settings

from ieiwatch.domain import IeiwatchError
from ieiwatch.flows.prefect_tls import is_plain_http, one_context_for_plain_http

SERVER_START_TIMEOUT = 180.0
"""Seconds for a fresh ``prefect server start`` (database migrations included)."""
STOP_TIMEOUT = 30.0
STATE_FILE = "ieiwatch-server.json"
"""In the server's home, while it is up: ``{"api_url": …, "pid": …}``."""
HEALTH_TIMEOUT = 1.0


class ServeError(IeiwatchError):
    """Serving could not start, or its Prefect server went away."""


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
                        self._write_state()
                        return
                await asyncio.sleep(0.5)
        self.stop()
        raise ServeError(
            f"prefect server did not answer within {timeout:.0f} s (log: {self.log_path})"
        )

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM (uvicorn shuts down gracefully), then SIGKILL if it lingers."""
        with contextlib.suppress(OSError):
            (self.home / STATE_FILE).unlink()
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)

    def _write_state(self) -> None:
        state = {"api_url": self.api_url, "pid": self.pid}
        temporary = self.home / f".{STATE_FILE}.tmp"
        temporary.write_text(json.dumps(state), encoding="utf-8")
        temporary.replace(self.home / STATE_FILE)

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


def running_server(home: Path) -> str | None:
    """The API URL of the server ``ieiwatch serve`` started with this home, if it is still
    running and answers; None otherwise (no state file, a dead pid, no answer)."""
    try:
        state = json.loads((home / STATE_FILE).read_text(encoding="utf-8"))
        api_url, pid = str(state["api_url"]), int(state["pid"])
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        # No certificate store to read (tens of milliseconds) for a plain-HTTP address.
        verify = not is_plain_http(api_url)
        answer = httpx.get(f"{api_url}/health", timeout=HEALTH_TIMEOUT, verify=verify)
    except httpx.HTTPError:
        return None
    return api_url if answer.status_code == 200 else None


@contextlib.contextmanager
def prefect_for_one_run(home: Path) -> Iterator[str | None]:
    """Run a one-shot flow on the server ``ieiwatch serve`` keeps running with this home,
    when there is one and no ``PREFECT_API_URL`` is set; yields its API URL, or None when
    the flow will run as before (the configured server, or Prefect's temporary one).
    Prefect's clients share one TLS context when that API is plain HTTP (``prefect_tls``)."""
    configured = PREFECT_API_URL.value()
    api_url = None if configured else running_server(home)
    with contextlib.ExitStack() as stack:
        if api_url is not None:
            stack.enter_context(temporary_settings({PREFECT_API_URL: api_url}))
        stack.enter_context(one_context_for_plain_http(api_url or configured))
        yield api_url
