"""Provision against moto, check every security setting through boto3, rerun, check mode, inventory,
then tear down (twice) and check nothing tagged is left while bystanders survive.

The tests in this module run in order and share one moto and one deployment.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.ec2.conftest import REPO, VENV_BIN, aws_env, inventory_of, project_tags, tags_of

NAME = "t1"
REPO_ARN = "arn:aws:ecr:us-east-1:123456789012:repository/berth/recommender"
USER_TAGS = {"team": "ml", "berth:deployment": "must-not-win"}
EXTRA = {
    "ec2_host_instance_count": 2,
    "ec2_host_elastic_ip": True,
    "ec2_host_ecr_repository_arn": REPO_ARN,
    "ec2_host_tags": USER_TAGS,
    "ec2_host_root_volume_size": 12,
    "ec2_host_ssh_allowed_cidrs": ["203.0.113.0/24", "2001:db8::/64"],
}
EXPECTED_TAGS = {"team": "ml", **project_tags(NAME)}


@pytest.fixture(scope="module")
def bystanders(aws) -> dict[str, str]:
    """Resources berth must never delete: untagged, half-tagged, or another deployment's."""
    ec2, iam = aws("ec2"), aws("iam")
    other = [{"Key": "berth:deployment", "Value": "other"}, {"Key": "managed-by", "Value": "berth"}]
    half = [{"Key": "berth:deployment", "Value": NAME}]  # lacks managed-by=berth
    spec = lambda kind, tags: [{"ResourceType": kind, "Tags": tags}]  # noqa: E731
    sg = ec2.create_security_group(GroupName="bystander", Description="x")["GroupId"]
    sg_other = ec2.create_security_group(
        GroupName="other", Description="x", TagSpecifications=spec("security-group", other)
    )["GroupId"]
    ec2.create_key_pair(KeyName="bystander", TagSpecifications=spec("key-pair", half))
    instance = ec2.run_instances(ImageId="ami-0deb1200000000002", MinCount=1, MaxCount=1)
    instance_id = instance["Instances"][0]["InstanceId"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    iam.create_role(RoleName="bystander", AssumeRolePolicyDocument=trust)
    iam.create_role(
        RoleName="other-us-east-1",
        Path="/berth/us-east-1/",
        AssumeRolePolicyDocument=trust,
        Tags=other,
    )
    return {"sg": sg, "sg_other": sg_other, "instance": instance_id, "eip": eip}


@pytest.fixture(scope="module")
def runs(playbook, bystanders, tmp_path_factory) -> dict:
    dump = tmp_path_factory.mktemp("dump") / "instances.json"
    first = playbook(
        str(Path(__file__).with_name("provision_and_dump.yml")),
        NAME,
        {**EXTRA, "ec2_test_dump_file": str(dump)},
    )
    assert first.rc == 0, first.out[-3000:]
    second = playbook("ec2_provision.yml", NAME, EXTRA)
    check = playbook("ec2_provision.yml", NAME, EXTRA, check=True)
    return {"first": first, "second": second, "check": check, "fact": json.loads(dump.read_text())}


def test_second_run_changes_nothing(runs) -> None:
    assert runs["second"].rc == 0, runs["second"].out[-3000:]
    assert runs["second"].changed == 0, runs["second"].out


def test_check_mode_changes_nothing(runs) -> None:
    assert runs["check"].rc == 0, runs["check"].out[-3000:]
    assert runs["check"].changed == 0, runs["check"].out


def test_fact_for_the_configuration_play(runs, aws) -> None:
    eips = {a["InstanceId"]: a["PublicIp"] for a in aws("ec2").describe_addresses()["Addresses"]}
    fact = runs["fact"]
    assert [h["name"] for h in fact] == ["t1-1", "t1-2"]
    for host in fact:
        assert set(host) == {
            "name",
            "id",
            "public_ip",
            "private_ip",
            "instance_type",
            "region",
            "ssh_user",
            "ssh_private_key_file",
        }
        assert host["public_ip"] == eips[host["id"]]
        assert (host["instance_type"], host["region"], host["ssh_user"]) == (
            "t3.small",
            "us-east-1",
            "admin",
        )
        key = Path(host["ssh_private_key_file"])
        assert key.stat().st_mode & 0o777 == 0o600
        assert key.with_suffix(".pub").read_text().startswith("ssh-ed25519 ")


def test_instances_are_hardened(runs, aws) -> None:
    ec2 = aws("ec2")
    mine = inventory_of(aws, NAME)["instances"]
    assert len(mine) == 2
    for i in mine:
        assert i["ImageId"] == "ami-0deb1200000000002", "newest Debian 12 amd64 from Debian's owner"
        assert i["MetadataOptions"]["HttpTokens"] == "required"
        assert i["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
        profile = i["IamInstanceProfile"]["Arn"]
        assert profile.endswith("instance-profile/berth/us-east-1/t1-us-east-1")
        assert i["KeyName"] == NAME
        assert [g["GroupName"] for g in i["SecurityGroups"]] == [NAME]
        (bdm,) = i["BlockDeviceMappings"]
        (vol,) = ec2.describe_volumes(VolumeIds=[bdm["Ebs"]["VolumeId"]])["Volumes"]
        assert (vol["VolumeType"], vol["Size"], vol["Encrypted"]) == ("gp3", 12, True)
        assert bdm["Ebs"]["DeleteOnTermination"]


def test_security_group_rules_exactly(runs, aws) -> None:
    (sg,) = inventory_of(aws, NAME)["security_groups"]
    rules = {
        (p["IpProtocol"], p["FromPort"], p["ToPort"]): (
            sorted(r["CidrIp"] for r in p["IpRanges"]),
            sorted(r["CidrIpv6"] for r in p["Ipv6Ranges"]),
        )
        for p in sg["IpPermissions"]
    }
    assert rules == {
        ("tcp", 80, 80): (["0.0.0.0/0"], ["::/0"]),
        ("tcp", 443, 443): (["0.0.0.0/0"], ["::/0"]),
        ("tcp", 22, 22): (["203.0.113.0/24"], ["2001:db8::/64"]),
    }
    assert all(not p["UserIdGroupPairs"] for p in sg["IpPermissions"])


def test_instance_role_is_least_privilege(runs, aws) -> None:
    iam = aws("iam")
    role = "t1-us-east-1"
    trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    ec2_may_assume = {"Service": "ec2.amazonaws.com"}
    assert trust["Statement"] == [
        {"Effect": "Allow", "Principal": ec2_may_assume, "Action": "sts:AssumeRole"}
    ]
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["ecr-pull"]
    doc = iam.get_role_policy(RoleName=role, PolicyName="ecr-pull")["PolicyDocument"]
    grants = {(json.dumps(s["Action"]), s["Resource"]) for s in doc["Statement"]}
    assert all(s["Effect"] == "Allow" for s in doc["Statement"])
    assert grants == {
        ('"ecr:GetAuthorizationToken"', "*"),
        (
            json.dumps(
                [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                ]
            ),
            REPO_ARN,
        ),
    }
    (profile,) = inventory_of(aws, NAME)["instance_profiles"]
    assert [r["RoleName"] for r in profile["Roles"]] == [role]


def test_every_resource_carries_the_tags(runs, aws) -> None:
    every = inventory_of(aws)
    counts = {
        "instances": 2,
        "volumes": 2,
        "security_groups": 1,
        "key_pairs": 1,
        "addresses": 2,
        "roles": 1,
        "instance_profiles": 1,
    }
    for kind, n in counts.items():
        mine = [
            r
            for r in every[kind]
            if tags_of(r).get("berth:deployment") == NAME
            and tags_of(r).get("managed-by") == "berth"
        ]
        assert len(mine) == n, kind
        for r in mine:
            assert EXPECTED_TAGS.items() <= tags_of(r).items(), (kind, tags_of(r))
    names = sorted(tags_of(i)["Name"] for i in inventory_of(aws, NAME)["instances"])
    assert names == ["t1-1", "t1-2"]


def test_dynamic_inventory(runs, moto_url) -> None:
    out = subprocess.run(
        [str(VENV_BIN / "ansible-inventory"), "-i", "inventory/aws_ec2.yml", "--list"],
        cwd=REPO,
        env=aws_env(moto_url),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    inv = json.loads(out)
    hosts = sorted(inv["inference"]["hosts"])
    assert hosts == ["t1-1", "t1-2"]  # the untagged bystander instance is not in it
    assert sorted(inv["berth_t1"]["hosts"]) == hosts
    public = {h["name"]: h["public_ip"] for h in runs["fact"]}
    for h in hosts:
        hv = inv["_meta"]["hostvars"][h]
        assert unwrap(hv["ansible_user"]) == "admin"
        assert unwrap(hv["ansible_host"]) == public[h]  # the Elastic IP


def unwrap(value):
    """ansible-inventory --list marks values from AWS as unsafe: {"__ansible_unsafe": value}."""
    return value["__ansible_unsafe"] if isinstance(value, dict) else value


def test_teardown_removes_all_tagged_and_nothing_else(playbook, aws, bystanders, runs) -> None:
    first = playbook("ec2_destroy.yml", NAME)
    assert first.rc == 0, first.out[-3000:]
    assert first.changed > 0
    again = playbook("ec2_destroy.yml", NAME)
    assert again.rc == 0, again.out[-3000:]
    assert again.changed == 0, again.out
    left = inventory_of(aws, NAME)
    assert {k: v for k, v in left.items() if v} == {}
    ec2, iam = aws("ec2"), aws("iam")
    sgs = {g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]}
    assert {bystanders["sg"], bystanders["sg_other"]} <= sgs
    assert "bystander" in {k["KeyName"] for k in ec2.describe_key_pairs()["KeyPairs"]}
    (res,) = ec2.describe_instances(InstanceIds=[bystanders["instance"]])["Reservations"]
    assert res["Instances"][0]["State"]["Name"] == "running"
    assert bystanders["eip"] in {a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]}
    assert {"bystander", "other-us-east-1"} <= {r["RoleName"] for r in iam.list_roles()["Roles"]}
