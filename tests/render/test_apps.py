"""The apps role as rendered for each inventory, cross-checked with what the other roles render."""

from __future__ import annotations

from decimal import Decimal


from ansible_collections.eventstack.oke.plugins.module_utils._quantity import parse_quantity
from tests.support import schemas
from tests.support.playbook import inventory_vars, of_kind, render


def kinds(by_file, kind, name="apps.yaml"):
    return of_kind(by_file, kind, name)


def everything(by_file):
    return [obj for objects in by_file.values() for obj in objects]


def pod_specs(by_file):
    for deployment in kinds(by_file, "Deployment"):
        yield deployment, deployment["spec"]["template"]


def test_one_deployment_service_and_account_per_service(rendered_site):
    env_name, by_file = rendered_site
    names = sorted(s["name"] for s in inventory_vars(env_name)["eventstack_services"])
    for kind in ("Deployment", "Service", "ServiceAccount"):
        assert sorted(o["metadata"]["name"] for o in kinds(by_file, kind)) == names, kind
    version = inventory_vars(env_name)["eventstack_kubernetes_version"]
    assert [e for obj in by_file["apps.yaml"] for e in schemas.validate(obj, version)] == []


def test_every_container_has_requests_limits_probes_and_a_restricted_security_context(rendered_site):
    _env, by_file = rendered_site
    for deployment, template in pod_specs(by_file):
        spec, where = template["spec"], deployment["metadata"]["name"]
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["runAsUser"] > 0, where
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, where
        for container in spec["containers"]:
            for section in ("requests", "limits"):
                for key in ("cpu", "memory"):
                    assert parse_quantity(container["resources"][section][key]) > 0, (where, section, key)
            for probe in ("livenessProbe", "readinessProbe"):
                assert container[probe]["httpGet"]["path"].startswith("/"), (where, probe)
                assert container[probe]["httpGet"]["port"] in [p["name"] for p in container["ports"]]
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False and context["capabilities"] == {"drop": ["ALL"]}
            assert context.get("privileged") is not True
        strategy = deployment["spec"]["strategy"]
        assert strategy == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}


def test_sidecars_have_resources_and_use_the_rendered_configuration(rendered_site):
    _env, by_file = rendered_site
    (configuration,) = kinds(by_file, "Configuration", "dapr.yaml")
    for deployment, template in pod_specs(by_file):
        notes = template["metadata"]["annotations"]
        assert notes["dapr.io/enabled"] == "true"
        assert notes["dapr.io/config"] == configuration["metadata"]["name"]
        assert notes["dapr.io/app-port"] == str(template["spec"]["containers"][0]["ports"][0]["containerPort"])
        for key in ("cpu-request", "memory-request", "cpu-limit", "memory-limit"):
            assert parse_quantity(notes["dapr.io/sidecar-" + key]) > 0, (deployment["metadata"]["name"], key)
        assert notes["dapr.io/log-as-json"] == "true"


def test_every_dapr_app_id_is_expected_by_a_component_or_subscription_and_the_other_way_round(rendered_site):
    _env, by_file = rendered_site
    app_ids = {template["metadata"]["annotations"]["dapr.io/app-id"] for _d, template in pod_specs(by_file)}
    dapr = by_file["dapr.yaml"]
    scoped = {app_id for obj in dapr if obj["kind"] in ("Component", "Subscription")
              for app_id in obj.get("scopes") or []}
    assert app_ids - scoped == {"todo-frontend"}, "only the frontend uses no component"
    assert scoped <= app_ids, "a component or subscription is scoped to an app that is not deployed"


def test_env_from_secrets_names_rendered_secret_keys(rendered_site):
    _env, by_file = rendered_site
    secrets = {(s["metadata"]["namespace"], s["metadata"]["name"]): set(s.get("data") or {}) | set(
        s.get("stringData") or {}) for s in everything(by_file) if s["kind"] == "Secret"}
    refs = 0
    for deployment, template in pod_specs(by_file):
        for item in template["spec"]["containers"][0]["env"]:
            ref = (item.get("valueFrom") or {}).get("secretKeyRef")
            if ref:
                refs += 1
                assert ref["key"] in secrets[deployment["metadata"]["namespace"], ref["name"]], ref
    assert refs >= 4  # backend: DATABASE_URL, JWT_SECRET, COHERE_API_KEY; recurring worker: DATABASE_URL
    backend = [t for d, t in pod_specs(by_file) if d["metadata"]["name"] == "todo-backend"][0]
    assert {"name": "LOG_FORMAT", "value": "json"} in backend["spec"]["containers"][0]["env"]


