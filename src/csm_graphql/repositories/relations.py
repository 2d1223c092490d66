"""Reads of relations that are not a plain foreign key: contact filters, a contact's accounts,
articles shared on success cases."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    RowMapping,
    Table,
    any_,
    bindparam,
    literal,
    select,
    union,
)

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.access.scope import ListScope
from csm_graphql.access.viewer import Viewer
from csm_graphql.repositories import paging
from csm_graphql.repositories.case_relations import LINKED_AT_DESC
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.entities import Entity, data_columns
from csm_graphql.repositories.paging import Ordering, Page, PageRequest


def _ids(name: str, ids: Sequence[int]) -> object:
    return any_(bindparam(name, list(ids), type_=ARRAY(BigInteger)))


# The side tables that hold each customer-success record's explicit contact list.
CONTACT_LISTS = {
    "success_initiatives": t.success_initiative_contacts,
    "success_cases": t.success_case_contacts,
    "success_tasks": t.success_task_contacts,
    "touchpoints": t.touchpoint_contacts,
}


async def linked_rows(
    db: Database,
    viewer: Viewer,
    target: Entity,
    link: Table,
    parent_key: str,
    target_key: str,
    parent_ids: Sequence[int],
) -> dict[int, list[RowMapping]]:
    """Each parent's ``target`` rows listed in ``link``, under the target's rule, in its
    default ordering (one statement for every parent)."""
    table, ordering = target.table, target.default_ordering
    key, tiebreak = ordering.key(table), ordering.tiebreak(table)
    order: list[ColumnElement[Any]] = (
        [key.desc(), tiebreak.desc()] if ordering.descending else [key, tiebreak]
    )
    statement = (
        select(link.c[parent_key].label(_PARENT), *target.columns)
        .join(link, link.c[target_key] == table.c.id)
        .where(
            link.c[parent_key] == _ids("parent_ids", parent_ids),
            target.visible(viewer, ListScope.ALL, table),
        )
        .order_by(link.c[parent_key], *order)
    )
    grouped: dict[int, list[RowMapping]] = defaultdict(list)
    for row in await db.rows(statement):
        grouped[row[_PARENT]].append(row)
    return grouped


# The parent's id in linked_rows' rows (no column of a target is named so).
_PARENT = "_linked_parent_id"


async def contact_filters(
    db: Database, viewer: Viewer, record_table: Table, record_ids: Sequence[int]
) -> dict[int, list[RowMapping]]:
    """Each record's contact filter: its ``contact`` plus its explicit list, deduplicated."""
    contact, contact_list = t.contacts, CONTACT_LISTS[record_table.name]
    statement = union(
        select(record_table.c.id.label("record_id"), *data_columns(contact))
        .join(contact, contact.c.id == record_table.c.contact_id)
        .where(record_table.c.id == _ids("record_ids", record_ids), rows.contacts(viewer)),
        select(contact_list.c.record_id, *data_columns(contact))
        .join(contact, contact.c.id == contact_list.c.contact_id)
        .where(contact_list.c.record_id == _ids("listed_ids", record_ids), rows.contacts(viewer)),
    )
    grouped: dict[int, list[RowMapping]] = defaultdict(list)
    for row in await db.rows(statement.order_by("record_id", "name", "id")):
        grouped[row["record_id"]].append(row)
    return grouped


async def contact_accounts(
    db: Database, viewer: Viewer, contact_ids: Sequence[int]
) -> dict[int, list[RowMapping]]:
    """A contact's accounts: its own, then those of its contact relationships."""
    account, contact, related = t.accounts, t.contacts, t.contact_relationships
    own = select(
        contact.c.id.label("contact_id"), literal(0).label("rank"), *data_columns(account)
    ).join(account, account.c.id == contact.c.account_id)
    granted = select(related.c.contact_id, literal(1).label("rank"), *data_columns(account)).join(
        account, account.c.id == related.c.account_id
    )
    statement = union(
        own.where(contact.c.id == _ids("own_ids", contact_ids), rows.accounts(viewer)),
        granted.where(
            related.c.contact_id == _ids("granted_ids", contact_ids), rows.accounts(viewer)
        ),
    ).order_by("contact_id", "rank", "name", "id")
    grouped: dict[int, list[RowMapping]] = defaultdict(list)
    for row in await db.rows(statement):
        grouped[row["contact_id"]].append(row)
    return grouped


SHARED_AT_DESC = Ordering(
    "SHARED_AT_DESC",
    key=lambda _: t.success_case_articles.c.shared_at,
    descending=True,
    tiebreak=lambda _: t.knowledge_articles.c.id,
)


async def shared_articles(
    db: Database, viewer: Viewer, success_case_ids: Sequence[int], request: PageRequest
) -> dict[int, Page]:
    """Articles shared on each success case, newest share first; the article's audience rule
    applies (internal articles never reach contacts, even when shared)."""
    shared = t.knowledge_articles.join(
        t.success_case_articles, t.success_case_articles.c.article_id == t.knowledge_articles.c.id
    )
    return await paging.fetch_child_pages(
        db,
        shared,
        data_columns(t.knowledge_articles),
        t.success_case_articles.c.success_case_id,
        success_case_ids,
        [rows.knowledge_articles(viewer)],
        SHARED_AT_DESC,
        request,
    )


CONTACT_NAME = Ordering(
    "NAME_ASC", key=lambda _: t.contacts.c.name, tiebreak=lambda _: t.contacts.c.id
)


async def project_contacts(
    db: Database, viewer: Viewer, project_ids: Sequence[int], request: PageRequest
) -> dict[int, Page]:
    """Each project's contacts, by name; the contact directory rule applies (a plain customer
    sees itself among them, not its colleagues)."""
    listed = t.contacts.join(t.project_contacts, t.project_contacts.c.contact_id == t.contacts.c.id)
    return await paging.fetch_child_pages(
        db,
        listed,
        data_columns(t.contacts),
        t.project_contacts.c.project_id,
        project_ids,
        [rows.contacts(viewer)],
        CONTACT_NAME,
        request,
    )


MEMBER_NAME = Ordering("NAME_ASC", key=lambda _: t.users.c.name, tiebreak=lambda _: t.users.c.id)


async def support_group_members(
    db: Database, viewer: Viewer, group_ids: Sequence[int], request: PageRequest
) -> dict[int, Page]:
    """Each support group's members, by name; the users rule applies (employees only), on top
    of the groups' own internal-only rule that decides who reaches a group at all."""
    listed = t.users.join(
        t.support_group_members, t.support_group_members.c.user_id == t.users.c.id
    )
    return await paging.fetch_child_pages(
        db,
        listed,
        data_columns(t.users),
        t.support_group_members.c.support_group_id,
        group_ids,
        [rows.users(viewer)],
        MEMBER_NAME,
        request,
    )


# The order of the link-table lists their loaders above read (``link_many`` fields), by link
# table: the compiled reads page them alike. A link table missing here is not compiled.
LINK_ORDERINGS: dict[str, Ordering] = {
    t.success_case_articles.name: SHARED_AT_DESC,
    t.project_contacts.name: CONTACT_NAME,
    t.support_group_members.name: MEMBER_NAME,
    t.case_articles.name: LINKED_AT_DESC,
}
