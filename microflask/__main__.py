"""``python -m microflask``: the ``microflask`` command (``flask``'s ``python -m flask``)."""

from __future__ import annotations

from microflask.cli import main

main()
