"""Fleets of `report`: one combined report for many series (--id-col, a directory, --jobs, Dask).

Three short series are trained for real (2 epochs, 1 seed, no screening) so that the
per-series results can be compared across backends; everything else uses --no-train or
hand-made comparison blocks.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_doctor.render.fleet import fleet_rows, helps
from lstm_doctor.render.json import validate

SERIES = ("walk", "season", "noise")
TRAIN = ["--epochs", "2", "--seeds", "1", "--no-screen", "--isolated"]


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    t = np.arange(60)
    parts = {"walk": 100 + np.cumsum(rng.normal(size=60)),
             "season": 50 + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(size=60),
             "noise": 20 + rng.normal(size=60),
             "tiny": np.arange(5.0)}  # too short: an error row, not a failed run
    return pd.concat([pd.DataFrame({"month": pd.date_range("2000-01-01", periods=len(y),
                                                           freq="MS").strftime("%Y-%m-%d"),
                                    "id": key, "y": y}) for key, y in parts.items()])


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fleet")
    _frame().to_csv(root / "panel.csv", index=False)
    (root / "lstm.yaml").write_text("window: {seq_length: 12}\ntraining: {epochs: 2}\n")
    return root


def _run(args: list) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from lstm_doctor.cli import cli

    result = CliRunner().invoke(cli, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _fleet(work: Path, name: str, *extra) -> dict:
    out = {"json": work / f"{name}.json", "html": work / f"{name}.html"}
    code, stdout, stderr = _run(["report", work / "panel.csv", "--id-col", "id", "--config",
                                 work / "lstm.yaml", *TRAIN, "--json", out["json"],
                                 "--output", out["html"], *extra])
    return {"code": code, "stdout": stdout, "stderr": stderr,
            "doc": json.loads(out["json"].read_text()), "html": out["html"].read_text()}


@pytest.fixture(scope="module")
def sequential(work) -> dict:
    return _fleet(work, "seq")


def _stable(result: dict) -> dict:
    """A result without what differs from run to run (timings)."""
    out = json.loads(json.dumps(result))
    out.pop("meta", None)
    comp = out.get("comparison") or {}
    comp.pop("budget", None)
    for model in comp.get("models", []):
        model.pop("train_seconds", None)
        for seed in model.get("seeds", []):
            seed.pop("train_seconds", None)
    return out


# -- the run, its JSON and its exit code -------------------------------------------------------

def test_every_series_is_trained_and_the_bad_one_is_an_error_entry(sequential):
    doc = sequential["doc"]
    validate(doc)  # the several-results collection: `lstm-doctor render` reads it
    files = doc["files"]
    assert [f.get("data", {}).get("series_id") for f in files[:3]] == list(SERIES)
    for f in files[:3]:
        names = {m["name"] for m in f["comparison"]["models"] if m.get("mase") is not None}
        assert {"baseline_lstm", "remediated_lstm", "naive"} <= names
        assert f["comparison"]["seeds"] == [0] and f["comparison"]["epochs"] == 2
    assert files[3]["source"].endswith("panel.csv[id=tiny]")
    assert "5 finite values" in files[3]["error"] and "\n" not in files[3]["error"]
    assert doc["summary"]["input_errors"] == 1 and doc["summary"]["files"] == 4


def test_exit_code_is_the_worst_as_for_check_panels(sequential):
    assert sequential["code"] == 2  # a series could not be reported
    assert "1 of 4 series could not be reported" in sequential["stderr"]


def test_text_summary_has_one_row_per_series_and_the_error_line(sequential):
    out = sequential["stdout"]
    for key in (*SERIES, "tiny"):
        assert key in out
    assert "panel.csv[id=tiny]': target column 'y' has 5 finite values; lstm-doctor needs " \
        "at least 10" in out  # one line, naming the series
    assert out.count("not reported: '") == 1
    assert "4 series: remediated LSTM better in" in " ".join(out.split())


# -- the combined HTML -------------------------------------------------------------------------

class _Page(HTMLParser):
    """Summary rows (their link targets and text) and every element id of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.sections: list[str] = []
        self.rows: list[dict] = []
        self._table = self._row = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "section" and "ld-nb" in (a.get("class") or ""):
            self.sections.append(a["id"])
        if tag == "table" and "ld-fleet-table" in (a.get("class") or ""):
            self._table = True
        elif tag == "tr" and self._table:
            self._row = True
            self.rows.append({"href": None, "text": "", "class": a.get("class") or ""})
        elif tag == "a" and self._row and self.rows[-1]["href"] is None:
            self.rows[-1]["href"] = a.get("href")

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = False
        elif tag == "tr":
            self._row = False

    def handle_data(self, data):
        if self._row:
            self.rows[-1]["text"] += data


