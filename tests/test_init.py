"""`ieiwatch init` writes a starter config that loads as written, and never overwrites one."""

from pathlib import Path

from typer.testing import CliRunner

from ieiwatch.cli.main import app, register_commands
from ieiwatch.config import load_config
from ieiwatch.config.starter import STARTER_SECRETS
from ieiwatch.domain import SourceKind, SubscriberMode

register_commands()


def test_init_writes_a_commented_config_that_loads_once_its_secrets_are_set(
    tmp_path: Path,
) -> None:
    target = tmp_path / "conf" / "ieiwatch.yaml"
    result = CliRunner().invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert f"ieiwatch sources check college-news --config {target}" in result.output
    text = target.read_text(encoding="utf-8")
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 10
    config = load_config(target, environ={name: "secret" for name in STARTER_SECRETS})
    assert [s.kind for s in config.sources] == [SourceKind.FEED, SourceKind.HTML]
    assert config.sources[1].cms == "webplus"
    assert [s.mode for s in config.subscribers] == [SubscriberMode.INSTANT, SubscriberMode.DIGEST]
    assert config.subscribers[1].notify == ["wecombot://secret"]


def test_init_refuses_to_replace_an_existing_config(tmp_path: Path) -> None:
    target = tmp_path / "ieiwatch.yaml"
    target.write_text("sources: []\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["init", str(target)])
    assert result.exit_code == 1 and "--force" in result.output
    assert target.read_text(encoding="utf-8") == "sources: []\n"
    assert CliRunner().invoke(app, ["init", str(target), "--force"]).exit_code == 0
    assert "subscribers:" in target.read_text(encoding="utf-8")
