"""The declared-types layer: what it records, what it derives, and what it refuses at import."""

from __future__ import annotations

from datetime import datetime

import pytest
import strawberry
from strawberry.types.base import get_object_definition

from csm_graphql.graphql.declared import (
    DECLARED,
    NODES,
    DeclarationError,
    Declared,
    Narrowing,
    column,
    computed,
    connection,
    field_group,
    row_type,
)
from csm_graphql.graphql.declared.producers import (
    Column,
    GlobalId,
    LinkMany,
    NarrowedToMany,
    PythonFunction,
    RowList,
    SqlExpression,
    ToMany,
    ToOne,
)
from csm_graphql.graphql.inputs import OrderBy
from csm_graphql.graphql.schema import build_schema
from csm_graphql.graphql.types.node import Node
from csm_graphql.graphql.types.projects import Project
from csm_graphql.repositories import entities
from tests.support import GraphQLClient, StatementLog
from tests.test_compiled_reads import AGENT, EVERY_PERSONA, _both, _compiled, client, compiled

# The fixtures of the compiled reads' tests: ``client`` is the resolver path there.
__all__ = ["client", "compiled"]


def producers_of(type_name: str) -> dict[str, object]:
    return {name: field.producer for name, field in DECLARED[type_name].fields.items()}


def test_every_field_of_a_declared_type_records_what_produces_it() -> None:
    project = producers_of("Project")
    assert project["id"] == GlobalId("Project")
    assert project["plannedEnd"] == Column("projects", "planned_end")
    assert project["account"] == ToOne("Account", "accounts", "account_id")
    assert project["tasks"] == ToMany(
        "ProjectTask", "project_tasks", "project_id", (), "ProjectTaskFilter", "ProjectTaskOrder"
    )
    assert project["contacts"] == LinkMany(
        "Contact", "contacts", "project_contacts", "project_id", "contact_id"
    )
    assert project["activities"] == ToMany(
        "Activity", "activities", "record_id", (("record_type", ("project",)),)
    )
    comments = producers_of("ProjectTask")["comments"]
    assert isinstance(comments, ToMany)
    assert comments.equals == (("record_type", ("project_task",)), ("kind", ("COMMENT",)))


def test_computed_values_and_sql_expressions_are_told_apart_from_columns() -> None:
    actor_name = producers_of("Activity")["actorName"]
    assert isinstance(actor_name, SqlExpression)
    assert actor_name.label == "actor_name"
    accounts = producers_of("Contact")["accounts"]
    assert accounts == RowList(
        "Account", "accounts", "csm_graphql.graphql.loaders.Loaders.contact_accounts"
    )
    parent = producers_of("SuccessTask")["parent"]
    assert parent == PythonFunction(
        "csm_graphql.graphql.types.success._parent", ("initiative_id", "success_case_id")
    )
    assert producers_of("SuccessCase")["subject"] == Column("success_cases", "short_description")
    notes = producers_of("Case")["resolutionNotes"]
    assert notes == PythonFunction(
        "csm_graphql.graphql.types.cases._resolution_notes",
        ("resolution_notes", "share_resolution_notes"),
    )
    source_id = producers_of("SuccessPlay")["sourceId"]
    assert isinstance(source_id, PythonFunction)
    assert source_id.reads == ("source_id",)
    # A field a mixin writes by hand is recorded as a Python function, not left out.
    assert isinstance(producers_of("Account")["engagementRollup"], PythonFunction)


def test_the_engagement_mixins_declare_their_lists() -> None:
    engagement = producers_of("Engagement")
    # Plain relations: a compiler reads them like any nested list.
    assert engagement["internalPlays"] == ToMany("InternalPlay", "internal_plays", "engagement_id")
    assert engagement["attachments"] == ToMany(
        "Attachment", "attachments", "record_id", (("record_type", ("engagement",)),)
    )
    # Narrowed in Python (the request's date, orderings of their own): the relation is
    # recorded with the function that narrows it, so a compiler knows to leave it alone.
    assert engagement["riskSignals"] == NarrowedToMany(
        "RiskSignal",
        "risk_signals",
        "engagement_id",
        "csm_graphql.graphql.workspace_inputs.narrow_risk_signals",
    )
    # Read under the engagement contracts' rule, shown as Contract.
    contracts = engagement["contracts"]
    assert isinstance(contracts, NarrowedToMany)
    assert contracts.entity == "EngagementContract"
    # A narrowed list's arguments are its narrow function's, with their defaults.
    served = build_schema()._schema.get_type("Engagement")
    active_only = served.fields["contracts"].args["activeOnly"]  # type: ignore[union-attr]
    assert active_only.default_value is True
    assert list(served.fields["objectives"].args) == ["first", "after", "state", "direction"]  # type: ignore[union-attr]


def _group() -> type:
    def second(root: object) -> int:
        return 2

    class Group:
        db_id: strawberry.Private[int]

        @strawberry.field(description="First.")
        def first(self) -> int:
            return 1

        later: int = computed(second, "Second.")

        @strawberry.field(description="Third.")
        def third(self) -> int:
            return 3

    return Group


def _order(cls: type) -> list[str]:
    return [field.python_name for field in get_object_definition(cls, strict=True).fields]


