"""Work order writes: attaching files.

Who may: whoever sees the work order (its row rule: whoever sees its case; the proxy, those of
the cases where it is the internal contact), with the same write policy as attachments on a
case (``access.case_writes.comments_on_cases``: not the read-only success roles). A hidden
work order fails exactly like a missing one; a refusal rolls everything back.
"""

from __future__ import annotations

from sqlalchemy import RowMapping

from csm_graphql import tables as t
from csm_graphql.access import case_writes, rows
from csm_graphql.domain.cases import WorkOrderState
from csm_graphql.domain.enums import RecordType
from csm_graphql.services.attachments import described_file, store_attachment
from csm_graphql.services.errors import forbidden, invalid_state
from csm_graphql.services.records import load_for_update
from csm_graphql.services.unit_of_work import UnitOfWork

# A closed or canceled work order takes no more files, as a closed case takes none.
FINAL_STATES = frozenset({WorkOrderState.CLOSED, WorkOrderState.CANCELED})


async def load_work_order(
    work: UnitOfWork, work_order_id: int | None, field: str = "id"
) -> RowMapping:
    """The work order, locked, if the viewer sees it; NOT_FOUND otherwise (missing or hidden)."""
    visible = rows.work_orders(work.viewer)
    return await load_for_update(
        work, t.work_orders, work_order_id, visible, what="work order", field=(field,)
    )


async def add_attachment(
    work: UnitOfWork,
    work_order_id: int | None,
    file_name: str,
    content_type: str,
    size_bytes: int,
) -> tuple[RowMapping, int]:
    """File metadata on the work order (the bytes live elsewhere), audited."""
    file = described_file(file_name, content_type, size_bytes)
    order = await load_work_order(work, work_order_id, "workOrderId")
    if not case_writes.comments_on_cases(work.viewer):
        raise forbidden("This viewer may not attach files to work orders.")
    if WorkOrderState(order["state"]) in FINAL_STATES:
        raise invalid_state(
            f"Work order {order['number']} is {order['state'].lower()}; it accepts no file.",
            ("workOrderId",),
        )
    attachment_id = await store_attachment(work, RecordType.WORK_ORDER, order, file)
    await work.audit(
        "work_order.attach",
        RecordType.WORK_ORDER,
        order["id"],
        {"fileName": file.name, "sizeBytes": file.size_bytes},
    )
    return order, attachment_id
