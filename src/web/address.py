"""Where the desk listens and whether a browser will keep its session cookie there.

The session cookie is Secure by default (DOSSIER_SESSION_SECURE): browsers send it over HTTPS,
and over plain HTTP only to a loopback host (localhost, 127.0.0.1, ::1), which they treat as
secure. `dossier serve` speaks plain HTTP; on any other host a browser drops the cookie and no
sign-in can succeed, so the desk says so when it starts and on the sign-in page."""

from __future__ import annotations

import ipaddress

from dossier.settings import Settings

SECURE_COOKIE_REFUSED = (
    "Your browser refused the Secure session cookie over plain HTTP; use HTTPS or set "
    "DOSSIER_SESSION_SECURE=false for a loopback-only desk."
)


def is_loopback(host: str | None) -> bool:
    """Whether `host` (a name or an address, IPv6 with or without brackets) is this machine only.
    An unspecified address (0.0.0.0, ::) listens on every interface: not loopback."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def desk_url(host: str, port: int) -> str:
    """The URL of a desk listening on `host`:`port` (plain HTTP, as `dossier serve` serves)."""
    bare = host.strip("[]")
    shown = f"[{bare}]" if ":" in bare else bare
    return f"http://{shown}:{port}/"


def plain_http_warning(settings: Settings, host: str) -> str | None:
    """The one-line warning `dossier serve` gives when browsers will refuse the session cookie:
    a Secure cookie, served over plain HTTP on a host other than loopback, with no trusted
    reverse proxy (which could be the one to speak HTTPS) in front."""
    if not settings.session_secure or is_loopback(host) or settings.trusted_proxies:
        return None
    return (f"the desk serves plain HTTP on {host}, but its session cookie is Secure: browsers will drop it and "
            "every sign-in will fail. Put an HTTPS reverse proxy in front (and list it in DOSSIER_TRUSTED_PROXIES), "
            "or set DOSSIER_SESSION_SECURE=false for a desk on a trusted network only.")
