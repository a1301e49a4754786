"""The local Kubernetes API emulator, exercised through the real kubernetes client and kubernetes.core."""
import copy
import json
import os
import pathlib
import re
import signal
import subprocess

import kubernetes
import pytest
import yaml
from kubernetes.dynamic import DynamicClient
from kubernetes.dynamic.exceptions import (
    BadRequestError, ConflictError, NotFoundError, ResourceNotFoundError, UnprocessibleEntityError,
)

from tests.support.kube_emulator import KubeEmulator
from tests.support.reference import crd_file

REPO = pathlib.Path(__file__).resolve().parents[2]
VENV_BIN = REPO / '.venv' / 'bin'
COLLECTIONS = REPO / '.collections'
STRATEGIC = 'application/strategic-merge-patch+json'
JSON_PATCH = 'application/json-patch+json'


@pytest.fixture
def kube():
    with KubeEmulator() as emulator:
        yield emulator


@pytest.fixture
def kubeconfig(kube, tmp_path):
    return kube.write_kubeconfig(tmp_path / 'kubeconfig')


@pytest.fixture
def dyn(kubeconfig, tmp_path):
    api = kubernetes.config.new_client_from_config(config_file=kubeconfig)
    with api:
        yield DynamicClient(api, cache_file=str(tmp_path / 'discovery.json'))


def status_of(error):
    return json.loads(error.value.body)


def configmap(name='settings', namespace='default', **data):
    return {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': name, 'namespace': namespace},
            'data': data or {'a': '1'}}


def test_namespaces_can_be_created_fetched_and_listed(kube, dyn):
    namespaces = dyn.resources.get(api_version='v1', kind='Namespace')
    created = namespaces.create({'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': 'team-a'}}).to_dict()
    assert created['metadata']['uid'] and created['metadata']['creationTimestamp']
    assert isinstance(created['metadata']['resourceVersion'], str)
    assert created['status'] == {'phase': 'Active'}

    assert namespaces.get(name='team-a').to_dict() == created
    listing = namespaces.get().to_dict()
    assert (listing['kind'], listing['apiVersion']) == ('NamespaceList', 'v1')
    assert isinstance(listing['metadata']['resourceVersion'], str)
    assert {'default', 'kube-system', 'team-a'} <= {ns['metadata']['name'] for ns in listing['items']}
    assert kube.get('v1', 'Namespace', 'team-a') == created
    assert kube.get('v1', 'Namespace', 'default')['status'] == {'phase': 'Active'}
    assert [ns['metadata']['name'] for ns in kube.objects(kind='Namespace')] == ['team-a']  # built-ins left out

    namespaces.delete(name='team-a')
    with pytest.raises(NotFoundError):
        namespaces.get(name='team-a')


def test_version_reports_the_configured_server_version(tmp_path):
    with KubeEmulator(server_version='1.34') as kube:
        with kubernetes.config.new_client_from_config(config_file=kube.write_kubeconfig(tmp_path / 'kc')) as api:
            version = kubernetes.client.VersionApi(api).get_code()
    assert (version.major, version.minor, version.git_version) == ('1', '34', 'v1.34.0')
    assert kube.objects() == []


def test_secret_string_data_is_folded_into_data(kube, dyn):
    secrets = dyn.resources.get(api_version='v1', kind='Secret')
    created = secrets.create({'metadata': {'name': 'creds'}, 'data': {'user': 'YWRtaW4='},
                              'stringData': {'password': 's3cret'}}, namespace='default').to_dict()
    assert created['data'] == {'user': 'YWRtaW4=', 'password': 'czNjcmV0'}
    assert 'stringData' not in created and created['type'] == 'Opaque'

    patched = secrets.patch(name='creds', namespace='default', body={'stringData': {'password': 'other'}},
                            content_type='application/merge-patch+json').to_dict()
    assert patched['data'] == {'user': 'YWRtaW4=', 'password': 'b3RoZXI='}
    stored, = kube.objects(kind='Secret', namespace='default')
    assert stored['data'] == patched['data'] and 'stringData' not in stored

    with pytest.raises(BadRequestError):  # data must be base64, like on a real API server
        secrets.create({'metadata': {'name': 'bad'}, 'data': {'x': 'not base64!'}}, namespace='default')


