"""Fleets of ``report``: train every series of a panel and write one combined report.

``lstm-doctor report`` given a long-format table with ``--id-col`` or a directory of files
runs, for every series, exactly what it runs for one: :func:`lstm_doctor.report` (the check,
then the user's and the remediated LSTMs next to the reference models). This module splits
the input with :func:`lstm_doctor.panel.panel_tasks`, runs each series as one task (in this
process, in joblib ``loky`` worker processes, or on a Dask cluster through joblib's ``dask``
backend) and collects one ``Report.to_dict()`` per series, or
``{"source": label, "error": message}`` (one line) for a series that could not be reported.

Work and memory
---------------
* A worker trains one series at a time (a lock per process: Keras' seeds are global to a
  process, so two series training at once in one process would share them).
* With ``jobs > 1`` each worker process runs TensorFlow (and BLAS) on one thread: ``jobs``
  processes then use ``jobs`` cores instead of fighting over them.
* Seeds are the same for every series (``0 .. seeds-1``), whichever worker trains it and in
  whatever order, so a series' results do not depend on ``jobs`` or on the backend.
* With Dask the workers may not see this machine's files: a file is read here, one task at a
  time as the workers ask for work, and its series (arrays) is sent, never its path.

The results feed the combined renderers of :mod:`lstm_doctor.render.fleet` (summary table,
HTML page, text) and the gate (:func:`lstm_doctor.gate.exit_code`), as ``check`` panels do.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lstm_doctor import gate
from lstm_doctor.errors import InputError
from lstm_doctor.options import CheckOptions
from lstm_doctor.panel import Task, panel_tasks
from lstm_doctor.panel_report import SeriesResults

#: How long to try to reach a Dask scheduler given by address.
DASK_CONNECT_TIMEOUT = "20s"
#: Environment variables TensorFlow reads for its thread pools (set in worker processes).
TF_THREAD_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")

#: One series trains at a time in a process (Keras' random seeds are process-wide).
_TRAINING = threading.Lock()

__all__ = ["FleetReport", "TrainSettings", "is_fleet", "report_panel", "report_task",
           "run_fleet", "emit_fleet", "report_fleet_command"]


@dataclass(frozen=True)
class TrainSettings:
    """What every series of a fleet trains with (the training options of ``report``).

    Attributes
    ----------
    seeds : int
        Seeds per LSTM, the same ``0 .. seeds-1`` for every series.
    epochs : int or None
        Override the set-up's epochs.
    max_seconds : float or None
        Wall-clock training budget of each series (not of the whole fleet).
    ablation, train, screen : bool
        As in :func:`lstm_doctor.report`.
    """

    seeds: int = 3
    epochs: int | None = None
    max_seconds: float | None = None
    ablation: bool = False
    train: bool = True
    screen: bool = True

    def validate(self) -> TrainSettings:
        """Check the values once, before any series trains.

        Raises
        ------
        InputError
            For a non-positive number of seeds or epochs or a non-positive budget.
        """
        if not _positive_int(self.seeds):
            raise InputError(f"seeds={self.seeds!r} is not valid; give a positive whole number")
        if self.epochs is not None and not _positive_int(self.epochs):
            raise InputError(f"epochs={self.epochs!r} is not valid; give a positive whole "
                             "number or None for the set-up's epochs")
        if self.max_seconds is not None and not (
                isinstance(self.max_seconds, (int, float)) and self.max_seconds > 0):
            raise InputError(f"max_seconds={self.max_seconds!r} is not valid; give a positive "
                             "number of seconds (the budget of each series) or None")
        return self

    def as_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`lstm_doctor.report`."""
        return asdict(self)


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


