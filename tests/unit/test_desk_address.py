"""Where `dossier serve` says it listens, and when it warns that browsers will drop the Secure cookie."""

from __future__ import annotations

import pytest

from dossier.settings import load_settings
from dossier.web.address import desk_url, is_loopback, plain_http_warning


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "localhost", "desk.localhost", "::1", "[::1]", "LOCALHOST"])
def test_loopback_hosts(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "desk.example.org", "", None, "localhost.example.org"])
def test_other_hosts(host):
    assert not is_loopback(host)


def test_the_url_brackets_ipv6_addresses():
    assert desk_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert desk_url("::1", 8000) == desk_url("[::1]", 8000) == "http://[::1]:8000/"


def test_the_warning_needs_a_secure_cookie_a_host_beyond_loopback_and_no_trusted_proxy(tmp_path):
    settings = load_settings(warehouse_path=tmp_path / "w.duckdb")
    assert "plain HTTP on 0.0.0.0" in plain_http_warning(settings, "0.0.0.0")
    assert plain_http_warning(settings, "localhost") is None
    assert plain_http_warning(settings.model_copy(update={"session_secure": False}), "0.0.0.0") is None
    assert plain_http_warning(settings.model_copy(update={"trusted_proxies": ["10.0.0.2"]}), "0.0.0.0") is None
