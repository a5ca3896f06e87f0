"""The app's logger (``flask.logging``).

``app.logger`` is the stdlib logger named after the app.  Unless the
application configured logging itself, it gets one handler that writes to the
WSGI server's error stream during a request (``sys.stderr`` otherwise).
"""

from __future__ import annotations

import logging
import sys
import typing as t

from microflask.globals import request
from microflask.local import LocalProxy

if t.TYPE_CHECKING:  # pragma: no cover
    from microflask.app import Flask

__all__ = ["wsgi_errors_stream", "has_level_handler", "default_handler", "create_logger"]


def _current_error_stream() -> t.TextIO:
    if request:
        return request.environ["wsgi.errors"]
    return sys.stderr


wsgi_errors_stream: t.TextIO = LocalProxy(_current_error_stream)  # type: ignore[assignment]


def has_level_handler(logger: logging.Logger) -> bool:
    """Whether some handler on ``logger`` or its ancestors would emit at its level."""
    level = logger.getEffectiveLevel()
    current: logging.Logger | None = logger
    while current is not None:
        if any(handler.level <= level for handler in current.handlers):
            return True
        if not current.propagate:
            break
        current = current.parent  # type: ignore[assignment]
    return False


default_handler = logging.StreamHandler(wsgi_errors_stream)
default_handler.setFormatter(
    logging.Formatter("[%(asctime)s] %(levelname)s in %(module)s: %(message)s")
)


def create_logger(app: Flask) -> logging.Logger:
    """The logger for ``app``: DEBUG level in debug mode, and the default handler if needed."""
    logger = logging.getLogger(app.name)
    if app.debug and not logger.level:
        logger.setLevel(logging.DEBUG)
    if not has_level_handler(logger):
        logger.addHandler(default_handler)
    return logger
