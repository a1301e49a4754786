"""tests/support/schemas.py (strict offline validation) and scripts/fetch_schemas.py (`make schemas`)."""
from __future__ import annotations

import copy
import functools
import hashlib
import http.server
import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys
import threading
import urllib.parse

import jsonschema
import kubernetes_validate
import pytest
import yaml

from tests.support import schemas
from tests.support.schemas import ManifestValidator, SchemaSetupError

REPO = pathlib.Path(__file__).resolve().parents[2]
SHARED_CRDS = REPO / ".." / "shared" / "schemas" / "crds"
K8S = "1.34"

_spec = importlib.util.spec_from_file_location("fetch_schemas", REPO / "scripts" / "fetch_schemas.py")
fetch_schemas = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fetch_schemas)


def errors_of(obj, validator=None):
    return (validator or schemas.default_validator()).validate(obj, K8S)


def assert_one_error(errors, *fragments):
    assert len(errors) == 1, errors
    for fragment in fragments:
        assert fragment in errors[0], errors


# --------------------------------------------------------------------------- objects

NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kafka", "labels": {"team": "events"}}}
CONFIGMAP = {
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "app-config", "namespace": "apps", "annotations": {"example.com/owner": "events"}},
    "data": {"LOG_LEVEL": "info"},
}
SECRET = {
    "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
    "metadata": {"name": "app-secret", "namespace": "apps"},
    "stringData": {"password": "s3cret"}, "data": {"token": "dG9rZW4="},
}
DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "orders", "namespace": "apps", "labels": {"app.kubernetes.io/name": "orders"}},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app.kubernetes.io/name": "orders"}},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}},
        "template": {
            "metadata": {"labels": {"app.kubernetes.io/name": "orders"}},
            "spec": {
                "containers": [{
                    "name": "orders",
                    "image": "ghcr.io/example/orders:1.0.0",
                    "ports": [{"name": "http", "containerPort": 8080}],
                    "env": [{"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "app-secret", "key": "password"}}}],
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": 268435456}},
                    "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}},
                }],
            },
        },
    },
}
KAFKA_TOPIC = {
    "apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaTopic",
    "metadata": {"name": "orders", "namespace": "kafka", "labels": {"strimzi.io/cluster": "events"}},
    "spec": {"topicName": "orders.v1", "partitions": 6, "replicas": 3,
             "config": {"retention.ms": 604800000, "cleanup.policy": "delete"}},
}
KAFKA = {
    "apiVersion": "kafka.strimzi.io/v1", "kind": "Kafka",
    "metadata": {"name": "events", "namespace": "kafka"},
    "spec": {
        "kafka": {
            "version": "4.1.0",
            "metadataVersion": "4.1-IV1",
            "listeners": [
                {"name": "plain", "port": 9092, "type": "internal", "tls": False},
                {"name": "tls", "port": 9093, "type": "internal", "tls": True, "authentication": {"type": "tls"}},
            ],
            "authorization": {"type": "simple"},
            "config": {"offsets.topic.replication.factor": 3, "min.insync.replicas": 2},
        },
        "entityOperator": {"topicOperator": {}, "userOperator": {}},
    },
}
KAFKA_NODE_POOL = {
    "apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaNodePool",
    "metadata": {"name": "dual-role", "namespace": "kafka", "labels": {"strimzi.io/cluster": "events"}},
    "spec": {
        "replicas": 3,
        "roles": ["controller", "broker"],
        "storage": {"type": "jbod", "volumes": [
            {"id": 0, "type": "persistent-claim", "size": "20Gi", "deleteClaim": False, "kraftMetadata": "shared"},
        ]},
        "resources": {"requests": {"cpu": 1, "memory": "2Gi"}, "limits": {"cpu": "2", "memory": "2Gi"}},
    },
}
DAPR_COMPONENT = {
    "apiVersion": "dapr.io/v1alpha1", "kind": "Component",
    "metadata": {"name": "statestore", "namespace": "apps"},
    "spec": {
        "type": "state.redis",
        "version": "v1",
        "metadata": [
            {"name": "redisHost", "value": "redis-master.redis:6379"},
            {"name": "redisPassword", "secretKeyRef": {"name": "redis", "key": "redis-password"}},
            {"name": "actorStateStore", "value": True},
        ],
    },
    "auth": {"secretStore": "kubernetes"},
    "scopes": ["orders"],
}


def changed(obj, path, value):
    """A deep copy of obj with the value at path (a dotted string, ints for list items) set."""
    result = copy.deepcopy(obj)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    node = result
    for part in parents:
        node = node[part]
    node[last] = value
    return result


# --------------------------------------------------------------------------- built-in kinds


@pytest.mark.parametrize("obj", [NAMESPACE, CONFIGMAP, SECRET, DEPLOYMENT], ids=lambda o: o["kind"])
def test_valid_builtin_objects_pass(obj):
    assert errors_of(obj) == []


