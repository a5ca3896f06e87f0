"""Turns template source into tokens (Jinja's ``jinja2.lexer``).

Text between tags becomes ``data`` tokens; the inside of ``{{ }}`` and
``{% %}`` becomes names, literals and operators.  Whitespace control
(``-``, ``+``, ``trim_blocks``, ``lstrip_blocks``), ``{% raw %}``, comments,
line statements and line comments are all settled here, so the parser
never sees them.
"""

from __future__ import annotations

import re
import typing as t

from microflask.templating.exceptions import TemplateSyntaxError

__all__ = [
    "Token",
    "TokenStream",
    "Lexer",
    "get_lexer",
    "count_newlines",
    "describe_token",
    "describe_token_type",
    "operators",
    "TOKEN_ADD", "TOKEN_ASSIGN", "TOKEN_COLON", "TOKEN_COMMA", "TOKEN_DIV", "TOKEN_DOT",
    "TOKEN_EQ", "TOKEN_FLOORDIV", "TOKEN_GT", "TOKEN_GTEQ", "TOKEN_LBRACE", "TOKEN_LBRACKET",
    "TOKEN_LPAREN", "TOKEN_LT", "TOKEN_LTEQ", "TOKEN_MOD", "TOKEN_MUL", "TOKEN_NE",
    "TOKEN_PIPE", "TOKEN_POW", "TOKEN_RBRACE", "TOKEN_RBRACKET", "TOKEN_RPAREN",
    "TOKEN_SEMICOLON", "TOKEN_SUB", "TOKEN_TILDE", "TOKEN_WHITESPACE", "TOKEN_FLOAT",
    "TOKEN_INTEGER", "TOKEN_NAME", "TOKEN_STRING", "TOKEN_OPERATOR", "TOKEN_BLOCK_BEGIN",
    "TOKEN_BLOCK_END", "TOKEN_VARIABLE_BEGIN", "TOKEN_VARIABLE_END", "TOKEN_RAW_BEGIN",
    "TOKEN_RAW_END", "TOKEN_COMMENT_BEGIN", "TOKEN_COMMENT_END", "TOKEN_COMMENT",
    "TOKEN_LINESTATEMENT_BEGIN", "TOKEN_LINESTATEMENT_END", "TOKEN_LINECOMMENT_BEGIN",
    "TOKEN_LINECOMMENT_END", "TOKEN_LINECOMMENT", "TOKEN_DATA", "TOKEN_INITIAL", "TOKEN_EOF",
]

# Token type names, as Jinja's lexer module exports them.
TOKEN_ADD = "add"
TOKEN_ASSIGN = "assign"
TOKEN_COLON = "colon"
TOKEN_COMMA = "comma"
TOKEN_DIV = "div"
TOKEN_DOT = "dot"
TOKEN_EQ = "eq"
TOKEN_FLOORDIV = "floordiv"
TOKEN_GT = "gt"
TOKEN_GTEQ = "gteq"
TOKEN_LBRACE = "lbrace"
TOKEN_LBRACKET = "lbracket"
TOKEN_LPAREN = "lparen"
TOKEN_LT = "lt"
TOKEN_LTEQ = "lteq"
TOKEN_MOD = "mod"
TOKEN_MUL = "mul"
TOKEN_NE = "ne"
TOKEN_PIPE = "pipe"
TOKEN_POW = "pow"
TOKEN_RBRACE = "rbrace"
TOKEN_RBRACKET = "rbracket"
TOKEN_RPAREN = "rparen"
TOKEN_SEMICOLON = "semicolon"
TOKEN_SUB = "sub"
TOKEN_TILDE = "tilde"
TOKEN_WHITESPACE = "whitespace"
TOKEN_FLOAT = "float"
TOKEN_INTEGER = "integer"
TOKEN_NAME = "name"
TOKEN_STRING = "string"
TOKEN_OPERATOR = "operator"
TOKEN_BLOCK_BEGIN = "block_begin"
TOKEN_BLOCK_END = "block_end"
TOKEN_VARIABLE_BEGIN = "variable_begin"
TOKEN_VARIABLE_END = "variable_end"
TOKEN_RAW_BEGIN = "raw_begin"
TOKEN_RAW_END = "raw_end"
TOKEN_COMMENT_BEGIN = "comment_begin"
TOKEN_COMMENT_END = "comment_end"
TOKEN_COMMENT = "comment"
TOKEN_LINESTATEMENT_BEGIN = "linestatement_begin"
TOKEN_LINESTATEMENT_END = "linestatement_end"
TOKEN_LINECOMMENT_BEGIN = "linecomment_begin"
TOKEN_LINECOMMENT_END = "linecomment_end"
TOKEN_LINECOMMENT = "linecomment"
TOKEN_DATA = "data"
TOKEN_INITIAL = "initial"
TOKEN_EOF = "eof"

