"""The write side: one module per area, the only code that writes to the database.

Each mutation runs in one :func:`~csm_graphql.services.unit_of_work.unit_of_work`: validate,
check the policy (``access.writes``), write, audit, queue notifications; all of it commits
together or not at all.
"""
