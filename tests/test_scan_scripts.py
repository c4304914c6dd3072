"""lstm-doctor scan on the tutorial-style scripts and notebooks of fixtures/scripts.

``fixtures/scripts/expected.yaml`` holds, per file, the exact findings with their lines,
every set-up key the scan must state (value and line) and the keys it must leave unknown;
the parametrized tests assert it exactly. Below them, focused cases of the extraction
(resolver, windowing, layers) and of the code-only checks, each where something must
happen and where it must not.
"""

from __future__ import annotations

import json

import pytest
import yaml

from lstm_doctor.scan import scan
from tests.helpers import FIXTURES

SCRIPTS = FIXTURES / "scripts"
EXPECTED = yaml.safe_load((SCRIPTS / "expected.yaml").read_text(encoding="utf-8"))
FILES = sorted(p.name for p in SCRIPTS.iterdir() if p.suffix in (".py", ".ipynb"))


def _row(f):
    row = [f["code"], f["line"], f["severity"]]
    return row + [f["cell"], f["cell_line"]] if "cell" in f else row


def _setup(src: str):
    return {k: v.to_dict()["value"] for k, v in scan(src).setup.items()}


def _codes(src: str):
    return [(f["code"], f["line"], f["severity"]) for f in scan(src).findings]


# -- the fixtures, exactly -----------------------------------------------------------------
def test_every_fixture_has_an_entry_and_every_entry_a_fixture():
    assert len(FILES) >= 12
    assert sorted(EXPECTED) == FILES
    assert sum(name.endswith(".ipynb") for name in FILES) >= 3
    for name, entry in EXPECTED.items():
        assert entry.get("mistakes", "").strip(), f"{name}: say what its mistakes are"


@pytest.mark.parametrize("name", FILES)
def test_findings_exactly(name):
    r = scan(SCRIPTS / name)
    assert r.error is None
    assert [_row(f) for f in r.findings] == (EXPECTED[name].get("findings") or [])


@pytest.mark.parametrize("name", FILES)
def test_setup_exactly_with_lines_and_nothing_guessed(name):
    r = scan(SCRIPTS / name)
    want = EXPECTED[name].get("setup") or {}
    unknown = EXPECTED[name].get("unknown") or []
    got = {k: [v.to_dict()["value"], v.line] for k, v in r.setup.items() if v.known}
    assert got == want
    assert sorted(k for k, v in r.setup.items() if not v.known) == sorted(unknown)
    config = r.config
    for key in unknown:  # not static: never given, so never judged loudly
        if not key.startswith("code."):
            assert config.origin(key) == "assumed", key


@pytest.mark.parametrize("name", [n for n in FILES if EXPECTED[n].get("correct")])
def test_correct_scripts_raise_nothing_loud(name):
    r = scan(SCRIPTS / name)
    assert [f for f in r.findings if f["severity"] in ("error", "warning")] == []


def test_there_are_correct_scripts():
    assert len([n for n in FILES if EXPECTED[n].get("correct")]) >= 2


@pytest.mark.parametrize("name", FILES)
def test_every_position_is_on_code_of_its_file(name):
    text = (SCRIPTS / name).read_text(encoding="utf-8")
    r = scan(SCRIPTS / name)
    places = [(f["line"], f["col"], f.get("cell"), f.get("cell_line")) for f in r.findings]
    if name.endswith(".ipynb"):
        cells = json.loads(text)["cells"]
        for f in r.findings:  # the notebook's own cell and line, not the joined source's
            line = "".join(cells[f["cell"] - 1]["source"]).splitlines()[f["cell_line"] - 1]
            assert 1 <= f["col"] <= len(line) and line.strip(), (f["code"], line)
    else:
        lines = text.splitlines()
        places += [(v.line, v.col, None, None) for v in r.setup.values()]
        for line, col, _, _ in places:
            assert 1 <= line <= len(lines) and 1 <= col <= len(lines[line - 1]), (line, col)


# -- the resolver --------------------------------------------------------------------------
def test_simple_arithmetic_of_known_names_resolves():
    src = ("past, step = 720, 6\nseq = int(past / step)\nhalf = seq // 2 - 1 + 0 * 3\n"
           "ds = timeseries_dataset_from_array(x, y, sequence_length=seq, sampling_rate=step,"
           " batch_size=half)\nmodel.fit(ds, epochs=5)\n")
    s = _setup(src)
    assert (s["window.seq_length"], s["window.sampling_rate"]) == (120, 6)
    assert s["training.batch_size"] == 59


