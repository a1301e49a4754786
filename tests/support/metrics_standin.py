"""metrics-server for the Kubernetes emulator: the metrics.k8s.io/v1beta1 aggregated API (PodMetrics, NodeMetrics)
over the emulator's Pods and Nodes, as ``kubectl top`` and the HPA controller read it.

Like metrics-server, it reports a pod only once it has been scraped (``unscraped`` names pods it has no sample of
yet, which are left out of lists and are a 404 alone) and reports each running container's usage; here a container
uses ``load`` of its CPU request (or 10m) and half its memory request (or 32Mi).
"""
from __future__ import annotations

import re
from decimal import Decimal

from ansible_collections.eventstack.oke.plugins.module_utils._quantity import parse_quantity

PODS = re.compile(r'^/apis/metrics\.k8s\.io/v1beta1/(?:namespaces/([^/]+)/)?pods(?:/([^/]+))?$')
NODES = re.compile(r'^/apis/metrics\.k8s\.io/v1beta1/nodes(?:/([^/]+))?$')
STAMP = '2026-12-02T06:00:00Z'


class MetricsServerStandIn:
    def __init__(self, server, load=0.2, unscraped=()):
        self.server, self.load, self.unscraped = server, load, set(unscraped)
        server.serve_api_group('metrics.k8s.io', self.answer)

    def _usage(self, container):
        requests = (container.get('resources') or {}).get('requests') or {}
        cpu = parse_quantity(requests.get("cpu", "10m")) * Decimal(str(self.load))
        memory = parse_quantity(requests.get('memory', '32Mi')) / 2
        return {'cpu': '%dn' % int(cpu * 10 ** 9), 'memory': '%dKi' % int(memory / 1024)}

    def _pod_metrics(self, pod):
        meta = pod['metadata']
        return {'metadata': {'name': meta['name'], 'namespace': meta['namespace'], 'labels': meta.get('labels', {}),
                             'creationTimestamp': STAMP}, 'timestamp': STAMP, 'window': '15s',
                'containers': [{'name': c['name'], 'usage': self._usage(c)} for c in pod['spec'].get('containers', [])]}

    def answer(self, request):
        if request['method'] != 'GET':
            return 405, {'kind': 'Status', 'apiVersion': 'v1', 'status': 'Failure', 'reason': 'MethodNotAllowed',
                         'message': 'the server does not allow this method on the requested resource', 'code': 405}
        if match := PODS.match(request['path']):
            namespace, name = match.groups()
            pods = [p for p in self.server.objects('Pod', namespace)
                    if p.get('status', {}).get('phase', 'Running') == 'Running'
                    and p['metadata']['name'] not in self.unscraped]
            if name is None:
                return 200, {'kind': 'PodMetricsList', 'apiVersion': 'metrics.k8s.io/v1beta1', 'metadata': {},
                             'items': [self._pod_metrics(p) for p in pods]}
            found = [p for p in pods if p['metadata']['name'] == name]
            if found:
                return 200, dict(self._pod_metrics(found[0]), kind='PodMetrics', apiVersion='metrics.k8s.io/v1beta1')
            return 404, {'kind': 'Status', 'apiVersion': 'v1', 'status': 'Failure', 'reason': 'NotFound', 'code': 404,
                         'message': 'podmetrics.metrics.k8s.io "%s/%s" not found' % (namespace, name)}
        if NODES.match(request['path']):
            items = [{'metadata': {'name': n['metadata']['name']}, 'timestamp': STAMP, 'window': '20s',
                      'usage': {'cpu': '250m', 'memory': '1Gi'}} for n in self.server.objects('Node')]
            return 200, {'kind': 'NodeMetricsList', 'apiVersion': 'metrics.k8s.io/v1beta1', 'metadata': {},
                         'items': items}
        return 404, {'kind': 'Status', 'apiVersion': 'v1', 'status': 'Failure', 'reason': 'NotFound', 'code': 404,
                     'message': 'the server could not find the requested resource'}
