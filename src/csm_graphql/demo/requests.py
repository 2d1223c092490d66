"""Requests raised on behalf of customers (DOMAIN.md "Request"), for the named accounts.

Drawn last, from a generator of its own, so adding them changes no other demo row. Each named
account gets a few requests whose contact rotates over its contacts (personas first), so
``customer@acme`` has requests it is the contact of and requests of its account that are not
its own; each contact in turn gets two, one raised by the proxy persona (its internal
contact) and one by the contact itself, so the proxy sees only some of each account's
requests and the customer some the proxy does not. States
rotate through all five.
"""

from __future__ import annotations

from csm_graphql.demo import personas
from csm_graphql.demo.directory import Directory
from csm_graphql.demo.sampling import Clock, child_rng
from csm_graphql.demo.writer import RowSink
from csm_graphql.domain.cases import RequestState
from csm_graphql.tables.cases import requests

REQUESTS_PER_NAMED_ACCOUNT = 6
ASKS = (
    "New laptop for a starter in {dept}",
    "Access to {product} for the {dept} team",
    "Additional {product} licences",
    "Training session on {product}",
    "Replacement badge reader for {dept}",
)


def build_requests(sink: RowSink, clock: Clock, seed: int, directory: Directory) -> None:
    proxy = directory.user_ids[personas.PROXY.key]
    states = list(RequestState)
    for spec in personas.ACCOUNTS:
        rng = child_rng(seed, "requests", spec.key)
        # Persona contacts of the account first (in persona order), then the others.
        contacts = [
            *(
                directory.contact_ids[p.key]
                for p in personas.PERSONAS
                if p.kind == "CONTACT" and p.account == spec.key
            ),
            *directory.named_contacts[spec.key],
        ]
        for index in range(REQUESTS_PER_NAMED_ACCOUNT):
            # Two requests per contact: one the proxy raised for it, one it raised itself.
            contact = contacts[(index // 2) % len(contacts)]
            by_proxy = index % 2 == 0
            created = clock.days_ago(rng, 1, 90)
            sink.add(
                requests,
                {
                    "account_id": directory.account_ids[spec.key],
                    "contact_id": contact,
                    "internal_contact_id": proxy if by_proxy else None,
                    "opened_by_user_id": proxy if by_proxy else None,
                    "opened_by_contact_id": None if by_proxy else contact,
                    "asset_id": None,
                    "product_id": None,
                    "short_description": rng.choice(ASKS).format(
                        product=rng.choice(directory.products)[1],
                        dept=rng.choice(("Finance", "HR", "Sales", "IT")),
                    ),
                    "description": None,
                    "state": states[index % len(states)].value,
                    "created_at": created,
                    "updated_at": clock.between(rng, created),
                },
            )
