"""Constant data of the template engine (Jinja's ``jinja2.constants``).

``LOREM_IPSUM_WORDS`` is the word list the ``lipsum()`` global draws from,
as one whitespace-separated string like Jinja's; the list itself lives with
the generator in :mod:`microflask.templating.utils`.
"""

from __future__ import annotations

from microflask.templating.utils import _LOREM_WORDS

__all__ = ["LOREM_IPSUM_WORDS"]

#: The words ``lipsum()`` uses (``LOREM_IPSUM_WORDS.split()`` gives them).
LOREM_IPSUM_WORDS = " ".join(_LOREM_WORDS)
