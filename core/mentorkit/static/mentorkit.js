/* Mentorkit progressive enhancement. Every page works without this file. No inline handlers:
   everything is wired here by event delegation (CSP: script-src 'self'). */
(function () {
  "use strict";

  // Forms (or their submit buttons) with data-confirm="Question?" ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // Links in the error summary move focus to the field, not just scroll to it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']");
    (label || field).scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });

  // A time-zone select marked data-browser-time-zone (the sign-up form) starts at the
  // browser's own zone when the list has it; without JavaScript it stays at UTC.
  var zoneSelect = document.querySelector("select[data-browser-time-zone]");
  if (zoneSelect && window.Intl && Intl.DateTimeFormat) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    for (var i = 0; zone && i < zoneSelect.options.length; i++) {
      if (zoneSelect.options[i].value === zone) {
        zoneSelect.value = zone;
        break;
      }
    }
  }

  // After a failed submit, put the keyboard and screen-reader focus on the error summary.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();
