"""Field rules: which viewer may read which field of which GraphQL type.

The table is data, keyed by (GraphQL type, GraphQL field), so it can be listed, tested for
coverage of the whole schema, printed into field descriptions and, later, compiled into SQL.
A field missing from the table is denied (graphql/permissions.py) and fails the coverage test.

Row visibility is not decided here (rows.py does that in SQL): a rule only says whether a
viewer who sees the row may also see this field of it.
"""

from __future__ import annotations

from enum import StrEnum

from csm_graphql.access.viewer import Viewer


class FieldRule(StrEnum):
    # Whoever sees the row sees the field.
    PUBLIC = "PUBLIC"
    # Internal principals only; null (or an empty list) for contacts, never an error.
    INTERNAL = "INTERNAL"


def allows(rule: FieldRule | None, viewer: Viewer) -> bool:
    if rule is FieldRule.PUBLIC:
        return True
    if rule is FieldRule.INTERNAL:
        return viewer.is_internal
    return False  # unclassified: deny


_P, _I = FieldRule.PUBLIC, FieldRule.INTERNAL


def _fields(type_name: str, **rules: FieldRule) -> dict[tuple[str, str], FieldRule]:
    return {(type_name, name): rule for name, rule in rules.items()}


# Types that carry no data of their own (pagination plumbing, result groups, mutation payloads
# and their user errors): each of their fields is PUBLIC because what they contain is already
# filtered by the rows and rules above (a payload's record is read back under them).
STRUCTURAL_SUFFIXES = ("Connection", "Edge", "Payload")
STRUCTURAL_TYPES = frozenset({"PageInfo", "SearchResults", "UserError"})

# The agent's engagement workspace (issue 4): every field internal (ACCESS.md).
_ENGAGEMENT_WORKSPACE = dict.fromkeys(
    (
        "healthScore", "healthColour", "healthIndicators", "healthSeries", "riskSignals",
        "workItems", "internalPlays", "successPlays", "objectives", "successRate",
        "soldProducts", "adoptionSeries", "adoptionToday", "adoptionRoadmaps", "contracts",
        "customerTeam", "squad", "accountTeam", "lastActiveTouchpoint", "upcomingTouchpoints",
        "timeline", "relatedLists", "attachments", "recommendedArticles", "discussions",
        "initiativeRoadmap",
    ),
    FieldRule.INTERNAL,
)  # fmt: skip

_WORK = (
    "id",
    "number",
    "shortDescription",
    "description",
    "state",
    "priority",
    "dueDate",
    "daysRemaining",
    "closureCode",
    "closureNotes",
    "createdAt",
    "updatedAt",
    "version",
    "engagement",
    "assignedTo",
)
_WORKSPACE_TYPES: dict[str, tuple[str, ...]] = {
    "SuccessObjective": ("id", "number", "shortDescription", "description", "state", "dueDate",
                         "closureCode", "closureNotes", "successRate", "createdAt", "updatedAt",
                         "version", "engagement", "initiatives"),
    "InternalPlay": (*_WORK, "tasks"),
    "InternalPlayTask": (*_WORK, "play"),
    "RiskSignal": ("id", "number", "shortDescription", "description", "probability", "priority",
                   "state", "scope", "dueDate", "daysRemaining", "createdAt", "updatedAt",
                   "engagement", "assignedTo"),
    "SuccessPlay": ("id", "number", "category", "subcategory", "activity", "state", "sourceType",
                    "sourceId", "createdAt", "engagement"),
    "SoldProduct": ("id", "usagePlan", "customerPriority", "businessCriticality", "adoptionScore",
                    "adoptionCategory", "usageDetail", "createdAt", "engagement", "product"),
    "ProductAdoptionRoadmap": ("id", "number", "name", "milestone", "plannedStart", "plannedEnd",
                               "targetScore", "createdAt", "engagement", "soldProduct"),
    "EmailTemplate": ("id", "name", "appliesTo", "subject", "body"),
    "FormTemplate": ("id", "name", "appliesTo", "description", "fields"),
    "Discussion": ("id", "subject", "recordType", "recordId", "createdAt", "engagement",
                   "startedBy", "messages"),
    "DiscussionMessage": ("id", "at", "body", "author"),
    # Values reachable only through the INTERNAL fields above.
    "HealthIndicator": ("id", "metric", "target", "weight", "direction", "actual", "attainment",
                        "gapPercent", "score"),
    "HealthPoint": ("weekStart", "hasSnapshot", "score", "colour"),
    "AdoptionCounts": ("low", "medium", "high", "none", "total"),
    "AdoptionPoint": ("weekStart", "counts"),
    "RelatedList": ("name", "count"),
    "InitiativeRoadmap": ("healthScore", "healthColour", "stage", "renewalDate", "initiatives"),
    "EngagementRollup": ("totalEngagements", "totalContractValue", "riskSignalsByProbability",
                         "squadWorkByState", "activeEngagements"),
    "ProbabilityCount": ("probability", "count"),
    "StateCount": ("state", "count"),
    "EngagementTreeNode": ("depth", "parentId", "engagement"),
}  # fmt: skip

