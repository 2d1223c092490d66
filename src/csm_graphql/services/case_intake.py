"""Cases that start elsewhere (an email, an interaction) and records raised from a case."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr
from enum import StrEnum

from sqlalchemy import RowMapping, insert

from csm_graphql import tables as t
from csm_graphql.access import case_writes, rows
from csm_graphql.domain.cases import (
    CaseChannel,
    Impact,
    InteractionChannel,
    InteractionState,
    RelatedRecordKind,
    Urgency,
)
from csm_graphql.domain.descriptions import describe_values
from csm_graphql.domain.enums import ActivityKind, ArticleAudience, RecordType
from csm_graphql.repositories import case_references as refs
from csm_graphql.repositories import checks, entities
from csm_graphql.services.case_support import load_case, require_open
from csm_graphql.services.cases import open_case
from csm_graphql.services.errors import (
    UserError,
    UserErrors,
    bad_input,
    forbidden,
    invalid_state,
    not_found,
)
from csm_graphql.services.records import load_for_update, update_versioned
from csm_graphql.services.text import LONG_TEXT, SHORT_TEXT, clean_text
from csm_graphql.services.unit_of_work import UnitOfWork

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@describe_values(
    UNKNOWN_SENDER="No active contact or proxy contact has the sender's address.",
    SENDER_NOT_ALLOWED="The sender is known but holds no role that may raise cases.",
    NO_CUSTOMER_NAMED="A proxy contact sent it, but it names no customer contact's address.",
)
class EmailRefusal(StrEnum):
    """Why an email did not become a case (recorded in the audit log, nothing created)."""

    UNKNOWN_SENDER = "UNKNOWN_SENDER"
    SENDER_NOT_ALLOWED = "SENDER_NOT_ALLOWED"
    NO_CUSTOMER_NAMED = "NO_CUSTOMER_NAMED"


@dataclass(frozen=True, slots=True)
class EmailOutcome:
    case: RowMapping | None = None
    refusal: EmailRefusal | None = None


async def _active_contact_by_email(work: UnitOfWork, address: str) -> RowMapping | None:
    return await checks.by_email(work, t.contacts, address, active_only=True)


async def _sender(work: UnitOfWork, address: str) -> tuple[RowMapping | None, str]:
    """The principal behind a sender: ("user" | "contact" | "", row). The sender is an RFC
    5322 address as a mail header gives it, bare (``cory@acme.example``) or with a display
    name (``"Cory Customer" <cory@acme.example>``); only the address identifies anyone."""
    email = parseaddr(address)[1].strip().lower()
    if "@" not in email:
        return None, ""
    user = await checks.by_email(work, t.users, email)
    if user is not None:
        return user, "user"
    contact = await checks.by_email(work, t.contacts, email)
    return contact, ("contact" if contact is not None else "")


async def create_case_from_email(
    work: UnitOfWork, sender: str, subject: str, body: str
) -> EmailOutcome:
    """The email gateway (an agent or admin principal) hands over an inbound email.

    Accepted only from a known, active proxy-contact employee or a known, active contact with
    a case role (ACCESS.md); a proxy's email must name the customer contact it is for by
    their email address (ours: the first known contact address in the subject or body). A
    refusal creates nothing but is recorded, with its coded reason, in the audit log.
    """
    if not case_writes.works_cases(work.viewer):
        raise forbidden("Only the service desk's email gateway may submit emails.")
    short_description = clean_text(subject, "subject", required=True, limit=SHORT_TEXT)
    content = clean_text(body, "body", required=False, limit=LONG_TEXT) or ""
    principal, kind = await _sender(work, sender)
    contact: RowMapping | None = None
    proxy: RowMapping | None = None
    refusal: EmailRefusal | None = None
    if principal is None:
        refusal = EmailRefusal.UNKNOWN_SENDER
    elif not principal["active"] or not case_writes.raises_cases_by_email(
        kind == "user", principal["roles"]
    ):
        refusal = EmailRefusal.SENDER_NOT_ALLOWED
    elif kind == "contact":
        contact = principal
    else:
        proxy = principal
        for address in EMAIL.findall(f"{subject}\n{body}"):
            contact = await _active_contact_by_email(work, address)
            if contact is not None:
                break
        if contact is None:
            refusal = EmailRefusal.NO_CUSTOMER_NAMED
    if refusal is not None or contact is None:
        reason = refusal or EmailRefusal.NO_CUSTOMER_NAMED
        await work.audit(
            "case.email_refused",
            RecordType.CASE,
            None,
            {"from": sender, "subject": short_description, "reason": reason},
        )
        return EmailOutcome(refusal=reason)
    values = {
        "account_id": contact["account_id"],
        "contact_id": contact["id"],
        "internal_contact_id": proxy["id"] if proxy is not None else None,
        "opened_by_user_id": proxy["id"] if proxy is not None else None,
        "opened_by_contact_id": None if proxy is not None else contact["id"],
        "channel": CaseChannel.EMAIL.value,
        "short_description": short_description,
        "description": content or None,
    }
    case = await open_case(work, values, action="case.create_from_email")
    # The email itself goes into the activity stream (the customer wrote it: not internal).
    await work.record_activity(
        RecordType.CASE,
        case["id"],
        case["account_id"],
        ActivityKind.EMAIL,
        # Not the sender's address: a proxy's is an employee's, which contacts never read.
        f"Subject: {short_description}\n\n{content}",
        # The sender wrote it, not the gateway that handed it over.
        author=(proxy["id"], None) if proxy is not None else (None, contact["id"]),
    )
    return EmailOutcome(case=case)


# -- interactions --------------------------------------------------------------------------------

# Walk-ins are typed in by an agent, like a call (ours).
CASE_CHANNELS = {
    InteractionChannel.PHONE: CaseChannel.PHONE,
    InteractionChannel.CHAT: CaseChannel.CHAT,
    InteractionChannel.EMAIL: CaseChannel.EMAIL,
    InteractionChannel.WALK_IN: CaseChannel.PHONE,
}


@dataclass(frozen=True, slots=True)
class InteractionDraft:
    channel: InteractionChannel
    account_id: int | None = None
    contact_id: int | None = None
    opened_for_id: int | None = None
    short_description: str | None = None


async def create_interaction(work: UnitOfWork, draft: InteractionDraft) -> RowMapping:
    """An agent records a call, chat, email or walk-in before any case exists."""
    if not case_writes.works_cases(work.viewer):
        raise forbidden("Only case agents may open interactions.")
    problems: list[UserError] = []
    if draft.account_id is not None:
        found = await checks.visible_value(work, entities.ACCOUNT, work.viewer, draft.account_id)
        if found is None:
            problems.append(not_found("account", ("accountId",)))
    if draft.contact_id is not None:
        if draft.account_id is None:
            problems.append(bad_input("A contact needs its account.", ("accountId",)))
        elif (
            await refs.contact_of_account(work, work.viewer, draft.contact_id, draft.account_id)
            is None
        ):
            problems.append(
                bad_input("The contact does not belong to the account.", ("contactId",))
            )
    opened_for = draft.opened_for_id
    if opened_for is not None and not await checks.active_user_ids(work, [opened_for]):
        problems.append(not_found("user", ("openedForId",)))
    if problems:
        raise UserErrors(problems)
    subject = clean_text(
        draft.short_description, "shortDescription", required=False, limit=SHORT_TEXT
    )
    interaction = await work.first(
        insert(t.interactions)
        .values(
            channel=draft.channel.value,
            state=InteractionState.WORK_IN_PROGRESS.value,
            opened_for_user_id=draft.opened_for_id,
            account_id=draft.account_id,
            contact_id=draft.contact_id,
            assigned_to_id=work.viewer.id,
            short_description=subject,
        )
        .returning(*t.interactions.c)
    )
    assert interaction is not None
    await work.audit(
        "interaction.create", "interaction", interaction["id"], {"channel": draft.channel}
    )
    return interaction


async def create_case_from_interaction(
    work: UnitOfWork,
    interaction_id: int | None,
    short_description: str | None,
    impact: Impact = Impact.MEDIUM,
    urgency: Urgency = Urgency.MEDIUM,
) -> tuple[RowMapping, RowMapping]:
    """A case from an interaction, linked both ways. The internal contact is the user the
    interaction was opened for only when that user holds the proxy contact role (the seed's
    chat flow); otherwise it stays empty."""
    if not case_writes.works_cases(work.viewer):
        raise forbidden("Only case agents may create cases from interactions.")
    interaction = await load_for_update(
        work,
        t.interactions,
        interaction_id,
        rows.interactions(work.viewer),
        what="interaction",
        field=("interactionId",),
    )
    if interaction["case_id"] is not None:
        raise invalid_state("The interaction already has a case.", ("interactionId",))
    if interaction["account_id"] is None:
        raise bad_input("The interaction names no account.", ("interactionId",))
    subject = clean_text(
        short_description or interaction["short_description"], "shortDescription",
        required=True, limit=SHORT_TEXT,
    )  # fmt: skip
    internal_contact = None
    if interaction["opened_for_user_id"] is not None:
        internal_contact = await refs.proxy_contact(work, interaction["opened_for_user_id"])
    values = {
        "account_id": interaction["account_id"],
        "contact_id": interaction["contact_id"],
        "internal_contact_id": internal_contact,
        "opened_by_user_id": work.viewer.id,
        "channel": CASE_CHANNELS[InteractionChannel(interaction["channel"])].value,
        "impact": int(impact),
        "urgency": int(urgency),
        "short_description": subject,
    }
    case = await open_case(work, values, action="case.create_from_interaction")
    linked = await update_versioned(
        work,
        t.interactions,
        interaction,
        interaction["version"],
        {"case_id": case["id"], "state": InteractionState.CLOSED_COMPLETE.value},
    )
    await work.audit("interaction.link", "interaction", linked["id"], {"caseId": case["id"]})
    return case, linked


# -- records raised from a case ------------------------------------------------------------------


@describe_values(
    INCIDENT="An incident (number INC...) linked to the case.",
    PROBLEM="A problem (PRB...) to investigate the case's underlying cause.",
    CHANGE="A change request (CHG...) to fix or alter a system.",
    REQUEST="A request (REQ...) for something the customer needs provided.",
    KNOWLEDGE=(
        "A draft knowledge article, for employees only, from the case's subject and description."
    ),
)
class RelatedKind(StrEnum):
    """What an agent raises from a case: a related record, or a knowledge article."""

    INCIDENT = "INCIDENT"
    PROBLEM = "PROBLEM"
    CHANGE = "CHANGE"
    REQUEST = "REQUEST"
    KNOWLEDGE = "KNOWLEDGE"


@dataclass(frozen=True, slots=True)
class Raised:
    case: RowMapping
    related_record_id: int | None = None
    article_id: int | None = None


async def create_related_record(
    work: UnitOfWork, case_id: int | None, kind: RelatedKind, short_description: str
) -> Raised:
    """It then appears in the case's related lists. A knowledge article starts INTERNAL (a
    draft no contact reads) and is linked to the case."""
    subject = clean_text(short_description, "shortDescription", required=True, limit=SHORT_TEXT)
    case = await load_case(work, case_id, "caseId")
    if not case_writes.works_cases(work.viewer):
        raise forbidden("Only case agents may raise records from a case.")
    require_open(case)
    if kind is RelatedKind.KNOWLEDGE:
        article_id: int = await work.scalar(
            insert(t.knowledge_articles)
            .values(
                title=subject,
                body=case["description"] or f"Drafted from case {case['number']}.",
                audience=ArticleAudience.INTERNAL.value,
            )
            .returning(t.knowledge_articles.c.id)
        )
        await work.execute(
            insert(t.case_articles).values(case_id=case["id"], article_id=article_id)
        )
        await work.audit(
            "case.raise_knowledge", RecordType.CASE, case["id"], {"articleId": article_id}
        )
        return Raised(case, article_id=article_id)
    record_id: int = await work.scalar(
        insert(t.case_related_records)
        .values(
            case_id=case["id"],
            account_id=case["account_id"],
            kind=RelatedRecordKind(kind.value).value,
            short_description=subject,
            opened_by_user_id=work.viewer.user_id,
        )
        .returning(t.case_related_records.c.id)
    )
    await work.audit(
        f"case.raise_{kind.value.lower()}", RecordType.CASE, case["id"], {"recordId": record_id}
    )
    return Raised(case, related_record_id=record_id)
