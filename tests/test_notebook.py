"""Reports in notebooks, tried with the real tools: a notebook executed headless with nbclient,
exported with nbconvert, opened in headless Chromium in a light and a dark theme.

The notebook displays two reports (a check, and a saved JSON report with experiment
results read back with ``Report.from_dict``) and then ``show(plots=True)``. What a user
relies on: each displayed report is one scoped fragment (no page tags, no global CSS, ids
unique per render, Copy buttons copying their own report), small in the ``.ipynb``, light
and readable on a dark notebook, and its plain-text repr is one short line. Also the
Python API (``len``, iteration, ``to_frame``) and the import direction findings ->
display -> render. Screenshots are kept in pytest's temporary directory (``*-light.png``,
``*-dark.png``).
"""

from __future__ import annotations

import dataclasses
import html as _html
import json
import pickle
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

import lstm_doctor
from lstm_doctor.findings import FRAME_COLUMNS, Report
from tests.test_html import AIR, NAIVE_SETUP

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("nbconvert")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
#: What a displayed report may add to the .ipynb (issue #15: at most ~60 KB).
MAX_DISPLAY_BYTES = 60_000
#: Host styles a notebook page might have, injected into both exported themes: list
#: bullets, table stripes and colours that must not reach the report.
HOSTILE_CSS = (".jp-RenderedHTMLCommon ul li { list-style: square outside; margin: 1em; }\n"
               ".jp-RenderedHTMLCommon table td, .jp-RenderedHTMLCommon table th "
               "{ background: #333; color: #ddd; text-align: right; }\n")
DARK_CSS = "body { background: #111; color: #eee; }\n"

SETUP = f"""\
import json
import lstm_doctor
from tests.test_html import fake_comparison
r = lstm_doctor.check({str(AIR)!r}, config={NAIVE_SETUP!r})
full = lstm_doctor.check({str(AIR)!r}, config={NAIVE_SETUP!r})
full.comparison = fake_comparison(full)
r2 = lstm_doctor.Report.from_dict(json.loads(full.to_json()))
print(json.dumps([r.codes(), r2.codes()]))"""

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Fragment(HTMLParser):
    """Top-level elements, tags, ids, Copy targets and CSS of one text/html output."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.top: list[tuple[str, dict[str, str | None]]] = []
        self.stray: list[str] = []
        self.tags: set[str] = set()
        self.ids: list[str] = []
        self.copies: list[str] = []
        self.css = ""
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if self.depth == 0:
            self.top.append((tag, a))
        self.tags.add(tag)
        if a.get("id") is not None:
            self.ids.append(str(a["id"]))
        if a.get("data-copy") is not None:
            self.copies.append(str(a["data-copy"]))
        if tag not in VOID:
            self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth == 0 and data.strip():
            self.stray.append(data)
        if self.lasttag == "style":
            self.css += data

    @property
    def root_id(self) -> str:
        return str(self.top[0][1].get("id"))


def css_selectors(css: str) -> list[str]:
    """Every comma-separated selector of a flat stylesheet (comments removed)."""
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return [part.strip() for block in re.findall(r"([^{}]+)\{[^{}]*\}", rules)
            for part in block.split(",")]


def kernel_manager(tmp: Path):
    """A kernel of this interpreter, from a kernelspec written to ``tmp`` (never a user's)."""
    from ipykernel.kernelspec import write_kernel_spec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    kernels = tmp / "kernels"
    write_kernel_spec(kernels / "lstm-doctor-test", overrides={
        "display_name": "lstm-doctor tests",
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]})
    specs = KernelSpecManager(kernel_dirs=[str(kernels)], ensure_native_kernel=False)
    return KernelManager(kernel_name="lstm-doctor-test", kernel_spec_manager=specs)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The executed notebook, its path, and the codes of the two reports."""
    from nbclient import NotebookClient

    tmp = tmp_path_factory.mktemp("notebook")
    v4 = nbformat.v4
    nb = v4.new_notebook()
    nb.cells = [v4.new_markdown_cell("# Forecasting notes\n\nA *markdown* cell.\n\n- one item"),
                v4.new_code_cell(SETUP),
                v4.new_code_cell("r"),
                v4.new_markdown_cell("## With experiment results"),
                v4.new_code_cell("r2"),
                v4.new_code_cell("r2.show(plots=True)")]
    NotebookClient(nb, km=kernel_manager(tmp), timeout=180,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    path = tmp / "reports.ipynb"
    nbformat.write(nb, path)
    codes = json.loads(nb.cells[1].outputs[0]["text"])
    return nb, path, codes


def html_outputs(nb) -> list[tuple[int, dict]]:
    """``(cell index, output)`` of every output with text/html."""
    return [(i, out) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for out in cell.outputs if "text/html" in out.get("data", {})]


def output_bytes(nb, index: int) -> int:
    """What cell ``index``'s outputs add to the saved .ipynb, in bytes."""
    bare = nbformat.from_dict(json.loads(json.dumps(nb)))
    bare.cells[index].outputs = []
    return len(nbformat.writes(nb).encode()) - len(nbformat.writes(bare).encode())


