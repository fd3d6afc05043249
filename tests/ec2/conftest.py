"""Fixtures for the ec2_host tests: a private moto server and a way to run the playbooks against it.

Everything goes to 127.0.0.1: moto's endpoint is set for boto3 and Ansible alike (AWS_ENDPOINT_URL
and berth_aws_endpoint_url), instance metadata lookups are disabled, and no test connects to an
address that moto invents.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"
REGION = "us-east-1"
PROJECT_TAGS = {"managed-by": "berth"}  # plus berth:deployment=<name>
RECAP = re.compile(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)")


@dataclass
class Run:
    rc: int
    out: str

    @property
    def changed(self) -> int:
        return int(RECAP.findall(self.out)[-1][1])

    def last_error(self) -> str:
        """The message of the last failed task (what a user reads last)."""
        msgs = re.findall(r'"msg": "((?:[^"\\]|\\.)*)"', self.out)
        return msgs[-1] if msgs else ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A moto server of this test module's own, with the lab's Debian AMIs."""
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    env = {
        **os.environ,
        "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
        "MOTO_AMIS_PATH": str(REPO / "lab" / "amis.json"),
    }
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto did not start: {log.read_text()}") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def aws_env(moto_url: str, credentials: bool = True) -> dict[str, str]:
    """Environment for anything talking to AWS: only moto, fake credentials, no metadata service."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=moto_url,
        AWS_DEFAULT_REGION=REGION,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    if credentials:
        env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    return env


@pytest.fixture(scope="module")
def aws(moto_url: str) -> Callable[[str], object]:
    """aws('ec2') -> a boto3 client bound to this module's moto."""

    def client(service: str):  # noqa: ANN202 - boto3 clients have no useful static type
        return boto3.client(
            service,
            endpoint_url=moto_url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return client


@pytest.fixture(scope="module")
def playbook(moto_url: str, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Run]:
    """playbook('ec2_provision.yml', name, extra={...}, check=False, args=[], credentials=True)."""
    key_dir = tmp_path_factory.mktemp("keys")

    def run(
        path: str,
        name: str,
        extra: dict | None = None,
        *,
        check: bool = False,
        args: tuple[str, ...] = (),
        credentials: bool = True,
    ) -> Run:
        extra_vars = {
            "berth_name": name,
            "berth_aws_region": REGION,
            "berth_aws_endpoint_url": moto_url,
            "ec2_host_key_dir": str(key_dir),
            "ec2_host_ssh_allowed_cidrs": ["203.0.113.0/24"],
            **(extra or {}),
        }
        playbook_path = path if path.startswith("/") else str(REPO / "playbooks" / path)
        cmd = [str(VENV_BIN / "ansible-playbook"), playbook_path, "-e", json.dumps(extra_vars)]
        cmd += ["--check"] if check else []
        cmd += list(args)
        env = aws_env(moto_url, credentials)
        env.update(
            ANSIBLE_ROLES_PATH=str(REPO / "roles"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_PIPELINING="true",
            ANSIBLE_DEPRECATION_WARNINGS="false",
            ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
            ANSIBLE_CALLBACK_RESULT_FORMAT="json",
        )
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        return Run(proc.returncode, proc.stdout + proc.stderr)

    return run


def tags_of(resource: dict) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def project_tags(name: str) -> dict[str, str]:
    return {"berth:deployment": name, **PROJECT_TAGS}


def tagged(resources: list[dict], name: str) -> list[dict]:
    want = project_tags(name).items()
    return [r for r in resources if want <= tags_of(r).items()]


def inventory_of(aws: Callable[[str], object], name: str | None = None) -> dict[str, list]:
    """Every resource kind berth creates, through each service's own describe/list calls
    (moto's describe_tags still lists deleted resources). name=None: all, tagged or not."""
    ec2, iam = aws("ec2"), aws("iam")
    instances = [
        i
        for r in ec2.describe_instances()["Reservations"]
        for i in r["Instances"]
        if i["State"]["Name"] != "terminated"
    ]
    roles = [iam.get_role(RoleName=r["RoleName"])["Role"] for r in iam.list_roles()["Roles"]]
    profiles = [
        iam.get_instance_profile(InstanceProfileName=p["InstanceProfileName"])["InstanceProfile"]
        for p in iam.list_instance_profiles()["InstanceProfiles"]
    ]
    found = {
        "instances": instances,
        "volumes": ec2.describe_volumes()["Volumes"],
        "security_groups": ec2.describe_security_groups()["SecurityGroups"],
        "key_pairs": ec2.describe_key_pairs()["KeyPairs"],
        "addresses": ec2.describe_addresses()["Addresses"],
        "roles": roles,
        "instance_profiles": profiles,
    }
    if name is None:
        return found
    return {kind: tagged(items, name) for kind, items in found.items()}
