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
    assert codes(r) == [("LD303", 12, "error"), ("LD603", 36, "warning"),
                        ("LD604", 36, "info")]
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
                        ("LD601", 28, "error"), ("LD606", 34, "error")]
    cells = [(f["code"], f["cell"], f["cell_line"]) for f in r.findings]
    assert cells == [("LD605", 5, 1), ("LD601", 6, 2), ("LD601", 6, 4), ("LD606", 7, 3)]
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
    assert [(x["code"], x["line"]) for x in f] == [("LD303", 12), ("LD603", 36), ("LD604", 36)]
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
    assert codes(r) == [("LD604", 1, "info"), ("LD603", 1, "warning")]


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


# -- scan --data, --emit-config, output formats, baselines, excludes ------------------------
AIRLINE_CSV = FIXTURES / "realworld" / "airline-lookback1" / "airline-passengers.csv"


def test_data_runs_the_data_rules_on_the_stated_setup():
    r = scan(SCAN / "airline.py", data=AIRLINE_CSV)
    script = [(f["code"], f["line"]) for f in r.findings if f["path"] == str(SCAN / "airline.py")]
    on_data = [f["code"] for f in r.findings if f["path"] != str(SCAN / "airline.py")]
    # the window the script states (look_back 3, line 33) misses the monthly season
    assert ("LD502", 33) in script and ("LD303", 12) in script and ("LD603", 36) in script
    assert [c for c, _ in script].count("LD303") == 1  # the code-only finding, not twice
    assert "LD201" in on_data and "LD205" in on_data  # about the series: on the data file
    assert all(f["location"]["path"] == str(AIRLINE_CSV) for f in r.findings
               if f["code"] == "LD201")
    assert r.to_dict()["data"]["n"] == 144
    # without data: no data rule runs
    assert {f["code"] for f in scan(SCAN / "airline.py").findings} == {"LD303", "LD603",
                                                                         "LD604"}


def test_data_on_the_correct_script_stays_quiet_on_the_setup(tmp_path):
    r = scan(SCAN / "correct.py", data=AIRLINE_CSV)
    loud_on_script = [f["code"] for f in r.findings if f["path"] == str(SCAN / "correct.py")
                      and f["severity"] in ("error", "warning")]
    assert "LD303" not in loud_on_script and "LD605" not in loud_on_script
    assert "LD603" not in loud_on_script and "LD601" not in loud_on_script


def test_cli_data_errors_are_one_line(capsys, tmp_path):
    code, out, err = run_cli(["scan", SCAN / "airline.py", "--target", "x"], capsys)
    assert code == 2 and "--data" in err and len(err.strip().splitlines()) == 1
    code, out, err = run_cli(["scan", SCAN / "airline.py", "--data", AIRLINE_CSV,
                              "--target", "nope"], capsys)
    assert code == 2 and "nope" in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_emit_config_round_trips_through_check(tmp_path, capsys):
    from lstm_doctor.config import load_config

    fixed = tmp_path / "lstm.yaml"
    code, _, err = run_cli(["scan", SCAN / "airline.py", "--emit-config", fixed], capsys)
    assert code == 1 and fixed.is_file()
    text = fixed.read_text()
    assert "scaler_fit: full  # " in text and "airline.py:12" in text
    cfg = load_config(str(fixed))
    assert cfg.preprocessing.scaler_fit == "full" and cfg.window.seq_length == 3
    assert cfg.training.epochs == 100 and cfg.origin("training.epochs") == "given"
    stated = scan(SCAN / "airline.py").config
    assert cfg == stated and {k: cfg.origin(k) for k in cfg.keys()} == {
        k: stated.origin(k) for k in stated.keys()}
    code, out, _ = run_cli(["check", AIRLINE_CSV, "--config", fixed, "--format", "json"],
                           capsys)
    assert code == 1 and "LD303" in {f["code"] for f in json.loads(out)["findings"]}


def test_emit_config_lists_what_the_code_does_not_state(tmp_path):
    src = ("from keras.layers import LSTM\nunits = cfg['units']\n"
           "m = LSTM(units, activation='tanh')\nmodel.fit(X, y, epochs=20)\n")
    r = scan(src)
    text = r.config_yaml()
    assert "# units: ?" in text and "<string>:3" in text
    assert "epochs: 20  # <string>:4" in text
    from lstm_doctor.config import load_config

    path = tmp_path / "x.yaml"
    path.write_text(text)
    cfg = load_config(str(path))
    assert cfg.origin("model.units") == "assumed" and cfg.origin("model.activation") == "given"
    assert cfg.origin("training.epochs") == "given"


def test_emit_config_needs_one_script(tmp_path, capsys):
    code, _, err = run_cli(["scan", SCAN, "--emit-config", tmp_path / "x.yaml"], capsys)
    assert code == 2 and "one script" in err and not (tmp_path / "x.yaml").exists()


def test_sarif_has_a_region_on_the_script_line(capsys):
    code, out, _ = run_cli(["scan", SCAN / "airline.py", "--format", "sarif"], capsys)
    assert code == 1
    results = json.loads(out)["runs"][0]["results"]
    regions = [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
               for r in results]
    assert regions == [("LD303", 12), ("LD603", 36), ("LD604", 36)]
    uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("fixtures/scripts/airline.py")


