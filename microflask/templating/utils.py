"""Small helpers shared by the template engine (what Jinja calls ``jinja2.utils``).

The ``pass_*`` decorators tell the engine which extra first argument a
filter, test or global wants; ``missing`` marks "no value given";
``Namespace``, ``Cycler`` and ``Joiner`` back the template globals of the
same names; ``urlize``, ``htmlsafe_json_dumps`` and the lorem ipsum
generator back filters and globals; ``LRUCache`` holds compiled templates.
"""

from __future__ import annotations

import json
import os
import re
import typing as t
from collections import OrderedDict, deque
from threading import Lock
from urllib.parse import quote as _urllib_quote

from microflask.markup import Markup, escape
from microflask.templating.exceptions import TemplateOverflowError

__all__ = [
    "pass_context",
    "pass_eval_context",
    "pass_environment",
    "internalcode",
    "internal_code",
    "MissingType",
    "missing",
    "concat",
    "MAX_TEMPLATE_SEQUENCE_LENGTH",
    "MAX_TEMPLATE_INTEGER_BITS",
    "check_template_result_size",
    "escaped_text_length",
    "is_undefined",
    "consume",
    "clear_caches",
    "import_string",
    "open_if_exists",
    "object_type_repr",
    "pformat",
    "url_quote",
    "urlize",
    "generate_lorem_ipsum",
    "LRUCache",
    "select_autoescape",
    "htmlsafe_json_dumps",
    "Cycler",
    "Joiner",
    "Namespace",
]

_TemplateCallable = t.TypeVar("_TemplateCallable", bound=t.Callable[..., t.Any])


# -- marking what a callable wants passed first ------------------------------


def pass_context(f: _TemplateCallable) -> _TemplateCallable:
    """Call ``f`` with the active template context as its first argument."""
    f.jinja_pass_arg = "context"  # type: ignore[attr-defined]
    return f


def pass_eval_context(f: _TemplateCallable) -> _TemplateCallable:
    """Call ``f`` with the evaluation context (``autoescape``, ``environment``)
    as its first argument."""
    f.jinja_pass_arg = "eval_context"  # type: ignore[attr-defined]
    return f


def pass_environment(f: _TemplateCallable) -> _TemplateCallable:
    """Call ``f`` with the template's environment as its first argument."""
    f.jinja_pass_arg = "environment"  # type: ignore[attr-defined]
    return f


# Code objects of engine internals, so tracebacks can hide those frames.
internal_code: set[t.Any] = set()


def internalcode(f: _TemplateCallable) -> _TemplateCallable:
    """Mark ``f`` as engine plumbing (hidden from rewritten tracebacks)."""
    internal_code.add(f.__code__)
    return f


# -- the "no value given" marker ----------------------------------------------


class MissingType:
    """Type of :data:`missing`; a single instance is ever needed."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "missing"

    def __reduce__(self) -> str:
        # Unpickle to the very same object so identity checks keep working.
        return "missing"


missing: t.Any = MissingType()

concat = "".join


# -- how large a value a template may build -------------------------------------

#: The longest string, list or tuple a template operation may build, in
#: characters or items (every environment, not only the sandbox).
MAX_TEMPLATE_SEQUENCE_LENGTH = 10_000_000
#: The largest integer, in bits, ``*`` and ``**`` may build inside a template.
MAX_TEMPLATE_INTEGER_BITS = 100_000


def check_template_result_size(size: int, what: str) -> None:
    """Refuse to build a result of ``size`` characters or items: raise
    :class:`TemplateOverflowError` when it is over the cap.  Callers pass
    the size they computed from the inputs, before building anything."""
    if size > MAX_TEMPLATE_SEQUENCE_LENGTH:
        raise TemplateOverflowError(
            "the result of %s is too large: %d characters or items, the limit is %d."
            % (what, size, MAX_TEMPLATE_SEQUENCE_LENGTH)
        )


def escaped_text_length(text: str) -> int:
    """The length of ``escape(text)``, counted without building it."""
    if not text:
        return 0
    extra = 4 * (text.count("&") + text.count('"') + text.count("'"))
    return len(text) + extra + 3 * (text.count("<") + text.count(">"))


# -- small introspection helpers ---------------------------------------------


def is_undefined(obj: t.Any) -> bool:
    """Tell whether ``obj`` is one of the engine's undefined values."""
    from microflask.templating.runtime import Undefined

    return isinstance(obj, Undefined)


