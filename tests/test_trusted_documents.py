"""Documents sent by hash: Apollo's automatic persisted queries, and the trusted-documents
allow-list that refuses every other document."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.app import create_app
from csm_graphql.demo import personas
from csm_graphql.graphql.trusted_documents import DocumentCache
from csm_graphql.settings import Settings, SettingsError
from tests.support import GraphQLClient

AS = personas.ADMIN.email
GRAPHQL_RESPONSE = "application/graphql-response+json"
PRODUCTION_SECRET = "a-production-secret-of-enough-length-0123456789"
TRUSTED = "query TrustedViewer { viewer { id } }"


def _sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def _persisted(document_id: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": document_id}}


async def _post(
    client: GraphQLClient, body: dict[str, Any], accept: str = "application/json"
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {client.token(AS)}", "Accept": accept}
    return await client.http.post("/graphql", json=body, headers=headers)


async def _get(client: GraphQLClient, document_id: str) -> httpx.Response:
    params = {"extensions": json.dumps(_persisted(document_id))}
    headers = {"Authorization": f"Bearer {client.token(AS)}"}
    return await client.http.get("/graphql", params=params, headers=headers)


def _code(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


# -- automatic persisted queries -----------------------------------------------------------------


async def test_an_unknown_hash_asks_for_the_document_which_is_then_known(
    client: GraphQLClient,
) -> None:
    document = "query ApqRoundTrip { viewer { id } }"
    hashed = {"extensions": _persisted(_sha256(document))}
    expected = await client.query(document, as_=AS)

    miss = await _post(client, hashed)
    assert miss.status_code == 200  # what Apollo Server answers, and its clients expect
    assert miss.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert _code(miss) == "PERSISTED_QUERY_NOT_FOUND"

    registered = await _post(client, {"query": document, **hashed})
    assert registered.json()["data"] == expected

    by_post = await _post(client, hashed)
    assert by_post.status_code == 200
    assert by_post.json()["data"] == expected
    by_get = await _get(client, _sha256(document))
    assert by_get.status_code == 200, by_get.text
    assert by_get.json()["data"] == expected


async def test_a_miss_is_a_404_for_graphql_response_json_clients(client: GraphQLClient) -> None:
    document = "query ApqMissStrict { viewer { id } }"
    response = await _post(client, {"extensions": _persisted(_sha256(document))}, GRAPHQL_RESPONSE)
    assert response.status_code == 404
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert "data" not in response.json()
    assert _code(response) == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    "extensions",
    [
        _persisted(_sha256("query Other { viewer { id } }")),  # not the document's hash
        {
            "persistedQuery": {
                "version": 2,
                "sha256Hash": _sha256("query Mismatch { viewer { id } }"),
            }
        },
        _persisted("not a hash"),
        {"persistedQuery": "sha"},
    ],
)
async def test_a_hash_that_is_not_the_documents_is_refused(
    client: GraphQLClient, extensions: dict[str, Any]
) -> None:
    response = await _post(
        client, {"query": "query Mismatch { viewer { id } }", "extensions": extensions}
    )
    assert response.status_code == 400
    assert _code(response) == "BAD_REQUEST"


async def test_a_hash_needs_a_token_like_any_request(client: GraphQLClient) -> None:
    params = {"extensions": json.dumps(_persisted(_sha256("query NoToken { viewer { id } }")))}
    response = await client.http.get("/graphql", params=params)
    assert response.status_code == 401
    assert _code(response) == "UNAUTHENTICATED"


def test_the_cache_keeps_the_latest_documents_within_its_size() -> None:
    cache = DocumentCache(max_characters=10)
    cache.add("a", "aaaa")
    cache.add("b", "bbbb")
    assert cache.get("a") == "aaaa"  # now the most recently used
    cache.add("c", "cccc")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("aaaa", None, "cccc")
    cache.add("huge", "x" * 11)
    assert cache.get("huge") is None
    assert len(cache) == 2


# -- apps with other settings --------------------------------------------------------------------


@pytest.fixture
async def configured(
    engine: AsyncEngine,
    database_url: str,
    principals: dict[str, tuple[PrincipalKind, int]],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> AsyncIterator[GraphQLClient]:
    """A production app with the settings the test asks for; ``manifest`` is written to a file
    and named by CSM_TRUSTED_DOCUMENTS."""
    options = dict(request.param)
    if "manifest" in options:
        path = tmp_path / "persisted-documents.json"
        path.write_text(json.dumps(options.pop("manifest")))
        options["trusted_documents"] = path
    settings = Settings(
        environment="production", secret_key=PRODUCTION_SECRET, database_url=database_url, **options
    )
    transport = httpx.ASGITransport(app=create_app(settings, engine=engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http, settings, principals)


@pytest.mark.parametrize("configured", [{"persisted_queries": False}], indirect=True)
async def test_hashes_are_refused_when_persisted_queries_are_off(configured: GraphQLClient) -> None:
    document = "query ApqOff { viewer { id } }"
    response = await _post(
        configured, {"query": document, "extensions": _persisted(_sha256(document))}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "PersistedQueryNotSupported"
    assert _code(response) == "PERSISTED_QUERY_NOT_SUPPORTED"


WITH_MANIFEST = [{"manifest": {_sha256(TRUSTED): TRUSTED}}]


@pytest.mark.parametrize("configured", WITH_MANIFEST, indirect=True)
async def test_trusted_documents_run_by_id_or_in_full(configured: GraphQLClient) -> None:
    expected = await configured.query(TRUSTED, as_=AS)
    assert expected["viewer"]["id"]
    by_id = await _post(configured, {"extensions": _persisted(_sha256(TRUSTED))})
    assert by_id.json()["data"] == expected
    by_get = await _get(configured, _sha256(TRUSTED))
    assert by_get.json()["data"] == expected


@pytest.mark.parametrize("configured", WITH_MANIFEST, indirect=True)
@pytest.mark.parametrize(
    "body",
    [
        {"query": "query Untrusted { viewer { id } }"},
        # A client cannot register a document, nor pass one off under a trusted id.
        {
            "query": "query Untrusted { viewer { id } }",
            "extensions": _persisted(_sha256("query Untrusted { viewer { id } }")),
        },
        {"query": "query Untrusted { viewer { id } }", "extensions": _persisted(_sha256(TRUSTED))},
        {"extensions": _persisted(_sha256("query Untrusted { viewer { id } }"))},
    ],
)
@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
async def test_every_other_document_is_refused(
    configured: GraphQLClient, body: dict[str, Any], accept: str
) -> None:
    response = await _post(configured, body, accept)
    assert response.status_code == 403
    assert response.headers["content-type"] == accept
    assert _code(response) == "DOCUMENT_NOT_TRUSTED"
    assert ("data" in response.json()) == (accept == "application/json")


@pytest.mark.parametrize(
    "content", ["not json", "[]", "{}", json.dumps({"an id with spaces": TRUSTED}), '{"id": 1}']
)
def test_an_unreadable_manifest_stops_the_app_from_starting(
    engine: AsyncEngine, tmp_path: Path, content: str
) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(content)
    with pytest.raises(SettingsError, match="CSM_TRUSTED_DOCUMENTS"):
        create_app(Settings(environment="test", trusted_documents=path), engine=engine)