def test_html_has_one_summary_row_per_series_linking_to_its_section(sequential):
    page = _Page()
    page.feed(sequential["html"])
    rows = [r for r in page.rows if r["href"]]  # the header row has no link
    assert len(rows) == 4
    assert [r["href"] for r in rows] == [f"#series-{k}" for k in range(1, 5)]
    assert page.sections == [f"series-{k}" for k in range(1, 5)]  # every anchor exists
    assert len(page.ids) == len(set(page.ids))  # ids unique across the sections
    for row, key in zip(rows, (*SERIES, "tiny"), strict=True):
        assert key in row["text"]
    assert "ld-fleet-error" in rows[3]["class"] and "5 finite values" in rows[3]["text"]
    assert all(r["text"].count("yes") + r["text"].count("no") + r["text"].count("worse")
               + r["text"].count("unclear") for r in rows[:3])
    assert sequential["html"].count('href="#summary"') == 4  # each section links back
    assert "http://" not in sequential["html"] and "https://" not in sequential["html"]


def test_a_fleet_shows_a_scoped_card_in_a_notebook(sequential):
    """The summary table of the page, for the first rows, in one fragment with its own CSS."""
    import re

    from lstm_doctor.report_fleet import FleetReport

    fleet = FleetReport(results=sequential["doc"]["files"], id_col="id",
                        meta={"seconds": 12.5})
    html = fleet._repr_html_()
    root = re.match(r'<div class="ld-nb ld-nb-fleet" id="(ld-[a-z0-9]+)"', html)
    assert root and "<html" not in html and "href=" not in html  # no links to sections
    css = re.sub(r"/\*.*?\*/", "", html.split("<style>")[1].split("</style>")[0], flags=re.S)
    selectors = re.findall(r"^([^\s{}@][^{}]*)\{", css, re.M)
    assert selectors and all(sel.strip().startswith("#" + root.group(1)) for sel in selectors)
    body = html.split("<tbody>")[1]
    assert [body.index(key) for key in SERIES] == sorted(body.index(k) for k in SERIES)
    assert "not reported" in body and "5 finite values" in body
    assert "4 series reported" in html and "Exit code 2" in html and "12.5 s" in html
    short = fleet.summary_html(max_rows=2)
    assert short.split("<tbody>")[1].count("<tr") == 2 and "The first 2 of 4 series" in short
    assert len(repr(fleet)) < 120


# -- parallel and Dask: the same per-series results --------------------------------------------

def test_jobs_2_gives_identical_per_series_results(work, sequential):
    parallel = _fleet(work, "par", "--jobs", "2")
    assert parallel["code"] == sequential["code"]
    assert [_stable(r) for r in parallel["doc"]["files"]] == \
        [_stable(r) for r in sequential["doc"]["files"]]


def test_dask_scheduler_on_a_directory_sends_the_series_not_the_paths(work, sequential,
                                                                      tmp_path):
    distributed = pytest.importorskip("distributed")
    frame = _frame()
    folder = tmp_path / "series"
    folder.mkdir()
    frame[frame["id"] == "walk"].drop(columns="id").to_csv(folder / "a_walk.csv", index=False)
    (folder / "b_broken.csv").write_text("month,y\n2000-01-01,1\n")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        code, out, _ = _run(["report", folder, "--config", work / "lstm.yaml", *TRAIN,
                             "--scheduler", cluster.scheduler_address, "--format", "json"])
    doc = json.loads(out)
    assert code == 2
    walk, broken = doc["files"]
    assert walk["data"]["source"] == str(folder / "a_walk.csv")
    assert "b_broken.csv" in broken["source"] and "\n" not in broken["error"]
    same = sequential["doc"]["files"][0]["comparison"]
    assert _stable({"comparison": walk["comparison"]})["comparison"]["models"] == \
        _stable({"comparison": same})["comparison"]["models"]