@dataclass
class FleetReport(SeriesResults):
    """The result of :func:`report_panel`: one report (with its ``comparison``) or error entry
    per series (see :class:`~lstm_doctor.panel_report.SeriesResults` for the attributes,
    the gate and JSON).
    """

    def __repr__(self) -> str:
        return (f"<FleetReport {len(self.results)} series: {len(self.errors)} not reported, "
                f"backend {self.meta.get('backend', '?')}>")

    def rows(self, fail_on: str = "error") -> list[dict[str, Any]]:
        """The summary table, one row per series (:func:`lstm_doctor.render.fleet.fleet_rows`)."""
        from lstm_doctor.render.fleet import fleet_rows

        return fleet_rows(self.results, fail_on=fail_on)

    def to_dict(self, fail_on: str = "error") -> dict[str, Any]:
        """The JSON document: the several-results collection (one report per series)."""
        from lstm_doctor.render.fleet import fleet_document

        return fleet_document(self.results, fail_on=fail_on)

    def summary_html(self, fail_on: str = "error", *, max_rows: int = 50) -> str:
        """A scoped HTML fragment: the totals and the summary table of the first
        ``max_rows`` series (what a notebook shows).
        """
        from lstm_doctor.render.fleet import render_fleet_fragment

        return render_fleet_fragment(self.results, fail_on=fail_on, max_rows=max_rows,
                                     seconds=self.meta.get("seconds"))

    def _repr_html_(self) -> str:
        return self.summary_html()

    def to_html(self, path: str | Path | None = None, fail_on: str = "error") -> str:
        """The combined HTML page (written atomically to ``path`` when given)."""
        from lstm_doctor.render.fleet import render_fleet_html

        html = render_fleet_html(self.results, fail_on=fail_on, meta=self.meta)
        if path is not None:
            from lstm_doctor.outputs import write_atomic

            write_atomic(str(path), html, what="the HTML report")
        return html


# -- the per-series function ----------------------------------------------------------------

def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def _message(label: str, exc: Exception) -> str:
    """The one-line error of a series, naming the series (not ``<DataFrame>``)."""
    message = _one_line(exc)
    for tag in ("<DataFrame>", "<Series>", "<array>"):
        if message.startswith(tag):
            return f"'{label}'" + message[len(tag):]
    return message if label in message else f"'{label}': {message}"


def _error_entry(task: Task, message: str) -> dict[str, Any]:
    entry = {"source": task.label, "error": message}
    if task.facts.get("file"):
        entry["file"] = task.facts["file"]
    return entry


@contextmanager
def _threads(limit: int | None) -> Iterator[None]:
    """TensorFlow and BLAS on ``limit`` threads in this (worker) process.

    TensorFlow reads ``TF_NUM_*_THREADS`` when its runtime starts (the first series a worker
    trains); the user's own settings of these variables win.
    """
    if limit is None:
        yield
        return
    for name in TF_THREAD_VARIABLES:
        os.environ.setdefault(name, str(limit))
    from lstm_doctor._threads import pool_limits

    with pool_limits(limit):
        yield


def report_task(task: Task, options: CheckOptions | dict[str, Any],
                settings: TrainSettings | dict[str, Any], *,
                threads: int | None = None) -> dict[str, Any]:
    """Report one series; never raises: an unusable series becomes an error entry.

    Parameters
    ----------
    task : Task
        The series (label; a DataFrame, a file path or an already loaded ``SeriesData``;
        extra facts such as ``series_id``).
    options : CheckOptions or dict
        Validated options, the set-up loaded once (:meth:`CheckOptions.with_setup`).
    settings : TrainSettings or dict
        Seeds, epochs, budget and the other training options.
    threads : int, optional
        Run TensorFlow and BLAS on this many threads (worker processes).

    Returns
    -------
    dict
        ``Report.to_dict()`` (``data.source`` is the task's label, ``data`` also holds the
        task's facts) or ``{"source": label, "error": message}``.
    """
    from lstm_doctor.api import report
    from lstm_doctor.data import SeriesData, load_series
    from lstm_doctor.engine import quiet

    options = CheckOptions.coerce(options)
    settings = settings if isinstance(settings, TrainSettings) else TrainSettings(**settings)
    if "error" in task.facts:
        return _error_entry(task, task.facts["error"])
    try:
        with _TRAINING, _threads(threads):
            series = task.payload
            if not isinstance(series, SeriesData):
                with quiet():
                    series = load_series(task.payload, **options.data_kwargs())
                if not isinstance(task.payload, (str, Path)):
                    series.source = task.label
            result = report(series, progress=False, **settings.as_kwargs(),
                            **options.as_kwargs()).to_dict()
    except InputError as exc:
        return _error_entry(task, _message(task.label, exc))
    except Exception as exc:  # noqa: BLE001 - one series never fails the fleet
        return _error_entry(task, f"'{task.label}': unexpected {type(exc).__name__}: "
                                  f"{_one_line(exc)} (please report it)")
    result["data"].update({k: v for k, v in task.facts.items() if k != "error"})
    return result