def test_tokens_only_where_daprd_reads_secrets_and_roles_name_those_secrets(rendered_site):
    env_name, by_file = rendered_site
    services = {s["name"]: s for s in inventory_vars(env_name)["eventstack_services"]}
    roles = {r["metadata"]["name"]: r for r in kinds(by_file, "Role")}
    bindings = {b["metadata"]["name"]: b for b in kinds(by_file, "RoleBinding")}
    for account in kinds(by_file, "ServiceAccount"):
        name = account["metadata"]["name"]
        wanted = bool(services[name].get("secrets"))
        assert account["automountServiceAccountToken"] is wanted, name
        if wanted:
            assert roles[name + "-secrets"]["rules"] == [{"apiGroups": [""], "resources": ["secrets"],
                                                          "resourceNames": sorted(services[name]["secrets"]),
                                                          "verbs": ["get"]}]
            assert bindings[name + "-secrets"]["subjects"] == [{"kind": "ServiceAccount", "name": name,
                                                                "namespace": account["metadata"]["namespace"]}]
    assert all(binding["roleRef"]["kind"] == "Role" for binding in bindings.values()), "no ClusterRole binding"


def test_services_select_their_pods_and_autoscalers_and_budgets_target_them(rendered_site):
    _env, by_file = rendered_site
    deployments = {d["metadata"]["name"]: d for d in kinds(by_file, "Deployment")}
    for service in kinds(by_file, "Service"):
        template = deployments[service["metadata"]["name"]]["spec"]["template"]
        assert service["spec"]["selector"].items() <= template["metadata"]["labels"].items()
        assert service["spec"]["ports"][0]["targetPort"] == "http"
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in kinds(by_file, "HorizontalPodAutoscaler")}
    assert "todo-backend" in hpas
    for name, deployment in deployments.items():
        if name in hpas:
            assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
            assert 1 <= hpas[name]["spec"]["minReplicas"] <= hpas[name]["spec"]["maxReplicas"]
        minimum = hpas[name]["spec"]["minReplicas"] if name in hpas else deployment["spec"]["replicas"]
        budgets = [p for p in kinds(by_file, "PodDisruptionBudget") if p["metadata"]["name"] == name]
        assert len(budgets) == (1 if minimum > 1 else 0), name
        for budget in budgets:
            assert budget["spec"]["selector"] == deployment["spec"]["selector"]


def _requests(resources, section, key):
    return parse_quantity(((resources or {}).get(section) or {}).get(key, 0))


def test_quotas_hold_what_the_namespace_runs_while_every_deployment_rolls(rendered_site):
    """Recomputed from the rendered objects: Deployments at replicas or HPA minimum plus one surge pod, each with
    its sidecar (annotations), and the PostgreSQL instances; containers without a value get the LimitRange's."""
    _env, by_file = rendered_site
    objects = everything(by_file)
    hpa_min = {h["spec"]["scaleTargetRef"]["name"]: h["spec"]["minReplicas"]
               for h in objects if h["kind"] == "HorizontalPodAutoscaler"}
    checked = 0
    for quota in (o for o in objects if o["kind"] == "ResourceQuota"):
        namespace = quota["metadata"]["namespace"]
        ranges = [l for l in objects if l["kind"] == "LimitRange" and l["metadata"]["namespace"] == namespace]
        defaults = ranges[0]["spec"]["limits"][0] if ranges else {}
        pods = []  # (count, [resources])
        for deployment in (o for o in objects if o["kind"] == "Deployment" and o["metadata"]["namespace"] == namespace):
            template = deployment["spec"]["template"]
            count = deployment["spec"].get("replicas", hpa_min.get(deployment["metadata"]["name"], 1)) + 1
            notes = template["metadata"].get("annotations") or {}
            sidecar = {"requests": {"cpu": notes["dapr.io/sidecar-cpu-request"],
                                    "memory": notes["dapr.io/sidecar-memory-request"]},
                       "limits": {"cpu": notes["dapr.io/sidecar-cpu-limit"],
                                  "memory": notes["dapr.io/sidecar-memory-limit"]}} if notes else None
            pods.append((count, [c["resources"] for c in template["spec"]["containers"]] + [sidecar] * bool(sidecar)))
        for cluster in (o for o in objects if o["kind"] == "Cluster" and o["metadata"]["namespace"] == namespace):
            pods.append((cluster["spec"]["instances"], [cluster["spec"].get("resources")]))
        if not pods:
            continue
        checked += 1
        fields = {"requests.cpu": ("requests", "cpu", "defaultRequest"),
                  "requests.memory": ("requests", "memory", "defaultRequest"),
                  "limits.cpu": ("limits", "cpu", "default"), "limits.memory": ("limits", "memory", "default")}
        for field, (section, key, default_key) in fields.items():
            if field not in quota["spec"]["hard"]:
                continue
            used = Decimal(0)
            for count, containers in pods:
                for resources in containers:
                    value = ((resources or {}).get(section) or {}).get(key) or (defaults.get(default_key) or {}).get(key)
                    used += count * parse_quantity(value or 0)
            assert used <= parse_quantity(quota["spec"]["hard"][field]), (namespace, field, used)
        if "pods" in quota["spec"]["hard"]:
            assert sum(count for count, _c in pods) <= int(quota["spec"]["hard"]["pods"])
    assert checked >= 1, "the application namespace has a quota and workloads"


