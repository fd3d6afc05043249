"""The double speaks Lightsail's protocol and refuses to drift from botocore's model."""

from __future__ import annotations

import ipaddress
import time
from typing import Any

import boto3
import botocore.session
import pytest
import requests
from botocore.exceptions import ClientError, ParamValidationError

from tests.lightsail_double import LightsailDouble, model_errors

MODEL = botocore.session.get_session().get_service_model("lightsail")
AUTH = (
    "AWS4-HMAC-SHA256 Credential=testing/20250101/eu-central-1/lightsail/aws4_request, "
    "SignedHeaders=host, Signature=0"
)
PUBLIC_KEY = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7vbqajDhA3+Xyzg5Xd7e3nm5Oq1Tbj0sw0K6G9kqk2m1F2/5n5T8p"
    "Ef3MMfJ3vLzUq4uE3ZcQp8l2nW1DkVv8tS7e4Z4rj5C4q8W3QG8i0nQvQ3pL1y4f4r7Q2Y1fZp5cYq5oN9tqS9o8p"
    "4uJ8D1lKj9l0x3n6mZbq4z8yJ2Q== test"
)


def _client(double: LightsailDouble, key: str = "testing") -> Any:
    return boto3.client(
        "lightsail",
        region_name="eu-central-1",
        endpoint_url=double.endpoint,
        aws_access_key_id=key,
        aws_secret_access_key="testing",
    )


def _raw(double: LightsailDouble, operation: str, body: str) -> requests.Response:
    headers = {
        "X-Amz-Target": f"Lightsail_20161128.{operation}",
        "Authorization": AUTH,
        "Content-Type": "application/x-amz-json-1.1",
    }
    return requests.post(double.endpoint, data=body, headers=headers, timeout=5)


@pytest.mark.parametrize(
    ("operation", "body", "problem"),
    [
        ("GetInstance", "{}", "Missing required parameter"),
        ("GetInstance", '{"instanceName": 7}', "Invalid type"),
        ("GetInstance", '{"instanceName": "a", "bogus": 1}', "Unknown parameter"),
        (
            "PutInstancePublicPorts",
            '{"instanceName": "a", "portInfos": '
            '[{"fromPort": 22, "toPort": 22, "protocol": "sctp"}]}',
            "not one of",
        ),
        (
            "CreateInstances",
            '{"instanceNames": ["a"], "availabilityZone": "eu-central-1a"}',
            "blueprintId",
        ),
        ("GetInstance", "not json", "not valid JSON"),
    ],
)
def test_malformed_request_is_rejected_and_counted(
    lightsail_double: LightsailDouble, operation: str, body: str, problem: str
) -> None:
    response = _raw(lightsail_double, operation, body)
    assert response.status_code == 400
    assert response.json()["__type"] in (
        "InvalidInputException",
        "SerializationException",
    )
    assert problem in response.json()["message"]
    assert len(lightsail_double.request_errors) == 1
    assert not lightsail_double.backend.instances


def test_unsigned_and_unknown_requests_are_refused(
    lightsail_double: LightsailDouble,
) -> None:
    unsigned = requests.post(
        lightsail_double.endpoint,
        data="{}",
        timeout=5,
        headers={"X-Amz-Target": "Lightsail_20161128.GetRegions"},
    )
    assert unsigned.json()["__type"] == "MissingAuthenticationTokenException"
    assert (
        _raw(lightsail_double, "NoSuchThing", "{}").json()["__type"] == "UnknownOperationException"
    )
    with pytest.raises(ClientError) as wrong_key:
        _client(lightsail_double, key="someone-else").get_regions()
    assert wrong_key.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_output_check_catches_a_bad_response() -> None:
    shape = MODEL.operation_model("GetInstance").output_shape
    assert model_errors(shape, {"instance": {"name": "a", "nonsense": 1}}, output=True)
    assert any(
        "state: missing" in e for e in model_errors(shape, {"instance": {"name": "a"}}, output=True)
    )
    bad_enum = {
        "instance": {
            "name": "a",
            "state": {"name": "running", "code": 16},
            "networking": {"ports": [{"accessType": "public"}]},
        }
    }
    assert any("accessType" in e for e in model_errors(shape, bad_enum, output=True))


