"""csm-graphql: a role-aware GraphQL API for customer success and customer service data."""

__version__ = "0.1.0"
