"""I/O-free helpers; the peer calls this package ``werkzeug.sansio``.

Only :mod:`microflask.sansio.utils` lives here: the request and response
classes Werkzeug keeps under ``werkzeug.sansio`` are the ones in
:mod:`microflask.wrappers`.
"""

__all__: list = []