#: Operator text -> token type, the names Jinja's parser and messages use.
OPERATOR_TOKEN_TYPES = {
    "+": "add",
    "-": "sub",
    "/": "div",
    "//": "floordiv",
    "*": "mul",
    "%": "mod",
    "**": "pow",
    "~": "tilde",
    "[": "lbracket",
    "]": "rbracket",
    "(": "lparen",
    ")": "rparen",
    "{": "lbrace",
    "}": "rbrace",
    "==": "eq",
    "!=": "ne",
    ">": "gt",
    ">=": "gteq",
    "<": "lt",
    "<=": "lteq",
    "=": "assign",
    ".": "dot",
    ":": "colon",
    "|": "pipe",
    ",": "comma",
    ";": "semicolon",
}
#: Jinja's name for the operator table.
operators = OPERATOR_TOKEN_TYPES
_TOKEN_TYPE_OPERATORS = {v: k for k, v in OPERATOR_TOKEN_TYPES.items()}
_TOKEN_TYPE_DESCRIPTIONS = {
    "comment_begin": "begin of comment",
    "comment_end": "end of comment",
    "comment": "comment",
    "linecomment": "comment",
    "block_begin": "begin of statement block",
    "block_end": "end of statement block",
    "variable_begin": "begin of print statement",
    "variable_end": "end of print statement",
    "linestatement_begin": "begin of line statement",
    "linestatement_end": "end of line statement",
    "data": "template data / text",
    "eof": "end of template",
}
_OPENING_BRACKETS = {"(": ")", "[": "]", "{": "}"}

_WHITESPACE_RE = re.compile(r"\s+")
# Python identifiers: letters/underscore then word characters, plus the
# few "Other_ID_Start/Continue" code points that \w does not cover.
_NAME_RE = re.compile(
    "(?:[^\\W\\d]|[\u1885\u1886\u2118\u212e\u309b\u309c])"
    "[\\w\u00b7\u0387\u1369-\u1371\u19da\u1885\u1886\u2118\u212e\u309b\u309c]*"
)
_STRING_RE = re.compile(r"('([^'\\]*(?:\\.[^'\\]*)*)'|\"([^\"\\]*(?:\\.[^\"\\]*)*)\")", re.S)
_INTEGER_RE = re.compile(
    r"(0b(_?[0-1])+|0o(_?[0-7])+|0x(_?[\da-f])+|[1-9](_?\d)*|0(_?0)*)", re.IGNORECASE
)
_FLOAT_RE = re.compile(
    r"(?<!\.)(\d+_)*\d+((\.(\d+_)*\d+)?e[+\-]?(\d+_)*\d+|\.(\d+_)*\d+)", re.IGNORECASE
)
_OPERATOR_RE = re.compile(
    "|".join(re.escape(op) for op in sorted(OPERATOR_TOKEN_TYPES, key=len, reverse=True))
)
_NEWLINE_RE = re.compile(r"(\r\n|\r|\n)")
# One pattern for every token inside a tag: one match call per token.  Only
# a float and an integer can match at the same place (the float is tried
# first); the others begin with different characters, so the commonest
# tokens come first and the engine tries fewer alternatives.
_TAG_TOKEN_RE = re.compile(
    "|".join(
        "(?P<%s>%s)" % (kind, "(?%s:%s)" % (flags, pattern.pattern) if flags else pattern.pattern)
        for kind, pattern, flags in (
            ("whitespace", _WHITESPACE_RE, ""),
            ("name", _NAME_RE, ""),
            ("operator", _OPERATOR_RE, ""),
            ("string", _STRING_RE, "s"),
            ("float", _FLOAT_RE, "i"),
            ("integer", _INTEGER_RE, "i"),
        )
    )
)


