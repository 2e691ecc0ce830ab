/* Parley editor pages: progressive enhancement only; every form works without it.
 *
 * - Drafts: what is typed into a form marked data-draft="key" is kept in this browser
 *   (localStorage) until the server says the form was saved (data-draft-clear on the
 *   next page). After a reload or a crash, the draft is sent back to the server, which
 *   renders the form exactly as it was typed (rows included) without saving anything.
 * - Focus: the field named by data-focus (a row just added) or the first field in error.
 * - Ctrl+Enter (Cmd+Enter) saves the form being typed in.
 * - Logging out forgets the drafts.
 * Loaded for logged-in users only.
 */
(function () {
  "use strict";
  var PREFIX = "parley-draft:";
  var SKIP = { csrfmiddlewaretoken: true, action: true };
  var timers = {};

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function draftValues(form) {
    var values = [];
    new FormData(form).forEach(function (value, name) {
      if (!SKIP[name] && typeof value === "string") values.push([name, value]);
    });
    return values;
  }

  function saveDraft(form) {
    var store = storage();
    if (!store) return;
    var draft = { saved: Date.now(), path: window.location.pathname, values: draftValues(form) };
    try { store.setItem(PREFIX + form.dataset.draft, JSON.stringify(draft)); } catch (e) { /* full */ }
  }

  function scheduleSave(form) {
    var key = form.dataset.draft;
    clearTimeout(timers[key]);
    timers[key] = setTimeout(function () { saveDraft(form); }, 250);
  }

  function forgetSaved() {
    var store = storage();
    var page = document.querySelector("[data-draft-clear]");
    if (!store || !page) return;
    page.dataset.draftClear.split(/\s+/).forEach(function (key) {
      if (key) store.removeItem(PREFIX + key);
    });
  }

  function notice(form, draft) {
    var note = document.createElement("p");
    note.className = "draft-note";
    note.setAttribute("role", "status");
    var when = new Date(draft.saved).toLocaleString();
    note.textContent = "Restored what you typed here (" + when + "); it is not saved yet. ";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "secondary";
    discard.textContent = "Discard this draft";
    discard.addEventListener("click", function () {
      var store = storage();
      if (store) store.removeItem(PREFIX + form.dataset.draft);
      window.location.reload();
    });
    note.appendChild(discard);
    return note;
  }

  function restore(form) {
    var store = storage();
    if (!store || form.hasAttribute("data-draft-bound")) return;
    var raw = store.getItem(PREFIX + form.dataset.draft);
    if (!raw) return;
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { store.removeItem(PREFIX + form.dataset.draft); return; }
    if (!draft.values || !draft.values.length) return;
    var body = new URLSearchParams();
    draft.values.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.set("action", "restore");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) body.set("csrfmiddlewaretoken", token.value);
    fetch(form.getAttribute("action") || window.location.pathname, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Parley-Draft": "restore" }
    }).then(function (response) {
      return response.ok ? response.text() : Promise.reject(response.status);
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById(form.id);
      if (!fresh) return;
      fresh.removeAttribute("data-focus");
      form.replaceWith(fresh);
      fresh.insertBefore(notice(fresh, draft), fresh.firstChild);
      if (window.htmx) window.htmx.process(fresh);
    }).catch(function () { /* the draft stays for the next try */ });
  }

  function focusField(root) {
    var target = root.querySelector("form[data-focus]");
    var field = target && document.getElementById(target.dataset.focus);
    if (target) target.removeAttribute("data-focus");
    if (!field) field = root.querySelector(".has-error input, .has-error select, .has-error textarea");
    if (field) {
      field.focus();
      if (field.scrollIntoView) field.scrollIntoView({ block: "center" });
    }
  }

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-draft]");
    if (form) scheduleSave(form);
  });
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-draft]");
    if (form) scheduleSave(form);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var form = event.target.closest && event.target.closest("form.edit-form");
    if (!form) return;
    var save = form.querySelector(".form-actions button[type=submit]");
    event.preventDefault();
    if (form.requestSubmit) form.requestSubmit(save || undefined); else form.submit();
  });
  // Logging out forgets every draft kept in this browser (a shared computer).
  document.addEventListener("submit", function (event) {
    if (!event.target.matches || !event.target.matches("form.logout")) return;
    var store = storage();
    if (!store) return;
    Object.keys(store).forEach(function (key) {
      if (key.indexOf(PREFIX) === 0) store.removeItem(key);
    });
  });
  document.addEventListener("htmx:afterSettle", function () {
    // A row was added or a list split: the form was re-rendered with what was typed.
    document.querySelectorAll("form[data-draft][data-draft-bound]").forEach(saveDraft);
    focusField(document);
  });

  function start() {
    forgetSaved();
    document.querySelectorAll("form[data-draft]").forEach(restore);
    focusField(document);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
