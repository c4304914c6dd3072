"""lstm-doctor scan: static linting of training scripts and notebooks."""

from __future__ import annotations

import json
import sys

import pytest

from lstm_doctor.scan import scan, scan_paths
from tests.helpers import FIXTURES, run_cli

SCAN = FIXTURES / "scripts"


def codes(result):
    return [(f["code"], f["line"], f["severity"]) for f in result.findings]


def test_airline_tutorial():
    r = scan(SCAN / "airline.py")
    assert r.error is None
    assert codes(r) == [("LD303", 12, "error"), ("LD603", 36, "warning")]
    s = {k: (v.to_dict()["value"], v.line) for k, v in r.setup.items()}
    assert s["preprocessing.scaler"] == ("minmax", 11)
    assert s["preprocessing.scaler_fit"] == ("full", 12)
    assert s["split.method"] == ("temporal", 15)
    assert s["model.units"] == (4, 33)
    assert s["window.seq_length"] == (3, 33)
    assert s["window.layout"] == ("features", 33)
    assert s["training.epochs"] == (100, 36)
    assert s["training.batch_size"] == (1, 36)
    assert s["training.early_stopping"][0] is False
    cfg = r.config
    assert cfg.preprocessing.scaler_fit == "full" and cfg.training.epochs == 100
    assert cfg.window.seq_length == 3 and cfg.training.batch_size == 1


def test_stock_notebook_magics_skipped_and_lines_per_cell():
    r = scan(SCAN / "stock.ipynb")
    assert r.error is None
    assert codes(r) == [("LD605", 21, "error"), ("LD601", 26, "error"),
                        ("LD606", 34, "error")]
    cells = [(f["code"], f["cell"], f["cell_line"]) for f in r.findings]
    assert cells == [("LD605", 5, 1), ("LD601", 6, 2), ("LD606", 7, 3)]
    s = {k: v.to_dict()["value"] for k, v in r.setup.items()}
    assert s["training.validation"] == "holdout"
    assert s["training.early_stopping"] is True
    assert s["model.activation"] == "relu" and s["model.units"] == 50
    assert s["window.seq_length"] == 60
    assert "LD603" not in [f["code"] for f in r.findings]


def test_correct_script_is_quiet():
    r = scan(SCAN / "correct.py")
    assert r.error is None
    assert [f for f in r.findings if f["severity"] in ("error", "warning")] == []
    s = {k: v.to_dict()["value"] for k, v in r.setup.items()}
    assert s["preprocessing.scaler_fit"] == "train"
    assert s["split.method"] == "temporal"
    assert s["training.validation"] == "split" and s["training.early_stopping"] is True
    assert s["training.loss"] == "huber" and s["training.learning_rate"] == 0.001
    assert r.config.window.seq_length == 24


def test_unknown_is_not_guessed():
    src = ("import cfg\nfrom keras.layers import LSTM\n"
           "units = cfg.get('units')\nact = pick()\n"
           "layer = LSTM(units, activation=act)\n"
           "model.fit(X, y, epochs=cfg.EPOCHS, callbacks=make_callbacks())\n")
    r = scan(src)
    s = {k: v.to_dict()["value"] for k, v in r.setup.items()}
    assert s["model.units"] == "unknown" and s["model.activation"] == "unknown"
    assert s["training.epochs"] == "unknown"
    assert s["training.early_stopping"] == "unknown"
    assert r.findings == []
    assert r.config.origin("model.units") == "assumed"
    assert r.config.origin("model.cell") == "given"


def test_optimizer_objects_and_split_shuffle_false():
    src = ("from keras.optimizers import SGD\nfrom sklearn.model_selection import "
           "train_test_split\nlr = 0.01\n"
           "Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, shuffle=False)\n"
           "model.compile(optimizer=SGD(learning_rate=lr, momentum=0.9), loss='mae')\n")
    r = scan(src)
    s = {k: v.to_dict()["value"] for k, v in r.setup.items()}
    assert s["training.optimizer"] == "sgd" and s["training.learning_rate"] == 0.01
    assert s["training.momentum"] == 0.9 and s["split.method"] == "temporal"
    assert r.findings == []


