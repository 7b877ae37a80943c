"""Release helper: map a tag `<distribution>-v<version>` to its package and refuse a mismatch.

    python tools/release.py check-tag web-http-v0.1.0     # prints packages/web-http, or exits 1

The release workflow runs this before building, so a tag can only publish the version that the
package's `__about__.py` declares.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAG = re.compile(r"^(?P<dist>web-[a-z]+(?:-[a-z]+)*)-v(?P<version>\d+\.\d+\.\d+(?:[.\w+-]*)?)$")


class TagError(ValueError):
    """The tag names no package of the workspace, or a version the package does not declare."""


def package_version(package_dir: Path) -> str:
    about = next((package_dir / "src").glob("*/__about__.py"), None)
    if about is None:
        raise TagError(f"{package_dir.name} has no __about__.py")
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', about.read_text(), re.MULTILINE)
    if match is None:
        raise TagError(f"{about} declares no __version__")
    return match.group(1)


def check_tag(tag: str, root: Path = ROOT) -> Path:
    """Return the package folder for `tag`, or raise TagError saying what is wrong."""
    match = TAG.match(tag)
    if match is None:
        raise TagError(f"{tag!r} is not of the form <distribution>-v<version>")
    package_dir = root / "packages" / match["dist"]
    if not (package_dir / "pyproject.toml").exists():
        raise TagError(f"no package named {match['dist']}")
    declared = package_version(package_dir)
    if declared != match["version"]:
        raise TagError(f"tag says {match['version']} but {match['dist']} declares {declared}")
    return package_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check-tag")
    check.add_argument("tag")
    args = parser.parse_args(argv)
    try:
        package_dir = check_tag(args.tag)
    except TagError as exc:
        print(f"release refused: {exc}", file=sys.stderr)
        return 1
    print(package_dir.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
