"""Case mutations: thin resolvers over services/cases.py and services/case_intake.py."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from csm_graphql.domain.case_lifecycle import CaseAction
from csm_graphql.domain.cases import (
    CaseChannel,
    Impact,
    InteractionChannel,
    ResolutionCode,
    Urgency,
)
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.mutations.common import (
    UserError,
    changed,
    entry_added,
    perform,
    reloaded,
)
from csm_graphql.graphql.mutations.projects import id_of
from csm_graphql.graphql.types.cases import Case, Interaction, RelatedRecord
from csm_graphql.graphql.types.records import Activity, Attachment, KnowledgeArticle
from csm_graphql.services import case_intake, cases
from csm_graphql.services.case_intake import EmailRefusal, RelatedKind

strawberry.enum(CaseAction, description="A lifecycle action on a case (see the README).")
strawberry.enum(EmailRefusal, description="Why an inbound email did not become a case.")
strawberry.enum(RelatedKind, name="RaisedRecordKind", description="What to raise from a case.")

CaseId = Annotated[strawberry.ID, strawberry.argument(description="The case.")]
ExpectedVersion = Annotated[
    int, strawberry.argument(description="The case's version as last read (optimistic lock).")
]
Body = Annotated[str, strawberry.argument(description="The text, 1 to 4000 characters.")]


def _given(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not strawberry.UNSET}


def _ref(global_id: strawberry.ID | None, type_name: str) -> int | None:
    """An optional reference: omitted is None; a malformed or wrong-type id names nothing that
    exists (0), so it fails validation instead of meaning "none"."""
    if global_id is None:
        return None
    return id_of(global_id, type_name) or 0


def _refs(global_ids: list[strawberry.ID] | None, type_name: str) -> tuple[int, ...] | None:
    return None if global_ids is None else tuple(_ref(g, type_name) or 0 for g in global_ids)


@strawberry.input(description="A new case. The contact defaults to the viewer for contacts.")
class CreateCaseInput:
    account_id: strawberry.ID = strawberry.field(description="One of the viewer's accounts.")
    short_description: str = strawberry.field(description="One-line summary.")
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="A contact of the account (on behalf of: admins, proxies)."
    )
    consumer: str | None = strawberry.field(default=None, description="Free-text consumer.")
    consumer_email: str | None = strawberry.field(default=None, description="Consumer email.")
    description: str | None = strawberry.field(default=None, description="Details.")
    asset_id: strawberry.ID | None = strawberry.field(
        default=None, description="An asset installed at the account."
    )
    product_id: strawberry.ID | None = strawberry.field(
        default=None, description="A product of the account (defaults to the asset's)."
    )
    entitlement_id: strawberry.ID | None = strawberry.field(
        default=None, description="An entitlement of the account in force."
    )
    contract_id: strawberry.ID | None = strawberry.field(
        default=None, description="A contract of the account (defaults to the entitlement's)."
    )
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="A parent case the viewer sees."
    )
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="A project of the account the viewer sees."
    )
    project_task_id: strawberry.ID | None = strawberry.field(
        default=None, description="A task of that project the viewer sees."
    )
    category: str | None = strawberry.field(default=None, description="Category.")
    impact: Impact = strawberry.field(default=Impact.MEDIUM, description="Impact.")
    urgency: Urgency = strawberry.field(default=Urgency.MEDIUM, description="Urgency.")
    channel: CaseChannel = strawberry.field(default=CaseChannel.WEB, description="Channel.")
    internal_contact_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Agents: the proxy-contact employee the case is raised for (a proxy "
        "raising a case is its internal contact).",
    )
    assigned_to: strawberry.ID | None = strawberry.field(
        default=None, description="Agents: an active case agent to work it."
    )
    support_group: strawberry.ID | None = strawberry.field(
        default=None, description="Agents: the support group to work it."
    )
    informed_user_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Agents: employees to keep informed (at most 50)."
    )
    share_resolution_notes: bool | None = strawberry.field(
        default=None, description="Agents: whether the contact reads the resolution notes."
    )

    def draft(self) -> cases.CaseDraft:
        return cases.CaseDraft(
            account_id=id_of(self.account_id, "Account"),
            short_description=self.short_description,
            contact_id=_ref(self.contact_id, "Contact"),
            consumer_name=self.consumer,
            consumer_email=self.consumer_email,
            description=self.description,
            asset_id=_ref(self.asset_id, "Asset"),
            product_id=_ref(self.product_id, "Product"),
            entitlement_id=_ref(self.entitlement_id, "Entitlement"),
            contract_id=_ref(self.contract_id, "Contract"),
            parent_id=_ref(self.parent_id, "Case"),
            project_id=_ref(self.project_id, "Project"),
            project_task_id=_ref(self.project_task_id, "ProjectTask"),
            category=self.category,
            impact=self.impact,
            urgency=self.urgency,
            channel=self.channel,
            internal_contact_id=_ref(self.internal_contact_id, "User"),
            assigned_to_id=_ref(self.assigned_to, "User"),
            support_group_id=_ref(self.support_group, "SupportGroup"),
            informed_user_ids=_refs(self.informed_user_ids, "User"),
            share_resolution_notes=self.share_resolution_notes,
        )


@strawberry.input(description="An interaction an agent opens before any case exists.")
class CreateInteractionInput:
    channel: InteractionChannel = strawberry.field(description="How they got in touch.")
    account_id: strawberry.ID | None = strawberry.field(default=None, description="Account.")
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="A contact of the account."
    )
    opened_for_id: strawberry.ID | None = strawberry.field(
        default=None, description="The employee it is opened for (e.g. a proxy contact)."
    )
    short_description: str | None = strawberry.field(default=None, description="Summary.")


@strawberry.type(description="The result of creating a case.")
class CreateCasePayload:
    case: Case | None = strawberry.field(description="The new case; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of changing a case's fields.")
class UpdateCasePayload:
    case: Case | None = strawberry.field(description="The case; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of a lifecycle action on a case.")
class TransitionCasePayload:
    case: Case | None = strawberry.field(description="The case; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of commenting on a case.")
class AddCaseCommentPayload:
    case: Case | None = strawberry.field(description="The case commented on.")
    comment: Activity | None = strawberry.field(description="The new comment.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of adding a work note to a case.")
class AddWorkNotePayload:
    case: Case | None = strawberry.field(description="The case.")
    work_note: Activity | None = strawberry.field(description="The new work note.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of attaching file metadata to a case.")
class AddCaseAttachmentPayload:
    case: Case | None = strawberry.field(description="The case.")
    attachment: Attachment | None = strawberry.field(description="The new attachment.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of an inbound email.")
class CreateCaseFromEmailPayload:
    case: Case | None = strawberry.field(description="The new case, when accepted.")
    refusal: EmailRefusal | None = strawberry.field(
        description="Why nothing was created, when refused (also in the audit log)."
    )
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="The result of opening an interaction.")
class CreateInteractionPayload:
    interaction: Interaction | None = strawberry.field(description="The new interaction.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of creating a case from an interaction.")
class CreateCaseFromInteractionPayload:
    case: Case | None = strawberry.field(description="The new case.")
    interaction: Interaction | None = strawberry.field(description="The interaction, linked.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of raising a record from a case.")
class CreateRelatedRecordPayload:
    case: Case | None = strawberry.field(description="The case it was raised from.")
    related_record: RelatedRecord | None = strawberry.field(
        description="The incident, problem, change or request."
    )
    knowledge_article: KnowledgeArticle | None = strawberry.field(
        description="The knowledge article (a draft, INTERNAL audience)."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="Customer service case changes.")
class CaseMutations:
    @strawberry.mutation(
        description="Open a case: agents for any account, proxies for a contact of any account "
        "(they become its internal contact), contacts for one of their accounts (admins and "
        "case managers also on behalf of another contact of it)."
    )
    async def create_case(self, info: Info, input: CreateCaseInput) -> CreateCasePayload:
        draft = input.draft()
        case, errors = await changed(info, lambda work: cases.create_case(work, draft), Case)
        return CreateCasePayload(case=case, user_errors=errors)

    @strawberry.mutation(
        description="Change fields of the case form (agents). Priority follows from impact "
        "and urgency. Omitted arguments stay as they are; null clears an optional one. Every "
        "record named must be visible and of the case's account, as on createCase; a new "
        "contract or entitlement re-decides which SLAs apply. Audited and journaled."
    )
    async def update_case(
        self,
        info: Info,
        id: CaseId,
        expected_version: ExpectedVersion,
        impact: Impact | None = strawberry.UNSET,
        urgency: Urgency | None = strawberry.UNSET,
        category: str | None = strawberry.UNSET,
        short_description: str | None = strawberry.UNSET,
        description: str | None = strawberry.UNSET,
        share_resolution_notes: bool | None = strawberry.UNSET,
        assigned_to: strawberry.ID | None = strawberry.UNSET,
        support_group: strawberry.ID | None = strawberry.UNSET,
        channel: CaseChannel | None = strawberry.UNSET,
        contact_id: strawberry.ID | None = strawberry.UNSET,
        asset_id: strawberry.ID | None = strawberry.UNSET,
        product_id: strawberry.ID | None = strawberry.UNSET,
        contract_id: strawberry.ID | None = strawberry.UNSET,
        entitlement_id: strawberry.ID | None = strawberry.UNSET,
        parent_id: strawberry.ID | None = strawberry.UNSET,
        informed_user_ids: list[strawberry.ID] | None = strawberry.UNSET,
        internal_contact_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="The employee with the proxy_contact role who raised the case "
                "for the customer (validated as on createCase); null clears it."
            ),
        ] = strawberry.UNSET,
    ) -> UpdateCasePayload:
        values = _given(
            impact=impact,
            urgency=urgency,
            category=category,
            short_description=short_description,
            description=description,
            share_resolution_notes=share_resolution_notes,
            channel=channel,
        )
        for name in ("impact", "urgency", "share_resolution_notes", "channel"):
            if name in values and values[name] is None:
                values.pop(name)  # not nullable: null means "leave it"
        if assigned_to is not strawberry.UNSET:
            values["assigned_to_id"] = _ref(assigned_to, "User")
        if support_group is not strawberry.UNSET:
            values["support_group_id"] = _ref(support_group, "SupportGroup")
        if internal_contact_id is not strawberry.UNSET:
            values["internal_contact_id"] = _ref(internal_contact_id, "User")
        references = {
            "contact_id": (contact_id, "Contact"),
            "asset_id": (asset_id, "Asset"),
            "product_id": (product_id, "Product"),
            "contract_id": (contract_id, "Contract"),
            "entitlement_id": (entitlement_id, "Entitlement"),
            "parent_id": (parent_id, "Case"),
        }
        for column, (given, type_name) in references.items():
            if given is not strawberry.UNSET:
                values[column] = _ref(given, type_name)
        informed = None
        if informed_user_ids is not strawberry.UNSET:
            informed = _refs(informed_user_ids, "User") or ()  # null: inform nobody
        case_id = id_of(id, "Case")
        case, errors = await changed(
            info,
            lambda work: cases.update_case(work, case_id, expected_version, values, informed),
            Case,
        )
        return UpdateCasePayload(case=case, user_errors=errors)

    @strawberry.mutation(
        description="A lifecycle action (the state machine of DOMAIN.md). An action the case's "
        "state does not allow is INVALID_STATE and changes nothing; a closed or canceled case "
        "accepts none."
    )
    async def transition_case(
        self,
        info: Info,
        id: CaseId,
        expected_version: ExpectedVersion,
        action: CaseAction,
        resolution_code: ResolutionCode | None = None,
        resolution_notes: str | None = None,
    ) -> TransitionCasePayload:
        case_id = id_of(id, "Case")
        case, errors = await changed(
            info,
            lambda work: cases.transition_case(
                work, case_id, expected_version, action, resolution_code, resolution_notes
            ),
            Case,
        )
        return TransitionCasePayload(case=case, user_errors=errors)

    @strawberry.mutation(
        description="Add an additional comment (customer-visible). From the customer side, "
        "it returns a case awaiting info to OPEN."
    )
    async def add_case_comment(
        self, info: Info, case_id: CaseId, body: Body
    ) -> AddCaseCommentPayload:
        record_id = id_of(case_id, "Case")
        case, comment, errors = await entry_added(
            info, lambda work: cases.add_comment(work, record_id, body), Case, Activity
        )
        return AddCaseCommentPayload(case=case, comment=comment, user_errors=errors)

    @strawberry.mutation(description="Add a work note (internal; case agents only).")
    async def add_work_note(self, info: Info, case_id: CaseId, body: Body) -> AddWorkNotePayload:
        record_id = id_of(case_id, "Case")
        case, note, errors = await entry_added(
            info, lambda work: cases.add_work_note(work, record_id, body), Case, Activity
        )
        return AddWorkNotePayload(case=case, work_note=note, user_errors=errors)

    @strawberry.mutation(description="Attach file metadata to a case (whoever may comment).")
    async def add_case_attachment(
        self,
        info: Info,
        case_id: CaseId,
        file_name: Annotated[str, strawberry.argument(description="File name.")],
        content_type: Annotated[str, strawberry.argument(description="MIME type.")],
        size_bytes: Annotated[int, strawberry.argument(description="Size in bytes.")],
    ) -> AddCaseAttachmentPayload:
        record_id = id_of(case_id, "Case")
        case, attachment, errors = await entry_added(
            info,
            lambda work: cases.add_attachment(work, record_id, file_name, content_type, size_bytes),
            Case,
            Attachment,
        )
        return AddCaseAttachmentPayload(case=case, attachment=attachment, user_errors=errors)

    @strawberry.mutation(
        description="The email gateway (an agent or admin principal) submits an inbound email. "
        "Accepted from a known proxy-contact employee (naming the customer contact's address) "
        "or a known contact; otherwise nothing is created and a coded refusal is returned."
    )
    async def create_case_from_email(
        self,
        info: Info,
        from_: Annotated[str, strawberry.argument(name="from", description="Sender address.")],
        subject: Annotated[str, strawberry.argument(description="Subject line.")],
        body: Annotated[str, strawberry.argument(description="Plain-text body.")],
    ) -> CreateCaseFromEmailPayload:
        outcome = await perform(
            info, lambda work: case_intake.create_case_from_email(work, from_, subject, body)
        )
        if not outcome.ok or outcome.value is None:
            return CreateCaseFromEmailPayload(
                case=None, refusal=None, user_errors=outcome.user_errors
            )
        result = outcome.value
        case = await reloaded(info, Case, result.case["id"]) if result.case is not None else None
        return CreateCaseFromEmailPayload(case=case, refusal=result.refusal, user_errors=[])

    @strawberry.mutation(description="Open an interaction (agents).")
    async def create_interaction(
        self, info: Info, input: CreateInteractionInput
    ) -> CreateInteractionPayload:
        draft = case_intake.InteractionDraft(
            channel=input.channel,
            account_id=_ref(input.account_id, "Account"),
            contact_id=_ref(input.contact_id, "Contact"),
            opened_for_id=_ref(input.opened_for_id, "User"),
            short_description=input.short_description,
        )
        outcome = await perform(info, lambda work: case_intake.create_interaction(work, draft))
        if not outcome.ok or outcome.value is None:
            return CreateInteractionPayload(interaction=None, user_errors=outcome.user_errors)
        interaction = await reloaded(info, Interaction, outcome.value["id"])
        return CreateInteractionPayload(interaction=interaction, user_errors=[])

    @strawberry.mutation(
        description="Create a case from an interaction and link the two. The internal contact "
        "is the user it was opened for only when that user is a proxy contact."
    )
    async def create_case_from_interaction(
        self,
        info: Info,
        interaction_id: Annotated[strawberry.ID, strawberry.argument(description="Interaction.")],
        short_description: str | None = None,
        impact: Impact = Impact.MEDIUM,
        urgency: Urgency = Urgency.MEDIUM,
    ) -> CreateCaseFromInteractionPayload:
        record_id = id_of(interaction_id, "Interaction")
        outcome = await perform(
            info,
            lambda work: case_intake.create_case_from_interaction(
                work, record_id, short_description, impact, urgency
            ),
        )
        if not outcome.ok or outcome.value is None:
            return CreateCaseFromInteractionPayload(
                case=None, interaction=None, user_errors=outcome.user_errors
            )
        case_row, interaction_row = outcome.value
        return CreateCaseFromInteractionPayload(
            case=await reloaded(info, Case, case_row["id"]),
            interaction=await reloaded(info, Interaction, interaction_row["id"]),
            user_errors=[],
        )

    @strawberry.mutation(
        description="Raise an incident, problem, change, request or knowledge article from a "
        "case (agents); it appears in the case's related lists."
    )
    async def create_related_record(
        self,
        info: Info,
        case_id: CaseId,
        kind: RelatedKind,
        short_description: Annotated[str, strawberry.argument(description="Summary.")],
    ) -> CreateRelatedRecordPayload:
        record_id = id_of(case_id, "Case")
        outcome = await perform(
            info,
            lambda work: case_intake.create_related_record(
                work, record_id, kind, short_description
            ),
        )
        if not outcome.ok or outcome.value is None:
            return CreateRelatedRecordPayload(
                case=None,
                related_record=None,
                knowledge_article=None,
                user_errors=outcome.user_errors,
            )
        raised = outcome.value
        return CreateRelatedRecordPayload(
            case=await reloaded(info, Case, raised.case["id"]),
            related_record=await reloaded(info, RelatedRecord, raised.related_record_id),
            knowledge_article=await reloaded(info, KnowledgeArticle, raised.article_id),
            user_errors=[],
        )
