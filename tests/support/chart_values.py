"""Check Helm values against the pinned chart's defaults: Helm silently ignores a key a chart does not know.

The defaults are the upstream values files in ../shared/reference/chart-values/ (see its README):
<chart>-<version>.values.yaml, plus <chart>-<version>.<subchart>.values.yaml for sub-charts and dependencies,
whose keys live under the sub-chart's name. A chart that ships values.schema.json (cert-manager, cloudnative-pg)
is also validated against it.

check(chart, version, values) returns one message per values path the defaults do not have. A path is known
when every key along it exists in the defaults; below a free-form map (an empty {} default, or a key listed in
FREE_FORM, such as annotations or resources) and below a list default (Helm replaces lists whole), anything goes.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

REPO = Path(__file__).resolve().parents[2]
VALUES_DIR = REPO.parent / "shared" / "reference" / "chart-values"

# Keys whose value is a map the chart passes through (per the README's notes; containerSecurityContext: the
# prometheus-node-exporter template writes it out whole with toYaml, and the full render shows it in the DaemonSet).
FREE_FORM = {"annotations", "labels", "podLabels", "podAnnotations", "nodeSelector", "affinity", "resources",
             "config", "extraArgs", "commonLabels", "deploymentAnnotations", "deploymentLabels", "podSecurityContext",
             "securityContext", "extraLabels", "statefulsetAnnotations", "extraEnvVars", "tolerations",
             "issuerFilenames", "extraVolumes", "extraVolumeMounts", "extraContainers", "initContainers",
             "objectSelector", "namespaceSelector", "behavior", "deploymentStrategy", "strategy",
             "containerSecurityContext"}


# Values a chart renders whole as a custom resource's spec: their keys are checked against the CRD's schema instead
# of the (mostly commented-out) defaults. tigera-operator's templates/crs/custom-resources.yaml writes
# `installation` (less `enabled`) as the spec of the operator.tigera.io Installation.
CR_SPECS = {("tigera-operator", "installation"): ("calico/operator.tigera.io_installations.yaml", {"enabled"})}


class ChartDefaultsMissing(LookupError):
    pass


def _crd_spec(path):
    from tests.support.reference import crd_file  # pylint: disable=import-outside-toplevel

    crd = yaml.safe_load(crd_file(path).read_text(encoding="utf-8"))
    version = next(v for v in crd["spec"]["versions"] if v.get("storage", True))
    return version["schema"]["openAPIV3Schema"]["properties"]["spec"]


def unknown_spec_paths(values, schema, path):
    """Keys of values the CRD schema does not have (objects with properties; arrays through their items)."""
    problems = []
    if isinstance(values, list):
        for index, item in enumerate(values):
            problems.extend(unknown_spec_paths(item, (schema or {}).get("items") or {}, "%s[%d]" % (path, index)))
        return problems
    if not isinstance(values, dict) or not (schema or {}).get("properties"):
        return problems
    for key, value in values.items():
        where = "%s.%s" % (path, key)
        if key not in schema["properties"]:
            problems.append("%s is not a field of the custom resource's spec" % where)
        else:
            problems.extend(unknown_spec_paths(value, schema["properties"][key], where))
    return problems


def require():
    """The chart-values directory; fails the calling test, naming it and how to get it, when it is not there."""
    from tests.support.reference import shared_file  # pylint: disable=import-outside-toplevel

    return shared_file("reference/chart-values")


def defaults(chart, version):
    """The chart's default values, with sub-chart defaults merged under their names."""
    main = VALUES_DIR / ("%s-%s.values.yaml" % (chart, version))
    if not main.is_file():
        raise ChartDefaultsMissing("no defaults for chart %s %s in %s" % (chart, version, VALUES_DIR))
    merged = yaml.safe_load(main.read_text(encoding="utf-8")) or {}
    for sub in sorted(VALUES_DIR.glob("%s-%s.*.values.yaml" % (chart, version))):
        name = sub.name[len("%s-%s." % (chart, version)):-len(".values.yaml")]
        merged[name] = _union(merged.get(name) or {}, yaml.safe_load(sub.read_text(encoding="utf-8")) or {})
    return merged


def _union(left, right):
    out = dict(left)
    for key, value in right.items():
        out[key] = _union(out[key], value) if isinstance(out.get(key), dict) and isinstance(value, dict) else \
            out.get(key, value)
    return out


def unknown_paths(values, known, path=""):
    problems = []
    for key, value in (values or {}).items():
        where = "%s.%s" % (path, key) if path else str(key)
        if not isinstance(known, dict) or key not in known:
            problems.append("%s is not a key of the chart's values" % where)
            continue
        default = known[key]
        if key in FREE_FORM or isinstance(default, list) or (isinstance(default, dict) and not default):
            continue
        if isinstance(value, dict):
            if isinstance(default, dict):
                problems.extend(unknown_paths(value, default, where))
            elif default is not None:
                problems.append("%s is a map but the chart's default is %r" % (where, default))
    return problems


def check(chart, version, values):
    values = dict(values or {})
    problems = []
    for (name, key), (crd, chart_keys) in CR_SPECS.items():
        if name == chart and isinstance(values.get(key), dict):
            spec = {k: v for k, v in values.pop(key).items() if k not in chart_keys}
            problems.extend(unknown_spec_paths(spec, _crd_spec(crd), key))
    problems += unknown_paths(values, defaults(chart, version))
    schema_file = VALUES_DIR / ("%s-%s.values.schema.json" % (chart, version))
    if schema_file.is_file():
        schema = json.loads(schema_file.read_text(encoding="utf-8"))
        validator = jsonschema.validators.validator_for(schema)(schema)
        problems.extend("%s: %s" % ("/".join(str(p) for p in error.absolute_path) or "(values)", error.message)
                        for error in validator.iter_errors(values or {}))
    return problems
