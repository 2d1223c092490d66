"""Row visibility: ``<entity>(viewer, ...) -> SQL predicate``, one function per entity.

Every read composes one of these into its WHERE clause before ORDER BY and LIMIT, so pages are
full and counts honest. Each function takes the table as a parameter (defaulting to the base
table) so that callers may alias it. A viewer with no applicable role gets ``false``: deny where
ACCESS.md is silent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    FromClause,
    Table,
    and_,
    any_,
    bindparam,
    cast,
    exists,
    false,
    or_,
    true,
)

from csm_graphql import tables as t
from csm_graphql.access.fields import allows, rule_for
from csm_graphql.access.roles import CASE_OWN_EXTERNAL, ExternalRole
from csm_graphql.access.scope import ListScope
from csm_graphql.access.viewer import Viewer
from csm_graphql.domain.cases import RelatedRecordKind
from csm_graphql.domain.enums import ActivityKind, ArticleAudience, RecordType
from csm_graphql.tables.cases import requests as request_table


def _any_of(column: ColumnElement[int], ids: Sequence[int]) -> ColumnElement[bool]:
    """``column = ANY(:ids)``: one statement text for any number of ids (plan cache friendly)."""
    return column == any_(bindparam(None, list(ids), type_=ARRAY(BigInteger)))


def my_accounts(viewer: Viewer, column: ColumnElement[int]) -> ColumnElement[bool]:
    return _any_of(column, viewer.account_ids) if viewer.account_ids else false()


# -- people and organisations -------------------------------------------------------------------


def accounts(viewer: Viewer, table: FromClause = t.accounts) -> ColumnElement[bool]:
    """Internal principals see every account (agents and proxies pick accounts); contacts
    see their own accounts."""
    if viewer.is_internal:
        return true()
    return my_accounts(viewer, table.c.id)


def contacts(viewer: Viewer, table: FromClause = t.contacts) -> ColumnElement[bool]:
    """Internal principals see every contact. A contact sees itself; roles that work with
    their colleagues (admins, case managers, success customers) see the contacts of their
    accounts."""
    if viewer.is_internal:
        return true()
    if viewer.sees_account_contacts:
        return or_(table.c.id == viewer.id, my_accounts(viewer, table.c.account_id))
    return table.c.id == viewer.id


def users(viewer: Viewer, table: FromClause = t.users) -> ColumnElement[bool]:
    """Employees are visible to employees only."""
    return true() if viewer.is_internal else false()


# -- customer success ---------------------------------------------------------------------------


def engagements(viewer: Viewer, table: FromClause = t.engagements) -> ColumnElement[bool]:
    if viewer.reads_all_success_records:
        return true()
    if viewer.reads_visible_success_records:
        return my_accounts(viewer, table.c.account_id)
    return false()


def _in_contact_filter(
    viewer: Viewer, table: FromClause, contact_list: FromClause
) -> ColumnElement[bool]:
    """The contact filter: the record's contact, plus its explicit contact list."""
    listed = exists().where(
        contact_list.c.record_id == table.c.id, contact_list.c.contact_id == viewer.id
    )
    return or_(table.c.contact_id == viewer.id, listed)


def has_success_lists(viewer: Viewer) -> bool:
    """Whether the success lists can hold anything for this viewer (ACCESS.md table: the
    internal success roles and the two external success roles; anyone else: nothing)."""
    return viewer.reads_all_success_records or viewer.reads_visible_success_records


def has_my_success_lists(viewer: Viewer) -> bool:
    """ACCESS.md: the My lists of success records are offered to the internal success roles
    (assigned to me) and to case managers (in the contact filter), not to a contact whose only
    success role is ``customer_success_customer``: its ``scope: MINE`` is an empty list. The
    ``viewer`` capabilities read this too, so a portal hides what would come back empty."""
    if viewer.reads_all_success_records:
        return True
    return has_success_lists(viewer) and ExternalRole.CUSTOMER_CASE_MANAGER in viewer.roles


