"""Accounts, contacts, users, products and knowledge articles: everything records point at.

In every table the named accounts and the personas come first, so their ids are small and the
same at every scale; the generated accounts (and their contacts) follow and grow with the scale.
Each part draws from its own generator (``child_rng``) for the same reason.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from csm_graphql.demo import personas, vocabulary
from csm_graphql.demo.sampling import Clock, child_rng
from csm_graphql.demo.writer import Row, RowSink
from csm_graphql.domain.enums import AccountKind, ArticleAudience
from csm_graphql.tables import (
    accounts,
    contact_relationships,
    contacts,
    knowledge_articles,
    partner_relationships,
    products,
    users,
)

# Generated customer accounts (children included) and partner accounts per unit of scale.
CUSTOMERS_PER_SCALE = 34
PARTNERS_PER_SCALE = 1
BASE_AGENTS = 6  # other agents at scale 1; two more per extra unit of scale ...
MAX_AGENTS = 500  # ... up to a cap: more agents exercise no further rule
ARTICLES = 30

# Non-persona contacts of the named accounts; they fill the "someone else" side of filters.
NAMED_OTHER_CONTACTS = {
    "acme": 4,
    "acme_europe": 3,
    "acme_americas": 2,
    "initech": 3,
    "umbrella": 3,
    "globex": 2,
}

# Whose views each persona account exercises: the success viewers the access matrix revolves
# around, one per pass through the decks. Acme Europe deliberately names Sam Success (an Acme
# Corp contact): a contact filter never widens the account scope, and these records prove it.
FOCUS_PERSONAS = {
    "acme": (personas.SUCCESS_CUSTOMER, personas.CASE_MANAGER),
    "acme_europe": (personas.SUCCESS_CUSTOMER,),
    "initech": (personas.MULTI_ACCOUNT,),
    "umbrella": (personas.MULTI_ACCOUNT,),
}

NAMED_CUSTOMER_ROLES = (("customer_success_customer", 1), ("customer", 1))
PARTNER_ROLES = (("partner", 2), ("partner_admin", 1))
CUSTOMER_ROLES = (
    ("customer_success_customer", 4),
    ("customer", 3),
    ("customer_case_manager", 2),
    ("customer_admin", 1),
)


@dataclass
class SuccessAccount:
    """A customer account that gets engagements, and the contacts its records may name."""

    id: int
    key: str  # persona account key, or "generated-<n>"
    name: str
    focus: tuple[int, ...]  # contact ids at the centre of the access matrix, one per pass
    others: list[int] = field(default_factory=list)  # every other contact a filter may name

    def others_than(self, focus: int) -> list[int]:
        """The contacts a record may name besides ``focus`` (the other focus contacts too)."""
        return [c for c in (*self.focus, *self.others) if c != focus]


@dataclass
class Directory:
    user_ids: dict[str, int] = field(default_factory=dict)  # persona key -> user id
    contact_ids: dict[str, int] = field(default_factory=dict)  # persona key -> contact id
    account_ids: dict[str, int] = field(default_factory=dict)  # account key -> account id
    agents: list[int] = field(default_factory=list)  # non-persona agents, oldest first
    success_accounts: list[SuccessAccount] = field(default_factory=list)
    products: list[tuple[int, str]] = field(default_factory=list)  # (id, name)
    articles: list[int] = field(default_factory=list)
    # Customer projects per account id: (project id, its customer-visible task ids), filled by
    # the projects generator so that cases can be raised for them.
    projects: dict[int, list[tuple[int, tuple[int, ...]]]] = field(default_factory=dict)
    # Non-persona contacts of each named account (the cases demo needs them all).
    named_contacts: dict[str, list[int]] = field(default_factory=dict)

    @property
    def persona_agents(self) -> list[int]:
        """The success personas who must find records under scope MINE."""
        return [self.user_ids[p.key] for p in (personas.AGENT, personas.VIEWER, personas.ADMIN)]


def build_directory(sink: RowSink, clock: Clock, seed: int, scale: int) -> Directory:
    directory = Directory()
    _named_accounts(sink, clock, child_rng(seed, "named-accounts"), directory)
    generated = _generated_accounts(sink, clock, child_rng(seed, "accounts"), scale)
    _persona_contacts(sink, clock, child_rng(seed, "persona-contacts"), directory)
    _named_contacts(sink, clock, seed, directory)
    _generated_contacts(sink, clock, child_rng(seed, "contacts"), generated, directory)
    _users(sink, clock, child_rng(seed, "users"), scale, directory)
    _products(sink, clock, child_rng(seed, "products"), directory)
    _articles(sink, clock, child_rng(seed, "articles"), directory)
    return directory


def _account(sink: RowSink, clock: Clock, rng: random.Random, row: Row) -> int:
    created = clock.days_ago(rng, 400, 1_500)
    return sink.add(
        accounts, {**row, "created_at": created, "updated_at": clock.between(rng, created)}
    )


def _named_accounts(sink: RowSink, clock: Clock, rng: random.Random, directory: Directory) -> None:
    for spec in personas.ACCOUNTS:
        parent = directory.account_ids[spec.parent] if spec.parent else None
        row = {"name": spec.name, "kind": spec.kind.value, "parent_id": parent}
        directory.account_ids[spec.key] = _account(sink, clock, rng, row)
    for partner, customer in personas.PARTNER_RELATIONSHIPS:
        ids = directory.account_ids
        sink.add(
            partner_relationships,
            {"partner_account_id": ids[partner], "customer_account_id": ids[customer]},
        )


@dataclass
class _Generated:
    id: int
    name: str
    domain: str
    kind: AccountKind


def _generated_accounts(
    sink: RowSink, clock: Clock, rng: random.Random, scale: int
) -> list[_Generated]:
    """Customer accounts (about one in five with a regional child) and a few partners."""
    made: list[_Generated] = []
    domains: set[str] = set()
    names = _company_names(rng)
    customers: list[_Generated] = []
    while len(customers) < CUSTOMERS_PER_SCALE * scale:
        parent = _generated(sink, clock, rng, made, domains, next(names), AccountKind.CUSTOMER)
        customers.append(parent)
        if rng.random() < 0.2 and len(customers) < CUSTOMERS_PER_SCALE * scale:
            name = f"{parent.name} {rng.choice(vocabulary.REGIONS)}"
            customers.append(
                _generated(sink, clock, rng, made, domains, name, AccountKind.CUSTOMER, parent.id)
            )
    for _ in range(PARTNERS_PER_SCALE * scale):
        name = f"{rng.choice(vocabulary.COMPANY_WORDS)} {rng.choice(vocabulary.PARTNER_SUFFIXES)}"
        partner = _generated(sink, clock, rng, made, domains, name, AccountKind.PARTNER)
        for customer in rng.sample(customers, min(len(customers), rng.randint(3, 6))):
            row = {"partner_account_id": partner.id, "customer_account_id": customer.id}
            sink.add(partner_relationships, row)
    return made


def _generated(
    sink: RowSink,
    clock: Clock,
    rng: random.Random,
    made: list[_Generated],
    domains: set[str],
    name: str,
    kind: AccountKind,
    parent_id: int | None = None,
) -> _Generated:
    row = {"name": name, "kind": kind.value, "parent_id": parent_id}
    # Contact emails are unique, so every account needs a domain of its own.
    domain = base = vocabulary.slug(name)
    for suffix in itertools.count(2):
        if domain not in domains:
            break
        domain = f"{base}{suffix}"
    domains.add(domain)
    account = _Generated(_account(sink, clock, rng, row), name, f"{domain}.example", kind)
    made.append(account)
    return account


def _company_names(rng: random.Random) -> Iterator[str]:
    """Endless company names; a numeral keeps them unique once the word pairs run out."""
    pairs = [(w, s) for w in vocabulary.COMPANY_WORDS for s in vocabulary.COMPANY_SUFFIXES]
    rng.shuffle(pairs)
    for round_ in itertools.count(1):
        for word, suffix in pairs:
            yield f"{word} {suffix}" if round_ == 1 else f"{word} {suffix} {round_}"


def _persona_contacts(
    sink: RowSink, clock: Clock, rng: random.Random, directory: Directory
) -> None:
    for persona in personas.contacts():
        assert persona.account is not None
        account_id = directory.account_ids[persona.account]
        contact_id = _contact(
            sink, clock, rng, account_id, persona.name, persona.email, persona.roles, persona.active
        )
        directory.contact_ids[persona.key] = contact_id
        for related in persona.related_accounts:
            row = {"contact_id": contact_id, "account_id": directory.account_ids[related]}
            sink.add(contact_relationships, row)


def _contact(
    sink: RowSink,
    clock: Clock,
    rng: random.Random,
    account_id: int,
    name: str,
    email: str,
    roles: tuple[str, ...],
    active: bool = True,
) -> int:
    created = clock.days_ago(rng, 100, 900)
    row = {
        "account_id": account_id,
        "name": name,
        "email": email,
        "roles": list(roles),
        "active": active,
        "created_at": created,
        "updated_at": clock.between(rng, created),
    }
    return sink.add(contacts, row)


def _people(rng: random.Random, count: int, domain: str) -> Iterator[tuple[str, str]]:
    """``count`` distinct people at ``domain`` as (name, email) pairs."""
    last_names = len(vocabulary.LAST_NAMES)
    for pair in rng.sample(range(len(vocabulary.FIRST_NAMES) * last_names), count):
        given = vocabulary.FIRST_NAMES[pair // last_names]
        family = vocabulary.LAST_NAMES[pair % last_names]
        email = f"{given}.{family}@{domain}".lower().replace("'", "")
        yield f"{given} {family}", email


def _role(rng: random.Random, roles: tuple[tuple[str, int], ...]) -> tuple[str, ...]:
    return (rng.choices([r for r, _ in roles], weights=[w for _, w in roles])[0],)


def _named_contacts(sink: RowSink, clock: Clock, seed: int, directory: Directory) -> None:
    for spec in personas.ACCOUNTS:
        rng = child_rng(seed, "contacts", spec.key)
        account_id = directory.account_ids[spec.key]
        roles = PARTNER_ROLES if spec.kind is AccountKind.PARTNER else NAMED_CUSTOMER_ROLES
        others = [
            _contact(sink, clock, rng, account_id, name, email, _role(rng, roles))
            for name, email in _people(rng, NAMED_OTHER_CONTACTS[spec.key], spec.domain)
        ]
        directory.named_contacts[spec.key] = others
        focus = FOCUS_PERSONAS.get(spec.key)
        if focus is None:
            continue  # no engagements: Acme Americas stays empty, Globex is a partner
        # The account's other persona contacts (customer@ and admin@, who see no success
        # records) are named in filters too, so "any other external: nothing" has both sides.
        colleagues = [
            directory.contact_ids[p.key]
            for p in personas.PERSONAS
            if p.kind == "CONTACT" and p.account == spec.key and p not in focus
        ]
        focus_ids = tuple(directory.contact_ids[p.key] for p in focus)
        directory.success_accounts.append(
            SuccessAccount(account_id, spec.key, spec.name, focus_ids, colleagues + others)
        )


def _generated_contacts(
    sink: RowSink, clock: Clock, rng: random.Random, made: list[_Generated], directory: Directory
) -> None:
    for account in made:
        partner = account.kind is AccountKind.PARTNER
        roles = PARTNER_ROLES if partner else CUSTOMER_ROLES
        ids = [
            _contact(sink, clock, rng, account.id, name, email, _role(rng, roles))
            for name, email in _people(rng, rng.randint(2, 5), account.domain)
        ]
        if not partner:
            key = f"generated-{account.id}"
            directory.success_accounts.append(
                SuccessAccount(account.id, key, account.name, (ids[0],), ids[1:])
            )


def _users(
    sink: RowSink, clock: Clock, rng: random.Random, scale: int, directory: Directory
) -> None:
    for p in personas.users():
        directory.user_ids[p.key] = _user(sink, clock, rng, p.name, p.email, p.roles, p.active)
    agent = ("customer_success_agent",)
    count = min(BASE_AGENTS + 2 * (scale - 1), MAX_AGENTS)
    for name, email in _people(rng, count, "csm.example"):
        directory.agents.append(_user(sink, clock, rng, name, email, agent))


def _user(
    sink: RowSink,
    clock: Clock,
    rng: random.Random,
    name: str,
    email: str,
    roles: tuple[str, ...],
    active: bool = True,
) -> int:
    created = clock.days_ago(rng, 200, 1_500)
    row = {
        "name": name,
        "email": email,
        "roles": list(roles),
        "active": active,
        "created_at": created,
        "updated_at": clock.between(rng, created),
    }
    return sink.add(users, row)


def _products(sink: RowSink, clock: Clock, rng: random.Random, directory: Directory) -> None:
    for name, text in vocabulary.PRODUCTS:
        created = clock.days_ago(rng, 700, 2_000)
        row = {"name": name, "description": text, "created_at": created, "updated_at": created}
        directory.products.append((sink.add(products, row), name))


def _articles(sink: RowSink, clock: Clock, rng: random.Random, directory: Directory) -> None:
    """A third each PUBLIC, CUSTOMERS and INTERNAL, shuffled."""
    audiences = [a.value for a in ArticleAudience] * (ARTICLES // len(ArticleAudience))
    rng.shuffle(audiences)
    for index, audience in enumerate(audiences):
        topic = vocabulary.ARTICLE_TOPICS[index % len(vocabulary.ARTICLE_TOPICS)]
        title = vocabulary.fill(topic, rng)
        if audience == ArticleAudience.INTERNAL:
            title = f"Internal: {title}"
        body = vocabulary.ARTICLE_BODY.format(topic_lower=title.lower())
        created = clock.days_ago(rng, 30, 900)
        row = {
            "title": title,
            "body": body,
            "audience": audience,
            "created_at": created,
            "updated_at": clock.between(rng, created),
        }
        directory.articles.append(sink.add(knowledge_articles, row))
