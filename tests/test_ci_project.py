"""Project configuration: [tool.lstm-doctor], lstm-doctor.toml, precedence, `config`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import lstm_doctor
from lstm_doctor.errors import InputError
from lstm_doctor.project import find_project_file, load_project_config
from tests.helpers import run_cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TAYLOR = str(FIXTURES / "taylor.csv")  # LD104 warning (one step outlier, max |z| ~7.02)
MACRO = str(FIXTURES / "macrodata.csv")



def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_found_by_walking_up_and_pyproject_without_table_is_skipped(tmp_path):
    write(tmp_path / "lstm-doctor.toml", 'fail-on = "info"\n')
    write(tmp_path / "a" / "pyproject.toml", '[project]\nname = "x"\n')  # no table: skipped
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_project_file(deep) == (tmp_path / "lstm-doctor.toml").resolve()
    write(tmp_path / "a" / "pyproject.toml", '[tool.lstm-doctor]\nfail-on = "warning"\n')
    assert find_project_file(deep) == (tmp_path / "a" / "pyproject.toml").resolve()
    assert load_project_config(deep).fail_on == "warning"


def test_lstm_doctor_toml_wins_over_pyproject_in_the_same_directory(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.lstm-doctor]\nfail-on = "warning"\n')
    write(tmp_path / "lstm-doctor.toml", 'fail-on = "info"\n')
    cfg = load_project_config(tmp_path)
    assert cfg.path.name == "lstm-doctor.toml" and cfg.fail_on == "info"


def test_no_file_means_defaults(tmp_path):
    cfg = load_project_config(tmp_path)
    assert cfg.path is None and cfg.check_kwargs() == {}


def test_all_keys_parsed_and_paths_relative_to_the_file(tmp_path):
    write(tmp_path / "models" / "lstm.yaml", "window: {seq_length: 12}\n")
    write(tmp_path / "pyproject.toml", """
[tool.lstm-doctor]
select = ["LD1", "LD5"]
ignore = "LD105"
fail_on = "warning"          # snake_case is accepted too
target = "realgdp"
time-col = "date"
features = ["realcons"]
config = "models/lstm.yaml"

[tool.lstm-doctor.thresholds]
LD104 = { z = 5 }
"data.outliers" = { max_outlier_fraction = 0.5 }

