"""CI integrations: documented commands, pre-commit hook, GitHub action, pytest helper,
lazy imports, the schema in the wheel."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

import lstm_doctor
from lstm_doctor.errors import InputError
from lstm_doctor.render.json import schema, validate
from lstm_doctor.testing import assert_ready, format_findings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
       "COLUMNS": "120"}


def ci_section() -> str:
    """The "Use it in CI" section: from README.md once merged, else docs_ci_section.md."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^## Use it in CI\n.*?(?=^## |\Z)", readme, flags=re.M | re.S)
    if m:
        return m.group(0)
    return (ROOT / "docs_ci_section.md").read_text(encoding="utf-8")


def code_blocks(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.M | re.S)


@pytest.fixture
def doc_project(tmp_path):
    """A repository laid out like the documentation: data/, plus every file it shows."""
    (tmp_path / "data").mkdir()
    for name in ("airpassengers.csv", "wineind.csv"):
        shutil.copy(FIXTURES / name, tmp_path / "data" / name)
    for _lang, body in code_blocks(ci_section()):
        first = body.splitlines()[0]
        m = re.fullmatch(r"# ([\w./-]+\.(?:toml|ya?ml|py))", first.strip())
        if m:
            path = tmp_path / m.group(1)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body)
    return tmp_path


def run(cmd: str, cwd: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", cmd], cwd=cwd, capture_output=True, text=True,
                          env={**ENV, **env})


# -- the documented command lines -------------------------------------------------------------

def test_documented_commands_run_on_fixtures(doc_project):
    commands = [line[2:] for lang, body in code_blocks(ci_section()) if lang == "console"
                for line in body.splitlines() if line.startswith("$ ")]
    assert len(commands) >= 5
    assert (doc_project / "pyproject.toml").exists() and (doc_project / "models" /
                                                          "lstm.yaml").exists()
    for cmd in commands:
        assert cmd.startswith("lstm-doctor ")
        proc = run(cmd, doc_project)
        assert proc.returncode in (0, 1), (cmd, proc.stderr)
        assert "Traceback" not in proc.stderr
        if "--write-baseline" in cmd or cmd.startswith("lstm-doctor config"):
            assert proc.returncode == 0, (cmd, proc.stderr)
        if "--baseline " in cmd:  # after recording the baseline the gate passes
            assert proc.returncode == 0, (cmd, proc.stdout, proc.stderr)
    doc = json.loads((doc_project / "lstm-doctor.json").read_text())
    validate(doc)
    assert [Path(f["data"]["source"]).name for f in doc["files"]] == ["airpassengers.csv",
                                                                      "wineind.csv"]
    assert all(f["config"] is not None for f in doc["files"])  # config from pyproject.toml
    assert (doc_project / "lstm-doctor.xml").read_text().startswith("<?xml")
    assert json.loads((doc_project / "lstm-doctor-baseline.json").read_text())["findings"]


def test_documented_one_step_workflow(doc_project, tmp_path):
    runs = [line for lang, body in code_blocks(ci_section()) if lang == "yaml"
            for line in body.splitlines() if line.strip().startswith("- run:")]
    assert runs
    cmd = runs[0].split("- run:", 1)[1].strip()
    cmd = cmd.split("&&", 1)[1].strip()  # skip the pip install
    summary = tmp_path / "summary.md"
    proc = run(cmd, doc_project, GITHUB_STEP_SUMMARY=str(summary))
    assert proc.returncode in (0, 1), proc.stderr
    assert summary.read_text().startswith("## lstm-doctor:")
    assert all(line.startswith("::") for line in proc.stdout.splitlines())


def test_documented_pytest_helper_example(doc_project):
    tests = list((doc_project / "tests").glob("test_*.py"))
    assert tests, "the docs show a pytest example"
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *map(str, tests)], cwd=doc_project, capture_output=True, text=True,
                          env=ENV)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_documented_workflow_uses_real_action_inputs(doc_project):
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    workflow = yaml.safe_load((doc_project / ".github" / "workflows" /
                               "data-gate.yml").read_text())
    steps = workflow["jobs"]["lstm-doctor"]["steps"]
    ours = next(s for s in steps if "lstm-doctor@" in s.get("uses", ""))
    assert set(ours["with"]) <= set(action["inputs"])
    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    config = yaml.safe_load((doc_project / ".pre-commit-config.yaml").read_text())
    assert {h["id"] for r in config["repos"] for h in r["hooks"]} <= hooks


