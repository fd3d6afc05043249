"""In-memory Lightsail state and the operations berth uses.

Each operation takes the signing region and the request parameters (already validated against the
model) and returns the response dict (validated by the server before it is sent).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import botocore.session

from . import catalog

ACCOUNT = "123456789012"
OPERATION_TYPES = set(
    botocore.session.get_session().get_service_model("lightsail").shape_for("OperationType").enum
)
# Documentation ranges only (RFC 5737; 2001:db8::/32 for IPv6): nothing invented is routable.
DYNAMIC_NET = ipaddress.ip_network("203.0.113.0/24")
STATIC_NET = ipaddress.ip_network("198.51.100.0/24")


class LightsailError(Exception):
    """A Lightsail API error: serialised as {"__type", "message", "code"} with an HTTP status."""

    def __init__(self, error_type: str, message: str, code: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.error_type, self.message, self.code, self.status = (
            error_type,
            message,
            code,
            status,
        )


def not_found(kind: str, name: str) -> LightsailError:
    return LightsailError("NotFoundException", f"The {kind} does not exist: {name}", "DoesNotExist")


def invalid(message: str) -> LightsailError:
    return LightsailError("InvalidInputException", message, "InvalidInput")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _arn(region: str, kind: str) -> str:
    return f"arn:aws:lightsail:{region}:{ACCOUNT}:{kind}/{uuid.uuid4()}"


def _access_from(cidrs: list[str], ipv6: list[str]) -> str:
    if cidrs == ["0.0.0.0/0"] and ipv6 in ([], ["::/0"]):
        return "Anywhere (0.0.0.0/0 and ::/0)" if ipv6 else "Anywhere (0.0.0.0/0)"
    return "Custom"


class Backend:
    """All resources of one fake account; thread-safe through one lock."""

    def __init__(self, pending_seconds: float = 1.0) -> None:
        self.pending_seconds = pending_seconds
        self.lock = threading.Lock()
        self.instances: dict[str, dict[str, Any]] = {}
        self.static_ips: dict[str, dict[str, Any]] = {}
        self.key_pairs: dict[str, dict[str, Any]] = {}
        self._transitions: dict[str, tuple[float, str, int]] = {}
        self._used_ips: set[str] = set()

    # helpers ---------------------------------------------------------------
    def _ip(self, net: ipaddress.IPv4Network) -> str:
        for host in net.hosts():
            if str(host) not in self._used_ips:
                self._used_ips.add(str(host))
                return str(host)
        raise LightsailError("ServiceException", f"address pool {net} exhausted", status=500)

    def _location(self, region: str, zone: str = "all") -> dict[str, str]:
        return {"availabilityZone": zone, "regionName": region}

    def _operation(
        self, region: str, name: str, resource_type: str, op_type: str
    ) -> dict[str, Any]:
        now = _now()
        operation: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "resourceName": name,
            "resourceType": resource_type,
            "createdAt": now,
            "location": self._location(region),
            "isTerminal": True,
            "status": "Succeeded",
            "statusChangedAt": now,
        }
        # The model's OperationType enum has no value for key pair or tag operations: omit it there
        # rather than invent one.
        if op_type in OPERATION_TYPES:
            operation["operationType"] = op_type
        return operation

    def _set_state(
        self, inst: dict[str, Any], transitional: str, final: str, final_code: int
    ) -> None:
        codes = {"pending": 0, "stopping": 64, "rebooting": 0}
        inst["state"] = {"code": codes.get(transitional, 0), "name": transitional}
        self._transitions[inst["name"]] = (
            time.monotonic() + self.pending_seconds,
            final,
            final_code,
        )

    def _instance(self, name: str) -> dict[str, Any]:
        inst = self.instances.get(name)
        if inst is None:
            raise not_found("Instance", name)
        due = self._transitions.get(name)
        if due and time.monotonic() >= due[0]:
            inst["state"] = {"code": due[2], "name": due[1]}
            del self._transitions[name]
        return inst

    def _static_ip(self, name: str) -> dict[str, Any]:
        if name not in self.static_ips:
            raise not_found("StaticIp", name)
        return self.static_ips[name]

    def _key_pair(self, name: str) -> dict[str, Any]:
        if name not in self.key_pairs:
            raise not_found("KeyPair", name)
        return self.key_pairs[name]

    def _check_region(self, region: str, zone: str | None = None) -> None:
        if region not in catalog.REGIONS:
            raise invalid(f"Lightsail is not available in region {region}")
        if zone is not None and zone not in catalog.zones(region):
            raise invalid(f"The availability zone {zone} is not valid in region {region}")

    def _detach(self, static_ip: dict[str, Any]) -> None:
        inst = self.instances.get(static_ip.get("attachedTo", ""))
        if inst is not None:
            inst["publicIpAddress"] = self._ip(DYNAMIC_NET)
            inst["isStaticIp"] = False
        static_ip["isAttached"] = False
        static_ip.pop("attachedTo", None)

    # catalogue --------------------------------------------------------------
    def GetRegions(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        return {"regions": catalog.region_entries(bool(p.get("includeAvailabilityZones")))}

    def GetBlueprints(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        self._check_region(region)
        return {"blueprints": catalog.BLUEPRINTS}

    def GetBundles(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        self._check_region(region)
        return {"bundles": catalog.BUNDLES}

    # instances --------------------------------------------------------------
    def CreateInstances(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        zone = p["availabilityZone"]
        self._check_region(region, zone)
        blueprint = next(
            (b for b in catalog.BLUEPRINTS if b["blueprintId"] == p["blueprintId"]),
            None,
        )
        if blueprint is None:
            raise invalid(f"The blueprint ID {p['blueprintId']} is not valid")
        bundle = next((b for b in catalog.BUNDLES if b["bundleId"] == p["bundleId"]), None)
        if bundle is None:
            raise invalid(f"The bundle ID {p['bundleId']} is not valid")
        if "keyPairName" in p:
            self._key_pair(p["keyPairName"])
        for name in p["instanceNames"]:
            if name in self.instances:
                raise invalid(f"Some names are already in use: {name}")
        operations = []
        for name in p["instanceNames"]:
            seq = len(self.instances)
            inst: dict[str, Any] = {
                "name": name,
                "arn": _arn(region, "Instance"),
                "supportCode": f"{ACCOUNT}/i-{uuid.uuid4().hex[:17]}",
                "createdAt": _now(),
                "location": self._location(region, zone),
                "resourceType": "Instance",
                "tags": list(p.get("tags", [])),
                "blueprintId": blueprint["blueprintId"],
                "blueprintName": blueprint["name"],
                "bundleId": bundle["bundleId"],
                "addOns": [],
                "isStaticIp": False,
                "privateIpAddress": f"172.26.{seq // 250}.{seq % 250 + 2}",
                "publicIpAddress": self._ip(DYNAMIC_NET),
                "ipv6Addresses": [f"2001:db8:{seq:x}::1"],
                "ipAddressType": "dualstack",
                "hardware": {
                    "cpuCount": bundle["cpuCount"],
                    "disks": [],
                    "ramSizeInGb": bundle["ramSizeInGb"],
                },
                "networking": {
                    "monthlyTransfer": {"gbPerMonthAllocated": bundle["transferPerMonthInGb"]},
                    # A new Lightsail instance opens 22 and 80 to the world.
                    "ports": [
                        self._port(22, 22, "tcp", ["0.0.0.0/0"], ["::/0"]),
                        self._port(80, 80, "tcp", ["0.0.0.0/0"], ["::/0"]),
                    ],
                },
                "username": catalog.BLUEPRINT_USERS.get(blueprint["blueprintId"], "admin"),
                "sshKeyName": p.get("keyPairName", "LightsailDefaultKeyPair"),
                "metadataOptions": {
                    "state": "applied",
                    "httpTokens": "required",
                    "httpEndpoint": "enabled",
                    "httpPutResponseHopLimit": 1,
                    "httpProtocolIpv6": "disabled",
                },
            }
            self.instances[name] = inst
            self._set_state(inst, "pending", "running", 16)
            operations.append(self._operation(region, name, "Instance", "CreateInstance"))
        return {"operations": operations}

    @staticmethod
    def _port(
        first: int, last: int, protocol: str, cidrs: list[str], ipv6: list[str]
    ) -> dict[str, Any]:
        common = {22: "ssh", 80: "http", 443: "https"}.get(first, "") if first == last else ""
        return {
            "fromPort": first,
            "toPort": last,
            "protocol": protocol,
            "accessFrom": _access_from(cidrs, ipv6),
            "accessType": "Public",
            "commonName": common,
            "accessDirection": "inbound",
            "cidrs": cidrs,
            "ipv6Cidrs": ipv6,
            "cidrListAliases": [],
        }

    def GetInstance(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        return {"instance": self._instance(p["instanceName"])}

    def GetInstances(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        return {"instances": [self._instance(name) for name in sorted(self.instances)]}

    def DeleteInstance(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        inst = self._instance(p["instanceName"])
        if inst["state"]["name"] not in ("running", "stopped"):
            raise invalid(f"You can't delete an instance in state {inst['state']['name']}")
        for static_ip in self.static_ips.values():
            if static_ip.get("attachedTo") == inst["name"]:
                self._detach(static_ip)
        del self.instances[inst["name"]]
        self._transitions.pop(inst["name"], None)
        return {"operations": [self._operation(region, inst["name"], "Instance", "DeleteInstance")]}

    def PutInstancePublicPorts(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        inst = self._instance(p["instanceName"])
        ports = []
        for info in p["portInfos"]:
            cidrs, ipv6 = info.get("cidrs", []), info.get("ipv6Cidrs", [])
            if not cidrs and not ipv6 and not info.get("cidrListAliases"):
                raise invalid(
                    f"Port {info['fromPort']}: at least one of cidrs or ipv6Cidrs is required"
                )
            for cidr in cidrs:
                _network(cidr, 4)
            for cidr in ipv6:
                _network(cidr, 6)
            if not 0 <= info["fromPort"] <= info["toPort"] <= 65535:
                raise invalid(f"Invalid port range {info['fromPort']}-{info['toPort']}")
            ports.append(
                self._port(info["fromPort"], info["toPort"], info["protocol"], cidrs, ipv6)
            )
        inst["networking"]["ports"] = ports
        return {
            "operation": self._operation(region, inst["name"], "Instance", "PutInstancePublicPorts")
        }

    def GetInstancePortStates(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        inst = self._instance(p["instanceName"])
        keys = (
            "fromPort",
            "toPort",
            "protocol",
            "cidrs",
            "ipv6Cidrs",
            "cidrListAliases",
        )
        return {
            "portStates": [
                {**{k: port[k] for k in keys}, "state": "open"}
                for port in inst["networking"]["ports"]
            ]
        }

    def _change_state(
        self,
        region: str,
        p: dict[str, Any],
        allowed: str,
        transitional: str,
        final: str,
        code: int,
        op_type: str,
    ) -> dict[str, Any]:
        inst = self._instance(p["instanceName"])
        if inst["state"]["name"] != allowed:
            raise invalid(f"You can't {op_type} an instance in state {inst['state']['name']}")
        self._set_state(inst, transitional, final, code)
        return {"operations": [self._operation(region, inst["name"], "Instance", op_type)]}

    def StartInstance(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        return self._change_state(region, p, "stopped", "pending", "running", 16, "StartInstance")

    def StopInstance(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        return self._change_state(region, p, "running", "stopping", "stopped", 80, "StopInstance")

    def RebootInstance(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        return self._change_state(
            region, p, "running", "rebooting", "running", 16, "RebootInstance"
        )

    # static IPs -------------------------------------------------------------
    def AllocateStaticIp(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        self._check_region(region)
        name = p["staticIpName"]
        if name in self.static_ips:
            raise invalid(f"The static IP name {name} is already in use")
        self.static_ips[name] = {
            "name": name,
            "arn": _arn(region, "StaticIp"),
            "supportCode": f"{ACCOUNT}/{name}",
            "createdAt": _now(),
            "location": self._location(region),
            "resourceType": "StaticIp",
            "ipAddress": self._ip(STATIC_NET),
            "isAttached": False,
        }
        return {"operations": [self._operation(region, name, "StaticIp", "AllocateStaticIp")]}

    def GetStaticIp(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        return {"staticIp": self._static_ip(p["staticIpName"])}

    def GetStaticIps(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        return {"staticIps": [self.static_ips[name] for name in sorted(self.static_ips)]}

    def ReleaseStaticIp(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        static_ip = self._static_ip(p["staticIpName"])
        self._detach(static_ip)
        self._used_ips.discard(static_ip["ipAddress"])
        del self.static_ips[static_ip["name"]]
        return {
            "operations": [
                self._operation(region, static_ip["name"], "StaticIp", "ReleaseStaticIp")
            ]
        }

    def AttachStaticIp(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        static_ip = self._static_ip(p["staticIpName"])
        inst = self._instance(p["instanceName"])
        if static_ip["isAttached"]:
            self._detach(static_ip)
        for other in self.static_ips.values():
            if other.get("attachedTo") == inst["name"]:
                self._detach(other)
        static_ip.update(isAttached=True, attachedTo=inst["name"])
        inst.update(publicIpAddress=static_ip["ipAddress"], isStaticIp=True)
        return {
            "operations": [
                self._operation(region, static_ip["name"], "StaticIp", "AttachStaticIp"),
                self._operation(region, inst["name"], "Instance", "AttachStaticIp"),
            ]
        }

    def DetachStaticIp(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        static_ip = self._static_ip(p["staticIpName"])
        if not static_ip["isAttached"]:
            raise invalid(f"Static IP {static_ip['name']} is not attached")
        self._detach(static_ip)
        return {
            "operations": [self._operation(region, static_ip["name"], "StaticIp", "DetachStaticIp")]
        }

    # key pairs --------------------------------------------------------------
    def ImportKeyPair(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        self._check_region(region)
        name = p["keyPairName"]
        if name in self.key_pairs:
            raise LightsailError(
                "InvalidInputException",
                f"The key pair {name} already exists",
                "AlreadyExists",
            )
        fields = p["publicKeyBase64"].split()
        # The API documents publicKeyBase64 as "a base64-encoded public key of the ssh-rsa type".
        if len(fields) < 2 or fields[0] != "ssh-rsa":
            raise invalid("publicKeyBase64 must be an OpenSSH public key of type ssh-rsa")
        try:
            blob = base64.b64decode(fields[1], validate=True)
        except ValueError as exc:
            raise invalid("publicKeyBase64 is not valid base64") from exc
        digest = hashlib.md5(blob).hexdigest()
        self.key_pairs[name] = {
            "name": name,
            "arn": _arn(region, "KeyPair"),
            "supportCode": f"{ACCOUNT}/{name}",
            "createdAt": _now(),
            "location": self._location(region),
            "resourceType": "KeyPair",
            "tags": [],
            "fingerprint": ":".join(digest[i : i + 2] for i in range(0, 32, 2)),
        }
        return {"operation": self._operation(region, name, "KeyPair", "ImportKeyPair")}

    def GetKeyPair(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        return {"keyPair": self._key_pair(p["keyPairName"])}

    def GetKeyPairs(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        return {"keyPairs": [self.key_pairs[name] for name in sorted(self.key_pairs)]}

    def DeleteKeyPair(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        key_pair = self._key_pair(p["keyPairName"])
        expected = p.get("expectedFingerprint")
        if expected and expected != key_pair["fingerprint"]:
            raise invalid("The expected fingerprint does not match the key pair")
        del self.key_pairs[key_pair["name"]]
        return {"operation": self._operation(region, key_pair["name"], "KeyPair", "DeleteKeyPair")}

    # tags -------------------------------------------------------------------
    def _taggable(self, p: dict[str, Any]) -> tuple[dict[str, Any], str]:
        name = p["resourceName"]
        for kind, pool in (("Instance", self.instances), ("KeyPair", self.key_pairs)):
            if name in pool and p.get("resourceArn", pool[name]["arn"]) == pool[name]["arn"]:
                return pool[name], kind
        if name in self.static_ips:
            raise invalid("Resources of type StaticIp cannot be tagged")
        raise not_found("resource", name)

    def TagResource(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        resource, kind = self._taggable(p)
        tags = {t["key"]: t.get("value", "") for t in resource["tags"]}
        tags.update({t["key"]: t.get("value", "") for t in p["tags"]})
        resource["tags"] = [{"key": k, "value": v} for k, v in sorted(tags.items())]
        return {"operations": [self._operation(region, resource["name"], kind, "TagResource")]}

    def UntagResource(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        resource, kind = self._taggable(p)
        resource["tags"] = [t for t in resource["tags"] if t["key"] not in p["tagKeys"]]
        return {"operations": [self._operation(region, resource["name"], kind, "UntagResource")]}

    def handler(self, operation: str) -> Callable[[str, dict[str, Any]], dict[str, Any]] | None:
        method = getattr(self, operation, None)
        return method if operation[:1].isupper() and callable(method) else None


def _network(cidr: str, version: int) -> None:
    try:
        net = ipaddress.ip_network(cidr, strict=True)
    except ValueError as exc:
        raise invalid(f"{cidr} is not a valid CIDR block") from exc
    if net.version != version:
        raise invalid(f"{cidr} is not an IPv{version} CIDR block")
