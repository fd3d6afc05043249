"""Every role's defaults/main.yml and meta/argument_specs.yml agree (names, defaults, prefixes)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROLES = sorted(p for p in (Path(__file__).resolve().parents[1] / "roles").iterdir() if p.is_dir())


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {} if path.exists() else {}


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_defaults_and_argument_specs_agree(role: Path) -> None:
    defaults = _load(role / "defaults" / "main.yml")
    specs = _load(role / "meta" / "argument_specs.yml")["argument_specs"]["main"]["options"]
    assert set(defaults) <= set(specs), f"undocumented defaults: {set(defaults) - set(specs)}"
    for name, spec in specs.items():
        assert spec.get("description"), f"{name} has no description"
        assert spec.get("type"), f"{name} has no type"
        if spec.get("required") or name.startswith("berth_"):  # shared settings, set in group_vars
            continue
        assert name in defaults, f"{name} is optional but has no default in defaults/main.yml"
        assert spec.get("default") == defaults[name], f"{name}: spec and defaults differ"


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_variables_carry_the_role_prefix(role: Path) -> None:
    defaults = _load(role / "defaults" / "main.yml")
    internal = _load(role / "vars" / "main.yml")
    assert all(name.startswith(role.name + "_") for name in defaults), sorted(defaults)
    assert all(name.startswith("__" + role.name + "_") for name in internal), sorted(internal)
