"""Every main page of every role at 390 × 844 and 1366 × 768 (`make e2e`): no sideways scrolling
of the page, and no text running out of its box; screenshots of each in tests/e2e/artifacts."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import ARTIFACTS, WIDTHS, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

# Role → (login, host, the pages; «re:<pattern>» opens the first link on the previous page that
# matches, for a detail page whose id the demo decides).
PAGES = {
    "operator": ("operator", "localhost", [
        "/", "/dashboard/", "re:/dashboard/organizations/\\d+/", "/organizations/onboarding/",
        "/people/",
    ]),
    "municipal": ("mun.severny", "localhost", ["/", "/dashboard/", "/people/"]),
    "tutor": ("tutor", "localhost", ["/", "/dashboard/"]),
    "coordinator": ("coord.sosh19", "sosh19.localhost", [
        "/", "/roadmap/", "re:/roadmap/items/\\d+/", "/roadmap/?view=timeline", "/roadmap/history/",
        "/roadmap/calendar/", "/roadmap/settings/", "/roadmap/import/", "/participants/",
        "re:/participants/\\d+/", "/participants/import/", "/participants/questionnaires/",
        "/participants/acts/", "/participants/audit/", "/pairs/", "re:/pairs/\\d+/", "re:/pairs/\\d+/program/", "/pairs/match/",
        "/pairs/forms/", "/documents/", "/people/", "/profile/", "/notifications/",
        "/notifications/log/", "/notifications/settings/", "/accounts/security/",
    ]),
    "director": ("director.sosh19", "sosh19.localhost", ["/", "/signing/", "/people/", "/pairs/"]),
    "mentor": ("mentor.sosh19", "sosh19.localhost", [
        "/", "/pairs/", "/participants/", "/roadmap/", "/notifications/",
    ]),
    "mentee": ("mentee.sosh19", "sosh19.localhost", ["/", "/pairs/", "/participants/", "/roadmap/"]),
}  # fmt: skip

# Elements whose content runs past their own box (and that do not scroll it themselves). Up to
# 12 px is design, not overflow: Pico's menus pull their items out by half a rem on each side.
OVERFLOWING = """() => {
  const found = [];
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (style.display === 'inline' || style.display === 'none' || el.clientWidth === 0) continue;
    if (['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)) continue;  // they scroll their text
    if (!['visible', 'clip'].includes(style.overflowX)) continue;
    let scrolled = false;
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(up).overflowX)) { scrolled = true; break; }
    }
    if (scrolled) continue;
    if (el.scrollWidth > el.clientWidth + 12) {
      found.push(`${el.tagName.toLowerCase()}.${el.className}: ${el.scrollWidth} > ${el.clientWidth}`
                 + ` «${(el.innerText || '').slice(0, 40)}»`);
    }
  }
  return found.slice(0, 8);
}"""


def _check(page, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    problems = []
    ARTIFACTS.mkdir(exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(50)
        page.screenshot(path=str(ARTIFACTS / f"layout-{name}-{label}.png"), full_page=True)
        sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if sideways > 0:
            problems.append(f"{name} at {width}px: the page scrolls sideways by {sideways}px")
        for element in page.evaluate(OVERFLOWING):
            problems.append(f"{name} at {width}px: {element}")
    return problems


@pytest.mark.parametrize("role", list(PAGES))
def test_every_main_page_fits_a_phone_and_a_desktop(browser_page, role):  # type: ignore[no-untyped-def]
    page, url = browser_page
    username, host, paths = PAGES[role]
    base = url.format(host=host)
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, base, username)
    problems: list[str] = []
    for path in paths:
        if path.startswith("re:"):
            hrefs = page.eval_on_selector_all(
                "main a[href]", "links => links.map(a => a.getAttribute('href'))"
            )
            target = next(
                (h for h in hrefs if re.fullmatch(path[3:] + r"(\?.*)?", h.split("#")[0])), None
            )
            assert target, f"{role}: no link like {path[3:]} on {page.url}"
            path = target
        response = page.goto(base + path)
        assert response is not None and response.status < 400, (
            f"{role} {path}: {response and response.status}"
        )
        name = f"{role}-{re.sub(r'[^a-z0-9]+', '-', path.strip('/')) or 'home'}"
        problems += _check(page, name)
        page.set_viewport_size({"width": 1366, "height": 768})
    assert not problems, "\n".join(problems)
