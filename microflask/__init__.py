"""microflask: Flask, rebuilt from nothing but the Python standard library.

This package plays Flask's role: ``from microflask import Flask, request,
render_template`` works as ``from flask import ...`` does.  Its submodules play
the roles of Werkzeug (``microflask.http``, ``.routing``, ``.wrappers``, ...),
Jinja (``microflask.templating``), MarkupSafe (``microflask.markup``) and
ItsDangerous (``microflask.signing``); see ``docs/architecture.md``.
"""

from __future__ import annotations

from microflask import json as json
from microflask._app_templates import render_template as render_template
from microflask._app_templates import render_template_string as render_template_string
from microflask._app_templates import stream_template as stream_template
from microflask._app_templates import stream_template_string as stream_template_string
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
from microflask._app_wrappers import Request as Request
from microflask._app_wrappers import Response as Response

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


# ``werkzeug`` maps to this package too, and Werkzeug's top level offers two
# more names.  They load their (heavier) modules only when asked for.
def __getattr__(name: str) -> object:
    if name == "run_simple":
        from microflask.serving import run_simple

        return run_simple
    if name == "Client":
        from microflask.testing import Client

        return Client
    raise AttributeError("module 'microflask' has no attribute %r" % name)
