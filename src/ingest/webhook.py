"""Posting alerts to the operator's webhook: signed JSON, retried with backoff, in fetch scope.

The receiver is a URL from the settings, so the same scope rules as feeds apply (public
addresses only unless allow-listed in `allowed_hosts`): a mistyped or hostile setting cannot
make dossier post to the cloud metadata service. Redirects are not followed (a POST that is
redirected is a misconfigured receiver). Each body is signed with HMAC-SHA256 over its exact
bytes with the shared secret; the receiver recomputes it to know the alert is dossier's.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping

import httpx

from dossier.errors import InputError
from dossier.ingest.fetch import deadline_transport
from dossier.ingest.scope import OutOfScope, UrlScope

SIGNATURE_HEADER = "X-Dossier-Signature"
EVENT_HEADER = "X-Dossier-Event"


class WebhookError(InputError):
    """A POST the receiver did not accept, after every retry; `reason` is one line."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"webhook {url}: {reason}")
        self.url = url
        self.reason = reason


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=` and the hex HMAC-SHA256 of `body` under `secret`."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """Whether `signature` is `sign(secret, body)` (compared in constant time); for receivers and tests."""
    return hmac.compare_digest(sign(secret, body), signature or "")


class WebhookClient:
    """One receiver: scope-checked, signed POSTs with timeouts and retries; a context manager."""

    def __init__(
        self, url: str, secret: str, *, allowed_hosts: list[str], user_agent: str, connect_timeout: float,
        read_timeout: float, retries: int, backoff: float, sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url
        self.secret = secret
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._scope = UrlScope.from_allow_list(allowed_hosts)
        self._client = httpx.Client(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout), follow_redirects=False,
            headers={"User-Agent": user_agent}, transport=deadline_transport(),
        )

    def __enter__(self) -> WebhookClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def post(self, body: bytes, event: str, headers: Mapping[str, str] | None = None) -> None:
        """POST `body` (JSON) signed; retry on connection failures, timeouts, 429 and 5xx with
        doubling backoff; raise WebhookError when the receiver never accepts it (2xx)."""
        try:
            self._scope.check(self.url)
        except OutOfScope as exc:
            raise WebhookError(self.url, f"refused: {exc.reason}") from None
        sent = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(self.secret, body), EVENT_HEADER: event,
                **(headers or {})}
        delay = self.backoff
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(delay)
                delay *= 2
            try:
                response = self._client.post(self.url, content=body, headers=sent)
            except httpx.TimeoutException as exc:
                reason = f"timed out ({type(exc).__name__})"
                continue
            except httpx.TransportError as exc:
                reason = f"connection failed: {exc or type(exc).__name__}"
                continue
            except httpx.HTTPError as exc:
                raise WebhookError(self.url, f"request failed: {type(exc).__name__}: {exc}"[:300]) from None
            if 200 <= response.status_code < 300:
                return
            reason = f"HTTP {response.status_code}"
            if response.status_code != 429 and response.status_code < 500:
                break  # the receiver refuses this body: another try would be refused the same way
        raise WebhookError(self.url, f"{reason} after {attempt + 1} attempt{'s' if attempt else ''}")
