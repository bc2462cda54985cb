/* The advisor console, part 1: shared helpers, availability, the queue (polled every 2 s)
 * and answering. Part 2, console-call.js, is the call itself. docs/calls.md §2.2.
 * The two share one object, AdvisorConsole (its helpers, its state, startCall).
 *
 * Accessibility: every control is a native one with a label; changes to the queue and the
 * call are announced in a polite live region (#console-status), problems in an alert
 * (#console-alert); focus moves to the call's heading when a call starts and back to the
 * queue's when it ends; rows are updated in place so a focused Answer button is not lost.
 */
var AdvisorConsole = (function () {
  "use strict";

  var POLL_MS = 2000;
  var LANGUAGES = {en: "English", cy: "Welsh", pl: "Polish", ur: "Urdu", ro: "Romanian"};

  var root = document.getElementById("console");
  var csrf = root.getAttribute("data-csrf");
  function $(id) { return document.getElementById(id); }

  var state = {
    available: false, calls: [], rows: {}, announcedIds: null,
    call: null,        // {call_id, token} while in a call, or after it until the outcome is saved
    mesh: null, live: false, ending: false, summary: null, polling: true,
    answering: false,  // an answer is on its way: the queue's my_call may be that call
    recorded: {}       // call ids whose outcome this page saved: a poll sent before may list one
  };
  var pollTimer = null;

  // --- helpers ------------------------------------------------------------------------

  function api(method, path, body) {
    var options = {method: method, credentials: "same-origin",
                   headers: {"Accept": "application/json", "X-CSRF-Token": csrf}};
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      if (response.status === 401) {
        signedOut();
      }
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {ok: response.ok, status: response.status, data: data};
      });
    }, function () {
      return {ok: false, status: 0, data: {}};
    });
  }

  function announce(text) {
    var status = $("console-status");
    // Clearing first makes a repeated message be read again.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function alertMessage(text) {
    var box = $("console-alert");
    box.textContent = text;
    box.hidden = !text;
  }

  function language(code) {
    return LANGUAGES[code] || (code ? String(code) : "Not known");
  }

  function waited(seconds) {
    var minutes = Math.floor((seconds || 0) / 60);
    if (minutes < 1) {
      return "Under 1 minute";
    }
    return minutes === 1 ? "1 minute" : minutes + " minutes";
  }

  function signedOut() {
    state.polling = false;
    alertMessage("You have been signed out. Sign in again to answer calls.");
    var link = document.createElement("a");
    link.href = "/sign-in?next=%2Fadvisor";
    link.textContent = "Sign in again";
    $("console-alert").appendChild(document.createTextNode(" "));
    $("console-alert").appendChild(link);
  }

  // --- availability and the queue -----------------------------------------------------

  $("available").addEventListener("change", function () {
    var wanted = $("available").checked;
    api("POST", "/advisor/availability", {available: wanted}).then(function (r) {
      if (!r.ok) {
        $("available").checked = state.available;
        alertMessage("Your availability could not be changed. Try again.");
        return;
      }
      state.available = !!r.data.available;
      $("available").checked = state.available;
      alertMessage("");
      announce(state.available ? "You are available to answer calls."
                               : "You are not available to answer calls.");
    });
  });

  function row(call) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-call-id", call.call_id);
    ["site", "service", "language", "interpreter", "waited"].forEach(function (name) {
      var td = document.createElement("td");
      td.setAttribute("data-field", name);
      tr.appendChild(td);
    });
    var cell = document.createElement("td");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary";
    button.textContent = "Answer";
    button.addEventListener("click", function () { answer(call.call_id); });
    cell.appendChild(button);
    tr.appendChild(cell);
    return tr;
  }

  function fill(tr, call) {
    var values = {
      site: call.site || "Not known",
      service: call.service_title || call.service || "Not chosen",
      language: language(call.language),
      interpreter: call.interpreter ? language(call.interpreter) : "Not needed",
      waited: waited(call.waited_seconds)
    };
    Object.keys(values).forEach(function (name) {
      var td = tr.querySelector('[data-field="' + name + '"]');
      if (td.textContent !== values[name]) {
        td.textContent = values[name];
      }
    });
    tr.querySelector("button").setAttribute(
      "aria-label", "Answer the call from " + values.site + ", waiting " + values.waited.toLowerCase());
  }

  function renderQueue(calls) {
    var body = $("queue-table").querySelector("tbody");
    var seen = {};
    var focusLost = false;
    calls.forEach(function (call, index) {
      seen[call.call_id] = true;
      var tr = state.rows[call.call_id];
      if (!tr) {
        tr = row(call);
        state.rows[call.call_id] = tr;
      }
      fill(tr, call);
      if (body.children[index] !== tr) {
        body.insertBefore(tr, body.children[index] || null);
      }
    });
    Object.keys(state.rows).forEach(function (id) {
      if (!seen[id]) {
        if (state.rows[id].contains(document.activeElement)) {
          focusLost = true;
        }
        state.rows[id].remove();
        delete state.rows[id];
      }
    });
    var count = calls.length;
    $("queue-table").hidden = count === 0;
    $("queue-count").textContent = count === 0 ? "No one is waiting."
      : count === 1 ? "1 resident is waiting." : count + " residents are waiting.";
    $("answer-next").disabled = count === 0 || state.call !== null;
    if (focusLost) {
      $("queue-heading").focus();
    }
    announceChanges(calls);
  }

  function announceChanges(calls) {
    var ids = calls.map(function (c) { return c.call_id; });
    if (state.announcedIds === null) {
      state.announcedIds = ids;
      if (calls.length) {
        announce($("queue-count").textContent);
      }
      return;
    }
    var before = state.announcedIds;
    var arrived = calls.filter(function (c) { return before.indexOf(c.call_id) < 0; });
    var gone = before.filter(function (id) { return ids.indexOf(id) < 0; });
    state.announcedIds = ids;
    if (state.call !== null || (!arrived.length && !gone.length)) {
      return;
    }
    if (arrived.length === 1) {
      announce("A resident is waiting at " + (arrived[0].site || "a kiosk") + ". "
               + $("queue-count").textContent);
    } else {
      announce($("queue-count").textContent);
    }
  }

  // One chain of polls: polling at once (after a refused answer) replaces the next poll
  // rather than starting a second chain beside it.
  function poll() {
    if (pollTimer !== null) {
      window.clearTimeout(pollTimer);
      pollTimer = null;
    }
    if (!state.polling) {
      return;
    }
    api("GET", "/advisor/queue").then(function (r) {
      if (r.ok) {
        $("available").disabled = false;
        if (state.available && !r.data.available) {
          announce("Your availability lapsed. Tick the box to be available again.");
        }
        state.available = !!r.data.available;
        $("available").checked = state.available;
        state.calls = r.data.calls || [];
        renderQueue(state.calls);
        var mine = r.data.my_call;
        if (mine && state.call === null && !state.answering && !state.recorded[mine.call_id]) {
          shared.resumeCall(mine);
        }
      } else if (r.status !== 401) {
        $("queue-count").textContent = "The queue could not be loaded. Trying again.";
      }
    }).then(function () {
      if (state.polling && pollTimer === null) {
        pollTimer = window.setTimeout(poll, POLL_MS);
      }
    });
  }

  // --- answering -------------------------------------------------------------------------

  function answered(r, what) {
    state.answering = false;
    if (r.ok && r.data.call_id && r.data.token) {
      shared.startCall(r.data.call_id, r.data.token);
    } else if (r.status === 409 && r.data.error === "in_call") {
      alertMessage("You are already in a call. Record its outcome before you answer another.");
      poll();  // the queue's my_call brings that call back to this page
    } else if (r.status === 409) {
      alertMessage("Another advisor answered " + what + " first.");
      poll();
    } else if (r.status === 404) {
      alertMessage("No one is waiting now.");
    } else if (r.status !== 401) {
      alertMessage("The call could not be answered. Try again.");
    }
  }

  function answer(callId) {
    alertMessage("");
    state.answering = true;
    api("POST", "/advisor/calls/" + encodeURIComponent(callId) + "/answer").then(function (r) {
      answered(r, "that call");
    });
  }

  $("answer-next").addEventListener("click", function () {
    alertMessage("");
    state.answering = true;
    api("POST", "/advisor/next").then(function (r) { answered(r, "the next call"); });
  });

  var shared = {$: $, api: api, announce: announce, alertMessage: alertMessage, state: state,
                renderQueue: renderQueue,
                startCall: null, resumeCall: null /* console-call.js */};
  poll();
  return shared;
})();
