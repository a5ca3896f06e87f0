"""The environment (settings, filters, loader, cache) and the compiled
template (Jinja's ``jinja2.environment``).

``Environment.compile`` runs lexer -> parser -> code generator -> Python
``compile``; ``Template.from_code`` executes that code once to get the
render functions.  ``Template(source)`` works without an environment by
using a shared one per set of options.
"""

from __future__ import annotations

import types
import typing as t
import weakref
from collections import ChainMap
from functools import lru_cache, partial

from microflask.markup import Markup
from microflask.templating import nodes as syntax_nodes
from microflask.templating.compiler import generate
from microflask.templating.exceptions import (
    TemplateNotFound,
    TemplateRuntimeError,
    TemplatesNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from microflask.templating.lexer import TokenStream, get_lexer
from microflask.templating.parser import Parser
from microflask.templating.runtime import (
    Context,
    EvalContext,
    LoopContext,
    Macro,
    TemplateReference,
    Undefined,
    attribute_is_internal,
    call_with_pass_arg,
    debug_dump,
    escape_output,
    identity,
    make_fast_getattr,
    markup_join,
    new_context,
    required_block_error,
    safe_modulo,
    safe_multiply,
    safe_power,
    safe_range,
    str_join,
    template_recursion_message,
    unknown_filter_error,
    unknown_test_error,
    unsafe_attribute_undefined,
    wrap_str_format,
)
from microflask.templating.utils import (
    Cycler,
    Joiner,
    LRUCache,
    Namespace,
    _import_dotted_name,
    concat,
    generate_lorem_ipsum,
    internal_code,
    internalcode,
    missing,
)

__all__ = [
    "Environment",
    "Template",
    "TemplateModule",
    "TemplateStream",
    "DEFAULT_NAMESPACE",
    "DEFAULT_POLICIES",
    "get_spontaneous_environment",
]

BLOCK_START_STRING = "{%"
BLOCK_END_STRING = "%}"
VARIABLE_START_STRING = "{{"
VARIABLE_END_STRING = "}}"
COMMENT_START_STRING = "{#"
COMMENT_END_STRING = "#}"
LINE_STATEMENT_PREFIX: str | None = None
LINE_COMMENT_PREFIX: str | None = None
TRIM_BLOCKS = False
LSTRIP_BLOCKS = False
NEWLINE_SEQUENCE = "\n"
KEEP_TRAILING_NEWLINE = False

#: The globals every environment starts with.
DEFAULT_NAMESPACE = {
    "range": safe_range,
    "dict": dict,
    "lipsum": generate_lorem_ipsum,
    "cycler": Cycler,
    "joiner": Joiner,
    "namespace": Namespace,
}

DEFAULT_POLICIES: dict[str, t.Any] = {
    "compiler.ascii_str": True,
    "urlize.rel": "noopener",
    "urlize.target": None,
    "urlize.extra_schemes": None,
    "truncate.leeway": 5,
    "json.dumps_function": None,
    "json.dumps_kwargs": {"sort_keys": True},
    "ext.i18n.trimmed": False,
}


def _default_filters() -> dict[str, t.Any]:
    from microflask.templating.filters import FILTERS

    return FILTERS


def _default_tests() -> dict[str, t.Any]:
    from microflask.templating.tests import TESTS

    return TESTS


def __getattr__(name: str) -> t.Any:
    # Jinja's ``jinja2.environment.DEFAULT_FILTERS`` / ``DEFAULT_TESTS``, read
    # on demand so importing this module does not import the filters.
    if name == "DEFAULT_FILTERS":
        return _default_filters()
    if name == "DEFAULT_TESTS":
        return _default_tests()
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def _create_template_cache(size: int) -> t.Any:
    if size == 0:
        return None
    if size < 0:
        return {}
    return LRUCache(size)


def _rename_template_code(code: types.CodeType) -> types.CodeType:
    """Give generated functions the names a template traceback should show."""
    consts = tuple(
        _rename_template_code(const) if isinstance(const, types.CodeType) else const
        for const in code.co_consts
    )
    name = code.co_name
    if name == "root":
        name = "top-level template code"
    elif name.startswith("block_"):
        name = "block %r" % name[6:]
    elif name.startswith("macro_"):
        name = "macro %r" % name[6:].rsplit("_", 1)[0]
    changes: dict[str, t.Any] = {"co_consts": consts}
    if name != code.co_name:
        changes["co_name"] = name
        if hasattr(code, "co_qualname"):
            changes["co_qualname"] = name
    return code.replace(**changes)


def _ignore_log_message(message: str) -> None:
    """compile_templates' default log function."""


def _compile_generated_code(source: str, filename: str) -> types.CodeType:
    """Compile a template's generated module, once, as Python compiles any source.

    Its line numbers are those of the generated code; the module's
    ``debug_info`` maps them to template lines, and :func:`_template_traceback`
    uses it when an error leaves the template (as Jinja does).  Mapping at
    error time keeps compiling a single ``compile()`` call.
    """
    return _rename_template_code(compile(source, filename, "exec"))


def _template_line_of(debug_info: str, python_line: int) -> int:
    """The template line of a generated line, from a module's ``debug_info``."""
    template_line = 1
    for pair in debug_info.split("&"):
        if not pair:
            continue
        lineno, _, code_line = pair.partition("=")
        if int(code_line) > python_line:
            break
        template_line = int(lineno)
    return template_line


def _template_traceback(tb: types.TracebackType | None) -> types.TracebackType | None:
    """The traceback with each template frame shown at its template line.

    A frame of generated code is replaced by the frame of a two-line code
    object that raises at the template line, in the template's file, with
    the same function name and locals: tracebacks, debuggers and the debug
    page then show the template source.
    """
    entries = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    rewritten: types.TracebackType | None = None
    for entry in reversed(entries):
        frame = entry.tb_frame
        debug_info = frame.f_globals.get("debug_info")
        code = frame.f_code
        if isinstance(debug_info, str) and code.co_filename == frame.f_globals.get("__file__"):
            entry = _frame_at_template_line(entry, _template_line_of(debug_info, entry.tb_lineno))
        entry.tb_next = rewritten
        rewritten = entry
    return rewritten


def _frame_at_template_line(entry: types.TracebackType, lineno: int) -> types.TracebackType:
    frame = entry.tb_frame
    fake = _raise_at_line(
        _TemplateFrameMarker(),
        frame.f_code.co_filename,
        lineno,
        frame.f_code.co_name,
        dict(frame.f_globals),  # what tools read of a template frame's module
        dict(frame.f_locals),
    )
    return fake if fake is not None else entry


def _raise_at_line(
    exc: BaseException,
    filename: str,
    lineno: int,
    function: str,
    namespace: dict[str, t.Any],
    frame_locals: dict[str, t.Any],
) -> t.Any:
    """The traceback entry of a frame that raises ``exc`` at ``filename:lineno``."""
    import sys

    code = compile("\n" * (lineno - 1) + "raise __template_exception__", filename, "exec")
    code = code.replace(co_name=function)
    namespace["__template_exception__"] = exc
    try:
        exec(code, namespace, frame_locals)
    except BaseException:
        fake = sys.exc_info()[2]
        if fake is not None:
            return fake.tb_next
    return None  # pragma: no cover


class _TemplateFrameMarker(Exception):
    """Raised only to make a frame at a template line (never escapes)."""


def _drop_internal_frames(tb: types.TracebackType | None) -> types.TracebackType | None:
    """The traceback without the engine's plumbing frames (as Jinja shows it)."""
    kept = []
    while tb is not None:
        if tb.tb_frame.f_code not in internal_code:
            kept.append(tb)
        tb = tb.tb_next
    for current, following in zip(kept, kept[1:]):
        current.tb_next = following
    if kept:
        kept[-1].tb_next = None
        return kept[0]
    return None


def _traceback_at_template_line(exc: TemplateSyntaxError) -> types.TracebackType | None:
    """A traceback whose last frame is the template file at the error's line,
    so the report shows the template source like a Python error would."""
    filename = exc.filename or "<unknown>"
    lineno = max(int(exc.lineno or 1), 1)
    code = compile("\n" * (lineno - 1) + "raise __template_error__", filename, "exec")
    code = code.replace(co_name="template")
    # Raising keeps an existing traceback under the new frames: start clean.
    exc.__traceback__ = None
    try:
        exec(code, {"__template_error__": exc})
    except TemplateSyntaxError as e:
        return e.__traceback__.tb_next  # type: ignore[union-attr]
    return None  # pragma: no cover


#: What Python says when generated code is too deep for it (3.9 to 3.13).
_PYTHON_NESTING_LIMIT_WORDS = ("too many", "nested", "too deeply", "too complex", "stack overflow")


def _error_for_uncompilable_code(
    error: BaseException,
    line_map: list[tuple[int, int]],
    name: str | None,
    filename: str | None,
) -> TemplateSyntaxError:
    """The template error for generated code Python would not compile.

    Running out of depth (recursion, memory, Python's nesting limits) is the
    template's doing; any other ``SyntaxError`` is a bug in the compiler,
    reported at the template line its generated line came from.
    """
    if not isinstance(error, SyntaxError):
        return TemplateSyntaxError(
            "the template is nested too deeply to compile (%s)" % type(error).__name__,
            1,
            name,
            filename,
        )
    # Mapped as tracebacks map a generated line (the module's debug_info).
    debug_info = "&".join("%d=%d" % pair for pair in line_map)
    lineno = _template_line_of(debug_info, error.lineno or 0)
    reason = error.msg or type(error).__name__
    if any(words in reason for words in _PYTHON_NESTING_LIMIT_WORDS):
        message = "the template is nested too deeply to compile (%s)" % reason
    else:
        message = (
            "microflask could not compile the generated code for this template"
            " (a bug in the template compiler): %s" % reason
        )
    return TemplateSyntaxError(message, lineno, name, filename)


# Jinja 2 extensions whose features are part of the language since Jinja 3.
_MERGED_EXTENSIONS = frozenset(["jinja2.ext.with_", "jinja2.ext.autoescape", "with_", "autoescape"])


def _resolve_extension(extension: t.Any) -> t.Any:
    """The extension class for ``extension``: a class, or an import path.

    ``"jinja2.ext.X"`` (and a bare ``"X"``) name microflask's own
    ``microflask.templating.ext.X``; any other path is imported.
    """
    if not isinstance(extension, str):
        return extension
    if extension in _MERGED_EXTENSIONS:
        return None
    # The extension module loads only for an environment that names extensions.
    from microflask.templating import ext as extension_module

    name = extension
    for prefix in ("jinja2.ext.", "microflask.templating.ext."):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    if "." not in name and ":" not in name:
        found = getattr(extension_module, name, None)
        if found is None:
            raise RuntimeError("There is no template extension named %r." % extension)
        return found
    if name.startswith("jinja2."):
        name = "microflask.templating." + name[len("jinja2.") :]
    return _import_dotted_name(name)


class Environment:
    """Delimiters, whitespace options, filters, tests, globals, the loader
    and the compiled-template cache, shared by the templates it loads."""

    sandboxed = False
    overlayed = False
    linked_to: t.Any = None
    shared = False
    is_async = False
    code_generator_class: t.Any = None
    concat = "".join
    context_class = Context
    template_class: type[Template]

    def __init__(
        self,
        block_start_string: str = BLOCK_START_STRING,
        block_end_string: str = BLOCK_END_STRING,
        variable_start_string: str = VARIABLE_START_STRING,
        variable_end_string: str = VARIABLE_END_STRING,
        comment_start_string: str = COMMENT_START_STRING,
        comment_end_string: str = COMMENT_END_STRING,
        line_statement_prefix: str | None = LINE_STATEMENT_PREFIX,
        line_comment_prefix: str | None = LINE_COMMENT_PREFIX,
        trim_blocks: bool = TRIM_BLOCKS,
        lstrip_blocks: bool = LSTRIP_BLOCKS,
        newline_sequence: str = NEWLINE_SEQUENCE,
        keep_trailing_newline: bool = KEEP_TRAILING_NEWLINE,
        extensions: t.Sequence[t.Any] = (),
        optimized: bool = True,
        undefined: type[Undefined] = Undefined,
        finalize: t.Callable[..., t.Any] | None = None,
        autoescape: t.Any = False,
        loader: t.Any = None,
        cache_size: int = 400,
        auto_reload: bool = True,
        bytecode_cache: t.Any = None,
        enable_async: bool = False,
    ) -> None:
        self.block_start_string = block_start_string
        self.block_end_string = block_end_string
        self.variable_start_string = variable_start_string
        self.variable_end_string = variable_end_string
        self.comment_start_string = comment_start_string
        self.comment_end_string = comment_end_string
        self.line_statement_prefix = line_statement_prefix
        self.line_comment_prefix = line_comment_prefix
        self.trim_blocks = trim_blocks
        self.lstrip_blocks = lstrip_blocks
        self.newline_sequence = newline_sequence
        self.keep_trailing_newline = keep_trailing_newline
        self.undefined = undefined
        self.optimized = optimized
        self.finalize = finalize
        self.autoescape = autoescape
        self.filters = dict(_default_filters())
        self.tests = dict(_default_tests())
        self.globals: dict[str, t.Any] = dict(DEFAULT_NAMESPACE)
        self.loader = loader
        self.cache = _create_template_cache(cache_size)
        self.bytecode_cache = bytecode_cache
        self.auto_reload = auto_reload
        self.policies = dict(DEFAULT_POLICIES)
        self.extensions: dict[str, t.Any] = {}
        if enable_async:
            raise RuntimeError("microflask.templating does not implement async rendering")
        self.is_async = False
        for extension in extensions:
            self.add_extension(extension)
        self._check_settings()

    def _check_settings(self) -> None:
        if not (
            self.block_start_string != self.variable_start_string != self.comment_start_string
        ):
            raise AssertionError("block, variable and comment start strings must be different.")
        if self.newline_sequence not in ("\r", "\r\n", "\n"):
            raise AssertionError("'newline_sequence' must be one of '\\n', '\\r\\n', or '\\r'.")

    # -- configuration -------------------------------------------------------------

    def add_extension(self, extension: t.Any) -> None:
        """Load an extension: a class, or an import path (``"jinja2.ext.i18n"`` works too)."""
        extension_class = _resolve_extension(extension)
        if extension_class is None:
            return  # merged into the language (Jinja 2's with_ and autoescape)
        bound = extension_class(self)
        self.extensions[bound.identifier] = bound

    def iter_extensions(self) -> t.Iterator[t.Any]:
        """The bound extensions, lowest ``priority`` first."""
        return iter(sorted(self.extensions.values(), key=lambda extension: extension.priority))

    def extend(self, **attributes: t.Any) -> None:
        """Add attributes the environment does not have yet."""
        for key, value in attributes.items():
            if not hasattr(self, key):
                setattr(self, key, value)

    def overlay(self, **options: t.Any) -> Environment:
        """A linked copy with some options changed; it shares filters,
        tests and globals but gets its own template cache."""
        rv = object.__new__(self.__class__)
        rv.__dict__.update(self.__dict__)
        rv.overlayed = True
        rv.linked_to = self
        cache_size = options.pop("cache_size", missing)
        extensions = options.pop("extensions", missing)
        if options.pop("enable_async", False):
            raise RuntimeError("microflask.templating does not implement async rendering")
        for key, value in options.items():
            if value is not missing:
                setattr(rv, key, value)
        if cache_size is not missing:
            rv.cache = _create_template_cache(cache_size)
        else:
            rv.cache = _copy_template_cache(self.cache)
        rv.extensions = {key: value.bind(rv) for key, value in self.extensions.items()}
        if extensions is not missing:
            for extension in extensions:
                rv.add_extension(extension)
        rv._check_settings()
        return rv

    @property
    def lexer(self) -> t.Any:
        return get_lexer(self)

    # -- attribute access from templates ----------------------------------------

    @internalcode
    def getattr(self, obj: t.Any, attribute: str) -> t.Any:
        """``obj.attribute`` in a template: the attribute, else the item,
        else undefined; internal attributes are refused."""
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            try:
                return obj[attribute]
            except (TypeError, LookupError, AttributeError):
                return self.undefined(obj=obj, name=attribute)
        if attribute_is_internal(obj, attribute):
            return unsafe_attribute_undefined(self, obj, attribute)
        return wrap_str_format(self, obj, attribute, value)

    def is_safe_attribute(self, obj: t.Any, attr: str, value: t.Any) -> bool:
        """Whether templates may read ``obj.attr``; never internals."""
        return not attribute_is_internal(obj, attr)

    def unsafe_undefined(self, obj: t.Any, attribute: str) -> Undefined:
        """What reading an unsafe attribute gives: an undefined that raises
        SecurityError when used."""
        return unsafe_attribute_undefined(self, obj, attribute)

    @internalcode
    def getitem(self, obj: t.Any, argument: t.Any) -> t.Any:
        """``obj[argument]`` in a template: the item, else the attribute of
        that name (if it is a string), else undefined."""
        try:
            return obj[argument]
        except (AttributeError, TypeError, LookupError):
            if argument.__class__ is slice:
                raise  # slicing a dict, an int, a bool is the TypeError it is in Jinja
            if isinstance(argument, str):
                try:
                    value = getattr(obj, argument)
                except AttributeError:
                    pass
                else:
                    if attribute_is_internal(obj, argument):
                        return unsafe_attribute_undefined(self, obj, argument)
                    return wrap_str_format(self, obj, argument, value)
            return self.undefined(obj=obj, name=argument)

    @internalcode
    def _filter_test_common(
        self,
        name: t.Any,
        value: t.Any,
        args: t.Sequence[t.Any] | None,
        kwargs: t.Mapping[str, t.Any] | None,
        context: t.Any,
        eval_ctx: t.Any,
        is_filter: bool,
    ) -> t.Any:
        env_map = self.filters if is_filter else self.tests
        type_name = "filter" if is_filter else "test"
        func = env_map.get(name)
        if func is None:
            message = "No %s named %r." % (type_name, name)
            if isinstance(name, Undefined):
                try:
                    name._fail_with_undefined_error()
                except Exception as e:
                    message = "%s (%s; did you forget to quote the callable name?)" % (message, e)
            raise TemplateRuntimeError(message)
        args = [value, *(args if args is not None else ())]
        kwargs = kwargs if kwargs is not None else {}
        pass_arg = getattr(func, "jinja_pass_arg", None)
        if pass_arg == "context":
            if context is None:
                raise TemplateRuntimeError(
                    "Attempted to invoke a context %s without context." % type_name
                )
            args.insert(0, context)
        elif pass_arg == "eval_context":
            if eval_ctx is None:
                if context is not None:
                    eval_ctx = context.eval_ctx
                else:
                    eval_ctx = EvalContext(self)
            args.insert(0, eval_ctx)
        elif pass_arg == "environment":
            args.insert(0, self)
        return func(*args, **kwargs)

    @internalcode
    def call_filter(
        self,
        name: str,
        value: t.Any,
        args: t.Sequence[t.Any] | None = None,
        kwargs: t.Mapping[str, t.Any] | None = None,
        context: t.Any = None,
        eval_ctx: t.Any = None,
    ) -> t.Any:
        """Run a filter by name, as a template would."""
        return self._filter_test_common(name, value, args, kwargs, context, eval_ctx, True)

    @internalcode
    def call_test(
        self,
        name: str,
        value: t.Any,
        args: t.Sequence[t.Any] | None = None,
        kwargs: t.Mapping[str, t.Any] | None = None,
        context: t.Any = None,
        eval_ctx: t.Any = None,
    ) -> t.Any:
        """Run a test by name, as a template would."""
        return self._filter_test_common(name, value, args, kwargs, context, eval_ctx, False)

    # -- compiling -----------------------------------------------------------------

    def lex(
        self, source: str, name: str | None = None, filename: str | None = None
    ) -> t.Iterator[tuple[int, str, str]]:
        """The tokens of ``source`` as ``(lineno, type, value)`` tuples."""
        try:
            tokens = get_lexer(self).tokens(str(source), name, filename)
        except TemplateSyntaxError:
            self.handle_exception(source=source)
        for tok in tokens:
            if tok.type == "error":
                tok.value.source = source
                raise tok.value
        return iter([(tok.lineno, tok.type, tok.value) for tok in tokens if tok.type != "eof"])

    def preprocess(
        self, source: str, name: str | None = None, filename: str | None = None
    ) -> str:
        """The source as the extensions' ``preprocess`` methods leave it."""
        for extension in self.iter_extensions():
            source = extension.preprocess(source, name, filename)
        return source

    def _tokenize(
        self, source: str, name: str | None, filename: str | None = None, state: str | None = None
    ) -> t.Any:
        """The token stream the parser reads, after each extension's ``filter_stream``."""
        source = self.preprocess(source, name, filename)
        stream = get_lexer(self).tokenize(source, name, filename, state)
        for extension in self.iter_extensions():
            stream = extension.filter_stream(stream)
            if not isinstance(stream, TokenStream):
                stream = TokenStream(stream, name, filename)
        return stream

    def _parse(self, source: str, name: str | None, filename: str | None) -> t.Any:
        return Parser(self, source, name, filename).parse()

    def parse(
        self, source: str, name: str | None = None, filename: str | None = None
    ) -> syntax_nodes.TemplateNode:
        """The syntax tree of ``source``."""
        try:
            tree = self._parse(source, name, filename)
        except TemplateSyntaxError:
            self.handle_exception(source=source)
        except RecursionError:
            raise TemplateSyntaxError(
                "the template is nested too deeply", 1, name, filename
            ) from None
        # meta.find_undeclared_variables skips names this environment's
        # globals provide, as Jinja does.
        tree.environment = self
        return tree

    def _generate(
        self, source: str, name: str | None, filename: str | None
    ) -> tuple[str, list[tuple[int, int]]]:
        if not isinstance(source, str):
            raise TypeError("template source must be a string, not %s" % type(source).__name__)
        tree = self._parse(source, name, filename)
        return generate(tree, self, name, filename)

    def compile(
        self,
        source: t.Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> t.Any:
        """Compile template source to a code object (or, with ``raw=True``,
        to the Python source text, for reading)."""
        source_text = source
        line_map: list[tuple[int, int]] = []
        try:
            if isinstance(source, syntax_nodes.TemplateNode):
                python_source, line_map = generate(source, self, name, filename)
            else:
                python_source, line_map = self._generate(source, name, filename)
            if raw:
                return python_source
            return _compile_generated_code(
                python_source, "<template>" if filename is None else filename
            )
        except TemplateSyntaxError:
            self.handle_exception(source=source_text if isinstance(source_text, str) else None)
        except (RecursionError, MemoryError, SyntaxError) as e:
            error = _error_for_uncompilable_code(e, line_map, name, filename)
            if "a bug in the template compiler" in error.message:
                error.__cause__ = e  # the generated line, for the bug report
        try:
            raise error
        except TemplateSyntaxError:
            self.handle_exception(source=source_text if isinstance(source_text, str) else None)

    def generate_source(self, source: str, name: str | None = None) -> str:
        """The Python source a template compiles to: the teaching view."""
        return self.compile(source, name, raw=True)

    def compile_expression(self, source: str, undefined_to_none: bool = True) -> t.Any:
        """A callable that evaluates one template expression with keyword
        arguments as its variables."""
        return _CompiledExpression(self, source, undefined_to_none)

    # -- loading -----------------------------------------------------------------------

    def join_path(self, template: str, parent: str) -> str:
        """How a template name given inside ``parent`` is looked up (as is)."""
        return template

    def make_globals(self, d: t.MutableMapping[str, t.Any] | None) -> t.MutableMapping[str, t.Any]:
        if d is None:
            d = {}
        return ChainMap(d, self.globals)

    def _load_template(
        self, name: str, globals: t.MutableMapping[str, t.Any] | None
    ) -> Template:
        if self.loader is None:
            raise TypeError("no loader for this environment specified")
        if isinstance(name, Undefined):
            name._fail_with_undefined_error()
        cache_key = (weakref.ref(self.loader), name)
        if self.cache is not None:
            template = self.cache.get(cache_key)
            if template is not None and (not self.auto_reload or template.is_up_to_date):
                if globals:
                    template.globals.update(globals)
                return template
        template = self.loader.load(self, name, self.make_globals(globals))
        if self.cache is not None:
            self.cache[cache_key] = template
        return template

    def get_template(
        self,
        name: t.Any,
        parent: str | None = None,
        globals: t.MutableMapping[str, t.Any] | None = None,
    ) -> Template:
        """Load a template by name through the loader (cached)."""
        if isinstance(name, Template):
            return name
        if isinstance(name, Undefined):
            name._fail_with_undefined_error()
        if parent is not None:
            name = self.join_path(name, parent)
        return self._load_template(name, globals)

    def select_template(
        self,
        names: t.Iterable[t.Any],
        parent: str | None = None,
        globals: t.MutableMapping[str, t.Any] | None = None,
    ) -> Template:
        """The first of ``names`` that exists."""
        if isinstance(names, Undefined):
            names._fail_with_undefined_error()
        if not names:
            raise TemplatesNotFound(message="Tried to select from an empty list of templates.")
        for name in names:
            if isinstance(name, Template):
                return name
            if parent is not None:
                name = self.join_path(name, parent)
            try:
                return self._load_template(name, globals)
            except (TemplateNotFound, UndefinedError):
                pass
        raise TemplatesNotFound(names)

    def get_or_select_template(
        self,
        template_name_or_list: t.Any,
        parent: str | None = None,
        globals: t.MutableMapping[str, t.Any] | None = None,
    ) -> Template:
        """``get_template`` for a name, ``select_template`` for a list."""
        if isinstance(template_name_or_list, (str, Undefined)):
            return self.get_template(template_name_or_list, parent, globals)
        if isinstance(template_name_or_list, Template):
            return template_name_or_list
        return self.select_template(template_name_or_list, parent, globals)

    def from_string(
        self,
        source: t.Any,
        globals: t.MutableMapping[str, t.Any] | None = None,
        template_class: type[Template] | None = None,
    ) -> Template:
        """Compile a template from a string, without the loader."""
        gs = self.make_globals(globals)
        cls = template_class or self.template_class
        return cls.from_code(self, self.compile(source), gs, None)

    def list_templates(
        self,
        extensions: t.Collection[str] | None = None,
        filter_func: t.Callable[[str], bool] | None = None,
    ) -> list[str]:
        """The loader's template names, optionally filtered."""
        if self.loader is None:
            raise TypeError("no loader for this environment specified")
        names = self.loader.list_templates()
        if extensions is not None:
            if filter_func is not None:
                raise TypeError("either extensions or filter_func can be passed, but not both")

            def filter_func(name: str) -> bool:
                return "." in name and name.rsplit(".", 1)[1] in extensions  # type: ignore

        if filter_func is not None:
            names = [name for name in names if filter_func(name)]
        return names

    def compile_templates(
        self,
        target: t.Any,
        extensions: t.Collection[str] | None = None,
        filter_func: t.Callable[[str], bool] | None = None,
        zip: str | None = "deflated",
        log_function: t.Callable[[str], None] | None = None,
        ignore_errors: bool = True,
    ) -> None:
        """Compile every template the loader lists into ``target`` (a zip
        file, or a folder when ``zip`` is None) for :class:`ModuleLoader`."""
        import os

        from microflask.templating.loaders import ModuleLoader

        log = log_function if log_function is not None else _ignore_log_message
        target = os.fspath(target)
        archive = None
        if zip is not None:
            import zipfile

            if zip not in ("deflated", "stored"):
                raise ValueError("zip must be 'deflated', 'stored' or None, not %r" % (zip,))
            method = zipfile.ZIP_DEFLATED if zip == "deflated" else zipfile.ZIP_STORED
            archive = zipfile.ZipFile(target, "w", method)
            log("Compiling into Zip archive %r" % target)
        else:
            os.makedirs(target, exist_ok=True)
            log("Compiling into folder %r" % target)
        try:
            for name in self.list_templates(extensions, filter_func):
                source, filename, _ = self.loader.get_source(self, name)  # type: ignore[union-attr]
                try:
                    python_source = self.compile(source, name, filename, raw=True)
                except TemplateSyntaxError as e:
                    if not ignore_errors:
                        raise
                    log('Could not compile "%s": %s' % (name, e.message))
                    continue
                module_filename = ModuleLoader.get_module_filename(name)
                if archive is not None:
                    archive.writestr(module_filename, python_source.encode("utf-8"))
                else:
                    with open(os.path.join(target, module_filename), "w", encoding="utf-8") as out:
                        out.write(python_source)
                log('Compiled "%s" as %s' % (name, module_filename))
        finally:
            if archive is not None:
                archive.close()
        log("Finished compiling templates")

    def handle_exception(self, source: str | None = None) -> t.NoReturn:
        """Re-raise the exception being handled with a template-shaped
        traceback: engine frames dropped, a syntax error shown at its
        template line.  Generated code already carries template lines."""
        import sys

        exc = sys.exc_info()[1]
        assert exc is not None
        if isinstance(exc, TemplateSyntaxError) and not exc.translated:
            if source is not None and exc.source is None:
                exc.source = source
            exc.translated = True
            raise exc.with_traceback(_traceback_at_template_line(exc))
        if isinstance(exc, RecursionError):
            # Runaway recursion (a macro calling itself, an include of itself):
            # a template error at the innermost template line, not Python's.

            error = TemplateRuntimeError(template_recursion_message(exc.__traceback__))
            tb = _template_traceback(_drop_internal_frames(exc.__traceback__))
            del exc
            raise error.with_traceback(tb) from None
        raise exc.with_traceback(_template_traceback(_drop_internal_frames(exc.__traceback__)))

    # -- what compiled code runs with ---------------------------------------------------

    def _template_namespace(self) -> dict[str, t.Any]:
        """The names generated modules use, bound for this environment."""
        cls = type(self)
        fast_attribute = (
            make_fast_getattr(self) if cls.getattr is Environment.getattr else self.getattr
        )
        namespace = {
            "environment": self,
            "missing": missing,
            "concat": concat,
            "escape_output": escape_output,
            "Markup": Markup,
            "markup_join": markup_join,
            "str_join": str_join,
            "LoopContext": LoopContext,
            "Macro": Macro,
            "Undefined": Undefined,
            "identity": identity,
            "Namespace": Namespace,
            "TemplateReference": TemplateReference,
            "TemplateNotFound": TemplateNotFound,
            "TemplateRuntimeError": TemplateRuntimeError,
            "safe_multiply": safe_multiply,
            "safe_power": safe_power,
            "safe_modulo": safe_modulo,
            "fast_getattr": fast_attribute,
            "environment_getattr": self.getattr,
            "environment_getitem": self.getitem,
            "call": self.call if self.sandboxed else call_with_pass_arg,
            "finalize": self.finalize,
            "unknown_filter_error": unknown_filter_error,
            "unknown_test_error": unknown_test_error,
            "required_block_error": required_block_error,
            "debug_dump": debug_dump,
            "import_string": _import_dotted_name,
        }
        return namespace


def _copy_template_cache(cache: t.Any) -> t.Any:
    if cache is None:
        return None
    if isinstance(cache, dict):
        return {}
    return LRUCache(cache.capacity)


class _CompiledExpression:
    """What :meth:`Environment.compile_expression` returns."""

    def __init__(self, environment: Environment, source: str, undefined_to_none: bool) -> None:
        self._environment = environment
        self._undefined_to_none = undefined_to_none
        self._template = environment.from_string(
            "{%% do __expression_result__.append((%s)) %%}" % source
        )

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        box: list[t.Any] = []
        variables = dict(*args, **kwargs)
        variables["__expression_result__"] = box
        context = self._template.new_context(variables)
        for _ in self._template.root_render_func(context):
            pass
        rv = box[0] if box else None
        if self._undefined_to_none and isinstance(rv, Undefined):
            return None
        return rv


class Template:
    """A compiled template: ``render``, ``generate``, ``stream``, ``module``."""

    environment_class = Environment
    environment: Environment
    globals: t.MutableMapping[str, t.Any]
    name: str | None
    filename: str | None
    blocks: dict[str, t.Callable[[Context], t.Iterator[str]]]
    root_render_func: t.Callable[[Context], t.Iterator[str]]
    _module: t.Any
    _debug_info: str
    _uptodate: t.Callable[[], bool] | None

    def __new__(
        cls,
        source: t.Any,
        block_start_string: str = BLOCK_START_STRING,
        block_end_string: str = BLOCK_END_STRING,
        variable_start_string: str = VARIABLE_START_STRING,
        variable_end_string: str = VARIABLE_END_STRING,
        comment_start_string: str = COMMENT_START_STRING,
        comment_end_string: str = COMMENT_END_STRING,
        line_statement_prefix: str | None = LINE_STATEMENT_PREFIX,
        line_comment_prefix: str | None = LINE_COMMENT_PREFIX,
        trim_blocks: bool = TRIM_BLOCKS,
        lstrip_blocks: bool = LSTRIP_BLOCKS,
        newline_sequence: str = NEWLINE_SEQUENCE,
        keep_trailing_newline: bool = KEEP_TRAILING_NEWLINE,
        extensions: t.Sequence[t.Any] = (),
        optimized: bool = True,
        undefined: type[Undefined] = Undefined,
        finalize: t.Callable[..., t.Any] | None = None,
        autoescape: t.Any = False,
        enable_async: bool = False,
    ) -> t.Any:
        env = get_spontaneous_environment(
            cls.environment_class,  # type: ignore[arg-type]
            block_start_string,
            block_end_string,
            variable_start_string,
            variable_end_string,
            comment_start_string,
            comment_end_string,
            line_statement_prefix,
            line_comment_prefix,
            trim_blocks,
            lstrip_blocks,
            newline_sequence,
            keep_trailing_newline,
            frozenset(extensions),
            optimized,
            undefined,
            finalize,
            autoescape,
            None,
            0,
            False,
            None,
            enable_async,
        )
        return env.from_string(source, template_class=cls)

    @classmethod
    def from_code(
        cls,
        environment: Environment,
        code: types.CodeType,
        globals: t.MutableMapping[str, t.Any],
        uptodate: t.Callable[[], bool] | None = None,
    ) -> Template:
        """Run compiled template code once and wrap the result."""
        namespace = environment._template_namespace()
        namespace["__file__"] = code.co_filename
        exec(code, namespace)
        rv = cls._from_namespace(environment, namespace, globals)
        rv._uptodate = uptodate
        return rv

    @classmethod
    def from_module_dict(
        cls,
        environment: Environment,
        module_dict: t.MutableMapping[str, t.Any],
        globals: t.MutableMapping[str, t.Any],
    ) -> Template:
        return cls._from_namespace(environment, module_dict, globals)

    @classmethod
    def _from_namespace(
        cls,
        environment: Environment,
        namespace: t.MutableMapping[str, t.Any],
        globals: t.MutableMapping[str, t.Any],
    ) -> Template:
        rv = object.__new__(cls)
        rv.environment = environment
        rv.globals = globals
        rv.name = namespace["name"]
        filename = namespace.get("__file__")
        rv.filename = None if filename == "<template>" else filename
        rv.blocks = namespace["blocks"]
        rv.root_render_func = namespace["root"]
        rv._module = None
        rv._debug_info = namespace["debug_info"]
        rv._uptodate = None
        namespace["environment"] = environment
        namespace["__microflask_template__"] = rv
        return rv

    def render(self, *args: t.Any, **kwargs: t.Any) -> str:
        """Render with the variables given as a dict and/or keywords."""
        if args and not kwargs and len(args) == 1 and type(args[0]) is dict:
            variables = args[0]
        else:
            variables = dict(*args, **kwargs)
        context = new_context(
            self.environment, self.name, self.blocks, variables, False, self.globals
        )
        try:
            return concat(self.root_render_func(context))
        except Exception:
            self.environment.handle_exception()

    async def render_async(self, *args: t.Any, **kwargs: t.Any) -> str:
        return self.render(*args, **kwargs)

    def stream(self, *args: t.Any, **kwargs: t.Any) -> TemplateStream:
        """Like :meth:`generate`, wrapped in a :class:`TemplateStream`."""
        return TemplateStream(self.generate(*args, **kwargs))

    def generate(self, *args: t.Any, **kwargs: t.Any) -> t.Iterator[str]:
        """Render piece by piece, yielding strings as they are produced."""
        context = self.new_context(dict(*args, **kwargs))
        try:
            yield from self.root_render_func(context)
        except Exception:
            self.environment.handle_exception()

    def new_context(
        self,
        vars: dict[str, t.Any] | None = None,
        shared: bool = False,
        locals: t.Mapping[str, t.Any] | None = None,
    ) -> Context:
        """A fresh render context for this template."""
        return new_context(
            self.environment, self.name, self.blocks, vars, shared, self.globals, locals
        )

    def make_module(
        self,
        vars: dict[str, t.Any] | None = None,
        shared: bool = False,
        locals: t.Mapping[str, t.Any] | None = None,
    ) -> TemplateModule:
        """Render once and expose exported macros and variables as attributes."""
        return TemplateModule(self, self.new_context(vars, shared, locals))

    def _get_default_module(self, ctx: Context | None = None) -> TemplateModule:
        if ctx is not None:
            keys = ctx.globals_keys - self.globals.keys()
            if keys:
                return self.make_module({k: ctx.parent[k] for k in keys})
        if self._module is None:
            self._module = self.make_module()
        return self._module

    @property
    def module(self) -> TemplateModule:
        return self._get_default_module()

    def get_corresponding_lineno(self, lineno: int) -> int:
        """The template line of a line of the generated source."""
        for template_line, code_line in reversed(self.debug_info):
            if code_line <= lineno:
                return template_line
        return 1

    @property
    def is_up_to_date(self) -> bool:
        if self._uptodate is None:
            return True
        return self._uptodate()

    @property
    def debug_info(self) -> list[tuple[int, int]]:
        if self._debug_info:
            return [
                tuple(map(int, pair.split("=")))  # type: ignore[misc]
                for pair in self._debug_info.split("&")
            ]
        return []

    def __repr__(self) -> str:
        name = "memory:%x" % id(self) if self.name is None else repr(self.name)
        return "<%s %s>" % (type(self).__name__, name)


Environment.template_class = Template


class TemplateModule:
    """A template rendered once, its exported names as attributes; ``str()``
    gives the rendered text."""

    def __init__(
        self,
        template: Template,
        context: Context,
        body_stream: t.Iterable[str] | None = None,
    ) -> None:
        if body_stream is None:
            body_stream = list(template.root_render_func(context))
        self._body_stream = body_stream
        self.__dict__.update(context.get_exported())
        self.__name__ = template.name

    def __html__(self) -> Markup:
        return Markup(concat(self._body_stream))

    def __str__(self) -> str:
        return concat(self._body_stream)

    def __repr__(self) -> str:
        name = "memory:%x" % id(self) if self.__name__ is None else repr(self.__name__)
        return "<%s %s>" % (type(self).__name__, name)


class TemplateStream:
    """A rendering stream: iterate it, or ``dump`` it to a file; buffering
    groups small pieces."""

    def __init__(self, gen: t.Iterator[str]) -> None:
        self._gen = gen
        self.disable_buffering()

    def dump(self, fp: t.Any, encoding: str | None = None, errors: str | None = "strict") -> None:
        """Write the whole stream to a file name or file object."""
        close = False
        if isinstance(fp, str):
            if encoding is None:
                encoding = "utf-8"
            fp = open(fp, "wb")
            close = True
        try:
            if encoding is not None:
                iterable = (x.encode(encoding, errors) for x in self)  # type: ignore[arg-type]
            else:
                iterable = self  # type: ignore[assignment]
            if hasattr(fp, "writelines"):
                fp.writelines(iterable)
            else:
                for item in iterable:
                    fp.write(item)
        finally:
            if close:
                fp.close()

    def disable_buffering(self) -> None:
        self._next = partial(next, self._gen)
        self.buffered = False

    def _buffered_generator(self, size: int) -> t.Iterator[str]:
        buf: list[str] = []
        c_size = 0
        push = buf.append
        while True:
            try:
                while c_size < size:
                    c = next(self._gen)
                    push(c)
                    if c:
                        c_size += 1
            except StopIteration:
                if not c_size:
                    return
            yield concat(buf)
            del buf[:]
            c_size = 0

    def enable_buffering(self, size: int = 5) -> None:
        if size <= 1:
            raise ValueError("buffer size too small")
        self.buffered = True
        self._next = partial(next, self._buffered_generator(size))

    def __iter__(self) -> TemplateStream:
        return self

    def __next__(self) -> str:
        return self._next()  # type: ignore[no-any-return]


@lru_cache(maxsize=10)
def get_spontaneous_environment(cls: type[Environment], *args: t.Any) -> Environment:
    """The shared environment ``Template(source, **options)`` compiles in."""
    env = cls(*args)
    env.shared = True
    return env
