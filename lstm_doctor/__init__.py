"""lstm-doctor: why does my LSTM forecast so badly? Diagnose, prove, fix.

Public API
----------
check(data, ...) -> Report
    Run the diagnostic rules (never imports TensorFlow).
check_panel(data, id_col=..., jobs=..., client=...) -> PanelReport
    The same for every series of a panel (long table, directory, mapping), in parallel.
diagnose(model, X_train, y_train, ...) -> Report
    The notebook path: a live Keras model, the arrays fed to ``fit`` and its history.
keras.Doctor(...)
    A Keras callback that diagnoses at the end of ``fit`` (imports Keras when used).
report(data, ...) -> Report
    Check, then train the baseline and remediated LSTMs next to reference forecasters.
report_panel(data, id_col=..., jobs=...) -> FleetReport
    The same for every series of a panel, in parallel (joblib) or on Dask; one combined report.
fix(data, config=..., model=...) -> FixResult
    The remediated set-up as a config file (YAML), each change labelled by its rules.
explain(code) -> str
    The documentation of one rule.
list_rules() -> list
    The rule catalog.
scan(path_or_source) -> ScanResult
    Lint a training script or notebook statically (no execution, no TensorFlow).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "InputError",
    "LSTMConfig",
    "Report",
    "Finding",
    "Severity",
    "check",
    "check_panel",
    "diagnose",
    "explain",
    "fix",
    "FixResult",
    "load_config",
    "report",
    "report_panel",
    "list_rules",
    "scan",
    "__version__",
]


# Eager: the submodules lstm_doctor.fix and lstm_doctor.diagnose would otherwise shadow the
# functions of the same name once imported (both modules are light: fix the schema and the
# standard library, diagnose only the standard library at import time).
from lstm_doctor.diagnose import diagnose  # noqa: E402
from lstm_doctor.fix import FixResult, fix  # noqa: E402

# Eager for the same reason: the subpackage lstm_doctor.scan would shadow the function once
# imported (it needs only the standard library and lstm_doctor.errors at import time).
from lstm_doctor.scan import scan  # noqa: E402


def __getattr__(name: str):
    # Lazy: `import lstm_doctor` stays cheap (no pandas/statsmodels until used).
    if name == "report_panel":  # the fleet runner calls api.report: api does not import it
        from lstm_doctor import report_fleet

        return report_fleet.report_panel
    if name in ("check", "check_panel", "report", "explain", "list_rules"):
        from lstm_doctor import api

        return getattr(api, name)
    if name in ("Report", "Finding", "Severity"):
        from lstm_doctor import findings

        return getattr(findings, name)
    if name in ("LSTMConfig", "load_config"):
        from lstm_doctor import config

        return getattr(config, name)
    if name == "keras":  # the callback module; importing it imports Keras
        import importlib

        return importlib.import_module("lstm_doctor.keras")
    if name == "InputError":
        from lstm_doctor.errors import InputError

        return InputError
    raise AttributeError(f"module 'lstm_doctor' has no attribute {name!r}")
