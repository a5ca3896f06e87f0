"""The syntax tree the parser builds and the compiler reads (Jinja's
``jinja2.nodes``).

Every node lists its ``fields``; children are nodes, lists of nodes, or
plain values.  Statements come first, then expressions.
"""

from __future__ import annotations

import typing as t

from microflask.markup import Markup

__all__ = [
    "NodeType",
    "EvalContext",
    "Impossible",
    "get_eval_context",
    "SyntaxNode",
    "StmtNode",
    "ExprNode",
    "HelperNode",
    "Node",
    "Stmt",
    "Expr",
    "Helper",
    "Template",
    "Output",
    "Extends",
    "For",
    "If",
    "Macro",
    "CallBlock",
    "FilterBlock",
    "With",
    "Block",
    "Include",
    "Import",
    "FromImport",
    "ExprStmt",
    "Assign",
    "AssignBlock",
    "Continue",
    "Break",
    "Scope",
    "OverlayScope",
    "EvalContextModifier",
    "ScopedEvalContextModifier",
    "Name",
    "NSRef",
    "Literal",
    "Const",
    "TemplateData",
    "Tuple",
    "List",
    "Dict",
    "Pair",
    "Keyword",
    "CondExpr",
    "Filter",
    "Test",
    "Call",
    "Getitem",
    "Getattr",
    "Slice",
    "Concat",
    "Compare",
    "Operand",
    "BinExpr",
    "Mul",
    "Div",
    "FloorDiv",
    "Add",
    "Sub",
    "Mod",
    "Pow",
    "And",
    "Or",
    "UnaryExpr",
    "Not",
    "Neg",
    "Pos",
    "EnvironmentAttribute",
    "ExtensionAttribute",
    "ImportedName",
    "InternalName",
    "MarkSafe",
    "MarkSafeIfAutoescape",
    "ContextReference",
    "DerivedContextReference",
    "DebugDumpNode",
]


class EvalContext:
    """Settings that may change while a template renders (autoescape)."""

    def __init__(self, environment: t.Any, template_name: str | None = None) -> None:
        self.environment = environment
        if callable(environment.autoescape):
            self.autoescape = environment.autoescape(template_name)
        else:
            self.autoescape = environment.autoescape
        self.volatile = False

    def save(self) -> t.Mapping[str, t.Any]:
        return self.__dict__.copy()

    def revert(self, old: t.Mapping[str, t.Any]) -> None:
        self.__dict__.clear()
        self.__dict__.update(old)


class Impossible(Exception):
    """A node cannot be evaluated at compile time (raised by ``as_const``)."""


def get_eval_context(node: t.Any, ctx: t.Any) -> t.Any:
    """``ctx``, or a fresh :class:`EvalContext` for the node's environment."""
    if ctx is None:
        if node.environment is None:
            raise RuntimeError(
                "if no eval context is passed, the node must have an attached environment."
            )
        return EvalContext(node.environment)
    return ctx


#: Every node class (each class NodeType makes): ``type(value) in
#: _NODE_CLASSES`` is ``isinstance(value, SyntaxNode)`` without the
#: metaclass's ``__instancecheck__`` call, for the tree walks.
_NODE_CLASSES: set[type] = set()


class NodeType(type):
    """The class of node classes (Jinja's ``NodeType``).

    A node class's ``fields`` and ``attributes`` extend its base's, as in
    Jinja (``class MyCall(nodes.Call): fields = ("extra",)`` has six fields),
    and each class is concrete unless it says ``abstract = True``.
    """

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, t.Any]) -> t.Any:
        for kind in ("fields", "attributes"):
            inherited = getattr(bases[0], kind, ()) if bases else ()
            namespace[kind] = tuple(inherited) + tuple(namespace.get(kind, ()))
        namespace.setdefault("abstract", False)
        cls = super().__new__(mcs, name, bases, namespace)
        _NODE_CLASSES.add(cls)
        return cls


