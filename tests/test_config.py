import os
from pathlib import Path

import pytest

from ieiwatch.config import ConfigError, Settings, load_config

DATA = Path(__file__).parent / "data" / "config"


def test_documented_keys_load_exactly_as_written() -> None:
    config = load_config(DATA / "full.yaml", environ={"SMTP_PASSWORD": "s3cret"})
    feed, html = config.sources
    assert (feed.name, feed.kind, feed.url) == (
        "tongji-news",
        "feed",
        "https://example.edu.cn/rss.xml",
    )
    assert html.item_selector == "div.list_news li"
    assert html.link_selector == "a"
    assert html.date_selector == "span.date"
    assert html.content_selector == "div.v_news_content"
    sub = config.subscribers[0]
    assert sub.mode == "instant" and sub.filters.relevant_only
    assert sub.notify[0] == "mailto://bot:s3cret@smtp.example.org?to=a@example.org"


def test_missing_environment_variable_names_field_and_variable() -> None:
    with pytest.raises(ConfigError) as err:
        load_config(DATA / "full.yaml", environ={})
    message = str(err.value)
    assert str(DATA / "full.yaml") in message
    assert "subscribers[0].notify[0]: environment variable SMTP_PASSWORD is not set" in message


def test_bad_config_names_the_file_the_field_and_the_problem() -> None:
    with pytest.raises(ConfigError) as err:
        load_config(DATA / "bad_kind.yaml")
    assert str(DATA / "bad_kind.yaml") in str(err.value)
    assert err.value.problems == ["sources[1].kind: Input should be 'feed' or 'html'"]


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        (
            "sources:\n  - {name: a, kind: feed, url: 'ftp://x.cn/f'}\n",
            "sources[0].url: must be an http(s) URL",
        ),
        (
            "sources:\n  - {name: a, kind: feed, url: 'http://x.cn/f', intervall: 5}\n",
            "sources[0].intervall: Extra inputs are not permitted",
        ),
        (
            "sources:\n  - {name: a, kind: feed, url: 'http://x.cn/f'}\n"
            "  - {name: a, kind: feed, url: 'http://y.cn/f'}\n",
            "source name 'a' is used twice",
        ),
        (
            "subscribers:\n  - {name: s, notify: []}\n",
            "subscribers[0].notify: List should have at least 1 item after validation, not 0",
        ),
        ("sources: [\n", "not valid YAML"),
    ],
)
def test_each_kind_of_mistake_is_reported_with_its_path(
    tmp_path: Path, yaml_text: str, expected: str
) -> None:
    path = tmp_path / "ieiwatch.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert any(expected in p for p in err.value.problems), err.value.problems


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml")


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", "postgresql://db.example/ieiwatch")
    monkeypatch.setenv("IEIWATCH_CONFIG", "/etc/ieiwatch.yaml")
    settings = Settings()
    assert settings.database_url == "postgresql://db.example/ieiwatch"
    assert settings.config_path == Path("/etc/ieiwatch.yaml")


def test_settings_defaults_are_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IEIWATCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("IEIWATCH_CONFIG", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", "/home/analyst/.local/share")
    settings = Settings()
    assert settings.database_url == "sqlite:////home/analyst/.local/share/ieiwatch/ieiwatch.db"
    assert settings.config_path == Path("config/ieiwatch.yaml")


def test_a_database_given_as_a_path_is_an_absolute_sqlite_url(tmp_path: Path) -> None:
    from ieiwatch.config.settings import database_url_of

    assert database_url_of(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"
    assert database_url_of("postgresql://db/ieiwatch") == "postgresql://db/ieiwatch"


def test_cms_presets_in_the_schema_are_the_ones_the_scrapers_have() -> None:
    from ieiwatch.config.schema import CMS_NAMES
    from ieiwatch.scrapers.cms import PRESETS

    assert set(CMS_NAMES) == set(PRESETS)


def test_a_broken_css_selector_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "sources:\n  - {name: a, kind: html, url: 'http://x.cn/l.htm', "
        "item_selector: 'div.list li[', cms: vsb}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.problems[0].startswith("sources[0].item_selector: not a CSS selector")


def test_prefect_servers_we_start_persist_events_in_large_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ieiwatch.config.settings import apply_prefect_defaults

    key = "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_BATCH_SIZE"
    monkeypatch.delenv(key, raising=False)
    apply_prefect_defaults()
    assert os.environ[key] == "1000"

    monkeypatch.setenv(key, "50")  # the user's own setting stays
    apply_prefect_defaults()
    assert os.environ[key] == "50"
