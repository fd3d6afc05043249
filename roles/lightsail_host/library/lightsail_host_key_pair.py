#!/usr/bin/python
"""Import (or delete) a Lightsail key pair and keep its tags; community.aws has no module for it."""

from __future__ import annotations

import contextlib

DOCUMENTATION = r"""
module: lightsail_host_key_pair
short_description: Import, tag or delete a Lightsail SSH key pair
description:
  - O(state=present) imports O(public_key) under O(name) when no key pair of that name exists
    (ImportKeyPair), then adds missing O(tags) (TagResource). An existing key pair is never replaced.
  - O(state=absent) deletes the key pair (DeleteKeyPair); a missing one is not an error.
options:
  name:
    description: Key pair name.
    type: str
    required: true
  public_key:
    description: OpenSSH public key line of type ssh-rsa (Lightsail imports RSA keys only).
    type: str
  tags:
    description: Tags the key pair must carry; other tags are left alone.
    type: dict
    default: {}
  state:
    description: Whether the key pair should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

RETURN = r"""
key_pair:
  description: The key pair (snake_case), empty when absent.
  type: dict
  returned: always
"""

from typing import Any

with contextlib.suppress(ImportError):  # a missing botocore is reported by AnsibleAWSModule
    from botocore.exceptions import BotoCoreError, ClientError

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.lightsail_host import (
    add_missing_tags,
    get_or_none,
    lightsail_client,
)
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule


def _get(client: Any, name: str) -> dict[str, Any] | None:
    found = get_or_none(client.get_key_pair, keyPairName=name)
    return found["keyPair"] if found else None


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "public_key": {"type": "str"},
            "tags": {"type": "dict", "default": {}},
            "state": {
                "type": "str",
                "choices": ["present", "absent"],
                "default": "present",
            },
        },
        required_if=[("state", "present", ("public_key",))],
        supports_check_mode=True,
    )
    name, tags = module.params["name"], module.params["tags"]
    client = lightsail_client(module)
    changed = False
    try:
        key_pair = _get(client, name)
        if module.params["state"] == "absent":
            if key_pair is not None and not module.check_mode:
                client.delete_key_pair(aws_retry=True, keyPairName=name)
            module.exit_json(changed=key_pair is not None, key_pair={})

        if key_pair is None:
            changed = True
            if module.check_mode:
                module.exit_json(changed=True, key_pair={})
            client.import_key_pair(
                aws_retry=True,
                keyPairName=name,
                publicKeyBase64=module.params["public_key"],
            )
            key_pair = _get(client, name) or {}
        if add_missing_tags(module, client, key_pair, tags):
            changed = True
            if not module.check_mode:
                key_pair = _get(client, name) or {}
    except (BotoCoreError, ClientError) as exc:
        module.fail_json_aws(exc, msg=f"Could not manage Lightsail key pair {name}")
    module.exit_json(
        changed=changed,
        key_pair=camel_dict_to_snake_dict(key_pair, ignore_list=["tags"]),
    )


if __name__ == "__main__":
    main()