def test_crd_makes_its_kind_servable_with_full_crud(kube, dyn):
    kafkatopic_crd = crd_file('strimzi/043-Crd-kafkatopic.yaml')
    with pytest.raises(NotFoundError):
        dyn.request('GET', '/apis/kafka.strimzi.io/v1')

    crds = dyn.resources.get(api_version='apiextensions.k8s.io/v1', kind='CustomResourceDefinition')
    crd = crds.create(yaml.safe_load(kafkatopic_crd.read_text())).to_dict()
    assert {c['type']: c['status'] for c in crd['status']['conditions']} == {'NamesAccepted': 'True', 'Established': 'True'}
    group = dyn.request('GET', '/apis/kafka.strimzi.io').to_dict()
    assert group['preferredVersion']['version'] == 'v1'
    discovered, = [r for r in dyn.request('GET', '/apis/kafka.strimzi.io/v1').to_dict()['resources'] if r['name'] == 'kafkatopics']
    assert (discovered['kind'], discovered['namespaced']) == ('KafkaTopic', True)

    topics = dyn.resources.get(api_version='kafka.strimzi.io/v1', kind='KafkaTopic')
    body = {'apiVersion': 'kafka.strimzi.io/v1', 'kind': 'KafkaTopic',
            'metadata': {'name': 'orders', 'namespace': 'default', 'labels': {'strimzi.io/cluster': 'events'}},
            'spec': {'partitions': 3, 'replicas': 1}}
    created = topics.create(body).to_dict()
    assert created['metadata']['generation'] == 1
    assert topics.get(name='orders', namespace='default').to_dict() == created
    listing = topics.get(namespace='default', label_selector='strimzi.io/cluster=events').to_dict()
    assert listing['kind'] == 'KafkaTopicList' and [t['metadata']['name'] for t in listing['items']] == ['orders']
    assert topics.get(namespace='default', label_selector='strimzi.io/cluster!=events').items == []

    merged = topics.patch(name='orders', namespace='default', body={'spec': {'partitions': 6}},
                          content_type='application/merge-patch+json').to_dict()
    assert merged['spec'] == {'partitions': 6, 'replicas': 1} and merged['metadata']['generation'] == 2
    assert int(merged['metadata']['resourceVersion']) > int(created['metadata']['resourceVersion'])
    jsonpatched = topics.patch(name='orders', namespace='default', content_type=JSON_PATCH,
                               body=[{'op': 'replace', 'path': '/spec/replicas', 'value': 3}]).to_dict()
    assert jsonpatched['spec']['replicas'] == 3
    replaced = topics.replace(body=dict(body, spec={'partitions': 12, 'replicas': 3})).to_dict()
    assert replaced['spec'] == {'partitions': 12, 'replicas': 3}
    assert replaced['metadata']['uid'] == created['metadata']['uid']
    assert replaced['metadata']['generation'] == 4

    with pytest.raises(UnprocessibleEntityError) as invalid:  # the CRD schema is enforced
        topics.patch(name='orders', namespace='default', body={'spec': {'partitions': 'three'}},
                     content_type='application/merge-patch+json')
    assert 'spec.partitions' in status_of(invalid)['message']
    with pytest.raises(kubernetes.client.exceptions.ApiException) as unsupported:  # as for real CRs
        topics.patch(name='orders', namespace='default', body={'spec': {}}, content_type=STRATEGIC)
    assert unsupported.value.status == 415

    topics.delete(name='orders', namespace='default')
    with pytest.raises(NotFoundError):
        topics.get(name='orders', namespace='default')
    crds.delete(name='kafkatopics.kafka.strimzi.io')
    with pytest.raises(NotFoundError):
        dyn.request('GET', '/apis/kafka.strimzi.io/v1/namespaces/default/kafkatopics')