_SUCCESS_RECORD_INTERNAL = {"visibleToCustomer": _I, "assignedTo": _I, "contactFilter": _I}

FIELD_RULES: dict[tuple[str, str], FieldRule] = {
    **_fields("Query", viewer=_P, node=_P, nodes=_P, accounts=_P, users=_P, engagements=_P,
              successInitiatives=_P, successCases=_P, successTasks=_P, touchpoints=_P, search=_P,
              emailTemplates=_P, formTemplates=_P, projects=_P, projectTasks=_P,
              cases=_P),
    # The case form's pickers (graphql/lookups.py): their row rules decide what they list.
    **_fields("Query", contacts=_P, assets=_P, contracts=_P, entitlements=_P, products=_P,
              productModels=_P, schedules=_P, supportGroups=_P, workOrders=_P),
    # Mutations are open to every viewer: services and access/writes.py decide, and refuse with
    # coded user errors (NOT_FOUND for what the viewer cannot see, FORBIDDEN otherwise).
    **_fields("Mutation", updateProjectTask=_P, completeProjectTask=_P, addProjectTaskComment=_P,
              editProjectTask=_P, assignProjectTask=_P, addProjectContact=_P,
              removeProjectContact=_P, createProjectCase=_P),
    **_fields("Mutation", refreshHealth=_P, createTouchpoint=_P, createRiskSignal=_P,
              createSuccessCase=_P, createInternalPlay=_P, launchSuccessPlay=_P,
              createProductAdoptionRoadmap=_P, updateEngagement=_P, updateSuccessObjective=_P,
              updateInternalPlay=_P, updateSuccessInitiative=_P, startDiscussion=_P,
              postToDiscussion=_P, setHealthDefinition=_P, recordHealthActual=_P),
    **_fields("Mutation", createSuccessInitiative=_P, createSuccessTask=_P,
              updateSuccessRecord=_P, transitionSuccessRecord=_P, assignSuccessRecord=_P,
              setSuccessRecordVisibility=_P, addSuccessRecordContact=_P,
              removeSuccessRecordContact=_P, addSuccessRecordComment=_P,
              addSuccessRecordWorkNote=_P),
    **_fields("Mutation", createCase=_P, updateCase=_P, transitionCase=_P, addCaseComment=_P,
              addWorkNote=_P, addCaseAttachment=_P, createCaseFromEmail=_P,
              createInteraction=_P, createCaseFromInteraction=_P, createRelatedRecord=_P),
    **_fields("Mutation", addWorkOrderAttachment=_P),
    **_fields("Mutation", createContact=_P, deactivateContact=_P, createAsset=_P,
              createAccount=_P, updateAccount=_P, createContract=_P, createEntitlement=_P),
    **_fields("Node", id=_P),
    **_fields("Viewer", id=_P, kind=_P, name=_P, email=_P, roles=_P, accounts=_P,
              capabilities=_P),
    # The viewer's own capabilities, derived from the rules themselves (access/capabilities).
    **_fields("ViewerCapabilities", successLists=_P, actions=_P),
    **_fields("ListAvailability", all=_P, mine=_P),
    **_fields("ViewerActions", maintainSuccessRecords=_P, commentOnSuccessRecords=_P,
              addSuccessWorkNotes=_P, workEngagements=_P, createCases=_P,
              createCasesForOtherContacts=_P, commentOnCases=_P, addCaseWorkNotes=_P,
              workCases=_P),
    **_fields("Account", id=_P, number=_P, name=_P, kind=_P, parent=_P, contacts=_P,
              createdAt=_P, updatedAt=_P, version=_P, engagementRollup=_I),
    **_fields("Contact", id=_P, name=_P, email=_P, account=_P, accounts=_P, roles=_P,
              active=_P, version=_P),
    **_fields("User", id=_P, name=_P, email=_P, roles=_P),
    # ACCESS.md: externally an engagement shows number, name, account, stage, goLiveDate and
    # the visible records under it; everything else about it is internal.
    **_fields("Engagement", id=_P, number=_P, name=_P, account=_P, stage=_P, goLiveDate=_P,
              initiatives=_P, successCases=_P, touchpoints=_P,
              state=_I, contractValue=_I, renewalDate=_I, perceivedHealth=_I, parent=_I,
              createdAt=_I, updatedAt=_I, version=_I, **_ENGAGEMENT_WORKSPACE),
    **_fields("SuccessInitiative", id=_P, number=_P, shortDescription=_P, description=_P, state=_P,
              progress=_P, priority=_P, dueDate=_P, daysRemaining=_P, engagement=_P, account=_P,
              successCases=_P, tasks=_P, createdAt=_P, updatedAt=_P, version=_P, objective=_I,
              **_SUCCESS_RECORD_INTERNAL),
    **_fields("SuccessCase", id=_P, number=_P, subject=_P, shortDescription=_P, description=_P,
              state=_P, priority=_P, dueDate=_P, daysRemaining=_P, engagement=_P, account=_P,
              initiative=_P, product=_P, tasks=_P, activities=_P, attachments=_P, sharedArticles=_P,
              recommendedArticles=_I,
              createdAt=_P, updatedAt=_P, version=_P, **_SUCCESS_RECORD_INTERNAL),
    # ACCESS.md lists the externally visible task fields; everything else is internal. Issue
    # 11: the task detail shows its activities and attachments to whoever sees the task; the
    # activities' row rule (rows.activities) keeps work notes from contacts.
    **_fields("SuccessTask", id=_P, number=_P, shortDescription=_P, state=_P, progress=_P,
              priority=_P, dueDate=_P, daysRemaining=_P, account=_P, comments=_P,
              activities=_P, attachments=_P,
              description=_I, engagement=_I, parent=_I, createdAt=_I, updatedAt=_I,
              version=_I, **_SUCCESS_RECORD_INTERNAL),
    **_fields("Touchpoint", id=_P, number=_P, shortDescription=_P, description=_P, type=_P,
              scheduledAt=_P, state=_P, priority=_P, dueDate=_P, daysRemaining=_P, engagement=_P,
              account=_P, createdAt=_P, updatedAt=_P, version=_P, activities=_P, attachments=_P,
              **_SUCCESS_RECORD_INTERNAL),
    **_fields("Product", id=_P, number=_P, name=_P, description=_P),
    # The activity's author is shown by name; who they are in detail is internal.
    **_fields("Activity", id=_P, kind=_P, at=_P, body=_P, actorName=_P, changes=_I,
              recordType=_P, record=_P),
    **_fields("Attachment", id=_P, fileName=_P, contentType=_P, sizeBytes=_P, createdAt=_P),
    **_fields("KnowledgeArticle", id=_P, number=_P, title=_P, body=_P, audience=_I),
    # Workspace records are read by the internal success roles alone (rows.py, every path), so
    # whoever sees one sees all of it; the Engagement / Account fields leading there are INTERNAL.
    **{(type_name, name): _P for type_name, names in _WORKSPACE_TYPES.items() for name in names},
    # -- customer service cases (ACCESS.md "Cases") --
    # Internal: supportGroup, assignedTo (beyond the name), informed users, related incidents,
    # problems and changes, work notes, SLA internals, interactions (the agents' desk).
    # resolutionNotes is PUBLIC here and row-dependent: may_read_resolution_notes().
    **_fields("Case", id=_P, number=_P, channel=_P, account=_P, contact=_P, consumer=_P,
              consumerEmail=_P, internalContact=_P, asset=_P, product=_P, category=_P, impact=_P,
              urgency=_P, priority=_P, shareResolutionNotes=_P, state=_P, contract=_P,
              entitlement=_P, parent=_P, shortDescription=_P, description=_P,
              resolutionCode=_P, resolutionNotes=_P, assignedToName=_P, openedByName=_P,
              closedAt=_P, createdAt=_P, updatedAt=_P, version=_P, customer360=_P,
              activities=_P, comments=_P, attachments=_P, childCases=_P, slas=_P, workOrders=_P,
              requests=_P, knowledge=_P, project=_P, projectTask=_P, changeRequests=_P,
              projectIssues=_P,
              supportGroup=_I, assignedTo=_I, informedUsers=_I, incidents=_I, problems=_I,
              changes=_I, workNotes=_I, interactions=_I),
    **_fields("Customer360", kind=_P, name=_P, email=_P, contact=_P, user=_P),
    # ACCESS.md "SLA internals": a contact sees which SLA runs, its stage and planned end;
    # whether it breached, how much is used and its definition stay internal.
    **_fields("TaskSla", id=_P, name=_P, target=_P, stage=_P, plannedEnd=_P,
              breached=_I, percentElapsed=_I, startAt=_I, pausedSeconds=_I, definition=_I),
    **_fields("RelatedRecord", id=_P, number=_P, kind=_P, shortDescription=_P, state=_P,
              createdAt=_P),
    **_fields("WorkOrder", id=_P, number=_P, shortDescription=_P, state=_P, scheduledAt=_P,
              createdAt=_P, case=_P, assignedTo=_I, attachments=_P),
    **_fields("Interaction", id=_P, number=_P, channel=_P, state=_P, shortDescription=_P,
              createdAt=_P, openedFor=_P, account=_P, contact=_P, case=_P),
    **_fields("Asset", id=_P, number=_P, name=_P, serialNumber=_P, installedOn=_P, account=_P,
              productModel=_P),
    **_fields("ProductModel", id=_P, number=_P, name=_P, manufacturer=_P, product=_P),
    **_fields("Contract", id=_P, number=_P, name=_P, startDate=_P, endDate=_P, active=_P,
              account=_P, value=_I),
    **_fields("Entitlement", id=_P, number=_P, name=_P, startDate=_P, endDate=_P, active=_P,
              account=_P, product=_P, contract=_P, schedule=_I),
    # Rows of these three are internal only (rows.internal_only), so no contact reaches them.
    **_fields("Schedule", id=_P, name=_P, timeZone=_P, hours=_P),
    **_fields("SlaDefinition", id=_P, name=_P, target=_P, priority=_P, durationMinutes=_P,
              schedule=_P, contract=_P, entitlement=_P),
    **_fields("SupportGroup", id=_P, name=_P, description=_P, members=_P),
    # Customer projects. ACCESS.md restricts who sees a project or task, not which of their
    # fields; who else works a task (an employee) and the full journal stay internal.
    **_fields("Project", id=_P, number=_P, name=_P, description=_P, state=_P, plannedStart=_P,
              plannedEnd=_P, actualStart=_P, actualEnd=_P, version=_P, createdAt=_P, updatedAt=_P,
              account=_P, contacts=_P, tasks=_P, changeRequests=_P, issues=_P, activities=_I,
              cases=_P, workOrders=_P),
    **_fields("ProjectTask", id=_P, number=_P, shortDescription=_P, description=_P, state=_P,
              plannedStart=_P, plannedEnd=_P, actualStart=_P, actualEnd=_P, visibleToCustomer=_P,
              version=_P, createdAt=_P, updatedAt=_P, project=_P, account=_P, assignedContact=_P,
              comments=_P, cases=_P, assignedTo=_I, activities=_I),
    **_fields("ProjectChangeRequest", id=_P, number=_P, shortDescription=_P, description=_P,
              state=_P, createdAt=_P, updatedAt=_P, project=_P),
    **_fields("ProjectIssue", id=_P, number=_P, shortDescription=_P, description=_P, state=_P,
              createdAt=_P, updatedAt=_P, project=_P),
    # Which project a case was raised for, to whoever sees the case (ACCESS.md: external
    # admins and case managers see the cases of their accounts' projects); the Project node
    # itself stays under its own rule (Case.project).
    **_fields("Case", raisedFor=_P),
    **_fields("ProjectReference", id=_P, number=_P, name=_P),
    # The version the master data updates and updateSlaDefinition guard (expectedVersion).
    **_fields("Asset", version=_P),
    **_fields("Contract", version=_P),
    **_fields("Entitlement", version=_P),
    **_fields("SlaDefinition", version=_P),
    **_fields("Mutation", updateContact=_P, updateAsset=_P, updateContract=_P,
              updateEntitlement=_P, createSlaDefinition=_P, updateSlaDefinition=_P),
    # SLA definitions are internal only by their row rule (rows.internal_only): a contact
    # gets an empty list, as with schedules.
    **_fields("Query", slaDefinitions=_P),
    # Requests (DOMAIN.md "Request"): every field is read by whoever sees the request, as the
    # matching case fields are (the proxy's and the contact's own form shows them all).
    **_fields("Request", id=_P, number=_P, state=_P, shortDescription=_P, description=_P,
              createdAt=_P, updatedAt=_P, version=_P, account=_P, contact=_P,
              internalContact=_P, asset=_P, product=_P),
    **_fields("Query", requests=_P),
    **_fields("Mutation", createRequest=_P),
    # A request's streams as a case's: work notes are internal (the activities' row rule also
    # keeps them from contacts and proxy contacts on every path).
    **_fields("Request", activities=_P, comments=_P, attachments=_P, workNotes=_I),
    **_fields("Mutation", transitionRequest=_P, addRequestComment=_P, addRequestWorkNote=_P,
              addRequestAttachment=_P),
}  # fmt: skip