@pytest.mark.parametrize("expr", ["len(x) // 2", "past ** 2", "cfg['n']", "x.shape[1]",
                                  "past / 0", "round(past)", "args.n"])
def test_anything_else_is_unknown(expr):
    s = _setup(f"past = 720\nn = {expr}\nds = timeseries_dataset_from_array(x, y, "
               "sequence_length=n)\nmodel.fit(ds, epochs=5)\n")
    assert s["window.seq_length"] == "unknown"


def test_a_name_assigned_two_values_is_unknown():
    assert _setup("e = 10\ne = 20\nmodel.fit(X, y, epochs=e)\n")["training.epochs"] == \
        "unknown"
    assert _setup("e = 10\ne = 10\nmodel.fit(X, y, epochs=e)\n")["training.epochs"] == 10


def test_function_parameter_takes_the_call_sites_value_or_default():
    body = ("def create_dataset(dataset, look_back=1):\n"
            "    return [dataset[i:(i + look_back), 0] for i in range(len(dataset))]\n")
    r = scan(body + "X = create_dataset(train, 5)\n")  # placed at the argument passed
    assert r.setup["window.seq_length"].to_dict() == {"value": 5, "line": 3, "col": 27}
    assert _setup(body + "k = 5\nX = create_dataset(train, k)\n")["window.seq_length"] == 5
    assert _setup(body + "X = create_dataset(train)\n")["window.seq_length"] == 1
    assert _setup(body + "X = create_dataset(train, look_back=7)\n")["window.seq_length"] == 7
    # two call sites that disagree, or a value that is not static: unknown
    assert _setup(body + "a = create_dataset(train, 3)\nb = create_dataset(test, 4)\n"
                  )["window.seq_length"] == "unknown"
    assert _setup(body + "X = create_dataset(train, args.k)\n")["window.seq_length"] == \
        "unknown"


def test_tf_data_window_of_a_labs_function():
    lab = ("def windowed_dataset(series, window_size, batch_size, shuffle_buffer):\n"
           "    ds = tf.data.Dataset.from_tensor_slices(series)\n"
           "    ds = ds.window(window_size + 1, shift=1, drop_remainder=True)\n"
           "    ds = ds.flat_map(lambda w: w.batch(window_size + 1))\n"
           "    return ds.shuffle(shuffle_buffer).map(lambda w: (w[:-1], w[-1])).batch("
           "batch_size)\n")
    s = _setup(lab + "train_set = windowed_dataset(x, 20, 32, 1000)\n"
               "model.fit(train_set, epochs=10)\n")
    assert (s["window.seq_length"], s["training.batch_size"]) == (20, 32)
    s = _setup(lab + "train_set = windowed_dataset(x, w, b, 1000)\n"
               "model.fit(train_set, epochs=10)\n")
    assert (s["window.seq_length"], s["training.batch_size"]) == ("unknown", "unknown")
    # a bare window size holds the target too: its look-back is not guessed
    s = _setup("ds = ds.window(21, shift=1)\nmodel.fit(ds, epochs=3)\n")
    assert s["window.seq_length"] == "unknown"


def test_timeseries_generator_positional_and_fit_generator():
    s = _setup("g = TimeseriesGenerator(x, x, 12, batch_size=4)\n"
               "model.fit_generator(g, steps_per_epoch=1, epochs=40)\n")
    assert (s["window.seq_length"], s["training.batch_size"], s["training.epochs"]) == \
        (12, 4, 40)


# -- layers, optimizers, transforms --------------------------------------------------------
def test_functional_input_bidirectional_and_vector_output():
    src = ("from keras.layers import Input, LSTM, Bidirectional, Dense\n"
           "inp = Input(shape=(60, 1))\nh = Bidirectional(LSTM(32))(inp)\n"
           "h = Dense(16, activation='relu')(h)\nout = Dense(7)(h)\n")
    s = _setup(src)
    assert s["window.seq_length"] == 60 and s["model.bidirectional"] is True
    assert s["window.horizon"] == 7 and s["model.head"] == [16]
    assert "window.horizon" not in _setup(src.replace("Dense(7)", "Dense(1)"))
    assert "model.bidirectional" not in _setup(src.replace("Bidirectional(LSTM(32))",
                                                           "LSTM(32)"))