[tool.lstm-doctor.severities]
ld105 = "INFO"
""")
    sub = tmp_path / "notebooks"
    sub.mkdir()
    cfg = load_project_config(sub)
    assert cfg.select == ["LD1", "LD5"] and cfg.ignore == ["LD105"]
    assert cfg.fail_on == "warning" and cfg.target == "realgdp" and cfg.time_col == "date"
    assert cfg.features == ["realcons"]
    assert Path(cfg.config) == (tmp_path / "models" / "lstm.yaml").resolve()
    assert cfg.thresholds == {"LD104": {"z": 5, "max_outlier_fraction": 0.5}}
    assert cfg.severities == {"LD105": "info"}
    kwargs = cfg.check_kwargs()
    assert kwargs["config"] == cfg.config and "fail_on" not in kwargs


@pytest.mark.parametrize("body,words", [
    ('fial-on = "error"', ["unknown key 'fial-on'", "did you mean 'fail-on'"]),
    ('slect = ["LD1"]', ["unknown key", "did you mean 'select'"]),
    ('fail-on = "warnings"', ["fail-on", "did you mean 'warning'"]),
    ('select = ["LD9"]', ["select", "'LD9' matches no rule"]),
    ('ignore = ["data.outlier"]', ["ignore", "did you mean 'data.outliers'"]),
    ('[thresholds]\nLD1O4 = { z = 5 }', ["thresholds", "did you mean 'LD104'"]),
    ('[thresholds]\nLD104 = { zz = 5 }', ["LD104", "unknown threshold 'zz'", "did you mean 'z'"]),
    ('[thresholds]\nLD104 = { z = "five" }', ["thresholds.LD104.z", "must be a number"]),
    ('[severities]\nLD104 = "fatal"', ["LD104", "'fatal' is not a severity"]),
    ('target = 3', ["target", "string"]),
    ('config = "a.yaml"\nmodel = "m.keras"', ["config or model"]),
    ('fail-on = ', ["not valid TOML"]),
])
def test_bad_project_files_are_input_errors(tmp_path, body, words):
    write(tmp_path / "lstm-doctor.toml", body + "\n")
    with pytest.raises(InputError) as exc:
        load_project_config(tmp_path)
    msg = str(exc.value)
    assert "lstm-doctor.toml" in msg and "\n" not in msg
    for w in words:
        assert w in msg, (w, msg)


def test_misspelled_table_name(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.lstm_doctor]\nfail-on = "info"\n')
    with pytest.raises(InputError, match=r"\[tool.lstm-doctor\]"):
        load_project_config(tmp_path)


def test_explicit_pyproject_without_table_is_an_error(tmp_path):
    p = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    with pytest.raises(InputError, match="no \\[tool.lstm-doctor\\] table"):
        load_project_config(path=p)


def test_api_does_not_read_project_files(tmp_path, monkeypatch):
    write(tmp_path / "pyproject.toml", "[tool.lstm-doctor.thresholds]\nLD104 = { z = 100 }\n")
    monkeypatch.chdir(tmp_path)
    assert "LD104" in lstm_doctor.check(TAYLOR, select="LD1").codes()
    kwargs = load_project_config().check_kwargs()
    assert "LD104" not in lstm_doctor.check(TAYLOR, select="LD1", **kwargs).codes()


def test_cli_reads_project_and_flags_override(tmp_path, monkeypatch, capsys):
    write(tmp_path / "pyproject.toml", '[tool.lstm-doctor]\nfail-on = "warning"\n'
                                       'select = ["LD1"]\n')
    monkeypatch.chdir(tmp_path)
    assert run_cli(["check", TAYLOR], capsys)[0] == 1  # LD104 warning, fail-on from the file
    assert run_cli(["check", TAYLOR, "--fail-on", "error"], capsys)[0] == 0  # flag wins
    assert run_cli(["check", TAYLOR, "--isolated", "--fail-on", "warning"], capsys)[0] == 1
    write(tmp_path / "pyproject.toml", '[tool.lstm-doctor]\nfail-on = "warning"\n'
                                       '[tool.lstm-doctor.severities]\nLD104 = "info"\n')
    assert run_cli(["check", TAYLOR, "--select", "LD1"], capsys)[0] == 0  # demoted to info
    write(tmp_path / "pyproject.toml", '[tool.lstm-doctor]\nfail-on = "warning"\n'
                                       '[tool.lstm-doctor.thresholds]\nLD104 = { z = 8 }\n')
    code, out, _ = run_cli(["check", TAYLOR, "--select", "LD1", "--format", "json"], capsys)
    assert code == 0 and "LD104" not in [f["code"] for f in json.loads(out)["findings"]]


def test_cli_data_options_and_set_up_from_project(tmp_path, monkeypatch, capsys):
    shutil.copy(MACRO, tmp_path / "macro.csv")
    write(tmp_path / "conf" / "lstm.yaml", "preprocessing: {scaler: standard}\n")
    write(tmp_path / "lstm-doctor.toml", 'target = "realgdp"\nconfig = "conf/lstm.yaml"\n')
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    code, out, err = run_cli(["check", "../macro.csv", "--format", "json", "--fail-on", "never"],
                             capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["data"]["target"] == "realgdp"
    assert doc["config"]["preprocessing"]["scaler"] == "standard"
    code, out, _ = run_cli(["check", "../macro.csv", "--target", "unemp", "--format", "json",
                            "--fail-on", "never"], capsys)
    assert json.loads(out)["data"]["target"] == "unemp"


def test_cli_bad_project_file_exits_2_one_line(tmp_path, monkeypatch, capsys):
    write(tmp_path / "lstm-doctor.toml", 'fial-on = "error"\n')
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", TAYLOR], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "did you mean 'fail-on'" in err
    assert run_cli(["check", TAYLOR, "--isolated", "--select", "LD1"], capsys)[0] == 0


def test_project_config_option(tmp_path, monkeypatch, capsys):
    settings = write(tmp_path / "elsewhere" / "ci.toml", 'fail-on = "warning"\n')
    monkeypatch.chdir(tmp_path)
    assert run_cli(["check", TAYLOR, "--select", "LD1"], capsys)[0] == 0
    assert run_cli(["check", TAYLOR, "--select", "LD1", "--project-config", settings],
                   capsys)[0] == 1
    code, _, err = run_cli(["check", TAYLOR, "--project-config", tmp_path / "none.toml"], capsys)
    assert code == 2 and "none.toml" in err


def test_config_command_shows_values_and_sources(tmp_path, monkeypatch, capsys):
    write(tmp_path / "conf" / "lstm.yaml", "window: {seq_length: 24}\n")
    write(tmp_path / "pyproject.toml", """
