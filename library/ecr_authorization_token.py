#!/usr/bin/python
"""Ansible module: fetch an Amazon ECR authorization token (no amazon.aws module returns one)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: ecr_authorization_token
short_description: Get a Docker login for an Amazon ECR registry
description:
  - Calls ECR GetAuthorizationToken and returns the registry address with the user name and
    password that C(docker login) takes. The password is a secret; it is never logged.
  - With O(public=true), calls ECR Public GetAuthorizationToken instead (a login for
    C(public.ecr.aws); ECR Public's API lives in us-east-1 only, whatever O(region) says).
  - Read-only; supports check mode.
options:
  public:
    description: Get a login for ECR Public (C(public.ecr.aws)) instead of a private registry.
    type: bool
    default: false
  registry_ids:
    description: AWS account ids whose private registry to log in to; default the caller's own. Not used with O(public=true).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Get a registry login
  ecr_authorization_token:
    region: us-east-1
  register: ecr
  no_log: true
"""

RETURN = r"""
registry:
  description: Registry host, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com.
  type: str
  returned: success
username:
  description: User name for docker login (C(AWS)).
  type: str
  returned: success
password:
  description: Password for docker login (secret).
  type: str
  returned: success
expires_at:
  description: When the token expires (ISO 8601).
  type: str
  returned: success
"""

import base64
import contextlib
from urllib.parse import urlparse

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

with contextlib.suppress(ImportError):  # AnsibleAWSModule reports a missing botocore
    import botocore


PUBLIC_REGISTRY = "public.ecr.aws"


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec={
            "registry_ids": {"type": "list", "elements": "str", "default": []},
            "public": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    try:
        if module.params["public"]:
            client = module.client("ecr-public", region="us-east-1")
            data = client.get_authorization_token()["authorizationData"]
            registry = PUBLIC_REGISTRY
        else:
            client = module.client("ecr")
            ids = module.params["registry_ids"]
            data = client.get_authorization_token(**({"registryIds": ids} if ids else {}))
            data = data["authorizationData"][0]
            registry = urlparse(data["proxyEndpoint"]).netloc or data["proxyEndpoint"]
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as err:
        public = "ECR Public " if module.params["public"] else "ECR "
        module.fail_json_aws(err, msg=f"Could not get an {public}authorization token")
    username, password = base64.b64decode(data["authorizationToken"]).decode().split(":", 1)
    module.exit_json(
        changed=False,
        registry=registry,
        username=username,
        password=password,
        expires_at=str(data.get("expiresAt", "")),
    )


if __name__ == "__main__":
    main()
