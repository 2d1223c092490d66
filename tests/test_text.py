"""The one free-text validator (services/text.py) and the character classes it shares with
the GraphQL edge (domain/text.py)."""

from __future__ import annotations

import pytest

from csm_graphql.domain.text import describe, disallowed_character, unstorable_character
from csm_graphql.services.errors import UserError, UserErrorCode
from csm_graphql.services.text import LONG_TEXT, clean_text


def _refusal(value: str | None, **options: object) -> tuple[str, tuple[str, ...]]:
    with pytest.raises(UserError) as raised:
        clean_text(value, "body", **options)  # type: ignore[arg-type]
    assert raised.value.code is UserErrorCode.BAD_USER_INPUT
    return raised.value.message, raised.value.field


@pytest.mark.parametrize("value", [None, "", "  \t\r\n "])
def test_empty_when_required_says_required(value: str | None) -> None:
    assert _refusal(value, required=True) == ("body is required.", ("body",))


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_when_optional_is_none(value: str | None) -> None:
    assert clean_text(value, "body", required=False) is None


def test_text_is_stripped_and_inner_tabs_and_line_breaks_kept() -> None:
    assert clean_text("  a\tb\r\nc\n ", "body", required=True) == "a\tb\r\nc"


def test_too_long_says_so_with_the_limit() -> None:
    assert clean_text("x" * LONG_TEXT, "body", required=True) == "x" * LONG_TEXT
    message, _ = _refusal("x" * (LONG_TEXT + 1), required=True)
    assert message == f"body takes at most {LONG_TEXT} characters, not {LONG_TEXT + 1}."
    assert _refusal("abcd", required=True, limit=3)[0] == "body takes at most 3 characters, not 4."


@pytest.mark.parametrize(
    ("character", "named"),
    [
        ("\x00", "a NUL character (U+0000)"),
        ("\x07", "a control character (U+0007)"),
        ("\x1b", "a control character (U+001B)"),
        ("\x7f", "a control character (U+007F)"),
        ("\x9b", "a control character (U+009B)"),
        ("\ud800", "a lone UTF-16 surrogate (U+D800)"),
        ("\udfff", "a lone UTF-16 surrogate (U+DFFF)"),
    ],
)
def test_each_disallowed_character_is_named(character: str, named: str) -> None:
    # Also when the text is too long: what it holds is the more fundamental problem, and a
    # NUL must never read as a length problem again.
    for value in (f"a{character}b", f"a{character}" + "x" * LONG_TEXT):
        message, field = _refusal(value, required=True)
        assert message == f"body cannot contain {named}; only tabs and line breaks are allowed."
        assert field == ("body",)


def test_printable_text_of_any_script_is_free_text() -> None:
    value = "Grüße, 東京 😀 — \u2018quoted\u2019 \u00a0nbsp \u200b zero-width"
    assert clean_text(value, "body", required=True) == value.strip()
    assert disallowed_character(value) is None


def test_only_nul_and_lone_surrogates_are_unstorable() -> None:
    assert unstorable_character("a\x07\x1b\x9b") is None
    assert unstorable_character("a\x00") == "\x00"
    assert unstorable_character("a\udc00") == "\udc00"
    assert unstorable_character("😀") is None  # a pair, decoded: one astral character
    assert describe("\x00") == "a NUL character (U+0000)"
