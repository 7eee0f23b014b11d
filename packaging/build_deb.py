"""Build ``dist/jwtdesk_<version>_<arch>.deb`` from the one-folder app in ``dist/jwtdesk``.

Run by ``make dist`` after PyInstaller, with the project's venv Python (it renders the icon's
PNG sizes with Qt's SVG renderer). Tools: dpkg-deb and dpkg-shlibdeps (dpkg-dev),
desktop-file-validate (desktop-file-utils) and appstreamcli (appstream), all Debian's own.

Layout of the package:
  /opt/jwtdesk/                      the one-folder app (jwtdesk, jwtdesk-gui, _internal/)
  /usr/bin/jwtdesk, jwtdesk-gui      links into /opt/jwtdesk
  /usr/share/applications/jwtdesk.desktop
  /usr/share/icons/hicolor/{scalable,NxN}/apps/jwtdesk.{svg,png}
  /usr/share/metainfo/io.github.jwtdesk.jwtdesk.metainfo.xml
  /usr/share/doc/jwtdesk/copyright

The version is the one the built app prints (``jwtdesk --version``, from
``jwtdesk.__version__``), checked against the installed package metadata. Depends is what
dpkg-shlibdeps reads off every ELF file in the app: the system libraries (X11, xcb,
fontconfig, glib, OpenSSL...) that the spec leaves to Debian.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version as dist_version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESOURCES = ROOT / "jwtdesk" / "resources"
APP_ID = "io.github.jwtdesk.jwtdesk"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)
# Found by testing: the keyring client (secretstorage over jeepney) is pure Python, so
# dpkg-shlibdeps sees no library for it; what it needs is a Secret Service on the session bus.
# GNOME Keyring is the one the tests run against.
RECOMMENDS = "gnome-keyring"
DESCRIPTION = """\
JWT signing keys in the OS keyring: generate, rotate, inspect, export
 jwtdesk generates JWT signing keys from the OS CSPRNG, keeps their secret part
 only in the OS keyring (Secret Service), and rotates them with a current and a
 previous key. It builds, inspects and lints tokens against the stored keys and
 exports keys to env files, JWKS documents and Kubernetes Secrets.
 .
 This package holds the desktop app (jwtdesk-gui) and the command-line tool
 (jwtdesk), frozen with PyInstaller under /opt/jwtdesk."""


def run(*cmd: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"build_deb: {Path(str(cmd[0])).name} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def app_version(app: Path) -> str:
    """What the built app says it is; it must match the package metadata it was built from."""
    printed = run(app / "jwtdesk", "--version").split()[-1]
    meta = dist_version("jwtdesk")
    if printed != meta:
        sys.exit(
            f"build_deb: the app says {printed} but the package metadata says {meta}; "
            "reinstall (make venv) and rebuild (make dist)"
        )
    return printed


def render_pngs(svg: Path, icons: Path) -> None:
    """The hicolor PNG sizes, drawn from the SVG by Qt's renderer (no other tool needed)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        sys.exit(f"build_deb: {svg} is not a valid SVG")
    for side in PNG_SIZES:
        image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        out = icons / f"{side}x{side}" / "apps" / "jwtdesk.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(out), "PNG"):
            sys.exit(f"build_deb: cannot write {out}")
    del app


