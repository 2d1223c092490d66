"""Word lists and text templates for realistic customer-success records.

Templates reuse a small set of searchable words ("onboarding", "adoption", "renewal",
"integration", "training", ...) on purpose: search tests need the same word in records a
persona may see and in records it may not. The opposite case is needed too: "churn" appears
only in ``INTERNAL_SUBJECTS``, which only invisible records use.
"""

from __future__ import annotations

import random

FIRST_NAMES = (
    "Aaliyah", "Ben", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kemal", "Lena", "Mateo", "Nadia", "Oscar", "Priya", "Quinn", "Rosa", "Sven", "Tara",
    "Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zoe", "Amara", "Bruno", "Chloe", "Diego",
)  # fmt: skip
LAST_NAMES = (
    "Okafor", "Lindqvist", "Moreau", "Tanaka", "Novak", "Haddad", "Kowalski", "Fischer",
    "Ramirez", "Chen", "O'Brien", "Rossi", "Patel", "Nguyen", "Schmidt", "Silva", "Dubois",
    "Jensen", "Kim", "Murphy", "Ivanova", "Costa", "Berg", "Sato", "Mensah", "Varga",
    "Ahmed", "Larsen", "Weber", "Cruz",
)  # fmt: skip

COMPANY_WORDS = (
    "Northwind", "Contoso", "Fabrikam", "Tailspin", "Wingtip", "Litware", "Proseware",
    "Adventure", "Blue Yonder", "Coho", "Fourth Coffee", "Lucerne", "Margie", "Trey",
    "Wide World", "Alpine", "Bellows", "Cobalt", "Driftwood", "Evergreen", "Falcon",
    "Granite", "Harbor", "Ironbark", "Juniper", "Kestrel", "Lakeside", "Meridian",
    "Nimbus", "Orchard", "Pinnacle", "Quarry", "Redwood", "Summit", "Tidewater",
    "Umber", "Vantage", "Willow", "Yarrow", "Zephyr",
)  # fmt: skip
COMPANY_SUFFIXES = (
    "Logistics", "Retail", "Bank", "Insurance", "Energy", "Telecom", "Pharma", "Foods",
    "Airlines", "Motors", "Media", "Labs", "Manufacturing", "Hotels", "Freight",
    "Health", "Capital", "Systems", "Outfitters", "Utilities",
)  # fmt: skip
PARTNER_SUFFIXES = ("Consulting", "Partners", "Advisory", "Integrators", "Solutions")
REGIONS = ("EMEA", "APAC", "Americas", "Nordics", "DACH", "UK", "LATAM", "ANZ", "EU", "US")
DEPARTMENTS = (
    "Finance", "HR", "Sales", "Marketing", "IT", "Operations", "Customer Service",
    "Procurement", "Legal", "Field Service", "Supply Chain", "Engineering",
)  # fmt: skip
SYSTEMS = ("SAP", "Salesforce", "Workday", "Okta", "Azure AD", "Snowflake", "Jira", "Slack")

# (name, description) of the demo product catalogue.
PRODUCTS = (
    ("Mobile Analytics", "Dashboards and usage analytics for the mobile workforce."),
    ("Customer Portal", "Self-service portal for cases, knowledge and communities."),
    ("Field Service Hub", "Dispatch, scheduling and work orders for field technicians."),
    ("Workflow Studio", "Low-code designer for approvals and business workflows."),
    ("Knowledge Suite", "Authoring, review and search of knowledge articles."),
    ("Data Connect", "Integration hub with connectors to ERP, CRM and HR systems."),
    ("Identity Gateway", "Single sign-on, SCIM provisioning and MFA policies."),
    ("Insights Dashboard", "Executive KPIs, health scores and adoption trends."),
    ("Billing Cloud", "Subscriptions, invoicing and revenue recognition."),
    ("Collaboration Spaces", "Shared workspaces, chat and document collaboration."),
)

ENGAGEMENT_THEMES = (
    "Customer Success", "Digital Transformation", "Service Modernisation", "Platform Rollout",
    "Adoption Programme", "Renewal Readiness", "Expansion", "Onboarding",
)  # fmt: skip

