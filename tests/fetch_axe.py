"""Download axe-core (the npm package) for the browser tests, checking npm's integrity hash.

Run by ``make test`` before pytest; the package lands in ``.cache/`` (git-ignored).
"""

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="  # noqa: E501
TARGET = Path(__file__).resolve().parent.parent / ".cache" / f"axe-core-{VERSION}.min.js"


def main() -> int:
    if TARGET.exists():
        return 0
    with urllib.request.urlopen(TARBALL, timeout=60) as response:
        data = response.read()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != INTEGRITY:
        print(f"axe-core tarball does not match its integrity hash: {digest}", file=sys.stderr)
        return 1
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.extractfile("package/axe.min.js")
        assert member is not None
        TARGET.parent.mkdir(exist_ok=True)
        TARGET.write_bytes(member.read())
    print(f"axe-core {VERSION} -> {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
