"""Task SLAs run in the working hours of their definition's schedule (domain/schedule.py),
against PostgreSQL: what the API reports for a known clock, that wall-clock SLAs (a definition
without a schedule) are unchanged, and that the service plans and resumes in working time.
All on the writable database, on a case this module creates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry import Schema

from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.domain.schedule import working_hours
from csm_graphql.graphql.context import Context
from csm_graphql.graphql.loaders import Loaders
from csm_graphql.graphql.schema import build_schema
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.principals import load_viewer
from csm_graphql.settings import Settings
from tests.expectations import decode_global_id, global_id
from tests.support import GraphQLClient

AGENT = "caseagent@csm.example"
PROXY = "proxy@csm.example"
CUSTOMER = "customer@acme.example"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# The demo's "Business hours (Europe)": Mon-Fri 08:00-18:00 in Europe/Amsterdam.
OFFICE = working_hours("Mon-Fri 08:00-18:00", "Europe/Amsterdam")

CREATE = """mutation($input: CreateCaseInput!) { createCase(input: $input) {
  case { id version } userErrors { code message } } }"""
TRANSITION = """mutation($id: ID!, $v: Int!, $action: CaseAction!) {
  transitionCase(id: $id, expectedVersion: $v, action: $action) {
    case { state version } userErrors { code message } } }"""
SLAS = """query($id: ID!) { node(id: $id) { ... on Case {
  slas { nodes { name stage plannedEnd breached percentElapsed pausedSeconds } } } } }"""


SCHEMA: list[Schema] = []  # built once for the module


def amsterdam(day: int, hour: int) -> datetime:
    """A June 2026 instant in Amsterdam (UTC+2); 2026-06-01 is a Monday."""
    return datetime(2026, 6, day, hour, tzinfo=AMSTERDAM)


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    async with engine.begin() as connection:
        result = await connection.execute(text(sql), params)
        return [dict(row) for row in result.mappings()] if result.returns_rows else []


async def _wall_clock_definition(engine: AsyncEngine) -> int:
    """A definition without a schedule. Priority 9 exists on no case, so no case the other
    tests create starts it; this module points its own case's SLA rows at it."""
    found = await _rows(
        engine,
        "INSERT INTO sla_definitions (name, target, priority, duration_minutes) "
        "VALUES ('Wall-clock test', 'RESOLUTION', 9, 480) "
        "ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id",
    )
    return int(found[0]["id"])


async def _office_definition(engine: AsyncEngine) -> int:
    """The demo's P2 resolution: 480 minutes of European business hours."""
    found = await _rows(
        engine,
        "SELECT d.id FROM sla_definitions d JOIN schedules s ON s.id = d.schedule_id "
        "WHERE d.name = 'P2 resolution' AND s.hours = 'Mon-Fri 08:00-18:00' "
        "AND s.time_zone = 'Europe/Amsterdam' AND d.duration_minutes = 480",
    )
    return int(found[0]["id"])


async def _new_case(client: GraphQLClient, engine: AsyncEngine) -> tuple[str, int, int]:
    """(global id, version, case id) of a new Acme case raised by the proxy."""
    account = (await _rows(engine, "SELECT id FROM accounts WHERE name = 'Acme Corp'"))[0]["id"]
    contact = (await _rows(engine, "SELECT id FROM contacts WHERE email = :e", e=CUSTOMER))[0]
    input = {
        "accountId": global_id("Account", account),
        "contactId": global_id("Contact", contact["id"]),
        "shortDescription": "Reports run slowly",
    }
    created = (await client.query(CREATE, {"input": input}, as_=PROXY))["createCase"]
    assert created["userErrors"] == []
    case = created["case"]
    return case["id"], case["version"], decode_global_id(case["id"])[1]


