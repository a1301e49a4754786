"""The hardening role as rendered for each inventory: least privilege, checked against what the other roles render."""

from __future__ import annotations

from tests.support.playbook import inventory_vars, of_kind

READ = {"get", "list", "watch"}


def kinds(by_file, kind, name="hardening.yaml"):
    return of_kind(by_file, kind, name)


def plural(kind):
    return kind.lower() + ("es" if kind.endswith("s") else "s")


def allowed(rules, group, resource):
    return set().union(*[set(r["verbs"]) for r in rules if group in r["apiGroups"] and resource in r["resources"]])


def test_the_deployer_converges_every_kind_the_apps_role_renders_and_nothing_more(rendered_site):
    env_name, by_file = rendered_site
    app_ns = inventory_vars(env_name)["eventstack_namespaces"]["app"]
    (role,) = kinds(by_file, "Role")
    assert role["metadata"]["namespace"] == app_ns
    rules = role["rules"]
    for obj in by_file["apps.yaml"]:
        group = obj["apiVersion"].rpartition("/")[0]
        verbs = allowed(rules, group, plural(obj["kind"]))
        if obj["kind"] in ("Role", "RoleBinding"):
            assert verbs == READ, "changing the apps' Secret-reading Roles stays an admin's (%s)" % obj["kind"]
        else:
            assert {"get", "list", "create", "patch", "update"} <= verbs, (obj["kind"], verbs)
    for follow in ("pods", "pods/log", "events"):
        assert allowed(rules, "", follow) == READ, follow
    assert allowed(rules, "apps", "replicasets") == READ, "the rollback reads the previous ReplicaSet"
    every = [(group, resource, verb) for r in rules for group in r["apiGroups"] for resource in r["resources"]
             for verb in r["verbs"]]
    assert not [e for e in every if "*" in e], "no wildcards"
    assert not [e for e in every if e[2] in ("delete", "deletecollection", "escalate", "bind", "impersonate")]
    assert not [e for e in every if e[1] == "secrets"], "the deployer reads no Secret"


def test_the_deployer_is_bound_in_its_namespace_only_and_mounts_no_token(rendered_site):
    env_name, by_file = rendered_site
    app_ns = inventory_vars(env_name)["eventstack_namespaces"]["app"]
    (account,) = kinds(by_file, "ServiceAccount")
    (binding,) = kinds(by_file, "RoleBinding")
    assert account["automountServiceAccountToken"] is False
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                  "name": kinds(by_file, "Role")[0]["metadata"]["name"]}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": account["metadata"]["name"],
                                    "namespace": app_ns}]
    (token,) = kinds(by_file, "Secret")
    assert token["type"] == "kubernetes.io/service-account-token" and "data" not in token
    assert token["metadata"]["annotations"] == {"kubernetes.io/service-account.name": account["metadata"]["name"]}


def test_the_read_only_cluster_role_reads_and_never_secrets(rendered_site):
    _env, by_file = rendered_site
    (role,) = kinds(by_file, "ClusterRole")
    for rule in role["rules"]:
        assert set(rule["verbs"]) == READ, rule
        assert "secrets" not in rule["resources"] and "*" not in rule["resources"] + rule["apiGroups"]
    assert kinds(by_file, "ClusterRoleBinding") == [], "no subjects in the inventories, so no binding"


def test_no_rendered_binding_grants_cluster_admin_and_no_role_uses_wildcards(rendered_site):
    _env, by_file = rendered_site
    objects = [obj for objects in by_file.values() for obj in objects]
    for binding in (o for o in objects if o["kind"] in ("RoleBinding", "ClusterRoleBinding")):
        assert binding["roleRef"]["name"] != "cluster-admin", binding["metadata"]["name"]
    for role in (o for o in objects if o["kind"] in ("Role", "ClusterRole")):
        for rule in role["rules"]:
            assert "*" not in rule["verbs"] + rule["resources"] + rule["apiGroups"], role["metadata"]["name"]


def test_groups_and_users_get_a_read_only_binding(tmp_path):
    from tests.support.playbook import render

    by_file, _releases = render("local", tmp_path, "--tags", "hardening",
                                hardening_read_only_groups=["ocid1.group.oc1..aaaa"],
                                hardening_read_only_users=["ocid1.user.oc1..bbbb"])
    (binding,) = kinds(by_file, "ClusterRoleBinding")
    assert binding["roleRef"]["name"] == "eventstack-read-only"
    assert binding["subjects"] == [
        {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "ocid1.group.oc1..aaaa"},
        {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "ocid1.user.oc1..bbbb"}]
