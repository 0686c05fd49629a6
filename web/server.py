"""Running the app: in the foreground (``ieiwatch web``) or in a thread beside the
scheduler (``ieiwatch serve``)."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine

from ieiwatch.config.schema import AppConfig
from ieiwatch.config.settings import Settings
from ieiwatch.flows.runtime import open_store
from ieiwatch.web.app import create_app
from ieiwatch.web.settings import WebError, WebSettings, check_bind

STOP_SECONDS = 10


def build(
    settings: Settings, config: AppConfig, config_path: Path, web: WebSettings
) -> tuple[FastAPI, Engine]:
    """The app over the database, migrated and synced with the config; refuses an
    unprotected non-loopback address first."""
    check_bind(web)
    engine = open_store(settings, config)
    return create_app(settings, config, config_path, engine, web), engine


def url_of(web: WebSettings) -> str:
    host = f"[{web.host}]" if ":" in web.host else web.host
    return f"http://{host}:{web.port}/"


def _server(app: FastAPI, web: WebSettings) -> uvicorn.Server:
    config = uvicorn.Config(
        app, host=web.host, port=web.port, log_level="warning", access_log=False
    )
    return uvicorn.Server(config)


def run(app: FastAPI, web: WebSettings) -> None:
    """Serve until Ctrl-C."""
    _server(app, web).run()


class BackgroundWeb:
    """The app served from a thread of its own (uvicorn leaves signals to the main
    thread there), stopped with ``stop()``."""

    def __init__(self, app: FastAPI, web: WebSettings) -> None:
        self.web = web
        self._server = _server(app, web)
        self._thread = threading.Thread(target=self._run, name="ieiwatch-web", daemon=True)

    def _run(self) -> None:
        # uvicorn exits when it cannot listen; start() reports that as a WebError.
        with contextlib.suppress(SystemExit):
            self._server.run()

    def start(self) -> None:
        self._thread.start()
        while self._thread.is_alive() and not self._server.started:
            self._thread.join(0.05)
        if not self._server.started:
            raise WebError(f"the web app could not listen on {self.web.host}:{self.web.port}")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(STOP_SECONDS)
