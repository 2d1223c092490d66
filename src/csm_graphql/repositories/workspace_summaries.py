"""Workspace reads that summarise: account roll-ups, knowledge recommendations and the counts
of an engagement's related lists. One statement per batch of parents, access rules inside."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    REAL,
    BigInteger,
    ColumnElement,
    FromClause,
    Numeric,
    RowMapping,
    Table,
    Text,
    and_,
    cast,
    func,
    literal,
    select,
    true,
    union_all,
)

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.access.viewer import Viewer
from csm_graphql.domain.enums import RecordType
from csm_graphql.domain.workspace import RiskState, WorkItemKind
from csm_graphql.repositories import paging
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.entities import active_contract_value, data_columns
from csm_graphql.repositories.paging import Ordering, Page, PageRequest
from csm_graphql.repositories.workspace import WORK_ITEM_SOURCES, _ids

# -- account roll-ups -----------------------------------------------------------------------------


@dataclass(slots=True)
class AccountRollup:
    total_engagements: int = 0
    total_contract_value: Any = None
    risks_by_probability: dict[int, int] = field(default_factory=dict)
    work_by_state: dict[str, int] = field(default_factory=dict)
    # Active engagements: (id, parent id), parents before children.
    active_tree: list[RowMapping] = field(default_factory=list)


ACTIVE_ENGAGEMENT_STATES = ("NEW", "DEFINE", "IN_PROGRESS")


async def account_rollups(
    db: Database, viewer: Viewer, account_ids: Sequence[int]
) -> dict[int, AccountRollup]:
    """Totals, risks by probability, squad work by state and the active engagements, in one
    statement: each part is a grouped branch of a UNION ALL tagged by ``part``."""
    engagement, risk = t.engagements, t.risk_signals
    visible_engagement = rows.engagements(viewer, engagement)
    internal = rows.health_records(viewer)
    ids = _ids("account_ids", account_ids)
    no_id = cast(literal(None), BigInteger)
    no_label = cast(literal(None), Text)

    def branch(part: str, account: Any, count: Any, value: Any, label: Any, *tree: Any) -> Any:
        engagement_id, parent_id = tree or (no_id, no_id)
        return select(
            literal(part).label("part"),
            account.label("account_id"),
            cast(count, BigInteger).label("count"),
            cast(value, Numeric(16, 2)).label("value"),
            cast(label, Text).label("label"),
            engagement_id.label("engagement_id"),
            parent_id.label("parent_id"),
        )

    total = branch(
        "total",
        engagement.c.account_id,
        func.count(),
        func.sum(active_contract_value(engagement)),
        no_label,
    )
    branches: list[Any] = [
        total.where(engagement.c.account_id == ids, visible_engagement, internal).group_by(
            engagement.c.account_id
        ),
        branch("risk", risk.c.account_id, func.count(), None, risk.c.probability)
        .where(
            risk.c.account_id == ids,
            rows.risk_signals(viewer, risk),
            risk.c.state.in_([state.value for state in RiskState if state.is_open]),
        )
        .group_by(risk.c.account_id, risk.c.probability),
    ]
    for kind in (WorkItemKind.INTERNAL_PLAY, WorkItemKind.INTERNAL_PLAY_TASK):
        table, visible = WORK_ITEM_SOURCES[kind](viewer)
        branches.append(
            branch("work", table.c.account_id, func.count(), None, table.c.state)
            .where(table.c.account_id == ids, visible)
            .group_by(table.c.account_id, table.c.state)
        )
    branches.append(
        branch(
            "tree",
            engagement.c.account_id,
            0,
            None,
            no_label,
            engagement.c.id,
            engagement.c.parent_id,
        ).where(
            engagement.c.account_id == ids,
            visible_engagement,
            internal,
            engagement.c.state.in_(ACTIVE_ENGAGEMENT_STATES),
        )
    )
    found: dict[int, AccountRollup] = defaultdict(AccountRollup)
    for row in await db.rows(union_all(*branches)):
        rollup = found[row["account_id"]]
        part = row["part"]
        if part == "total":
            rollup.total_engagements, rollup.total_contract_value = row["count"], row["value"]
        elif part == "risk":
            rollup.risks_by_probability[int(row["label"])] = row["count"]
        elif part == "work":
            state = row["label"]
            rollup.work_by_state[state] = rollup.work_by_state.get(state, 0) + row["count"]
        else:
            rollup.active_tree.append(row)
    for rollup in found.values():
        rollup.active_tree.sort(key=lambda row: row["engagement_id"])
    return found


# -- knowledge ------------------------------------------------------------------------------------


def _engagement_text(table: FromClause) -> ColumnElement[str]:
    # Its name and its journey stage ("RENEW" finds renewal articles).
    return table.c.name + " " + func.replace(table.c.stage, "_", " ")


# The records articles are recommended for, and the text each is ranked against (DOMAIN.md:
# "recommended actions ranks articles for a record by its short description").
RECOMMENDATION_TEXTS: dict[str, tuple[Table, Callable[[FromClause], ColumnElement[str]]]] = {
    "engagement": (t.engagements, _engagement_text),
    "success_case": (t.success_cases, lambda table: table.c.short_description),
}


# The cursor names the ranking; its sort key is the article's rank against the record's text.
RECOMMENDED = "RECOMMENDED_RANK"


def _any_word(kind: str, record: Table) -> ColumnElement[object]:
    """The record's text as a query matching any of its words: plainto_tsquery ANDs them, a
    recommendation wants any of them, so they are ORed instead."""
    words = cast(func.plainto_tsquery("english", RECOMMENDATION_TEXTS[kind][1](record)), Text)
    return func.to_tsquery("english", func.replace(words, " & ", " | "))


def _keywords(text: str) -> ColumnElement[object]:
    """Words the viewer typed, read like ``search``'s: all of them, "quoted phrases",
    -exclusions, or (websearch syntax never raises on user input)."""
    return func.websearch_to_tsquery("english", literal(text))


def _recommendation_ordering(
    kind: str, article: Table, query: ColumnElement[object], keyed: bool
) -> Ordering:
    def rank(_: FromClause) -> ColumnElement[object]:
        return func.ts_rank(article.c.search_vector, query, type_=REAL)

    # A page ranked by typed keywords has cursors of its own, never mixed with the record's.
    name = f"{kind.upper()}_{RECOMMENDED}{'_KEYWORDS' if keyed else ''}"
    return Ordering(name, rank, descending=True, tiebreak=lambda _: article.c.id)


async def recommended_article_pages(
    db: Database,
    viewer: Viewer,
    kind: str,
    record_ids: Sequence[int],
    request: PageRequest,
    text: str | None = None,
) -> dict[int, Page]:
    """A page of the articles relevant to each record's text (any of its words), or to the
    keywords ``text`` when the viewer typed some, best first (``ts_rank``, then id), only
    articles the viewer may read: one statement for all records.

    The page is keyset-paged like every list (the cursor holds the rank and the article's id),
    which the rank allows because it is a pure function of the record's and the article's text.
    """
    article = t.knowledge_articles
    record = RECOMMENDATION_TEXTS[kind][0]
    query = _any_word(kind, record) if text is None else _keywords(text)
    ordering = _recommendation_ordering(kind, article, query, keyed=text is not None)
    return await paging.fetch_child_pages(
        db,
        article.join(record, true()),
        data_columns(article),
        lambda parent_id: record.c.id == parent_id,
        record_ids,
        [
            article.c.search_vector.op("@@")(query),
            rows.knowledge_articles(viewer, article),
        ],
        ordering,
        request,
    )


# -- related lists --------------------------------------------------------------------------------


def related_sources(viewer: Viewer) -> dict[str, tuple[FromClause, ColumnElement[bool], Any]]:
    """Each related list of an engagement: its table, the viewer's predicate, and the column
    that links a row to the engagement."""
    attachment = t.attachments
    return {
        "initiatives": (t.success_initiatives, rows.success_initiatives(viewer), None),
        "successCases": (t.success_cases, rows.success_cases(viewer), None),
        "touchpoints": (t.touchpoints, rows.touchpoints(viewer), None),
        "objectives": (t.success_objectives, rows.success_objectives(viewer), None),
        "internalPlays": (t.internal_plays, rows.internal_plays(viewer), None),
        "riskSignals": (t.risk_signals, rows.risk_signals(viewer), None),
        "successPlays": (t.success_plays, rows.success_plays(viewer), None),
        "soldProducts": (t.sold_products, rows.sold_products(viewer), None),
        "adoptionRoadmaps": (
            t.product_adoption_roadmaps,
            rows.sold_products(viewer, t.product_adoption_roadmaps),
            None,
        ),
        "contracts": (t.contracts, rows.engagement_contracts(viewer), None),
        "discussions": (t.discussions, rows.discussions(viewer), None),
        "attachments": (
            attachment,
            and_(
                rows.attachments(viewer, attachment),
                attachment.c.record_type == RecordType.ENGAGEMENT.value,
            ),
            attachment.c.record_id,
        ),
    }


async def related_counts(
    db: Database, viewer: Viewer, engagement_ids: Sequence[int]
) -> dict[int, dict[str, int]]:
    """How many visible records each related list of each engagement holds: one statement,
    a grouped count per list joined by UNION ALL."""
    branches = []
    for name, (table, visible, link) in related_sources(viewer).items():
        parent = table.c.engagement_id if link is None else link
        branches.append(
            select(literal(name).label("list"), parent.label("engagement_id"), func.count())
            .where(parent == _ids(f"{name}_ids", engagement_ids), visible)
            .group_by(parent)
        )
    found: dict[int, dict[str, int]] = {
        engagement_id: dict.fromkeys(related_sources(viewer), 0) for engagement_id in engagement_ids
    }
    for row in await db.rows(union_all(*branches)):
        found[row["engagement_id"]][row["list"]] = row["count"]
    return found
