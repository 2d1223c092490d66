"""Drive the explorer in headless Chromium and save a screenshot (run by screenshot-graphiql).

    python scripts/screenshot_graphiql.py http://127.0.0.1:8765/graphql docs/graphiql.png

Every step waits for what a person would see, and fails loudly if it does not appear: the
screenshot is evidence that the page works offline, not decoration.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import Page, Request, Route, sync_playwright

PERSONA = "success@acme.example"  # the README's portal example is written as this persona
TIMEOUT_MS = 30_000


def _refuse_other_hosts(page: Page, origin: str) -> list[str]:
    """Abort any request that leaves the server, and remember it: the page must need none."""
    foreign: list[str] = []

    def check(route: Route, request: Request) -> None:
        if request.url.startswith((origin, "data:")):
            route.continue_()
        else:
            foreign.append(request.url)
            route.abort()

    page.route("**/*", check)
    return foreign


def screenshot(url: str, out: Path) -> None:
    origin = url.split("/graphql")[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium")
        )
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.set_default_timeout(TIMEOUT_MS)
        foreign = _refuse_other_hosts(page, origin)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        page.goto(url)
        picker = page.get_by_label("Persona")
        picker.wait_for()
        with page.expect_response(lambda r: r.url.endswith("/graphql") and r.ok):
            picker.select_option(PERSONA)
        page.get_by_text(f"token for {PERSONA}").wait_for()

        page.get_by_label("Show Documentation Explorer").click()
        page.locator(".graphiql-doc-explorer").get_by_text("Query", exact=True).wait_for()
        page.get_by_label("Execute query (Ctrl-Enter)").click()
        page.locator(".graphiql-response").get_by_text("ENG0000").first.wait_for()

        if foreign or errors:
            raise SystemExit(f"requests to other hosts: {foreign}; page errors: {errors}")
        page.screenshot(path=str(out))
        browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    screenshot(sys.argv[1], Path(sys.argv[2]))
