"""microflask.templating: a template engine with Jinja's language (Jinja2's role).

Templates compile once to Python source, then to a code object; rendering
runs that code.  The engine knows nothing of apps or requests.
``Environment().generate_source(source)`` shows the Python a template
becomes.
"""

from __future__ import annotations

import typing as t

#: The Jinja release whose language and API this engine follows: code that
#: checks ``jinja2.__version__`` reads it (microflask's own is ``microflask.__version__``).
__version__ = "3.1.6"

from microflask.markup import Markup, escape
from microflask.templating.bccache import (
    BytecodeCache,
    FileSystemBytecodeCache,
    MemcachedBytecodeCache,
)
from microflask.templating.environment import (
    Environment,
    Template,
    TemplateModule,
    TemplateStream,
)
from microflask.templating.exceptions import (
    FilterArgumentError,
    SecurityError,
    TemplateAssertionError,
    TemplateError,
    TemplateNotFound,
    TemplateRuntimeError,
    TemplatesNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from microflask.templating.loaders import (
    BaseLoader,
    ChoiceLoader,
    DictLoader,
    FileSystemLoader,
    FunctionLoader,
    ModuleLoader,
    PackageLoader,
    PrefixLoader,
)
from microflask.templating.runtime import (
    ChainableUndefined,
    DebugUndefined,
    StrictUndefined,
    Undefined,
    make_logging_undefined,
)
from microflask.templating.utils import (
    clear_caches,
    is_undefined,
    pass_context,
    pass_environment,
    pass_eval_context,
    select_autoescape,
)

__all__ = [
    "Environment",
    "Template",
    "TemplateModule",
    "TemplateStream",
    "BaseLoader",
    "ChoiceLoader",
    "DictLoader",
    "FileSystemLoader",
    "FunctionLoader",
    "ModuleLoader",
    "PackageLoader",
    "PrefixLoader",
    "BytecodeCache",
    "FileSystemBytecodeCache",
    "MemcachedBytecodeCache",
    "Undefined",
    "ChainableUndefined",
    "DebugUndefined",
    "StrictUndefined",
    "make_logging_undefined",
    "TemplateError",
    "TemplateNotFound",
    "TemplatesNotFound",
    "TemplateSyntaxError",
    "TemplateAssertionError",
    "TemplateRuntimeError",
    "UndefinedError",
    "SecurityError",
    "FilterArgumentError",
    "pass_context",
    "pass_eval_context",
    "pass_environment",
    "select_autoescape",
    "clear_caches",
    "is_undefined",
    "Markup",
    "escape",
]

# Flask's ``flask.templating`` module maps to this one, so code ported with the
# module map may ask it for the app-side helpers.  They live with the app
# (microflask._app_templates); they are looked up only when asked for, so the
# engine itself still imports nothing of the app.
_FLASK_TEMPLATING_NAMES = frozenset(
    {"render_template", "render_template_string", "stream_template", "stream_template_string"}
)


def __getattr__(name: str) -> t.Any:
    if name in _FLASK_TEMPLATING_NAMES:
        from microflask import _app_templates

        return getattr(_app_templates, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