def test_the_last_model_built_is_the_one_described():
    src = ("m = Sequential([LSTM(8, input_shape=(5, 1)), LSTM(8), Dense(1)])\n"
           "m = Sequential([GRU(64, input_shape=(30, 1)), Dense(1)])\n")
    s = _setup(src)
    assert (s["model.cell"], s["model.layers"], s["model.units"]) == ("gru", 1, 64)
    assert s["window.seq_length"] == 30


def test_compile_and_fit_of_the_recurrent_model_not_of_a_baseline():
    lstm = ("model = Sequential([LSTM(8, input_shape=(5, 1)), Dense(1)])\n"
            "model.compile(optimizer='adam', loss='mse')\nmodel.fit(X, y, epochs=100)\n")
    base = ("model = Sequential([Dense(1)])\n"
            "model.compile(optimizer='sgd', loss='mae')\nmodel.fit(X, y, epochs=5)\n")
    for src, line in ((lstm + base, 3), (base + lstm, 6)):
        r = scan(src)
        assert (r.setup["training.epochs"].value, r.setup["training.epochs"].line) == (100, line)
        assert r.setup["training.optimizer"].value == "adam"
        assert [f["code"] for f in r.findings] == ["LD603"]
    built = ("def build():\n    m = Sequential([LSTM(8, input_shape=(5, 1)), Dense(1)])\n"
             "    m.compile(optimizer='adam', loss='mse')\n    return m\n"
             "net = build()\nnet.fit(X, y, 20, 7)\n")  # positional: batch 20, epochs 7
    s = _setup(built + base)
    assert (s["training.epochs"], s["training.batch_size"]) == (7, 20)


@pytest.mark.parametrize("call, lr", [("Adam(0.01)", 0.01), ("Adam(lr=0.02)", 0.02),
                                      ("SGD(0.05, 0.9)", 0.05)])
def test_optimizer_learning_rate_positional_and_keras2(call, lr):
    s = _setup(f"model.compile(optimizer={call}, loss='mse')\n")
    assert s["training.learning_rate"] == lr


def test_schedules_make_the_learning_rate_unknown():
    s = _setup("sched = ExponentialDecay(0.1, 1000, 0.9)\n"
               "model.compile(optimizer=Adam(learning_rate=sched))\n")
    assert s["training.learning_rate"] == "unknown"
    assert s["training.lr_schedule"] == "exponential_decay"
    s = _setup("model.compile(optimizer=SGD(learning_rate=1e-8, momentum=0.9))\n"
               "cb = LearningRateScheduler(lambda e: 1e-8 * 10 ** (e / 20))\n"
               "model.fit(ds, epochs=100, callbacks=[cb])\n")
    assert s["training.learning_rate"] == "unknown"
    assert s["training.lr_schedule"] == "lr_scheduler_callback"


@pytest.mark.parametrize("code, key, value", [
    ("d = np.diff(x)", "preprocessing.difference", 1),
    ("d = np.diff(x, n=2)", "preprocessing.difference", 2),
    ("d = df['y'].diff()", "preprocessing.difference", 1),
    ("d = df['y'].diff(12)", "preprocessing.seasonal_difference", 12),
    ("d = x[1:] - x[:-1]", "preprocessing.difference", 1),
    ("d = x[7:] - x[:-7]", "preprocessing.seasonal_difference", 7),
    ("d = np.log(x)", "preprocessing.log", True),
    ("d = df['y'].apply(np.log1p)", "preprocessing.log", True),
])
def test_differencing_and_log_transforms(code, key, value):
    assert _setup("import numpy as np\n" + code + "\n")[key] == value


@pytest.mark.parametrize("code", ["d = x[1:] - y[:-1]", "d = x[1:] + x[:-1]", "d = np.exp(x)",
                                  "d = x[1:]"])
def test_no_transform_where_there_is_none(code):
    s = _setup("import numpy as np\n" + code + "\n")
    assert not any(k.startswith("preprocessing.") for k in s)


