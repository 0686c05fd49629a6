"""Links found in feeds and list pages: which may be fetched (unit tests of the decision),
and a pipeline run showing a link to 127.0.0.1 in a remote source's feed is not fetched."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError
from servers import LocalSite, Route
from sqlmodel import select

from ieiwatch.config import AppConfig, Settings
from ieiwatch.config.schema import SourceConfig
from ieiwatch.flows.polling import RunReport, run_pass
from ieiwatch.scrapers.errors import UnsafeLink
from ieiwatch.scrapers.safety import LinkGuard, LinkPolicy, address_problem, check_link
from ieiwatch.storage.db import make_engine, session_scope
from ieiwatch.storage.models import Article

REMOTE = LinkPolicy(source_host="news.example.edu.cn")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://news.example.edu.cn/a.htm",
        "gopher://news.example.edu.cn/",
    ],
)
def test_only_http_links_are_fetched(url: str) -> None:
    reason = check_link(url, REMOTE)
    assert reason is not None and "only http(s)" in reason


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("[::1]", "loopback"),
        ("[::ffff:127.0.0.1]", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("[fe80::1]", "link-local"),
        ("[fc00::1]", "private"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),
    ],
)
def test_links_to_non_public_addresses_are_refused(host: str, kind: str) -> None:
    reason = check_link(f"http://{host}/admin", REMOTE)
    assert reason is not None and f"a {kind} address" in reason


def test_public_addresses_and_names_resolving_to_them_are_fetched() -> None:
    assert check_link("http://93.184.216.34/a", REMOTE) is None
    assert check_link("https://other.example.org/a", REMOTE, ["93.184.216.34"]) is None


def test_a_name_resolving_to_a_private_address_is_refused() -> None:
    reason = check_link("http://intranet.example.org/a", REMOTE, ["93.184.216.34", "10.0.0.5"])
    assert reason == ("intranet.example.org resolves to 10.0.0.5, which is a private address")


def test_the_sources_own_host_is_trusted_whatever_it_resolves_to() -> None:
    local = LinkPolicy(source_host="127.0.0.1")
    assert check_link("http://127.0.0.1:8080/art/1.htm", local) is None
    assert check_link("http://news.example.edu.cn/a", REMOTE, ["10.0.0.5"]) is None


def test_allow_hosts_trusts_named_hosts_and_subdomains() -> None:
    policy = LinkPolicy("news.example.edu.cn", allow_hosts=("10.0.0.5", "*.intra.example.cn"))
    assert check_link("http://10.0.0.5/a", policy) is None
    assert check_link("http://www.intra.example.cn/a", policy, ["10.9.9.9"]) is None
    assert check_link("http://intra.example.cn/a", policy, ["10.9.9.9"]) is None
    assert check_link("http://10.0.0.6/a", policy) is not None
    assert check_link("http://notintra.example.cn/a", policy, ["10.9.9.9"]) is not None


def test_same_host_only_refuses_every_other_host() -> None:
    policy = LinkPolicy("127.0.0.1", same_host_only=True)
    assert check_link("http://127.0.0.1:9/a", policy) is None
    reason = check_link("http://example.org/a", policy, ["93.184.216.34"])
    assert reason is not None and "not the source's host" in reason


def test_address_problem_of_public_addresses_is_none() -> None:
    assert address_problem("8.8.8.8") is None
    assert address_problem("2001:4860:4860::8888") is None


def test_policy_for_a_source() -> None:
    source = SourceConfig(
        name="s",
        kind="feed",
        url="https://News.Example.edu.cn/rss.xml",
        allow_hosts=["Mirror.Example.cn"],
    )
    policy = LinkPolicy.for_source(source)
    assert policy.source_host == "news.example.edu.cn"
    assert policy.allow_hosts == ("mirror.example.cn",)


def test_allow_hosts_and_robots_are_validated() -> None:
    with pytest.raises(ValidationError, match="not a host name"):
        SourceConfig(name="s", kind="feed", url="http://a.cn/", allow_hosts=["http://b.cn/"])
    with pytest.raises(ValidationError, match="robots"):
        SourceConfig(name="s", kind="feed", url="http://a.cn/", robots="maybe")


def test_guard_resolves_names() -> None:
    guard = LinkGuard(LinkPolicy(source_host="news.example.edu.cn"))
    with pytest.raises(UnsafeLink, match=r"localhost resolves to 127\.0\.0\.1"):
        asyncio.run(guard("http://localhost:8080/a"))


# -------------------------------------------------------------------- over loopback


def _remote_feed(site: LocalSite, links: list[str]) -> None:
    """A feed served under the name ``localhost``: links to 127.0.0.1 are another host."""
    items = "".join(
        f"<item><title>Item {i}</title><link>{link}</link>"
        f"<description>Feed text {i}</description></item>"
        for i, link in enumerate(links)
    )
    body = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    )
    site.routes["/remote.xml"] = Route(200, body.encode(), {"Content-Type": "application/rss+xml"})


def _run(url: str, config: dict) -> RunReport:
    return asyncio.run(run_pass(Settings(database_url=url), AppConfig.model_validate(config)))


def _source(site: LocalSite, **extra: object) -> dict:
    remote = site.url.replace("127.0.0.1", "localhost")
    return {"sources": [{"name": "remote", "kind": "feed", "url": f"{remote}/remote.xml", **extra}]}


def test_a_link_to_loopback_in_a_remote_feed_is_not_fetched(
    site: LocalSite, sqlite_url: str
) -> None:
    _remote_feed(
        site,
        [
            f"{site.url}/art/201.htm",
            "javascript:alert(1)",
            f"{site.url.replace('127.0.0.1', 'localhost')}/art/102.htm",
        ],
    )
    report = _run(sqlite_url, _source(site))
    (source,) = report.sources
    assert site.hits("/art/201.htm") == []  # never requested
    assert len(site.hits("/art/102.htm")) == 1  # same host as the source: fetched
    assert source.status == "ok" and source.new == 2
    skipped = [e for e in source.errors if e.startswith("skipped link")]
    assert len(skipped) == 1 and "/art/201.htm" in skipped[0] and "loopback" in skipped[0]
    engine = make_engine(sqlite_url)
    with session_scope(engine) as s:
        texts = {a.url.rsplit("/", 1)[-1]: a.text for a in s.exec(select(Article))}
    engine.dispose()
    assert texts["201.htm"] == "Feed text 0"  # kept with the feed's own text


def test_allow_hosts_lets_the_operator_fetch_a_private_host(
    site: LocalSite, sqlite_url: str
) -> None:
    _remote_feed(site, [f"{site.url}/art/201.htm"])
    report = _run(sqlite_url, _source(site, allow_hosts=["127.0.0.1"]))
    assert len(site.hits("/art/201.htm")) == 1
    assert not [e for e in report.sources[0].errors if e.startswith("skipped")]


def test_a_redirect_to_loopback_is_not_followed(site: LocalSite, sqlite_url: str) -> None:
    remote = site.url.replace("127.0.0.1", "localhost")
    site.routes["/go"] = Route(302, b"", {"Location": f"{site.url}/art/201.htm"})
    _remote_feed(site, [f"{remote}/go"])
    report = _run(sqlite_url, _source(site))
    assert len(site.hits("/go")) == 1 and site.hits("/art/201.htm") == []
    assert any("redirected to" in e and "loopback" in e for e in report.sources[0].errors)
