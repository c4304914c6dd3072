"""Code scanning: every SARIF result has a location (set-up key line, data row, stdin
fallback), URIs relative to the repository root, clean help text; the official schema."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from lstm_doctor.config_lines import json_positions, key_positions, toml_positions
from lstm_doctor.locations import data_line, evidence_row, locate
from lstm_doctor.render.sarif import HELP_URI, build_sarif, plain_doc
from tests.helpers import FIXTURES, run_cli
from tests.sarif_official import assert_valid_sarif, sarif_errors

YAML_SETUP = """\
# a bad set-up
preprocessing:
  scaler: none
window:
  seq_length: 3
model:
  units: 200
  activation: relu
training:
  epochs: 500
  learning_rate: 0.1
"""
TOML_SETUP = """\
# a bad set-up
model.units = 200
[preprocessing]
scaler = "none"   # [not a table]

[window]
seq_length = 3
"""


@pytest.fixture
def repo(tmp_path):
    """A git work tree: data/, models/, and an empty sub/ to run from."""
    root = tmp_path / "repo"
    for sub in ("data", "models", "sub"):
        (root / sub).mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    shutil.copy(FIXTURES / "ausbeer.csv", root / "data" / "ausbeer.csv")
    (root / "models" / "lstm.yaml").write_text(YAML_SETUP)
    return root


def _sarif(args, capsys, monkeypatch, cwd, stdin=None):
    monkeypatch.chdir(cwd)
    code, out, err = run_cli(["check", *args, "--isolated", "--format", "sarif"], capsys,
                             monkeypatch, stdin=stdin)
    assert code in (0, 1), err
    doc = json.loads(out)
    assert_valid_sarif(doc)
    return doc["runs"][0]


def _where(result):
    loc = result["locations"][0]["physicalLocation"]
    return (loc["artifactLocation"]["uri"], loc["artifactLocation"].get("uriBaseId"),
            loc["region"]["startLine"], loc["region"].get("startColumn"))


def test_setup_findings_point_at_their_key_and_data_findings_at_the_row(repo, capsys,
                                                                      monkeypatch):
    run = _sarif(["../data/ausbeer.csv", "--config", "../models/lstm.yaml"], capsys,
                 monkeypatch, repo / "sub")
    assert run["originalUriBaseIds"] == {"SRCROOT": {"uri": repo.resolve().as_uri() + "/"}}
    where = {r["ruleId"]: _where(r) for r in run["results"]}
    assert where["LD301"] == ("models/lstm.yaml", "SRCROOT", 3, 3)   # preprocessing.scaler
    assert where["LD502"] == ("models/lstm.yaml", "SRCROOT", 5, 3)   # window.seq_length
    assert where["LD401"] == ("models/lstm.yaml", "SRCROOT", 7, 3)   # model.units
    assert where["LD601"] == ("models/lstm.yaml", "SRCROOT", 8, 3)   # model.activation
    assert where["LD602"] == ("models/lstm.yaml", "SRCROOT", 11, 3)  # training.learning_rate
    # the NaN is data row 211: line 213 of the file (after the header), relative to the
    # repository root although the check ran from sub/
    lines = (repo / "data" / "ausbeer.csv").read_text().splitlines()
    assert lines[212].endswith(",")
    assert where["LD101"] == ("data/ausbeer.csv", "SRCROOT", 213, 1)
    for r in run["results"]:  # GitHub rejects a result without a location and region
        assert r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1


def test_github_annotations_and_concise_lines_carry_the_line(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo / "sub")
    code, out, _ = run_cli(["check", "../data/ausbeer.csv", "--config", "../models/lstm.yaml",
                            "--isolated", "--format", "github"], capsys)
    assert code == 1
    assert "::error file=models/lstm.yaml,line=3,col=3,title=LD301 " in out
    assert "::error file=data/ausbeer.csv,line=213,col=1,title=LD101 " in out


def test_stdin_results_still_have_locations(capsys, monkeypatch, tmp_path):
    text = (FIXTURES / "ausbeer.csv").read_text()
    (tmp_path / "lstm.yaml").write_text(YAML_SETUP)
    run = _sarif(["-", "--config", "lstm.yaml"], capsys, monkeypatch, tmp_path, stdin=text)
    where = {r["ruleId"]: _where(r) for r in run["results"]}
    assert where["LD101"][0] == "stdin" and where["LD101"][2] == 1  # a stable pseudo-path
    assert where["LD301"][:3] == ("lstm.yaml", "SRCROOT", 3)  # the set-up file still has lines
    run = _sarif(["-", "--select", "LD1"], capsys, monkeypatch, tmp_path, stdin=text)
    assert run["results"] and all(_where(r)[0] == "stdin" for r in run["results"])


def test_toml_and_json_setups_point_at_their_lines(capsys, monkeypatch, tmp_path):
    shutil.copy(FIXTURES / "ausbeer.csv", tmp_path / "beer.csv")
    (tmp_path / "lstm.toml").write_text(TOML_SETUP)
    run = _sarif(["beer.csv", "--config", "lstm.toml", "--select", "LD301,LD401,LD502"],
                 capsys, monkeypatch, tmp_path)
    where = {r["ruleId"]: _where(r)[2:] for r in run["results"]}
    assert where == {"LD301": (4, 1), "LD401": (2, 1), "LD502": (7, 1)}
    doc = {"preprocessing": {"scaler": "none"}, "window": {"seq_length": 3}}
    (tmp_path / "lstm.json").write_text(json.dumps(doc, indent=2))
    run = _sarif(["beer.csv", "--config", "lstm.json", "--select", "LD301,LD502"], capsys,
                 monkeypatch, tmp_path)
    where = {r["ruleId"]: _where(r)[2:] for r in run["results"]}
    assert where == {"LD301": (3, 5), "LD502": (6, 5)}


def test_rule_help_has_no_sphinx_markup_and_a_help_uri():
    import lstm_doctor
    from lstm_doctor.report_facts import _docs

    codes = [r["code"] for r in lstm_doctor.list_rules()]
    report = {"data": {"source": "x.csv"}, "findings": [], "summary": {},
              "rules": [{"code": c, "name": c.lower(), "status": "pass"} for c in codes],
              "facts": {"rules": _docs(codes, codes)}}
    rules = build_sarif([report])["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == len(codes)
    marked = [c for c in codes if re.search(r":[a-z]+:`", _docs([c], [])[c]["doc"])]
    assert len(marked) >= 5  # the docstrings do use roles: the cleaning is exercised
    for rule in rules:
        for text in (rule["help"]["text"], rule["help"]["markdown"],
                     rule["fullDescription"]["text"], rule["shortDescription"]["text"]):
            assert not re.search(r":[a-z]+:`|``", text), (rule["id"], text)
        assert rule["helpUri"] == HELP_URI


def test_plain_doc_roles():
    assert plain_doc(":func:`~lstm_doctor.stats.pacf` and :class:`x.Y`") == "`pacf` and `x.Y`"
    assert plain_doc(":ref:`the table <rules>` and ``a.b``") == "`the table` and `a.b`"
    assert plain_doc("no markup: `x`") == "no markup: `x`"


def test_official_schema_rejects_a_result_without_a_region_line():
    report = {"data": {"source": "a.csv", "target": "y"}, "rules": [], "findings": [{
        "code": "LD104", "name": "data.outliers", "group": "data", "severity": "warning",
        "message": "m", "fix": "", "crashed": False}]}
    doc = build_sarif([report])
    assert_valid_sarif(doc)
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert sarif_errors(doc)


# -- where keys are written ---------------------------------------------------------------------

def test_toml_scan_handles_comments_strings_arrays_and_inline_tables():
    text = ('title = """\n[not.a.table]\nscaler = 1\n"""\n'
            '[preprocessing]\nscaler = "a # b" # [x]\nfeature_range = [\n  0,\n  1,\n]\n'
            '"log" = true\n'
            '[tool.other]\nepochs = 1\n'
            '[training]\n  epochs = 5\n')
    pos = toml_positions(text)
    assert pos["preprocessing"] == (5, 2) and pos["preprocessing.scaler"] == (6, 1)
    assert pos["preprocessing.feature_range"] == (7, 1) and pos["preprocessing.log"] == (11, 1)
    assert pos["training.epochs"] == (15, 3)
    assert "scaler" not in pos and "tool" not in pos and "training" in pos
    top = toml_positions('window = { seq_length = 3, horizon = 2 }\nmodel.units = 4\n')
    assert top["window.seq_length"] == (1, 12) and top["window.horizon"] == (1, 28)
    assert top["model.units"] == (2, 1)


def test_json_scan_counts_escapes_and_nesting():
    text = '{"a": {"x\\"y": [1, {"deep": 2}], "b": "}"},\n "window": {"seq_length": 3}}'
    pos = json_positions(text)
    assert pos["a"] == (1, 2) and pos['a.x"y'] == (1, 8) and pos["a.b"] == (1, 34)
    assert pos["window.seq_length"] == (2, 13) and "a.deep" not in pos


def test_key_positions_of_other_files(tmp_path):
    assert key_positions(tmp_path / "missing.yaml") == {}
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [\n")
    assert key_positions(bad) == {}


def test_data_rows_map_to_lines(tmp_path):
    csv = tmp_path / "q.csv"
    csv.write_text('t,y,note\n1,2,"two\nlines"\n\n2,3,x\n3,,y\n')
    assert [data_line(csv, i) for i in range(4)] == [2, 5, 6, None]
    jsonl = tmp_path / "d.jsonl"
    jsonl.write_text('{"y": 1}\n\n{"y": 2}\n')
    assert data_line(jsonl, 1) == 3
    assert data_line(tmp_path / "d.parquet", 0) is None


def test_evidence_rows_and_the_first_gap():
    assert evidence_row({"evidence": {"first_rows": [7, 9], "missing": 2}}, {}) == 7
    assert evidence_row({"evidence": {"first_unsorted_row": 5,
                                      "first_duplicate_row": 3}}, {}) == 3
    assert evidence_row({"evidence": {"missing_timestamps": 2, "missing": 0}},
                        {"time_grid": {"first_gap_row": 12}}) == 12
    assert evidence_row({"evidence": {"z": 3.0}}, {}) is None


def test_missing_time_stamps_point_after_the_gap(tmp_path, capsys, monkeypatch):
    rows = ["date,y"] + [f"2020-01-{d:02d},{d}" for d in range(1, 31) if d not in (11, 12)]
    (tmp_path / "gap.csv").write_text("\n".join(rows) + "\n")
    run = _sarif(["gap.csv", "--select", "LD101"], capsys, monkeypatch, tmp_path)
    (result,) = run["results"]
    assert _where(result)[0] == "gap.csv" and _where(result)[2] == 12  # 2020-01-13


def test_test_data_rows_point_into_the_holdout_file(tmp_path):
    report = {"data": {"source": "train.csv", "n": 100, "n_test_given": 20,
                       "test_source": str(tmp_path / "test.csv")},
              "findings": [{"code": "LD101", "evidence": {"first_rows": [85]}}]}
    (tmp_path / "test.csv").write_text("t,y\n" + "".join(f"{i},1\n" for i in range(20)))
    (out,) = locate([report], cwd=tmp_path)
    loc = out["findings"][0]["location"]
    assert loc["path"].endswith("test.csv") and loc["line"] == 7


def test_a_saved_model_is_the_location_of_set_up_findings(tmp_path):
    model = tmp_path / "m.keras"
    model.write_bytes(b"PK")
    report = {"data": {"source": "<stdin>"}, "findings": [{"code": "LD401"},
                                                           {"code": "LD104"}]}
    (out,) = locate([report], model=str(model), cwd=tmp_path)
    setup, data = out["findings"]
    assert setup["location"]["uri"] == "m.keras" and setup["location"]["line"] is None
    assert "location" not in data
