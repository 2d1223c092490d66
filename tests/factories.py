"""Small factories for write tests that want data of their own.

A test takes the ``isolated`` fixture (tests/conftest.py): a database cloned from a migrated,
empty template (``CREATE DATABASE ... TEMPLATE``), an app over it and a client, and a
``Factory`` that inserts exactly the rows the test needs. Nothing it writes is seen by any
other test, so it asserts absolute values ("the account has exactly these two requests")
instead of changes relative to the whole demo seed. Each principal a factory creates is
registered with the client, so ``client.query(..., as_=email)`` acts as it.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from csm_graphql import tables as t
from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.demo import personas
from tests.support import GraphQLClient

Row = dict[str, Any]


@dataclass
class Factory:
    engine: AsyncEngine
    client: GraphQLClient
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _next(self) -> int:
        return next(self._serial)

    async def insert(self, table: Table, **values: Any) -> Row:
        """One row, as the database stored it (defaults and generated numbers included)."""
        async with self.engine.begin() as connection:
            result = await connection.execute(insert(table).values(**values).returning(*table.c))
            return dict(result.mappings().one())

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.engine.connect() as connection:
            return await connection.scalar(text(sql), params)

    async def rows(self, sql: str, **params: Any) -> list[Row]:
        async with self.engine.connect() as connection:
            return [dict(row) for row in (await connection.execute(text(sql), params)).mappings()]

    # -- people and organisations ---------------------------------------------------------

    async def account(
        self, name: str | None = None, *, kind: str = "CUSTOMER", parent: Row | None = None
    ) -> Row:
        return await self.insert(
            t.accounts,
            name=name or f"Account {self._next()}",
            kind=kind,
            parent_id=parent["id"] if parent else None,
        )

    async def contact(
        self,
        account: Row,
        *roles: str,
        email: str | None = None,
        name: str | None = None,
        active: bool = True,
        related: Sequence[Row] = (),
    ) -> Row:
        """A contact of ``account`` (roles default to ``customer``), also acting for the
        ``related`` accounts (contact relationships)."""
        serial = self._next()
        row = await self.insert(
            t.contacts,
            account_id=account["id"],
            name=name or f"Contact {serial}",
            email=email or f"contact{serial}@factory.example",
            roles=list(roles or ("customer",)),
            active=active,
        )
        for other in related:
            await self.insert(t.contact_relationships, contact_id=row["id"], account_id=other["id"])
        self.client.principals[row["email"]] = (PrincipalKind.CONTACT, row["id"])
        return row

    async def user(
        self, *roles: str, email: str | None = None, name: str | None = None, active: bool = True
    ) -> Row:
        """An employee (roles default to ``case_agent``)."""
        serial = self._next()
        row = await self.insert(
            t.users,
            name=name or f"User {serial}",
            email=email or f"user{serial}@factory.example",
            roles=list(roles or ("case_agent",)),
            active=active,
        )
        self.client.principals[row["email"]] = (PrincipalKind.USER, row["id"])
        return row

    async def partner(self, partner: Row, customer: Row) -> None:
        await self.insert(
            t.partner_relationships,
            partner_account_id=partner["id"],
            customer_account_id=customer["id"],
        )

    # -- catalogue and install base -------------------------------------------------------

    async def product(self, name: str | None = None) -> Row:
        return await self.insert(t.products, name=name or f"Product {self._next()}")

    async def asset(self, account: Row, product: Row | None = None) -> Row:
        """An install at ``account`` of a new model of ``product`` (a new product if None)."""
        product = product or await self.product()
        model = await self.insert(
            t.product_models, name=f"Model {self._next()}", product_id=product["id"]
        )
        return await self.insert(
            t.assets,
            name=f"Install {self._next()}",
            account_id=account["id"],
            product_model_id=model["id"],
        )

    # -- service side (cases, requests, work orders, projects) ----------------------------

    async def schedule(
        self, hours: str = "Mon-Sun 00:00-24:00", *, time_zone: str = "UTC", name: str = ""
    ) -> Row:
        """Working hours (the grammar of domain/schedule.py); around the clock by default."""
        return await self.insert(
            t.schedules,
            name=name or f"Schedule {self._next()}",
            time_zone=time_zone,
            hours=hours,
        )

    async def sla_definition(
        self,
        target: str,
        priority: int,
        minutes: int,
        *,
        schedule: Row | None = None,
        entitlement: Row | None = None,
        name: str = "",
    ) -> Row:
        return await self.insert(
            t.sla_definitions,
            name=name or f"P{priority} {target.lower()} {self._next()}",
            target=target,
            priority=priority,
            duration_minutes=minutes,
            schedule_id=schedule["id"] if schedule else None,
            entitlement_id=entitlement["id"] if entitlement else None,
        )

    async def desk_slas(self, schedule: Row | None = None) -> list[Row]:
        """The service desk's response and resolution definitions for every priority (the
        demo's minutes), so that every new case starts exactly two SLAs."""
        schedule = schedule or await self.schedule()
        minutes = {1: (30, 240), 2: (60, 480), 3: (240, 1_440), 4: (480, 4_320), 5: (1_440, 10_080)}
        made = []
        for priority, (response, resolution) in minutes.items():
            for target, duration in (("RESPONSE", response), ("RESOLUTION", resolution)):
                made.append(
                    await self.sla_definition(
                        target,
                        priority,
                        duration,
                        schedule=schedule,
                        name=f"P{priority} {target.lower()}",
                    )
                )
        return made

    async def contract(
        self,
        account: Row,
        name: str | None = None,
        *,
        engagement: Row | None = None,
        value: Any = 10_000,
        start_date: date = date(2000, 1, 1),
        end_date: date = date(2099, 12, 31),
        **values: Any,
    ) -> Row:
        """Terms of ``account`` (of ``engagement`` when given), current whatever the day unless
        dated otherwise."""
        return await self.insert(
            t.contracts,
            name=name or f"Contract {self._next()}",
            account_id=account["id"],
            engagement_id=engagement["id"] if engagement else None,
            value=value,
            start_date=start_date,
            end_date=end_date,
            **values,
        )

    async def entitlement(
        self,
        account: Row,
        *,
        product: Row | None = None,
        contract: Row | None = None,
        name: str | None = None,
    ) -> Row:
        """Active and current whatever the day (2000-2099), under ``contract`` when given."""
        return await self.insert(
            t.entitlements,
            name=name or f"Entitlement {self._next()}",
            account_id=account["id"],
            product_id=product["id"] if product else None,
            contract_id=contract["id"] if contract else None,
            start_date=date(2000, 1, 1),
            end_date=date(2099, 12, 31),
        )

    async def support_group(self, name: str | None = None, *, members: Sequence[Row] = ()) -> Row:
        row = await self.insert(t.support_groups, name=name or f"Group {self._next()}")
        for user in members:
            await self.insert(
                t.support_group_members, support_group_id=row["id"], user_id=user["id"]
            )
        return row

    async def project(
        self, account: Row, name: str | None = None, *, contacts: Sequence[Row] = ()
    ) -> Row:
        """A project of ``account`` whose project contacts are ``contacts``."""
        row = await self.insert(
            t.projects, name=name or f"Project {self._next()}", account_id=account["id"]
        )
        for contact in contacts:
            await self.insert(t.project_contacts, project_id=row["id"], contact_id=contact["id"])
        return row

    async def project_task(
        self,
        project: Row,
        *,
        state: str = "PENDING",
        visible_to_customer: bool = False,
        assigned_contact: Row | None = None,
        assigned_to: Row | None = None,
        short_description: str = "",
        actual_start: date | None = None,
        actual_end: date | None = None,
    ) -> Row:
        """A task of ``project``; one assigned to a contact is visible to customers, as the
        domain has it (DOMAIN.md)."""
        return await self.insert(
            t.project_tasks,
            project_id=project["id"],
            account_id=project["account_id"],
            short_description=short_description or f"Project task {self._next()}",
            state=state,
            visible_to_customer=visible_to_customer or assigned_contact is not None,
            assigned_contact_id=assigned_contact["id"] if assigned_contact else None,
            assigned_to_id=assigned_to["id"] if assigned_to else None,
            actual_start=actual_start,
            actual_end=actual_end,
        )

    async def work_order(
        self, case: Row, *, state: str = "DRAFT", short_description: str = ""
    ) -> Row:
        """A work order of ``case`` (its account)."""
        return await self.insert(
            t.work_orders,
            case_id=case["id"],
            account_id=case["account_id"],
            short_description=short_description or f"Work order {self._next()}",
            state=state,
        )

    # -- cases and success records --------------------------------------------------------

    async def case(
        self,
        account: Row,
        *,
        contact: Row | None = None,
        internal_contact: Row | None = None,
        opened_by_contact: Row | None = None,
        state: str = "NEW",
        short_description: str | None = None,
    ) -> Row:
        return await self.insert(
            t.cases,
            account_id=account["id"],
            contact_id=contact["id"] if contact else None,
            internal_contact_id=internal_contact["id"] if internal_contact else None,
            opened_by_contact_id=opened_by_contact["id"] if opened_by_contact else None,
            state=state,
            short_description=short_description or f"Case {self._next()}",
        )

    async def engagement(self, account: Row, name: str | None = None) -> Row:
        return await self.insert(
            t.engagements, account_id=account["id"], name=name or f"Engagement {self._next()}"
        )

    async def success_case(
        self,
        engagement: Row,
        *,
        visible_to_customer: bool = False,
        contact: Row | None = None,
        assigned_to: Row | None = None,
        short_description: str | None = None,
    ) -> Row:
        return await self.insert(
            t.success_cases,
            engagement_id=engagement["id"],
            account_id=engagement["account_id"],
            short_description=short_description or f"Success case {self._next()}",
            visible_to_customer=visible_to_customer,
            contact_id=contact["id"] if contact else None,
            assigned_to_id=assigned_to["id"] if assigned_to else None,
        )

    async def success_task(
        self,
        success_case: Row,
        *,
        visible_to_customer: bool = False,
        assigned_to: Row | None = None,
        short_description: str | None = None,
    ) -> Row:
        """An unplanned task, under ``success_case`` (its engagement and account)."""
        return await self.insert(
            t.success_tasks,
            engagement_id=success_case["engagement_id"],
            account_id=success_case["account_id"],
            success_case_id=success_case["id"],
            short_description=short_description or f"Success task {self._next()}",
            visible_to_customer=visible_to_customer,
            assigned_to_id=assigned_to["id"] if assigned_to else None,
        )

    # -- success side (engagements, objectives, initiatives, success records) --------------

    async def cast(self, *keys: str) -> Cast:
        """The demo's named accounts and personas (csm_graphql/demo/personas.py: the emails,
        roles, accounts and relationships ACCESS.md's rules are written against), and nothing
        else; ``keys`` limits the personas to those (all of them by default). Principals are
        registered with the client."""
        accounts: dict[str, Row] = {}
        people: dict[str, Row] = {}
        async with self.engine.begin() as connection:

            async def add(table: Table, **values: Any) -> Row:
                result = await connection.execute(
                    insert(table).values(**values).returning(*table.c)
                )
                return dict(result.mappings().one())

            for spec in personas.ACCOUNTS:
                parent = accounts[spec.parent]["id"] if spec.parent else None
                accounts[spec.key] = await add(
                    t.accounts, name=spec.name, kind=spec.kind.value, parent_id=parent
                )
            for partner, customer in personas.PARTNER_RELATIONSHIPS:
                await add(
                    t.partner_relationships,
                    partner_account_id=accounts[partner]["id"],
                    customer_account_id=accounts[customer]["id"],
                )
            chosen = [p for p in personas.PERSONAS if not keys or p.key in keys]
            for persona in chosen:
                common = {
                    "name": persona.name,
                    "email": persona.email,
                    "roles": list(persona.roles),
                    "active": persona.active,
                }
                if persona.kind == "USER":
                    row = await add(t.users, **common)
                    self.client.principals[row["email"]] = (PrincipalKind.USER, row["id"])
                else:
                    assert persona.account is not None
                    row = await add(
                        t.contacts, account_id=accounts[persona.account]["id"], **common
                    )
                    for related in persona.related_accounts:
                        await add(
                            t.contact_relationships,
                            contact_id=row["id"],
                            account_id=accounts[related]["id"],
                        )
                    self.client.principals[row["email"]] = (PrincipalKind.CONTACT, row["id"])
                people[persona.email] = row
        return Cast(accounts, people)

    async def under(self, table: Table, engagement: Row, **values: Any) -> Row:
        """A row of a table keyed by its engagement and that engagement's account (objectives,
        risks, plays, success records, sold products...)."""
        return await self.insert(
            table, engagement_id=engagement["id"], account_id=engagement["account_id"], **values
        )

    async def objective(self, engagement: Row, **values: Any) -> Row:
        values.setdefault("short_description", f"Objective {self._next()}")
        return await self.under(t.success_objectives, engagement, **values)

    async def initiative(
        self, engagement: Row, *, objective: Row | None = None, **values: Any
    ) -> Row:
        values.setdefault("short_description", f"Initiative {self._next()}")
        return await self.under(
            t.success_initiatives,
            engagement,
            objective_id=objective["id"] if objective else None,
            **values,
        )

    async def planned_task(self, initiative: Row, **values: Any) -> Row:
        """A task under ``initiative`` (a planned one)."""
        values.setdefault("short_description", f"Success task {self._next()}")
        return await self.insert(
            t.success_tasks,
            engagement_id=initiative["engagement_id"],
            account_id=initiative["account_id"],
            initiative_id=initiative["id"],
            **values,
        )

    async def touchpoint(self, engagement: Row, **values: Any) -> Row:
        values.setdefault("short_description", f"Touchpoint {self._next()}")
        return await self.under(t.touchpoints, engagement, **values)

    async def risk(self, engagement: Row, *, probability: int = 3, **values: Any) -> Row:
        values.setdefault("short_description", f"Risk {self._next()}")
        return await self.under(t.risk_signals, engagement, probability=probability, **values)

    async def internal_play(self, engagement: Row, **values: Any) -> Row:
        values.setdefault("short_description", f"Internal play {self._next()}")
        return await self.under(t.internal_plays, engagement, **values)

    async def sold_product(self, engagement: Row, product: Row | None = None, **values: Any) -> Row:
        product = product or await self.product()
        return await self.under(t.sold_products, engagement, product_id=product["id"], **values)

    async def health_definition(
        self,
        indicators: Sequence[tuple[str, float, int, str]],
        engagement: Row | None = None,
        **bands: Any,
    ) -> list[Row]:
        """A health definition (the global one unless for ``engagement``) of (metric, target,
        weight, direction) indicators; returns the indicator definitions."""
        definition = await self.insert(
            t.health_definitions,
            name=f"Health {self._next()}",
            engagement_id=engagement["id"] if engagement else None,
            account_id=engagement["account_id"] if engagement else None,
            **bands,
        )
        return [
            await self.insert(
                t.health_indicator_definitions,
                definition_id=definition["id"],
                metric=metric,
                target=target,
                weight=weight,
                direction=direction,
            )
            for metric, target, weight, direction in indicators
        ]

    async def health_actual(self, engagement: Row, indicator: Row, actual: Any) -> Row:
        """The engagement's measured value of one indicator of its definition."""
        return await self.under(
            t.health_indicators, engagement, indicator_definition_id=indicator["id"], actual=actual
        )


