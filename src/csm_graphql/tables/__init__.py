"""SQLAlchemy Core table definitions, one module per area; migrations build them."""

from csm_graphql.tables.base import metadata
from csm_graphql.tables.people import (
    accounts,
    contact_relationships,
    contacts,
    partner_relationships,
    users,
)
from csm_graphql.tables.projects import (
    project_change_requests,
    project_contacts,
    project_issues,
    project_tasks,
    projects,
)
from csm_graphql.tables.records import (
    activities,
    attachments,
    audit_log,
    knowledge_articles,
    products,
    success_case_articles,
)
from csm_graphql.tables.service import (
    contracts,
    notifications,
    support_group_members,
    support_groups,
)
from csm_graphql.tables.success import (
    engagements,
    success_case_contacts,
    success_cases,
    success_initiative_contacts,
    success_initiatives,
    success_task_contacts,
    success_tasks,
    touchpoint_contacts,
    touchpoints,
)

__all__ = [
    "accounts",
    "activities",
    "attachments",
    "audit_log",
    "contact_relationships",
    "contacts",
    "contracts",
    "engagements",
    "knowledge_articles",
    "metadata",
    "notifications",
    "partner_relationships",
    "products",
    "project_change_requests",
    "project_contacts",
    "project_issues",
    "project_tasks",
    "projects",
    "success_case_articles",
    "success_case_contacts",
    "success_cases",
    "success_initiative_contacts",
    "success_initiatives",
    "success_task_contacts",
    "success_tasks",
    "support_group_members",
    "support_groups",
    "touchpoint_contacts",
    "touchpoints",
    "users",
]
