"""Read ``.env`` / ``.flaskenv`` files into the environment (what python-dotenv does for Flask).

A small parser for the common dotenv format: ``KEY=value`` lines,
``export KEY=value``, ``#`` comments, single quotes (taken literally),
double quotes (with ``\\n``-style escapes, may span lines) and
``${OTHER}`` expansion in unquoted and double-quoted values.  Variables
already set in the environment are never overridden.
"""

from __future__ import annotations

import os
import re
import typing as t

__all__ = ["dotenv_values", "find_dotenv", "load_dotenv", "parse_dotenv"]

_DOTENV_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_DOTENV_EXPANSION_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_DOTENV_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "$": "$", "'": "'"}


def _unescape_double_quoted(value: str) -> str:
    out = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append(_DOTENV_ESCAPES.get(following, "\\" + following))
        else:
            out.append(char)
    return "".join(out)


def _expand_dotenv_variables(value: str, known: t.Mapping[str, str | None]) -> str:
    def replace(match: t.Match[str]) -> str:
        name, fallback = match.group(1), match.group(2)
        found = os.environ.get(name)
        if found is None:
            found = known.get(name)
        if found is None:
            return fallback or ""
        return found

    return _DOTENV_EXPANSION_RE.sub(replace, value)


def parse_dotenv(text: str) -> dict[str, str | None]:
    """The variables a dotenv file's text sets, in order (a bare ``KEY`` maps to None)."""
    values: dict[str, str | None] = {}
    position = 0
    length = len(text)
    while position < length:
        line_end = text.find("\n", position)
        if line_end < 0:
            line_end = length
        line = text[position:line_end].strip()
        next_position = line_end + 1
        if not line or line.startswith("#"):
            position = next_position
            continue
        if line.startswith("export ") or line.startswith("export\t"):
            line = line[7:].lstrip()
        key_match = _DOTENV_KEY_RE.match(line)
        if key_match is None:
            position = next_position  # not a variable line: skip it, as python-dotenv does
            continue
        key = key_match.group(0)
        rest = line[key_match.end() :].lstrip()
        if not rest or rest.startswith("#"):
            values[key] = None
            position = next_position
            continue
        if not rest.startswith("="):
            position = next_position
            continue
        rest = rest[1:].lstrip()
        if rest[:1] in ("'", '"'):
            quote = rest[0]
            # The value may span lines: search the text after the opening quote,
            # which is the first quote after the line's "=".
            start = text.index(quote, text.index("=", position)) + 1
            end = start
            while True:
                end = text.find(quote, end)
                if end < 0:
                    end = length
                    break
                if quote == '"' and _is_escaped(text, end):
                    end += 1
                    continue
                break
            raw = text[start:end]
            if quote == '"':
                values[key] = _expand_dotenv_variables(_unescape_double_quoted(raw), values)
            else:
                values[key] = raw
            close_line = text.find("\n", end)
            position = length if close_line < 0 else close_line + 1
            continue
        comment = re.search(r"\s#", rest)
        if comment:
            rest = rest[: comment.start()]
        values[key] = _expand_dotenv_variables(rest.strip(), values)
        position = next_position
    return values


def _is_escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index > 0 and text[index - 1] == "\\":
        backslashes += 1
        index -= 1
    return backslashes % 2 == 1


def dotenv_values(path: str | os.PathLike[str], encoding: str = "utf-8") -> dict[str, str | None]:
    """Parse the dotenv file at ``path``."""
    with open(path, encoding=encoding) as f:
        return parse_dotenv(f.read())


def find_dotenv(filename: str = ".env", start: str | None = None) -> str:
    """The nearest ``filename`` in ``start`` (default: the cwd) or a parent; "" if none."""
    directory = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(directory, filename)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return ""
        directory = parent


def load_dotenv(path: str | os.PathLike[str] | None = None, load_defaults: bool = True) -> bool:
    """Load ``.flaskenv`` and ``.env`` (nearest, from the cwd up), then ``path``.

    Later files win over earlier ones (``path`` over ``.env`` over
    ``.flaskenv``), and none of them overrides a variable the environment
    already has.  Returns whether any variable was found.
    """
    data: dict[str, str | None] = {}
    if load_defaults:
        for default_name in (".flaskenv", ".env"):
            found = find_dotenv(default_name)
            if found:
                data.update(dotenv_values(found))
    if path is not None and os.path.isfile(path):
        data.update(dotenv_values(path))
    for key, value in data.items():
        if key in os.environ or value is None:
            continue
        os.environ[key] = value
    return bool(data)