def _indexed(i: int, task: Task, options: CheckOptions, settings: TrainSettings,
             threads: int | None) -> tuple[int, dict[str, Any]]:
    return i, report_task(task, options, settings, threads=threads)


def _shipped(task: Task, options: CheckOptions) -> Task | dict[str, Any]:
    """A task whose file is read here (a Dask worker may not see this machine's files)."""
    from lstm_doctor.data import load_series
    from lstm_doctor.engine import quiet

    if not isinstance(task.payload, (str, Path)) or "error" in task.facts:
        return task
    try:
        with quiet():
            series = load_series(task.payload, **options.data_kwargs())
    except InputError as exc:
        return _error_entry(task, _message(task.label, exc))
    return Task(task.label, series, dict(task.facts))


# -- running ---------------------------------------------------------------------------------

def _progress(enabled: bool):
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

    return Progress(TextColumn("training series"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(),
                    console=Console(stderr=True), transient=False)


def _connect(client: Any) -> tuple[Any, Any]:
    """``(client, client to close)`` for a Dask client or a scheduler address."""
    if client is None or not isinstance(client, str):
        return client, None
    try:
        from distributed import Client
    except ImportError:
        raise InputError("a Dask scheduler needs dask.distributed; pip install "
                         "'lstm-doctor[dask]'") from None
    try:
        own = Client(client, timeout=DASK_CONNECT_TIMEOUT)
    except OSError as exc:
        raise InputError(f"Dask scheduler '{client}' cannot be reached ({_one_line(exc)}); "
                         "check the address (tcp://host:port) and that it is running") from None
    return own, own


def run_fleet(tasks: list[Task], options: CheckOptions | dict[str, Any],
              settings: TrainSettings | dict[str, Any], *, jobs: int = 1, client: Any = None,
              progress: bool = False) -> tuple[list[dict[str, Any]], str]:
    """Run :func:`report_task` over ``tasks``; returns ``(results in task order, backend)``.

    ``jobs == 1`` and no ``client``: one series after the other in this process. Otherwise
    joblib: ``jobs`` ``loky`` worker processes (``-1`` = one per CPU), each training one
    series at a time on one thread, or, with a Dask ``client`` (a ``distributed.Client`` or
    a scheduler address such as ``"tcp://host:8786"``), joblib's ``dask`` backend on that
    cluster. Each series is one task (a series trains for seconds: batching buys nothing).
    """
    options = CheckOptions.coerce(options)
    settings = settings if isinstance(settings, TrainSettings) else TrainSettings(**settings)
    total = len(tasks)
    results: list[dict[str, Any] | None] = [None] * total
    with _progress(progress and total > 0) as bar:
        bar_id = bar.add_task("report", total=total) if bar is not None else None

        def done(i: int, result: dict[str, Any]) -> None:
            results[i] = result
            if bar is not None:
                bar.update(bar_id, advance=1)

        if client is None and jobs == 1:
            for i, task in enumerate(tasks):
                done(i, report_task(task, options, settings))
            return results, "sequential"  # type: ignore[return-value]
        _run_parallel(tasks, options, settings, jobs=jobs, client=client, done=done)
    return results, ("dask" if client is not None else "loky")  # type: ignore[return-value]


def _run_parallel(tasks: list[Task], options: CheckOptions, settings: TrainSettings, *,
                  jobs: int, client: Any, done: Any) -> None:
    import joblib

    from lstm_doctor._interrupt import kill_loky_workers, terminate_as_interrupt

    client, own = _connect(client)
    try:
        if client is not None:
            n_jobs, threads = -1, None
            config = joblib.parallel_config(backend="dask", client=client)
        else:
            n_jobs, threads = jobs, 1
            config = joblib.parallel_config(backend="loky")

        def calls() -> Iterator[Any]:  # lazily: a Dask task's file is read when it is sent
            for i, task in enumerate(tasks):
                item = _shipped(task, options) if client is not None else task
                if isinstance(item, dict):
                    done(i, item)
                    continue
                yield joblib.delayed(_indexed)(i, item, options, settings, threads)

        with config, terminate_as_interrupt():
            parallel = joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered",
                                       batch_size=1)
            try:
                for i, result in parallel(calls()):
                    done(i, result)
            except KeyboardInterrupt:  # Ctrl-C or SIGTERM: leave no worker behind
                if client is None:
                    kill_loky_workers()
                raise
    finally:
        if own is not None:
            own.close()


