"""The HTML report: content, self-containment, optional sections, size on long series."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lstm_doctor
from lstm_doctor.render.html import build_view, fmt_num, render_html
from lstm_doctor.render.plots import decimate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
AIR = FIXTURES / "airpassengers.csv"
NAIVE_SETUP = {"preprocessing": {"scaler": "none"}, "window": {"seq_length": 6},
               "model": {"units": 50, "activation": "relu"}, "training": {"epochs": 100}}

EXTERNAL = re.compile(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
CSS_EXTERNAL = re.compile(r"""(?:url\(\s*["']?\s*(?:https?:)?//|@import)""", re.I)


def fake_comparison(report, *, ablation: bool = True) -> dict:
    """A comparison block with the experiment's documented keys, built from the series.

    Forecasts are derived from the actual holdout (naive = last value, seasonal naive =
    value a period back, LSTMs = perturbed actuals) so the plots have realistic shapes.
    """
    ctx = report.extras["context"]
    y = np.asarray(ctx.y, dtype=float)
    n_test = ctx.n_test
    start = ctx.n - n_test
    actual = y[start:]
    rng = np.random.default_rng(0)
    period = 12
    naive = np.full(n_test, y[start - 1])
    snaive = y[start - period:start - period + n_test]
    if snaive.size < n_test:
        snaive = np.resize(y[start - period:start], n_test)
    fc = {
        "naive": naive,
        "seasonal_naive": snaive,
        "ets": actual * 0.97 + rng.normal(0, 5, n_test),
        "baseline_lstm": np.full(n_test, y[:start].max() * 0.9) + rng.normal(0, 20, n_test),
        "remediated_lstm": actual + rng.normal(0, 12, n_test),
    }
    scale = np.mean(np.abs(np.diff(y[:start])))

    def metrics(pred):
        err = actual - pred
        mae = float(np.mean(np.abs(err)))
        return {"mae": mae, "rmse": float(np.sqrt(np.mean(err ** 2))),
                "smape": float(np.mean(2 * np.abs(err) / (np.abs(actual) + np.abs(pred))) * 100),
                "mase": mae / scale}

    models = []
    for name, pred in fc.items():
        m = metrics(pred)
        lstm = name.endswith("lstm")
        seeds = [dict(metrics(pred + rng.normal(0, 3, n_test)), seed=s) for s in range(3)] \
            if lstm else []
        row = {"name": name, **m,
               **{f"{k}_std": (float(np.std([s[k] for s in seeds])) if lstm else None)
                  for k in ("mae", "rmse", "smape", "mase")},
               "seeds": seeds, "train_seconds": 4.2 if lstm else 0.01}
        models.append(row)
    time = ctx.series.time
    index = [t.isoformat() for t in time[start:]] if time is not None else list(range(start, ctx.n))
    epochs = 30

    def hist(base):
        return [{"seed": s, "loss": list(base * np.exp(-np.arange(epochs) / 8) + 1e-3 * (s + 1)),
                 "val_loss": list(base * 1.3 * np.exp(-np.arange(epochs) / 10) + 2e-3)}
                for s in range(3)]

    user = report.config
    remediated = {**user, "preprocessing": {**user["preprocessing"], "scaler": "standard",
                                            "difference": 1},
                  "model": {**user["model"], "activation": "tanh", "units": 16}}
    diff = [["preprocessing.scaler", "none", "standard"], ["preprocessing.difference", 0, 1],
            ["model.activation", "relu", "tanh"], ["model.units", 50, 16]]
    comp = {
        "holdout": {"start": index[0], "end": index[-1], "n": n_test},
        "period": period,
        "models": models,
        "dm_tests": [{"a": "remediated_lstm", "b": "baseline_lstm", "statistic": -4.1,
                      "p_value": 0.0003},
                     {"a": "remediated_lstm", "b": "seasonal_naive", "statistic": -0.8,
                      "p_value": 0.42}],
        "remediated_config": remediated,
        "remedies": [{"kind": "scale", "section": "preprocessing",
                      "changes": {"scaler": "standard", "scaler_fit": "train"}, "note": ""}],
        "config_diff": diff,
        "verdict": "Your LSTM is 3.1× worse than naive. The remediated LSTM reaches MASE 0.94.",
        "forecasts": {"index": index, "actual": list(actual),
                      "models": {k: list(v) for k, v in fc.items()}},
        "histories": {"baseline_lstm": hist(5e4), "remediated_lstm": hist(0.5)},
        "training_script": "import keras\n\n# <remediated> training script\nprint('fit')\n",
        "remediated_config_yaml": "preprocessing:\n  scaler: standard\n  difference: 1\n",
    }
    if ablation:
        comp["ablation"] = [
            {"remedy": "scale", "mase": 2.4, "delta_mase": 1.5, "share": 0.6},
            {"remedy": "difference", "mase": 1.4, "delta_mase": 0.5, "share": 0.25},
            {"remedy": "set-activations", "mase": 1.1, "delta_mase": 0.2, "share": 0.15},
        ]
    return comp


def external_refs(html: str) -> list[str]:
    """``src``/``href``/``url()`` references that would load something from the network."""
    return EXTERNAL.findall(html) + CSS_EXTERNAL.findall(html)


def svg_texts(html: str) -> list[str]:
    """The decoded SVG of every embedded plot."""
    return [base64.b64decode(m).decode("utf-8")
            for m in re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)]


@pytest.fixture(scope="module")
def air_check():
    return lstm_doctor.check(str(AIR), config=NAIVE_SETUP)


@pytest.fixture(scope="module")
def air_full(air_check):
    report = lstm_doctor.check(str(AIR), config=NAIVE_SETUP)
    report.comparison = fake_comparison(report)
    report.meta["command"] = "lstm-doctor report fixtures/airpassengers.csv --config x.yaml"
    return report


def section_ids(html: str) -> list[str]:
    return re.findall(r'<section id="([a-z-]+)"', html)


# -- structure -----------------------------------------------------------------------------
def test_findings_only_report_has_its_sections_in_order(air_check):
    html = render_html(air_check)
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html
    assert section_ids(html) == ["verdict", "data", "findings", "remediated", "reproducibility"]
    assert "The experiment" not in html  # no training ran: no empty section
    for code in air_check.codes():
        assert f'id="finding-{code}"' in html
    # the verdict names the top causes with their codes
    verdict = html.split('id="verdict"')[1].split("</section>")[0]
    top = air_check.findings[0]
    assert top.code in verdict and "Main causes:" in verdict
    # the set-up the experiment would train, labelled as untrained, with its files
    rem = html.split('id="remediated"')[1].split("</section>")[0]
    assert "The proposed set-up" in rem and "not trained" in rem
    assert ">Proposed set-up<" in html  # table of contents
    assert 'download="remediated_config.yaml"' in rem
    assert "scaler: standard" in rem


def test_full_report_sections_tables_and_numbers(air_full):
    html = render_html(air_full)
    assert section_ids(html) == ["verdict", "data", "findings", "experiment", "remediated",
                                 "reproducibility"]
    comp = air_full.comparison
    assert "3.1× worse than naive" in html
    exp = html.split('id="experiment"')[1].split("</section>")[0]
    for name in ("naive", "seasonal naive", "ETS", "your LSTM", "remediated LSTM"):
        assert f">{name}" in exp
    for m in comp["models"]:  # every MASE (mean) appears, formatted
        assert fmt_num(m["mase"]) in exp
    best = min(comp["models"], key=lambda m: m["mase"])
    best_row = [r for r in exp.split("<tr") if 'class="ld-best"' in r]
    assert len(best_row) == 1 and fmt_num(best["mase"]) in best_row[0]
    assert "Diebold-Mariano" in exp and "0.0003" in exp
    assert "Ablation" in exp and "60%" in exp
    for fig in ("fig-mase", "fig-forecast", "fig-loss", "fig-ablation"):
        assert f'id="{fig}"' in exp
    rem = html.split('id="remediated"')[1].split("</section>")[0]
    assert "preprocessing.scaler" in rem and "standard" in rem
    assert rem.count('class="ld-changed"') == len(comp["config_diff"])
    assert 'download="remediated_config.yaml"' in rem and 'download="train_remediated.py"' in rem
    assert "&lt;remediated&gt; training script" in rem  # escaped, not raw
    repro = html.split('id="reproducibility"')[1].split("</section>")[0]
    assert "lstm-doctor report fixtures/airpassengers.csv" in repro
    assert "numpy" in repro and "pandas" in repro and "statsmodels" in repro
    assert "Seeds" in repro and "0, 1, 2" in repro


def test_data_section_has_facts_and_all_plots(air_check):
    html = render_html(air_check)
    data = html.split('id="data"')[1].split("</section>")[0]
    for fig in ("fig-series", "fig-acf", "fig-decomposition", "fig-distribution"):
        assert f'id="{fig}"' in data, fig
    assert "could not be drawn" not in html
    assert ">144<" in data and "1949-01-01 – 1960-12-01" in data and "104 to 622" in data
    assert "Detected seasonal period" in data and ">12<" in data
    # every image has non-empty alt text
    imgs = re.findall(r"<img [^>]*>", html)
    assert imgs and all(re.search(r'alt="[^"]{20,}"', tag) for tag in imgs)


def test_findings_show_evidence_docs_fix_and_snippet(air_check):
    html = render_html(air_check)
    fired = {f.code: f for f in air_check.findings}
    assert "LD301" in fired, "the naive set-up has no scaling"
    art = html.split('id="finding-LD301"')[1].split("</article>")[0]
    ld301 = fired["LD301"]
    assert "Evidence" in art and "Fix:" in art
    assert "Anti-pattern" in art and "Best practice" in art
    assert "scaler: standard" in art  # the YAML snippet derived from the remedy
    num = next(v for v in ld301.evidence.values() if isinstance(v, float))
    assert fmt_num(num) in art


def test_findings_grouped_by_family_most_severe_first(air_check):
    view = build_view(air_check)
    worst = [fam["worst"] for fam in view["families"]]
    assert worst == sorted(worst, reverse=True)
    for fam in view["families"]:
        ranks = [{"error": 3, "warning": 2, "info": 1}[f["severity"]] for f in fam["findings"]]
        assert ranks == sorted(ranks, reverse=True)
        assert {f["group"] for f in fam["findings"]} == {fam["name"]}


def test_verdict_ranks_by_measured_impact_within_severity(air_full):
    view = build_view(air_full)
    causes = view["verdict"]["causes"]
    sev = [{"error": 3, "warning": 2, "info": 1}[c["severity"]] for c in causes]
    assert sev == sorted(sev, reverse=True)
    # the LD301 (scaling) remedy holds 60% of the measured gain: first among the errors
    errors = [c for c in causes if c["severity"] == "error"]
    assert errors[0]["code"] == "LD301" and "60%" in errors[0]["impact"]


# -- self-contained, escaped, accessible ---------------------------------------------------
@pytest.mark.parametrize("which", ["check", "full"])
def test_no_external_resources(which, air_check, air_full):
    report = air_check if which == "check" else air_full
    html = render_html(report)
    assert external_refs(html) == []
    for svg in svg_texts(html):
        # xmlns declarations are identifiers, not loads; nothing else may point outside
        body = re.sub(r'xmlns(:\w+)?="[^"]*"', "", svg)
        assert not re.search(r'(?:href|src)\s*=\s*["\']https?:', body)
    assert "<script src" not in html and "<link" not in html


def test_external_ref_detector_catches_cdn_links():
    assert external_refs('<script src="https://cdn.x/y.js"></script>')
    assert external_refs('<link href="//fonts.example/css">')
    assert external_refs("<style>@import 'x.css';</style>")
    assert not external_refs('<p>see https://example.org in text</p><a href="#x">x</a>')


def test_user_text_is_escaped():
    frame = pd.DataFrame({"<b>bad</b>": np.sin(np.arange(200) / 5) + np.arange(200) * 0.1})
    report = lstm_doctor.check(frame)
    html = render_html(report)
    assert "<b>bad</b>" not in html and "&lt;b&gt;bad&lt;/b&gt;" in html


def test_heading_hierarchy_does_not_skip_levels(air_full):
    html = render_html(air_full)
    levels = [int(h) for h in re.findall(r"<h([1-6])[\s>]", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    for a, b in zip(levels, levels[1:], strict=False):
        assert b <= a + 1, (a, b)


def test_css_is_scoped_and_has_print_rules(air_check):
    html = render_html(air_check)
    css = html.split("<style>")[1].split("</style>")[0]
    assert "@media print" in css
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = re.sub(r"@media[^{]*\{", "", rules)
    selectors = [s.strip() for s in re.findall(r"([^{}]+)\{", rules)]
    for sel in selectors:
        for part in sel.split(","):
            part = part.strip()
            assert part.startswith(".ld-") or part.startswith("@"), part


# -- optional parts ------------------------------------------------------------------------
@pytest.mark.parametrize("drop", [
    ("forecasts", "dm_tests", "remediated_config_yaml"),
    ("histories", "training_script", "verdict", "remedies"),
    ("ablation", "remediated_config", "config_diff"),
    ("holdout", "models", "period"),
])
def test_comparison_parts_are_each_optional(drop):
    report = lstm_doctor.check(str(AIR), config=NAIVE_SETUP)
    full = fake_comparison(report)
    report.comparison = {k: v for k, v in full.items() if k not in drop}
    html = render_html(report)
    assert "could not be drawn" not in html, drop
    assert 'id="experiment"' in html and 'id="reproducibility"' in html
    figs = {"forecasts": "fig-forecast", "histories": "fig-loss", "ablation": "fig-ablation",
            "models": "fig-mase"}
    for key, fig in figs.items():
        assert (f'id="{fig}"' in html) == (key not in drop), (key, drop)


def test_lstm_skipped_reason_is_shown(air_check):
    report = lstm_doctor.check(str(AIR), config=NAIVE_SETUP)
    comp = fake_comparison(report, ablation=False)
    comp["models"] = [m for m in comp["models"] if not m["name"].endswith("lstm")]
    comp["forecasts"]["models"] = {k: v for k, v in comp["forecasts"]["models"].items()
                                   if not k.endswith("lstm")}
    for key in ("histories", "remediated_config", "config_diff", "training_script"):
        comp.pop(key)
    comp["lstm_skipped"] = "TensorFlow is not installed (pip install 'lstm-doctor[tensorflow]')"
    report.comparison = comp
    html = render_html(report)
    assert "TensorFlow is not installed" in html
    assert 'id="fig-forecast"' in html and 'id="fig-loss"' not in html


def test_report_without_facts_still_renders(air_check):
    """A saved report without facts (an older JSON, a panel entry): findings, no plots."""
    d = lstm_doctor.check(str(AIR), config=NAIVE_SETUP).to_dict()
    d.pop("facts")
    html = render_html(d)
    assert "not attached" in html and 'id="findings"' in html
    assert 'id="fig-series"' not in html and 'id="remediated"' not in html
    assert "could not be drawn" not in html


def test_report_without_config_or_findings():
    y = np.random.default_rng(1).normal(size=300)
    report = lstm_doctor.check(y, select=["LD1"])
    assert not report.findings
    html = render_html(report)
    assert "No rule fired" in html and 'id="remediated"' not in html
    assert "No problem found" in html


@pytest.mark.parametrize("name,kwargs", [
    ("ausbeer.csv", {}),          # NaN at the end
    ("co2_weekly.csv", {}),       # NaN inside, weekly
    ("nile.csv", {}),             # integer years, no season
    ("lynx.csv", {}),             # a cycle
    ("macrodata.csv", {"target": "realgdp"}),
    ("taylor.csv", {}),           # half-hourly, 4032 points
])
def test_real_series_render(name, kwargs):
    report = lstm_doctor.check(str(FIXTURES / name), config=NAIVE_SETUP, **kwargs)
    html = render_html(report)
    assert "could not be drawn" not in html, re.findall(r"The \w+ plot could not[^<]*", html)
    assert 'id="fig-series"' in html and 'id="fig-distribution"' in html
    for code in report.codes():
        assert f'id="finding-{code}"' in html
    assert external_refs(html) == []


def test_to_html_writes_file_and_repr_html(tmp_path, air_check):
    out = tmp_path / "r.html"
    text = air_check.to_html(str(out))
    assert out.read_text(encoding="utf-8") == text
    assert text.startswith("<!DOCTYPE html>")
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind
    # a notebook gets the scoped fragment, not the page (tests/test_notebook.py)
    fragment = air_check._repr_html_()
    assert fragment.startswith('<div class="ld-nb" id="ld-') and "<body" not in fragment
    with pytest.raises(lstm_doctor.InputError, match="HTML report .*cannot be written"):
        air_check.to_html(str(tmp_path / "missing" / "r.html"))


def test_page_without_plots_keeps_every_section(air_full):
    html = air_full.to_html(plots=False)
    assert section_ids(html) == ["verdict", "data", "findings", "experiment", "remediated",
                                 "reproducibility"]
    assert "<img " not in html and "<figure" not in html
    assert "could not be drawn" not in html
    assert len(html) < len(render_html(air_full)) / 3


# -- long series ---------------------------------------------------------------------------
def test_decimate_keeps_extremes_and_gaps():
    y = np.sin(np.arange(100_000) / 50.0)
    y[12_345] = 50.0
    y[70_000] = -40.0
    y[50_000:50_010] = np.nan
    idx, v = decimate(y, 2000)
    assert len(idx) <= 2100
    assert 12_345 in idx and 70_000 in idx
    assert np.isnan(v).any()
    assert np.all(np.diff(idx) > 0)
    small = np.arange(10.0)
    assert decimate(small, 2000)[0].tolist() == list(range(10))


def test_million_point_report_is_small(tmp_path):
    rng = np.random.default_rng(0)
    n = 1_000_000
    y = np.cumsum(rng.normal(size=n)) + 10 * np.sin(np.arange(n) * 2 * np.pi / 24)
    y[123_456] = np.nan
    frame = pd.DataFrame({"t": pd.date_range("2000-01-01", periods=n, freq="h"), "y": y})
    report = lstm_doctor.check(frame, select=["LD1"])
    html = report.to_html(str(tmp_path / "big.html"))
    size = len(html.encode("utf-8"))
    assert size < 5_000_000, size
    assert 'id="fig-series"' in html and "min/max-preserving" in html


def test_crashed_rule_is_shown_not_fatal():
    from lstm_doctor.findings import Finding, Severity

    report = lstm_doctor.check(str(AIR), config=NAIVE_SETUP)
    report.findings.append(Finding(code="LD105", name="data.intermittent", group="data",
                                   severity=Severity.ERROR, crashed=True,
                                   message="rule LD105 crashed: ValueError: boom",
                                   evidence={"exception": "ValueError", "detail": "boom"},
                                   fix="ignore the rule with --ignore LD105 and report it."))
    html = render_html(report)
    verdict = html.split('id="verdict"')[1].split("</section>")[0]
    assert "These rules crashed" in verdict and "LD105" in verdict
    assert 'id="finding-LD105"' in html and "ValueError: boom" in html


def test_unsorted_time_index_and_gaps_render():
    from tests.generators import make

    frame, kwargs = make({"generator": "seasonal", "n": 240, "freq": "MS",
                          "swap_rows": [[10, 11]], "nan_at": [50, 51, 52]}, FIXTURES)
    report = lstm_doctor.check(frame, config=NAIVE_SETUP, **kwargs)
    html = render_html(report)
    assert "could not be drawn" not in html
    assert 'id="fig-series"' in html and 'id="fig-decomposition"' in html
    assert "LD101" in report.codes() and 'id="finding-LD101"' in html


@pytest.mark.slow
def test_real_tiny_experiment_with_ablation_renders():
    pytest.importorskip("tensorflow")
    report = lstm_doctor.report(str(AIR), config=str(FIXTURES / "demo" / "config.yaml"),
                                seeds=1, epochs=2, ablation=True)
    html = render_html(report)
    assert "could not be drawn" not in html
    for fig in ("fig-mase", "fig-forecast", "fig-loss", "fig-ablation"):
        assert f'id="{fig}"' in html, fig
    view = build_view(report)
    sources = {c.strip() for a in report.comparison["ablation"]
               for c in str(a.get("source", "")).split(",")}
    # every finding whose remedy was ablated carries its measured impact
    impacted = {f["code"] for fam in view["families"] for f in fam["findings"] if f["impact"]}
    assert impacted == sources & set(report.codes())
    assert external_refs(html) == []
