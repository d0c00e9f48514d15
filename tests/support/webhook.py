"""A webhook receiver on loopback for the alert tests: records each POST, verifies its
signature, and can be made to fail (a receiver that is down answers 503)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from dossier.demo.loopback import LoopbackServer
from dossier.ingest.webhook import SIGNATURE_HEADER, verify

SECRET = "test-webhook-secret"


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]
    signed: bool  # the HMAC over the exact body matched

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """POSTs to /hook are recorded (and answered 204) unless `down`, when they get 503."""

    secret: str = SECRET
    down: bool = False
    received: list[Received] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.server = LoopbackServer(self._answer, name="test-webhook")
        self.url = self.server.url("/hook")

    def __enter__(self) -> WebhookReceiver:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        if request.command != "POST" or request.path != "/hook":
            request.send_error(405)
            return
        with self.lock:
            if self.down:
                self.refused += 1
                request.send_response(503)
                request.send_header("Content-Length", "0")
                request.end_headers()
                return
            headers = {k.lower(): v for k, v in request.headers.items()}
            self.received.append(Received(body, headers, verify(self.secret, body, headers.get(SIGNATURE_HEADER.lower(), ""))))
        request.send_response(204)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def alerts(self) -> list[dict[str, Any]]:
        """Every alert received, from single posts and digests alike."""
        out = []
        for item in self.received:
            payload = item.payload
            out += payload["alerts"] if payload["type"] == "digest" else [payload["alert"]]
        return out
