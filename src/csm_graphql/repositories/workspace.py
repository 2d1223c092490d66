"""Reads of the engagement workspace that are not a plain page of one table: health readings,
weekly series, adoption, success rates, work items, the customer timeline, teams, roll-ups and
knowledge recommendations.

Each takes a batch of parent ids and costs one statement, whatever the number of parents, and
each starts from the ``access.rows`` predicates of every table it reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    FromClause,
    RowMapping,
    Select,
    and_,
    any_,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.access.scope import ListScope
from csm_graphql.access.viewer import Viewer
from csm_graphql.domain.enums import RecordType
from csm_graphql.domain.health import Direction, Indicator
from csm_graphql.domain.workspace import WorkItemKind
from csm_graphql.repositories import paging
from csm_graphql.repositories.checks import RowReader
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.entities import Entity, data_columns
from csm_graphql.repositories.paging import Ordering, Page, PageRequest


def _ids(name: str, ids: Sequence[int]) -> Any:
    return any_(bindparam(name, list(ids), type_=ARRAY(BigInteger)))


# -- health ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorReading:
    """An indicator of the engagement's effective definition, with its measured value."""

    id: int  # the indicator definition's id
    indicator: Indicator


@dataclass(slots=True)
class HealthReading:
    """The engagement's effective health definition (its bands) and its indicators."""

    definition_id: int | None = None
    green_from: float = 70
    yellow_from: float = 40
    indicators: list[IndicatorReading] = field(default_factory=list)


async def health_readings(
    db: RowReader, viewer: Viewer, engagement_ids: Sequence[int]
) -> dict[int, HealthReading]:
    """Each engagement's effective definition (its own, else the global one) and indicators."""
    engagement, definition = t.engagements, t.health_definitions
    spec, measured = t.health_indicator_definitions, t.health_indicators
    effective = (
        select(definition.c.id, definition.c.green_from, definition.c.yellow_from)
        .where(
            or_(
                definition.c.engagement_id == engagement.c.id, definition.c.engagement_id.is_(None)
            ),
            rows.health_records(viewer, definition),
        )
        .order_by(definition.c.engagement_id.is_(None))  # the engagement's own first
        .limit(1)
        .lateral("effective")
    )
    statement = (
        select(
            engagement.c.id.label("engagement_id"),
            effective.c.id.label("definition_id"),
            effective.c.green_from,
            effective.c.yellow_from,
            spec.c.id.label("indicator_id"),
            spec.c.metric,
            spec.c.target,
            spec.c.weight,
            spec.c.direction,
            measured.c.actual,
        )
        .select_from(
            engagement.join(effective, true())
            .outerjoin(spec, spec.c.definition_id == effective.c.id)
            .outerjoin(
                measured,
                and_(
                    measured.c.engagement_id == engagement.c.id,
                    measured.c.indicator_definition_id == spec.c.id,
                    rows.health_records(viewer, measured),
                ),
            )
        )
        .where(engagement.c.id == _ids("engagement_ids", engagement_ids))
        .order_by(engagement.c.id, spec.c.id)
    )
    found: dict[int, HealthReading] = {}
    for row in await db.rows(statement):
        reading = found.setdefault(
            row["engagement_id"],
            HealthReading(
                row["definition_id"], float(row["green_from"]), float(row["yellow_from"])
            ),
        )
        if row["indicator_id"] is None:
            continue
        actual = None if row["actual"] is None else float(row["actual"])
        indicator = Indicator(
            row["metric"], float(row["target"]), row["weight"], Direction(row["direction"]), actual
        )
        reading.indicators.append(IndicatorReading(row["indicator_id"], indicator))
    return found


async def health_snapshots(
    db: Database, viewer: Viewer, engagement_ids: Sequence[int], since: date
) -> dict[int, dict[date, float]]:
    """Weekly scores from ``since`` (a Monday) on, by engagement and week."""
    snapshot = t.health_snapshots
    statement = select(snapshot.c.engagement_id, snapshot.c.week_start, snapshot.c.score).where(
        snapshot.c.engagement_id == _ids("engagement_ids", engagement_ids),
        snapshot.c.week_start >= since,
        rows.health_records(viewer, snapshot),
    )
    found: dict[int, dict[date, float]] = defaultdict(dict)
    for row in await db.rows(statement):
        found[row["engagement_id"]][row["week_start"]] = row["score"]
    return found


# -- adoption -------------------------------------------------------------------------------------


@dataclass(slots=True)
class AdoptionHistory:
    """An engagement's sold products (with today's score) and their weekly scores."""

    current: dict[int, float | None] = field(default_factory=dict)  # sold product -> score
    weekly: dict[tuple[int, date], float] = field(default_factory=dict)


