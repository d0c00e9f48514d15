// The review desk's keyboard shortcuts (the list is in templates/_shortcuts.html).
// Served from /static like the style sheet: the Content-Security-Policy lets only the desk's own
// script files run, never inline script. Every shortcut only follows a link, submits a form or
// moves focus that a mouse could too, so the desk works the same without this file.
(function () {
  "use strict";

  var rows = Array.prototype.slice.call(document.querySelectorAll("#queue tbody tr.row"));
  var selected = -1;

  function typing(target) {
    if (!target || target === document.body) return false;
    var tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function follow(selector) {
    var link = document.querySelector(selector);
    if (link && link.href) window.location.assign(link.href);
  }

  function submitWith(selector) {
    var button = document.querySelector(selector);
    if (!button || !button.form) return;
    if (button.form.requestSubmit) button.form.requestSubmit(button);
    else button.click();
  }

  function focusField(selector) {
    var field = document.querySelector(selector);
    if (!field) return;
    field.scrollIntoView({block: "center"});
    field.focus();
  }

  function select(index) {
    if (!rows.length) return;
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (selected >= 0 && rows[selected]) {
      rows[selected].classList.remove("selected");
      rows[selected].removeAttribute("aria-selected");
    }
    selected = index;
    var row = rows[selected];
    row.classList.add("selected");
    row.setAttribute("aria-selected", "true");
    row.scrollIntoView({block: "nearest"});
    var link = row.querySelector("a.open");
    if (link) link.focus({preventScroll: true});
  }

  function toggleHelp(open) {
    var help = document.getElementById("shortcuts");
    if (!help) return;
    help.open = open === undefined ? !help.open : open;
    if (help.open) help.scrollIntoView({block: "nearest"});
  }

  function search() {
    var box = document.getElementById("search");
    if (box) {
      box.focus();
      box.select();
      return;
    }
    var back = document.querySelector("a.back-to-queue");
    window.location.assign((back ? back.getAttribute("href") : "/queue") + "#search");
  }

  var onQueue = rows.length > 0 || document.getElementById("queue") !== null;
  var actions = {
    "j": function () { if (onQueue) select(selected + 1); else follow("a.next-profile"); },
    "k": function () { if (onQueue) select(selected < 0 ? 0 : selected - 1); else follow("a.previous-profile"); },
    "o": function () { if (selected >= 0) window.location.assign(rows[selected].dataset.href); },
    "Enter": function () { if (selected >= 0) window.location.assign(rows[selected].dataset.href); },
    "x": function () {
      var box = selected >= 0 ? rows[selected].querySelector("input[type=checkbox]") : null;
      if (box) box.checked = !box.checked;
    },
    "a": function () { if (!onQueue) submitWith("button.approve-next"); },
    "r": function () { if (!onQueue) focusField("form[action$='/reject'] input[name=note]"); },
    "e": function () { if (!onQueue) focusField("form[action$='/edit'] input[name=value]"); },
    "n": function () { follow(".pager a[rel=next]"); },
    "p": function () { follow(".pager a[rel=prev]"); },
    "u": function () { follow("a.back-to-queue"); },
    "/": search,
    "?": function () { toggleHelp(); },
    "Escape": function () { toggleHelp(false); }
  };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var target = event.target;
    if (typing(target)) {
      if (event.key === "Escape") target.blur();
      // Enter in the rejection reason rejects and moves on, as "a" approves and moves on.
      var form = target.form;
      if (event.key === "Enter" && form && /\/reject$/.test(form.getAttribute("action") || "") &&
          target.name === "note" && target.value.trim() && form.querySelector("button.reject-next")) {
        event.preventDefault();
        submitWith("button.reject-next");
      }
      return;
    }
    // Enter on a focused link or button keeps its own meaning.
    if (event.key === "Enter" && target && (target.tagName === "A" || target.tagName === "BUTTON")) return;
    var action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  if (window.location.hash === "#search") search();
})();