# -- the executed notebook ---------------------------------------------------------------------
def test_each_displayed_report_is_one_scoped_fragment(executed):
    nb, _, (codes, codes2) = executed
    outputs = html_outputs(nb)
    assert [i for i, _ in outputs] == [2, 4, 5]
    for (_, out), expected in zip(outputs, (codes, codes2, codes2), strict=True):
        text = out["data"]["text/html"]
        assert not re.search(r"<(?:!doctype|html|head|body)\b", text, re.I)
        frag = Fragment(text)
        assert not frag.stray and len(frag.top) == 1, "one root element, nothing beside it"
        tag, attrs = frag.top[0]
        assert tag == "div" and attrs.get("class") == "ld-nb"
        root = frag.root_id
        assert re.fullmatch(r"ld-[0-9a-f]{10}", root)
        assert all(i == root or i.startswith(root + "-") for i in frag.ids), frag.ids
        # every CSS rule is scoped under the root id: nothing styles the notebook
        selectors = css_selectors(frag.css)
        assert selectors and all(s.startswith("#" + root) for s in selectors), selectors
        assert not re.search(r"(?:^|[\s,}])(?:body|html|:root)\b", frag.css)
        # the findings table holds every finding, most severe first, in one row each
        rows = [i.removeprefix(root + "-") for i in frag.ids
                if re.fullmatch(rf"{root}-LD\d{{3}}", i)]
        assert rows == expected


def test_ids_are_unique_and_copy_buttons_copy_their_own_report(executed):
    nb, _, _ = executed
    frags = [Fragment(out["data"]["text/html"]) for _, out in html_outputs(nb)]
    every = [i for f in frags for i in f.ids]
    assert len(every) == len(set(every)), "an element id is shared between reports"
    for f in frags:
        assert f.copies, "the set-up has a Copy button"
        assert all(c in f.ids and c.startswith(f.root_id + "-") for c in f.copies)


def test_displayed_report_is_small_and_plots_come_on_demand(executed):
    nb, _, _ = executed
    compact = [output_bytes(nb, i) for i in (2, 4)]
    assert all(n < MAX_DISPLAY_BYTES for n in compact), compact
    for i in (2, 4):
        text = nb.cells[i].outputs[0]["data"]["text/html"]
        assert "<img" not in text and "report.show(plots=True)" in text
    # show(plots=True) displays (not returns) the fragment with every plot, in <details open>
    shown = nb.cells[5].outputs
    assert [o["output_type"] for o in shown] == ["display_data"]
    text = shown[0]["data"]["text/html"]
    assert '<details class="ld-nb-plots" open>' in text
    assert text.count("<img ") >= 8  # data plots and the experiment's plots
    assert output_bytes(nb, 5) > 5 * max(compact)  # the plots were the bulk


def test_plain_text_repr_is_one_short_line(executed):
    nb, _, (codes, _) = executed
    plain = nb.cells[2].outputs[0]["data"]["text/plain"]
    assert len(plain) < 500 and "\n" not in plain
    assert "airpassengers.csv" in plain and f"{len(codes)} findings" in plain
    assert f"worst {codes[0]}" in plain
    plain2 = nb.cells[4].outputs[0]["data"]["text/plain"]
    assert len(plain2) < 500 and "with experiment results" in plain2


