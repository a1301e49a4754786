"""The reference data the tests read: ../shared beside the checkout (the project's reference set: charts, CRDs,
chart values, Dapr component metadata, oracle.oci option data), or for the CRDs the copies `make schemas` downloads
into .cache/schemas/crds. A test that needs a file that is not there fails, naming the file and how to get it; it
never skips. CRD files are checked against the sha256s listed in tests/support/crd_sources.yml."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
CRD_SOURCES = Path(__file__).resolve().parent / "crd_sources.yml"


def shared_file(relative: str) -> Path:
    """../shared/<relative> (a file or a directory); fails the test when it is not there."""
    path = SHARED / relative
    if not path.exists():
        pytest.fail("missing reference data %s: the tests read it from ../shared, the project's reference set beside "
                    "the checkout (see ../shared/README.md); put that directory at %s" % (path, SHARED), pytrace=False)
    return path


@functools.lru_cache(maxsize=None)
def crd_sources() -> dict:
    with open(CRD_SOURCES, encoding="utf-8") as handle:
        return {entry["path"]: entry for entry in yaml.safe_load(handle)["crds"]}


def crd_file(relative: str) -> Path:
    """A CRD file listed in crd_sources.yml (path relative to crds/), from ../shared/schemas/crds, else from
    .cache/schemas/crds (`make schemas`); fails the test when it is in neither or its sha256 is not the listed one."""
    entry = crd_sources().get(relative)
    assert entry, "%s is not listed in %s" % (relative, CRD_SOURCES)
    candidates = [SHARED / "schemas" / "crds" / relative, REPO / ".cache" / "schemas" / "crds" / relative]
    path = next((candidate for candidate in candidates if candidate.is_file()), None)
    if path is None:
        pytest.fail("missing CRD %s: neither %s nor %s exists; run `make schemas` (it downloads the files listed in "
                    "tests/support/crd_sources.yml into .cache/schemas/crds) or put ../shared beside the checkout"
                    % (relative, candidates[0], candidates[1]), pytrace=False)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != entry["sha256"]:
        pytest.fail("%s has sha256 %s, not the %s tests/support/crd_sources.yml lists for %s (tag %s): replace it "
                    "(`make schemas` downloads it again into .cache/schemas/crds)"
                    % (path, digest, entry["sha256"], entry["url"], entry["tag"]), pytrace=False)
    return path


def crd_files(prefix: str) -> list[Path]:
    """Every CRD file crd_sources.yml lists under prefix (such as "dapr/"), each found and checked by crd_file."""
    listed = sorted(path for path in crd_sources() if path.startswith(prefix))
    assert listed, "crd_sources.yml lists no CRD under %s" % prefix
    return [crd_file(path) for path in listed]
