"""robots.txt: parse it the way RFC 9309 (and Google) read it, and cache it per site.

``urllib.robotparser`` is not used because of verified pitfalls: it applies the first matching
rule instead of the longest one (``Allow: /`` before ``Disallow: /private/`` allows
everything), it has no ``*``/``$`` wildcards, it percent-quotes the patterns (so ``*`` becomes
``%2A``) and it fetches with urllib and no timeout of ours. Its status rules are kept: 401/403
mean "disallow everything", other errors and an unreachable site mean "allow everything".
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit

from ieiwatch.domain import RobotsAnswer
from ieiwatch.scrapers.safety import UrlGuard

ROBOTS_MAX_BYTES = 512_000
"""RFC 9309 asks crawlers to read at least 500 KiB; the rest of a longer file is ignored."""

# Characters left as they are when normalising paths and patterns for comparison.
_SAFE = "/?&=;:@!$'()*+,~-._"


@dataclass(frozen=True)
class Rule:
    allow: bool
    pattern: str
    """Normalised path pattern; ``*`` matches any run of characters, a final ``$`` the end."""

    def match_length(self, path: str) -> int | None:
        """The pattern's length when it matches ``path`` (longest wins), else None."""
        if "*" not in self.pattern and not self.pattern.endswith("$"):
            return len(self.pattern) if path.startswith(self.pattern) else None
        return len(self.pattern) if _wildcard_regex(self.pattern).match(path) else None


@dataclass(frozen=True)
class RobotsRules:
    """The rules of one site that apply to our user agent."""

    rules: tuple[Rule, ...] = ()
    crawl_delay: float | None = None

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        path = _normalise((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
        if path == "/robots.txt":
            return True
        best: tuple[int, bool] | None = None
        for rule in self.rules:
            length = rule.match_length(path)
            # Longest pattern wins; on a tie the less restrictive rule (Allow) wins.
            if length is not None and (best is None or (length, rule.allow) > best):
                best = (length, rule.allow)
        return best is None or best[1]


ALLOW_ALL = RobotsRules()
DISALLOW_ALL = RobotsRules((Rule(allow=False, pattern="/"),))


@dataclass
class _Group:
    agents: list[str]
    rules: list[Rule]
    crawl_delay: float | None = None


def parse_robots(text: str, agent_token: str) -> RobotsRules:
    """The rules for ``agent_token`` (our product token, e.g. ``ieiwatch``) in a robots.txt.

    Groups naming the token (case-insensitive) are merged; only when none does, the ``*``
    groups apply. No matching group at all means everything is allowed.
    """
    groups = _groups(text)
    token = agent_token.lower()
    mine = [g for g in groups if token in g.agents]
    chosen = mine or [g for g in groups if "*" in g.agents]
    rules = tuple(rule for g in chosen for rule in g.rules)
    delay = next((g.crawl_delay for g in chosen if g.crawl_delay is not None), None)
    return RobotsRules(rules, delay)


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups name: ``ieiwatch/0.1 (…)`` → ``ieiwatch``."""
    return user_agent.split("/", 1)[0].split()[0].lower() if user_agent.strip() else "*"


def _groups(text: str) -> list[_Group]:
    groups: list[_Group] = []
    current: _Group | None = None
    in_agents = False  # consecutive user-agent lines share one group
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if current is None or not in_agents:
                current = _Group([], [])
                groups.append(current)
            current.agents.append(value.split("/", 1)[0].strip().lower())
            in_agents = True
            continue
        in_agents = False
        if current is None:
            continue  # rules before any user-agent line belong to no group
        if key in ("allow", "disallow") and value:
            # An empty Disallow allows everything, which is what no rule does anyway.
            current.rules.append(Rule(allow=key == "allow", pattern=_normalise(value)))
        elif key == "crawl-delay" and current.crawl_delay is None:
            current.crawl_delay = _seconds(value)
    return groups


def _seconds(value: str) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def _normalise(path: str) -> str:
    """One spelling for paths and patterns: non-ASCII percent-encoded, escapes upper-case."""
    return quote(unquote(path), safe=_SAFE + "%")


@lru_cache(maxsize=1024)
def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    return re.compile(regex + (r"\Z" if anchored else ""))


FRESH_FOR = timedelta(hours=24)
"""How long a robots.txt is trusted (RFC 9309 allows caching it for up to a day), so an
unchanged source still costs one request per run."""


@dataclass(frozen=True)
class RobotsFile(RobotsAnswer):
    """What a site answered for /robots.txt: kept between runs, read into rules per agent."""

    @classmethod
    def of(cls, answer: RobotsAnswer) -> RobotsFile:
        return cls(answer.origin, answer.status, answer.body, answer.fetched_at)

    def rules(self, agent: str) -> RobotsRules:
        # The status rules are those of urllib.robotparser.
        if self.status in (401, 403):
            return DISALLOW_ALL
        if self.status != 200:
            return ALLOW_ALL  # no file, or unreachable: no rules to honour
        return parse_robots(self.body, agent)

    def fresh(self, now: datetime) -> bool:
        """Reusable next run: a real answer (not an outage) of less than a day ago."""
        return 0 < self.status < 500 and now - self.fetched_at < FRESH_FOR


RobotsFetch = Callable[[str, UrlGuard], Awaitable[RobotsFile]]
"""Fetches a robots.txt URL, every hop checked by the guard of the request that needs it."""


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class RobotsCache:
    """robots.txt per origin (scheme, host, port): from an earlier run when still fresh,
    else fetched once in this run. Requests that arrive while the file is being fetched wait
    for that one fetch."""

    def __init__(self, fetch: RobotsFetch, agent: str, known: Iterable[RobotsAnswer] = ()) -> None:
        self._fetch = fetch
        self._agent = agent
        now = datetime.now(UTC)
        files = (RobotsFile.of(answer) for answer in known)
        self._known = {f.origin: f for f in files if f.fresh(now)}
        self._pending: dict[str, asyncio.Future[RobotsFile]] = {}
        self._rules: dict[str, RobotsRules] = {}

    async def rules_for(self, url: str, guard: UrlGuard) -> RobotsRules:
        """The rules for ``url``'s site; robots.txt is fetched through ``guard`` when it
        must be fetched (the guard that let ``url`` itself through)."""
        origin = origin_of(url)
        if origin not in self._rules:
            file = self._known.get(origin) or await self._fetch_once(origin, guard)
            self._rules[origin] = file.rules(self._agent)
        return self._rules[origin]

    async def _fetch_once(self, origin: str, guard: UrlGuard) -> RobotsFile:
        future = self._pending.get(origin)
        if future is None:
            future = asyncio.ensure_future(self._fetch(f"{origin}/robots.txt", guard))
            self._pending[origin] = future
        # Shielded: one caller giving up must not cancel the fetch the others wait for.
        return await asyncio.shield(future)

    def fetched(self) -> list[RobotsFile]:
        """The files fetched in this run, to keep for the next ones."""
        return [
            f.result()
            for f in self._pending.values()
            if f.done() and not f.cancelled() and f.exception() is None
        ]
