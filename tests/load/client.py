"""A small HTTP client for the load run: keep-alive, cookies, CSRF, as a browser behind a TLS proxy.

The server runs under production settings on loopback; each request says
`X-Forwarded-Proto: https`, as the TLS-terminating proxy would, so Django treats it as
HTTPS (secure cookies, HSTS, strict CSRF origin checks) exactly as in production.
"""

import http.client
import json
import re
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Failure(Exception):
    """A request that did not answer as it should."""


class Client:
    def __init__(self, host, port, *, timeout=30, source=None):
        """`source`: the loopback address to connect from (127.0.0.2, say), so that a
        balancer sees distinct clients."""
        self.host, self.port, self.timeout, self.source = host, port, timeout, source
        self.origin = f"https://{host}:{port}"
        self.cookies = {}
        self.connection = None

    def _connect(self):
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                self.host,
                self.port,
                timeout=self.timeout,
                source_address=(self.source, 0) if self.source else None,
            )
        return self.connection

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method, path, *, body=None, headers=None, referer=None):
        """Send one request; returns (status, headers, body bytes, seconds)."""
        sent = {
            "Host": f"{self.host}:{self.port}",
            "X-Forwarded-Proto": "https",
            "Accept-Encoding": "identity",
            "Connection": "keep-alive",
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if method == "POST":
            sent["Origin"] = self.origin
            sent["Referer"] = self.origin + (referer or path)
        sent.update(headers or {})
        for attempt in range(2):
            connection = self._connect()
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=sent)
                response = connection.getresponse()
                content = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server closed between requests: reconnect once.
                self.close()
                if attempt:
                    raise
                continue
            seconds = time.perf_counter() - started
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, response.headers, content, seconds
        raise Failure(f"{method} {path}: no answer")

    def get(self, path):
        return self.request("GET", path)

    def post_form(self, path, fields, *, referer=None):
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        body = urlencode(fields).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": self.cookies.get("csrftoken", ""),
        }
        return self.request("POST", path, body=body, headers=headers, referer=referer)

    def post_multipart(self, path, fields, files, *, referer=None):
        boundary = "----sourcebook-load-boundary"
        parts = []
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        for name, value in fields.items():
            disposition = f'Content-Disposition: form-data; name="{name}"'
            parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
        for name, (filename, data, content_type) in files.items():
            disposition = f'Content-Disposition: form-data; name="{name}"; filename="{filename}"'
            parts.append(
                f"--{boundary}\r\n{disposition}\r\nContent-Type: {content_type}\r\n\r\n".encode()
                + data
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.request("POST", path, body=b"".join(parts), headers=headers, referer=referer)

    def login(self, username, password):
        status, _, content, _ = self.get("/admin/login/")
        if status != 200:
            raise Failure(f"login page answered {status}")
        status, _headers, content, _ = self.post_form(
            "/admin/login/?next=/admin/",
            {"username": username, "password": password, "next": "/admin/"},
            referer="/admin/login/",
        )
        if status != 302:
            raise Failure(f"login as {username} answered {status}: {content[:200]!r}")

    @staticmethod
    def json(content):
        return json.loads(content.decode("utf-8"))

    @staticmethod
    def csrf_in(content):
        match = CSRF_INPUT.search(content.decode("utf-8", "replace"))
        return match.group(1) if match else ""
