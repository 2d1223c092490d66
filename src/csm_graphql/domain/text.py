"""Which characters free text may hold: the one definition the GraphQL edge and the services
share.

* Unstorable: NUL (PostgreSQL's ``text`` cannot hold it) and lone UTF-16 surrogates (JSON
  can carry ``"\\ud800"``, UTF-8 cannot). No layer can carry these anywhere, so any string
  input holding one is refused.
* Control characters (Unicode category Cc: C0, DEL and C1) other than tab, line feed and
  carriage return: storable, but never meant in what people write, and a way to smuggle
  terminal escapes or forged lines into logs, emails and exports. Free text refuses them.
"""

from __future__ import annotations

import re

# A surrogate *pair* in JSON decodes to one astral character, so any surrogate left in a
# Python string is a lone one.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_NOT_FREE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def unstorable_character(text: str) -> str | None:
    """The first character of ``text`` that no layer can carry, or None."""
    found = _UNSTORABLE.search(text)
    return found[0] if found else None


def disallowed_character(text: str) -> str | None:
    """The first character of ``text`` that free text may not hold, or None."""
    found = _NOT_FREE_TEXT.search(text)
    return found[0] if found else None


def describe(character: str) -> str:
    """A character named for a message, e.g. ``a NUL character (U+0000)``."""
    code_point = f"U+{ord(character):04X}"
    if character == "\x00":
        return f"a NUL character ({code_point})"
    if "\ud800" <= character <= "\udfff":
        return f"a lone UTF-16 surrogate ({code_point})"
    return f"a control character ({code_point})"
