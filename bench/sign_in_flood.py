"""What a sign-in flood costs a signed-in reviewer (issue 16, item 11).

    .venv/bin/python bench/sign_in_flood.py [--seconds 10] [--rate 20]

A scratch warehouse with one reviewer; the desk in-process (starlette's TestClient). The
reviewer loads /queue over and over, first alone, then while another thread sends `--rate`
failed sign-ins per second under changing usernames from one client. Prints the median and
95th percentile page time of each phase and how many of the flood's attempts were hashed,
refused from memory, and left as rows. The tests check the mechanism; this measures it.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient

from dossier.review import accounts
from dossier.review.accounts import add_account
from dossier.settings import load_settings
from dossier.store.warehouse import Warehouse
from dossier.web.app import create_app

PASSWORD = "correct horse battery"


def _client(app) -> TestClient:
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def _sign_in(c: TestClient, username: str, password: str) -> int:
    form = c.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    return c.post("/login", data={"username": username, "password": password, "next": "/queue",
                                  "csrf_token": token}).status_code


def _page_times(c: TestClient, seconds: float) -> list[float]:
    times, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.perf_counter()
        assert c.get("/queue").status_code == 200
        times.append(time.perf_counter() - started)
    return times


def _summary(label: str, times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)
    return f"{label}: {len(times)} pages, median {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"


def main(seconds: float, rate: float) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "dossier.duckdb"
        with Warehouse(path).write() as con:
            add_account(con, "rita", PASSWORD, "reviewer")
        app = create_app(load_settings(warehouse_path=path))
        reviewer = _client(app)
        assert _sign_in(reviewer, "rita", PASSWORD) == 303
        print(_summary("alone", _page_times(reviewer, seconds)))

        hashes: list[int] = []
        real_verify = accounts.PasswordHasher.verify

        def counted_verify(self, hash_, password):
            hashes.append(1)
            return real_verify(self, hash_, password)

        accounts.PasswordHasher.verify = counted_verify  # type: ignore[method-assign]
        stop, codes = threading.Event(), []

        def flood() -> None:
            attacker, n = _client(app), 0
            while not stop.is_set():
                started = time.monotonic()
                codes.append(_sign_in(attacker, f"guess{n}", "wrong password"))
                n += 1
                stop.wait(max(0.0, 1 / rate - (time.monotonic() - started)))

        thread = threading.Thread(target=flood)
        thread.start()
        try:
            print(_summary(f"during a flood of {rate:g} sign-ins/s", _page_times(reviewer, seconds)))
        finally:
            stop.set()
            thread.join()
            accounts.PasswordHasher.verify = real_verify  # type: ignore[method-assign]
        with Warehouse(path).read() as con:
            rows = con.execute("SELECT count(*) FROM login_attempts").fetchone()[0]
        print(f"flood: {len(codes)} attempts ({codes.count(401)} refused as wrong, {codes.count(429)} throttled), "
              f"{len(hashes)} hashed, {app.state.refused_sign_ins.refused} refused from memory, "
              f"{rows} rows in login_attempts")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--rate", type=float, default=20.0, help="sign-in attempts per second in the flood")
    args = parser.parse_args()
    main(args.seconds, args.rate)
