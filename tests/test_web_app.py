"""The web app through FastAPI's TestClient, on SQLite and PostgreSQL: items with filters
and search, an item and its correction, sources, subscribers, deliveries, the Atom feed,
exports, the JSON API, and its safety (escaping, CSRF, password, feed token, bind)."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest
import yaml
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from servers import LocalSite
from sqlalchemy import Engine
from test_web_fixtures import add_failed_delivery, fill, sample

from ieiwatch.config.schema import AppConfig, SourceConfig
from ieiwatch.config.settings import Settings
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.marks import list_marks
from ieiwatch.web.app import create_app
from ieiwatch.web.settings import WebError, WebSettings, check_bind

ZJU = "https://news.example.edu.cn/2026/0301/c1.html"
SCRIPT = "https://news.example.edu/2026/02/01/script"
MEETING = "https://news.example.edu.cn/2026/0215/c2.html"


def app_config(extra: list[SourceConfig] | None = None) -> AppConfig:
    sources = [SourceConfig(**s) for s in sample()["sources"]] + (extra or [])
    return AppConfig(sources=sources)


def client_for(engine: Engine, web: WebSettings | None = None, **kw: object) -> TestClient:
    config = kw.get("config") or app_config()
    path = kw.get("path") or Path("ieiwatch.yaml")
    assert isinstance(config, AppConfig) and isinstance(path, Path)
    app = create_app(Settings(), config, path, engine, web or WebSettings())
    return TestClient(app, base_url="http://127.0.0.1:8080")


@pytest.fixture
def ids(engine: Engine) -> dict[str, int]:
    return fill(engine)


@pytest.fixture
def client(engine: Engine, ids: dict[str, int]) -> Iterator[TestClient]:
    with client_for(engine) as c:
        yield c


def titles(html: str) -> list[str]:
    return re.findall(r'class="title" href="/items/\d+">([^<]*)</a>', html)


def csrf_of(client: TestClient, path: str = "/subscribers") -> str:
    page = client.get(path).text
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "the page has a form with a CSRF token"
    return match.group(1)


def test_items_are_newest_first_and_region_filters_work_in_chinese_and_english(
    client: TestClient,
) -> None:
    everything = titles(client.get("/items").text)
    assert len(everything) == 6
    assert everything[0].startswith("浙江大学")  # 2 March, the newest
    chinese = titles(client.get("/items", params={"region": "浙江"}).text)
    english = titles(client.get("/items", params={"region": "zhejiang"}).text)
    city = titles(client.get("/items", params={"region": "杭州"}).text)
    assert chinese == english == city
    assert len(chinese) == 2 and all("浙江大学" in t for t in chinese)


def test_filters_combine_type_party_source_dates_and_relevance(client: TestClient) -> None:
    labs = titles(client.get("/items", params={"type": "joint_lab", "relevant": "1"}).text)
    assert len(labs) == 2
    assert titles(client.get("/items", params={"party": "华为"}).text) == [
        "深圳职业技术大学与华为共建ICT联合实验室揭牌"
    ]
    assert len(titles(client.get("/items", params={"source": "mit-news"}).text)) == 2
    february = titles(
        client.get("/items", params={"since": "2026-02-10", "until": "2026-02-20"}).text
    )
    assert len(february) == 3
    assert "学校召开2026年春季学期教学工作会议" not in titles(
        client.get("/items", params={"relevant": "1"}).text
    )


def test_search_finds_chinese_and_english_words_and_short_words(client: TestClient) -> None:
    assert len(titles(client.get("/items", params={"q": "宁德时代"}).text)) == 2
    assert titles(client.get("/items", params={"q": "embodied laboratory"}).text) == [
        "Northlake University and Contoso Robotics open a joint AI laboratory"
    ]
    # Two characters: below the trigram index, found by a plain scan.
    assert len(titles(client.get("/items", params={"q": "华为"}).text)) == 1
    assert titles(client.get("/items", params={"q": "不存在的词语"}).text) == []


def test_a_bad_filter_value_is_a_clear_error(client: TestClient) -> None:
    answer = client.get("/items", params={"since": "yesterday"})
    assert answer.status_code == 400 and "since" in answer.text
    assert "unknown type" in client.get("/items", params={"type": "party"}).text


def test_item_page_shows_evidence_every_source_and_the_original_link(
    client: TestClient, ids: dict[str, int]
) -> None:
    page = client.get(f"/items/{ids[ZJU]}").text
    assert "支持：合作动作，“签署战略合作协议”" in page
    assert "另提及（非合作方）：市教育局" in page
    assert "zju-news" in page and "edu-bureau" in page  # the two copies of the story
    assert f'href="{ZJU}"' in page
    assert "产业学院" in page and "浙江" in page
    assert '<td id="publisher"' in page and ">浙江大学</td>" in page  # what 我校 would name
    assert client.get("/items/999999").status_code == 404


def test_item_page_lists_the_alerts_it_produced(engine: Engine, ids: dict[str, int]) -> None:
    add_failed_delivery(engine, ids[ZJU])
    with client_for(engine) as client:
        page = client.get(f"/items/{ids[ZJU]}").text
    assert "analyst" in page and "connection refused" in page
    assert "s3cret" not in page  # the channel is shown masked


def test_correcting_an_item_shows_it_corrected_and_keeps_the_mark(
    client: TestClient, engine: Engine, ids: dict[str, int]
) -> None:
    token = csrf_of(client)
    answer = client.post(
        f"/items/{ids[MEETING]}/mark",
        data={
            "csrf": token,
            "relevant": "1",
            "type": "training_base",
            "change_parties": "1",
            "parties": "南湖职业技术学院\n华辰智能装备有限公司\n",
            "by": "li",
        },
    )
    assert answer.status_code == 200 and 'id="corrected"' in answer.text
    assert "实习实训基地" in answer.text and "华辰智能装备有限公司" in answer.text
    listed = client.get("/items", params={"type": "training_base"}).text
    assert "学校召开2026年春季学期教学工作会议" in listed and "已人工更正" in listed
    with session_scope(engine) as session:
        (mark,) = list_marks(session)
    assert (mark.relevant, mark.type, mark.by) == (True, "training_base", "li")
    assert [p.name for p in mark.parties or []] == ["南湖职业技术学院", "华辰智能装备有限公司"]
    assert mark.predicted["relevant"] is False  # what the classifier had said


def test_forms_without_the_csrf_token_are_refused(client: TestClient, ids: dict[str, int]) -> None:
    csrf_of(client)  # the browser has its cookie, but the attacker's form lacks the token
    forged = client.post(f"/items/{ids[ZJU]}/mark", data={"relevant": "0"})
    assert forged.status_code == 403
    wrong = client.post(f"/items/{ids[ZJU]}/mark", data={"relevant": "0", "csrf": "guess"})
    assert wrong.status_code == 403
    cross_site = client.post(
        f"/items/{ids[ZJU]}/mark",
        data={"relevant": "0", "csrf": csrf_of(client)},
        headers={"Origin": "http://evil.example"},
    )
    assert cross_site.status_code == 403
    assert "corrected" not in client.get(f"/items/{ids[ZJU]}").text.split("<main>")[1][:2000]


def test_hostile_text_is_shown_as_text_and_no_javascript_link_is_made(
    engine: Engine, ids: dict[str, int]
) -> None:
    with session_scope(engine) as session:
        from ieiwatch.storage.models import Article

        row = session.get(Article, ids[SCRIPT])
        assert row is not None
        row.url = "javascript:alert(document.cookie)"
        session.add(row)
    with client_for(engine) as client:
        answer = client.get("/items")
        listing = answer.text
        page = client.get(f"/items/{ids[SCRIPT]}").text
    assert "script-src 'none'" in answer.headers["content-security-policy"]
    for shown in (listing, page):
        assert "<script>alert" not in shown and "<i>Evil</i>" not in shown
        assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in shown
        assert 'href="javascript:' not in shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_atom_feed_is_valid_and_carries_type_parties_and_region(client: TestClient) -> None:
    answer = client.get("/feed.atom", params={"region": "浙江"})
    assert answer.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(answer.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == 2
    entry = feed.entries[0]
    assert entry.link == "https://jyt.example.gov.cn/art/2026/3/2/art_1.html"
    terms = {(t.scheme, t.term) for t in entry.tags}
    assert ("urn:ieiwatch:type", "industry_college") in terms
    assert ("urn:ieiwatch:party", "浙江大学") in terms
    assert ("urn:ieiwatch:region", "Zhejiang") in terms
    assert entry.id and entry.updated and feed.feed.updated and feed.feed.id
    # RFC 4287: the feed has id, title, updated and an author (entries have none of their
    # own); every entry has id, title, updated and an alternate link or content.
    atom = "{http://www.w3.org/2005/Atom}"
    root = ElementTree.fromstring(answer.content)
    assert root.tag == f"{atom}feed"
    for element, required in [(root, ("id", "title", "updated", "author"))] + [
        (e, ("id", "title", "updated", "content")) for e in root.findall(f"{atom}entry")
    ]:
        assert all(len(element.findall(f"{atom}{name}")) == 1 for name in required)


def test_a_subscribers_feed_follows_its_filters(engine: Engine, ids: dict[str, int]) -> None:
    add_failed_delivery(engine, ids[ZJU])
    with session_scope(engine) as session:
        from ieiwatch.storage.models import Subscriber
        from ieiwatch.storage.subscribers import get_subscriber

        sub: Subscriber = get_subscriber(session, "analyst")
        sub.filters = {"relevant_only": True, "parties": ["华为"]}
        session.add(sub)
    with client_for(engine) as client:
        feed = feedparser.parse(client.get("/subscribers/analyst/feed.atom").content)
        assert client.get("/subscribers/nobody/feed.atom").status_code == 404
    assert [e.title for e in feed.entries] == ["深圳职业技术大学与华为共建ICT联合实验室揭牌"]


def test_csv_export_has_a_bom_and_reads_back(client: TestClient) -> None:
    answer = client.get("/export.csv", params={"relevant": "1"})
    assert answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert len(rows) == 5
    first = rows[0]
    assert first["title"].startswith("浙江大学") and first["province"] == "Zhejiang"
    assert first["parties"] == "浙江大学; 宁德时代新能源科技股份有限公司"


def test_xlsx_export_reads_back(client: TestClient) -> None:
    answer = client.get("/export.xlsx", params={"q": "联合实验室"})
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("id", "published", "title")
    assert [r[2] for r in rows[1:]] == ["深圳职业技术大学与华为共建ICT联合实验室揭牌"]


def test_api_lists_filters_and_corrects_items(client: TestClient, ids: dict[str, int]) -> None:
    listed = client.get("/api/items", params={"region": "Guangdong"}).json()
    assert [i["title"] for i in listed["items"]] == ["深圳职业技术大学与华为共建ICT联合实验室揭牌"]
    detail = client.get(f"/api/items/{ids[ZJU]}").json()
    assert {c["source"] for c in detail["copies"]} == {"zju-news", "edu-bureau"}
    assert detail["publisher"] == "浙江大学" and listed["items"][0]["publisher"] is None
    token = csrf_of(client)
    refused = client.post(f"/api/items/{ids[ZJU]}/mark", json={"relevant": False})
    assert refused.status_code == 403
    marked = client.post(
        f"/api/items/{ids[ZJU]}/mark", json={"relevant": False}, headers={"X-CSRF-Token": token}
    ).json()
    assert (marked["relevant"], marked["type"], marked["corrected"]) == (False, None, True)
    assert client.get("/api/marks").json()[0]["relevant"] is False
    assert "/api/items" in client.get("/api/openapi.json").json()["paths"]
    assert client.get("/api/docs").status_code == 200


def test_a_password_protects_every_page_and_the_feed_token_opens_only_feeds(
    engine: Engine, ids: dict[str, int]
) -> None:
    web = WebSettings(password="correct horse")
    with client_for(engine, web) as client:
        assert client.get("/items").status_code == 401
        assert client.get("/api/items").status_code == 401
        assert client.get("/items", auth=("anyone", "wrong")).status_code == 401
        page = client.get("/items", auth=("anyone", "correct horse"))
        assert page.status_code == 200
        token = web.feed_token()
        assert f"/feed.atom?token={token}" in page.text  # feed links carry it
        assert client.get("/feed.atom", params={"token": token}).status_code == 200
        assert client.get("/items", params={"token": token}).status_code == 401
        assert client.get("/export.csv", params={"token": token}).status_code == 401


def test_a_token_opens_the_api_for_scripts(engine: Engine, ids: dict[str, int]) -> None:
    with client_for(engine, WebSettings(token="t0ken")) as client:
        assert client.get("/api/items").status_code == 401
        headers = {"Authorization": "Bearer t0ken"}
        assert client.get("/api/items", headers=headers).status_code == 200
        marked = client.post(
            f"/api/items/{ids[ZJU]}/mark", json={"relevant": False}, headers=headers
        )
        assert marked.status_code == 200


def test_only_loopback_is_served_without_a_password() -> None:
    check_bind(WebSettings(host="127.0.0.1"))
    check_bind(WebSettings(host="::1"))
    with pytest.raises(WebError, match="IEIWATCH_WEB_PASSWORD"):
        check_bind(WebSettings(host="0.0.0.0"))
    check_bind(WebSettings(host="0.0.0.0", password="pw"))
    check_bind(WebSettings(host="192.168.1.2", token="tk"))


def test_subscribers_page_masks_urls_and_pauses_and_resumes(
    engine: Engine, ids: dict[str, int]
) -> None:
    add_failed_delivery(engine, ids[ZJU])
    with client_for(engine) as client:
        page = client.get("/subscribers").text
        assert "analyst" in page and "json://127.0.0.1:9/hook" in page
        assert "s3cret" not in page
        token = csrf_of(client, "/subscribers")
        paused = client.post("/subscribers/analyst/pause", data={"csrf": token}).text
        assert "已暂停" in paused
        resumed = client.post("/subscribers/analyst/resume", data={"csrf": token}).text
        assert "已暂停" not in resumed
        assert "analyst" in client.get("/api/subscribers").text


def test_adding_a_subscriber_and_sending_it_a_test(
    engine: Engine, ids: dict[str, int], receiver: LocalSite
) -> None:
    hook = receiver.url.replace("http://", "json://") + "/hook"
    with client_for(engine) as client:
        token = csrf_of(client, "/subscribers")
        added = client.post(
            "/subscribers",
            data={"csrf": token, "name": "ops", "notify": hook, "types": ["joint_lab"]},
        )
        assert added.status_code == 200 and "ops" in added.text and "joint_lab" in added.text
        bad = client.post("/subscribers", data={"csrf": token, "name": "x", "notify": "nope"})
        assert bad.status_code == 400
        tested = client.post("/subscribers/ops/test", data={"csrf": token})
    assert "ok json://" in tested.text
    assert len(receiver.received) == 1 and b"test alert" in receiver.received[0].body


def test_failed_deliveries_show_their_error_and_retry_sends_them(
    engine: Engine, ids: dict[str, int], receiver: LocalSite
) -> None:
    hook = receiver.url.replace("http://", "json://") + "/hook"
    add_failed_delivery(engine, ids[ZJU], hook)
    with client_for(engine) as client:
        page = client.get("/deliveries").text
        failed = page.split('id="failed"')[1].split("</table>")[0]
        assert "connection refused" in failed and "analyst" in failed
        retried = client.post("/deliveries/retry", data={"csrf": csrf_of(client, "/deliveries")})
    assert "1 retried: 1 sent" in retried.text
    assert len(receiver.received) == 1


def test_sources_page_shows_health_and_check_now_shows_what_it_would_extract(
    engine: Engine, ids: dict[str, int], site: LocalSite
) -> None:
    lakeside = SourceConfig(name="lakeside", kind="feed", url=f"{site.url}/feed.xml")
    with client_for(engine, config=app_config([lakeside])) as client:
        page = client.get("/sources").text
        assert "lakeside" in page and "zju-news" in page
        checked = client.post("/sources/lakeside/check", data={"csrf": csrf_of(client)}).text
        assert "Lakeside University signs strategic cooperation agreement" in checked
        tried = client.post(
            "/sources/try",
            data={
                "csrf": csrf_of(client),
                "name": "new-one",
                "kind": "html",
                "url": f"{site.url}/list.htm",
                "item_selector": "li",
            },
        ).text
        assert "new-one" in tried and 'id="snippet"' in tried and "item_selector: li" in tried
        bad = client.post(
            "/sources/try",
            data={
                "csrf": csrf_of(client),
                "name": "bad",
                "kind": "html",
                "url": site.url,
                "item_selector": "li:bogus",
            },
        )
        assert bad.status_code == 400 and "item_selector" in bad.text


def test_the_english_switch_is_remembered(client: TestClient) -> None:
    chinese = client.get("/items", params={"region": "浙江"}).text
    switch = re.search(r'id="lang-switch" href="([^"]+)"', chinese)
    assert switch is not None and "region=" in switch.group(1)  # the filter is kept
    english = client.get(html.unescape(switch.group(1))).text
    assert "Cooperation news only" in english and "Industry college" in english
    assert len(titles(english)) == 2
    assert "Cooperation news only" in client.get("/items").text  # the cookie keeps it
    assert "仅合作资讯" in client.get("/items", params={"lang": "zh"}).text


def test_a_source_is_discovered_from_its_url_and_added_to_the_config(
    engine: Engine, ids: dict[str, int], site: LocalSite, tmp_path: Path
) -> None:
    path = tmp_path / "ieiwatch.yaml"
    path.write_text(
        "# my sources\n" + yaml.safe_dump({"sources": sample()["sources"]}), encoding="utf-8"
    )
    with client_for(engine, path=path) as client:
        token = csrf_of(client)
        found = client.post(
            "/sources/discover", data={"csrf": token, "url": f"{site.url}/feed.xml"}
        )
        assert found.status_code == 200 and 'id="add-source"' in found.text
        assert "Lakeside University signs strategic cooperation agreement" in found.text
        entry = re.search(r'name="entry" value="([^"]+)"', found.text)
        assert entry is not None
        added = client.post(
            "/sources/add", data={"csrf": token, "entry": html.unescape(entry.group(1))}
        )
        assert added.status_code == 200 and 'id="added"' in added.text
        assert 'data-name="127.0.0.1"' in added.text or "127.0.0.1" in added.text
        again = client.post(
            "/sources/add", data={"csrf": token, "entry": html.unescape(entry.group(1))}
        )
        assert again.status_code == 400 and "exists already" in again.text
        nothing = client.post("/sources/discover", data={"csrf": token, "url": f"{site.url}/nope"})
        assert nothing.status_code == 400
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# my sources") and f"{site.url}/feed.xml" in text


def test_the_web_command_refuses_an_open_address_without_a_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from ieiwatch.cli.main import app, register_commands

    register_commands()
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'ieiwatch.db'}")
    monkeypatch.delenv("IEIWATCH_WEB_PASSWORD", raising=False)
    monkeypatch.delenv("IEIWATCH_WEB_TOKEN", raising=False)
    config = tmp_path / "ieiwatch.yaml"
    config.write_text("sources: []\n", encoding="utf-8")
    refused = CliRunner().invoke(app, ["web", "--host", "0.0.0.0", "--config", str(config)])
    assert refused.exit_code == 1
    assert "IEIWATCH_WEB_PASSWORD" in refused.output


def test_serve_runs_the_web_app_beside_and_goes_on_without_it_when_the_port_is_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    import httpx

    from ieiwatch.cli.serve import _web_beside

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ieiwatch.db'}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert _web_beside(settings, app_config(), None, "127.0.0.1", port) is None
        assert "web app not started" in capsys.readouterr().err
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    beside = _web_beside(settings, app_config(), None, "127.0.0.1", port)
    assert beside is not None
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/items").status_code == 200
    finally:
        beside.stop()


def test_pages_of_fifty_link_to_older_and_newer_items(engine: Engine, ids: dict[str, int]) -> None:
    from dataclasses import replace

    from test_web_fixtures import to_store

    from ieiwatch.storage.articles import insert_new
    from ieiwatch.storage.models import Article

    base = to_store(sample()["articles"][4])
    with session_scope(engine) as session:
        source_id = session.get(Article, ids[SCRIPT]).source_id  # type: ignore[union-attr]
        insert_new(
            session,
            source_id,
            [
                replace(base, url=f"https://news.example.edu/more/{i}", title=f"Item number {i}")
                for i in range(50)
            ],
        )
    with client_for(engine) as client:
        first = client.get("/items", params={"source": "mit-news"}).text
        assert len(titles(first)) == 50 and 'id="older"' in first and 'id="newer"' not in first
        second = client.get("/items", params={"source": "mit-news", "page": "2"}).text
        assert len(titles(second)) == 2 and 'id="newer"' in second and 'id="older"' not in second
        assert "source=mit-news" in second.split('id="newer"')[0].rsplit("<a", 1)[1]
        assert not set(titles(first)) & set(titles(second))
