"""Questions about a parsed template (Jinja's ``jinja2.meta``).

Which variables a template expects from its context, and which other
templates it extends, includes or imports.
"""

from __future__ import annotations

import typing as t

from microflask.templating import nodes
from microflask.templating.compiler import CodeGenerator

__all__ = ["find_undeclared_variables", "find_referenced_templates"]


class _NullEnvironment:
    """Just enough of an environment to run the code generator for analysis."""

    autoescape = False
    finalize = None
    sandboxed = False
    intercepted_binops: frozenset[str] = frozenset()
    intercepted_unops: frozenset[str] = frozenset()

    def __init__(self, environment: t.Any) -> None:
        self.filters = _AnyName(getattr(environment, "filters", {}))
        self.tests = _AnyName(getattr(environment, "tests", {}))


class _AnyName(dict):
    """A filter/test table that knows every name (analysis only)."""

    def get(self, key: t.Any, default: t.Any = None) -> t.Any:
        return super().get(key, _any_callable)


def _any_callable(*args: t.Any, **kwargs: t.Any) -> None:
    return None


def find_undeclared_variables(ast: nodes.TemplateNode, environment: t.Any = None) -> set[str]:
    """The names the template reads from its render context (those it
    does not set itself first)."""
    if environment is None:
        environment = getattr(ast, "environment", None)
    generator = CodeGenerator(_NullEnvironment(environment), None, None)
    # Folding would skip the names in constant-decided branches
    # (``x if false else 1``); Jinja reports them.
    generator.fold_constants = False
    generator.generate(ast)
    names = set(generator.undeclared_names)
    if environment is not None:
        names.difference_update(environment.globals)
    return names


def _referenced_names(template: t.Any) -> t.Iterator[str | None]:
    if isinstance(template, nodes.ConstNode):
        if isinstance(template.value, str):
            yield template.value
        elif isinstance(template.value, (list, tuple)):
            for item in template.value:
                yield item if isinstance(item, str) else None
        else:
            yield None
    elif isinstance(template, (nodes.TupleNode, nodes.ListNode)):
        for item in template.items:
            if isinstance(item, nodes.ConstNode) and isinstance(item.value, str):
                yield item.value
            else:
                yield None
    else:
        yield None


def find_referenced_templates(ast: nodes.TemplateNode) -> t.Iterator[str | None]:
    """Each template name used by extends/include/import/from, in order;
    ``None`` where the name is only known at render time."""
    kinds = (nodes.ExtendsNode, nodes.IncludeNode, nodes.ImportNode, nodes.FromImportNode)
    for node in ast.find_all(kinds):
        yield from _referenced_names(node.template)