def _success_record(
    viewer: Viewer, scope: ListScope, table: FromClause, contact_list: FromClause
) -> ColumnElement[bool]:
    """The rule shared by initiatives, success cases and touchpoints (ACCESS.md table)."""
    if not has_success_lists(viewer):
        return false()
    if scope is ListScope.MINE and not has_my_success_lists(viewer):
        return false()
    if viewer.reads_all_success_records:
        return true() if scope is ListScope.ALL else table.c.assigned_to_id == viewer.id
    if viewer.reads_visible_success_records:
        visible = and_(table.c.visible_to_customer, my_accounts(viewer, table.c.account_id))
        if scope is ListScope.ALL:
            return visible
        return and_(visible, _in_contact_filter(viewer, table, contact_list))
    return false()


def success_initiatives(
    viewer: Viewer, scope: ListScope = ListScope.ALL, table: FromClause = t.success_initiatives
) -> ColumnElement[bool]:
    return _success_record(viewer, scope, table, t.success_initiative_contacts)


def success_cases(
    viewer: Viewer, scope: ListScope = ListScope.ALL, table: FromClause = t.success_cases
) -> ColumnElement[bool]:
    return _success_record(viewer, scope, table, t.success_case_contacts)


def touchpoints(
    viewer: Viewer, scope: ListScope = ListScope.ALL, table: FromClause = t.touchpoints
) -> ColumnElement[bool]:
    return _success_record(viewer, scope, table, t.touchpoint_contacts)


def success_tasks(
    viewer: Viewer, scope: ListScope = ListScope.ALL, table: FromClause = t.success_tasks
) -> ColumnElement[bool]:
    """Internally like the others. Externally a task also needs its parent (initiative or
    success case) visible under the same scope: MINE follows the parent's contact filter."""
    if not has_success_lists(viewer):
        return false()
    if scope is ListScope.MINE and not has_my_success_lists(viewer):
        return false()
    if viewer.reads_all_success_records:
        return true() if scope is ListScope.ALL else table.c.assigned_to_id == viewer.id
    if not viewer.reads_visible_success_records:
        return false()
    initiative = t.success_initiatives.alias("parent_initiative")
    success_case = t.success_cases.alias("parent_success_case")
    parent_visible = or_(
        exists().where(
            initiative.c.id == table.c.initiative_id, success_initiatives(viewer, scope, initiative)
        ),
        exists().where(
            success_case.c.id == table.c.success_case_id, success_cases(viewer, scope, success_case)
        ),
    )
    return and_(
        table.c.visible_to_customer, my_accounts(viewer, table.c.account_id), parent_visible
    )


# -- customer projects ---------------------------------------------------------------------------


def _project_contact(viewer: Viewer, project_id: ColumnElement[int]) -> ColumnElement[bool]:
    return exists().where(
        t.project_contacts.c.project_id == project_id,
        t.project_contacts.c.contact_id == viewer.id,
    )


def projects(viewer: Viewer, table: FromClause = t.projects) -> ColumnElement[bool]:
    """Project workers see every project; an external viewer only the projects it is a
    contact of (its own account's, or a served customer's for a partner contact)."""
    if viewer.works_projects:
        return true()
    if viewer.is_external:
        return _project_contact(viewer, table.c.id)
    return false()


def project_references(_viewer: Viewer, _table: FromClause = t.projects) -> ColumnElement[bool]:
    """A project's number and name as a case shows them (``Case.raisedFor``): to whoever
    sees the case, including viewers who may not see the project itself (ACCESS.md
    "Customer projects": those who see a project's cases learn which project it is). Read
    only behind a case the viewer sees, never alone (the reference type is no node)."""
    return true()


def project_tasks(
    viewer: Viewer, scope: ListScope = ListScope.ALL, table: FromClause = t.project_tasks
) -> ColumnElement[bool]:
    """Externally: tasks of my projects that are visible to customers. MINE: assigned to me."""
    if viewer.works_projects:
        return true() if scope is ListScope.ALL else table.c.assigned_to_id == viewer.id
    if not viewer.is_external:
        return false()
    visible = and_(table.c.visible_to_customer, _project_contact(viewer, table.c.project_id))
    if scope is ListScope.ALL:
        return visible
    return and_(visible, table.c.assigned_contact_id == viewer.id)


