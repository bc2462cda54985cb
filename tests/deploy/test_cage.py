"""The screen as a kiosk runs it: Debian's cage 0.1.4, headless, as an unprivileged user, with
the real kiosk started exactly as systemd/civic-kiosk-ui.service starts it (its ExecStart,
its Environment, the drop-in's XDG_RUNTIME_DIR and HOME) as cage's only client. A frame
grabbed with grim must show the attract screen with no title bar, filling the 1280x720
output; cage's only child is the kiosk's python, with no DISPLAY and no X server anywhere.

One difference from the unit, and why: cage runs with `-r -r` (the output turned 180°, which
grim turns back). cage 0.1.4 scans a client's buffer straight out to the output once it has
the output's size, and from then on composites nothing: grim's screencopy then returns the
last *composited* frame, which is the window's first buffer from before cage's configure
(640x480 or the profile's size). That stale frame is why a plain full-screen Qt window once
looked as if it did not fill the output; it did (docs/deploy.md). With the output turned,
the client's buffer can never be scanned out, so every frame is composited and grim sees
what a real screen shows. The kiosk gets the same 1280x720 output either way.

The user is `nobody` (no account is created on the test machine); the venv is made from
Debian's python (tests/deploy/system_venv.py). Everything started is stopped: the whole
process group, then a check that none of it is left.
"""

from __future__ import annotations

import io
import os
import pwd
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from PIL import Image

from accessibility.themes import STANDARD
from tests.deploy.roots import values
from tests.deploy.system_venv import REPO, kiosk_venv
from tests.kiosk_fixtures import DEMO, demo_profile_copy
from tests.needs import require_program

USER = "nobody"
OUTPUT = (1280, 720)
CAGE_BLACK = (0, 0, 0)  # what cage clears the output to where no window is
UNIT = REPO / "systemd" / "civic-kiosk-ui.service"
SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"  # systemd's
HEADLESS = {"WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman", "WLR_LIBINPUT_NO_DEVICES": "1"}
START_DEADLINE = 150.0


def rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


@dataclass
class Session:
    base: Path
    runtime: Path
    proc: subprocess.Popen[bytes]
    log: Path
    grim: str
    _painted: tuple[Image.Image, list[str]] | None = None

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-6000:]

    def painted(self) -> tuple[Image.Image, list[str]]:
        """Grab frames until one is the attract screen filling the output (or the deadline):
        the last frame and what is wrong with it. Remembered: both tests share the session."""
        if self._painted is None:
            deadline = time.monotonic() + START_DEADLINE
            frame, problems = None, ["cage has not made its output yet"]
            while problems and time.monotonic() < deadline:
                assert self.proc.poll() is None, f"cage exited ({self.proc.returncode}):\n{self.output()}"
                if (self.runtime / "wayland-0").exists():
                    frame = self.frame()
                    problems = frame_problems(frame)
                if problems:
                    time.sleep(0.25)
            assert frame is not None, f"no Wayland socket within {START_DEADLINE} s:\n{self.output()}"
            self._painted = frame, problems
        return self._painted

    def frame(self) -> Image.Image:
        done = subprocess.run(
            ["runuser", "-u", USER, "--", "/usr/bin/env", "-i", f"XDG_RUNTIME_DIR={self.runtime}",
             "WAYLAND_DISPLAY=wayland-0", self.grim, "-"],
            capture_output=True, timeout=30, check=False, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        return Image.open(io.BytesIO(done.stdout)).convert("RGB")

    def processes(self) -> dict[int, tuple[int, list[str]]]:
        """pid -> (parent pid, argv) for every process in the session we started."""
        found: dict[int, tuple[int, list[str]]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[3]) == self.proc.pid:  # our session, not a zombie
                found[int(entry.name)] = (int(fields[1]), [a.decode() for a in argv if a])
        return found


def unit_command(python: Path, profile: Path, state: Path) -> tuple[list[str], dict[str, str]]:
    """The unit's ExecStart and Environment, pointed at the test's venv, profile and state."""
    text = UNIT.read_text(encoding="utf-8")
    argv = values(text, "ExecStart")[0].split()
    swap = {"/opt/civic-kiosk/.venv/bin/python": str(python)}
    argv = [swap.get(a, a) for a in argv]
    argv[argv.index("--profile") + 1] = str(profile)
    argv[argv.index("--state-dir") + 1] = str(state)
    env = dict(pair.split("=", 1) for pair in " ".join(values(text, "Environment")).split())
    return argv, env


@pytest.fixture(scope="module",
                params=["display 1920x1080 (the profile default)", "display 1280x720"])
def kiosk_under_cage(request: pytest.FixtureRequest) -> Iterator[Session]:
    require_program("cage", "cage, the kiosk compositor (script/bootstrap --test)")
    grim = require_program("grim", "grim, to grab a frame from cage (script/bootstrap --test)")
    require_program("runuser", "runuser (util-linux)")
    nobody = pwd.getpwnam(USER)
    # Not under pytest's tmp_path: its parents are 0700 and root's, closed to `nobody`.
    base = Path(tempfile.mkdtemp(prefix="civic-kiosk-cage-"))
    session: Session | None = None
    try:
        base.chmod(0o755)
        python = kiosk_venv(base)
        shutil.copytree(DEMO / "catalogue", base / "catalogue")
        overrides = {} if "1920" in request.param else {
            "display": {"width_px": 1280, "height_px": 720, "diagonal_inches": 15.6}}
        profile = demo_profile_copy(base, **overrides)
        data = yaml.safe_load(profile.read_text(encoding="utf-8"))
        data["catalogue"]["path"] = str(base / "catalogue")
        profile.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        for path in (profile, *(base / "catalogue").rglob("*"), base / "catalogue"):
            path.chmod(path.stat().st_mode | 0o444 | (0o111 if path.is_dir() else 0))
        runtime, state = base / "run", base / "state"
        for folder in (runtime, state):  # as logind and StateDirectory= make them
            folder.mkdir(mode=0o700)
            os.chown(folder, nobody.pw_uid, nobody.pw_gid)
        argv, unit_env = unit_command(python, profile, state)
        assert argv[0] == "/usr/bin/cage"
        argv[1:1] = ["-r", "-r"]  # see the module docstring
        env = {"PATH": SERVICE_PATH, "LANG": "C.UTF-8", **unit_env, **HEADLESS,
               "XDG_RUNTIME_DIR": str(runtime), "HOME": str(runtime)}
        log = base / "cage.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                # LimitCORE=0, as in the unit: cage 0.1.4 aborts on SIGTERM (docs/deploy.md).
                ["prlimit", "--core=0", "--", "runuser", "-u", USER, "--", "/usr/bin/env", "-i",
                 *(f"{k}={v}" for k, v in env.items()), *argv],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=base,
                start_new_session=True)
        session = Session(base, runtime, proc, log, grim)
        yield session
    finally:
        if session is not None:
            _stop(session)
        shutil.rmtree(base, ignore_errors=True)


