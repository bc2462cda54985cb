"""The call view's decisions, without starting a browser: what Chromium is told at start-up,
which origin is trusted, how the page's reports are read, how the page is put together."""

from __future__ import annotations

import json
import re

import pytest

from ui.call.bridge import CallBridge, MalformedReport, PeerStats, parse_report
from ui.call.chromium_env import (
    FAKE_DEVICES,
    FLAGS_VARIABLE,
    REMOTE_DEBUGGING_VARIABLE,
    EngineRefused,
    prepare_environment,
)
from ui.call.page_html import CallConfig, CallPageError, build_call_html, config_json, qwebchannel_js
from ui.call.policy import Origin, Refusals, media_allowed, shown

# ----- start-up environment ------------------------------------------------------------------


def test_remote_debugging_and_unknown_switches_are_removed():
    environ = {REMOTE_DEBUGGING_VARIABLE: "0.0.0.0:9222",
               FLAGS_VARIABLE: "--remote-debugging-port=9223 --disable-gpu "
                               "--use-fake-ui-for-media-stream --disable-web-security "
                               "--remote-debugging-pipe http://evil.example --auto-open-devtools-for-tabs"}
    removed = prepare_environment(environ, ["kiosk"])
    assert REMOTE_DEBUGGING_VARIABLE not in environ
    assert environ[FLAGS_VARIABLE] == "--disable-gpu"
    assert set(removed) == {REMOTE_DEBUGGING_VARIABLE, "remote-debugging-port",
                            "use-fake-ui-for-media-stream", "disable-web-security",
                            "remote-debugging-pipe", "http://evil.example",
                            "auto-open-devtools-for-tabs"}


def test_fake_devices_with_parameters_are_kept_as_given():
    environ = {FLAGS_VARIABLE: FAKE_DEVICES + "=fps=30"}
    prepare_environment(environ, ["kiosk"], fake_media=True)
    assert environ[FLAGS_VARIABLE] == FAKE_DEVICES + "=fps=30"  # not overridden by the plain one


def test_fake_media_is_added_only_when_asked():
    environ: dict[str, str] = {}
    assert prepare_environment(environ, ["kiosk"]) == []
    assert FLAGS_VARIABLE not in environ
    prepare_environment(environ, ["kiosk"], fake_media=True)
    assert environ[FLAGS_VARIABLE] == FAKE_DEVICES
    prepare_environment(environ, ["kiosk"], fake_media=True)  # never twice
    assert environ[FLAGS_VARIABLE] == FAKE_DEVICES


@pytest.mark.parametrize("argument", ["--remote-debugging-port=9222", "--webEngineArgs",
                                      "--REMOTE-DEBUGGING-PIPE"])
def test_an_argv_asking_for_debugging_refuses_the_engine(argument):
    environ: dict[str, str] = {}
    if argument == "--webEngineArgs":
        prepare_environment(environ, ["kiosk", argument])  # not itself a debugging switch
        return
    with pytest.raises(EngineRefused):
        prepare_environment(environ, ["kiosk", argument])


# ----- origins and permissions ---------------------------------------------------------------


def test_origins_compare_scheme_host_and_port():
    hub = Origin.parse("http://Hub.Example:8000/some/path?token=secret")
    assert hub == Origin("http", "hub.example", 8000)
    assert Origin.of("http://hub.example:8000/kiosk-call") == hub
    assert Origin.of("http://hub.example:8001/") != hub
    assert Origin.of("https://hub.example:8000/") != hub
    assert Origin.of("https://hub.example/") == Origin("https", "hub.example", 443)
    assert Origin.of("data:text/html,hello") is None
    assert Origin.of("file:///etc/passwd") is None
    assert str(Origin.parse("https://hub.example:443/")) == "https://hub.example"
    assert hub.websocket("/calls/v1/ws") == "ws://hub.example:8000/calls/v1/ws"
    assert Origin.parse("https://hub.example").websocket("/x") == "wss://hub.example/x"
    with pytest.raises(ValueError, match="http or https"):
        Origin.parse("ftp://hub.example/")


