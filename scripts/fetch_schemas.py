"""Download the upstream CRDs listed in tests/support/crd_sources.yml into .cache/schemas/crds/.

`make schemas` runs this.  It is only needed when ../shared/schemas/crds is absent: the schema
tests (tests/support/schemas.py) read that directory when it exists, else the cache.

A file already in the cache with the listed sha256 is skipped; any other file is downloaded
(stdlib urllib), checked against the listed sha256 and only then moved into place, so a bad
download never lands in the cache.  Every failure is printed; the exit status is 1 if any
file failed, else 0.  The last line is a one-line summary.

Usage: .venv/bin/python scripts/fetch_schemas.py [--sources FILE] [--dest DIR] [--base-url URL] [--timeout SECONDS]

--base-url (or the environment variable EVENTSTACK_SCHEMAS_BASE_URL) replaces the scheme and
host of every listed URL and prefixes its path, e.g. http://127.0.0.1:8000/mirror turns
https://raw.githubusercontent.com/o/r/v1/x.yaml into http://127.0.0.1:8000/mirror/o/r/v1/x.yaml
(a mirror, or a local server in tests).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path, PurePosixPath

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = REPO_ROOT / "tests" / "support" / "crd_sources.yml"
DEFAULT_DEST = REPO_ROOT / ".cache" / "schemas" / "crds"
BASE_URL_ENV = "EVENTSTACK_SCHEMAS_BASE_URL"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 16


class SourcesError(ValueError):
    """crd_sources.yml is malformed."""


def read_sources(path: Path) -> list[dict]:
    """The entries of crd_sources.yml, checked: relative path, http(s) url, sha256."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    entries = data.get("crds") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise SourcesError("%s: expected a non-empty list under 'crds'" % path)
    seen = set()
    for number, entry in enumerate(entries, 1):
        where = "%s: entry %d" % (path, number)
        if not isinstance(entry, dict):
            raise SourcesError("%s is not a mapping" % where)
        rel, url, sha = entry.get("path"), entry.get("url"), entry.get("sha256")
        if not isinstance(rel, str) or not rel:
            raise SourcesError("%s has no path" % where)
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or "\\" in rel:
            raise SourcesError("%s: path %r must be relative and stay inside the cache" % (where, rel))
        if rel in seen:
            raise SourcesError("%s: path %r is listed twice" % (where, rel))
        seen.add(rel)
        if not isinstance(url, str) or urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise SourcesError("%s (%s): url must be http(s)" % (where, rel))
        if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
            raise SourcesError("%s (%s): sha256 must be 64 lowercase hex digits" % (where, rel))
    return entries


def rebase(url: str, base_url: str | None) -> str:
    """``url`` with scheme and host replaced by ``base_url`` (whose path becomes a prefix)."""
    if not base_url:
        return url
    parts = urllib.parse.urlsplit(url)
    return base_url.rstrip("/") + parts.path + ("?" + parts.query if parts.query else "")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download(url: str, target: Path, sha256: str, timeout: float) -> None:
    """Fetch ``url`` into ``target`` if its sha256 is ``sha256``; raise otherwise (target untouched)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=".%s." % target.name, suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
        got = digest.hexdigest()
        if got != sha256:
            raise ValueError("sha256 mismatch: expected %s, got %s" % (sha256, got))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def fetch(sources: Path, dest: Path, base_url: str | None = None, timeout: float = 60.0) -> int:
    """Bring ``dest`` up to date with ``sources``; return the exit status."""
    entries = read_sources(sources)
    downloaded = present = 0
    failed: list[str] = []
    offline = None  # the first connection-level error; later downloads are not attempted
    for entry in entries:
        rel, sha = entry["path"], entry["sha256"]
        target = dest / rel
        if target.is_file():
            if sha256_of(target) == sha:
                present += 1
                continue
            print("fetch_schemas: %s has the wrong sha256; downloading it again" % rel, file=sys.stderr)
        if offline is not None:
            failed.append(rel)
            continue
        url = rebase(entry["url"], base_url)
        try:
            download(url, target, sha, timeout)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            failed.append(rel)
            reason: object = exc
            if isinstance(exc, urllib.error.HTTPError):
                pass
            elif isinstance(exc, (urllib.error.URLError, TimeoutError, ConnectionError)):
                # "[Errno 111] Connection refused" rather than "<urlopen error [Errno 111] ...>"
                reason = offline = getattr(exc, "reason", exc)
            print("fetch_schemas: FAILED %s from %s: %s" % (rel, url, reason), file=sys.stderr)
            _remove_empty_dirs(target.parent, dest)
        else:
            downloaded += 1
    if offline is not None and len(failed) > 1:
        print("fetch_schemas: %d more not attempted after the connection error" % (len(failed) - 1), file=sys.stderr)
    print("fetch_schemas: %d CRD files in %s: %d downloaded, %d already present, %d failed"
          % (len(entries), dest, downloaded, present, len(failed)))
    return 1 if failed else 0


def _remove_empty_dirs(directory: Path, stop: Path) -> None:
    """Remove ``directory`` and its parents up to (not including) ``stop`` while they are empty."""
    while directory != stop and stop in directory.parents:
        try:
            directory.rmdir()
        except OSError:
            return
        directory = directory.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES, help="default: %(default)s")
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="default: %(default)s")
    parser.add_argument("--base-url", default=os.environ.get(BASE_URL_ENV) or None,
                        help="replace scheme and host of every URL (default: $%s)" % BASE_URL_ENV)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per download (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        return fetch(args.sources, args.dest, args.base_url, args.timeout)
    except (SourcesError, OSError, yaml.YAMLError) as exc:
        print("fetch_schemas: %s" % exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