def test_github_and_junit_name_the_line(capsys):
    code, out, _ = run_cli(["scan", SCAN / "stock.ipynb", "--format", "github"], capsys)
    assert code == 1
    assert [ln.split("title=")[1].split(" ")[0] for ln in out.splitlines()] == [
        "LD605", "LD601", "LD601", "LD606"]
    assert "line=21,col=36" in out.splitlines()[0]
    code, out, _ = run_cli(["scan", SCAN / "airline.py", "--format", "junit"], capsys)
    assert code == 1 and 'airline.py:12:10: LD303' in out and "<failure" in out


def test_junit_keeps_every_finding_of_a_rule_that_fires_twice(capsys):
    """Two recurrent layers with relu: two LD601 test cases, each failing on its own line."""
    import xml.etree.ElementTree as ET

    code, out, _ = run_cli(["scan", SCAN / "stock.ipynb", "--format", "junit"], capsys)
    assert code == 1
    suite = ET.fromstring(out).find("testsuite")
    cases = [c for c in suite.iter("testcase") if c.get("name").startswith("LD601 ")]
    assert len(cases) == 2 and len({c.get("name") for c in cases}) == 2
    heads = [c.find("failure").get("message") for c in cases]
    assert [h.split(": LD601")[0].rsplit(":", 2)[1] for h in heads] == ["26", "28"]
    assert [c.get("name").endswith(f"stock.ipynb:{n}:31)") for c, n in zip(
        cases, (26, 28), strict=True)] == [True, True]
    assert int(suite.get("tests")) == len(list(suite.iter("testcase")))
    assert int(suite.get("failures")) == sum(c.find("failure") is not None
                                             for c in suite.iter("testcase"))


def test_output_file_is_written_and_inputs_refused(tmp_path, capsys):
    out_file = tmp_path / "scan.sarif"
    code, out, _ = run_cli(["scan", SCAN / "airline.py", "--format", "sarif", "-o", out_file],
                           capsys)
    assert code == 1 and out == "" and json.loads(out_file.read_text())["version"] == "2.1.0"
    script = tmp_path / "train.py"
    script.write_text("x = 1\n")
    code, _, err = run_cli(["scan", script, "-o", script], capsys)
    assert code == 2 and "one of your inputs" in err and script.read_text() == "x = 1\n"


def test_baseline_passes_known_findings_and_fails_new_ones(tmp_path, capsys):
    script = tmp_path / "train.py"
    script.write_text((SCAN / "airline.py").read_text())
    base = tmp_path / "baseline.json"
    code, _, _ = run_cli(["scan", script, "--write-baseline", base], capsys)
    assert code == 0 and base.is_file()
    code, out, _ = run_cli(["scan", script, "--baseline", base], capsys)
    assert code == 0 and "known: in the baseline" in out
    script.write_text(script.read_text().replace("LSTM(4,", "LSTM(4, activation='relu',"))
    code, out, _ = run_cli(["scan", script, "--baseline", base], capsys)
    assert code == 1 and "LD601" in out


def test_directory_excludes_from_project_settings(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.lstm-doctor]\nexclude = ["old/", "*_scratch.py", "/notebooks/draft-*.ipynb",'
        ' "!keep_scratch.py"]\n')
    for rel in ("train.py", "old/train.py", "a_scratch.py", "keep_scratch.py",
                "notebooks/draft-1.ipynb", "notebooks/final.ipynb", "sub/notebooks/draft-2.ipynb",
                ".venv/lib/x.py"):
        f = tmp_path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text('{"cells": []}' if rel.endswith(".ipynb") else "x = 1\n")
    found = sorted(r.source[len(str(tmp_path)) + 1:] for r in scan_paths([tmp_path]))
    assert found == ["keep_scratch.py", "notebooks/final.ipynb", "sub/notebooks/draft-2.ipynb",
                     "train.py"]
    # a file named explicitly is scanned even when a pattern excludes it (as ruff does)
    assert [r.error for r in scan_paths([tmp_path / "old" / "train.py"])] == [None]


def test_bad_exclude_setting_is_one_line(tmp_path, capsys):
    (tmp_path / "lstm-doctor.toml").write_text("exclude = [3]\n")
    (tmp_path / "t.py").write_text("x = 1\n")
    code, _, err = run_cli(["scan", tmp_path], capsys)
    assert code == 2 and "exclude" in err and len(err.strip().splitlines()) == 1


def test_every_code_only_finding_has_a_fix_in_script_terms():
    from lstm_doctor.scan.rules import CODES, FIXES

    assert set(FIXES) == set(CODES)
    r = scan(SCAN / "random_split_es.py")
    assert [f["fix"].split(":")[0] for f in r.findings] == [
        "split by time", "validate on the end of the training period (validation_split=0.2 "
        "or a slice before the test set), never on the test windows"]


def test_exclude_is_a_project_key_check_accepts(tmp_path, capsys):
    (tmp_path / "lstm-doctor.toml").write_text('exclude = ["old/"]\ntarget = "y"\n')
    (tmp_path / "d.csv").write_text("t,y\n" + "".join(f"{i},{i % 7}\n" for i in range(60)))
    code, _, err = run_cli(["check", tmp_path / "d.csv"], capsys)
    assert code in (0, 1), err  # the key is known to check too (not an "unknown key")
    (tmp_path / "lstm-doctor.toml").write_text('exclude = ["old/"]\nexclud = 1\n')
    code, _, err = run_cli(["check", tmp_path / "d.csv"], capsys)
    assert code == 2 and "did you mean 'exclude'" in err