def project_case_records(viewer: Viewer, table: FromClause) -> ColumnElement[bool]:
    """Change requests and issues raised for a case: externally, project contacts only."""
    if viewer.works_projects:
        return true()
    if viewer.is_external:
        return _project_contact(viewer, table.c.project_id)
    return false()


# -- records under records ----------------------------------------------------------------------
# These hang off a parent the viewer already sees (the parent's rule ran first); the predicates
# add what is specific to them and, for contacts, re-check the account as a second line.


def activities(viewer: Viewer, table: FromClause = t.activities) -> ColumnElement[bool]:
    """Work notes are internal communication: no contact, and no proxy contact (an employee
    acting for customers), ever receives one."""
    internal_kinds = [ActivityKind.WORK_NOTE.value, ActivityKind.DISCUSSION.value]
    if viewer.reads_work_notes:
        if viewer.reads_all_success_records:
            return true()
        # A discussion entry is read by the discussion's participants (and success roles).
        return or_(
            table.c.kind != ActivityKind.DISCUSSION.value, _discussion_participant(viewer, table)
        )
    if viewer.is_internal:
        return table.c.kind.not_in(internal_kinds)
    return and_(table.c.kind.not_in(internal_kinds), _journal_second_line(viewer, table))


def _discussion_participant(viewer: Viewer, activity: FromClause) -> ColumnElement[bool]:
    """The viewer takes part in the discussion a DISCUSSION entry announces (its changes name
    the discussion)."""
    participants = t.discussion_participants
    discussion_id = cast(activity.c.changes["discussionId"].astext, BigInteger)
    return exists().where(
        participants.c.discussion_id == discussion_id, participants.c.user_id == viewer.id
    )


def attachments(viewer: Viewer, table: FromClause = t.attachments) -> ColumnElement[bool]:
    return true() if viewer.is_internal else _journal_second_line(viewer, table)


def _journal_second_line(viewer: Viewer, table: FromClause) -> ColumnElement[bool]:
    """For a contact: the entry's account is one of mine (or, on a case, one whose cases I
    see), except on project records, whose
    external readers are the project's contacts (a partner contact serves another account),
    so there the project's own rule decides."""
    task = t.project_tasks.alias("journal_project_task")
    return or_(
        and_(
            table.c.record_type.notin_(_PROJECT_RECORD_TYPES),
            my_accounts(viewer, table.c.account_id),
        ),
        # Entries under a case, its work orders or a request (visible as cases are): also the
        # accounts whose cases I see (a case manager's child accounts, a partner admin's
        # customers).
        and_(
            table.c.record_type.in_(_CASE_RECORD_TYPES),
            case_accounts(viewer, table.c.account_id),
        ),
        and_(
            table.c.record_type == RecordType.PROJECT_TASK.value,
            exists().where(task.c.id == table.c.record_id, project_tasks(viewer, table=task)),
        ),
        and_(
            table.c.record_type == RecordType.PROJECT.value,
            _project_contact(viewer, table.c.record_id),
        ),
    )


_PROJECT_RECORD_TYPES = (RecordType.PROJECT.value, RecordType.PROJECT_TASK.value)
# A work order is seen by whoever sees its case (``work_orders``), so its entries follow the
# case's accounts too.
_CASE_RECORD_TYPES = (
    RecordType.CASE.value,
    RecordType.WORK_ORDER.value,
    RecordType.REQUEST.value,
)


def knowledge_articles(
    viewer: Viewer, table: FromClause = t.knowledge_articles
) -> ColumnElement[bool]:
    """Internal-audience articles never reach a contact, even when shared on a record."""
    if viewer.is_internal:
        return true()
    return table.c.audience != ArticleAudience.INTERNAL.value


def products(viewer: Viewer, table: FromClause = t.products) -> ColumnElement[bool]:
    """The product catalogue is public to every authenticated principal."""
    return true()


# -- the engagement workspace -------------------------------------------------------------------
# ACCESS.md: health, indicators, series, contract value, renewal data, risk signals, internal
# plays and their tasks, squad, account team, roll-ups and work items are internal only, and
# internal plays, their tasks and risk signals are never visible externally by any path. So
# every workspace record is read by the internal success roles alone; a contact, a case agent
# or a proxy gets ``false`` on every path (lists, node, counts, series).


