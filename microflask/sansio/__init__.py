"""I/O-free helpers; the peer calls this package ``werkzeug.sansio``.

:mod:`microflask.sansio.utils` decides a request's host and URL from plain
values, and :mod:`microflask.sansio.multipart` turns multipart bytes into
events.  The request and response classes Werkzeug keeps under
``werkzeug.sansio`` are the ones in :mod:`microflask.wrappers`.
"""

from __future__ import annotations

__all__: list = []
