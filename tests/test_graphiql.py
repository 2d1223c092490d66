"""The GraphiQL page: served without a token in development, absent in production."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.app import create_app
from csm_graphql.settings import Settings
from tests.support import GraphQLClient


async def test_graphiql_page_is_served_in_development(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_get_without_query_or_token_runs_nothing(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", headers={"Accept": "application/json"})
    assert response.status_code == 400


async def test_graphiql_is_absent_in_production(engine: AsyncEngine, database_url: str) -> None:
    settings = Settings(environment="production", secret_key="s" * 48, database_url=database_url)
    transport = httpx.ASGITransport(app=create_app(settings, engine=engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code in {400, 404}
    assert "graphiql" not in response.text.lower()