def consume(iterable: t.Iterable[t.Any]) -> None:
    """Exhaust an iterable, throwing the items away."""
    for _ in iterable:
        pass


def clear_caches() -> None:
    """Forget the shared environments and lexers the engine memoizes."""
    from microflask.templating import environment as environment_module
    from microflask.templating import lexer as lexer_module

    for memoized in (
        getattr(environment_module, "get_spontaneous_environment", None),
        getattr(lexer_module, "get_lexer", None),
    ):
        if hasattr(memoized, "cache_clear"):
            memoized.cache_clear()
    lexer_cache = getattr(lexer_module, "_LEXER_CACHE", None)
    if lexer_cache is not None:
        lexer_cache.clear()


def _import_dotted_name(import_name: str, silent: bool = False) -> t.Any:
    """Import an object from ``package.module:attr`` or ``package.module.attr``.

    With ``silent`` a failed import gives ``None`` instead of raising.
    """
    try:
        if ":" in import_name:
            module_name, attribute = import_name.split(":", 1)
        elif "." in import_name:
            module_name, _, attribute = import_name.rpartition(".")
        else:
            return __import__(import_name)
        return getattr(__import__(module_name, None, None, [attribute]), attribute)
    except (ImportError, AttributeError):
        if not silent:
            raise
        return None


import_string = _import_dotted_name


def open_if_exists(filename: str, mode: str = "rb") -> t.IO[t.Any] | None:
    """Open ``filename`` if it is an existing file, else give ``None``."""
    if not os.path.isfile(filename):
        return None
    return open(filename, mode)


def object_type_repr(obj: t.Any) -> str:
    """Name an object's type the way error messages do (``int object``)."""
    if obj is None:
        return "None"
    if obj is Ellipsis:
        return "Ellipsis"
    cls = type(obj)
    if cls.__module__ == "builtins":
        return "%s object" % cls.__name__
    return "%s.%s object" % (cls.__module__, cls.__name__)


def pformat(obj: t.Any) -> str:
    """Pretty-print ``obj`` to a string."""
    from pprint import pformat as _stdlib_pformat

    return _stdlib_pformat(obj)


def _quote_for_template_url(obj: t.Any, charset: str = "utf-8", for_qs: bool = False) -> str:
    """Percent-quote a value for a URL path segment or (``for_qs``) a query."""
    if not isinstance(obj, bytes):
        if not isinstance(obj, str):
            obj = str(obj)
        obj = obj.encode(charset)
    safe = b"" if for_qs else b"/"
    quoted = _urllib_quote(obj, safe=safe)
    if for_qs:
        quoted = quoted.replace("%20", "+")
    return quoted


url_quote = _quote_for_template_url


# -- urlize: turn URLs and e-mail addresses in text into links ----------------

_URLIZE_WEB_ADDRESS = re.compile(
    r"""
    ^(?:
        # http(s):// or www. followed by a dotted host with a plausible TLD
        (?:https?://|www\.) (?:[\w%-]+\.)* (?:[a-z]{2,63}|xn--[\w%]{2,59})
      | # a bare domain under one of the classic generic TLDs
        (?:[\w%-]{2,63}\.)+ (?:com|net|int|edu|gov|org|info|mil)
      | # http(s):// followed by a literal IPv4 or IPv6 address
        https?://
        (?: \d{1,3}(?:\.\d{1,3}){3}
          | \[(?:[\da-f]{0,4}:){2}(?:[\da-f]{0,4}:?){1,6}\] )
    )
    (?::\d{1,5})?      # port
    (?:[/?\#]\S*)?     # path, query, fragment
    $""",
    re.IGNORECASE | re.VERBOSE,
)
_URLIZE_EMAIL = re.compile(r"^[^@\s]\S*@\w[\w.-]*\.\w+$")
_URLIZE_LEADING_PUNCTUATION = re.compile(r"^(?:[(<]|&lt;)+")
_URLIZE_TRAILING_PUNCTUATION = re.compile(r"(?:[)>.,\n]|&gt;)+$")
_URLIZE_TRAILING_ENDINGS = (")", ">", ".", ",", "\n", "&gt;")
_URLIZE_BRACKET_PAIRS = (("(", ")"), ("<", ">"), ("&lt;", "&gt;"))
_URLIZE_WHITESPACE_SPLIT = re.compile(r"(\s+)")


