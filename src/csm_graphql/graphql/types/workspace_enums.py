"""The workspace vocabularies as GraphQL enums, registered once, before any type uses them.

(Strawberry would otherwise derive a second definition from a plain enum annotation.)
"""

from __future__ import annotations

from enum import Enum

import strawberry

from csm_graphql.domain.adoption import AdoptionCategory
from csm_graphql.domain.blueprint import ClosureCode
from csm_graphql.domain.health import Direction
from csm_graphql.domain.workspace import (
    Criticality,
    PlaySource,
    Probability,
    RiskScope,
    RiskState,
    TeamRole,
    TemplateTarget,
    UsagePlan,
    WorkItemKind,
)

ENUM_DESCRIPTIONS: dict[type[Enum], str] = {
    Probability: "How likely a risk is, VERY_HIGH first.",
    RiskState: "State of a risk signal.",
    RiskScope: "What a risk threatens.",
    UsagePlan: "Activation status of a sold product, ACTIVATED first.",
    Criticality: "Customer priority or business criticality, CRITICAL first.",
    TeamRole: "Which engagement team an employee is on.",
    PlaySource: "What a success play was launched from.",
    WorkItemKind: "The kinds of record that make up an engagement's work items.",
    TemplateTarget: "The records a template applies to.",
    ClosureCode: "How closed work ended: achieved, partially achieved, missed or canceled.",
    AdoptionCategory: "Adoption band of a weekly score; NONE when there is no score.",
    Direction: "Whether an indicator is better high (MAXIMIZE) or low (MINIMIZE).",
}
for enum_class, description in ENUM_DESCRIPTIONS.items():
    strawberry.enum(enum_class, description=description)
