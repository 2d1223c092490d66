"""User errors: what a mutation reports when the input or the record's state refuses it.

They are raised inside a unit of work, so the transaction rolls back and nothing is written,
and they reach the client in the payload's ``userErrors`` (not the response's ``errors``),
because they are answers about the client's data, not failures of the request.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from csm_graphql.domain.descriptions import describe_values


@describe_values(
    BAD_USER_INPUT="An input is invalid; `field` names it.",
    NOT_FOUND="The record does not exist or the viewer may not see it: the two look the same.",
    FORBIDDEN="The viewer sees the record but may not make this change.",
    STALE_VERSION=(
        "`expectedVersion` is not the record's version: someone changed it since it was read."
        " Read it again."
    ),
    INVALID_STATE=(
        "The record's state does not allow this: an invalid transition, or a closed record."
    ),
)
class UserErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    # The record does not exist or the viewer may not see it: the two look the same.
    NOT_FOUND = "NOT_FOUND"
    # The viewer sees the record but may not make this change.
    FORBIDDEN = "FORBIDDEN"
    # expectedVersion is not the record's version: someone changed it since it was read.
    STALE_VERSION = "STALE_VERSION"
    # The record's state does not allow this (an invalid transition, a closed record).
    INVALID_STATE = "INVALID_STATE"


class UserError(Exception):
    def __init__(self, code: UserErrorCode, message: str, field: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = tuple(field)

    def __repr__(self) -> str:
        return f"UserError({self.code}, {self.message!r}, field={self.field!r})"


class UserErrors(Exception):
    """Several problems found at once (e.g. every invalid field of an input)."""

    def __init__(self, errors: Sequence[UserError]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = tuple(errors)


def not_found(what: str, field: Sequence[str] = ("id",)) -> UserError:
    return UserError(UserErrorCode.NOT_FOUND, f"No {what} with this id.", field)


def forbidden(message: str, field: Sequence[str] = ()) -> UserError:
    return UserError(UserErrorCode.FORBIDDEN, message, field)


def bad_input(message: str, field: Sequence[str] = ()) -> UserError:
    return UserError(UserErrorCode.BAD_USER_INPUT, message, field)


def invalid_state(message: str, field: Sequence[str] = ()) -> UserError:
    return UserError(UserErrorCode.INVALID_STATE, message, field)