def _urlize_shorten(url: str, limit: int | None) -> str:
    if limit is not None and len(url) > limit:
        return url[:limit] + ("..." if len(url) >= 3 else "")
    return url


def _urlize_split_word(word: str) -> tuple[str, str, str]:
    """Split one escaped word into (leading punctuation, core, trailing)."""
    head, core, tail = "", word, ""
    found = _URLIZE_LEADING_PUNCTUATION.match(core)
    if found:
        head = found.group()
        core = core[found.end() :]
    # Checking the ending first keeps the regex search off most words.
    if core.endswith(_URLIZE_TRAILING_ENDINGS):
        found = _URLIZE_TRAILING_PUNCTUATION.search(core)
        if found:
            tail = found.group()
            core = core[: found.start()]
    # A closing bracket that balances an opening one inside the URL belongs
    # to the URL (Wikipedia-style links), not to the sentence.
    for opener, closer in _URLIZE_BRACKET_PAIRS:
        unmatched = core.count(opener)
        if unmatched <= core.count(closer):
            continue
        for _ in range(min(unmatched, tail.count(closer))):
            cut = tail.index(closer) + len(closer)
            core += tail[:cut]
            tail = tail[cut:]
    return head, core, tail


def urlize(
    text: str,
    trim_url_limit: int | None = None,
    rel: str | None = None,
    target: str | None = None,
    extra_schemes: t.Iterable[str] | None = None,
) -> str:
    """Escape ``text`` and wrap each URL or e-mail address in it in a link.

    ``trim_url_limit`` shortens the shown link text; ``rel`` and ``target``
    become attributes of web links; ``extra_schemes`` lists further scheme
    prefixes (``"ftp:"``) to link as they are.
    """
    rel_attr = ' rel="%s"' % escape(rel) if rel else ""
    target_attr = ' target="%s"' % escape(target) if target else ""
    words = _URLIZE_WHITESPACE_SPLIT.split(str(escape(text)))
    for index, word in enumerate(words):
        if not word or word.isspace():
            continue
        head, core, tail = _urlize_split_word(word)
        if _URLIZE_WEB_ADDRESS.match(core):
            href = core
            if not (core.startswith("https://") or core.startswith("http://")):
                href = "https://" + core
            core = '<a href="%s"%s%s>%s</a>' % (
                href,
                rel_attr,
                target_attr,
                _urlize_shorten(core, trim_url_limit),
            )
        elif core.startswith("mailto:") and _URLIZE_EMAIL.match(core[7:]):
            core = '<a href="%s">%s</a>' % (core, core[7:])
        elif (
            "@" in core
            and not core.startswith("www.")
            and ":" not in core
            and _URLIZE_EMAIL.match(core)
        ):
            core = '<a href="mailto:%s">%s</a>' % (core, core)
        elif extra_schemes is not None:
            for scheme in extra_schemes:
                if core != scheme and core.startswith(scheme):
                    core = '<a href="%s"%s%s>%s</a>' % (core, rel_attr, target_attr, core)
        words[index] = head + core + tail
    return "".join(words)


# -- lorem ipsum ----------------------------------------------------------------

_LOREM_WORDS = (
    "a ac accumsan ad adipiscing aenean aliquam aliquet amet ante aptent arcu at "
    "auctor augue bibendum blandit class commodo condimentum congue consectetuer "
    "consequat conubia convallis cras cubilia cum curabitur curae cursus dapibus "
    "diam dictum dictumst dignissim dis dolor donec dui duis egestas eget eleifend "
    "elementum elit enim erat eros est et etiam eu euismod facilisi facilisis fames "
    "faucibus felis fermentum feugiat fringilla fusce gravida habitant habitasse hac "
    "hendrerit hymenaeos iaculis id imperdiet in inceptos integer interdum ipsum "
    "justo lacinia lacus laoreet lectus leo libero ligula litora lobortis lorem "
    "luctus maecenas magna magnis malesuada massa mattis mauris metus mi molestie "
    "mollis montes morbi mus nam nascetur natoque nec neque netus nibh nisi nisl "
    "non nonummy nostra nulla nullam nunc odio orci ornare parturient pede "
    "pellentesque penatibus per pharetra phasellus placerat platea porta porttitor "
    "posuere potenti praesent pretium primis proin pulvinar purus quam quis quisque "
    "rhoncus ridiculus risus rutrum sagittis sapien scelerisque sed sem semper "
    "senectus sit sociis sociosqu sodales sollicitudin suscipit suspendisse taciti "
    "tellus tempor tempus tincidunt torquent tortor tristique turpis ullamcorper "
    "ultrices ultricies urna ut varius vehicula vel velit venenatis vestibulum vitae "
    "vivamus viverra volutpat vulputate"
).split()


