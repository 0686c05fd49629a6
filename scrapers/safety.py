"""Which discovered links may be fetched.

Feeds and list pages are written by others: a link in them must not make us read our own
network (a router's admin page, a cloud metadata service at 169.254.169.254, a database on
localhost). A link is fetched only over http(s), and only when its host is the configured
source's own host, a host the operator allowed (``allow_hosts``), or a host whose every
address is public. The decision is the plain function ``check_link``; ``LinkGuard`` adds the
DNS lookup. The check runs before each request, redirects included.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from ieiwatch.config.schema import SourceConfig
from ieiwatch.scrapers.errors import ConnectionFailed, UnsafeLink

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

UrlGuard = Callable[[str], Awaitable[None]]
"""Called with every URL before it is requested; raises ``Refused`` to refuse it."""


@dataclass(frozen=True)
class LinkPolicy:
    source_host: str
    """Host name of the configured source URL: trusted, whatever it resolves to."""
    allow_hosts: tuple[str, ...] = ()
    """Also trusted; ``*.example.org`` stands for example.org and its subdomains."""
    same_host_only: bool = False
    """Fetch nothing but the trusted hosts (``IEIWATCH_ARTICLE_HOSTS=source``)."""

    @classmethod
    def for_source(cls, source: SourceConfig, *, same_host_only: bool = False) -> LinkPolicy:
        return cls(
            source_host=(urlsplit(source.url).hostname or "").lower(),
            allow_hosts=tuple(source.allow_hosts),
            same_host_only=same_host_only,
        )

    def trusts(self, host: str) -> bool:
        host = host.lower()
        if host == self.source_host:
            return True
        for allowed in self.allow_hosts:
            if allowed.startswith("*."):
                domain = allowed[2:]
                if host == domain or host.endswith("." + domain):
                    return True
            elif host == allowed:
                return True
        return False


def check_link(url: str, policy: LinkPolicy, addresses: Sequence[str] = ()) -> str | None:
    """Why ``url`` must not be fetched, or None when it may be.

    ``addresses`` are what the host resolves to; they matter only for an untrusted host
    given by name (an IP literal is checked as it stands).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"{parts.scheme or 'no'} scheme: only http(s) links are fetched"
    host = parts.hostname
    if not host:
        return "no host in the link"
    if policy.trusts(host):
        return None
    if policy.same_host_only:
        return f"host {host} is not the source's host (article_hosts=source)"
    literal = _ip(host)
    for address in [str(literal)] if literal is not None else addresses:
        problem = address_problem(address)
        if problem:
            shown = host if literal is not None else f"{host} resolves to {address}, which"
            return f"{shown} is a {problem} address"
    return None


def needs_lookup(url: str, policy: LinkPolicy) -> bool:
    """Whether ``check_link`` needs the host's addresses to decide."""
    parts = urlsplit(url)
    host = parts.hostname
    return (
        parts.scheme in ("http", "https")
        and bool(host)
        and not policy.trusts(host or "")
        and not policy.same_host_only
        and _ip(host or "") is None
    )


def address_problem(address: str) -> str | None:
    """The kind of non-public address this is (loopback, private …), or None if public."""
    ip = _ip(address)
    if ip is None:
        return "unparsable"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 reaches 127.0.0.1
    # Most specific first: Python counts 0.0.0.0/8 and 240.0.0.0/4 as "private" too.
    checks = (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("unspecified", ip.is_unspecified),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("non-public", not ip.is_global),  # e.g. 100.64.0.0/10 (carrier-grade NAT)
    )
    return next((name for name, hit in checks if hit), None)


def _ip(text: str) -> IPAddress | None:
    try:
        # A scope (fe80::1%eth0) is not part of the address.
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


class LinkGuard:
    """``check_link`` with DNS: raises ``UnsafeLink`` for a link that must not be fetched.

    Passed to ``Fetcher.get(guard=…)`` so every redirect hop is checked too. Lookups are
    cached for the guard's life (one source in one run). A name looked up here could resolve
    differently when httpx connects (DNS rebinding); a short window we accept.
    """

    def __init__(self, policy: LinkPolicy) -> None:
        self.policy = policy
        self._addresses: dict[tuple[str, int], list[str]] = {}

    async def __call__(self, url: str) -> None:
        addresses: list[str] = []
        try:
            port = urlsplit(url).port  # port 99999 or a broken IPv6 literal raise here
        except ValueError as exc:
            raise UnsafeLink(url, f"not fetched: invalid URL ({exc})") from None
        if needs_lookup(url, self.policy):
            addresses = await self._resolve(url, port)
        problem = check_link(url, self.policy, addresses)
        if problem:
            raise UnsafeLink(url, f"not fetched: {problem}")

    async def _resolve(self, url: str, port: int | None) -> list[str]:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = port or (443 if parts.scheme == "https" else 80)
        key = (host, port)
        if key not in self._addresses:
            loop = asyncio.get_running_loop()
            try:
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError) as exc:
                # Not a safety verdict: the page might resolve next run.
                raise ConnectionFailed(url, f"cannot resolve {host}: {exc}") from None
            self._addresses[key] = sorted({str(info[4][0]) for info in infos})
        return self._addresses[key]
