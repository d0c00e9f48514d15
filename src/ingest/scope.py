"""Which URLs dossier may fetch: http and https to public addresses only.

A feed is text from the open web, and so is every link and redirect in it. Without a check,
a feed entry (or a redirect) pointing at `http://169.254.169.254/` or `http://127.0.0.1:8080/`
would make the crawler fetch the cloud metadata service or an internal admin page and store
the answer as an article. `UrlScope.check` refuses such URLs before any request is sent:

- schemes other than http and https;
- hosts that are, or resolve to, loopback, private, link-local (cloud metadata), shared
  (100.64/10), multicast, reserved or unspecified addresses, in IPv4 or IPv6 (odd spellings
  such as `2130706433` are resolved like any other name);
- IPv6 addresses that carry a non-public IPv4 address inside them, because a translating
  network delivers them to that IPv4 address: IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible
  `::a.b.c.d`, NAT64 `64:ff9b::/96` (and the local-use `64:ff9b:1::/48`, refused whole),
  6to4 `2002::/16` and Teredo `2001::/32` (its server and its client address);
- hosts that do not resolve.

unless the host name, or every address it resolves to, is explicitly allow-listed
(`DOSSIER_ALLOWED_HOSTS`: names and CIDR networks). The built-in demo allow-lists its own
loopback address, nothing else. The Fetcher calls the check for every request it sends,
so each redirect hop is checked again.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from dossier.errors import InputError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

SCHEMES = frozenset({"http", "https"})


class OutOfScope(InputError):
    """A URL dossier refuses to fetch; `reason` says why in one line."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


def resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host` (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


_NAT64 = ipaddress.ip_network("64:ff9b::/96")            # RFC 6052 well-known prefix
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")     # RFC 8215 local-use: embedding varies by site
_TEREDO = ipaddress.ip_network("2001::/32")


def embedded_ipv4(address: Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """Each IPv4 address an IPv6 address carries, named by how it is carried.

    On a network with a NAT64 gateway, 6to4 relay or Teredo, a request to the IPv6 address
    reaches the IPv4 one: `64:ff9b::a9fe:a9fe` is the cloud metadata service there."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    found: list[tuple[str, ipaddress.IPv4Address]] = []
    value = int(address)
    if address.ipv4_mapped is not None:
        found.append(("IPv4-mapped", address.ipv4_mapped))
    elif value >> 32 == 0 and value > 1:  # ::a.b.c.d; "::" and "::1" are judged as IPv6 themselves
        found.append(("IPv4-compatible", ipaddress.IPv4Address(value & 0xFFFFFFFF)))
    if address in _NAT64:
        found.append(("NAT64", ipaddress.IPv4Address(value & 0xFFFFFFFF)))
    if address.sixtofour is not None:
        found.append(("6to4", address.sixtofour))
    if address in _TEREDO and address.teredo is not None:
        server, client = address.teredo
        found += [("Teredo server", server), ("Teredo client", client)]
    return found


def _public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # the IPv4 address it stands for, and nothing else, is reached
    elif isinstance(address, ipaddress.IPv6Address) and address in _NAT64_LOCAL:
        return False
    if not (address.is_global and not address.is_multicast):
        return False
    return all(inner.is_global and not inner.is_multicast for _, inner in embedded_ipv4(address))


def _kind(address: Address) -> str:
    for test, word in (("is_unspecified", "unspecified"), ("is_loopback", "loopback"),
                       ("is_link_local", "link-local (cloud metadata)"), ("is_private", "private"),
                       ("is_multicast", "multicast"), ("is_reserved", "reserved")):
        if getattr(address, test):
            return word
    return "not public"


def _why_not(address: Address) -> str:
    """What kind of non-public address this is, naming the IPv4 address it carries if that is why."""
    for how, inner in embedded_ipv4(address):
        if not (inner.is_global and not inner.is_multicast):
            return f"{_kind(inner)} ({how} {inner}) address"
    if isinstance(address, ipaddress.IPv6Address) and address in _NAT64_LOCAL:
        return "local-use NAT64 address"
    return f"{_kind(address)} address"


@dataclass(frozen=True)
class UrlScope:
    """The fetch policy: public http(s) plus an explicit allow-list."""

    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[Network, ...] = ()
    resolver: Resolver | None = None  # None: the system resolver (`resolve`)

    @classmethod
    def from_allow_list(cls, entries: Iterable[str], resolver: Resolver | None = None) -> UrlScope:
        """Entries are host names ("localhost") or addresses / CIDR networks ("10.0.0.0/8")."""
        hosts: set[str] = set()
        networks: list[Network] = []
        for entry in entries:
            entry = entry.strip().lower()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(entry.rstrip("."))
        return cls(frozenset(hosts), tuple(networks), resolver)

    def allowing(self, *entries: str) -> UrlScope:
        """This scope with more allow-list entries (the demo adds its own server)."""
        more = UrlScope.from_allow_list(entries)
        return UrlScope(self.allowed_hosts | more.allowed_hosts, self.allowed_networks + more.allowed_networks,
                        self.resolver)

    def _allowed(self, address: Address) -> bool:
        return any(address in network for network in self.allowed_networks
                   if network.version == address.version)

    def check(self, url: str) -> None:
        """Raise OutOfScope unless dossier may fetch `url`."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise OutOfScope(url, f"malformed URL ({exc})") from None
        if parts.scheme.lower() not in SCHEMES:
            raise OutOfScope(url, f"scheme {parts.scheme or '(none)'!r} is not http or https")
        host = (parts.hostname or "").rstrip(".").lower()
        if not host:
            raise OutOfScope(url, "no host")
        if host in self.allowed_hosts:
            return
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                resolved = (self.resolver or resolve)(host, port or (443 if parts.scheme.lower() == "https" else 80))
            except (OSError, UnicodeError) as exc:
                raise OutOfScope(url, f"host {host!r} does not resolve ({exc})") from None
            addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in resolved]
            if not addresses:
                raise OutOfScope(url, f"host {host!r} does not resolve") from None
        for address in addresses:
            if not _public(address) and not self._allowed(address):
                raise OutOfScope(url, f"host {host!r} is {_why_not(address)} {address}; "
                                      "not fetched unless allow-listed (DOSSIER_ALLOWED_HOSTS)")
