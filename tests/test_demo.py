"""`ieiwatch demo` runs the whole job offline, and a second run sends no alert twice."""

import shlex
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ieiwatch.cli.main import app, register_commands
from ieiwatch.demo.run import run_demo


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.usefixtures("prefect_api")
def test_demo_finds_cooperation_news_and_alerts_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # --db sets the variable for the process: give it back to the other tests afterwards.
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'not-the-demo.db'}")
    ports = (_free_port(), _free_port())
    first = run_demo(tmp_path, *ports)
    out = capsys.readouterr().out
    assert [s.status for s in first.sources] == ["ok", "ok"]
    assert sum(s.new for s in first.sources) == 7
    relevant = sum(s.relevant for s in first.sources)
    assert relevant == 4 and first.deliveries.sent == relevant
    assert "滨江大学与恒远新能源集团共建储能技术联合实验室揭牌" in out  # the GBK page
    assert len(list((tmp_path / "mail").glob("*.eml"))) == relevant

    _printed_command_shows_the_demo_data(out)

    second = run_demo(tmp_path, *ports)
    assert [s.status for s in second.sources] == ["not_modified", "not_modified"]
    assert second.deliveries.sent == 0
    assert len(list((tmp_path / "mail").glob("*.eml"))) == relevant


def _printed_command_shows_the_demo_data(out: str) -> None:
    """The demo ends with the exact command that lists its articles, from any directory."""
    line = next(x.strip() for x in out.splitlines() if x.strip().endswith("items list --relevant"))
    register_commands()
    listed = CliRunner().invoke(app, shlex.split(line)[1:])
    assert listed.exit_code == 0, listed.output
    assert "滨江大学与恒远新能源集团共建储能技术联合实验室揭牌" in listed.output
