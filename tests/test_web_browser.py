"""The web app in a real browser: Debian's headless chromium driven by selenium, against
the app served by uvicorn on loopback over a SQLite database of sample items."""

from __future__ import annotations

import csv
import io
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest
from openpyxl import load_workbook
from test_web_fixtures import add_failed_delivery, fill, sample

from ieiwatch.config.schema import AppConfig, SourceConfig
from ieiwatch.config.settings import Settings
from ieiwatch.storage.db import init_db, make_engine
from ieiwatch.web.app import create_app
from ieiwatch.web.server import BackgroundWeb
from ieiwatch.web.settings import WebSettings

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "web-items.png"
SCREENSHOT_MAX_BYTES = 150_000
ZJU = "https://news.example.edu.cn/2026/0301/c1.html"
HOSTILE_TITLE = "<script>alert('xss')</script> Partnership <b>news</b>"

pytestmark = pytest.mark.skipif(
    not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)),
    reason="no /usr/bin/chromium and /usr/bin/chromedriver: apt-get install chromium "
    "chromium-driver (.ci/run installs them)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a free loopback port, over sample data; yields its base URL."""
    root = tmp_path_factory.mktemp("web")
    engine = make_engine(f"sqlite:///{root / 'ieiwatch.db'}")
    init_db(engine)
    ids = fill(engine)
    add_failed_delivery(engine, ids[ZJU])
    config = AppConfig(sources=[SourceConfig(**s) for s in sample()["sources"]])
    web = WebSettings(port=free_port())
    app = create_app(Settings(), config, root / "ieiwatch.yaml", engine, web)
    server = BackgroundWeb(app, web)
    server.start()
    try:
        yield f"http://127.0.0.1:{web.port}"
    finally:
        server.stop()
        engine.dispose()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument("--window-size=1280,820")
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield driver
    finally:
        driver.quit()


def by_css(driver: Any, selector: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def all_css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.CSS_SELECTOR, selector))


def wait_for(driver: Any, condition: Any, timeout: float = 15) -> Any:
    """Poll ``condition`` until true; elements of the page being replaced are skipped."""
    from selenium.common.exceptions import (
        NoSuchElementException,
        StaleElementReferenceException,
        WebDriverException,
    )
    from selenium.webdriver.support.ui import WebDriverWait

    def polled(d: Any) -> Any:
        try:
            return condition(d)
        except WebDriverException as e:
            # Chromium's word for a stale element when the node goes between finding
            # it and reading it (a row the page has just replaced).
            if "does not belong to the document" in str(e):
                return False
            raise

    ignored = (NoSuchElementException, StaleElementReferenceException)
    wait = WebDriverWait(driver, timeout, poll_frequency=0.1, ignored_exceptions=ignored)
    return wait.until(polled)


def row_titles(driver: Any) -> list[str]:
    return [e.text for e in all_css(driver, "#items a.title")]


def test_filter_and_search_narrow_the_items(browser: Any, served: str) -> None:
    browser.get(f"{served}/items")
    assert len(row_titles(browser)) == 6
    box = by_css(browser, "input[name=q]")
    box.send_keys("宁德时代")
    by_css(browser, "#apply").click()
    wait_for(browser, lambda d: "q=" in d.current_url)
    assert len(row_titles(browser)) == 2
    box = by_css(browser, "input[name=q]")
    box.clear()
    region = by_css(browser, "input[name=region]")
    region.send_keys("Guangdong")
    by_css(browser, "#apply").click()
    wait_for(browser, lambda d: "region=Guangdong" in d.current_url)
    assert row_titles(browser) == ["深圳职业技术大学与华为共建ICT联合实验室揭牌"]


def test_a_script_title_is_shown_as_text(browser: Any, served: str) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    browser.get(f"{served}/items?source=mit-news")
    assert HOSTILE_TITLE in row_titles(browser)
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018  (no script ran)
    link = next(e for e in all_css(browser, "#items a.title") if e.text == HOSTILE_TITLE)
    link.click()
    wait_for(browser, lambda d: by_css(d, "#title").text == HOSTILE_TITLE)
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018


def test_open_an_item_correct_it_and_see_it_corrected(browser: Any, served: str) -> None:
    from selenium.webdriver.support.ui import Select

    browser.get(f"{served}/items")
    meeting = "学校召开2026年春季学期教学工作会议"
    next(e for e in all_css(browser, "#items a.title") if e.text == meeting).click()
    wait_for(browser, lambda d: by_css(d, "#title").text == meeting)
    assert not all_css(browser, "#corrected")
    by_css(browser, "input[name=relevant][value='1']").click()
    Select(by_css(browser, "#mark-type")).select_by_value("training_base")
    by_css(browser, "#change-parties").click()
    parties = by_css(browser, "#mark-parties")
    parties.clear()
    parties.send_keys("南湖职业技术学院\n华辰智能装备有限公司")
    by_css(browser, "#mark-save").click()
    wait_for(browser, lambda d: all_css(d, "#saved"))
    assert by_css(browser, "#corrected").text == "已人工更正"
    assert "实习实训基地" in by_css(browser, "#type").text
    assert "华辰智能装备有限公司" in by_css(browser, "#parties").text
    browser.get(f"{served}/items?type=training_base")
    assert row_titles(browser) == [meeting]
    assert by_css(browser, "#items .tag.corrected").text == "已人工更正"


def test_pause_a_subscriber(browser: Any, served: str) -> None:
    browser.get(f"{served}/subscribers")
    row = "tr.subscriber[data-name=analyst]"
    assert by_css(browser, f"{row} .sub-state").text == "正常"
    by_css(browser, f"{row} .pause-toggle").click()
    wait_for(browser, lambda d: by_css(d, f"{row} .sub-state").text == "已暂停")
    by_css(browser, f"{row} .pause-toggle").click()  # and resume it
    wait_for(browser, lambda d: by_css(d, f"{row} .sub-state").text == "正常")


def downloaded(driver: Any, folder: Path, name: str) -> Path:
    path = folder / name
    wait_for(
        driver,
        lambda _: path.exists() and not list(folder.glob("*.crdownload")),
    )
    return path


def test_download_the_exports_and_read_them_back(
    browser: Any, served: str, downloads: Path
) -> None:
    browser.get(f"{served}/items?relevant=1")
    shown = row_titles(browser)
    by_css(browser, "#export-csv").click()
    text = downloaded(browser, downloads, "ieiwatch-items.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    assert [r["title"] for r in rows] == shown
    by_css(browser, "#export-xlsx").click()
    book = load_workbook(downloaded(browser, downloads, "ieiwatch-items.xlsx"))
    sheet = book.active
    assert sheet is not None
    titles = [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == shown


def test_the_atom_feed_of_the_page_parses(browser: Any, served: str) -> None:
    browser.get(f"{served}/items?region=浙江")
    href = by_css(browser, "#feed-link").get_attribute("href")
    feed = feedparser.parse(httpx.get(href).content)
    assert not feed.bozo and feed.version == "atom10"
    assert len(feed.entries) == 2
    assert {t.term for t in feed.entries[0].tags} >= {"industry_college", "浙江大学", "Zhejiang"}


def test_screenshot_of_the_items_page(browser: Any, served: str) -> None:
    browser.set_window_size(1200, 560)
    browser.get(f"{served}/items")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    png = browser.get_screenshot_as_png()
    SCREENSHOT.write_bytes(png)
    assert png.startswith(b"\x89PNG") and len(png) < SCREENSHOT_MAX_BYTES
