"""The explorer: GraphiQL from this package's own assets (nothing from another host), a
persona picker and its token endpoints in development, and none of it in production."""

from __future__ import annotations

import gzip
import re
import tomllib
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import orjson
import pytest
from graphql import build_schema, parse, validate
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.app import create_app
from csm_graphql.demo.personas import INACTIVE_PERSONAS, PERSONAS, Persona
from csm_graphql.explorer import assets
from csm_graphql.explorer.page import DEFAULT_QUERY
from csm_graphql.settings import Settings
from tests.support import GraphQLClient

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "csm_graphql"
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css"}


class _References(HTMLParser):
    """Every URL the page's markup makes the browser load, and its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.extend(v for k, v in attrs if k in {"src", "href", "srcset", "action"} and v)
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def _references(html: str) -> _References:
    parser = _References()
    parser.feed(html)
    return parser


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"", "data"} and not parts.netloc and not url.startswith("//")


@pytest.fixture(scope="module")
async def dev_http(engine: AsyncEngine, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(environment="development", database_url=database_url)
    transport = httpx.ASGITransport(app=create_app(settings, engine=engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture(scope="module")
async def production_http(
    engine: AsyncEngine, database_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(environment="production", secret_key="s" * 48, database_url=database_url)
    transport = httpx.ASGITransport(app=create_app(settings, engine=engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def _page(http: httpx.AsyncClient) -> str:
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


async def test_graphiql_page_is_served_in_development(client: GraphQLClient) -> None:
    assert "GraphiQL" in await _page(client.http)


async def test_get_without_query_or_token_runs_nothing(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", headers={"Accept": "application/json"})
    assert response.status_code == 400


async def test_the_page_loads_nothing_from_another_host(dev_http: httpx.AsyncClient) -> None:
    page = _references(await _page(dev_http))
    assert len(page.urls) == 7  # the favicon (a data: URL), four scripts, two stylesheets
    assert all(_is_local(url) for url in page.urls), page.urls
    code = "\n".join(page.scripts)
    assert not re.search(r"\bimport\s*\(|\bimport\s+[\w{*]|\b(https?|wss?)://", code)


async def test_every_asset_the_page_references_is_served(dev_http: httpx.AsyncClient) -> None:
    html = await _page(dev_http)
    loaded = [url for url in _references(html).urls if url.startswith(assets.PREFIX)]
    assert len(loaded) == 6  # React, ReactDOM, GraphiQL (js, css), the explorer plugin (js, css)
    for url in loaded:
        response = await dev_http.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, url
        media_type = response.headers["content-type"].split(";")[0]
        assert media_type == CONTENT_TYPES[Path(url).suffix], url
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["content-encoding"] == "gzip"  # httpx decoded it
        assert b"sourceMappingURL" not in response.content[-200:]


async def test_the_vendored_build_loads_nothing_from_another_host() -> None:
    """Stylesheets may pull fonts and images; GraphiQL's embeds them as data: URLs."""
    for stylesheet in assets.VENDOR.glob("*/*.css"):
        urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", stylesheet.read_text())
        assert all(url.startswith("data:") for url in urls), stylesheet
        assert "@import" not in stylesheet.read_text()


def test_every_vendored_package_carries_its_licence() -> None:
    folders = sorted(path for path in assets.VENDOR.iterdir() if path.is_dir())
    assert [f.name for f in folders] == sorted(
        f"{name.lstrip('@').replace('/', '-')}@{version}" for name, version in assets.pins().items()
    )
    for folder in folders:
        licence = (folder / "LICENSE").read_text()
        assert "Permission is hereby granted, free of charge" in licence, folder  # MIT


def test_the_wheel_ships_the_page_and_every_vendored_file() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["csm_graphql"]
    shipped = {path for pattern in patterns for path in PACKAGE.glob(pattern) if path.is_file()}
    explorer = PACKAGE / "explorer"
    needed = {p for p in explorer.rglob("*") if p.is_file() and p.suffix not in {".py", ".pyc"}}
    assert needed - shipped == set()
    assert explorer / "vendor" / "vendor.json" in shipped


