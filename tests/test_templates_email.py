"""The alert and digest emails as a mail client shows them: rendered from stored articles,
opened in headless Chromium at a phone-ish and a desktop width, and saved as
docs/alert-email.png and docs/digest-email.png for people to look at."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_render import MANAGE, _config, _lab_and_college

from ieiwatch.notify.chat import EMAIL
from ieiwatch.notify.render import alert_parts, digest_parts
from ieiwatch.notify.views import AlertItem, Letter, Scope
from ieiwatch.storage.db import init_db, make_engine

DOCS = Path(__file__).resolve().parent.parent / "docs"
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WIDTH = 680


def _has_chinese_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    listed = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return bool(listed.stdout.strip())


@pytest.fixture
def stored(sqlite_url: str) -> list[AlertItem]:
    """A joint lab (reposted by a second source) and an industry college, as stored."""
    engine = make_engine(sqlite_url)
    init_db(engine)
    try:
        return _lab_and_college(engine, _config())
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMEDRIVER.exists():
        pytest.skip(
            "no /usr/bin/chromedriver: install Debian's chromium-driver to take screenshots"
        )
    if not _has_chinese_font():
        pytest.skip("no Chinese font (fc-list :lang=zh): screenshots would show empty boxes")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _shoot(driver: object, html: str, tmp_path: Path, name: str, width: int = WIDTH) -> Path:
    page = tmp_path / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    driver.set_window_size(width, 900)  # type: ignore[attr-defined]
    driver.get(page.as_uri())  # type: ignore[attr-defined]
    height = driver.execute_script("return document.documentElement.scrollHeight")  # type: ignore[attr-defined]
    driver.set_window_size(width, min(int(height), 2400))  # type: ignore[attr-defined]
    DOCS.mkdir(exist_ok=True)
    target = DOCS / f"{name}.png"
    driver.save_screenshot(str(target))  # type: ignore[attr-defined]
    return target


def _layout(driver: object) -> dict[str, float]:
    """Where the card sits and whether anything overflows the window."""
    return driver.execute_script(  # type: ignore[attr-defined, no-any-return]
        """
        const card = document.querySelector('table table');
        const box = card.getBoundingClientRect();
        return {card: box.width, page: document.documentElement.scrollWidth,
                window: window.innerWidth};
        """
    )


def test_alert_email_screenshot(stored: list[AlertItem], browser: object, tmp_path: Path) -> None:
    lab = stored[0]
    html = alert_parts(lab, EMAIL, Letter("analyst", "zh", MANAGE))[0].message.body
    shot = _shoot(browser, html, tmp_path, "alert-email")
    layout = _layout(browser)
    assert layout["card"] <= 640 and layout["page"] <= layout["window"]
    assert shot.stat().st_size < 400_000  # small enough for the README
    # On a phone the card takes the width and nothing scrolls sideways.
    _shoot(browser, html, tmp_path, "alert-email-narrow", width=360)
    narrow = _layout(browser)
    assert narrow["page"] <= narrow["window"]
    (DOCS / "alert-email-narrow.png").unlink()


def test_digest_email_screenshot(stored: list[AlertItem], browser: object, tmp_path: Path) -> None:
    items = stored
    end = datetime(2025, 11, 5, 0, 0, tzinfo=UTC)
    scope = Scope("daily", end - timedelta(days=1), end)
    html = digest_parts(items, EMAIL, Letter("analyst", "zh", MANAGE), scope)[0].message.body
    shot = _shoot(browser, html, tmp_path, "digest-email")
    layout = _layout(browser)
    assert layout["card"] <= 640 and layout["page"] <= layout["window"]
    assert shot.stat().st_size < 400_000