class SyntaxNode(metaclass=NodeType):
    """Base of every tree node (Jinja's ``Node``).

    ``fields`` name the node's children and values, in constructor order;
    ``attributes`` (line number, environment) are keyword arguments.  Fewer
    positional values than fields leave the rest ``None``.  Extensions build
    these nodes directly, and the compiler compiles whatever they return.
    """

    fields: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ("lineno", "environment")
    abstract = True

    def __init__(self, *values: t.Any, **attributes: t.Any) -> None:
        if self.abstract:
            raise TypeError("abstract nodes are not instantiable")
        fields = self.fields
        given = len(values)
        if given > len(fields):
            if not fields:
                raise TypeError("%r takes 0 arguments" % type(self).__name__)
            raise TypeError(
                "%r takes 0 or %d argument%s"
                % (type(self).__name__, len(fields), "s" if len(fields) != 1 else "")
            )
        for name, value in zip(fields, values):
            setattr(self, name, value)
        if given < len(fields):
            for name in fields[given:]:
                setattr(self, name, attributes.pop(name, None))
        self.lineno = attributes.pop("lineno", None)
        self.environment = attributes.pop("environment", None)
        if attributes:
            for name in self.attributes:
                if name in attributes:
                    setattr(self, name, attributes.pop(name))
            if attributes:
                raise TypeError("unknown attribute %r" % next(iter(attributes)))

    def iter_fields(
        self, exclude: t.Container[str] | None = None, only: t.Container[str] | None = None
    ) -> t.Iterator[tuple[str, t.Any]]:
        """``(name, value)`` for each field, filtered by ``exclude`` or ``only``."""
        for name in self.fields:
            if (exclude is None and only is None) or (
                exclude is not None and name not in exclude
            ) or (only is not None and name in only):
                try:
                    yield name, getattr(self, name)
                except AttributeError:
                    pass

    def _children(self) -> list[SyntaxNode]:
        """The direct child nodes, as a list (the compiler's fast path)."""
        children = []
        values = self.__dict__
        node_classes = _NODE_CLASSES
        for name in self.fields:
            value = values.get(name)
            if type(value) is list:
                children += [item for item in value if type(item) in node_classes]
            elif type(value) in node_classes:
                children.append(value)
        return children

    def iter_child_nodes(
        self, exclude: t.Container[str] | None = None, only: t.Container[str] | None = None
    ) -> t.Iterator[SyntaxNode]:
        """The direct child nodes, from fields holding a node or a list of nodes."""
        if exclude is None and only is None:
            yield from self._children()
            return
        for _name, value in self.iter_fields(exclude, only):
            if isinstance(value, SyntaxNode):
                yield value
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, SyntaxNode):
                        yield item

    def find(self, node_type: t.Any) -> t.Any:
        """The first descendant of ``node_type``, or None."""
        for result in self.find_all(node_type):
            return result
        return None

    def find_all(self, node_type: t.Any) -> t.Iterator[t.Any]:
        """Every descendant of ``node_type`` (a class or a tuple of classes), depth first."""
        stack = self._children()[::-1]
        while stack:
            child = stack.pop()
            if isinstance(child, node_type):
                yield child
            stack.extend(child._children()[::-1])

    def set_ctx(self, ctx: str) -> SyntaxNode:
        """Set ``ctx`` (``load``, ``store``, ``param``) on this node and the expressions below."""
        todo = [self]
        while todo:
            node = todo.pop(0)
            if "ctx" in node.fields:
                node.ctx = ctx
            todo.extend(node.iter_child_nodes())
        return self

    def set_lineno(self, lineno: int, override: bool = False) -> SyntaxNode:
        """Give this node and those below it a line number (only where missing, unless
        ``override``)."""
        todo = [self]
        while todo:
            node = todo.pop(0)
            if "lineno" in node.attributes and (node.lineno is None or override):
                node.lineno = lineno
            todo.extend(node.iter_child_nodes())
        return self

    def set_environment(self, environment: t.Any) -> SyntaxNode:
        """Attach ``environment`` to this node and every node below it."""
        todo = [self]
        while todo:
            node = todo.pop(0)
            node.environment = environment
            todo.extend(node.iter_child_nodes())
        return self

    def __eq__(self, other: t.Any) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        return tuple(self.iter_fields()) == tuple(other.iter_fields())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        args = ", ".join("%s=%r" % (name, getattr(self, name, None)) for name in self.fields)
        return "%s(%s)" % (type(self).__name__, args)

    def dump(self) -> str:
        """The tree as ``nodes.X(...)`` text, one expression (for debugging)."""

        def show(node: t.Any) -> str:
            if not isinstance(node, SyntaxNode):
                return (
                    repr(node)
                    if not isinstance(node, list)
                    else "[%s]" % ", ".join(map(show, node))
                )
            values = ", ".join(show(getattr(node, name, None)) for name in node.fields)
            return "nodes.%s(%s)" % (type(node).__name__, values)

        return show(self)


