"""What the Kubernetes emulator answers beyond storing objects: the RBAC authorizer behind SubjectAccessReviews and
the LimitRanger and ResourceQuota admission of Pods, as the API server documents them.

* ``review(objects, sar)``: RBAC (reference/access-authn-authz/rbac): a request is allowed when a RoleBinding of the
  request's namespace or a ClusterRoleBinding names the user, one of its groups or - for
  ``system:serviceaccount:<ns>:<name>`` users - the ServiceAccount, and the Role or ClusterRole it refers to has a
  rule matching verb, API group, resource (``resource/subresource``, ``*``, ``*/subresource``) and, when it lists
  them, the name. The status is ``{allowed: true, reason: 'RBAC: allowed by ...'}`` or ``{allowed: false}`` (RBAC
  never denies, it has no opinion; no other authorizer runs). Groups are only those the review names (the API server
  does not add a ServiceAccount's groups to a review).
* ``limit_ranger(pod, limit_ranges)``: for each ``type: Container`` item, a container without a limit gets
  ``default``, without a request ``defaultRequest`` (for a resource it leaves out: ``default``), and the pod is annotated
  ``kubernetes.io/limit-ranger`` naming what was set (min/max/ratio are not enforced here).
* ``quota_refusal(pod, quotas)``: a quota with hard cpu or memory requests or limits refuses a pod whose containers
  do not all specify them: ``failed quota: <name>: must specify limits.cpu for: <containers>; ...`` (usage is not
  counted here).
"""
from __future__ import annotations

import copy

RBAC = 'rbac.authorization.k8s.io'
COMPUTE = ('requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory')


def _subject_matches(subject: dict, user: str, groups: list, binding_namespace: str | None) -> bool:
    kind = subject.get('kind')
    if kind == 'User':
        return subject.get('name') == user
    if kind == 'Group':
        return subject.get('name') in groups
    if kind == 'ServiceAccount':
        namespace = subject.get('namespace') or binding_namespace
        return user == f'system:serviceaccount:{namespace}:{subject.get("name")}'
    return False


def _rule_matches(rule: dict, attributes: dict) -> bool:
    resource = attributes.get('resource', '')
    if attributes.get('subresource'):
        resource += '/' + attributes['subresource']
    resources = rule.get('resources') or []
    verbs, groups = rule.get('verbs') or [], rule.get('apiGroups') or []
    if not ('*' in verbs or attributes.get('verb') in verbs):
        return False
    if not ('*' in groups or attributes.get('group', '') in groups):
        return False
    sub = '/' + attributes['subresource'] if attributes.get('subresource') else None
    if not ('*' in resources or resource in resources or (sub and '*' + sub in resources)):
        return False
    names = rule.get('resourceNames') or []
    return not names or attributes.get('name') in names


def _describe(subject: dict, binding_namespace: str | None) -> str:
    if subject.get('kind') == 'ServiceAccount':
        return f'ServiceAccount "{subject.get("name")}/{subject.get("namespace") or binding_namespace}"'
    return f'{subject.get("kind")} "{subject.get("name")}"'


def review(objects: list[dict], sar: dict) -> dict:
    """The status of a SubjectAccessReview ``sar`` against the RBAC objects among ``objects``."""
    spec = sar.get('spec') or {}
    user, groups = spec.get('user') or '', list(spec.get('groups') or [])
    attributes = spec.get('resourceAttributes') or {}
    if not attributes and spec.get('nonResourceAttributes'):
        return {'allowed': False}
    namespace = attributes.get('namespace') or None
    roles = {(o['kind'], o['metadata'].get('namespace'), o['metadata']['name']): o for o in objects
             if o['kind'] in ('Role', 'ClusterRole') and o['apiVersion'].startswith(RBAC)}
    bindings = sorted((o for o in objects if o['kind'] in ('ClusterRoleBinding', 'RoleBinding')
                       and (o['kind'] == 'ClusterRoleBinding' or o['metadata'].get('namespace') == namespace)),
                      key=lambda o: (o['kind'] != 'ClusterRoleBinding', o['metadata']['name']))
    for binding in bindings:
        binding_ns = binding['metadata'].get('namespace')
        ref = binding.get('roleRef') or {}
        role = roles.get((ref.get('kind'), binding_ns if ref.get('kind') == 'Role' else None, ref.get('name')))
        if role is None:
            continue
        for subject in binding.get('subjects') or []:
            if not _subject_matches(subject, user, groups, binding_ns):
                continue
            if any(_rule_matches(rule, attributes) for rule in role.get('rules') or []):
                where = f'"{binding["metadata"]["name"]}/{binding_ns}"' if binding_ns else \
                    f'"{binding["metadata"]["name"]}"'
                return {'allowed': True, 'reason': f'RBAC: allowed by {binding["kind"]} {where} of {ref["kind"]} '
                                                   f'"{ref["name"]}" to {_describe(subject, binding_ns)}'}
    return {'allowed': False}


def _containers(pod: dict) -> list[dict]:
    spec = pod.get('spec') or {}
    return (spec.get('initContainers') or []) + (spec.get('containers') or [])


def limit_ranger(pod: dict, limit_ranges: list[dict]) -> dict:
    """The pod as LimitRanger's defaulting leaves it."""
    pod = copy.deepcopy(pod)
    notes = []
    for limit_range in limit_ranges:
        for item in (limit_range.get('spec') or {}).get('limits') or []:
            if item.get('type') != 'Container':
                continue
            # The API server's defaulting of a LimitRange item: a resource with a default limit and no default
            # request gets the limit as its default request.
            default = item.get('default') or {}
            default_request = dict(default, **(item.get('defaultRequest') or {}))
            for container in _containers(pod):
                resources = container.setdefault('resources', {})
                set_limits = [r for r in sorted(default) if r not in (resources.get('limits') or {})]
                set_requests = [r for r in sorted(default_request) if r not in (resources.get('requests') or {})]
                for name in set_limits:
                    resources.setdefault('limits', {})[name] = default[name]
                for name in set_requests:
                    resources.setdefault('requests', {})[name] = default_request[name]
                for what, names in (('request', set_requests), ('limit', set_limits)):
                    if names:
                        notes.append(f'{", ".join(names)} {what} for container {container["name"]}')
    if notes:
        pod.setdefault('metadata', {}).setdefault('annotations', {})['kubernetes.io/limit-ranger'] = \
            'LimitRanger plugin set: ' + '; '.join(notes)
    return pod


def quota_refusal(pod: dict, quotas: list[dict]) -> str | None:
    """ResourceQuota admission's refusal of a pod that leaves a constrained compute resource unspecified."""
    for quota in sorted(quotas, key=lambda q: q['metadata']['name']):
        hard = (quota.get('spec') or {}).get('hard') or {}
        missing = []
        for key in sorted(k for k in hard if k in COMPUTE):
            field, _dot, resource = key.rpartition('.')
            field = field or 'requests'
            lacking = [c['name'] for c in _containers(pod)
                       if resource not in ((c.get('resources') or {}).get(field) or {})]
            if lacking:
                missing.append(f'{key} for: {",".join(lacking)}')
        if missing:
            return f'pods "{pod["metadata"]["name"]}" is forbidden: failed quota: {quota["metadata"]["name"]}: ' \
                   f'must specify {"; ".join(missing)}'
    return None