async def adoption_histories(
    db: Database, viewer: Viewer, engagement_ids: Sequence[int], since: date
) -> dict[int, AdoptionHistory]:
    sold, score = t.sold_products, t.adoption_scores
    statement = (
        select(
            sold.c.engagement_id,
            sold.c.id,
            sold.c.adoption_score,
            score.c.week_start,
            score.c.score,
        )
        .select_from(
            sold.outerjoin(
                score,
                and_(
                    score.c.sold_product_id == sold.c.id,
                    score.c.week_start >= since,
                    rows.sold_products(viewer, score),
                ),
            )
        )
        .where(
            sold.c.engagement_id == _ids("engagement_ids", engagement_ids),
            rows.sold_products(viewer, sold),
        )
    )
    found: dict[int, AdoptionHistory] = defaultdict(AdoptionHistory)
    for row in await db.rows(statement):
        history = found[row["engagement_id"]]
        history.current[row["id"]] = row["adoption_score"]
        if row["week_start"] is not None:
            history.weekly[(row["id"], row["week_start"])] = row["score"]
    return found


# -- blueprint ------------------------------------------------------------------------------------


async def closure_codes(
    db: Database, viewer: Viewer, engagement_ids: Sequence[int]
) -> dict[int, list[str | None]]:
    """The closure code of every objective of each engagement (None while open)."""
    objective = t.success_objectives
    statement = select(objective.c.engagement_id, objective.c.closure_code).where(
        objective.c.engagement_id == _ids("engagement_ids", engagement_ids),
        rows.success_objectives(viewer, objective),
    )
    found: dict[int, list[str | None]] = defaultdict(list)
    for row in await db.rows(statement):
        found[row["engagement_id"]].append(row["closure_code"])
    return found


# -- work items -----------------------------------------------------------------------------------

# Kinds are numbered so that (id, kind) packs into one unique key: the keyset's tiebreak.
KIND_NUMBERS = {kind: number for number, kind in enumerate(WorkItemKind)}
WORK_ITEM_SOURCES: dict[
    WorkItemKind, Callable[[Viewer], tuple[FromClause, ColumnElement[bool]]]
] = {
    WorkItemKind.INTERNAL_PLAY: lambda v: (t.internal_plays, rows.internal_plays(v)),
    WorkItemKind.INTERNAL_PLAY_TASK: lambda v: (t.internal_play_tasks, rows.internal_play_tasks(v)),
    WorkItemKind.SUCCESS_CASE: lambda v: (t.success_cases, rows.success_cases(v, ListScope.ALL)),
    WorkItemKind.SUCCESS_INITIATIVE: lambda v: (
        t.success_initiatives,
        rows.success_initiatives(v, ListScope.ALL),
    ),
    WorkItemKind.SUCCESS_TASK: lambda v: (t.success_tasks, rows.success_tasks(v, ListScope.ALL)),
}


def work_items_source(
    viewer: Viewer, kinds: Sequence[WorkItemKind], states: Sequence[str]
) -> FromClause:
    """UNION ALL of the chosen kinds' visible rows, reduced to the columns a work item list
    sorts and filters by; each branch carries its own table's access predicate."""
    branches: list[Select[Any]] = []
    for kind in kinds or list(WorkItemKind):
        table, visible = WORK_ITEM_SOURCES[kind](viewer)
        conditions = [visible]
        if states:
            conditions.append(table.c.state.in_(list(states)))
        branches.append(
            select(
                (table.c.id * len(WorkItemKind) + KIND_NUMBERS[kind]).label("id"),
                table.c.id.label("record_id"),
                literal(kind.value).label("kind"),
                table.c.engagement_id,
                table.c.priority,
                table.c.due_date,
                table.c.state,
            ).where(*conditions)
        )
    return union_all(*branches).subquery("work_items")


async def work_item_pages(
    db: Database,
    viewer: Viewer,
    engagement_ids: Sequence[int],
    request: PageRequest,
    ordering: Ordering,
    kinds: Sequence[WorkItemKind],
    states: Sequence[str],
) -> dict[int, Page]:
    source = work_items_source(viewer, kinds, states)
    columns = [
        source.c[name] for name in ("id", "record_id", "kind", "priority", "due_date", "state")
    ]
    return await paging.fetch_child_pages(
        db, source, columns, source.c.engagement_id, engagement_ids, [], ordering, request
    )


# -- the customer timeline ------------------------------------------------------------------------


# The records under an engagement whose activities its timeline shows, with their row rules
# (access.rows, which also reads them for an activity by id).
TIMELINE_RECORDS = rows.TIMELINE_RECORDS


