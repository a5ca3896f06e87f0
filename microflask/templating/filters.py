"""The builtin template filters (what Jinja calls ``jinja2.filters``).

Each filter is a plain function named ``do_<name>``; :data:`FILTERS` maps
the names templates use to them.  Filters that need the environment, the
evaluation context (for autoescaping) or the template context are marked
with the ``pass_*`` decorators from :mod:`.utils`, and the engine passes
that object first.
"""

from __future__ import annotations

import math
import random
import re
import typing as t
from collections import abc
from itertools import chain
from itertools import groupby as _itertools_groupby

from microflask.markup import Markup, escape, soft_str

from microflask.templating.exceptions import FilterArgumentError, TemplateOverflowError
from microflask.templating.runtime import (
    MAX_RANGE,
    Undefined,
    _join_pieces_within_cap,
    _replaced_size,
    safe_modulo,
)
from microflask.templating.utils import (
    MAX_TEMPLATE_SEQUENCE_LENGTH,
    check_template_result_size,
    escaped_text_length,
    htmlsafe_json_dumps,
    pass_context,
    pass_environment,
    pass_eval_context,
    pformat,
    url_quote,
    urlize,
)

__all__ = [
    "FILTERS",
    "ignore_case",
    "make_attrgetter",
    "make_multi_attrgetter",
    "do_forceescape",
    "do_urlencode",
    "do_replace",
    "do_upper",
    "do_lower",
    "do_items",
    "do_xmlattr",
    "do_capitalize",
    "do_title",
    "do_dictsort",
    "do_sort",
    "do_unique",
    "do_min",
    "do_max",
    "do_default",
    "do_join",
    "do_center",
    "do_first",
    "do_last",
    "do_random",
    "do_filesizeformat",
    "do_pprint",
    "do_urlize",
    "do_indent",
    "do_truncate",
    "do_wordwrap",
    "do_wordcount",
    "do_int",
    "do_float",
    "do_format",
    "do_trim",
    "do_striptags",
    "do_slice",
    "do_batch",
    "do_round",
    "do_groupby",
    "do_sum",
    "do_list",
    "do_mark_safe",
    "do_mark_unsafe",
    "do_reverse",
    "do_attr",
    "do_map",
    "do_select",
    "do_reject",
    "do_selectattr",
    "do_rejectattr",
    "do_tojson",
    "do_abs",
    "do_count",
    "do_length",
    "do_escape",
    "do_string",
    "sync_do_first",
    "sync_do_groupby",
    "sync_do_join",
    "sync_do_list",
    "sync_do_map",
    "sync_do_reject",
    "sync_do_rejectattr",
    "sync_do_select",
    "sync_do_selectattr",
    "sync_do_slice",
    "sync_do_sum",
    "sync_do_unique",
]


# -- attribute access helpers shared by sort, groupby, map, ... ----------------


def ignore_case(value: t.Any) -> t.Any:
    """Lower-case strings so comparisons ignore case; leave anything else."""
    if isinstance(value, str):
        return value.lower()
    return value


def _split_filter_attribute_path(attribute: t.Any) -> list[t.Any]:
    """``"a.0.b"`` -> ``["a", 0, "b"]``; a non-string is one item."""
    if attribute is None:
        return []
    if isinstance(attribute, str):
        return [int(part) if part.isdigit() else part for part in attribute.split(".")]
    return [attribute]


def make_attrgetter(
    environment: t.Any,
    attribute: t.Any,
    postprocess: t.Callable[[t.Any], t.Any] | None = None,
    default: t.Any = None,
) -> t.Callable[[t.Any], t.Any]:
    """Build ``item -> item.<attribute>`` using the environment's lookup rules.

    Dots walk nested attributes; integer parts index.  An undefined result is
    replaced by ``default`` when one is given.
    """
    parts = _split_filter_attribute_path(attribute)
    getitem = environment.getitem
    undefined_type = Undefined if default is not None else None

    def attrgetter(item: t.Any) -> t.Any:
        for part in parts:
            item = getitem(item, part)
        if undefined_type is not None and isinstance(item, undefined_type):
            item = default
        if postprocess is not None:
            item = postprocess(item)
        return item

    return attrgetter


