// Progressive enhancement for the check-in list; without it every button is a plain POST.
// 1. Typing in the search box filters the list at once.
// 2. A tap posts in the background and swaps in the updated row, so the page keeps its place.
(function () {
  "use strict";
  var box = document.querySelector("[data-filter-list]");
  var list = box && document.getElementById(box.getAttribute("data-filter-list"));
  if (box && list) {
    box.addEventListener("input", function () {
      var wanted = box.value.trim().toLowerCase();
      var shown = 0;
      list.querySelectorAll(".ws-row").forEach(function (row) {
        row.hidden = wanted !== "" && row.getAttribute("data-search").indexOf(wanted) === -1;
        if (!row.hidden) shown += 1;
      });
      announce(wanted === "" ? "" : shown);
    });
  }
  // The count of matching people, for screen readers (the list itself changes silently).
  function announce(shown) {
    var status = document.querySelector('[data-match-count-for="' + list.id + '"]');
    if (!status) return;
    if (shown === "") { status.textContent = ""; return; }
    var text = shown === 0 ? status.getAttribute("data-none")
      : shown === 1 ? status.getAttribute("data-one")
      : status.getAttribute("data-many").replace("{n}", String(shown));
    status.textContent = text;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-row-form") || !window.fetch) return;
    event.preventDefault();
    var row = form.closest(".ws-row");
    var data = new FormData(form);
    var submitter = event.submitter;
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    row.classList.add("is-busy");
    fetch(form.action, { method: "POST", body: data, headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var hidden = row.hidden;
        row.outerHTML = html;
        var fresh = document.getElementById(row.id);
        if (fresh) { fresh.hidden = hidden; var button = fresh.querySelector("button"); if (button) button.focus(); }
      })
      .catch(function () {
        // Fall back to the plain POST, carrying the button's value as a click would.
        if (submitter && submitter.name) {
          var input = document.createElement("input");
          input.type = "hidden"; input.name = submitter.name; input.value = submitter.value;
          form.appendChild(input);
        }
        form.submit();
      });
  });
})();