# -- pre-commit hook --------------------------------------------------------------------------

def test_pre_commit_hook_definition_and_entry(tmp_path):
    hook = next(h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
                if h["id"] == "lstm-doctor")
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    for name in ("data/a.csv", "x.parquet", "y.jsonl"):
        assert files.search(name)
    assert not files.search("model.py")
    for name in ("ausbeer.csv", "airpassengers.csv"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / "lstm-doctor.toml").write_text('select = ["LD1"]\n')
    entry = shlex.split(hook["entry"])
    ok = subprocess.run([*entry, "airpassengers.csv"], cwd=tmp_path, env=ENV,
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([*entry, "airpassengers.csv", "ausbeer.csv"], cwd=tmp_path, env=ENV,
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "LD101" in bad.stdout


# -- GitHub composite action ------------------------------------------------------------------

def _action_script() -> tuple[dict, str]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "check")
    return action, step["run"]


def test_action_metadata():
    action, script = _action_script()
    assert set(action["inputs"]) >= {"files", "scan", "sarif", "summary"}
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.check.outputs.exit-code }}"
    upload = next(s for s in action["runs"]["steps"]
                  if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert "summary-truncated == 'true'" in upload["if"] and "always()" in upload["if"]
    assert upload["with"]["name"] == "lstm-doctor-summary"
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], "inputs must reach scripts through env"


def _run_action_step(tmp_path: Path, path: str = "", **inputs: str):
    """Run the action's check step as GitHub does (``bash --noprofile --norc -eo pipefail``).

    Returns the process and the step outputs written to ``$GITHUB_OUTPUT``.
    """
    _, script = _action_script()
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    summary.write_text("earlier step\n")
    output.write_text("")
    env = {"FILES": "", "SCAN": "", "ARGS": "", "BASELINE": "", "SARIF": "", "JUNIT": "",
           "SUMMARY": "true", "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_OUTPUT": str(output), "RUNNER_TEMP": str(tmp_path), **inputs}
    script_file = tmp_path / "step.sh"
    script_file.write_text(script)
    full_env = {**ENV, **env}
    if path:
        full_env["PATH"] = path + os.pathsep + full_env["PATH"]
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail",
                           str(script_file)], cwd=tmp_path, env=full_env,
                          capture_output=True, text=True)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return proc, outputs


@pytest.mark.parametrize("files,expect", [("data/*.csv", 1), ("data/air*.csv", 0)])
def test_action_check_step_runs(tmp_path, files, expect):
    (tmp_path / "data").mkdir()
    for name in ("ausbeer.csv", "airpassengers.csv"):
        shutil.copy(FIXTURES / name, tmp_path / "data" / name)
    proc, outputs = _run_action_step(tmp_path, FILES=files, ARGS="--select LD1 --isolated",
                                     SARIF="out.sarif", JUNIT="out.xml")
    assert proc.returncode == expect, proc.stderr
    assert outputs["exit-code"] == str(expect) and outputs["summary-truncated"] == "false"
    summary = tmp_path / "summary.md"
    text = summary.read_text()
    assert text.startswith("earlier step\n## lstm-doctor:")  # appended, not overwritten
    assert json.loads((tmp_path / "out.sarif").read_text())["version"] == "2.1.0"
    assert (tmp_path / "out.xml").read_text().startswith("<?xml")
    if expect:
        assert proc.stdout.startswith("::error file=data/ausbeer.csv,line=213,col=1,"
                                      "title=LD101")
    else:
        assert proc.stdout == ""


def test_action_scan_step_annotates_scripts_and_keeps_the_worst_exit_code(tmp_path):
    shutil.copy(ROOT / "fixtures" / "scripts" / "airline.py", tmp_path / "train.py")
    shutil.copy(FIXTURES / "airpassengers.csv", tmp_path / "air.csv")
    proc, outputs = _run_action_step(tmp_path, SCAN="*.py", FILES="air.csv",
                                     ARGS="--select LD1 --isolated")
    assert proc.returncode == 1 and outputs["exit-code"] == "1", proc.stderr
    assert re.search(r"^::error file=train\.py,line=\d+,col=\d+,title=LD303 ", proc.stdout,
                     flags=re.M)
    proc, outputs = _run_action_step(tmp_path)  # neither files nor scan: a usage error
    assert proc.returncode == 2 and outputs["exit-code"] == "2"
    assert proc.stdout.startswith("::error title=lstm-doctor::")


