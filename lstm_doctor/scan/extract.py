"""Static extraction of an LSTM training set-up from Python source (``ast``; nothing runs).

Only literals and simple name assignments (``look_back = 3``) are resolved; anything else is
:data:`UNKNOWN`, never guessed. Every extracted value keeps its source line and column.
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

RNN_CELLS = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "simple_rnn", "CuDNNLSTM": "lstm",
             "CuDNNGRU": "gru"}
OTHER_LAYERS = ("Dense", "Dropout", "Conv1D", "Bidirectional", "TimeDistributed", "Flatten",
                "RepeatVector", "MaxPooling1D")
SCALERS = {"MinMaxScaler": "minmax", "StandardScaler": "standard", "RobustScaler": "robust"}
OPTIMIZERS = {"SGD": "sgd", "Adam": "adam", "AdamW": "adamw", "RMSprop": "rmsprop",
              "Adagrad": "adagrad", "Adadelta": "adadelta", "Adamax": "adamax", "Nadam": "nadam"}
LOSSES = {"Huber": "huber", "MeanSquaredError": "mse", "MeanAbsoluteError": "mae",
          "LogCosh": "logcosh", "MeanAbsolutePercentageError": "mape"}
CALLBACKS = ("EarlyStopping", "ModelCheckpoint")
KERAS_FIT_KW = ("epochs", "batch_size", "validation_split", "validation_data", "callbacks",
                "shuffle", "nb_epoch", "verbose")
#: Variable names that hold the look-back (window length).
LOOKBACK_NAMES = ("look_back", "lookback", "n_steps", "n_steps_in", "time_steps", "timesteps",
                  "window_size", "window_length", "seq_length", "sequence_length", "seq_len",
                  "n_lags", "n_input", "lag", "lags", "window")


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


@dataclass
class Call:
    """A call of interest: its kind, name, keyword values and position."""

    kind: str  # layer, compile, fit, scaler, scaler_fit, split, callback, window
    name: str
    line: int
    col: int
    args: dict[str, Value] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Extraction:
    """What the source states: calls of interest in source order, and look-back variables."""

    calls: list[Call] = field(default_factory=list)
    lookback: Value | None = None

    def of(self, kind: str) -> list[Call]:
        """The calls of one kind, in source order."""
        return [c for c in self.calls if c.kind == kind]


def _callee(node: ast.AST) -> tuple[str, str | None]:
    """(last name of the called function, receiver name if ``name.attr(...)``)."""
    if isinstance(node, ast.Name):
        return node.id, None
    if isinstance(node, ast.Attribute):
        recv = node.value
        if isinstance(recv, ast.Name):
            return node.attr, recv.id
        if isinstance(recv, ast.Call):
            return node.attr, "<call:" + _callee(recv.func)[0] + ">"
        return node.attr, None
    return "", None


def _names_in(node: ast.AST | None) -> list[str]:
    if node is None:
        return []
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]


class _Extractor:
    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.env: dict[str, Any] = {}       # name -> literal (UNKNOWN if not static)
        self.objects: dict[str, tuple[str, ast.Call]] = {}  # name -> (constructor, call)
        self.out = Extraction()
        self.in_loop: set[int] = set()
        self.aliases: dict[str, str] = {}

    # -- values -------------------------------------------------------------------------
    def resolve(self, node: ast.AST | None) -> Any:
        if node is None:
            return UNKNOWN
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self.env.get(node.id, UNKNOWN)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            v = self.resolve(node.operand)
            return -v if isinstance(v, (int, float)) and not isinstance(v, bool) else UNKNOWN
        if isinstance(node, (ast.Tuple, ast.List)):
            items = [self.resolve(e) for e in node.elts]
            return UNKNOWN if any(i is UNKNOWN for i in items) else tuple(items)
        return UNKNOWN

    def value(self, node: ast.AST) -> Value:
        return Value(self.resolve(node), node.lineno, node.col_offset + 1)

    # -- assignments ----------------------------------------------------------------------
    def collect_env(self) -> None:
        """Simple ``name = literal`` assignments; a name assigned twice differently is unknown."""
        seen: dict[str, Any] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom):  # from keras.layers import LSTM as L
                self.aliases.update({a.asname: a.name for a in node.names if a.asname})
            targets: list[ast.AST] = []
            value = None
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            elif isinstance(node, ast.AugAssign):
                targets = [node.target]
            elif isinstance(node, (ast.For, ast.comprehension)):
                targets = [node.target]
            for t in targets:
                for name in ([t] if isinstance(t, ast.Name) else
                             [e for e in ast.walk(t) if isinstance(e, ast.Name)]):
                    v = (self._literal(value) if value is not None and isinstance(t, ast.Name)
                         else UNKNOWN)
                    if name.id in seen and seen[name.id] != v:
                        v = UNKNOWN
                    seen[name.id] = v
                    if isinstance(t, ast.Name) and isinstance(value, ast.Call) and \
                            _callee(value.func)[0] not in ("fit", "partial_fit"):
                        # (``scaler = scaler.fit(train)``: fit returns the same object)
                        self.objects[name.id] = (self.aliases.get(_callee(value.func)[0],
                                                                  _callee(value.func)[0]), value)
        self.env = seen

    def _literal(self, node: ast.AST) -> Any:
        try:
            return ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return UNKNOWN

    # -- calls ----------------------------------------------------------------------------
    def kw(self, call: ast.Call, names: tuple[str, ...], positions: tuple[int, ...] = ()
           ) -> dict[str, Value]:
        out: dict[str, Value] = {}
        for k in call.keywords:
            if k.arg in names:
                out[k.arg] = self.value(k.value)
        for name, pos in zip(names, positions, strict=False):
            if name not in out and len(call.args) > pos and not isinstance(
                    call.args[pos], ast.Starred):
                out[name] = self.value(call.args[pos])
        return out

    def kind_of(self, name: str | None) -> str | None:
        if name is None:
            return None
        if name.startswith("<call:"):
            return name[6:-1]
        return self.objects.get(name, (None,))[0]

    def visit_call(self, call: ast.Call) -> None:
        name, recv = _callee(call.func)
        name = self.aliases.get(name, name)
        pos = (call.lineno, call.col_offset + 1)
        add = self.out.calls.append
        if name in RNN_CELLS:
            args = self.kw(call, ("units", "activation", "recurrent_activation", "input_shape",
                                  "batch_input_shape", "stateful", "return_sequences",
                                  "dropout", "recurrent_dropout"), (0,))
            add(Call("layer", name, *pos, args, {"cell": RNN_CELLS[name]}))
        elif name in OTHER_LAYERS:
            args = self.kw(call, ("units", "filters", "kernel_size", "rate", "activation",
                                  "input_shape"), (0,))
            add(Call("layer", name, *pos, args))
        elif name in SCALERS:
            add(Call("scaler", name, *pos, self.kw(call, ("feature_range",)),
                     {"scaler": SCALERS[name]}))
        elif name in CALLBACKS:
            add(Call("callback", name, *pos, self.kw(call, ("monitor", "patience",
                                                            "save_best_only"))))
        elif name == "train_test_split":
            add(Call("split", name, *pos, self.kw(call, ("shuffle", "test_size"))))
        elif name == "TimeSeriesSplit":
            add(Call("split", name, *pos, {}, {"method": "temporal"}))
        elif name in ("timeseries_dataset_from_array", "TimeseriesGenerator"):
            args = self.kw(call, ("sequence_length", "length"), ())
            add(Call("window", name, *pos, args))
        elif name == "compile" and recv is not None:
            add(Call("compile", name, *pos, self.compile_args(call)))
        elif name in ("fit", "fit_transform", "partial_fit"):
            recv_kind = self.kind_of(recv)
            if recv_kind in SCALERS:
                data = call.args[0] if call.args else None
                add(Call("scaler_fit", name, *pos, {}, {
                    "scaler": SCALERS[recv_kind], "data_names": _names_in(data)}))
            elif name == "fit" and (any(k.arg in KERAS_FIT_KW for k in call.keywords)
                                    or recv_kind in ("Sequential", "Model")):
                add(Call("fit", name, *pos, *self.fit_args(call)))

    def compile_args(self, call: ast.Call) -> dict[str, Value]:
        out: dict[str, Value] = {}
        for k in call.keywords:
            if k.arg not in ("optimizer", "loss"):
                continue
            node = k.value
            if isinstance(node, ast.Name) and node.id in self.objects:
                node = self.objects[node.id][1]
            if isinstance(node, ast.Call):
                cname = _callee(node.func)[0]
                table = OPTIMIZERS if k.arg == "optimizer" else LOSSES
                out[k.arg] = Value(table.get(cname, UNKNOWN), node.lineno, node.col_offset + 1)
                if k.arg == "optimizer":
                    for key, v in self.kw(node, ("learning_rate", "lr", "momentum",
                                                 "nesterov")).items():
                        out["learning_rate" if key == "lr" else key] = v
            else:
                v = self.value(node)
                if isinstance(v.value, str):
                    v.value = v.value.lower()
                out[k.arg] = v
        return out

    def fit_args(self, call: ast.Call) -> tuple[dict[str, Value], dict[str, Any]]:
        # keras: fit(x, y, batch_size, epochs, verbose, callbacks, validation_split, ...)
        args = self.kw(call, ("batch_size", "epochs", "nb_epoch", "validation_split", "shuffle"),
                       (2, 3))
        if "nb_epoch" in args and "epochs" not in args:
            args["epochs"] = args.pop("nb_epoch")
        if id(call) in self.in_loop and "epochs" in args:
            # fit called in a loop (the stateful idiom): the epochs run are not the literal
            args["epochs"] = Value(UNKNOWN, args["epochs"].line, args["epochs"].col)
        extra: dict[str, Any] = {"callbacks": [], "validation_data": None}
        for k in call.keywords:
            if k.arg == "validation_data":
                extra["validation_data"] = Value(tuple(_names_in(k.value)), k.value.lineno,
                                                 k.value.col_offset + 1)
            elif k.arg == "callbacks":
                extra["callbacks"] = self.callbacks(k.value)
        return args, extra

    def callbacks(self, node: ast.AST) -> list[Any]:
        """Callbacks named or constructed in the list: ``(name, Call node)`` or UNKNOWN."""
        if isinstance(node, ast.Name) and node.id in self.objects and \
                self.objects[node.id][0] not in CALLBACKS:
            node = self.objects[node.id][1]
        if not isinstance(node, (ast.List, ast.Tuple)):
            return [UNKNOWN]
        out: list[Any] = []
        for e in node.elts:
            if isinstance(e, ast.Name) and e.id in self.objects:
                e = self.objects[e.id][1]
            if isinstance(e, ast.Call):
                out.append((_callee(e.func)[0], e.lineno, e.col_offset + 1))
            else:
                out.append(UNKNOWN)
        return out

    def slices_split(self, node: ast.Assign) -> bool:
        """``train, test = data[:n], data[n:]`` or ``train = data[0:n]``: a temporal split."""
        names = [n.id.lower() for t in node.targets for n in ast.walk(t)
                 if isinstance(n, ast.Name)]
        if not any("train" in n or "test" in n for n in names):
            return False
        return any(isinstance(n, ast.Subscript) and any(isinstance(s, ast.Slice)
                                                         for s in ast.walk(n.slice))
                   for n in ast.walk(node.value))

    def run(self) -> Extraction:
        self.collect_env()
        self.in_loop = {id(n) for loop in ast.walk(self.tree)
                        if isinstance(loop, (ast.For, ast.While))
                        for stmt in loop.body for n in ast.walk(stmt)}
        nodes = sorted((n for n in ast.walk(self.tree) if hasattr(n, "lineno")),
                       key=lambda n: (n.lineno, n.col_offset))
        for node in nodes:
            if isinstance(node, ast.Call):
                self.visit_call(node)
            elif isinstance(node, ast.Assign):
                if self.slices_split(node):
                    self.out.calls.append(Call("split", "slice", node.lineno,
                                               node.col_offset + 1, {},
                                               {"method": "temporal"}))
                for t in node.targets:
                    if isinstance(t, ast.Name) and t.id.lower() in LOOKBACK_NAMES \
                            and self.out.lookback is None:
                        self.out.lookback = Value(self.env.get(t.id, UNKNOWN),
                                                  node.lineno, t.col_offset + 1)
        return self.out


def extract(source: str, filename: str = "<string>") -> Extraction:
    """The set-up a Python source states (raises :class:`SyntaxError`)."""
    tree = ast.parse(source, filename=filename)
    return _Extractor(tree).run()


__all__ = ["UNKNOWN", "Call", "Extraction", "Value", "extract"]
