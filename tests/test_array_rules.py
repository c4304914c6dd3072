"""The rules that judge the arrays fed to ``fit`` (LD306, LD505, LD607, LD608, LD609).

Each case is a pipeline built the way a popular tutorial builds it (tests/array_pipelines.py,
on the airline series); the matrix states exactly which of these rules fire, at which
severity, and that the correct pipelines fire none of them.
"""

from __future__ import annotations

import numpy as np
import pytest

from lstm_doctor.arrays import FitArrays
from lstm_doctor.rules import find_rule
from lstm_doctor.rules._array_facts import overlap
from tests.array_pipelines import build, context

ARRAY_RULES = ("LD306", "LD505", "LD607", "LD608", "LD609")

# (pipeline, look_back, horizon) -> {code: severity} of the array rules that must fire
MATRIX = [
    # correct pipelines: nothing fires
    ("correct", 12, 1, {}),
    ("correct", 1, 1, {}),
    ("correct", 6, 3, {}),
    ("correct_standard", 12, 1, {}),
    ("correct_val_data", 12, 1, {}),
    ("brownlee_train_fit", 1, 1, {}),
    ("brownlee_train_fit", 12, 1, {}),
    ("unscaled", 12, 1, {}),
    ("differenced", 12, 1, {}),
    # a scaler fitted on the whole series
    ("brownlee", 1, 1, {"LD306": "error"}),
    ("minmax_full", 12, 1, {"LD306": "error"}),
    ("minmax_full", 6, 3, {"LD306": "error"}),
    ("minmax_full_symmetric", 12, 1, {"LD306": "error"}),
    ("zscore_full", 12, 1, {"LD306": "warning"}),
    # test windows inside the training period
    ("random_split", 12, 1, {"LD608": "error"}),
    ("random_split", 6, 3, {"LD608": "error"}),
    ("test_from_full_series", 12, 1, {"LD608": "error"}),
    ("test_from_full_series", 1, 1, {"LD608": "error"}),
    # validation on the test windows
    ("validation_is_test", 12, 1, {"LD607": "error"}),
    ("validation_is_test", 1, 1, {"LD607": "error"}),
    ("validation_from_test", 12, 1, {"LD607": "error"}),
    # shuffled validation
    ("shuffled_validation", 12, 1, {"LD609": "warning"}),
    ("permuted_validation_split", 12, 1, {"LD609": "warning"}),
    # windowing bugs
    ("off_by_one", 12, 1, {"LD505": "error"}),
    ("off_by_one", 1, 1, {"LD505": "error"}),
    ("off_by_one", 6, 3, {"LD505": "error"}),
    ("one_step_too_far", 12, 1, {"LD505": "warning"}),
    ("per_window_normalised", 12, 1, {}),
]


def _fired(arrays: FitArrays) -> tuple[dict[str, str], dict[str, tuple]]:
    ctx = context(arrays)
    fired, outcomes = {}, {}
    for code in ARRAY_RULES:
        status, finding, reason = find_rule(code)().run(ctx)
        assert status != "crash", finding.message
        outcomes[code] = (status, finding, reason)
        if finding is not None:
            fired[code] = finding.severity.value
    return fired, outcomes


@pytest.mark.parametrize("pipeline,look_back,horizon,want", MATRIX,
                         ids=[f"{p}-L{lb}-H{h}" for p, lb, h, _ in MATRIX])
def test_exactly_these_array_rules_fire(pipeline, look_back, horizon, want):
    fired, outcomes = _fired(build(pipeline, look_back=look_back, horizon=horizon))
    assert fired == want, {c: (o[0], o[1].message if o[1] else o[2])
                           for c, o in outcomes.items()}
    for _, finding, _ in outcomes.values():
        if finding is not None:
            assert finding.fix and finding.evidence


@pytest.mark.parametrize("seed", range(5))
def test_random_splits_of_any_seed_are_caught_and_temporal_ones_are_not(seed):
    fired, _ = _fired(build("random_split", seed=seed))
    assert fired == {"LD608": "error"}
    fired, _ = _fired(build("shuffled_validation", seed=seed))
    assert fired == {"LD609": "warning"}


