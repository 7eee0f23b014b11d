"""The .deb, installed: its CLI and GUI run from /opt/jwtdesk under a real Secret Service.

Run by ``make dist-check`` (part of ``make test``) after ``make dist`` built
dist/jwtdesk_<version>_<arch>.deb; skipped in a plain pytest run. As root the package is
installed system-wide with ``dpkg -i`` and removed with ``dpkg -r`` at the end, whatever
happened; otherwise it is unpacked into a temporary root with ``dpkg -x``. The installed
programs run from an empty directory with a PATH of system directories only: nothing of the
checkout or its venv is in reach.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.metadata import version as dist_version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "screenshots" / "installed-gui.png"
pytestmark = [
    pytest.mark.secret_service,
    pytest.mark.skipif(
        os.environ.get("JWTDESK_DIST_CHECK") != "1",
        reason="builds on `make dist`: run by `make dist-check` (part of `make test`)",
    ),
]


def arch() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


def deb_path() -> Path:
    # The file name carries the version from the package metadata (jwtdesk.__version__).
    return ROOT / "dist" / f"jwtdesk_{dist_version('jwtdesk')}_{arch()}.deb"


def dpkg(*args: str) -> subprocess.CompletedProcess[str]:
    """dpkg, waiting for its lock while another engineer's apt-get holds it."""
    for _ in range(90):
        done = subprocess.run(["dpkg", *args], capture_output=True, text=True, check=False)
        if done.returncode == 0 or "lock" not in done.stderr:
            return done
        time.sleep(2)
    return done


class Installed:
    def __init__(self, root: Path, system: bool) -> None:
        self.root = root  # "/" for a system-wide install
        self.system = system
        self.opt = root / "opt" / "jwtdesk"

    def bin(self, name: str) -> str:
        # /usr/bin/jwtdesk links to /opt/jwtdesk/jwtdesk; in a dpkg -x root that link would
        # point outside it, so the app is started from its folder there.
        return f"/usr/bin/{name}" if self.system else str(self.opt / name)


# Every checkout on a shared machine installs the same package name: one check at a time,
# or one run's `dpkg -r` would remove the package under another run's tests.
SYSTEM_LOCK = Path("/tmp/jwtdesk-dist-check.lock")


@contextlib.contextmanager
def system_install_lock() -> Iterator[None]:
    with SYSTEM_LOCK.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # released when the file closes, also on a crash
        yield


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    deb = deb_path()
    assert deb.is_file(), f"{deb.name} missing: run `make dist`"
    if os.geteuid() == 0:
        with system_install_lock():
            yield from install_system_wide(deb)
    else:
        root = tmp_path_factory.mktemp("debroot")
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
        yield Installed(root, False)