def test_action_caps_a_summary_above_the_github_limit(tmp_path):
    """A stand-in lstm-doctor writes a 1.2 MB summary: the job page gets it cut with a note,
    the full file stays for the artifact upload."""
    from lstm_doctor.render.markdown import GITHUB_SUMMARY_BYTES

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stub = bin_dir / "lstm-doctor"
    stub.write_text(f"#!{sys.executable}\n"
                    "import sys\n"
                    "args = sys.argv[1:]\n"
                    "out = args[args.index('markdown') + 2]\n"
                    "rows = ''.join(f'| **LD101** row {i} | x |\\n' for i in range(60000))\n"
                    "open(out, 'w').write('## lstm-doctor: x\\n\\n' + rows)\n"
                    "sys.exit(1)\n")
    stub.chmod(0o755)
    proc, outputs = _run_action_step(tmp_path, path=str(bin_dir), FILES="data.csv")
    assert proc.returncode == 1, proc.stderr
    assert outputs["summary-truncated"] == "true"
    full = Path(outputs["summary-file"])
    assert full.stat().st_size > GITHUB_SUMMARY_BYTES
    page = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert len(page.encode("utf-8")) < GITHUB_SUMMARY_BYTES
    assert page.startswith("earlier step\n## lstm-doctor: x")
    assert "**Truncated**" in page and "`lstm-doctor-summary`" in page.splitlines()[-1]


# -- pytest helper ----------------------------------------------------------------------------

def test_assert_ready_passes_and_returns_the_report():
    report = assert_ready(str(FIXTURES / "airpassengers.csv"), select="LD1")
    assert report.passed() and report.data["target"] == "passengers"


def test_assert_ready_fails_with_readable_findings():
    with pytest.raises(AssertionError) as exc:
        assert_ready(str(FIXTURES / "ausbeer.csv"), select="LD1")
    msg = str(exc.value)
    lines = msg.splitlines()
    assert lines[0].startswith("lstm-doctor: 1 finding(s) at or above 'error' in ")
    assert "ausbeer.csv" in lines[0] and "target 'beer'" in lines[0]
    assert lines[1].startswith("  LD101 [error] data.missing-values: ")
    assert lines[2].strip().startswith("fix: ")


def test_assert_ready_fail_on_and_check_kwargs():
    taylor = str(FIXTURES / "taylor.csv")
    assert_ready(taylor, select="LD1")  # LD104 is a warning
    with pytest.raises(AssertionError, match="LD104 \\[warning\\]"):
        assert_ready(taylor, fail_on="warning", select="LD1")
    assert_ready(taylor, fail_on="warning", select="LD1", thresholds={"LD104": {"z": 8}})
    assert_ready(taylor, fail_on="warning", select="LD1", severities={"LD104": "info"})
    assert_ready(str(FIXTURES / "ausbeer.csv"), fail_on="never")


def test_assert_ready_with_a_set_up_and_bad_input():
    with pytest.raises(AssertionError) as exc:
        assert_ready(str(FIXTURES / "airpassengers.csv"),
                     config={"model": {"activation": "relu"}}, select="LD601")
    assert "LD601" in str(exc.value) and "fix:" in str(exc.value)
    with pytest.raises(InputError):
        assert_ready(str(FIXTURES / "nope.csv"))
    report = lstm_doctor.check(str(FIXTURES / "ausbeer.csv"), select="LD1")
    assert format_findings(report, "never").startswith("lstm-doctor: 0 finding(s)")


# -- speed-related guarantee: no TensorFlow, no matplotlib ------------------------------------

