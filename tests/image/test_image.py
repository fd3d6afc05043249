"""playbooks/image.yml against the live lab.

Publish, idempotence, repository settings, the digest in the registry, a changed source, bad input,
ECR Public, and the seed appendix's manual commands.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml

from tests.image.conftest import (
    CA,
    REGISTRY,
    REPO,
    VENV_BIN,
    Run,
    ecr,
    fresh_name,
    lab_env,
    repository_exists,
    run_image,
)

MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    ]
)


@dataclass
class Published:
    repository: str
    first: Run
    second: Run
    second_seconds: float
    image: str  # berth_image: <ECR registry>/<repo>@sha256:...
    tag: str


def registry_password() -> str:
    token = ecr().get_authorization_token()["authorizationData"][0]["authorizationToken"]
    return base64.b64decode(token).decode().split(":", 1)[1]


def manifest_digest(repository: str, reference: str) -> str | None:
    """The digest the lab registry serves for repository:reference, None if it has none."""
    response = requests.get(
        f"https://{REGISTRY}/v2/{repository}/manifests/{reference}",
        headers={"Accept": MANIFEST_TYPES},
        auth=("AWS", registry_password()),
        verify=str(CA),
        timeout=10,
    )
    if response.status_code == 404:
        return None
    response.raise_for_status()
    return response.headers["Docker-Content-Digest"]


def read_state(path: Path) -> dict[str, str]:
    return yaml.safe_load(path.read_text())


@pytest.fixture(scope="module")
def published(new_repository: list[str], tmp_path_factory: pytest.TempPathFactory) -> Published:
    name = fresh_name(new_repository)
    state = tmp_path_factory.mktemp("state") / "image.yml"
    extra = {"image_repository_name": name, "image_state_file": str(state)}
    first = run_image(extra)
    assert first.rc == 0, first.out[-3000:]
    started = time.monotonic()
    second = run_image(extra)
    seconds = time.monotonic() - started
    assert second.rc == 0, second.out[-3000:]
    data = read_state(state)
    return Published(name, first, second, seconds, data["berth_image"], data["berth_image_tag"])


def test_first_run_pushes_an_immutable_tag(published: Published) -> None:
    assert published.first.task("Push the image") == "changed"
    commit = subprocess.run(
        ["git", "log", "-1", "--format=%H", "--", "."],
        cwd=REPO / "service",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert published.tag.startswith(f"1.0.0-{commit[:12]}")
    registry = ecr().describe_registry()["registryId"]
    assert published.image.startswith(
        f"{registry}.dkr.ecr.us-east-1.amazonaws.com/{published.repository}@sha256:"
    )


def test_second_run_changes_and_pushes_nothing(published: Published) -> None:
    assert published.second.changed == 0, published.second.out[-3000:]
    assert published.second.task("Push the image") == "skipping"
    assert published.second.task("Build the image (the model is trained in the build)") == "ok"
    print(f"idempotent re-run: {published.second_seconds:.1f} s")


def test_repository_settings(published: Published) -> None:
    client = ecr()
    repo = client.describe_repositories(repositoryNames=[published.repository])["repositories"][0]
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["imageScanningConfiguration"]["scanOnPush"] is True
    assert repo["encryptionConfiguration"]["encryptionType"] == "AES256"
    policy = client.get_lifecycle_policy(repositoryName=published.repository)
    (rule,) = yaml.safe_load(policy["lifecyclePolicyText"])["rules"]
    assert rule["selection"] == {
        "tagStatus": "any",
        "countType": "imageCountMoreThan",
        "countNumber": 10,
    }
    assert rule["action"] == {"type": "expire"}


def test_digest_and_tag_are_in_the_registry(published: Published) -> None:
    digest = published.image.split("@", 1)[1]
    assert manifest_digest(published.repository, digest) == digest
    assert manifest_digest(published.repository, published.tag) == digest


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_changed_source_gives_new_tag_and_digest(new_repository: list[str], tmp_path: Path) -> None:
    source = tmp_path / "service"
    shutil.copytree(
        REPO / "service", source, ignore=shutil.ignore_patterns("trained_models", ".ruff_cache")
    )
    git(source, "init", "-q")
    git(source, "add", "-A")
    git(source, "commit", "-q", "-m", "copy")
    name = fresh_name(new_repository)
    state = tmp_path / "image.yml"
    extra = {
        "image_repository_name": name,
        "image_source_dir": str(source),
        "image_state_file": str(state),
    }

    run = run_image(extra)
    assert run.rc == 0, run.out[-3000:]
    before = read_state(state)
    assert before["berth_image_tag"] == f"1.0.0-{git(source, 'rev-parse', 'HEAD')[:12]}"

    module = source / "recommender" / "__init__.py"
    module.write_text(module.read_text() + "\n# a change\n")
    run = run_image(extra)
    assert run.rc == 0, run.out[-3000:]
    dirty = read_state(state)
    assert dirty["berth_image_tag"].startswith(f"{before['berth_image_tag']}-dirty.")
    assert dirty["berth_image"] != before["berth_image"]

    git(source, "commit", "-q", "-am", "change")
    run = run_image(extra)
    assert run.rc == 0, run.out[-3000:]
    after = read_state(state)
    assert after["berth_image_tag"] == f"1.0.0-{git(source, 'rev-parse', 'HEAD')[:12]}"
    for image in (before, dirty, after):
        digest = image["berth_image"].split("@", 1)[1]
        assert manifest_digest(name, digest) == digest


BAD_INPUT = {
    "docker not running": (
        {},
        {"DOCKER_HOST": "unix:///nonexistent/docker.sock"},
        "Docker is not running or not reachable",
    ),
    "no credentials": (
        {},
        {
            "AWS_ACCESS_KEY_ID": None,
            "AWS_SECRET_ACCESS_KEY": None,
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
            "AWS_CONFIG_FILE": "/nonexistent",
        },
        "No usable AWS credentials",
    ),
    "invalid repository name": (
        {"image_repository_name": "Berth/Bad Name"},
        {},
        "Invalid input: image_repository_name 'Berth/Bad Name'",
    ),
    "build failure": (
        {"image_base_image": "berth-test/no-such-base:none", "image_version": "0.0.0-buildfail"},
        {},
        "The image build failed (BASE_IMAGE berth-test/no-such-base:none",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT, ids=list(BAD_INPUT))
def test_bad_input_fails_clearly_and_creates_nothing(
    case: str, new_repository: list[str], tmp_path: Path
) -> None:
    extra, env, message = BAD_INPUT[case]
    name = extra.get("image_repository_name") or fresh_name(new_repository)
    state = tmp_path / "image.yml"
    run = run_image({"image_repository_name": name, "image_state_file": str(state), **extra}, **env)
    assert run.rc != 0
    assert message in run.out, run.out[-3000:]
    assert run.out.count("FAILED!") == 1, run.out[-3000:]
    assert not state.exists()
    if name.islower():
        assert not repository_exists(name)


def test_public_fails_clearly_where_ecr_public_is_missing(
    new_repository: list[str], tmp_path: Path
) -> None:
    """moto 5.2 has no ECR Public (every call answers HTTP 500): the playbook stops, no push."""
    name = fresh_name(new_repository)
    run = run_image(
        {
            "image_repository_name": name,
            "image_public": True,
            "image_state_file": str(tmp_path / "s"),
        }
    )
    assert run.rc != 0
    assert "Could not get a registry login from the ECR Public API" in run.out, run.out[-3000:]
    assert run.task("Push the image") == ""
    assert not repository_exists(name)


def test_public_repository_module_checks_its_input() -> None:
    proc = subprocess.run(
        [
            str(VENV_BIN / "ansible"),
            "localhost",
            "-m",
            "ecr_public_repository",
            "-a",
            '{"name": "berth-test/x", "catalog_data": {"descripton": "typo"}}',
            "-e",
            "ansible_python_interpreter=" + str(VENV_BIN / "python"),
        ],
        capture_output=True,
        text=True,
        env=lab_env(),
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "catalog_data: unknown keys ['descripton']" in proc.stdout + proc.stderr


def test_seed_appendix_commands(
    published: Published, new_repository: list[str], tmp_path: Path
) -> None:
    """The seed's manual path: create-repository, get-login-password | docker login, tag, push."""
    name = fresh_name(new_repository)
    env = lab_env(DOCKER_CONFIG=str(tmp_path / "docker"), PATH=f"{VENV_BIN}:{os.environ['PATH']}")

    def sh(command: str) -> str:
        proc = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, env=env
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout + proc.stderr

    sh(f"aws ecr create-repository --repository-name {name} --image-tag-mutability IMMUTABLE")
    out = sh(
        f"aws ecr get-login-password | docker login --username AWS --password-stdin {REGISTRY}"
    )
    assert "Login Succeeded" in out
    local = f"{REGISTRY}/{published.repository}:{published.tag}"
    sh(f"docker tag {local} {REGISTRY}/{name}:{published.tag}")
    out = sh(f"docker push {REGISTRY}/{name}:{published.tag}")
    digest = published.image.split("@", 1)[1]
    assert f"digest: {digest}" in out
    assert manifest_digest(name, published.tag) == digest
