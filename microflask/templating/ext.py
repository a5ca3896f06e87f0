"""Template extensions (Jinja's ``jinja2.ext``).

``do`` and ``loopcontrols`` are part of the language here, so their
extension classes only exist to be named in ``Environment(extensions=...)``.
Other extensions (i18n's ``{% trans %}``, custom tag parsers) are not
supported and are refused with a clear error.
"""

from __future__ import annotations

import typing as t

__all__ = ["Extension", "ExprStmtExtension", "LoopControlExtension", "do", "loopcontrols"]


class Extension:
    """Base of the built-in extensions; custom extensions are not supported."""

    tags: t.Set[str] = set()
    priority = 100

    def __init__(self, environment: t.Any) -> None:
        self.environment = environment


class ExprStmtExtension(Extension):
    """``{% do expr %}`` (always available)."""

    tags = {"do"}


class LoopControlExtension(Extension):
    """``{% break %}`` and ``{% continue %}`` (always available)."""

    tags = {"break", "continue"}


do = ExprStmtExtension
loopcontrols = LoopControlExtension