# -- exported, in a browser -------------------------------------------------------------------
PROBE = """
<script>
(function () {
  var copied = [];
  try {
    Object.defineProperty(navigator, "clipboard", {configurable: true, value: {
      writeText: function (t) { copied.push(t); return Promise.resolve(); }}});
  } catch (e) {}
  document.execCommand = function (cmd) {
    var area = document.querySelector("body > textarea");
    if (cmd === "copy" && area) { copied.push(area.value); }
    return true;
  };
  function rgb(el, prop) { return el ? getComputedStyle(el)[prop] : null; }
  var roots = Array.prototype.slice.call(document.querySelectorAll(".ld-nb"));
  var expected = [];
  var out = {roots: roots.map(function (root) {
    var r = root.getBoundingClientRect();
    var lis = root.querySelectorAll("li");
    var marks = {};
    for (var i = 0; i < lis.length; i++) {
      var s = getComputedStyle(lis[i]);
      marks[s.listStyleType + "/" + s.display] = true;
    }
    var cells = root.querySelectorAll("td");
    var btn = root.querySelector("[data-copy]");
    var source = btn && root.querySelector("#" + CSS.escape(btn.getAttribute("data-copy")));
    expected.push(source ? source.textContent : null);
    if (btn) { btn.click(); }
    return {id: root.id, bg: rgb(root, "backgroundColor"), fg: rgb(root, "color"),
            cellBg: rgb(cells[0], "backgroundColor"), cellAlign: rgb(cells[0], "textAlign"),
            rect: [r.left, r.top, r.width, r.height], li: Object.keys(marks)};
  })};
  var h1 = null, all = document.querySelectorAll("h1");
  for (var i = 0; i < all.length; i++) { if (!all[i].closest(".ld-nb")) { h1 = all[i]; break; } }
  out.h1 = {color: rgb(h1, "color"), height: h1 ? h1.getBoundingClientRect().height : 0};
  out.body = rgb(document.body, "backgroundColor");
  window.setTimeout(function () {
    out.copied = copied;
    out.expected = expected;
    document.body.setAttribute("data-probe", JSON.stringify(out));
  }, 300);
}());
</script>
"""


def _rgb(text: str) -> tuple[int, ...]:
    return tuple(int(v) for v in re.findall(r"\d+", text)[:3])


@pytest.fixture(scope="module")
def browser():
    from tests.test_html_browser import BROWSER, run_chromium

    if BROWSER is None:
        pytest.skip("chromium is not installed (run `make browser` or apt-get install chromium)")
    return run_chromium


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_exported_notebook_in_chromium(theme, executed, browser, tmp_path_factory):
    from nbconvert import HTMLExporter
    from PIL import Image

    nb, path, _ = executed
    out = tmp_path_factory.mktemp(f"export-{theme}")
    body, _ = HTMLExporter(template_name="lab", theme=theme).from_notebook_node(nb)
    extra = HOSTILE_CSS + (DARK_CSS if theme == "dark" else "")
    page = body.replace("</head>", f"<style>\n{extra}</style>\n</head>", 1)
    shown = out / f"{path.stem}-{theme}.html"
    shown.write_text(page, encoding="utf-8")
    probe = out / f"probe-{theme}.html"
    probe.write_text(page.replace("</body>", PROBE + "</body>", 1), encoding="utf-8")
    size = ("--hide-scrollbars", "--window-size=1280,2000")

    dom, _ = browser(probe, out, *size, "--dump-dom")
    found = re.search(r'data-probe="([^"]*)"', dom)
    assert found, "the probe script did not run"
    p = json.loads(_html.unescape(found.group(1)))
    assert len(p["roots"]) == 3
    for root in p["roots"]:
        # light and readable whatever the host page: its own background and text colour
        assert _rgb(root["bg"]) == (255, 255, 255) and sum(_rgb(root["fg"])) < 150, root
        # host styles stay out: no bullets on the key-number tiles, no table stripes
        assert all(m.startswith("none/") and not m.endswith("list-item")
                   for m in root["li"]), root["li"]
        assert _rgb(root["cellBg"]) != (51, 51, 51) and root["cellAlign"] == "left", root
    assert [r["li"] != [] for r in p["roots"]] == [False, True, True]  # tiles after training
    # each Copy button copied the text of its own report (the two set-ups differ)
    assert p["copied"] == p["expected"] and len(set(p["copied"])) == 2
    # the notebook keeps its own theme: the markdown heading is visible on its background
    heading, page_bg = _rgb(p["h1"]["color"]), _rgb(p["body"])
    assert p["h1"]["height"] > 10
    if theme == "dark":
        assert min(heading) > 180 and max(page_bg) < 60, (heading, page_bg)
    else:
        assert max(heading) < 100 and min(page_bg) > 200, (heading, page_bg)

    shot = out / f"{path.stem}-{theme}.png"
    browser(shown, out, *size, f"--screenshot={shot}")
    assert shot.exists() and shot.stat().st_size > 50_000
    with Image.open(shot) as im:
        rgb = im.convert("RGB")
        assert rgb.size == (1280, 2000)
        left, top, width, _ = (round(v) for v in p["roots"][0]["rect"])
        assert 0 < top < 1900, "the first report is on screen"
        # the fragment's top padding is white; the page beside it keeps the theme's colour
        band = [rgb.getpixel((x, top + 4)) for x in range(left + 20, left + width - 20, 40)]
        assert all(min(px) >= 245 for px in band), band
        beside = rgb.getpixel((3, top + 40))
        assert (max(beside) < 60) if theme == "dark" else (min(beside) > 200), beside


