#!/usr/bin/python
"""What community.aws.lightsail cannot do for an instance: attach a static IP, set tags."""

from __future__ import annotations

import contextlib

DOCUMENTATION = r"""
module: lightsail_host_instance_extras
short_description: Attach a static IP to a Lightsail instance and tag it
description:
  - Attaches O(static_ip_name) to O(name) unless it is already attached there (AttachStaticIp).
  - Adds missing or different O(tags) to the instance (TagResource); other tags are left alone.
  - Static IPs themselves cannot be tagged in Lightsail (the API's StaticIp has no tags).
options:
  name:
    description: Instance name.
    type: str
    required: true
  static_ip_name:
    description: Static IP to attach; omit to attach none.
    type: str
  tags:
    description: Tags the instance must carry.
    type: dict
    default: {}
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

RETURN = r"""
instance:
  description: name, id (ARN), public_ip and region of the instance after the change.
  type: dict
  returned: success
is_static_ip:
  description: Whether the public IP is a static IP.
  type: bool
  returned: success
zone:
  description: Availability zone of the instance.
  type: str
  returned: success
tags:
  description: Tags of the instance after the change.
  type: dict
  returned: success
"""

from typing import Any

with contextlib.suppress(ImportError):  # a missing botocore is reported by AnsibleAWSModule
    from botocore.exceptions import BotoCoreError, ClientError

from ansible.module_utils.lightsail_host import (
    add_missing_tags,
    get_or_none,
    lightsail_client,
    tag_dict,
)
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule


def _summary(instance: dict[str, Any]) -> dict[str, Any]:
    """The instance as berth hands it on (lightsail_host_instances entries, without the SSH fields)."""
    return {
        "name": instance["name"],
        "id": instance["arn"],
        "public_ip": instance.get("publicIpAddress", ""),
        "region": instance["location"]["regionName"],
    }


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "static_ip_name": {"type": "str"},
            "tags": {"type": "dict", "default": {}},
        },
        supports_check_mode=True,
    )
    name, static_ip_name, tags = (
        module.params["name"],
        module.params["static_ip_name"],
        module.params["tags"],
    )
    client = lightsail_client(module)
    changed = False
    try:
        found = get_or_none(client.get_instance, instanceName=name)
        if found is None and module.check_mode:  # would be created by an earlier task
            module.exit_json(
                changed=True,
                instance={"name": name, "id": "", "public_ip": "", "region": module.region},
            )
        instance = client.get_instance(aws_retry=True, instanceName=name)["instance"]
        if static_ip_name:
            found = get_or_none(client.get_static_ip, staticIpName=static_ip_name)
            static_ip = found["staticIp"] if found else {}
            if not static_ip.get("isAttached") or static_ip.get("attachedTo") != name:
                changed = True
                if not module.check_mode:
                    client.attach_static_ip(
                        aws_retry=True, staticIpName=static_ip_name, instanceName=name
                    )
        if add_missing_tags(module, client, instance, tags):
            changed = True
        if changed and not module.check_mode:
            instance = client.get_instance(aws_retry=True, instanceName=name)["instance"]
    except (BotoCoreError, ClientError) as exc:
        module.fail_json_aws(
            exc,
            msg=f"Could not attach the static IP to / tag Lightsail instance {name}",
        )
    module.exit_json(
        changed=changed,
        instance=_summary(instance),
        is_static_ip=instance.get("isStaticIp", False),
        zone=instance["location"]["availabilityZone"],
        tags=tag_dict(instance.get("tags")),
    )


if __name__ == "__main__":
    main()
