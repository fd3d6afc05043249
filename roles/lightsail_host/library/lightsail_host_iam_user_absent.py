#!/usr/bin/python
"""Delete the ECR pull user berth created: its access keys, its inline policies, then the user.

amazon.aws.iam_user state=absent also lists service-specific credentials, signing certificates, MFA
devices and more; moto 5.2 (the lab's IAM) does not implement ListServiceSpecificCredentials, so
teardown uses this narrower module. A user holding anything else fails DeleteUser (DeleteConflict),
which is the safe outcome for a user berth did not fully create.
"""

from __future__ import annotations

import contextlib

DOCUMENTATION = r"""
module: lightsail_host_iam_user_absent
short_description: Delete an IAM user created by berth, with its access keys and inline policies
description:
  - Deletes the user only when it carries all of O(tags); a missing user is not an error.
options:
  name:
    description: IAM user name.
    type: str
    required: true
  tags:
    description: Tags proving the user belongs to this deployment.
    type: dict
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

RETURN = r"""
skipped_reason:
  description: Why an existing user was kept (it does not carry the tags).
  type: str
  returned: when a user was kept
"""

with contextlib.suppress(ImportError):  # a missing botocore is reported by AnsibleAWSModule
    from botocore.exceptions import BotoCoreError, ClientError

from ansible_collections.amazon.aws.plugins.module_utils.botocore import (
    is_boto3_error_code,
)
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "tags": {"type": "dict", "required": True},
        },
        supports_check_mode=True,
    )
    name = module.params["name"]
    wanted = {k: str(v) for k, v in module.params["tags"].items()}
    iam = module.client("iam", retry_decorator=AWSRetry.jittered_backoff())
    try:
        tags = {
            t["Key"]: t["Value"] for t in iam.list_user_tags(aws_retry=True, UserName=name)["Tags"]
        }
    except is_boto3_error_code("NoSuchEntity"):
        module.exit_json(changed=False)
    except (BotoCoreError, ClientError) as exc:  # pylint: disable=duplicate-except
        module.fail_json_aws(exc, msg=f"Could not read IAM user {name}")
    if not wanted.items() <= tags.items():
        module.exit_json(
            changed=False,
            skipped_reason=f"IAM user {name} does not carry the tags {wanted}",
        )
    if module.check_mode:
        module.exit_json(changed=True)
    try:
        for key in iam.list_access_keys(aws_retry=True, UserName=name)["AccessKeyMetadata"]:
            iam.delete_access_key(aws_retry=True, UserName=name, AccessKeyId=key["AccessKeyId"])
        for policy in iam.list_user_policies(aws_retry=True, UserName=name)["PolicyNames"]:
            iam.delete_user_policy(aws_retry=True, UserName=name, PolicyName=policy)
        iam.delete_user(aws_retry=True, UserName=name)
    except (BotoCoreError, ClientError) as exc:
        module.fail_json_aws(exc, msg=f"Could not delete IAM user {name}")
    module.exit_json(changed=True)


if __name__ == "__main__":
    main()