def test_arrays_are_needed():
    from lstm_doctor.config import LSTMConfig
    from lstm_doctor.context import Context
    from lstm_doctor.data import load_series
    from tests.array_pipelines import AIRLINE

    ctx = Context(load_series(AIRLINE), LSTMConfig(), config_given=True)
    for code in ARRAY_RULES:
        assert find_rule(code).needs_arrays
        status, _, reason = find_rule(code)().run(ctx)
        assert status == "skip" and "arrays" in reason


def test_scaler_fingerprint_evidence_names_the_ranges():
    _, out = _fired(build("minmax_full"))
    finding = out["LD306"][1]
    ch = finding.evidence["channels"]["feature 0"]
    assert ch["train_min"] == pytest.approx(0.0, abs=1e-12)
    assert ch["train_max"] < 0.7 and ch["held_max"] == pytest.approx(1.0, abs=1e-12)
    assert "0.6" in finding.message or "[0, " in finding.message


def test_a_train_fit_scaler_whose_test_reaches_back_to_the_training_maximum_is_quiet():
    # the training maximum is the last training value, which only the first test window's
    # inputs (its look-back) contain: the test values "reach 1" there legitimately
    raw = np.concatenate([np.linspace(0.0, 10.0, 60), np.linspace(11.0, 5.0, 30)])
    cut, L = 60, 4
    scaled = (raw - raw[:cut].min()) / np.ptp(raw[:cut])
    X_tr = np.stack([scaled[i:i + L] for i in range(cut - L - 1)])[:, :, None]
    y_tr = scaled[L:cut - 1, None]
    X_te = np.stack([scaled[i:i + L] for i in range(cut - L, len(raw) - L)])[:, :, None]
    y_te = scaled[cut:, None]
    assert X_tr.max() < 1.0 and X_te.max() > 1.0  # test exceeds: not min-max on the union
    status, _, _ = find_rule("LD306")().run(context(FitArrays(X_tr, y_tr, X_test=X_te,
                                                              y_test=y_te)))
    assert status == "pass"


def test_off_by_one_evidence_gives_the_offset():
    _, out = _fired(build("off_by_one"))
    ev = out["LD505"][1].evidence["sets"]["train"]
    assert ev["offsets"] == [0] and ev["expected"] == [1] and ev["base"] == "series"
    assert ev["located"] == ev["windows"]
    _, out = _fired(build("one_step_too_far"))
    assert out["LD505"][1].evidence["sets"]["train"]["offsets"] == [2]
    _, out = _fired(build("differenced"))
    assert out["LD505"][0] == "pass"


def test_windowing_check_skips_with_a_reason():
    _, out = _fired(build("per_window_normalised"))
    status, _, reason = out["LD505"]
    assert status == "skip" and "affine" in reason
    _, out = _fired(build("correct", with_series=False))
    assert out["LD505"][0] == "skip" and "series" in out["LD505"][2]


def test_look_back_one_splits_are_not_guessed():
    _, out = _fired(build("random_split", look_back=1))
    status, _, reason = out["LD608"]
    assert status == "skip" and "one value per window" in reason


def test_overlap_survives_float32_and_ignores_constant_windows():
    a = build("random_split")
    as32 = overlap(a.X_test.astype(np.float32).astype(float),
                   a.y_test.astype(np.float32).astype(float), a.X_train, a.y_train)
    exact = overlap(a.X_test, a.y_test, a.X_train, a.y_train)
    assert as32.inside == exact.inside > 0.5 * exact.compared
    zeros = np.zeros((20, 5, 1))
    none = overlap(zeros, np.zeros((20, 1)), zeros, np.zeros((20, 1)))
    assert none.inside == 0


def test_rules_are_listed():
    from lstm_doctor.rules import get_rules

    codes = {r.code for r in get_rules()}
    assert set(ARRAY_RULES) <= codes