def _stop(session: Session) -> None:
    """SIGTERM to everything we started (as systemd stops the unit), SIGKILL after 15 s."""
    pgid = session.proc.pid
    for sig, grace in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while session.processes() and time.monotonic() < deadline:
            time.sleep(0.05)
        if not session.processes():
            break
    session.proc.wait(10)
    assert not session.processes(), f"left running: {session.processes()}"


def frame_problems(frame: Image.Image) -> list[str]:
    """Why this frame is not the attract screen filling the output with no title bar."""
    if frame.size != OUTPUT:
        return [f"the frame is {frame.size}, the output {OUTPUT}"]
    width, height = frame.size
    header, header_text, border = rgb(STANDARD.header), rgb(STANDARD.header_text), rgb(STANDARD.border)
    pixels = frame.load()
    problems = []
    top = {pixels[x, 0] for x in range(width)}
    if top != {header}:
        problems.append(f"the top row is not all the header colour {header} (a title bar, or the "
                        f"window not at the top-left): {sorted(top)[:5]}")
    black = sum(count for count, colour in frame.getcolors(width * height) if colour == CAGE_BLACK)
    if black:
        problems.append(f"{black} pixels of cage's black background: the window does not cover "
                        f"the output")
    band = 0
    while band < height and pixels[0, band] == header:
        band += 1
    xs = [x for y in range(band) for x in range(width) if pixels[x, y] == header_text]
    if not xs:
        problems.append("no header text or button in the header band")
    elif abs(min(xs) - (width - 1 - max(xs))) > 8:
        problems.append(f"the header is not laid out to the output's width (council name from x="
                        f"{min(xs)}, the Accessibility button to x={max(xs)})")
    lowest = max((y for y in range(height - 40, height) for x in range(0, width, 2)
                  if pixels[x, y] == border), default=None)
    if lowest is None or height - 1 - lowest > 16:
        problems.append(f"nothing anchored to the window's bottom edge near the output's (lowest "
                        f"border row {lowest}): the window is taller than the output")
    return problems


def test_the_attract_screen_fills_cages_output_with_no_title_bar(
    kiosk_under_cage: Session,
) -> None:
    assert {"#000000"}.isdisjoint(vars(STANDARD).values()), "cage's black must not be a theme colour"
    frame, problems = kiosk_under_cage.painted()
    if problems:
        frame.save(kiosk_under_cage.base.parent / f"civic-kiosk-cage-{os.getpid()}.png")
    assert problems == [], "\n".join(problems) + "\n" + kiosk_under_cage.output()


def test_the_kiosk_is_cages_only_client_with_no_x_server(kiosk_under_cage: Session) -> None:
    session = kiosk_under_cage
    session.painted()  # the kiosk is up (or the other test says why not)
    processes = session.processes()
    cage = [pid for pid, (_, argv) in processes.items() if argv and argv[0] == "/usr/bin/cage"]
    assert len(cage) == 1, processes
    children = {pid: argv for pid, (parent, argv) in processes.items() if parent == cage[0]}
    assert len(children) == 1, f"cage's clients: {children}"
    (kiosk_pid, argv), = children.items()
    assert argv[1:6] == ["-I", "-m", "kiosk.cli", "run", "--profile"], argv  # after env's exec
    assert not any("Xwayland" in " ".join(a) for _, a in processes.values()), processes
    environ = dict(item.split("=", 1) for item in
                   Path(f"/proc/{kiosk_pid}/environ").read_bytes().decode().split("\0") if "=" in item)
    assert "DISPLAY" not in environ
    assert environ["WAYLAND_DISPLAY"] == "wayland-0"
    assert environ["QT_QPA_PLATFORM"] == "wayland"
    sockets = sorted(p.name for p in session.runtime.iterdir() if stat.S_ISSOCK(p.lstat().st_mode))
    assert sockets == ["wayland-0"]
    assert stat.S_IMODE(session.runtime.stat().st_mode) == 0o700
