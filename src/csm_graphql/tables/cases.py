"""Customer service cases and the records around them (DOMAIN.md section 4).

Every record that belongs to a customer account carries ``account_id`` (the case's account for
records under a case), so access predicates stay join-free. Composite foreign keys pin an
asset or entitlement to the case's account, and a case's SLAs, work orders and related records
to the case's account.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Sequence,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

from csm_graphql.domain.cases import (
    PRIORITY_SQL,
    RELATED_RECORD_PREFIXES,
    REQUEST_NUMBER_PREFIX,
    CaseChannel,
    CaseState,
    InteractionChannel,
    InteractionState,
    RelatedRecordKind,
    RequestState,
    ResolutionCode,
    SlaStage,
    SlaTarget,
    WorkOrderState,
)
from csm_graphql.tables.base import id_column, metadata, number_column, one_of, record_columns

case_number_seq = Sequence("case_number_seq", metadata=metadata)
product_model_number_seq = Sequence("product_model_number_seq", metadata=metadata)
asset_number_seq = Sequence("asset_number_seq", metadata=metadata)
entitlement_number_seq = Sequence("entitlement_number_seq", metadata=metadata)
work_order_number_seq = Sequence("work_order_number_seq", metadata=metadata)
interaction_number_seq = Sequence("interaction_number_seq", metadata=metadata)
request_number_seq = Sequence("request_number_seq", metadata=metadata)


def _account_scoped(table: str, column: str, target: str) -> ForeignKeyConstraint:
    """A reference that also pins the record to the target's account."""
    return ForeignKeyConstraint(
        [column, "account_id"],
        [f"{target}.id", f"{target}.account_id"],
        name=f"fk_{table}_{column}_same_account",
    )


product_models = Table(
    "product_models",
    metadata,
    id_column(),
    number_column(product_model_number_seq, "PM"),
    Column("name", Text, nullable=False),
    Column("product_id", BigInteger, ForeignKey("products.id"), nullable=False, index=True),
    Column("manufacturer", Text, nullable=True),
    *record_columns(),
)

# An install of a product model at an account.
assets = Table(
    "assets",
    metadata,
    id_column(),
    number_column(asset_number_seq, "AST"),
    Column("name", Text, nullable=False),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("product_model_id", BigInteger, ForeignKey("product_models.id"), nullable=False),
    Column("serial_number", Text, nullable=True),
    Column("installed_on", Date, nullable=True),
    *record_columns(),
    UniqueConstraint("id", "account_id", name="uq_assets_id_account"),
)

# Working hours SLAs are measured against.
schedules = Table(
    "schedules",
    metadata,
    id_column(),
    Column("name", Text, nullable=False, unique=True),
    Column("time_zone", Text, nullable=False, server_default="UTC"),
    Column("hours", Text, nullable=False),  # e.g. "Mon-Fri 08:00-18:00"
    *record_columns(),
)

entitlements = Table(
    "entitlements",
    metadata,
    id_column(),
    number_column(entitlement_number_seq, "ENT"),
    Column("name", Text, nullable=False),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("product_id", BigInteger, ForeignKey("products.id"), nullable=True),
    Column("contract_id", BigInteger, ForeignKey("contracts.id"), nullable=True),
    Column("schedule_id", BigInteger, ForeignKey("schedules.id"), nullable=True),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    *record_columns(),
    UniqueConstraint("id", "account_id", name="uq_entitlements_id_account"),
    CheckConstraint("end_date >= start_date", name="ends_after_start"),
)

sla_definitions = Table(
    "sla_definitions",
    metadata,
    id_column(),
    Column("name", Text, nullable=False, unique=True),
    Column("target", Text, nullable=False),
    # When it applies: to cases of this priority and, when set, of this contract and this
    # entitlement too; a case runs every definition that applies to it (services/case_slas.py).
    Column("priority", SmallInteger, nullable=False),
    Column("contract_id", BigInteger, ForeignKey("contracts.id"), nullable=True),
    Column("entitlement_id", BigInteger, ForeignKey("entitlements.id"), nullable=True),
    Column("duration_minutes", Integer, nullable=False),
    Column("schedule_id", BigInteger, ForeignKey("schedules.id"), nullable=True),
    *record_columns(),
    one_of("target", SlaTarget),
    CheckConstraint("duration_minutes > 0", name="duration_positive"),
)

CASE_SEARCH_DOCUMENT = (
    "to_tsvector('english', number || ' ' || short_description || ' ' || coalesce(description, ''))"
)

