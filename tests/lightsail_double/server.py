"""HTTP front of the double: Lightsail's JSON 1.1 protocol, checked against botocore's model.

Every request body is validated against the operation's input shape and every response against its
output shape (botocore.validate.ParamValidator), plus the checks botocore leaves out: enum values,
length limits, and the members berth and the community.aws modules read (output shapes mark none
required). A failed check is answered with a Lightsail-style error and counted, so tests can assert
that nothing drifted from the real API.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, Shape, StructureShape
from botocore.validate import ParamValidator

from .backend import Backend, LightsailError

LOG = logging.getLogger("lightsail_double")
MODEL = botocore.session.get_session().get_service_model("lightsail")
TARGET_PREFIX = MODEL.metadata["targetPrefix"] + "."
CONTENT_TYPE = "application/x-amz-json-" + MODEL.metadata["jsonVersion"]
AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/]+)/\d{8}/([a-z0-9-]+)/lightsail/aws4_request,"
)

# Members read by berth's role and by community.aws.lightsail / lightsail_static_ip, per shape.
READ_MEMBERS: dict[str, tuple[str, ...]] = {
    "Instance": (
        "name",
        "arn",
        "state",
        "location",
        "publicIpAddress",
        "isStaticIp",
        "networking",
        "tags",
        "blueprintId",
        "bundleId",
        "username",
        "sshKeyName",
    ),
    "InstanceState": ("name", "code"),
    "InstanceNetworking": ("ports",),
    "InstancePortInfo": ("fromPort", "toPort", "protocol", "cidrs", "ipv6Cidrs"),
    "InstancePortState": (
        "fromPort",
        "toPort",
        "protocol",
        "state",
        "cidrs",
        "ipv6Cidrs",
    ),
    "ResourceLocation": ("availabilityZone", "regionName"),
    "StaticIp": ("name", "arn", "ipAddress", "isAttached"),
    "KeyPair": ("name", "arn", "fingerprint", "tags"),
    "Tag": ("key", "value"),
    "Operation": ("id", "resourceName", "status", "isTerminal"),
    "Region": ("name", "availabilityZones"),
    "AvailabilityZone": ("zoneName", "state"),
    "Blueprint": ("blueprintId", "isActive", "platform", "type"),
    "Bundle": ("bundleId", "isActive", "supportedPlatforms", "price", "ramSizeInGb"),
}


def model_errors(shape: Shape, value: Any, output: bool) -> list[str]:
    """How `value` disagrees with `shape`: botocore's validator, then enum/length/read checks."""
    report = ParamValidator().validate(value, shape)
    errors = [report.generate_report()] if report.has_errors() else []
    _walk(shape, value, shape.name, output, errors)
    return errors


def _walk(shape: Shape, value: Any, path: str, output: bool, errors: list[str]) -> None:
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        if output:
            errors.extend(
                f"{path}.{m}: missing (read by clients)"
                for m in READ_MEMBERS.get(shape.name, ())
                if m not in value
            )
        for name, member in shape.members.items():
            if name in value:
                _walk(member, value[name], f"{path}.{name}", output, errors)
    elif isinstance(shape, ListShape) and isinstance(value, list):
        for i, item in enumerate(value):
            _walk(shape.member, item, f"{path}[{i}]", output, errors)
    elif isinstance(shape, MapShape) and isinstance(value, dict):
        for key, item in value.items():
            _walk(shape.value, item, f"{path}[{key}]", output, errors)
    elif shape.type_name == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            errors.append(f"{path}: {value!r} is not one of {shape.enum}")
        limit = shape.metadata.get("max")
        if limit is not None and len(value) > limit:
            errors.append(f"{path}: longer than {limit}")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"cannot serialise {type(value).__name__}")


class LightsailDouble(ThreadingHTTPServer):
    """A threaded HTTP server holding one Backend and the validation counters."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        pending_seconds: float = 1.0,
        access_key: str | None = None,
    ) -> None:
        super().__init__(address, _Handler)
        self.backend = Backend(pending_seconds)
        self.access_key = access_key
        self.request_errors: list[str] = []
        self.response_errors: list[str] = []
        self.calls: list[str] = []
        self._count_lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def validation_errors(self) -> list[str]:
        return self.request_errors + self.response_errors

    def record(self, kind: str, message: str) -> None:
        with self._count_lock:
            getattr(self, kind).append(message)
        LOG.warning("%s: %s", kind, message)

    def handle_call(self, target: str, auth: str, body: bytes) -> tuple[int, dict[str, Any]]:
        if (
            not target.startswith(TARGET_PREFIX)
            or target[len(TARGET_PREFIX) :] not in MODEL.operation_names
        ):
            return 400, {
                "__type": "UnknownOperationException",
                "message": f"Unknown operation {target!r}",
            }
        operation = target[len(TARGET_PREFIX) :]
        with self._count_lock:
            self.calls.append(operation)
        match = AUTH_RE.match(auth)
        if match is None:
            return 400, {
                "__type": "MissingAuthenticationTokenException",
                "message": "Missing or malformed SigV4 Authorization header",
            }
        if self.access_key is not None and match.group(1) != self.access_key:
            return 400, {
                "__type": "UnrecognizedClientException",
                "message": "The security token included in the request is invalid.",
            }
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            self.record("request_errors", f"{operation}: body is not JSON")
            return 400, {
                "__type": "SerializationException",
                "message": "Request body is not valid JSON",
            }
        op_model = MODEL.operation_model(operation)
        errors = (
            model_errors(op_model.input_shape, params, output=False)
            if isinstance(params, dict)
            else ["body is not a JSON object"]
        )
        if errors:
            self.record("request_errors", f"{operation}: {'; '.join(errors)}")
            return 400, {
                "__type": "InvalidInputException",
                "code": "InvalidInput",
                "message": f"{operation}: {'; '.join(errors)}",
            }
        handler = self.backend.handler(operation)
        if handler is None:
            return 400, {
                "__type": "InvalidInputException",
                "message": f"{operation} is not implemented by the Lightsail test double",
            }
        try:
            with self.backend.lock:
                result = handler(match.group(2), params)
        except LightsailError as exc:
            return exc.status, {
                "__type": exc.error_type,
                "code": exc.code,
                "message": exc.message,
            }
        errors = model_errors(op_model.output_shape, result, output=True)
        if errors:
            self.record("response_errors", f"{operation}: {'; '.join(errors)}")
            return 500, {
                "__type": "ServiceException",
                "message": f"double sent an invalid {operation} response",
            }
        return 200, result


class _Handler(BaseHTTPRequestHandler):
    server: LightsailDouble
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, payload = self.server.handle_call(
            self.headers.get("X-Amz-Target", ""),
            self.headers.get("Authorization", ""),
            body,
        )
        data = json.dumps(payload, default=_json_default).encode()
        self.send_response(status)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        LOG.debug(format, *args)


def start(
    host: str = "127.0.0.1", port: int = 0, **kwargs: Any
) -> tuple[LightsailDouble, threading.Thread]:
    """Start a double in a background thread; port 0 picks a free port."""
    server = LightsailDouble((host, port), **kwargs)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.1},
        name="lightsail-double",
        daemon=True,
    )
    thread.start()
    return server, thread