def test_server_side_apply_upserts_and_a_no_op_returns_the_identical_object(kube, dyn):
    configmaps = dyn.resources.get(api_version='v1', kind='ConfigMap')
    created = dyn.server_side_apply(configmaps, body=configmap(a='1'), field_manager='eventstack').to_dict()
    assert created['data'] == {'a': '1'}
    again = dyn.server_side_apply(configmaps, body=configmap(a='1'), field_manager='eventstack',
                                  force_conflicts=True).to_dict()
    assert again == created

    changed = dyn.server_side_apply(configmaps, body=configmap(b='2'), field_manager='eventstack').to_dict()
    assert changed['data'] == {'a': '1', 'b': '2'}
    assert changed['metadata']['uid'] == created['metadata']['uid']
    assert changed['metadata']['resourceVersion'] != created['metadata']['resourceVersion']

    merged_noop = configmaps.patch(name='settings', namespace='default', body={'data': {'a': '1'}},
                                   content_type=STRATEGIC).to_dict()
    assert merged_noop == changed

    with pytest.raises(NotFoundError) as missing:
        dyn.server_side_apply(configmaps, body=configmap(namespace='ghost'), field_manager='eventstack')
    assert status_of(missing)['message'] == 'namespaces "ghost" not found'


def test_dry_run_persists_nothing(kube, dyn):
    configmaps = dyn.resources.get(api_version='v1', kind='ConfigMap')
    would_be = configmaps.create(configmap('draft'), dry_run='All').to_dict()
    assert would_be['metadata']['name'] == 'draft'
    applied = dyn.server_side_apply(configmaps, body=configmap('draft2'), field_manager='t', dry_run='All').to_dict()
    assert applied['metadata']['name'] == 'draft2'
    assert kube.objects(kind='ConfigMap') == []

    stored = configmaps.create(configmap(a='1')).to_dict()
    before = kube.objects()
    assert configmaps.patch(name='settings', namespace='default', body={'data': {'a': '2'}}, dry_run='All',
                            content_type='application/merge-patch+json').to_dict()['data'] == {'a': '2'}
    assert configmaps.replace(body=configmap(b='3'), dry_run='All').to_dict()['data'] == {'b': '3'}
    assert dyn.server_side_apply(configmaps, body=configmap(a='4'), field_manager='t',
                                 dry_run='All').to_dict()['data'] == {'a': '4'}
    configmaps.delete(name='settings', namespace='default', dry_run='All')
    assert kube.objects() == before
    assert configmaps.get(name='settings', namespace='default').to_dict() == stored


def test_an_object_with_finalizers_stays_being_deleted_until_they_are_gone(kube, dyn):
    """As the API server does: DELETE marks it (deletionTimestamp, which no client can set or clear), no finalizer may
    be added then (422), and the write that empties its finalizers (the controller's, once it released what they
    guard) deletes it."""
    configmaps = dyn.resources.get(api_version='v1', kind='ConfigMap')
    held = configmap()
    held['metadata']['finalizers'] = ['example.com/released']
    configmaps.create(held)
    answered = configmaps.delete(name='settings', namespace='default').to_dict()
    assert answered['metadata']['deletionTimestamp'] and answered['metadata']['finalizers'] == ['example.com/released']
    (stored,) = kube.objects(kind='ConfigMap')
    assert stored['metadata']['deletionTimestamp'] == answered['metadata']['deletionTimestamp']
    configmaps.delete(name='settings', namespace='default')  # deleting again changes nothing
    assert kube.objects(kind='ConfigMap') == [stored]
    merge = 'application/merge-patch+json'
    with pytest.raises(UnprocessibleEntityError) as added:
        configmaps.patch(name='settings', namespace='default', content_type=merge, body={'metadata': {
            'finalizers': ['example.com/released', 'example.com/another']}})
    assert 'no new finalizers can be added if the object is being deleted' in status_of(added)['message']
    kept = configmaps.patch(name='settings', namespace='default', content_type=merge,
                            body={'metadata': {'deletionTimestamp': None}, 'data': {'a': '2'}}).to_dict()
    assert kept['metadata']['deletionTimestamp'] == stored['metadata']['deletionTimestamp']
    configmaps.patch(name='settings', namespace='default', content_type=merge, body={'metadata': {'finalizers': None}})
    assert kube.objects(kind='ConfigMap') == []
    with pytest.raises(NotFoundError):
        configmaps.get(name='settings', namespace='default')


