"""Strict parsing of user input: the user id path segment and the query string."""

from __future__ import annotations

from urllib.parse import parse_qsl

from .engine import MAX_K

DEFAULT_K = 10
MAX_USER_ID = 2**64 - 1


class BadRequest(ValueError):
    """User input that the contract answers with 400 and this one-line reason."""


def parse_user_id(segment: str) -> int:
    """A user id is 1 to 20 ASCII digits with a value below 2**64 (unsigned 64-bit)."""
    if not segment:
        raise BadRequest("missing user id")
    if not (segment.isascii() and segment.isdigit()):
        raise BadRequest("user id must be a non-negative integer")
    if len(segment) > 20 or int(segment) > MAX_USER_ID:
        raise BadRequest("user id must fit in 64 bits")
    return int(segment)


def parse_k(query_string: bytes) -> int:
    """``k`` from the query string: 1..MAX_K, default DEFAULT_K; other parameters are ignored."""
    if not query_string:
        return DEFAULT_K
    try:
        text = query_string.decode("ascii")
    except UnicodeDecodeError:
        raise BadRequest("query string must be ASCII") from None
    values = [v for name, v in parse_qsl(text, keep_blank_values=True) if name == "k"]
    if not values:
        return DEFAULT_K
    if len(values) > 1:
        raise BadRequest("k given more than once")
    raw = values[0]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 3 or not 1 <= int(raw) <= MAX_K:
        raise BadRequest(f"k must be an integer from 1 to {MAX_K}")
    return int(raw)
