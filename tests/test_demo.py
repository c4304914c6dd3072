"""`lstm-doctor demo`: the bundled example diagnoses a real series with a failing set-up."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
import yaml

import lstm_doctor
from lstm_doctor.demo import DEMO_CONFIG, DEMO_DATA, demo_files, run_demo

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

# What the naive demo set-up must be diagnosed with (it is the point of the demo).
EXPECTED = {"LD301": "unscaled input", "LD201": "unit root", "LD401": "too many parameters",
            "LD601": "relu activation", "LD502": "window shorter than the season"}


def test_bundled_copies_match_the_fixtures():
    pkg = resources.files("lstm_doctor") / "demo_data"
    assert (pkg / DEMO_CONFIG).read_text() == (FIXTURES / "demo" / "config.yaml").read_text()
    assert (pkg / DEMO_DATA).read_text() == (FIXTURES / "airpassengers.csv").read_text()


def test_demo_config_is_the_typical_failing_setup():
    cfg = lstm_doctor.load_config(FIXTURES / "demo" / "config.yaml")
    assert cfg.preprocessing.scaler == "none" and cfg.preprocessing.difference == 0
    assert cfg.window.seq_length == 6 and cfg.model.units == 50
    assert cfg.model.activation == "relu"
    assert cfg.training.epochs == 100 and cfg.training.validation_split == 0.0
    raw = yaml.safe_load((FIXTURES / "demo" / "config.yaml").read_text())
    assert set(raw) <= {"preprocessing", "window", "model", "training", "split"}


def test_demo_findings_name_the_known_causes():
    with demo_files() as (data, config):
        report = lstm_doctor.check(str(data), config=str(config))
    missing = {code: what for code, what in EXPECTED.items() if code not in report.codes()}
    assert not missing, f"the demo set-up should be diagnosed with {missing}"


def test_run_demo_findings_only_writes_report_and_prints_path(tmp_path, capsys):
    out = run_demo(tmp_path / "sub" / "demo.html", train=False)
    assert out == (tmp_path / "sub" / "demo.html").resolve() and out.exists()
    assert capsys.readouterr().out.strip() == str(out)
    html = out.read_text(encoding="utf-8")
    for code in EXPECTED:
        assert f'id="finding-{code}"' in html
    assert "airpassengers.csv (bundled demo)" in html
    assert "lstm-doctor demo --output" in html and "--no-train" in html
    assert 'id="experiment"' not in html and 'id="remediated"' in html  # proposed set-up


def test_cli_demo_no_train(tmp_path):
    out = tmp_path / "cli.html"
    proc = subprocess.run([sys.executable, "-m", "lstm_doctor.cli", "demo", "--no-train",
                           "--output", str(out)], capture_output=True, text=True, cwd=tmp_path,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == str(out.resolve())  # the path comes last, after the findings
    assert "LD401" in proc.stdout and "LD601" in proc.stdout
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_run_demo_trains_tiny(tmp_path, capsys):
    pytest.importorskip("tensorflow")
    out = run_demo(tmp_path / "demo.html", seeds=1, epochs=2)
    html = out.read_text(encoding="utf-8")
    for section in ("verdict", "data", "findings", "experiment", "remediated",
                    "reproducibility"):
        assert f'<section id="{section}"' in html
    for fig in ("fig-mase", "fig-forecast", "fig-loss"):
        assert f'id="{fig}"' in html
    assert "could not be drawn" not in html
    exp = html.split('id="experiment"')[1].split("</section>")[0]
    assert ">your LSTM" in exp and ">remediated LSTM" in exp and ">naive" in exp
    assert re.search(r"Epochs overridden to 2", exp)
    assert 'download="train_remediated.py"' in html
    assert "--epochs 2" in html and "--seeds 1" in html


def test_demo_runs_from_an_installed_wheel(tmp_path):
    pytest.importorskip("hatchling")
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(wheels), str(ROOT)], check=True, capture_output=True)
    wheel = next(wheels.glob("lstm_doctor-*.whl"))
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(site), str(wheel)], check=True, capture_output=True)
    out = tmp_path / "wheel_demo.html"
    code = ("import lstm_doctor.demo as d; assert 'site' in d.__file__, d.__file__; "
            f"d.run_demo(r'{out}', train=False)")
    env = dict(os.environ, PYTHONPATH=str(site))
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert 'id="finding-LD301"' in out.read_text(encoding="utf-8")