def release_date() -> str:
    """The day of the last commit (reproducible); today outside a git checkout."""
    done = subprocess.run(
        ["git", "log", "-1", "--format=%cs"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    text = done.stdout.strip()
    return text if done.returncode == 0 and text else dt.date.today().isoformat()


def stage(app: Path, tree: Path, version: str) -> None:
    shutil.copytree(app, tree / "opt" / "jwtdesk", symlinks=True)
    usr = tree / "usr"
    (usr / "bin").mkdir(parents=True)
    for name in ("jwtdesk", "jwtdesk-gui"):
        (usr / "bin" / name).symlink_to(f"/opt/jwtdesk/{name}")
    share = usr / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copyfile(RESOURCES / "jwtdesk.desktop", share / "applications" / "jwtdesk.desktop")
    icons = share / "icons" / "hicolor"
    (icons / "scalable" / "apps").mkdir(parents=True)
    svg = RESOURCES / "icons" / "jwtdesk.svg"
    shutil.copyfile(svg, icons / "scalable" / "apps" / "jwtdesk.svg")
    render_pngs(svg, icons)
    (share / "metainfo").mkdir(parents=True)
    meta = (HERE / "jwtdesk.metainfo.xml").read_text(encoding="utf-8")
    meta = meta.replace("@VERSION@", version).replace("@DATE@", release_date())
    (share / "metainfo" / f"{APP_ID}.metainfo.xml").write_text(meta, encoding="utf-8")
    doc = share / "doc" / "jwtdesk"
    doc.mkdir(parents=True)
    wordlist = (RESOURCES / "weak_secrets.LICENSE").read_text(encoding="utf-8")
    (doc / "copyright").write_text(
        "jwtdesk, frozen with PyInstaller (bootloader: GPL-2.0+ with the bootloader exception).\n"
        "Bundled: CPython (PSF-2.0), Qt 6 and PySide6 (LGPL-3.0), cryptography\n"
        "(Apache-2.0 or BSD-3-Clause), PyJWT (MIT), keyring (MIT), SecretStorage (BSD-3-Clause),\n"
        "jeepney (MIT), platformdirs (MIT), filelock (Unlicense).\n\n"
        "The built-in weak-secret list (opt/jwtdesk/_internal/jwtdesk/resources/"
        "weak_secrets.txt)\nis jwt.secrets.list from wallarm/jwt-secrets:\n\n" + wordlist,
        encoding="utf-8",
    )
    for path in (tree / "usr").rglob("*"):
        if path.is_file() and not path.is_symlink():
            path.chmod(0o644)


def unpacked_bytes(top: Path) -> int:
    """The app's size on disk, links not counted twice (the figure the 150 MB goal is about)."""
    return sum(p.stat().st_size for p in top.rglob("*") if p.is_file() and not p.is_symlink())


def elf_files(top: Path) -> list[Path]:
    out = []
    for path in sorted(top.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    out.append(path)
    return out


def shlib_depends(tree: Path) -> str:
    """dpkg-shlibdeps over every ELF file of the app. Libraries inside the package (Qt,
    libpython) resolve within the tree; every other one names the Debian package that has it."""
    files = elf_files(tree / "opt" / "jwtdesk")
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "debian").mkdir()
        (Path(work) / "debian" / "control").write_text(
            "Source: jwtdesk\n\nPackage: jwtdesk\nArchitecture: any\n", encoding="utf-8"
        )
        private = sorted({str(f.parent) for f in files if ".so" in f.name})
        out = run(
            "dpkg-shlibdeps",
            "-O",
            *(f"-l{p}" for p in private),
            *(f"-e{f}" for f in files),
            cwd=Path(work),
        )
    for line in out.splitlines():
        if line.startswith("shlibs:Depends="):
            return line.split("=", 1)[1]
    sys.exit(f"build_deb: dpkg-shlibdeps printed no Depends:\n{out}")


def control(version: str, arch: str, depends: str, tree: Path) -> str:
    size_kib = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file()) // 1024
    return (
        f"Package: jwtdesk\nVersion: {version}\nArchitecture: {arch}\n"
        "Maintainer: jwtdesk developers <jwtdesk@localhost>\n"
        f"Installed-Size: {size_kib}\nDepends: {depends}\nRecommends: {RECOMMENDS}\n"
        "Section: utils\nPriority: optional\n"
        f"Description: {DESCRIPTION}\n"
    )


def validate(tree: Path) -> None:
    run("desktop-file-validate", tree / "usr/share/applications/jwtdesk.desktop")
    run(
        "appstreamcli",
        "validate",
        "--no-net",
        "--pedantic",
        tree / f"usr/share/metainfo/{APP_ID}.metainfo.xml",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", type=Path, default=ROOT / "dist" / "jwtdesk")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    if not (args.app / "jwtdesk").is_file():
        sys.exit(f"build_deb: no app in {args.app}; run PyInstaller first (make dist)")
    version = app_version(args.app)
    arch = run("dpkg", "--print-architecture").strip()
    tree = ROOT / "build" / "deb" / f"jwtdesk_{version}_{arch}"
    shutil.rmtree(tree, ignore_errors=True)
    (tree / "DEBIAN").mkdir(parents=True)
    stage(args.app, tree, version)
    validate(tree)
    depends = shlib_depends(tree)
    (tree / "DEBIAN" / "control").write_text(control(version, arch, depends, tree))
    deb = args.out / f"jwtdesk_{version}_{arch}.deb"
    # gzip: xz would take minutes on this 2-core machine for ~15% less.
    run("dpkg-deb", "--root-owner-group", "-Zgzip", "--build", tree, deb)
    print(f"built {deb.relative_to(ROOT) if deb.is_relative_to(ROOT) else deb}")
    print(f"  Depends: {depends}")
    size = unpacked_bytes(args.app) / 1e6
    print(f"  unpacked app: {size:.1f} MB (goal < 150 MB), .deb: {deb.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
