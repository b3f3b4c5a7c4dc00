"""The page's one script: filters by tag, type and actor. The page is complete without it.

It only shows the (server-rendered, hidden) filter form, reads each entry's ``data-*`` JSON arrays and sets
``hidden`` on entries and on sections left empty; it writes no markup (no innerHTML), so no event text is
ever parsed as HTML. The page's Content-Security-Policy allows exactly this text, by its SHA-256 hash.
"""

from __future__ import annotations

import base64
import hashlib

__all__ = ["SCRIPT", "SCRIPT_HASH"]

SCRIPT = """\
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var status = document.getElementById("filter-status");
  if (!form || !status) { return; }
  var keys = ["tag", "type", "actor"];
  var entries = Array.prototype.slice.call(document.querySelectorAll("li.entry"));
  var data = entries.map(function (li) {
    var said = {};
    keys.forEach(function (key) {
      try { said[key] = JSON.parse(li.getAttribute("data-" + key) || "[]"); } catch (e) { said[key] = []; }
    });
    return said;
  });
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.year, section.month"));
  function apply() {
    var chosen = {};
    keys.forEach(function (key) { chosen[key] = form.elements.namedItem(key).value; });
    var shown = 0;
    entries.forEach(function (li, i) {
      var keep = keys.every(function (key) {
        return chosen[key] === "" || data[i][key].indexOf(chosen[key]) !== -1;
      });
      li.hidden = !keep;
      if (keep) { shown += 1; }
    });
    sections.forEach(function (section) {
      section.hidden = section.querySelector("li.entry:not([hidden])") === null;
    });
    status.textContent = shown === entries.length
      ? "Showing all " + entries.length + " events."
      : "Showing " + shown + " of " + entries.length + " events.";
  }
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  form.hidden = false;
  apply();
}());
"""

#: The CSP source expression that allows `SCRIPT` and nothing else.
SCRIPT_HASH = "'sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode() + "'"
