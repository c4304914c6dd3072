"""The wheel ships the templates and renders a report when installed (not from the checkout)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True, capture_output=True)
    return next(out.glob("lstm_doctor-*.whl"))


def test_wheel_contains_templates_and_package_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    templates = [n for n in names if n.startswith("lstm_doctor/templates/")]
    top_level = {p.relative_to(ROOT / "templates").as_posix()
                 for p in (ROOT / "templates").rglob("*") if p.is_file() and p.name != ".gitkeep"}
    assert top_level, "templates/ is empty"
    assert {n.removeprefix("lstm_doctor/templates/") for n in templates} >= top_level
    assert "lstm_doctor/cli.py" in names
    assert not any(n.startswith(("tests/", "fixtures/")) for n in names)


def test_installed_wheel_renders_a_report(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    out = tmp_path / "r.html"
    code = (
        "import lstm_doctor, pathlib, sys;"
        "assert 'site' in lstm_doctor.__file__, lstm_doctor.__file__;"
        "from lstm_doctor._templates import template_dir;"
        "assert 'site' in str(template_dir()), template_dir();"
        f"r = lstm_doctor.report(r'{ROOT / 'fixtures' / 'nile.csv'}', train=False);"
        f"r.to_html(r'{out}')"
    )
    env = dict(os.environ, PYTHONPATH=str(target))
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=tmp_path,
                   capture_output=True, text=True)
    html = out.read_text()
    assert "<html" in html and "nile" in html.lower()
