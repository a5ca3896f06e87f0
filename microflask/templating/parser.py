"""Builds the syntax tree from tokens (Jinja's ``jinja2.parser``).

A recursive-descent parser: one method per statement tag and one per
expression precedence level, lowest binding first.
"""

from __future__ import annotations

import typing as t

from microflask.templating import nodes as n
from microflask.templating.exceptions import TemplateAssertionError, TemplateSyntaxError
from microflask.templating.lexer import describe_token, describe_token_expr, get_lexer

__all__ = ["Parser"]

_STATEMENT_KEYWORDS = frozenset(
    [
        "for",
        "if",
        "block",
        "extends",
        "print",
        "macro",
        "include",
        "from",
        "import",
        "set",
        "with",
        "autoescape",
        "call",
        "filter",
        "break",
        "continue",
        "do",
    ]
)
_COMPARE_OPERATORS = frozenset(["eq", "ne", "lt", "lteq", "gt", "gteq"])
_MATH2_NODES = {"mul": n.MulNode, "div": n.DivNode, "floordiv": n.FloorDivNode, "mod": n.ModNode}
_TRIM_WHITESPACE_RE = None


def _is_name_token(token: t.Any, value: str) -> bool:
    """``token.test("name:" + value)``, for the parser's hottest tests."""
    return token.type == "name" and token.value == value