def count_newlines(value: str) -> int:
    """How many line breaks (``\\r\\n``, ``\\r`` or ``\\n``) ``value`` holds."""
    return len(_NEWLINE_RE.findall(value))


class Token(t.NamedTuple):
    """One token: its line, its type (``name``, ``add``, ``data``...) and value."""

    lineno: int
    type: str
    value: t.Any

    def __str__(self) -> str:
        return describe_token(self)

    def test(self, expr: str) -> bool:
        """``"name"`` matches the type, ``"name:for"`` type and value."""
        if self.type == expr:
            return True
        if ":" in expr:
            kind, _, value = expr.partition(":")
            return kind == self.type and value == self.value
        return False

    def test_any(self, *iterable: str) -> bool:
        return any(self.test(expr) for expr in iterable)


def describe_token_type(token_type: str) -> str:
    if token_type in _TOKEN_TYPE_OPERATORS:
        return _TOKEN_TYPE_OPERATORS[token_type]
    return _TOKEN_TYPE_DESCRIPTIONS.get(token_type, token_type)


def describe_token(token: Token) -> str:
    if token.type == "name":
        return token.value
    return describe_token_type(token.type)


def describe_token_expr(expr: str) -> str:
    if ":" in expr:
        token_type, value = expr.split(":", 1)
        if token_type == "name":
            return value
        return describe_token_type(token_type)
    return describe_token_type(expr)


class TokenStream:
    """The parser's view of the tokens: ``current``, ``look()``, ``expect()``."""

    def __init__(self, tokens: t.Iterable[Token], name: str | None, filename: str | None) -> None:
        tokens = list(tokens)
        if not tokens or tokens[-1].type not in ("eof", "error"):
            tokens.append(Token(tokens[-1].lineno if tokens else 1, "eof", ""))
        self._tokens = tokens
        self._position = 0
        self.name = name
        self.filename = filename
        self.current = tokens[0]
        self._raise_if_error(self.current)

    @staticmethod
    def _raise_if_error(token: Token) -> None:
        if token.type == "error":
            raise token.value

    def __iter__(self) -> TokenStream:
        return self

    def __next__(self) -> Token:
        token = self.current
        if token.type == "eof":
            raise StopIteration
        self.next()
        return token

    def __bool__(self) -> bool:
        return self.current.type != "eof"

    @property
    def eos(self) -> bool:
        return not self

    def push(self, token: Token) -> None:
        self._position -= 1
        self._tokens[self._position] = self.current
        self._tokens.insert(self._position, token)
        self.current = token

    def look(self) -> Token:
        if self._position + 1 < len(self._tokens):
            token = self._tokens[self._position + 1]
        else:
            token = self._tokens[-1]
        self._raise_if_error(token)
        return token

    def skip(self, n: int = 1) -> None:
        for _ in range(n):
            self.next()

    def next(self) -> Token:
        rv = self.current
        position = self._position + 1
        if position < len(self._tokens):
            self._position = position
            token = self.current = self._tokens[position]
            if token.type == "error":
                raise token.value
        return rv

    def next_if(self, expr: str) -> Token | None:
        if self.current.test(expr):
            return self.next()
        return None

    def skip_if(self, expr: str) -> bool:
        return self.next_if(expr) is not None

    def expect(self, expr: str) -> Token:
        if not self.current.test(expr):
            expected = describe_token_expr(expr)
            if self.current.type == "eof":
                raise TemplateSyntaxError(
                    "unexpected end of template, expected %r." % expected,
                    self.current.lineno,
                    self.name,
                    self.filename,
                )
            raise TemplateSyntaxError(
                "expected token %r, got %r" % (expected, describe_token(self.current)),
                self.current.lineno,
                self.name,
                self.filename,
            )
        return self.next()


def _decode_string_literal(text: str, lineno: int, name: str | None, filename: str | None) -> str:
    body = text[1:-1]
    if "\\" not in body:
        return body
    import warnings

    try:
        with warnings.catch_warnings():
            # Unknown escapes such as "\d" stay as written, without a warning.
            warnings.simplefilter("ignore", DeprecationWarning)
            return body.encode("ascii", "backslashreplace").decode("unicode-escape")
    except Exception as e:
        msg = str(e).split(":")[-1].strip()
        raise TemplateSyntaxError(msg, lineno, name, filename) from None