def test_only_https_or_loopback_hubs_are_secure_contexts():
    for url in ("https://hub.example", "http://127.0.0.1:8000", "http://127.9.9.9",
                "http://localhost:8000", "http://[::1]:8000", "http://kiosk.localhost"):
        assert Origin.parse(url).secure_context, url
    for url in ("http://hub.example", "http://10.1.2.3:8000", "http://127.0.0.1.evil.example"):
        assert not Origin.parse(url).secure_context, url


def test_logs_show_the_origin_never_the_path_or_query():
    assert shown("http://127.0.0.1:8000/join/SECRET-TOKEN?name=Ann") == "http://127.0.0.1:8000"
    assert shown("mailto:ann@example.org") == "mailto:"
    assert shown("data:text/html,<p>Ann</p>") == "data:"


def test_only_camera_and_microphone_only_for_the_hub():
    hub = Origin.parse("http://127.0.0.1:8000")
    for kind in ("MediaAudioCapture", "MediaVideoCapture", "MediaAudioVideoCapture"):
        assert media_allowed(kind, hub, hub)
        assert not media_allowed(kind, Origin.parse("http://127.0.0.1:8001"), hub)
        assert not media_allowed(kind, None, hub)
    for kind in ("DesktopVideoCapture", "DesktopAudioVideoCapture", "Geolocation",
                 "Notifications", "ClipboardReadWrite", "MouseLock", "LocalFontsAccess"):
        assert not media_allowed(kind, hub, hub)


def test_refusals_are_counted_and_logged_without_the_query(qtbot, caplog):
    refusals = Refusals()
    with qtbot.waitSignal(refusals.refused) as blocker:
        refusals.note("navigation", "http://elsewhere.example/x?name=Ann")
    assert blocker.args == ["navigation"]
    assert refusals.counts["navigation"] == 1
    assert "http://elsewhere.example" in caplog.text
    assert "Ann" not in caplog.text
    assert "/x" not in caplog.text


# ----- the page's reports --------------------------------------------------------------------


def test_reports_are_parsed_by_the_contract():
    assert parse_report('{"event": "media", "ok": false, "error": null}') == (
        "media", {"ok": False, "error": None})
    kind, values = parse_report(json.dumps({"event": "caption", "role": "advisor",
                                            "text": "x" * 900, "final": True, "extra": 1}))
    assert kind == "caption"
    assert len(values["text"]) == 500
    assert "extra" not in values
    kind, values = parse_report(json.dumps({"event": "stats", "peers": [
        {"role": "advisor", "frames_decoded": 98, "fps": 20.5, "width": 320, "height": 240,
         "audio_bytes": 5000}]}))
    assert values["peers"] == [PeerStats("advisor", 98, 20.5, 320, 240, 5000)]


@pytest.mark.parametrize("text", [
    "not json", "[]", '{"no": "event"}', '{"event": "shell", "cmd": "rm"}',
    '{"event": "welcome"}', '{"event": "welcome", "peer_id": 5}',
    '{"event": "media", "ok": "yes", "error": null}',
    '{"event": "stats", "peers": [{"role": "advisor", "fps": "fast"}]}',
    '{"event": "stats", "peers": [{"fps": 1}]}',
    '{"event": "error", "what": "' + "x" * 70000 + '"}',
])
def test_malformed_reports_are_refused_without_quoting_them(text):
    with pytest.raises(MalformedReport) as error:
        parse_report(text)
    assert "rm" not in str(error.value)
    assert len(str(error.value)) < 80


