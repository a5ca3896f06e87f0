"""Small WSGI string helpers; the peer calls this ``werkzeug._internal``.

WSGI (PEP 3333) carries text as "bytes-as-latin-1" strings: these convert
between real text and that transport form.
"""

from __future__ import annotations

__all__ = ["_wsgi_decoding_dance", "_wsgi_encoding_dance"]


def _wsgi_decoding_dance(wsgi_text: str) -> str:
    """Recover the real text from a WSGI latin-1 transport string."""
    return wsgi_text.encode("latin1").decode(errors="replace")


def _wsgi_encoding_dance(text: str) -> str:
    """Turn text into the latin-1 transport form WSGI environs use."""
    return text.encode().decode("latin1")
