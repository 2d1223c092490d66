"""Test helpers: a GraphQL client that acts as a persona, and a SQL statement recorder."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.auth import issue_token
from csm_graphql.settings import Settings


@dataclass
class StatementLog:
    """Records the SQL statements an engine executes while recording is on."""

    statements: list[str] = field(default_factory=list)
    recording: bool = False

    def attach(self, engine: AsyncEngine) -> None:
        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if self.recording:
                self.statements.append(statement)

        event.listen(engine.sync_engine, "before_cursor_execute", before)

    @contextlib.contextmanager
    def record(self) -> Iterator[list[str]]:
        self.statements = []
        self.recording = True
        try:
            yield self.statements
        finally:
            self.recording = False


@dataclass
class GraphQLClient:
    http: httpx.AsyncClient
    settings: Settings
    principals: dict[str, tuple[PrincipalKind, int]]

    def token(self, email: str, ttl: int | None = None) -> str:
        kind, principal_id = self.principals[email]
        return issue_token(self.settings, kind, principal_id, ttl=ttl)

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        as_: str | None = None,
        token: str | None = None,
    ) -> httpx.Response:
        headers = {}
        bearer = token or (self.token(as_) if as_ else None)
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def query(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: str
    ) -> dict[str, Any]:
        """The data of a query that must succeed."""
        response = await self.post(query, variables, as_=as_)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def errors(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: str
    ) -> list[dict[str, Any]]:
        response = await self.post(query, variables, as_=as_)
        body = response.json()
        assert body.get("errors"), body
        return body["errors"]
