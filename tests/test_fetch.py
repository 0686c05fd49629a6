"""The fetcher against a real loopback server."""

import asyncio

import pytest
from servers import LocalSite, Route

from ieiwatch.config import Settings
from ieiwatch.scrapers.errors import (
    ConnectionFailed,
    FetchTimeout,
    HTTPStatusError,
    ResponseTooLarge,
)
from ieiwatch.scrapers.fetch import Fetcher, Response, make_client


def _get(settings: Settings, url: str, **validators: str | None) -> Response:
    async def go() -> Response:
        async with make_client(settings) as client:
            return await Fetcher(client, settings).get(url, **validators)

    return asyncio.run(go())


def test_matching_etag_gets_a_304_with_no_body(site: LocalSite) -> None:
    first = _get(Settings(), f"{site.url}/feed.xml")
    again = _get(
        Settings(), f"{site.url}/feed.xml", etag=first.etag, last_modified=first.last_modified
    )
    assert first.status == 200 and first.etag
    assert again.not_modified and again.content == b""
    assert site.hits("/feed.xml")[1].headers["If-None-Match"] == first.etag


def test_requests_say_who_we_are(site: LocalSite) -> None:
    _get(Settings(), f"{site.url}/feed.xml")
    assert site.hits("/feed.xml")[0].headers["User-Agent"].startswith("ieiwatch/")


@pytest.mark.parametrize(("status", "transient"), [(404, False), (503, True), (429, True)])
def test_error_status_is_an_error_that_says_if_a_retry_may_help(
    site: LocalSite, status: int, transient: bool
) -> None:
    site.routes["/x"] = Route(status)
    with pytest.raises(HTTPStatusError) as err:
        _get(Settings(), f"{site.url}/x")
    assert err.value.transient is transient
    assert f"HTTP {status}" in str(err.value) and "/x" in str(err.value)


def test_oversized_response_is_cut_off(site: LocalSite) -> None:
    site.routes["/big"] = Route(200, b"x" * 5000)
    with pytest.raises(ResponseTooLarge, match="cap"):
        _get(Settings(http_max_bytes=1000), f"{site.url}/big")


def test_slow_server_times_out(site: LocalSite) -> None:
    site.routes["/slow"] = Route(200, b"late", delay=1.0)
    with pytest.raises(FetchTimeout):
        _get(Settings(http_timeout=0.2), f"{site.url}/slow")


def test_refused_connection_is_a_transient_error() -> None:
    with LocalSite() as closed:
        url = closed.url
    with pytest.raises(ConnectionFailed) as err:
        _get(Settings(), f"{url}/feed.xml")
    assert err.value.transient
