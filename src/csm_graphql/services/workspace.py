"""The engagement workspace's writes (issue 4): refresh health, create touchpoints, risks,
success cases, internal plays and adoption roadmaps, launch success plays, update engagements,
objectives, internal plays and initiatives, discuss.

Every function runs inside the caller's unit of work. It reads its record through the viewer's
row rule (invisible fails like missing: NOT_FOUND), then checks the write policy (FORBIDDEN),
validates (BAD_USER_INPUT / INVALID_STATE), writes, journals and audits; a UserError anywhere
rolls all of it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import RowMapping, Table, exists, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as upsert

from csm_graphql import tables as t
from csm_graphql.access import rows, writes
from csm_graphql.domain import health
from csm_graphql.domain.blueprint import ClosureCode, ClosureRequired, closure_values
from csm_graphql.domain.enums import (
    ActivityKind,
    EngagementStage,
    EngagementState,
    PerceivedHealth,
    Priority,
    RecordType,
    TouchpointType,
    WorkState,
)
from csm_graphql.domain.weeks import week_start
from csm_graphql.domain.workspace import PlaySource, Probability, RiskScope, has_cycle
from csm_graphql.repositories import workspace as reads
from csm_graphql.services.errors import (
    UserError,
    UserErrors,
    bad_input,
    forbidden,
    invalid_state,
    not_found,
)
from csm_graphql.services.records import diff, load_for_update, update_versioned
from csm_graphql.services.unit_of_work import UnitOfWork

MAX_TEXT = 4000
CLOSING_WORK = frozenset({WorkState.CLOSED.value, WorkState.CANCELED.value})
CLOSING_OBJECTIVE = frozenset({EngagementState.CLOSED.value, EngagementState.CANCELED.value})


# -- shared steps ---------------------------------------------------------------------------------


def _may_write(work: UnitOfWork) -> None:
    if not writes.works_engagements(work.viewer):
        raise forbidden("Only customer success agents and admins change the workspace.")


async def _engagement(work: UnitOfWork, engagement_id: int | None, field: str) -> RowMapping:
    """The engagement, locked, if the viewer sees it; then the write policy."""
    row = await load_for_update(
        work,
        t.engagements,
        engagement_id,
        rows.engagements(work.viewer),
        what="engagement",
        field=(field,),
    )
    _may_write(work)
    return row


def _text(value: str | None, field: str, *, required: bool = True) -> str | None:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise bad_input(f"{field} is required.", (field,))
    if len(cleaned) > MAX_TEXT:
        raise bad_input(f"{field} takes at most {MAX_TEXT} characters.", (field,))
    return cleaned or None


async def _insert(work: UnitOfWork, table: Table, values: Mapping[str, Any]) -> RowMapping:
    row = await work.first(insert(table).values(**values).returning(*table.c))
    assert row is not None
    return row


async def _created(
    work: UnitOfWork, record_type: RecordType, row: RowMapping, fields: tuple[str, ...]
) -> None:
    """Journal and audit a new record of an engagement."""
    values = {name: row[name] for name in fields}
    await work.record_activity(
        record_type, row["id"], row["account_id"], ActivityKind.FIELD_CHANGE, changes=values
    )
    await work.audit(f"{record_type}.create", record_type, row["id"], values)


async def _user(work: UnitOfWork, user_id: int | None, field: str) -> int | None:
    """An employee id that exists and is active (assignees, participants)."""
    if user_id is None:
        return None
    found = await work.scalar(select(t.users.c.id).where(t.users.c.id == user_id, t.users.c.active))
    if found is None:
        raise bad_input("No active employee with this id.", (field,))
    return user_id


# -- health ---------------------------------------------------------------------------------------


async def refresh_health(work: UnitOfWork, engagement_id: int | None) -> RowMapping:
    """Recompute the health score from the indicators (DOMAIN.md's formula, domain/health.py)
    and upsert this week's snapshot; returns the snapshot row."""
    engagement = await _engagement(work, engagement_id, "engagementId")
    readings = await reads.health_readings(work, work.viewer, [engagement["id"]])
    reading = readings.get(engagement["id"], reads.HealthReading())
    score = health.score(r.indicator for r in reading.indicators)
    if score is None:
        raise invalid_state("The engagement has no health indicators to score.", ("engagementId",))
    colour = health.colour_of(score, reading.green_from, reading.yellow_from)
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
    engagement = await _engagement(work, engagement_id, "engagementId")
    values = {
        "engagement_id": engagement["id"],
        "account_id": engagement["account_id"],
        "short_description": _text(short_description, "shortDescription"),
        "description": _text(description, "description", required=False),
        "type": kind.value,
        "scheduled_at": scheduled_at,
        "due_date": scheduled_at.date() if scheduled_at else None,
        "visible_to_customer": visible_to_customer,
        "assigned_to_id": await _user(work, assigned_to_id, "assignedTo"),
    }
    row = await _insert(work, t.touchpoints, values)
    await _created(work, RecordType.TOUCHPOINT, row, ("number", "type", "scheduled_at"))
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
    engagement = await _engagement(work, engagement_id, "engagementId")
    values = {
        "engagement_id": engagement["id"],
        "account_id": engagement["account_id"],
        "short_description": _text(short_description, "shortDescription"),
        "description": _text(description, "description", required=False),
        "probability": int(probability),
        "priority": int(priority),
        "scope": scope.value,
        "due_date": due_date,
        "assigned_to_id": work.viewer.user_id,
    }
    row = await _insert(work, t.risk_signals, values)
    await _created(work, RecordType.RISK_SIGNAL, row, ("number", "probability", "scope"))
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
    engagement = await _engagement(work, engagement_id, "engagementId")
    if initiative_id is not None:
        initiative = t.success_initiatives
        found = await work.scalar(
            select(initiative.c.id).where(
                initiative.c.id == initiative_id,
                initiative.c.engagement_id == engagement["id"],
                rows.success_initiatives(work.viewer),
            )
        )
        if found is None:
            raise bad_input("No initiative with this id on this engagement.", ("initiativeId",))
    product = select(t.products.c.id).where(t.products.c.id == product_id)
    if product_id is not None and await work.scalar(product) is None:
        raise bad_input("No product with this id.", ("productId",))
    values = {
        "engagement_id": engagement["id"],
        "account_id": engagement["account_id"],
        "short_description": _text(subject, "subject"),
        "description": _text(description, "description", required=False),
        "initiative_id": initiative_id,
        "product_id": product_id,
        "priority": int(priority),
        "due_date": due_date,
        "visible_to_customer": visible_to_customer,
        "assigned_to_id": work.viewer.user_id,
    }
    row = await _insert(work, t.success_cases, values)
    await _created(work, RecordType.SUCCESS_CASE, row, ("number", "initiative_id"))
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
    engagement = await _engagement(work, engagement_id, "engagementId")
    if parent_given:
        raise bad_input("An internal play has no parent play.", ("parentId",))
    values = {
        "engagement_id": engagement["id"],
        "account_id": engagement["account_id"],
        "short_description": _text(short_description, "shortDescription"),
        "description": _text(description, "description", required=False),
        "priority": int(priority),
        "due_date": due_date,
        "assigned_to_id": await _user(work, assigned_to_id, "assignedTo"),
    }
    row = await _insert(work, t.internal_plays, values)
    await _created(work, RecordType.INTERNAL_PLAY, row, ("number", "priority"))
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
    engagement = await _engagement(work, engagement_id, "engagementId")
    problems: list[UserError] = []
    if planned_end < planned_start:
        message = "The planned end must not be before the planned start."
        problems.append(bad_input(message, ("plannedEnd",)))
    if target_score is not None and not 0 <= target_score <= 100:
        problems.append(bad_input("The target score is between 0 and 100.", ("targetScore",)))
    if sold_product_id is not None:
        sold = t.sold_products
        found = await work.scalar(
            select(sold.c.id).where(
                sold.c.id == sold_product_id, sold.c.engagement_id == engagement["id"]
            )
        )
        if found is None:
            problems.append(
                bad_input("No sold product with this id on this engagement.", ("soldProductId",))
            )
    if problems:
        raise UserErrors(problems)
    values = {
        "engagement_id": engagement["id"],
        "account_id": engagement["account_id"],
        "sold_product_id": sold_product_id,
        "name": _text(name, "name"),
        "milestone": _text(milestone, "milestone", required=False),
        "planned_start": planned_start,
        "planned_end": planned_end,
        "target_score": target_score,
    }
    row = await _insert(work, t.product_adoption_roadmaps, values)
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
    _may_write(work)
    engagement_id = row["id"] if source is PlaySource.ENGAGEMENT else row["engagement_id"]
    values = {
        "engagement_id": engagement_id,
        "account_id": row["account_id"],
        "category": _text(category, "category"),
        "subcategory": _text(subcategory, "subcategory"),
        "activity": _text(activity, "activity"),
        "source_type": source.value,
        "source_id": row["id"],
    }
    play = await _insert(work, t.success_plays, values)
    await _created(work, RecordType.SUCCESS_PLAY, play, ("number", "source_type", "source_id"))
    return play


# -- updates --------------------------------------------------------------------------------------

ENGAGEMENT_FIELDS = frozenset(
    {
        "name",
        "state",
        "stage",
        "contract_value",
        "go_live_date",
        "renewal_date",
        "perceived_health",
        "parent_id",
        "account_id",
    }
)
# DOMAIN.md: an engagement's account cannot change once it has objectives, plays or risks.
ACCOUNT_PINNING = (
    t.success_objectives,
    t.internal_plays,
    t.success_plays,
    t.success_cases,
    t.risk_signals,
)
# Every other record that carries the engagement's account (composite keys pin it too).
ACCOUNT_CARRYING = (
    t.success_initiatives,
    t.success_tasks,
    t.touchpoints,
    t.contracts,
    t.sold_products,
    t.health_indicators,
    t.health_snapshots,
    t.product_adoption_roadmaps,
    t.discussions,
    t.engagement_contacts,
    t.engagement_users,
    t.internal_play_tasks,
    t.adoption_scores,
    t.health_definitions,
)


async def _has_any(work: UnitOfWork, tables: tuple[Table, ...], engagement_id: int) -> bool:
    """Whether any of ``tables`` holds a row of the engagement (one statement)."""
    checks = [exists().where(table.c.engagement_id == engagement_id) for table in tables]
    return bool(await work.scalar(select(or_(*checks))))


async def update_engagement(
    work: UnitOfWork,
    engagement_id: int | None,
    expected_version: int,
    values: Mapping[str, Any],
) -> RowMapping:
    """Change an engagement's details under optimistic concurrency. Its account is fixed once
    records hang under it; its parent may not make the hierarchy loop."""
    unknown = set(values) - ENGAGEMENT_FIELDS
    if unknown:
        raise bad_input(f"Unknown engagement fields: {sorted(unknown)}.")
    engagement = await _engagement(work, engagement_id, "id")
    changes = dict(values)
    if "name" in changes:
        changes["name"] = _text(changes["name"], "name")
    for name, kind in (
        ("state", EngagementState),
        ("stage", EngagementStage),
        ("perceived_health", PerceivedHealth),
    ):
        if changes.get(name) is not None:
            changes[name] = kind(changes[name]).value
        elif name in changes:
            raise bad_input(f"{name} cannot be cleared.", (name,))
    value = changes.get("contract_value")
    if value is not None and Decimal(value) < 0:
        raise bad_input("The contract value is not negative.", ("contractValue",))
    moved = "account_id" in changes and changes["account_id"] != engagement["account_id"]
    if moved:
        account = changes["account_id"]
        if account is None or not await work.scalar(
            select(t.accounts.c.id).where(t.accounts.c.id == account, rows.accounts(work.viewer))
        ):
            raise bad_input("No account with this id.", ("accountId",))
        if await _has_any(work, ACCOUNT_PINNING, engagement["id"]):
            raise invalid_state(
                "The engagement has objectives, plays or risks: its account cannot change.",
                ("accountId",),
            )
        if await _has_any(work, ACCOUNT_CARRYING, engagement["id"]):
            raise invalid_state(
                "Records under the engagement carry its account: it cannot change.",
                ("accountId",),
            )
    if changes.get("parent_id") is not None:
        await _check_parent(work, engagement["id"], changes["parent_id"])
    updated = await update_versioned(work, t.engagements, engagement, expected_version, changes)
    await _journal(work, RecordType.ENGAGEMENT, "engagement.update", engagement, updated, changes)
    return updated


async def _check_parent(work: UnitOfWork, engagement_id: int, parent_id: int) -> None:
    engagement = t.engagements
    visible = await work.scalar(
        select(engagement.c.id).where(engagement.c.id == parent_id, rows.engagements(work.viewer))
    )
    if visible is None:
        raise bad_input("No engagement with this id.", ("parentId",))
    # The chain above the new parent, in one statement (engagement trees are shallow).
    chain = (
        select(engagement.c.id, engagement.c.parent_id)
        .where(engagement.c.id == parent_id)
        .cte("chain", recursive=True)
    )
    above = engagement.alias("above")
    chain = chain.union(
        select(above.c.id, above.c.parent_id).join(chain, above.c.id == chain.c.parent_id)
    )
    parents = {row["id"]: row["parent_id"] for row in await work.rows(select(chain))}
    if has_cycle(parents, engagement_id, parent_id):
        raise bad_input("That parent would make the engagement hierarchy loop.", ("parentId",))


async def _journal(
    work: UnitOfWork,
    record_type: RecordType,
    action: str,
    before: RowMapping,
    after: RowMapping,
    values: Mapping[str, Any],
) -> None:
    changes = diff(before, {name: after[name] for name in values})
    if not changes:
        return
    kind = ActivityKind.STATE_CHANGE if "state" in changes else ActivityKind.FIELD_CHANGE
    await work.record_activity(record_type, after["id"], after["account_id"], kind, changes=changes)
    await work.audit(action, record_type, after["id"], changes)


def _closure(
    state: str, closing_states: frozenset[str], code: ClosureCode | None, notes: str | None
) -> dict[str, str | None]:
    try:
        return closure_values(state in closing_states, code, notes)
    except ClosureRequired as error:
        raise UserErrors(
            [
                bad_input(str(error), (field,))
                for field, given in (("closureCode", code), ("closureNotes", (notes or "").strip()))
                if not given
            ]
        ) from error


async def update_objective(
    work: UnitOfWork,
    objective_id: int | None,
    expected_version: int,
    state: EngagementState,
    closure_code: ClosureCode | None,
    closure_notes: str | None,
) -> RowMapping:
    """Move an objective; closing or canceling needs its closure code and notes, reopening
    clears them."""
    objective = await load_for_update(
        work,
        t.success_objectives,
        objective_id,
        rows.success_objectives(work.viewer),
        what="objective",
    )
    _may_write(work)
    closure = _closure(state.value, CLOSING_OBJECTIVE, closure_code, closure_notes)
    values = {"state": state.value, **closure}
    updated = await update_versioned(
        work, t.success_objectives, objective, expected_version, values
    )
    await _journal(
        work, RecordType.SUCCESS_OBJECTIVE, "success_objective.update", objective, updated, values
    )
    return updated


async def update_internal_play(
    work: UnitOfWork,
    play_id: int | None,
    expected_version: int,
    state: WorkState,
    closure_code: ClosureCode | None,
    closure_notes: str | None,
) -> RowMapping:
    play = await load_for_update(
        work, t.internal_plays, play_id, rows.internal_plays(work.viewer), what="internal play"
    )
    _may_write(work)
    closure = _closure(state.value, CLOSING_WORK, closure_code, closure_notes)
    values = {"state": state.value, **closure}
    updated = await update_versioned(work, t.internal_plays, play, expected_version, values)
    await _journal(work, RecordType.INTERNAL_PLAY, "internal_play.update", play, updated, values)
    return updated


OPEN_WORK = [state.value for state in WorkState if state.is_open]


async def update_initiative_state(
    work: UnitOfWork, initiative_id: int | None, expected_version: int, state: WorkState
) -> RowMapping:
    """Move an initiative. Closing it cancels its open plays: the success cases launched under
    it and the success plays launched from it (DOMAIN.md), each journaled."""
    initiative = await load_for_update(
        work,
        t.success_initiatives,
        initiative_id,
        rows.success_initiatives(work.viewer),
        what="initiative",
    )
    _may_write(work)
    values = {"state": state.value}
    updated = await update_versioned(
        work, t.success_initiatives, initiative, expected_version, values
    )
    await _journal(
        work,
        RecordType.SUCCESS_INITIATIVE,
        "success_initiative.update",
        initiative,
        updated,
        values,
    )
    if state is WorkState.CLOSED and initiative["state"] != WorkState.CLOSED.value:
        await _cancel_open_plays(work, updated)
    return updated


async def _cancel_open_plays(work: UnitOfWork, initiative: RowMapping) -> None:
    canceled = WorkState.CANCELED.value
    for table, record_type, condition in (
        (t.success_cases, RecordType.SUCCESS_CASE, t.success_cases.c.initiative_id),
        (t.success_plays, RecordType.SUCCESS_PLAY, None),
    ):
        if condition is not None:
            match = condition == initiative["id"]
        else:
            match = (table.c.source_type == PlaySource.INITIATIVE.value) & (
                table.c.source_id == initiative["id"]
            )
        changed = await work.rows(
            update(table)
            .where(match, table.c.state.in_(OPEN_WORK))
            .values(state=canceled, version=table.c.version + 1, updated_at=func.now())
            .returning(table.c.id, table.c.account_id, table.c.state)
        )
        for row in changed:
            change = {"state": {"to": canceled}, "reason": "initiative closed"}
            await work.record_activity(
                record_type,
                row["id"],
                row["account_id"],
                ActivityKind.STATE_CHANGE,
                changes=change,
            )
            await work.audit(f"{record_type}.cancel", record_type, row["id"], change)


# -- discussions ----------------------------------------------------------------------------------

# The records a discussion can be about: the table and its row rule (engagement included).
DISCUSSED: dict[RecordType, tuple[Table, Any]] = {
    RecordType.ENGAGEMENT: (t.engagements, rows.engagements),
    RecordType.SUCCESS_INITIATIVE: (t.success_initiatives, rows.success_initiatives),
    RecordType.SUCCESS_CASE: (t.success_cases, rows.success_cases),
    RecordType.TOUCHPOINT: (t.touchpoints, rows.touchpoints),
    RecordType.SUCCESS_OBJECTIVE: (t.success_objectives, rows.success_objectives),
    RecordType.INTERNAL_PLAY: (t.internal_plays, rows.internal_plays),
    RecordType.RISK_SIGNAL: (t.risk_signals, rows.risk_signals),
}
MAX_PARTICIPANTS = 50


async def start_discussion(
    work: UnitOfWork,
    record_type: RecordType | None,
    record_id: int | None,
    participant_ids: list[int | None],
    subject: str,
    message: str,
) -> RowMapping:
    """Open a discussion about an engagement or a record under it with chosen employees; it
    shows in the record's activity stream as a DISCUSSION entry, which only its participants
    and the internal success roles read."""
    if record_type is None or record_type not in DISCUSSED:
        raise not_found("record to discuss", ("recordId",))
    table, rule = DISCUSSED[record_type]
    record = await load_for_update(
        work, table, record_id, rule(work.viewer), what="record", field=("recordId",)
    )
    _may_write(work)
    if not participant_ids or len(participant_ids) > MAX_PARTICIPANTS:
        raise bad_input(f"Name 1 to {MAX_PARTICIPANTS} participants.", ("participants",))
    if any(p is None for p in participant_ids):
        raise bad_input("Participants are employees (User ids).", ("participants",))
    chosen = {p for p in participant_ids if p is not None} | {work.viewer.id}
    users = t.users
    found = {
        row["id"]
        for row in await work.rows(
            select(users.c.id).where(users.c.id.in_(sorted(chosen)), users.c.active)
        )
    }
    if found != chosen:
        raise bad_input("Every participant must be an active employee.", ("participants",))
    body = _text(message, "message")
    engagement_id = (
        record["id"] if record_type is RecordType.ENGAGEMENT else record["engagement_id"]
    )
    discussion = await _insert(
        work,
        t.discussions,
        {
            "engagement_id": engagement_id,
            "account_id": record["account_id"],
            "record_type": record_type.value,
            "record_id": record["id"],
            "subject": _text(subject, "subject"),
            "started_by_id": work.viewer.id,
        },
    )
    await work.connection.execute(
        insert(t.discussion_participants),
        [{"discussion_id": discussion["id"], "user_id": user} for user in sorted(chosen)],
    )
    await _post(work, discussion, body or "")
    await work.record_activity(
        record_type,
        record["id"],
        record["account_id"],
        ActivityKind.DISCUSSION,
        body=discussion["subject"],
        changes={"discussionId": discussion["id"]},
    )
    await work.audit(
        "discussion.start",
        "discussion",
        discussion["id"],
        {"recordType": record_type, "recordId": record["id"], "participants": sorted(chosen)},
    )
    await work.notify(
        "discussion.started",
        "discussion",
        discussion["id"],
        user_ids=sorted(chosen),
        payload={"subject": discussion["subject"]},
    )
    return discussion


async def _post(work: UnitOfWork, discussion: RowMapping, body: str) -> RowMapping:
    return await _insert(
        work,
        t.discussion_messages,
        {
            "discussion_id": discussion["id"],
            "account_id": discussion["account_id"],
            "author_id": work.viewer.id,
            "body": body,
        },
    )


async def post_to_discussion(
    work: UnitOfWork, discussion_id: int | None, message: str
) -> RowMapping:
    """Add a message; its participants and the success writers may post."""
    discussion = await load_for_update(
        work, t.discussions, discussion_id, rows.discussions(work.viewer), what="discussion"
    )
    participants = {
        row["user_id"]
        for row in await work.rows(
            select(t.discussion_participants.c.user_id).where(
                t.discussion_participants.c.discussion_id == discussion["id"]
            )
        )
    }
    if not writes.posts_to_discussion(work.viewer, participants):
        raise forbidden("Only the discussion's participants and success agents post to it.")
    posted = await _post(work, discussion, _text(message, "message") or "")
    await work.audit("discussion.post", "discussion", discussion["id"], {"messageId": posted["id"]})
    await work.notify(
        "discussion.posted",
        "discussion",
        discussion["id"],
        user_ids=sorted(participants),
        payload={"subject": discussion["subject"]},
    )
    return discussion