@dataclass
class Cast:
    """The demo's named accounts (by key: ``acme``, ``initech``...) and personas (by email)."""

    accounts: dict[str, Row]
    people: dict[str, Row]

    def id(self, email: str) -> int:
        found: int = self.people[email]["id"]
        return found


@dataclass
class Isolated:
    """What the ``isolated`` fixture gives a test: its own database, and a client and a
    factory over it."""

    engine: AsyncEngine
    client: GraphQLClient
    make: Factory

    async def count(self, table: str, where: str = "true", **params: Any) -> int:
        count: int = await self.make.scalar(f"SELECT count(*) FROM {table} WHERE {where}", **params)
        return count


async def clone_database(server_url: str, template_url: str, prefix: str = "csm_test_own") -> str:
    """A new database copied from ``template_url`` (which nobody may be connected to);
    returns its URL. PostgreSQL notices a closed connection a moment after the client closed
    it, so a template just disposed of may still look busy: retried briefly."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    template = make_url(template_url).database
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        for attempt in range(20):
            try:
                async with admin.connect() as connection:
                    await connection.execute(
                        text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                    )
                break
            except DBAPIError as error:
                if "being accessed by other users" not in str(error) or attempt == 19:
                    raise
                await asyncio.sleep(0.1)
    finally:
        await admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


__all__ = ["Cast", "Factory", "Isolated", "Row", "clone_database"]
