"""microflask: Flask, rebuilt from nothing but the Python standard library.

This package plays Flask's role: ``from microflask import Flask, request,
render_template`` works as ``from flask import ...`` does.  Its submodules play
the roles of Werkzeug (``microflask.http``, ``.routing``, ``.wrappers``, ...),
Jinja (``microflask.templating``), MarkupSafe (``microflask.markup``) and
ItsDangerous (``microflask.signing``); see ``docs/architecture.md``.
"""

from __future__ import annotations

import sys

# This module's namespace.  (Not ``globals()``: once ``microflask.globals`` is
# imported, the package's name ``globals`` is that module, and a reload runs
# this line again in the same namespace.)
_namespace = sys.modules[__name__].__dict__

# ``if TYPE_CHECKING:`` without importing ``typing`` (which costs more than this
# whole module): type checkers and editors read the block, Python skips it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from microflask import json as json
    from microflask._app_templates import render_template as render_template
    from microflask._app_templates import render_template_string as render_template_string
    from microflask._app_templates import stream_template as stream_template
    from microflask._app_templates import stream_template_string as stream_template_string
    from microflask._app_wrappers import Request as Request
    from microflask._app_wrappers import Response as Response
    from microflask.app import Flask as Flask
    from microflask.blueprints import Blueprint as Blueprint
    from microflask.config import Config as Config
    from microflask.ctx import after_this_request as after_this_request
    from microflask.ctx import copy_current_request_context as copy_current_request_context
    from microflask.ctx import has_app_context as has_app_context
    from microflask.ctx import has_request_context as has_request_context
    from microflask.globals import current_app as current_app
    from microflask.globals import g as g
    from microflask.globals import request as request
    from microflask.globals import session as session
    from microflask.helpers import abort as abort
    from microflask.helpers import flash as flash
    from microflask.helpers import get_flashed_messages as get_flashed_messages
    from microflask.helpers import get_template_attribute as get_template_attribute
    from microflask.helpers import make_response as make_response
    from microflask.helpers import redirect as redirect
    from microflask.helpers import send_file as send_file
    from microflask.helpers import send_from_directory as send_from_directory
    from microflask.helpers import stream_with_context as stream_with_context
    from microflask.helpers import url_for as url_for
    from microflask.json import jsonify as jsonify
    from microflask.signals import appcontext_popped as appcontext_popped
    from microflask.signals import appcontext_pushed as appcontext_pushed
    from microflask.signals import appcontext_tearing_down as appcontext_tearing_down
    from microflask.signals import before_render_template as before_render_template
    from microflask.signals import got_request_exception as got_request_exception
    from microflask.signals import message_flashed as message_flashed
    from microflask.signals import request_finished as request_finished
    from microflask.signals import request_started as request_started
    from microflask.signals import request_tearing_down as request_tearing_down
    from microflask.signals import template_rendered as template_rendered
    from microflask.serving import run_simple as run_simple
    from microflask.testing import Client as Client

__version__ = "0.1.0"

__all__ = [
    "Blueprint",
    "Config",
    "Flask",
    "Request",
    "Response",
    "abort",
    "after_this_request",
    "appcontext_popped",
    "appcontext_pushed",
    "appcontext_tearing_down",
    "before_render_template",
    "copy_current_request_context",
    "current_app",
    "flash",
    "g",
    "get_flashed_messages",
    "get_template_attribute",
    "got_request_exception",
    "has_app_context",
    "has_request_context",
    "json",
    "jsonify",
    "make_response",
    "message_flashed",
    "redirect",
    "render_template",
    "render_template_string",
    "request",
    "request_finished",
    "request_started",
    "request_tearing_down",
    "send_file",
    "send_from_directory",
    "session",
    "stream_template",
    "stream_template_string",
    "stream_with_context",
    "template_rendered",
    "url_for",
]


# The module each public name lives in.  ``import microflask`` loads none of
# them: a name's module is imported the first time the name is asked for (PEP
# 562), so a script pays only for the parts it uses (``from microflask import
# Flask`` loads the app and what a request needs, not the template engine, the
# signer or the test client).  The ``TYPE_CHECKING`` block above says the same
# for type checkers (a test keeps the two alike).  ``werkzeug`` maps to this
# package too, hence ``run_simple`` and ``Client``, Werkzeug's top-level
# names.
_MODULE_OF_PUBLIC_NAME = {
    "json": "microflask.json",
    "jsonify": "microflask.json",
    "Flask": "microflask.app",
    "Blueprint": "microflask.blueprints",
    "Config": "microflask.config",
    "Request": "microflask._app_wrappers",
    "Response": "microflask._app_wrappers",
    "render_template": "microflask._app_templates",
    "render_template_string": "microflask._app_templates",
    "stream_template": "microflask._app_templates",
    "stream_template_string": "microflask._app_templates",
    "after_this_request": "microflask.ctx",
    "copy_current_request_context": "microflask.ctx",
    "has_app_context": "microflask.ctx",
    "has_request_context": "microflask.ctx",
    "current_app": "microflask.globals",
    "g": "microflask.globals",
    "request": "microflask.globals",
    "session": "microflask.globals",
    "abort": "microflask.helpers",
    "flash": "microflask.helpers",
    "get_flashed_messages": "microflask.helpers",
    "get_template_attribute": "microflask.helpers",
    "make_response": "microflask.helpers",
    "redirect": "microflask.helpers",
    "send_file": "microflask.helpers",
    "send_from_directory": "microflask.helpers",
    "stream_with_context": "microflask.helpers",
    "url_for": "microflask.helpers",
    "appcontext_popped": "microflask.signals",
    "appcontext_pushed": "microflask.signals",
    "appcontext_tearing_down": "microflask.signals",
    "before_render_template": "microflask.signals",
    "got_request_exception": "microflask.signals",
    "message_flashed": "microflask.signals",
    "request_finished": "microflask.signals",
    "request_started": "microflask.signals",
    "request_tearing_down": "microflask.signals",
    "template_rendered": "microflask.signals",
    "run_simple": "microflask.serving",
    "Client": "microflask.testing",
}


def __getattr__(name: str) -> object:
    """Load a public name from its module on first use, then keep it here, so
    the next look-up is an ordinary attribute (this function runs once a name)."""
    module_name = _MODULE_OF_PUBLIC_NAME.get(name)
    if module_name is None:
        raise AttributeError("module 'microflask' has no attribute %r" % name)
    __import__(module_name)
    module = sys.modules[module_name]
    value = module if module_name == "microflask." + name else getattr(module, name)
    _namespace[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(_namespace) | set(_MODULE_OF_PUBLIC_NAME))
