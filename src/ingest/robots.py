"""robots.txt: fetched once per host per run through the run's Fetcher, parsed by protego.

The usual convention (RFC 9309): a 4xx answer means there are no rules (allow all); a 5xx,
a 429 or an unreachable robots.txt means the site may not want us, so the host is left
alone for the run and every URL skipped on it says why. A Crawl-delay or Request-rate
slows the host's throttle (up to the Retry-After cap)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from protego import Protego

from dossier.ingest.fetch import FetchError, RobotsDisallowed, host_of

if TYPE_CHECKING:
    from dossier.ingest.fetch import Fetcher

log = logging.getLogger("dossier.ingest.robots")


@dataclass(frozen=True)
class HostRules:
    """What robots.txt says for one host: parsed rules, or allow all, or a reason to stay away."""

    parser: Protego | None = None
    refused: str | None = None

    def refusal(self, url: str, agent: str) -> str | None:
        """Why `url` may not be fetched, or None when it may."""
        if self.refused is not None:
            return self.refused
        if self.parser is not None and not self.parser.can_fetch(url, agent):
            return "disallowed by robots.txt"
        return None


class RobotsCache:
    """robots.txt rules per host for one run; share it across the run's fetchers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, HostRules] = {}
        self._host_locks: dict[str, threading.Lock] = {}

    def check(self, fetcher: Fetcher, url: str) -> None:
        """Raise RobotsDisallowed when `url` may not be fetched."""
        reason = self.rules_for(fetcher, url).refusal(url, fetcher.settings.user_agent)
        if reason is not None:
            raise RobotsDisallowed(url, reason)

    def rules_for(self, fetcher: Fetcher, url: str) -> HostRules:
        """The host's rules, fetching its robots.txt the first time (once, however many threads ask)."""
        host = host_of(url)
        with self._lock:
            host_lock = self._host_locks.setdefault(host, threading.Lock())
        with host_lock:
            rules = self._rules.get(host)
            if rules is None:
                rules = self._rules[host] = self._load(fetcher, url)
        return rules

    def _load(self, fetcher: Fetcher, url: str) -> HostRules:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        try:
            response = fetcher.get(robots_url, check_robots=False)
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                return HostRules()  # no robots.txt: no rules
            reason = f"robots.txt unavailable ({exc.reason}); host not crawled this run"
            log.warning("%s: %s", robots_url, reason)
            return HostRules(refused=reason)
        parser = Protego.parse(response.body.decode("utf-8", errors="replace"))
        agent = fetcher.settings.user_agent
        delays = [parser.crawl_delay(agent) or 0.0]
        rate = parser.request_rate(agent)
        if rate is not None and rate.requests:
            delays.append(rate.seconds / rate.requests)
        delay = min(max(delays), fetcher.settings.retry_after_cap)
        if delay > 0:
            fetcher.throttle.slow_down(url, delay)
        return HostRules(parser=parser)
