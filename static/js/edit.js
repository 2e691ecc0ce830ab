/* Parley editor pages: progressive enhancement only; every form works without it.
 *
 * - Drafts: what is typed into a form marked data-draft="key" is kept in this browser
 *   (localStorage) until the server says the form was saved (data-draft-clear on the
 *   next page). After a reload or a crash, the draft is sent back to the server, which
 *   renders the form exactly as it was typed (rows included) without saving anything.
 * - Focus: the field named by data-focus (a row just added) or the first field in error.
 *   A draft too large to send back is filled in here instead.
 * - Limits: a form larger than the server takes (data-max-bytes, data-max-fields on the
 *   page) is not sent; the page says so and the draft stays.
 * - A form is sent once: a second click while it is being saved does nothing (the
 *   server also saves a form only once, see negotiations/editing/once.py).
 * - Ctrl+Enter (Cmd+Enter) saves the form being typed in.
 * - Logging out forgets the drafts.
 * Loaded for logged-in users only.
 */
(function () {
  "use strict";
  var PREFIX = "parley-draft:";
  var SKIP = { csrfmiddlewaretoken: true, action: true };
  var timers = {};
  // Django's defaults, used when the page does not name its limits.
  var LIMITS = { bytes: 2621440, fields: 1000 };

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
    if (tooLarge(body)) {
      fillIn(form, draft);
      return;
    }
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
    }).catch(function () {
      // Refused or unreachable: the draft stays, shown as far as this page's fields go.
      fillIn(form, draft);
    });
  }

  // The draft put back into the fields this page has (rows beyond them stay in the draft).
  function fillIn(form, draft) {
    var seen = {};
    draft.values.forEach(function (pair) {
      var field = form.elements.namedItem(pair[0]);
      if (!field || pair[0] === "csrfmiddlewaretoken") return;
      var fields = field.length !== undefined && !field.tagName ? field : [field];
      Array.prototype.forEach.call(fields, function (one) {
        if (one.type === "checkbox" || one.type === "radio") {
          if (!seen[pair[0]]) one.checked = false;
          if (one.value === pair[1]) one.checked = true;
        } else if (one.tagName === "SELECT" && one.multiple) {
          Array.prototype.forEach.call(one.options, function (o) {
            if (!seen[pair[0]]) o.selected = false;
            if (o.value === pair[1]) o.selected = true;
          });
        } else if (one.type !== "hidden" || one.name === "once") {
          one.value = pair[1];
        }
      });
      seen[pair[0]] = true;
    });
    form.insertBefore(notice(form, draft), form.firstChild);
    var size = tooLarge(encoded(form));
    if (size) showLimit(form, size);
  }

  // --- limits: what the server would refuse is not sent ---------------------------

  function limits() {
    var page = document.querySelector(".edit-page");
    var bytes = page && parseInt(page.dataset.maxBytes, 10);
    var fields = page && parseInt(page.dataset.maxFields, 10);
    return { bytes: bytes > 0 ? bytes : LIMITS.bytes, fields: fields > 0 ? fields : LIMITS.fields };
  }

  function encoded(form, submitter) {
    var data;
    try { data = submitter ? new FormData(form, submitter) : new FormData(form); }
    catch (e) { data = new FormData(form); }
    var params = new URLSearchParams();
    data.forEach(function (value, name) { params.append(name, typeof value === "string" ? value : ""); });
    return params;
  }

  function megabytes(bytes) {
    return (bytes / 1048576).toLocaleString(undefined, { maximumFractionDigits: 1 }) + " MB";
  }

  // Why `params` would be refused by the server, or "" (the encoded length is what is sent).
  function tooLarge(params) {
    var most = limits();
    var bytes = params.toString().length + 100;
    var fields = 2;
    params.forEach(function () { fields += 1; });
    if (bytes > most.bytes) {
      return "This form is too large to send: " + megabytes(bytes) + ", at most " +
        megabytes(most.bytes) + ". Shorten the longest texts or split the list, then save.";
    }
    if (fields > most.fields) {
      return "This form has too many fields to send: " + fields.toLocaleString() + ", at most " +
        most.fields.toLocaleString() + ". Save fewer rows at once.";
    }
    return "";
  }

  function showLimit(form, message) {
    var note = form.querySelector(".limit-note");
    if (!note) {
      note = document.createElement("div");
      note.className = "form-errors limit-note";
      note.setAttribute("role", "alert");
      var actions = form.querySelector(".form-actions");
      form.insertBefore(note, actions || null);
    }
    note.textContent = message + " Nothing was sent; what you typed is kept in this browser.";
    if (note.scrollIntoView) note.scrollIntoView({ block: "center" });
  }

  function clearLimit(form) {
    var note = form.querySelector(".limit-note");
    if (note) note.remove();
  }

  // Checked before any request leaves the form: true when it may go.
  function mayGo(form, submitter) {
    if (form.dataset.draft) {
      clearTimeout(timers[form.dataset.draft]);
      saveDraft(form);
    }
    var refusal = tooLarge(encoded(form, submitter));
    if (refusal) {
      showLimit(form, refusal);
      return false;
    }
    clearLimit(form);
    return true;
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
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.edit-form")) return;
    if (form.dataset.sending) {
      event.preventDefault();  // a second click while the first is being saved
      return;
    }
    if (!mayGo(form, event.submitter)) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    form.setAttribute("aria-busy", "true");
    // Disabled after the browser has read the clicked button's name and value.
    setTimeout(function () { sending(form, true); }, 0);
    // No answer after a while (a dropped connection): the form may be sent again.
    setTimeout(function () { sending(form, false); }, 20000);
  });
  function sending(form, busy) {
    if (busy) form.dataset.sending = "1"; else delete form.dataset.sending;
    if (busy) form.setAttribute("aria-busy", "true"); else form.removeAttribute("aria-busy");
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = busy; });
  }
  // Back to a page kept in the browser's cache: its forms may be sent again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form.edit-form[data-sending]").forEach(function (form) {
      sending(form, false);
    });
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    var form = elt && (elt.form || (elt.closest && elt.closest("form.edit-form")));
    if (form && !mayGo(form, elt)) event.preventDefault();
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
