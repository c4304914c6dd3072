"""`lstm-doctor scan` over 500 training scripts and notebooks: whole-process wall time.

Run:  .venv/bin/python benchmarks/bench_scan.py [--n 500] [--runs 3] [--write]

The corpus is made from ``fixtures/scripts/`` (the tutorial-style scripts and notebooks
the tests use): each file is copied ``n / len(fixtures)`` times with its numbers varied
(units, epochs, look-backs), so every copy parses and extracts differently. Target: the
500 files in under 10 s. Measured side by side in one run with two references:

- ``parse only``: a Python process that reads and ``ast.parse``-s the same files (what any
  static tool must pay, without lstm-doctor's extraction and rules);
- ``ruff check`` of the same directory (a fast, well-known linter), when ruff is installed.

Reports the median of ``--runs`` runs (after one warm-up) for each, and the per-file cost.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, machine_line  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "fixtures" / "scripts"
BIN = Path(sys.executable).parent
RESULTS = Path(__file__).resolve().parent / "RESULTS_scan.md"

_PARSE_ONLY = """
import ast, json, sys
from pathlib import Path
for p in sorted(Path(sys.argv[1]).rglob('*')):
    if p.suffix == '.py':
        ast.parse(p.read_text())
    elif p.suffix == '.ipynb':
        cells = json.loads(p.read_text())['cells']
        src = '\\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'code')
        ast.parse('\\n'.join('' if l.lstrip().startswith(('%', '!')) else l
                              for l in src.splitlines()))
"""


def build_corpus(dest: Path, n: int, seed: int = 0) -> int:
    """Write ``n`` varied copies of the fixture scripts under ``dest``; return the count."""
    rng = random.Random(seed)
    sources = sorted(p for p in SCRIPTS.iterdir() if p.suffix in (".py", ".ipynb"))
    if not sources:
        raise SystemExit(f"no scripts in {SCRIPTS}")
    number = re.compile(r"(?<![\w.])(\d{1,3})(?![\w.])")
    for i in range(n):
        src = sources[i % len(sources)]
        text = src.read_text(encoding="utf-8")
        text = number.sub(lambda m: str(max(1, int(m.group(1)) + rng.randint(0, 3))), text)
        sub = dest / f"project_{i // 50:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{src.stem}_{i:03d}{src.suffix}").write_text(text, encoding="utf-8")
    return n


def timed(cmd: list[str], runs: int) -> tuple[float, list[float], int]:
    """(median wall seconds, all runs, last exit code) after one warm-up run."""
    subprocess.run(cmd, capture_output=True)
    times, code = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True)
        times.append(time.perf_counter() - t0)
        code = proc.returncode
    return statistics.median(times), times, code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true", help=f"save to {RESULTS.name}")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="lstm-doctor-scan-bench-"))
    try:
        n = build_corpus(tmp / "corpus", args.n)
        (tmp / "corpus" / "pyproject.toml").write_text("[tool.lstm-doctor]\n")
        rows = []
        scan_cmd = [str(BIN / "lstm-doctor"), "scan", str(tmp / "corpus"), "--format", "json",
                    "--fail-on", "never"]
        med, times, code = timed(scan_cmd, args.runs)
        rows.append(("lstm-doctor scan (json)", med, times, code))
        med, times, code = timed([sys.executable, "-c", _PARSE_ONLY, str(tmp / "corpus")],
                                 args.runs)
        rows.append(("parse only (python + ast)", med, times, code))
        ruff = shutil.which("ruff") or (str(BIN / "ruff") if (BIN / "ruff").exists() else None)
        if ruff:
            med, times, code = timed([ruff, "check", "--no-cache", "--isolated", "--exit-zero",
                                      str(tmp / "corpus")], args.runs)
            rows.append(("ruff check (reference linter)", med, times, code))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lines = ["# `lstm-doctor scan` on 500 scripts", "",
             f"Machine: {machine_line()}.", "",
             f"Corpus: {n} files (varied copies of the {len(list(SCRIPTS.glob('*.py')))} "
             f"scripts and {len(list(SCRIPTS.glob('*.ipynb')))} notebooks of "
             "`fixtures/scripts/`), in 10 directories. Whole-process wall time, median of "
             f"{args.runs} runs after a warm-up; all commands measured in this one run.", "",
             "| command | median wall (s) | runs (s) | per file (ms) | exit |",
             "|---|---:|---|---:|---:|"]
    for name, med, times, code in rows:
        lines.append(f"| {name} | {med:.2f} | {', '.join(f'{t:.2f}' for t in times)} | "
                     f"{1000 * med / n:.1f} | {code} |")
    scan_s = rows[0][1]
    lines += ["", f"Target: {n} files in under 10 s: **{'met' if scan_s < 10 else 'missed'}** "
              f"({scan_s:.2f} s)."]
    return emit("\n".join(lines) + "\n", RESULTS, args.write)


if __name__ == "__main__":
    sys.exit(main())