def test_deployment_with_typo_field_fails_strictly():
    bad = changed(DEPLOYMENT, "spec.template.spec.containers.0.imagePullPolicyy", "Always")
    assert errors_of(bad) == [
        "Deployment/apps/orders: spec.template.spec.containers[0].imagePullPolicyy: unknown field"
    ]


def test_deployment_with_wrong_type_fails():
    assert_one_error(errors_of(changed(DEPLOYMENT, "spec.replicas", "two")), "spec.replicas", "'two' is not of type")


def test_builtin_reports_every_error_not_only_the_first():
    bad = changed(changed(DEPLOYMENT, "spec.replicaz", 2), "metadata.labelz", {})
    assert errors_of(bad) == [
        "Deployment/apps/orders: metadata.labelz: unknown field",
        "Deployment/apps/orders: spec.replicaz: unknown field",
    ]


@pytest.mark.parametrize("obj", [NAMESPACE, DEPLOYMENT, KAFKA_TOPIC, DAPR_COMPONENT], ids=lambda o: o["kind"])
def test_metadata_typo_fails(obj):
    bad = changed(obj, "metadata.labelz", {"team": "events"})
    assert_one_error(errors_of(bad), "metadata.labelz: unknown field")


@pytest.mark.parametrize(("path", "value", "fragment"), [
    ("metadata.labels", {"team": "x" * 64}, "invalid label value"),
    ("metadata.labels", {"bad key": "x"}, "invalid label key"),
    ("metadata.labels", {"Example.com/x": "y"}, "prefix before '/' must be a lowercase DNS subdomain"),
    ("metadata.annotations", {"a/b/c": "y"}, "invalid annotation key"),
    ("metadata.annotations", {"x": "y" * (256 * 1024)}, "more than 256 KiB"),
    ("metadata.namespace", "Apps", "metadata.namespace: 'Apps' must be a lowercase DNS label"),
    ("metadata.name", "orders/v1", "must be a path segment"),
    ("metadata", {"namespace": "apps"}, "metadata.name: required"),
])
def test_metadata_rules_of_the_api_server(path, value, fragment):
    assert_one_error(errors_of(changed(DEPLOYMENT, path, value)), fragment)


def test_metadata_is_required():
    bad = copy.deepcopy(CONFIGMAP)
    del bad["metadata"]
    assert errors_of(bad) == ["ConfigMap/-/?: metadata: required"]


def test_names_of_namespaces_and_services():
    assert_one_error(errors_of(changed(NAMESPACE, "metadata.name", "kafka.events")), "must be a lowercase DNS label")
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "1orders", "namespace": "apps"},
               "spec": {"ports": [{"port": 80}]}}
    assert_one_error(errors_of(service), "DNS-1035 label")
    assert errors_of(changed(service, "metadata.name", "orders")) == []


@pytest.mark.parametrize("obj", [
    {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "apps"}},
    # a group that only looks like a built-in one (kubernetes_validate's file for it is apps-v1)
    {"apiVersion": "apps.example.com/v1", "kind": "Deployment", "metadata": {"name": "w"}},
    # a sub-type that kubernetes_validate has a file for, but no top-level kind
    {"apiVersion": "v1", "kind": "Affinity", "metadata": {"name": "w"}},
    {"apiVersion": "apps/v1beta1", "kind": "Deployment", "metadata": {"name": "w"}},
], ids=["unknown-group", "lookalike-group", "sub-type", "removed-version"])
def test_object_without_schema_is_an_error(obj):
    errors = ManifestValidator(crd_directory=REPO / "tests").validate(obj, K8S)  # a directory without CRDs
    assert errors == ["%s/%s/w: no schema for %s %s" % (
        obj["kind"], obj["metadata"].get("namespace", "-"), obj["apiVersion"], obj["kind"])]


@pytest.mark.parametrize("obj", [None, [], "kind: ConfigMap", {"kind": "ConfigMap"}, {"apiVersion": "v1", "kind": ""}])
def test_non_objects_are_errors(obj):
    errors = ManifestValidator(crd_directory=REPO / "tests").validate(obj, K8S)
    assert len(errors) == 1 and ("not a Kubernetes object" in errors[0] or "must be non-empty strings" in errors[0])


def test_validate_all_collects_errors_of_all_objects():
    bad_topic_free = [CONFIGMAP, changed(CONFIGMAP, "data.x", 1), changed(SECRET, "typ", "Opaque")]
    assert schemas.validate_all(bad_topic_free, K8S) == [
        "ConfigMap/apps/app-config: data.x: 1 is not of type 'string', 'null'",
        "Secret/apps/app-secret: typ: unknown field",
    ]
    assert schemas.validate_all([NAMESPACE, CONFIGMAP, SECRET, DEPLOYMENT], K8S) == []