async def _slas_at(
    settings: Settings,
    engine: AsyncEngine,
    principals: dict[str, tuple[PrincipalKind, int]],
    case: str,
    now: datetime,
) -> dict[str, dict[str, Any]]:
    """The case's SLAs as the agent sees them with the request's clock at ``now``."""
    db = Database(engine)
    viewer = await load_viewer(db, *principals[AGENT])
    assert viewer is not None
    context = Context(settings, db, viewer, Loaders(db, viewer), now=now)
    if not SCHEMA:
        # Executed in Python, so the resolvers' values (the compiled reads answer with JSON
        # text; their SLA clock, the same finisher, is held equal over HTTP by
        # tests/test_compiled_reads_coverage.py).
        SCHEMA.append(build_schema(replace(settings, compiled_reads=False)))
    result = await SCHEMA[0].execute(SLAS, variable_values={"id": case}, context_value=context)
    assert result.errors is None, result.errors
    assert result.data is not None
    nodes = result.data["node"]["slas"]["nodes"]
    return {node["name"]: node for node in nodes}


async def test_progress_in_business_hours_and_on_the_wall_clock(
    write_client: GraphQLClient,
    write_engine: AsyncEngine,
    write_settings: Settings,
    write_principals: dict[str, tuple[PrincipalKind, int]],
) -> None:
    case, _version, case_id = await _new_case(write_client, write_engine)
    wall, office = (
        await _wall_clock_definition(write_engine),
        await _office_definition(write_engine),
    )
    slas = await _rows(
        write_engine, "SELECT id FROM task_slas WHERE case_id = :c ORDER BY id", c=case_id
    )
    assert len(slas) == 2
    # Both are 8-hour resolution SLAs started Monday 16:00 in Amsterdam: the office one
    # plans to end Tuesday 14:00 (2 hours on Monday, 6 on Tuesday), the wall-clock one at
    # Tuesday 00:00.
    for row, definition, end in (
        (slas[0], office, amsterdam(2, 14)),
        (slas[1], wall, amsterdam(2, 0)),
    ):
        await _rows(
            write_engine,
            "UPDATE task_slas SET sla_definition_id = :d, stage = 'IN_PROGRESS', start_at = :s, "
            "planned_end_at = :e, paused_seconds = 0, paused_at = NULL, stopped_at = NULL "
            "WHERE id = :i",
            d=definition,
            s=amsterdam(1, 16),
            e=end,
            i=row["id"],
        )

    async def at(now: datetime) -> dict[str, tuple[float, bool, datetime, int]]:
        found = await _slas_at(write_settings, write_engine, write_principals, case, now)
        return {
            name: (
                sla["percentElapsed"],
                sla["breached"],
                datetime.fromisoformat(sla["plannedEnd"]),
                sla["pausedSeconds"],
            )
            for name, sla in found.items()
        }

    # Tuesday 10:00: 4 working hours of 8 have passed; 18 wall-clock hours of 8.
    assert await at(amsterdam(2, 10)) == {
        "P2 resolution": (50.0, False, amsterdam(2, 14), 0),
        "Wall-clock test": (225.0, True, amsterdam(2, 0), 0),
    }
    # Monday 22:00: the evening is not working time.
    assert await at(amsterdam(1, 22)) == {
        "P2 resolution": (25.0, False, amsterdam(2, 14), 0),
        "Wall-clock test": (75.0, False, amsterdam(2, 0), 0),
    }
    # Wednesday 09:00: 13 working hours, breached.
    assert (await at(amsterdam(3, 9)))["P2 resolution"] == (162.5, True, amsterdam(2, 14), 0)

    # Paused since Monday 17:00 after a finished pause of 1 hour (in each one's time).
    await _rows(
        write_engine,
        "UPDATE task_slas SET stage = 'PAUSED', paused_at = :p, paused_seconds = 3600 "
        "WHERE case_id = :c",
        p=amsterdam(1, 17),
        c=case_id,
    )
    # Wednesday 09:00: the office SLA has run 0 hours net (1 hour minus the finished pause);
    # the current pause (12 working hours) and the finished one move its end from Tuesday
    # 14:00 by 13 working hours: Wednesday 17:00. The wall-clock one moves by 41 hours.
    assert await at(amsterdam(3, 9)) == {
        "P2 resolution": (0.0, False, amsterdam(3, 17), 3600),
        "Wall-clock test": (0.0, False, amsterdam(3, 17), 3600),
    }
    # Stopped at the pause: measured there, nothing moves any more.
    await _rows(
        write_engine,
        "UPDATE task_slas SET stage = 'COMPLETED', stopped_at = paused_at, paused_seconds = 0 "
        "WHERE case_id = :c",
        c=case_id,
    )
    assert await at(amsterdam(5, 12)) == {
        "P2 resolution": (12.5, False, amsterdam(2, 14), 0),
        "Wall-clock test": (12.5, False, amsterdam(2, 0), 0),
    }


