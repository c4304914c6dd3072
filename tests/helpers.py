"""Shared test helpers: where the fixtures are, and running the CLI in-process."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from lstm_doctor.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def run_cli(args, capsys, monkeypatch=None, stdin: str | None = None):
    """Run ``lstm-doctor`` in-process exactly as the console script does.

    Returns ``(exit code, stdout, stderr)``.
    """
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = 0
    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err