@pytest.mark.parametrize("obj", [
    NAMESPACE, CONFIGMAP, SECRET, DEPLOYMENT,
    changed(DEPLOYMENT, "spec.replicaz", 1),
    changed(DEPLOYMENT, "spec.replicas", "1"),
    changed(CONFIGMAP, "metadata.labelz", {}),
    changed(SECRET, "data", []),
], ids=lambda o: "%s-%d" % (o["kind"], len(str(o))))
def test_builtin_verdict_matches_kubernetes_validate(obj):
    """The cached validators must agree with kubernetes_validate.validate() itself."""
    try:
        kubernetes_validate.validate(copy.deepcopy(obj), K8S, strict=True)
        library_ok = True
    except kubernetes_validate.ValidationError:
        library_ok = False
    assert (errors_of(obj) == []) == library_ok


def test_supported_kubernetes_versions():
    versions = schemas.supported_kubernetes_versions()
    assert "1.34" in versions and versions == sorted(versions, key=lambda v: tuple(map(int, v.split("."))))
    assert len(versions) == len(set(versions))
    for version in versions:
        assert schemas.ManifestValidator(crd_directory=REPO / "tests").validate(CONFIGMAP, version) == []


@pytest.mark.parametrize("version", ["v1.34", "1.34.2"])
def test_version_spellings(version):
    assert schemas.validate(CONFIGMAP, version) == []


@pytest.mark.parametrize(("version", "error"), [
    ("1.99", SchemaSetupError), ("1.2", SchemaSetupError), ("latest", ValueError), (1.3, TypeError),
])
def test_unsupported_versions_raise(version, error):
    with pytest.raises(error):
        schemas.validate(CONFIGMAP, version)


# --------------------------------------------------------------------------- CRDs (real)


@pytest.mark.parametrize("obj", [KAFKA_TOPIC, KAFKA, KAFKA_NODE_POOL, DAPR_COMPONENT], ids=lambda o: o["kind"])
def test_valid_custom_resources_pass(obj):
    assert errors_of(obj) == []


def test_kafka_topic_with_typo_fails():
    bad = copy.deepcopy(KAFKA_TOPIC)
    bad["spec"]["partitionz"] = bad["spec"].pop("partitions")
    assert errors_of(bad) == ["KafkaTopic/kafka/orders: spec.partitionz: unknown field"]


def test_kafka_topic_wrong_type_and_unknown_top_level_field():
    bad = changed(changed(KAFKA_TOPIC, "spec.partitions", "6"), "specs", {})
    assert errors_of(bad) == [
        "KafkaTopic/kafka/orders: specs: unknown field",
        "KafkaTopic/kafka/orders: spec.partitions: '6' is not of type 'integer'",
    ]


def test_preserve_unknown_fields_allows_any_kafka_config():
    assert errors_of(changed(KAFKA_TOPIC, "spec.config", {"any.thing": {"nested": [1, "x"]}})) == []


@pytest.mark.parametrize("value", [1, "500m", "1.5"])
def test_int_or_string_accepts_both(value):
    assert errors_of(changed(KAFKA_NODE_POOL, "spec.resources.requests.cpu", value)) == []


@pytest.mark.parametrize("value", [True, None, {"cores": 1}, 1.5])
def test_int_or_string_rejects_other_types(value):
    assert_one_error(errors_of(changed(KAFKA_NODE_POOL, "spec.resources.requests.cpu", value)),
                     "spec.resources.requests.cpu", "is not of type 'integer', 'string'")


def test_kafka_field_that_moved_to_node_pools_fails():
    assert_one_error(errors_of(changed(KAFKA, "spec.kafka.replicas", 3)), "spec.kafka.replicas: unknown field")


def test_enum_is_enforced():
    assert_one_error(errors_of(changed(KAFKA_NODE_POOL, "spec.roles", ["controller", "bruker"])),
                     "spec.roles[1]: 'bruker' is not one of")


def test_required_is_enforced():
    bad = copy.deepcopy(KAFKA_NODE_POOL)
    del bad["spec"]["storage"]
    assert_one_error(errors_of(bad), "spec: 'storage' is a required property")


def test_dapr_component_with_unknown_spec_field_fails():
    assert errors_of(changed(DAPR_COMPONENT, "spec.initTimeOut", "5s")) == [
        "Component/apps/statestore: spec.initTimeOut: unknown field"
    ]
    assert errors_of(changed(DAPR_COMPONENT, "spec.metadata.0.secretKeyRef", {"nam": "x"})) == [
        "Component/apps/statestore: spec.metadata[0].secretKeyRef: 'name' is a required property",
        "Component/apps/statestore: spec.metadata[0].secretKeyRef.nam: unknown field",
    ]


def test_custom_resource_names_must_be_dns_subdomains():
    assert_one_error(errors_of(changed(KAFKA_TOPIC, "metadata.name", "Orders_v1")), "must be a lowercase DNS subdomain")


def test_apiversion_of_an_unserved_version_is_an_error():
    errors = errors_of(changed(KAFKA_TOPIC, "apiVersion", "kafka.strimzi.io/v1beta2"))
    assert errors == ["KafkaTopic/kafka/orders: no schema for kafka.strimzi.io/v1beta2 KafkaTopic "
                      "(served for this kind: kafka.strimzi.io/v1)"]


