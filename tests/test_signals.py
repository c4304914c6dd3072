"""SIGTERM to a parallel run (``--jobs 2``) leaves no worker, tracker or shared memory behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="process groups, /dev/shm")
CLI = Path(sys.executable).parent / "lstm-doctor"


def _group(pgid: int) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid=,pgid=,args="], capture_output=True,
                         text=True).stdout.splitlines()
    return [line for line in out if line.split()[1] == str(pgid)
            and "<defunct>" not in line]  # an exited process not yet reaped holds nothing


def test_sigterm_shuts_the_worker_pool_down(tmp_path):
    rng = np.random.default_rng(0)
    frames = [pd.DataFrame({"id": f"s{i}", "t": pd.date_range("2000-01", periods=120,
                                                               freq="MS"),
                            "y": np.cumsum(rng.normal(size=120)) + 50}) for i in range(1500)]
    panel = tmp_path / "panel.csv"
    pd.concat(frames).to_csv(panel, index=False)
    out = tmp_path / "out.json"
    proc = subprocess.Popen([str(CLI), "check", str(panel), "--id-col", "id", "--jobs", "2",
                             "--format", "json", "--output", str(out)],
                            start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and len(_group(proc.pid)) < 3:  # the workers are up
            time.sleep(0.2)
        assert len(_group(proc.pid)) >= 3, "the worker pool never started"
        time.sleep(1.0)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)  # the old behaviour hung here (orphans)
        assert proc.returncode == 2
        assert "Traceback" not in err and "unexpected" not in err
        time.sleep(1.0)
        assert _group(proc.pid) == []
        assert not [e for e in os.listdir("/dev/shm") if f"_{proc.pid}_" in e
                    or f"-{proc.pid}-" in e]
        assert not out.exists()  # nothing half-written
    finally:
        for line in _group(proc.pid):
            os.kill(int(line.split()[0]), signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
