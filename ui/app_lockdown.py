"""Refusals for the whole application: links never open, and no text goes to PRIMARY
(issue 9; reliability-security V5, K5; the PRIMARY finding of issue 9).

**Links.** `QDesktopServices.openUrl` (what a rich-text label with external links, or a
text browser, calls) hands a URL to the platform, which on X11 and Wayland runs `xdg-open`:
a browser, a file manager, a mail client, whatever the machine has. Every scheme we can
name gets a handler here that refuses and logs the scheme alone (never the URL: its path
and query can carry what a resident typed). Qt has no catch-all: `setUrlHandler` takes one
scheme at a time and an unregistered scheme still goes to the platform (measured with
PySide6 6.11 under Xvfb: `openUrl("x-unknown:...")` ran `xdg-open`). So the list is long
(the IANA register's permanent schemes, the provisional ones in use, the ones desktop
programs register, every single letter for "C:/..."-style paths, and the empty scheme for
a bare path), and the rest is closed elsewhere: no app code calls `openUrl` or turns on
external links (tests/ui/test_lockdown_code.py), and the device has no `xdg-open` to run
(docs/lockdown.md).

**PRIMARY.** Under X11 (and Wayland compositors with the primary-selection protocol, cage
included) selecting text in a field offers it to every other client as the PRIMARY
selection, and a middle click pastes PRIMARY from any client. Middle clicks never reach a
widget (`ui.lockdown`); here, whenever the selection becomes ours, it is given up at once,
so a resident's text is never offered. The ordinary clipboard is left alone: nothing a
resident can press copies to it (no Ctrl chords, no context menu) and the wipe clears it.
"""

from __future__ import annotations

import logging
import string

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QClipboard, QDesktopServices
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

# Lower case, as QUrl reports them. "" is a bare path ("etc/passwd"); single letters are
# what QUrl makes of "c:/windows".
REFUSED_SCHEMES: tuple[str, ...] = tuple(sorted({
    "", *string.ascii_lowercase,
    # The web, files and mail
    "http", "https", "file", "ftp", "ftps", "sftp", "scp", "ssh", "mailto", "news", "nntp",
    "snews", "data", "javascript", "vbscript", "about", "blob", "filesystem", "view-source",
    "ws", "wss", "feed", "webcal", "gopher", "wais", "prospero", "telnet", "tn3270", "rlogin",
    # Calls, messages and chat
    "tel", "sms", "mms", "fax", "callto", "sip", "sips", "im", "pres", "xmpp", "jabber",
    "irc", "ircs", "irc6", "skype", "facetime", "facetime-audio", "zoommtg", "zoomus",
    "msteams", "slack", "discord", "tg", "whatsapp", "sgnl", "matrix", "mumble", "teamspeak",
    "ts3server", "ventrilo",
    # Network file systems and remote desktops
    "smb", "cifs", "nfs", "afp", "dav", "davs", "webdav", "webdavs", "fish", "rdp", "vnc",
    "spice", "x11", "ldap", "ldaps", "tftp", "rsync", "svn", "svn+ssh", "git", "git+ssh",
    "hg", "cvs", "bzr", "s3",
    # Media and streaming
    "rtsp", "rtsps", "rtspu", "rtmp", "rtmps", "rtp", "udp", "mmsh", "icy", "spotify",
    "vlc", "magnet", "ed2k", "bitcoin", "ethereum", "steam", "itms", "itms-apps", "market",
    "intent",
    # Browsers' and desktops' own
    "chrome", "chrome-extension", "chrome-search", "edge", "microsoft-edge", "moz-extension",
    "resource", "jar", "opera", "brave", "vivaldi", "help", "ghelp", "man", "info", "trash",
    "recent", "computer", "network", "burn", "x-man-page", "applications", "settings",
    "ms-settings", "ms-word", "ms-excel", "ms-powerpoint", "ms-outlook", "vscode",
    "vscode-insiders", "obsidian", "apt", "appstream", "snap", "flatpak", "mime", "gnome",
    "kde", "x-github-client", "github-mac", "zotero", "geo", "maps",
    # IANA permanent schemes not named above
    "aaa", "aaas", "acap", "acct", "cap", "cid", "coap", "coap+tcp", "coap+ws", "coaps",
    "coaps+tcp", "coaps+ws", "crid", "dict", "dns", "example", "go", "h323", "iax", "icap",
    "imap", "ipp", "ipps", "iris", "iris.beep", "iris.lwz", "iris.xpc", "iris.xpcs",
    "leaptofrogans", "mid", "msrp", "msrps", "mt", "mtqp", "mupdate", "ni", "nih",
    "opaquelocktoken", "pkcs11", "pop", "reload", "service", "session", "shttp", "sieve",
    "snmp", "soap.beep", "soap.beeps", "stun", "stuns", "tag", "thismessage", "tip", "turn",
    "turns", "tv", "urn", "vemmi", "xcon", "xcon-userid", "xmlrpc.beep", "xmlrpc.beeps",
    "z39.50r", "z39.50s",
}))


class AppLockdown(QObject):
    """Installed once per application (`lock_application`), a child of the QApplication."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName("appLockdown")
        self.refused_urls = 0
        self.selections_given_up = 0
        self._clearing = False
        for scheme in REFUSED_SCHEMES:
            # The stub says bytes; PySide6 6.11 accepts only a str at run time.
            QDesktopServices.setUrlHandler(scheme, self, "refuse_url")  # type: ignore[arg-type]
        self.clipboard = app.clipboard()
        if self.clipboard.supportsSelection():
            self.clipboard.selectionChanged.connect(self._selection_changed)

    @Slot(QUrl)
    def refuse_url(self, url: QUrl) -> None:
        self.refused_urls += 1
        log.warning("refused to open a link (scheme %r)", url.scheme()[:20])

    def _selection_changed(self) -> None:
        if self._clearing or not self.clipboard.ownsSelection():
            return
        self._clearing = True  # clearing changes the selection again
        try:
            self.clipboard.clear(QClipboard.Mode.Selection)
            self.selections_given_up += 1
        finally:
            self._clearing = False


def lock_application(app: QApplication) -> AppLockdown:
    """The application's refusals, made on the first call and found on the next ones."""
    existing = app.findChild(AppLockdown, "appLockdown")
    return existing if existing is not None else AppLockdown(app)