[tool.lstm-doctor]
fail-on = "warning"
target = "sales"
config = "conf/lstm.yaml"
[tool.lstm-doctor.thresholds]
LD104 = { z = 5 }
[tool.lstm-doctor.severities]
LD105 = "info"
""")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["config", "--format", "json", "--select", "LD1", "--all"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    s = doc["settings"]
    assert Path(doc["project_file"]).name == "pyproject.toml"
    assert s["fail-on"] == {"value": "warning", "source": "pyproject.toml [tool.lstm-doctor]"}
    assert s["select"] == {"value": ["LD1"], "source": "command line (--select)"}
    assert s["ignore"]["source"] == "default"
    assert s["thresholds.LD104.z"]["value"] == 5
    assert s["severities.LD105"]["value"] == "info"
    assert Path(s["config"]["value"]) == (tmp_path / "conf" / "lstm.yaml").resolve()
    assert doc["rules_selected"] == ["LD101", "LD102", "LD103", "LD104", "LD105"]
    ld104 = next(r for r in doc["rules"] if r["code"] == "LD104")
    assert ld104["thresholds"]["z"]["value"] == 5
    assert ld104["thresholds"]["z"]["source"].startswith("pyproject.toml")
    assert ld104["thresholds"]["max_outlier_fraction"]["source"] == "default"
    ld105 = next(r for r in doc["rules"] if r["code"] == "LD105")
    assert ld105["severity"] == "info" and ld105["severity_source"] != "default"

    code, out, _ = run_cli(["config", "--fail-on", "info"], capsys)
    assert code == 0
    assert "pyproject.toml [tool.lstm-doctor]" in out
    assert "command line (--fail-on)" in " ".join(out.split())
    assert "fail-on" in out and "info" in out


def test_config_command_without_project_and_with_bad_set_up(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(["config"], capsys)
    assert code == 0 and "none found" in out
    write(tmp_path / "bad.yaml", "model: {unit: 3}\n")
    code, _, err = run_cli(["config", "--config", "bad.yaml"], capsys)
    assert code == 2 and "did you mean 'units'" in err


# -- settings found from each file, per-file tables, --extend-ignore --------------------------

def _codes(out: str) -> dict[str, list[str]]:
    doc = json.loads(out)
    files = doc["files"] if "files" in doc else [doc]
    return {Path(f["data"]["source"]).name + ":" + Path(f["data"]["source"]).parent.name:
            [x["code"] for x in f["findings"]] for f in files}


def test_settings_come_from_above_each_file_whatever_the_cwd(tmp_path, monkeypatch, capsys):
    proj = tmp_path / "proj"
    write(proj / "lstm-doctor.toml", 'select = ["LD1"]\nfail-on = "warning"\n')
    (proj / "data").mkdir()
    shutil.copy(TAYLOR, proj / "data" / "taylor.csv")
    other = tmp_path / "other"
    write(other / "lstm-doctor.toml", 'select = ["LD2"]\nfail-on = "never"\n')
    seen = []
    for cwd, path in ((proj, "data/taylor.csv"), (tmp_path, "proj/data/taylor.csv"),
                      (other, "../proj/data/taylor.csv")):
        monkeypatch.chdir(cwd)
        code, out, err = run_cli(["check", path, "--format", "json"], capsys)
        seen.append((code, [f["code"] for f in json.loads(out)["findings"]]))
    assert seen == [(1, ["LD104"])] * 3  # the project's LD1 + fail-on warning each time
    monkeypatch.chdir(other)  # the cwd's settings still hold for a file with none above
    code, out, _ = run_cli(["check", TAYLOR, "--format", "json"], capsys)
    assert code == 0 and all(f["code"].startswith("LD2") for f in json.loads(out)["findings"])


def test_report_and_fix_read_the_settings_above_their_data_too(tmp_path, monkeypatch,
                                                                capsys):
    """As check: the settings nearest above DATA (its set-up path relative to them), from
    any working directory; a file with none above it uses the working directory's."""
    proj = tmp_path / "proj"
    write(proj / "lstm-doctor.toml", 'select = ["LD1", "LD3"]\nfail-on = "warning"\n'
                                     'config = "lstm.yaml"\n')
    write(proj / "lstm.yaml", "preprocessing: {scaler: none}\nwindow: {seq_length: 12}\n")
    (proj / "data").mkdir()
    shutil.copy(TAYLOR, proj / "data" / "taylor.csv")
    other = tmp_path / "other"
    write(other / "lstm-doctor.toml", 'select = ["LD2"]\nfail-on = "never"\n')
    for cwd, path in ((proj, "data/taylor.csv"), (other, "../proj/data/taylor.csv")):
        monkeypatch.chdir(cwd)
        code, out, err = run_cli(["report", path, "--no-train", "--format", "json"], capsys)
        assert code == 1, err  # the project's fail-on warning
        assert [f["code"] for f in json.loads(out)["findings"]] == ["LD301", "LD104"]
        code, out, err = run_cli(["fix", path], capsys)
        assert code == 0, err  # the project's set-up file, found from its settings
        assert "scaler: standard  # fix: LD301" in out
    monkeypatch.chdir(other)  # no settings above the file: the working directory's
    code, out, _ = run_cli(["report", TAYLOR, "--no-train", "--format", "json"], capsys)
    assert code == 0 and all(f["code"].startswith("LD2") for f in json.loads(out)["findings"])
    code, _, err = run_cli(["fix", TAYLOR], capsys)
    assert code == 2 and "needs the LSTM set-up" in err


