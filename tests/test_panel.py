"""Panels: many series in one call (API, CLI --id-col/--jobs/--scheduler, Dask)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lstm_doctor
from lstm_doctor.errors import InputError
from lstm_doctor.panel import check_panel, panel_tasks
from lstm_doctor.render.json import validate
from tests import generators as g

CONFIG = {"window": {"seq_length": 12}, "training": {"epochs": 5}}


def _volatile(result: dict) -> dict:
    """A result without its timings (they differ between runs)."""
    out = json.loads(json.dumps(result))
    out.pop("meta", None)
    for f in out.get("findings", []):  # the CLI places findings in files (not the API)
        f.pop("location", None)
    return out


def _long_frame() -> pd.DataFrame:
    """Five series of a store panel: three usable, one all-NaN, one too short."""
    parts = {
        "north": g.random_walk(n=150, seed=1),
        "south": g.white_noise(n=150, seed=2, loc=10.0),
        "east": g.seasonal(n=144, seed=3),
        "dead": np.full(120, np.nan),
        "new": np.arange(6, dtype=float),
    }
    frames = []
    for store, y in parts.items():
        dates = pd.date_range("2021-01-01", periods=len(y), freq="D").strftime("%Y-%m-%d")
        frames.append(pd.DataFrame({"date": dates, "store": store, "sales": y}))
    # interleave the rows: a panel is rarely sorted by series
    frame = pd.concat(frames, ignore_index=True)
    return frame.sample(frac=1.0, random_state=0).sort_values("date", kind="stable") \
        .reset_index(drop=True)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return _long_frame()


@pytest.fixture(scope="module")
def panel(frame):
    return check_panel(frame, id_col="store", config=CONFIG)


def test_one_entry_per_series_in_order_of_first_appearance(frame, panel):
    order = list(dict.fromkeys(frame["store"]))
    assert [r["source"] if "error" in r else r["data"]["source"] for r in panel.results] == \
        [f"<DataFrame>[store={s}]" for s in order]
    assert panel.meta["n_series"] == 5
    assert panel.meta["backend"] == "sequential"


def test_each_series_is_checked_alone_in_time_order(frame, panel):
    by_id = {r["data"]["series_id"]: r for r in panel.results if "findings" in r}
    assert set(by_id) == {"north", "south", "east"}
    for store, result in by_id.items():
        rows = frame[frame.store == store]
        assert result["data"]["n"] == len(rows)
        assert result["data"]["id_col"] == "store"
        assert result["data"]["file"] == "<DataFrame>"
        assert result["data"]["frequency"] == "D"  # the rows of one store are daily
        alone = lstm_doctor.check(rows.drop(columns=["store"]).reset_index(drop=True),
                                  config=CONFIG)
        assert [f["code"] for f in result["findings"]] == alone.codes()


def test_a_bad_series_is_an_error_entry_not_a_failed_run(panel):
    errors = {r["source"]: r["error"] for r in panel.errors}
    assert set(errors) == {"<DataFrame>[store=dead]", "<DataFrame>[store=new]"}
    assert "no finite values" in errors["<DataFrame>[store=dead]"]
    assert "6 finite values" in errors["<DataFrame>[store=new]"]
    for label, message in errors.items():  # one line, naming the series
        assert label in message and "\n" not in message
    assert len(panel.results) == 5


def test_summary_rows_and_exit_code(panel):
    rows = {r["series"]: r for r in panel.rows()}
    assert rows["<DataFrame>[store=dead]"]["worst"] == "input-error"
    north = rows["<DataFrame>[store=north]"]
    result = next(r for r in panel.results if r.get("data", {}).get("series_id") == "north")
    assert north["codes"] == [f["code"] for f in result["findings"]]
    assert north["worst"] == (result["findings"][0]["severity"] if result["findings"]
                              else "pass")
    assert panel.exit_code("error") == 2  # an input error is the worst outcome
    good = check_panel(_long_frame().query("store in ['north', 'south', 'east']"),
                       id_col="store", config=CONFIG)
    worst = max(({"error": 3, "warning": 2, "info": 1}[f["severity"]]
                 for r in good.results for f in r["findings"]), default=0)
    assert good.exit_code("error") == (1 if worst >= 3 else 0)
    assert good.exit_code("info") == (1 if worst >= 1 else 0)
    assert good.exit_code("never") == 0


def test_json_is_the_collection_document_and_valid(panel):
    doc = panel.to_dict()
    validate(doc)
    assert doc["summary"]["files"] == 5
    assert doc["summary"]["input_errors"] == 2
    assert json.loads(panel.to_json()) == doc


@pytest.mark.parametrize("fmt", ["text", "junit", "sarif", "github", "markdown"])
def test_every_format_names_every_series(panel, fmt):
    text = panel.render(fmt)
    for store in ("north", "south", "east", "dead", "new"):
        label = f"store={store}"
        assert label in text or label.replace("=", "%3D") in text, (fmt, store)


def test_jobs_2_gives_the_same_results_as_jobs_1(frame, panel):
    parallel = check_panel(frame, id_col="store", config=CONFIG, jobs=2)
    assert parallel.meta["backend"] == "loky"
    assert [_volatile(r) for r in parallel.results] == [_volatile(r) for r in panel.results]


def test_directory_of_files_and_mapping(tmp_path):
    folder = tmp_path / "fleet"
    folder.mkdir()
    pd.DataFrame({"y": g.random_walk(n=120, seed=4)}).to_csv(folder / "a.csv", index=False)
    pd.DataFrame({"y": g.white_noise(n=120, seed=5)}).to_parquet(folder / "b.parquet")
    (folder / "c.csv").write_text("y\n1\n2\n")
    (folder / "notes.md").write_text("not data")
    res = check_panel(folder, jobs=1)
    sources = [r.get("source") or r["data"]["source"] for r in res.results]
    assert sources == [str(folder / n) for n in ("a.csv", "b.parquet", "c.csv")]
    assert "2 finite values" in res.results[2]["error"]
    mapping = check_panel({"a": g.random_walk(n=120, seed=4), "b": g.white_noise(n=120, seed=5)})
    assert [r["data"]["series_id"] for r in mapping.results] == ["a", "b"]
    a_file = next(r for r in res.results if r.get("data", {}).get("source", "").endswith("a.csv"))
    assert [f["code"] for f in mapping.results[0]["findings"]] == \
        [f["code"] for f in a_file["findings"]]


def test_whole_input_problems_raise_once(frame, tmp_path):
    with pytest.raises(InputError, match="id column 'stores' not found; did you mean 'store'"):
        check_panel(frame, id_col="stores")
    with pytest.raises(InputError, match="needs id_col"):
        check_panel(frame)
    with pytest.raises(InputError, match="LD999"):
        check_panel(frame, id_col="store", select="LD999")
    with pytest.raises(InputError, match="units"):
        check_panel(frame, id_col="store", config={"model": {"unit": 3}})
    with pytest.raises(InputError, match="jobs=0"):
        check_panel(frame, id_col="store", jobs=0)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no data files"):
        check_panel(empty)


def test_rows_without_an_id_are_an_error_entry(frame):
    broken = frame.copy()
    broken.loc[broken.index[:3], "store"] = None
    tasks = panel_tasks(broken, id_col="store")
    assert tasks[0].label == "<DataFrame>[store=<missing>]"
    res = check_panel(broken, id_col="store", select="LD1")
    assert "3 row(s) have no store" in res.results[0]["error"]
    assert len(res.results) == 6


def test_numeric_ids_stay_numbers():
    frame = pd.DataFrame({"sensor": np.repeat([7, 3], 60),
                          "v": np.r_[g.white_noise(60, seed=1), g.white_noise(60, seed=2)]})
    res = check_panel(frame, id_col="sensor", select="LD1")
    assert [r["data"]["series_id"] for r in res.results] == [7, 3]
    assert res.results[0]["data"]["source"] == "<DataFrame>[sensor=7]"


def test_public_api_exports_check_panel():
    assert lstm_doctor.check_panel is check_panel
    assert "check_panel" in lstm_doctor.__all__


# -- Dask --------------------------------------------------------------------------------------

def test_dask_local_cluster_gives_the_same_results(frame, panel):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        res = check_panel(frame, id_col="store", config=CONFIG, client=client)
        assert res.meta["backend"] == "dask"
        assert [_volatile(r) for r in res.results] == [_volatile(r) for r in panel.results]
        # a scheduler address works too (what --scheduler passes)
        by_address = check_panel(frame, id_col="store", config=CONFIG,
                                 client=cluster.scheduler_address)
        assert [_volatile(r) for r in by_address.results] == \
            [_volatile(r) for r in panel.results]


def test_unreachable_scheduler_is_an_input_error(frame, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr("lstm_doctor.panel.DASK_CONNECT_TIMEOUT", "2s")
    with pytest.raises(InputError, match="cannot be reached"):
        check_panel(frame, id_col="store", client="tcp://127.0.0.1:9")


# -- CLI ---------------------------------------------------------------------------------------

def _run(args, capsys):
    from lstm_doctor.cli import main

    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def panel_csv(tmp_path) -> Path:
    path = tmp_path / "stores.csv"
    _long_frame().to_csv(path, index=False)
    return path


@pytest.fixture
def config_file(tmp_path) -> Path:
    path = tmp_path / "lstm.yaml"
    path.write_text("window: {seq_length: 12}\ntraining: {epochs: 5}\n")
    return path


def test_cli_id_col_json(panel_csv, config_file, capsys):
    code, out, err = _run(["check", panel_csv, "--id-col", "store", "--config", config_file,
                           "--isolated", "--format", "json"], capsys)
    doc = json.loads(out)
    validate(doc)
    assert code == 2  # worst: two series could not be checked
    labels = [f.get("source") or f["data"]["source"] for f in doc["files"]]
    assert labels[0] == f"{panel_csv}[store=north]" or len(labels) == 5
    assert {lab.rsplit("[", 1)[1] for lab in labels} == \
        {"store=north]", "store=south]", "store=east]", "store=dead]", "store=new]"}
    reports = [f for f in doc["files"] if "findings" in f]
    assert all(r["data"]["file"] == str(panel_csv) for r in reports)
    api = check_panel(panel_csv, id_col="store", config=str(config_file))
    assert [_volatile(r) for r in doc["files"]] == [_volatile(r) for r in api.results]


def test_cli_jobs_2_same_json_and_exit_code_is_the_worst(panel_csv, config_file, tmp_path,
                                                        capsys):
    good = tmp_path / "good.csv"
    pd.read_csv(panel_csv).query("store in ['north', 'south', 'east']").to_csv(good,
                                                                              index=False)
    outs = {}
    for jobs in ("1", "2"):
        code, out, _ = _run(["check", good, "--id-col", "store", "--config", config_file,
                             "--isolated", "--format", "json", "--jobs", jobs], capsys)
        outs[jobs] = (code, [_volatile(f) for f in json.loads(out)["files"]])
    assert outs["1"] == outs["2"]
    findings = [f for r in outs["1"][1] for f in r["findings"]]
    expected = 1 if any(f["severity"] == "error" for f in findings) else 0
    assert outs["1"][0] == expected
    code, _, _ = _run(["check", good, "--id-col", "store", "--config", config_file,
                       "--isolated", "--format", "json", "--fail-on", "never"], capsys)
    assert code == 0


def test_cli_directory_and_text_summary(tmp_path, capsys):
    folder = tmp_path / "fleet"
    folder.mkdir()
    pd.DataFrame({"y": g.random_walk(n=120, seed=4)}).to_csv(folder / "a.csv", index=False)
    pd.DataFrame({"y": np.full(30, np.nan)}).to_csv(folder / "b.csv", index=False)
    code, out, err = _run(["check", folder, "--isolated", "--select", "LD1,LD2"], capsys)
    assert code == 2
    assert "a.csv" in out and "b.csv" in out
    assert "could not be checked" in out
    assert "error:" not in err or "b.csv" in err


def test_cli_unknown_id_col_is_one_line_exit_2(panel_csv, capsys):
    code, out, err = _run(["check", panel_csv, "--id-col", "shop", "--isolated"], capsys)
    assert code == 2
    assert "id column 'shop' not found" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_cli_bad_jobs_is_a_usage_error(panel_csv, capsys):
    code, _, err = _run(["check", panel_csv, "--id-col", "store", "--jobs", "0"], capsys)
    assert code == 2


def test_github_annotation_of_a_bad_series_points_at_its_file(tmp_path, capsys):
    import numpy as np
    import pandas as pd

    from tests.helpers import run_cli

    rows = [{"id": "good", "y": float(v)} for v in np.random.default_rng(0).normal(size=60)]
    rows += [{"id": "short", "y": 1.0}] * 3
    path = tmp_path / "fleet.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    code, out, _ = run_cli(["check", path, "--id-col", "id", "--format", "github",
                            "--isolated"], capsys)
    assert code == 2
    error_lines = [ln for ln in out.splitlines() if ln.startswith("::error")]
    assert any(f"file={path}," in ln and "short" in ln for ln in error_lines), out


def test_repr_is_one_short_line(panel):
    text = repr(panel)
    assert "\n" not in text and len(text) < 120
    assert text.startswith(f"<PanelReport {len(panel.results)} series: ")
    assert f"{len(panel.errors)} not checked" in text


# -- in a notebook: the card and the DataFrame ---------------------------------------------------

def _notebook_panel():
    rng = np.random.default_rng(0)
    frames = [pd.DataFrame({"id": f"store_{k}", "t": pd.date_range("2000-01", periods=80,
                                                                      freq="MS"),
                            "y": np.cumsum(rng.normal(size=80)) if k % 3 else rng.normal(size=80)})
              for k in range(12)]
    frames.append(pd.DataFrame({"id": "<script>alert(1)</script>",
                                "t": pd.date_range("2000-01", periods=3, freq="MS"),
                                "y": [np.nan] * 3}))
    return check_panel(pd.concat(frames), id_col="id", target="y", time_col="t")


def test_a_panel_shows_a_scoped_card_with_the_worst_series_first():
    import re

    panel = _notebook_panel()
    html = panel._repr_html_()
    root = re.match(r'<div class="ld-nb ld-nb-panel" id="(ld-[a-z0-9]+)"', html)
    assert root and html.count('class="ld-nb ') == 1 and "<html" not in html
    css = re.sub(r"/\*.*?\*/", "", html.split("<style>")[1].split("</style>")[0], flags=re.S)
    rules = re.findall(r"^([^\s{}][^{}]*)\{", css, re.M)
    assert rules and all(r.strip().startswith("#" + root.group(1)) or r.strip().startswith("@")
                         for r in rules)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    body = html.split("<tbody>")[1]
    assert body.index("not checked") < body.index("warning")  # the input error first
    rows = panel.rows()
    warned = [r["series"] for r in rows if r["worst"] == "warning"]
    assert warned and all(label.replace("<", "&lt;").replace(">", "&gt;") in html
                          for label in warned)
    assert f"{len(rows)} series checked" in html and "1 could not be checked" in html
    short = panel.summary_html(max_rows=3)
    assert short.count("<tr>") == 1 + 3 and f"The 3 worst of {len(rows)} series" in short


def test_a_panel_as_a_dataframe():
    panel = _notebook_panel()
    frame = panel.to_frame()
    assert list(frame.columns) == ["series", "id", "worst", "error", "warning", "info",
                                   "codes", "failing", "message"]
    rows = panel.rows()
    assert len(frame) == len(rows) and frame["warning"].sum() == sum(r["warning"] for r in rows)
    assert (frame["worst"] == "input-error").sum() == 1
    assert frame.loc[frame["worst"] == "warning", "codes"].str.startswith("LD").all()
    assert len(repr(panel)) < 120
