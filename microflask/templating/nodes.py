"""The syntax tree the parser builds and the compiler reads (Jinja's
``jinja2.nodes``).

Every node lists its ``fields``; children are nodes, lists of nodes, or
plain values.  Statements come first, then expressions.
"""

from __future__ import annotations

import typing as t

__all__ = [
    "EvalContext",
    "SyntaxNode",
    "StmtNode",
    "ExprNode",
    "HelperNode",
    "ContextReferenceNode",
    "DerivedContextReferenceNode",
    "DebugDumpNode",
    "ContextReference",
    "DerivedContextReference",
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


class SyntaxNode:
    """Base of every tree node: positional fields plus a line number."""

    fields: t.Tuple[str, ...] = ()
    lineno: int = 1

    def __init__(self, *values: t.Any, lineno: int | None = None) -> None:
        if len(values) > len(self.fields):
            raise TypeError("%s takes at most %d fields" % (type(self).__name__, len(self.fields)))
        for name, value in zip(self.fields, values):
            setattr(self, name, value)
        for name in self.fields[len(values) :]:
            setattr(self, name, None)
        if lineno is not None:
            self.lineno = lineno

    def iter_child_nodes(self) -> t.Iterator[SyntaxNode]:
        for name in self.fields:
            value = getattr(self, name)
            if isinstance(value, SyntaxNode):
                yield value
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, SyntaxNode):
                        yield item

    def find_all(self, node_type: t.Any) -> t.Iterator[SyntaxNode]:
        for child in self.iter_child_nodes():
            if isinstance(child, node_type):
                yield child
            yield from child.find_all(node_type)

    def __repr__(self) -> str:
        args = ", ".join("%s=%r" % (name, getattr(self, name, None)) for name in self.fields)
        return "%s(%s)" % (type(self).__name__, args)


class StmtNode(SyntaxNode):
    """A statement: produces output or changes state."""


class ExprNode(SyntaxNode):
    """An expression: produces a value."""


class HelperNode(SyntaxNode):
    """A piece of a node that is neither statement nor expression."""


# -- statements --------------------------------------------------------------


class TemplateNode(SyntaxNode):
    fields = ("body",)


class OutputNode(StmtNode):
    fields = ("nodes",)


class TemplateDataNode(ExprNode):
    fields = ("data",)


class ForNode(StmtNode):
    fields = ("target", "iter", "body", "else_", "test", "recursive")


class IfNode(StmtNode):
    fields = ("test", "body", "elif_", "else_")


class MacroNode(StmtNode):
    fields = ("name", "args", "defaults", "body")


class CallBlockNode(StmtNode):
    fields = ("call", "args", "defaults", "body")


class FilterBlockNode(StmtNode):
    fields = ("body", "filter")


class WithNode(StmtNode):
    fields = ("targets", "values", "body")


class BlockNode(StmtNode):
    fields = ("name", "body", "scoped", "required")


class ExtendsNode(StmtNode):
    fields = ("template",)


class IncludeNode(StmtNode):
    fields = ("template", "with_context", "ignore_missing")


class ImportNode(StmtNode):
    fields = ("template", "target", "with_context")


class FromImportNode(StmtNode):
    fields = ("template", "names", "with_context")


class ExprStmtNode(StmtNode):
    fields = ("node",)


class AssignNode(StmtNode):
    fields = ("target", "node")


class AssignBlockNode(StmtNode):
    fields = ("target", "filter", "body")


class BreakNode(StmtNode):
    pass


class ContinueNode(StmtNode):
    pass


class AutoEscapeNode(StmtNode):
    """``{% autoescape value %}``: Jinja's ScopedEvalContextModifier."""

    fields = ("value", "body")


# -- expressions ---------------------------------------------------------------


class NameNode(ExprNode):
    fields = ("name", "ctx")


class NSRefNode(ExprNode):
    fields = ("name", "attr")


class ConstNode(ExprNode):
    fields = ("value",)


class TupleNode(ExprNode):
    fields = ("items", "ctx")


class ListNode(ExprNode):
    fields = ("items",)


class DictNode(ExprNode):
    fields = ("items",)


class PairNode(HelperNode):
    fields = ("key", "value")


class KeywordNode(HelperNode):
    fields = ("key", "value")


class CondExprNode(ExprNode):
    fields = ("test", "expr1", "expr2")


class BinExprNode(ExprNode):
    fields = ("op", "left", "right")


class ConcatNode(ExprNode):
    fields = ("nodes",)


class CompareNode(ExprNode):
    fields = ("expr", "ops")


class OperandNode(HelperNode):
    fields = ("op", "expr")


class AndNode(ExprNode):
    fields = ("left", "right")


class OrNode(ExprNode):
    fields = ("left", "right")


class NotNode(ExprNode):
    fields = ("node",)


class NegNode(ExprNode):
    fields = ("node",)


class PosNode(ExprNode):
    fields = ("node",)


class GetattrNode(ExprNode):
    fields = ("node", "attr")


class GetitemNode(ExprNode):
    fields = ("node", "arg")


class SliceNode(ExprNode):
    fields = ("start", "stop", "step")


class CallNode(ExprNode):
    fields = ("node", "args", "kwargs", "dyn_args", "dyn_kwargs")


class FilterNode(ExprNode):
    fields = ("node", "name", "args", "kwargs", "dyn_args", "dyn_kwargs")


class TestNode(ExprNode):
    fields = ("node", "name", "args", "kwargs", "dyn_args", "dyn_kwargs")


class ContextReferenceNode(ExprNode):
    """The active render context itself (compiles to ``context``)."""


class DerivedContextReferenceNode(ExprNode):
    """A copy of the render context that also holds the current local
    template variables (compiles to ``context.derived({...})``)."""


class DebugDumpNode(ExprNode):
    """``{% debug %}``: a readable dump of the context, filters and tests."""


# Jinja's names for the two context nodes, which extension code names
# directly (``nodes.ContextReference``).
ContextReference = ContextReferenceNode
DerivedContextReference = DerivedContextReferenceNode


class MarkSafeIfAutoescapeNode(ExprNode):
    """The value as Markup when the template autoescapes (``{% trans %}``)."""

    fields = ("expr",)
