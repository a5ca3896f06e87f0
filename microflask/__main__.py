"""``python -m microflask``: the ``microflask`` command (``flask``'s ``python -m flask``)."""

from microflask.cli import main

main()
