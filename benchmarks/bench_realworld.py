"""The real-world tutorial suite (fixtures/realworld/): caught / missed / false alarm per case.

Run:  .venv/bin/python benchmarks/bench_realworld.py [--json results.json] [CASE ...]

Writes the table to ``benchmarks/RESULTS_realworld.md`` (and prints it).

For each case, two runs (as a user would type them): the data with ``--config setup.yaml``
and the data with ``--model model.keras``, each with the case's ``check_options`` and
``--format json``. Each expected code is then

- caught: listed under ``fire`` and reported at warning or error;
- missed: listed under ``fire`` but absent, passed, info only or skipped;
- false alarm: listed under ``not_fire`` but reported at warning or error;

and any other code at warning/error is listed as "other" (neither expected nor excluded).
"no rule" counts the case's mistakes that no lstm-doctor rule covers (``rule: none``): they
are missed by construction.
A run that exits 2 (input or schema error) is reported with its one-line message; a rule
that crashed is listed by code. Not run by the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "fixtures" / "realworld"
CLI = ROOT / ".venv" / "bin" / "lstm-doctor"
LOUD = ("warning", "error")


def run(case_dir: Path, case: dict, mode: str, lib: Path | None = None) -> dict:
    """Run one check (config or model mode) on a case; return exit code and findings.

    With ``lib``, the ``lstm_doctor`` package is imported from that directory instead of
    the installed one (e.g. a ``git archive`` of another commit).
    """
    data = case_dir / case["data"]["file"]
    env = None
    if lib is None:
        cmd = [str(CLI)]
    else:
        cmd = [str(ROOT / ".venv" / "bin" / "python"), "-c",
               "import sys; from lstm_doctor.cli import main; sys.argv[0] = 'lstm-doctor'; "
               "sys.exit(main())"]
        env = {**os.environ, "PYTHONPATH": str(lib)}
    args = cmd + ["check", str(data), "--format", "json", "--isolated"]
    if mode == "config":
        args += ["--config", str(case_dir / "setup.yaml")]
    else:
        args += ["--model", str(case_dir / "model.keras")]
    for key, flag in (("target", "--target"), ("time_col", "--time-col"),
                      ("features", "--features")):
        value = case.get("check_options", {}).get(key)
        if value:
            args += [flag, value]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=lib or ROOT, timeout=600,
                          env=env)
    out = {"rc": proc.returncode}
    if proc.returncode == 2 or not proc.stdout.strip():
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        msg = lines[-1] if lines else f"exit {proc.returncode}, no output"
        out["error"] = msg.replace(str(ROOT) + "/", "")
        return out
    report = json.loads(proc.stdout)
    out["severity"] = {f["code"]: f["severity"] for f in report["findings"]}
    out["crashed"] = sorted(f["code"] for f in report["findings"] if f.get("crashed"))
    out["status"] = {r["code"]: r["status"] for r in report.get("rules", [])}
    return out


def judge(case: dict, mode: str, result: dict) -> dict:
    """Compare one run's findings with the case's expectations for that mode."""
    exp = case["expect"][mode]
    if "input_error" in exp and exp["input_error"] in result.get("error", ""):
        return {"error": "expected input error (exit 2): " + exp["input_error"]}
    if "error" in result:
        return {"error": result["error"]}
    sev = result["severity"]
    def fired(entry: str) -> bool:
        rule, _, level = entry.partition("@")
        return sev.get(rule) in (("info", *LOUD) if level == "info" else LOUD)

    caught = [c for c in exp["fire"] if fired(c)]
    missed = [c + (f" ({sev[c.partition('@')[0]]})" if c.partition("@")[0] in sev else "")
              for c in exp["fire"] if not fired(c)]
    false = [f"{c} ({sev[c]})" for c in exp["not_fire"] if sev.get(c) in LOUD]
    listed = {c.partition("@")[0] for c in exp["fire"]} | set(exp["not_fire"])
    other = [f"{c} ({s})" for c, s in sorted(sev.items()) if s in LOUD and c not in listed]
    return {"caught": caught, "missed": missed, "false_alarm": false, "other": other,
            "crashed": result["crashed"]}


def cell(items: list[str]) -> str:
    """A table cell: the items comma-separated, or '-'."""
    return ", ".join(items) if items else "-"


def main(argv: list[str]) -> int:
    """Build the named cases (all by default) and print their sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--lib", type=Path, help="import lstm_doctor from this directory")
    ns = parser.parse_args(argv)
    dirs = sorted(p.parent for p in HERE.glob("*/case.yaml"))
    if ns.cases:
        dirs = [d for d in dirs if d.name in ns.cases]
    rows = ["| case | run | caught | missed | false alarm | other warn/error | no rule |",
            "|---|---|---|---|---|---|---|"]
    raw = {}
    for d in dirs:
        case = yaml.safe_load((d / "case.yaml").read_text(encoding="utf-8"))
        no_rule = sum(1 for m in case["mistakes"] if m["rule"] == "none")
        for mode in ("config", "model"):
            result = run(d, case, mode, ns.lib)
            unruled = str(no_rule) if mode == "config" and no_rule else "-"
            verdict = judge(case, mode, result)
            raw[f"{d.name}/{mode}"] = {"result": result, "verdict": verdict}
            if "error" in verdict:
                rows.append(f"| {d.name} | {mode} | - | {verdict['error']} | - | - | "
                            f"{unruled} |")
                continue
            missed = verdict["missed"] + [f"{c} crashed" for c in verdict["crashed"]]
            rows.append(f"| {d.name} | {mode} | {cell(verdict['caught'])} | {cell(missed)} | "
                        f"{cell(verdict['false_alarm'])} | {cell(verdict['other'])} | "
                        f"{unruled} |")
    table = "\n".join(rows)
    print(table)
    totals = {k: sum(len(v["verdict"].get(k, [])) for v in raw.values())
              for k in ("caught", "missed", "false_alarm")}
    header = (
        "# Real-world tutorial suite: what `lstm-doctor check` catches\n\n"
        "Produced by `benchmarks/bench_realworld.py` on the 14 cases of `fixtures/realworld/` "
        "(popular public LSTM tutorials: their data file, set-up and saved model; see its "
        "README). Each case runs twice, as a user types it: `check DATA --config setup.yaml` "
        "and `check DATA --model model.keras`. *caught*: a mistake the script really makes, "
        "reported at warning or error (`@info`: reported at any severity); *missed*: not "
        "reported; *false alarm*: something the script does right, reported at warning or "
        "error; *no rule*: real mistakes no rule covers. `tests/test_realworld.py` asserts the "
        "same table (misses it tolerates are listed per case as `known_missed`).\n\n"
        f"Totals: {totals['caught']} caught, {totals['missed']} missed, "
        f"{totals['false_alarm']} false alarms.\n\n")
    if not ns.cases and ns.lib is None:
        (ROOT / "benchmarks" / "RESULTS_realworld.md").write_text(header + table + "\n",
                                                                 encoding="utf-8")
    if ns.json:
        ns.json.write_text(json.dumps(raw, indent=1, sort_keys=True), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
