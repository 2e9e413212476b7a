"""The client's address behind the site's own proxies, for login throttling (django-axes).

Each proxy in front of the application (a TLS terminator, HAProxy) appends the address it was
reached from to X-Forwarded-For. With TRUSTED_PROXY_COUNT proxies, the last that many
entries were written by them, and the client's address is the first of those: the address
the outermost trusted proxy saw. Anything to its left was sent by the client and is not
trusted (a client may put any address there). With no trusted proxy, or a request that did
not pass through them all (fewer entries than proxies), the address is the connection's
own, REMOTE_ADDR. An entry that is not an IP address is never used.

axes calls `client_ip` (`AXES_CLIENT_IP_CALLABLE`); the count is the setting
`SOURCEBOOK_TRUSTED_PROXY_COUNT` (the environment's TRUSTED_PROXY_COUNT in production).
"""

import ipaddress

from django.conf import settings


def _address(text):
    text = (text or "").strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def client_ip(request):
    """The address the request came from, as the trusted proxies saw it."""
    remote = _address(request.META.get("REMOTE_ADDR")) or "0.0.0.0"  # noqa: S104 (a value)
    count = getattr(settings, "SOURCEBOOK_TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        return remote
    return _address(forwarded[-count]) or remote