# The text-search document a viewer's search may match, per type. A document is built from
# fields, so a viewer may only match (and be ranked by) documents built from fields it may read:
# a success task's description is internal, so contacts match its number and short description.
SEARCH_DOCUMENTS: dict[str, dict[FieldRule, str]] = {
    "SuccessInitiative": {_P: "search_vector"},
    "SuccessCase": {_P: "search_vector"},
    "Touchpoint": {_P: "search_vector"},
    "SuccessTask": {_I: "search_vector", _P: "customer_search_vector"},
    # Number, title and body, all public fields; the row rule keeps INTERNAL ones internal.
    "KnowledgeArticle": {_P: "search_vector"},
    # Number, short description and description; its journal matches too (search.py).
    "Case": {_P: "search_vector"},
}


def may_read_resolution_notes(viewer: Viewer, shared: bool) -> bool:
    """ACCESS.md: a case's resolution notes reach external viewers only when shared. The one
    field rule that depends on the row, so it is a function rather than a table entry."""
    return viewer.is_internal or shared


def search_document(type_name: str, viewer: Viewer) -> str:
    documents = SEARCH_DOCUMENTS[type_name]
    if viewer.is_internal and _I in documents:
        return documents[_I]
    return documents[_P]


def may_sort_by(type_name: str, field_name: str, viewer: Viewer) -> bool:
    """Sorting by a field reveals its order, and cursors carry its values: a viewer may sort
    only by fields it may read."""
    return allows(rule_for(type_name, field_name), viewer)


def rule_for(type_name: str, field_name: str) -> FieldRule | None:
    if type_name in STRUCTURAL_TYPES or type_name.endswith(STRUCTURAL_SUFFIXES):
        return FieldRule.PUBLIC
    return FIELD_RULES.get((type_name, field_name))
