"""Lightsail playbooks against the double and moto (IAM/STS): provision, rerun, destroy."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from tests.lightsail_double import LightsailDouble, start

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = ROOT / "playbooks"
RECORD = Path(__file__).with_name("provision_and_record.yml")
REGION = "eu-central-1"
REPO_ARN = f"arn:aws:ecr:{REGION}:123456789012:repository/berth-recommender"
BASE_TAGS = {"berth:deployment": "lstest", "managed-by": "berth"}


@dataclass
class Lab:
    double: LightsailDouble
    moto: str
    tmp: Path

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_"))}
        env.update(
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_CONFIG_FILE="/dev/null",
            AWS_SHARED_CREDENTIALS_FILE="/dev/null",
            # Fail closed: any client that ignores the endpoint variables hits a closed local port.
            AWS_ENDPOINT_URL="http://127.0.0.1:9",
            ANSIBLE_ROLES_PATH=str(ROOT / "roles"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_DEPRECATION_WARNINGS="0",
            ANSIBLE_LOCAL_TEMP=str(self.tmp / "ansible-tmp"),
            ANSIBLE_HOME=str(self.tmp / "ansible-home"),
        )
        env.update(extra)
        return env

    def vars(self, **overrides: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "berth_name": "lstest",
            "berth_aws_region": REGION,
            "berth_lightsail_endpoint_url": self.double.endpoint,
            "berth_aws_endpoint_url": self.moto,
            "lightsail_host_ssh_allowed_cidrs": ["192.0.2.0/24", "2001:db8:1::/48"],
            "lightsail_host_ecr_repository_arn": REPO_ARN,
            "lightsail_host_key_dir": str(self.tmp / "state" / "ssh"),
            "lightsail_host_credentials_dir": str(self.tmp / "state" / "credentials"),
            "lightsail_host_tags": {"team": "ml"},
        }
        values.update(overrides)
        return values

    def run(self, playbook: Path, env: dict[str, str] | None = None, **overrides: Any) -> Run:
        extra = self.tmp / f"vars-{os.urandom(4).hex()}.json"
        extra.write_text(json.dumps(self.vars(**overrides)))
        proc = subprocess.run(
            [
                str(Path(sys.executable).with_name("ansible-playbook")),
                str(playbook),
                "-e",
                f"@{extra}",
            ],
            cwd=ROOT,
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        return Run(proc.returncode, proc.stdout + proc.stderr)

    def lightsail(self) -> Any:
        return boto3.client(
            "lightsail",
            region_name=REGION,
            endpoint_url=self.double.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def iam(self) -> Any:
        return boto3.client(
            "iam",
            region_name=REGION,
            endpoint_url=self.moto,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def assert_empty(self) -> None:
        lightsail = self.lightsail()
        assert lightsail.get_instances()["instances"] == []
        assert lightsail.get_static_ips()["staticIps"] == []
        assert lightsail.get_key_pairs()["keyPairs"] == []
        assert [u["UserName"] for u in self.iam().list_users()["Users"]] == []
        assert not (self.tmp / "state" / "credentials" / "lstest-ecr-pull.json").exists()


@dataclass
class Run:
    rc: int
    output: str

    @property
    def changed(self) -> int:
        return int(re.search(r"localhost\s+: ok=\d+\s+changed=(\d+)", self.output).group(1))  # type: ignore[union-attr]


@pytest.fixture
def lab(moto_endpoint: str, tmp_path: Path) -> Iterator[Lab]:
    # Instances are running by the first read after creation: community.aws.lightsail would
    # otherwise sleep 5 s per instance (pending -> running is covered in test_double.py).
    double, thread = start(pending_seconds=0.0, access_key="testing")
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10)
    try:
        yield Lab(double, moto_endpoint, tmp_path)
        assert double.validation_errors == [], (
            "the double saw requests or sent responses off the model"
        )
    finally:
        double.shutdown()
        double.server_close()
        thread.join(timeout=5)


def _ports(lab: Lab, name: str) -> list[tuple[int, int, str, list[str], list[str]]]:
    states = lab.lightsail().get_instance_port_states(instanceName=name)["portStates"]
    return sorted(
        (p["fromPort"], p["toPort"], p["protocol"], p["cidrs"], p["ipv6Cidrs"]) for p in states
    )


def test_provision_is_idempotent_and_teardown_leaves_nothing(lab: Lab) -> None:
    facts_file = lab.tmp / "facts.json"
    first = lab.run(RECORD, facts_out=str(facts_file))
    assert first.rc == 0, first.output
    facts = json.loads(facts_file.read_text())

    lightsail = lab.lightsail()
    instance = lightsail.get_instance(instanceName="lstest-1")["instance"]
    static_ip = lightsail.get_static_ip(staticIpName="lstest-1-ip")["staticIp"]
    assert instance["state"]["name"] == "running"
    assert (instance["blueprintId"], instance["bundleId"]) == ("debian_12", "micro_3_0")
    assert instance["location"]["availabilityZone"] == f"{REGION}a"
    assert instance["sshKeyName"] == "lstest-key"
    assert static_ip["isAttached"] and static_ip["attachedTo"] == "lstest-1"
    assert instance["publicIpAddress"] == static_ip["ipAddress"]
    assert {t["key"]: t["value"] for t in instance["tags"]} == {
        **BASE_TAGS,
        "team": "ml",
    }
    key_pair = lightsail.get_key_pair(keyPairName="lstest-key")["keyPair"]
    assert {t["key"]: t["value"] for t in key_pair["tags"]} == {
        **BASE_TAGS,
        "team": "ml",
    }
    assert _ports(lab, "lstest-1") == [
        (22, 22, "tcp", ["192.0.2.0/24"], ["2001:db8:1::/48"]),
        (80, 80, "tcp", ["0.0.0.0/0"], ["::/0"]),
        (443, 443, "tcp", ["0.0.0.0/0"], ["::/0"]),
    ]

    private_key = lab.tmp / "state" / "ssh" / "lstest-lightsail"
    assert facts["instances"] == [
        {
            "name": "lstest-1",
            "id": instance["arn"],
            "public_ip": static_ip["ipAddress"],
            "region": REGION,
            "ssh_user": "admin",
            "ssh_private_key_file": str(private_key),
        }
    ]
    assert stat.S_IMODE(private_key.stat().st_mode) == 0o600

    iam = lab.iam()
    user = iam.get_user(UserName="lstest-ecr-pull")["User"]
    assert {t["Key"]: t["Value"] for t in user["Tags"]} == {**BASE_TAGS, "team": "ml"}
    policy = iam.get_user_policy(UserName="lstest-ecr-pull", PolicyName="ecr-pull")[
        "PolicyDocument"
    ]
    assert [(s["Action"], s["Resource"]) for s in policy["Statement"]] == [
        ("ecr:GetAuthorizationToken", "*"),
        (
            [
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
            ],
            REPO_ARN,
        ),
    ]
    assert iam.list_attached_user_policies(UserName="lstest-ecr-pull")["AttachedPolicies"] == []
    keys = iam.list_access_keys(UserName="lstest-ecr-pull")["AccessKeyMetadata"]
    credentials = lab.tmp / "state" / "credentials" / "lstest-ecr-pull.json"
    assert [k["AccessKeyId"] for k in keys] == [facts["ecr_access_key_id"]] and facts[
        "ecr_secret_set"
    ]
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    secret = json.loads(credentials.read_text())["secret_access_key"]
    assert secret not in first.output

    second = lab.run(RECORD, facts_out=str(facts_file))
    assert second.rc == 0 and second.changed == 0, second.output
    assert [
        k["AccessKeyId"]
        for k in iam.list_access_keys(UserName="lstest-ecr-pull")["AccessKeyMetadata"]
    ] == [facts["ecr_access_key_id"]]
    assert secret not in second.output

    for attempt in (1, 2):
        teardown = lab.run(PLAYBOOK / "lightsail_destroy.yml")
        assert teardown.rc == 0, teardown.output
        assert (teardown.changed > 0) == (attempt == 1), teardown.output
        lab.assert_empty()


def test_public_ecr_two_instances_own_key(lab: Lab) -> None:
    key = lab.tmp / "own"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", str(key)],
        check=True,
    )
    facts_file = lab.tmp / "facts.json"
    overrides = {
        "lightsail_host_ecr_auth": "public",
        "lightsail_host_ecr_repository_arn": "",
        "lightsail_host_instance_count": 2,
        "lightsail_host_public_key_file": f"{key}.pub",
        "lightsail_host_availability_zone": f"{REGION}b",
    }
    run = lab.run(RECORD, facts_out=str(facts_file), **overrides)
    assert run.rc == 0, run.output
    facts = json.loads(facts_file.read_text())
    assert [(i["name"], i["ssh_private_key_file"]) for i in facts["instances"]] == [
        ("lstest-1", str(key)),
        ("lstest-2", str(key)),
    ]
    assert len({i["public_ip"] for i in facts["instances"]}) == 2
    assert facts["ecr_access_key_id"] == "" and not facts["ecr_secret_set"]
    assert lab.iam().list_users()["Users"] == []
    assert not (lab.tmp / "state" / "ssh").exists()

    teardown = lab.run(PLAYBOOK / "lightsail_destroy.yml", **overrides)
    assert teardown.rc == 0, teardown.output
    lab.assert_empty()


def test_teardown_after_half_provision(lab: Lab) -> None:
    """A run that died after creating some resources, before tagging or attaching anything."""
    lightsail = lab.lightsail()
    key = lab.tmp / "half"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", str(key)],
        check=True,
    )
    lightsail.import_key_pair(
        keyPairName="lstest-key", publicKeyBase64=Path(f"{key}.pub").read_text()
    )
    lightsail.create_instances(
        instanceNames=["lstest-1"],
        availabilityZone=f"{REGION}a",
        blueprintId="debian_12",
        bundleId="micro_3_0",
        keyPairName="lstest-key",
    )
    lightsail.allocate_static_ip(staticIpName="lstest-1-ip")
    lab.iam().create_user(
        UserName="lstest-ecr-pull",
        Tags=[{"Key": k, "Value": v} for k, v in BASE_TAGS.items()],
    )
    lab.iam().create_access_key(UserName="lstest-ecr-pull")

    teardown = lab.run(PLAYBOOK / "lightsail_destroy.yml")
    assert teardown.rc == 0, teardown.output
    lab.assert_empty()


BAD_INPUTS: list[tuple[dict[str, Any], dict[str, str], str]] = [
    (
        {"lightsail_host_ssh_allowed_cidrs": []},
        {},
        "lightsail_host_ssh_allowed_cidrs is empty",
    ),
    (
        {"lightsail_host_ssh_allowed_cidrs": ["0.0.0.0/0"]},
        {},
        "opens SSH to the whole internet",
    ),
    ({"lightsail_host_ssh_allowed_cidrs": ["192.0.2.7"]}, {}, "must hold CIDRs"),
    (
        {"berth_aws_region": "xx-nowhere-1"},
        {},
        "Region 'xx-nowhere-1' has no Lightsail",
    ),
    (
        {"lightsail_host_availability_zone": "eu-central-1z"},
        {},
        "Availability zone 'eu-central-1z' is not available",
    ),
    (
        {"lightsail_host_blueprint_id": "debian_99"},
        {},
        "Blueprint 'debian_99' is not an active Linux blueprint",
    ),
    (
        {"lightsail_host_bundle_id": "huge_9_9"},
        {},
        "Bundle 'huge_9_9' is not an active Linux bundle",
    ),
    (
        {},
        {"AWS_ACCESS_KEY_ID": "not-the-lab-key"},
        "No usable AWS credentials for Lightsail",
    ),
    (
        {"lightsail_host_ecr_repository_arn": "berth-recommender"},
        {},
        "is not an ECR repository ARN",
    ),
    ({"berth_name": "Bad_Name"}, {}, "berth_name 'Bad_Name' is not usable"),
    ({"lightsail_host_instance_count": 0}, {}, "lightsail_host_instance_count is 0"),
]


def test_bad_inputs_fail_with_their_message_and_create_nothing(lab: Lab) -> None:
    def attempt(case: tuple[dict[str, Any], dict[str, str], str]) -> tuple[str, Run]:
        overrides, env, _ = case
        return case[2], lab.run(
            PLAYBOOK / "lightsail_provision.yml", env=lab.env(**env), **overrides
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(attempt, BAD_INPUTS))
    for message, run in results:
        assert run.rc != 0, f"{message!r} was accepted:\n{run.output}"
        assert message in " ".join(run.output.split()), f"{message!r} not in:\n{run.output}"
        assert "changed=0" in run.output, run.output
    lab.assert_empty()
    assert not (lab.tmp / "state").exists()
    assert lab.double.calls and not {
        "CreateInstances",
        "ImportKeyPair",
        "AllocateStaticIp",
    } & set(lab.double.calls)
