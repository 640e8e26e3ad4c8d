/* Behaviour every page shares, in a static file: the Content-Security-Policy allows no
 * inline script and no inline event handler (onclick=, onchange=), so templates mark
 * elements with data attributes and this file wires them.
 *
 *   <form data-autosubmit> … <select>       a select that applies on change
 *   <select data-autosubmit>                 the same, on one select
 *   <button data-confirm="确定移除？">        asks before submitting / following
 *
 * `window.oasis.escapeHtml` is the one escaper for any string a script puts into HTML
 * (chart tooltips and formatters): names are user text. */
(function () {
  "use strict";

  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function escapeHtml(value) {
    if (value === null || value === undefined) return "";
    return String(value).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  }

  window.oasis = window.oasis || {};
  window.oasis.escapeHtml = escapeHtml;

  // Delegated on the document, so content swapped in by htmx behaves the same.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (!el || el.tagName !== "SELECT" || !el.form) return;
    if (el.hasAttribute("data-autosubmit") || el.form.hasAttribute("data-autosubmit")) {
      el.form.submit();
    }
  });

  document.addEventListener("click", function (ev) {
    var el = ev.target.closest && ev.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) ev.preventDefault();
  });
})();