# -- which path `report` takes, and input errors -------------------------------------------------

def test_a_single_file_keeps_the_single_series_report(work, tmp_path):
    one = tmp_path / "one.csv"
    frame = _frame()
    frame[frame["id"] == "walk"].drop(columns="id").to_csv(one, index=False)
    code, out, _ = _run(["report", one, "--no-train", "--isolated", "--fail-on", "never"])
    assert code == 0 and "one row per series" not in out
    code, out, _ = _run(["report", tmp_path, "--no-train", "--isolated", "--fail-on",
                         "never"])  # the directory holding it: a fleet of one
    assert code == 0 and "one row per series" in out and "not trained" in out


def test_findings_only_fleet_passes_with_fail_on_never(work, tmp_path):
    frame = _frame()
    good = tmp_path / "good.csv"
    frame[frame["id"] != "tiny"].to_csv(good, index=False)
    code, out, _ = _run(["report", good, "--id-col", "id", "--no-train", "--isolated",
                         "--fail-on", "never", "--format", "json"])
    assert code == 0
    rows = fleet_rows(json.loads(out)["files"])
    assert [r["id"] for r in rows] == list(SERIES)
    assert {r["helps"] for r in rows} == {"not trained"}
    code, _, _ = _run(["report", good, "--id-col", "id", "--no-train", "--isolated",
                       "--fail-on", "info", "--format", "json"])
    assert code == 1 and any(r["failing"] for r in fleet_rows(json.loads(out)["files"],
                                                              fail_on="info"))


@pytest.mark.parametrize("args, message", [
    (["--id-col", "store"], "id column 'store' not found"),
    (["--id-col", "id", "--test-data", "x.csv"], "cannot be used with --id-col"),
    (["--id-col", "id", "--jobs", "0"], "--jobs 0 is not valid"),
    (["--id-col", "id", "--format", "html"], "--format html needs an --output file"),
])
def test_input_errors_are_one_line_exit_2(work, args, message, capsys):
    from lstm_doctor.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["report", str(work / "panel.csv"), "--no-train", "--isolated", *args])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


# -- "does the remediated LSTM help?" ------------------------------------------------------------

def _comp(base: float | None, rem: float | None, p: float | None,
          better: str = "remediated_lstm") -> dict:
    models = [{"name": "naive", "label": "naive", "mase": 1.0}]
    models += [{"name": n, "label": n, "mase": v}
               for n, v in (("baseline_lstm", base), ("remediated_lstm", rem))]
    tests = [] if p is None else [{"a": "remediated_lstm", "b": "baseline_lstm",
                                   "p_value": p, "better": better,
                                   "significant": p < 0.05}]
    return {"models": models, "dm_tests": tests}


@pytest.mark.parametrize("comp, answer", [
    (_comp(2.0, 1.0, 0.001), "yes"),
    (_comp(2.0, 1.0, 0.2), "no"),  # lower MASE, but not significant
    (_comp(1.0, 2.0, 0.001, better="baseline_lstm"), "worse"),
    (_comp(1.0, 2.0, 0.001, better="remediated_lstm"), "unclear"),  # test and MASE disagree
    (_comp(None, 1.0, None), "not trained"),
    ({}, "not trained"),
])
def test_helps_reads_the_dm_test_of_the_two_lstms(comp, answer):
    assert helps(comp)[0] == answer


def test_rows_name_the_best_model_and_the_worst_finding():
    report = {"data": {"source": "p.csv[id=7]", "series_id": 7, "n": 60},
              "summary": {"error": 0, "warning": 1, "info": 1},
              "findings": [{"code": "LD201", "severity": "info", "name": "a", "message": "m"},
                           {"code": "LD207", "severity": "warning", "name": "b",
                            "message": "m"}],
              "comparison": _comp(2.0, 1.5, 0.01)}
    (row,) = fleet_rows([report], fail_on="warning")
    assert row["id"] == "7" and row["anchor"] == "series-1"
    assert row["best"]["name"] == "naive" and row["best"]["mase"] == 1.0
    assert (row["baseline_mase"], row["remediated_mase"], row["helps"]) == (2.0, 1.5, "yes")
    assert row["worst"]["code"] == "LD207" and row["failing"] == 1
