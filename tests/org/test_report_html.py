"""The HTML report in a real headless Chromium: it renders, one bar per repo shown, no console
error (nor CSP violation), filters work, hostile names and card text stay text; a screenshot is
saved under the test's tmp dir."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from hf_publish.org import report_html
from hf_publish.org.model import Access
from tests.org.browser import Browser, chromium_path
from tests.org.records import HOSTILE, record, result_of, sample_org

HOSTILE_NAME = 'acme/x"><script>window.__pwned=2</script><svg onload="window.__pwned=3">'


def hostile_org():
    repos = sample_org() + [
        record(
            HOSTILE_NAME,
            storage=5 * 10**8,
            days=2,
            card=b"---\nlicense: apache-2.0\n---\n## Overview\n</td></tr></table><b>x</b>\n",
        )
    ]
    repos += [record(f"acme/model-{i:02d}-v1", storage=(i + 1) * 10**8, days=10 + i) for i in range(30)]
    return result_of(
        repos,
        access=Access("none", None, False, None, False, ("no token: the audit sees public repos only " + HOSTILE,)),
        endpoint="http://127.0.0.1:9",
    )


def test_the_file_is_self_contained():
    page = report_html.render(hostile_org())
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//(?!127\.0\.0\.1:9/)""", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert page.count("<script>") == 1
    assert "Content-Security-Policy" in page and "default-src 'none'" in html.unescape(page)


def test_untrusted_text_is_escaped():
    page = report_html.render(hostile_org())
    assert "<script>window.__pwned" not in page and "<svg onload" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;" in page


@pytest.fixture(scope="module")
def browser():
    binary = chromium_path()
    if binary is None:
        pytest.fail("chromium is not installed: apt-get install chromium (.ci/run installs it)")
    session = Browser(binary)
    try:
        yield session
    finally:
        session.close()


def test_the_report_renders_in_chromium_with_one_bar_per_repo_and_no_console_error(browser, tmp_path: Path):
    result = hostile_org()
    page = tmp_path / "org-audit.html"
    page.write_text(report_html.render(result), encoding="utf-8")
    browser.open(page)
    assert browser.errors == []
    assert browser.evaluate("document.title").startswith("hf-publish org audit: acme")
    shown = min(len(result.repos), report_html.CHART_REPOS)
    assert browser.evaluate("document.querySelectorAll('#repos-chart rect.bar').length") == shown
    assert browser.evaluate("Number(document.getElementById('repos-chart').dataset.shown)") == shown
    assert browser.evaluate("document.querySelectorAll('#usage-chart .quota-line').length") == 1
    widths = browser.evaluate(
        "Array.from(document.querySelectorAll('#repos-chart rect.bar')).map(r => r.getBBox().width)"
    )
    assert widths == sorted(widths, reverse=True) and widths[0] > 100  # largest first, drawn to scale
    # hostile text: nothing ran, nothing was injected, it reads as text
    assert browser.evaluate("typeof window.__pwned") == "undefined"
    assert browser.evaluate("document.scripts.length") == 1
    assert browser.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert browser.evaluate("document.querySelectorAll('#findings > tbody > tr b').length") == 0
    assert HOSTILE in browser.evaluate("document.body.innerText")
    rows = len(result.findings)
    assert browser.evaluate("document.querySelectorAll('#findings tbody tr').length") == rows
    # links go to the repos on the audited endpoint
    assert browser.evaluate("document.querySelector('#findings a').href").startswith("http://127.0.0.1:9/")
    screenshot = browser.screenshot(tmp_path / "org-audit.png")
    assert screenshot.stat().st_size > 10_000
    print(f"screenshot: {screenshot}")


def test_the_filters_narrow_the_findings_table(browser, tmp_path: Path):
    result = hostile_org()
    page = tmp_path / "org-audit.html"
    page.write_text(report_html.render(result), encoding="utf-8")
    browser.open(page)
    visible = "Array.from(document.querySelectorAll('#findings tbody tr')).filter(r => !r.hidden).length"

    def choose(select_id: str, value: str) -> None:
        browser.evaluate(
            f"(function(s){{s.value={value!r}; s.dispatchEvent(new Event('change'));}})"
            f"(document.getElementById({select_id!r}))"
        )

    choose("f-severity", "warning")
    assert browser.evaluate(visible) == sum(f.severity == "warning" for f in result.findings) > 0
    assert browser.evaluate("document.getElementById('f-count').textContent") == str(browser.evaluate(visible))
    choose("f-severity", "")
    choose("f-check", "staleness")
    assert browser.evaluate(visible) == sum(f.check == "staleness" for f in result.findings) > 0
    choose("f-check", "")
    browser.evaluate(
        "(function(i){i.value='old-corpus'; i.dispatchEvent(new Event('input'));})(document.getElementById('f-text'))"
    )
    assert browser.evaluate(visible) == sum(f.repo == "acme/old-corpus-v1" for f in result.findings)
    assert browser.errors == []


def test_a_console_error_would_be_seen(browser, tmp_path: Path):
    """The test can fail: a page whose script throws is reported."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><title>x</title><script>null.boom()</script>", encoding="utf-8")
    browser.open(page)
    assert any("exception" in e for e in browser.errors)
    browser.errors.clear()