def test_routes_attach_to_the_rendered_gateway_and_reach_rendered_services(rendered_site):
    env_name, by_file = rendered_site
    (route,) = kinds(by_file, "HTTPRoute")
    (gateway,) = kinds(by_file, "Gateway", "ingress.yaml")
    (parent,) = route["spec"]["parentRefs"]
    assert (parent["name"], parent["namespace"]) == (gateway["metadata"]["name"], gateway["metadata"]["namespace"])
    listener = [l for l in gateway["spec"]["listeners"] if l["name"] == parent["sectionName"]]
    assert listener, "the route attaches to a listener the Gateway does not have"
    allowed = listener[0]["allowedRoutes"]["namespaces"]["selector"]
    values = allowed.get("matchLabels", {}).get("kubernetes.io/metadata.name") or \
        allowed["matchExpressions"][0]["values"]
    assert route["metadata"]["namespace"] in values
    hostname = inventory_vars(env_name).get("ingress_hostname")
    assert route["spec"].get("hostnames", []) == ([hostname] if hostname else [])
    services = {s["metadata"]["name"]: s for s in kinds(by_file, "Service")}
    paths = {}
    for rule in route["spec"]["rules"]:
        (backend,) = rule["backendRefs"]
        assert backend["port"] in [p["port"] for p in services[backend["name"]]["spec"]["ports"]]
        paths[rule["matches"][0]["path"]["value"]] = backend["name"]
    assert paths["/"] == "todo-frontend" and paths["/api"] == "todo-backend"


def test_images_carry_the_tag_and_a_deploy_tag_overrides_it(tmp_path):
    by_file, _releases = render("local", tmp_path, "--tags", "apps", apps_image_tag="4f2a9c1")
    images = [d["spec"]["template"]["spec"]["containers"][0]["image"] for d in kinds(by_file, "Deployment")]
    assert images and all(image.endswith(":4f2a9c1") for image in images), images
    assert "fra.ocir.io/mytenancynamespace/todo-backend:4f2a9c1" in images
    assert set(by_file) == {"apps.yaml"}


def test_ingress_nginx_gets_one_ingress_with_tls_from_cert_manager(tmp_path):
    by_file, _releases = render("local", tmp_path, "--tags", "ingress,apps", ingress_controller="ingress_nginx",
                                ingress_tls="cert_manager", ingress_hostname="todo.example.com",
                                ingress_cert_manager_email="ops@example.com")
    assert kinds(by_file, "HTTPRoute") == []
    (ingress,) = kinds(by_file, "Ingress")
    assert ingress["spec"]["ingressClassName"] == "eventstack"
    assert ingress["metadata"]["annotations"] == {"cert-manager.io/cluster-issuer": "letsencrypt-staging"}
    assert ingress["spec"]["tls"] == [{"secretName": "eventstack-tls", "hosts": ["todo.example.com"]}]
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "todo.example.com"
    assert {p["path"]: p["backend"]["service"]["name"] for p in rule["http"]["paths"]} == {
        "/": "todo-frontend", "/api": "todo-backend", "/ws": "websocket-worker"}
    (issuer,) = kinds(by_file, "ClusterIssuer", "ingress.yaml")
    assert issuer["metadata"]["name"] == "letsencrypt-staging"
    assert [e for obj in by_file["apps.yaml"] for e in schemas.validate(obj, "1.34")] == []
