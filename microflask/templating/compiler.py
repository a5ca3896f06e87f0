"""Writes Python source from a template's syntax tree (Jinja's
``jinja2.compiler``).

The output is a small, readable Python module: a ``root`` generator for the
template body, one ``block_<name>`` generator per block, a ``blocks`` dict
and ``debug_info``.  Template variables become Python locals named
``l_<frame>_<name>``; each scope (loop body, macro, ``with``...) gets its own
frame number so an assignment inside it cannot leak out.  Print
``Environment.generate_source(source)`` to read what a template becomes.

Each generated line remembers its template line; the environment rewrites
the code's line numbers to those, so a traceback points into the template.
"""

from __future__ import annotations

import operator
import typing as t
from keyword import iskeyword

from microflask.markup import Markup, escape
from microflask.templating import nodes as n
from microflask.templating.exceptions import TemplateAssertionError
from microflask.templating.runtime import (
    UNSAFE_ATTRIBUTE_NAMES,
    safe_modulo,
    safe_multiply,
    safe_power,
)

__all__ = ["CodeGenerator", "generate"]

_COMPARE_OPERATOR_TEXT = {
    "eq": "==",
    "ne": "!=",
    "gt": ">",
    "gteq": ">=",
    "lt": "<",
    "lteq": "<=",
    "in": "in",
    "notin": "not in",
}
_GUARDED_BINARY_OPERATORS = {"*": "safe_multiply", "**": "safe_power", "%": "safe_modulo"}
_DICT_ATTRIBUTE_NAMES = frozenset(dir(dict))
#: ``loop`` attributes read directly (the compiler knows the object is a LoopContext).
_LOOP_INTEGER_ATTRIBUTES = frozenset(
    "index index0 revindex revindex0 length depth depth0".split()
)
_LOOP_ATTRIBUTES = frozenset(
    "index index0 revindex revindex0 first last length depth depth0 previtem nextitem"
    " cycle changed".split()
)


# Expressions whose value is never known at compile time: the folding
# evaluator stops at them at once (most expressions are or contain a name).
_NEVER_CONSTANT_NODES = frozenset(
    [n.NameNode, n.NSRefNode, n.CallNode, n.ContextReferenceNode, n.DerivedContextReferenceNode]
)


def _statements_of_type(body: list[t.Any], node_type: t.Any) -> list[t.Any]:
    """Every statement of ``node_type`` in ``body`` and the bodies nested in it.

    Statements only nest in statements, so expression subtrees are skipped:
    the compiler's look for blocks costs a walk of the statements alone.
    (``StmtNode in type(value).__mro__`` is ``isinstance`` without the
    metaclass's ``__instancecheck__`` call, on every field of every statement.)
    """
    found = []
    stack = list(reversed(body))
    statement_class = n.StmtNode
    while stack:
        node = stack.pop()
        if isinstance(node, node_type):
            found.append(node)
        values = node.__dict__
        children = []
        for name in node.fields:
            value = values.get(name)
            if type(value) is list:
                children += [item for item in value if statement_class in type(item).__mro__]
            elif statement_class in type(value).__mro__:
                children.append(value)
        children.reverse()  # popped in source order
        stack += children
    return found


# -- scope analysis --------------------------------------------------------


def _target_names(target: t.Any) -> list[str]:
    if isinstance(target, n.NameNode):
        return [target.name]
    if isinstance(target, n.TupleNode):
        names: list[str] = []
        for item in target.items:
            names.extend(_target_names(item))
        return names
    return []


def _body_has_set_statement(body: list[t.Any]) -> bool:
    """Whether a scope's own statements (``if`` branches included) hold a
    ``{% set %}``."""
    for node in body:
        if isinstance(node, (n.AssignNode, n.AssignBlockNode)):
            return True
        if isinstance(node, n.IfNode):
            if _body_has_set_statement(node.body) or _body_has_set_statement(node.else_):
                return True
            if any(_body_has_set_statement(elif_node.body) for elif_node in node.elif_):
                return True
    return False


def _names_stored_in_frame(body: list[t.Any]) -> list[str]:
    """Names a frame's own statements assign (not those of nested scopes)."""
    found: dict[str, None] = {}

    def visit(node: t.Any) -> None:
        if isinstance(node, (n.AssignNode, n.AssignBlockNode)):
            for name in _target_names(node.target):
                found[name] = None
        elif isinstance(node, n.MacroNode):
            found[node.name] = None
        elif isinstance(node, n.ImportNode):
            found[node.target] = None
        elif isinstance(node, n.FromImportNode):
            for item in node.names:
                found[item[1] if isinstance(item, tuple) else item] = None
        elif isinstance(node, n.IfNode):
            for child in node.body:
                visit(child)
            for elif_node in node.elif_:
                visit(elif_node)
            for child in node.else_:
                visit(child)

    for statement in body:
        visit(statement)
    return list(found)


def _expression_loads(node: t.Any, seen: dict[str, str]) -> None:
    """Record the names an expression reads ("load", unless ``seen`` has them).

    An expression only reads, so the order the walk meets its names in
    changes nothing: each name's mode depends on that name alone.
    """
    if not isinstance(node, n.SyntaxNode):
        return
    stack = [node]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is n.NameNode or isinstance(node, n.NameNode):
            if node.ctx == "load" and node.name not in seen:
                seen[node.name] = "load"
        elif kind is n.NSRefNode or isinstance(node, n.NSRefNode):
            if node.name not in seen:
                seen[node.name] = "load"
        else:
            stack += node._children()


def _analyze_frame_statements(body: list[t.Any], seen: dict[str, str]) -> None:
    """Jinja's per-frame symbol analysis: for each name, whether this
    frame's own code first reads it ("load") or first assigns it ("store").

    Nested scopes (loop bodies, macro bodies, blocks...) are not entered;
    only the parts of them evaluated in this frame (a loop's iterable, a
    ``with``'s values) are.  A name assigned in only some branches of an
    ``if`` counts as read, so it starts from its outer value.
    """
    for node in body:
        # The commonest statements are tested first (the classes are disjoint).
        if isinstance(node, (n.OutputNode, n.ExprStmtNode, n.ExtendsNode, n.IncludeNode)):
            _expression_loads(node, seen)
        elif isinstance(node, n.IfNode):
            _expression_loads(node.test, seen)
            branches = [node.body] + [elif_node for elif_node in node.elif_] + [node.else_]
            results = []
            for branch in branches:
                # Each name's mode depends on that name alone: a branch is
                # analyzed on its own, then the names known before are dropped.
                branch_seen: dict[str, str] = {}
                if isinstance(branch, n.IfNode):
                    _analyze_frame_statements([branch], branch_seen)
                else:
                    _analyze_frame_statements(branch, branch_seen)
                results.append({k: v for k, v in branch_seen.items() if k not in seen})
            for result in results:
                for name, mode in result.items():
                    everywhere = all(r.get(name) == "store" for r in results)
                    seen[name] = "store" if mode == "store" and everywhere else "load"
        elif isinstance(node, n.AssignNode):
            _expression_loads(node.node, seen)
            if isinstance(node.target, (n.NSRefNode, n.TupleNode)):
                _expression_loads(node.target, seen)
            for name in _target_names(node.target):
                seen.setdefault(name, "store")
        elif isinstance(node, n.AssignBlockNode):
            if isinstance(node.target, n.NSRefNode):
                _expression_loads(node.target, seen)
            for name in _target_names(node.target):
                seen.setdefault(name, "store")
        elif isinstance(node, n.MacroNode):
            seen.setdefault(node.name, "store")
        elif isinstance(node, n.ImportNode):
            _expression_loads(node.template, seen)
            seen.setdefault(node.target, "store")
        elif isinstance(node, n.FromImportNode):
            _expression_loads(node.template, seen)
            for item in node.names:
                seen.setdefault(item[1] if isinstance(item, tuple) else item, "store")
        elif isinstance(node, n.ForNode):
            _expression_loads(node.iter, seen)
        elif isinstance(node, n.WithNode):
            for value in node.values:
                _expression_loads(value, seen)
        elif isinstance(node, n.CallBlockNode):
            _expression_loads(node.call, seen)
        elif isinstance(node, n.FilterBlockNode):
            _expression_loads(node.filter, seen)
        elif isinstance(node, n.EvalContextModifierNode):
            for option in node.options:
                _expression_loads(option.value, seen)


def _references_name(nodes_: t.Iterable[t.Any], name: str) -> bool:
    """Does any of these nodes read ``name`` in its own scope chain?"""
    for node in nodes_:
        if isinstance(node, n.NameNode):
            if node.name == name and node.ctx == "load":
                return True
            continue
        if isinstance(node, n.ForNode):
            if _references_name([node.iter], name) or _references_name(node.else_, name):
                return True
            if name != "loop" and (
                _references_name(node.body, name)
                or (node.test is not None and _references_name([node.test], name))
            ):
                return True
            continue
        if isinstance(node, n.BlockNode):
            if name == "loop" and node.scoped and _references_name(node.body, name):
                return True
            continue
        if _references_name(node._children(), name):
            return True
    return False


def _names_read_in_scope(nodes_: t.Iterable[t.Any], names: t.AbstractSet[str]) -> set[str]:
    """Which of ``names`` these nodes read in their own scope chain: for
    each name but ``loop``, what ``_references_name`` answers, in one walk."""
    assert "loop" not in names
    found: set[str] = set()
    stack = list(nodes_)
    while stack:
        node = stack.pop()
        if isinstance(node, n.NameNode):
            if node.ctx == "load" and node.name in names:
                found.add(node.name)
        elif isinstance(node, n.ForNode):
            stack.append(node.iter)
            stack += node.else_
            stack += node.body
            if node.test is not None:
                stack.append(node.test)
        elif not isinstance(node, n.BlockNode):
            stack += node._children()
    return found


_COUNTER_LOOP_ATTRIBUTES = frozenset(["index", "index0", "first"])