def test_fields_keep_their_declared_order_resolver_methods_included() -> None:
    # Strawberry alone moves the methods below every annotated field...
    assert _order(strawberry.type(_group())) == ["db_id", "later", "first", "third"]
    # ... a field group (and a row type) keeps the order they are declared in.
    kept = field_group(description="A group.")(_group())
    assert _order(kept) == ["db_id", "first", "later", "third"]
    assert "first" not in kept.__annotations__  # the layer's annotations do not outlive it
    served = build_schema()._schema.get_type("Engagement")
    assert list(served.fields)[:7] == [  # type: ignore[union-attr]
        "id", "stage", "renewalDate", "riskSignals", "workItems", "internalPlays", "successPlays"
    ]  # fmt: skip


def test_a_narrowed_list_states_its_arguments_alone() -> None:
    def narrow(info: object) -> Narrowing:
        return Narrowing()

    with pytest.raises(DeclarationError, match="narrow states the list's arguments alone"):
        connection(entities.PRODUCT, "id", "Products.", narrow=narrow, order_arg=OrderBy)
    with pytest.raises(DeclarationError, match="shown_as is for a narrowed list"):
        connection(entities.PRODUCT, "id", "Products.", shown_as=entities.PRODUCT)


def test_declared_fields_are_every_field_of_the_served_type() -> None:
    schema = build_schema()
    for type_name, declared in DECLARED.items():
        served = schema._schema.get_type(type_name)
        assert served is not None, type_name
        assert set(declared.fields) == set(served.fields), type_name  # type: ignore[attr-defined]


def test_leaves_read_attributes_without_a_resolver() -> None:
    # Plain leaves must stay as cheap as a dataclass attribute: no resolver of their own.
    leaves = 0
    for declared in DECLARED.values():
        definition = get_object_definition(declared.cls, strict=True)
        by_name = {field.python_name: field for field in definition.fields}
        for field in declared.fields.values():
            if isinstance(field.producer, Column | SqlExpression):
                assert by_name[field.python_name].base_resolver is None, field.graphql_name
                leaves += 1
    assert leaves > 50


def test_from_row_converts_enum_columns_and_keeps_the_relation_keys() -> None:
    now = datetime(2026, 1, 2, 3, 4)
    row = {
        "id": 7, "account_id": 3, "number": "PRJ0000007", "name": "Rollout",
        "description": None, "state": "WORK_IN_PROGRESS", "planned_start": None,
        "planned_end": None, "actual_start": None, "actual_end": None, "version": 2,
        "created_at": now, "updated_at": now,
    }  # fmt: skip
    project = Project.from_row(row)  # type: ignore[arg-type]
    assert project.db_id == 7
    assert project.account_id == 3  # type: ignore[attr-defined]
    assert type(project.state).__name__ == "ProjectState"
    assert project.state.value == "WORK_IN_PROGRESS"
    assert project.id == "UHJvamVjdDo3"  # base64url("Project:7")


def test_every_node_type_of_the_schema_dispatches_through_the_registry() -> None:
    schema = build_schema()
    implementations = schema._schema.get_possible_types(schema._schema.get_type("Node"))  # type: ignore[arg-type]
    assert {node.name for node in implementations} == set(NODES)


def test_a_field_without_a_field_rule_is_refused_at_import() -> None:
    with pytest.raises(DeclarationError, match=r"no rule .* for nickname"):

        @row_type(entities.PRODUCT, description="A product.", name="Product")
        class Product(Node, Declared):
            nickname: str = column("Not in access/fields.py.", name="name")


def test_a_missing_column_is_refused_at_import() -> None:
    with pytest.raises(DeclarationError, match="no column 'colour'"):

        @row_type(entities.PRODUCT, description="A product.", name="Product")
        class Product(Node, Declared):
            name: str = column("Product name.", name="colour")


def test_an_undeclared_leaf_is_refused_at_import() -> None:
    with pytest.raises(DeclarationError, match=r"Product\.name: declare it"):

        @row_type(entities.PRODUCT, description="A product.", name="Product")
        class Product(Node, Declared):
            name: str


def test_a_column_kept_under_a_field_name_is_refused_at_import() -> None:
    def shout(root: object) -> str:
        return "!"

    with pytest.raises(DeclarationError, match="keeps column 'name' under a field's name"):

        @row_type(entities.PRODUCT, description="A product.", name="Product")
        class Product(Node, Declared):
            name: str = computed(shout, "Product name.", reads=["name"])


# The engagement lists the mixins now declare as plain relations: the compiled reads answer
# them in the one statement, with the resolvers' answer, for every persona (internal lists:
# null for external viewers on both paths).
ENGAGEMENT_LISTS = """
{ engagements(first: 4) { nodes { number
    internalPlays(first: 2) { totalCount pageInfo { hasNextPage } nodes { number state } }
    successPlays(first: 2) { totalCount nodes { number sourceType } }
    attachments(first: 2) { totalCount nodes { fileName } }
    discussions(first: 2) { totalCount nodes { subject startedBy { name } } }
    adoptionRoadmaps(first: 3) { totalCount nodes { number plannedStart } } } } }"""


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_the_declared_engagement_lists_compile_to_the_resolvers_answer(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    answer, statements = await _both(client, compiled, statement_log, ENGAGEMENT_LISTS, None, email)
    _compiled(statements)
    if email == AGENT:  # not a comparison of empty lists
        nodes = answer["data"]["engagements"]["nodes"]
        for name in ("internalPlays", "successPlays", "discussions", "adoptionRoadmaps"):
            assert any(node[name]["totalCount"] for node in nodes), name
