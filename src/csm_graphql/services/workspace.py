"""The engagement workspace's writes (issue 4): refresh health, create touchpoints, risks,
success cases, internal plays and adoption roadmaps, launch success plays. Updates are in
workspace_updates.py, discussions in discussions.py.

Every function runs inside the caller's unit of work. It reads its record through the viewer's
row rule (invisible fails like missing: NOT_FOUND), then checks the write policy (FORBIDDEN),
validates (BAD_USER_INPUT / INVALID_STATE), writes, journals and audits; a UserError anywhere
rolls all of it back.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import RowMapping, Table, func
from sqlalchemy.dialects.postgresql import insert as upsert

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.domain import health
from csm_graphql.domain.enums import (
    ActivityKind,
    Priority,
    RecordType,
    TouchpointType,
)
from csm_graphql.domain.weeks import week_start
from csm_graphql.domain.workspace import PlaySource, Probability, RiskScope
from csm_graphql.repositories import checks, entities, workspace_writes
from csm_graphql.repositories import workspace as reads
from csm_graphql.services.errors import (
    UserError,
    UserErrors,
    bad_input,
    invalid_state,
    not_found,
)
from csm_graphql.services.records import load_for_update
from csm_graphql.services.text import clean_text
from csm_graphql.services.unit_of_work import UnitOfWork
from csm_graphql.services.workspace_common import (
    active_user,
    engagement_for_update,
    insert_row,
    journal_created,
    may_write,
)

# -- health ---------------------------------------------------------------------------------------


async def refresh_health(work: UnitOfWork, engagement_id: int | None) -> RowMapping:
    """Recompute the health score from the indicators (DOMAIN.md's formula, domain/health.py)
    and upsert this week's snapshot; returns the snapshot row."""
    engagement = await engagement_for_update(work, engagement_id, "engagementId")
    readings = await reads.health_readings(work, work.viewer, [engagement["id"]])
    reading = readings.get(engagement["id"], reads.HealthReading())
    score = health.score(r.indicator for r in reading.indicators)
    if score is None:
        raise invalid_state("The engagement has no health indicators to score.", ("engagementId",))
    colour = health.colour_of(score, reading.green_from, reading.yellow_from)
    # The series keeps what the header shows (two decimals), so this week's point and
    # healthScore agree; the colour is of the unrounded score, as healthColour's is.
    score = health.shown(score)
    monday = week_start(work.today)
    snapshot = t.health_snapshots
    statement = (
        upsert(snapshot)
        .values(
            engagement_id=engagement["id"],
            account_id=engagement["account_id"],
            week_start=monday,
            score=score,
            colour=colour.value,
        )
        .on_conflict_do_update(
            index_elements=[snapshot.c.engagement_id, snapshot.c.week_start],
            set_={
                "score": score,
                "colour": colour.value,
                "updated_at": func.now(),
                "version": snapshot.c.version + 1,
            },
        )
        .returning(*snapshot.c)
    )
    row = await work.first(statement)
    assert row is not None
    # The customer timeline shows each refresh (the seed's "Refresh Health").
    await work.record_activity(
        RecordType.ENGAGEMENT,
        engagement["id"],
        engagement["account_id"],
        ActivityKind.HEALTH_REFRESHED,
        changes={"score": {"to": score}, "colour": {"to": colour.value}},
    )
    await work.audit(
        "health.refresh",
        RecordType.ENGAGEMENT,
        engagement["id"],
        {"weekStart": monday, "score": score, "colour": colour},
    )
    return row


# -- creating records under an engagement ---------------------------------------------------------


async def create_touchpoint(
    work: UnitOfWork,
    engagement_id: int | None,
    short_description: str,
    kind: TouchpointType,
    scheduled_at: datetime | None,
    description: str | None,
    visible_to_customer: bool,
    assigned_to_id: int | None,
) -> RowMapping:
    engagement = await engagement_for_update(work, engagement_id, "engagementId")
    values = {
        "engagement_id": engagement["id"],
        "account_id": engagement["account_id"],
        "short_description": clean_text(short_description, "shortDescription", required=True),
        "description": clean_text(description, "description", required=False),
        "type": kind.value,
        "scheduled_at": scheduled_at,
        "due_date": scheduled_at.date() if scheduled_at else None,
        "visible_to_customer": visible_to_customer,
        "assigned_to_id": await active_user(work, assigned_to_id, "assignedTo"),
    }
    row = await insert_row(work, t.touchpoints, values)
    await journal_created(work, RecordType.TOUCHPOINT, row, ("number", "type", "scheduled_at"))
    return row


async def create_risk_signal(
    work: UnitOfWork,
    engagement_id: int | None,
    short_description: str,
    probability: Probability,
    priority: Priority,
    scope: RiskScope,
    due_date: date | None,
    description: str | None,
) -> RowMapping:
    engagement = await engagement_for_update(work, engagement_id, "engagementId")
    values = {
        "engagement_id": engagement["id"],
        "account_id": engagement["account_id"],
        "short_description": clean_text(short_description, "shortDescription", required=True),
        "description": clean_text(description, "description", required=False),
        "probability": int(probability),
        "priority": int(priority),
        "scope": scope.value,
        "due_date": due_date,
        "assigned_to_id": work.viewer.user_id,
    }
    row = await insert_row(work, t.risk_signals, values)
    await journal_created(work, RecordType.RISK_SIGNAL, row, ("number", "probability", "scope"))
    return row


async def create_success_case(
    work: UnitOfWork,
    engagement_id: int | None,
    subject: str,
    description: str | None,
    initiative_id: int | None,
    product_id: int | None,
    priority: Priority,
    due_date: date | None,
    visible_to_customer: bool,
) -> RowMapping:
    """A customer play; under an initiative of the same engagement when one is given."""
    engagement = await engagement_for_update(work, engagement_id, "engagementId")
    if initiative_id is not None and not await workspace_writes.initiative_of_engagement(
        work, work.viewer, initiative_id, engagement["id"]
    ):
        raise bad_input("No initiative with this id on this engagement.", ("initiativeId",))
    product = await checks.visible_value(work, entities.PRODUCT, work.viewer, product_id)
    if product_id is not None and product is None:
        raise bad_input("No product with this id.", ("productId",))
    values = {
        "engagement_id": engagement["id"],
        "account_id": engagement["account_id"],
        "short_description": clean_text(subject, "subject", required=True),
        "description": clean_text(description, "description", required=False),
        "initiative_id": initiative_id,
        "product_id": product_id,
        "priority": int(priority),
        "due_date": due_date,
        "visible_to_customer": visible_to_customer,
        "assigned_to_id": work.viewer.user_id,
    }
    row = await insert_row(work, t.success_cases, values)
    await journal_created(work, RecordType.SUCCESS_CASE, row, ("number", "initiative_id"))
    return row


async def create_internal_play(
    work: UnitOfWork,
    engagement_id: int | None,
    short_description: str,
    description: str | None,
    priority: Priority,
    due_date: date | None,
    assigned_to_id: int | None,
    parent_given: bool,
) -> RowMapping:
    """Internal-only work on an engagement. DOMAIN.md: an internal play has no parent play,
    so naming one is refused (the table has no column for it)."""
    engagement = await engagement_for_update(work, engagement_id, "engagementId")
    if parent_given:
        raise bad_input("An internal play has no parent play.", ("parentId",))
    values = {
        "engagement_id": engagement["id"],
        "account_id": engagement["account_id"],
        "short_description": clean_text(short_description, "shortDescription", required=True),
        "description": clean_text(description, "description", required=False),
        "priority": int(priority),
        "due_date": due_date,
        "assigned_to_id": await active_user(work, assigned_to_id, "assignedTo"),
    }
    row = await insert_row(work, t.internal_plays, values)
    await journal_created(work, RecordType.INTERNAL_PLAY, row, ("number", "priority"))
    return row


async def create_adoption_roadmap(
    work: UnitOfWork,
    engagement_id: int | None,
    name: str,
    sold_product_id: int | None,
    milestone: str | None,
    planned_start: date,
    planned_end: date,
    target_score: float | None,
) -> RowMapping:
    engagement = await engagement_for_update(work, engagement_id, "engagementId")
    problems: list[UserError] = []
    if planned_end < planned_start:
        message = "The planned end must not be before the planned start."
        problems.append(bad_input(message, ("plannedEnd",)))
    if target_score is not None and not 0 <= target_score <= 100:
        problems.append(bad_input("The target score is between 0 and 100.", ("targetScore",)))
    if sold_product_id is not None and not await workspace_writes.sold_product_of_engagement(
        work, sold_product_id, engagement["id"]
    ):
        problems.append(
            bad_input("No sold product with this id on this engagement.", ("soldProductId",))
        )
    if problems:
        raise UserErrors(problems)
    values = {
        "engagement_id": engagement["id"],
        "account_id": engagement["account_id"],
        "sold_product_id": sold_product_id,
        "name": clean_text(name, "name", required=True),
        "milestone": clean_text(milestone, "milestone", required=False),
        "planned_start": planned_start,
        "planned_end": planned_end,
        "target_score": target_score,
    }
    row = await insert_row(work, t.product_adoption_roadmaps, values)
    await work.audit(
        "product_adoption_roadmap.create",
        "product_adoption_roadmap",
        row["id"],
        {"name": row["name"], "plannedStart": planned_start, "plannedEnd": planned_end},
    )
    return row


# -- success plays --------------------------------------------------------------------------------

# What a play can be launched from: the table, and the row rule that must let the viewer see it.
PLAY_SOURCES: dict[PlaySource, tuple[Table, Any]] = {
    PlaySource.ENGAGEMENT: (t.engagements, rows.engagements),
    PlaySource.OBJECTIVE: (t.success_objectives, rows.success_objectives),
    PlaySource.INITIATIVE: (t.success_initiatives, rows.success_initiatives),
    PlaySource.TOUCHPOINT: (t.touchpoints, rows.touchpoints),
    PlaySource.INTERNAL_PLAY: (t.internal_plays, rows.internal_plays),
    PlaySource.RISK_SIGNAL: (t.risk_signals, rows.risk_signals),
}


async def launch_success_play(
    work: UnitOfWork,
    source: PlaySource | None,
    source_id: int | None,
    category: str,
    subcategory: str,
    activity: str,
) -> RowMapping:
    """Launch a playbook from an engagement or a record under it (DOMAIN.md)."""
    if source is None:
        raise not_found("record to launch from", ("sourceId",))
    table, rule = PLAY_SOURCES[source]
    row = await load_for_update(
        work, table, source_id, rule(work.viewer), what="record", field=("sourceId",)
    )
    may_write(work)
    engagement_id = row["id"] if source is PlaySource.ENGAGEMENT else row["engagement_id"]
    values = {
        "engagement_id": engagement_id,
        "account_id": row["account_id"],
        "category": clean_text(category, "category", required=True),
        "subcategory": clean_text(subcategory, "subcategory", required=True),
        "activity": clean_text(activity, "activity", required=True),
        "source_type": source.value,
        "source_id": row["id"],
    }
    play = await insert_row(work, t.success_plays, values)
    await journal_created(
        work, RecordType.SUCCESS_PLAY, play, ("number", "source_type", "source_id")
    )
    return play
