/* The rater's survey: save every answer as it is given, and never lose one silently.
 *
 * Each answer goes into a queue (one entry per question: a newer answer replaces a queued
 * older one) with the time it was given, and the queue is sent in order, one request at a
 * time, to the autosave URL. A request that fails (no connection, a server error) leaves
 * its answer in the queue, marked "not saved, retrying" next to the question and in the
 * sticky progress bar, and is tried again with back-off (1 s, doubling, at most 30 s), at
 * once when the browser is back online or the rater gives another answer. The server
 * keeps, per question, the answer given last (by the time sent along), so a late answer
 * from this queue or another tab never replaces a newer one; when that happens it says
 * so, and the page shows the answer that stays.
 *
 * With the script, whole-form posts carry no answers (they are all saved by then): "save
 * and continue later" and the language switch wait for the queue, then post just their
 * button; the review waits for it too, then comes as the server's htmx partial (asked for
 * with HX-Request, as htmx would) under the form. The rater's pages load no htmx at all:
 * this script is all they run, which keeps a first visit on a phone small. Without the
 * script the form posts as is.
 *
 * Nothing is kept in localStorage, sessionStorage or cookies: the queue lives in this page
 * only (SECURITY.md, "Nothing in the browser").
 */
(function () {
  "use strict";

  var form = document.getElementById("survey-form");
  if (!form || !window.fetch) return;
  var text = form.dataset;
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var queue = [];          // {field, value, at}, oldest first
  var sending = null;      // the entry on its way
  var delay = 0;           // the current back-off, ms
  var timer = null;
  var closed = false;      // the link no longer takes answers
  var waiters = [];        // what runs once the queue is empty
  var TYPING_MS = 800, FIRST_RETRY_MS = 1000, MAX_RETRY_MS = 30000;
  var typing = {};         // field -> timer of a comment being typed
  var given = {};          // field -> the value last queued or on the page at load

  function isAnswer(el) {
    return el && el.name && (/^s\d+$/.test(el.name) || /^q:/.test(el.name) || el.name === "grade");
  }
  function stateId(field) { return "state-" + field.replace(/:/g, "-"); }
  function valueOf(field) {
    var els = form.elements[field];
    if (!els) return "";
    if (els.tagName === "TEXTAREA" || els.tagName === "SELECT") return els.value;
    var checked = form.querySelector("input[name='" + field + "']:checked");
    return checked ? checked.value : "";
  }
  function show(field, value) {
    var els = form.elements[field];
    if (!els) return;
    if (els.tagName === "TEXTAREA" || els.tagName === "SELECT") { els.value = value; }
    else {
      form.querySelectorAll("input[name='" + field + "']").forEach(function (r) {
        r.checked = r.value === value;
      });
    }
    given[field] = value;
  }
  function mark(field, kind, message) {
    var el = document.getElementById(stateId(field));
    if (!el) return;
    el.className = "save-state " + kind;
    el.textContent = message;
  }
  function plural(n, one, many) { return n === 1 ? one : many.replace("{n}", String(n)); }

  // --- what the page says about the queue ---------------------------------------------------
  var queueLine = document.getElementById("save-queue");
  var unsaved = document.getElementById("unsaved-count");
  var wait = document.getElementById("submit-wait");
  var failing = false;

  function report() {
    var n = queue.length + (sending ? 1 : 0);
    if (failing && n) {
      queueLine.textContent = plural(n, text.queueOne, text.queueMany);
      queueLine.className = "save-queue retrying";
      queueLine.hidden = false;
    } else if (!queueLine.dataset.notice) {
      queueLine.hidden = true;
    }
    unsaved.textContent = failing && n ? plural(n, text.buttonOne, text.buttonMany) : "";
    if (!n) {
      wait.hidden = true;
      var run = waiters; waiters = [];
      run.forEach(function (f) { f(); });
    }
  }
  function notice(message, field) {
    queueLine.textContent = message + " ";
    if (field) {
      var a = document.createElement("a");
      a.href = "#" + stateId(field) + "-item";
      a.textContent = text.show;
      queueLine.appendChild(a);
    }
    queueLine.className = "save-queue notice";
    queueLine.dataset.notice = "1";
    queueLine.hidden = false;
  }

  // --- the queue ----------------------------------------------------------------------------
  function give(field, value) {
    if (closed || given[field] === value) return;
    given[field] = value;
    queue = queue.filter(function (e) { return e.field !== field; });
    queue.push({ field: field, value: value, at: Date.now() });
    if (failing) mark(field, "retrying", text.retrying);
    else mark(field, "saving", text.saving);
    delay = 0;  // the rater is here: try now
    send();
    report();
  }

  function retryLater() {
    failing = true;
    queue.forEach(function (e) { mark(e.field, "retrying", text.retrying); });
    delay = delay ? Math.min(delay * 2, MAX_RETRY_MS) : FIRST_RETRY_MS;
    clearTimeout(timer);
    timer = setTimeout(send, delay);
    report();
  }

  // A request as htmx would send it: the CSRF token, and HX-Request for the partial.
  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "HX-Request": "true" }
    });
  }

  function swapIn(html) {
    var box = document.createElement("template");
    box.innerHTML = html;
    Array.prototype.slice.call(box.content.children).forEach(function (el) {
      var old = el.id && document.getElementById(el.id);
      if (!old) return;
      if (el.getAttribute("hx-swap-oob") === "innerHTML") {
        // Keep the element (a live region stays one) and take its content; a child marked
        // hx-preserve that comes back with the same id stays as it is (a note kept open).
        Array.prototype.slice.call(el.querySelectorAll("[hx-preserve][id]")).forEach(function (p) {
          var kept = document.getElementById(p.id);
          if (kept && old.contains(kept)) p.replaceWith(kept);
        });
        old.replaceChildren.apply(old, Array.prototype.slice.call(el.childNodes));
        if (window.htmx) window.htmx.process(old);
        return;
      }
      el.removeAttribute("hx-swap-oob");
      old.replaceWith(el);
      if (window.htmx) window.htmx.process(el);
    });
  }

  function send() {
    if (sending || closed || !queue.length) { report(); return; }
    clearTimeout(timer);
    var entry = queue.shift();
    sending = entry;
    var body = new URLSearchParams();
    body.append(entry.field, entry.value);
    body.append("changed_at", String(entry.at));
    body.append("draft_fingerprint", document.getElementById("draft-fingerprint").value);
    post(text.saveUrl, body).then(function (response) {
      if (response.status === 404) { closed = true; return null; }
      if (!response.ok) throw new Error(String(response.status));
      return response.text();
    }).then(function (html) {
      sending = null;
      if (closed) {
        queue.concat([entry]).forEach(function (e) { mark(e.field, "closed", text.closed); });
        queue = [];
        notice(text.closed);
        report();
        return;
      }
      var newer = queue.some(function (e) { return e.field === entry.field; });
      failing = false;
      delay = 0;
      swapIn(html);
      if (newer) mark(entry.field, "saving", text.saving);  // a later answer is on its way
      var kept = document.querySelector("#" + stateId(entry.field) + ".newer");
      if (kept && !newer) {
        show(entry.field, kept.dataset.current);
        notice(text.newer, entry.field);
      }
      send();
    }).catch(function () {
      sending = null;
      if (!queue.some(function (e) { return e.field === entry.field; })) queue.unshift(entry);
      retryLater();
    });
  }

  // --- answers as they are given ------------------------------------------------------------
  Array.prototype.forEach.call(form.elements, function (el) {
    if (isAnswer(el) && !given.hasOwnProperty(el.name)) given[el.name] = valueOf(el.name);
  });
  form.addEventListener("change", function (event) {
    var el = event.target;
    if (!isAnswer(el)) return;
    clearTimeout(typing[el.name]);
    give(el.name, valueOf(el.name));
  });
  form.addEventListener("input", function (event) {
    var el = event.target;
    if (!isAnswer(el) || el.tagName !== "TEXTAREA") return;
    clearTimeout(typing[el.name]);
    typing[el.name] = setTimeout(function () { give(el.name, el.value); }, TYPING_MS);
  });
  function flushTyping() {
    Object.keys(typing).forEach(function (field) {
      clearTimeout(typing[field]);
      give(field, valueOf(field));
    });
    typing = {};
  }
  window.addEventListener("online", function () { delay = 0; send(); });
  // Enter in an answer is no button press (without the script it posts to a URL that
  // answers 204 No Content: the page stays as it is; with it nothing is posted at all).
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.tagName !== "TEXTAREA" &&
        event.target.tagName !== "BUTTON" && event.target.tagName !== "A") {
      event.preventDefault();
    }
  });

  // Run `then` once every answer is saved; meanwhile say what is being waited for.
  function whenSaved(then) {
    flushTyping();
    if (!queue.length && !sending) { then(); return; }
    waiters.push(then);
    wait.textContent = text.waiting;
    wait.hidden = false;
    delay = 0;
    send();
  }

  // "Save and continue later" and the language buttons: their button alone, once saved.
  // A question with an error (too long, say) is not saved: then the whole form goes, and
  // the page comes back with it marked.
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.classList.contains("enter-key")) { event.preventDefault(); return; }
    if (button && button.value === "review") {
      event.preventDefault();
      whenSaved(showReview);
      return;
    }
    if (!button || form.querySelector(".save-state.error")) return;
    event.preventDefault();
    whenSaved(function () {
      var post = document.createElement("form");
      post.method = "post";
      post.action = form.getAttribute("action");
      post.hidden = true;
      [["csrf_token", csrf],
       ["draft_fingerprint", document.getElementById("draft-fingerprint").value],
       [button.name, button.value]].forEach(function (pair) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = pair[0];
        input.value = pair[1];
        post.appendChild(input);
      });
      document.body.appendChild(post);
      post.submit();
    });
  });

  // The review: only once everything is saved; then it moves into view. A link already
  // used goes to its page (HX-Redirect); a failure says so and changes nothing.
  function showReview() {
    var body = new URLSearchParams();
    body.append("draft_fingerprint", document.getElementById("draft-fingerprint").value);
    post(text.reviewUrl, body).then(function (response) {
      var to = response.headers.get("HX-Redirect");
      if (to) { window.location.assign(to); return null; }
      if (response.status === 404) { closed = true; notice(text.closed); return null; }
      if (!response.ok && response.status !== 429) throw new Error(String(response.status));
      return response.text();  // a 429 says, in the rater's language, to wait a moment
    }).then(function (html) {
      if (html === null) return;
      wait.hidden = true;
      document.getElementById("review").innerHTML = html;
      var title = document.getElementById("review-title");
      if (title) { title.focus(); title.scrollIntoView({ block: "start" }); }
    }).catch(function () {
      wait.textContent = text.reviewFailed;
      wait.hidden = false;
    });
  }

  // Coming back: the first question without an answer, with "welcome back" above it in
  // view (autofocus alone may leave that line under the sticky bar).
  var welcome = document.getElementById("welcome-back");
  if (welcome && !location.hash) welcome.scrollIntoView({ block: "start" });
})();