def install_system_wide(deb: Path) -> Iterator[Installed]:
    done = dpkg("-i", str(deb))
    try:
        assert done.returncode == 0, done.stderr
        yield Installed(Path("/"), True)
    finally:
        removed = dpkg("-r", "jwtdesk")
        assert removed.returncode == 0, removed.stderr
    assert not Path("/opt/jwtdesk").exists(), "dpkg -r left files under /opt/jwtdesk"
    assert not Path("/usr/bin/jwtdesk").exists()
    assert not Path("/usr/share/applications/jwtdesk.desktop").exists()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One jwtdesk home for the module: the GUI then shows the keyset the CLI made."""
    return tmp_path_factory.mktemp("jwtdesk-home")


@pytest.fixture
def run_env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "PYTEST", "QT_"))
    }
    env["PATH"] = "/usr/bin:/bin"
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["JWTDESK_HOME"] = str(home)
    return env


def run(cmd: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def test_package_metadata_and_files(installed: Installed) -> None:
    fields = subprocess.run(
        ["dpkg-deb", "-f", str(deb_path()), "Package", "Version", "Depends"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"Version: {dist_version('jwtdesk')}" in fields
    # From dpkg-shlibdeps: the xcb libraries Qt's xcb plugin loads, and libc.
    for lib in ("libxcb-cursor0", "libxkbcommon-x11-0", "libfontconfig1", "libc6"):
        assert lib in fields, fields
    share = installed.root / "usr" / "share"
    desktop = share / "applications" / "jwtdesk.desktop"
    subprocess.run(["desktop-file-validate", str(desktop)], check=True)
    assert "Exec=jwtdesk-gui" in desktop.read_text()
    hicolor = share / "icons" / "hicolor"
    assert (hicolor / "scalable" / "apps" / "jwtdesk.svg").is_file()
    for side in (16, 32, 48, 64, 128, 256):
        png = (hicolor / f"{side}x{side}" / "apps" / "jwtdesk.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (side, side)
    metainfo = next((share / "metainfo").glob("*.metainfo.xml"))
    subprocess.run(["appstreamcli", "validate", "--no-net", str(metainfo)], check=True)
    assert f'version="{dist_version("jwtdesk")}"' in metainfo.read_text()


# jwtdesk imports QtCore, QtGui, QtWidgets and QtSvg; the rest are what their plugins load
# (xcb and wayland platforms, D-Bus for the portal theme and input methods).
QT_MODULES = {"QtCore", "QtGui", "QtWidgets", "QtSvg"}
QT_LIBS = {
    "Core",
    "DBus",
    "Gui",
    "OpenGL",
    "Svg",
    "WaylandClient",
    "Widgets",
    "WlShellIntegration",
    "XcbQpa",
}


def test_only_the_qt_jwtdesk_uses(installed: Installed) -> None:
    pyside = installed.opt / "_internal" / "PySide6"
    assert {p.name.split(".")[0] for p in pyside.glob("Qt*.so")} == QT_MODULES
    libs = {p.name.split(".")[0].removeprefix("libQt6") for p in pyside.glob("Qt/lib/libQt6*")}
    assert libs == QT_LIBS
    assert not list(installed.opt.rglob("translations/*.qm"))
    resources = installed.opt / "_internal" / "jwtdesk" / "resources"
    for name in ("weak_secrets.txt", "weak_secrets.LICENSE", "jwtdesk.desktop", "icons/keys.svg"):
        assert (resources / name).is_file(), name
    size = sum(
        p.stat().st_size for p in installed.opt.rglob("*") if p.is_file() and not p.is_symlink()
    )
    assert size < 150e6, f"{size / 1e6:.1f} MB unpacked"


def test_every_library_resolves(installed: Installed) -> None:
    """No ELF file of the app needs a library this system lacks (the Depends line holds)."""
    missing = []
    for path in installed.opt.rglob("*.so*"):
        if path.is_file() and not path.is_symlink():
            out = subprocess.run(
                ["ldd", str(path)], capture_output=True, text=True, check=False
            ).stdout
            missing += [
                f"{path.name}: {line.strip()}" for line in out.splitlines() if "not found" in line
            ]
    assert not missing, "\n".join(missing[:20])


def test_version_and_doctor(installed: Installed, run_env: dict[str, str], tmp_path: Path) -> None:
    done = run([installed.bin("jwtdesk"), "--version"], run_env, tmp_path)
    assert done.stdout.strip() == f"jwtdesk {dist_version('jwtdesk')}"
    done = run([installed.bin("jwtdesk-gui"), "--version"], run_env, tmp_path)
    assert done.stdout.strip() == f"jwtdesk {dist_version('jwtdesk')}"
    # Plain `doctor`: the frozen app runs its self-check without being asked.
    done = run([installed.bin("jwtdesk"), "doctor", "--json"], run_env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["backend"] == "keyring.backends.SecretService.Keyring"
    assert report["healthy"] is True
    checks = {c["name"]: c for c in report["self_check"]}
    for name in (
        "keyring entry points",
        "keyring backends",
        "keyring viable",
        "crypto backend",
        "sign RS256",
        "sign EdDSA",
        "weak-secret list",
        "Qt platform xcb",
        "Qt platform offscreen",
        "Qt SVG images",
        "app icon",
    ):
        assert checks[name]["ok"], checks.get(name)
    assert checks["Qt platform xcb"]["detail"] == "loads"
    about = checks["About box versions"]
    assert about["ok"], about
    assert f"jwtdesk {dist_version('jwtdesk')}" in about["detail"]
    for backend in ("SecretService", "Windows", "macOS", "KWallet", "chainer"):
        assert backend in checks["keyring entry points"]["detail"]


def test_doctor_fails_without_secret_service(
    installed: Installed, run_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**run_env, "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/no-bus"}
    done = run([installed.bin("jwtdesk"), "doctor", "--json"], env, tmp_path)
    assert done.returncode == 1
    checks = {c["name"]: c for c in json.loads(done.stdout)["self_check"]}
    assert not checks["keyring viable"]["ok"]


def test_doctor_fails_when_xcb_cannot_load(
    installed: Installed, run_env: dict[str, str], tmp_path: Path
) -> None:
    """What a system without libxcb-cursor0 would see: an unloadable stand-in is found first."""
    broken = tmp_path / "broken-libs"
    broken.mkdir()
    (broken / "libxcb-cursor.so.0").write_bytes(b"")
    env = {**run_env, "LD_LIBRARY_PATH": str(broken)}
    done = run([installed.bin("jwtdesk"), "doctor", "--json"], env, tmp_path)
    assert done.returncode == 1
    checks = {c["name"]: c for c in json.loads(done.stdout)["self_check"]}
    assert not checks["Qt platform xcb"]["ok"]
    assert "libxcb-cursor.so.0" in checks["Qt platform xcb"]["detail"]
    assert checks["Qt platform offscreen"]["ok"]


def test_keyset_create_rotate_sign(
    installed: Installed, run_env: dict[str, str], tmp_path: Path
) -> None:
    cli = installed.bin("jwtdesk")
    assert (
        run([cli, "keys", "new", "pkg-check", "--alg", "ES256"], run_env, tmp_path).returncode == 0
    )
    done = run([cli, "keys", "rotate", "pkg-check", "--json"], run_env, tmp_path)
    assert done.returncode == 0, done.stderr
    states = sorted(v["state"] for v in json.loads(done.stdout)["versions"])
    assert states == ["current", "previous"]
    token = run([cli, "token", "build", "--keyset", "pkg-check", "--sub", "u1"], run_env, tmp_path)
    assert token.returncode == 0, token.stderr
    checked = run(
        [cli, "token", "inspect", token.stdout.strip(), "--keyset", "pkg-check", "--json"],
        run_env,
        tmp_path,
    )
    assert checked.returncode == 0, checked.stdout
    listed = json.loads(run([cli, "keys", "list", "--json"], run_env, tmp_path).stdout)
    assert [k["name"] for k in listed["keysets"]] == ["pkg-check"]


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as fh:
        display = ":" + fh.readline().strip()
    return xvfb, display


def wait_for_window(display: str, title: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tree = subprocess.run(
            ["xwininfo", "-root", "-tree", "-display", display],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        if f'"{title}"' in tree:
            return True
        time.sleep(0.2)
    return False


GRAB = """
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(["grab", "-platform", "xcb"])
image = app.primaryScreen().grabWindow(0).toImage()
image.save(sys.argv[1], "PNG")
w, h = image.width(), image.height()
colours = {image.pixel(x, y) for x in range(0, w, 37) for y in range(0, h, 29)}
print(len(colours))
"""


def test_installed_gui_shows_its_window(
    installed: Installed, run_env: dict[str, str], tmp_path: Path
) -> None:
    xvfb, display = start_xvfb()
    gui = None
    try:
        env = {**run_env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        gui = subprocess.Popen([installed.bin("jwtdesk-gui")], env=env, cwd=tmp_path)
        assert wait_for_window(display, "jwtdesk"), "no jwtdesk window on the X display"
        time.sleep(3)  # the Keys view and the keyring probe paint after the frame
        assert gui.poll() is None, "the GUI exited"
        SCREENSHOT.parent.mkdir(exist_ok=True)
        grab_env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        shot = subprocess.run(
            [sys.executable, "-c", GRAB, str(SCREENSHOT)],
            env=grab_env,
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert shot.returncode == 0, shot.stderr
        assert int(shot.stdout.strip()) > 10, "the screen is nearly one colour"
    finally:
        if gui is not None and gui.poll() is None:
            gui.send_signal(signal.SIGINT)  # the app quits cleanly (and clears its clipboard)
            try:
                gui.wait(timeout=20)
            except subprocess.TimeoutExpired:
                gui.kill()
        xvfb.terminate()
        xvfb.wait(timeout=20)
    assert gui.returncode == 0
