"""Fixtures for the image.yml tests against the live lab.

moto answers on 127.0.0.1:5000, the registry on 127.0.0.1:5443; the tests skip when either is down.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"
CA = REPO / "lab" / "state" / "ca.crt"
MOTO = "http://127.0.0.1:5000"
REGISTRY = "127.0.0.1:5443"
RECAP = re.compile(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)")
LAB_ENV = {
    "AWS_ENDPOINT_URL": MOTO,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
    "ANSIBLE_FORCE_COLOR": "0",
    "ANSIBLE_NOCOLOR": "1",
}


def _answers(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


def lab_missing() -> str | None:
    """Why the live lab cannot be used, or None when it can."""
    if not _answers("127.0.0.1", 5000):
        return "moto is not reachable at 127.0.0.1:5000 (run lab/setup.sh)"
    if not _answers("127.0.0.1", 5443):
        return "the lab registry is not reachable at 127.0.0.1:5443 (run lab/setup.sh)"
    if not CA.is_file():
        return f"the lab CA {CA} is missing (run lab/setup.sh)"
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        return "the Docker engine does not answer"
    return None


@dataclass
class Run:
    rc: int
    out: str

    @property
    def changed(self) -> int:
        return int(RECAP.findall(self.out)[-1][1])

    def task(self, name: str) -> str:
        """The status line of a task: ok, changed, skipping or fatal."""
        match = re.search(rf"TASK \[{re.escape(name)}\][^\n]*\n(\w+)", self.out)
        return match.group(1) if match else ""


def lab_env(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(LAB_ENV)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_image(extra: dict[str, object], **env: str | None) -> Run:
    """Run playbooks/image.yml with the lab's variables and `extra`."""
    proc = subprocess.run(
        [
            str(VENV_BIN / "ansible-playbook"),
            str(REPO / "playbooks" / "image.yml"),
            "-e",
            f"@{REPO / 'lab' / 'vars.yml'}",
            "-e",
            json.dumps(extra),
        ],
        capture_output=True,
        text=True,
        env=lab_env(**env),
        cwd=REPO,
        timeout=600,
    )
    return Run(proc.returncode, proc.stdout + proc.stderr)


def ecr() -> Any:  # a boto3 ECR client
    return boto3.client(
        "ecr",
        region_name="us-east-1",
        endpoint_url=MOTO,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def repository_exists(name: str) -> bool:
    client = ecr()
    try:
        client.describe_repositories(repositoryNames=[name])
    except client.exceptions.RepositoryNotFoundException:
        return False
    return True


@pytest.fixture(scope="session", autouse=True)
def _lab() -> None:
    reason = lab_missing()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def new_repository() -> Iterator[list[str]]:
    """Test repository names (berth-test/<random>); removed from moto and Docker afterwards."""
    names: list[str] = []
    yield names
    client = ecr()
    for name in names:
        if repository_exists(name):
            client.delete_repository(repositoryName=name, force=True)
        out = subprocess.run(
            ["docker", "images", "--format", "{{.Repository}}:{{.Tag}}"],
            capture_output=True,
            text=True,
        ).stdout.split()
        mine = [ref for ref in out if ref.rsplit(":", 1)[0] in (name, f"{REGISTRY}/{name}")]
        if mine:
            subprocess.run(["docker", "rmi", *mine], capture_output=True)


def fresh_name(names: list[str]) -> str:
    name = f"berth-test/{uuid.uuid4().hex[:10]}"
    names.append(name)
    return name