def _lorem_paragraph(word_count: int) -> str:
    from random import choice, randrange

    words: list[str] = []
    previous = ""
    capitalize_next = True
    next_comma = randrange(3, 8)
    next_period = randrange(10, 20)
    for position in range(word_count):
        word = choice(_LOREM_WORDS)
        while word == previous:
            word = choice(_LOREM_WORDS)
        previous = word
        if capitalize_next:
            word = word.capitalize()
            capitalize_next = False
        if position - randrange(3, 8) > next_comma:
            next_comma = position
            word += ","
        if position - randrange(10, 20) > next_period:
            next_period = next_comma = position
            word = word.rstrip(",") + "."
            capitalize_next = True
        words.append(word)
    paragraph = " ".join(words)
    if paragraph.endswith(","):
        paragraph = paragraph[:-1] + "."
    elif not paragraph.endswith("."):
        paragraph += "."
    return paragraph


def generate_lorem_ipsum(
    n: int = 5, html: bool = True, min: int = 20, max: int = 100
) -> str:
    """Make ``n`` paragraphs of placeholder Latin, each ``min``..``max`` words.

    With ``html`` each paragraph is wrapped in ``<p>`` and the result is
    :class:`Markup`; otherwise paragraphs are separated by a blank line.
    """
    from random import randrange

    # A paragraph has fewer than ``max`` words of at most 13 characters and a
    # separator each, plus the <p></p> or blank line around it.
    if n > 0 and max > 0:
        check_template_result_size(n * (max * 15 + 10), "lipsum()")
    paragraphs = [_lorem_paragraph(randrange(min, max)) for _ in range(n)]
    if not html:
        return "\n\n".join(paragraphs)
    return Markup("\n".join("<p>%s</p>" % escape(p) for p in paragraphs))


# -- a small thread-safe least-recently-used cache -----------------------------


