"""Download the npm packages the tests drive, checking npm's integrity hash of each:
axe-core (accessibility, in the browser) and vnu-jar (the Nu HTML Checker, with Java).

Run by ``make test`` before pytest; the files land in ``.cache/`` (git-ignored).
"""

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

CACHE = Path(__file__).resolve().parent.parent / ".cache"

# (package, version, npm's integrity hash, the file wanted from the tarball, saved as)
TOOLS = [
    (
        "axe-core",
        "4.14.1",
        "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
        "package/axe.min.js",
        "axe-core-4.14.1.min.js",
    ),
    (
        "vnu-jar",
        "26.9.27",
        "sha512-TkQd5DFfOaWC9ebtvozTsrH2Vaod3jYg+vrOeREzIXxBexLz9+rS2DNtjn7+RPUiZhgli0SghgBX6RJRNea0KA==",
        "package/build/dist/vnu.jar",
        "vnu-26.9.27.jar",
    ),
]


def path_of(package: str) -> Path:
    """Where the file of ``package`` is kept."""
    return CACHE / next(saved for name, _v, _i, _m, saved in TOOLS if name == package)


def fetch(package: str, version: str, integrity: str, member: str, saved: str) -> bool:
    target = CACHE / saved
    if target.exists():
        return True
    tarball = f"https://registry.npmjs.org/{package}/-/{package}-{version}.tgz"
    with urllib.request.urlopen(tarball, timeout=120) as response:
        data = response.read()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != integrity:
        print(f"{package} tarball does not match its integrity hash: {digest}", file=sys.stderr)
        return False
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        extracted = archive.extractfile(member)
        assert extracted is not None
        CACHE.mkdir(exist_ok=True)
        target.write_bytes(extracted.read())
    print(f"{package} {version} -> {target}")
    return True


def main() -> int:
    return 0 if all([fetch(*tool) for tool in TOOLS]) else 1


if __name__ == "__main__":
    sys.exit(main())