def test_bare_object_nodes_accept_only_an_empty_object():
    """Envoy Gateway's `http3: {}` marker has no properties: the API server would prune any field."""
    policy = {
        "apiVersion": "gateway.envoyproxy.io/v1alpha1", "kind": "ClientTrafficPolicy",
        "metadata": {"name": "http3", "namespace": "gateway"},
        "spec": {"targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "public"}],
                 "http3": {}},
    }
    assert errors_of(policy) == []
    assert_one_error(errors_of(changed(policy, "spec.http3.enabled", True)), "spec.http3.enabled: unknown field")


def test_every_crd_converts_to_a_valid_draft7_schema():
    keys = []
    for path, crd in schemas.load_crds(schemas.crd_dir()):
        for key, schema in schemas.crd_json_schemas(crd).items():
            schemas.CRDValidator.check_schema(schema)
            keys.append(key)
    assert len(keys) == len(set(keys))
    assert {
        ("kafka.strimzi.io/v1", "Kafka"), ("kafka.strimzi.io/v1", "KafkaNodePool"), ("kafka.strimzi.io/v1", "KafkaTopic"),
        ("kafka.strimzi.io/v1", "KafkaUser"), ("dapr.io/v1alpha1", "Component"), ("dapr.io/v2alpha1", "Subscription"),
        ("gateway.networking.k8s.io/v1", "HTTPRoute"), ("gateway.networking.k8s.io/v1beta1", "ReferenceGrant"),
        ("cert-manager.io/v1", "ClusterIssuer"), ("postgresql.cnpg.io/v1", "Cluster"),
        ("monitoring.coreos.com/v1", "ServiceMonitor"), ("gateway.envoyproxy.io/v1alpha1", "EnvoyProxy"),
    } <= set(keys)
    assert sorted(keys) == schemas.default_validator().crd_kinds()


def test_go_only_regex_syntax_is_translated():
    rule = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
            "metadata": {"name": "orders", "namespace": "apps"},
            "spec": {"groups": [{"name": "orders", "partial_response_strategy": "WARN",
                                 "rules": [{"alert": "Down", "expr": "up == 0"}]}]}}
    assert errors_of(rule) == []
    assert_one_error(errors_of(changed(rule, "spec.groups.0.partial_response_strategy", "ignore")), "does not match")


def test_loading_is_lazy_and_happens_once(monkeypatch):
    calls = []
    real = schemas.load_crds

    def counting(directory):
        calls.append(directory)
        return real(directory)

    monkeypatch.setattr(schemas, "load_crds", counting)
    validator = ManifestValidator(crd_directory=REPO / "tests")
    for _attempt in range(3):
        assert validator.validate(CONFIGMAP, K8S) == []
    assert calls == []  # built-in kinds never touch the CRDs
    for _attempt in range(3):
        validator.validate({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}, K8S)
    assert len(calls) == 1
    assert schemas.default_validator() is schemas.default_validator()


# --------------------------------------------------------------------------- CRDs (synthetic)

WIDGET_CRD = """\
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            apiVersion: {type: string}
            kind: {type: string}
            metadata:
              type: object
              properties:
                name: {type: string, maxLength: 10}
            spec:
              type: object
              required: [size, mode]
              properties:
                size: {type: string, nullable: true}
                color: {type: string, enum: [red, blue], nullable: true}
                count: {type: integer, format: int32}
                mode: {type: string, default: fast}
                port:
                  x-kubernetes-int-or-string: true
                  anyOf: [{type: integer}, {type: string}]
                tags:
                  type: array
                  x-kubernetes-list-type: set
                  items: {type: string}
                ports:
                  type: array
                  x-kubernetes-list-type: map
                  x-kubernetes-list-map-keys: [name, protocol]
                  items:
                    type: object
                    required: [name]
                    properties:
                      name: {type: string}
                      protocol: {type: string, default: TCP}
                      port: {type: integer}
                template:
                  type: object
                  x-kubernetes-embedded-resource: true
                  x-kubernetes-preserve-unknown-fields: true
                strictTemplate:
                  type: object
                  x-kubernetes-embedded-resource: true
                  properties:
                    spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
                extra:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                  properties:
                    known: {type: integer}
                limit: {type: integer, minimum: 0, exclusiveMinimum: true}
                choice:
                  type: object
                  properties:
                    a: {type: string}
                    b: {type: string}
                  oneOf:
                    - required: [a]
                    - required: [b]
                rule:
                  type: string
                  x-kubernetes-validations:
                    - rule: self.startsWith('x')
                when: {type: string}
    - name: v1beta1
      served: false
      storage: false
      schema:
        openAPIV3Schema: {type: object}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: not-a-crd}
"""


@pytest.fixture(scope="module")
def widgets(tmp_path_factory):
    directory = tmp_path_factory.mktemp("crds")
    (directory / "example").mkdir()
    (directory / "example" / "widgets.yaml").write_text(WIDGET_CRD)
    return ManifestValidator(crd_directory=directory)


