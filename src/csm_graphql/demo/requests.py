"""Requests raised on behalf of customers (DOMAIN.md "Request"), for the named accounts.

Drawn last, from a generator of its own, so adding them changes no other demo row. Each named
account gets a few requests whose contact rotates over its contacts (personas first), so
``customer@acme`` has requests it is the contact of and requests of its account that are not
its own; each contact in turn gets two, one raised by the proxy persona (its internal
contact) and one by the contact itself, so the proxy sees only some of each account's
requests and the customer some the proxy does not. States
rotate through all five.

Each request has a short stream as the API writes it: additional comments from its contact
and from the proxy (both see them), and on every other request a work note by the case agent,
which neither the contact nor the proxy ever receives (ACCESS.md: work notes are internal and
never reach a proxy contact), so that rule has rows on both sides.
"""

from __future__ import annotations

from csm_graphql.demo import personas, vocabulary
from csm_graphql.demo.directory import Directory
from csm_graphql.demo.sampling import Clock, child_rng
from csm_graphql.demo.writer import RowSink
from csm_graphql.domain.cases import RequestState
from csm_graphql.domain.enums import ActivityKind, RecordType
from csm_graphql.tables import activities
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
    case_agent = directory.user_ids[personas.CASE_AGENT.key]
    states = list(RequestState)
    for spec in personas.ACCOUNTS:
        rng = child_rng(seed, "requests", spec.key)
        # The streams draw from their own generator, so the requests' rows stay as they were.
        stream_rng = child_rng(seed, "request-streams", spec.key)
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
            account_id = directory.account_ids[spec.key]
            request_id = sink.add(
                requests,
                {
                    "account_id": account_id,
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
            # The contact comments; the proxy too on the requests it raised; the case agent
            # notes every other one.
            entries: list[tuple[ActivityKind, int | None, int | None]] = [
                (ActivityKind.COMMENT, None, contact)
            ]
            if by_proxy:
                entries.append((ActivityKind.COMMENT, proxy, None))
            if index % 2 == 1:
                entries.append((ActivityKind.WORK_NOTE, case_agent, None))
            moments = clock.series(stream_rng, created, len(entries))
            for (kind, user_id, contact_id), at in zip(entries, moments, strict=True):
                bodies = (
                    vocabulary.COMMENTS if kind is ActivityKind.COMMENT else vocabulary.WORK_NOTES
                )
                sink.add(
                    activities,
                    {
                        "record_type": RecordType.REQUEST.value,
                        "record_id": request_id,
                        "account_id": account_id,
                        "kind": kind.value,
                        "actor_user_id": user_id,
                        "actor_contact_id": contact_id,
                        "at": at,
                        "body": vocabulary.fill(stream_rng.choice(bodies), stream_rng),
                        "changes": None,
                    },
                )
