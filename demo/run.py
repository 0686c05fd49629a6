"""``ieiwatch demo``: the whole main job, offline, against a bundled local news site.

It serves the demo site and a mail server on loopback, runs the monitor flow with a demo
subscriber, and shows what was found, what is relevant and where the alert emails are.
Fixed ports keep article URLs the same from run to run, so a second run alerts nothing.
"""

from __future__ import annotations

import asyncio
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import typer

from ieiwatch.config import Settings, load_config
from ieiwatch.demo.mail_sink import MailSink
from ieiwatch.demo.static_site import StaticSite
from ieiwatch.flows.monitor import monitor, summary_lines
from ieiwatch.flows.polling import RunReport
from ieiwatch.flows.runtime import read_store
from ieiwatch.notify.wording import party_text
from ieiwatch.storage.articles import list_articles, source_names

DEMO_DIR = Path(__file__).parent


@dataclass(frozen=True)
class DemoPaths:
    workdir: Path

    @property
    def config(self) -> Path:
        return self.workdir / "ieiwatch.yaml"

    @property
    def database(self) -> Path:
        return self.workdir / "ieiwatch.db"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database}"

    @property
    def maildir(self) -> Path:
        return self.workdir / "mail"


def run_demo(workdir: Path, site_port: int, smtp_port: int) -> RunReport:
    paths = DemoPaths(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    site = StaticSite(DEMO_DIR / "site", port=site_port)
    # Served without a charset, as many old CMSes do: the GBK page's <meta> must be read.
    site.content_types = {".htm": "text/html", ".xml": "application/rss+xml"}
    with site, MailSink(port=smtp_port, maildir=paths.maildir) as mail:
        template = (DEMO_DIR / "ieiwatch.demo.yaml").read_text(encoding="utf-8")
        paths.config.write_text(
            template.replace("SITE", site.url).replace("MAILTO", mail.apprise_url()),
            encoding="utf-8",
        )
        load_config(paths.config)  # fail before anything runs if the template broke
        typer.echo(f"demo news site : {site.url}/feed.xml and {site.url}/news/list.htm")
        typer.echo(f"mail server    : {mail.host}:{mail.port}, messages saved in {paths.maildir}/")
        typer.echo(f"config         : {paths.config}")
        typer.echo(f"database       : {paths.database_url}")
        typer.echo("running the monitor flow (Prefect's first flow in a process takes a while)…")
        report = asyncio.run(
            monitor(config_path=str(paths.config), database_url=paths.database_url)
        )
    _print(report, paths)
    return report


def _print(report: RunReport, paths: DemoPaths) -> None:
    typer.echo("")
    for line in summary_lines(report):
        typer.echo(line)
    settings = Settings().model_copy(update={"database_url": paths.database_url})
    with read_store(settings) as session:
        stored = list_articles(session, limit=100) if session else []
        names = source_names(session) if session else {}
    relevant = [a for a in stored if a.relevant]
    typer.echo(f"\nstored {len(stored)} articles, {len(relevant)} classified as cooperation news:")
    for a in stored:
        mark = "✔" if a.relevant else "·"
        kind = a.type or "not relevant"
        typer.echo(f"  {mark} [{kind}, {a.score:.2f}] {a.title}  ({names.get(a.source_id)})")
        if a.relevant:
            typer.echo(f"      parties: {party_text(a.parties)}")
    emails = sorted(paths.maildir.glob("*.eml"))
    typer.echo(
        f"\nalerts sent this run: {report.deliveries.sent}; all alert emails so far: "
        f"{len(emails)} in {paths.maildir}/ (open them with any mail reader, or `cat`)."
    )
    typer.echo("run the demo again: nothing is new, and no alert is sent twice.")
    for line in next_steps(paths):
        typer.echo(line)


def next_steps(paths: DemoPaths) -> list[str]:
    """The exact commands that reach the demo's data (its database is not the default one)."""
    db, config = (
        shlex.quote(str(paths.database.resolve())),
        shlex.quote(str(paths.config.resolve())),
    )
    ieiwatch = _command()
    return [
        "",
        "look at what it stored:",
        f"  {ieiwatch} --db {db} items list --relevant",
        f"  {ieiwatch} --db {db} deliveries list --config {config}",
        "open the web app on it:",
        f"  {ieiwatch} --db {db} web --config {config}    (then http://127.0.0.1:8080/)",
        "monitor on a schedule (and serve the web app):",
        f"  {ieiwatch} --db {db} serve --config {config}",
    ]


def _command() -> str:
    """How to call ieiwatch from here: the script beside this Python (``.venv/bin/ieiwatch``
    after ``make demo``), as short as the current directory allows."""
    script = Path(sys.executable).parent / "ieiwatch"
    if not script.exists():
        return "ieiwatch"
    try:
        return shlex.quote(str(script.relative_to(Path.cwd())))
    except ValueError:
        return shlex.quote(str(script))
