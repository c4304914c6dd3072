"""Editors and tools: `lstm-doctor schema` (JSON Schema of the set-up) and
`lstm-doctor rules --format json`."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import tomllib
import yaml

import lstm_doctor
from lstm_doctor.config import LSTMConfig, load_config
from lstm_doctor.errors import InputError
from lstm_doctor.json_schema import setup_schema
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
SETUPS = sorted((ROOT / "fixtures" / "realworld").glob("*/setup.yaml"))


@pytest.fixture(scope="module")
def validator():
    schema = setup_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_command_prints_the_schema(capsys, tmp_path):
    code, out, _ = run_cli(["schema"], capsys)
    assert code == 0 and json.loads(out) == setup_schema()
    assert json.loads(out)["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    code, out, _ = run_cli(["schema", "-o", tmp_path / "s.json"], capsys)
    assert code == 0 and out == ""
    assert json.loads((tmp_path / "s.json").read_text()) == setup_schema()


def test_every_declared_key_is_in_the_schema():
    schema = setup_schema()
    keys = [f"{s}.{k}" for s, body in schema["properties"].items() for k in body["properties"]]
    assert keys == LSTMConfig.keys()
    defaults = LSTMConfig().to_dict()
    for key in keys:
        section, name = key.split(".")
        declared = schema["properties"][section]["properties"][name]["default"]
        assert declared == defaults[section][name], key


@pytest.mark.parametrize("path", SETUPS, ids=[p.parent.name for p in SETUPS])
def test_real_world_set_ups_validate(validator, path):
    doc = yaml.safe_load(path.read_text())
    assert not list(validator.iter_errors(doc))
    load_config(path)  # and the loader agrees


def test_setups_in_every_format_validate(validator, tmp_path):
    assert len(SETUPS) >= 5
    text = SETUPS[0].read_text()
    validator.validate(json.loads(json.dumps(yaml.safe_load(text))))
    toml = tmp_path / "s.toml"
    toml.write_text('[preprocessing]\nscaler = "minmax"\nfeature_range = [0.0, 1.0]\n'
                    '[split]\ntest_size = 12\n')
    validator.validate(tomllib.loads(toml.read_text()))
    validator.validate({"model": None, "split": {"test_size": 0.25}})


@pytest.mark.parametrize("doc,where", [
    ({"training": {"epochs": "many"}}, "epochs"),               # wrong type
    ({"training": {"epoch": 5}}, "epoch"),                       # unknown key
    ({"trainig": {"epochs": 5}}, "trainig"),                     # unknown section
    ({"model": {"dropout": 1.0}}, "dropout"),                    # open upper bound
    ({"training": {"learning_rate": 0}}, "learning_rate"),      # open lower bound
    ({"preprocessing": {"scaler": "zscore"}}, "scaler"),         # not a choice
    ({"preprocessing": {"log": 1}}, "log"),                      # an int is not a boolean
    ({"split": {"test_size": 1.5}}, "test_size"),               # neither fraction nor count
    ({"preprocessing": {"feature_range": [0, 1, 2]}}, "feature_range"),
    ({"model": {"head": [0]}}, "head"),
])
def test_wrong_values_are_rejected_by_schema_and_loader(validator, doc, where):
    errors = list(validator.iter_errors(doc))
    assert errors and any(where in f"{list(e.path)} {e.message}" for e in errors)
    with pytest.raises(InputError):
        LSTMConfig.from_dict(doc)


def test_schema_is_never_more_lenient_than_the_loader_on_bounds(validator):
    for doc in ({"window": {"seq_length": 0}}, {"model": {"layers": 11}},
                {"preprocessing": {"boxcox": 6}}, {"training": {"validation_split": 1}}):
        assert list(validator.iter_errors(doc)), doc
        with pytest.raises(InputError):
            LSTMConfig.from_dict(doc)
    for doc in ({"preprocessing": {"boxcox": None}}, {"window": {"seq_length": 10.0}}):
        validator.validate(doc)
        LSTMConfig.from_dict(doc)


# -- rules --format json ------------------------------------------------------------------------

def test_rules_json(capsys):
    code, out, _ = run_cli(["rules", "--format", "json"], capsys)
    assert code == 0
    rules = json.loads(out)
    assert [r["code"] for r in rules] == [r["code"] for r in lstm_doctor.list_rules()]
    by_code = {r["code"]: r for r in rules}
    assert by_code["LD301"]["reads"] == ["preprocessing.scaler"]
    assert by_code["LD301"]["needs"] == "set-up" and by_code["LD101"]["needs"] == "data"
    assert by_code["LD701"]["needs"] == "training run"
    assert by_code["LD104"]["thresholds"] == {"z": 7.0, "max_outlier_fraction": 0.01}
    code, text, _ = run_cli(["rules"], capsys)
    assert code == 0 and "LD101" in text and not text.lstrip().startswith("[")
