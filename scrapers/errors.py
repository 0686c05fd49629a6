"""Why a source could not be scraped.

    ScrapeError
    ├── FetchError            the HTTP exchange failed
    │   ├── HTTPStatusError   4xx/5xx (transient: 408, 425, 429, 5xx)
    │   ├── FetchTimeout      (transient)
    │   ├── ConnectionFailed  refused, reset, DNS (transient)
    │   ├── TooManyRedirects
    │   ├── ResponseTooLarge  over the size cap
    │   └── Refused           we chose not to fetch: never retried, reported as a skip
    │       ├── BlockedByRobots   robots.txt disallows the URL for our user agent
    │       └── UnsafeLink        a discovered link to a private/reserved address or scheme
    └── ParseError            the bytes are not what the source config promised
        ├── NotAFeed
        └── SelectorMatchedNothing

``transient`` tells the flow whether a retry may help.
"""

from __future__ import annotations

from ieiwatch.domain import IeiwatchError


class ScrapeError(IeiwatchError):
    transient = False

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class FetchError(ScrapeError):
    pass


class HTTPStatusError(FetchError):
    def __init__(
        self, url: str, status: int, *, retry_after: float | None = None, detail: str = ""
    ) -> None:
        self.status = status
        self.transient = status in (408, 425, 429) or status >= 500
        self.retry_after = retry_after
        """Seconds the server asked us to wait (``Retry-After``), when it said."""
        super().__init__(url, f"HTTP {status}{detail}")


class FetchTimeout(FetchError):
    transient = True


class ConnectionFailed(FetchError):
    transient = True


class SourceTimedOut(ScrapeError):
    """The whole source took longer than its time limit in one pass."""


class TooManyRedirects(FetchError):
    pass


class ResponseTooLarge(FetchError):
    pass


class Refused(FetchError):
    """We decided not to send the request; the same decision would be made next time."""


class BlockedByRobots(Refused):
    pass


class UnsafeLink(Refused):
    pass


class ParseError(ScrapeError):
    pass


class NotAFeed(ParseError):
    pass


class SelectorMatchedNothing(ParseError):
    pass
