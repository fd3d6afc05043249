"""Shared helpers for the lightsail_host role's boto3 modules."""

from __future__ import annotations

import contextlib
from typing import Any

with contextlib.suppress(ImportError):  # a missing botocore is reported by AnsibleAWSModule
    from botocore.exceptions import ClientError, NoCredentialsError

from ansible_collections.amazon.aws.plugins.module_utils.botocore import (
    is_boto3_error_code,
)
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

CREDENTIAL_ERRORS = (
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "AccessDeniedException",
    "MissingAuthenticationTokenException",
    "SignatureDoesNotMatch",
)


def lightsail_client(module: AnsibleAWSModule, region: str | None = None) -> Any:
    """A Lightsail client for the module's region (or `region`), with jittered retries."""
    extra = {"region": region} if region else {}
    return module.client("lightsail", retry_decorator=AWSRetry.jittered_backoff(), **extra)


def tag_dict(tags: list[dict[str, str]] | None) -> dict[str, str]:
    return {tag["key"]: tag.get("value", "") for tag in tags or []}


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": str(value)} for key, value in sorted(tags.items())]


def add_missing_tags(
    module: AnsibleAWSModule,
    client: Any,
    resource: dict[str, Any],
    wanted: dict[str, str],
) -> bool:
    """Tag a Lightsail resource with the wanted tags it lacks; True when it would change."""
    current = tag_dict(resource.get("tags"))
    missing = {k: v for k, v in wanted.items() if current.get(k) != str(v)}
    if missing and not module.check_mode:
        client.tag_resource(
            aws_retry=True,
            resourceName=resource["name"],
            resourceArn=resource["arn"],
            tags=tag_list(missing),
        )
    return bool(missing)


def get_or_none(call: Any, **params: Any) -> dict[str, Any] | None:
    """Call a Lightsail Get* operation; None when the resource does not exist."""
    try:
        return call(aws_retry=True, **params)
    except is_boto3_error_code("NotFoundException"):
        return None


def fail_on_credentials(module: AnsibleAWSModule, exc: Exception) -> None:
    """Fail with one line when `exc` means the credentials are missing or rejected."""
    if isinstance(exc, NoCredentialsError) or (
        isinstance(exc, ClientError)
        and exc.response.get("Error", {}).get("Code") in CREDENTIAL_ERRORS
    ):
        module.fail_json(
            msg=f"No usable AWS credentials for Lightsail: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            f"AWS_SECRET_ACCESS_KEY ({exc})."
        )
