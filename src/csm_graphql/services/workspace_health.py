"""Health definitions and measurements (issue 4): an engagement-specific definition overrides
the global one; its weights sum to 100 (refused otherwise) and its colour bands are its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import RowMapping, delete, func, update
from sqlalchemy.dialects.postgresql import insert as upsert

from csm_graphql import tables as t
from csm_graphql.domain import health
from csm_graphql.domain.enums import RecordType
from csm_graphql.repositories import locks
from csm_graphql.repositories import workspace as reads
from csm_graphql.services.errors import UserError, UserErrors, bad_input
from csm_graphql.services.text import SHORT_TEXT, clean_text
from csm_graphql.services.unit_of_work import UnitOfWork
from csm_graphql.services.workspace_common import engagement_for_update, insert_row

MAX_INDICATORS = 20


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    metric: str
    target: float
    weight: int
    direction: health.Direction


def _validated(
    indicators: Sequence[IndicatorSpec], green_from: float, yellow_from: float
) -> list[IndicatorSpec]:
    problems: list[UserError] = []
    specs = [
        IndicatorSpec((i.metric or "").strip(), i.target, i.weight, i.direction) for i in indicators
    ]
    if not 1 <= len(specs) <= MAX_INDICATORS:
        problems.append(bad_input(f"Define 1 to {MAX_INDICATORS} indicators.", ("indicators",)))
    try:
        health.check_weights([spec.weight for spec in specs])
    except health.InvalidWeights as error:
        problems.append(bad_input(str(error), ("indicators", "weight")))
    metrics = [spec.metric for spec in specs]
    if any(not metric for metric in metrics) or len(set(metrics)) != len(metrics):
        problems.append(bad_input("Metrics are named and distinct.", ("indicators", "metric")))
    for metric in metrics:
        try:
            clean_text(metric, "metric", required=False, limit=SHORT_TEXT)
        except UserError as problem:
            problems.append(bad_input(problem.message, ("indicators", "metric")))
            break
    if any(spec.target < 0 for spec in specs):
        problems.append(bad_input("Targets are not negative.", ("indicators", "target")))
    try:
        health.ColourBands(green_from, yellow_from)
    except ValueError:
        problems.append(
            bad_input("Bands need 0 <= yellowFrom <= greenFrom <= 100.", ("greenFrom",))
        )
    if problems:
        raise UserErrors(problems)
    return specs


async def set_health_definition(
    work: UnitOfWork,
    engagement_id: int | None,
    name: str,
    green_from: float,
    yellow_from: float,
    indicators: Sequence[IndicatorSpec],
) -> RowMapping:
    """Give the engagement its own definition (or replace it). Indicators kept by metric keep
    their measured values; removed ones go with theirs."""
    engagement = await engagement_for_update(work, engagement_id, "engagementId")
    specs = _validated(indicators, green_from, yellow_from)
    definition_table, spec_table = t.health_definitions, t.health_indicator_definitions
    bands = {"green_from": Decimal(str(green_from)), "yellow_from": Decimal(str(yellow_from))}
    definition = await locks.health_definition_for_update(work, engagement["id"])
    label = clean_text(name, "name", required=True)
    if definition is None:
        definition = await insert_row(
            work,
            definition_table,
            {
                "name": label,
                "engagement_id": engagement["id"],
                "account_id": engagement["account_id"],
                **bands,
            },
        )
    else:
        definition = await work.first(
            update(definition_table)
            .where(definition_table.c.id == definition["id"])
            .values(
                name=label, **bands, version=definition_table.c.version + 1, updated_at=func.now()
            )
            .returning(*definition_table.c)
        )
        assert definition is not None
    keep = [spec.metric for spec in specs]
    await work.execute(
        delete(spec_table).where(
            spec_table.c.definition_id == definition["id"], spec_table.c.metric.not_in(keep)
        )
    )
    for spec in specs:
        values = {
            "target": Decimal(str(spec.target)),
            "weight": spec.weight,
            "direction": spec.direction.value,
        }
        await work.execute(
            upsert(spec_table)
            .values(definition_id=definition["id"], metric=spec.metric, **values)
            .on_conflict_do_update(
                index_elements=[spec_table.c.definition_id, spec_table.c.metric],
                set_={**values, "updated_at": func.now(), "version": spec_table.c.version + 1},
            )
        )
    await work.audit(
        "health_definition.set",
        RecordType.ENGAGEMENT,
        engagement["id"],
        {
            "definitionId": definition["id"],
            "greenFrom": green_from,
            "yellowFrom": yellow_from,
            "indicators": [(s.metric, s.target, s.weight, s.direction) for s in specs],
        },
    )
    return engagement


async def record_health_actual(
    work: UnitOfWork, engagement_id: int | None, metric: str, actual: str | float | None
) -> RowMapping:
    """Measure one indicator of the engagement's effective definition (null: unmeasured)."""
    engagement = await engagement_for_update(work, engagement_id, "engagementId")
    readings = await reads.health_readings(work, work.viewer, [engagement["id"]])
    reading = readings.get(engagement["id"], reads.HealthReading())
    found = [r for r in reading.indicators if r.indicator.metric == metric]
    if not found:
        raise bad_input("The engagement's health definition has no such metric.", ("metric",))
    try:
        value = None if actual is None else Decimal(str(actual))
    except InvalidOperation as error:
        raise bad_input("The actual value is a number.", ("actual",)) from error
    measured = t.health_indicators
    await work.execute(
        upsert(measured)
        .values(
            engagement_id=engagement["id"],
            account_id=engagement["account_id"],
            indicator_definition_id=found[0].id,
            actual=value,
            measured_at=datetime.now(UTC),
        )
        .on_conflict_do_update(
            index_elements=[measured.c.engagement_id, measured.c.indicator_definition_id],
            set_={
                "actual": value,
                "measured_at": datetime.now(UTC),
                "updated_at": func.now(),
                "version": measured.c.version + 1,
            },
        )
    )
    await work.audit(
        "health_indicator.measure",
        RecordType.ENGAGEMENT,
        engagement["id"],
        {"metric": metric, "actual": value},
    )
    return engagement