class Parser:
    """Parses one template into a :class:`nodes.TemplateNode` (Jinja's ``Parser``).

    Extensions get this object in ``Extension.parse(parser)`` and use its
    public methods: ``stream``, ``parse_expression``, ``parse_tuple``,
    ``parse_statements``, ``parse_assign_target``, ``free_identifier``,
    ``fail``.  ``state="variable"`` parses a bare expression (what
    ``Parser(env, "a and b", state="variable").parse_expression()`` reads).
    """

    def __init__(
        self,
        environment: t.Any,
        source: str,
        name: str | None = None,
        filename: str | None = None,
        state: str | None = None,
    ) -> None:
        self.environment = environment
        if hasattr(environment, "_tokenize"):
            self.stream = environment._tokenize(source, name, filename, state)
        else:
            self.stream = get_lexer(environment).tokenize(source, name, filename, state)
        self.name = name
        self.filename = filename
        self.closed = False
        self.extensions: dict[str, t.Callable[[Parser], t.Any]] = {}
        iter_extensions = getattr(environment, "iter_extensions", None)
        for extension in iter_extensions() if iter_extensions is not None else ():
            for tag in extension.tags:
                self.extensions[tag] = extension.parse
        self._end_token_stack: list[tuple[str, ...]] = []
        self._tag_stack: list[str] = []
        self._last_identifier = 0

    def free_identifier(self, lineno: int | None = None) -> n.InternalNameNode:
        """A new name for the compiler's use that no template can write."""
        self._last_identifier += 1
        node = object.__new__(n.InternalNameNode)
        n.SyntaxNode.__init__(node, "fi%d" % self._last_identifier, lineno=lineno)
        return node

    # -- errors --------------------------------------------------------------

    def fail(
        self, msg: str, lineno: int | None = None, exc: type = TemplateSyntaxError
    ) -> t.NoReturn:
        if lineno is None:
            lineno = self.stream.current.lineno
        raise exc(msg, lineno, self.name, self.filename)

    def _fail_unknown_tag(
        self, name: str | None, end_token_stack: list[tuple[str, ...]], lineno: int | None
    ) -> t.NoReturn:
        expected: set[str] = set()
        for exprs in end_token_stack:
            expected.update(map(describe_token_expr, exprs))
        currently_looking = None
        if end_token_stack:
            currently_looking = " or ".join(
                repr(describe_token_expr(expr)) for expr in end_token_stack[-1]
            )
        if name is None:
            message = ["Unexpected end of template."]
        else:
            message = ["Encountered unknown tag %r." % name]
        if currently_looking:
            if name is not None and name in expected:
                message.append(
                    "You probably made a nesting mistake. Jinja is expecting this tag,"
                    " but currently looking for %s." % currently_looking
                )
            else:
                message.append("Jinja was looking for the following tags: %s." % currently_looking)
        if self._tag_stack:
            message.append(
                "The innermost block that needs to be closed is %r." % self._tag_stack[-1]
            )
        self.fail(" ".join(message), lineno)

    def fail_unknown_tag(self, name: str, lineno: int | None = None) -> t.NoReturn:
        self._fail_unknown_tag(name, self._end_token_stack, lineno)

    def fail_eof(
        self, end_tokens: tuple[str, ...] | None = None, lineno: int | None = None
    ) -> t.NoReturn:
        stack = list(self._end_token_stack)
        if end_tokens is not None:
            stack.append(end_tokens)
        self._fail_unknown_tag(None, stack, lineno)

    def is_tuple_end(self, extra_end_rules: tuple[str, ...] | None = None) -> bool:
        current = self.stream.current
        if current.type in ("variable_end", "block_end", "rparen"):
            return True
        # Jinja 3 passes its extra end rules to test_any() as one argument,
        # so they never match; matching that keeps its error messages.
        return False

    # -- statements ----------------------------------------------------------

    def parse(self) -> n.TemplateNode:
        return n.TemplateNode(self.subparse(), lineno=1)

    def subparse(self, end_tokens: tuple[str, ...] | None = None) -> list[n.SyntaxNode]:
        body: list[n.SyntaxNode] = []
        data_buffer: list[n.SyntaxNode] = []
        add_data = data_buffer.append
        if end_tokens is not None:
            self._end_token_stack.append(end_tokens)

        def flush_data() -> None:
            if data_buffer:
                lineno = data_buffer[0].lineno
                body.append(n.OutputNode(data_buffer[:], lineno=lineno))
                del data_buffer[:]

        try:
            while self.stream:
                token = self.stream.current
                if token.type == "data":
                    if token.value:
                        add_data(n.TemplateDataNode(token.value, lineno=token.lineno))
                    self.stream.next()
                elif token.type == "variable_begin":
                    self.stream.next()
                    add_data(self.parse_tuple(with_condexpr=True))
                    self.stream.expect("variable_end")
                elif token.type == "block_begin":
                    flush_data()
                    self.stream.next()
                    if end_tokens is not None and self.stream.current.test_any(*end_tokens):
                        return body
                    rv = self.parse_statement()
                    if isinstance(rv, list):
                        body.extend(rv)
                    else:
                        body.append(rv)
                    self.stream.expect("block_end")
                else:
                    raise AssertionError("internal parsing error")
            flush_data()
        finally:
            if end_tokens is not None:
                self._end_token_stack.pop()
        return body

    def parse_statement(self) -> t.Any:
        token = self.stream.current
        if token.type != "name":
            self.fail("tag name expected", token.lineno)
        self._tag_stack.append(token.value)
        pop_tag = True
        try:
            if token.value in _STATEMENT_KEYWORDS:
                if token.value == "call":
                    return self.parse_call_block()
                if token.value == "filter":
                    return self.parse_filter_block()
                return getattr(self, "parse_" + token.value)()
            extension_parse = self.extensions.get(token.value)
            if extension_parse is not None:
                return extension_parse(self)
            self._tag_stack.pop()
            pop_tag = False
            self.fail_unknown_tag(token.value, token.lineno)
        finally:
            if pop_tag:
                self._tag_stack.pop()

    def parse_statements(
        self, end_tokens: tuple[str, ...], drop_needle: bool = False
    ) -> list[n.SyntaxNode]:
        self.stream.skip_if("colon")
        self.stream.expect("block_end")
        result = self.subparse(end_tokens)
        if self.stream.current.type == "eof":
            self.fail_eof(end_tokens)
        if drop_needle:
            self.stream.next()
        return result

    def parse_set(self) -> n.SyntaxNode:
        lineno = self.stream.next().lineno
        target = self.parse_assign_target(with_namespace=True)
        if self.stream.skip_if("assign"):
            expr = self.parse_tuple()
            return n.AssignNode(target, expr, lineno=lineno)
        filter_node = self.parse_filter(None)
        body = self.parse_statements(("name:endset",), drop_needle=True)
        return n.AssignBlockNode(target, filter_node, body, lineno=lineno)

    def parse_for(self) -> n.ForNode:
        lineno = self.stream.expect("name:for").lineno
        target = self.parse_assign_target(extra_end_rules=("name:in",))
        self.stream.expect("name:in")
        iter_node = self.parse_tuple(with_condexpr=False, extra_end_rules=("name:recursive",))
        test = None
        if self.stream.skip_if("name:if"):
            test = self.parse_expression()
        recursive = self.stream.skip_if("name:recursive")
        body = self.parse_statements(("name:endfor", "name:else"))
        if self.stream.next().value == "endfor":
            else_: list[n.SyntaxNode] = []
        else:
            else_ = self.parse_statements(("name:endfor",), drop_needle=True)
        return n.ForNode(target, iter_node, body, else_, test, recursive, lineno=lineno)

    def parse_if(self) -> n.IfNode:
        node = result = n.IfNode(lineno=self.stream.expect("name:if").lineno)
        while True:
            node.test = self.parse_tuple(with_condexpr=False)
            node.body = self.parse_statements(("name:elif", "name:else", "name:endif"))
            node.elif_ = []
            node.else_ = []
            token = self.stream.next()
            if token.test("name:elif"):
                node = n.IfNode(lineno=self.stream.current.lineno)
                result.elif_.append(node)
                continue
            if token.test("name:else"):
                result.else_ = self.parse_statements(("name:endif",), drop_needle=True)
            break
        return result

    def parse_with(self) -> n.WithNode:
        lineno = self.stream.next().lineno
        targets: list[n.SyntaxNode] = []
        values: list[n.SyntaxNode] = []
        while self.stream.current.type != "block_end":
            if targets:
                self.stream.expect("comma")
            target = self.parse_assign_target()
            self.stream.expect("assign")
            targets.append(target)
            values.append(self.parse_expression())
        body = self.parse_statements(("name:endwith",), drop_needle=True)
        return n.WithNode(targets, values, body, lineno=lineno)

    def parse_autoescape(self) -> n.ScopedEvalContextModifierNode:
        lineno = self.stream.next().lineno
        value = self.parse_expression()
        body = self.parse_statements(("name:endautoescape",), drop_needle=True)
        options = [n.KeywordNode("autoescape", value, lineno=lineno)]
        return n.ScopedEvalContextModifierNode(options, body, lineno=lineno)

    def parse_block(self) -> n.BlockNode:
        lineno = self.stream.next().lineno
        name = self.stream.expect("name").value
        scoped = self.stream.skip_if("name:scoped")
        required = self.stream.skip_if("name:required")
        if self.stream.current.type == "sub":
            self.fail(
                "Block names in Jinja have to be valid Python identifiers and may not"
                " contain hyphens, use an underscore instead."
            )
        body = self.parse_statements(("name:endblock",), drop_needle=True)
        if required:
            for body_node in body:
                if not isinstance(body_node, n.OutputNode) or any(
                    not isinstance(output_node, n.TemplateDataNode)
                    or not output_node.data.isspace()
                    for output_node in body_node.nodes
                ):
                    self.fail("Required blocks can only contain comments or whitespace")
        self.stream.skip_if("name:" + name)
        return n.BlockNode(name, body, scoped, required, lineno=lineno)

    def parse_extends(self) -> n.ExtendsNode:
        lineno = self.stream.next().lineno
        return n.ExtendsNode(self.parse_expression(), lineno=lineno)

    def parse_import_context(self, default: bool) -> bool:
        if self.stream.current.test_any("name:with", "name:without") and self.stream.look().test(
            "name:context"
        ):
            with_context = self.stream.next().value == "with"
            self.stream.skip()
            return with_context
        return default

    def parse_include(self) -> n.IncludeNode:
        lineno = self.stream.next().lineno
        template = self.parse_expression()
        ignore_missing = False
        if self.stream.current.test("name:ignore") and self.stream.look().test("name:missing"):
            ignore_missing = True
            self.stream.skip(2)
        with_context = self.parse_import_context(True)
        return n.IncludeNode(template, with_context, ignore_missing, lineno=lineno)

    def parse_import(self) -> n.ImportNode:
        lineno = self.stream.next().lineno
        template = self.parse_expression()
        self.stream.expect("name:as")
        target = self.parse_assign_target(name_only=True).name
        with_context = self.parse_import_context(False)
        return n.ImportNode(template, target, with_context, lineno=lineno)

    def parse_from(self) -> n.FromImportNode:
        lineno = self.stream.next().lineno
        template = self.parse_expression()
        self.stream.expect("name:import")
        names: list[t.Any] = []
        with_context = False

        def parse_context() -> bool:
            nonlocal with_context
            if self.stream.current.value in ("with", "without") and self.stream.look().test(
                "name:context"
            ):
                with_context = self.stream.next().value == "with"
                self.stream.skip()
                return True
            return False

        while True:
            if names:
                self.stream.expect("comma")
            if self.stream.current.type == "name":
                if parse_context():
                    break
                target = self.parse_assign_target(name_only=True)
                if target.name.startswith("_"):
                    self.fail(
                        "names starting with an underline can not be imported",
                        target.lineno,
                        exc=TemplateAssertionError,
                    )
                if self.stream.skip_if("name:as"):
                    alias = self.parse_assign_target(name_only=True)
                    names.append((target.name, alias.name))
                else:
                    names.append(target.name)
                if parse_context() or self.stream.current.type != "comma":
                    break
            else:
                self.stream.expect("name")
        return n.FromImportNode(template, names, with_context, lineno=lineno)

    def parse_signature(self, node: t.Any) -> None:
        args: list[n.NameNode] = []
        defaults: list[n.SyntaxNode] = []
        node.args = args
        node.defaults = defaults
        self.stream.expect("lparen")
        while self.stream.current.type != "rparen":
            if args:
                self.stream.expect("comma")
            arg = self.parse_assign_target(name_only=True)
            arg.ctx = "param"
            if self.stream.skip_if("assign"):
                defaults.append(self.parse_expression())
            elif defaults:
                self.fail("non-default argument follows default argument")
            args.append(arg)
        self.stream.expect("rparen")

    def parse_call_block(self) -> n.CallBlockNode:
        node = n.CallBlockNode(lineno=self.stream.next().lineno)
        if self.stream.current.type == "lparen":
            self.parse_signature(node)
        else:
            node.args = []
            node.defaults = []
        call_node = self.parse_expression()
        if not isinstance(call_node, n.CallNode):
            self.fail("expected call", node.lineno)
        node.call = call_node
        node.body = self.parse_statements(("name:endcall",), drop_needle=True)
        return node

    def parse_filter(self, node: t.Any, start_inline: bool = False) -> t.Any:
        while self.stream.current.type == "pipe" or start_inline:
            if not start_inline:
                self.stream.next()
            token = self.stream.expect("name")
            name = token.value
            while self.stream.current.type == "dot":
                self.stream.next()
                name += "." + self.stream.expect("name").value
            dyn_args = dyn_kwargs = None
            kwargs: list[n.KeywordNode] = []
            if self.stream.current.type == "lparen":
                args, kwargs, dyn_args, dyn_kwargs = self.parse_call_args()
            else:
                args = []
            node = n.FilterNode(node, name, args, kwargs, dyn_args, dyn_kwargs, lineno=token.lineno)
            start_inline = False
        return node

    def parse_filter_block(self) -> n.FilterBlockNode:
        node = n.FilterBlockNode(lineno=self.stream.next().lineno)
        node.filter = self.parse_filter(None, start_inline=True)
        node.body = self.parse_statements(("name:endfilter",), drop_needle=True)
        return node

    def parse_macro(self) -> n.MacroNode:
        node = n.MacroNode(lineno=self.stream.next().lineno)
        node.name = self.parse_assign_target(name_only=True).name
        self.parse_signature(node)
        node.body = self.parse_statements(("name:endmacro",), drop_needle=True)
        return node

    def parse_print(self) -> n.OutputNode:
        node = n.OutputNode(lineno=self.stream.next().lineno)
        node.nodes = []
        while self.stream.current.type != "block_end":
            if node.nodes:
                self.stream.expect("comma")
            node.nodes.append(self.parse_expression())
        return node

    def parse_do(self) -> n.ExprStmtNode:
        lineno = self.stream.next().lineno
        return n.ExprStmtNode(self.parse_tuple(), lineno=lineno)

    def parse_break(self) -> n.BreakNode:
        return n.BreakNode(lineno=self.stream.next().lineno)

    def parse_continue(self) -> n.ContinueNode:
        return n.ContinueNode(lineno=self.stream.next().lineno)

    # -- {% debug %} (the debug extension) -----------------------------------------

    def parse_debug(self) -> n.OutputNode:
        """``{% debug %}``: print the context, filters and tests."""
        lineno = self.stream.next().lineno
        return n.OutputNode([n.DebugDumpNode(lineno=lineno)], lineno=lineno)

    # -- {% trans %} (the i18n extension) ------------------------------------------

    def parse_trans(self) -> t.Any:
        """``{% trans [context] [trimmed] [name=expr, ...] %}...{% endtrans %}``,
        desugared into a gettext/ngettext call."""
        lineno = self.stream.next().lineno
        context_token = self.stream.next_if("string")
        message_context = context_token.value if context_token is not None else None
        variables: dict[str, t.Any] = {}
        plural_expr = None
        plural_assignment = None
        num_called_num = False
        trimmed = None
        while self.stream.current.type != "block_end":
            if variables:
                self.stream.expect("comma")
            if self.stream.skip_if("colon"):
                break
            token = self.stream.expect("name")
            if token.value in variables:
                self.fail(
                    "translatable variable %r defined twice." % token.value,
                    token.lineno,
                    exc=TemplateAssertionError,
                )
            if self.stream.current.type == "assign":
                self.stream.next()
                value = self.parse_expression()
            elif trimmed is None and token.value in ("trimmed", "notrimmed"):
                trimmed = token.value == "trimmed"
                continue
            else:
                value = n.NameNode(token.value, "load", lineno=token.lineno)
            variables[token.value] = value
            if plural_expr is None:
                if isinstance(value, n.CallNode):
                    # A call is evaluated once, before the message.
                    plural_expr = n.NameNode("_trans", "load", lineno=lineno)
                    variables[token.value] = plural_expr
                    plural_assignment = n.AssignNode(
                        n.NameNode("_trans", "store", lineno=lineno), value, lineno=lineno
                    )
                else:
                    plural_expr = value
                num_called_num = token.value == "num"
        self.stream.expect("block_end")
        referenced: list[str] = []
        singular_names, singular = self._parse_trans_body(True)
        referenced.extend(singular_names)
        if singular_names and plural_expr is None:
            plural_expr = n.NameNode(singular_names[0], "load", lineno=lineno)
            num_called_num = singular_names[0] == "num"
        plural = None
        have_plural = False
        if self.stream.current.test("name:pluralize"):
            have_plural = True
            self.stream.next()
            if self.stream.current.type != "block_end":
                token = self.stream.expect("name")
                if token.value not in variables:
                    self.fail(
                        "unknown variable %r for pluralization" % token.value,
                        token.lineno,
                        exc=TemplateAssertionError,
                    )
                plural_expr = variables[token.value]
                num_called_num = token.value == "num"
            self.stream.expect("block_end")
            plural_names, plural = self._parse_trans_body(False)
            referenced.extend(plural_names)
        self.stream.next()
        for name in referenced:
            if name not in variables:
                variables[name] = n.NameNode(name, "load", lineno=lineno)
        if not have_plural:
            plural_expr = None
        elif plural_expr is None:
            self.fail("pluralize without variables", lineno)
        if trimmed is None:
            policies = getattr(self.environment, "policies", {})
            trimmed = bool(policies.get("ext.i18n.trimmed", False))
        if trimmed:
            singular = _trim_translation_whitespace(singular)
            if plural is not None:
                plural = _trim_translation_whitespace(plural)
        node = self._translation_output(
            singular,
            plural,
            message_context,
            variables,
            plural_expr,
            bool(referenced),
            num_called_num and have_plural,
            lineno,
        )
        if plural_assignment is not None:
            return [plural_assignment, node]
        return node

    def _parse_trans_body(self, allow_pluralize: bool) -> tuple[list[str], str]:
        referenced: list[str] = []
        buf: list[str] = []
        while True:
            current = self.stream.current
            if current.type == "data":
                buf.append(current.value.replace("%", "%%"))
                self.stream.next()
            elif current.type == "variable_begin":
                self.stream.next()
                name = self.stream.expect("name").value
                referenced.append(name)
                buf.append("%%(%s)s" % name)
                self.stream.expect("variable_end")
            elif current.type == "block_begin":
                self.stream.next()
                block_name = (
                    self.stream.current.value if self.stream.current.type == "name" else None
                )
                if block_name == "endtrans":
                    break
                if block_name == "pluralize":
                    if allow_pluralize:
                        break
                    self.fail("a translatable section can have only one pluralize section")
                if block_name == "trans":
                    self.fail("trans blocks can't be nested; did you mean `endtrans`?")
                self.fail(
                    "control structures in translatable sections are not allowed; saw `%s`"
                    % block_name
                )
            elif current.type == "eof":
                self.fail("unclosed translation block")
            else:
                raise AssertionError("internal parser error")
        return referenced, "".join(buf)

    def _translation_output(
        self,
        singular: str,
        plural: str | None,
        message_context: str | None,
        variables: dict[str, t.Any],
        plural_expr: t.Any,
        vars_referenced: bool,
        num_called_num: bool,
        lineno: int,
    ) -> n.OutputNode:
        newstyle = bool(getattr(self.environment, "newstyle_gettext", False))
        if not vars_referenced and not newstyle:
            # Old-style gettext only %-formats when there are variables.
            singular = singular.replace("%%", "%")
            if plural is not None:
                plural = plural.replace("%%", "%")
        func_name = "gettext"
        args: list[t.Any] = [n.ConstNode(singular, lineno=lineno)]
        if message_context is not None:
            args.insert(0, n.ConstNode(message_context, lineno=lineno))
            func_name = "p" + func_name
        if plural_expr is not None:
            func_name = "n" + func_name
            args.extend((n.ConstNode(plural, lineno=lineno), plural_expr))
        call = n.CallNode(
            n.NameNode(func_name, "load", lineno=lineno), args, [], None, None, lineno=lineno
        )
        node: t.Any = call
        if newstyle:
            for key, value in variables.items():
                if num_called_num and key == "num":
                    continue
                call.kwargs.append(n.KeywordNode(key, value, lineno=lineno))
        else:
            node = n.MarkSafeIfAutoescapeNode(call, lineno=lineno)
            if variables:
                pairs = [
                    n.PairNode(n.ConstNode(key, lineno=lineno), value, lineno=lineno)
                    for key, value in variables.items()
                ]
                node = n.ModNode(node, n.DictNode(pairs, lineno=lineno), lineno=lineno)
        return n.OutputNode([node], lineno=lineno)

    # -- assignment targets ----------------------------------------------------

    def parse_assign_target(
        self,
        with_tuple: bool = True,
        name_only: bool = False,
        extra_end_rules: tuple[str, ...] | None = None,
        with_namespace: bool = False,
    ) -> t.Any:
        if name_only:
            token = self.stream.expect("name")
            return n.NameNode(token.value, "store", lineno=token.lineno)
        if with_tuple:
            target = self.parse_tuple(
                simplified=True, extra_end_rules=extra_end_rules, with_namespace=with_namespace
            )
        else:
            target = self.parse_primary(with_namespace=with_namespace)
        self._set_store_context(target)
        return target

    def _set_store_context(self, target: t.Any) -> None:
        if isinstance(target, n.NameNode):
            if target.name in ("true", "false", "none", "True", "False", "None"):
                self.fail("Can't assign to %r" % target.name, target.lineno)
            target.ctx = "store"
            return
        if isinstance(target, n.NSRefNode):
            return
        if isinstance(target, n.TupleNode):
            for item in target.items:
                self._set_store_context(item)
            target.ctx = "store"
            return
        self.fail(
            "can't assign to %r" % type(target).__name__.replace("Node", "").lower(), target.lineno
        )

    # -- expressions -----------------------------------------------------------

    def parse_expression(self, with_condexpr: bool = True) -> t.Any:
        if with_condexpr:
            return self.parse_condexpr()
        return self.parse_or()

    # The operator levels test for their keyword (``name:or``...) with
    # _is_name_token: every expression passes through each level once.

    def parse_condexpr(self) -> t.Any:
        stream = self.stream
        lineno = stream.current.lineno
        expr1 = self.parse_or()
        while _is_name_token(stream.current, "if"):
            stream.next()
            expr2 = self.parse_or()
            if _is_name_token(stream.current, "else"):
                stream.next()
                expr3 = self.parse_condexpr()
            else:
                expr3 = None
            expr1 = n.CondExprNode(expr2, expr1, expr3, lineno=lineno)
            lineno = stream.current.lineno
        return expr1

    def parse_or(self) -> t.Any:
        stream = self.stream
        lineno = stream.current.lineno
        left = self.parse_and()
        while _is_name_token(stream.current, "or"):
            stream.next()
            right = self.parse_and()
            left = n.OrNode(left, right, lineno=lineno)
            lineno = stream.current.lineno
        return left

    def parse_and(self) -> t.Any:
        stream = self.stream
        lineno = stream.current.lineno
        left = self.parse_not()
        while _is_name_token(stream.current, "and"):
            stream.next()
            right = self.parse_not()
            left = n.AndNode(left, right, lineno=lineno)
            lineno = stream.current.lineno
        return left

    def parse_not(self) -> t.Any:
        if _is_name_token(self.stream.current, "not"):
            lineno = self.stream.next().lineno
            return n.NotNode(self.parse_not(), lineno=lineno)
        return self.parse_compare()

    def parse_compare(self) -> t.Any:
        stream = self.stream
        lineno = stream.current.lineno
        expr = self.parse_math1()
        ops: list[n.OperandNode] = []
        while True:
            token = stream.current
            token_type = token.type
            if token_type in _COMPARE_OPERATORS:
                stream.next()
                ops.append(n.OperandNode(token_type, self.parse_math1()))
            elif _is_name_token(token, "in"):
                stream.next()
                ops.append(n.OperandNode("in", self.parse_math1()))
            elif _is_name_token(token, "not") and stream.look().test("name:in"):
                stream.skip(2)
                ops.append(n.OperandNode("notin", self.parse_math1()))
            else:
                break
            lineno = stream.current.lineno
        if not ops:
            return expr
        return n.CompareNode(expr, ops, lineno=lineno)

    def parse_math1(self) -> t.Any:
        stream = self.stream
        lineno = stream.current.lineno
        left = self.parse_concat()
        while stream.current.type in ("add", "sub"):
            node_class = n.AddNode if stream.next().type == "add" else n.SubNode
            right = self.parse_concat()
            left = node_class(left, right, lineno=lineno)
            lineno = stream.current.lineno
        return left

    def parse_concat(self) -> t.Any:
        stream = self.stream
        lineno = stream.current.lineno
        args = [self.parse_math2()]
        while stream.current.type == "tilde":
            stream.next()
            args.append(self.parse_math2())
        if len(args) == 1:
            return args[0]
        return n.ConcatNode(args, lineno=lineno)

    def parse_math2(self) -> t.Any:
        stream = self.stream
        lineno = stream.current.lineno
        left = self.parse_pow()
        while stream.current.type in _MATH2_NODES:
            node_class = _MATH2_NODES[stream.next().type]
            right = self.parse_pow()
            left = node_class(left, right, lineno=lineno)
            lineno = stream.current.lineno
        return left

    def parse_pow(self) -> t.Any:
        stream = self.stream
        lineno = stream.current.lineno
        left = self.parse_unary()
        while stream.current.type == "pow":
            stream.next()
            right = self.parse_unary()
            left = n.PowNode(left, right, lineno=lineno)
            lineno = stream.current.lineno
        return left

    def parse_unary(self, with_filter: bool = True) -> t.Any:
        token = self.stream.current
        token_type = token.type
        lineno = token.lineno
        if token_type == "sub":
            self.stream.next()
            node = n.NegNode(self.parse_unary(False), lineno=lineno)
        elif token_type == "add":
            self.stream.next()
            node = n.PosNode(self.parse_unary(False), lineno=lineno)
        else:
            node = self.parse_primary()
        node = self.parse_postfix(node)
        if with_filter:
            node = self.parse_filter_expr(node)
        return node

    def parse_primary(self, with_namespace: bool = False) -> t.Any:
        token = self.stream.current
        if token.type == "name":
            if with_namespace and self.stream.look().type == "dot":
                # ``ns.attr`` as an assignment target
                self.stream.next()
                self.stream.next()
                attr = self.stream.expect("name")
                return n.NSRefNode(token.value, attr.value, lineno=token.lineno)
            if token.value in ("true", "false", "True", "False"):
                node = n.ConstNode(token.value in ("true", "True"), lineno=token.lineno)
            elif token.value in ("none", "None"):
                node = n.ConstNode(None, lineno=token.lineno)
            else:
                node = n.NameNode(token.value, "load", lineno=token.lineno)
            self.stream.next()
        elif token.type == "string":
            self.stream.next()
            buf = [token.value]
            lineno = token.lineno
            while self.stream.current.type == "string":
                buf.append(self.stream.current.value)
                self.stream.next()
            node = n.ConstNode("".join(buf), lineno=lineno)
        elif token.type in ("integer", "float"):
            self.stream.next()
            node = n.ConstNode(token.value, lineno=token.lineno)
        elif token.type == "lparen":
            self.stream.next()
            node = self.parse_tuple(explicit_parentheses=True)
            self.stream.expect("rparen")
        elif token.type == "lbracket":
            node = self.parse_list()
        elif token.type == "lbrace":
            node = self.parse_dict()
        else:
            self.fail("unexpected %r" % describe_token(token), token.lineno)
        return node

    def parse_tuple(
        self,
        simplified: bool = False,
        with_condexpr: bool = True,
        extra_end_rules: tuple[str, ...] | None = None,
        explicit_parentheses: bool = False,
        with_namespace: bool = False,
    ) -> t.Any:
        lineno = self.stream.current.lineno
        if simplified:

            def parse() -> t.Any:
                return self.parse_primary(with_namespace=with_namespace)

        elif with_condexpr:
            parse = self.parse_expression
        else:

            def parse() -> t.Any:
                return self.parse_expression(with_condexpr=False)

        args: list[t.Any] = []
        is_tuple = False
        while True:
            if args:
                self.stream.expect("comma")
            if self.is_tuple_end(extra_end_rules):
                break
            args.append(parse())
            if self.stream.current.type == "comma":
                is_tuple = True
            else:
                break
            lineno = self.stream.current.lineno
        if not is_tuple:
            if args:
                return args[0]
            if not explicit_parentheses:
                self.fail(
                    "Expected an expression, got %r" % describe_token(self.stream.current)
                )
        return n.TupleNode(args, "load", lineno=lineno)

    def parse_list(self) -> n.ListNode:
        token = self.stream.expect("lbracket")
        items: list[t.Any] = []
        while self.stream.current.type != "rbracket":
            if items:
                self.stream.expect("comma")
            if self.stream.current.type == "rbracket":
                break
            items.append(self.parse_expression())
        self.stream.expect("rbracket")
        return n.ListNode(items, lineno=token.lineno)

    def parse_dict(self) -> n.DictNode:
        token = self.stream.expect("lbrace")
        items: list[n.PairNode] = []
        while self.stream.current.type != "rbrace":
            if items:
                self.stream.expect("comma")
            if self.stream.current.type == "rbrace":
                break
            key = self.parse_expression()
            self.stream.expect("colon")
            value = self.parse_expression()
            items.append(n.PairNode(key, value, lineno=key.lineno))
        self.stream.expect("rbrace")
        return n.DictNode(items, lineno=token.lineno)

    def parse_postfix(self, node: t.Any) -> t.Any:
        while True:
            token_type = self.stream.current.type
            if token_type == "dot" or token_type == "lbracket":
                node = self.parse_subscript(node)
            elif token_type == "lparen":
                node = self.parse_call(node)
            else:
                break
        return node

    def parse_filter_expr(self, node: t.Any) -> t.Any:
        while True:
            token_type = self.stream.current.type
            if token_type == "pipe":
                node = self.parse_filter(node)
            elif token_type == "name" and self.stream.current.value == "is":
                node = self.parse_test(node)
            elif token_type == "lparen":
                node = self.parse_call(node)
            else:
                break
        return node

    def parse_subscript(self, node: t.Any) -> t.Any:
        token = self.stream.next()
        if token.type == "dot":
            attr_token = self.stream.current
            self.stream.next()
            if attr_token.type == "name":
                return n.GetattrNode(node, attr_token.value, "load", lineno=token.lineno)
            if attr_token.type != "integer":
                self.fail("expected name or number", attr_token.lineno)
            return n.GetitemNode(
                node,
                n.ConstNode(attr_token.value, lineno=token.lineno),
                "load",
                lineno=token.lineno,
            )
        args: list[t.Any] = []
        while self.stream.current.type != "rbracket":
            if args:
                self.stream.expect("comma")
            args.append(self.parse_subscribed())
        self.stream.expect("rbracket")
        if len(args) == 1:
            arg = args[0]
        else:
            arg = n.TupleNode(args, "load", lineno=token.lineno)
        return n.GetitemNode(node, arg, "load", lineno=token.lineno)

    def parse_subscribed(self) -> t.Any:
        lineno = self.stream.current.lineno
        if self.stream.current.type == "colon":
            self.stream.next()
            args: list[t.Any] = [None]
        else:
            node = self.parse_expression()
            if self.stream.current.type != "colon":
                return node
            self.stream.next()
            args = [node]
        if self.stream.current.type == "colon":
            args.append(None)
        elif self.stream.current.type not in ("rbracket", "comma"):
            args.append(self.parse_expression())
        else:
            args.append(None)
        if self.stream.current.type == "colon":
            self.stream.next()
            if self.stream.current.type not in ("rbracket", "comma"):
                args.append(self.parse_expression())
            else:
                args.append(None)
        else:
            args.append(None)
        return n.SliceNode(*args, lineno=lineno)

    def parse_call_args(self) -> tuple[t.Any, t.Any, t.Any, t.Any]:
        token = self.stream.expect("lparen")
        args: list[t.Any] = []
        kwargs: list[n.KeywordNode] = []
        dyn_args = None
        dyn_kwargs = None
        require_comma = False

        def ensure(expr: bool) -> None:
            if not expr:
                self.fail("invalid syntax for function call expression", token.lineno)

        while self.stream.current.type != "rparen":
            if require_comma:
                self.stream.expect("comma")
                if self.stream.current.type == "rparen":
                    break
            if self.stream.current.type == "mul":
                ensure(dyn_args is None and dyn_kwargs is None)
                self.stream.next()
                dyn_args = self.parse_expression()
            elif self.stream.current.type == "pow":
                ensure(dyn_kwargs is None)
                self.stream.next()
                dyn_kwargs = self.parse_expression()
            elif self.stream.current.type == "name" and self.stream.look().type == "assign":
                ensure(dyn_kwargs is None)
                key = self.stream.current.value
                self.stream.skip(2)
                value = self.parse_expression()
                kwargs.append(n.KeywordNode(key, value, lineno=value.lineno))
            else:
                ensure(dyn_args is None and dyn_kwargs is None and not kwargs)
                args.append(self.parse_expression())
            require_comma = True
        self.stream.expect("rparen")
        return args, kwargs, dyn_args, dyn_kwargs

    def parse_call(self, node: t.Any) -> n.CallNode:
        lineno = self.stream.current.lineno
        args, kwargs, dyn_args, dyn_kwargs = self.parse_call_args()
        return n.CallNode(node, args, kwargs, dyn_args, dyn_kwargs, lineno=lineno)

    def parse_test(self, node: t.Any) -> t.Any:
        token = self.stream.expect("name:is")
        if self.stream.current.test("name:not"):
            self.stream.next()
            negated = True
        else:
            negated = False
        name = self.stream.expect("name").value
        while self.stream.current.type == "dot":
            self.stream.next()
            name += "." + self.stream.expect("name").value
        dyn_args = dyn_kwargs = None
        kwargs: list[n.KeywordNode] = []
        current = self.stream.current
        if current.type == "lparen":
            args, kwargs, dyn_args, dyn_kwargs = self.parse_call_args()
        elif current.type in (
            "name",
            "string",
            "integer",
            "float",
            "lparen",
            "lbracket",
            "lbrace",
        ) and not current.test_any("name:else", "name:or", "name:and"):
            if current.test("name:is"):
                self.fail("You cannot chain multiple tests with is")
            arg_node = self.parse_primary()
            arg_node = self.parse_postfix(arg_node)
            args = [arg_node]
        else:
            args = []
        node = n.TestNode(node, name, args, kwargs, dyn_args, dyn_kwargs, lineno=token.lineno)
        if negated:
            node = n.NotNode(node, lineno=token.lineno)
        return node


def _trim_translation_whitespace(text: str) -> str:
    """``trimmed``: collapse each newline and its surrounding whitespace."""
    global _TRIM_WHITESPACE_RE
    if _TRIM_WHITESPACE_RE is None:
        import re

        _TRIM_WHITESPACE_RE = re.compile(r"\s*\n\s*")
    return _TRIM_WHITESPACE_RE.sub(" ", text.strip())
