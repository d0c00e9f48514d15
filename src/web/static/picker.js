// The merge picker: as the reviewer types, the organisations whose name or alias contains the
// text (at most 20, from the desk's own search) are listed as buttons; picking one fills the
// field and the hidden id the confirmation page reads. Nothing is preselected. Without this
// script the form still works: the confirmation page resolves the typed name or lists matches.
(function () {
  "use strict";
  for (const input of document.querySelectorAll("input[data-search]")) {
    const list = document.getElementById(input.getAttribute("aria-controls"));
    const chosen = input.form.elements.namedItem("other_id");
    let timer = null;

    const close = () => { list.hidden = true; };
    const buttons = () => Array.from(list.querySelectorAll("button"));

    function pick(match) {
      input.value = match.name;
      chosen.value = match.id;
      close();
      input.focus();
    }

    function show(matches) {
      list.replaceChildren();
      for (const match of matches) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = match.name;
        if (match.alias) {
          const alias = document.createElement("span");
          alias.className = "hint";
          alias.textContent = " (alias " + match.alias + ")";
          button.append(alias);
        }
        button.addEventListener("click", () => pick(match));
        const item = document.createElement("li");
        item.append(button);
        list.append(item);
      }
      if (!matches.length) {
        const item = document.createElement("li");
        item.className = "hint";
        item.textContent = "No organisation found.";
        list.append(item);
      }
      list.hidden = false;
    }

    async function lookup(text) {
      const url = new URL(input.dataset.search, window.location.href);
      url.searchParams.set("q", text);
      url.searchParams.set("exclude", input.dataset.exclude || "");
      try {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        const matches = response.ok ? await response.json() : null;
        if (Array.isArray(matches) && text === input.value.trim()) show(matches);  // stale answers dropped
      } catch (error) {
        close();  // signed out or offline: the typed name still goes to the confirmation page
      }
    }

    input.addEventListener("input", () => {
      chosen.value = "";  // typed over a pick: the name decides again
      clearTimeout(timer);
      const text = input.value.trim();
      if (!text) { close(); return; }
      timer = setTimeout(() => lookup(text), 150);
    });

    // Arrow keys move between the input and the matches; Escape closes the list.
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" && !list.hidden && buttons().length) {
        event.preventDefault();
        buttons()[0].focus();
      } else if (event.key === "Escape") {
        close();
      }
    });
    list.addEventListener("keydown", (event) => {
      const all = buttons();
      const at = all.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at < all.length - 1) { event.preventDefault(); all[at + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? all[at - 1] : input).focus(); }
      if (event.key === "Escape") { close(); input.focus(); }
    });
  }
})();
