"""An independent model of ACCESS.md "Customer projects", for the project tests.

Written from the spec, not from ``csm_graphql.access``: raw rows are read with plain SQL and the
visible sets are computed here.

- internal ``case_agent`` and ``admin``: every project and task; MINE tasks = assigned to me;
  any other internal role: nothing;
- a contact (any external role): the projects it is a contact of; their tasks that are
  ``visible_to_customer``; MINE = those assigned to it; change requests and issues of its
  projects;
- work notes never reach a contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

PROJECT_WORKERS = frozenset({"case_agent", "admin"})


@dataclass(frozen=True)
class Viewer:
    kind: str  # USER | CONTACT
    id: int
    roles: frozenset[str]

    @property
    def works_projects(self) -> bool:
        return self.kind == "USER" and bool(self.roles & PROJECT_WORKERS)


@dataclass
class ProjectSnapshot:
    viewers: dict[str, Viewer]
    projects: dict[int, dict[str, Any]]
    tasks: dict[int, dict[str, Any]]
    contacts: dict[int, set[int]]  # project id -> contact ids
    raised: dict[str, dict[int, int]]  # table -> {id: project id}

    @classmethod
    async def load(cls, engine: AsyncEngine) -> ProjectSnapshot:
        async with engine.connect() as c:
            users = (await c.execute(text("SELECT id, email, roles FROM users"))).all()
            people = (await c.execute(text("SELECT id, email, roles FROM contacts"))).all()
            projects = (await c.execute(text("SELECT * FROM projects"))).mappings().all()
            tasks = (await c.execute(text("SELECT * FROM project_tasks"))).mappings().all()
            links = (await c.execute(text("SELECT * FROM project_contacts"))).all()
            raised = {
                table: dict((await c.execute(text(f"SELECT id, project_id FROM {table}"))).all())
                for table in ("project_change_requests", "project_issues")
            }
        viewers = {row.email: Viewer("USER", row.id, frozenset(row.roles)) for row in users}
        viewers |= {row.email: Viewer("CONTACT", row.id, frozenset(row.roles)) for row in people}
        contacts: dict[int, set[int]] = {row["id"]: set() for row in projects}
        for project_id, contact_id in links:
            contacts[project_id].add(contact_id)
        return cls(
            viewers,
            {row["id"]: dict(row) for row in projects},
            {row["id"]: dict(row) for row in tasks},
            contacts,
            raised,
        )

    def sees_project(self, viewer: Viewer, project_id: int) -> bool:
        if viewer.kind == "USER":
            return viewer.works_projects
        return viewer.id in self.contacts[project_id]

    def visible_projects(self, email: str) -> set[int]:
        viewer = self.viewers[email]
        return {pid for pid in self.projects if self.sees_project(viewer, pid)}

    def visible_tasks(self, email: str, scope: str = "ALL") -> set[int]:
        viewer = self.viewers[email]
        found = set()
        for task_id, task in self.tasks.items():
            if viewer.kind == "USER":
                if not viewer.works_projects:
                    continue
                if scope == "MINE" and task["assigned_to_id"] != viewer.id:
                    continue
            else:
                if not (
                    task["visible_to_customer"] and self.sees_project(viewer, task["project_id"])
                ):
                    continue
                if scope == "MINE" and task["assigned_contact_id"] != viewer.id:
                    continue
            found.add(task_id)
        return found

    def visible_raised(self, email: str, table: str) -> set[int]:
        viewer = self.viewers[email]
        return {rid for rid, pid in self.raised[table].items() if self.sees_project(viewer, pid)}