class StmtNode(SyntaxNode):
    """A statement: produces output or changes state (Jinja's ``Stmt``)."""

    abstract = True


class HelperNode(SyntaxNode):
    """A piece of a node that is neither statement nor expression (``Helper``)."""

    abstract = True


class ExprNode(SyntaxNode):
    """An expression: produces a value (Jinja's ``Expr``)."""

    abstract = True

    def as_const(self, eval_ctx: t.Any = None) -> t.Any:
        """The value, computed at compile time; :class:`Impossible` if it cannot be."""
        raise Impossible()

    def can_assign(self) -> bool:
        return False


# -- statements --------------------------------------------------------------


class TemplateNode(SyntaxNode):
    """The whole template: the root of the tree."""

    fields = ("body",)


class OutputNode(StmtNode):
    """Text and ``{{ expressions }}`` written to the output."""

    fields = ("nodes",)


class ExtendsNode(StmtNode):
    fields = ("template",)


class ForNode(StmtNode):
    fields = ("target", "iter", "body", "else_", "test", "recursive")


class IfNode(StmtNode):
    fields = ("test", "body", "elif_", "else_")


class MacroNode(StmtNode):
    fields = ("name", "args", "defaults", "body")


class CallBlockNode(StmtNode):
    """``{% call %}``: calls ``call`` with a ``caller`` macro made of ``body``."""

    fields = ("call", "args", "defaults", "body")


class FilterBlockNode(StmtNode):
    fields = ("body", "filter")


class WithNode(StmtNode):
    fields = ("targets", "values", "body")


class BlockNode(StmtNode):
    fields = ("name", "body", "scoped", "required")


class IncludeNode(StmtNode):
    fields = ("template", "with_context", "ignore_missing")


class ImportNode(StmtNode):
    fields = ("template", "target", "with_context")


class FromImportNode(StmtNode):
    fields = ("template", "names", "with_context")


class ExprStmtNode(StmtNode):
    """An expression evaluated for its effect (``{% do %}``)."""

    fields = ("node",)


class AssignNode(StmtNode):
    fields = ("target", "node")


class AssignBlockNode(StmtNode):
    fields = ("target", "filter", "body")


class ContinueNode(StmtNode):
    pass


class BreakNode(StmtNode):
    pass


class ScopeNode(StmtNode):
    """A body whose assignments do not leak out (extensions use it)."""

    fields = ("body",)


class OverlayScopeNode(StmtNode):
    """A body run with the names of the dict ``context`` as variables."""

    fields = ("context", "body")


class EvalContextModifierNode(StmtNode):
    """Changes eval-context options (``autoescape``...) for the rest of the scope.

    ``options`` is a list of :class:`KeywordNode`.
    """

    fields = ("options",)


class ScopedEvalContextModifierNode(EvalContextModifierNode):
    """Changes eval-context options for ``body`` only (``{% autoescape %}``)."""

    fields = ("body",)  # after the base's ``options``


# -- expressions ---------------------------------------------------------------


class NameNode(ExprNode):
    """A variable; ``ctx`` is ``load``, ``store`` or ``param``."""

    fields = ("name", "ctx")

    def can_assign(self) -> bool:
        return self.name not in ("true", "false", "none", "True", "False", "None")


class NSRefNode(ExprNode):
    """``namespace.attr`` as an assignment target."""

    fields = ("name", "attr")

    def can_assign(self) -> bool:
        return True


class LiteralNode(ExprNode):
    """A literal value (Jinja's ``Literal``)."""

    abstract = True


class ConstNode(LiteralNode):
    """A constant Python value."""

    fields = ("value",)

    def as_const(self, eval_ctx: t.Any = None) -> t.Any:
        return self.value

    @classmethod
    def from_untrusted(
        cls, value: t.Any, lineno: int | None = None, environment: t.Any = None
    ) -> ConstNode:
        """A constant for ``value``, if its repr reads back as the same value."""
        if not _has_safe_repr(value):
            raise Impossible()
        return cls(value, lineno=lineno, environment=environment)


