"""Fetching a report from its address, for the intake, with limits, and keeping it as fetched.

`fetch(url)` gets one page over HTTP or HTTPS and returns its bytes with the time, the final
address and the SHA-256, which the import keeps as the article's archived original (reports
on Chinese sites vanish; the copy stays). It refuses, saying why and writing nothing:

- any scheme but http and https, and addresses with a user name or password;
- a host that resolves to a private, loopback, link-local, multicast or otherwise not public
  address (the server must not be made to reach the newsroom's own network), unless
  SOURCEBOOK_FETCH_ALLOW_PRIVATE is on (tests, a newsroom's intranet). The connection goes to
  the very address that was checked, so a name that resolves differently the second time
  (DNS rebinding) reaches nothing else;
- a page larger than SOURCEBOOK_FETCH_MAX_BYTES (10 MB), told by its Content-Length or found
  while reading, and a fetch longer than SOURCEBOOK_FETCH_TIMEOUT seconds (20) in all;
- an answer other than 200 after at most five redirects, each of them checked as above.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

MAX_REDIRECTS = 5
USER_AGENT = "Sourcebook/1 (a newsroom's archive of the reports it cites)"
CHUNK = 64 * 1024


class FetchRefused(Exception):
    """A page that was not fetched, and why."""


@dataclass(frozen=True)
class Fetched:
    url: str  # the address asked for
    final_url: str  # where the page was found, after redirects
    data: bytes
    content_type: str
    fetched_at: datetime
    sha256: str


def _public_address(host, port):
    """The first address of `host` a fetch may connect to; FetchRefused when none is."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchRefused(
            _("%(host)s cannot be found (%(error)s)") % {"host": host, "error": error}
        ) from None
    allow_private = getattr(settings, "SOURCEBOOK_FETCH_ALLOW_PRIVATE", False)
    refused = []
    for family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0])
        if allow_private or address.is_global:
            return family, sockaddr[0]
        refused.append(str(address))
    raise FetchRefused(
        _(
            "%(host)s is a private or local address (%(addresses)s): the server "
            "does not fetch from its own network"
        )
        % {"host": host, "addresses": ", ".join(sorted(set(refused)))}
    )


class _Pinned(http.client.HTTPConnection):
    """An HTTP connection to the one address that was checked, whatever the name says."""

    def __init__(self, host, port, *, address, family, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address, self.family = address, family

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTLS(_Pinned):
    def connect(self):
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


def fetch(url: str) -> Fetched:
    """The page at `url` (see the module's docstring)."""
    timeout = getattr(settings, "SOURCEBOOK_FETCH_TIMEOUT", 20)
    limit = getattr(settings, "SOURCEBOOK_FETCH_MAX_BYTES", 10 * 1024 * 1024)
    deadline = time.monotonic() + timeout
    current = url
    for _redirect in range(MAX_REDIRECTS + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https"):
            raise FetchRefused(
                _("%(url)s: only http and https addresses are fetched") % {"url": current}
            )
        if parts.username or parts.password:
            raise FetchRefused(
                _("%(url)s: an address with a user name is not fetched") % {"url": current}
            )
        host = parts.hostname
        if not host:
            raise FetchRefused(_("%(url)s: the address names no host") % {"url": current})
        port = parts.port or (443 if parts.scheme == "https" else 80)
        family, address = _public_address(host, port)
        remaining = max(0.1, deadline - time.monotonic())
        kind = _PinnedTLS if parts.scheme == "https" else _Pinned
        connection = kind(host, port, address=address, family=family, timeout=remaining)
        path = parts.path or "/"
        if parts.query:
            path += f"?{parts.query}"
        try:
            connection.request(
                "GET",
                path,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": "text/html,application/xhtml+xml,application/pdf,*/*;q=0.5",
                    "Accept-Encoding": "identity",
                },
            )
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchRefused(
                        _("%(url)s: a redirect without a Location") % {"url": current}
                    )
                current = urljoin(current, location)
                continue
            if response.status != 200:
                raise FetchRefused(
                    _("%(url)s: the server answered %(status)s")
                    % {"url": current, "status": response.status}
                )
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchRefused(
                    _(
                        "%(url)s: the page is %(size)s bytes, more than the %(limit)s "
                        "a fetch reads (SOURCEBOOK_FETCH_MAX_BYTES)"
                    )
                    % {"url": current, "size": f"{int(declared):,}", "limit": f"{limit:,}"}
                )
            body = bytearray()
            while True:
                if time.monotonic() > deadline:
                    raise FetchRefused(
                        _("%(url)s: the fetch took longer than %(timeout)s s")
                        % {"url": current, "timeout": timeout}
                    )
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                body += chunk
                if len(body) > limit:
                    raise FetchRefused(
                        _(
                            "%(url)s: the page is more than the %(limit)s bytes a fetch reads "
                            "(SOURCEBOOK_FETCH_MAX_BYTES)"
                        )
                        % {"url": current, "limit": f"{limit:,}"}
                    )
            data = bytes(body)
            return Fetched(
                url=url,
                final_url=current,
                data=data,
                content_type=(response.getheader("Content-Type") or "")[:200],
                fetched_at=timezone.now(),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        except (OSError, http.client.HTTPException, ssl.SSLError) as error:
            raise FetchRefused(
                _("%(url)s: %(kind)s: %(error)s")
                % {"url": current, "kind": type(error).__name__, "error": error}
            ) from None
        finally:
            connection.close()
    raise FetchRefused(
        _("%(url)s: more than %(most)s redirects") % {"url": url, "most": MAX_REDIRECTS}
    )
