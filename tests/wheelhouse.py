"""An offline wheelhouse, packed from the distributions installed here.

pre-commit installs a hook by pip-installing the hook's repository into a new
virtualenv. Without a network, pip can only take the dependencies (and the
build backend) from wheels on disk. Every one of them is already installed in
the environment running the tests, so each is packed back into a wheel: the
files its RECORD lists, its .dist-info, and a fresh RECORD, under the tags its
WHEEL file names.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Iterable

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# Written by the installer, not part of the wheel; RECORD is made anew.
_INSTALLER_FILES = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


class MissingDistribution(Exception):
    """A needed distribution is not installed, so it cannot be packed."""


def project_requirements(pyproject: Path) -> list[str]:
    """What installing the project needs: its dependencies and its build backend."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return [*data["project"].get("dependencies", []), *data["build-system"]["requires"]]


def closure(requirements: Iterable[str]) -> dict[str, metadata.Distribution]:
    """The installed distributions the requirements need, transitively, by name."""
    found: dict[str, metadata.Distribution] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    pending = [Requirement(text) for text in requirements]
    while pending:
        req = pending.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(req.name)
        key = (name, frozenset(req.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = found.get(name) or metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise MissingDistribution(req.name) from None
        found[name] = dist
        extras = {""} | set(req.extras)
        for text in dist.requires or ():
            sub = Requirement(text)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras):
                sub.marker = None
                pending.append(sub)
    return found


def _wheel_tags(dist: metadata.Distribution) -> str:
    wheel = dist.read_text("WHEEL")
    tags = [line.split(":", 1)[1].strip() for line in (wheel or "").splitlines() if line.startswith("Tag:")]
    if not tags:
        raise MissingDistribution(f"{dist.metadata['Name']} (not installed from a wheel)")
    parts = [tag.split("-") for tag in tags]
    # The compressed tag set of a wheel file name: each part's values joined by dots.
    return "-".join(".".join(sorted({p[i] for p in parts})) for i in range(3))


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def repack(dist: metadata.Distribution, dest: Path) -> Path:
    """Write ``dist`` as a wheel into ``dest`` and return its path."""
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"])
    version = dist.version.replace("-", "_")
    target = dest / f"{name}-{version}-{_wheel_tags(dist)}.whl"
    files = [f for f in dist.files or () if ".." not in f.parts and "__pycache__" not in f.parts]
    info = next(f.parent for f in files if f.name == "METADATA" and f.parent.name.endswith(".dist-info"))
    records = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(files, key=str):
            if file.parent == info and file.name in _INSTALLER_FILES:
                continue
            source = Path(dist.locate_file(file))
            if not source.is_file():
                continue
            data = source.read_bytes()
            archive.writestr(file.as_posix(), data)
            records.append((file.as_posix(), _digest(data), str(len(data))))
        record_name = f"{info.as_posix()}/RECORD"
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([*records, (record_name, "", "")])
        archive.writestr(record_name, out.getvalue())
    return target


def build_wheelhouse(requirements: Iterable[str], dest: Path) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    return [repack(dist, dest) for dist in closure(requirements).values()]