class TemplateDataNode(LiteralNode):
    """Literal template text."""

    fields = ("data",)

    def as_const(self, eval_ctx: t.Any = None) -> t.Any:
        eval_ctx = get_eval_context(self, eval_ctx)
        if eval_ctx.volatile:
            raise Impossible()
        if eval_ctx.autoescape:
            return Markup(self.data)
        return self.data


class TupleNode(LiteralNode):
    fields = ("items", "ctx")

    def as_const(self, eval_ctx: t.Any = None) -> t.Any:
        eval_ctx = get_eval_context(self, eval_ctx)
        return tuple(item.as_const(eval_ctx) for item in self.items)

    def can_assign(self) -> bool:
        return all(item.can_assign() for item in self.items)


class ListNode(LiteralNode):
    fields = ("items",)

    def as_const(self, eval_ctx: t.Any = None) -> t.Any:
        eval_ctx = get_eval_context(self, eval_ctx)
        return [item.as_const(eval_ctx) for item in self.items]


class DictNode(LiteralNode):
    """A dict literal: ``items`` is a list of :class:`PairNode`."""

    fields = ("items",)

    def as_const(self, eval_ctx: t.Any = None) -> t.Any:
        eval_ctx = get_eval_context(self, eval_ctx)
        return dict(item.as_const(eval_ctx) for item in self.items)


class PairNode(HelperNode):
    fields = ("key", "value")

    def as_const(self, eval_ctx: t.Any = None) -> t.Any:
        eval_ctx = get_eval_context(self, eval_ctx)
        return self.key.as_const(eval_ctx), self.value.as_const(eval_ctx)


class KeywordNode(HelperNode):
    """``key=value`` in a call: ``key`` is a string."""

    fields = ("key", "value")

    def as_const(self, eval_ctx: t.Any = None) -> t.Any:
        eval_ctx = get_eval_context(self, eval_ctx)
        return self.key, self.value.as_const(eval_ctx)


class CondExprNode(ExprNode):
    """``expr1 if test else expr2`` (``expr2`` may be None)."""

    fields = ("test", "expr1", "expr2")

    def as_const(self, eval_ctx: t.Any = None) -> t.Any:
        eval_ctx = get_eval_context(self, eval_ctx)
        if self.test.as_const(eval_ctx):
            return self.expr1.as_const(eval_ctx)
        if self.expr2 is None:
            raise Impossible()
        return self.expr2.as_const(eval_ctx)


class FilterNode(ExprNode):
    """``node|name(args)``; ``node`` is None inside a ``{% filter %}`` block."""

    fields = ("node", "name", "args", "kwargs", "dyn_args", "dyn_kwargs")


class TestNode(ExprNode):
    """``node is name(args)``."""

    fields = ("node", "name", "args", "kwargs", "dyn_args", "dyn_kwargs")


class CallNode(ExprNode):
    """``node(args, kwargs, *dyn_args, **dyn_kwargs)``: ``kwargs`` is a list of
    :class:`KeywordNode`."""

    fields = ("node", "args", "kwargs", "dyn_args", "dyn_kwargs")


class GetitemNode(ExprNode):
    fields = ("node", "arg", "ctx")


class GetattrNode(ExprNode):
    """``node.attr``: ``attr`` is a string."""

    fields = ("node", "attr", "ctx")


class SliceNode(ExprNode):
    fields = ("start", "stop", "step")


class ConcatNode(ExprNode):
    """``a ~ b ~ c``: the operands' text, joined."""

    fields = ("nodes",)

    def as_const(self, eval_ctx: t.Any = None) -> t.Any:
        eval_ctx = get_eval_context(self, eval_ctx)
        return "".join(str(node.as_const(eval_ctx)) for node in self.nodes)


class CompareNode(ExprNode):
    """``expr op1 x op2 y``: ``ops`` is a list of :class:`OperandNode`."""

    fields = ("expr", "ops")

    def as_const(self, eval_ctx: t.Any = None) -> t.Any:
        import operator

        eval_ctx = get_eval_context(self, eval_ctx)
        functions = {
            "eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "gteq": operator.ge,
            "lt": operator.lt, "lteq": operator.le,
            "in": lambda a, b: a in b, "notin": lambda a, b: a not in b,
        }
        left = self.expr.as_const(eval_ctx)
        try:
            for operand in self.ops:
                right = operand.expr.as_const(eval_ctx)
                if not functions[operand.op](left, right):
                    return False
                left = right
        except Exception:
            raise Impossible() from None
        return True