def _success_internal(viewer: Viewer) -> ColumnElement[bool]:
    return true() if viewer.reads_all_success_records else false()


def health_records(viewer: Viewer, table: FromClause = t.health_indicators) -> ColumnElement[bool]:
    """Health definitions, indicators and weekly snapshots."""
    return _success_internal(viewer)


def success_objectives(
    viewer: Viewer, table: FromClause = t.success_objectives
) -> ColumnElement[bool]:
    return _success_internal(viewer)


def internal_plays(viewer: Viewer, table: FromClause = t.internal_plays) -> ColumnElement[bool]:
    return _success_internal(viewer)


def internal_play_tasks(
    viewer: Viewer, table: FromClause = t.internal_play_tasks
) -> ColumnElement[bool]:
    return _success_internal(viewer)


def risk_signals(viewer: Viewer, table: FromClause = t.risk_signals) -> ColumnElement[bool]:
    return _success_internal(viewer)


def success_plays(viewer: Viewer, table: FromClause = t.success_plays) -> ColumnElement[bool]:
    return _success_internal(viewer)


def sold_products(viewer: Viewer, table: FromClause = t.sold_products) -> ColumnElement[bool]:
    """Sold products, their weekly adoption scores and adoption roadmaps."""
    return _success_internal(viewer)


def engagement_contracts(viewer: Viewer, table: FromClause = t.contracts) -> ColumnElement[bool]:
    """Contracts as the workspace's renewal view shows them (contract value is internal)."""
    return _success_internal(viewer)


def engagement_team(viewer: Viewer, table: FromClause = t.engagement_users) -> ColumnElement[bool]:
    """Squad, account team and customer team links."""
    return _success_internal(viewer)


def templates(viewer: Viewer, table: FromClause = t.email_templates) -> ColumnElement[bool]:
    """Email and form templates are tools of the success agents."""
    return _success_internal(viewer)


def discussions(viewer: Viewer, table: FromClause = t.discussions) -> ColumnElement[bool]:
    """Participants and the internal success roles read a discussion; nobody else."""
    if viewer.reads_all_success_records:
        return true()
    if not viewer.is_internal:
        return false()
    participants = t.discussion_participants
    return exists().where(
        participants.c.discussion_id == table.c.id, participants.c.user_id == viewer.id
    )


def discussion_messages(
    viewer: Viewer, table: FromClause = t.discussion_messages
) -> ColumnElement[bool]:
    """A message is read by whoever reads its discussion."""
    discussion = t.discussions.alias("message_discussion")
    return exists().where(discussion.c.id == table.c.discussion_id, discussions(viewer, discussion))


# -- customer service cases ---------------------------------------------------------------------


def case_accounts(viewer: Viewer, column: ColumnElement[int]) -> ColumnElement[bool]:
    """The accounts all of whose cases the viewer sees (computed when the viewer is loaded)."""
    accounts = viewer.case_account_ids
    return _any_of(column, accounts) if accounts else false()


def cases(
    viewer: Viewer, scope: ListScope = ListScope.ALL, table: FromClause = t.cases
) -> ColumnElement[bool]:
    """ACCESS.md "Cases". MINE: assigned to me for internal readers; otherwise the cases I am
    the contact of (contacts) or the internal contact of (proxy contacts)."""
    if viewer.reads_all_cases:
        return true() if scope is ListScope.ALL else table.c.assigned_to_id == viewer.id
    if viewer.is_proxy_contact:
        return table.c.internal_contact_id == viewer.id
    if not viewer.has_case_role:
        return false()
    grants: list[ColumnElement[bool]] = []
    if viewer.has_any(CASE_OWN_EXTERNAL):
        grants += [table.c.contact_id == viewer.id, table.c.opened_by_contact_id == viewer.id]
    if viewer.case_account_ids:
        grants.append(case_accounts(viewer, table.c.account_id))
    visible = or_(*grants) if grants else false()
    if scope is ListScope.MINE:
        return and_(visible, table.c.contact_id == viewer.id)
    return visible


