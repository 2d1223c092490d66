"""Strawberry permission classes generated from the field-rule table (access/fields.py).

``@field_rules`` goes on top of ``@strawberry.type``: every field whose rule is not PUBLIC gets a
silent permission extension (null or an empty list when denied, never an error that would reveal
data), and its description says so. Unclassified fields are denied.
"""

from __future__ import annotations

from typing import Any, TypeVar

from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types.base import get_object_definition
from strawberry.utils.str_converters import to_camel_case

from csm_graphql.access.fields import FieldRule, allows, rule_for
from csm_graphql.graphql.context import Info

T = TypeVar("T", bound=type)

NOTES = {
    FieldRule.INTERNAL: "Internal only: null (or empty) for external viewers.",
    None: "Not classified in access/fields.py: denied to everyone.",
}


class RulePermission(BasePermission):
    """Allows the field when its rule allows the request's viewer."""

    message = "Not available to this viewer."

    def __init__(self, rule: FieldRule | None) -> None:
        self.rule = rule

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return bool(allows(self.rule, info.context.viewer))


def field_rules(cls: T) -> T:
    definition = get_object_definition(cls, strict=True)
    for field in definition.fields:
        name = field.graphql_name or to_camel_case(field.python_name)
        rule = rule_for(definition.name, name)
        if rule is FieldRule.PUBLIC:
            continue
        field.extensions.append(
            PermissionExtension([RulePermission(rule)], use_directives=False, fail_silently=True)
        )
        field.description = f"{field.description or ''} {NOTES[rule]}".strip()
    return cls