class OperandNode(HelperNode):
    fields = ("op", "expr")


class BinExprNode(ExprNode):
    """A binary operation; each subclass names its ``operator``."""

    fields = ("left", "right")
    operator = ""
    abstract = True

    def as_const(self, eval_ctx: t.Any = None) -> t.Any:
        eval_ctx = get_eval_context(self, eval_ctx)
        if (
            eval_ctx.environment.sandboxed
            and self.operator in eval_ctx.environment.intercepted_binops
        ):
            raise Impossible()
        left = self.left.as_const(eval_ctx)
        right = self.right.as_const(eval_ctx)
        try:
            return _apply_binary_operator(self.operator, left, right)
        except Exception:
            raise Impossible() from None


class MulNode(BinExprNode):
    operator = "*"


class DivNode(BinExprNode):
    operator = "/"


class FloorDivNode(BinExprNode):
    operator = "//"


class AddNode(BinExprNode):
    operator = "+"


class SubNode(BinExprNode):
    operator = "-"


class ModNode(BinExprNode):
    operator = "%"


class PowNode(BinExprNode):
    operator = "**"


class AndNode(BinExprNode):
    operator = "and"

    def as_const(self, eval_ctx: t.Any = None) -> t.Any:
        eval_ctx = get_eval_context(self, eval_ctx)
        return self.left.as_const(eval_ctx) and self.right.as_const(eval_ctx)


class OrNode(BinExprNode):
    operator = "or"

    def as_const(self, eval_ctx: t.Any = None) -> t.Any:
        eval_ctx = get_eval_context(self, eval_ctx)
        return self.left.as_const(eval_ctx) or self.right.as_const(eval_ctx)


class UnaryExprNode(ExprNode):
    """A unary operation; each subclass names its ``operator``."""

    fields = ("node",)
    operator = ""
    abstract = True

    def as_const(self, eval_ctx: t.Any = None) -> t.Any:
        eval_ctx = get_eval_context(self, eval_ctx)
        if (
            eval_ctx.environment.sandboxed
            and self.operator in eval_ctx.environment.intercepted_unops
        ):
            raise Impossible()
        value = self.node.as_const(eval_ctx)
        try:
            if self.operator == "not":
                return not value
            return -value if self.operator == "-" else +value
        except Exception:
            raise Impossible() from None


class NotNode(UnaryExprNode):
    operator = "not"


class NegNode(UnaryExprNode):
    operator = "-"


class PosNode(UnaryExprNode):
    operator = "+"


class EnvironmentAttributeNode(ExprNode):
    """An attribute of the environment (``environment.<name>``)."""

    fields = ("name",)


class ExtensionAttributeNode(ExprNode):
    """An attribute of a bound extension (what :meth:`Extension.attr` makes)."""

    fields = ("identifier", "name")


class ImportedNameNode(ExprNode):
    """The object at an import path (``"package.module.name"``), imported at compile time."""

    fields = ("importname",)


class InternalNameNode(ExprNode):
    """A compiler-made name no template can write (from ``Parser.free_identifier``)."""

    fields = ("name",)

    def __init__(self, *values: t.Any, **attributes: t.Any) -> None:
        raise TypeError(
            "Can't create internal names. Use the `free_identifier` method on a parser."
        )


class MarkSafeNode(ExprNode):
    """The value as :class:`~microflask.markup.Markup`."""

    fields = ("expr",)

    def as_const(self, eval_ctx: t.Any = None) -> t.Any:
        eval_ctx = get_eval_context(self, eval_ctx)
        return Markup(self.expr.as_const(eval_ctx))


class MarkSafeIfAutoescapeNode(ExprNode):
    """The value as Markup when the template autoescapes (``{% trans %}``)."""

    fields = ("expr",)

    def as_const(self, eval_ctx: t.Any = None) -> t.Any:
        eval_ctx = get_eval_context(self, eval_ctx)
        if eval_ctx.volatile:
            raise Impossible()
        value = self.expr.as_const(eval_ctx)
        return Markup(value) if eval_ctx.autoescape else value


