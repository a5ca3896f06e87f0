"""WSGI middleware that wraps any app (``werkzeug.middleware``).

Four small wrappers, each in its own module as in Werkzeug:
:class:`ProxyFix` (trust ``X-Forwarded-*`` from a known number of proxies),
:class:`DispatcherMiddleware` (mount several apps under path prefixes),
:class:`SharedDataMiddleware` (serve static files) and
:class:`LintMiddleware` (check WSGI conformance with ``wsgiref.validate``).
"""

from __future__ import annotations

from .dispatcher import DispatcherMiddleware as DispatcherMiddleware
from .lint import LintMiddleware as LintMiddleware
from .proxy_fix import ProxyFix as ProxyFix
from .shared_data import SharedDataMiddleware as SharedDataMiddleware

__all__ = ["DispatcherMiddleware", "LintMiddleware", "ProxyFix", "SharedDataMiddleware"]
