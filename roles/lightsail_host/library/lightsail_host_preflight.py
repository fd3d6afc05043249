#!/usr/bin/python
"""Read-only checks before anything is created: credentials, region, zone, blueprint, bundle."""

from __future__ import annotations

import contextlib

DOCUMENTATION = r"""
module: lightsail_host_preflight
short_description: Check Lightsail credentials, region, zone, blueprint and bundle
description:
  - Read-only. Fails with one line naming the variable to change; never creates anything.
  - Calls GetRegions (in O(discovery_region)), GetBlueprints and GetBundles (in O(region)).
options:
  discovery_region:
    description: Region the region list is read from.
    type: str
    default: us-east-1
  zone:
    description: Availability zone the instances go to.
    type: str
    required: true
  blueprint_id:
    description: Lightsail blueprint (image) id.
    type: str
    required: true
  bundle_id:
    description: Lightsail bundle (size) id.
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

RETURN = r"""
blueprint:
  description: The blueprint as Lightsail describes it (snake_case).
  type: dict
  returned: success
bundle:
  description: The bundle as Lightsail describes it (snake_case).
  type: dict
  returned: success
"""

from typing import Any

with contextlib.suppress(ImportError):  # a missing botocore is reported by AnsibleAWSModule
    from botocore.exceptions import BotoCoreError, ClientError

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.lightsail_host import fail_on_credentials, lightsail_client
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule


def _find(items: list[dict[str, Any]], key: str, value: str) -> dict[str, Any] | None:
    return next((item for item in items if item.get(key) == value), None)


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec={
            "discovery_region": {"type": "str", "default": "us-east-1"},
            "zone": {"type": "str", "required": True},
            "blueprint_id": {"type": "str", "required": True},
            "bundle_id": {"type": "str", "required": True},
        },
        supports_check_mode=True,
    )
    region, zone = module.region, module.params["zone"]
    blueprint_id, bundle_id = module.params["blueprint_id"], module.params["bundle_id"]
    try:
        discovery = lightsail_client(module, module.params["discovery_region"])
        regions = discovery.get_regions(aws_retry=True, includeAvailabilityZones=True)["regions"]
    except (BotoCoreError, ClientError) as exc:
        fail_on_credentials(module, exc)
        module.fail_json_aws(exc, msg="Could not list Lightsail regions")

    found = _find(regions, "name", region)
    if found is None:
        module.fail_json(
            msg=f"Region '{region}' has no Lightsail: set berth_aws_region to one of "
            f"{', '.join(sorted(r['name'] for r in regions))}."
        )
    zones = [
        z["zoneName"] for z in found.get("availabilityZones", []) if z.get("state") == "available"
    ]
    if zone not in zones:
        module.fail_json(
            msg=f"Availability zone '{zone}' is not available in {region}: "
            f"set lightsail_host_availability_zone to one of {', '.join(zones)}."
        )

    try:
        client = lightsail_client(module)
        blueprints = client.get_blueprints(aws_retry=True)["blueprints"]
        bundles = client.get_bundles(aws_retry=True)["bundles"]
    except (BotoCoreError, ClientError) as exc:
        module.fail_json_aws(exc, msg="Could not list Lightsail blueprints and bundles")

    blueprint = _find(blueprints, "blueprintId", blueprint_id)
    if (
        blueprint is None
        or not blueprint.get("isActive")
        or blueprint.get("platform") != "LINUX_UNIX"
    ):
        linux = sorted(
            b["blueprintId"]
            for b in blueprints
            if b.get("isActive") and b.get("platform") == "LINUX_UNIX"
        )
        module.fail_json(
            msg=f"Blueprint '{blueprint_id}' is not an active Linux blueprint in {region}: "
            f"set lightsail_host_blueprint_id to one of {', '.join(linux)}."
        )
    bundle = _find(bundles, "bundleId", bundle_id)
    if (
        bundle is None
        or not bundle.get("isActive")
        or "LINUX_UNIX" not in bundle.get("supportedPlatforms", [])
    ):
        linux = sorted(
            b["bundleId"]
            for b in bundles
            if b.get("isActive") and "LINUX_UNIX" in b.get("supportedPlatforms", [])
        )
        module.fail_json(
            msg=f"Bundle '{bundle_id}' is not an active Linux bundle in {region}: "
            f"set lightsail_host_bundle_id to one of {', '.join(linux)}."
        )

    module.exit_json(
        changed=False,
        blueprint=camel_dict_to_snake_dict(blueprint),
        bundle=camel_dict_to_snake_dict(bundle),
    )


if __name__ == "__main__":
    main()
