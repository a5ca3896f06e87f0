"""WSGI middleware that wraps any app (``werkzeug.middleware``).

Small wrappers, each in its own module as in Werkzeug:
:class:`ProxyFix` (trust ``X-Forwarded-*`` from a known number of proxies),
:class:`DispatcherMiddleware` (mount several apps under path prefixes),
:class:`SharedDataMiddleware` (serve static files),
:class:`LintMiddleware` (warn about WSGI and HTTP mistakes), and, imported
from their modules only, ``profiler.ProfilerMiddleware`` (cProfile per
request) and ``http_proxy.ProxyMiddleware`` (forward path prefixes to
another server).

The two production wrappers load with the package; the development tools
(``SharedDataMiddleware``, ``LintMiddleware``) load when first named, so an
app that only uses ``ProxyFix`` never loads them (and the core single file
can leave them out).
"""

from __future__ import annotations

import typing as t

from microflask.middleware.dispatcher import DispatcherMiddleware as DispatcherMiddleware
from microflask.middleware.proxy_fix import ProxyFix as ProxyFix

__all__ = ["DispatcherMiddleware", "LintMiddleware", "ProxyFix", "SharedDataMiddleware"]


def __getattr__(name: str) -> t.Any:
    if name == "LintMiddleware":
        from microflask.middleware.lint import LintMiddleware

        return LintMiddleware
    if name == "SharedDataMiddleware":
        from microflask.middleware.shared_data import SharedDataMiddleware

        return SharedDataMiddleware
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