def make_multi_attrgetter(
    environment: t.Any,
    attribute: t.Any,
    postprocess: t.Callable[[t.Any], t.Any] | None = None,
) -> t.Callable[[t.Any], list[t.Any]]:
    """Like :func:`make_attrgetter`, but ``"a,b.c"`` gives a list of values,
    one per comma-separated attribute path (for sorting on several keys)."""
    if isinstance(attribute, str):
        paths = [_split_filter_attribute_path(name) for name in attribute.split(",")]
    else:
        paths = [_split_filter_attribute_path(attribute)]
    getitem = environment.getitem

    def attrgetter(item: t.Any) -> list[t.Any]:
        values = []
        for parts in paths:
            value = item
            for part in parts:
                value = getitem(value, part)
            if postprocess is not None:
                value = postprocess(value)
            values.append(value)
        return values

    return attrgetter


# -- escaping and strings ---------------------------------------------------------

do_string = soft_str


def _check_escaped_size(text: str, what: str) -> None:
    if len(text) * 6 > MAX_TEMPLATE_SEQUENCE_LENGTH:
        check_template_result_size(escaped_text_length(text), what)


def do_escape(value: t.Any) -> Markup:
    """Escape ``value`` for HTML unless it is already marked safe."""
    if type(value) is str:
        _check_escaped_size(value, "escape")
    return escape(value)


def do_forceescape(value: t.Any) -> Markup:
    """Escape ``value`` even if it is already marked safe."""
    if hasattr(value, "__html__"):
        value = value.__html__()
    value = str(value)
    _check_escaped_size(value, "forceescape")
    return escape(value)


def do_mark_safe(value: str) -> Markup:
    """Mark ``value`` as safe: autoescaping will leave it alone."""
    return Markup(value)


def do_mark_unsafe(value: str) -> str:
    """Turn a safe string back into a plain one."""
    return str(value)


def do_urlencode(value: t.Any) -> str:
    """Percent-encode a string for a URL path, or a mapping / iterable of
    pairs into a query string."""
    if isinstance(value, str) or not isinstance(value, abc.Iterable):
        if isinstance(value, str) and len(value) * 12 > MAX_TEMPLATE_SEQUENCE_LENGTH:
            check_template_result_size(_url_quoted_size(value), "urlencode")
        result = url_quote(value)
    else:
        pairs = value.items() if isinstance(value, dict) else iter(value)
        result = "&".join(
            "%s=%s" % (url_quote(key, for_qs=True), url_quote(item, for_qs=True))
            for key, item in pairs
        )
    # At most 12 characters per input character: refused before it is reused.
    check_template_result_size(len(result), "urlencode")
    return result


_URL_SAFE_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/"


def _url_quoted_size(text: str) -> int:
    """``len(url_quote(text))``, counted a slice at a time."""
    size = 0
    for start in range(0, len(text), 65536):
        encoded = text[start : start + 65536].encode("utf-8", "surrogatepass")
        size += len(encoded) + 2 * len(encoded.translate(None, _URL_SAFE_BYTES))
    return size


@pass_eval_context
def do_replace(
    eval_ctx: t.Any, s: str, old: str, new: str, count: int | None = None
) -> str:
    """Replace ``old`` with ``new`` (at most ``count`` times).

    Under autoescaping a safe ``old``/``new`` in an unsafe string escapes the
    string first, so the result stays safe.
    """
    if count is None:
        count = -1
    if not eval_ctx.autoescape:
        s, old, new = str(s), str(old), str(new)
        check_template_result_size(_replaced_size(s, old, len(new), count), "replace")
        return s.replace(old, new, count)
    if (hasattr(old, "__html__") or hasattr(new, "__html__")) and not hasattr(s, "__html__"):
        s = str(s)
        _check_escaped_size(s, "replace")
        s = escape(s)
    else:
        s = soft_str(s)
    old, new = soft_str(old), soft_str(new)
    # Markup escapes a plain ``new`` before replacing.
    new_size = (
        escaped_text_length(new)
        if hasattr(s, "__html__") and not hasattr(new, "__html__")
        else len(new)
    )
    check_template_result_size(_replaced_size(s, old, new_size, count), "replace")
    return s.replace(old, new, count)


def do_upper(s: str) -> str:
    """Upper-case a value."""
    return soft_str(s).upper()


def do_lower(s: str) -> str:
    """Lower-case a value."""
    return soft_str(s).lower()


def do_capitalize(s: str) -> str:
    """First character upper case, the rest lower case."""
    return soft_str(s).capitalize()


# A word starts after a run of spaces, hyphens or opening brackets.
_TITLE_WORD_BOUNDARY = re.compile(r"([-\s({\[<]+)")


