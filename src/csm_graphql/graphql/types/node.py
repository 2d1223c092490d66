"""The Node interface: every record has an opaque global id."""

from __future__ import annotations

import strawberry


@strawberry.interface(description="An object with an opaque global id, fetchable with `node`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global id.")