def test_two_projects_in_one_run_each_keep_their_settings(tmp_path, monkeypatch, capsys):
    for name, select in (("a", "LD1"), ("b", "LD2")):
        write(tmp_path / name / "lstm-doctor.toml", f'select = ["{select}"]\n')
        shutil.copy(TAYLOR, tmp_path / name / "taylor.csv")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", "a/taylor.csv", "b/taylor.csv", "--format", "json",
                              "--fail-on", "never"], capsys)
    assert code == 0, err
    codes = _codes(out)
    assert codes["taylor.csv:a"] == ["LD104"]
    assert codes["taylor.csv:b"] and all(c.startswith("LD2") for c in codes["taylor.csv:b"])


def test_per_file_tables_and_extend_ignore(tmp_path, monkeypatch, capsys):
    write(tmp_path / "pyproject.toml", """
[tool.lstm-doctor]
select = ["LD1"]
fail-on = "warning"

[tool.lstm-doctor.per-file]
"legacy/**" = { extend-ignore = ["LD104"] }
"*.tsv" = { severities = { LD104 = "info" } }
""")
    for where in ("data/taylor.csv", "legacy/old/taylor.csv"):
        (tmp_path / where).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(TAYLOR, tmp_path / where)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", "data/taylor.csv", "legacy/old/taylor.csv",
                              "--format", "json"], capsys)
    assert code == 1, err  # data/ still fails on the LD104 warning
    codes = _codes(out)
    assert codes == {"taylor.csv:data": ["LD104"], "taylor.csv:old": []}
    assert run_cli(["check", "legacy/old/taylor.csv"], capsys)[0] == 0
    assert run_cli(["check", "data/taylor.csv", "--extend-ignore", "LD104"], capsys)[0] == 0
    assert run_cli(["check", "data/taylor.csv", "--extend-ignore", "LD2"], capsys)[0] == 1
    # --ignore replaces the project's ignore; --extend-ignore adds to whatever is in force
    code, out, _ = run_cli(["check", "legacy/old/taylor.csv", "--ignore", "LD101",
                            "--format", "json"], capsys)
    assert [f["code"] for f in json.loads(out)["findings"]] == []  # per-file LD104 kept


def test_glob_patterns():
    from lstm_doctor.project_paths import glob_match

    assert glob_match("data/*.csv", "data/a.csv")
    assert not glob_match("data/*.csv", "data/sub/a.csv")
    assert not glob_match("data/*.csv", "x/data/a.csv")
    assert glob_match("data/**/*.csv", "data/sub/deep/a.csv") and glob_match("data/**/*.csv",
                                                                              "data/a.csv")
    assert glob_match("*.parquet", "deep/dir/x.parquet") and glob_match("./data/?.csv",
                                                                         "data/a.csv")


@pytest.mark.parametrize("body,words", [
    ('[per-file]\n"a/*.csv" = { fail-on = "info" }\n', "fail-on cannot be set per file"),
    ('per-file = ["a.csv"]\n', "per-file must be a table"),
    ('[per-file]\n"a/*.csv" = "LD1"\n', "must be a table of settings"),
    ('[per-file]\n"a/*.csv" = { targt = "y" }\n', "did you mean 'target'"),
    ('extend-ignore = ["LD999"]\n', "extend-ignore: 'LD999' matches no rule"),
])
def test_bad_per_file_tables_are_input_errors(tmp_path, body, words):
    write(tmp_path / "lstm-doctor.toml", body)
    with pytest.raises(InputError, match=words):
        load_project_config(tmp_path)
