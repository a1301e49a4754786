"""Shared by the OCI layer's tests: the stand-in's state, seen as a test reads it."""

from __future__ import annotations

TAGS = {"eventstack.io/stack": "todo", "eventstack.io/environment": "dev"}


def said(run, text):
    """Whether the run printed text, however Ansible wrapped its lines."""
    return " ".join(text.split()) in " ".join(run.output.split())


def alive(oci, kind):
    return list(oci.alive(kind))


def one(oci, kind):
    found = alive(oci, kind)
    assert len(found) == 1, (kind, found)
    return found[0]


def writes_since(oci, mark):
    return [(r["method"], r["path"]) for r in oci.writes()[mark:]]


def a1_everywhere(scenario):
    """A1 cores and memory free in every availability domain (the default scenario has them in AD-1 only)."""
    for ad in scenario.ads:
        scenario.limits[("compute", "standard-a1-core-count", ad)] = {"used": 0, "available": 4}
        scenario.limits[("compute", "standard-a1-memory-count", ad)] = {"used": 0, "available": 24}
    return scenario