def do_title(s: str) -> str:
    """Title-case a value: each word starts upper case, the rest lower case."""
    return "".join(
        [
            piece[0].upper() + piece[1:].lower()
            for piece in _TITLE_WORD_BOUNDARY.split(soft_str(s))
            if piece
        ]
    )


def do_center(value: str, width: int = 80) -> str:
    """Center a value in a field of ``width`` characters."""
    if isinstance(width, int):
        check_template_result_size(width, "center")
    return soft_str(value).center(width)


def do_trim(value: str, chars: str | None = None) -> str:
    """Strip leading and trailing whitespace (or ``chars``)."""
    return soft_str(value).strip(chars)


def do_striptags(value: t.Any) -> str:
    """Remove SGML/XML tags and collapse whitespace."""
    if hasattr(value, "__html__"):
        value = value.__html__()
    return Markup(str(value)).striptags()


_WORDCOUNT_WORD = re.compile(r"\w+")


def do_wordcount(s: str) -> int:
    """Count the words in a value."""
    return len(_WORDCOUNT_WORD.findall(soft_str(s)))


def do_format(value: str, *args: t.Any, **kwargs: t.Any) -> str:
    """Apply printf-style formatting: ``"%s - %s"|format(a, b)``."""
    if args and kwargs:
        raise FilterArgumentError("can't handle positional and keyword arguments at the same time")
    return safe_modulo(soft_str(value), kwargs or args)