def _loop_needs_only_a_counter(body: list[t.Any]) -> bool:
    """True when a loop body uses ``loop`` only as ``loop.index``,
    ``loop.index0``, ``loop.first`` or ``loop.cycle(a, b, ...)``: then a
    plain ``enumerate`` counter stands in for the LoopContext."""

    def fine(node: t.Any, ancestors: list[t.Any]) -> bool:
        if isinstance(node, n.NameNode) and node.name == "loop":
            if node.ctx != "load":
                return False
            parent = ancestors[-1] if ancestors else None
            if not isinstance(parent, n.GetattrNode) or parent.node is not node:
                return False
            if parent.attr in _COUNTER_LOOP_ATTRIBUTES:
                return True
            grandparent = ancestors[-2] if len(ancestors) > 1 else None
            return (
                parent.attr == "cycle"
                and isinstance(grandparent, n.CallNode)
                and grandparent.node is parent
                and bool(grandparent.args)
                and not grandparent.kwargs
                and grandparent.dyn_args is None
                and grandparent.dyn_kwargs is None
            )
        if isinstance(node, n.IncludeNode):
            return False
        if isinstance(node, (n.ImportNode, n.FromImportNode)) and node.with_context:
            return False
        if isinstance(node, n.BlockNode):
            return not node.scoped
        if isinstance(node, n.MacroNode) and any(arg.name == "loop" for arg in node.args):
            return True
        if isinstance(node, (n.AssignNode, n.AssignBlockNode)) and "loop" in _target_names(
            node.target
        ):
            return False
        if isinstance(node, n.ForNode):
            children = [node.iter] + list(node.else_)
        else:
            children = node._children()
        ancestors.append(node)
        try:
            return all(fine(child, ancestors) for child in children)
        finally:
            ancestors.pop()

    return all(fine(statement, []) for statement in body)


def _python_name_fragment(name: str) -> str:
    """``name`` made fit to end a Python identifier (``l_0_<name>``): a
    character Python refuses there becomes ``_``."""
    if name.isidentifier():
        return name  # each of its characters may already continue one
    return "".join(ch if ("_" + ch).isidentifier() else "_" for ch in name)


def _is_plain_python_name(name: str) -> bool:
    """Can ``name`` be written as is in Python (``name=value`` in a call,
    ``obj.name``)?  Not a keyword (``class``, ``for``) nor a non-identifier;
    soft keywords (``match``, ``type``) are fine."""
    return name.isidentifier() and not iskeyword(name)


def _attribute_code(obj: str, name: str) -> str:
    """``obj.name`` as Python source, whatever the name."""
    if _is_plain_python_name(name):
        return "%s.%s" % (obj, name)
    return "getattr(%s, %r)" % (obj, name)


def _identifier_as_python_reads_it(name: str) -> str:
    """Python NFKC-normalizes identifiers: the ligature U+FB01 and ``fi``
    are one name to it."""
    if name.isascii():
        return name
    import unicodedata

    return unicodedata.normalize("NFKC", name)


# -- constant folding ------------------------------------------------------
#
# As Jinja's optimizer does, an expression whose parts are all constant is
# computed while compiling and written as its value.  Some results differ
# from computing it at render time, and Jinja's are the ones kept: ``~``
# joins into a plain str (``'<b>'|safe ~ '<i>'`` loses the Markup), and a
# filter on constants runs once, here.  Filters that take the context are
# never run early; anything that raises is left for render time.

