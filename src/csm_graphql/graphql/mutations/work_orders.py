"""Work order mutations: attaching files (as on a case, by whoever sees the work order)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from csm_graphql.graphql.context import Info
from csm_graphql.graphql.mutations.common import UserError, entry_added
from csm_graphql.graphql.mutations.projects import id_of
from csm_graphql.graphql.types.cases import WorkOrder
from csm_graphql.graphql.types.records import Attachment
from csm_graphql.services import work_orders

WorkOrderId = Annotated[strawberry.ID, strawberry.argument(description="The work order.")]


@strawberry.type(description="The result of attaching file metadata to a work order.")
class AddWorkOrderAttachmentPayload:
    work_order: WorkOrder | None = strawberry.field(description="The work order.")
    attachment: Attachment | None = strawberry.field(description="The new attachment.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type
class WorkOrderMutations:
    @strawberry.mutation(
        description="Attach file metadata to a work order (whoever sees it and may attach "
        "files to cases)."
    )
    async def add_work_order_attachment(
        self,
        info: Info,
        work_order_id: WorkOrderId,
        file_name: Annotated[str, strawberry.argument(description="File name.")],
        content_type: Annotated[str, strawberry.argument(description="MIME type.")],
        size_bytes: Annotated[int, strawberry.argument(description="Size in bytes.")],
    ) -> AddWorkOrderAttachmentPayload:
        record_id = id_of(work_order_id, "WorkOrder")
        order, attachment, errors = await entry_added(
            info,
            lambda work: work_orders.add_attachment(
                work, record_id, file_name, content_type, size_bytes
            ),
            WorkOrder,
            Attachment,
        )
        return AddWorkOrderAttachmentPayload(
            work_order=order, attachment=attachment, user_errors=errors
        )
