"""Static values: :data:`UNKNOWN`, :class:`Value` and the resolver of names and expressions.

The resolver knows literals, names bound by simple assignments (``look_back = 3``,
``epochs, batch = 70, 16``), the arithmetic ``+ - * / //`` and ``int()``/``float()`` of known
numbers, and the parameters of the script's own functions (the value every call site
passes, or the default when a call leaves it out). Anything else is :data:`UNKNOWN`: a
name assigned twice with different values, a loop variable, an attribute, a subscript, a
call. Names are looked up flow-insensitively, in the function's scope then the module's.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any


class _Unknown:
    def __repr__(self) -> str:
        return "unknown"


#: A value that the code does not determine statically.
UNKNOWN: Any = _Unknown()

#: Largest integer the resolver keeps (beyond it the value is unknown: bounded work).
_MAX_INT = 10 ** 15


@dataclass
class Value:
    """One extracted value and where the code states it (1-based line, 1-based column)."""

    value: Any
    line: int
    col: int = 1

    @property
    def known(self) -> bool:
        """False when the code does not determine the value."""
        return self.value is not UNKNOWN

    def to_dict(self) -> dict[str, Any]:
        """``{"value", "line", "col"}`` (``"unknown"`` when not static)."""
        v = self.value
        v = "unknown" if v is UNKNOWN else list(v) if isinstance(v, tuple) else v
        return {"value": v, "line": self.line, "col": self.col}


def at(value: Any, node: ast.AST) -> Value:
    """``value`` placed at ``node``'s position."""
    return Value(value, getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)


@dataclass
class Scope:
    """A function, lambda, class body or the module: its names and parameters."""

    node: ast.AST
    parent: Scope | None
    name: str = ""
    params: list[str] = field(default_factory=list)      # positional, in order
    kwonly: list[str] = field(default_factory=list)
    defaults: dict[str, ast.expr] = field(default_factory=dict)
    defs: dict[str, list[ast.expr | None]] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)
    is_function: bool = False
    is_method: bool = False

    def has_param(self, name: str) -> bool:
        """Whether ``name`` is one of its parameters."""
        return name in self.params or name in self.kwonly

    def define(self, name: str, value: ast.expr | None) -> None:
        """Record an assignment of ``name`` (``None``: not a simple value).

        A name declared ``global`` is assigned in the module.
        """
        scope = self
        if name in self.globals:
            while scope.parent is not None:
                scope = scope.parent
        scope.defs.setdefault(name, []).append(value)


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _arith(op: ast.operator, a: Any, b: Any) -> Any:
    if not (_number(a) and _number(b)):
        return UNKNOWN
    try:
        if isinstance(op, ast.Add):
            r = a + b
        elif isinstance(op, ast.Sub):
            r = a - b
        elif isinstance(op, ast.Mult):
            r = a * b
        elif isinstance(op, ast.Div):
            r = a / b
        elif isinstance(op, ast.FloorDiv):
            r = a // b
        else:
            return UNKNOWN
    except (ZeroDivisionError, OverflowError):
        return UNKNOWN
    return UNKNOWN if isinstance(r, int) and abs(r) > _MAX_INT else r


