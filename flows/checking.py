"""``sources check``, ``sources discover`` and ``classify --url``: a source, or one page,
fetched and read the way a run does (through the ingest step's ``harvest``), with nothing
stored and nobody alerted."""

from __future__ import annotations

from dataclasses import dataclass

from ieiwatch.classify.site_publisher import publisher_for
from ieiwatch.config.schema import SourceConfig
from ieiwatch.config.settings import Settings
from ieiwatch.flows.ingest import Harvest, harvest
from ieiwatch.scrapers.article import extract_article
from ieiwatch.scrapers.discover import Discovery, discover
from ieiwatch.scrapers.encoding import decode_html
from ieiwatch.scrapers.fetch import Fetcher, make_client
from ieiwatch.scrapers.source import Listing, fetch_listing


@dataclass(frozen=True)
class CheckResult:
    listing: Listing
    harvest: Harvest


async def check_source(settings: Settings, source: SourceConfig, articles: int) -> CheckResult:
    """The listing (fetched unconditionally) and the first ``articles`` pages, extracted
    and classified."""
    async with make_client(settings) as client:
        fetcher = Fetcher(client, settings)
        listing = await fetch_listing(fetcher, source, None, None)
        found = await harvest(fetcher, settings, source, listing.items[: max(articles, 0)])
    return CheckResult(listing, found)


async def read_page(settings: Settings, url: str) -> tuple[str, str, str | None]:
    """(title, text, publishing school if its site names one) of the page at ``url``, read
    the way sources' article pages are."""
    async with make_client(settings) as client:
        response = await Fetcher(client, settings).get(url)
    html = decode_html(response.content, response.content_type).text
    page = extract_article(html, response.url)
    return page.title, page.text, publisher_for(None, page.site_names)


async def discover_url(settings: Settings, url: str) -> Discovery:
    """What ``url`` offers: its feed, or its CMS, news list and next page (fetched once,
    politely, with the shared fetcher's rules)."""
    async with make_client(settings) as client:
        return await discover(Fetcher(client, settings), url)
