"""Walking and rewriting template syntax trees (Jinja's ``jinja2.visitor``).

:class:`NodeVisitor` calls ``visit_<NodeClassName>`` for each node it meets
(``visit_Const``, ``visit_For``...: the node classes carry Jinja's names) and
otherwise walks on into the node's children.  :class:`NodeTransformer` does
the same but replaces each child with what its visitor returns, which lets
extensions and tools rewrite a parsed tree before it is compiled.
"""

from __future__ import annotations

import typing as t

from microflask.templating.nodes import SyntaxNode

__all__ = ["NodeVisitor", "NodeTransformer"]


class NodeVisitor:
    """Walks a tree: for each node, ``visit_<class name>`` if the subclass
    defines it, else :meth:`generic_visit`.  Extra arguments to :meth:`visit`
    are passed on to every visitor method."""

    def get_visitor(self, node: SyntaxNode) -> t.Callable[..., t.Any] | None:
        """The method that handles ``node``'s class, or ``None``."""
        return getattr(self, "visit_" + type(node).__name__, None)

    def visit(self, node: SyntaxNode, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Visit one node; returns what its visitor method returns."""
        visitor = self.get_visitor(node)
        if visitor is not None:
            return visitor(node, *args, **kwargs)
        return self.generic_visit(node, *args, **kwargs)

    def generic_visit(self, node: SyntaxNode, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Visit every direct child of ``node`` (for nodes with no visitor)."""
        for child in node.iter_child_nodes():
            self.visit(child, *args, **kwargs)


class NodeTransformer(NodeVisitor):
    """A visitor whose visitor methods return the node to put in place of
    the one visited.

    Returning ``None`` removes the node: from a list field it is dropped, a
    single-node field is deleted from its parent.  In a list field a visitor
    may also return a list (any non-node iterable) of nodes that take the
    place of the one node.
    """

    def generic_visit(self, node: SyntaxNode, *args: t.Any, **kwargs: t.Any) -> SyntaxNode:
        for field, value in node.iter_fields():
            if isinstance(value, list):
                replaced: list[t.Any] = []
                for item in value:
                    if not isinstance(item, SyntaxNode):
                        replaced.append(item)
                        continue
                    result = self.visit(item, *args, **kwargs)
                    if result is None:
                        continue
                    if isinstance(result, SyntaxNode):
                        replaced.append(result)
                    else:
                        replaced.extend(result)
                # Change the list itself: other references to it see the edit.
                value[:] = replaced
            elif isinstance(value, SyntaxNode):
                result = self.visit(value, *args, **kwargs)
                if result is None:
                    delattr(node, field)
                else:
                    setattr(node, field, result)
        return node

    def visit_list(self, node: SyntaxNode, *args: t.Any, **kwargs: t.Any) -> list[t.Any]:
        """:meth:`visit`, with the result always a list."""
        result = self.visit(node, *args, **kwargs)
        if not isinstance(result, list):
            return [result]
        return result
