"""Deterministic demo data: personas, named accounts and the customer-success graph at any scale.

``personas`` names who logs in (the README and tests list them); ``seed.seed()`` writes the data.
"""

from csm_graphql.demo.personas import PERSONAS, Persona
from csm_graphql.demo.seed import SeedSummary, seed

__all__ = ["PERSONAS", "Persona", "SeedSummary", "seed"]