async def test_the_service_plans_and_resumes_in_working_time(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    case, version, case_id = await _new_case(write_client, write_engine)
    wall = await _wall_clock_definition(write_engine)
    started = await _rows(
        write_engine,
        "SELECT s.id, s.start_at, s.planned_end_at, d.duration_minutes, sc.hours, sc.time_zone "
        "FROM task_slas s JOIN sla_definitions d ON d.id = s.sla_definition_id "
        "JOIN schedules sc ON sc.id = d.schedule_id WHERE s.case_id = :c "
        "AND d.target = 'RESOLUTION'",
        c=case_id,
    )
    assert len(started) == 1  # the demo's definitions all have schedules
    sla = started[0]
    hours = working_hours(sla["hours"], sla["time_zone"])
    # Planned in working time: the duration of working time lies between start and end,
    # and the end falls within working hours (not in a night or weekend).
    planned = hours.working_seconds(sla["start_at"], sla["planned_end_at"])
    assert abs(planned - sla["duration_minutes"] * 60) < 0.001
    local_end = sla["planned_end_at"].astimezone(hours.zone)
    minute = local_end.hour * 60 + local_end.minute or 24 * 60
    assert any(a < minute <= b for a, b in hours.week[local_end.weekday()]) or (
        minute == 24 * 60 and any(b == 24 * 60 for a, b in hours.week[local_end.weekday() - 1])
    )

    for action in ("ACCEPT", "REQUEST_INFO"):
        variables = {"id": case, "v": version, "action": action}
        payload = (await write_client.query(TRANSITION, variables, as_=AGENT))["transitionCase"]
        assert payload["userErrors"] == [], action
        version = payload["case"]["version"]
    # Paused three days ago: the office SLA and a wall-clock one (the completed response SLA,
    # pointed at the definition without a schedule and paused alike).
    await _rows(
        write_engine,
        "UPDATE task_slas SET stage = 'PAUSED', stopped_at = NULL, "
        "paused_at = now() - interval '3 days', "
        "sla_definition_id = CASE WHEN id = :office THEN sla_definition_id ELSE :wall END "
        "WHERE case_id = :c",
        office=sla["id"],
        wall=wall,
        c=case_id,
    )
    paused_at = (
        await _rows(write_engine, "SELECT paused_at FROM task_slas WHERE id = :i", i=sla["id"])
    )[0]["paused_at"]
    before = datetime.now(UTC)
    payload = (
        await write_client.query(
            TRANSITION, {"id": case, "v": version, "action": "RESUME"}, as_=AGENT
        )
    )["transitionCase"]
    after = datetime.now(UTC)
    assert payload["userErrors"] == []
    resumed = {
        row["id"]: row
        for row in await _rows(
            write_engine,
            "SELECT id, stage, paused_seconds, paused_at FROM task_slas WHERE case_id = :c",
            c=case_id,
        )
    }
    assert {row["stage"] for row in resumed.values()} == {"IN_PROGRESS"}
    assert all(row["paused_at"] is None for row in resumed.values())
    office_pause = resumed.pop(sla["id"])["paused_seconds"]
    # The pause counts in working time: at most 3 days' working hours, never wall-clock.
    slack = timedelta(seconds=2)
    low = hours.working_seconds(paused_at, before - slack)
    high = hours.working_seconds(paused_at, after + slack)
    assert round(low) - 1 <= office_pause <= round(high) + 1
    assert office_pause <= 3 * 10 * 3600
    (wall_row,) = resumed.values()
    wall_low = (before - slack - paused_at).total_seconds()
    wall_high = (after + slack - paused_at).total_seconds()
    assert wall_low - 1 <= wall_row["paused_seconds"] <= wall_high + 1
