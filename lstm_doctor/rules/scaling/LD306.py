from __future__ import annotations

import numpy as np

from lstm_doctor.findings import Severity
from lstm_doctor.remedies import Scale
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict

#: The ends a min-max scaler maps the data it was fitted on to.
_LOWER_ENDS = (0.0, -1.0)


def _channels(X: np.ndarray, y: np.ndarray | None, new_from: int | None = None):
    """Per channel, the values of a window set: each input feature, with the targets joined
    to the only feature of a univariate set (the target is that series) or as their own
    ``target`` channel. ``new_from``: keep only input positions ``i + j >= new_from`` (time
    points a sliding window set reaches for the first time, not the training values the
    first held-out windows legitimately look back on).
    """
    feats = X.shape[2]
    out = {}
    for f in range(feats):
        vals = X[:, :, f]
        if new_from is not None:
            i, j = np.indices(vals.shape)
            vals = vals[i + j >= new_from]
        out[f"feature {f}"] = [vals.ravel()]
    if y is not None:
        key = "feature 0" if feats == 1 else "target"
        out.setdefault(key, []).append(y.ravel())
    return {k: np.concatenate(v) for k, v in out.items()}


def _points(X: np.ndarray, y: np.ndarray | None) -> dict[str, np.ndarray]:
    """Each time point once, per channel: the windows' last inputs (one per window), plus
    the first window's earlier inputs when the windows are consecutive (a set cut in time
    order), so the moments are those of the stretch of series the windows cover.
    """
    consecutive = len(X) > 1 and X.shape[1] > 1 and \
        np.array_equal(X[1:, :-1], X[:-1, 1:], equal_nan=True)
    out = {}
    for f in range(X.shape[2]):
        last = X[:, -1, f]
        out[f"feature {f}"] = np.concatenate([X[0, :-1, f], last]) if consecutive else last
    if y is not None and X.shape[2] > 1:
        out["target"] = y[:, 0]
    return out