def requests(viewer: Viewer, table: FromClause = request_table) -> ColumnElement[bool]:
    """ACCESS.md: "A request raised on behalf of a customer follows the Cases rules for who
    creates and sees it." So it is the case rule (scope ALL) over the request's own contact,
    opener, internal contact and account: agents and the success roles all; a proxy contact
    those it is the internal contact of; a customer or partner those it is the contact of or
    opened; external admins and case managers those of the accounts whose cases they see."""
    return cases(viewer, ListScope.ALL, table)


def _under_a_visible_case(viewer: Viewer, table: FromClause) -> ColumnElement[bool]:
    """Records under a case are visible exactly when their case is, by every path: through
    the case's lists and by id (``node``), where no case was read first. Contacts also
    re-check the account, as a second line."""
    if viewer.reads_all_cases:
        return true()
    case = t.cases.alias("owning_case")
    visible_case = exists().where(case.c.id == table.c.case_id, cases(viewer, table=case))
    if viewer.is_internal:
        return visible_case
    second_line = or_(
        my_accounts(viewer, table.c.account_id), case_accounts(viewer, table.c.account_id)
    )
    return and_(second_line, visible_case)


def task_slas(viewer: Viewer, table: FromClause = t.task_slas) -> ColumnElement[bool]:
    return _under_a_visible_case(viewer, table)


def case_related_records(
    viewer: Viewer, table: FromClause = t.case_related_records
) -> ColumnElement[bool]:
    """Related incidents, problems and changes are internal; requests (raised for the
    customer) are visible to whoever sees the case."""
    if viewer.is_internal:
        return _under_a_visible_case(viewer, table)
    return and_(
        table.c.kind == RelatedRecordKind.REQUEST.value, _under_a_visible_case(viewer, table)
    )


def work_orders(viewer: Viewer, table: FromClause = t.work_orders) -> ColumnElement[bool]:
    """Visible to whoever sees the case. A work order without a case is a project's (or
    nobody's): project workers only, so the success roles, who read every case but nothing
    of projects, do not get it."""
    if viewer.works_projects:
        return true()
    if viewer.reads_all_cases:
        return table.c.case_id.is_not(None)
    parent = t.cases.alias("work_order_case")
    return exists().where(parent.c.id == table.c.case_id, cases(viewer, ListScope.ALL, parent))


def interactions(viewer: Viewer, table: FromClause = t.interactions) -> ColumnElement[bool]:
    """Interactions are the agents' desk: case readers only (ACCESS.md is silent: deny)."""
    return true() if viewer.reads_all_cases else false()


def _account_records(viewer: Viewer, table: FromClause) -> ColumnElement[bool]:
    """Assets, entitlements and contracts: employees see all (agents and proxies pick them for
    a case); contacts with a case role those of my accounts and of the accounts whose cases
    they see, for their case form. ACCESS.md grants the other contacts none: deny."""
    if viewer.is_internal:
        return true()
    if not viewer.has_case_role:
        return false()
    return or_(my_accounts(viewer, table.c.account_id), case_accounts(viewer, table.c.account_id))


def assets(viewer: Viewer, table: FromClause = t.assets) -> ColumnElement[bool]:
    return _account_records(viewer, table)


def entitlements(viewer: Viewer, table: FromClause = t.entitlements) -> ColumnElement[bool]:
    return _account_records(viewer, table)


def contracts(viewer: Viewer, table: FromClause = t.contracts) -> ColumnElement[bool]:
    return _account_records(viewer, table)


def product_models(viewer: Viewer, table: FromClause = t.product_models) -> ColumnElement[bool]:
    """Part of the catalogue, like products."""
    return true()


def internal_only(viewer: Viewer, table: FromClause | None = None) -> ColumnElement[bool]:
    """Schedules, SLA definitions and support groups: the service desk's own set-up."""
    return true() if viewer.is_internal else false()


# -- journal entries by id -----------------------------------------------------------------------
# Activities and attachments hang off a record, and their own rules above hold only behind
# it. Alone (``node(id:)``), an entry is visible exactly when a stream the viewer may read
# shows it: a stream is a field of its record's type (whose field rule must let the viewer
# read it) over the entries of that record, maybe of some kinds only; the record's row rule
# decides whether the viewer reaches it. Hidden and missing entries then look the same.