cases = Table(
    "cases",
    metadata,
    id_column(),
    number_column(case_number_seq, "CS"),
    Column("channel", Text, nullable=False, server_default="WEB"),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("contact_id", BigInteger, ForeignKey("contacts.id"), nullable=True, index=True),
    # The consumer is free text (ours): the end customer of a B2B2C case, who has no contact
    # record; a name and an email are enough to reach them.
    Column("consumer_name", Text, nullable=True),
    Column("consumer_email", Text, nullable=True),
    # The proxy-contact employee who raised (and follows) the case for the customer.
    Column("internal_contact_id", BigInteger, ForeignKey("users.id"), nullable=True, index=True),
    Column("opened_by_user_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column(
        "opened_by_contact_id", BigInteger, ForeignKey("contacts.id"), nullable=True, index=True
    ),
    Column("asset_id", BigInteger, nullable=True),
    Column("product_id", BigInteger, ForeignKey("products.id"), nullable=True),
    Column("category", Text, nullable=True),
    Column("impact", SmallInteger, nullable=False, server_default="2"),
    Column("urgency", SmallInteger, nullable=False, server_default="2"),
    # Derived from impact x urgency (domain/cases.py PRIORITY_MATRIX); never written.
    Column("priority", SmallInteger, Computed(PRIORITY_SQL, persisted=True), nullable=False),
    Column("share_resolution_notes", Boolean, nullable=False, server_default=text("false")),
    Column("state", Text, nullable=False, server_default="NEW"),
    Column("support_group_id", BigInteger, ForeignKey("support_groups.id"), nullable=True),
    Column("assigned_to_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("contract_id", BigInteger, ForeignKey("contracts.id"), nullable=True),
    Column("entitlement_id", BigInteger, nullable=True),
    Column("parent_id", BigInteger, ForeignKey("cases.id"), nullable=True, index=True),
    # A case raised for a customer project (of the case's account), or for one of its tasks.
    Column("project_id", BigInteger, nullable=True, index=True),
    Column("project_task_id", BigInteger, nullable=True, index=True),
    Column("short_description", Text, nullable=False),
    Column("description", Text, nullable=True),
    Column("resolution_code", Text, nullable=True),
    Column("resolution_notes", Text, nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("search_vector", TSVECTOR, Computed(CASE_SEARCH_DOCUMENT, persisted=True)),
    *record_columns(),
    _account_scoped("cases", "asset_id", "assets"),
    _account_scoped("cases", "entitlement_id", "entitlements"),
    _account_scoped("cases", "project_id", "projects"),
    # The task is one of the project's (a task without its project would escape that check).
    ForeignKeyConstraint(
        ["project_task_id", "project_id"],
        ["project_tasks.id", "project_tasks.project_id"],
        name="fk_cases_project_task_of_project",
    ),
    CheckConstraint("project_task_id IS NULL OR project_id IS NOT NULL", name="task_has_project"),
    UniqueConstraint("id", "account_id", name="uq_cases_id_account"),
    one_of("channel", CaseChannel),
    one_of("state", CaseState),
    one_of("resolution_code", ResolutionCode),
    CheckConstraint("impact BETWEEN 1 AND 3", name="impact_valid"),
    CheckConstraint("urgency BETWEEN 1 AND 3", name="urgency_valid"),
    CheckConstraint(
        "num_nonnulls(opened_by_user_id, opened_by_contact_id) <= 1", name="one_opener"
    ),
    CheckConstraint("parent_id IS DISTINCT FROM id", name="not_own_parent"),
    Index("ix_cases_account_number", "account_id", "number"),
    Index("ix_cases_assigned", "assigned_to_id", "number"),
    Index("ix_cases_updated", "updated_at", "id"),
    Index("ix_cases_priority", "priority", "id"),
    Index("ix_cases_search", "search_vector", postgresql_using="gin"),
)

# Employees kept informed of a case (notified on its events).
case_informed_users = Table(
    "case_informed_users",
    metadata,
    Column("case_id", BigInteger, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True, index=True),
)

task_slas = Table(
    "task_slas",
    metadata,
    id_column(),
    Column("case_id", BigInteger, nullable=False),
    Column("account_id", BigInteger, nullable=False, index=True),
    Column("sla_definition_id", BigInteger, ForeignKey("sla_definitions.id"), nullable=False),
    Column("stage", Text, nullable=False, server_default="IN_PROGRESS"),
    Column("start_at", DateTime(timezone=True), nullable=False),
    Column("planned_end_at", DateTime(timezone=True), nullable=False),
    # Time spent paused before the current pause; ``paused_at`` is set while paused.
    Column("paused_seconds", Integer, nullable=False, server_default="0"),
    Column("paused_at", DateTime(timezone=True), nullable=True),
    Column("stopped_at", DateTime(timezone=True), nullable=True),
    *record_columns(),
    _account_scoped("task_slas", "case_id", "cases"),
    one_of("stage", SlaStage),
    CheckConstraint("planned_end_at > start_at", name="ends_after_start"),
    # A case's SLAs in their list order (Case.slas: by creation, then id); migration 0016.
    Index("ix_task_slas_case_created", "case_id", "created_at", "id"),
)

_related_number = "CASE kind " + " ".join(
    f"WHEN '{kind.value}' THEN '{prefix}'" for kind, prefix in RELATED_RECORD_PREFIXES.items()
)

# Incidents, problems, changes and requests raised from a case: one table with a kind; each
# numbers with its kind's prefix (INC0000012), computed from the id.
case_related_records = Table(
    "case_related_records",
    metadata,
    id_column(),
    Column(
        "number",
        Text,
        Computed(f"({_related_number} END) || lpad(id::text, 7, '0')", persisted=True),
        nullable=False,
    ),
    Column("case_id", BigInteger, nullable=False),
    Column("account_id", BigInteger, nullable=False, index=True),
    Column("kind", Text, nullable=False),
    Column("short_description", Text, nullable=False),
    Column("state", Text, nullable=False, server_default="NEW"),
    Column("opened_by_user_id", BigInteger, ForeignKey("users.id"), nullable=True),
    *record_columns(),
    _account_scoped("case_related_records", "case_id", "cases"),
    one_of("kind", RelatedRecordKind),
    Index("ix_case_related_records_case", "case_id", "kind", "id"),
)

# Knowledge articles linked to a case (its "knowledge" related list).
case_articles = Table(
    "case_articles",
    metadata,
    Column("case_id", BigInteger, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "article_id", BigInteger, ForeignKey("knowledge_articles.id"), primary_key=True, index=True
    ),
    Column("linked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

work_orders = Table(
    "work_orders",
    metadata,
    id_column(),
    number_column(work_order_number_seq, "WO"),
    Column("case_id", BigInteger, nullable=True, index=True),
    Column("project_id", BigInteger, nullable=True, index=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("short_description", Text, nullable=False),
    Column("state", Text, nullable=False, server_default="DRAFT"),
    Column("assigned_to_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("scheduled_at", DateTime(timezone=True), nullable=True),
    *record_columns(),
    _account_scoped("work_orders", "case_id", "cases"),
    _account_scoped("work_orders", "project_id", "projects"),
    one_of("state", WorkOrderState),
)

# What an agent opens when a customer calls, chats, emails or walks in, before a case exists.
interactions = Table(
    "interactions",
    metadata,
    id_column(),
    number_column(interaction_number_seq, "IMS"),
    Column("channel", Text, nullable=False),
    Column("state", Text, nullable=False, server_default="NEW"),
    Column("opened_for_user_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=True, index=True),
    Column("contact_id", BigInteger, ForeignKey("contacts.id"), nullable=True),
    Column("case_id", BigInteger, ForeignKey("cases.id"), nullable=True, index=True),
    Column("assigned_to_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("short_description", Text, nullable=True),
    *record_columns(),
    one_of("channel", InteractionChannel),
    one_of("state", InteractionState),
)

# A customer's ask for something to be provided (DOMAIN.md "Request"), raised by the contact
# or on its behalf (a proxy contact, an agent, an external admin). Its visibility columns are
# the case's (contact, opener, internal contact, account), so access.rows.requests applies the
# case rule to it unchanged.
requests = Table(
    "requests",
    metadata,
    id_column(),
    number_column(request_number_seq, REQUEST_NUMBER_PREFIX),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("contact_id", BigInteger, ForeignKey("contacts.id"), nullable=False, index=True),
    Column("internal_contact_id", BigInteger, ForeignKey("users.id"), nullable=True, index=True),
    Column("opened_by_user_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column(
        "opened_by_contact_id", BigInteger, ForeignKey("contacts.id"), nullable=True, index=True
    ),
    Column("asset_id", BigInteger, nullable=True),
    Column("product_id", BigInteger, ForeignKey("products.id"), nullable=True),
    Column("short_description", Text, nullable=False),
    Column("description", Text, nullable=True),
    Column("state", Text, nullable=False, server_default=RequestState.SUBMITTED.value),
    *record_columns(),
    _account_scoped("requests", "asset_id", "assets"),
    one_of("state", RequestState),
)
