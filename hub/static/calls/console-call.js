/* The advisor console, part 2: the call (through CivicMesh, mesh.js), captions, the
 * resident's text, the journey summary, the interpreter's link and ending the call with an
 * outcome. Part 1 (console.js) answers, then calls AdvisorConsole.startCall.
 *
 * The journey summary lives only in this page's memory and the DOM, and both are cleared
 * when the call ends, however it ends.
 */
(function (shared) {
  "use strict";

  var OUTCOMES = {resolved: "Resolved", callback_booked: "Call back booked", referred: "Referred"};
  var ENDED = {
    resident_ended: "The resident ended the call.",
    resident_left_queue: "The resident left before the call started.",
    session_ended: "The resident's session at the kiosk ended, so the call ended.",
    no_answer: "The call ended because it was not answered in time.",
    kiosk_error: "The kiosk had a problem, so the call ended.",
    advisor_disconnected: "Your connection to the hub dropped, so the call ended."
  };
  var $ = shared.$;
  var api = shared.api;
  var announce = shared.announce;
  var alertMessage = shared.alertMessage;
  var state = shared.state;
  var renderQueue = shared.renderQueue;

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

  // The hub has this advisor in a call this page has no connection to: answered from a
  // tab that closed or reloaded before it joined, whose socket never got through, or open
  // in another tab. Nobody can see or hear the advisor here, and the advisor cannot answer
  // anyone else until it ends, so the page offers the one thing it can do: end it with an
  // outcome (docs/calls.md §2.2, "my_call").
  function resumeCall(mine) {
    state.call = {call_id: mine.call_id, token: null};
    state.live = false;
    state.ending = false;
    resetCallView();
    setCallControls(false);
    $("back-to-queue").hidden = true;
    $("queue-section").hidden = true;
    $("call-section").hidden = false;
    $("call-heading").focus();
    alertMessage("You answered the call from " + (mine.site || "a kiosk") + ", but this page "
                 + "is not connected to it (it may be open in another tab or window). Record "
                 + "the outcome to end the call.");
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
        state.recorded[call.call_id] = true;
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

  shared.startCall = startCall;
  shared.resumeCall = resumeCall;
  setCallControls(false);
})(AdvisorConsole);