def do_indent(s: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    """Indent every line but the first by ``width`` spaces (or that string).

    ``first`` indents the first line too; ``blank`` indents empty lines too.
    """
    if isinstance(width, int):
        check_template_result_size(width, "indent")
    indentation = width if isinstance(width, str) else " " * width
    newline = "\n"
    if isinstance(s, Markup) and not isinstance(newline, Markup):
        indentation = Markup(indentation)
        newline = Markup(newline)
    if isinstance(s, str) and (len(s) + 2) * (len(indentation) + 1) > MAX_TEMPLATE_SEQUENCE_LENGTH:
        # Each line break (any splitlines() knows) adds one indentation.
        breaks = sum(s.count(mark) for mark in _LINE_BREAKS)
        check_template_result_size(len(s) + 1 + (breaks + 2) * len(indentation), "indent")
    # A trailing newline makes splitlines() keep a final empty line.
    s += newline
    if blank:
        result = (newline + indentation).join(s.splitlines())
    else:
        lines = s.splitlines()
        result = lines.pop(0)
        if lines:
            result += newline + newline.join(
                indentation + line if line else line for line in lines
            )
    if first:
        result = indentation + result
    return result


_LINE_BREAKS = ("\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


@pass_environment
def do_truncate(
    env: t.Any,
    s: str,
    length: int = 255,
    killwords: bool = False,
    end: str = "...",
    leeway: int | None = None,
) -> str:
    """Shorten a string to ``length`` characters, ending with ``end``.

    Cuts at a word boundary unless ``killwords``; strings at most ``leeway``
    characters too long are left whole.
    """
    if leeway is None:
        leeway = env.policies["truncate.leeway"]
    if length < len(end):
        raise AssertionError("expected length >= %s, got %s" % (len(end), length))
    if leeway < 0:
        raise AssertionError("expected leeway >= 0, got %s" % leeway)
    if len(s) <= length + leeway:
        return s
    if killwords:
        return s[: length - len(end)] + end
    return s[: length - len(end)].rsplit(" ", 1)[0] + end


@pass_environment
def do_wordwrap(
    environment: t.Any,
    s: str,
    width: int = 79,
    break_long_words: bool = True,
    wrapstring: str | None = None,
    break_on_hyphens: bool = True,
) -> str:
    """Wrap text at ``width`` columns, keeping existing line breaks.

    Lines are joined with ``wrapstring`` (the environment's newline sequence
    by default).
    """
    import textwrap

    if wrapstring is None:
        wrapstring = environment.newline_sequence
    paragraphs = [
        textwrap.wrap(
            line,
            width=width,
            expand_tabs=False,
            replace_whitespace=False,
            break_long_words=break_long_words,
            break_on_hyphens=break_on_hyphens,
        )
        for line in s.splitlines()
    ]
    # The pieces are at most the text; ``wrapstring`` goes between each two.
    pieces = sum(map(len, paragraphs)) + len(paragraphs)
    size = sum(len(piece) for lines in paragraphs for piece in lines) + pieces * len(wrapstring)
    check_template_result_size(size, "wordwrap")
    return wrapstring.join([wrapstring.join(lines) for lines in paragraphs])


@pass_eval_context
def do_urlize(
    eval_ctx: t.Any,
    value: str,
    trim_url_limit: int | None = None,
    nofollow: bool = False,
    target: str | None = None,
    rel: str | None = None,
    extra_schemes: t.Iterable[str] | None = None,
) -> str:
    """Turn URLs and e-mail addresses in text into links.

    Defaults for ``rel``, ``target`` and ``extra_schemes`` come from the
    environment's ``urlize.*`` policies.
    """
    policies = eval_ctx.environment.policies
    rel_parts = set((rel or "").split())
    if nofollow:
        rel_parts.add("nofollow")
    rel_parts.update((policies["urlize.rel"] or "").split())
    rel = " ".join(sorted(rel_parts)) or None
    if target is None:
        target = policies["urlize.target"]
    if extra_schemes is None:
        extra_schemes = policies["urlize.extra_schemes"] or ()
    for scheme in extra_schemes:
        if _URI_SCHEME_PREFIX.fullmatch(scheme) is None:
            raise FilterArgumentError("%r is not a valid URI scheme prefix." % (scheme,))
    result = urlize(
        value,
        trim_url_limit=trim_url_limit,
        rel=rel,
        target=target,
        extra_schemes=extra_schemes,
    )
    check_template_result_size(len(result), "urlize")  # refused before it is reused
    if eval_ctx.autoescape:
        result = Markup(result)
    return result


# What Jinja accepts as an extra scheme: two or more word characters (or
# ``+ . -``), a colon, and up to two slashes.
_URI_SCHEME_PREFIX = re.compile(r"[\w.+-]{2,}:/{0,2}")


# -- mappings and HTML attributes -----------------------------------------------


def do_items(value: t.Any) -> t.Iterator[tuple[t.Any, t.Any]]:
    """Iterate over a mapping's ``(key, value)`` pairs; nothing if undefined."""
    if isinstance(value, Undefined):
        return
    if not isinstance(value, abc.Mapping):
        raise TypeError("Can only get item pairs from a mapping.")
    yield from value.items()


# Characters that would end or break an attribute name in HTML.
_XMLATTR_INVALID_KEY = re.compile(r"[\s/>=]", flags=re.ASCII)


@pass_eval_context
def do_xmlattr(eval_ctx: t.Any, d: t.Mapping[str, t.Any], autospace: bool = True) -> str:
    """Render a dict as HTML/XML attributes; ``None`` and undefined values are
    skipped.  Keys with spaces, ``/``, ``>`` or ``=`` are refused."""
    attributes = []
    for key, value in d.items():
        if value is None or isinstance(value, Undefined):
            continue
        if _XMLATTR_INVALID_KEY.search(key) is not None:
            raise ValueError("Invalid character in attribute name: %r" % (key,))
        attributes.append('%s="%s"' % (escape(key), escape(value)))
    result = " ".join(attributes)
    check_template_result_size(len(result), "xmlattr")  # refused before it is reused
    if autospace and result:
        result = " " + result
    if eval_ctx.autoescape:
        result = Markup(result)
    return result


def do_dictsort(
    value: t.Mapping[t.Any, t.Any],
    case_sensitive: bool = False,
    by: str = "key",
    reverse: bool = False,
) -> list[tuple[t.Any, t.Any]]:
    """Sort a dict's items by key (or ``by="value"``), ignoring case by default."""
    if by == "key":
        position = 0
    elif by == "value":
        position = 1
    else:
        raise FilterArgumentError('You can only sort by either "key" or "value"')

    def sort_key(item: tuple[t.Any, t.Any]) -> t.Any:
        key = item[position]
        if not case_sensitive:
            key = ignore_case(key)
        return key

    return sorted(value.items(), key=sort_key, reverse=reverse)


# -- sequences ----------------------------------------------------------------------


@pass_environment
def do_sort(
    environment: t.Any,
    value: t.Iterable[t.Any],
    reverse: bool = False,
    case_sensitive: bool = False,
    attribute: t.Any = None,
) -> list[t.Any]:
    """Sort an iterable, ignoring case by default; ``attribute`` may be dotted
    and comma-separated to sort on several keys."""
    key = make_multi_attrgetter(
        environment, attribute, postprocess=None if case_sensitive else ignore_case
    )
    return sorted(value, key=key, reverse=reverse)


@pass_environment
def do_unique(
    environment: t.Any,
    value: t.Iterable[t.Any],
    case_sensitive: bool = False,
    attribute: t.Any = None,
) -> t.Iterator[t.Any]:
    """Yield the items whose key (case-folded by default) was not seen yet."""
    key_of = make_attrgetter(
        environment, attribute, postprocess=None if case_sensitive else ignore_case
    )
    seen = set()
    for item in value:
        key = key_of(item)
        if key not in seen:
            seen.add(key)
            yield item


def _min_or_max_item(
    environment: t.Any,
    value: t.Iterable[t.Any],
    choose: t.Callable[..., t.Any],
    case_sensitive: bool,
    attribute: t.Any,
) -> t.Any:
    items = iter(value)
    try:
        first = next(items)
    except StopIteration:
        return environment.undefined("No aggregated item, sequence was empty.")
    key = make_attrgetter(
        environment, attribute, postprocess=None if case_sensitive else ignore_case
    )
    return choose(chain([first], items), key=key)


@pass_environment
def do_min(
    environment: t.Any,
    value: t.Iterable[t.Any],
    case_sensitive: bool = False,
    attribute: t.Any = None,
) -> t.Any:
    """The smallest item (case-insensitive for strings by default)."""
    return _min_or_max_item(environment, value, min, case_sensitive, attribute)


@pass_environment
def do_max(
    environment: t.Any,
    value: t.Iterable[t.Any],
    case_sensitive: bool = False,
    attribute: t.Any = None,
) -> t.Any:
    """The largest item (case-insensitive for strings by default)."""
    return _min_or_max_item(environment, value, max, case_sensitive, attribute)


def do_default(value: t.Any, default_value: t.Any = "", boolean: bool = False) -> t.Any:
    """``default_value`` if ``value`` is undefined (or, with ``boolean``,
    false), else ``value``."""
    if isinstance(value, Undefined) or (boolean and not value):
        return default_value
    return value


@pass_eval_context
def do_join(
    eval_ctx: t.Any, value: t.Iterable[t.Any], d: str = "", attribute: t.Any = None
) -> str:
    """Join the items' strings with ``d``.

    Under autoescaping, if any item is safe markup the unsafe items and the
    separator are escaped and the result is markup.
    """
    if attribute is not None:
        value = map(make_attrgetter(eval_ctx.environment, attribute), value)
    # Each join counts its result as the items come, and refuses it past the
    # size cap before joining.
    if not eval_ctx.autoescape:
        separator = str(d)
        return separator.join(_join_pieces_within_cap(separator, map(str, value), False))
    if hasattr(d, "__html__"):
        separator = soft_str(d)
        return separator.join(_join_pieces_within_cap(separator, map(soft_str, value), True))
    items = _join_pieces_within_cap(str(d), map(soft_str, value), False)
    has_markup = False
    for index, item in enumerate(items):
        if hasattr(item, "__html__"):
            has_markup = True
        else:
            items[index] = str(item)
    if not has_markup:
        return str(d).join(items)
    separator = escape(d)
    size = sum(
        len(item) if hasattr(item, "__html__") else escaped_text_length(item) for item in items
    )
    check_template_result_size(size + len(separator) * (len(items) - 1), "join")
    return separator.join(items)


@pass_environment
def do_first(environment: t.Any, seq: t.Iterable[t.Any]) -> t.Any:
    """The first item, or undefined if there is none."""
    for item in seq:
        return item
    return environment.undefined("No first item, sequence was empty.")


@pass_environment
def do_last(environment: t.Any, seq: t.Reversible[t.Any]) -> t.Any:
    """The last item (the sequence must be reversible), or undefined."""
    for item in reversed(seq):
        return item
    return environment.undefined("No last item, sequence was empty.")


@pass_context
def do_random(context: t.Any, seq: t.Sequence[t.Any]) -> t.Any:
    """A random item, or undefined if the sequence is empty."""
    try:
        return random.choice(seq)
    except IndexError:
        return context.environment.undefined("No random item, sequence was empty.")


def do_list(value: t.Iterable[t.Any]) -> list[t.Any]:
    """Turn an iterable into a list (a string gives its characters)."""
    return list(value)


def do_reverse(value: t.Any) -> t.Any:
    """Reverse a string, or iterate over a sequence backwards."""
    if isinstance(value, str):
        return value[::-1]
    try:
        return reversed(value)
    except TypeError:
        try:
            items = list(value)
        except TypeError as error:
            raise FilterArgumentError("argument must be iterable") from error
        items.reverse()
        return items


def do_slice(
    value: t.Collection[t.Any], slices: int, fill_with: t.Any = None
) -> t.Iterator[list[t.Any]]:
    """Split a sequence into ``slices`` columns of near-equal length; shorter
    columns get ``fill_with`` appended when it is given."""
    if isinstance(slices, int) and slices > MAX_RANGE:
        # Each column is a new list, as ``range`` makes new items.
        raise TemplateOverflowError("slice: at most MAX_RANGE (%d) columns." % MAX_RANGE)
    items = list(value)
    per_slice, with_extra = divmod(len(items), slices)
    start = 0
    for number in range(slices):
        stop = start + per_slice + (1 if number < with_extra else 0)
        column = items[start:stop]
        if fill_with is not None and number >= with_extra:
            column.append(fill_with)
        start = stop
        yield column


def do_batch(
    value: t.Iterable[t.Any], linecount: int, fill_with: t.Any = None
) -> t.Iterator[list[t.Any]]:
    """Yield lists of ``linecount`` items; the last one is padded with
    ``fill_with`` when it is given."""
    if fill_with is not None and isinstance(linecount, int):
        check_template_result_size(linecount, "batch")
    batch: list[t.Any] = []
    for item in value:
        if len(batch) == linecount:
            yield batch
            batch = []
        batch.append(item)
    if batch:
        if fill_with is not None and len(batch) < linecount:
            batch += [fill_with] * (linecount - len(batch))
        yield batch


class _GroupTuple(t.NamedTuple):
    grouper: t.Any
    list: list[t.Any]

    # Show as a plain tuple, not "_GroupTuple(grouper=..., list=...)" (Jinja names it
    # _GroupTuple too).
    def __repr__(self) -> str:
        return tuple.__repr__(self)

    def __str__(self) -> str:
        return tuple.__str__(self)


@pass_environment
def do_groupby(
    environment: t.Any,
    value: t.Iterable[t.Any],
    attribute: str | int,
    default: t.Any = None,
    case_sensitive: bool = False,
) -> list[_GroupTuple]:
    """Group items by an attribute into ``(grouper, list)`` tuples, sorted by
    the grouper.  Case-insensitive grouping shows the first item's value."""
    key = make_attrgetter(
        environment,
        attribute,
        postprocess=None if case_sensitive else ignore_case,
        default=default,
    )
    groups = [
        _GroupTuple(grouper, list(members))
        for grouper, members in _itertools_groupby(sorted(value, key=key), key)
    ]
    if not case_sensitive:
        shown_key = make_attrgetter(environment, attribute, default=default)
        groups = [_GroupTuple(shown_key(group.list[0]), group.list) for group in groups]
    return groups


@pass_environment
def do_sum(
    environment: t.Any, iterable: t.Iterable[t.Any], attribute: t.Any = None, start: t.Any = 0
) -> t.Any:
    """Sum the items (or their ``attribute``) plus ``start``."""
    if attribute is not None:
        iterable = map(make_attrgetter(environment, attribute), iterable)
    if isinstance(start, (list, tuple)):
        # Summing lists concatenates them: count the result first.
        items = list(iterable)
        size = len(start)
        for item in items:
            if isinstance(item, (list, tuple)):
                size += len(item)
                check_template_result_size(size, "sum")
        iterable = items
    return sum(iterable, start)


do_abs = abs
do_count = len
do_length = len


# -- numbers ----------------------------------------------------------------------


def do_filesizeformat(value: str | float | int, binary: bool = False) -> str:
    """Format a byte count for people: ``13 kB``, ``4.1 MB`` (or KiB, MiB with
    ``binary``)."""
    size = float(value)
    base = 1024 if binary else 1000
    units = _BINARY_SIZE_UNITS if binary else _DECIMAL_SIZE_UNITS
    if size == 1:
        return "1 Byte"
    if size < base:
        return "%d Bytes" % size
    for power, unit_name in enumerate(units, 2):
        unit = base**power
        if size < unit:
            break
    return "%.1f %s" % (base * size / unit, unit_name)


_DECIMAL_SIZE_UNITS = ("kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")
_BINARY_SIZE_UNITS = ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")


def do_int(value: t.Any, default: int = 0, base: int = 10) -> int:
    """Convert to an int (strings in ``base``); ``default`` if impossible."""
    try:
        if isinstance(value, str):
            return int(value, base)
        return int(value)
    except (TypeError, ValueError):
        # "42.23" is not an int literal, but people expect 42 from it.
        try:
            return int(float(value))
        except (TypeError, ValueError, OverflowError):
            return default


def do_float(value: t.Any, default: float = 0.0) -> float:
    """Convert to a float; ``default`` if impossible."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def do_round(value: float, precision: int = 0, method: str = "common") -> float:
    """Round to ``precision`` digits: ``common`` rounding, or always ``ceil``
    or ``floor``."""
    if method == "common":
        return round(value, precision)
    if method == "ceil":
        return math.ceil(value * 10**precision) / 10**precision
    if method == "floor":
        return math.floor(value * 10**precision) / 10**precision
    raise FilterArgumentError("method must be common, ceil or floor")


# -- debugging and serialization ---------------------------------------------------


def do_pprint(value: t.Any) -> str:
    """Pretty-print a value (for debugging)."""
    result = pformat(value)
    check_template_result_size(len(result), "pprint")  # refused before it is reused
    return result


@pass_eval_context
def do_tojson(eval_ctx: t.Any, value: t.Any, indent: int | None = None) -> Markup:
    """Serialize to JSON that is safe in HTML ``<script>`` tags and
    attributes, using the ``json.dumps_*`` policies."""
    policies = eval_ctx.environment.policies
    dumps = policies["json.dumps_function"]
    kwargs = policies["json.dumps_kwargs"]
    if indent is not None:
        compact = htmlsafe_json_dumps(value, dumps=dumps, **kwargs)
        check_template_result_size(_indented_json_size(compact, indent), "tojson")
        kwargs = dict(kwargs)
        kwargs["indent"] = indent
    result = htmlsafe_json_dumps(value, dumps=dumps, **kwargs)
    check_template_result_size(len(result), "tojson")  # refused before it is reused
    return result


def _indented_json_size(compact: str, indent: t.Any) -> int:
    """An upper bound of the JSON's length with ``indent``: each bracket or
    comma may start a line, indented by the nesting depth."""
    step = len(indent) if isinstance(indent, str) else indent if isinstance(indent, int) else 0
    step = max(step, 0)
    lines = sum(compact.count(mark) for mark in "[]{},") + 1
    loose = len(compact) + lines * (2 + step * lines)
    if loose <= MAX_TEMPLATE_SEQUENCE_LENGTH:
        return loose
    check_template_result_size(step, "tojson")
    # The real depth: brackets outside strings.
    brackets = _JSON_STRING.sub("", compact)
    depth = deepest = 0
    for mark in brackets:
        if mark in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif mark in "]}":
            depth -= 1
    return len(compact) + lines * (2 + step * deepest)


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|[^\[\]{}"]+')


# -- attributes, map, select ----------------------------------------------------------


@pass_environment
def do_attr(environment: t.Any, obj: t.Any, name: str) -> t.Any:
    """Get attribute ``name`` of ``obj`` (never an item), or undefined."""
    try:
        name = str(name)
    except UnicodeError:
        pass
    else:
        try:
            value = getattr(obj, name)
        except AttributeError:
            pass
        else:
            # Every environment refuses internals (``__class__``, ``mro``, ...),
            # not only the sandbox: this filter is no way around that.
            is_safe = getattr(environment, "is_safe_attribute", None)
            if is_safe is not None and not is_safe(obj, name, value):
                return environment.unsafe_undefined(obj, name)
            return value
    return environment.undefined(obj=obj, name=name)


def _map_filter_transform(context: t.Any, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]):
    if not args and "attribute" in kwargs:
        attribute = kwargs.pop("attribute")
        default = kwargs.pop("default", None)
        if kwargs:
            raise FilterArgumentError("Unexpected keyword argument %r" % next(iter(kwargs)))
        return make_attrgetter(context.environment, attribute, default=default)
    if not args:
        raise FilterArgumentError("map requires a filter argument")
    filter_name, filter_args = args[0], args[1:]
    call_filter = context.environment.call_filter

    def apply_filter(item: t.Any) -> t.Any:
        return call_filter(filter_name, item, filter_args, kwargs, context=context)

    return apply_filter


@pass_context
def do_map(context: t.Any, value: t.Iterable[t.Any], *args: t.Any, **kwargs: t.Any):
    """Apply a filter to each item (``map("upper")``) or look up an attribute
    of each (``map(attribute="name", default="?")``)."""
    if value:
        transform = _map_filter_transform(context, args, kwargs)
        for item in value:
            yield transform(item)


def _select_predicate(
    context: t.Any,
    args: tuple[t.Any, ...],
    kwargs: dict[str, t.Any],
    keep_when: bool,
    by_attribute: bool,
) -> t.Callable[[t.Any], bool]:
    if by_attribute:
        if not args:
            raise FilterArgumentError("Missing parameter for attribute name")
        fetch = make_attrgetter(context.environment, args[0])
        args = args[1:]
    else:
        fetch = None
    if args:
        test_name, test_args = args[0], args[1:]
        call_test = context.environment.call_test

        def passes(value: t.Any) -> bool:
            return call_test(test_name, value, test_args, kwargs, context=context)

    else:
        passes = bool
    if fetch is None:
        if keep_when:
            return lambda item: bool(passes(item))
        return lambda item: not passes(item)
    if keep_when:
        return lambda item: bool(passes(fetch(item)))
    return lambda item: not passes(fetch(item))


def _select_or_reject(
    context: t.Any,
    value: t.Iterable[t.Any],
    args: tuple[t.Any, ...],
    kwargs: dict[str, t.Any],
    keep_when: bool,
    by_attribute: bool,
) -> t.Iterator[t.Any]:
    if value:
        keep = _select_predicate(context, args, kwargs, keep_when, by_attribute)
        for item in value:
            if keep(item):
                yield item


@pass_context
def do_select(context: t.Any, value: t.Iterable[t.Any], *args: t.Any, **kwargs: t.Any):
    """Keep the items that pass a test (truthy items if no test is named)."""
    return _select_or_reject(context, value, args, kwargs, True, False)


@pass_context
def do_reject(context: t.Any, value: t.Iterable[t.Any], *args: t.Any, **kwargs: t.Any):
    """Drop the items that pass a test (truthy items if no test is named)."""
    return _select_or_reject(context, value, args, kwargs, False, False)


@pass_context
def do_selectattr(context: t.Any, value: t.Iterable[t.Any], *args: t.Any, **kwargs: t.Any):
    """Keep the items whose attribute passes a test (or is truthy)."""
    return _select_or_reject(context, value, args, kwargs, True, True)


@pass_context
def do_rejectattr(context: t.Any, value: t.Iterable[t.Any], *args: t.Any, **kwargs: t.Any):
    """Drop the items whose attribute passes a test (or is truthy)."""
    return _select_or_reject(context, value, args, kwargs, False, True)

# Jinja names the synchronous implementations ``sync_do_*`` too; this engine
# only has those, so the names are plain aliases.
sync_do_first = do_first
sync_do_groupby = do_groupby
sync_do_join = do_join
sync_do_list = do_list
sync_do_map = do_map
sync_do_reject = do_reject
sync_do_rejectattr = do_rejectattr
sync_do_select = do_select
sync_do_selectattr = do_selectattr
sync_do_slice = do_slice
sync_do_sum = do_sum
sync_do_unique = do_unique


FILTERS: dict[str, t.Callable[..., t.Any]] = {
    "abs": abs,
    "attr": do_attr,
    "batch": do_batch,
    "capitalize": do_capitalize,
    "center": do_center,
    "count": len,
    "d": do_default,
    "default": do_default,
    "dictsort": do_dictsort,
    "e": do_escape,
    "escape": do_escape,
    "filesizeformat": do_filesizeformat,
    "first": do_first,
    "float": do_float,
    "forceescape": do_forceescape,
    "format": do_format,
    "groupby": do_groupby,
    "indent": do_indent,
    "int": do_int,
    "items": do_items,
    "join": do_join,
    "last": do_last,
    "length": len,
    "list": do_list,
    "lower": do_lower,
    "map": do_map,
    "max": do_max,
    "min": do_min,
    "pprint": do_pprint,
    "random": do_random,
    "reject": do_reject,
    "rejectattr": do_rejectattr,
    "replace": do_replace,
    "reverse": do_reverse,
    "round": do_round,
    "safe": do_mark_safe,
    "select": do_select,
    "selectattr": do_selectattr,
    "slice": do_slice,
    "sort": do_sort,
    "string": soft_str,
    "striptags": do_striptags,
    "sum": do_sum,
    "title": do_title,
    "tojson": do_tojson,
    "trim": do_trim,
    "truncate": do_truncate,
    "unique": do_unique,
    "upper": do_upper,
    "urlencode": do_urlencode,
    "urlize": do_urlize,
    "wordcount": do_wordcount,
    "wordwrap": do_wordwrap,
    "xmlattr": do_xmlattr,
}
