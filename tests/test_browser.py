"""The pages people open, in a real browser: Debian's chromium driven by playwright against the live server.

Each page renders its main content under the Content-Security-Policy, reports no CSP
violation and no console error, and asks no host other than the live server.
Skips (which CI turns into failures) when playwright or chromium is missing.
Set ``TIMELINE_BROWSER_SHOTS`` to a folder to keep a screenshot of every page.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model

from timeline.models import Event
from timeline.services import DEMO_TIMELINE_SLUG, demo_timeline_load

CHROMIUM = os.environ.get("TIMELINE_CHROMIUM", "/usr/bin/chromium")
ADMIN_PASSWORD = "a-long-browser-test-password"
REDOC_VENDOR_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"

# Collects what the CSP blocked, as the page itself sees it.
VIOLATION_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""

pytestmark = [
    pytest.mark.slow,
    # live_server needs committed data.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def browser():
    """A headless chromium for this module; skips when playwright or chromium is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (it is in the dev extras: pip install -e '.[dev]')")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium, or set TIMELINE_CHROMIUM)")
    # playwright's sync API keeps an asyncio loop on this thread, and Django then refuses the
    # ORM calls of the fixtures; the loop only ever runs playwright's own calls.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            yield launched
            launched.close()


@pytest.fixture
def demo(live_server, settings):
    """The demo timeline and a superuser, served by the live server."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_timeline_load()
    get_user_model().objects.create_superuser("chief", "chief@example.org", ADMIN_PASSWORD)
    return Event.objects.filter(timeline__slug=DEMO_TIMELINE_SLUG, published=True).order_by("pk").first()


class PageVisit:
    """One browser tab that records CSP violations, console errors and every host it asks."""

    def __init__(self, browser, live_server):
        self.origin = urlsplit(live_server.url)
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.add_init_script(VIOLATION_LISTENER)
        self.page = self.context.new_page()
        self.console_errors = []
        self.requests = []
        self.refused_by_csp = []
        self.page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        self.page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        # The console names no address for a failed load; the response does.
        self.page.on(
            "response",
            lambda response: response.status >= 400 and self.console_errors.append(f"{response.status} {response.url}"),
        )
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("requestfailed", self._note_refused)

    def _note_refused(self, request):
        # Chromium names the refusal "csp" through playwright, "net::ERR_BLOCKED_BY_CSP" elsewhere.
        if request.failure in ("csp", "net::ERR_BLOCKED_BY_CSP"):
            self.refused_by_csp.append(request.url)

    def open(self, path, main):
        """Load ``path`` and wait until ``main`` (a CSS selector) is visible."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.page.goto(self.origin.geturl().rstrip("/") + path, wait_until="networkidle")
        try:
            self.page.locator(main).first.wait_for(state="visible", timeout=15_000)
        except PlaywrightTimeout:
            self.screenshot("failed-" + path.strip("/").replace("/", "-"))
            pytest.fail(f"{path}: {main} never showed; CSP: {self.violations()}; console: {self.console_errors}")

    def log_in(self, username, password):
        self.open("/admin/login/", "#login-form")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("#login-form [type=submit]")
        self.page.wait_for_url("**/admin/")

    def violations(self):
        return self.page.evaluate("window.__cspViolations")

    def other_hosts(self):
        """Hosts other than the live server that requests went to (the CSP's refusals never leave the browser)."""
        sent = [url for url in self.requests if url not in self.refused_by_csp]
        asked = {(urlsplit(url).scheme, urlsplit(url).netloc) for url in sent}
        return sorted(
            f"{scheme}://{netloc}"
            for scheme, netloc in asked
            if scheme in ("http", "https", "ws", "wss") and netloc != self.origin.netloc
        )

    def screenshot(self, name):
        folder = os.environ.get("TIMELINE_BROWSER_SHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)


@pytest.fixture
def visit(browser, live_server):
    opened = PageVisit(browser, live_server)
    yield opened
    opened.context.close()


def assert_clean(visit, *, refused=()):
    """No CSP violation, console error or request to another host, except the CSP refusing ``refused``."""
    violations = [violation.split(" at ")[0] for violation in visit.violations()]
    console_errors = [error for error in visit.console_errors if not any(url in error for url in refused)]
    assert violations == [f"img-src blocked {url}" for url in refused]
    assert console_errors == []
    assert visit.other_hosts() == []


def test_browser_admin_login_page(visit, demo):
    visit.open("/admin/login/", "#login-form")

    visit.screenshot("admin-login")
    assert_clean(visit)


def test_browser_admin_lockout_page_explains_the_lock(visit, demo, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for attempt in range(2):
        visit.open("/admin/login/", "#login-form")
        visit.page.fill("#id_username", "chief")
        visit.page.fill("#id_password", f"wrong-{attempt}")
        visit.page.click("#login-form [type=submit]")

    visit.page.locator("#content h1").wait_for(state="visible")

    visit.screenshot("admin-lockout")
    assert visit.page.inner_text("#content h1") == "Login locked"
    # The 429 itself is the one failed load the console reports.
    assert sorted(visit.console_errors) == [
        f"429 {visit.origin.geturl().rstrip('/')}/admin/login/",
        "Failed to load resource: the server responded with a status of 429 (Too Many Requests)",
    ]
    visit.console_errors.clear()
    assert_clean(visit)


def test_browser_admin_event_changelist_lists_the_demo_events(visit, demo):
    visit.log_in("chief", ADMIN_PASSWORD)

    visit.open("/admin/timeline/event/", "#result_list tbody tr")

    visit.screenshot("admin-changelist")
    rows = visit.page.locator("#result_list tbody tr").count()
    assert rows == Event.objects.count()
    assert_clean(visit)


def test_browser_admin_event_change_form_runs_its_scripts(visit, demo):
    visit.log_in("chief", ADMIN_PASSWORD)

    visit.open(f"/admin/timeline/event/{demo.pk}/change/", "#event_form")

    visit.screenshot("admin-change-form")
    # Both appear only when the admin's JavaScript ran: select2 autocompletes and the inline's "add" link.
    assert visit.page.locator("#event_form .select2-container").count() > 0
    assert visit.page.locator("#event_form .add-row a").count() > 0
    assert_clean(visit)


def test_browser_browsable_api_root(visit, demo):
    visit.open("/api/v1/", ".response-info")

    visit.screenshot("browsable-api")
    assert '"events"' in visit.page.inner_text(".response-info")
    assert_clean(visit)


def test_browser_browsable_api_event_list_with_its_buttons(visit, demo):
    visit.open("/api/v1/events/", ".response-info")

    visit.screenshot("browsable-api-events")
    # Both carry the one inline style attribute the CSP allows by its hash.
    assert visit.page.locator("button[data-target='#filtersModal']").is_visible()
    assert visit.page.locator("#extra-actions-menu").is_visible()
    assert_clean(visit)


def test_browser_swagger_ui_lists_the_operations(visit, demo):
    visit.open("/api/v1/schema/swagger-ui/", ".opblock")

    visit.screenshot("swagger-ui")
    assert visit.page.locator(".opblock").count() > 10
    assert_clean(visit)


def test_browser_redoc_shows_its_menu(visit, demo):
    visit.open("/api/v1/schema/redoc/", ".menu-content li")

    visit.screenshot("redoc")
    assert visit.page.locator(".menu-content li").count() > 10
    # ReDoc's sidebar always shows its vendor's logo from a CDN, with no option to turn it off:
    # the CSP refuses it, so it is the one expected violation, and no request leaves the browser.
    assert_clean(visit, refused=[REDOC_VENDOR_LOGO])


def test_browser_timeline_page_lists_the_events(visit, demo):
    visit.open(f"/timelines/{DEMO_TIMELINE_SLUG}/", "ol.events li")

    visit.screenshot("timeline-page")
    published = Event.objects.filter(timeline__slug=DEMO_TIMELINE_SLUG, published=True).count()
    assert visit.page.locator("ol.events li").count() == published
    assert_clean(visit)


def test_browser_event_page_shows_the_event(visit, demo):
    visit.open(f"/events/{demo.uid}/", "h1")

    visit.screenshot("event-page")
    assert visit.page.inner_text("h1") == demo.title
    assert_clean(visit)
