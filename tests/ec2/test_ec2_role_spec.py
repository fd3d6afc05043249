"""defaults/main.yml and meta/argument_specs.yml of ec2_host agree (names, defaults, types)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROLE = Path(__file__).resolve().parents[2] / "roles" / "ec2_host"
TYPES = {"str": str, "path": str, "int": int, "bool": bool, "list": list, "dict": dict}


def test_defaults_and_argument_specs_agree() -> None:
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    spec = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())
    options = spec["argument_specs"]["main"]["options"]
    with_default = {k for k, v in options.items() if not v.get("required")} - {
        "berth_aws_endpoint_url"
    }
    assert set(defaults) == with_default
    for name, value in defaults.items():
        option = options[name]
        assert option["default"] == value, name
        assert isinstance(value, TYPES[option["type"]]), name
        assert "choices" not in option or value in option["choices"], name
        assert option.get("description"), name
    required = {k for k, v in options.items() if v.get("required")}
    assert required == {"berth_name", "berth_aws_region"}
