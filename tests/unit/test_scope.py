"""The fetch scope: public http(s) only, unless allow-listed (SSRF)."""

from __future__ import annotations

import pytest

from dossier.ingest.scope import OutOfScope, UrlScope

FAKE_DNS = {
    "news.example": ["93.184.215.14"],
    "sneaky.example": ["127.0.0.1"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": ["93.184.215.14", "10.0.0.7"],
    "v6.example": ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "v6-private.example": ["fd00:ec2::254"],
    "nat64.example": ["64:ff9b::a9fe:a9fe"],
    "sixtofour.example": ["2002:7f00:1::"],
    "nat64-public.example": ["64:ff9b::5db8:d70e"],
}


def fake_resolver(host: str, port: int) -> list[str]:
    try:
        return FAKE_DNS[host]
    except KeyError:
        raise OSError(f"[Errno -2] Name or service not known: {host}") from None


@pytest.fixture
def scope() -> UrlScope:
    return UrlScope.from_allow_list([], resolver=fake_resolver)


@pytest.mark.parametrize("url", [
    "https://news.example/feed.xml",
    "http://news.example:8080/a?b=c",
    "https://v6.example/",
    "http://93.184.215.14/page",
    # Embedding a public IPv4 address is no reason to refuse.
    "http://[64:ff9b::5db8:d70e]/", "http://nat64-public.example/", "http://[2002:5db8:d70e::1]/",
])
def test_public_http_urls_pass(scope, url):
    scope.check(url)


@pytest.mark.parametrize("url, why", [
    ("file:///etc/passwd", "scheme"),
    ("ftp://news.example/x", "scheme"),
    ("gopher://news.example/", "scheme"),
    ("javascript:alert(1)", "scheme"),
    ("http:///nohost", "no host"),
    ("http://127.0.0.1:8000/admin", "loopback"),
    ("http://[::1]/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://10.1.2.3/", "private"),
    ("http://192.168.0.1/", "private"),
    ("http://172.16.5.4/", "private"),
    ("http://100.64.0.1/", "not public"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "private"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://sneaky.example/", "loopback"),
    ("http://metadata.example/", "link-local"),
    ("http://mixed.example/", "private"),
    ("http://v6-private.example/", "private"),
    ("http://unknown.example/", "does not resolve"),
    ("http://news.example:99999/", "malformed"),
    # IPv6 addresses carrying a non-public IPv4 one: a translating network delivers them there.
    ("http://[::127.0.0.2]/", "loopback (IPv4-compatible 127.0.0.2)"),
    ("http://[::a9fe:a9fe]/", "link-local (cloud metadata) (IPv4-compatible 169.254.169.254)"),
    ("http://[::ffff:7f00:2]/", "loopback (IPv4-mapped 127.0.0.2)"),
    ("http://[64:ff9b::7f00:2]/", "loopback (NAT64 127.0.0.2)"),
    ("http://[64:ff9b::a9fe:a9fe]/latest/meta-data/", "link-local (cloud metadata) (NAT64 169.254.169.254)"),
    ("http://[64:ff9b::10.0.0.1]/", "private (NAT64 10.0.0.1)"),
    ("http://[64:ff9b:1::a9fe:a9fe]/", "local-use NAT64"),
    ("http://[64:ff9b:1:ffff::7f00:1]/", "local-use NAT64"),
    ("http://[2002:7f00:2::]/", "loopback (6to4 127.0.0.2)"),
    ("http://[2002:a9fe:a9fe::1]/", "link-local (cloud metadata) (6to4 169.254.169.254)"),
    ("http://[2002:c0a8:0101::]/", "private (6to4 192.168.1.1)"),
    # Teredo: server 127.0.0.1, client 10.0.0.1 (stored inverted, as Teredo does).
    ("http://[2001:0:7f00:1:0:0:f5ff:fffe]/", "(Teredo"),
    ("http://nat64.example/", "link-local (cloud metadata) (NAT64 169.254.169.254)"),
    ("http://sixtofour.example/", "loopback (6to4 127.0.0.1)"),
])
def test_refused_urls_name_the_reason(scope, url, why):
    with pytest.raises(OutOfScope) as caught:
        scope.check(url)
    assert why in caught.value.reason
    assert caught.value.url == url


def test_numeric_spellings_of_loopback_are_resolved_and_refused():
    scope = UrlScope.from_allow_list([])  # the system resolver: these are numbers, not names
    for url in ("http://2130706433/", "http://0x7f000001/", "http://127.1/"):
        with pytest.raises(OutOfScope, match="loopback"):
            scope.check(url)


def test_allow_list_by_network_and_by_host_name(scope):
    allowed = scope.allowing("127.0.0.1/32", "metadata.example")
    allowed.check("http://127.0.0.1:8765/feed.xml")
    allowed.check("http://sneaky.example/")  # resolves to the allowed 127.0.0.1
    allowed.check("http://metadata.example/")  # allowed by name
    with pytest.raises(OutOfScope):
        allowed.check("http://127.0.0.2/")
    with pytest.raises(OutOfScope):
        allowed.check("http://169.254.169.254/")
    with pytest.raises(OutOfScope, match="scheme"):
        allowed.check("file://127.0.0.1/etc/passwd")
