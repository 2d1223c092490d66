"""Opaque global ids: base64url("<Type>:<database id>").

Clients must treat them as opaque; decoding failures never raise, so that a malformed id, an id
of another type, a missing record and a hidden record all resolve alike (to null).
"""

from __future__ import annotations

import base64
import binascii

from csm_graphql.errors import BadUserInput

MAX_ID_LENGTH = 64


def to_global_id(type_name: str, database_id: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{database_id}".encode()).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, int] | None:
    if not global_id or len(global_id) > MAX_ID_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, _, digits = raw.partition(":")
    if not type_name or not digits.isdigit() or len(digits) > 18:
        return None
    return type_name, int(digits)


def database_id(global_id: str | None, type_name: str, *, field: str) -> int | None:
    """Decode an id given as an argument (e.g. a filter); a wrong one is the client's error."""
    if global_id is None:
        return None
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] != type_name:
        raise BadUserInput(f"{field} must be the id of a {type_name}.", field=field)
    return decoded[1]


def indicator_id(engagement_id: int, indicator_definition_id: int) -> str:
    """base64url("HealthIndicator:<engagement>.<indicator definition>"): opaque, like a
    global id, and never mistaken for one (``node`` gives null for it)."""
    raw = f"HealthIndicator:{engagement_id}.{indicator_definition_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
