"""Requests raised on behalf of a customer (DOMAIN.md "Request", proxy-contact seed 004).

The whole entity's GraphQL side in one module: its entity (table, row rule, order), its
declared type (registered for ``node(id:)`` by ``@row_type``), its root list and its mutation
(merged into the root types by ``@root_queries`` / ``@root_mutations``, declared/roots.py).
Who sees a request is ``access.rows.requests`` (the case rule); who raises one is the case
form's policy (``services/requests.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from csm_graphql.access import rows
from csm_graphql.domain.cases import RequestState
from csm_graphql.domain.enums import RecordType
from csm_graphql.domain.request_lifecycle import RequestAction
from csm_graphql.graphql.declared import (
    Declared,
    activity_stream,
    attachment_list,
    column,
    comment_stream,
    row_type,
    to_one,
    version_column,
    work_note_stream,
)
from csm_graphql.graphql.declared.roots import root_mutations, root_queries
from csm_graphql.graphql.lookup_inputs import AccountLookupArg
from csm_graphql.graphql.lookups import lookup_list
from csm_graphql.graphql.mutations.common import UserError, changed, entry_added
from csm_graphql.graphql.mutations.projects import id_of
from csm_graphql.graphql.mutations.workspace_io import optional_id
from csm_graphql.graphql.pagination import After, Connection, First
from csm_graphql.graphql.types.node import Node
from csm_graphql.graphql.types.people import Account, Contact, User
from csm_graphql.graphql.types.records import Activity, Attachment, Product
from csm_graphql.graphql.types.service import Asset
from csm_graphql.repositories import case_entities, entities
from csm_graphql.repositories.entities import Entity, OrderField, ordering
from csm_graphql.repositories.lookups import LookupFilter
from csm_graphql.services import request_work
from csm_graphql.services import requests as request_service
from csm_graphql.tables.cases import requests as request_table

strawberry.enum(RequestState, description="Lifecycle state of a request.")
strawberry.enum(
    RequestAction, description="A lifecycle action on a request (domain/request_lifecycle.py)."
)

# Newest first, like cases: a portal shows the latest requests on top.
REQUEST = Entity(
    "Request",
    request_table,
    lambda viewer, _scope, table: rows.requests(viewer, table),
    ordering(OrderField.NUMBER, descending=True),
)


@row_type(
    REQUEST,
    description="A customer's ask for something to be provided (not a problem report), raised "
    "by the contact or on its behalf, e.g. by a proxy contact from the portal. Visible as "
    "cases are.",
)
class Request(Node, Declared):
    number: str = column("Request number, e.g. CSR0000012.")
    state: RequestState = column("Lifecycle state; a new request is SUBMITTED.")
    short_description: str = column("One-line summary of what is asked for.")
    description: str | None = column("Details.")
    created_at: datetime = column("When it was raised (opened).")
    updated_at: datetime = column("When it last changed.")
    version: int = version_column()
    account: Account | None = to_one(entities.ACCOUNT, "account_id", "The customer account.")
    contact: Contact | None = to_one(
        entities.CONTACT, "contact_id", "The customer contact it is for, when visible."
    )
    internal_contact: User | None = to_one(
        entities.USER,
        "internal_contact_id",
        "The proxy-contact employee who raised it for the customer (employees only).",
    )
    asset: Asset | None = to_one(case_entities.ASSET, "asset_id", "The asset it is about.")
    product: Product | None = to_one(entities.PRODUCT, "product_id", "The product it is about.")
    # The streams of a case, under the same rules (access/rows.py ACTIVITY_STREAMS).
    activities: Connection[Activity] = activity_stream(
        RecordType.REQUEST,
        "The activity stream, newest first: what the viewer may read (work notes are "
        "internal; proxy contacts never get them).",
    )
    comments: Connection[Activity] = comment_stream(RecordType.REQUEST)
    # Internal, so nullable: a denial resolves to null.
    work_notes: Connection[Activity] | None = work_note_stream(RecordType.REQUEST)
    attachments: Connection[Attachment] = attachment_list(RecordType.REQUEST)


@root_queries
@strawberry.type(description="Requests raised on behalf of customers.")
class RequestQueries:
    @strawberry.field(
        description="Requests the viewer may see, newest first (as cases: a proxy contact "
        "those it raised as internal contact, a contact its own, external admins their "
        "accounts'); by number or summary, of one account."
    )
    async def requests(
        self, info: Info, first: First = None, after: After = None, filter: AccountLookupArg = None
    ) -> Connection[Request]:
        lookup = filter.to_value() if filter is not None else LookupFilter()
        return await lookup_list(info, REQUEST, lookup, first, after)


@strawberry.input(
    description="A new request. A contact raises its own unless it names another (external "
    "admins and case managers may); a proxy contact or an agent names the contact."
)
class CreateRequestInput:
    account_id: strawberry.ID = strawberry.field(
        description="The customer account (contacts: one of their accounts)."
    )
    short_description: str = strawberry.field(description="What is asked for, in one line.")
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="A contact of the account (on behalf of: admins, proxies)."
    )
    description: str | None = strawberry.field(default=None, description="Details.")
    asset_id: strawberry.ID | None = strawberry.field(
        default=None, description="An asset installed at the account."
    )
    product_id: strawberry.ID | None = strawberry.field(
        default=None, description="A product of the account (defaults to the asset's)."
    )
    internal_contact_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Agents: the proxy-contact employee it is raised for (a proxy raising a "
        "request is its internal contact).",
    )

    def draft(self) -> request_service.RequestDraft:
        return request_service.RequestDraft(
            account_id=id_of(self.account_id, "Account"),
            short_description=self.short_description,
            contact_id=optional_id(self.contact_id, "Contact"),
            description=self.description,
            asset_id=optional_id(self.asset_id, "Asset"),
            product_id=optional_id(self.product_id, "Product"),
            internal_contact_id=optional_id(self.internal_contact_id, "User"),
        )


@strawberry.type(description="The result of raising a request.")
class CreateRequestPayload:
    request: Request | None = strawberry.field(description="The new request; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of a lifecycle action on a request.")
class TransitionRequestPayload:
    request: Request | None = strawberry.field(description="The request; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of commenting on a request.")
class AddRequestCommentPayload:
    request: Request | None = strawberry.field(description="The request commented on.")
    comment: Activity | None = strawberry.field(description="The new comment.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of adding a work note to a request.")
class AddRequestWorkNotePayload:
    request: Request | None = strawberry.field(description="The request.")
    work_note: Activity | None = strawberry.field(description="The new work note.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of attaching file metadata to a request.")
class AddRequestAttachmentPayload:
    request: Request | None = strawberry.field(description="The request.")
    attachment: Attachment | None = strawberry.field(description="The new attachment.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


RequestId = Annotated[strawberry.ID, strawberry.argument(description="The request.")]
Body = Annotated[str, strawberry.argument(description="The text, 1 to 4000 characters.")]


@root_mutations
@strawberry.type(description="Request changes.")
class RequestMutations:
    @strawberry.mutation(
        description="Raise a request for a customer, with the case form's rules (ACCESS.md): "
        "agents and proxy contacts for any account and a contact of it (a proxy becomes the "
        "internal contact), contacts for one of their accounts. Records the viewer may not "
        "see are NOT_FOUND like missing ones; nothing is written on any error. Audited."
    )
    async def create_request(self, info: Info, input: CreateRequestInput) -> CreateRequestPayload:
        draft = input.draft()
        request, errors = await changed(
            info, lambda work: request_service.create_request(work, draft), Request
        )
        return CreateRequestPayload(request=request, user_errors=errors)

    @strawberry.mutation(
        description="A lifecycle action (SUBMITTED -> IN_PROGRESS -> FULFILLED -> CLOSED, or "
        "CANCELED before it is fulfilled), by the agents who work cases. An action the "
        "request's state does not allow is INVALID_STATE, a stale expectedVersion "
        "STALE_VERSION; either changes nothing. Journaled and audited."
    )
    async def transition_request(
        self,
        info: Info,
        id: RequestId,
        expected_version: Annotated[
            int,
            strawberry.argument(description="The request's version as last read."),
        ],
        action: RequestAction,
    ) -> TransitionRequestPayload:
        request_id = id_of(id, "Request")
        request, errors = await changed(
            info,
            lambda work: request_work.transition_request(
                work, request_id, expected_version, action
            ),
            Request,
        )
        return TransitionRequestPayload(request=request, user_errors=errors)

    @strawberry.mutation(
        description="Add an additional comment (customer-visible): whoever sees the request "
        "and may comment on cases (not the read-only success roles)."
    )
    async def add_request_comment(
        self, info: Info, request_id: RequestId, body: Body
    ) -> AddRequestCommentPayload:
        record_id = id_of(request_id, "Request")
        request, comment, errors = await entry_added(
            info, lambda work: request_work.add_comment(work, record_id, body), Request, Activity
        )
        return AddRequestCommentPayload(request=request, comment=comment, user_errors=errors)

    @strawberry.mutation(description="Add a work note (internal; case agents only).")
    async def add_request_work_note(
        self, info: Info, request_id: RequestId, body: Body
    ) -> AddRequestWorkNotePayload:
        record_id = id_of(request_id, "Request")
        request, note, errors = await entry_added(
            info, lambda work: request_work.add_work_note(work, record_id, body), Request, Activity
        )
        return AddRequestWorkNotePayload(request=request, work_note=note, user_errors=errors)

    @strawberry.mutation(
        description="Attach file metadata to a request (whoever may comment on it)."
    )
    async def add_request_attachment(
        self,
        info: Info,
        request_id: RequestId,
        file_name: Annotated[str, strawberry.argument(description="File name.")],
        content_type: Annotated[str, strawberry.argument(description="MIME type.")],
        size_bytes: Annotated[int, strawberry.argument(description="Size in bytes.")],
    ) -> AddRequestAttachmentPayload:
        record_id = id_of(request_id, "Request")
        request, attachment, errors = await entry_added(
            info,
            lambda work: request_work.add_attachment(
                work, record_id, file_name, content_type, size_bytes
            ),
            Request,
            Attachment,
        )
        return AddRequestAttachmentPayload(
            request=request, attachment=attachment, user_errors=errors
        )


__all__ = ["REQUEST", "CreateRequestInput", "Request", "RequestMutations", "RequestQueries"]
