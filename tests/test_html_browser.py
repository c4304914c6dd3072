"""End to end: the HTML report opens in headless Chromium without console errors.

Needs Debian's ``chromium`` (``make browser`` installs it); skipped with a reason otherwise.
Console messages are captured from Chromium's own log (``--enable-logging=stderr``), where
every ``console.*`` call and uncaught exception appears as an ``INFO:CONSOLE`` line; the
network is disabled (``--host-resolver-rules``), so a page that tried to load anything
from outside would log a failed request too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import lstm_doctor
from tests.test_html import AIR, NAIVE_SETUP, fake_comparison

BROWSER = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(b)), None)
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="chromium is not installed (run `make browser` or "
                            "apt-get install chromium)")

CONSOLE = re.compile(r"CONSOLE|Uncaught|ERR_(?:NAME_NOT_RESOLVED|CONNECTION|FILE_NOT_FOUND)")

# Appended to a copy of the report: click the first copy button and fire beforeprint,
# then record what happened in the DOM for --dump-dom to show.
PROBE = """
<script>
(function () {
  var btn = document.querySelector("[data-copy]");
  var before = btn ? btn.textContent : "none";
  if (btn) { btn.click(); }
  window.dispatchEvent(new Event("beforeprint"));
  var closed = document.querySelectorAll(".ld-report details:not([open])").length;
  window.setTimeout(function () {
    document.body.setAttribute("data-probe",
      before + "|" + (btn ? btn.textContent : "none") + "|closed=" + closed);
  }, 200);
}());
</script>
"""


def run_chromium(page: Path, tmp_path: Path, *extra: str) -> tuple[str, list[str]]:
    """Open ``page``; return (dumped DOM or "", console/error lines from the log)."""
    profile = tmp_path / f"profile-{page.stem}"
    cmd = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--disable-extensions", f"--user-data-dir={profile}",
           "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0",
           "--virtual-time-budget=3000", *extra, page.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    lines = [ln for ln in proc.stderr.splitlines() if CONSOLE.search(ln)]
    return proc.stdout, lines


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("pages")
    check = lstm_doctor.check(str(AIR), config=NAIVE_SETUP)
    full = lstm_doctor.check(str(AIR), config=NAIVE_SETUP)
    full.comparison = fake_comparison(full)
    paths = {"findings-only": out / "findings_only.html", "full": out / "full.html"}
    check.to_html(str(paths["findings-only"]))
    full.to_html(str(paths["full"]))
    return paths


def test_console_detector_sees_errors(tmp_path):
    """Negative control: a page with a JS error and an external image is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="en"><head><title>x</title></head><body>'
                   '<img src="https://example.invalid/x.png" alt="x">'
                   "<script>console.error('boom'); notDefined();</script></body></html>")
    _, lines = run_chromium(bad, tmp_path, "--dump-dom")
    text = "\n".join(lines)
    assert "boom" in text and "Uncaught" in text


@pytest.mark.parametrize("kind", ["findings-only", "full"])
def test_report_renders_without_console_errors(kind, pages, tmp_path):
    dom, lines = run_chromium(pages[kind], tmp_path, "--dump-dom")
    assert lines == [], "\n".join(lines)
    assert '<section id="verdict"' in dom and '<section id="reproducibility"' in dom
    assert ('<section id="experiment"' in dom) == (kind == "full")
    assert dom.count("<img ") >= (8 if kind == "full" else 4)


@pytest.mark.parametrize("kind", ["findings-only", "full"])
def test_copy_button_and_print_handler_work(kind, pages, tmp_path):
    page = tmp_path / f"probe-{kind}.html"
    html = pages[kind].read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom, lines = run_chromium(page, tmp_path, "--dump-dom")
    assert lines == [], "\n".join(lines)
    probe = re.search(r'data-probe="([^"]*)"', dom)
    assert probe, "the probe script did not run"
    before, after, closed = probe.group(1).split("|")
    assert before == "Copy" and after in ("Copied", "Select and copy"), probe.group(1)
    assert closed == "closed=0"  # beforeprint opened every <details>


def test_screenshot_is_drawn(pages, tmp_path):
    shot = tmp_path / "full.png"
    _, lines = run_chromium(pages["full"], tmp_path, "--hide-scrollbars",
                            "--window-size=1280,2000", f"--screenshot={shot}")
    assert lines == [], "\n".join(lines)
    assert shot.exists() and shot.stat().st_size > 50_000
    from PIL import Image

    with Image.open(shot) as im:
        assert im.size == (1280, 2000)
        colors = im.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colors is None or len(colors) > 50  # not a blank page