def is_fleet(data: Any, *, id_col: str | None = None, scheduler: Any = None) -> bool:
    """True when ``report`` gets a fleet: an ``id_col``, a directory or a Dask scheduler."""
    if id_col is not None or scheduler is not None:
        return True
    return isinstance(data, (str, Path)) and str(data) != "-" and Path(data).is_dir()


def report_panel(
    data: Any,
    *,
    id_col: str | None = None,
    target: str | None = None,
    time_col: str | bool | None = None,
    features: list[str] | str | None = None,
    time_format: str | None = None,
    calendar: str | None = None,
    config: Any = None,
    model: Any = None,
    select: list[str] | str | None = None,
    ignore: list[str] | str | None = None,
    thresholds: dict[str, dict[str, float]] | None = None,
    severities: dict[str, str] | None = None,
    seeds: int = 3,
    epochs: int | None = None,
    max_seconds: float | None = None,
    ablation: bool = False,
    train: bool = True,
    screen: bool = True,
    jobs: int = 1,
    client: Any = None,
    progress: bool = False,
) -> FleetReport:
    """Run :func:`lstm_doctor.report` on every series of a panel, in parallel.

    Parameters
    ----------
    data : DataFrame, path, directory or mapping
        As in :func:`lstm_doctor.check_panel`: a long-format table with ``id_col``, a
        directory of files (one series each, or split by ``id_col``), or a mapping
        ``{id: DataFrame | Series | array}``.
    id_col : str, optional
        The column naming each series (required for a table).
    target, time_col, features, time_format, calendar
        As in :func:`lstm_doctor.report`, the same for every series.
    config, model, select, ignore, thresholds, severities
        As in :func:`lstm_doctor.report`; validated (and the set-up loaded) once, before any
        series trains.
    seeds, epochs, ablation, train, screen
        As in :func:`lstm_doctor.report`, for every series (seeds ``0 .. seeds-1``).
    max_seconds : float, optional
        Wall-clock training budget of each series.
    jobs : int
        Worker processes (joblib ``loky``), each training one series at a time with
        TensorFlow on one thread; 1 runs in this process, -1 uses every CPU.
    client : distributed.Client or str, optional
        Train on a Dask cluster (joblib's ``dask`` backend): a client or a scheduler address.
        Workers need ``lstm-doctor[dask]`` and TensorFlow; files are read here and their
        series sent, so workers need not see them. Each worker process trains one series at
        a time: start one worker process per series to train at once.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    FleetReport
        ``.results``, ``.rows()`` (the summary table), ``.exit_code(fail_on)``,
        ``.to_dict()``, ``.to_html(path)``.

    Raises
    ------
    InputError
        For a problem with the whole input or the options; a problem with one series
        becomes its error entry instead.

    Examples
    --------
    >>> import lstm_doctor
    >>> fleet = lstm_doctor.report_panel("m3.csv", id_col="series", seeds=1,
    ...                                  jobs=2)  # doctest: +SKIP
    >>> fleet.to_html("fleet.html")  # doctest: +SKIP
    """
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs == 0 or jobs < -1:
        raise InputError(f"jobs={jobs!r} is not valid; give a positive number of worker "
                         "processes, or -1 for one per CPU")
    started = time.perf_counter()
    settings = TrainSettings(seeds=seeds, epochs=epochs, max_seconds=max_seconds,
                             ablation=ablation, train=train, screen=screen).validate()
    options = CheckOptions(
        target=target, time_col=time_col, features=features, time_format=time_format,
        calendar=calendar, config=config, model=model, select=select, ignore=ignore,
        thresholds=thresholds, severities=severities).validate().with_setup()
    tasks = panel_tasks(data, id_col=id_col)
    results, backend = run_fleet(tasks, options, settings, jobs=jobs, client=client,
                                 progress=progress)
    meta = {"n_series": len(tasks), "jobs": jobs, "backend": backend,
            "seconds": round(time.perf_counter() - started, 3), **settings.as_kwargs()}
    return FleetReport(results=results, id_col=id_col, meta=meta)


