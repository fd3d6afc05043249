#!/usr/bin/python
# -*- coding: utf-8 -*-
# No amazon.aws module wraps DescribeInstanceTypeOfferings, so this role carries a small read-only one.

DOCUMENTATION = r"""
module: ec2_host_instance_type_offering_info
short_description: Tell whether EC2 offers instance types in the region
description:
  - Calls DescribeInstanceTypeOfferings (location type C(region)) for the given instance types.
  - Read-only; supports check mode. Takes the usual amazon.aws connection options.
options:
  instance_types:
    description: Instance types to look up.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

RETURN = r"""
offered:
  description: The requested instance types that the region offers.
  returned: always
  type: list
  elements: str
"""

import contextlib

with contextlib.suppress(ImportError):  # AnsibleAWSModule reports a missing botocore
    from botocore.exceptions import BotoCoreError, ClientError

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec={"instance_types": {"type": "list", "elements": "str", "required": True}},
        supports_check_mode=True,
    )
    client = module.client("ec2")
    try:
        pages = client.get_paginator("describe_instance_type_offerings").paginate(
            LocationType="region",
            Filters=[{"Name": "instance-type", "Values": module.params["instance_types"]}],
        )
        offered = sorted(
            {o["InstanceType"] for page in pages for o in page["InstanceTypeOfferings"]}
        )
    except (BotoCoreError, ClientError) as e:
        module.fail_json_aws(e, msg="Unable to describe instance type offerings")
    module.exit_json(changed=False, offered=offered)


if __name__ == "__main__":
    main()
