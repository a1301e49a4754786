"""The apps role's service completion (apps_services) and cross-checks (apps_problems)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils._apps import apps_problems, effective_services
from ansible_collections.eventstack.oke.plugins.module_utils import _capacity
from ansible_collections.eventstack.oke.plugins.module_utils._apps import namespace_pods

RESOURCES = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}}
DEFAULTS = {"image_registry": "fra.ocir.io/ns", "image_tag": "4f2a9c1", "replicas": 1, "resources": RESOURCES,
            "env": {"LOG_FORMAT": "json"}, "hpa_enabled": True, "hpa_cpu": 70,
            "database": {"secret_name": "db-credentials", "secret_key": "DATABASE_URL", "env": "DATABASE_URL"}}
SIDECAR = {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "300m", "memory": "256Mi"}}
KNOWN = {"db-credentials": ["DATABASE_URL"], "jwt-secret": ["JWT_SECRET"]}


def services(*entries, overrides=None, **defaults):
    return effective_services(list(entries), overrides, dict(DEFAULTS, **defaults))


def backend(**changes):
    return dict({"name": "todo-backend", "app_id": "todo-backend", "port": 8000, "image": "todo-backend",
                 "route": "/api", "database": True, "hpa": {"min": 1, "max": 3},
                 "secret_env": [{"name": "JWT_SECRET", "secret": "jwt-secret", "key": "JWT_SECRET"}]}, **changes)


def test_completion_fills_image_probes_env_and_autoscaling():
    [service] = services(backend(env={"WORKERS": 2}))
    assert service["image"] == "fra.ocir.io/ns/todo-backend:4f2a9c1"
    assert service["probes"] == {"liveness": "/health", "readiness": "/ready"}
    assert service["env"] == {"LOG_FORMAT": "json", "WORKERS": "2"}
    assert [item["name"] for item in service["secret_env"]] == ["DATABASE_URL", "JWT_SECRET"]
    assert service["secret_env"][0] == {"name": "DATABASE_URL", "secret": "db-credentials", "key": "DATABASE_URL"}
    assert service["hpa"] == {"min": 1, "max": 3, "cpu": 70}
    assert (service["min_replicas"], service["max_replicas"], service["pdb"]) == (1, 3, False)
    assert service["dapr"] is True and service["resources"] == RESOURCES


def test_overrides_replace_keys_and_a_digest_is_pinned_with_an_at():
    digest = "sha256:" + "a" * 64
    [service] = services(backend(), overrides={"todo-backend": {"hpa": {"min": 2, "max": 6, "cpu": 60},
                                                                "image_tag": digest, "probes": {"readiness": "/rdy"}}})
    assert service["image"] == "fra.ocir.io/ns/todo-backend@" + digest
    assert service["hpa"] == {"min": 2, "max": 6, "cpu": 60} and service["pdb"] is True
    assert service["probes"] == {"liveness": "/health", "readiness": "/rdy"}


def test_hpas_off_or_removed_give_fixed_replicas():
    [off] = services(backend(replicas=2), hpa_enabled=False)
    assert off["hpa"] is None and (off["min_replicas"], off["pdb"]) == (2, True)
    [removed] = services(backend(), overrides={"todo-backend": {"hpa": None}})
    assert removed["hpa"] is None and removed["max_replicas"] == 1


def test_consistent_services_have_no_problems():
    assert apps_problems(services(backend(), {"name": "todo-frontend", "app_id": "todo-frontend", "port": 3000,
                                              "route": "/"}), {"known_secrets": KNOWN}) == []


@pytest.mark.parametrize("tag, expected", [
    ("", "no image tag; deploy with -e apps_image_tag=<tag>"),
    ("latest", "image tag 'latest' cannot be rolled back to"),
    ("feature/x", "image tag 'feature/x' is not a valid tag"),
])
def test_image_tags_that_cannot_be_deployed(tag, expected):
    [problem] = apps_problems(services(backend(), image_tag=tag), {"known_secrets": KNOWN})
    assert problem.startswith("eventstack_services[0] (todo-backend): ") and expected in problem


def test_resources_must_be_complete_parsable_and_ordered():
    broken = {"requests": {"cpu": "1", "memory": "lots"}, "limits": {"cpu": "500m"}}
    problems = apps_problems(services(backend(resources=broken)), {"known_secrets": KNOWN})
    assert "eventstack_services[0] (todo-backend): resources.limits.memory is missing; every container needs " \
           "requests and limits (set apps_resources or the service's resources)" in problems
    assert any("resources.requests.memory 'lots' is not a Kubernetes quantity" in p for p in problems)
    assert any("resources.requests.cpu is above resources.limits.cpu" in p for p in problems)


def test_probes_replicas_hpa_and_routes():
    entries = [backend(probes={"liveness": "health", "startup": "/s"}, replicas=0, hpa={"min": 3, "max": 2}),
               dict(backend(name="other", app_id="other", hpa={"min": 1, "max": 2, "cpu": 150}), route="/api")]
    problems = apps_problems(services(*entries), {"known_secrets": KNOWN})
    text = "\n".join(problems)
    assert "probes.liveness 'health' must be an absolute HTTP path" in text
    assert "probes.startup: only liveness and readiness are known" in text
    assert "replicas 0 must be an integer of at least 1" in text
    assert "hpa needs 1 <= min <= max (min 3, max 2)" in text
    assert "hpa.cpu 150 must be a utilisation percentage, 1-100" in text
    assert "eventstack_services[1] (other): route '/api' is already todo-backend's" in text


def test_routes_need_the_ingress_role():
    problems = apps_problems(services(backend()), {"known_secrets": KNOWN, "ingress_enabled": False})
    assert problems == ["eventstack_services[0] (todo-backend): route '/api' needs the ingress role "
                        "(ingress_state: present)"]


def test_env_names_and_secret_references():
    entry = backend(env={"bad-name": "x", "JWT_SECRET": "clash"},
                    secret_env=[{"name": "API_KEY", "secret": "cohere-api-key", "key": "COHERE_API_KEY"}])
    problems = apps_problems(services(entry), {"known_secrets": KNOWN})
    text = "\n".join(problems)
    assert "env name 'bad-name' must be a C identifier" in text
    assert "secret_env API_KEY refers to cohere-api-key/COHERE_API_KEY, which neither k8s_base_secrets nor the " \
           "database role creates (known: db-credentials, jwt-secret)" in text
    clash = apps_problems(services(backend(env={"JWT_SECRET": "x"})), {"known_secrets": KNOWN})
    assert clash == ["eventstack_services[0] (todo-backend): env JWT_SECRET is set twice (env, secret_env or "
                     "database)"]


def test_usage_counts_one_surge_pod_sidecars_extra_pods_and_limit_range_defaults():
    entries = services(backend(hpa={"min": 2, "max": 6}),
                       {"name": "worker", "app_id": "worker", "port": 8000, "dapr": False})
    groups = namespace_pods(entries, SIDECAR, [(1, {"requests": {"cpu": "100m", "memory": "256Mi"}})],
                            {"default_cpu": "500m", "default_memory": "512Mi"}, "todo-app")
    # backend: (2 + 1) pods x (app + sidecar); worker: (1 + 1) pods x app; database: 1 pod without limits.
    assert [(g["name"], g["namespace"], g["replicas"]) for g in groups] == [
        ("deployment todo-backend", "todo-app", 3), ("deployment worker", "todo-app", 2), ("database", "todo-app", 1)]
    usage = _capacity.total(groups)
    assert usage["requests"]["cpu"] == Decimal("0.45") + Decimal("0.2") + Decimal("0.1")
    assert usage["limits"]["cpu"] == Decimal("2.4") + Decimal("1.0") + Decimal("0.5")
    assert usage["limits"]["memory"] == (3 * 768 + 2 * 512 + 512) * 2 ** 20


def test_limit_range_defaults_are_applied_as_admission_applies_them():
    # A container that sets limits but no requests asks its limits (not the LimitRange's defaultRequest); one that
    # sets neither gets default as limits and defaultRequest as requests, or default for both when the LimitRange
    # has no defaultRequest.
    only_limits = {"limits": {"cpu": "400m", "memory": "256Mi"}}
    ranges = {"default_cpu": "1", "default_memory": "1Gi", "default_request_cpu": "50m",
              "default_request_memory": "64Mi"}
    (group,) = namespace_pods([], extra_pods=[(1, only_limits)], limit_range=ranges)
    assert group["pod"]["requests"] == {"cpu": Decimal("0.4"), "memory": Decimal(256 * 2 ** 20)}
    (group,) = namespace_pods([], extra_pods=[(1, {})], limit_range=ranges)
    assert group["pod"]["requests"] == {"cpu": Decimal("0.05"), "memory": Decimal(64 * 2 ** 20)}
    assert group["pod"]["limits"] == {"cpu": Decimal("1"), "memory": Decimal(2 ** 30)}
    (group,) = namespace_pods([], extra_pods=[(1, {})], limit_range={"default_cpu": "1", "default_memory": "1Gi"})
    assert group["pod"]["requests"] == {"cpu": Decimal("1"), "memory": Decimal(2 ** 30)}
    quota = {"requests_cpu": "1"}
    assert apps_problems([], {"namespace": "todo-app", "quota": quota, "limit_range": ranges,
                              "extra_pods": [(3, only_limits)]})[0].startswith(
        "k8s_base_namespaces (todo-app).quota.requests_cpu is 1, but the apps need 1.2 while they roll out")


def test_a_quota_the_rollout_would_exceed_is_named_with_the_figure():
    quota = {"requests_cpu": "500m", "requests_memory": "4Gi", "limits_cpu": "8", "pods": 30}
    # 3 pods x (100m + 50m) = 450m fits; the HPA maximum of 6 is not held against the quota.
    assert apps_problems(services(backend(hpa={"min": 2, "max": 6})),
                         {"known_secrets": KNOWN, "namespace": "todo-app", "quota": quota, "sidecar": SIDECAR}) == []
    assert apps_problems(services(backend(hpa={"min": 4, "max": 6})),
                         {"known_secrets": KNOWN, "namespace": "todo-app", "quota": quota, "sidecar": SIDECAR}) == [
        "k8s_base_namespaces (todo-app).quota.requests_cpu is 500m, but the apps need 0.75 while they roll out "
        "(every Deployment at its replicas or HPA minimum plus one surge pod, Dapr sidecars and database instances "
        "included): raise the quota or lower the services' replicas, hpa.min or resources"]


def test_unknown_keys_and_overrides_of_no_service_are_named():
    entries = services(backend(), overrides={"todo-backend": {"replica": 2}, "todo-backnd": {"replicas": 2}})
    problems = apps_problems(entries, {"known_secrets": KNOWN, "override_names": ["todo-backend", "todo-backnd"]})
    assert problems[0].startswith("eventstack_services[0] (todo-backend): unknown key 'replica' (in the service or "
                                  "its apps_overrides entry); known keys: app_id, automount_token, calls, dapr, database")
    assert problems[1:] == ["apps_overrides: 'todo-backnd' is not the name of a service in eventstack_services "
                            "(todo-backend)"]
