"""Headless Chromium for browser tests: Debian's chromium driven by Playwright, never a downloaded browser."""

import contextlib
import os

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextlib.contextmanager
def chromium_page(*, viewport=None, locale="zh-CN"):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; the Django ORM calls the test makes in between are
    # plain synchronous calls on the test thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale=locale)
            page = context.new_page()
            page.set_default_timeout(15_000)
            # Everything the Content Security Policy blocked, so tests can assert there was nothing.
            page.csp_violations = []
            page.on(
                "console",
                lambda message: (
                    page.csp_violations.append(message.text) if "Content Security Policy" in message.text else None
                ),
            )
            yield page
        finally:
            browser.close()
