"""Walking a model's graph: Sequential layer lists, functional ``inbound_nodes``, nesting."""

from __future__ import annotations

import functools
from typing import Any

from lstm_doctor.keras_archive._common import (
    _ELEMENTWISE_OPS,
    _GLOBAL_POOL,
    _MERGE,
    _POOL,
    _RECURRENT,
    _SAME_SHAPE,
    MAX_DEPTH,
    Shape,
    _add,
    _Bad,
    _batch_shape,
    _broadcast,
    _Cfg,
    _is_int,
    _Mismatch,
    _name,
    _Out,
    _recorded_input,
    _short,
)
from lstm_doctor.keras_archive._model import LayerInfo


class _Graph:
    """The walk's state and its traversal of models, calls and layers.

    The ``l_<Class>`` handlers that build single layers come from the other mixins of
    :class:`~lstm_doctor.keras_archive._read._Reader`.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.layers: list[LayerInfo] = []
        self.notes: list[str] = []
        self.unknown: list[str] = []
        self.input: tuple[Any, Shape] | None = None  # (batch, shape) of the first input
        self.any_input: tuple[Any, Shape] | None = None  # the first InputLayer at any depth
        self.assumed = False  # a shape was assumed (Lambda): later misfits are not errors
        self.n_inputs = 0
        self.n_outputs = 1

    # ----------------------------------------------------------------------- models
    def model(self, spec: dict, inputs: list | None, where: str, depth: int, trainable: bool,
              *, record: bool = True, top: bool = False) -> tuple[list, int | None, int | None]:
        """Walk a Sequential or functional model given as a layer spec."""
        if depth > MAX_DEPTH:
            raise _Bad(f"{where}: models and wrappers are nested more than {MAX_DEPTH} deep")
        cfg = spec["config"]
        layers = cfg.get("layers")
        if not isinstance(layers, list):
            raise _Bad(f"{where}: 'layers' is {_short(layers)}; expected a list of layers")
        for i, lay in enumerate(layers):
            if not isinstance(lay, dict):
                raise _Bad(f"{where}: layer {i} is {_short(lay)}; expected a mapping with "
                           "'class_name' and 'config'")
        functional = "input_layers" in cfg or any("inbound_nodes" in lay and
                                                  lay.get("inbound_nodes") for lay in layers)
        if functional:
            return self.functional(spec, inputs, where, depth, trainable, record, top)
        return self.sequential(spec, inputs, where, depth, trainable, record, top)

    def sequential(self, spec: dict, inputs: list | None, where: str, depth: int,
                   trainable: bool, record: bool, top: bool) -> tuple[list, Any, Any]:
        cfg = spec["config"]
        given = inputs[0] if inputs else None
        fallback = None  # (batch, shape) recorded for the whole model
        if cfg.get("build_input_shape") is not None:
            fallback = _batch_shape(cfg["build_input_shape"], f"{where}: 'build_input_shape'")
        if fallback is None and _recorded_input(spec) is not None:
            fallback = (spec["build_config"]["input_shape"][0], _recorded_input(spec))
        declared = None  # (batch, shape) from an InputLayer or a first layer's batch shape
        shape: Shape | None = given if given is not None else (fallback[1] if fallback else None)
        tr: int | None = 0
        nt: int | None = 0
        outs: list = [shape]
        first = True
        for i, lay in enumerate(cfg["layers"]):
            lwhere = self.where(lay, i, where)
            lcfg = lay.get("config")
            if lay.get("class_name") == "InputLayer":
                got = self.input_layer(lay, lwhere)
                if got is not None:
                    declared = declared or got
                    if given is None:
                        shape = got[1]
                if record and top:  # a nested model's own input is no layer of the whole
                    self.layers.append(LayerInfo("InputLayer", self.name(lay, i), 0, 0, shape))
                outs = [shape]
                continue
            if first and isinstance(lcfg, dict):
                for key in ("batch_input_shape", "batch_shape"):
                    if lcfg.get(key) is not None:
                        got = _batch_shape(lcfg[key], f"{lwhere}: '{key}'")
                        declared = declared or got
                        if given is None and got is not None:
                            shape = got[1]
                        break
            recorded = _recorded_input(lay)
            if recorded is not None:
                if first and fallback is None:
                    fallback = (lay["build_config"]["input_shape"][0], recorded)
                shape = recorded
            first = False
            out = self.layer(lay, [shape], {}, lwhere, depth, trainable, record, i)
            tr, nt = _add(tr, out.trainable), _add(nt, out.non_trainable)
            outs = out.outs
            shape = outs[0] if outs else None
            if isinstance(shape, list):
                shape = None
        if top:
            self.input = declared or fallback
            self.n_inputs = 1 if self.input else 0
        return outs, tr, nt

    def functional(self, spec: dict, inputs: list | None, where: str, depth: int,
                   trainable: bool, record: bool, top: bool) -> tuple[list, Any, Any]:
        cfg = spec["config"]
        layers = cfg["layers"]
        input_refs = self.refs(cfg.get("input_layers"), f"{where}: 'input_layers'")
        output_refs = self.refs(cfg.get("output_layers"), f"{where}: 'output_layers'")
        given = {}
        if inputs:
            for ref, shape in zip(input_refs, inputs, strict=False):
                given[ref[0]] = shape
        tensors: dict[tuple, Shape | None] = {}
        tr: int | None = 0
        nt: int | None = 0
        names: set[str] = set()
        for i, lay in enumerate(layers):
            lwhere = self.where(lay, i, where)
            name = lay.get("name")
            if name is None and isinstance(lay.get("config"), dict):
                name = lay["config"].get("name")
            if not isinstance(name, str):
                raise _Bad(f"{lwhere}: functional layer without a 'name' string")
            if name in names:
                raise _Bad(f"{lwhere}: layer name '{_name(name, 40)}' appears twice")
            names.add(name)
            cls = lay.get("class_name")
            if cls == "InputLayer":
                got = self.input_layer(lay, lwhere)
                shape = given.get(name, got[1] if got else None)
                if top and got is not None and (not input_refs or name == input_refs[0][0]):
                    if self.input is None:
                        self.input = got
                tensors[(name, 0, 0)] = shape
                if record and top:
                    self.layers.append(LayerInfo("InputLayer", name, 0, 0, shape))
                continue
            nodes = lay.get("inbound_nodes", [])
            if not isinstance(nodes, list):
                raise _Bad(f"{lwhere}: 'inbound_nodes' is {_short(nodes)}; expected a list")
            if not nodes:
                shape = _recorded_input(lay)
                nodes_inputs: list = [([shape], {})]
            else:
                nodes_inputs = [self.node_inputs(node, tensors, f"{lwhere} node {k}")
                                for k, node in enumerate(nodes)]
            for k, (pos, named) in enumerate(nodes_inputs):
                out = self.layer(lay, pos, named, lwhere, depth, trainable,
                                 record and k == 0, i, count=k == 0)
                for t, shape in enumerate(out.outs):
                    tensors[(name, k, t)] = shape
                if k == 0:
                    tr, nt = _add(tr, out.trainable), _add(nt, out.non_trainable)
        if top:
            self.n_inputs = len(input_refs)
            self.n_outputs = len(output_refs)
            if self.input is None and input_refs:
                self.unknown.append("the model's input shape is not recorded")
        outs = [tensors.get(ref[:3]) for ref in output_refs]
        return outs, tr, nt

    def refs(self, value: Any, where: str) -> list[tuple]:
        """``input_layers``/``output_layers``: one ``[name, node, tensor]`` or a list of them."""
        if value is None:
            return []
        if isinstance(value, dict):
            value = list(value.values())
        if not isinstance(value, list):
            raise _Bad(f"{where} is {_short(value)}; expected [layer name, node, tensor] lists")
        if len(value) == 3 and isinstance(value[0], str):
            value = [value]
        refs = []
        for ref in value:
            if not (isinstance(ref, list) and len(ref) >= 3 and isinstance(ref[0], str)
                    and _is_int(ref[1]) and _is_int(ref[2])):
                raise _Bad(f"{where} has {_short(ref)}; expected [layer name, node, tensor]")
            refs.append((ref[0], ref[1], ref[2]))
        return refs

    def node_inputs(self, node: Any, tensors: dict, where: str) -> tuple[list, dict]:
        """Input shapes of one call: positional tensors in order, keyword tensors by name."""
        pos: list = []
        named: dict = {}
        if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
            args = node.get("args", [])
            kwargs = node.get("kwargs", {})
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise _Bad(f"{where}: expected 'args' list and 'kwargs' mapping")
            self.collect(args, tensors, pos, where, 0)
            for key, value in kwargs.items():
                found: list = []
                self.collect(value, tensors, found, where, 0)
                if found and key not in ("mask", "training", "initial_state"):
                    named[key] = found[0] if len(found) == 1 else found
            return pos, named
        if isinstance(node, list):  # Keras 2: [[name, node, tensor, kwargs], ...]
            for ref in node:
                if not (isinstance(ref, list) and len(ref) >= 3 and isinstance(ref[0], str)
                        and _is_int(ref[1]) and _is_int(ref[2])):
                    raise _Bad(f"{where}: inbound entry {_short(ref)} is not "
                               "[layer name, node, tensor, kwargs]")
                pos.append(tensors.get((ref[0], ref[1], ref[2])))
            return pos, named
        raise _Bad(f"{where} is {_short(node)}; expected a mapping or a list")

    def collect(self, value: Any, tensors: dict, out: list, where: str, depth: int) -> None:
        """Append the shapes of every ``__keras_tensor__`` in ``value`` (depth-first)."""
        if depth > MAX_DEPTH:
            raise _Bad(f"{where}: call arguments are nested more than {MAX_DEPTH} deep")
        if isinstance(value, list):
            for v in value:
                self.collect(v, tensors, out, where, depth + 1)
        elif isinstance(value, dict):
            if value.get("class_name") == "__keras_tensor__":
                tcfg = value.get("config")
                if not isinstance(tcfg, dict):
                    raise _Bad(f"{where}: a tensor without a 'config' mapping")
                hist = tcfg.get("keras_history")
                recorded = _batch_shape(tcfg.get("shape"), f"{where}: tensor 'shape'") \
                    if tcfg.get("shape") is not None else None
                if recorded is not None:
                    out.append(recorded[1])
                elif (isinstance(hist, list) and len(hist) >= 3 and isinstance(hist[0], str)
                      and _is_int(hist[1]) and _is_int(hist[2])):
                    out.append(tensors.get((hist[0], hist[1], hist[2])))
                else:
                    raise _Bad(f"{where}: a tensor without 'shape' or 'keras_history'")

    # ----------------------------------------------------------------------- layers
    @staticmethod
    def where(lay: dict, i: int, parent: str) -> str:
        cls = lay.get("class_name")
        cfg = lay.get("config")
        name = cfg.get("name") if isinstance(cfg, dict) else None
        if not isinstance(name, str):
            name = lay.get("name") if isinstance(lay.get("name"), str) else None
        label = f"layer {i}" if parent == "model" else f"{parent} > layer {i}"
        label += f" '{_name(name, 40)}'" if name else ""
        return label + (f" ({_name(cls, 40)})" if isinstance(cls, str) else "")

    @staticmethod
    def name(lay: dict, i: int) -> str:
        cfg = lay.get("config")
        name = cfg.get("name") if isinstance(cfg, dict) else None
        if not isinstance(name, str):
            name = lay.get("name")
        return name if isinstance(name, str) else f"layer_{i}"

    def input_layer(self, lay: dict, where: str) -> tuple[Any, Shape] | None:
        cfg = lay.get("config")
        if not isinstance(cfg, dict):
            raise _Bad(f"{where}: 'config' is {_short(cfg)}; expected a mapping")
        got = None
        for key in ("batch_shape", "batch_input_shape"):
            if cfg.get(key) is not None:
                got = _batch_shape(cfg[key], f"{where}: '{key}'")
                break
        else:
            if cfg.get("shape") is not None:
                got = _batch_shape([None, *cfg["shape"]] if isinstance(cfg["shape"], list)
                                   else cfg["shape"], f"{where}: 'shape'")
                if got is not None:
                    batch = cfg.get("batch_size")
                    got = (batch if _is_int(batch) else None, got[1])
        if self.any_input is None:
            self.any_input = got
        return got

    def layer(self, lay: dict, pos: list, named: dict, where: str, depth: int,
              parent_trainable: bool, record: bool, index: int, *, count: bool = True) -> _Out:
        """Build one layer spec on the given input shapes; record it and return its result."""
        if depth > MAX_DEPTH:
            raise _Bad(f"{where}: models and wrappers are nested more than {MAX_DEPTH} deep")
        cls = lay.get("class_name")
        cfg = lay.get("config")
        if not isinstance(cls, str) or not cls:
            raise _Bad(f"{where}: 'class_name' is {_short(cls)}; expected a layer class name")
        if not isinstance(cfg, dict):
            raise _Bad(f"{where}: 'config' is {_short(cfg)}; expected a mapping")
        c = _Cfg(cfg, where)
        trainable = parent_trainable and c.flag("trainable", True)
        module = lay.get("module")
        is_op = isinstance(module, str) and (module.startswith("keras.src.ops")
                                             or module.startswith("keras.ops"))
        n_unknown = len(self.unknown)
        if is_op or cls in ("TFOpLambda", "SlicingOpLambda"):
            out = self.op(cls, pos, where)
        elif isinstance(cfg.get("layers"), list):
            outs, tr, nt = self.model(lay, pos, where, depth + 1, trainable, record=record)
            if not count:
                del self.unknown[n_unknown:]
            return _Out(outs, tr, nt)  # its layers are recorded and counted already
        else:
            handler = None
            if cls.isidentifier() and cls[0].isupper():  # l_Dense, l_LSTM... (not l_same)
                handler = getattr(self, "l_" + cls, None)
            if handler is None:
                handler = self.by_family(cls)
            if handler is None:
                out = self.unknown_layer(lay, cls, pos, where, count)
            else:
                shape = pos[0] if pos else None
                if isinstance(shape, list):  # a list given to a one-tensor layer
                    shape = None
                try:
                    out = handler(c, shape, pos, named, where, depth)
                except _Mismatch as exc:
                    if not self.assumed:
                        raise
                    self.unknown.append(f"{exc} (after an assumed shape)")
                    out = _Out([None], None, None)
        if not count:
            del self.unknown[n_unknown:]
        tr, nt = out.trainable, out.non_trainable
        if not trainable:
            tr, nt = 0, _add(tr, nt)
        out.trainable, out.non_trainable = tr, nt
        if record:
            info = {k: v for k, v in out.info.items() if v is not None or k in (
                "merge_mode",)}
            first = out.outs[0] if out.outs else None
            if isinstance(first, list):
                first = first[0] if first else None
            self.layers.append(LayerInfo(cls, self.name(lay, index), tr, nt, first, info,
                                         out.wrapped))
        return out

    def by_family(self, cls: str) -> Any:
        if cls in _SAME_SHAPE:
            return self.l_same
        if cls in _POOL:
            return self.l_pool
        if cls in _GLOBAL_POOL:
            return self.l_global_pool
        if cls in _MERGE:
            return self.l_merge
        if cls in _RECURRENT:
            return functools.partial(self.l_recurrent, kind=cls)
        return None

    def unknown_layer(self, lay: dict, cls: str, pos: list, where: str, count: bool) -> _Out:
        if count:
            self.unknown.append(f"{where} is not a layer lstm-doctor knows, so its weights "
                                "are not counted")
        return _Out([None], None, None)

    def needs(self, shape: Shape | None, where: str, what: str, rank: int | None = None,
              min_rank: int = 1) -> bool:
        """Whether ``shape`` is usable; records why not when it is unknown or of bad rank."""
        if shape is None:
            self.unknown.append(f"{where}: input shape unknown, {what} not counted")
            return False
        if (rank is not None and len(shape) != rank) or len(shape) < min_rank:
            want = rank if rank is not None else f"at least {min_rank}"
            raise _Mismatch(f"{where}: input shape {shape} has {len(shape)} axes after the batch "
                       f"axis; the layer needs {want}")
        return True

    def op(self, cls: str, pos: list, where: str) -> _Out:
        """A Keras 3 operation (``x * 400``) or a Keras 2 TF op in a functional graph."""
        if cls in _ELEMENTWISE_OPS:
            known = [s for s in pos if s is not None]
            if pos and len(known) == len(pos):
                try:
                    return _Out([_broadcast(known, where)])
                except _Bad:
                    return _Out([None])
        return _Out([None])
