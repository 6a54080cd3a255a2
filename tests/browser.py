"""Headless Chromium for browser tests: Debian's chromium driven by Playwright, never a downloaded browser.

Accessibility checks run axe-core (from the npm registry, installed by `make test` with `npm ci` into
node_modules/; never served to users) inside the page, with the WCAG 2.0 and 2.1 A and AA rules."""

import contextlib
import os
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@contextlib.contextmanager
def chromium_browser():
    """One headless Chromium for a whole test: contexts (one per user and mode) are cheap, browsers are not."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; the Django ORM calls the test makes in between are
    # plain synchronous calls on the test thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, *, viewport=None, locale="zh-CN", cookies=(), axe=False):
    """A page in a fresh context. With axe=True, axe-core is added to every document the page opens
    (as a DevTools init script, which the page's Content Security Policy does not govern)."""
    context = browser.new_context(viewport=viewport or DESKTOP, locale=locale)
    if cookies:
        context.add_cookies(list(cookies))
    if axe:
        context.add_init_script(path=str(AXE_SCRIPT))
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Everything the Content Security Policy blocked, so tests can assert there was nothing.
    page.csp_violations = []
    page.on(
        "console",
        lambda message: page.csp_violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return page


@contextlib.contextmanager
def chromium_page(*, viewport=None, locale="zh-CN", axe=False):
    with chromium_browser() as browser:
        yield new_page(browser, viewport=viewport, locale=locale, axe=axe)


def axe_violations(page, *, enhanced_contrast: bool = False) -> list[str]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now, one line per element. With
    enhanced_contrast, also the AAA contrast rule (7:1 for text, 4.5:1 for large text): care mode promises it."""
    violations = page.evaluate(
        """([tags, enhanced]) => axe.run(document, {
                runOnly: {type: "tag", values: tags},
                rules: enhanced ? {"color-contrast-enhanced": {enabled: true}} : {},
                resultTypes: ["violations"],
            }).then(result => result.violations)""",
        [WCAG_TAGS, enhanced_contrast],
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — {node['target'][0]}: "
        + " ".join(line.strip() for line in node.get("failureSummary", "").splitlines()[1:])
        for violation in violations
        for node in violation["nodes"]
    ]


def duplicate_ids(page) -> list[str]:
    """Ids used more than once: a label, a description or a skip link would point at the wrong element."""
    return page.evaluate(
        """() => {
            const seen = {};
            document.querySelectorAll("[id]").forEach(element => { seen[element.id] = (seen[element.id] || 0) + 1; });
            return Object.keys(seen).filter(id => seen[id] > 1);
        }"""
    )


def sideways_scroll(page, width: int = 320) -> str | None:
    """Whether the page scrolls sideways at the given width (320 px: 1280 px at 400 % zoom): None, or by how
    much and the elements that stick out. The viewport is restored afterwards."""
    before = page.viewport_size
    page.set_viewport_size({"width": width, "height": before["height"]})
    try:
        return page.evaluate(
            """() => {
                const root = document.documentElement, overflow = root.scrollWidth - root.clientWidth;
                if (overflow <= 0) return null;
                const outside = [...document.body.querySelectorAll("*")].filter(element =>
                    element.getBoundingClientRect().right > root.clientWidth
                    && ![...element.children].some(child => child.getBoundingClientRect().right > root.clientWidth));
                const names = outside.slice(0, 3).map(element => {
                    const classes = [...element.classList].map(name => "." + name).join("");
                    const text = (element.textContent || "").trim().slice(0, 30);
                    return `${element.tagName.toLowerCase()}${element.id ? "#" + element.id : ""}${classes} "${text}"`;
                });
                return `${overflow} px: ${names.join(", ")}`;
            }"""
        )
    finally:
        page.set_viewport_size(before)


def dangling_references(page) -> list[str]:
    """aria-describedby, aria-labelledby and label[for] that point at no element on the page."""
    return page.evaluate(
        """() => {
            const missing = [];
            document.querySelectorAll("[aria-describedby], [aria-labelledby]").forEach(element => {
                for (const attribute of ["aria-describedby", "aria-labelledby"]) {
                    for (const id of (element.getAttribute(attribute) || "").split(/\\s+/).filter(Boolean)) {
                        if (!document.getElementById(id)) missing.push(`${attribute}=${id}`);
                    }
                }
            });
            document.querySelectorAll("label[for]").forEach(label => {
                if (!document.getElementById(label.htmlFor)) missing.push(`label for=${label.htmlFor}`);
            });
            return missing;
        }"""
    )


def small_targets(page, minimum: int = 44) -> list[str]:
    """Controls smaller than minimum × minimum CSS px (WCAG 2.5.5). Links inside a sentence or a block of
    text are exempt, as the criterion says; so is the skip link until it has the focus."""
    return page.evaluate(
        """minimum => [...document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea")]
            .filter(element => {
                const box = element.getBoundingClientRect();
                if (box.width === 0 && box.height === 0) return false;  // not shown
                if (element.matches(".skip-link, .visually-hidden *")) return false;
                if (element.tagName === "A" && !element.classList.contains("button")) {
                    const text = element.parentElement.textContent.trim();
                    if (text.length > element.textContent.trim().length) return false;  // in a sentence
                }
                return box.width < minimum - 0.5 || box.height < minimum - 0.5;
            })
            .map(element => {
                const box = element.getBoundingClientRect();
                const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
                    + (element.name ? `[name=${element.name}]` : "");
                return `${name} "${(element.textContent || element.value || "").trim().slice(0, 20)}"`
                    + ` ${Math.round(box.width)}×${Math.round(box.height)}`;
            })""",
        minimum,
    )


def small_text(page, minimum: float = 18) -> list[str]:
    """Text drawn smaller than minimum CSS px: each element with text of its own, once per size."""
    return page.evaluate(
        """minimum => {
            const found = new Set();
            for (const element of document.body.querySelectorAll("*")) {
                const own = [...element.childNodes].some(node => node.nodeType === 3 && node.textContent.trim());
                if (!own || element.closest(".visually-hidden, .skip-link, script, style")) continue;
                const box = element.getBoundingClientRect();
                if (box.width === 0 && box.height === 0) continue;  // not shown
                const scale = element.getScreenCTM ? element.getScreenCTM().a : 1;  // a chart's text
                const size = parseFloat(getComputedStyle(element).fontSize) * scale;
                if (size < minimum - 0.05) found.add(`${element.tagName.toLowerCase()} ${size.toFixed(1)} px`
                    + ` "${element.textContent.trim().slice(0, 20)}"`);
            }
            return [...found];
        }""",
        minimum,
    )


def accessibility_problems(page, *, care: bool = False) -> list[str]:
    """Everything the accessibility checks find on the page as it is now: axe-core's WCAG A and AA rules,
    duplicate ids, references to no element, sideways scrolling at 320 px; in care mode also the 7:1
    contrast, 44 px targets and text of 18 px or more it promises."""
    problems = axe_violations(page, enhanced_contrast=care)
    problems += [f"duplicate id {name}" for name in duplicate_ids(page)]
    problems += [f"points at nothing: {reference}" for reference in dangling_references(page)]
    overflow = sideways_scroll(page)
    if overflow:
        problems.append(f"scrolls sideways at 320 px by {overflow}")
    if care:
        problems += [f"target smaller than 44 px: {target}" for target in small_targets(page)]
        problems += [f"text smaller than 18 px: {text}" for text in small_text(page)]
    return problems


def tab_to(page, selector: str, *, limit: int = 40) -> int:
    """Press Tab until the keyboard focus is on an element matching selector, and return how many presses it
    took. Every element the focus passes shows that it has it (WCAG 2.4.7: an outline or a shadow)."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """selector => {
                const element = document.activeElement, style = getComputedStyle(element);
                const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
                return {matches: element.matches(selector), visible: outlined || style.boxShadow !== "none",
                        name: element.tagName + " " + (element.name || element.textContent.trim().slice(0, 30))};
            }""",
            selector,
        )
        assert focused["visible"], f"no visible focus on {focused['name']}"
        if focused["matches"]:
            return presses
    raise AssertionError(f"{limit} presses of Tab never reached {selector}")


def skip_to_content(page) -> None:
    """The first Tab on a page reaches the skip link; Enter on it puts the focus at the start of the content.
    After a form sent from a page where the skip link was used, the address keeps #content through the
    redirects, and the browser starts the keyboard focus at the content by itself."""
    if page.url.endswith("#content"):
        return
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