def widget(**spec):
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1", "namespace": "apps"},
            "spec": {"size": "L", **spec}}


def test_synthetic_valid_widget(widgets):
    assert widgets.crd_kinds() == [("example.com/v1", "Widget")]
    assert widgets.validate(widget(), K8S) == []  # mode is required but defaulted


@pytest.mark.parametrize("spec", [{"size": None}, {"color": None}, {"color": "red"}])
def test_nullable_field_accepts_null(widgets, spec):
    assert widgets.validate(widget(**spec), K8S) == []


@pytest.mark.parametrize(("spec", "fragment"), [
    ({"count": None}, "spec.count: None is not of type 'integer'"),
    ({"when": None}, "spec.when: None is not of type 'string'"),
    ({"color": "green"}, "spec.color: 'green' is not one of ['red', 'blue', None]"),
])
def test_non_nullable_field_rejects_null(widgets, spec, fragment):
    assert_one_error(widgets.validate(widget(**spec), K8S), fragment)


@pytest.mark.parametrize("port", [8080, "http"])
def test_synthetic_int_or_string(widgets, port):
    assert widgets.validate(widget(port=port), K8S) == []


def test_synthetic_int_or_string_rejects_bool(widgets):
    assert_one_error(widgets.validate(widget(port=True), K8S), "spec.port: True is not of type 'integer', 'string'")


def test_required_without_default_is_enforced(widgets):
    obj = widget()
    del obj["spec"]["size"]
    assert_one_error(widgets.validate(obj, K8S), "spec: 'size' is a required property")


def test_list_type_set_and_map(widgets):
    assert widgets.validate(widget(tags=["a", "b"], ports=[{"name": "a", "protocol": "TCP"}, {"name": "a", "protocol": "UDP"}]), K8S) == []
    assert_one_error(widgets.validate(widget(tags=["a", "b", "a"]), K8S), "spec.tags[2]: duplicate value \"a\"")
    assert_one_error(widgets.validate(widget(ports=[{"name": "a", "protocol": "TCP"}, {"name": "a", "protocol": "TCP"}]), K8S),
                     'spec.ports[1]: duplicate entry name="a", protocol="TCP"')
    # protocol defaults to TCP, so these two have the same key too
    assert_one_error(widgets.validate(widget(ports=[{"name": "a"}, {"name": "a", "protocol": "TCP"}]), K8S),
                     'spec.ports[1]: duplicate entry name="a", protocol="TCP"')


def test_embedded_resource(widgets):
    template = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}}, "spec": {"x": 1}}
    assert widgets.validate(widget(template=template, strictTemplate=template), K8S) == []
    assert widgets.validate(widget(strictTemplate=dict(template, status={})), K8S) == [
        "Widget/apps/w1: spec.strictTemplate.status: unknown field"
    ]
    assert widgets.validate(widget(template={"spec": {}}), K8S) == [
        "Widget/apps/w1: spec.template: 'apiVersion' is a required property",
        "Widget/apps/w1: spec.template: 'kind' is a required property",
    ]
    assert widgets.validate(widget(template=dict(template, metadata={"labelz": {}})), K8S) == [
        "Widget/apps/w1: spec.template.metadata.labelz: unknown field"
    ]


def test_preserve_unknown_fields_still_checks_declared_properties(widgets):
    assert widgets.validate(widget(extra={"known": 1, "anything": {"x": [1]}}), K8S) == []
    assert_one_error(widgets.validate(widget(extra={"known": "1"}), K8S), "spec.extra.known: '1' is not of type 'integer'")


def test_exclusive_minimum_and_junctors(widgets):
    assert_one_error(widgets.validate(widget(limit=0), K8S), "spec.limit: 0 is less than or equal to the minimum of 0")
    assert widgets.validate(widget(limit=1, choice={"a": "x"}), K8S) == []
    assert_one_error(widgets.validate(widget(choice={"a": "x", "b": "y"}), K8S), "spec.choice", "is valid under each of")
    assert widgets.validate(widget(choice={"c": "x"}), K8S) == [
        "Widget/apps/w1: spec.choice.c: unknown field",
        "Widget/apps/w1: spec.choice: {'c': 'x'} is not valid under any of the given schemas "
        "(closest: spec.choice: 'a' is a required property)",
    ]


def test_cel_rules_and_formats_are_not_evaluated(widgets):
    """Documented limitation: x-kubernetes-validations and format are ignored."""
    assert widgets.validate(widget(rule="does-not-start-with-x", count=2**40), K8S) == []


