"""The bundled example: a real series with a typical failing LSTM set-up.

``lstm-doctor demo`` (and ``make demo``) diagnoses the monthly airline passengers series
(Box & Jenkins, 1949-1960) with the kind of set-up a first tutorial produces: raw unscaled
values with their trend, a 6-month window for a 12-month season, LSTM(50) with ReLU and
100 epochs without validation. It trains that set-up, the remediated one and the reference
forecasters, and writes the HTML report.

The data and the config ship inside the package (``lstm_doctor/demo_data``), so the demo
also works from an installed wheel; ``fixtures/demo/config.yaml`` is the same config for the
test suite.
"""

from __future__ import annotations

import shlex
import sys
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

DEMO_DATA = "airpassengers.csv"
DEMO_CONFIG = "config.yaml"
# Measured on a shared 2-core machine (benchmarks/RESULTS_report_speed.md): the full demo
# (3 seeds x up to 100 epochs for each LSTM, the do-no-harm screening, the reference
# models) takes about 14 s wall clock (~14 s of CPU), so it keeps the set-up's own 100
# epochs by default.
DEFAULT_EPOCHS: int | None = None


@contextmanager
def demo_files():
    """Yield ``(data_path, config_path)`` of the bundled demo as real files.

    Uses :func:`importlib.resources.as_file`, so it also works when the package is imported
    from a zip archive (the files are then extracted to a temporary directory).
    """
    root = resources.files("lstm_doctor") / "demo_data"
    with resources.as_file(root / DEMO_DATA) as data, \
            resources.as_file(root / DEMO_CONFIG) as config:
        yield Path(data), Path(config)


def run_demo(output: str | Path = "report.html", seeds: int = 3, epochs: int | None = None,
             train: bool = True, progress: bool | None = None, echo: bool = True,
             summary: bool = False) -> Path:
    """Diagnose the bundled example and write the HTML report.

    Parameters
    ----------
    output : str or Path
        Where to write the report (default ``report.html``).
    seeds : int
        Seeds per LSTM.
    epochs : int, optional
        Override the demo set-up's 100 epochs (both LSTMs), e.g. for a quick look.
    train : bool
        False for a findings-only report (no TensorFlow needed).
    progress : bool, optional
        Show a progress bar on stderr (default: when stderr is a terminal).
    echo : bool
        Print the written report's absolute path on stdout.
    summary : bool
        Also print the findings table and the model comparison on stdout (the CLI does).

    Returns
    -------
    Path
        The absolute path of the written report.
    """
    from lstm_doctor.api import report

    if epochs is None:
        epochs = DEFAULT_EPOCHS
    if progress is None:
        progress = bool(getattr(sys.stderr, "isatty", lambda: False)())
    out = Path(output).expanduser().resolve()
    with demo_files() as (data, config):
        result = report(str(data), config=str(config), seeds=seeds, epochs=epochs, train=train,
                        progress=progress)
    result.data["source"] = f"{DEMO_DATA} (bundled demo)"
    result.meta["command"] = _command(output, seeds, epochs, train)
    out.parent.mkdir(parents=True, exist_ok=True)
    result.to_html(str(out))
    if summary:
        from rich.console import Console

        from lstm_doctor.render.comparison import print_comparison
        from lstm_doctor.render.text import print_report

        as_dict = result.to_dict()
        console = Console()
        print_report(as_dict, console)
        print_comparison(as_dict.get("comparison"), console)
    if echo:
        print(out)
    return out


def demo_config_text() -> str:
    """The demo's YAML config, as shipped."""
    return (resources.files("lstm_doctor") / "demo_data" / DEMO_CONFIG).read_text(
        encoding="utf-8")


def _command(output: Any, seeds: int, epochs: int | None, train: bool) -> str:
    parts = ["lstm-doctor", "demo", "--output", str(output)]
    if seeds != 3:
        parts += ["--seeds", str(seeds)]
    if epochs is not None:
        parts += ["--epochs", str(epochs)]
    if not train:
        parts.append("--no-train")
    return shlex.join(parts)
