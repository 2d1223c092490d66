"""Descriptions of enum values, written next to the enums themselves.

An enum member cannot carry a docstring, and the domain's enums are plain ``StrEnum`` /
``IntEnum`` classes that the database, the services and GraphQL share, so their values must stay
plain. ``@describe_values(NAME="...", ...)`` records one description per member (all of them,
no others: a typo fails at import) without touching the members. The GraphQL schema reads them
through :func:`value_description`; so could any other consumer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from types import MappingProxyType
from typing import TypeVar

EnumT = TypeVar("EnumT", bound=type[Enum])

_DESCRIPTIONS: dict[type[Enum], Mapping[str, str]] = {}


def describe_values(**descriptions: str) -> Callable[[EnumT], EnumT]:
    """Class decorator: a description for every member of the decorated enum."""

    def attach(enum_class: EnumT) -> EnumT:
        names = set(enum_class.__members__)
        missing, unknown = names - descriptions.keys(), descriptions.keys() - names
        if missing or unknown:
            raise TypeError(
                f"{enum_class.__name__}: describe every value and no other "
                f"(missing {sorted(missing)}, unknown {sorted(unknown)})"
            )
        if not all(text.strip() for text in descriptions.values()):
            raise TypeError(f"{enum_class.__name__}: an empty description")
        _DESCRIPTIONS[enum_class] = MappingProxyType(dict(descriptions))
        return enum_class

    return attach


def value_description(enum_class: type[Enum], name: str) -> str | None:
    """The description of one member; a member whose value is itself a described enum member
    (a GraphQL sort enum offering a subset of a repository's sort keys) shares its description."""
    own = _DESCRIPTIONS.get(enum_class, {}).get(name)
    if own is not None:
        return own
    value = enum_class[name].value
    if isinstance(value, Enum):
        return value_description(type(value), value.name)
    return None


__all__ = ["describe_values", "value_description"]