def test_root_fields(widgets):
    assert widgets.validate(dict(widget(), kind="Widgets"), K8S) == ["Widgets/apps/w1: no schema for example.com/v1 Widgets"]
    assert widgets.validate(dict(widget(), status={}), K8S) == ["Widget/apps/w1: status: unknown field"]
    # what the CRD says about metadata.name applies on top of ObjectMeta
    assert_one_error(widgets.validate(changed(widget(), "metadata.name", "w" * 11), K8S),
                     "metadata.name: 'wwwwwwwwwww' is too long")
    assert_one_error(widgets.validate(changed(widget(), "metadata.uid", "123"), K8S), "metadata.uid: unknown field")
    assert widgets.validate(changed(widget(), "apiVersion", "example.com/v1beta1"), K8S) == [
        "Widget/apps/w1: no schema for example.com/v1beta1 Widget (served for this kind: example.com/v1)"
    ]


def test_conversion_rejects_unknown_keywords():
    with pytest.raises(schemas.SchemaConversionError, match="unsupported OpenAPI keyword '\\$ref'"):
        schemas.openapi_to_json_schema({"type": "object", "properties": {"a": {"$ref": "#/x"}}})


def test_conversion_of_a_nested_schema():
    converted = schemas.openapi_to_json_schema({
        "type": "object",
        "properties": {"a": {"type": "string", "nullable": True, "format": "date-time", "description": "x"}},
    })
    assert converted == {
        "type": "object",
        "properties": {"a": {"type": ["string", "null"]}},
        "additionalProperties": False,
        "$schema": "http://json-schema.org/draft-07/schema#",
    }
    jsonschema.Draft7Validator.check_schema(converted)


def test_duplicate_crds_are_a_setup_error(tmp_path):
    (tmp_path / "a.yaml").write_text(WIDGET_CRD)
    (tmp_path / "b.yml").write_text(WIDGET_CRD)
    with pytest.raises(SchemaSetupError, match="defined twice"):
        ManifestValidator(crd_directory=tmp_path).crd_kinds()


def test_a_renders_own_crds_give_schemas_to_kinds_the_directory_lacks_and_never_replace_its_own(tmp_path):
    """A chart that installs its own CRDs (crds/): its custom resources are validated against them, as the API server
    would once Helm installed them; a kind the reference directory knows keeps the reference schema."""
    (tmp_path / "empty").mkdir()
    (crd,) = [doc for doc in yaml.safe_load_all(WIDGET_CRD) if doc and doc["kind"] == "CustomResourceDefinition"]
    plain = ManifestValidator(crd_directory=tmp_path / "empty")
    assert plain.validate(widget(), K8S) == ["Widget/apps/w1: no schema for example.com/v1 Widget"]
    with_render = ManifestValidator(crd_directory=tmp_path / "empty", extra_crds=[crd, {"kind": "ConfigMap"}])
    assert with_render.validate(widget(), K8S) == []
    assert with_render.validate(widget(color="green"), K8S) != []
    (tmp_path / "reference").mkdir()
    stricter = copy.deepcopy(crd)
    stricter["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["required"] = ["never"]
    (tmp_path / "reference" / "widgets.yaml").write_text(yaml.safe_dump(stricter))
    reference_first = ManifestValidator(crd_directory=tmp_path / "reference", extra_crds=[crd])
    assert reference_first.validate(widget(), K8S) != [], "the reference CRD, not the render's copy"


def test_missing_listed_crd_files_are_a_setup_error(tmp_path):
    (tmp_path / "widgets.yaml").write_text(WIDGET_CRD)
    validator = ManifestValidator(crd_directory=tmp_path, expected_files=["widgets.yaml", "strimzi/043-Crd-kafkatopic.yaml"])
    with pytest.raises(SchemaSetupError, match="043-Crd-kafkatopic.yaml.*make schemas"):
        validator.validate(widget(), K8S)


# --------------------------------------------------------------------------- crd_dir()


def test_crd_dir_prefers_shared(tmp_path):
    repo = tmp_path / "main"
    (tmp_path / "shared" / "schemas" / "crds").mkdir(parents=True)
    (repo / ".cache" / "schemas" / "crds").mkdir(parents=True)
    assert schemas.crd_dir(repo).resolve() == (tmp_path / "shared" / "schemas" / "crds").resolve()


def test_crd_dir_falls_back_to_the_cache(tmp_path):
    repo = tmp_path / "main"
    (repo / ".cache" / "schemas" / "crds").mkdir(parents=True)
    assert schemas.crd_dir(repo) == repo / ".cache" / "schemas" / "crds"


def test_crd_dir_missing_tells_to_run_make_schemas(tmp_path):
    with pytest.raises(SchemaSetupError, match="run `make schemas`"):
        schemas.crd_dir(tmp_path / "main")


def test_crd_dir_default_is_relative_to_the_repo():
    if SHARED_CRDS.is_dir():
        assert schemas.crd_dir().resolve() == SHARED_CRDS.resolve()
    assert schemas.REPO_ROOT == REPO


# --------------------------------------------------------------------------- crd_sources.yml

SOURCES = REPO / "tests" / "support" / "crd_sources.yml"


def test_crd_sources_file_is_well_formed():
    entries = fetch_schemas.read_sources(SOURCES)
    assert len(entries) == 33
    for entry in entries:
        parts = urllib.parse.urlsplit(entry["url"])
        assert parts.scheme == "https" and parts.netloc == "raw.githubusercontent.com", entry
        assert parts.path.split("/")[3] == entry["tag"], entry  # /<owner>/<repo>/<tag>/<path>
        assert len(entry["commit"]) == 40


def test_crd_sources_match_the_local_files():
    """Every listed file is in crd_dir() with the listed sha256 and size (../shared: and nothing else)."""
    directory = schemas.crd_dir()
    entries = {e["path"]: e for e in fetch_schemas.read_sources(SOURCES)}
    for rel, entry in entries.items():
        data = (directory / rel).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], rel
        assert len(data) == entry["size"], rel
    if directory.resolve() == SHARED_CRDS.resolve():
        assert sorted(entries) == sorted(str(p.relative_to(directory)) for p in directory.rglob("*.yaml"))