def _parse_integer_literal(text: str) -> int:
    text = text.replace("_", "")
    return int(text, 0) if text[:2].lower() in ("0b", "0o", "0x") else int(text)


class Lexer:
    """Tokenizes source with one environment's delimiters and options."""

    def __init__(self, environment: t.Any) -> None:
        e = re.escape
        self.block_start = environment.block_start_string
        self.block_end = environment.block_end_string
        self.variable_start = environment.variable_start_string
        self.variable_end = environment.variable_end_string
        self.comment_start = environment.comment_start_string
        self.comment_end = environment.comment_end_string
        self.trim_blocks = environment.trim_blocks
        self.lstrip_blocks = environment.lstrip_blocks
        self.keep_trailing_newline = environment.keep_trailing_newline
        self.newline_sequence = environment.newline_sequence
        self.line_statement_prefix = environment.line_statement_prefix
        self.line_comment_prefix = environment.line_comment_prefix

        starts = [
            ("block", self.block_start),
            ("variable", self.variable_start),
            ("comment", self.comment_start),
        ]
        starts.sort(key=lambda item: -len(item[1]))
        line_rules = []
        if self.line_comment_prefix is not None:
            line_rules.append(
                (
                    len(self.line_comment_prefix),
                    r"(?P<linecomment>(?:^|(?<=\S))[^\S\r\n]*%s)" % e(self.line_comment_prefix),
                )
            )
        if self.line_statement_prefix is not None:
            line_rules.append(
                (
                    len(self.line_statement_prefix),
                    r"(?P<linestatement>^[ \t]*%s)" % e(self.line_statement_prefix),
                )
            )
        # The longer prefix wins when one starts with the other ("##" vs "#").
        line_rules.sort(key=lambda rule: -rule[0])
        alternatives = [rule for _, rule in line_rules]
        # Each tag start is its delimiter then a group named after its kind,
        # holding the whitespace modifier: ``lastgroup`` names the kind, and a
        # pattern whose alternatives all begin with a literal lets the regex
        # engine skip text up to a possible first character of a delimiter.
        for kind, delimiter in starts:
            alternatives.append(r"%s(?P<%s>[\-+]?)" % (e(delimiter), kind))
        self._tag_start_re = re.compile("|".join(alternatives), re.M)
        trim = r"\n?" if self.trim_blocks else ""
        self._end_res = {
            "block": re.compile(
                r"\+%s|\-%s\s*|%s%s"
                % (e(self.block_end), e(self.block_end), e(self.block_end), trim)
            ),
            "variable": re.compile(r"\-%s\s*|%s" % (e(self.variable_end), e(self.variable_end))),
            "linestatement": re.compile(r"\s*(?:\n|$)"),
        }
        self._end_first_characters: dict[str, frozenset[str] | None] = {
            "block": frozenset(["+", "-", self.block_end[:1]]),
            "variable": frozenset(["-", self.variable_end[:1]]),
            "linestatement": None,  # its end may start with any whitespace
        }
        self._comment_end_re = re.compile(
            r"(.*?)(\+%s|\-%s\s*|%s%s)"
            % (e(self.comment_end), e(self.comment_end), e(self.comment_end), trim),
            re.S,
        )
        self._raw_begin_re = re.compile(
            r"\s*raw\s*(?:\-%s\s*|%s)" % (e(self.block_end), e(self.block_end))
        )
        self._raw_end_re = re.compile(
            r"(.*?)((?:%s(\-|\+|))\s*endraw\s*(?:\+%s|\-%s\s*|%s%s))"
            % (e(self.block_start), e(self.block_end), e(self.block_end), e(self.block_end), trim),
            re.S,
        )
        self._line_comment_body_re = re.compile(r"[^\n]*")

    def _normalize_newlines(self, value: str) -> str:
        """``value``, a piece of the source, with the environment's line
        breaks (the lexer has already made every break of the source ``\\n``)."""
        if self.newline_sequence == "\n":
            return value
        return value.replace("\n", self.newline_sequence)

    def _lstrip_applies(self, text: str, line_starting: bool) -> int:
        """Index to cut ``text`` at when lstrip_blocks removes its indentation, or -1."""
        line_start = text.rfind("\n") + 1
        if line_start > 0 or line_starting:
            tail = text[line_start:]
            if not tail.strip(" \t"):
                return line_start
        return -1

    def tokenize(
        self,
        source: str,
        name: str | None = None,
        filename: str | None = None,
        state: str | None = None,
    ) -> TokenStream:
        """A :class:`TokenStream` over the tokens of ``source``.

        ``state="variable"`` lexes ``source`` as the inside of ``{{ ... }}``:
        one expression, as ``Parser(..., state="variable")`` reads it.
        """
        if state == "variable":
            tokens = self.tokens(self.variable_start + source + self.variable_end, name, filename)
            if tokens and tokens[0].type == "variable_begin":
                del tokens[0]
            if len(tokens) >= 2 and tokens[-2].type == "variable_end" and tokens[-1].type == "eof":
                del tokens[-2]
            return TokenStream(tokens, name, filename)
        return TokenStream(self.tokens(source, name, filename), name, filename)

    def tokeniter(
        self,
        source: str,
        name: str | None = None,
        filename: str | None = None,
        state: str | None = None,
    ) -> t.Iterator[tuple[int, str, t.Any]]:
        """``(lineno, type, value)`` for each token, without the end marker."""
        for token in self.tokens(source, name, filename):
            TokenStream._raise_if_error(token)
            if token.type != "eof":
                yield tuple(token)  # type: ignore[misc]

    def tokens(
        self, source: str, name: str | None = None, filename: str | None = None
    ) -> list[Token]:
        """All the tokens of ``source``, ending with an ``eof`` token.

        A lexing error becomes a final ``error`` token, raised when the
        parser reaches it: like Jinja's lazy lexer, a parse error earlier
        in the template is the one reported.
        """
        tokens: list[Token] = []
        try:
            self._tokenize_into(tokens, source, name, filename)
        except TemplateSyntaxError as e:
            tokens.append(Token(e.lineno, "error", e))
        return tokens

    def _tokenize_into(
        self, tokens: list[Token], source: str, name: str | None, filename: str | None
    ) -> None:
        # Every line break becomes "\n" (data gets newline_sequence back);
        # the source's final one goes unless keep_trailing_newline.
        if "\r" in source:
            source = _NEWLINE_RE.sub("\n", source)
        if not self.keep_trailing_newline and source[-1:] == "\n":
            source = source[:-1]
        append = tokens.append
        pos = 0
        lineno = 1
        length = len(source)
        line_starting = True
        search = self._tag_start_re.search

        def fail(message: str, line: int) -> t.NoReturn:
            raise TemplateSyntaxError(message, line, name, filename)

        while pos < length:
            m = search(source, pos)
            if m is None:
                text = source[pos:]
                append(Token(lineno, "data", self._normalize_newlines(text)))
                break
            text = source[pos : m.start()]
            kind = m.lastgroup
            modifier = m.group(kind) if kind in ("block", "variable", "comment") else ""
            if modifier == "-":
                text = text.rstrip()
            elif (
                modifier != "+"
                and self.lstrip_blocks
                and kind in ("block", "comment")
            ):
                cut = self._lstrip_applies(text, line_starting)
                if cut >= 0:
                    text = text[:cut]
            if text:
                append(Token(lineno, "data", self._normalize_newlines(text)))
            lineno += source.count("\n", pos, m.end())
            tag_line = lineno
            pos = m.end()

            if kind == "comment":
                end = self._comment_end_re.match(source, pos)
                if end is None:
                    if pos >= length:
                        break
                    fail("Missing end of comment tag", tag_line)
                lineno += end.group().count("\n")
                pos = end.end()
                line_starting = end.group(2)[-1:] == "\n"
                continue
            if kind == "linecomment":
                body = self._line_comment_body_re.match(source, pos)
                pos = body.end()  # type: ignore[union-attr]
                line_starting = False
                continue
            if kind == "block":
                raw = self._raw_begin_re.match(source, pos)
                if raw is not None:
                    lineno += raw.group().count("\n")
                    pos = raw.end()
                    end = self._raw_end_re.match(source, pos)
                    if end is None:
                        if pos >= length:
                            break
                        fail("Missing end of raw directive", lineno)
                    content = end.group(1)
                    if end.group(3) == "-":
                        content = content.rstrip()
                    elif end.group(3) != "+" and self.lstrip_blocks:
                        cut = self._lstrip_applies(content, False)
                        if cut >= 0:
                            content = content[:cut]
                    if content:
                        append(Token(lineno, "data", self._normalize_newlines(content)))
                    lineno += end.group().count("\n")
                    pos = end.end()
                    line_starting = end.group()[-1:] == "\n"
                    continue
            begin_type = "block_begin" if kind in ("block", "linestatement") else "variable_begin"
            end_type = "block_end" if begin_type == "block_begin" else "variable_end"
            append(Token(tag_line, begin_type, m.group()))
            pos, lineno, end_text = self._tokenize_tag(
                source, pos, lineno, kind, tokens, name, filename
            )
            if end_text is None:
                break
            append(Token(lineno, end_type, end_text))
            lineno += end_text.count("\n")
            line_starting = end_text[-1:] == "\n"
        # Like Jinja, the end of the template is on the last token's line.
        append(Token(tokens[-1].lineno if tokens else 1, "eof", ""))

    def _tokenize_tag(
        self,
        source: str,
        pos: int,
        lineno: int,
        kind: str,
        tokens: list[Token],
        name: str | None,
        filename: str | None,
    ) -> tuple[int, int, str | None]:
        """Tokenize one tag's inside; return (position, line, the end text),
        the end text being None when the source ends inside the tag."""
        append = tokens.append
        end_re = self._end_res[kind]
        # Where the tag's end cannot start, its pattern need not be tried.
        end_starts = self._end_first_characters.get(kind)
        match_token = _TAG_TOKEN_RE.match
        balance: list[str] = []
        length = len(source)
        while True:
            if pos >= length:
                if kind == "linestatement" and not balance:
                    return pos, lineno, ""
                # An unterminated tag: the parser reports what it expected.
                return pos, lineno, None
            ch = source[pos]
            if not balance and (end_starts is None or ch in end_starts):
                end = end_re.match(source, pos)
                if end is not None:
                    return end.end(), lineno, end.group()
            m = match_token(source, pos)
            if m is None:
                raise TemplateSyntaxError(
                    "unexpected char %r at %d" % (ch, pos), lineno, name, filename
                )
            token_kind = m.lastgroup
            text = m.group()
            pos = m.end()
            if token_kind == "whitespace":
                lineno += text.count("\n")
            elif token_kind == "name":
                if not text.isidentifier():
                    # \w also matches characters Python refuses in a name (a\u00b2).
                    raise TemplateSyntaxError(
                        "Invalid character in identifier", lineno, name, filename
                    )
                append(Token(lineno, "name", text))
            elif token_kind == "operator":
                if text in _OPENING_BRACKETS:
                    balance.append(_OPENING_BRACKETS[text])
                elif text in (")", "]", "}"):
                    if not balance:
                        raise TemplateSyntaxError("unexpected '%s'" % text, lineno, name, filename)
                    expected = balance.pop()
                    if text != expected:
                        raise TemplateSyntaxError(
                            "unexpected '%s', expected '%s'" % (text, expected),
                            lineno,
                            name,
                            filename,
                        )
                append(Token(lineno, OPERATOR_TOKEN_TYPES[text], text))
            elif token_kind == "string":
                literal = self._normalize_newlines(text)
                append(
                    Token(lineno, "string", _decode_string_literal(literal, lineno, name, filename))
                )
                lineno += text.count("\n")
            elif token_kind == "integer":
                append(Token(lineno, "integer", _parse_integer_literal(text)))
            else:
                append(Token(lineno, "float", float(text.replace("_", ""))))


_LEXER_CACHE: dict[tuple, Lexer] = {}


def get_lexer(environment: t.Any) -> Lexer:
    """The lexer for an environment's options, shared between equal options."""
    key = (
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
    )
    lexer = _LEXER_CACHE.get(key)
    if lexer is None:
        if len(_LEXER_CACHE) > 50:
            _LEXER_CACHE.clear()
        lexer = _LEXER_CACHE[key] = Lexer(environment)
    return lexer