def test_events_arrive_on_a_later_turn_of_the_event_loop(qtbot):
    """A handler may tear the view down; it must never run inside the page's own call."""
    bridge = CallBridge(Refusals())
    heard: list[tuple[str, str]] = []
    bridge.events.call_ended.connect(lambda reason, by: heard.append((reason, by)))
    bridge.report('{"event": "call_ended", "reason": "advisor_disconnected", "by": "hub"}')
    assert heard == []
    qtbot.waitUntil(lambda: heard == [("advisor_disconnected", "hub")])
    bridge.report("garbage")
    assert bridge.malformed == 1


def test_qt_to_page_orders_cap_text_and_shape_the_summary(qtbot):
    bridge = CallBridge(Refusals())
    with qtbot.waitSignal(bridge.textToSend) as text:
        bridge.send_text("y" * 600, False)
    assert text.args == ["y" * 500, False]
    with qtbot.waitSignal(bridge.summaryToSend) as summary:
        bridge.send_summary("missed-bin", [("Address", "1 High Street")])
    assert json.loads(summary.args[0]) == {"type": "summary", "service": "missed-bin",
                                           "rows": [{"label": "Address", "value": "1 High Street"}]}


# ----- building the page ---------------------------------------------------------------------

TEMPLATE = """<html><head>
<script id="call-config" type="application/json">{}</script>
<script>/*QWEBCHANNEL*/</script>
<script>
/*MESH*/
</script></head></html>"""


def _config(**labels: str) -> CallConfig:
    return CallConfig(Origin.parse("http://127.0.0.1:8000"), "call-1", "tok-SECRET", labels)


def test_the_page_gets_mesh_channel_and_settings_in_one_pass():
    config = _config(title="/*MESH*/ </script><script>alert(1)</script> <!-- & é")
    html = build_call_html(TEMPLATE, "const mesh = '/*QWEBCHANNEL*/';", "var QWebChannel;", config)
    assert html.count("const mesh = '/*QWEBCHANNEL*/';") == 1  # put in once, never searched
    assert "var QWebChannel;" in html
    settings = re.search(r'type="application/json">(.*?)</script>', html, re.S)
    assert settings is not None
    assert "<" not in settings.group(1)
    assert ">" not in settings.group(1)
    assert json.loads(settings.group(1)) == {
        "ws_url": "ws://127.0.0.1:8000/calls/v1/ws", "call_id": "call-1", "token": "tok-SECRET",
        "role": "kiosk", "labels": {"title": "/*MESH*/ </script><script>alert(1)</script> <!-- & é"}}
    assert html.count("</script>") == TEMPLATE.count("</script>")


def test_the_token_is_not_in_the_configs_repr():
    assert "tok-SECRET" not in repr(_config())
    assert _config().base_url == "http://127.0.0.1:8000/kiosk-call"


@pytest.mark.parametrize(("template", "complaint"), [
    (TEMPLATE.replace("/*MESH*/", ""), "/*MESH*/ exactly once, found it 0"),
    (TEMPLATE + "/*MESH*/", "/*MESH*/ exactly once, found it 2"),
    (TEMPLATE.replace("/*QWEBCHANNEL*/", ""), "/*QWEBCHANNEL*/ exactly once"),
    (TEMPLATE.replace('id="call-config"', 'id="other"'), 'call-config'),
])
def test_a_template_missing_a_place_names_the_file_and_the_place(template, complaint):
    with pytest.raises(CallPageError, match=re.escape(complaint)) as error:
        build_call_html(template, "", "", _config(), template_name="/x/call.html")
    assert "/x/call.html" in str(error.value)


def test_inlined_code_that_could_end_its_script_is_refused():
    with pytest.raises(CallPageError, match=r"mesh\.js"):
        build_call_html(TEMPLATE, "s = '</SCRIPT>'", "", _config())


def test_config_json_escapes_markup():
    assert config_json(_config(t="<&>")).endswith('"labels":{"t":"\\u003c\\u0026\\u003e"}}')


def test_qt_web_channel_client_comes_from_qt():
    text = qwebchannel_js()
    assert "QWebChannel" in text
    assert "</script" not in text.lower()
