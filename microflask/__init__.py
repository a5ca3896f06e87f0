"""microflask: Flask, rebuilt from nothing but the Python standard library.

This package plays Flask's role; its submodules play the roles of Werkzeug,
Jinja, MarkupSafe and ItsDangerous (see ``shared/design.md``).  The
application object arrives with a later piece of work; until then this
module re-exports the leaf layer.
"""

__version__ = "0.1.0"