# -- the command line's outputs ----------------------------------------------------------------

def emit_fleet(results: list[dict[str, Any]], pairs: list[tuple[str, str | None]], *,
               json_path: str | None, fail_on: str, meta: dict[str, Any]) -> None:
    """Write the outputs of ``lstm-doctor report`` on a fleet.

    ``text`` is the summary table (stdout, or a file), ``html`` the combined page, ``json``
    (and ``--json``) every report (the several-results collection); the other formats are
    those of ``check`` on several series.
    """
    import json

    from lstm_doctor.cli_support import emit, stderr
    from lstm_doctor.outputs import write_atomic
    from lstm_doctor.render.fleet import fleet_document, print_fleet, render_fleet_html

    def write(path: str, text: str, what: str) -> None:
        write_atomic(path, text if text.endswith("\n") else text + "\n", what=what)
        stderr().print(f"wrote {path}", soft_wrap=True)

    def document() -> str:
        doc = fleet_document(results, fail_on=fail_on)
        return json.dumps(doc, indent=2, allow_nan=False)

    if json_path:
        write(json_path, document(), "--json")
    for fmt, output in pairs:
        if fmt == "html":
            if not output:
                raise InputError("--format html needs an --output file")
            write(output, render_fleet_html(results, fail_on=fail_on, meta=meta), "--output")
        elif fmt == "text":
            from rich.console import Console

            if output:
                import io

                console = Console(file=io.StringIO(), width=160, color_system=None)
                print_fleet(results, console, fail_on=fail_on)
                write(output, console.file.getvalue(), "--output")
            else:
                print_fleet(results, Console(), fail_on=fail_on)
        elif fmt == "json":
            if output:
                write(output, document(), "--output")
            else:
                print(document())
        else:
            emit(results, fmt, output, fail_on)


def report_fleet_command(data: str, options: CheckOptions, settings: TrainSettings, *,
                         id_col: str | None, jobs: int, scheduler: str | None,
                         pairs: list[tuple[str, str | None]], json_path: str | None,
                         fail_on: str, command: str) -> int:
    """``lstm-doctor report`` on a fleet: train every series, write the outputs, the exit code.

    ``options`` are the command's resolved settings (the set-up still a path, so findings
    point at its lines); the set-up is loaded and validated once, before any series trains.

    Returns
    -------
    int
        As ``check`` on panels: 2 when a series could not be reported, 1 when a finding is
        at or above ``fail_on``, else 0.
    """
    from lstm_doctor.cli_support import stderr
    from lstm_doctor.locations import locate

    if options.test_data is not None:
        raise InputError("a separate test file (--test-data) is the holdout of one series; it "
                         "cannot be used with --id-col, --scheduler or a directory of series")
    if not isinstance(jobs, int) or jobs == 0 or jobs < -1:
        raise InputError(f"--jobs {jobs} is not valid; give a number of worker processes, "
                         "or -1 for one per CPU")
    if ("html", None) in pairs:  # before minutes of training
        raise InputError("--format html needs an --output file (the combined report)")
    started = time.perf_counter()
    settings = settings.validate()
    ready = options.validate().with_setup()
    tasks = panel_tasks(data, id_col=id_col)
    results, backend = run_fleet(tasks, ready, settings, jobs=jobs, client=scheduler,
                                 progress=True)
    results = locate(results, config=options.config, model=options.model)
    bad = sum(gate.is_error_result(r) for r in results)
    if bad:
        stderr().print(f"{bad} of {len(results)} series could not be reported (rows with "
                       "their error in the report)", soft_wrap=True)
    meta = {"n_series": len(tasks), "jobs": jobs, "backend": backend,
            "seconds": round(time.perf_counter() - started, 3), "command": command,
            **settings.as_kwargs()}
    emit_fleet(results, pairs, json_path=json_path, fail_on=fail_on, meta=meta)
    return gate.exit_code(results, fail_on)
