"""The named accounts and the people who log in to the demo.

Every access rule of ACCESS.md is exercised by one of these personas; the README and the tests
list them by email, so the emails, names and roles here are part of the contract. The seed gives
each persona account records on both sides of every rule (see ``demo/graph.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from csm_graphql.domain.enums import AccountKind


@dataclass(frozen=True)
class AccountSpec:
    """A hand-named account; ``key`` is what personas and tests refer to it by."""

    key: str
    name: str
    kind: AccountKind
    parent: str | None = None  # key of the parent account
    domain: str = ""  # email domain of its contacts


@dataclass(frozen=True)
class Persona:
    key: str
    email: str
    name: str
    kind: Literal["USER", "CONTACT"]
    roles: tuple[str, ...]
    account: str | None  # account key for contacts, None for internal users
    # Accounts a contact also acts for through contact relationships ("my accounts").
    related_accounts: tuple[str, ...] = ()
    active: bool = True


ACME = AccountSpec("acme", "Acme Corp", AccountKind.CUSTOMER, domain="acme.example")
ACME_EUROPE = AccountSpec(
    "acme_europe", "Acme Europe", AccountKind.CUSTOMER, parent="acme", domain="eu.acme.example"
)
ACME_AMERICAS = AccountSpec(
    "acme_americas", "Acme Americas", AccountKind.CUSTOMER, parent="acme", domain="us.acme.example"
)
INITECH = AccountSpec("initech", "Initech", AccountKind.CUSTOMER, domain="initech.example")
UMBRELLA = AccountSpec(
    "umbrella", "Umbrella Health", AccountKind.CUSTOMER, domain="umbrella.example"
)
GLOBEX = AccountSpec("globex", "Globex Partners", AccountKind.PARTNER, domain="globex.example")

# Parents come before children: the seed numbers accounts in this order.
ACCOUNTS: tuple[AccountSpec, ...] = (ACME, ACME_EUROPE, ACME_AMERICAS, INITECH, UMBRELLA, GLOBEX)

# (partner account key, customer account key): Globex's partner_admin sees these customers' cases.
PARTNER_RELATIONSHIPS: tuple[tuple[str, str], ...] = (("globex", "acme"), ("globex", "initech"))


def _user(key: str, email: str, name: str, role: str, *, active: bool = True) -> Persona:
    return Persona(key, email, name, "USER", (role,), None, active=active)


def _contact(
    key: str, email: str, name: str, role: str, account: str, *related: str, active: bool = True
) -> Persona:
    return Persona(key, email, name, "CONTACT", (role,), account, tuple(related), active)


AGENT = _user("agent", "agent@csm.example", "Avery Agent", "customer_success_agent")
VIEWER = _user("viewer", "viewer@csm.example", "Vic Viewer", "customer_success_viewer")
ADMIN = _user("admin", "admin@csm.example", "Ada Admin", "admin")
CASE_AGENT = _user("case_agent", "caseagent@csm.example", "Casey Caseagent", "case_agent")
PROXY = _user("proxy", "proxy@csm.example", "Parker Proxy", "proxy_contact")

SUCCESS_CUSTOMER = _contact(
    "success_customer", "success@acme.example", "Sam Success", "customer_success_customer", "acme"
)
CASE_MANAGER = _contact(
    "case_manager", "manager@acme.example", "Morgan Manager", "customer_case_manager", "acme"
)
CUSTOMER = _contact("customer", "customer@acme.example", "Cory Customer", "customer", "acme")
CUSTOMER_ADMIN = _contact(
    "customer_admin", "admin@acme.example", "Alex Acmeadmin", "customer_admin", "acme"
)
PARTNER = _contact("partner", "partner@globex.example", "Pat Partner", "partner", "globex")
PARTNER_ADMIN = _contact(
    "partner_admin",
    "partneradmin@globex.example",
    "Parisa Partneradmin",
    "partner_admin",
    "globex",
)
MULTI_ACCOUNT = _contact(
    "multi_account",
    "multi@initech.example",
    "Mel Multi",
    "customer_success_customer",
    "initech",
    "umbrella",
)

# Principals that exist but must be refused (ACCESS.md: inactive principal -> UNAUTHENTICATED).
INACTIVE_USER = _user(
    "inactive_user", "inactive@csm.example", "Ivy Inactive", "customer_success_agent", active=False
)
INACTIVE_CONTACT = _contact(
    "inactive_contact",
    "former@acme.example",
    "Frankie Former",
    "customer_success_customer",
    "acme",
    active=False,
)

# Everyone who can log in; the seed inserts users and contacts in this order.
PERSONAS: tuple[Persona, ...] = (
    AGENT,
    VIEWER,
    ADMIN,
    CASE_AGENT,
    PROXY,
    SUCCESS_CUSTOMER,
    CASE_MANAGER,
    CUSTOMER,
    CUSTOMER_ADMIN,
    PARTNER,
    PARTNER_ADMIN,
    MULTI_ACCOUNT,
)
INACTIVE_PERSONAS: tuple[Persona, ...] = (INACTIVE_USER, INACTIVE_CONTACT)


def users() -> tuple[Persona, ...]:
    """Internal personas, active and inactive, in insertion order."""
    return tuple(p for p in (*PERSONAS, *INACTIVE_PERSONAS) if p.kind == "USER")


def contacts() -> tuple[Persona, ...]:
    """External personas, active and inactive, in insertion order."""
    return tuple(p for p in (*PERSONAS, *INACTIVE_PERSONAS) if p.kind == "CONTACT")


def by_email(email: str) -> Persona:
    """The persona with this email (case-insensitive), for tests and tools."""
    for persona in (*PERSONAS, *INACTIVE_PERSONAS):
        if persona.email.lower() == email.lower():
            return persona
    raise KeyError(email)