class Rule_LD306(Rule):  # noqa: N801
    """Scaler fingerprint: the arrays show a scaler fitted on train and test together.

    A scaler fitted on the whole series before the split leaves a trace in the arrays
    themselves, whatever the code says: min-max scaling maps the overall minimum and maximum
    to exactly 0 (or -1) and 1, so when the training windows stop short of an end (inputs
    in ``[0, 0.71]``) while the test windows reach it exactly, the scaler saw the test
    values; a standard scaler gives train and test together mean 0 and standard deviation
    1 while the training windows alone are off-centre. Evidence: per channel (input
    feature, and the targets) the range of the training and held-out values, and for a
    z-score the mean and standard deviation of training and of all windows.

    **Anti-pattern**

    ``scaled = MinMaxScaler().fit_transform(series)`` then cutting ``train, test =
    scaled[:n_train], scaled[n_train:]`` and windowing both (most tutorials).

    **Best practice**

    Split first, fit the scaler on the training part only, then transform both:
    ``scaler.fit(train); train_s, test_s = scaler.transform(train),
    scaler.transform(test)``. The training inputs then span exactly ``[0, 1]`` and the
    test values may leave it, as the future does.
    """

    code = "LD306"
    name = "scaling.scaler-fit-fingerprint"
    severity = Severity.ERROR
    needs_arrays = True
    thresholds = {"end_tolerance": 1e-6, "min_gap": 0.02, "zscore_tolerance": 0.15,
                  "min_zscore_shift": 0.3}
    constraints = {"end_tolerance": Interval(float, 0, 0.01, closed="right"),
                   "min_gap": Interval(float, 0, 1),
                   "zscore_tolerance": Interval(float, 0, 1, closed="right"),
                   "min_zscore_shift": Interval(float, 0, None, closed="neither")}

    def measure(self, ctx):
        """Per channel: ranges of the fitted-on and held-out values, z-score moments."""
        a = ctx.arrays
        if a.X_test is not None:
            held_X, held_y, held_name = a.X_test, a.y_test, "test"
            fit_X = [a.X_train] + ([a.X_val] if a.X_val is not None else [])
            fit_y = [a.y_train] + ([a.y_val] if a.y_val is not None else [])
        elif a.X_val is not None:
            held_X, held_y, held_name = a.X_val, a.y_val, "validation"
            fit_X, fit_y = [a.X_train], [a.y_train]
        else:
            raise NotApplicable("no test or validation windows to compare the training "
                                "windows with")
        fit = [_channels(x, y) for x, y in zip(fit_X, fit_y, strict=True)]
        held = _channels(held_X, held_y)
        held_new = _channels(held_X, held_y, new_from=held_X.shape[1])
        fit_last = [_points(x, y) for x, y in zip(fit_X, fit_y, strict=True)]
        held_last = _points(held_X, held_y)
        channels = {}
        for name in held:
            f = np.concatenate([c[name] for c in fit])
            h, hn = held[name], held_new[name]
            f, h, hn = f[np.isfinite(f)], h[np.isfinite(h)], hn[np.isfinite(hn)]
            if not f.size or not h.size:
                continue
            fl = np.concatenate([c[name] for c in fit_last]) if name in held_last else f
            al = np.concatenate([fl, held_last[name]]) if name in held_last else \
                np.concatenate([f, h])
            fl, al = fl[np.isfinite(fl)], al[np.isfinite(al)]
            channels[name] = {
                "train_min": float(f.min()), "train_max": float(f.max()),
                "held_min": float(h.min()), "held_max": float(h.max()),
                "held_new_min": float(hn.min()) if hn.size else None,
                "held_new_max": float(hn.max()) if hn.size else None,
                "train_mean": float(fl.mean()), "train_std": float(fl.std()),
                "all_mean": float(al.mean()), "all_std": float(al.std()),
            }
        if not channels:
            raise NotApplicable("no finite values in the windows")
        return {"held_out": held_name, "channels": channels}

    def _minmax(self, ch: dict) -> dict | None:
        """The min-max fingerprint of one channel (the end the held-out values reach)."""
        tol = self.options["end_tolerance"]
        lo = min(ch["train_min"], ch["held_min"])
        hi = max(ch["train_max"], ch["held_max"])
        end_lo = next((e for e in _LOWER_ENDS if abs(lo - e) <= tol), None)
        if abs(hi - 1.0) > tol or end_lo is None:
            return None  # train and held-out together are not min-max scaled
        new_max, new_min = ch["held_new_max"], ch["held_new_min"]
        gaps = []
        if new_max is not None and abs(new_max - 1.0) <= tol:
            gaps.append(("maximum", 1.0, 1.0 - ch["train_max"]))
        if new_min is not None and abs(new_min - end_lo) <= tol:
            gaps.append(("minimum", end_lo, ch["train_min"] - end_lo))
        gaps = [g for g in gaps if g[2] > tol]
        if not gaps:
            return None
        which, end, gap = max(gaps, key=lambda g: g[2])
        return {"kind": "minmax", "end": which, "value": end, "gap": gap,
                "range": (end_lo, 1.0)}

    def _zscore(self, ch: dict) -> dict | None:
        """The z-score fingerprint of one channel."""
        off_all = abs(ch["all_mean"]) + abs(ch["all_std"] - 1.0)
        off_train = abs(ch["train_mean"]) + abs(ch["train_std"] - 1.0)
        if off_all <= self.options["zscore_tolerance"] and \
                off_train >= self.options["min_zscore_shift"]:
            return {"kind": "standard", "off_all": off_all, "off_train": off_train}
        return None

    def judge(self, ev, ctx):
        """Fire when a channel's held-out values reach a scaler end the training values miss
        (error when the gap is material), or when only train + held-out is standardised.
        """
        held = ev["held_out"]
        for name, ch in ev["channels"].items():
            mm = self._minmax(ch)
            if mm is not None:
                material = mm["gap"] > self.options["min_gap"]
                lo, hi = mm["range"]
                message = (f"{name}: the {held} windows reach the scaler's {mm['end']} "
                           f"{mm['value']:g} exactly while the training values stop at "
                           f"[{ch['train_min']:.4g}, {ch['train_max']:.4g}]: together they "
                           f"span exactly [{lo:g}, {hi:g}], so the min-max scaler was fitted "
                           f"on the {held} part too")
                if not material:
                    message += ("; the gap is small here, but the evaluation is not honest")
                return Verdict(message=message, fix=_FIX,
                               severity=None if material else Severity.WARNING,
                               remedies=[Scale("minmax", "train")])
        for name, ch in ev["channels"].items():
            z = self._zscore(ch)
            if z is not None:
                return Verdict(
                    message=(f"{name}: the training and {held} windows together have mean "
                             f"{ch['all_mean']:.3f} and std {ch['all_std']:.3f} (a z-score) "
                             f"while the training windows alone have mean "
                             f"{ch['train_mean']:.3f} and std {ch['train_std']:.3f}: the "
                             f"standard scaler was fitted on the {held} part too"),
                    fix=_FIX, severity=Severity.WARNING,
                    remedies=[Scale("standard", "train")])
        return None


_FIX = ("Split first, then fit the scaler on the training part only and apply it unchanged "
        "to the rest (scaler.fit(train); scaler.transform(test)); window after scaling.")
