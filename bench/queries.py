"""The canonical GraphQL queries the benchmark measures.

Plain strings with no dependencies, so that the tests can import them and pin the statement
count of exactly what the benchmark measures (the bench's own dependencies are an extra).
"""

PORTAL = """
query Portal {
  engagements(first: 20) { nodes { id number name stage account { id name }
    initiatives(first: 10) { nodes { id number shortDescription state priority dueDate
      successCases(first: 5) { nodes { id number subject state dueDate } } } } } }
}"""

DETAIL = """
query SuccessCaseDetail($id: ID!) {
  node(id: $id) { ... on SuccessCase { number state subject dueDate daysRemaining description
    account { name } product { name }
    tasks(first: 20) { nodes { number shortDescription state dueDate } }
    activities(first: 20) { nodes { kind at body actorName } }
    attachments(first: 10) { nodes { fileName sizeBytes } }
    sharedArticles(first: 5) { nodes { number title } } } }
}"""

SEARCH = """
query Search {
  search(text: "adoption", first: 10) {
    successCases { totalCount nodes { number subject } }
    successTasks { totalCount nodes { number } }
    successInitiatives { totalCount nodes { number } }
    touchpoints { totalCount nodes { number } } }
}"""

# The case list of issue 5: 20 cases with contact, account, product, SLAs and the last 5
# activities; a fixed number of statements (tests/test_cases_query_counts.py pins it).
CASES = """
query CaseList {
  cases(first: 20) { totalCount nodes { id number state priority shortDescription updatedAt
    contact { name } account { name } product { name }
    slas(first: 5) { nodes { name stage plannedEnd breached percentElapsed } }
    activities(first: 5) { nodes { kind at body actorName } } } }
}"""

# The workspace dashboard (issue 4): 20 engagements, both 12-week series and the indicators.
DASHBOARD = """
query Dashboard {
  engagements(first: 20) { nodes { id number name healthScore healthColour
    healthSeries(weeks: 12) { weekStart hasSnapshot score colour }
    adoptionSeries(weeks: 12) { weekStart counts { low medium high none total } }
    healthIndicators(first: 20) { totalCount nodes { metric target weight direction actual
      attainment gapPercent score } } } }
}"""

# Candidates for the detail query: the persona's own visible cases, with how much hangs off
# each, so the measured detail page is a well-populated one rather than an empty shell.
CANDIDATE_CASES = """
query Candidates {
  successCases(first: 20) { nodes { id number
    tasks { totalCount } activities { totalCount } attachments { totalCount } } }
}"""


# One candidate as a persona sees it (what it sees hanging off it depends on the persona).
CANDIDATE_CASE = """
query Candidate($id: ID!) {
  node(id: $id) { ... on SuccessCase { id number
    tasks { totalCount } activities { totalCount } attachments { totalCount } } }
}"""


__all__ = ["CANDIDATE_CASE", "CANDIDATE_CASES", "CASES", "DASHBOARD", "DETAIL", "PORTAL", "SEARCH"]
