"""Check many series in one call: a long-format panel, a directory of files, or a mapping.

Every series goes through exactly what :func:`lstm_doctor.check` does for one series; this
module only splits the input, runs the per-series function (in this process, in joblib
worker processes, or on a Dask cluster through joblib's ``dask`` backend) and collects the
results in the structure the renderers already take for several files: one
``Report.to_dict()`` per series, or ``{"source": ..., "error": ...}`` for a series that
could not be checked.

Series labels
-------------
A series of a long-format table is labelled ``<file>[<id_col>=<id>]`` (``data.source`` of
its report, so the text, Markdown, JUnit and baseline outputs tell series apart); its report's
``data`` block also holds ``series_id``, ``id_col`` and ``file`` (the real path, which the
SARIF and GitHub outputs point at). A file of a directory is labelled with its path.

A bad series is an entry, not a failed run
------------------------------------------
A series that cannot be checked (all values missing, fewer than 10 finite values, a
non-numeric target, an unparsable time column...) becomes an error entry
``{"source": label, "error": message}``, exactly like a file that cannot be read when
``lstm-doctor check`` is given several files. Every other series is still checked and
reported; the exit code is then 2 (an input error is the worst outcome), as for several
files. A problem with the whole input (missing file, unknown ``id_col``, unknown rule code,
bad LSTM set-up) is still an :class:`~lstm_doctor.errors.InputError` raised before any
series is checked.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_doctor import engine
from lstm_doctor._interrupt import kill_loky_workers, terminate_as_interrupt
from lstm_doctor.errors import InputError, did_you_mean
from lstm_doctor.gate import summary_rows
from lstm_doctor.options import CheckOptions
from lstm_doctor.panel_report import PanelReport

#: Most series sent to a worker at once (see :func:`run_tasks`).
BATCH_MAX = 64
#: How long to try to reach a Dask scheduler given by address.
DASK_CONNECT_TIMEOUT = "20s"
#: File types read from a directory (other files are ignored).
DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".jsonl", ".ndjson", ".json")

__all__ = ["PanelReport", "check_panel", "check_sources", "panel_tasks", "run_tasks",
           "summary_rows", "DATA_SUFFIXES"]


# -- the tasks -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Task:
    """One series to check: where its data is and how to label it.

    ``payload`` is a DataFrame/Series/array (already split off), or a file path that the
    worker reads itself (so a directory of files is never loaded in the parent).
    """

    label: str
    payload: Any
    facts: dict[str, Any] = field(default_factory=dict)


def _label(source: str, id_col: str, key: Any) -> str:
    return f"{source}[{id_col}={key}]"


def _split_frame(frame, id_col: str, source: str) -> Iterator[Task]:
    """One task per id of a long-format table, in order of first appearance."""
    import numpy as np
    import pandas as pd

    if id_col not in frame.columns:
        columns = [str(c) for c in frame.columns]
        where = source if source.startswith("<") else f"'{source}'"
        raise InputError(f"{where}: id column '{id_col}' not found"
                         f"{did_you_mean(id_col, columns)} (columns: {', '.join(columns)}); "
                         "pass the column that names each series with --id-col")
    ids = frame[id_col]
    missing = ids.isna()
    rest = frame.drop(columns=[id_col])
    if missing.any():
        yield Task(_label(source, id_col, "<missing>"), None,
                   {"error": f"{int(missing.sum())} row(s) have no {id_col} (first: row "
                             f"{int(missing.to_numpy().nonzero()[0][0])}); give every row "
                             "a series id or drop those rows"})
    codes, uniques = pd.factorize(ids, sort=False)  # NaN -> -1, order of first appearance
    order = codes.argsort(kind="stable")
    bounds = codes[order].searchsorted(range(len(uniques) + 1))
    # the rows grouped by series once (a table already grouped is kept as it is), then
    # each series is a slice of it: the same rows in the same order as rest.iloc[rows]
    grouped = rest if np.array_equal(order, np.arange(order.size)) else rest.iloc[order]
    for i, key in enumerate(uniques):
        label = _label(source, id_col, key)
        yield Task(label, grouped.iloc[bounds[i]:bounds[i + 1]],
                   {"series_id": _plain(key), "id_col": id_col, "file": source})


def _plain(value: Any) -> Any:
    """A JSON-friendly id (numpy scalars to Python, others to str)."""
    import numpy as np

    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        return value
    return str(value)


def _read_table(path: Path):
    from lstm_doctor.data import _read_file

    return _read_file(path)


def _directory_files(path: Path) -> list[Path]:
    files = sorted(p for p in path.iterdir()
                   if p.is_file() and p.suffix.lower() in DATA_SUFFIXES
                   and not p.name.startswith("."))
    if not files:
        raise InputError(f"directory '{path}' holds no data files ({', '.join(DATA_SUFFIXES)}); "
                         "give a directory of CSV/Parquet/JSON-lines files, one series each")
    return files


def panel_tasks(data: Any, *, id_col: str | None = None) -> list[Task]:
    """Split the input into one :class:`Task` per series.

    Parameters
    ----------
    data : DataFrame, path, directory or mapping
        A long-format table (DataFrame or file) with ``id_col``; a directory whose data files
        are one series each (each split by ``id_col`` when given); or a mapping
        ``{id: DataFrame | Series | array}``.
    id_col : str, optional
        The column that names each series (required for a table).

    Returns
    -------
    list of Task

    Raises
    ------
    InputError
        For a table without ``id_col``, an unknown ``id_col``, a missing file or an empty
        directory.
    """
    import pandas as pd

    if isinstance(data, Mapping):
        if not data:
            raise InputError("the mapping of series is empty; give at least one series")
        return [Task(f"<{key}>", value, {"series_id": _plain(key)}) for key, value in data.items()]
    if isinstance(data, pd.DataFrame):
        if id_col is None:
            raise InputError("a DataFrame panel needs id_col: the column that names each "
                             "series (or pass a mapping {id: series})")
        return list(_split_frame(data, id_col, "<DataFrame>"))
    if isinstance(data, (str, Path)):
        path = Path(data)
        if str(data) == "-":
            raise InputError("a panel cannot be read from stdin; give a file or a directory")
        if path.is_dir():
            files = _directory_files(path)
            if id_col is None:
                return [Task(str(p), str(p)) for p in files]
            tasks: list[Task] = []
            for p in files:
                tasks.extend(_split_frame(_read_table(p), id_col, str(p)))
            return tasks
        if id_col is None:
            return [Task(str(path), str(path))]
        return list(_split_frame(_read_table(path), id_col, str(path)))
    raise InputError(f"panel data of type {type(data).__name__} is not supported; give a "
                     "long-format DataFrame or file with id_col, a directory of files, or a "
                     "mapping {id: series}")


def _item_tasks(item: Any, id_col: str | None, *, read_stdin: bool = True) -> list[Task]:
    """Tasks of one command-line item (a file, a directory or ``-``).

    ``read_stdin=False`` (one series checked in this process) leaves stdin to
    :func:`lstm_doctor.data.load_series`, exactly as ``lstm_doctor.check("-")`` reads it.
    """
    if str(item) == "-":
        if id_col is None:
            return [Task("<stdin>", _read_stdin() if read_stdin else "-")]
        return list(_split_frame(_read_stdin(), id_col, "<stdin>"))
    return panel_tasks(item, id_col=id_col)


def _read_stdin():
    from lstm_doctor.data import _read

    return _read("-")[0]


def check_sources(items: list[Any], options: CheckOptions | dict[str, Any], *,
                  id_col: str | None = None, jobs: int = 1, client: Any = None,
                  progress: bool = False, on_error: Any = None,
                  strict: bool = False) -> list[dict[str, Any]]:
    """Check every series of several inputs (what ``lstm-doctor check`` runs).

    Parameters
    ----------
    items : list
        Files, directories or ``"-"`` (stdin), each split into series by ``id_col`` (a file
        without ``id_col`` is one series; a directory's files are one series each).
    options : CheckOptions or dict
        As for :func:`check_task` (validated here; load the set-up once beforehand with
        :meth:`CheckOptions.with_setup`).
    id_col, jobs, client, progress
        As in :func:`check_panel`.
    on_error : callable, optional
        Called with the message of each input that could not be read (when there are
        several inputs: a single unreadable input raises).
    strict : bool
        One series checked in this process (one file, no ``id_col``, ``jobs=1``): its input
        error is raised as ``lstm_doctor.check`` raises it, not made an error entry.

    Returns
    -------
    list of dict
        The results of every series, input by input (the renderers' structure).

    Raises
    ------
    InputError
        When the only input cannot be read or split (or, with ``strict``, checked).
    """
    options = CheckOptions.coerce(options).validate()
    single = (len(items) == 1 and id_col is None and jobs == 1 and client is None
              and (str(items[0]) == "-" or not Path(items[0]).is_dir()))
    if options.test_data is not None and not single:
        raise InputError("a separate test file (--test-data) is the holdout of one series; it "
                         "cannot be used with --id-col, --jobs or a directory of series")
    strict = strict and single
    plan: list[list[Task] | dict[str, Any]] = []
    for item in items:
        try:
            plan.append(_item_tasks(item, id_col, read_stdin=not strict))
        except InputError as exc:
            if len(items) == 1:
                raise
            label = "<stdin>" if str(item) == "-" else str(item)
            entry = {"source": label, "error": _series_message(label, exc)}
            if on_error is not None:
                on_error(entry["error"])
            plan.append(entry)
    tasks = [t for p in plan if isinstance(p, list) for t in p]
    if strict:
        return [check_task(tasks[0], options, strict=True)]
    done, _ = run_tasks(tasks, options, jobs=jobs, client=client,
                        progress=progress and len(tasks) > 1)
    results: list[dict[str, Any]] = []
    position = 0
    for p in plan:
        if isinstance(p, dict):
            results.append(p)
        else:
            results.extend(done[position:position + len(p)])
            position += len(p)
    return results


# -- the per-series function ----------------------------------------------------------------

def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def check_task(task: Task, options: CheckOptions | dict[str, Any], *,
               strict: bool = False, rules: list | None = None) -> dict[str, Any]:
    """Check one series; never raises: an unusable series becomes an error entry.

    Parameters
    ----------
    task : Task
        The series (label, data or path, extra facts).
    options : CheckOptions or dict
        Validated options (a dict of them is accepted), the set-up preferably loaded once
        (:meth:`CheckOptions.with_setup`).
    strict : bool
        Raise instead: an input error as it is, like ``lstm_doctor.check``.
    rules : list, optional
        The selected rules, instantiated once for many series (default: from ``options``).

    Returns
    -------
    dict
        ``Report.to_dict()`` (``data.source`` is the task's label) or
        ``{"source": label, "error": message}``.
    """
    from lstm_doctor.data import load_series

    options = CheckOptions.coerce(options)

    def error_entry(message: str) -> dict[str, Any]:
        entry = {"source": task.label, "error": message}
        if task.facts.get("file"):
            entry["file"] = task.facts["file"]  # where annotations should point
        return entry

    if "error" in task.facts:
        return error_entry(task.facts["error"])
    if strict:
        return engine.check(task.payload, options).to_dict()
    try:
        series = load_series(task.payload, **options.data_kwargs())
        if not isinstance(task.payload, (str, Path)):
            series.source = task.label
        # a file keeps its renderers' facts; the series of a split panel do not
        report = engine.check(series, options, facts=isinstance(task.payload, (str, Path)),
                              rules=rules)
    except InputError as exc:
        return error_entry(_series_message(task.label, exc))
    except Exception as exc:  # noqa: BLE001 - one series never fails the run
        return error_entry(f"'{task.label}': unexpected {type(exc).__name__}: "
                           f"{_one_line(exc)} (please report it)")
    result = report.to_dict()
    result["data"].update({k: v for k, v in task.facts.items() if k != "error"})
    return result


def _series_message(label: str, exc: Exception) -> str:
    """The one-line error of a series, naming the series (not ``<DataFrame>``)."""
    message = _one_line(exc)
    for tag in ("<DataFrame>", "<Series>", "<array>"):
        if message.startswith(tag):
            return f"'{label}'" + message[len(tag):]
    return message if label in message else f"'{label}': {message}"


def _check_batch(tasks: list[Task], options: CheckOptions) -> list[dict[str, Any]]:
    rules = options.rules()  # stateless once instantiated: shared by the batch
    return [check_task(t, options, rules=rules) for t in tasks]


# -- running ---------------------------------------------------------------------------------

def _progress(enabled: bool, total: int):
    from contextlib import nullcontext

    if not enabled:
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("checking series"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(),
                    console=Console(stderr=True), transient=False)


def _chunks(tasks: list[Task], size: int) -> list[list[Task]]:
    return [tasks[i:i + size] for i in range(0, len(tasks), size)]


def run_tasks(tasks: list[Task], options: CheckOptions | dict[str, Any], *, jobs: int = 1,
              client: Any = None, progress: bool = False) -> tuple[list[dict[str, Any]], str]:
    """Run :func:`check_task` over ``tasks``; returns ``(results in task order, backend)``.

    ``jobs == 1`` and no ``client``: in this process. Otherwise joblib (``loky`` worker
    processes, ``jobs`` of them, ``-1`` = one per CPU) or, with a Dask ``client`` (a
    ``distributed.Client`` or a scheduler address such as ``"tcp://host:8786"``), joblib's
    ``dask`` backend on that cluster. Series are sent in small batches so that the
    per-task overhead stays small next to a short series' check.
    """
    options = CheckOptions.coerce(options)
    total = len(tasks)
    results: list[dict[str, Any] | None] = [None] * total
    with _progress(progress and total > 0, total) as bar:
        task_id = bar.add_task("check", total=total) if bar is not None else None

        def advance(n: int) -> None:
            if bar is not None:
                bar.update(task_id, advance=n)

        if client is None and jobs == 1:
            rules = options.rules() if tasks else None
            for i, task in enumerate(tasks):
                results[i] = check_task(task, options, rules=rules)
                advance(1)
            return results, "sequential"  # type: ignore[return-value]

        import joblib

        own_client = None
        if client is not None and isinstance(client, str):
            try:
                from distributed import Client
            except ImportError:
                raise InputError("a Dask scheduler needs dask.distributed; pip install "
                                 "'lstm-doctor[dask]'") from None
            try:
                own_client = client = Client(client, timeout=DASK_CONNECT_TIMEOUT)
            except OSError as exc:
                raise InputError(f"Dask scheduler '{client}' cannot be reached ({exc}); check "
                                 "the address (tcp://host:port) and that it is running") \
                    from None
        try:
            if client is not None:
                workers = max(1, len(client.scheduler_info().get("workers", {})))
                n_jobs, backend = -1, "dask"
                config = joblib.parallel_config(backend="dask", client=client)
            else:
                import os

                workers = (os.cpu_count() or 1) if jobs < 0 else jobs
                n_jobs, backend = jobs, "loky"
                config = joblib.parallel_config(backend="loky")
            # ~4 batches per worker, at most BATCH_MAX series per batch: balanced, responsive,
            # and few enough round trips that a short series' check is not dwarfed by them
            size = max(1, min(BATCH_MAX, total // (4 * workers) or 1))
            batches = _chunks(list(range(total)), size)
            with config, terminate_as_interrupt():
                parallel = joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered",
                                           batch_size=1)
                calls = (joblib.delayed(_indexed_batch)(idx, [tasks[i] for i in idx], options)
                         for idx in batches)
                try:
                    for idx, batch in parallel(calls):
                        for i, res in zip(idx, batch, strict=True):
                            results[i] = res
                        advance(len(idx))
                except KeyboardInterrupt:  # Ctrl-C or SIGTERM: leave no worker behind
                    if backend == "loky":
                        kill_loky_workers()
                    raise
        finally:
            if own_client is not None:
                own_client.close()
    return results, backend  # type: ignore[return-value]


def _indexed_batch(idx: list[int], tasks: list[Task], options: CheckOptions):
    return idx, _check_batch(tasks, options)


def check_panel(
    data: Any,
    *,
    id_col: str | None = None,
    target: str | None = None,
    time_col: str | bool | None = None,
    features: list[str] | str | None = None,
    time_format: str | None = None,
    calendar: str | None = None,
    config: Any = None,
    select: list[str] | str | None = None,
    ignore: list[str] | str | None = None,
    thresholds: dict[str, dict[str, float]] | None = None,
    severities: dict[str, str] | None = None,
    jobs: int = 1,
    client: Any = None,
    progress: bool = False,
) -> PanelReport:
    """Run the diagnostic rules on every series of a panel, in parallel.

    Parameters
    ----------
    data : DataFrame, path, directory or mapping
        A long-format table (DataFrame, CSV/Parquet/JSON-lines file) with one row per time
        step and series and an ``id_col``; a directory of files, one series per file (split
        further by ``id_col`` when given); or a mapping ``{id: DataFrame | Series | array}``.
    id_col : str, optional
        The column naming each series (required for a table).
    target, time_col, features, time_format, calendar
        As in :func:`lstm_doctor.check`, the same for every series.
    config, select, ignore, thresholds, severities
        As in :func:`lstm_doctor.check`, the same for every series; the set-up and rule
        selection are validated once, before any series is checked.
    jobs : int
        Worker processes (joblib ``loky``); 1 runs in this process, -1 uses every CPU.
    client : distributed.Client or str, optional
        Run on a Dask cluster (joblib's ``dask`` backend): a client or a scheduler address
        (``"tcp://host:8786"``). Workers need lstm-doctor installed; a directory's files
        are read by the workers, so they must see the same paths.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    PanelReport
        ``.results`` (one report dict or error entry per series), ``.rows()`` (the summary
        table), ``.exit_code(fail_on)``, ``.to_dict()``, ``.render(fmt)``.

    Raises
    ------
    InputError
        For a problem with the whole input (see the module documentation); a problem with
        one series becomes its error entry instead.

    Examples
    --------
    >>> import lstm_doctor
    >>> panel = lstm_doctor.check_panel("sales.csv", id_col="store", jobs=2)  # doctest: +SKIP
    >>> [row["worst"] for row in panel.rows()]  # doctest: +SKIP
    ['warning', 'input-error', 'pass']
    """
    if not isinstance(jobs, int) or jobs == 0 or jobs < -1:
        raise InputError(f"jobs={jobs!r} is not valid; give a positive number of worker "
                         "processes, or -1 for one per CPU")
    started = time.perf_counter()
    # validated and the set-up loaded once, before any series is checked
    options = CheckOptions(
        target=target, time_col=time_col, features=features, time_format=time_format,
        calendar=calendar, config=config, select=select, ignore=ignore,
        thresholds=thresholds, severities=severities).validate().with_setup()
    tasks = panel_tasks(data, id_col=id_col)
    results, backend = run_tasks(tasks, options, jobs=jobs, client=client, progress=progress)
    meta = {"n_series": len(tasks), "jobs": jobs, "backend": backend,
            "seconds": round(time.perf_counter() - started, 3)}
    return PanelReport(results=results, id_col=id_col, meta=meta)
