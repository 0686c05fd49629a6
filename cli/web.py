"""``ieiwatch web``: the analysts' web app (see web/)."""

from __future__ import annotations

from typing import Annotated

import typer

from ieiwatch.cli.common import ConfigOption, fail, load_or_exit
from ieiwatch.web.settings import WebError, WebSettings

HostOption = Annotated[
    str | None,
    typer.Option(help="Address to listen on (default 127.0.0.1; others need a password)."),
]
PortOption = Annotated[int | None, typer.Option(help="Port (default 8080).")]


def web_settings(host: str | None, port: int | None) -> WebSettings:
    """The environment's web settings (IEIWATCH_WEB_*), with the command line's host and
    port over them."""
    web = WebSettings()
    changes = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    return web.model_copy(update=changes)


def web_command(
    host: HostOption = None, port: PortOption = None, config: ConfigOption = None
) -> None:
    """Serve the web app: items, sources, subscribers, deliveries, feeds, exports, API."""
    settings, app_config = load_or_exit(config)
    from ieiwatch.web.server import build, run, url_of

    web = web_settings(host, port)
    try:
        app, engine = build(settings, app_config, config or settings.config_path, web)
    except WebError as exc:
        raise fail(f"web: {exc}") from None
    typer.echo(f"web app: {url_of(web)} (Ctrl-C stops)")
    try:
        run(app, web)
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    app.command("web")(web_command)
