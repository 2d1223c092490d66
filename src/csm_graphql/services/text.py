"""Free text from clients: the one validator every service uses.

It strips surrounding whitespace and refuses, each with its own message and the field's name
as the userError's ``field``: an empty value where one is required, characters free text may
not hold (domain/text.py: NUL, lone surrogates, control characters other than tab and line
breaks), and a value over the field's length limit.
"""

from __future__ import annotations

from csm_graphql.domain.text import describe, disallowed_character
from csm_graphql.services.errors import bad_input

# One-line summaries (a case's short description, a subject); descriptions, comments, notes.
SHORT_TEXT = 200
LONG_TEXT = 4000


def clean_text(
    value: str | None, field: str, *, required: bool, limit: int = LONG_TEXT
) -> str | None:
    """``value`` stripped, or None when empty and not required; a BAD_USER_INPUT UserError on
    ``field`` otherwise."""
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise bad_input(f"{field} is required.", (field,))
        return None
    if (character := disallowed_character(cleaned)) is not None:
        raise bad_input(
            f"{field} cannot contain {describe(character)}; only tabs and line breaks are allowed.",
            (field,),
        )
    if len(cleaned) > limit:
        raise bad_input(f"{field} takes at most {limit} characters, not {len(cleaned)}.", (field,))
    return cleaned
