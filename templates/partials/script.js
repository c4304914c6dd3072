/* lstm-doctor report: copy buttons and printing with every <details> open. No network. */
(function () {
  "use strict";
  // Several reports can share one page (Jupyter): install the handlers once.
  if (window.__lstmDoctorReport) { return; }
  window.__lstmDoctorReport = true;
  function flash(btn, text) {
    var old = btn.getAttribute("data-label") || btn.textContent;
    btn.setAttribute("data-label", old);
    btn.textContent = text;
    window.setTimeout(function () { btn.textContent = old; }, 1500);
  }
  function fallbackCopy(text, btn) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "-1000px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    flash(btn, ok ? "Copied" : "Select and copy");
  }
  document.addEventListener("click", function (event) {
    var btn = event.target && event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!btn) { return; }
    // The copied text is looked up inside the button's own report, so a page that shows
    // several reports (a notebook) never copies from another one.
    var id = btn.getAttribute("data-copy");
    var root = btn.closest(".ld-report, .ld-nb");
    var source = root && window.CSS && CSS.escape ?
      root.querySelector("#" + CSS.escape(id)) : document.getElementById(id);
    if (!source) { return; }
    var text = source.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { flash(btn, "Copied"); },
        function () { fallbackCopy(text, btn); });
    } else {
      fallbackCopy(text, btn);
    }
  });
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = [];
    var all = document.querySelectorAll(".ld-report details, .ld-nb details");
    for (var i = 0; i < all.length; i++) {
      if (!all[i].open) { all[i].open = true; reopened.push(all[i]); }
    }
  });
  window.addEventListener("afterprint", function () {
    for (var i = 0; i < reopened.length; i++) { reopened[i].open = false; }
    reopened = [];
  });
}());