# -- the Python API ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def air():
    return lstm_doctor.check(str(AIR), config=NAIVE_SETUP)


def test_len_iteration_and_truth(air):
    assert len(air) == len(air.findings) > 3
    assert list(air) == air.findings
    assert [f.code for f in air] == air.codes()
    empty = Report(findings=[], data={"source": "x.csv", "n": 10}, config=None)
    assert len(empty) == 0 and list(empty) == [] and bool(empty)  # a report is never falsy
    assert repr(empty) == "<lstm-doctor Report x.csv: no findings (0 rules ran)>"


def test_to_frame_has_one_row_per_finding_in_severity_order(air):
    df = air.to_frame()
    assert tuple(df.columns) == FRAME_COLUMNS
    assert df["code"].tolist() == air.codes()
    assert df["severity"].tolist() == [f.severity.value for f in air]
    # an ordered categorical: comparisons and sorting follow error > warning > info
    assert df["severity"].cat.ordered
    errors = df[df["severity"] >= "error"]["code"].tolist()
    assert errors == [f.code for f in air if f.severity.value == "error"] and errors
    assert df.sort_values("severity", ascending=False, kind="stable")["code"].tolist() == \
        air.codes()
    ld301 = df.set_index("code").loc["LD301"]
    finding = next(f for f in air if f.code == "LD301")
    assert ld301["fix"] == finding.fix and ld301["evidence"] == finding.evidence
    assert "preprocessing.scaler" in ld301["remedies"]
    empty = Report(findings=[], data={}, config=None).to_frame()
    assert empty.empty and tuple(empty.columns) == FRAME_COLUMNS


def test_report_stays_plain_data(air):
    assert [f.name for f in dataclasses.fields(Report)] == [
        "findings", "data", "config", "outcomes", "comparison", "meta", "extras", "facts",
        "tool"]
    d = air.to_dict()
    again = Report.from_dict(json.loads(json.dumps(d)))
    assert again.to_dict() == d
    copy = pickle.loads(pickle.dumps(again))
    assert copy == again and copy.to_dict() == d


def test_fragment_rejects_a_bad_uid_and_keeps_a_given_one(air):
    from lstm_doctor.render.notebook import render_fragment

    text = render_fragment(air.to_dict(), uid="abc123")
    assert text.startswith('<div class="ld-nb" id="ld-abc123"')
    with pytest.raises(ValueError, match="uid"):
        render_fragment(air.to_dict(), uid='x" onload="alert(1)')


def test_fragment_of_a_report_without_facts_or_findings(air):
    from lstm_doctor.render.notebook import render_fragment

    d = air.to_dict()
    d.pop("facts")  # an older saved JSON: no proposed set-up, no series
    text = render_fragment(d)
    assert "ld-nb-setup" not in text and text.count('class="ld-badge') == len(air)
    clean = Report(findings=[], data={"source": "<array>", "target": "y", "n": 300},
                   config=None).to_dict()
    text = render_fragment(clean, plots=True)
    assert "No rule fired (no LSTM set-up was given" in text and "<img" not in text
    assert "&lt;array&gt;" in text and "<array>" not in text


def test_findings_reach_renderers_only_through_display():
    """findings imports no renderer (lazily or not); no renderer it reaches imports findings."""
    from tests.test_architecture import _imports, _in, _modules

    modules = _modules()
    known = set(modules)
    graph = {m: {t for t, _ in _imports(m, p, known)} for m, p in modules.items()}
    assert not {t for t in graph["lstm_doctor.findings"] if _in(t, "lstm_doctor.render")}
    assert "lstm_doctor.display" in graph["lstm_doctor.findings"]
    reached, todo = set(), ["lstm_doctor.display"]
    while todo:
        m = todo.pop()
        for t in graph.get(m, ()):
            if _in(t, "lstm_doctor.render") and t not in reached:
                reached.add(t)
                todo.append(t)
    assert {"lstm_doctor.render.notebook", "lstm_doctor.render.html"} <= reached
    bad = sorted(m for m in reached if "lstm_doctor.findings" in graph[m])
    assert not bad, bad