@pytest.mark.skipif(not SHARED_CRDS.is_dir(), reason=(
    "../shared/schemas/crds is absent, so there is no README to compare crd_sources.yml with: the CRDs come from "
    "make schemas (.cache/schemas/crds), and test_crd_sources_match_the_local_files checks their sha256s"))
def test_crd_sources_match_the_shared_readme():
    entries = fetch_schemas.read_sources(SOURCES)
    readme = {}
    for line in (SHARED_CRDS / "README.md").read_text().splitlines():
        if line.startswith("- ") and line.count("|") == 6:
            local, repo, path, tag, commit, size, sha = (part.strip() for part in line[2:].split("|"))
            readme[local] = ("https://raw.githubusercontent.com/%s/%s/%s" % (repo, tag, path), sha, commit, size)
    assert readme == {e["path"]: (e["url"], e["sha256"], e["commit"], "%d B" % e["size"]) for e in entries}


# --------------------------------------------------------------------------- fetch_schemas.py


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):
        self.server.requests.append(self.path)
        super().do_GET()


@pytest.fixture
def server(tmp_path, monkeypatch):
    """A local HTTP server over tmp_path/www; yields (www directory, base URL, request paths)."""
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    www = tmp_path / "www"
    www.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(www)))
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield www, "http://127.0.0.1:%d/mirror" % httpd.server_address[1], httpd.requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


FILES = {
    "acme/widgets.yaml": ("acme/crds/v1.0.0/deploy/widgets.yaml", b"kind: CustomResourceDefinition\n# widgets\n"),
    "acme/gadgets.yaml": ("acme/crds/v1.0.0/deploy/gadgets.yaml", b"kind: CustomResourceDefinition\n# gadgets\n"),
}


def write_sources(tmp_path, files=None, sha_override=None):
    entries = []
    for rel, (url_path, content) in (files or FILES).items():
        sha = (sha_override or {}).get(rel) or hashlib.sha256(content).hexdigest()
        entries.append({"path": rel, "url": "https://raw.githubusercontent.com/" + url_path, "sha256": sha})
    path = tmp_path / "sources.yml"
    path.write_text(yaml.safe_dump({"crds": entries}))
    return path


def publish(www, files=None):
    for url_path, content in (files or FILES).values():
        target = www / "mirror" / url_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def run_fetch(sources, dest, base_url, capsys):
    rc = fetch_schemas.fetch(sources, dest, base_url, timeout=10)
    out, err = capsys.readouterr()
    return rc, out, err


def test_fetch_downloads_then_skips(server, tmp_path, capsys):
    www, base, requests = server
    publish(www)
    sources, dest = write_sources(tmp_path), tmp_path / "cache"
    rc, out, err = run_fetch(sources, dest, base, capsys)
    assert (rc, err) == (0, "")
    assert out == "fetch_schemas: 2 CRD files in %s: 2 downloaded, 0 already present, 0 failed\n" % dest
    for rel, (_url, content) in FILES.items():
        assert (dest / rel).read_bytes() == content
    assert sorted(requests) == ["/mirror/acme/crds/v1.0.0/deploy/gadgets.yaml", "/mirror/acme/crds/v1.0.0/deploy/widgets.yaml"]
    requests.clear()
    rc, out, err = run_fetch(sources, dest, base, capsys)
    assert rc == 0 and "0 downloaded, 2 already present, 0 failed" in out
    assert requests == []


def test_fetch_replaces_a_corrupted_file(server, tmp_path, capsys):
    www, base, requests = server
    publish(www)
    sources, dest = write_sources(tmp_path), tmp_path / "cache"
    (dest / "acme").mkdir(parents=True)
    (dest / "acme" / "widgets.yaml").write_bytes(b"truncated")
    (dest / "acme" / "gadgets.yaml").write_bytes(FILES["acme/gadgets.yaml"][1])
    rc, out, err = run_fetch(sources, dest, base, capsys)
    assert rc == 0 and "1 downloaded, 1 already present, 0 failed" in out
    assert "acme/widgets.yaml has the wrong sha256" in err
    assert (dest / "acme" / "widgets.yaml").read_bytes() == FILES["acme/widgets.yaml"][1]
    assert requests == ["/mirror/acme/crds/v1.0.0/deploy/widgets.yaml"]


