"""The vendored GraphiQL build, served under ``/_ide/<package>@<version>/<file>``.

The version is in the path, so a response never changes: browsers may keep it for a year
without asking again, and an upgrade changes the URLs.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

PREFIX = "/_ide"
VENDOR = Path(__file__).parent / "vendor"
IMMUTABLE = "public, max-age=31536000, immutable"


@cache
def pins() -> dict[str, str]:
    """Package name -> pinned version, as ``vendor/vendor.json`` says."""
    manifest = json.loads((VENDOR / "vendor.json").read_text())
    return {name: pin["version"] for name, pin in manifest["packages"].items()}


def url(package: str, file_name: str) -> str:
    """Where the page loads one file of a vendored package from."""
    folder = f"{package.lstrip('@').replace('/', '-')}@{pins()[package]}"
    return f"{PREFIX}/{folder}/{file_name}"


class _VendoredFiles(StaticFiles):
    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = IMMUTABLE
        return response


def route() -> Mount:
    # GraphiQL's bundle is 3.5 MB; compressed it is under 1 MB.
    return Mount(PREFIX, app=GZipMiddleware(_VendoredFiles(directory=VENDOR)), name="ide")