class ContextReferenceNode(ExprNode):
    """The active render context itself (compiles to ``context``)."""


class DerivedContextReferenceNode(ExprNode):
    """A copy of the render context that also holds the current local
    template variables (compiles to ``context.derived({...})``)."""


class DebugDumpNode(ExprNode):
    """``{% debug %}``: a readable dump of the context, filters and tests."""


def _apply_binary_operator(operator_text: str, left: t.Any, right: t.Any) -> t.Any:
    if operator_text == "+":
        return left + right
    if operator_text == "-":
        return left - right
    if operator_text == "*":
        return left * right
    if operator_text == "/":
        return left / right
    if operator_text == "//":
        return left // right
    if operator_text == "%":
        return left % right
    return left**right


def _has_safe_repr(value: t.Any) -> bool:
    """Whether ``repr(value)`` reads back as the same value (what a constant may hold)."""
    if value is None or value is NotImplemented or value is Ellipsis:
        return True
    if type(value) in (bool, int, float, complex, str, bytes):
        return True
    if type(value) in (tuple, list, set, frozenset):
        return all(_has_safe_repr(item) for item in value)
    if type(value) is dict:
        return all(_has_safe_repr(k) and _has_safe_repr(v) for k, v in value.items())
    return False


# -- Jinja's names --------------------------------------------------------------
# Extensions written for Jinja build trees with these names (``nodes.Const``,
# ``nodes.CallBlock``...).  The classes carry unique names so the single-file
# bundle can hold every module in one namespace; these lines bind Jinja's.
Node = SyntaxNode
Stmt = StmtNode
Expr = ExprNode
Helper = HelperNode
Template = TemplateNode
Output = OutputNode
Extends = ExtendsNode
For = ForNode
If = IfNode
Macro = MacroNode
CallBlock = CallBlockNode
FilterBlock = FilterBlockNode
With = WithNode
Block = BlockNode
Include = IncludeNode
Import = ImportNode
FromImport = FromImportNode
ExprStmt = ExprStmtNode
Assign = AssignNode
AssignBlock = AssignBlockNode
Continue = ContinueNode
Break = BreakNode
Scope = ScopeNode
OverlayScope = OverlayScopeNode
EvalContextModifier = EvalContextModifierNode
ScopedEvalContextModifier = ScopedEvalContextModifierNode
Name = NameNode
NSRef = NSRefNode
Literal = LiteralNode
Const = ConstNode
TemplateData = TemplateDataNode
Tuple = TupleNode
List = ListNode
Dict = DictNode
Pair = PairNode
Keyword = KeywordNode
CondExpr = CondExprNode
Filter = FilterNode
Test = TestNode
Call = CallNode
Getitem = GetitemNode
Getattr = GetattrNode
Slice = SliceNode
Concat = ConcatNode
Compare = CompareNode
Operand = OperandNode
BinExpr = BinExprNode
Mul = MulNode
Div = DivNode
FloorDiv = FloorDivNode
Add = AddNode
Sub = SubNode
Mod = ModNode
Pow = PowNode
And = AndNode
Or = OrNode
UnaryExpr = UnaryExprNode
Not = NotNode
Neg = NegNode
Pos = PosNode
EnvironmentAttribute = EnvironmentAttributeNode
ExtensionAttribute = ExtensionAttributeNode
ImportedName = ImportedNameNode
InternalName = InternalNameNode
MarkSafe = MarkSafeNode
MarkSafeIfAutoescape = MarkSafeIfAutoescapeNode
ContextReference = ContextReferenceNode
DerivedContextReference = DerivedContextReferenceNode


def _name_classes_as_jinja_does() -> None:
    """Give each node class Jinja's name (``ConstNode`` shows as ``Const``).

    Extension code prints, compares and dispatches on ``type(node).__name__``
    as Jinja names it; the module-level names above stay unique for the bundle.
    """
    todo = [SyntaxNode]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__ == SyntaxNode.__module__ and cls.__name__.endswith("Node"):
            cls.__name__ = cls.__qualname__ = cls.__name__[: -len("Node")] or "Node"
    SyntaxNode.__name__ = SyntaxNode.__qualname__ = "Node"


_name_classes_as_jinja_does()
