// Stands in for kiosk/calls/web/mesh.js in the call view's tests: proves it was inlined.
window.meshStubLoaded = true;
