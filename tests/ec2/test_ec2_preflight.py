"""Each bad input stops in preflight with one line saying what to set, and nothing is created.

A fresh deployment in check mode must not fail, and creates nothing either.
The runs are independent (own deployment names, read-only): they run concurrently.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.ec2.conftest import inventory_of

CASES = {
    "no-credentials": ({}, False, "No usable AWS credentials: set AWS_PROFILE"),
    "unknown-region": (
        {"berth_aws_region": "xx-nowhere-1"},
        True,
        "Region 'xx-nowhere-1' is not enabled for this account: set berth_aws_region to one of",
    ),
    "no-ami": (
        {"ec2_host_ami_name_pattern": "debian-99-amd64-*"},
        True,
        "No x86_64 AMI named 'debian-99-amd64-*' owned by 136693071363 in us-east-1: "
        "set ec2_host_ami_owner / ec2_host_ami_name_pattern.",
    ),
    "type-not-offered": (
        {"ec2_host_instance_type": "t3.gigantic"},
        True,
        "Instance type 't3.gigantic' is not offered in us-east-1: set ec2_host_instance_type",
    ),
    "ssh-cidrs-missing": (
        {"ec2_host_ssh_allowed_cidrs": []},
        True,
        "ec2_host_ssh_allowed_cidrs is empty: set it to the networks allowed to reach SSH",
    ),
    "ssh-world-v4": (
        {"ec2_host_ssh_allowed_cidrs": ["10.0.0.0/8", "0.0.0.0/0"]},
        True,
        "ec2_host_ssh_allowed_cidrs opens SSH to the whole internet (0.0.0.0/0): narrow it, "
        "or set ec2_host_ssh_allow_world: true",
    ),
    "ssh-world-v6": (
        {"ec2_host_ssh_allowed_cidrs": ["::/0"]},
        True,
        "opens SSH to the whole internet (::/0)",
    ),
}


def _nothing_but_defaults(found: dict[str, list]) -> dict[str, int]:
    """Counts of what exists besides moto's own default VPC security group."""
    sgs = [g for g in found["security_groups"] if g["GroupName"] != "default"]
    return {kind: len(items) for kind, items in {**found, "security_groups": sgs}.items()}


@pytest.fixture(scope="module")
def results(playbook, aws) -> dict:
    before = _nothing_but_defaults(inventory_of(aws))
    assert set(before.values()) == {0}, before

    def run(case: str):
        if case == "fresh-check":
            return playbook("ec2_provision.yml", "fresh", {"ec2_host_elastic_ip": True}, check=True)
        extra, credentials, _ = CASES[case]
        return playbook("ec2_provision.yml", f"bad-{case}", extra, credentials=credentials)

    cases = [*CASES, "fresh-check"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = dict(zip(cases, pool.map(run, cases), strict=True))
    runs["_after"] = _nothing_but_defaults(inventory_of(aws))
    return runs


@pytest.mark.parametrize("case", CASES)
def test_bad_input_fails_with_what_to_set(results, case: str) -> None:
    run = results[case]
    assert run.rc != 0, run.out[-2000:]
    assert CASES[case][2] in run.last_error(), run.out[-2000:]
    assert "\n" not in run.last_error().replace("\\n", "\n").strip()


def test_bad_inputs_and_check_mode_create_nothing(results) -> None:
    assert set(results["_after"].values()) == {0}, results["_after"]


def test_check_mode_on_a_fresh_deployment(results) -> None:
    run = results["fresh-check"]
    assert run.rc == 0, run.out[-3000:]
    assert run.changed > 0
