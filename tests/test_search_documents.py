"""Search matches only text the viewer may read: a success task's description is internal."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql import tables
from tests.support import GraphQLClient

CUSTOMER = "success@acme.example"
SEARCH = '{ search(text: "quetzalcoatl") { successTasks { totalCount nodes { number } } } }'


async def test_a_task_description_is_searchable_internally_only(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    visible = await client.query("{ successTasks(first: 1) { nodes { number } } }", as_=CUSTOMER)
    number = visible["successTasks"]["nodes"][0]["number"]
    task = tables.success_tasks
    async with engine.begin() as connection:
        original = await connection.scalar(
            select(task.c.description).where(task.c.number == number)
        )
        await connection.execute(
            update(task).where(task.c.number == number).values(description="Ask quetzalcoatl.")
        )
    try:
        agent = await client.query(SEARCH, as_="agent@csm.example")
        customer = await client.query(SEARCH, as_=CUSTOMER)
    finally:
        async with engine.begin() as connection:
            await connection.execute(
                update(task).where(task.c.number == number).values(description=original)
            )
    assert agent["search"]["successTasks"] == {"totalCount": 1, "nodes": [{"number": number}]}
    assert customer["search"]["successTasks"] == {"totalCount": 0, "nodes": []}


async def test_a_task_short_description_is_searchable_by_its_customer(
    client: GraphQLClient,
) -> None:
    visible = await client.query(
        "{ successTasks(first: 1) { nodes { number shortDescription } } }", as_=CUSTOMER
    )
    task = visible["successTasks"]["nodes"][0]
    query = "query($t: String!) { search(text: $t) { successTasks { nodes { number } } } }"
    data = await client.query(query, {"t": task["shortDescription"]}, as_=CUSTOMER)
    assert task["number"] in [hit["number"] for hit in data["search"]["successTasks"]["nodes"]]
