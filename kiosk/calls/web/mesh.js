/* CivicMesh: one participant's side of an advisor call (docs/calls.md §2.3).
 *
 * One copy serves everyone: the kiosk inlines this file into its call page (in place of a
 * line reading only the MESH placeholder), and the hub serves the same file to the advisor
 * console and the interpreter page. So it is plain script: no modules, no imports, no build
 * step, nothing from elsewhere. It defines one global, CivicMesh.
 *
 *   var call = CivicMesh.join(
 *       {ws_url: "ws://hub/calls/v1/ws", call_id: "...", token: "...", role: "advisor"},
 *       {remote_stream: function (e) { video.srcObject = e.stream; },
 *        caption: function (e) { show(e.text, e.final); }});
 *   call.mute(true); call.cameraOff(false);
 *   call.send("caption", {text: "Hello", final: false});
 *   call.stats().then(function (s) { ... });   // {peers: [{role, frames_decoded, ...}]}
 *   call.leave();                              // says bye, stops the camera
 *
 * Callbacks (each optional, each given one object; `any(name, detail)` sees them all):
 *   media {ok, error}            after getUserMedia (error is the DOMException's name)
 *   local_stream {stream}        our own camera, for the small picture
 *   welcome {peer_id, role, peers}
 *   peer_joined {peer_id, role}  peer_left {peer_id, role, reason}
 *   remote_stream {peer_id, role, stream}   once per peer, when its first track arrives
 *   connected {peer_id, role}    ICE connected to that peer
 *   caption / resident_text {from, role, text, final}   summary {from, role, service, rows}
 *   call_ended {reason, by}      the hub ended the call (everything is already torn down)
 *   closed {code, reason}        the socket closed without call_ended or our own leave()
 *   error {what, peer_id?}       what: "refused" (bad token, 4403), "signal", "ice_failed"
 *
 * The newcomer makes the offers: on welcome it offers to every peer already there; peers
 * that arrive later offer to us. Candidates that arrive before the remote description are
 * queued until it is set. Messages are handled strictly in order, one at a time.
 */
