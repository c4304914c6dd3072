"""The README stays true: generated rule table, the two commands, the CI command."""

from __future__ import annotations

from pathlib import Path

from lstm_doctor._docs import BEGIN, END, rules_table

ROOT = Path(__file__).resolve().parent.parent


def test_readme_rule_table_is_current():
    text = (ROOT / "README.md").read_text()
    table = text[text.index(BEGIN) + len(BEGIN): text.index(END)].strip()
    assert table == rules_table(), "run: python -m lstm_doctor._docs"


def test_readme_starts_with_the_two_commands_and_ci_runs_make_test():
    text = (ROOT / "README.md").read_text()
    head = text[: text.index("##", text.index("## ") + 3)]
    assert "make demo" in head and "make test" in head
    assert "make test" in (ROOT / ".ci" / "run").read_text()
