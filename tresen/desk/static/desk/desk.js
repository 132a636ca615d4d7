// Keyboard shortcuts and small helpers of the agent workspace. No framework: htmx does the rest.
(function () {
  "use strict";
  var LIST_KEY = "tresen.desk.list";

  function typingTarget(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  // The list the agent came from, so j/k on a ticket page walk through it.
  function rememberList() {
    var rows = document.querySelectorAll("table.tickets tbody tr[data-number]");
    if (!rows.length) return;
    var items = Array.prototype.map.call(rows, function (r) { return [r.dataset.number, r.dataset.href]; });
    try { sessionStorage.setItem(LIST_KEY, JSON.stringify(items)); } catch (e) { /* private mode */ }
  }

  function neighbours(number) {
    var items;
    try { items = JSON.parse(sessionStorage.getItem(LIST_KEY) || "[]"); } catch (e) { items = []; }
    for (var i = 0; i < items.length; i++) {
      if (items[i][0] === number) return { prev: items[i - 1], next: items[i + 1] };
    }
    return {};
  }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("table.tickets tbody tr[data-number]")); }

  function moveRow(step) {
    var all = rows();
    if (!all.length) return;
    var current = document.querySelector("table.tickets tr.current");
    var index = current ? all.indexOf(current) + step : 0;
    index = Math.max(0, Math.min(all.length - 1, index));
    if (current) current.classList.remove("current");
    all[index].classList.add("current");
    var link = all[index].querySelector("td.title a");
    if (link) link.focus();
  }

  function composeAs(kind) {
    var form = document.getElementById("composer");
    if (!form) return;
    var radio = form.querySelector('input[name="kind"][value="' + kind + '"]');
    if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    var body = document.getElementById("composer-body");
    body.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typingTarget(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var page = document.querySelector(".ticket-page");
    var key = event.key;
    if (key === "/") { event.preventDefault(); document.getElementById("desk-q").focus(); return; }
    if (key === "?") { var help = document.getElementById("shortcut-help"); help.hidden = !help.hidden; return; }
    if (page) {
      var near = neighbours(page.dataset.ticket);
      if (key === "j" && near.next) { window.location = near.next[1]; }
      else if (key === "k" && near.prev) { window.location = near.prev[1]; }
      else if (key === "r") { event.preventDefault(); composeAs("message"); }
      else if (key === "n") { event.preventDefault(); composeAs("note"); }
      return;
    }
    if (key === "j") { moveRow(1); }
    else if (key === "k") { moveRow(-1); }
    else if (key === "o" || key === "Enter") {
      var current = document.querySelector("table.tickets tr.current");
      if (current) window.location = current.dataset.href;
    } else if (key === "x") {
      var row = document.querySelector("table.tickets tr.current");
      if (row) { var box = row.querySelector('input[type="checkbox"]'); box.checked = !box.checked; }
    }
  });

  var lastInput = 0;
  window.tresenTyping = function () { return Date.now() - lastInput < 8000 ? "1" : "0"; };

  function setUp() {
    rememberList();
    var page = document.querySelector(".ticket-page");
    if (page) {
      var near = neighbours(page.dataset.ticket);
      ["prev", "next"].forEach(function (dir) {
        var link = page.querySelector('[data-nav="' + dir + '"]');
        if (link && near[dir]) { link.href = near[dir][1]; link.hidden = false; }
      });
    }
    var body = document.getElementById("composer-body");
    if (body) body.addEventListener("input", function () { lastInput = Date.now(); });
    var composer = document.getElementById("composer");
    if (composer) {
      var mark = function () {
        var note = composer.querySelector('input[name="kind"][value="note"]');
        composer.classList.toggle("note-mode", !!(note && note.checked));
      };
      composer.addEventListener("change", mark);
      mark();
    }
    var modules = document.querySelector("[data-text-module]");
    if (modules && body) {
      modules.addEventListener("change", function () {
        var option = modules.options[modules.selectedIndex];
        if (!option || !option.dataset.text) return;
        var start = body.selectionStart, end = body.selectionEnd, text = option.dataset.text;
        body.value = body.value.slice(0, start) + text + body.value.slice(end);
        body.selectionStart = body.selectionEnd = start + text.length;
        modules.selectedIndex = 0;
        body.focus();
        body.dispatchEvent(new Event("input", { bubbles: true }));
      });
    }
    var state = document.getElementById("p-state");
    if (state) {
      var pending = state.dataset.pendingStates.split(",");
      var togglePending = function () {
        document.querySelectorAll("[data-pending]").forEach(function (el) { el.hidden = pending.indexOf(state.value) < 0; });
      };
      state.addEventListener("change", togglePending);
      togglePending();
    }
    var action = document.querySelector("[data-bulk-action]");
    if (action) {
      var show = function () {
        document.querySelectorAll("[data-bulk-for]").forEach(function (el) { el.hidden = el.dataset.bulkFor !== action.value; });
      };
      action.addEventListener("change", show);
      show();
    }
    var all = document.querySelector("[data-select-all]");
    if (all) {
      all.addEventListener("change", function () {
        document.querySelectorAll('table.tickets tbody input[name="ticket"]').forEach(function (box) { box.checked = all.checked; });
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
