"""The pre-commit hooks: the manifest, what `check --pre-commit` does with changed files, and
the real pre-commit (`try-repo`) installing and running both hooks (a slow test)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import tomllib
import yaml

from tests.helpers import FIXTURES, run_cli

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOOKS = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}


def test_manifest_hooks():
    check, scan = HOOKS["lstm-doctor"], HOOKS["lstm-doctor-scan"]
    assert check["entry"] == "lstm-doctor check --pre-commit" and check["language"] == "python"
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    assert check["additional_dependencies"] == extras["parquet"]  # the extra, in sync
    files = re.compile(check["files"])
    for name in ("data/a.csv", "x.parquet", "y.pq", "z.jsonl", "models/lstm.yaml",
                 "conf/lstm-setup.yml", "lstm-doctor.toml", "sub/pyproject.toml", "m.keras"):
        assert files.search(name), name
    for name in ("model.py", "README.md", ".github/workflows/ci.yml", "notes.json"):
        assert not files.search(name), name
    assert scan["entry"] == "lstm-doctor scan" and scan["types_or"] == ["python", "jupyter"]
    assert scan["language"] == "python" and scan["pass_filenames"] is True
    # one environment for both hooks (pre-commit keys it by the additional dependencies)
    assert scan["additional_dependencies"] == check["additional_dependencies"]


@pytest.fixture
def user_repo(tmp_path):
    """A project with settings naming its data, a set-up file, a script and Parquet data."""
    repo = tmp_path / "user"
    (repo / "data").mkdir(parents=True)
    (repo / "models").mkdir()
    shutil.copy(FIXTURES / "airpassengers.csv", repo / "data" / "air.csv")
    pd.read_csv(FIXTURES / "ausbeer.csv").to_parquet(repo / "beer.parquet")
    (repo / "models" / "lstm.yaml").write_text("preprocessing:\n  scaler: none\n")
    (repo / "pyproject.toml").write_text(
        '[tool.lstm-doctor]\nselect = ["LD1", "LD3"]\nconfig = "models/lstm.yaml"\n'
        'data = ["data/*.csv"]\n')
    shutil.copy(ROOT / "fixtures" / "scripts" / "airline.py", repo / "train.py")
    return repo


def test_a_set_up_change_alone_checks_the_named_data(user_repo, capsys, monkeypatch):
    monkeypatch.chdir(user_repo)
    code, out, err = run_cli(["check", "--pre-commit", "models/lstm.yaml", "--format",
                              "concise"], capsys)
    assert code == 1, err
    assert {line.split(":", 1)[0] for line in out.splitlines()} == {"models/lstm.yaml"}
    assert re.search(r"^models/lstm\.yaml:2:3: LD301 ", out, flags=re.M), out  # on air.csv
    code, out, _ = run_cli(["check", "--pre-commit", "models/lstm.yaml", "--format", "json"],
                           capsys)
    assert Path(json.loads(out)["data"]["source"]).as_posix().endswith("data/air.csv")
    code, out, _ = run_cli(["check", "--pre-commit", "pyproject.toml", "data/air.csv",
                            "--format", "json"], capsys)
    assert code == 1 and '"files"' not in out  # data/air.csv once, not twice


def test_a_set_up_change_without_named_data_is_a_note(user_repo, capsys, monkeypatch):
    (user_repo / "pyproject.toml").write_text('[tool.lstm-doctor]\nselect = ["LD1"]\n')
    monkeypatch.chdir(user_repo)
    code, out, err = run_cli(["check", "--pre-commit", "models/lstm.yaml"], capsys)
    assert (code, out) == (0, "")
    assert "names no data = [...]" in " ".join(err.split())


def test_no_data_arguments_check_the_settings_data(user_repo, capsys, monkeypatch):
    monkeypatch.chdir(user_repo)
    code, out, _ = run_cli(["check", "--format", "concise", "--select", "LD1"], capsys)
    assert code == 0 and out == ""
    monkeypatch.chdir(user_repo / "data")  # no settings here: a usage error naming `data`
    (user_repo / "pyproject.toml").unlink()
    code, _, err = run_cli(["check"], capsys)
    assert code == 2 and "data = " in err


def _hook_repo(tmp_path: Path) -> Path:
    """This working tree's package and hook manifest, committed in a temporary repository."""
    repo = tmp_path / "hookrepo"
    repo.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, repo / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("lstm_doctor", "templates"):
        shutil.copytree(ROOT / name, repo / name, ignore=ignore)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "hooks"]):
        subprocess.run(cmd, cwd=repo, check=True, env=env, capture_output=True)
    return repo


@pytest.mark.slow
def test_pre_commit_try_repo_installs_and_runs_both_hooks(user_repo, tmp_path):
    """The real pre-commit builds the hooks' environment (with pyarrow) and runs them."""
    if shutil.which("pre-commit", path=str(BIN)) is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[dev]')")
    hooks = _hook_repo(tmp_path)
    subprocess.run(["git", "init", "-q"], cwd=user_repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=user_repo, check=True)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "COLUMNS": "120"}
    proc = subprocess.run(
        [str(BIN / "pre-commit"), "try-repo", str(hooks), "--files", "beer.parquet",
         "models/lstm.yaml", "train.py", "README.md"],
        cwd=user_repo, env=env, capture_output=True, text=True, timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert re.search(r"lstm-doctor check\.+Failed", out) and re.search(
        r"lstm-doctor scan\.+Failed", out), out
    assert "beer.parquet: target 'beer'" in out  # read in the hook's environment (pyarrow)
    assert "data/air.csv: target 'passengers'" in out  # the set-up changed: its data
    assert re.search(r"^train\.py:\d+:\d+: LD303 ", out, flags=re.M), out
    assert "Traceback" not in out and "reading Parquet needs pyarrow" not in out
