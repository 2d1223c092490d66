"""Parsed documents, kept: a document sent again is not parsed again.

Portals send the same few documents over and over, and parsing one costs as much Python as
answering it on the compiled path. A document is kept only once Strawberry has parsed it
without error, under the same parse options (the token limit), so whatever a fresh parse
would refuse is still refused: parsing is a pure function of the text and the options. The
syntax tree is shared between requests, which only read it (graphql-core never changes one).
Bounded, so unique documents cannot grow memory without limit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterator

from graphql import DocumentNode
from strawberry.extensions import SchemaExtension

PARSED_DOCUMENTS_SIZE = 512


class ParsedDocuments:
    """A bounded LRU of syntax trees by (text, parse options)."""

    def __init__(self, size: int = PARSED_DOCUMENTS_SIZE) -> None:
        self._size = size
        self._documents: OrderedDict[Hashable, DocumentNode] = OrderedDict()

    def get(self, key: Hashable) -> DocumentNode | None:
        document = self._documents.get(key)
        if document is not None:
            self._documents.move_to_end(key)
        return document

    def put(self, key: Hashable, document: DocumentNode) -> None:
        self._documents[key] = document
        if len(self._documents) > self._size:
            self._documents.popitem(last=False)

    def __len__(self) -> int:
        return len(self._documents)


class ReuseParsedDocuments(SchemaExtension):
    """Serves a document parsed before; otherwise lets Strawberry parse (and word any syntax
    error) and keeps the result."""

    def __init__(self, documents: ParsedDocuments) -> None:
        super().__init__()
        self.documents = documents

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        key = (context.query, tuple(sorted(context.parse_options.items())))
        known = None if context.graphql_document is not None else self.documents.get(key)
        if known is not None:
            context.graphql_document = known
        yield
        if known is None and context.query and context.graphql_document is not None:
            self.documents.put(key, context.graphql_document)


__all__ = ["ParsedDocuments", "ReuseParsedDocuments"]
