"""Static extraction of an LSTM training set-up from Python source (``ast``; nothing runs).

One walk over the tree records the script's scopes, assignments and calls; the calls of
interest (layers, ``compile``, ``fit``, scalers, splits, windowing, transforms) are then
read with :class:`~lstm_doctor.scan._values.Resolver`: literals, simple assignments,
simple arithmetic and the arguments the script passes to its own functions. Anything else
is :data:`UNKNOWN`, never guessed. Every extracted value keeps its source line and column.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from lstm_doctor.scan._calls import (
    _NUMPY,
    LOOKBACK_NAMES,
    MODEL_CTORS,
    Call,
    _callee,
    _names_in,
    _target_names,
    visit_call,
)
from lstm_doctor.scan._values import UNKNOWN, Resolver, Scope, Value, at


@dataclass
class Extraction:
    """What the source states: calls of interest in source order, and the look-back."""

    calls: list[Call] = field(default_factory=list)
    lookback: Value | None = None
    #: names bound to what one of the script's own functions returns -> that function
    makers: dict[str, str] = field(default_factory=dict)

    def of(self, kind: str) -> list[Call]:
        """The calls of one kind, in source order."""
        return [c for c in self.calls if c.kind == kind]


def _has_slice(node: ast.Subscript) -> bool:
    s = node.slice
    return isinstance(s, ast.Slice) or (isinstance(s, ast.Tuple) and any(
        isinstance(e, ast.Slice) for e in s.elts))


#: Nodes the walk records something of; the others are only descended into.
_ENTERED = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.For,
                      ast.AsyncFor, ast.While, ast.comprehension, ast.Global, ast.ImportFrom,
                      ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr, ast.withitem,
                      ast.Call, ast.Subscript, ast.BinOp, ast.Attribute})
#: Nodes with nothing to record below them.
_LEAVES = frozenset({ast.Name, ast.Constant, ast.Load, ast.Store, ast.Del, ast.Pass,
                     ast.Import, ast.alias, ast.Break, ast.Continue} |
                    {type(op) for op in (ast.Add(), ast.Sub(), ast.Mult(), ast.Div(),
                                         ast.FloorDiv(), ast.Mod(), ast.Pow(), ast.USub(),
                                         ast.UAdd(), ast.Not(), ast.Eq(), ast.NotEq(),
                                         ast.Lt(), ast.LtE(), ast.Gt(), ast.GtE(), ast.Is(),
                                         ast.IsNot(), ast.In(), ast.NotIn(), ast.And(),
                                         ast.Or(), ast.MatMult(), ast.Invert(),
                                         ast.BitAnd(), ast.BitOr(), ast.BitXor(),
                                         ast.LShift(), ast.RShift())})


@dataclass
class _Ctx:
    scope: Scope
    loop: bool = False
    lam: bool = False
    assign: ast.AST | None = None
    seq: bool = False  # inside a Sequential([...]) call


@dataclass
class _Event:
    node: ast.AST
    ctx: _Ctx
    group: int


class _Extractor:
    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.module = Scope(tree, None)
        self.functions: dict[str, list[Scope]] = {}
        self.call_sites: dict[str, list[tuple[ast.Call, Scope]]] = {}
        self.objects: dict[str, tuple[str, ast.Call, Scope]] = {}
        self.lists: dict[str, list[ast.expr]] = {}
        self.aliases: dict[str, str] = {}
        self.loop_vars: set[str] = set()
        self.events: list[_Event] = []
        self.slices: list[tuple[ast.Subscript, _Ctx]] = []
        self.wrapper: dict[int, ast.Call] = {}     # inner layer call -> Bidirectional(...)
        self.wrapped: set[int] = set()             # inner layer calls of TimeDistributed
        self.builders: dict[str, int] = {}  # functions that build or compile a model -> group
        # ``name = Sequential(...)`` / ``name = build_model()``: (line, col, name, callee, group)
        self.model_names: list[tuple[int, int, str, str, int]] = []
        self.split_assigns: set[int] = set()
        self.group = 0              # the model being built (a Sequential or an Input starts one)
        self.lookbacks: list[tuple[int, Value]] = []  # (rank, value): the best rank wins
        self.out = Extraction()
        self.r = Resolver(self.module, self.functions, self.call_sites)

    # -- the walk -------------------------------------------------------------------------
    def walk(self) -> None:
        """One pre-order pass over the tree (iterative: no recursion limit)."""
        stack: list[tuple[ast.AST, _Ctx]] = [(self.tree, _Ctx(self.module))]
        pop, push = stack.pop, stack.extend
        while stack:
            node, ctx = pop()
            children = self.enter(node, ctx) if type(node) in _ENTERED else None
            if children is None:
                children = [(c, ctx) for c in ast.iter_child_nodes(node)
                            if type(c) not in _LEAVES]
            push(reversed(children))

    def _new_scope(self, node: ast.AST, ctx: _Ctx, name: str = "") -> Scope:
        parent = ctx.scope
        in_class = isinstance(parent.node, ast.ClassDef)
        if in_class:  # methods do not see the class body's names
            parent = parent.parent or self.module
        scope = Scope(node, parent, name, is_method=in_class)
        args = getattr(node, "args", None)
        if isinstance(args, ast.arguments):
            pos = args.posonlyargs + args.args
            scope.params = [a.arg for a in pos]
            scope.kwonly = [a.arg for a in args.kwonlyargs]
            for a, d in zip(pos[len(pos) - len(args.defaults):], args.defaults, strict=True):
                scope.defaults[a.arg] = d
            for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True):
                if d is not None:
                    scope.defaults[a.arg] = d
            for extra in (args.vararg, args.kwarg):
                if extra is not None:
                    scope.kwonly.append(extra.arg)
            scope.is_function = True
        return scope

    def enter(self, node: ast.AST, ctx: _Ctx) -> list[tuple[ast.AST, _Ctx]] | None:
        """Record ``node``; return its children with their context (None: the same)."""
        scope = ctx.scope
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            scope.define(node.name, None)
            inner = self._new_scope(node, ctx, node.name)
            if not isinstance(node, ast.ClassDef):
                self.functions.setdefault(node.name, []).append(inner)
            outer = [(d, ctx) for d in node.decorator_list]
            args = getattr(node, "args", None)
            if args is not None:
                outer += [(d, ctx) for d in args.defaults + [k for k in args.kw_defaults if k]]
            return outer + [(s, _Ctx(inner)) for s in node.body]
        if isinstance(node, ast.Lambda):
            inner = self._new_scope(node, ctx)
            inner.is_function = False  # its parameters are never bound statically
            return [(node.body, _Ctx(inner, ctx.loop, True, ctx.assign, ctx.seq))]
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            if not isinstance(node, ast.While):
                for n in _target_names(node.target):
                    scope.define(n, None)
                    self.loop_vars.add(n)
            body = _Ctx(scope, True, ctx.lam, None, ctx.seq)
            head = [node.iter, node.target] if not isinstance(node, ast.While) else [node.test]
            return ([(h, ctx) for h in head] + [(s, body) for s in node.body]
                    + [(s, ctx) for s in node.orelse])
        if isinstance(node, ast.comprehension):
            for n in _target_names(node.target):
                scope.define(n, None)
                self.loop_vars.add(n)
        elif isinstance(node, ast.Global):
            scope.globals.update(node.names)
        elif isinstance(node, ast.ImportFrom):  # from keras.layers import LSTM as L
            self.aliases.update({a.asname: a.name for a in node.names if a.asname})
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
            return self.assign(node, ctx)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            for n in _target_names(node.optional_vars):
                scope.define(n, None)
        elif isinstance(node, ast.Call):
            return self.call(node, ctx)
        elif isinstance(node, ast.Subscript):
            if _has_slice(node):
                self.slices.append((node, ctx))
                a = ctx.assign
                if a is not None and id(a) not in self.split_assigns and any(
                        w in n.lower() for t in getattr(a, "targets", [getattr(a, "target",
                                                                                None)])
                        for n in _target_names(t) for w in ("train", "test")):
                    self.split_assigns.add(id(a))
                    self.events.append(_Event(a, ctx, self.group))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
            if isinstance(node.left, ast.Subscript) and isinstance(node.right, ast.Subscript):
                self.events.append(_Event(node, ctx, self.group))
        elif isinstance(node, ast.Attribute):
            if node.attr in ("log", "log1p") and isinstance(node.value, ast.Name) and \
                    node.value.id in _NUMPY:
                self.events.append(_Event(node, ctx, self.group))
        return None

    def assign(self, node: ast.AST, ctx: _Ctx) -> list[tuple[ast.AST, _Ctx]]:
        """Record the names an assignment binds (and constructor calls, lists, look-backs)."""
        scope = ctx.scope
        value = getattr(node, "value", None)
        if value is None:  # ``x: int`` declares, binds nothing
            return []
        if isinstance(node, ast.Assign):
            targets = node.targets
        else:
            targets = [node.target]
        for t in targets:
            if isinstance(node, ast.AugAssign):
                for n in _target_names(t):
                    scope.define(n, None)
            elif isinstance(t, ast.Name):
                scope.define(t.id, value)
                if isinstance(value, ast.Call):
                    name = _callee(value.func)[0]
                    if name not in ("fit", "partial_fit"):
                        # (``scaler = scaler.fit(train)``: fit returns the same object)
                        self.objects[t.id] = (self.aliases.get(name, name), value, scope)
                elif isinstance(value, (ast.List, ast.Tuple)):
                    self.lists[t.id] = list(value.elts)
            elif isinstance(t, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple,
                                                                              ast.List)) \
                    and len(t.elts) == len(value.elts) and \
                    not any(isinstance(e, ast.Starred) for e in t.elts + value.elts):
                for e, v in zip(t.elts, value.elts, strict=True):  # epochs, batch = 70, 16
                    for n in _target_names(e):
                        scope.define(n, v if isinstance(e, ast.Name) else None)
            else:
                for n in _target_names(t):
                    scope.define(n, None)
        inner = _Ctx(scope, ctx.loop, ctx.lam, node, ctx.seq)
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], ast.Name) and \
                node.targets[0].id.lower() in LOOKBACK_NAMES:
            self.events.append(_Event(node, ctx, self.group))
        return [(t, ctx) for t in targets] + ([(value, inner)] if value is not None else [])

    def call(self, node: ast.Call, ctx: _Ctx) -> list[tuple[ast.AST, _Ctx]] | None:
        name, recv = _callee(node.func)
        name = self.aliases.get(name, name)
        if isinstance(node.func, ast.Name):
            self.call_sites.setdefault(node.func.id, []).append((node, ctx.scope))
        fn = ctx.scope
        while fn.parent is not None and not fn.is_function:
            fn = fn.parent
        if name == "Sequential" or (name in ("Input", "InputLayer") and not ctx.seq):
            self.group += 1
        if name in MODEL_CTORS or name == "compile":
            if fn.name:
                self.builders[fn.name] = self.group
        a = ctx.assign
        if isinstance(a, ast.Assign) and a.value is node and len(a.targets) == 1 and \
                isinstance(a.targets[0], ast.Name):
            self.model_names.append((a.lineno, a.col_offset, a.targets[0].id, name, self.group))
        if name in ("Bidirectional", "TimeDistributed"):
            inner = node.args[0] if node.args else next(
                (k.value for k in node.keywords if k.arg == "layer"), None)
            if isinstance(inner, ast.Call):
                if name == "Bidirectional":
                    self.wrapper[id(inner)] = node
                else:
                    self.wrapped.add(id(inner))
        self.events.append(_Event(node, ctx, self.group))
        if name == "Sequential":
            seq = _Ctx(ctx.scope, ctx.loop, ctx.lam, ctx.assign, True)
            return [(c, seq) for c in ast.iter_child_nodes(node)]
        return None

    # -- reading values -------------------------------------------------------------------
    def kw(self, call: ast.Call, scope: Scope, names: tuple[str, ...],
           positions: tuple[int, ...] = ()) -> dict[str, Value]:
        """The arguments ``names`` (by keyword, or at ``positions``); unknown under ``**``."""
        out: dict[str, Value] = {}
        for k in call.keywords:
            if k.arg in names:
                out[k.arg] = self.r.located(k.value, scope)
        starred = next((i for i, a in enumerate(call.args) if isinstance(a, ast.Starred)),
                       None)
        for name, pos in zip(names, positions, strict=False):
            if name in out:
                continue
            if starred is not None and starred <= pos:
                out[name] = at(UNKNOWN, call)
            elif len(call.args) > pos:
                out[name] = self.r.located(call.args[pos], scope)
        if any(k.arg is None for k in call.keywords):  # **kwargs may state any of them
            for name in names:
                out.setdefault(name, at(UNKNOWN, call))
        return out

    def kind_of(self, name: str | None) -> str | None:
        if name is None:
            return None
        if name.startswith("<call:"):
            return name[6:-1]
        return self.objects.get(name, (None,))[0]

    def model_group(self, recv: str | None, call: ast.Call) -> int | None:
        """The model a ``recv.compile``/``recv.fit`` call trains, if the code says.

        The group of the model (or of a model-building function's result) last assigned
        to ``recv`` before the call.
        """
        where = (call.lineno, call.col_offset)
        found = None
        for line, col, name, callee, group in self.model_names:
            if name == recv and (line, col) < where:
                if callee in MODEL_CTORS:
                    found = group
                elif callee in self.builders:
                    found = self.builders[callee]
        return found

    def deref(self, node: ast.AST) -> tuple[ast.AST, Scope | None]:
        """A name bound to a constructor call: that call (and its scope)."""
        if isinstance(node, ast.Name) and node.id in self.objects:
            _, call, scope = self.objects[node.id]
            return call, scope
        return node, None

    # -- the calls of interest --------------------------------------------------------------
    def visit(self, ev: _Event) -> None:
        node, ctx = ev.node, ev.ctx
        if isinstance(node, ast.Call):
            self.visit_call(node, ctx, ev.group)
        elif isinstance(node, ast.Assign) and id(node) in self.split_assigns:
            self.out.calls.append(Call("split", "slice", node.lineno, node.col_offset + 1, {},
                                       {"method": "temporal", "names": self.assigned(ctx,
                                                                                     node)}))
        elif isinstance(node, ast.Assign):
            t = node.targets[0]
            self.lookbacks.append((0 if ctx.scope is self.module else 3,
                                   Value(self.r.value(node.value, ctx.scope), node.lineno,
                                         t.col_offset + 1)))
        elif isinstance(node, ast.BinOp):
            self.subtraction(node, ctx)
        elif isinstance(node, ast.Attribute):
            self.out.calls.append(Call("transform", node.attr, node.lineno, node.col_offset + 1,
                                       {"log": at(True, node)}))

    def assigned(self, ctx: _Ctx, node: ast.AST | None = None) -> list[str]:
        a = node if node is not None else ctx.assign
        if a is None:
            return []
        targets = getattr(a, "targets", None) or [getattr(a, "target", None)]
        return [n for t in targets if t is not None for n in _target_names(t)]

    def visit_call(self, call: ast.Call, ctx: _Ctx, group: int) -> None:
        visit_call(self, call, ctx, group)

    def subtraction(self, node: ast.BinOp, ctx: _Ctx) -> None:
        """``x[1:] - x[:-1]`` and ``x[i] - x[i - k]``: differencing of order 1 (lag k)."""
        left, right = node.left, node.right
        assert isinstance(left, ast.Subscript) and isinstance(right, ast.Subscript)
        if ast.dump(left.value) != ast.dump(right.value):
            return
        ls, rs = left.slice, right.slice
        lag: ast.AST | None = None
        if isinstance(ls, ast.Slice) and isinstance(rs, ast.Slice):
            if ls.upper is None and rs.lower is None and ls.lower is not None and \
                    isinstance(rs.upper, ast.UnaryOp) and isinstance(rs.upper.op, ast.USub) \
                    and ast.dump(rs.upper.operand) == ast.dump(ls.lower):
                lag = ls.lower
        elif isinstance(rs, ast.BinOp) and isinstance(rs.op, ast.Sub) and \
                not isinstance(ls, ast.Slice) and ast.dump(rs.left) == ast.dump(ls):
            lag = rs.right
        if lag is not None:
            self.add_lag(self.r.located(lag, ctx.scope), node)

    def add_lag(self, lag: Value, node: ast.AST) -> None:
        """Differencing at ``lag``: order 1 when 1, a seasonal lag when more."""
        if lag.value == 1 and not isinstance(lag.value, bool):
            args = {"difference": at(1, node)}
        elif isinstance(lag.value, int) and not isinstance(lag.value, bool) and lag.value > 1:
            args = {"seasonal_difference": Value(lag.value, lag.line, lag.col)}
        else:
            args = {"difference": at(UNKNOWN, node)}
        self.out.calls.append(Call("transform", "difference", node.lineno,
                                   node.col_offset + 1, args))

    def window_slices(self) -> None:
        """``x[i - k:i]`` / ``x[i:i + k]`` with ``i`` a loop variable: a look-back of k."""
        for node, ctx in self.slices:
            s = node.slice
            if isinstance(s, ast.Tuple):
                s = next(e for e in s.elts if isinstance(e, ast.Slice))
            assert isinstance(s, ast.Slice)
            lo, hi = s.lower, s.upper
            k: ast.AST | None = None
            if isinstance(hi, ast.Name) and hi.id in self.loop_vars and \
                    isinstance(lo, ast.BinOp) and isinstance(lo.op, ast.Sub) and \
                    isinstance(lo.left, ast.Name) and lo.left.id == hi.id:
                k = lo.right
            elif isinstance(lo, ast.Name) and lo.id in self.loop_vars and \
                    isinstance(hi, ast.BinOp) and isinstance(hi.op, ast.Add) and \
                    isinstance(hi.left, ast.Name) and hi.left.id == lo.id:
                k = hi.right
            if k is None or any("batch" in n.lower() for n in _names_in(k)):
                continue
            self.lookbacks.append((1, self.r.located(k, ctx.scope)))

    def lookback_params(self) -> None:
        """Look-back parameters of the script's own functions, as their calls pass them."""
        for name, scopes in self.functions.items():
            if len(scopes) != 1 or name not in self.call_sites:
                continue
            for p in scopes[0].params + scopes[0].kwonly:
                if p.lower() in LOOKBACK_NAMES:
                    v, src = self.r.param(scopes[0], p)
                    node = src if src is not None else scopes[0].node
                    self.lookbacks.append((2, at(v, node)))

    def run(self) -> Extraction:
        self.walk()
        self.events.sort(key=lambda e: (e.node.lineno, e.node.col_offset))
        for ev in self.events:
            self.visit(ev)
        self.window_slices()
        self.lookback_params()
        if self.lookbacks:
            ranked = sorted(self.lookbacks, key=lambda pv: (pv[0], pv[1].line, pv[1].col))
            known = [v for _, v in ranked if v.known]
            self.out.lookback = known[0] if known else ranked[0][1]
        self.out.calls.sort(key=lambda c: (c.line, c.col))
        self.out.makers = {n: o[0] for n, o in self.objects.items() if o[0] in self.functions}
        return self.out


def extract(source: str, filename: str = "<string>") -> Extraction:
    """The set-up a Python source states.

    Raises
    ------
    SyntaxError
        When the source does not parse.
    ValueError
        When it nests too deeply to be read.
    """
    try:
        return _Extractor(ast.parse(source, filename=filename)).run()
    except RecursionError:
        raise ValueError("expressions nested too deeply to scan") from None


__all__ = ["UNKNOWN", "Call", "Extraction", "Value", "extract"]
