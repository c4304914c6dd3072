"""Does this run fail? The one module that answers it.

Everything that decides the outcome of a run lives here, and everyone else asks it:
``Report.exit_code``/``passed``, :class:`~lstm_doctor.panel.PanelReport`, the CLI, the
baseline file and the renderers' "failing" counts.

* **Severity order** (:data:`RANK`): ``error > warning > info``.
* **``--fail-on``** (:func:`parse_fail_on`, :func:`fail_threshold`): a finding fails the run
  when its severity is at or above the threshold; ``never`` fails nothing.
* **Baseline marks** (:func:`baseline_state`): a finding recorded in a baseline at the same
  or a higher severity is ``unchanged`` and never fails; ``new`` and ``worsened`` ones do.
* **Exit codes** (:func:`exit_code`): 0 pass, 1 a finding fails, 2 an input error (a file
  or series that could not be checked is the worst outcome).
* **Summaries** of several results (:func:`summary_rows`, :func:`collection`).

The functions take plain data: report dicts (``Report.to_dict()``), error entries
(``{"source": ..., "error": ...}``) and finding dicts or :class:`~lstm_doctor.findings.Finding`
objects. This module imports nothing of lstm-doctor but :mod:`lstm_doctor.errors` at module
level, so any module may ask it without an import circle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lstm_doctor.errors import InputError, did_you_mean

#: Version of the JSON report layout (``Report.to_dict()`` and the several-files document).
SCHEMA_VERSION = 2

#: Severities, most severe first.
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
#: The severity order: a higher rank is more severe.
RANK: dict[str, int] = {"error": 3, "warning": 2, "info": 1}
#: Values of ``--fail-on`` (``fail-on`` in the project file, ``fail_on`` in Python).
FAIL_ON_CHOICES: tuple[str, ...] = ("error", "warning", "info", "never")
#: The threshold of ``--fail-on never``: above every rank.
NEVER = 99
#: Exit codes: nothing fails; a finding fails; a usage or input error.
EXIT_PASS, EXIT_FINDINGS, EXIT_INPUT_ERROR = 0, 1, 2
#: ``baseline_state`` of a finding checked against a baseline.
BASELINE_STATES: tuple[str, ...] = ("new", "worsened", "unchanged")


def rank(severity: Any) -> int:
    """The rank of a severity (``"error"`` or :class:`~lstm_doctor.findings.Severity`).

    Raises
    ------
    InputError
        When ``severity`` is not a severity.
    """
    value = str(getattr(severity, "value", severity)).strip().lower()
    try:
        return RANK[value]
    except KeyError:
        raise InputError(f"'{severity}' is not a severity; use one of "
                         f"{', '.join(SEVERITIES)}{did_you_mean(value, SEVERITIES)}") from None


def parse_fail_on(fail_on: Any, *, what: str = "--fail-on") -> str:
    """Normalise a ``--fail-on`` value (``"Warning"`` -> ``"warning"``).

    Parameters
    ----------
    fail_on : str
        ``error``, ``warning``, ``info`` or ``never`` (case-insensitive).
    what : str
        How the value is named in the error message.

    Raises
    ------
    InputError
        For any other value, naming the choices (with a "did you mean").
    """
    value = str(fail_on).strip().lower()
    if not isinstance(fail_on, str) or value not in FAIL_ON_CHOICES:
        raise InputError(f"{what}: {fail_on!r} is not valid; use one of "
                         f"{', '.join(FAIL_ON_CHOICES)}{did_you_mean(value, FAIL_ON_CHOICES)}")
    return value


def fail_threshold(fail_on: str) -> int:
    """Rank at or above which a finding fails the run (``never`` -> above every rank)."""
    value = parse_fail_on(fail_on)
    return NEVER if value == "never" else RANK[value]


def _threshold(fail_on: str | int) -> int:
    return fail_on if isinstance(fail_on, int) else fail_threshold(fail_on)


def is_error_result(result: Mapping[str, Any]) -> bool:
    """True for a ``{"source", "error"}`` entry (a file or series that could not be checked)."""
    return "error" in result and "findings" not in result


def baseline_state(severity: Any, recorded: Any | None) -> str:
    """A finding against its baseline entry: ``new``, ``worsened`` or ``unchanged``.

    Parameters
    ----------
    severity : str or Severity
        The finding's severity today.
    recorded : str or Severity or None
        Its severity in the baseline (``None``: not in the baseline).
    """
    if recorded is None:
        return "new"
    return "worsened" if rank(severity) > rank(recorded) else "unchanged"


def fails(finding: Any, fail_on: str | int = "error") -> bool:
    """Whether one finding fails the gate.

    Parameters
    ----------
    finding : dict or Finding
        A ``Finding.to_dict()`` (which may carry ``baseline_state``) or a Finding.
    fail_on : str or int
        ``error``/``warning``/``info``/``never``, or a :func:`fail_threshold`.

    Returns
    -------
    bool
        At or above the threshold and not already known (``unchanged``) in a baseline.
    """
    if isinstance(finding, Mapping):
        severity, state = finding["severity"], finding.get("baseline_state", "new")
    else:
        severity, state = finding.severity, getattr(finding, "baseline_state", "new")
    return rank(severity) >= _threshold(fail_on) and state != "unchanged"


def failing(finding: Any, threshold: int) -> bool:
    """:func:`fails` with a ready :func:`fail_threshold` (the baseline module's old name)."""
    return fails(finding, threshold)


def count_failing(results: Iterable[Mapping[str, Any]], fail_on: str | int = "error") -> int:
    """The findings of all ``results`` (report dicts; error entries count none) that fail."""
    threshold = _threshold(fail_on)
    return sum(fails(f, threshold) for r in results if not is_error_result(r)
               for f in r["findings"])


def findings_exit_code(findings: Iterable[Any], fail_on: str | int = "error") -> int:
    """1 when one of ``findings`` (dicts or Finding objects) fails ``fail_on``, else 0."""
    threshold = _threshold(fail_on)
    return EXIT_FINDINGS if any(fails(f, threshold) for f in findings) else EXIT_PASS


def exit_code(results: Iterable[Mapping[str, Any]], fail_on: str | int = "error", *,
              record_only: bool = False) -> int:
    """The exit code of a run over ``results``, as ``lstm-doctor check`` exits.

    Parameters
    ----------
    results : list of dict
        Report dicts and error entries (one per file or series).
    fail_on : str or int
        As in :func:`fails`.
    record_only : bool
        The run only records a baseline (``--write-baseline``): findings do not fail it.

    Returns
    -------
    int
        2 if an entry is an input error, else 1 if a finding fails (unless
        ``record_only``), else 0.
    """
    results = list(results)
    if any(is_error_result(r) for r in results):
        return EXIT_INPUT_ERROR
    if record_only:
        return EXIT_PASS
    return EXIT_FINDINGS if count_failing(results, fail_on) else EXIT_PASS


def passed(results: Iterable[Mapping[str, Any]], fail_on: str | int = "error") -> bool:
    """True when :func:`exit_code` is 0."""
    return exit_code(results, fail_on) == EXIT_PASS


def worst(summary: Mapping[str, int]) -> str:
    """The most severe level with a finding in a ``summary`` (``pass`` when none)."""
    return next((k for k in SEVERITIES if summary.get(k)), "pass")


def summary_rows(results: list[dict[str, Any]], fail_on: str = "error") -> list[dict[str, Any]]:
    """One row per file or series: worst severity, counts, codes and failing findings.

    Returns
    -------
    list of dict
        ``series`` (label), ``id``, ``worst`` (``error``/``warning``/``info``/``pass``,
        or ``input-error``), ``error``/``warning``/``info`` counts, ``codes`` (the
        findings' codes, most severe first), ``failing`` (findings that fail ``fail_on``)
        and ``message`` (the input error, if any).
    """
    threshold = fail_threshold(fail_on)
    rows = []
    for r in results:
        if is_error_result(r):
            rows.append({"series": r["source"], "id": None, "worst": "input-error",
                         "error": 0, "warning": 0, "info": 0, "codes": [], "failing": 0,
                         "message": r["error"]})
            continue
        s = r["summary"]
        rows.append({"series": r["data"].get("source") or "data",
                     "id": r["data"].get("series_id"), "worst": worst(s),
                     "error": s["error"], "warning": s["warning"], "info": s["info"],
                     "codes": [f["code"] for f in r["findings"]],
                     "failing": sum(fails(f, threshold) for f in r["findings"]),
                     "message": None})
    return rows


def collection_summary(results: list[dict[str, Any]], fail_on: str = "error") -> dict[str, int]:
    """Totals of several results: per severity, ``files``, ``input_errors``, ``failing``."""
    reports = [r for r in results if not is_error_result(r)]
    summary = {k: sum(r["summary"][k] for r in reports) for k in SEVERITIES}
    summary.update({"files": len(results), "input_errors": len(results) - len(reports),
                    "failing": count_failing(reports, fail_on)})
    return summary


def collection(results: list[dict[str, Any]], *, fail_on: str = "error") -> dict[str, Any]:
    """The several-results document (``{"schema_version", "tool", "fail_on", "files", "summary"}``).

    ``files`` holds one report per file or series, or ``{"source": ..., "error": ...}`` for
    one that could not be checked; ``summary`` is :func:`collection_summary`.
    """
    from lstm_doctor import __version__

    return {"schema_version": SCHEMA_VERSION,
            "tool": {"name": "lstm-doctor", "version": __version__},
            "fail_on": fail_on, "files": results,
            "summary": collection_summary(results, fail_on)}


__all__ = ["SCHEMA_VERSION", "BASELINE_STATES", "EXIT_FINDINGS", "EXIT_INPUT_ERROR", "EXIT_PASS",
           "FAIL_ON_CHOICES", "NEVER", "RANK", "SEVERITIES", "baseline_state", "collection",
           "collection_summary", "count_failing", "exit_code", "fail_threshold", "fails",
           "failing", "findings_exit_code", "is_error_result", "parse_fail_on", "passed",
           "rank", "summary_rows", "worst"]
