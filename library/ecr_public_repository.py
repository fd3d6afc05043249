#!/usr/bin/python
"""Ansible module: an Amazon ECR Public repository (amazon.aws and community.aws have none)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: ecr_public_repository
short_description: Create an Amazon ECR Public repository and keep its catalog data
description:
  - Creates the repository if it is missing (C(public.ecr.aws/<registry alias>/<name>)) and sets the
    catalog data given; leaves an existing repository alone when its catalog data already matches.
  - ECR Public's API lives in us-east-1 only, whatever O(region) says.
  - ECR Public has no tag immutability, scan on push, encryption or lifecycle settings.
  - Supports check mode.
options:
  name:
    description: Repository name, e.g. C(berth/recommender).
    type: str
    required: true
  catalog_data:
    description:
      - What the Amazon ECR Public Gallery shows, as ECR Public's C(RepositoryCatalogDataInput)
        (C(description), C(aboutText), C(usageText), C(architectures), C(operatingSystems)).
      - Keys not given are left as they are.
    type: dict
    default: {}
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Create the public repository
  ecr_public_repository:
    name: berth/recommender
    catalog_data:
      description: Movie recommender inference service
      architectures: [x86-64]
      operatingSystems: [Linux]
"""

RETURN = r"""
repository:
  description: The repository as DescribeRepositories gives it (C(repositoryUri) is what to push to).
  type: dict
  returned: success, and in check mode when the repository exists
catalog_data:
  description: The repository's catalog data after the change.
  type: dict
  returned: success, and in check mode when the repository exists
"""

import contextlib
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

with contextlib.suppress(ImportError):  # AnsibleAWSModule reports a missing botocore
    import botocore

CATALOG_KEYS = ("description", "aboutText", "usageText", "architectures", "operatingSystems")


def describe(client: Any, name: str) -> dict[str, Any] | None:
    try:
        return client.describe_repositories(repositoryNames=[name])["repositories"][0]
    except client.exceptions.RepositoryNotFoundException:
        return None


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "catalog_data": {"type": "dict", "default": {}},
        },
        supports_check_mode=True,
    )
    name: str = module.params["name"]
    wanted: dict[str, Any] = module.params["catalog_data"]
    unknown = sorted(set(wanted) - set(CATALOG_KEYS))
    if unknown:
        module.fail_json(msg=f"catalog_data: unknown keys {unknown}; use {list(CATALOG_KEYS)}")
    client = module.client("ecr-public", region="us-east-1")
    try:
        repository = describe(client, name)
        if repository is None:
            if module.check_mode:
                module.exit_json(changed=True)
            created = client.create_repository(repositoryName=name, catalogData=wanted)
            module.exit_json(
                changed=True, repository=created["repository"], catalog_data=created["catalogData"]
            )
        current = client.get_repository_catalog_data(repositoryName=name)["catalogData"]
        if all(current.get(key) == value for key, value in wanted.items()):
            module.exit_json(changed=False, repository=repository, catalog_data=current)
        if not module.check_mode:
            current = client.put_repository_catalog_data(repositoryName=name, catalogData=wanted)
            current = current["catalogData"]
        module.exit_json(changed=True, repository=repository, catalog_data=current)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as err:
        module.fail_json_aws(err, msg=f"Could not create or read the ECR Public repository {name}")


if __name__ == "__main__":
    main()
