"""The console script ends at once after a command that loaded TensorFlow, with the
command's exit code and every byte of its output (no timing asserts: the speed is in
``benchmarks/RESULTS_report_speed.md``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lstm_doctor import _exit

from .helpers import FIXTURES

CLI = Path(sys.executable).parent / "lstm-doctor"


class _Exited(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


@pytest.fixture
def ended(monkeypatch):
    """``os._exit`` recorded instead of run; TensorFlow 'loaded', no workers."""
    def fake_exit(status: int) -> None:
        raise _Exited(status)

    monkeypatch.setattr(_exit.os, "_exit", fake_exit)
    monkeypatch.setitem(sys.modules, "tensorflow", sys.modules.get("tensorflow") or object())
    monkeypatch.setattr(_exit, "_has_workers", lambda: False)


@pytest.mark.parametrize(("raised", "status"), [(None, 0), (0, 0), (1, 1), (2, 2)])
def test_the_console_script_ends_with_the_commands_code(ended, raised, status):
    with pytest.raises(_Exited) as info, _exit.exit_when_done(console_script=True):
        if raised is not None:
            raise SystemExit(raised)
    assert info.value.status == status


def test_a_message_exit_is_printed_and_gives_1(ended, capsys):
    with pytest.raises(_Exited) as info, _exit.exit_when_done(console_script=True):
        raise SystemExit("cannot go on")
    assert info.value.status == 1 and "cannot go on" in capsys.readouterr().err


def test_calls_with_arguments_and_runs_with_workers_shut_down_normally(ended, monkeypatch):
    with pytest.raises(SystemExit) as info, _exit.exit_when_done(console_script=False):
        raise SystemExit(1)
    assert info.value.code == 1
    monkeypatch.setattr(_exit, "_has_workers", lambda: True)
    with _exit.exit_when_done(console_script=True):
        pass  # returns: the normal shutdown stops the workers
    monkeypatch.delitem(sys.modules, "tensorflow")
    monkeypatch.setattr(_exit, "_has_workers", lambda: False)
    with _exit.exit_when_done(console_script=True):
        pass  # no TensorFlow: nothing slow to skip


def test_report_through_the_console_script_keeps_its_code_and_whole_output(tmp_path):
    pytest.importorskip("tensorflow")
    env = {**os.environ, "CI": "true"}
    proc = subprocess.run(
        [str(CLI), "report", str(FIXTURES / "airpassengers.csv"), "--config",
         str(FIXTURES / "demo" / "config.yaml"), "--seeds", "1", "--epochs", "2",
         "--no-screen", "--isolated", "--format", "html", "--output", str(tmp_path / "r.html"),
         "--format", "json"], capture_output=True, text=True, env=env, cwd=tmp_path,
        timeout=300)
    assert proc.returncode == 1, proc.stderr  # the demo set-up has error findings
    report = json.loads(proc.stdout)  # all of it, flushed before the process ended
    models = {m["name"]: m for m in report["comparison"]["models"]}
    assert models["baseline_lstm"]["mase"] > 0 and models["remediated_lstm"]["n_seeds"] == 1
    assert (tmp_path / "r.html").read_text().rstrip().endswith("</html>")