def _scoped_rule(
    rule: Callable[[Viewer, ListScope, FromClause], ColumnElement[bool]],
) -> Callable[[Viewer, FromClause], ColumnElement[bool]]:
    return lambda viewer, table: rule(viewer, ListScope.ALL, table)


RecordRule = Callable[[Viewer, FromClause], ColumnElement[bool]]

# The records under an engagement whose activities its timeline shows, with their row rules.
TIMELINE_RECORDS: dict[RecordType, tuple[Table, RecordRule]] = {
    RecordType.SUCCESS_INITIATIVE: (t.success_initiatives, _scoped_rule(success_initiatives)),
    RecordType.SUCCESS_CASE: (t.success_cases, _scoped_rule(success_cases)),
    RecordType.SUCCESS_TASK: (t.success_tasks, _scoped_rule(success_tasks)),
    RecordType.TOUCHPOINT: (t.touchpoints, _scoped_rule(touchpoints)),
    RecordType.SUCCESS_OBJECTIVE: (t.success_objectives, success_objectives),
    RecordType.INTERNAL_PLAY: (t.internal_plays, internal_plays),
    RecordType.INTERNAL_PLAY_TASK: (t.internal_play_tasks, internal_play_tasks),
    RecordType.RISK_SIGNAL: (t.risk_signals, risk_signals),
    RecordType.SUCCESS_PLAY: (t.success_plays, success_plays),
    RecordType.CONTRACT: (t.contracts, engagement_contracts),
}


@dataclass(frozen=True, slots=True)
class Stream:
    """``<type_name>.<field>``: the entries of one record of ``record_type`` (``table``,
    read under ``rule``), of ``kinds`` only when given."""

    type_name: str
    field: str
    record_type: RecordType
    table: Table
    rule: RecordRule
    kinds: tuple[str, ...] = ()


_COMMENTS = (ActivityKind.COMMENT.value,)
_CASE = (t.cases, _scoped_rule(cases))
_SUCCESS_CASE = TIMELINE_RECORDS[RecordType.SUCCESS_CASE]
_SUCCESS_TASK = TIMELINE_RECORDS[RecordType.SUCCESS_TASK]
_TOUCHPOINT = TIMELINE_RECORDS[RecordType.TOUCHPOINT]
_PROJECT = (t.projects, projects)
_PROJECT_TASK = (t.project_tasks, _scoped_rule(project_tasks))
# Requests are seen as cases are (ACCESS.md), so their streams follow the case's.
_REQUEST = (request_table, requests)

# Every activity stream but the engagement's timeline (which spans the records under it).
ACTIVITY_STREAMS = (
    Stream("Case", "activities", RecordType.CASE, *_CASE),
    Stream("Case", "comments", RecordType.CASE, *_CASE, _COMMENTS),
    Stream("Case", "workNotes", RecordType.CASE, *_CASE, (ActivityKind.WORK_NOTE.value,)),
    Stream("SuccessCase", "activities", RecordType.SUCCESS_CASE, *_SUCCESS_CASE),
    Stream("SuccessTask", "activities", RecordType.SUCCESS_TASK, *_SUCCESS_TASK),
    Stream("SuccessTask", "comments", RecordType.SUCCESS_TASK, *_SUCCESS_TASK, _COMMENTS),
    Stream("Touchpoint", "activities", RecordType.TOUCHPOINT, *_TOUCHPOINT),
    Stream("Project", "activities", RecordType.PROJECT, *_PROJECT),
    Stream("ProjectTask", "activities", RecordType.PROJECT_TASK, *_PROJECT_TASK),
    Stream("ProjectTask", "comments", RecordType.PROJECT_TASK, *_PROJECT_TASK, _COMMENTS),
    Stream("Request", "activities", RecordType.REQUEST, *_REQUEST),
    Stream("Request", "comments", RecordType.REQUEST, *_REQUEST, _COMMENTS),
    Stream("Request", "workNotes", RecordType.REQUEST, *_REQUEST, (ActivityKind.WORK_NOTE.value,)),
)
ATTACHMENT_STREAMS = (
    Stream("Engagement", "attachments", RecordType.ENGAGEMENT, t.engagements, engagements),
    Stream("Case", "attachments", RecordType.CASE, *_CASE),
    Stream("SuccessCase", "attachments", RecordType.SUCCESS_CASE, *_SUCCESS_CASE),
    Stream("SuccessTask", "attachments", RecordType.SUCCESS_TASK, *_SUCCESS_TASK),
    Stream("Touchpoint", "attachments", RecordType.TOUCHPOINT, *_TOUCHPOINT),
    Stream("Request", "attachments", RecordType.REQUEST, *_REQUEST),
    Stream("WorkOrder", "attachments", RecordType.WORK_ORDER, t.work_orders, work_orders),
)
TIMELINE = ("Engagement", "timeline")