#: Expressions tried for folding wherever they appear (Jinja's
#: ``optimizeconst`` visitors); anything else folds only as part of these,
#: or as a whole ``{{ }}`` output.
_FOLDED_EXPRESSION_NODES = (
    n.ConcatNode,
    n.CompareNode,
    n.GetattrNode,
    n.GetitemNode,
    n.FilterNode,
    n.TestNode,
    n.CondExprNode,
    n.BinExprNode,
    n.AndNode,
    n.OrNode,
    n.UnaryExprNode,
    n.NotNode,
    n.NegNode,
    n.PosNode,
)
#: The same as a set: ``not _FOLDED_EXPRESSION_CLASSES.isdisjoint(type(node).__mro__)``
#: is ``isinstance(node, _FOLDED_EXPRESSION_NODES)`` without a metaclass
#: ``__instancecheck__`` call per class (most expressions are none of them).
_FOLDED_EXPRESSION_CLASSES = frozenset(_FOLDED_EXPRESSION_NODES)
_COMPILE_TIME_BINARY_OPERATORS: dict[str, t.Callable[[t.Any, t.Any], t.Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": safe_multiply,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": safe_modulo,
    "**": safe_power,
}
_COMPILE_TIME_COMPARISONS: dict[str, t.Callable[[t.Any, t.Any], t.Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gteq": operator.ge,
    "lt": operator.lt,
    "lteq": operator.le,
    "in": lambda left, right: left in right,
    "notin": lambda left, right: left not in right,
}


class _NotConstantError(Exception):
    """An expression cannot be computed while compiling."""


#: What :meth:`CodeGenerator._folded_value` returns for such an expression.
_NOT_CONSTANT = object()


def _python_code_for_constant(value: t.Any) -> str | None:
    """Python source that rebuilds ``value`` (Jinja's safe repr), or None."""
    kind = type(value)
    if value is None or kind in (bool, int, str):
        try:
            return repr(value)
        except ValueError:  # an int too long to print
            return None
    if kind is float:
        if value != value:
            return "float('nan')"
        if value in (float("inf"), float("-inf")):
            return "float(%r)" % repr(value)
        return repr(value)
    if kind is Markup:
        return "Markup(%r)" % str(value)
    if kind in (tuple, list):
        items = [_python_code_for_constant(item) for item in value]
        if None in items:
            return None
        if kind is list:
            return "[%s]" % ", ".join(items)  # type: ignore[arg-type]
        return "(%s,)" % items[0] if len(items) == 1 else "(%s)" % ", ".join(items)  # type: ignore[arg-type]
    if kind is dict:
        pairs = []
        for key, item in value.items():
            key_code = _python_code_for_constant(key)
            item_code = _python_code_for_constant(item)
            if key_code is None or item_code is None:
                return None
            pairs.append("%s: %s" % (key_code, item_code))
        return "{%s}" % ", ".join(pairs)
    return None


# -- compile-time frames ---------------------------------------------------


class _FunctionScope:
    """One generated Python function and what its header must set up."""

    def __init__(self, kind: str, outer: _FunctionScope | None, buffer: str | None) -> None:
        self.kind = kind
        self.outer = outer
        self.buffer = buffer
        self.resolved: dict[str, str] = {}
        self.initially_missing: list[str] = []
        self.base_frame: _CompileFrame | None = None
        self.block_name: str | None = None
        self.block_function: str | None = None
        # Whether its own code yields (else an ``if 0: yield None`` line
        # makes it a generator all the same).
        self.yields = False

    @property
    def outermost(self) -> _FunctionScope:
        scope = self
        while scope.outer is not None:
            scope = scope.outer
        return scope


class _CompileFrame:
    """One template scope while compiling: which names it binds and how
    its output is written."""

    def __init__(
        self,
        frame_id: int,
        function: _FunctionScope,
        parent: _CompileFrame | None,
    ) -> None:
        self.id = frame_id
        self.function = function
        self.parent = parent
        self.symbols: dict[str, str] = {}
        self.stored: set[str] = set()
        # Names this frame's own code reads or assigns (Jinja's frame refs).
        self.own_refs: set[str] = set()
        if parent is not None:
            self.autoescape = parent.autoescape
            self.volatile = parent.volatile
            self.soft = parent.soft
            self.require_output_check = parent.require_output_check
            self.in_loop = parent.in_loop
        else:
            self.autoescape = False
            self.volatile = False
            self.soft = False
            self.require_output_check = False
            self.in_loop = False
        self.toplevel = False
        # Dicts of the names ``{% set %}`` assigned so far in the enclosing
        # loop body / block, handed to pass_context callables as Jinja does.
        # ``owns_scope_vars`` marks the frame whose sets record into them.
        self.loop_vars_ref: str | None = None
        self.block_vars_ref: str | None = None
        self.owns_scope_vars = False
        if parent is not None and parent.function is function:
            self.buffer = parent.buffer
            self.loop_vars_ref = parent.loop_vars_ref
            self.block_vars_ref = parent.block_vars_ref
        else:
            self.buffer = function.buffer

    def lookup(self, name: str) -> str | None:
        frame: _CompileFrame | None = self
        while frame is not None:
            ref = frame.symbols.get(name)
            if ref is not None:
                return ref
            frame = frame.parent
        return None


class CodeGenerator:
    """Walks a template tree and writes the Python module for it."""

    # (prefix, generator class, node class) -> the method that compiles it
    _visitors: t.ClassVar[dict[tuple[str, type, type], t.Any]] = {}

    def __init__(
        self,
        environment: t.Any,
        name: str | None,
        filename: str | None,
    ) -> None:
        self.environment = environment
        self.name = name
        self.filename = filename
        self._line_buffers: list[list[tuple[int, str, int]]] = [[]]
        self._indent = 0
        self._lineno = 1
        self._frame_counter = 0
        self._temp_counter = 0
        self._filter_refs: dict[str, str] = {}
        self._test_refs: dict[str, str] = {}
        self._module_lines: list[tuple[int, str, int]] = []
        self.has_extends = False
        self.has_scoped_blocks = False
        self._loop_refs: set[str] = set()
        # Loops whose ``loop`` is just an enumerate() counter.
        self._loop_counters: set[str] = set()
        self._maybe_missing: set[str] = set()
        #: Names the template reads from its context (for ``meta``).
        self.undeclared_names: set[str] = set()
        self._original_names: dict[str, str] = {}
        self.sandboxed = bool(getattr(environment, "sandboxed", False))
        self.intercepted_binops = frozenset(getattr(environment, "intercepted_binops", ()))
        self.intercepted_unops = frozenset(getattr(environment, "intercepted_unops", ()))
        self.finalize = environment.finalize
        autoescape = environment.autoescape
        self.autoescape = bool(autoescape(name) if callable(autoescape) else autoescape)
        # Constant folding (Jinja's ``optimized``); a {{ }} output of
        # constants is folded either way, as in Jinja.  ``fold_constants``
        # off folds nothing: the tree's every name is then looked up (meta).
        self.optimized = bool(getattr(environment, "optimized", True))
        self.fold_constants = True
        self._constant_values: dict[tuple[int, bool, bool], tuple[t.Any, bool, t.Any]] = {}

    # -- writing ---------------------------------------------------------------

    def fail(self, message: str, lineno: int) -> t.NoReturn:
        raise TemplateAssertionError(message, lineno, self.name, self.filename)

    @classmethod
    def _visitor(cls, prefix: str, node_class: type) -> t.Any:
        """The method compiling ``node_class``: ``visit_For`` for ``ForNode``...

        An extension's node class without a method of its own is compiled as
        its nearest base that has one (``MulNode`` as ``BinExprNode``).  Found
        once per class, at compile time.
        """
        key = (prefix, cls, node_class)
        method = cls._visitors.get(key)
        if method is None:
            for base in node_class.__mro__:
                name = base.__name__
                if name.endswith("Node"):
                    name = name[:-4]
                method = getattr(cls, prefix + name, None)
                if method is not None:
                    break
            cls._visitors[key] = method
        return method

    def writeline(self, text: str, lineno: int | None = None) -> None:
        self._line_buffers[-1].append(
            (self._indent, text, self._lineno if lineno is None else lineno)
        )

    def indent(self) -> None:
        self._indent += 1

    def outdent(self, count: int = 1) -> None:
        self._indent -= count

    def temporary(self, prefix: str = "t") -> str:
        self._temp_counter += 1
        return "%s_%d" % (prefix, self._temp_counter)

    def new_frame(
        self, function: _FunctionScope, parent: _CompileFrame | None
    ) -> _CompileFrame:
        frame = _CompileFrame(self._frame_counter, function, parent)
        self._frame_counter += 1
        return frame

    # -- the module ------------------------------------------------------------

    def generate(self, template: n.TemplateNode) -> tuple[str, list[tuple[int, int]]]:
        """Return (python source, [(template line, python line), ...])."""
        blocks: dict[str, n.BlockNode] = {}
        all_blocks = _statements_of_type(template.body, n.BlockNode)
        self.has_scoped_blocks = any(block.scoped for block in all_blocks)
        for block in all_blocks:
            if block.name in blocks:
                self.fail("block %r defined twice" % block.name, block.lineno)
            blocks[block.name] = block
        self.has_extends = any(
            isinstance(node, n.ExtendsNode) for node in self._root_level_statements(template.body)
        )

        self._write_function(
            "root",
            "root",
            template.body,
            lineno=1,
        )
        for block in blocks.values():
            self._write_function(
                "block_" + _python_name_fragment(block.name),
                "block",
                block.body,
                lineno=block.lineno,
                block=block,
            )
        body_lines = self._line_buffers[0]
        out: list[str] = [
            "# Generated by microflask.templating from template %r." % (self.name,),
            "# Runtime names (environment, missing, escape_output, ...) come from",
            "# the namespace the environment executes this module in.",
        ]
        # Line i of ``lines`` (from 0) becomes line len(out) + 1 + i of the module.
        lines = self._module_lines + body_lines
        debug_info = [(lineno, index) for index, (_, _, lineno) in enumerate(lines, len(out) + 1)]
        out += ["    " * indent + text for indent, text, _ in lines]
        block_items = ", ".join(
            "%r: block_%s" % (name, _python_name_fragment(name)) for name in blocks
        )
        out.append("blocks = {%s}" % block_items)
        out.append("name = %r" % (self.name,))
        compact = "&".join(map("%d=%d".__mod__, debug_info))
        out.append("debug_info = %r" % compact)
        return "\n".join(out) + "\n", debug_info

    def _root_level_statements(self, body: list[t.Any]) -> t.Iterator[t.Any]:
        for node in body:
            yield node
            if isinstance(node, n.IfNode):
                yield from self._root_level_statements(node.body)
                for elif_node in node.elif_:
                    yield from self._root_level_statements(elif_node.body)
                yield from self._root_level_statements(node.else_)

    def _write_function(
        self,
        func_name: str,
        kind: str,
        body: list[t.Any],
        lineno: int,
        block: n.BlockNode | None = None,
    ) -> None:
        function = _FunctionScope(kind, None, None)
        frame = self.new_frame(function, None)
        function.base_frame = frame
        frame.autoescape = self.autoescape
        frame.toplevel = kind == "root"
        frame.require_output_check = kind == "root" and self.has_extends
        if block is not None:
            function.block_name = block.name
            function.block_function = func_name
        self._lineno = lineno
        self._line_buffers.append([])
        self._indent = 1
        self._declare_stored_names(frame, body, initialize_from_context=True)
        if block is not None and block.required:
            self.writeline("required_block_error(%r)" % block.name)
        else:
            if kind == "block" and _body_has_set_statement(body):
                frame.block_vars_ref = "block_vars"
                frame.owns_scope_vars = True
                self.writeline("block_vars = {}")
            self.visit_statements(body, frame)
        if kind == "root" and self.has_extends:
            self.writeline("if parent_template is not None:")
            self.indent()
            self.writeline("yield from parent_template.root_render_func(context)")
            self.outdent()
            function.yields = True
        function_body = self._line_buffers.pop()
        self._indent = 0
        self.writeline(
            "def %s(context, missing=missing, environment=environment):" % func_name, lineno
        )
        self._indent = 1
        resolutions_start = len(self._line_buffers[-1])
        self._write_resolutions(function, lineno)
        resolutions = self._line_buffers[-1][resolutions_start:]
        del self._line_buffers[-1][resolutions_start:]
        # Bind the helper only where the function (or one nested in it) uses it.
        used_text = " ".join(text for _, text, _ in resolutions + function_body)
        if "undefined" in used_text:
            self.writeline("undefined = environment.undefined", lineno)
        if kind == "root" and self.has_extends:
            self.writeline("parent_template = None", lineno)
        if not function.yields:
            self.writeline("if 0: yield None", lineno)
        self._line_buffers[-1].extend(resolutions)
        self._line_buffers[-1].extend(function_body)
        self._indent = 0

    def _write_resolutions(self, function: _FunctionScope, lineno: int) -> None:
        for ref in function.initially_missing:
            self.writeline("%s = missing" % ref, lineno)
        context_names: list[tuple[str, str]] = []
        for name, ref in function.resolved.items():
            if name == "self":
                self.writeline("%s = TemplateReference(context)" % ref, lineno)
            elif name == "super" and function.block_name is not None:
                self.writeline(
                    "%s = context.super(%r, %s)"
                    % (ref, function.block_name, function.block_function),
                    lineno,
                )
            else:
                self.undeclared_names.add(name)
                context_names.append((ref, name))
        if context_names:
            # One statement binds every name the function reads from the
            # context: Python compiles one call with a constant tuple far
            # faster than a look-up and a missing-check per name, which is
            # most of the cost of compiling a real theme's template.
            refs = ", ".join(ref for ref, _ in context_names)
            names = tuple(name for _, name in context_names)
            self.writeline("%s, = context.resolve_names(%r)" % (refs, names), lineno)

    def _declare_stored_names(
        self,
        frame: _CompileFrame,
        body: list[t.Any],
        initialize_from_context: bool = False,
    ) -> None:
        """Give every name this frame assigns its own local.

        Its starting value follows Jinja: the outer value (an enclosing
        frame's, else the context's) when this frame reads the name before
        assigning it or an enclosing frame knows the name; otherwise
        nothing yet (undefined when read early from a nested scope).
        """
        modes: dict[str, str] = {}
        _analyze_frame_statements(body, modes)
        frame.own_refs.update(modes)
        frame.own_refs.update(frame.symbols)
        for name in _names_stored_in_frame(body):
            if name in frame.symbols:
                continue
            ref = "l_%d_%s" % (frame.id, _python_name_fragment(name))
            self._original_names[ref] = name
            outer_known = self._ancestor_knows(frame.parent, name)
            if modes.get(name) == "store" and not outer_known:
                self._maybe_missing.add(ref)
                if initialize_from_context:
                    frame.function.initially_missing.append(ref)
                else:
                    self.writeline("%s = missing" % ref)
            elif initialize_from_context:
                frame.function.resolved[name] = ref
            else:
                outer = self._lookup(frame.parent, name) if frame.parent else None
                self.writeline("%s = %s" % (ref, self._load_code(outer)))
            frame.symbols[name] = ref
            frame.stored.add(name)

    def _ancestor_knows(self, frame: _CompileFrame | None, name: str) -> bool:
        while frame is not None:
            if name in frame.own_refs or name in frame.symbols:
                return True
            frame = frame.parent
        return False

    def _load_code(self, ref: str | None) -> str:
        """How to read a local that may still hold ``missing``."""
        if ref is not None and ref in self._maybe_missing:
            name = ref.split("_", 2)[2]
            return "(undefined(name=%r) if %s is missing else %s)" % (
                self._original_names.get(ref, name),
                ref,
                ref,
            )
        return str(ref)

    def _lookup(self, frame: _CompileFrame, name: str) -> str:
        ref = frame.lookup(name)
        if ref is not None:
            return ref
        function = frame.function.outermost
        if name not in ("self", "super"):
            # The outermost frame whose own code reads the name owns its
            # look-up (so a macro shares it with the template around it); if
            # no frame does, a macro reads it when called, as Jinja's do -- a
            # template later in the inheritance chain may have set it.
            owner: _CompileFrame | None = None
            current: _CompileFrame | None = frame
            while current is not None:
                if name in current.own_refs:
                    owner = current  # the outermost reader defines the look-up
                current = current.parent
            scope: _FunctionScope | None = (owner or frame).function
            while scope is not None and scope.kind != "macro":
                scope = scope.outer
            if scope is not None:
                function = scope
        base = function.base_frame
        assert base is not None
        ref = "l_%d_%s" % (base.id, _python_name_fragment(name))
        base.symbols[name] = ref
        function.resolved[name] = ref
        return ref

    # -- statements ------------------------------------------------------------

    def visit_statements(self, body: list[t.Any], frame: _CompileFrame) -> None:
        start = len(self._line_buffers[-1])
        for node in body:
            if node.lineno is not None:
                self._lineno = node.lineno
            method = self._visitor("visit_", type(node))
            if method is None:
                self.fail(
                    "the compiler cannot compile the statement %s" % type(node).__name__,
                    self._lineno,
                )
            method(self, node, frame)
        if len(self._line_buffers[-1]) == start:
            self.writeline("pass")

    def _write_output(
        self, frame: _CompileFrame, pieces: list[str], check_parent: bool = False
    ) -> None:
        """Emit the statement that sends these already-rendered pieces out.

        With ``check_parent`` (template text and ``{{ }}``, as in Jinja),
        nothing is written once the template has extended another.
        """
        if not pieces:
            return
        check_parent = check_parent and frame.require_output_check
        if check_parent:
            self.writeline("if parent_template is None:")
            self.indent()
        if frame.buffer is None:
            # One piece per yield, as Jinja streams them (TemplateStream
            # buffering counts pieces).
            for piece in pieces:
                self.writeline("yield %s" % piece)
            frame.function.yields = True
        elif len(pieces) == 1:
            self.writeline("%s.append(%s)" % (frame.buffer, pieces[0]))
        else:
            self.writeline("%s.extend((%s))" % (frame.buffer, ", ".join(pieces)))
        if check_parent:
            self.outdent()

    def _write_stream(
        self, frame: _CompileFrame, iterable: str, check_parent: bool = False
    ) -> None:
        """Emit the statement that sends everything an iterable yields out."""
        check_parent = check_parent and frame.require_output_check
        if check_parent:
            self.writeline("if parent_template is None:")
            self.indent()
        if frame.buffer is None:
            self.writeline("yield from %s" % iterable)
            frame.function.yields = True
        else:
            self.writeline("%s.extend(%s)" % (frame.buffer, iterable))
        if check_parent:
            self.outdent()

    def _output_expression(self, node: t.Any, frame: _CompileFrame) -> str:
        code = None
        value = self._folded_value(node, frame)
        if value is not _NOT_CONSTANT:
            # A constant is written out as text now, escaped by the
            # autoescape setting known now (as in Jinja, even under a
            # {% autoescape %} whose value is only known at render time).
            if self.finalize is None:
                try:
                    return repr(str(escape(value)) if frame.autoescape else str(value))
                except Exception:
                    pass  # fails again when rendering, with a template traceback
            else:
                code = _python_code_for_constant(value)
        if code is None:
            code = self.visit_expr(node, frame)
        if self.finalize is None and self._is_loop_call_or_attribute(node, frame):
            if isinstance(node, n.GetattrNode) and node.attr in _LOOP_INTEGER_ATTRIBUTES:
                # A loop counter is an int: nothing to escape.
                return "str(%s)" % code
            if isinstance(node, n.CallNode) and frame.lookup("loop") in self._loop_counters:
                if not frame.volatile and all(
                    isinstance(arg, n.ConstNode) and isinstance(arg.value, str)
                    for arg in node.args
                ):
                    # loop.cycle('odd', 'even'): escape the choices once, here.
                    texts = [
                        str(escape(arg.value)) if frame.autoescape else arg.value
                        for arg in node.args
                    ]
                    return "%r[%s %% %d]" % (tuple(texts), frame.lookup("loop"), len(texts))
        if self.finalize is not None:
            code = "finalize(%s%s)" % (self._pass_arg_prefix(self.finalize), code)
        if frame.volatile:
            return "(escape_output if context.eval_ctx.autoescape else str)(%s)" % code
        if frame.autoescape:
            return "escape_output(%s)" % code
        return "str(%s)" % code

    def visit_Output(self, node: n.OutputNode, frame: _CompileFrame) -> None:
        pieces: list[str] = []
        pending_text: list[str] = []
        for child in node.nodes:
            if isinstance(child, n.TemplateDataNode):
                pending_text.append(child.data)
                continue
            if pending_text:
                pieces.append(repr("".join(pending_text)))
                pending_text = []
            self._lineno = child.lineno
            pieces.append(self._output_expression(child, frame))
        if pending_text:
            pieces.append(repr("".join(pending_text)))
        self._write_output(frame, pieces, check_parent=True)

    def visit_If(self, node: n.IfNode, frame: _CompileFrame) -> None:
        soft_before = frame.soft
        frame.soft = True
        try:
            self.writeline("if %s:" % self.visit_expr(node.test, frame))
            self.indent()
            self.visit_statements(node.body, frame)
            self.outdent()
            for elif_node in node.elif_:
                self._lineno = elif_node.lineno
                self.writeline("elif %s:" % self.visit_expr(elif_node.test, frame))
                self.indent()
                self.visit_statements(elif_node.body, frame)
                self.outdent()
            if node.else_:
                self.writeline("else:")
                self.indent()
                self.visit_statements(node.else_, frame)
                self.outdent()
        finally:
            frame.soft = soft_before

    def _assign_code(
        self,
        target: t.Any,
        frame: _CompileFrame,
        namespace_items: list[tuple[n.NSRefNode, str]] | None = None,
    ) -> str:
        if isinstance(target, n.NameNode):
            return frame.lookup(target.name) or self._lookup(frame, target.name)
        if isinstance(target, n.TupleNode):
            return "(%s,)" % ", ".join(
                self._assign_code(item, frame, namespace_items) for item in target.items
            )
        if isinstance(target, n.InternalNameNode):
            return target.name
        if isinstance(target, n.NSRefNode) and namespace_items is not None:
            temporary = self.temporary("ns_value")
            namespace_items.append((target, temporary))
            return temporary
        self.fail("can't assign to %s" % type(target).__name__, target.lineno)

    def _export_assigned(self, target: t.Any, frame: _CompileFrame) -> None:
        if not frame.toplevel:
            return
        for name in _target_names(target):
            ref = frame.symbols[name]
            self.writeline("context.vars[%r] = %s" % (name, ref))
            if not name.startswith("_"):
                self.writeline("context.exported_vars.add(%r)" % name)

    def _write_namespace_assignment(
        self, target: n.NSRefNode, value: str, frame: _CompileFrame
    ) -> None:
        ref = self._lookup(frame, target.name)
        self.writeline("if not isinstance(%s, Namespace):" % ref)
        self.indent()
        self.writeline(
            "raise TemplateRuntimeError(%r)" % "cannot assign attribute on non-namespace object"
        )
        self.outdent()
        self.writeline("%s[%r] = %s" % (ref, target.attr, value))

    def visit_Assign(self, node: n.AssignNode, frame: _CompileFrame) -> None:
        value = self.visit_expr(node.node, frame)
        if isinstance(node.target, n.NSRefNode):
            self._write_namespace_assignment(node.target, value, frame)
            return
        namespace_items: list[tuple[n.NSRefNode, str]] = []
        target_code = self._assign_code(node.target, frame, namespace_items)
        self.writeline("%s = %s" % (target_code, value))
        # ``{% set ns.a, b = ... %}``: unpack into temporaries, then store
        # each namespace attribute.
        for ns_target, temporary in namespace_items:
            self._write_namespace_assignment(ns_target, temporary, frame)
        self._export_assigned(node.target, frame)
        self._record_scope_vars(node.target, frame)

    def _render_body_to_buffer(
        self, body: list[t.Any], frame: _CompileFrame, output_check: bool = False
    ) -> str:
        """Render statements into a fresh list inline; return the list's name."""
        buffer = self.temporary("buffer")
        self.writeline("%s = []" % buffer)
        inner = self.new_frame(frame.function, frame)
        inner.buffer = buffer
        # Jinja hands pass_context calls in set/filter blocks no loop/block vars.
        inner.loop_vars_ref = inner.block_vars_ref = None
        inner.require_output_check = output_check and frame.require_output_check
        self._declare_stored_names(inner, body)
        self.visit_statements(body, inner)
        return buffer

    def _buffer_value(self, buffer: str, frame: _CompileFrame) -> str:
        if frame.volatile:
            return "(Markup(concat(%s)) if context.eval_ctx.autoescape else concat(%s))" % (
                buffer,
                buffer,
            )
        if frame.autoescape:
            return "Markup(concat(%s))" % buffer
        return "concat(%s)" % buffer

    def visit_AssignBlock(self, node: n.AssignBlockNode, frame: _CompileFrame) -> None:
        buffer = self._render_body_to_buffer(node.body, frame)
        value = self._buffer_value(buffer, frame)
        if node.filter is not None:
            value = self._filter_code(node.filter, value, frame)
        if isinstance(node.target, n.NSRefNode):
            self._write_namespace_assignment(node.target, value, frame)
            return
        self.writeline("%s = %s" % (self._assign_code(node.target, frame), value))
        self._export_assigned(node.target, frame)
        self._record_scope_vars(node.target, frame)

    def visit_ExprStmt(self, node: n.ExprStmtNode, frame: _CompileFrame) -> None:
        self.writeline(self.visit_expr(node.node, frame))

    def visit_Break(self, node: n.BreakNode, frame: _CompileFrame) -> None:
        if not frame.in_loop:
            self.fail("'break' outside of a loop", node.lineno)
        self.writeline("break")

    def visit_Continue(self, node: n.ContinueNode, frame: _CompileFrame) -> None:
        if not frame.in_loop:
            self.fail("'continue' outside of a loop", node.lineno)
        self.writeline("continue")

    def visit_With(self, node: n.WithNode, frame: _CompileFrame) -> None:
        values = [self.visit_expr(value, frame) for value in node.values]
        inner = self.new_frame(frame.function, frame)
        # As in Jinja, pass_context calls in a with block get no loop/block vars.
        inner.loop_vars_ref = inner.block_vars_ref = None
        for target in node.targets:
            for name in _target_names(target):
                inner.symbols[name] = "l_%d_%s" % (inner.id, _python_name_fragment(name))
                inner.stored.add(name)
        for target, value in zip(node.targets, values):
            self.writeline("%s = %s" % (self._assign_code(target, inner), value))
        self._declare_stored_names(inner, node.body)
        self.visit_statements(node.body, inner)

    def visit_Scope(self, node: n.ScopeNode, frame: _CompileFrame) -> None:
        inner = self.new_frame(frame.function, frame)
        inner.loop_vars_ref = inner.block_vars_ref = None
        self._declare_stored_names(inner, node.body)
        self.visit_statements(node.body, inner)

    def visit_OverlayScope(self, node: n.OverlayScopeNode, frame: _CompileFrame) -> None:
        self.fail("OverlayScope nodes are not supported by microflask's compiler", self._lineno)

    def _write_eval_context_options(
        self, node: n.EvalContextModifierNode, frame: _CompileFrame
    ) -> None:
        """Set ``context.eval_ctx`` options; what is known now also steers the compiler."""
        for option in node.options:
            value_code = self.visit_expr(option.value, frame)
            if _is_plain_python_name(option.key):
                self.writeline("context.eval_ctx.%s = %s" % (option.key, value_code))
            else:
                self.writeline("setattr(context.eval_ctx, %r, %s)" % (option.key, value_code))
            if option.key == "autoescape":
                # Known now when constant (``not false`` too, as in Jinja).
                try:
                    frame.autoescape = bool(self._constant_value(option.value, frame))
                except _NotConstantError:
                    frame.volatile = True
            elif option.key == "volatile":
                frame.volatile = True

    def visit_EvalContextModifier(
        self, node: n.EvalContextModifierNode, frame: _CompileFrame
    ) -> None:
        self._write_eval_context_options(node, frame)

    def visit_ScopedEvalContextModifier(
        self, node: n.ScopedEvalContextModifierNode, frame: _CompileFrame
    ) -> None:
        saved = self.temporary("saved_eval_context")
        self.writeline("%s = context.eval_ctx.save()" % saved)
        inner = self.new_frame(frame.function, frame)
        self._write_eval_context_options(node, inner)
        self._declare_stored_names(inner, node.body)
        self.visit_statements(node.body, inner)
        self.writeline("context.eval_ctx.revert(%s)" % saved)

    def visit_FilterBlock(self, node: n.FilterBlockNode, frame: _CompileFrame) -> None:
        buffer = self._render_body_to_buffer(node.body, frame, output_check=True)
        value = self._filter_code(node.filter, self._buffer_value(buffer, frame), frame)
        self._write_output(frame, ["str(%s)" % value])

    # -- loops -------------------------------------------------------------------

    def visit_For(self, node: n.ForNode, frame: _CompileFrame) -> None:
        iterable = self.visit_expr(node.iter, frame)
        # A scoped block anywhere in the loop sees ``loop`` (as in Jinja): a
        # child template's override may use it though this body does not.
        uses_loop = (
            node.recursive
            or _references_name(node.body, "loop")
            or (
                self.has_scoped_blocks
                and any(
                    block.scoped
                    for block in _statements_of_type(node.body + (node.else_ or []), n.BlockNode)
                )
            )
        )
        loop_frame = self.new_frame(frame.function, frame)
        loop_frame.in_loop = True
        target_names = _target_names(node.target)
        if "loop" in target_names:
            self.fail("Can't assign to special loop variable in for-loop target", node.lineno)
        for name in target_names:
            loop_frame.symbols[name] = "l_%d_%s" % (loop_frame.id, _python_name_fragment(name))
            loop_frame.stored.add(name)
        if node.recursive:
            self._write_recursive_for(node, frame, loop_frame, iterable)
            return
        if node.test is not None:
            iterable = self._write_loop_filter(node, frame, iterable)
        iterated = None
        if node.else_:
            iterated = self.temporary("iterated")
            self.writeline("%s = False" % iterated)
        target = self._assign_code(node.target, loop_frame)
        if uses_loop and not self.sandboxed and _loop_needs_only_a_counter(node.body):
            counter = "l_%d_index0" % loop_frame.id
            loop_frame.symbols["loop"] = counter
            self._loop_counters.add(counter)
            self.writeline("for %s, %s in enumerate(%s):" % (counter, target, iterable))
        elif uses_loop:
            loop_ref = "l_%d_loop" % loop_frame.id
            loop_frame.symbols["loop"] = loop_ref
            self._loop_refs.add(loop_ref)
            self.writeline(
                "for %s, %s in LoopContext(%s, undefined):" % (target, loop_ref, iterable)
            )
        else:
            self.writeline("for %s in %s:" % (target, iterable))
        self.indent()
        self._declare_stored_names(loop_frame, node.body)
        self._start_loop_vars(loop_frame, node.body)
        self.visit_statements(node.body, loop_frame)
        if iterated is not None:
            # Set at the end of the body, as Jinja does: a loop left by
            # break or continue on every item still runs its else block.
            self.writeline("%s = True" % iterated)
        self.outdent()
        if node.else_:
            self._lineno = node.lineno
            self.writeline("if not %s:" % iterated)
            self.indent()
            else_frame = self.new_frame(frame.function, frame)
            self._declare_stored_names(else_frame, node.else_)
            self.visit_statements(node.else_, else_frame)
            self.outdent()

    def _start_loop_vars(self, loop_frame: _CompileFrame, body: list[t.Any]) -> None:
        """Give a loop body that uses ``{% set %}`` a fresh per-iteration
        dict of what it assigned (Jinja's ``_loop_vars``)."""
        # Calls in a loop body never see the enclosing block's sets (Jinja
        # passes them only its loop dict); an inner loop without sets of its
        # own shares the outer loop's dict.
        loop_frame.block_vars_ref = None
        if loop_frame.function is not (loop_frame.parent and loop_frame.parent.function):
            loop_frame.loop_vars_ref = None
        if _body_has_set_statement(body):
            loop_frame.loop_vars_ref = "loop_vars_%d" % loop_frame.id
            loop_frame.owns_scope_vars = True
            self.writeline("%s = {}" % loop_frame.loop_vars_ref)

    def _record_scope_vars(self, target: t.Any, frame: _CompileFrame) -> None:
        if not frame.owns_scope_vars:
            return
        scope_vars = frame.loop_vars_ref or frame.block_vars_ref
        for name in _target_names(target):
            self.writeline("%s[%r] = %s" % (scope_vars, name, frame.symbols[name]))

    def _write_loop_filter(self, node: n.ForNode, frame: _CompileFrame, iterable: str) -> str:
        """Wrap the iterable in a generator that applies the loop's ``if``."""
        filter_name = self.temporary("loop_filter")
        function = _FunctionScope("filter", frame.function, None)
        test_frame = self.new_frame(function, frame)
        test_frame.soft = True
        for name in _target_names(node.target):
            test_frame.symbols[name] = "l_%d_%s" % (test_frame.id, _python_name_fragment(name))
        item = self.temporary("item")
        self.writeline("def %s(iterable):" % filter_name)
        self.indent()
        self.writeline("for %s in iterable:" % item)
        self.indent()
        self.writeline("%s = %s" % (self._assign_code(node.target, test_frame), item))
        self.writeline("if %s:" % self.visit_expr(node.test, test_frame))
        self.indent()
        self.writeline("yield %s" % item)
        self.outdent(3)
        return "%s(%s)" % (filter_name, iterable)

    def _write_recursive_for(
        self, node: n.ForNode, frame: _CompileFrame, loop_frame: _CompileFrame, iterable: str
    ) -> None:
        function_name = self.temporary("recursive_loop")
        function = _FunctionScope("loop", frame.function, self.temporary("loop_buffer"))
        loop_frame.function = function
        loop_frame.buffer = function.buffer
        self.writeline("def %s(reciter, loop_render_func, depth=0):" % function_name)
        self.indent()
        self.writeline("%s = []" % function.buffer)
        source = "reciter"
        if node.test is not None:
            source = self._write_loop_filter(node, frame, "reciter")
        iterated = None
        if node.else_:
            iterated = self.temporary("iterated")
            self.writeline("%s = False" % iterated)
        target = self._assign_code(node.target, loop_frame)
        loop_ref = "l_%d_loop" % loop_frame.id
        loop_frame.symbols["loop"] = loop_ref
        self._loop_refs.add(loop_ref)
        self.writeline(
            "for %s, %s in LoopContext(%s, undefined, loop_render_func, depth):"
            % (target, loop_ref, source)
        )
        self.indent()
        self._declare_stored_names(loop_frame, node.body)
        self._start_loop_vars(loop_frame, node.body)
        self.visit_statements(node.body, loop_frame)
        if iterated is not None:
            # Set at the end of the body, as Jinja does: a loop left by
            # break or continue on every item still runs its else block.
            self.writeline("%s = True" % iterated)
        self.outdent()
        if node.else_:
            self.writeline("if not %s:" % iterated)
            self.indent()
            else_frame = self.new_frame(function, frame)
            else_frame.buffer = function.buffer
            self._declare_stored_names(else_frame, node.else_)
            self.visit_statements(node.else_, else_frame)
            self.outdent()
        self.writeline("return %s" % self._buffer_value(function.buffer, frame))  # type: ignore[arg-type]
        self.outdent()
        self._write_output(frame, ["%s(%s, %s)" % (function_name, iterable, function_name)])

    # -- macros and call blocks ----------------------------------------------------

    def _write_macro_function(
        self,
        function_name: str,
        args: list[n.NameNode],
        defaults: list[t.Any],
        body: list[t.Any],
        frame: _CompileFrame,
        lineno: int,
        macro_name: str | None = None,
    ) -> tuple[list[str], bool, bool, bool]:
        """Write a nested function for a macro/caller; return its signature facts."""
        arg_names = [arg.name for arg in args]
        # A parameter named like a special variable is a plain parameter
        # (as in Jinja): ``kwargs={}`` catches no extra keyword arguments.
        read = _names_read_in_scope(body, frozenset(["varargs", "kwargs", "caller"]))
        catch_varargs = "varargs" not in arg_names and "varargs" in read
        catch_kwargs = "kwargs" not in arg_names and "kwargs" in read
        takes_caller = "caller" not in arg_names and "caller" in read
        python_names: set[str] = set()
        for name in arg_names:
            python_name = _identifier_as_python_reads_it(name)
            if python_name in python_names:
                self.fail(
                    "duplicate argument %r in %s"
                    % (name, "call block" if macro_name is None else "macro %r" % macro_name),
                    lineno,
                )
            python_names.add(python_name)
        if "caller" in arg_names and len(defaults) < len(arg_names) - arg_names.index("caller"):
            if "caller" in read:
                self.fail(
                    'When defining macros or call blocks the special "caller" argument'
                    " must be omitted or be given a default.",
                    lineno,
                )
        function = _FunctionScope("macro", frame.function, self.temporary("macro_buffer"))
        macro_frame = self.new_frame(function, frame)
        macro_frame.require_output_check = False
        macro_frame.in_loop = False
        params: list[str] = []
        for name in arg_names:
            ref = "l_%d_%s" % (macro_frame.id, _python_name_fragment(name))
            self._original_names[ref] = name
            macro_frame.symbols[name] = ref
            params.append(ref)
        for special, wanted in (
            ("caller", takes_caller),
            ("kwargs", catch_kwargs),
            ("varargs", catch_varargs),
        ):
            if wanted:
                ref = "l_%d_%s" % (macro_frame.id, special)
                macro_frame.symbols[special] = ref
                params.append(ref)
        self._lineno = lineno
        function.base_frame = macro_frame
        self.writeline("def %s(%s):" % (function_name, ", ".join(params)))
        self.indent()
        # The body goes to its own list first: the context look-ups it
        # needs are only known afterwards and go at the top.
        self._line_buffers.append([])
        self.writeline("%s = []" % function.buffer)
        first_default = len(args) - len(defaults)
        # A default may name a later parameter that has no value yet: that
        # reads as undefined, as in Jinja.
        pending = {macro_frame.symbols[arg.name] for arg in args[first_default:]}
        self._maybe_missing.update(pending)
        for index, arg in enumerate(args):
            ref = macro_frame.symbols[arg.name]
            self.writeline("if %s is missing:" % ref)
            self.indent()
            if index >= first_default:
                default_node = defaults[index - first_default]
                self.writeline("%s = %s" % (ref, self.visit_expr(default_node, macro_frame)))
            else:
                self.writeline(
                    "%s = undefined(%r, name=%r)"
                    % (ref, "parameter %r was not provided" % arg.name, arg.name)
                )
            self.outdent()
        self._maybe_missing.difference_update(pending)
        self._declare_stored_names(macro_frame, body)
        self.visit_statements(body, macro_frame)
        # Macro decides on Markup when called: it depends on the caller's
        # autoescape setting, not on the definition's.
        self.writeline("return concat(%s)" % function.buffer)
        body_lines = self._line_buffers.pop()
        self._write_resolutions(function, lineno)
        self._line_buffers[-1].extend(body_lines)
        self.outdent()
        return arg_names, catch_kwargs, catch_varargs, takes_caller

    def _macro_object_code(
        self,
        function_name: str,
        macro_name: str | None,
        facts: tuple[list[str], bool, bool, bool],
        frame: _CompileFrame,
    ) -> str:
        arg_names, catch_kwargs, catch_varargs, takes_caller = facts
        return "Macro(environment, %s, %r, %r, %r, %r, %r, %r)" % (
            function_name,
            macro_name,
            tuple(arg_names),
            catch_kwargs,
            catch_varargs,
            takes_caller,
            frame.autoescape,
        )

    def visit_Macro(self, node: n.MacroNode, frame: _CompileFrame) -> None:
        function_name = self.temporary("macro_" + _python_name_fragment(node.name))
        facts = self._write_macro_function(
            function_name, node.args, node.defaults, node.body, frame, node.lineno, node.name
        )
        ref = frame.lookup(node.name) or self._lookup(frame, node.name)
        self.writeline(
            "%s = %s" % (ref, self._macro_object_code(function_name, node.name, facts, frame))
        )
        if frame.toplevel:
            self.writeline("context.vars[%r] = %s" % (node.name, ref))
            if not node.name.startswith("_"):
                self.writeline("context.exported_vars.add(%r)" % node.name)

    def visit_CallBlock(self, node: n.CallBlockNode, frame: _CompileFrame) -> None:
        function_name = self.temporary("caller")
        facts = self._write_macro_function(
            function_name, node.args, node.defaults, node.body, frame, node.lineno
        )
        caller_ref = self.temporary("caller_macro")
        self.writeline(
            "%s = %s" % (caller_ref, self._macro_object_code(function_name, None, facts, frame))
        )
        call_code = self._call_code(node.call, frame, extra_kwargs=[("caller", caller_ref)])
        self._write_output(frame, [self._escape_call_result(call_code, frame)])

    def _escape_call_result(self, code: str, frame: _CompileFrame) -> str:
        if frame.volatile:
            return "(escape_output if context.eval_ctx.autoescape else str)(%s)" % code
        if frame.autoescape:
            return "escape_output(%s)" % code
        return "str(%s)" % code

    # -- inheritance, includes, imports ----------------------------------------------

    def visit_Block(self, node: n.BlockNode, frame: _CompileFrame) -> None:
        if node.scoped:
            context = "context.derived(%s)" % self._locals_dict(frame)
        else:
            context = "context"
        # Only a block directly in the template body waits for the parent.
        self._write_stream(
            frame,
            "context.blocks[%r][0](%s)" % (node.name, context),
            check_parent=frame.toplevel,
        )

    def visit_Extends(self, node: n.ExtendsNode, frame: _CompileFrame) -> None:
        if not frame.toplevel:
            self.fail("cannot use extend from a non top-level scope", node.lineno)
        self.writeline("if parent_template is not None:")
        self.indent()
        self.writeline("raise TemplateRuntimeError(%r)" % "extended multiple times")
        self.outdent()
        self.writeline(
            "parent_template = environment.get_template(%s, %r)"
            % (self.visit_expr(node.template, frame), self.name)
        )
        self.writeline("for name, parent_block in parent_template.blocks.items():")
        self.indent()
        self.writeline("context.blocks.setdefault(name, []).append(parent_block)")
        self.outdent()

    def _locals_dict(self, frame: _CompileFrame) -> str:
        """The template variables this scope has bound, as a dict display."""
        seen: dict[str, str] = {}
        current: _CompileFrame | None = frame
        while current is not None:
            skip_root = current.toplevel
            for name, ref in current.symbols.items():
                if name in seen or name in ("self", "super"):
                    continue
                if skip_root or (current.parent is None and name not in current.stored):
                    continue
                if ref in self._loop_counters:
                    continue
                seen[name] = ref
            current = current.parent
        return "{%s}" % ", ".join("%r: %s" % item for item in seen.items())

    def _template_lookup_code(self, template_node: t.Any, frame: _CompileFrame) -> str:
        code = self.visit_expr(template_node, frame)
        if isinstance(template_node, n.ConstNode):
            if isinstance(template_node.value, str):
                method = "get_template"
            elif isinstance(template_node.value, (tuple, list)):
                method = "select_template"
            else:
                method = "get_or_select_template"
        elif isinstance(template_node, (n.TupleNode, n.ListNode)):
            method = "select_template"
        else:
            method = "get_or_select_template"
        return "environment.%s(%s, %r)" % (method, code, self.name)

    def visit_Include(self, node: n.IncludeNode, frame: _CompileFrame) -> None:
        lookup = self._template_lookup_code(node.template, frame)
        template = self.temporary("template")
        if node.ignore_missing:
            self.writeline("try:")
            self.indent()
            self.writeline("%s = %s" % (template, lookup))
            self.outdent()
            self.writeline("except TemplateNotFound:")
            self.indent()
            self.writeline("pass")
            self.outdent()
            self.writeline("else:")
            self.indent()
        else:
            self.writeline("%s = %s" % (template, lookup))
        if node.with_context:
            render = "%s.root_render_func(%s.new_context(context.get_all(), True, %s))" % (
                template,
                template,
                self._locals_dict(frame),
            )
        else:
            render = "%s._get_default_module(context)._body_stream" % template
        self._write_stream(frame, render)
        if node.ignore_missing:
            self.outdent()

    def _module_code(self, node: t.Any, frame: _CompileFrame) -> str:
        lookup = self._template_lookup_code(node.template, frame)
        if node.with_context:
            return "%s.make_module(context.get_all(), True, %s)" % (
                lookup,
                self._locals_dict(frame),
            )
        return "%s._get_default_module(context)" % lookup

    def visit_Import(self, node: n.ImportNode, frame: _CompileFrame) -> None:
        ref = frame.lookup(node.target) or self._lookup(frame, node.target)
        self.writeline("%s = %s" % (ref, self._module_code(node, frame)))
        if frame.toplevel:
            self.writeline("context.vars[%r] = %s" % (node.target, ref))
            if not node.target.startswith("_"):
                self.writeline("context.exported_vars.discard(%r)" % node.target)

    def visit_FromImport(self, node: n.FromImportNode, frame: _CompileFrame) -> None:
        module = self.temporary("included_module")
        self.writeline("%s = %s" % (module, self._module_code(node, frame)))
        for item in node.names:
            name, alias = item if isinstance(item, tuple) else (item, item)
            ref = frame.lookup(alias) or self._lookup(frame, alias)
            self.writeline("%s = getattr(%s, %r, missing)" % (ref, module, name))
            self.writeline("if %s is missing:" % ref)
            self.indent()
            position = "line %d" % node.lineno
            if self.name is not None:
                position += " in %r" % self.name
            message = (
                "the template %%r (imported on %s) does not export the requested name %r"
                % (position.replace("%", "%%"), name)
            )
            self.writeline(
                "%s = undefined(%r %% %s.__name__, name=%r)" % (ref, message, module, alias)
            )
            self.outdent()
            if frame.toplevel:
                self.writeline("context.vars[%r] = %s" % (alias, ref))
                if not alias.startswith("_"):
                    self.writeline("context.exported_vars.discard(%r)" % alias)

    # -- expressions -------------------------------------------------------------

    def visit_expr(self, node: t.Any, frame: _CompileFrame) -> str:
        if (
            self.optimized
            and not frame.volatile
            and not _FOLDED_EXPRESSION_CLASSES.isdisjoint(type(node).__mro__)
        ):
            value = self._folded_value(node, frame)
            if value is not _NOT_CONSTANT:
                code = _python_code_for_constant(value)
                if code is not None:
                    return code
        method = self._visitor("expr_", type(node))
        if method is None:
            self.fail("unexpected expression %s" % type(node).__name__, node.lineno or self._lineno)
        return method(self, node, frame)

    def _folded_value(self, node: t.Any, frame: _CompileFrame) -> t.Any:
        """The expression's value computed now (Jinja's ``as_const``), with
        the autoescape setting known at this point of the template, or
        ``_NOT_CONSTANT`` when it depends on render time or fails."""
        if not self.fold_constants or type(node) in _NEVER_CONSTANT_NODES:
            return _NOT_CONSTANT
        key = (id(node), frame.autoescape, frame.volatile)
        known = self._constant_values.get(key)
        if known is None or known[0] is not node:
            try:
                known = (node, True, self._compute_constant(node, frame))
            except Exception:
                known = (node, False, None)
            # Keeping the node keeps its id from being reused.
            self._constant_values[key] = known
        return known[2] if known[1] else _NOT_CONSTANT

    def _constant_value(self, node: t.Any, frame: _CompileFrame) -> t.Any:
        """:meth:`_folded_value`, raising ``_NotConstantError`` instead."""
        value = self._folded_value(node, frame)
        if value is _NOT_CONSTANT:
            raise _NotConstantError()
        return value

    def _compile_time_eval_context(self, frame: _CompileFrame) -> n.EvalContext:
        eval_ctx = n.EvalContext(self.environment, self.name)
        eval_ctx.autoescape = frame.autoescape
        return eval_ctx

    def _compute_constant(self, node: t.Any, frame: _CompileFrame) -> t.Any:
        def value(child: t.Any) -> t.Any:
            return self._constant_value(child, frame)

        if type(node).__module__ != n.__name__:
            # An extension's node class: its own as_const decides.
            as_const = getattr(node, "as_const", None)
            if as_const is None:
                raise _NotConstantError()
            return as_const(self._compile_time_eval_context(frame))
        if isinstance(node, n.ConstNode):
            return node.value
        if isinstance(node, n.TemplateDataNode):
            if frame.volatile:
                raise _NotConstantError()
            return Markup(node.data) if frame.autoescape else node.data
        if isinstance(node, (n.TupleNode, n.ListNode)):
            if getattr(node, "ctx", "load") != "load":
                raise _NotConstantError()
            items = [value(item) for item in node.items]
            return tuple(items) if isinstance(node, n.TupleNode) else items
        if isinstance(node, n.DictNode):
            return {value(pair.key): value(pair.value) for pair in node.items}
        if isinstance(node, n.CondExprNode):
            if value(node.test):
                return value(node.expr1)
            if node.expr2 is None:
                raise _NotConstantError()
            return value(node.expr2)
        if isinstance(node, (n.FilterNode, n.TestNode)):
            if frame.volatile or node.node is None:
                raise _NotConstantError()
            is_filter = isinstance(node, n.FilterNode)
            func = (self.environment.filters if is_filter else self.environment.tests).get(
                node.name
            )
            pass_arg = getattr(func, "jinja_pass_arg", None)
            if func is None or pass_arg == "context":
                raise _NotConstantError()
            args = [value(node.node)] + [value(arg) for arg in node.args]
            kwargs = {keyword.key: value(keyword.value) for keyword in node.kwargs}
            if node.dyn_args is not None:
                args.extend(value(node.dyn_args))
            if node.dyn_kwargs is not None:
                kwargs.update(value(node.dyn_kwargs))
            if pass_arg == "eval_context":
                args.insert(0, self._compile_time_eval_context(frame))
            elif pass_arg == "environment":
                args.insert(0, self.environment)
            return func(*args, **kwargs)
        if isinstance(node, n.GetattrNode):
            if node.ctx != "load":
                raise _NotConstantError()
            return self.environment.getattr(value(node.node), node.attr)
        if isinstance(node, n.GetitemNode):
            if node.ctx != "load":
                raise _NotConstantError()
            return self.environment.getitem(value(node.node), value(node.arg))
        if isinstance(node, n.SliceNode):
            return slice(
                *(
                    None if part is None else value(part)
                    for part in (node.start, node.stop, node.step)
                )
            )
        if isinstance(node, n.ConcatNode):
            # A plain str, even from Markup parts: Jinja's folding.
            return "".join(str(value(item)) for item in node.nodes)
        if isinstance(node, n.CompareNode):
            left = value(node.expr)
            result = True
            for operand in node.ops:
                right = value(operand.expr)
                result = _COMPILE_TIME_COMPARISONS[operand.op](left, right)
                if not result:
                    return False
                left = right
            return result
        if isinstance(node, n.AndNode):
            return value(node.left) and value(node.right)
        if isinstance(node, n.OrNode):
            return value(node.left) or value(node.right)
        if isinstance(node, n.BinExprNode):
            if node.operator in self.intercepted_binops:
                raise _NotConstantError()
            return _COMPILE_TIME_BINARY_OPERATORS[node.operator](
                value(node.left), value(node.right)
            )
        if isinstance(node, (n.NotNode, n.NegNode, n.PosNode)):
            symbol = (
                "not"
                if isinstance(node, n.NotNode)
                else "-"
                if isinstance(node, n.NegNode)
                else "+"
            )
            if symbol in self.intercepted_unops:
                raise _NotConstantError()
            operand = value(node.node)
            return (not operand) if symbol == "not" else -operand if symbol == "-" else +operand
        if isinstance(node, n.MarkSafeNode):
            return Markup(value(node.expr))
        if isinstance(node, n.MarkSafeIfAutoescapeNode):
            if frame.volatile:
                raise _NotConstantError()
            return Markup(value(node.expr)) if frame.autoescape else value(node.expr)
        raise _NotConstantError()

    def expr_Const(self, node: n.ConstNode, frame: _CompileFrame) -> str:
        value = node.value
        if isinstance(value, float) and value != value:
            return "float('nan')"
        if isinstance(value, float) and value in (float("inf"), float("-inf")):
            return "float(%r)" % repr(value)
        return repr(value)

    def expr_ContextReference(self, node: n.ContextReferenceNode, frame: _CompileFrame) -> str:
        return "context"

    def expr_DerivedContextReference(
        self, node: n.DerivedContextReferenceNode, frame: _CompileFrame
    ) -> str:
        return "context.derived(%s)" % self._locals_dict(frame)

    def expr_DebugDump(self, node: n.DebugDumpNode, frame: _CompileFrame) -> str:
        return "debug_dump(context)"

    def expr_MarkSafeIfAutoescape(self, node: t.Any, frame: _CompileFrame) -> str:
        code = self.visit_expr(node.expr, frame)
        if frame.volatile:
            return "(Markup if context.eval_ctx.autoescape else identity)(%s)" % code
        if frame.autoescape:
            return "Markup(%s)" % code
        return code

    def expr_MarkSafe(self, node: n.MarkSafeNode, frame: _CompileFrame) -> str:
        return "Markup(%s)" % self.visit_expr(node.expr, frame)

    def expr_ExtensionAttribute(self, node: n.ExtensionAttributeNode, frame: _CompileFrame) -> str:
        return _attribute_code("environment.extensions[%r]" % node.identifier, node.name)

    def expr_EnvironmentAttribute(
        self, node: n.EnvironmentAttributeNode, frame: _CompileFrame
    ) -> str:
        return _attribute_code("environment", node.name)

    def expr_ImportedName(self, node: n.ImportedNameNode, frame: _CompileFrame) -> str:
        return "import_string(%r)" % node.importname

    def expr_InternalName(self, node: n.InternalNameNode, frame: _CompileFrame) -> str:
        return node.name

    def expr_TemplateData(self, node: n.TemplateDataNode, frame: _CompileFrame) -> str:
        return repr(node.data)

    def expr_Name(self, node: n.NameNode, frame: _CompileFrame) -> str:
        return self._load_code(self._lookup(frame, node.name))

    def expr_NSRef(self, node: n.NSRefNode, frame: _CompileFrame) -> str:
        return self._lookup(frame, node.name)

    def expr_Tuple(self, node: n.TupleNode, frame: _CompileFrame) -> str:
        items = [self.visit_expr(item, frame) for item in node.items]
        if len(items) == 1:
            return "(%s,)" % items[0]
        return "(%s)" % ", ".join(items)

    def expr_List(self, node: n.ListNode, frame: _CompileFrame) -> str:
        return "[%s]" % ", ".join(self.visit_expr(item, frame) for item in node.items)

    def expr_Dict(self, node: n.DictNode, frame: _CompileFrame) -> str:
        return "{%s}" % ", ".join(
            "%s: %s" % (self.visit_expr(pair.key, frame), self.visit_expr(pair.value, frame))
            for pair in node.items
        )

    def expr_CondExpr(self, node: n.CondExprNode, frame: _CompileFrame) -> str:
        soft_before = frame.soft
        frame.soft = True
        try:
            test = self.visit_expr(node.test, frame)
            expr1 = self.visit_expr(node.expr1, frame)
            if node.expr2 is not None:
                expr2 = self.visit_expr(node.expr2, frame)
            else:
                position = "line %d" % node.lineno
                if self.name is not None:
                    position += " in %r" % self.name
                expr2 = "Undefined(%r)" % (
                    "the inline if-expression on %s evaluated to false and no else section"
                    " was defined." % position
                )
        finally:
            frame.soft = soft_before
        return "(%s if %s else %s)" % (expr1, test, expr2)

    def expr_BinExpr(self, node: n.BinExprNode, frame: _CompileFrame) -> str:
        left = self.visit_expr(node.left, frame)
        right = self.visit_expr(node.right, frame)
        operator = node.operator
        if operator in self.intercepted_binops:
            return "environment.call_binop(context, %r, %s, %s)" % (operator, left, right)
        guard = _GUARDED_BINARY_OPERATORS.get(operator)
        if guard is not None:
            return "%s(%s, %s)" % (guard, left, right)
        return "(%s %s %s)" % (left, operator, right)

    def expr_Concat(self, node: n.ConcatNode, frame: _CompileFrame) -> str:
        if frame.volatile:
            join = "(markup_join if context.eval_ctx.autoescape else str_join)"
        elif frame.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        return "%s((%s,))" % (join, ", ".join(self.visit_expr(item, frame) for item in node.nodes))

    def expr_Compare(self, node: n.CompareNode, frame: _CompileFrame) -> str:
        parts = [self.visit_expr(node.expr, frame)]
        for operand in node.ops:
            parts.append(_COMPARE_OPERATOR_TEXT[operand.op])
            parts.append(self.visit_expr(operand.expr, frame))
        return "(%s)" % " ".join(parts)

    def expr_And(self, node: n.AndNode, frame: _CompileFrame) -> str:
        return "(%s and %s)" % (
            self.visit_expr(node.left, frame),
            self.visit_expr(node.right, frame),
        )

    def expr_Or(self, node: n.OrNode, frame: _CompileFrame) -> str:
        return "(%s or %s)" % (
            self.visit_expr(node.left, frame),
            self.visit_expr(node.right, frame),
        )

    def expr_Not(self, node: n.NotNode, frame: _CompileFrame) -> str:
        if "not" in self.intercepted_unops:
            return "environment.call_unop(context, 'not', %s)" % self.visit_expr(node.node, frame)
        return "(not %s)" % self.visit_expr(node.node, frame)

    def expr_Neg(self, node: n.NegNode, frame: _CompileFrame) -> str:
        if "-" in self.intercepted_unops:
            return "environment.call_unop(context, '-', %s)" % self.visit_expr(node.node, frame)
        return "(-%s)" % self.visit_expr(node.node, frame)

    def expr_Pos(self, node: n.PosNode, frame: _CompileFrame) -> str:
        if "+" in self.intercepted_unops:
            return "environment.call_unop(context, '+', %s)" % self.visit_expr(node.node, frame)
        return "(+%s)" % self.visit_expr(node.node, frame)

    def _is_loop_call_or_attribute(self, node: t.Any, frame: _CompileFrame) -> bool:
        """Is this ``loop.<attr>`` or ``loop.<attr>(...)`` on a loop the
        compiler made itself (not a user value named loop)?"""
        if isinstance(node, n.CallNode):
            node = node.node
        if not (
            isinstance(node, n.GetattrNode)
            and isinstance(node.node, n.NameNode)
            and node.node.name == "loop"
            and not self.sandboxed
        ):
            return False
        ref = frame.lookup("loop")
        return ref in self._loop_refs or ref in self._loop_counters

    def _loop_attribute_code(self, node: t.Any, frame: _CompileFrame) -> str | None:
        """``loop.index`` and friends read straight off the LoopContext."""
        if (
            isinstance(node, n.GetattrNode)
            and node.attr in _LOOP_ATTRIBUTES
            and isinstance(node.node, n.NameNode)
            and node.node.name == "loop"
            and not self.sandboxed
        ):
            ref = frame.lookup("loop")
            if ref in self._loop_refs:
                return "%s.%s" % (ref, node.attr)
            if ref in self._loop_counters:
                if node.attr == "index":
                    return "(%s + 1)" % ref
                if node.attr == "index0":
                    return ref
                if node.attr == "first":
                    return "(%s == 0)" % ref
        return None

    def expr_Getattr(self, node: n.GetattrNode, frame: _CompileFrame) -> str:
        direct = self._loop_attribute_code(node, frame)
        if direct is not None:
            return direct
        obj = self.visit_expr(node.node, frame)
        attr = node.attr
        if (
            self.sandboxed
            or attr[:1] == "_"
            or attr in UNSAFE_ATTRIBUTE_NAMES
            or attr in _DICT_ATTRIBUTE_NAMES
            or attr in ("format", "format_map")
        ):
            return "environment_getattr(%s, %r)" % (obj, attr)
        return "fast_getattr(%s, %r)" % (obj, attr)

    def expr_Getitem(self, node: n.GetitemNode, frame: _CompileFrame) -> str:
        obj = self.visit_expr(node.node, frame)
        arg = node.arg
        if isinstance(arg, n.SliceNode):
            return "environment_getitem(%s, %s)" % (obj, self.expr_Slice(arg, frame))
        return "environment_getitem(%s, %s)" % (obj, self.visit_expr(arg, frame))

    def expr_Slice(self, node: n.SliceNode, frame: _CompileFrame) -> str:
        parts = [
            "None" if part is None else self.visit_expr(part, frame)
            for part in (node.start, node.stop, node.step)
        ]
        return "slice(%s)" % ", ".join(parts)

    def _arguments_code(
        self,
        node: t.Any,
        frame: _CompileFrame,
        extra_kwargs: t.Sequence[tuple[str, str]] = (),
    ) -> list[str]:
        parts = [self.visit_expr(arg, frame) for arg in node.args]
        if node.dyn_args is not None:
            parts.append("*%s" % self.visit_expr(node.dyn_args, frame))
        keywords = [(keyword.key, self.visit_expr(keyword.value, frame)) for keyword in node.kwargs]
        keywords.extend(extra_kwargs)
        dyn_kwargs = None
        if node.dyn_kwargs is not None:
            dyn_kwargs = self.visit_expr(node.dyn_kwargs, frame)
        if not all(_is_plain_python_name(key) for key, _ in keywords):
            # ``class=``, ``for=``: Python refuses them as keywords, so (as
            # Jinja does) all keyword arguments go in one ``**`` mapping; a
            # repeated key keeps its last value and ``**kwargs`` wins.
            mapping = "{%s}" % ", ".join("%r: %s" % item for item in keywords)
            if dyn_kwargs is not None:
                mapping = "dict(%s, **%s)" % (mapping, dyn_kwargs)
            parts.append("**%s" % mapping)
            return parts
        seen: set[str] = set()
        for key, value in keywords:
            python_key = _identifier_as_python_reads_it(key)
            if python_key in seen:
                self.fail("keyword argument repeated: %r" % key, node.lineno or self._lineno)
            seen.add(python_key)
            parts.append("%s=%s" % (key, value))
        if dyn_kwargs is not None:
            parts.append("**%s" % dyn_kwargs)
        return parts

    def _call_code(
        self,
        node: n.CallNode,
        frame: _CompileFrame,
        extra_kwargs: t.Sequence[tuple[str, str]] = (),
    ) -> str:
        if (
            isinstance(node.node, n.GetattrNode)
            and node.node.attr == "cycle"
            and isinstance(node.node.node, n.NameNode)
            and node.node.node.name == "loop"
            and frame.lookup("loop") in self._loop_counters
        ):
            items = [self.visit_expr(arg, frame) for arg in node.args]
            return "(%s,)[%s %% %d]" % (", ".join(items), frame.lookup("loop"), len(items))
        func = self.visit_expr(node.node, frame)
        if func.endswith((".cycle", ".changed")) and func.split(".")[0] in self._loop_refs:
            return "%s(%s)" % (func, ", ".join(self._arguments_code(node, frame, extra_kwargs)))
        # With the call's own keywords, as Jinja passes them: one named
        # _loop_vars in the template is then a repeated keyword.
        extra_kwargs = list(extra_kwargs)
        if frame.loop_vars_ref is not None:
            extra_kwargs.append(("_loop_vars", frame.loop_vars_ref))
        elif frame.block_vars_ref is not None:
            extra_kwargs.append(("_block_vars", frame.block_vars_ref))
        parts = [func] + self._arguments_code(node, frame, extra_kwargs)
        return "call(context, %s)" % ", ".join(parts)

    def expr_Call(self, node: n.CallNode, frame: _CompileFrame) -> str:
        return self._call_code(node, frame)

    def _bound_callable(
        self, kind: str, name: str, frame: _CompileFrame, lineno: int
    ) -> tuple[str, t.Any]:
        table = self.environment.filters if kind == "filter" else self.environment.tests
        refs = self._filter_refs if kind == "filter" else self._test_refs
        func = table.get(name)
        if func is None:
            if not frame.soft:
                self.fail("No %s named %r." % (kind, name), lineno)
            return "unknown_%s_error(%r)" % (kind, name), None
        ref = refs.get(name)
        if ref is None:
            ref = "%s_%s_%d" % (kind, _python_name_fragment(name), len(refs))
            refs[name] = ref
            self._module_lines.append(
                (0, "%s = environment.%ss[%r]" % (ref, kind, name), lineno)
            )
        return ref, func

    def _pass_arg_prefix(self, func: t.Any) -> str:
        pass_arg = getattr(func, "jinja_pass_arg", None)
        if pass_arg == "context":
            return "context, "
        if pass_arg == "eval_context":
            return "context.eval_ctx, "
        if pass_arg == "environment":
            return "environment, "
        return ""

    def _filter_code(self, node: n.FilterNode, value_code: str, frame: _CompileFrame) -> str:
        """Apply a filter chain whose innermost value is already-compiled code
        (the body of ``{% filter %}`` or of a block ``{% set %}``)."""
        ref, func = self._bound_callable("filter", node.name, frame, node.lineno)
        if isinstance(node.node, n.FilterNode):
            inner = self._filter_code(node.node, value_code, frame)
        elif node.node is None:
            inner = value_code
        else:
            inner = self.visit_expr(node.node, frame)
        if func is None:
            return ref
        parts = [inner] + self._arguments_code(node, frame)
        return "%s(%s%s)" % (ref, self._pass_arg_prefix(func), ", ".join(parts))

    def expr_Filter(self, node: n.FilterNode, frame: _CompileFrame) -> str:
        # The outer filter's name is checked first, as Jinja does.
        ref, func = self._bound_callable("filter", node.name, frame, node.lineno)
        value = self.visit_expr(node.node, frame) if node.node is not None else "None"
        if func is None:
            return ref
        parts = [value] + self._arguments_code(node, frame)
        return "%s(%s%s)" % (ref, self._pass_arg_prefix(func), ", ".join(parts))

    def expr_Test(self, node: n.TestNode, frame: _CompileFrame) -> str:
        ref, func = self._bound_callable("test", node.name, frame, node.lineno)
        value = self.visit_expr(node.node, frame)
        if func is None:
            return ref
        parts = [value] + self._arguments_code(node, frame)
        return "%s(%s%s)" % (ref, self._pass_arg_prefix(func), ", ".join(parts))


def generate(
    template: n.TemplateNode,
    environment: t.Any,
    name: str | None,
    filename: str | None,
) -> tuple[str, list[tuple[int, int]]]:
    """Python source and line map for a parsed template."""
    generator_class = getattr(environment, "code_generator_class", None) or CodeGenerator
    return generator_class(environment, name, filename).generate(template)
