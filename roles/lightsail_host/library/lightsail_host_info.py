#!/usr/bin/python
"""List the Lightsail instances carrying given tags and the static IPs attached to them."""

from __future__ import annotations

import contextlib

DOCUMENTATION = r"""
module: lightsail_host_info
short_description: Find Lightsail instances by tags, with their static IPs
description:
  - Read-only (GetInstances, GetStaticIps). Used to tear down what a deployment created.
options:
  tags:
    description: Tags an instance must all carry to be listed.
    type: dict
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

RETURN = r"""
instances:
  description: Names of the matching instances.
  type: list
  elements: str
  returned: success
static_ips:
  description: Names of the static IPs attached to the matching instances.
  type: list
  elements: str
  returned: success
"""

from typing import Any

with contextlib.suppress(ImportError):  # a missing botocore is reported by AnsibleAWSModule
    from botocore.exceptions import BotoCoreError, ClientError

from ansible.module_utils.lightsail_host import lightsail_client, tag_dict
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule


def _all(call: Any, key: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {}
    while True:
        page = call(aws_retry=True, **params)
        items.extend(page.get(key, []))
        if not page.get("nextPageToken"):
            return items
        params["pageToken"] = page["nextPageToken"]


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec={"tags": {"type": "dict", "required": True}},
        supports_check_mode=True,
    )
    wanted = {k: str(v) for k, v in module.params["tags"].items()}
    client = lightsail_client(module)
    try:
        instances = [
            i["name"]
            for i in _all(client.get_instances, "instances")
            if wanted.items() <= tag_dict(i.get("tags")).items()
        ]
        static_ips = [
            s["name"]
            for s in _all(client.get_static_ips, "staticIps")
            if s.get("isAttached") and s.get("attachedTo") in instances
        ]
    except (BotoCoreError, ClientError) as exc:
        module.fail_json_aws(exc, msg="Could not list Lightsail instances")
    module.exit_json(changed=False, instances=sorted(instances), static_ips=sorted(static_ips))


if __name__ == "__main__":
    main()
