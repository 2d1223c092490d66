"""The Alembic migrations, shipped inside the package as ``csm_graphql.migrations``.

The folder is the repository's top-level ``migrations/`` (pyproject.toml maps it), so plain
``alembic`` commands work from the repository root (alembic.ini) and the installed CLI finds
the same files (``csm-graphql db upgrade``).
"""
