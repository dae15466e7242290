"""Offline wheels for install.sh --wheels: Banditore built from a source tree, its dependencies
re-packed from this test venv (no network is ever used)."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata as md
import re
import tomllib
import zipfile
from pathlib import Path

from packaging.requirements import Requirement

_SKIP_DIST_INFO = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _record_line(arcname: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


def _write_wheel(path: Path, files: dict[str, bytes], dist_info: str) -> None:
    record = [_record_line(name, data) for name, data in files.items()]
    record.append(f"{dist_info}/RECORD,,")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")


def dependency_closure(requirements: list[str]) -> list[md.Distribution]:
    """Installed distributions needed by ``requirements`` (extras ignored, markers evaluated)."""
    seen: dict[str, md.Distribution] = {}
    pending = [Requirement(r) for r in requirements]
    while pending:
        req = pending.pop()
        if req.marker and not req.marker.evaluate({"extra": ""}):
            continue
        key = _normal(req.name)
        if key in seen:
            continue
        dist = md.distribution(req.name)
        seen[key] = dist
        pending.extend(Requirement(r) for r in dist.requires or [])
    return list(seen.values())


def repack(dist: md.Distribution, target: Path) -> Path:
    """A wheel of an installed distribution, from the files its RECORD lists."""
    files: dict[str, bytes] = {}
    dist_info = ""
    tags: list[str] = []
    for item in dist.files or []:
        name = str(item)
        if name.startswith("..") or "__pycache__" in name:
            continue
        if ".dist-info/" in name:
            dist_info = name.split("/", 1)[0]
            if name.split("/", 1)[1] in _SKIP_DIST_INFO:
                continue
        data = Path(dist.locate_file(item)).read_bytes()
        files[name] = data
        if name.endswith(".dist-info/WHEEL"):
            tags = [
                line.split(":", 1)[1].strip()
                for line in data.decode().splitlines()
                if line.startswith("Tag:")
            ]
    parts = [p.split("-") for p in tags] or [["py3", "none", "any"]]
    tag = "-".join(".".join(dict.fromkeys(p[i] for p in parts)) for i in range(3))
    path = target / f"{_normal(dist.metadata['Name'])}-{dist.version}-{tag}.whl"
    _write_wheel(path, files, dist_info)
    return path


def build_dependencies(source: Path, target: Path) -> None:
    """Every runtime dependency of the project in ``source``, as wheels in ``target``."""
    project = tomllib.loads((source / "pyproject.toml").read_text())["project"]
    target.mkdir(parents=True, exist_ok=True)
    for dist in dependency_closure(project["dependencies"]):
        repack(dist, target)


def build_banditore(source: Path, target: Path) -> Path:
    """A pure-Python wheel of the source tree (what ``pip wheel`` would build, without network)."""
    pyproject = tomllib.loads((source / "pyproject.toml").read_text())
    project = pyproject["project"]
    version = project["version"]
    dist_info = f"banditore-{version}.dist-info"
    package = source / "appliance"
    # The modules and the package data pyproject.toml declares (migrations, catalogs, papers…).
    paths = [p for p in package.rglob("*.py") if "__pycache__" not in p.parts]
    for pattern in pyproject["tool"]["setuptools"]["package-data"]["appliance"]:
        paths += package.glob(pattern)
    files: dict[str, bytes] = {}
    for path in sorted(set(paths)):
        files[path.relative_to(source).as_posix()] = path.read_bytes()
    # The admin UI's files, where setup.py's build hook puts them.
    for path in sorted((source / "web").rglob("*")):
        if path.is_file():
            files[f"appliance/{path.relative_to(source).as_posix()}"] = path.read_bytes()
    metadata = [
        "Metadata-Version: 2.1",
        "Name: banditore",
        f"Version: {version}",
        f"Requires-Python: {project['requires-python']}",
        *(f"Requires-Dist: {dep}" for dep in project["dependencies"]),
    ]
    files[f"{dist_info}/METADATA"] = ("\n".join(metadata) + "\n").encode()
    files[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: banditore-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    files[f"{dist_info}/entry_points.txt"] = b"[console_scripts]\nappliance = appliance.cli:main\n"
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"banditore-{version}-py3-none-any.whl"
    _write_wheel(path, files, dist_info)
    return path
