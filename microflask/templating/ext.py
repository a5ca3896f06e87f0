"""Template extensions (Jinja's ``jinja2.ext``).

:class:`Extension` is Jinja's extension API: an extension written for
Jinja2 (new tags parsed into :mod:`~microflask.templating.nodes`, source
preprocessing, token filters, environment attributes) runs unchanged.
``i18n`` (``{% trans %}``), ``debug``, ``do`` and ``loopcontrols`` are
written with it; ``do``, ``break`` and ``continue`` are also always part of
microflask's language.
"""

from __future__ import annotations

import typing as t

# Names Jinja's ``jinja2.ext`` also offers, which extension code imports
# from it (``from jinja2.ext import Extension, nodes``).
from microflask.markup import Markup
from microflask.templating import nodes
from microflask.templating.exceptions import TemplateAssertionError, TemplateSyntaxError
from microflask.templating.runtime import Context, Undefined, concat
from microflask.templating.utils import import_string, pass_context

__all__ = [
    "Extension",
    "ExprStmtExtension",
    "LoopControlExtension",
    "InternationalizationExtension",
    "DebugExtension",
    "debug",
    "do",
    "loopcontrols",
    "i18n",
    "install_i18n",
    "GETTEXT_FUNCTIONS",
    "extract_from_ast",
    "babel_extract",
    "nodes",
    "Markup",
    "Context",
    "Undefined",
    "concat",
    "pass_context",
    "import_string",
    "TemplateSyntaxError",
    "TemplateAssertionError",
]

# The call names message extraction looks for by default.
GETTEXT_FUNCTIONS: tuple[str, ...] = ("_", "gettext", "ngettext", "pgettext", "npgettext")


class Extension:
    """Base of template extensions (Jinja's ``jinja2.ext.Extension``).

    An extension adds tags (``tags`` and :meth:`parse`), rewrites the source
    before lexing (:meth:`preprocess`) or the tokens before parsing
    (:meth:`filter_stream`), and adds attributes to the environment
    (``environment.extend(...)`` in ``__init__``).  One instance is bound to
    each environment; compiled templates reach it as
    ``environment.extensions[identifier]`` (see :meth:`attr` and
    :meth:`call_method`).  Extensions run in ``priority`` order, lowest first.
    """

    identifier: t.ClassVar[str] = "microflask.templating.ext.Extension"
    tags: set[str] = set()
    priority = 100

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.identifier = "%s.%s" % (cls.__module__, cls.__name__)

    def __init__(self, environment: t.Any) -> None:
        self.environment = environment

    def bind(self, environment: t.Any) -> Extension:
        """A copy of this extension bound to another environment (for overlays)."""
        rv = object.__new__(self.__class__)
        rv.__dict__.update(self.__dict__)
        rv.environment = environment
        return rv

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        """Change the template source before it is lexed."""
        return source

    def filter_stream(self, stream: t.Any) -> t.Any:
        """Change the token stream: return a ``TokenStream`` or an iterable of ``Token``."""
        return stream

    def parse(self, parser: t.Any) -> t.Any:
        """Parse one of ``tags``: the stream is at the tag's name.  Return a node or a list."""
        raise NotImplementedError()

    def attr(self, name: str, lineno: int | None = None) -> t.Any:
        """A node for ``self.<name>`` as seen from the compiled template."""

        return nodes.ExtensionAttributeNode(self.identifier, name, lineno=lineno)

    def call_method(
        self,
        name: str,
        args: list[t.Any] | None = None,
        kwargs: list[t.Any] | None = None,
        dyn_args: t.Any = None,
        dyn_kwargs: t.Any = None,
        lineno: int | None = None,
    ) -> t.Any:
        """A node calling ``self.<name>(*args, **kwargs)`` when the template renders."""

        return nodes.CallNode(
            self.attr(name, lineno=lineno),
            args or [],
            kwargs or [],
            dyn_args,
            dyn_kwargs,
            lineno=lineno,
        )


class ExprStmtExtension(Extension):
    """``{% do expr %}`` (built into microflask's language; the class names it)."""

    tags = {"do"}

    def parse(self, parser: t.Any) -> t.Any:
        return parser.parse_do()


class LoopControlExtension(Extension):
    """``{% break %}`` and ``{% continue %}`` (built into microflask's language)."""

    tags = {"break", "continue"}

    def parse(self, parser: t.Any) -> t.Any:
        if parser.stream.current.value == "break":
            return parser.parse_break()
        return parser.parse_continue()


class InternationalizationExtension(Extension):
    """``{% trans %}`` blocks, and the gettext installers on the environment."""

    tags = {"trans"}

    def __init__(self, environment: t.Any) -> None:
        super().__init__(environment)
        install_i18n(environment)

    def parse(self, parser: t.Any) -> t.Any:
        return parser.parse_trans()


