"""Forward requests under some path prefixes to other HTTP servers.

Werkzeug calls this ``werkzeug.middleware.http_proxy`` (``ProxyMiddleware``).
Meant for development, e.g. to send ``/api/`` to a backend on another port
while the app serves the rest; it uses ``http.client`` and buffers nothing
but one chunk at a time.
"""

from __future__ import annotations

import typing as t
from urllib.parse import quote, urlsplit

from microflask.http import is_hop_by_hop_header

__all__ = ["ProxyMiddleware"]

# Hop-by-hop headers are the ones of microflask.http (Werkzeug's list, RFC
# 9110 7.6.1).  The proxy needs no extra names: the "Trailers" some older
# lists carry is RFC 2616's misspelling of "Trailer", which the list has.


def _request_headers_from_environ(environ: t.Mapping[str, t.Any]) -> list[tuple[str, str]]:
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if not value:
                continue
            name = key.replace("_", "-").title()
        else:
            continue
        # They describe the client's connection to us, not ours to the target.
        if not is_hop_by_hop_header(name):
            headers.append((name, value))
    return headers


class _ProxyTarget:
    """One target from the options: builds and sends the forwarded request."""

    def __init__(self, prefix: str, options: t.Mapping[str, t.Any], chunk_size: int,
                 timeout: float) -> None:
        self.prefix = prefix
        self.target = urlsplit(options["target"])
        self.host = options.get("host", "<auto>")
        self.remove_prefix = options.get("remove_prefix", False)
        self.headers = dict(options.get("headers") or {})
        self.ssl_context = options.get("ssl_context")
        self.chunk_size = chunk_size
        self.timeout = timeout

    def _connection(self) -> t.Any:
        import http.client

        target = self.target
        if target.scheme == "https":
            return http.client.HTTPSConnection(
                target.hostname, target.port, timeout=self.timeout, context=self.ssl_context
            )
        if target.scheme != "http":
            raise RuntimeError(f"Target scheme must be 'http' or 'https', got {target.scheme!r}.")
        return http.client.HTTPConnection(target.hostname, target.port, timeout=self.timeout)

    def _remote_url(self, environ: t.Mapping[str, t.Any]) -> str:
        path = environ.get("PATH_INFO", "").encode("latin1").decode("utf-8", "replace")
        if self.remove_prefix:
            path = "%s/%s" % (self.target.path.rstrip("/"), path[len(self.prefix):].lstrip("/"))
        url = quote(path, safe="!$&'()*+,/:;=@%")
        query = environ.get("QUERY_STRING")
        if query:
            url += "?" + query
        return url

    def _forwarded_headers(self, environ: t.Mapping[str, t.Any]) -> list[tuple[str, str]]:
        headers = [(k, v) for k, v in _request_headers_from_environ(environ) if k != "Host"]
        if self.host == "<auto>":
            headers.append(("Host", self.target.hostname or ""))
        elif self.host is None:
            headers.append(("Host", environ.get("HTTP_HOST", "")))
        else:
            headers.append(("Host", self.host))
        headers.extend(self.headers.items())
        return headers

    def __call__(self, environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]) -> t.Any:
        from microflask.formparser import _get_input_stream_for_environ

        body = _get_input_stream_for_environ(environ)
        connection = self._connection()
        try:
            connection.putrequest(
                environ["REQUEST_METHOD"],
                self._remote_url(environ),
                skip_host=True,
                skip_accept_encoding=True,
            )
            for name, value in self._forwarded_headers(environ):
                connection.putheader(name, value)
            connection.endheaders()
            while True:
                data = body.read(self.chunk_size)
                if not data:
                    break
                connection.send(data)
            response = connection.getresponse()
        except OSError:
            connection.close()
            from microflask.exceptions import BadGateway

            return BadGateway()(environ, start_response)

        headers = [
            (name, value)
            for name, value in response.getheaders()
            if not is_hop_by_hop_header(name)
        ]
        start_response(f"{response.status} {response.reason}", headers)
        return self._stream_body(connection, response)

    def _stream_body(self, connection: t.Any, response: t.Any) -> t.Iterator[bytes]:
        try:
            while True:
                data = response.read(self.chunk_size)
                if not data:
                    break
                yield data
        finally:
            response.close()
            connection.close()


class ProxyMiddleware:
    """Send requests whose path starts with a prefix to another server.

    ``targets`` maps a prefix (``"/api/"``) to options: ``target`` (the
    server's URL, required), ``remove_prefix`` (drop the prefix from the
    forwarded path, default False), ``host`` (``"<auto>"``: the target's
    host; ``None``: the client's ``Host``; or a string), ``headers`` (extra
    request headers) and ``ssl_context`` (for ``https`` targets).  Any
    other path goes to ``app``.  An unreachable target answers 502.
    """

    def __init__(
        self,
        app: t.Callable[..., t.Any],
        targets: t.Mapping[str, t.Mapping[str, t.Any]],
        chunk_size: int = 2 << 13,
        timeout: int = 10,
    ) -> None:
        self.app = app
        self.targets = {}
        for prefix, options in targets.items():
            prefix = "/%s/" % prefix.strip("/")
            self.targets[prefix] = _ProxyTarget(prefix, options, chunk_size, timeout)

    def __call__(self, environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]) -> t.Any:
        path = environ.get("PATH_INFO", "")
        for prefix, target in self.targets.items():
            if path.startswith(prefix):
                return target(environ, start_response)
        return self.app(environ, start_response)