def test_check_never_imports_tensorflow_matplotlib_or_statsmodels(tmp_path):
    """Nor scipy.stats/scipy.signal: STL, the MacKinnon tables and the normal tails are our
    own (half a second to a second of start-up per process and per --jobs worker)."""
    cfg = tmp_path / "lstm.yaml"
    cfg.write_text("preprocessing: {scaler: minmax}\nwindow: {seq_length: 24}\n")
    outputs = []
    for fmt in ("json", "junit", "sarif", "markdown", "text"):
        outputs += ["--format", fmt, "--output", str(tmp_path / f"out.{fmt}")]
    code = (
        "import os, sys\n"
        "from threadpoolctl import threadpool_info\n"
        "from lstm_doctor import engine\n"
        "from lstm_doctor.cli import main\n"
        "def blas():\n"
        "    return ','.join(sorted({str(i['num_threads']) for i in threadpool_info()"
        " if i['user_api'] == 'blas'}))\n"
        "during, real_check = [], engine.check\n"
        "def spy(*args, **kwargs):\n"
        "    during.append(blas())\n"
        "    return real_check(*args, **kwargs)\n"
        "engine.check = spy\n"
        "try:\n"
        f"    main(['check', {str(FIXTURES / 'airpassengers.csv')!r},"
        f" {str(FIXTURES / 'taylor.csv')!r}, '--config', {str(cfg)!r}, '--isolated',"
        f" *{outputs!r}, '--format', 'github'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, 1), exc.code\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras',"
        " 'matplotlib', 'torch'})\n"
        "print('HEAVY=' + ','.join(heavy))\n"
        "slow = sorted(m for m in sys.modules if m.split('.')[0] == 'statsmodels'"
        " or m in ('scipy.stats', 'scipy.signal'))\n"
        "print('SLOW=' + ','.join(slow[:5]))\n"
        "print('DURING=' + ';'.join(during))\n"
        "print('AFTER=' + blas())\n"
        "print('ENV=' + ','.join(v for v in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS',"
        " 'MKL_NUM_THREADS') if v in os.environ))\n"
    )
    env = {k: v for k, v in ENV.items()
           if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY=\n" in proc.stdout, proc.stdout
    assert "SLOW=\n" in proc.stdout, proc.stdout
    # one BLAS thread while the CLI checks (threadpoolctl, cli_output.limited_threads), no
    # environment variable set, and the pools are as they were afterwards (API users)
    assert "DURING=1;1\n" in proc.stdout, proc.stdout
    assert "ENV=\n" in proc.stdout, proc.stdout
    from threadpoolctl import threadpool_info

    if os.cpu_count() and os.cpu_count() > 1 and any(
            i["user_api"] == "blas" and i["num_threads"] > 1 for i in threadpool_info()):
        assert "AFTER=1\n" not in proc.stdout, proc.stdout
    assert (tmp_path / "out.sarif").exists() and (tmp_path / "out.text").exists()


# -- packaging --------------------------------------------------------------------------------

def test_schema_ships_in_the_wheel(tmp_path):
    pytest.importorskip("hatchling")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("lstm_doctor-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        assert "lstm_doctor/schemas/report.schema.json" in zf.namelist()
        shipped = json.loads(zf.read("lstm_doctor/schemas/report.schema.json"))
    assert shipped == schema()


def test_check_of_inputs_imports_no_scipy_stats(tmp_path):
    """The input diagnostics (LD801-LD805: Fisher-z tests, Bonferroni) too."""
    cfg = tmp_path / "lstm.yaml"
    cfg.write_text("preprocessing: {scaler: standard}\nwindow: {seq_length: 14, horizon: 7}\n")
    code = (
        "import sys\n"
        "from lstm_doctor.cli import main\n"
        "try:\n"
        f"    main(['check', {str(FIXTURES / 'features' / 'all_useful.csv')!r}, '--target', 'y',"
        f" '--features', 'x1,x2,x3', '--config', {str(cfg)!r}, '--isolated', '--format',"
        " 'json'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, 1), exc.code\n"
        "slow = sorted(m for m in sys.modules if m.split('.')[0] == 'statsmodels'"
        " or m in ('scipy.stats', 'scipy.signal'))\n"
        "sys.stderr.write('SLOW=' + ','.join(slow[:5]) + '\\n')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, env=ENV)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    ran = {o["code"] for o in report["rules"] if o["status"] in ("pass", "fail")}
    assert {"LD802", "LD805"} <= ran, ran  # the statistics that use the normal tails ran
    assert "SLOW=\n" in proc.stderr, proc.stderr
