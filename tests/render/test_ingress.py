"""The ingress role as rendered for each inventory: the objects fit together and follow the inventory."""

from __future__ import annotations

import pytest

from tests.support.playbook import inventory_vars, render as render_site

ENVIRONMENTS = ["local", "dev", "prod"]


def render(build, env_name, **extra):
    by_file, releases = render_site(env_name, build, "--tags", "ingress", **extra)
    return {(obj["kind"], obj["metadata"]["name"]): obj for obj in by_file.get("ingress.yaml", [])}, releases


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def rendered(request, site_render):
    _build, _run, by_file, releases = site_render(request.param)
    return request.param, {(obj["kind"], obj["metadata"]["name"]): obj for obj in by_file["ingress.yaml"]}, releases


def test_gateway_class_points_at_the_envoy_proxy_with_its_namespace(rendered):
    env_name, objects, _releases = rendered
    namespace = inventory_vars(env_name)["eventstack_namespaces"]["ingress"]
    gateway_class = objects[("GatewayClass", "eventstack")]
    ref = gateway_class["spec"]["parametersRef"]
    assert ref == {"group": "gateway.envoyproxy.io", "kind": "EnvoyProxy", "name": "eventstack",
                   "namespace": namespace}, "without the namespace Envoy Gateway ignores the EnvoyProxy"
    assert ("EnvoyProxy", "eventstack") in objects
    assert objects[("Gateway", "eventstack")]["spec"]["gatewayClassName"] == "eventstack"


def test_oci_annotations_only_on_oci_inventories(rendered):
    env_name, objects, _releases = rendered
    service = objects[("EnvoyProxy", "eventstack")]["spec"]["provider"]["kubernetes"]["envoyService"]
    annotations = service.get("annotations") or {}
    inventory = inventory_vars(env_name)
    if not inventory.get("eventstack_oci_enabled"):
        assert annotations == {}
        return
    assert annotations["service.beta.kubernetes.io/oci-load-balancer-shape"] == "flexible"
    assert annotations["service.beta.kubernetes.io/oci-load-balancer-shape-flex-min"] == str(
        inventory["ingress_oci_load_balancer_min_mbps"])
    assert annotations["service.beta.kubernetes.io/oci-load-balancer-shape-flex-max"] == str(
        inventory["ingress_oci_load_balancer_max_mbps"])
    # The LB NSG is the oci_network role's; in render mode it is the plan's symbolic name.
    assert annotations["oci.oraclecloud.com/oci-network-security-groups"] == "nsg:load_balancers"
    assert annotations["oci.oraclecloud.com/security-rule-management-mode"] == "None"
    if env_name == "dev":  # Always Free: one flexible LB at 10 Mbps, min = max.
        assert annotations["service.beta.kubernetes.io/oci-load-balancer-shape-flex-min"] == "10"
        assert annotations["service.beta.kubernetes.io/oci-load-balancer-shape-flex-max"] == "10"


def test_tls_redirect_and_headers_follow_the_inventory(rendered):
    env_name, objects, _releases = rendered
    inventory = inventory_vars(env_name)
    tls = inventory.get("ingress_tls", "none") != "none"
    listeners = {l["name"]: l for l in objects[("Gateway", "eventstack")]["spec"]["listeners"]}
    assert set(listeners) == ({"http", "https"} if tls else {"http"})
    headers = {h["name"]: h["value"] for h in
               objects[("ClientTrafficPolicy", "eventstack-headers")]["spec"]["headers"]["lateResponseHeaders"]["set"]}
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert ("Strict-Transport-Security" in headers) == tls
    redirect = objects.get(("HTTPRoute", "eventstack-https-redirect"))
    assert (redirect is not None) == tls
    if tls:
        # Bound to the http listener only: a redirect on both listeners would loop.
        assert [p.get("sectionName") for p in redirect["spec"]["parentRefs"]] == ["http"]
        assert redirect["spec"]["rules"][0]["filters"][0]["requestRedirect"] == {"scheme": "https", "statusCode": 301}
        assert listeners["https"]["tls"]["certificateRefs"][0]["name"] == "eventstack-tls"
        assert listeners["https"]["hostname"] == inventory["ingress_hostname"]


def test_cert_manager_issuer_solves_through_the_http_listener(rendered):
    env_name, objects, releases = rendered
    inventory = inventory_vars(env_name)
    if inventory.get("ingress_tls") != "cert_manager":
        assert not [key for key in objects if key[0] == "ClusterIssuer"]
        assert "cert-manager" not in releases
        return
    issuer_name = objects[("Gateway", "eventstack")]["metadata"]["annotations"]["cert-manager.io/cluster-issuer"]
    issuer = objects[("ClusterIssuer", issuer_name)]
    assert issuer["spec"]["acme"]["email"] == inventory["ingress_cert_manager_email"]
    parent = issuer["spec"]["acme"]["solvers"][0]["http01"]["gatewayHTTPRoute"]["parentRefs"][0]
    assert (parent["name"], parent["sectionName"]) == ("eventstack", "http")
    assert releases["cert-manager"]["values"]["config"]["gatewayAPI"] == {"enabled": True}


def test_controller_chart_is_pinned(rendered):
    _env_name, _objects, releases = rendered
    assert releases["envoy-gateway"]["chart"] == "gateway-helm"
    assert releases["envoy-gateway"]["version"] == "v1.9.0"


def test_ingress_nginx_choice_renders_its_chart_and_warns(tmp_path):
    objects, releases = render(tmp_path, "dev", ingress_controller="ingress_nginx")
    assert "ingress-nginx" in releases and "envoy-gateway" not in releases
    values = releases["ingress-nginx"]["values"]["controller"]
    assert values["service"]["annotations"]["service.beta.kubernetes.io/oci-load-balancer-shape"] == "flexible"
    assert values["config"]["add-headers"].endswith("/eventstack-headers")
    assert objects[("ConfigMap", "eventstack-headers")]["data"]["X-Frame-Options"] == "DENY"
    assert not [key for key in objects if key[0] in ("Gateway", "GatewayClass", "EnvoyProxy")]