var CivicMesh = (function () {
  "use strict";

  var MAX_TEXT = 500;
  var SENDABLE = {caption: true, resident_text: true, summary: true};
  var MEDIA = {
    audio: {echoCancellation: true, noiseSuppression: true},
    video: {width: {ideal: 640}, height: {ideal: 480}, frameRate: {ideal: 30}}
  };

  function join(config, callbacks) {
    callbacks = callbacks || {};
    var peers = {};          // peer_id -> {id, role, pc, stream, pending, remoteSet, ...}
    var me = {peer_id: null, ice: {iceServers: [], iceTransportPolicy: "all"}};
    var localStream = null;
    var muted = false;
    var cameraOff = false;
    var finished = false;    // left, or the call ended: nothing more is reported
    var socket = null;

    function emit(name, detail) {
      if (finished && name !== "call_ended" && name !== "closed") {
        return;
      }
      try {
        if (typeof callbacks.any === "function") {
          callbacks.any(name, detail);
        }
        if (typeof callbacks[name] === "function") {
          callbacks[name](detail);
        }
      } catch (problem) {
        if (window.console) {
          window.console.error("CivicMesh callback " + name + " failed", problem);
        }
      }
    }

    var mediaReady = startMedia();

    function startMedia() {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        emit("media", {ok: false, error: "NotSupported"});
        return Promise.resolve(null);
      }
      return navigator.mediaDevices.getUserMedia(MEDIA).then(function (stream) {
        if (finished) {
          stopTracks(stream);
          return null;
        }
        localStream = stream;
        applyEnabled();
        emit("media", {ok: true, error: null});
        emit("local_stream", {stream: stream});
        return stream;
      }, function (problem) {
        emit("media", {ok: false, error: (problem && problem.name) || "Error"});
        return null;
      });
    }

    function stopTracks(stream) {
      if (stream) {
        stream.getTracks().forEach(function (track) { track.stop(); });
      }
    }

    function applyEnabled() {
      if (!localStream) {
        return;
      }
      localStream.getAudioTracks().forEach(function (t) { t.enabled = !muted; });
      localStream.getVideoTracks().forEach(function (t) { t.enabled = !cameraOff; });
    }

    function wsUrl() {
      if (config.ws_url) {
        return config.ws_url;
      }
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      return scheme + window.location.host + "/calls/v1/ws";
    }

    function transmit(message) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(message));
        return true;
      }
      return false;
    }

    // --- one RTCPeerConnection per other peer -------------------------------------------

    function peerFor(id, role) {
      var peer = peers[id];
      if (peer) {
        if (role && !peer.role) {
          peer.role = role;
        }
        return peer;
      }
      peer = {id: id, role: role || null, pc: null, stream: null, pending: [],
              remoteSet: false, connected: false, last: null};
      peers[id] = peer;
      var pc = new RTCPeerConnection(me.ice);
      peer.pc = pc;
      pc.onicecandidate = function (event) {
        if (event.candidate) {
          transmit({type: "signal", to: id, data: {candidate: event.candidate.toJSON()}});
        }
      };
      pc.ontrack = function (event) {
        var first = peer.stream === null;
        if (first) {
          peer.stream = new MediaStream();
        }
        peer.stream.addTrack(event.track);
        if (first) {
          emit("remote_stream", {peer_id: id, role: peer.role, stream: peer.stream});
        }
      };
      pc.onconnectionstatechange = function () {
        if (pc.connectionState === "connected" && !peer.connected) {
          peer.connected = true;
          emit("connected", {peer_id: id, role: peer.role});
        } else if (pc.connectionState === "failed") {
          emit("error", {what: "ice_failed", peer_id: id});
        }
      };
      return peer;
    }

    function addLocalMedia(pc) {
      if (localStream) {
        localStream.getTracks().forEach(function (track) { pc.addTrack(track, localStream); });
      }
    }

    function offerTo(peer) {
      var pc = peer.pc;
      addLocalMedia(pc);
      // Without a camera we still want to see and hear the others.
      if (!localStream || localStream.getAudioTracks().length === 0) {
        pc.addTransceiver("audio", {direction: "recvonly"});
      }
      if (!localStream || localStream.getVideoTracks().length === 0) {
        pc.addTransceiver("video", {direction: "recvonly"});
      }
      return pc.createOffer().then(function (offer) {
        return pc.setLocalDescription(offer);
      }).then(function () {
        transmit({type: "signal", to: peer.id, data: {sdp: pc.localDescription.toJSON()}});
      });
    }

    function flushCandidates(peer) {
      var queued = peer.pending;
      peer.pending = [];
      return queued.reduce(function (chain, candidate) {
        return chain.then(function () { return peer.pc.addIceCandidate(candidate); });
      }, Promise.resolve());
    }

    function onSignal(message) {
      var data = message.data || {};
      var peer = peerFor(message.from, message.role);
      var pc = peer.pc;
      if (data.sdp) {
        var answering = data.sdp.type === "offer";
        return pc.setRemoteDescription(data.sdp).then(function () {
          peer.remoteSet = true;
          if (!answering) {
            return null;
          }
          addLocalMedia(pc);
          return pc.createAnswer().then(function (answer) {
            return pc.setLocalDescription(answer);
          }).then(function () {
            transmit({type: "signal", to: peer.id, data: {sdp: pc.localDescription.toJSON()}});
          });
        }).then(function () { return flushCandidates(peer); });
      }
      if (data.candidate) {
        if (!peer.remoteSet) {
          peer.pending.push(data.candidate);
          return null;
        }
        return pc.addIceCandidate(data.candidate);
      }
      return null;
    }

    function dropPeer(id) {
      var peer = peers[id];
      if (!peer) {
        return null;
      }
      delete peers[id];
      peer.pc.close();
      return peer;
    }

    function teardown() {
      finished = true;
      Object.keys(peers).forEach(dropPeer);
      stopTracks(localStream);
      localStream = null;
    }

    // --- the hub's messages, handled one at a time ---------------------------------------

    function handle(message) {
      switch (message.type) {
        case "welcome":
          me.peer_id = message.peer_id;
          me.ice = {iceServers: message.ice_servers || [],
                    iceTransportPolicy: message.ice_transport_policy === "relay" ? "relay" : "all"};
          emit("welcome", {peer_id: message.peer_id, role: message.role, peers: message.peers || []});
          return (message.peers || []).reduce(function (chain, other) {
            return chain.then(function () {
              return offerTo(peerFor(other.peer_id, other.role));
            });
          }, Promise.resolve());
        case "peer_joined":
          emit("peer_joined", {peer_id: message.peer_id, role: message.role});
          return null;
        case "peer_left":
          dropPeer(message.peer_id);
          emit("peer_left", {peer_id: message.peer_id, role: message.role, reason: message.reason});
          return null;
        case "signal":
          return onSignal(message);
        case "caption":
        case "resident_text":
          emit(message.type, {from: message.from, role: message.role,
                              text: String(message.text || ""), final: !!message.final});
          return null;
        case "summary":
          emit("summary", {from: message.from, role: message.role,
                           service: message.service, rows: message.rows || []});
          return null;
        case "call_ended":
          teardown();
          emit("call_ended", {reason: message.reason, by: message.by});
          return null;
        default:
          return null;  // a newer hub's message this page does not know: ignore it
      }
    }

    var inbox = Promise.resolve();

    function receive(event) {
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (problem) {
        emit("error", {what: "signal"});
        return;
      }
      inbox = inbox.then(function () {
        return mediaReady;  // offers and answers carry our tracks, so wait for the camera
      }).then(function () {
        if (!finished) {
          return handle(message);
        }
        return null;
      }).catch(function (problem) {
        if (window.console) {
          window.console.error("CivicMesh could not handle " + message.type, problem);
        }
        emit("error", {what: "signal", peer_id: message.from});
      });
    }

    socket = new WebSocket(wsUrl());
    socket.onopen = function () {
      transmit({type: "hello", call_id: config.call_id, token: config.token, role: config.role});
    };
    socket.onmessage = receive;
    socket.onclose = function (event) {
      if (finished) {
        return;
      }
      if (event.code === 4403) {
        emit("error", {what: "refused"});
      }
      teardown();
      emit("closed", {code: event.code, reason: event.reason});
    };

    // --- stats: what each other peer's media looks like here ------------------------------

    function selectedRoute(report) {
      var pairId = null;
      report.forEach(function (s) {
        if (s.type === "transport" && s.selectedCandidatePairId) {
          pairId = s.selectedCandidatePairId;
        }
      });
      var pair = pairId ? report.get(pairId) : null;
      var local = pair ? report.get(pair.localCandidateId) : null;
      return local ? local.candidateType : null;
    }

    function peerStats(peer) {
      return peer.pc.getStats().then(function (report) {
        var out = {peer_id: peer.id, role: peer.role, state: peer.pc.connectionState,
                   frames_decoded: 0, fps: 0, width: 0, height: 0, audio_bytes: 0,
                   route: selectedRoute(report)};
        var reportedFps = null;
        report.forEach(function (s) {
          if (s.type !== "inbound-rtp") {
            return;
          }
          if (s.kind === "video") {
            out.frames_decoded += s.framesDecoded || 0;
            out.width = Math.max(out.width, s.frameWidth || 0);
            out.height = Math.max(out.height, s.frameHeight || 0);
            if (typeof s.framesPerSecond === "number") {
              reportedFps = (reportedFps || 0) + s.framesPerSecond;
            }
          } else if (s.kind === "audio") {
            out.audio_bytes += s.bytesReceived || 0;
          }
        });
        var now = performance.now();
        if (reportedFps !== null) {
          out.fps = reportedFps;
        } else if (peer.last && now > peer.last.at) {
          out.fps = (out.frames_decoded - peer.last.frames) * 1000 / (now - peer.last.at);
        }
        peer.last = {at: now, frames: out.frames_decoded};
        out.fps = Math.round(out.fps * 10) / 10;
        return out;
      });
    }

    return {
      mute: function (on) {
        muted = !!on;
        applyEnabled();
      },
      cameraOff: function (off) {
        cameraOff = !!off;
        applyEnabled();
      },
      send: function (type, payload) {
        if (!SENDABLE[type]) {
          throw new Error("CivicMesh cannot send " + type);
        }
        var message = {type: type};
        Object.keys(payload || {}).forEach(function (key) { message[key] = payload[key]; });
        if (typeof message.text === "string" && message.text.length > MAX_TEXT) {
          message.text = message.text.slice(0, MAX_TEXT);
        }
        if (type !== "summary") {
          message.final = !!message.final;
        }
        return transmit(message);
      },
      stats: function () {
        var list = Object.keys(peers).map(function (id) { return peerStats(peers[id]); });
        return Promise.all(list).then(function (all) { return {peers: all}; });
      },
      localStream: function () { return localStream; },
      peerId: function () { return me.peer_id; },
      leave: function () {
        if (finished) {
          return;
        }
        transmit({type: "bye"});
        teardown();
        if (socket) {
          socket.close(1000, "bye");
        }
      }
    };
  }

  return {join: join};
})();
