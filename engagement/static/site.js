// Small progressive enhancements; every page works without this file.

// Where the keyboard focus was when an htmx swap was about to replace it (see focusSwapped).
var focusLostIn = null;

function focusSwapped(place) {
  // A swap removed the focused element (a moderation button, a pager link): rather than
  // dropping a keyboard user back at the top of the page, focus what replaced it.
  var active = document.activeElement;
  if (!place || (active && active !== document.body && document.contains(active))) { return; }
  var target = place.querySelector("[data-focus-after-swap]") || place;
  if (!target.matches("a[href], button, input, select, textarea, [tabindex]")) {
    target.setAttribute("tabindex", "-1");
  }
  target.focus();
}

document.addEventListener("htmx:beforeSwap", function (event) {
  var target = event.detail.target;
  var active = document.activeElement;
  focusLostIn = target && active && active !== document.body && target.contains(active) ? target : null;
});

document.addEventListener("htmx:afterSwap", function (event) {
  if (!focusLostIn) { return; }
  // outerHTML swaps fire this on the new element; innerHTML swaps on the target itself.
  focusLostIn = null;
  focusSwapped(event.target);
});

document.addEventListener("htmx:confirm", function (event) {
  // A survey asks the server for its follow-up questions only when an answer that shows or hides
  // one changes; leaving a text box must not swap the questions under the next one being typed.
  var trigger = event.detail.triggeringEvent;
  if (event.detail.elt.hasAttribute("data-follow-ups") && trigger && trigger.type === "change" &&
      !(trigger.target.closest && trigger.target.closest("[data-shows-follow-ups]"))) {
    event.preventDefault();
  }
});

document.addEventListener("htmx:responseError", function (event) {
  // Show server error fragments (409, 422, 403…) in place instead of silently ignoring them.
  var xhr = event.detail.xhr;
  var target = event.detail.target;
  if (xhr.status >= 400 && xhr.status < 500 && target) {
    var active = document.activeElement;
    var hadFocus = active && target.contains(active);
    target.innerHTML = xhr.responseText;
    if (hadFocus) { focusSwapped(target); }
  }
});

document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
});

function focusNotice() {
  // The message after an action (engagement/notices.py): focus it, so the page shows it and a
  // screen reader reads it, wherever on the page the action was.
  var notice = document.querySelector("[data-notice]");
  if (notice) { notice.focus(); }
}
document.addEventListener("DOMContentLoaded", focusNotice);
window.addEventListener("load", function () {
  // The browser's scroll to the URL's #place blurs a focus given before it: give it again,
  // unless the reader has moved it meanwhile.
  var active = document.activeElement;
  if (!active || active === document.body) { focusNotice(); }
});

document.addEventListener("engagement:announce", announce);

function announce(event) {
  // An htmx answer's HX-Trigger message, read out by the page's live region.
  var region = document.getElementById("announcer");
  if (!region || !event.detail || typeof event.detail.value !== "string") { return; }
  region.textContent = "";
  window.setTimeout(function () { region.textContent = event.detail.value; }, 50);
}