# -- code-only checks ----------------------------------------------------------------------
@pytest.mark.parametrize("opt, want", [
    ("Adam(learning_rate=0.1)", [("LD602", 1, "warning")]),
    ("Adam(learning_rate=0.5)", [("LD602", 1, "error")]),
    ("Adam(learning_rate=1e-7)", [("LD602", 1, "error")]),
    ("Adam(learning_rate=0.001)", []),
    ("Adam(learning_rate=0.01)", []),  # the top of the range is in it
    ("RMSprop(learning_rate=0.005, momentum=0.9)", [("LD602", 1, "warning")]),
    ("RMSprop(learning_rate=0.0005, momentum=0.9)", []),
    ("Adam(learning_rate=lr)", []),  # not static: not judged
    ("'adam'", []),  # the default rate: not stated, not judged
    ("SGD(learning_rate=1e-6, momentum=0.9)", []),  # scale of raw inputs unknown
])
def test_learning_rate_judged_only_when_static(opt, want):
    assert _codes(f"model.compile(optimizer={opt}, loss='mse')\n") == want


@pytest.mark.parametrize("arg, want", [("activation='relu'", "error"),
                                       ("recurrent_activation='hard_sigmoid'", "warning"),
                                       ("activation='tanh'", None)])
def test_activation_severity_follows_the_rule(arg, want):
    got = _codes(f"a = LSTM(4, {arg})\n")
    assert got == ([("LD601", 1, want)] if want else [])


def test_sgd_rate_is_info_only_with_scaled_inputs():
    src = "model.compile(optimizer=SGD(learning_rate=1e-6), loss='mse')\n"
    assert _codes("s = StandardScaler()\n" + src) == [("LD602", 2, "info")]
    assert _codes(src) == []


@pytest.mark.parametrize("layer, want", [
    ("LSTM(4)", [("LD604", 2, "info")]),
    ("LSTM(4, stateful=True)", []),
    ("LSTM(4, stateful=flag)", []),  # not static: nothing said
])
def test_batch_of_one(layer, want):
    assert _codes(f"a = {layer}\nmodel.fit(X, y, epochs=5, batch_size=1)\n") == want
    assert _codes(f"a = {layer}\nmodel.fit(X, y, epochs=5, batch_size=32)\n") == []


def test_validation_split_of_shuffled_windows():
    src = ("X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)\n"
           "model.fit(X_train, y_train, epochs=20, validation_split=0.2)\n")
    assert _codes(src) == [("LD605", 1, "error"), ("LD609", 2, "warning")]
    assert _codes(src.replace("0.2)\n", "0.2, shuffle=False)\n", 1)) == []
    assert _codes(src.replace("validation_split=0.2", "validation_split=0.0")) == [
        ("LD605", 1, "error")]


def test_validation_set_drawn_at_random_from_training_windows():
    src = ("train, test = series[:800], series[800:]\n"
           "X_fit, X_val, y_fit, y_val = train_test_split(X_train, y_train, test_size=0.1)\n"
           "model.fit(X_fit, y_fit, epochs=20, validation_data=(X_val, y_val))\n")
    assert _codes(src) == [("LD609", 2, "warning")]
    assert _codes(src.replace("test_size=0.1", "test_size=0.1, shuffle=False")) == []


def test_noqa_silences_the_new_checks():
    src = "model.fit(X, y, epochs=5, batch_size=1)  # lstm-doctor: noqa LD604\n"
    assert _codes(src) == []
    assert _codes(src.replace("LD604", "LD603")) == [("LD604", 1, "info")]


# -- notebooks -----------------------------------------------------------------------------
def _nb(*cells: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": c} for c in cells]}) + "\n"


def test_python_cell_magics_keep_their_body_and_others_are_skipped():
    fit = "model.fit(X, y, epochs=100)\n"
    r = scan(_nb("%%time\n" + fit), notebook=True)
    assert [(f["code"], f["cell"], f["cell_line"]) for f in r.findings] == [("LD603", 1, 2)]
    assert scan(_nb("%%writefile train.py\n" + fit), notebook=True).findings == []
    r = scan(_nb("files = !ls data\n", "x = %env HOME\n" + fit), notebook=True)
    assert r.error is None and [f["cell"] for f in r.findings] == [2]


def test_nbformat3_worksheets_are_read():
    nb = {"worksheets": [{"cells": [{"cell_type": "code",
                                     "input": ["model.fit(X, y, epochs=100)\n"]}]}]}
    r = scan(json.dumps(nb) + "\n", notebook=True)
    assert r.error is None and [f["code"] for f in r.findings] == ["LD603"]


def test_too_deep_an_expression_is_an_error_result_not_a_crash():
    r = scan("x = " + "+".join(["1"] * 5000) + "\n")
    assert r.error is not None and "nested too deeply" in r.error