def test_unknown_kinds_and_resources_are_404_with_a_status_body(dyn):
    with pytest.raises(ResourceNotFoundError):
        dyn.resources.get(api_version='example.com/v1', kind='Widget')
    for path in ('/apis/example.com/v1/namespaces/default/widgets', '/api/v1/namespaces/default/widgets'):
        with pytest.raises(NotFoundError) as error:
            dyn.request('GET', path)
        status = status_of(error)
        assert {k: status[k] for k in ('kind', 'apiVersion', 'status', 'reason', 'code')} == {
            'kind': 'Status', 'apiVersion': 'v1', 'status': 'Failure', 'reason': 'NotFound', 'code': 404}


def test_creating_in_a_missing_namespace_is_404(kube, dyn):
    configmaps = dyn.resources.get(api_version='v1', kind='ConfigMap')
    with pytest.raises(NotFoundError) as error:
        configmaps.create(configmap(namespace='ghost'))
    assert (status_of(error)['reason'], status_of(error)['message']) == ('NotFound', 'namespaces "ghost" not found')
    assert kube.objects(kind='ConfigMap') == []


def test_rejections_duplicate_409_mismatch_400_missing_name_422(kube, dyn):
    configmaps = dyn.resources.get(api_version='v1', kind='ConfigMap')
    configmaps.create(configmap())
    with pytest.raises(ConflictError) as duplicate:
        configmaps.create(configmap(b='2'))
    assert status_of(duplicate)['reason'] == 'AlreadyExists'
    with pytest.raises(BadRequestError):
        dyn.request('POST', '/api/v1/namespaces/default/configmaps', body=configmap('x', namespace='kube-system'))
    with pytest.raises(BadRequestError):
        dyn.request('PUT', '/api/v1/namespaces/default/configmaps/settings', body=configmap('other'))
    with pytest.raises(UnprocessibleEntityError) as nameless:
        dyn.request('POST', '/api/v1/namespaces/default/configmaps', body={'kind': 'ConfigMap', 'metadata': {}})
    assert status_of(nameless)['reason'] == 'Invalid'
    assert [cm['data'] for cm in kube.objects(kind='ConfigMap')] == [{'a': '1'}]


def test_request_log_counts_every_request_and_can_be_reset(kube, dyn):
    configmaps = dyn.resources.get(api_version='v1', kind='ConfigMap')
    kube.reset_requests()
    assert kube.requests == []
    dyn.server_side_apply(configmaps, body=configmap(), field_manager='eventstack')
    configmaps.get(name='settings', namespace='default')
    with pytest.raises(NotFoundError):
        configmaps.get(name='nope', namespace='default')
    assert [(r['method'], r['path']) for r in kube.requests] == [
        ('PATCH', '/api/v1/namespaces/default/configmaps/settings'),
        ('GET', '/api/v1/namespaces/default/configmaps/settings'),
        ('GET', '/api/v1/namespaces/default/configmaps/nope'),
    ]
    assert kube.requests[0]['content_type'] == 'application/apply-patch+yaml'
    assert kube.requests[0]['query'] == {'fieldManager': 'eventstack'}


def test_cli_serves_until_sigterm_and_logs_requests(tmp_path):
    kubeconfig, log = tmp_path / 'kubeconfig', tmp_path / 'requests.jsonl'
    proc = subprocess.Popen([str(VENV_BIN / 'python'), '-m', 'tests.support.kube_emulator', '--port', '0',
                             '--kubeconfig', str(kubeconfig), '--request-log', str(log)],
                            cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().startswith('listening on http://127.0.0.1:')
        with kubernetes.config.new_client_from_config(config_file=str(kubeconfig)) as api:
            namespaces = DynamicClient(api, cache_file=str(tmp_path / 'discovery.json')).resources.get(
                api_version='v1', kind='Namespace')
            assert 'default' in [ns.metadata.name for ns in namespaces.get().items]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert {'method': 'GET', 'path': '/api/v1/namespaces', 'query': {}, 'content_type': 'application/json'} in entries


# --- kubernetes.core against the emulator ------------------------------------------------------

def batch(data='1', password='s3cret'):
    return [
        {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': 'es-demo'}},
        {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'settings', 'namespace': 'es-demo'},
         'data': {'retention': data}},
        {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'creds', 'namespace': 'es-demo'},
         'stringData': {'password': password}},
    ]


