"""A config that cannot work is refused at load time, naming the field (issue 15.12):
selectors no page can match, services Apprise does not know, files that are not UTF-8
YAML mappings, absurd nesting and keys given twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ieiwatch.cli.main import app, register_commands
from ieiwatch.config import ConfigError, load_config

SOURCE = "sources:\n  - name: news\n    kind: html\n    url: https://news.example.edu.cn/list.htm\n"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ieiwatch.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> str:
    with pytest.raises(ConfigError) as refused:
        load_config(path, environ={})
    return "\n".join(refused.value.problems)


@pytest.mark.parametrize("selector", ["li::text", "li:bogus", "li:nth-child(foo)", "a::attr(href)"])
def test_a_selector_no_page_can_match_is_refused_naming_the_field(
    tmp_path: Path, selector: str
) -> None:
    problems = _problems(_write(tmp_path, SOURCE + f"    item_selector: '{selector}'\n"))
    assert problems.startswith("sources[0].item_selector: not a CSS selector")


def test_usable_selectors_still_load(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        SOURCE + "    item_selector: 'div.news > ul li:nth-child(2n+1), ul.list li:first-child'\n",
    )
    assert load_config(path, environ={}).sources[0].item_selector


@pytest.mark.parametrize(
    ("yaml_text", "field"),
    [
        (
            "subscribers:\n  - name: a\n    notify: ['notaservice://host/x']\n",
            "subscribers[0].notify",
        ),
        ("admin_notify: ['notaservice://host/x']\n", "admin_notify"),
    ],
)
def test_an_unknown_apprise_service_is_refused(tmp_path: Path, yaml_text: str, field: str) -> None:
    problems = _problems(_write(tmp_path, yaml_text))
    assert problems == f"{field}: entry 0: notaservice:// is not a service Apprise knows"


def test_an_apprise_url_missing_its_token_is_refused_without_echoing_it(tmp_path: Path) -> None:
    problems = _problems(_write(tmp_path, "admin_notify: ['tgram://']\n"))
    assert problems.startswith("admin_notify: entry 0: Apprise cannot read this tgram:// URL")


def test_a_utf16_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "utf16.yaml"
    path.write_text(SOURCE, encoding="utf-16")
    assert _problems(path) == "UTF-16 text: save the file as UTF-8"


def test_a_directory_is_refused(tmp_path: Path) -> None:
    assert _problems(tmp_path) == "is a directory, not a YAML file"


def test_5000_deep_nesting_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "sources: " + "[" * 5000 + "]" * 5000 + "\n")
    assert _problems(path) == "nested too deeply to be a config"


def test_a_key_given_twice_is_refused_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, SOURCE + "    item_selector: li\n    url: https://other.example/\n")
    problems = _problems(path)
    assert "key 'url' is given twice" in problems and "line 6" in problems


def test_the_command_line_exits_2_naming_the_problem(tmp_path: Path) -> None:
    register_commands()
    result = CliRunner().invoke(app, ["sources", "list", "--config", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in result.output
    assert "Traceback" not in result.output
