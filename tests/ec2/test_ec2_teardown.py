"""Teardown after a provision that stopped half-way (key pair, security group and IAM made, no
instances), with an imported public key. (Teardown run twice is in test_ec2_provision.py.)"""

from __future__ import annotations

import subprocess

from tests.ec2.conftest import inventory_of

NAME = "half"


def test_teardown_after_half_provision(playbook, aws, tmp_path) -> None:
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    extra = {"ec2_host_public_key_file": f"{key}.pub"}
    half = playbook("ec2_provision.yml", NAME, extra, args=("--skip-tags", "ec2_host_instances"))
    assert half.rc == 0, half.out[-3000:]
    made = {kind: len(items) for kind, items in inventory_of(aws, NAME).items()}
    assert made == {
        "instances": 0,
        "volumes": 0,
        "security_groups": 1,
        "key_pairs": 1,
        "addresses": 0,
        "roles": 1,
        "instance_profiles": 1,
    }
    (pair,) = inventory_of(aws, NAME)["key_pairs"]
    assert pair["KeyType"] == "ed25519"

    first = playbook("ec2_destroy.yml", NAME)
    assert first.rc == 0, first.out[-3000:]
    assert {k: v for k, v in inventory_of(aws, NAME).items() if v} == {}
