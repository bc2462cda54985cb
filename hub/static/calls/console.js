/* The advisor console: availability, the queue (polled every 2 s), answering, the call
 * (through CivicMesh, mesh.js), captions, the resident's text, the journey summary, the
 * interpreter's link and ending the call with an outcome. docs/calls.md §2.2.
 *
 * Accessibility: every control is a native one with a label; changes to the queue and the
 * call are announced in a polite live region (#console-status), problems in an alert
 * (#console-alert); focus moves to the call's heading when a call starts and back to the
 * queue's when it ends; rows are updated in place so a focused Answer button is not lost.
 * The journey summary lives only in this page's memory and the DOM, and both are cleared
 * when the call ends.
 */
(function () {
  "use strict";

  var POLL_MS = 2000;
  var LANGUAGES = {en: "English", cy: "Welsh", pl: "Polish", ur: "Urdu", ro: "Romanian"};
  var OUTCOMES = {resolved: "Resolved", callback_booked: "Call back booked", referred: "Referred"};
  var ENDED = {
    resident_ended: "The resident ended the call.",
    resident_left_queue: "The resident left before the call started.",
    session_ended: "The resident's session at the kiosk ended, so the call ended.",
    no_answer: "The call ended because it was not answered in time.",
    kiosk_error: "The kiosk had a problem, so the call ended.",
    advisor_disconnected: "Your connection to the hub dropped, so the call ended."
  };

  var root = document.getElementById("console");
  var csrf = root.getAttribute("data-csrf");
  function $(id) { return document.getElementById(id); }

  var state = {
    available: false, calls: [], rows: {}, announcedIds: null,
    call: null,        // {call_id, token} while in a call, or after it until the outcome is saved
    mesh: null, live: false, ending: false, summary: null, polling: true
  };

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

  function poll() {
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
      } else if (r.status !== 401) {
        $("queue-count").textContent = "The queue could not be loaded. Trying again.";
      }
    }).then(function () {
      if (state.polling) {
        window.setTimeout(poll, POLL_MS);
      }
    });
  }

  // --- answering -------------------------------------------------------------------------

  function answered(r, what) {
    if (r.ok && r.data.call_id && r.data.token) {
      startCall(r.data.call_id, r.data.token);
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
    api("POST", "/advisor/calls/" + encodeURIComponent(callId) + "/answer").then(function (r) {
      answered(r, "that call");
    });
  }

  $("answer-next").addEventListener("click", function () {
    alertMessage("");
    api("POST", "/advisor/next").then(function (r) { answered(r, "the next call"); });
  });

  // --- the call --------------------------------------------------------------------------

  function clearList(id) {
    var list = $(id);
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
  }

  function addLine(id, text) {
    var item = document.createElement("li");
    item.textContent = text;
    $(id).appendChild(item);
  }

  function dropSummary() {
    state.summary = null;
    clearList("summary-list");
    $("summary-list").hidden = true;
    $("summary-service").hidden = true;
    $("summary-service").textContent = "";
    $("summary-empty").hidden = false;
  }

  function showSummary(summary) {
    state.summary = summary;
    clearList("summary-list");
    (summary.rows || []).forEach(function (item) {
      var dt = document.createElement("dt");
      dt.textContent = String(item.label);
      var dd = document.createElement("dd");
      dd.textContent = String(item.value);
      $("summary-list").appendChild(dt);
      $("summary-list").appendChild(dd);
    });
    $("summary-service").textContent = summary.service ? "Service: " + summary.service : "";
    $("summary-service").hidden = !summary.service;
    $("summary-list").hidden = false;
    $("summary-empty").hidden = true;
    announce("The resident has shared a summary of their answers.");
  }

  function setCallControls(live) {
    ["mute", "camera", "caption-input", "invite"].forEach(function (id) { $(id).disabled = !live; });
    $("end-call").textContent = live ? "End call" : "Save the outcome";
    $("back-to-queue").hidden = live;
  }

  function resetCallView() {
    ["resident-video", "interpreter-video", "own-video"].forEach(function (id) {
      $(id).srcObject = null;
    });
    $("interpreter-figure").hidden = true;
    clearList("captions-sent");
    clearList("resident-log");
    $("resident-typing").textContent = "";
    $("caption-input").value = "";
    dropSummary();
    $("invite-result").hidden = true;
    $("invite-link").value = "";
    $("end-form").reset();
    showOutcomeError("");
    $("mute").setAttribute("aria-pressed", "false");
    $("camera").setAttribute("aria-pressed", "false");
  }

  var callbacks = {
    media: function (d) {
      if (!d.ok) {
        alertMessage("Your camera or microphone could not be started (" + d.error + "). "
                     + "The resident may not see or hear you, but you can type captions.");
      }
    },
    local_stream: function (d) { $("own-video").srcObject = d.stream; },
    remote_stream: function (d) {
      if (d.role === "kiosk") {
        $("resident-video").srcObject = d.stream;
      } else if (d.role === "interpreter") {
        $("interpreter-video").srcObject = d.stream;
        $("interpreter-figure").hidden = false;
      }
    },
    peer_joined: function (d) {
      if (d.role === "interpreter") {
        announce("The interpreter has joined the call.");
      }
    },
    connected: function (d) {
      if (d.role === "kiosk") {
        announce("You are connected to the resident.");
      }
    },
    peer_left: function (d) {
      if (d.role === "interpreter") {
        $("interpreter-video").srcObject = null;
        $("interpreter-figure").hidden = true;
        announce("The interpreter has left the call.");
      } else if (d.role === "kiosk") {
        $("resident-video").srcObject = null;
        alertMessage(d.reason === "disconnected"
          ? "The resident's connection dropped. The call may end; wait a moment, or end it."
          : "The resident has left the call.");
      }
    },
    resident_text: function (d) {
      if (d.final) {
        if (d.text) {
          addLine("resident-log", d.text);
        }
        $("resident-typing").textContent = "";
      } else {
        $("resident-typing").textContent = d.text ? "Typing: " + d.text : "";
      }
    },
    summary: showSummary,
    call_ended: function (d) {
      if (state.ending) {
        return;  // we ended it: endCall() finishes up
      }
      callOver(ENDED[d.reason] || "The call has ended.");
    },
    closed: function () {
      if (state.ending) {
        return;
      }
      callOver("The call dropped: the connection to the hub was lost.");
    },
    error: function (d) {
      if (d.what === "refused") {
        alertMessage("This call could not be joined. It may already have ended.");
      } else if (d.what === "ice_failed") {
        alertMessage("The video connection to a participant failed. Check your network.");
      }
    }
  };

  function startCall(callId, token) {
    state.call = {call_id: callId, token: token};
    state.live = true;
    state.ending = false;
    resetCallView();
    setCallControls(true);
    alertMessage("");
    $("queue-section").hidden = true;
    $("call-section").hidden = false;
    $("call-heading").focus();
    announce("Call answered. Connecting to the resident.");
    state.mesh = CivicMesh.join({call_id: callId, token: token, role: "advisor"}, callbacks);
  }

  function callOver(message) {
    // The call ended without us: the summary goes, the outcome can still be recorded.
    state.live = false;
    if (state.mesh) {
      state.mesh.leave();
      state.mesh = null;
    }
    ["resident-video", "interpreter-video", "own-video"].forEach(function (id) {
      $(id).srcObject = null;
    });
    $("interpreter-figure").hidden = true;
    dropSummary();
    setCallControls(false);
    alertMessage(message + " Record the outcome, or go back to the queue.");
  }

  function backToQueue(message) {
    if (state.mesh) {
      state.mesh.leave();
      state.mesh = null;
    }
    state.call = null;
    state.live = false;
    state.ending = false;
    resetCallView();
    $("call-section").hidden = true;
    $("queue-section").hidden = false;
    renderQueue(state.calls);
    $("queue-heading").focus();
    if (message) {
      announce(message);
    }
  }

  // Captions: real-time text on every change, final on Enter.
  $("caption-input").addEventListener("input", function () {
    if (state.mesh) {
      state.mesh.send("caption", {text: $("caption-input").value, final: false});
    }
  });
  $("caption-input").addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) {
      return;
    }
    event.preventDefault();
    var text = $("caption-input").value.trim();
    if (state.mesh) {
      state.mesh.send("caption", {text: text, final: true});
    }
    if (text) {
      addLine("captions-sent", text);
    }
    $("caption-input").value = "";
  });

  function toggle(id, apply) {
    var on = $(id).getAttribute("aria-pressed") !== "true";
    $(id).setAttribute("aria-pressed", on ? "true" : "false");
    if (state.mesh) {
      apply(on);
    }
  }
  $("mute").addEventListener("click", function () {
    toggle("mute", function (on) { state.mesh.mute(on); });
  });
  $("camera").addEventListener("click", function () {
    toggle("camera", function (on) { state.mesh.cameraOff(on); });
  });

  $("invite").addEventListener("click", function () {
    var call = state.call;
    api("POST", "/advisor/calls/" + encodeURIComponent(call.call_id) + "/invite").then(function (r) {
      if (!r.ok || !r.data.link) {
        alertMessage("The interpreter's link could not be made. Try again.");
        return;
      }
      $("invite-link").value = new URL(r.data.link, window.location.origin).href;
      $("invite-result").hidden = false;
      $("invite-link").focus();
      $("invite-link").select();
      announce("The interpreter's link is ready. Copy it and send it to the interpreter.");
    });
  });
  $("copy-link").addEventListener("click", function () {
    var link = $("invite-link").value;
    var copied = navigator.clipboard && navigator.clipboard.writeText
      ? navigator.clipboard.writeText(link) : Promise.reject(new Error("no clipboard"));
    copied.then(function () { announce("Link copied."); }, function () {
      $("invite-link").select();
      announce("Press Control and C to copy the selected link.");
    });
  });

  function showOutcomeError(text) {
    $("outcome-error").textContent = text ? "Error: " + text : "";
    $("outcome-error").hidden = !text;
    $("outcome-group").classList.toggle("form-group--error", !!text);
  }

  $("end-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = $("end-form").querySelector('input[name="outcome"]:checked');
    if (!chosen) {
      showOutcomeError("Select the outcome of the call");
      $("outcome-resolved").focus();
      return;
    }
    showOutcomeError("");
    var note = $("end-note").value.trim().slice(0, 500);
    var call = state.call;
    var live = state.live;
    state.ending = true;
    $("end-call").disabled = true;
    api("POST", "/advisor/calls/" + encodeURIComponent(call.call_id) + "/end",
        {outcome: chosen.value, note: note || null}).then(function (r) {
      $("end-call").disabled = false;
      if (r.ok) {
        backToQueue((live ? "Call ended. " : "") + "Outcome recorded: " + OUTCOMES[chosen.value] + ".");
      } else if (live && r.status !== 401) {
        state.ending = false;
        alertMessage("The call could not be ended. Try again.");
      } else {
        backToQueue("The outcome could not be recorded.");
      }
    });
  });

  $("back-to-queue").addEventListener("click", function () { backToQueue(""); });

  window.addEventListener("beforeunload", function (event) {
    if (state.live) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  setCallControls(false);
  poll();
})();