MODES = {
    'server-side-apply': {'apply': True, 'server_side_apply': {'field_manager': 'eventstack', 'force_conflicts': True}},
    'client-side-apply': {'apply': True},
    'merge': {'state': 'present'},
}


def run_playbook(tmp_path, kubeconfig, tasks, *extra):
    """Run the tasks on localhost against the emulator; return the PLAY RECAP changed= count."""
    assert (COLLECTIONS / 'ansible_collections/kubernetes/core').is_dir(), f'no kubernetes.core in {COLLECTIONS}'
    play = [{'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
             'vars': {'ansible_python_interpreter': str(VENV_BIN / 'python')}, 'tasks': tasks}]
    playbook = tmp_path / 'playbook.yml'
    playbook.write_text(yaml.safe_dump(play))
    (tmp_path / 'ansible.cfg').write_text('[defaults]\n')  # not the repo's ansible.cfg
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), K8S_AUTH_KUBECONFIG=str(kubeconfig),
               ANSIBLE_NOCOLOR='1', ANSIBLE_LOCAL_TEMP=str(tmp_path / 'ansible-tmp'), TMPDIR=str(tmp_path),
               ANSIBLE_STDOUT_CALLBACK='default', ANSIBLE_CONFIG=str(tmp_path / 'ansible.cfg'))
    proc = subprocess.run([str(VENV_BIN / 'ansible-playbook'), '-i', 'localhost,', str(playbook), *extra],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    recap = re.search(r'localhost\s+:.*?changed=(\d+)', proc.stdout)
    assert recap, proc.stdout
    return int(recap[1])


def k8s_task(definition, options):
    return [{'name': 'apply the batch', 'kubernetes.core.k8s': dict(options, definition=definition)}]


@pytest.mark.parametrize('mode', MODES)
def test_kubernetes_core_is_idempotent_against_the_emulator(kube, kubeconfig, tmp_path, mode):
    assert run_playbook(tmp_path, kubeconfig, k8s_task(batch(), MODES[mode])) == 1
    state = kube.objects()
    assert {(o['kind'], o['metadata']['name']) for o in state} >= {
        ('Namespace', 'es-demo'), ('ConfigMap', 'settings'), ('Secret', 'creds')}
    secret, = kube.objects(kind='Secret', namespace='es-demo')
    assert secret['data'] == {'password': 'czNjcmV0'} and 'stringData' not in secret

    kube.reset_requests()
    assert run_playbook(tmp_path, kubeconfig, k8s_task(batch(), MODES[mode])) == 0
    assert kube.objects() == state  # not even a resourceVersion moved
    assert kube.requests, 'the second run made no API requests at all'
    if mode == 'server-side-apply':
        assert {r['content_type'] for r in kube.requests if r['method'] == 'PATCH'} == {'application/apply-patch+yaml'}


def test_kubernetes_core_check_mode_persists_nothing(kube, kubeconfig, tmp_path):
    options = MODES['server-side-apply']
    assert run_playbook(tmp_path, kubeconfig, k8s_task(batch(), options)) == 1
    state = copy.deepcopy(kube.objects())
    kube.reset_requests()
    assert run_playbook(tmp_path, kubeconfig, k8s_task(batch(data='7', password='new'), options), '--check') == 1
    assert kube.objects() == state
    writes = [r for r in kube.requests if r['method'] != 'GET']
    assert writes and all(r['query'].get('dryRun') == 'All' for r in writes)


def test_kubernetes_core_k8s_info_lists_with_label_selectors(dyn, kubeconfig, tmp_path):
    configmaps = dyn.resources.get(api_version='v1', kind='ConfigMap')
    for name, tier in (('web', 'front'), ('db', 'back'), ('cache', 'back')):
        configmaps.create({'metadata': {'name': name, 'namespace': 'default', 'labels': {'tier': tier}}})
    tasks = [
        {'kubernetes.core.k8s_info': {'kind': 'ConfigMap', 'namespace': 'default', 'label_selectors': ['tier=back']},
         'register': 'found'},
        {'ansible.builtin.assert': {'that': ["found.resources | map(attribute='metadata.name') | sort == ['cache', 'db']"]}},
    ]
    assert run_playbook(tmp_path, kubeconfig, tasks) == 0


def test_a_snapshot_starts_another_emulator_with_the_same_objects_and_kinds(kube, dyn, tmp_path):
    kafkatopic_crd = crd_file('strimzi/043-Crd-kafkatopic.yaml')
    crds = dyn.resources.get(api_version='apiextensions.k8s.io/v1', kind='CustomResourceDefinition')
    crds.create(yaml.safe_load(kafkatopic_crd.read_text()))
    topics = dyn.resources.get(api_version='kafka.strimzi.io/v1', kind='KafkaTopic')
    topics.create({'apiVersion': 'kafka.strimzi.io/v1', 'kind': 'KafkaTopic',
                   'metadata': {'name': 'orders', 'namespace': 'default'}, 'spec': {'partitions': 3}})
    dyn.resources.get(api_version='v1', kind='ConfigMap').create(configmap())
    snapshot = kube.snapshot()
    before = kube.objects()
    with KubeEmulator(restore=snapshot) as copy_of:
        assert copy_of.objects() == before, 'the same objects, built-in namespaces still left out'
        assert {o['kind'] for o in copy_of.objects()} == {'CustomResourceDefinition', 'KafkaTopic', 'ConfigMap'}
        other = DynamicClient(kubernetes.config.new_client_from_config(
            config_file=copy_of.write_kubeconfig(tmp_path / 'copy.kubeconfig')))
        copied = other.resources.get(api_version='kafka.strimzi.io/v1', kind='KafkaTopic')
        assert copied.get(name='orders', namespace='default').to_dict()['spec'] == {'partitions': 3}
        copied.patch(name='orders', namespace='default', body={'spec': {'partitions': 6}},
                     content_type='application/merge-patch+json')
        assert int(copied.get(name='orders', namespace='default').metadata.resourceVersion) > snapshot['rv']
    assert topics.get(name='orders', namespace='default').to_dict()['spec'] == {'partitions': 3}, 'copies are apart'


def test_pod_security_admission_refuses_what_the_namespaces_level_forbids_as_the_api_server_words_it(dyn):
    """The one admission plugin the emulator runs: a restricted namespace refuses a bare pod (403, the admission
    controller's message naming level, version and controls), admits a hardened one, and an unlabelled namespace
    (privileged) admits anything; server-side apply goes through the same admission."""
    namespaces = dyn.resources.get(api_version='v1', kind='Namespace')
    namespaces.create({'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': 'locked', 'labels': {
        'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.34'}}})
    pods = dyn.resources.get(api_version='v1', kind='Pod')
    bare = {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': 'bare', 'namespace': 'locked'},
            'spec': {'containers': [{'name': 'c', 'image': 'busybox'}]}}
    with pytest.raises(kubernetes.dynamic.exceptions.ForbiddenError) as error:
        pods.create(bare, namespace='locked')
    status = status_of(error)
    assert status['code'] == 403 and status['reason'] == 'Forbidden'
    assert status['message'].startswith('pods "bare" is forbidden: violates PodSecurity "restricted:v1.34": '
                                        'allowPrivilegeEscalation != false (container "c" must set '
                                        'securityContext.allowPrivilegeEscalation=false), unrestricted capabilities')
    with pytest.raises(kubernetes.dynamic.exceptions.ForbiddenError):
        pods.server_side_apply(bare, namespace='locked', field_manager='test')
    hardened = copy.deepcopy(bare)
    hardened['metadata']['name'] = 'hardened'
    hardened['spec']['securityContext'] = {'runAsNonRoot': True, 'seccompProfile': {'type': 'RuntimeDefault'}}
    hardened['spec']['containers'][0]['securityContext'] = {'allowPrivilegeEscalation': False,
                                                            'capabilities': {'drop': ['ALL']}}
    assert pods.create(hardened, namespace='locked').metadata.name == 'hardened'
    privileged = dict(bare, metadata={'name': 'bare', 'namespace': 'default'})
    assert pods.create(privileged, namespace='default').metadata.name == 'bare'
