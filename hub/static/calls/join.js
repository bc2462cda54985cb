/* The interpreter's page (/join/<invitation>): join the call with the token the hub put on
 * the page, show everyone else's video, and leave without ending the call (docs/calls.md
 * §2.3: an interpreter leaving never ends it). Captions and the resident's typed text are
 * shown as they arrive, so an interpreter sees everything the others say in writing.
 */
(function () {
  "use strict";

  var root = document.getElementById("join");
  var config = {call_id: root.getAttribute("data-call-id"),
                token: root.getAttribute("data-token"), role: "interpreter"};
  var ROLES = {kiosk: "Resident", advisor: "Advisor"};
  var call = null;
  var tiles = {};
  function $(id) { return document.getElementById(id); }

  function announce(text) { $("join-status").textContent = text; }

  function alertMessage(text) {
    $("join-alert").textContent = text;
    $("join-alert").hidden = !text;
  }

  function tile(peerId, role, stream) {
    var figure = document.createElement("figure");
    figure.className = role === "kiosk" ? "call__main" : "call__tile";
    var video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    video.srcObject = stream;
    var name = ROLES[role] || "Participant";
    video.setAttribute("aria-label", name + "'s video");
    var caption = document.createElement("figcaption");
    caption.textContent = name;
    figure.appendChild(video);
    figure.appendChild(caption);
    $("join-videos").insertBefore(figure, $("join-videos").firstChild);
    tiles[peerId] = figure;
  }

  function log(text) {
    var item = document.createElement("li");
    item.textContent = text;
    $("join-log").appendChild(item);
  }

  function finished(message) {
    Object.keys(tiles).forEach(function (id) { tiles[id].remove(); });
    tiles = {};
    $("own-video").srcObject = null;
    $("join-call-section").hidden = true;
    call = null;
    announce(message);
  }

  var callbacks = {
    media: function (d) {
      if (!d.ok) {
        alertMessage("Your camera or microphone could not be started (" + d.error + "). "
                     + "Check that the browser may use them, then reload this page.");
      }
    },
    local_stream: function (d) { $("own-video").srcObject = d.stream; },
    remote_stream: function (d) { tile(d.peer_id, d.role, d.stream); },
    peer_left: function (d) {
      if (tiles[d.peer_id]) {
        tiles[d.peer_id].remove();
        delete tiles[d.peer_id];
      }
      announce((ROLES[d.role] || "A participant") + " has left the call.");
    },
    connected: function (d) {
      announce("Connected to the " + (ROLES[d.role] || "participant").toLowerCase() + ".");
    },
    caption: function (d) {
      if (d.final && d.text) {
        log((ROLES[d.role] || "Advisor") + ": " + d.text);
      }
    },
    resident_text: function (d) {
      if (d.final && d.text) {
        log("Resident: " + d.text);
      }
    },
    call_ended: function () { finished("The call has ended. You can close this page."); },
    closed: function () {
      finished("The connection to the call was lost. Open the link again to rejoin.");
    },
    error: function (d) {
      if (d.what === "refused") {
        alertMessage("This link no longer works: the call may have ended.");
      }
    }
  };

  $("join-call").addEventListener("click", function () {
    $("join-start").hidden = true;
    $("join-call-section").hidden = false;
    $("join-heading").focus();
    announce("Joining the call.");
    call = CivicMesh.join(config, callbacks);
  });

  $("mute").addEventListener("click", function () {
    var on = $("mute").getAttribute("aria-pressed") !== "true";
    $("mute").setAttribute("aria-pressed", on ? "true" : "false");
    if (call) {
      call.mute(on);
    }
  });

  $("leave").addEventListener("click", function () {
    if (call) {
      call.leave();
    }
    finished("You have left the call. It carries on for the resident and the advisor. "
             + "You can close this page.");
  });
})();