class LRUCache:
    """A mapping that keeps at most ``capacity`` items, dropping the one used
    least recently; the engine keeps compiled templates in it."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[t.Any, t.Any] = OrderedDict()
        self._lock = Lock()

    # The pickled state has Jinja's shape (capacity, _mapping, _queue).
    def __getstate__(self) -> dict[str, t.Any]:
        return {"capacity": self.capacity, "_mapping": self._mapping, "_queue": self._queue}

    def __setstate__(self, state: dict[str, t.Any]) -> None:
        self.capacity = state["capacity"]
        if "entries" in state:
            self._entries = OrderedDict(state["entries"])
        else:
            mapping = state["_mapping"]
            self._entries = OrderedDict((key, mapping[key]) for key in state["_queue"])
        self._lock = Lock()

    # Jinja's cache keeps a dict plus a deque of keys (oldest first); code
    # that inspects those gets equal snapshots of ours.
    @property
    def _mapping(self) -> dict[t.Any, t.Any]:
        return dict(self._entries)

    @property
    def _queue(self) -> deque[t.Any]:
        return deque(self._entries)

    def copy(self) -> LRUCache:
        duplicate = self.__class__(self.capacity)
        with self._lock:
            duplicate._entries = OrderedDict(self._entries)
        return duplicate

    __copy__ = copy

    def get(self, key: t.Any, default: t.Any = None) -> t.Any:
        try:
            return self[key]
        except KeyError:
            return default

    def setdefault(self, key: t.Any, default: t.Any = None) -> t.Any:
        try:
            return self[key]
        except KeyError:
            self[key] = default
            return default

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __contains__(self, key: t.Any) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return "<%s %r>" % (type(self).__name__, dict(self._entries))

    def __getitem__(self, key: t.Any) -> t.Any:
        with self._lock:
            value = self._entries[key]
            self._entries.move_to_end(key)
            return value

    def __setitem__(self, key: t.Any, value: t.Any) -> None:
        with self._lock:
            entries = self._entries
            if key in entries:
                entries.move_to_end(key)
            elif len(entries) >= self.capacity:
                if self.capacity <= 0:
                    return
                entries.popitem(last=False)
            entries[key] = value

    def __delitem__(self, key: t.Any) -> None:
        with self._lock:
            del self._entries[key]

    def items(self) -> list[tuple[t.Any, t.Any]]:
        """Items, most recently used first."""
        with self._lock:
            result = list(self._entries.items())
        result.reverse()
        return result

    def values(self) -> list[t.Any]:
        return [value for _, value in self.items()]

    def keys(self) -> list[t.Any]:
        return list(self)

    def __iter__(self) -> t.Iterator[t.Any]:
        with self._lock:
            keys = list(self._entries)
        return reversed(keys)

    def __reversed__(self) -> t.Iterator[t.Any]:
        with self._lock:
            keys = list(self._entries)
        return iter(keys)


# -- autoescape by file extension -----------------------------------------------


def select_autoescape(
    enabled_extensions: t.Collection[str] = ("html", "htm", "xml"),
    disabled_extensions: t.Collection[str] = (),
    default_for_string: bool = True,
    default: bool = False,
) -> t.Callable[[str | None], bool]:
    """Build an ``autoescape`` callable that decides by template file name."""
    enabled = tuple("." + ext.lstrip(".").lower() for ext in enabled_extensions)
    disabled = tuple("." + ext.lstrip(".").lower() for ext in disabled_extensions)

    def autoescape(template_name: str | None) -> bool:
        if template_name is None:
            return default_for_string
        template_name = template_name.lower()
        if template_name.endswith(enabled):
            return True
        if template_name.endswith(disabled):
            return False
        return default

    return autoescape


# -- JSON safe to embed in HTML -------------------------------------------------

_HTMLSAFE_JSON_REPLACEMENTS = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("'", "\\u0027"),
)


def htmlsafe_json_dumps(
    obj: t.Any, dumps: t.Callable[..., str] | None = None, **kwargs: t.Any
) -> Markup:
    """Serialize ``obj`` to JSON that is safe inside ``<script>`` tags and
    single-quoted HTML attributes, returned as :class:`Markup`."""
    if dumps is None:
        dumps = json.dumps
    text = dumps(obj, **kwargs)
    for character, replacement in _HTMLSAFE_JSON_REPLACEMENTS:
        text = text.replace(character, replacement)
    return Markup(text)


# -- the objects behind the cycler(), joiner() and namespace() globals ----------


class Cycler:
    """Cycle through values: ``next()`` gives the current one and advances."""

    def __init__(self, *items: t.Any) -> None:
        if not items:
            raise RuntimeError("at least one item has to be provided")
        self.items = items
        self.pos = 0

    def reset(self) -> None:
        """Go back to the first item."""
        self.pos = 0

    @property
    def current(self) -> t.Any:
        """The item the next call to :meth:`next` will give."""
        return self.items[self.pos]

    def next(self) -> t.Any:
        """Give the current item and move on to the next one."""
        value = self.current
        self.pos = (self.pos + 1) % len(self.items)
        return value

    __next__ = next


class Joiner:
    """Give ``""`` on the first call and the separator on every later one."""

    def __init__(self, sep: str = ", ") -> None:
        self.sep = sep
        self.used = False

    def __call__(self) -> str:
        if not self.used:
            self.used = True
            return ""
        return self.sep


class Namespace:
    """A plain attribute bag templates may assign to (``{% set ns.x = 1 %}``).

    Only the stored values are readable as attributes, so a template cannot
    climb from a namespace to Python internals.
    """

    def __init__(*args: t.Any, **kwargs: t.Any) -> None:
        self, args = args[0], args[1:]
        object.__setattr__(self, "_Namespace__attrs", dict(*args, **kwargs))

    def __getattribute__(self, name: str) -> t.Any:
        if name in {"_Namespace__attrs", "__class__"}:
            return object.__getattribute__(self, name)
        try:
            return object.__getattribute__(self, "_Namespace__attrs")[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: t.Any) -> None:
        self.__attrs[name] = value

    def __setitem__(self, name: str, value: t.Any) -> None:
        self.__attrs[name] = value

    def __repr__(self) -> str:
        return "<Namespace %r>" % self.__attrs