class Resolver:
    """Values of expressions in a scope (memoised; cycles resolve to unknown).

    Parameters
    ----------
    module : Scope
        The module scope.
    functions : dict
        Function name -> the scopes of its definitions (two definitions: ambiguous).
    call_sites : dict
        Function name -> ``(call, scope of the caller)`` for every ``name(...)`` call.
    """

    def __init__(self, module: Scope, functions: dict[str, list[Scope]],
                 call_sites: dict[str, list[tuple[ast.Call, Scope]]]) -> None:
        self.module = module
        self.functions = functions
        self.call_sites = call_sites
        self._names: dict[tuple[int, str], Any] = {}
        self._params: dict[tuple[int, str], tuple[Any, ast.AST | None]] = {}

    # -- expressions ------------------------------------------------------------------------
    def value(self, node: ast.AST | None, scope: Scope) -> Any:
        """The static value of ``node`` in ``scope``, or :data:`UNKNOWN`."""
        if node is None:
            return UNKNOWN
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, (int, float, str, bool)) or \
                node.value is None else UNKNOWN
        if isinstance(node, ast.Name):
            return self.name(node.id, scope)[0]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = self.value(node.operand, scope)
            if not _number(v):
                return UNKNOWN
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            return _arith(node.op, self.value(node.left, scope), self.value(node.right, scope))
        if isinstance(node, (ast.Tuple, ast.List)):
            items = [self.value(e, scope) for e in node.elts]
            return UNKNOWN if any(i is UNKNOWN for i in items) else tuple(items)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("int", "float") and len(node.args) == 1 and \
                not node.keywords:
            v = self.value(node.args[0], scope)
            if not _number(v):
                return UNKNOWN
            try:
                return int(v) if node.func.id == "int" else float(v)
            except (OverflowError, ValueError):
                return UNKNOWN
        return UNKNOWN

    def located(self, node: ast.AST, scope: Scope) -> Value:
        """The value of ``node`` placed where it is stated.

        A parameter of the script's own function is placed at the argument of the call
        that passes it (or at its default); anything else at ``node`` itself.
        """
        if isinstance(node, ast.Name):
            v, src = self.name(node.id, scope)
            return at(v, src if src is not None else node)
        return at(self.value(node, scope), node)

    # -- names ------------------------------------------------------------------------------
    def _scope_of(self, name: str, scope: Scope) -> Scope | None:
        s: Scope | None = scope
        while s is not None:
            if name in s.globals:
                return self.module
            if s.has_param(name) or name in s.defs:
                return s
            s = s.parent
        return None

    def name(self, name: str, scope: Scope) -> tuple[Any, ast.AST | None]:
        """(value, the node stating it when it is a passed argument or default)."""
        owner = self._scope_of(name, scope)
        if owner is None:
            return UNKNOWN, None
        if owner.has_param(name):
            return self.param(owner, name)
        key = (id(owner), name)
        if key in self._names:
            return self._names[key], None
        self._names[key] = UNKNOWN  # a cycle resolves to unknown
        values = [UNKNOWN if e is None else self.value(e, owner) for e in owner.defs[name]]
        first = values[0]
        result = first if all(v == first and type(v) is type(first) for v in values) else UNKNOWN
        self._names[key] = result
        return result, None

    def param(self, fn: Scope, name: str) -> tuple[Any, ast.AST | None]:
        """The value every call of ``fn`` passes as parameter ``name`` (or its default)."""
        key = (id(fn), name)
        if key in self._params:
            return self._params[key]
        self._params[key] = (UNKNOWN, None)
        result: tuple[Any, ast.AST | None] = (UNKNOWN, None)
        sites = self.call_sites.get(fn.name, [])
        if fn.is_function and not fn.is_method and len(self.functions.get(fn.name, [])) == 1 \
                and sites:
            found = [self._bound(fn, name, call, caller) for call, caller in sites]
            first = found[0]
            if first[0] is not UNKNOWN and all(v == first[0] and type(v) is type(first[0])
                                               for v, _ in found):
                result = first
        self._params[key] = result
        return result

    def _bound(self, fn: Scope, name: str, call: ast.Call, caller: Scope
               ) -> tuple[Any, ast.AST | None]:
        """What one call passes as ``name``."""
        arg: ast.AST | None = None
        if name in fn.params:
            i = fn.params.index(name)
            starred = [j for j, a in enumerate(call.args) if isinstance(a, ast.Starred)]
            if starred and starred[0] <= i:
                return UNKNOWN, None
            if i < len(call.args):
                arg = call.args[i]
        if arg is None:
            for k in call.keywords:
                if k.arg == name:
                    arg = k.value
                elif k.arg is None:  # **kwargs may hold it
                    return UNKNOWN, None
        if arg is not None:
            if isinstance(arg, ast.Name):
                v, src = self.name(arg.id, caller)
                return v, src if src is not None else arg
            return self.value(arg, caller), arg
        default = fn.defaults.get(name)
        if default is None:
            return UNKNOWN, None
        return self.value(default, fn.parent or self.module), default


__all__ = ["UNKNOWN", "Resolver", "Scope", "Value", "at"]