def test_lifecycle_responses_are_valid(lightsail_double: LightsailDouble) -> None:
    client = _client(lightsail_double)
    with pytest.raises(ClientError) as missing:
        client.get_instance(instanceName="nope")
    assert missing.value.response["Error"]["Code"] == "NotFoundException"
    with pytest.raises(
        ParamValidationError
    ):  # botocore itself refuses what the double would refuse
        client.put_instance_public_ports(instanceName="a", portInfos=[{"fromPort": "x"}])

    client.import_key_pair(keyPairName="k", publicKeyBase64=PUBLIC_KEY)
    client.create_instances(
        instanceNames=["a"],
        availabilityZone="eu-central-1a",
        blueprintId="debian_12",
        bundleId="micro_3_0",
        keyPairName="k",
    )
    assert client.get_instance(instanceName="a")["instance"]["state"]["name"] == "pending"
    time.sleep(0.6)
    instance = client.get_instance(instanceName="a")["instance"]
    assert instance["state"]["name"] == "running"
    assert ipaddress.ip_address(instance["publicIpAddress"]) in ipaddress.ip_network(
        "203.0.113.0/24"
    )
    assert instance["username"] == "admin"

    client.put_instance_public_ports(
        instanceName="a",
        portInfos=[
            {
                "fromPort": 22,
                "toPort": 22,
                "protocol": "tcp",
                "cidrs": ["192.0.2.0/24"],
                "ipv6Cidrs": [],
            }
        ],
    )
    assert [
        (p["fromPort"], p["cidrs"])
        for p in client.get_instance_port_states(instanceName="a")["portStates"]
    ] == [(22, ["192.0.2.0/24"])]
    client.allocate_static_ip(staticIpName="ip")
    client.attach_static_ip(staticIpName="ip", instanceName="a")
    static_ip = client.get_static_ip(staticIpName="ip")["staticIp"]
    assert ipaddress.ip_address(static_ip["ipAddress"]) in ipaddress.ip_network("198.51.100.0/24")
    assert (
        client.get_instance(instanceName="a")["instance"]["publicIpAddress"]
        == static_ip["ipAddress"]
    )
    client.tag_resource(resourceName="a", tags=[{"key": "managed-by", "value": "berth"}])
    with pytest.raises(ClientError):  # Lightsail static IPs carry no tags
        client.tag_resource(resourceName="ip", tags=[{"key": "managed-by", "value": "berth"}])
    client.stop_instance(instanceName="a")
    time.sleep(0.6)
    client.start_instance(instanceName="a")
    time.sleep(0.6)
    client.reboot_instance(instanceName="a")
    time.sleep(0.6)
    client.detach_static_ip(staticIpName="ip")
    client.delete_instance(instanceName="a")
    client.release_static_ip(staticIpName="ip")
    client.delete_key_pair(keyPairName="k")
    for listing in (
        client.get_instances()["instances"],
        client.get_static_ips()["staticIps"],
        client.get_key_pairs()["keyPairs"],
    ):
        assert listing == []
    assert client.get_blueprints()["blueprints"] and client.get_bundles()["bundles"]
    assert lightsail_double.validation_errors == []


def test_only_rsa_keys_are_imported(lightsail_double: LightsailDouble) -> None:
    with pytest.raises(ClientError) as refused:
        _client(lightsail_double).import_key_pair(
            keyPairName="k", publicKeyBase64="ssh-ed25519 AAAAC3Nz x"
        )
    assert refused.value.response["Error"]["Code"] == "InvalidInputException"