def _under_engagement(
    viewer: Viewer, activity: FromClause, engagement_id: Any
) -> ColumnElement[bool]:
    """The activity is on the engagement or on a visible record under it.

    Every such activity carries the engagement's account, so the account's index narrows the
    search to one account's journal (the same size at any scale); the records under the
    engagement are then one UNION ALL that the planner probes per entry.
    """
    engagement = t.engagements.alias("timeline_engagement")
    account = (
        select(engagement.c.account_id)
        .where(engagement.c.id == engagement_id)
        .correlate_except(engagement)
        .scalar_subquery()
    )
    itself = t.engagements.alias("timeline_itself")
    branches: list[Any] = [
        select(literal(RecordType.ENGAGEMENT.value).label("record_type"), itself.c.id)
        .where(itself.c.id == engagement_id)
        .correlate_except(itself)
    ]
    for record_type, (table, rule) in TIMELINE_RECORDS.items():
        record = table.alias(f"timeline_{record_type.value}")
        branches.append(
            select(literal(record_type.value), record.c.id)
            .where(record.c.engagement_id == engagement_id, rule(viewer, record))
            .correlate_except(record)
        )
    records = union_all(*branches).subquery("timeline_records")
    under = (
        exists()
        .where(
            records.c.record_type == activity.c.record_type,
            records.c.id == activity.c.record_id,
        )
        .correlate_except(records)
    )
    return and_(activity.c.account_id == account, under)


async def timeline_pages(
    db: Database,
    viewer: Viewer,
    entity: Entity,
    engagement_ids: Sequence[int],
    request: PageRequest,
    kinds: Sequence[str],
    record_types: Sequence[str] = (),
) -> dict[int, Page]:
    """Activities of each engagement and of the records under it, newest first, of ``kinds``
    and on records of ``record_types`` when given (in SQL, before the page's LIMIT). The stream
    is append-only and (at, id) orders it, so a cursor never skips or repeats an entry."""
    activity = entity.table
    conditions = [rows.activities(viewer, activity)]
    if kinds:
        conditions.append(activity.c.kind.in_(list(kinds)))
    if record_types:
        conditions.append(activity.c.record_type.in_(list(record_types)))
    return await paging.fetch_child_pages(
        db,
        activity,
        entity.columns,
        lambda parent_id: _under_engagement(viewer, activity, parent_id),
        engagement_ids,
        conditions,
        entity.default_ordering,
        request,
    )


# -- team -----------------------------------------------------------------------------------------

BY_NAME = Ordering("NAME_ASC", key=lambda table: table.c.name)


async def team_pages(
    db: Database,
    viewer: Viewer,
    engagement_ids: Sequence[int],
    request: PageRequest,
    team: str | None,
) -> dict[int, Page]:
    """Employees (``team`` SQUAD or ACCOUNT_TEAM) or customer contacts (``team`` None) of each
    engagement, by name."""
    if team is None:
        link, person, rule = t.engagement_contacts, t.contacts, rows.contacts(viewer)
        joined = person.join(link, link.c.contact_id == person.c.id)
        conditions = [rule, rows.engagement_team(viewer, link)]
    else:
        link, person = t.engagement_users, t.users
        joined = person.join(link, link.c.user_id == person.c.id)
        conditions = [rows.users(viewer), rows.engagement_team(viewer, link), link.c.team == team]
    ordering = Ordering("NAME_ASC", key=lambda _: person.c.name, tiebreak=lambda _: person.c.id)
    return await paging.fetch_child_pages(
        db,
        joined,
        [*data_columns(person), link.c.role],
        link.c.engagement_id,
        engagement_ids,
        conditions,
        ordering,
        request,
    )


# -- touchpoints ----------------------------------------------------------------------------------

UPCOMING = Ordering("SCHEDULED_AT_ASC", key=lambda table: table.c.scheduled_at)


@dataclass(frozen=True, slots=True)
class Upcoming:
    """Touchpoints scheduled after ``now`` and not closed or canceled (DOMAIN.md)."""

    now: Any

    def conditions(self, entity: Entity) -> list[ColumnElement[bool]]:
        table = entity.table
        return [table.c.scheduled_at > self.now, table.c.state.not_in(["CLOSED", "CANCELED"])]


async def last_touchpoints(
    db: Database, viewer: Viewer, engagement_ids: Sequence[int], now: Any
) -> dict[int, RowMapping]:
    """The most recent visible touchpoint of each engagement that has taken place."""
    touchpoint = t.touchpoints
    parents = (
        func.unnest(bindparam("parent_ids", list(engagement_ids), type_=ARRAY(BigInteger)))
        .table_valued("parent_id")
        .render_derived()
        .alias("parents")
    )
    page = (
        select(*data_columns(touchpoint))
        .where(
            touchpoint.c.engagement_id == parents.c.parent_id,
            touchpoint.c.scheduled_at <= now,
            touchpoint.c.state != "CANCELED",
            rows.touchpoints(viewer, ListScope.ALL, touchpoint),
        )
        .order_by(touchpoint.c.scheduled_at.desc(), touchpoint.c.id.desc())
        .limit(1)
        .lateral("last_touchpoint")
    )
    statement = select(page).select_from(parents.join(page, true()))
    return {row["engagement_id"]: row for row in await db.rows(statement)}
