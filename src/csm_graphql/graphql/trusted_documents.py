"""Documents by hash: Apollo's automatic persisted queries, and trusted documents.

Two modes, chosen by the settings:

* **Automatic persisted queries** (the default; ``CSM_PERSISTED_QUERIES=off`` turns them off).
  A client sends ``extensions.persistedQuery = {"version": 1, "sha256Hash": ...}`` without
  the document; if this process does not know the hash, it answers ``PersistedQueryNotFound``
  (code ``PERSISTED_QUERY_NOT_FOUND``) and the client sends the hash again with the document,
  which is checked against the hash and remembered. GET requests then fit in a URL and can be
  cached by a CDN. This saves bytes; it restricts nothing.
* **Trusted documents** (``CSM_TRUSTED_DOCUMENTS=/path/manifest.json``): the manifest maps ids
  to documents, as GraphQL Code Generator's ``persistedDocuments`` (sha256 hashes) or Relay's
  persisted queries write it. Only those documents run, sent by id (as above) or in full; any
  other document is refused with ``DOCUMENT_NOT_TRUSTED`` before it is parsed, so a portal's
  public endpoint runs the portal's queries and nothing an attacker writes.

Known documents are kept in memory, per process, in a cache bounded by size: a miss costs one
round trip that clients make on their own, while a PostgreSQL table would cost a query per
request and store text anyone can send.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import orjson
from strawberry.http import GraphQLRequestData

from csm_graphql.errors import ErrorCode
from csm_graphql.graphql.transport import GRAPHQL_RESPONSE, Refusal
from csm_graphql.settings import Settings, SettingsError

APQ_VERSION = 1
# Characters of documents a process keeps for automatic persisted queries (about 8 MB).
CACHE_CHARACTERS = 8_000_000
_SHA256 = re.compile(r"[0-9a-f]{64}")
# Manifest ids: sha256 hashes (GraphQL Code Generator), md5 hashes (Relay), or a prefix like
# "sha256:"; anything longer or odder is not an id.
_DOCUMENT_ID = re.compile(r"[A-Za-z0-9:_-]{1,128}")


class DocumentCache:
    """The documents clients registered lately, least recently used first out."""

    def __init__(self, max_characters: int = CACHE_CHARACTERS) -> None:
        self.max_characters = max_characters
        self._documents: OrderedDict[str, str] = OrderedDict()
        self._characters = 0

    def get(self, key: str) -> str | None:
        document = self._documents.get(key)
        if document is not None:
            self._documents.move_to_end(key)
        return document

    def add(self, key: str, document: str) -> None:
        if key in self._documents or len(document) > self.max_characters:
            return
        self._documents[key] = document
        self._characters += len(document)
        while self._characters > self.max_characters:
            _, evicted = self._documents.popitem(last=False)
            self._characters -= len(evicted)

    def __len__(self) -> int:
        return len(self._documents)


def load_manifest(path: Path) -> dict[str, str]:
    """A trusted-documents manifest: a JSON object of id -> document text."""
    try:
        manifest = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as error:
        raise SettingsError(f"CSM_TRUSTED_DOCUMENTS: cannot read {path}: {error}") from error
    if not isinstance(manifest, dict) or not manifest:
        raise SettingsError(f"CSM_TRUSTED_DOCUMENTS: {path} must be a JSON object of documents")
    for key, document in manifest.items():
        if not _DOCUMENT_ID.fullmatch(key) or not isinstance(document, str):
            raise SettingsError(
                f"CSM_TRUSTED_DOCUMENTS: {path}: {key[:40]!r} is not an id mapped to a document"
            )
    return manifest


class PersistedDocuments:
    """Fills in the document of a request that names it by hash, or refuses the request."""

    def __init__(self, *, automatic: bool, manifest: Mapping[str, str] | None = None) -> None:
        self.automatic = automatic
        self.manifest = dict(manifest) if manifest is not None else None
        self._trusted_texts = frozenset(self.manifest.values()) if self.manifest else frozenset()
        self.cache = DocumentCache()

    @classmethod
    def from_settings(cls, settings: Settings) -> PersistedDocuments:
        manifest = load_manifest(settings.trusted_documents) if settings.trusted_documents else None
        return cls(automatic=settings.persisted_queries, manifest=manifest)

    def resolve(self, request: GraphQLRequestData, media_type: str) -> GraphQLRequestData:
        """The request with its document, or a :class:`Refusal`."""
        document_id = self._persisted_id(request.extensions)
        if self.manifest is not None:
            return self._trusted(request, document_id)
        if document_id is None:
            return request
        if not self.automatic:
            raise Refusal(
                400, "PersistedQueryNotSupported", ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED
            )
        if not _SHA256.fullmatch(document_id):
            raise Refusal(
                400, "sha256Hash must be 64 lower-case hex digits.", ErrorCode.BAD_REQUEST
            )
        if request.query is None:
            document = self.cache.get(document_id)
            if document is None:
                # Apollo's clients look for this exact message. A legacy JSON client gets the
                # 200 Apollo Server sends; one that asked for graphql-response+json, where
                # every request that ran nothing is a 4xx, gets a 404.
                status = 404 if media_type == GRAPHQL_RESPONSE else 200
                raise Refusal(status, "PersistedQueryNotFound", ErrorCode.PERSISTED_QUERY_NOT_FOUND)
            return replace(request, query=document)
        if hashlib.sha256(request.query.encode()).hexdigest() != document_id:
            raise Refusal(400, "provided sha does not match query", ErrorCode.BAD_REQUEST)
        self.cache.add(document_id, request.query)
        return request

    def _trusted(self, request: GraphQLRequestData, document_id: str | None) -> GraphQLRequestData:
        assert self.manifest is not None
        if document_id is not None:
            document = self.manifest.get(document_id)
            if document is not None and request.query in (None, document):
                return replace(request, query=document)
        elif request.query is None or request.query in self._trusted_texts:
            return request  # no document at all is refused as such, further on
        raise Refusal(
            403,
            "Only trusted documents run here: send the id of a document in the manifest.",
            ErrorCode.DOCUMENT_NOT_TRUSTED,
        )

    @staticmethod
    def _persisted_id(extensions: Mapping[str, object] | None) -> str | None:
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            return None
        if not isinstance(persisted, dict):
            raise Refusal(400, "persistedQuery must be an object.", ErrorCode.BAD_REQUEST)
        if persisted.get("version") != APQ_VERSION:
            raise Refusal(
                400, "Unsupported persisted query version: send 1.", ErrorCode.BAD_REQUEST
            )
        document_id = persisted.get("sha256Hash")
        if not isinstance(document_id, str) or not _DOCUMENT_ID.fullmatch(document_id):
            raise Refusal(400, "persistedQuery.sha256Hash must be a hash.", ErrorCode.BAD_REQUEST)
        return document_id