def _in_streams(
    viewer: Viewer, entry: FromClause, streams: Sequence[Stream]
) -> list[ColumnElement[bool]]:
    shown: list[ColumnElement[bool]] = []
    for stream in streams:
        if not allows(rule_for(stream.type_name, stream.field), viewer):
            continue
        record = stream.table.alias(f"stream_{stream.record_type.value}")
        conditions = [
            entry.c.record_type == stream.record_type.value,
            exists().where(record.c.id == entry.c.record_id, stream.rule(viewer, record)),
        ]
        if stream.kinds:
            conditions.append(entry.c.kind.in_(stream.kinds))
        shown.append(and_(*conditions))
    return shown


def _in_a_timeline(viewer: Viewer, entry: FromClause) -> list[ColumnElement[bool]]:
    """The engagement's timeline: entries of a visible engagement, or of a visible record
    under it, that carry the engagement's account (as ``repositories.workspace`` reads it)."""
    if not allows(rule_for(*TIMELINE), viewer):
        return []
    engagement = t.engagements.alias("timeline_engagement")
    of_engagement = [engagement.c.account_id == entry.c.account_id, engagements(viewer, engagement)]
    shown = [
        and_(
            entry.c.record_type == RecordType.ENGAGEMENT.value,
            exists().where(engagement.c.id == entry.c.record_id, *of_engagement),
        )
    ]
    for record_type, (table, rule) in TIMELINE_RECORDS.items():
        record = table.alias(f"timeline_{record_type.value}")
        shown.append(
            and_(
                entry.c.record_type == record_type.value,
                # Joined, not compared in WHERE: a constant rule (false) folds the WHERE.
                exists()
                .select_from(record.join(engagement, engagement.c.id == record.c.engagement_id))
                .where(record.c.id == entry.c.record_id, rule(viewer, record), *of_engagement),
            )
        )
    return shown


def activity_alone(viewer: Viewer, table: FromClause = t.activities) -> ColumnElement[bool]:
    """An activity by id: visible exactly when one of its streams shows it to the viewer."""
    shown = [*_in_streams(viewer, table, ACTIVITY_STREAMS), *_in_a_timeline(viewer, table)]
    return and_(activities(viewer, table), or_(false(), *shown))


def attachment_alone(viewer: Viewer, table: FromClause = t.attachments) -> ColumnElement[bool]:
    """An attachment by id: visible exactly when a record's attachments show it."""
    shown = _in_streams(viewer, table, ATTACHMENT_STREAMS)
    return and_(attachments(viewer, table), or_(false(), *shown))


__all__ = [
    "ACTIVITY_STREAMS",
    "ATTACHMENT_STREAMS",
    "TIMELINE_RECORDS",
    "Stream",
    "accounts",
    "activities",
    "activity_alone",
    "assets",
    "attachment_alone",
    "attachments",
    "case_accounts",
    "case_related_records",
    "cases",
    "contacts",
    "contracts",
    "discussion_messages",
    "discussions",
    "engagement_contracts",
    "engagement_team",
    "engagements",
    "entitlements",
    "has_my_success_lists",
    "has_success_lists",
    "health_records",
    "interactions",
    "internal_only",
    "internal_play_tasks",
    "internal_plays",
    "knowledge_articles",
    "my_accounts",
    "product_models",
    "products",
    "project_case_records",
    "project_tasks",
    "projects",
    "requests",
    "risk_signals",
    "sold_products",
    "success_cases",
    "success_initiatives",
    "success_objectives",
    "success_plays",
    "success_tasks",
    "task_slas",
    "templates",
    "touchpoints",
    "users",
    "work_orders",
]