def test_directory_recurses(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.py").write_text((SCAN / "airline.py").read_text())
    (tmp_path / "b.ipynb").write_text((SCAN / "stock.ipynb").read_text())
    (tmp_path / "notes.txt").write_text("x")
    results = scan_paths([tmp_path])
    assert sorted(r.source.rsplit("/", 1)[-1] for r in results) == ["a.py", "b.ipynb"]


def test_cli_json(capsys):
    code, out, _ = run_cli(["scan", SCAN / "airline.py", "--format", "json"], capsys)
    assert code == 1
    doc = json.loads(out)
    f = doc["files"][0]["findings"]
    assert [(x["code"], x["line"]) for x in f] == [("LD303", 12), ("LD603", 36)]
    code, out, _ = run_cli(["scan", SCAN / "correct.py", "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["summary"]["error"] == 0
    code, _, _ = run_cli(["scan", SCAN / "airline.py", "--fail-on", "never"], capsys)
    assert code == 0


def test_cli_text_like_ruff(capsys):
    code, out, _ = run_cli(["scan", SCAN / "stock.ipynb"], capsys)
    assert code == 1
    assert out.splitlines()[0].startswith(f"{SCAN / 'stock.ipynb'}:21:36 (cell 5, line 1): LD605")


def test_syntax_error_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.py"
    bad.write_text("import numpy as np\ndef windows(x:\n    return x\n")
    code, out, err = run_cli(["scan", bad], capsys)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "bad.py:2" in err


def test_no_tensorflow_imported():
    import subprocess

    code = (f"import sys, lstm_doctor; lstm_doctor.scan({str(SCAN / 'stock.ipynb')!r}); "
            "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]; "
            "assert not bad, bad")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("line", ["!pip install x", "%matplotlib inline", "  %time y = 1"])
def test_magic_lines_skipped(line):
    nb = {"cells": [{"cell_type": "code", "source": [line + "\n", "x = 1\n"]}]}
    r = scan(json.dumps(nb) + "\n", notebook=True)
    assert r.error is None


def test_noqa_suppresses_on_its_line():
    src = ("from keras.layers import LSTM\n"
           "a = LSTM(8, activation='relu')  # lstm-doctor: noqa LD601\n"
           "model.fit(X, y, epochs=100)  # lstm-doctor: noqa LD601\n")
    assert codes(scan(src)) == [("LD603", 3, "warning")]
    assert scan(src.replace("LD601\n", "\n")).findings == []
    assert codes(scan(src.replace("# lstm-doctor: noqa LD601\nmodel", "\nmodel"))) == [
        ("LD601", 2, "error"), ("LD603", 3, "warning")]


def test_positional_fit_arguments():
    r = scan("model.fit(X, y, 1, 100, verbose=2)\n")
    s = {k: v.to_dict()["value"] for k, v in r.setup.items()}
    assert s["training.batch_size"] == 1 and s["training.epochs"] == 100
    assert codes(r) == [("LD603", 1, "warning")]


def test_stateful_loop_epochs_unknown():
    r = scan(SCAN / "stateful.py")
    assert r.error is None and r.findings == []
    s = {k: (v.to_dict()["value"], v.line) for k, v in r.setup.items()}
    assert s["model.stateful"] == (True, 21)
    assert s["training.epochs"] == ("unknown", 25)  # fit in a loop: not the literal 1
    assert s["training.batch_size"] == (1, 25) and s["training.shuffle"] == (False, 25)
    assert s["preprocessing.scaler_fit"] == ("train", 15)
    assert s["split.method"] == ("temporal", 12)
    assert "window.seq_length" in s and s["window.seq_length"][0] == 1  # lag = 1
    cfg = r.config
    assert cfg.model.stateful is True and cfg.origin("training.epochs") == "assumed"


def test_import_aliases_and_conv_front_end():
    src = ("from tensorflow.keras.layers import LSTM as L, Conv1D\n"
           "from sklearn.preprocessing import MinMaxScaler as MMS\n"
           "sc = MMS()\n"
           "data = sc.fit_transform(data)\n"
           "train, test = data[:100], data[100:]\n"
           "model = Sequential([Conv1D(filters=16, kernel_size=5),\n"
           "                    L(20, activation='relu')])\n")
    r = scan(src)
    assert codes(r) == [("LD303", 4, "error"), ("LD601", 7, "error")]
    assert r.config.model.conv_filters == 16 and r.config.model.conv_kernel_size == 5


def test_public_api_is_the_function():
    import lstm_doctor
    import lstm_doctor.scan  # noqa: F401 - the subpackage must not shadow the function

    assert callable(lstm_doctor.scan) and "scan" in lstm_doctor.__all__
    assert lstm_doctor.scan("x = 1\n").findings == []