def test_fetch_sha_mismatch_fails_loudly_and_keeps_nothing(server, tmp_path, capsys):
    www, base, _requests = server
    publish(www)
    wrong = hashlib.sha256(b"something else").hexdigest()
    sources, dest = write_sources(tmp_path, sha_override={"acme/widgets.yaml": wrong}), tmp_path / "cache"
    rc, out, err = run_fetch(sources, dest, base, capsys)
    assert rc == 1
    assert "FAILED acme/widgets.yaml from %s/acme/crds/v1.0.0/deploy/widgets.yaml: sha256 mismatch: expected %s, got %s" % (
        base, wrong, hashlib.sha256(FILES["acme/widgets.yaml"][1]).hexdigest()) in err
    assert "1 downloaded, 0 already present, 1 failed" in out
    assert sorted(str(p.relative_to(dest)) for p in dest.rglob("*")) == ["acme", "acme/gadgets.yaml"]  # no partial file


def test_fetch_http_error_fails(server, tmp_path, capsys):
    www, base, _requests = server
    publish(www, {"acme/gadgets.yaml": FILES["acme/gadgets.yaml"]})
    rc, out, err = run_fetch(write_sources(tmp_path), tmp_path / "cache", base, capsys)
    assert rc == 1
    assert "FAILED acme/widgets.yaml" in err and "HTTP Error 404" in err
    assert "1 downloaded, 0 already present, 1 failed" in out


def test_fetch_stops_after_a_connection_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    import socket
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    rc, out, err = run_fetch(write_sources(tmp_path), tmp_path / "cache", "http://127.0.0.1:%d" % port, capsys)
    assert rc == 1
    assert err.count("FAILED") == 1 and "1 more not attempted after the connection error" in err
    assert "0 downloaded, 0 already present, 2 failed" in out
    assert not (tmp_path / "cache" / "acme").exists()


@pytest.mark.parametrize(("entry", "message"), [
    ({"path": "../evil.yaml"}, "must be relative"),
    ({"path": "/etc/evil.yaml"}, "must be relative"),
    ({"sha256": "abc"}, "sha256 must be 64"),
    ({"url": "file:///etc/passwd"}, "url must be http"),
])
def test_read_sources_rejects_bad_entries(tmp_path, entry, message):
    good = {"path": "a/b.yaml", "url": "https://example.com/b.yaml", "sha256": "0" * 64}
    path = tmp_path / "sources.yml"
    path.write_text(yaml.safe_dump({"crds": [dict(good, **entry)]}))
    with pytest.raises(fetch_schemas.SourcesError, match=message):
        fetch_schemas.read_sources(path)


def test_rebase():
    url = "https://raw.githubusercontent.com/o/r/v1/x.yaml"
    assert fetch_schemas.rebase(url, None) == url
    assert fetch_schemas.rebase(url, "http://127.0.0.1:8000/mirror/") == "http://127.0.0.1:8000/mirror/o/r/v1/x.yaml"


def test_fetch_command_line_with_env_base_url(server, tmp_path):
    www, base, _requests = server
    publish(www)
    env = dict(os.environ, EVENTSTACK_SCHEMAS_BASE_URL=base, no_proxy="127.0.0.1", NO_PROXY="127.0.0.1")
    cmd = [sys.executable, str(REPO / "scripts" / "fetch_schemas.py"), "--sources", str(write_sources(tmp_path)),
           "--dest", str(tmp_path / "cache")]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "fetch_schemas: 2 CRD files in %s: 2 downloaded, 0 already present, 0 failed" % (tmp_path / "cache")
    ]
    bad = subprocess.run(cmd[:2] + ["--sources", str(tmp_path / "missing.yml")], env=env, capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "missing.yml" in bad.stderr


def test_fetch_of_the_real_list_fills_a_cache_the_validator_uses(server, tmp_path, capsys):
    """End to end: the real crd_sources.yml, served locally from crd_dir(), then validation from the cache."""
    www, base, _requests = server
    for entry in fetch_schemas.read_sources(SOURCES):
        target = www / "mirror" / urllib.parse.urlsplit(entry["url"]).path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(schemas.crd_dir() / entry["path"], target)
    dest = tmp_path / "repo" / ".cache" / "schemas" / "crds"
    rc, out, err = run_fetch(SOURCES, dest, base, capsys)
    assert (rc, err) == (0, "") and "33 downloaded" in out
    assert schemas.crd_dir(tmp_path / "repo") == dest
    validator = ManifestValidator(crd_directory=dest, expected_files=schemas.expected_crd_files())
    assert validator.validate(KAFKA_TOPIC, K8S) == []
    assert validator.crd_kinds() == schemas.default_validator().crd_kinds()