# Placeholders: {product} {dept} {region} {system}.
INITIATIVE_TEMPLATES = (
    "Drive adoption of {product} in {dept}",
    "Complete onboarding of {dept} users",
    "Prepare renewal plan for {product}",
    "Roll out {product} integration with {system}",
    "Run training programme for {dept}",
    "Expand {product} to {region}",
    "Reduce time to value for {product}",
    "Improve adoption of self-service in {region}",
    "Migrate {dept} workflows to {product}",
    "Establish executive sponsorship for renewal",
)
SUCCESS_CASE_TEMPLATES = (
    "Quarterly business review",
    "Configure SSO for {region} users",
    "Adoption health check for {product}",
    "Onboarding kickoff with {dept}",
    "Renewal readiness review",
    "Integration workshop: {product} and {system}",
    "Admin training for {product}",
    "Usage report for {dept} leadership",
    "Success plan refresh for {region}",
    "Champion programme for {product} adoption",
    "Data migration from {system}",
    "Executive sponsor check-in",
)
SUCCESS_TASK_TEMPLATES = (
    "Schedule onboarding call with {dept}",
    "Send training materials for {product}",
    "Collect adoption metrics for {product}",
    "Draft renewal proposal",
    "Validate {system} integration in test",
    "Book training session for {region} admins",
    "Update success plan",
    "Review open support cases before renewal",
    "Confirm go-live checklist for {product}",
    "Map {dept} processes to {product}",
    "Share integration runbook",
    "Record onboarding webinar",
)
# (template, touchpoint type)
TOUCHPOINT_TEMPLATES = (
    ("Weekly sync with {dept}", "MEETING"),
    ("Quarterly business review", "BUSINESS_REVIEW"),
    ("Renewal discussion", "CALL"),
    ("Training workshop: {product}", "WORKSHOP"),
    ("Onboarding check-in", "CALL"),
    ("Integration design session with {system} team", "WORKSHOP"),
    ("Adoption review for {region}", "MEETING"),
    ("Executive briefing", "MEETING"),
    ("Follow-up on renewal quote", "EMAIL"),
    ("Send onboarding summary", "EMAIL"),
)
# Subjects only for records hidden from customers; no other text here may say "churn".
INTERNAL_SUBJECTS = (
    "Churn risk review for {product}",
    "Mitigate churn risk in {dept}",
    "Churn escalation with the account team",
)
DESCRIPTION_SENTENCES = (
    "The customer wants {dept} live on {product} before the end of the quarter.",
    "Adoption in {region} lags behind the rest of the account.",
    "Training for administrators is scheduled with the customer's champion.",
    "The {system} integration is the main dependency for onboarding.",
    "Renewal is due within two quarters; value realisation must be shown.",
    "Executive sponsor asked for a usage report per department.",
    "Blocked until the customer confirms the SSO configuration.",
    "Success criteria agreed in the last business review.",
    "Data quality issues slow down the integration work.",
    "Champions in {dept} will run the internal training.",
)
COMMENTS = (
    "Thanks, we reviewed the plan with our team and agree with the next steps.",
    "Can we move the training session to next week?",
    "Our {dept} team finished onboarding; adoption looks good so far.",
    "Please share the integration guide for {system}.",
    "We would like to discuss the renewal terms in the next review.",
    "Attached the list of users for the rollout in {region}.",
    "Updated the success plan with the agreed milestones.",
    "Reminder: the workshop on {product} starts at 10:00.",
)
WORK_NOTES = (
    "Internal: renewal risk, the sponsor is leaving the company.",
    "Escalated the {system} integration issue to engineering.",
    "Customer is unhappy with adoption in {region}; plan a call with the CSM lead.",
    "Discount discussed internally for the renewal, do not share yet.",
    "Training attendance was low; follow up with the champion.",
    "Onboarding delayed by missing licences on their side.",
    "Checked usage data: {product} adoption below target in {dept}.",
)
ARTICLE_TOPICS = (
    "Getting started with {product}",
    "Onboarding checklist for new administrators",
    "Best practices for {product} adoption",
    "Configuring single sign-on with {system}",
    "Preparing for your renewal",
    "Integration patterns for {system}",
    "Training paths for end users",
    "Measuring adoption with usage dashboards",
    "Troubleshooting {product} sync errors",
    "Planning a quarterly business review",
)
ARTICLE_BODY = (
    "This article explains {topic_lower}. It covers prerequisites, the recommended steps and "
    "common pitfalls, and links to training material for administrators."
)
OFFICE = "application/vnd.openxmlformats-officedocument"
ATTACHMENTS = (
    ("success-plan.pdf", "application/pdf"),
    ("qbr-deck.pptx", f"{OFFICE}.presentationml.presentation"),
    ("adoption-report.xlsx", f"{OFFICE}.spreadsheetml.sheet"),
    ("onboarding-checklist.docx", f"{OFFICE}.wordprocessingml.document"),
    ("integration-diagram.png", "image/png"),
    ("training-attendees.csv", "text/csv"),
    ("meeting-notes.txt", "text/plain"),
)  # fmt: skip


def fill(template: str, rng: random.Random, product: str | None = None) -> str:
    """Fill a template's placeholders; unused placeholders cost no random draws."""
    values: dict[str, str] = {}
    if "{product}" in template:
        values["product"] = product or rng.choice(PRODUCTS)[0]
    if "{dept}" in template:
        values["dept"] = rng.choice(DEPARTMENTS)
    if "{region}" in template:
        values["region"] = rng.choice(REGIONS)
    if "{system}" in template:
        values["system"] = rng.choice(SYSTEMS)
    return template.format(**values)


def description(rng: random.Random, product: str | None = None) -> str:
    """Two or three sentences of background for a record."""
    sentences = rng.sample(DESCRIPTION_SENTENCES, rng.randint(2, 3))
    return " ".join(fill(s, rng, product) for s in sentences)


def slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())
