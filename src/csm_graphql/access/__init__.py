"""THE authorization package: who sees and changes what (ACCESS.md).

Row rules are SQL predicates (rows.py), composed into statements before ORDER BY/LIMIT; field
rules are data (fields.py). Nothing outside this package decides visibility. It never imports
the GraphQL layer.
"""

from csm_graphql.access.roles import ExternalRole, InternalRole
from csm_graphql.access.viewer import PrincipalKind, Viewer

__all__ = ["ExternalRole", "InternalRole", "PrincipalKind", "Viewer"]