async def test_graphiql_is_a_production_build(dev_http: httpx.AsyncClient) -> None:
    """No development bundle slipped in: 3.4 MB minified is about 730 KB gzipped."""
    response = await dev_http.get(assets.url("graphiql", "graphiql.min.js"))
    assert len(gzip.compress(response.content)) < 1_000_000


def test_the_default_query_is_the_readme_portal_example_and_valid() -> None:
    schema = build_schema((ROOT / "schema.graphql").read_text())
    assert validate(schema, parse(DEFAULT_QUERY)) == []
    operation = DEFAULT_QUERY[DEFAULT_QUERY.index("query Portal") :]
    assert operation in (ROOT / "README.md").read_text()


async def test_development_page_offers_the_persona_picker(dev_http: httpx.AsyncClient) -> None:
    config = orjson.loads(
        re.findall(r'"application/json">(.*?)</script>', await _page(dev_http))[0]
    )
    assert config["personas"] == {"list": "/dev/personas", "token": "/dev/token"}


async def test_the_test_environment_has_no_picker(client: GraphQLClient) -> None:
    config = orjson.loads(
        re.findall(r'"application/json">(.*?)</script>', await _page(client.http))[0]
    )
    assert config["personas"] is None
    assert (
        await client.http.post("/dev/token", json={"email": "agent@csm.example"})
    ).status_code == 404


async def test_personas_lists_the_seeded_demo_personas(dev_http: httpx.AsyncClient) -> None:
    response = await dev_http.get("/dev/personas")
    assert response.status_code == 200
    listed = response.json()
    assert [p["email"] for p in listed] == [p.email for p in PERSONAS]
    success = next(p for p in listed if p["email"] == "success@acme.example")
    assert success == {
        "email": "success@acme.example",
        "name": "Sam Success",
        "kind": "CONTACT",
        "roles": ["customer_success_customer"],
        "account": "Acme Corp",
    }


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.key)
async def test_a_persona_token_acts_as_that_persona(
    dev_http: httpx.AsyncClient, persona: Persona
) -> None:
    response = await dev_http.post("/dev/token", json={"email": persona.email})
    assert response.status_code == 200
    token = response.json()["token"]
    answer = await dev_http.post(
        "/graphql",
        json={"query": "query Me { viewer { name email roles } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.json()["data"]["viewer"] == {
        "name": persona.name,
        "email": persona.email,
        "roles": list(persona.roles),
    }


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"email": "someone@elsewhere.example"}', 404),  # not a demo persona
        (b'{"email": "%s"}' % INACTIVE_PERSONAS[0].email.encode(), 404),  # cannot log in
        (b'{"mail": "agent@csm.example"}', 400),
        (b'{"email": 7}', 404),
        (b"agent@csm.example", 400),
        (b"[]", 400),
    ],
)
async def test_token_refuses_anyone_but_a_demo_persona(
    dev_http: httpx.AsyncClient, body: bytes, status: int
) -> None:
    response = await dev_http.post("/dev/token", content=body)
    assert response.status_code == status
    assert "token" not in response.json()


async def test_token_is_not_issued_by_get(dev_http: httpx.AsyncClient) -> None:
    response = await dev_http.get("/dev/token", params={"email": "agent@csm.example"})
    assert response.status_code == 405  # a token must not land in access logs as a URL


async def test_graphiql_is_absent_in_production(production_http: httpx.AsyncClient) -> None:
    response = await production_http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code in {400, 404}
    assert "graphiql" not in response.text.lower()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/dev/personas"),
        ("POST", "/dev/token"),
        ("GET", assets.url("graphiql", "graphiql.min.js")),
    ],
)
async def test_explorer_routes_do_not_exist_in_production(
    production_http: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await production_http.request(method, path, json={"email": "agent@csm.example"})
    assert response.status_code == 404
