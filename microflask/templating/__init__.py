"""microflask.templating: a template engine with Jinja's language (Jinja2's role).

Templates compile once to Python source, then to a code object; rendering
runs that code.  The engine knows nothing of apps or requests.
"""