class DebugExtension(Extension):
    """``{% debug %}``: prints the context, filters and tests (for development)."""

    tags = {"debug"}

    def parse(self, parser: t.Any) -> t.Any:
        return parser.parse_debug()


def _newstyle_gettext(func: t.Callable[[str], str]) -> t.Callable[..., str]:
    """gettext that formats its own variables and respects autoescaping."""

    @pass_context
    def gettext(__context: t.Any, __string: str, **variables: t.Any) -> str:
        rv = __context.call(func, __string)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        # Always a format string, even without variables: "%%" means "%".
        return rv % variables  # type: ignore[no-any-return]

    return gettext


def _newstyle_ngettext(func: t.Callable[[str, str, int], str]) -> t.Callable[..., str]:
    @pass_context
    def ngettext(
        __context: t.Any, __singular: str, __plural: str, __num: int, **variables: t.Any
    ) -> str:
        variables.setdefault("num", __num)
        rv = __context.call(func, __singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables  # type: ignore[no-any-return]

    return ngettext


def _newstyle_pgettext(func: t.Callable[[str, str], str]) -> t.Callable[..., str]:
    @pass_context
    def pgettext(__context: t.Any, __string_ctx: str, __string: str, **variables: t.Any) -> str:
        variables.setdefault("context", __string_ctx)
        rv = __context.call(func, __string_ctx, __string)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables  # type: ignore[no-any-return]

    return pgettext


def _newstyle_npgettext(func: t.Callable[[str, str, str, int], str]) -> t.Callable[..., str]:
    @pass_context
    def npgettext(
        __context: t.Any,
        __string_ctx: str,
        __singular: str,
        __plural: str,
        __num: int,
        **variables: t.Any,
    ) -> str:
        variables.setdefault("context", __string_ctx)
        variables.setdefault("num", __num)
        rv = __context.call(func, __string_ctx, __singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables  # type: ignore[no-any-return]

    return npgettext


def _gettext_alias(__context: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
    """``_()`` in templates: whatever ``gettext`` is installed."""
    return __context.call(__context.resolve("gettext"), *args, **kwargs)


_gettext_alias.jinja_pass_arg = "context"  # type: ignore[attr-defined]


def install_i18n(environment: t.Any) -> None:
    """Give an environment Jinja's i18n API: ``_`` as a global and the
    ``install_gettext_translations`` family of methods."""
    environment.globals["_"] = _gettext_alias

    def install_gettext_callables(
        gettext: t.Callable[..., str],
        ngettext: t.Callable[..., str],
        newstyle: bool | None = None,
        pgettext: t.Callable[..., str] | None = None,
        npgettext: t.Callable[..., str] | None = None,
    ) -> None:
        if newstyle is not None:
            environment.newstyle_gettext = newstyle
        if environment.newstyle_gettext:
            gettext = _newstyle_gettext(gettext)
            ngettext = _newstyle_ngettext(ngettext)
            if pgettext is not None:
                pgettext = _newstyle_pgettext(pgettext)
            if npgettext is not None:
                npgettext = _newstyle_npgettext(npgettext)
        environment.globals.update(
            gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext
        )

    def install_gettext_translations(translations: t.Any, newstyle: bool | None = None) -> None:
        gettext = getattr(translations, "ugettext", None) or translations.gettext
        ngettext = getattr(translations, "ungettext", None) or translations.ngettext
        install_gettext_callables(
            gettext,
            ngettext,
            newstyle=newstyle,
            pgettext=getattr(translations, "pgettext", None),
            npgettext=getattr(translations, "npgettext", None),
        )

    def install_null_translations(newstyle: bool | None = None) -> None:
        import gettext as gettext_module

        install_gettext_translations(gettext_module.NullTranslations(), newstyle)

    def uninstall_gettext_translations(translations: t.Any = None) -> None:
        for key in ("gettext", "ngettext", "pgettext", "npgettext"):
            environment.globals.pop(key, None)

    def extract_translations(
        source: t.Any, gettext_functions: t.Sequence[str] = GETTEXT_FUNCTIONS
    ) -> t.Iterator[tuple[int, str, t.Any]]:
        if isinstance(source, str):
            source = environment.parse(source)
        return extract_from_ast(source, gettext_functions)

    environment.extend(
        newstyle_gettext=False,
        extract_translations=extract_translations,
        install_gettext_translations=install_gettext_translations,
        install_null_translations=install_null_translations,
        install_gettext_callables=install_gettext_callables,
        uninstall_gettext_translations=uninstall_gettext_translations,
    )


# -- message extraction (for Babel and other catalog tools) ---------------------


def extract_from_ast(
    ast: t.Any, gettext_functions: t.Sequence[str] = GETTEXT_FUNCTIONS, babel_style: bool = True
) -> t.Iterator[tuple[int, str, t.Any]]:
    """Yield ``(lineno, function name, message)`` for every call to a
    gettext function in a parsed template (``{% trans %}`` blocks included).

    Arguments that are not constant strings (and any keyword or ``*``/``**``
    argument) show up as ``None``.  Babel style gives a single message as a
    plain string, several as a tuple; otherwise the ``None`` entries are
    dropped and calls left with nothing are skipped.
    """

    for call in ast.find_all(nodes.CallNode):
        callee = call.node
        if not isinstance(callee, nodes.NameNode) or callee.name not in gettext_functions:
            continue
        strings: list[str | None] = [
            arg.value if isinstance(arg, nodes.ConstNode) and isinstance(arg.value, str) else None
            for arg in call.args
        ]
        strings.extend(None for _ in call.kwargs or ())
        if call.dyn_args is not None:
            strings.append(None)
        if call.dyn_kwargs is not None:
            strings.append(None)
        if not babel_style:
            found = tuple(value for value in strings if value is not None)
            if not found:
                continue
            yield call.lineno, callee.name, found
        elif len(strings) == 1:
            yield call.lineno, callee.name, strings[0]
        else:
            yield call.lineno, callee.name, tuple(strings)


def _babel_option_is_true(options: t.Mapping[str, t.Any], key: str, default: bool) -> bool:
    return str(options.get(key, str(default))).lower() in ("1", "on", "yes", "true")


def _template_comments(environment: t.Any, source: str) -> list[tuple[int, str]]:
    """``(line, text)`` of each ``{# #}`` and line comment, in source order."""
    import re

    start = re.escape(environment.comment_start_string)
    end = re.escape(environment.comment_end_string)
    patterns = ["%s[-+]?(.*?)-?%s" % (start, end)]
    if environment.line_comment_prefix:
        patterns.append("%s([^\r\n]*)" % re.escape(environment.line_comment_prefix))
    found = []
    for match in re.finditer("|".join(patterns), source, re.S):
        text = match.group(match.lastindex or 1)
        found.append((source.count("\n", 0, match.start()) + 1, text))
    return found


class _TranslatorCommentFinder:
    """Hands each extracted message the last tagged comment that precedes it
    (or shares its line) and was not already given to an earlier message."""

    def __init__(self, comments: list[tuple[int, str]], tags: t.Sequence[str]) -> None:
        self.comments = comments
        self.tags = tags
        self.next_index = 0

    def comments_for(self, lineno: int) -> list[str]:
        if not self.tags:
            return []
        stop = self.next_index
        while stop < len(self.comments) and self.comments[stop][0] <= lineno:
            stop += 1
        window = self.comments[self.next_index : stop]
        self.next_index = stop
        for _, text in reversed(window):
            parts = text.split(None, 1)
            if len(parts) == 2 and parts[0] in self.tags:
                return [parts[1].rstrip()]
        return []


def babel_extract(
    fileobj: t.BinaryIO,
    keywords: t.Sequence[str],
    comment_tags: t.Sequence[str],
    options: dict[str, t.Any],
) -> t.Iterator[tuple[int, str, t.Any, list[str]]]:
    """Babel extraction method: ``(lineno, function, message, comments)``
    for each translatable string in a template file.

    ``options`` may set the environment's delimiters, ``trim_blocks``,
    ``lstrip_blocks``, ``keep_trailing_newline``, ``trimmed``,
    ``newstyle_gettext``, ``extensions`` (comma separated), ``encoding``
    and ``silent`` (skip files with syntax errors; the default).
    """
    from microflask.templating.environment import Environment

    extensions: list[t.Any] = [
        name.strip() for name in options.get("extensions", "").split(",") if name.strip()
    ]
    extensions.append(InternationalizationExtension)
    settings = {
        key: options[key]
        for key in (
            "block_start_string",
            "block_end_string",
            "variable_start_string",
            "variable_end_string",
            "comment_start_string",
            "comment_end_string",
            "line_statement_prefix",
            "line_comment_prefix",
        )
        if options.get(key)
    }
    for flag in ("trim_blocks", "lstrip_blocks", "keep_trailing_newline"):
        settings[flag] = _babel_option_is_true(options, flag, False)
    environment = Environment(extensions=extensions, cache_size=0, auto_reload=False, **settings)
    if _babel_option_is_true(options, "trimmed", False):
        environment.policies["ext.i18n.trimmed"] = True
    if _babel_option_is_true(options, "newstyle_gettext", False):
        environment.newstyle_gettext = True
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    try:
        tree = environment.parse(source)
    except TemplateSyntaxError:
        if not _babel_option_is_true(options, "silent", True):
            raise
        return
    finder = _TranslatorCommentFinder(
        _template_comments(environment, environment.preprocess(source)), comment_tags
    )
    for lineno, function, message in extract_from_ast(tree, keywords):
        yield lineno, function, message, finder.comments_for(lineno)


do = ExprStmtExtension
loopcontrols = LoopControlExtension
i18n = InternationalizationExtension
debug = DebugExtension
