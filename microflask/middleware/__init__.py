"""WSGI middleware that wraps any app (``werkzeug.middleware``).

Small wrappers, each in its own module as in Werkzeug:
:class:`ProxyFix` (trust ``X-Forwarded-*`` from a known number of proxies),
:class:`DispatcherMiddleware` (mount several apps under path prefixes),
:class:`SharedDataMiddleware` (serve static files),
:class:`LintMiddleware` (warn about WSGI and HTTP mistakes), and, imported
from their modules only, ``profiler.ProfilerMiddleware`` (cProfile per
request) and ``http_proxy.ProxyMiddleware`` (forward path prefixes to
another server).
"""

from __future__ import annotations

from .dispatcher import DispatcherMiddleware as DispatcherMiddleware
from .lint import LintMiddleware as LintMiddleware
from .proxy_fix import ProxyFix as ProxyFix
from .shared_data import SharedDataMiddleware as SharedDataMiddleware

__all__ = ["DispatcherMiddleware", "LintMiddleware", "ProxyFix", "SharedDataMiddleware"]
