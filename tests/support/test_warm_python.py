"""The oci layer's warm module interpreter (warm_python.py) behaves as a cold `python SCRIPT` would, for what a module
run sees: argv, working directory, umask, environment, sys.path, standard streams, exit status, child processes;
it holds only third-party packages, never Ansible's or a collection's code, which each run imports from its own
payload; and a run whose environment is not the one the server imported in is a cold one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tests.support.playbook import REPO
from tests.support.warm_python import WarmPython

COLLECTIONS = os.path.join(REPO, ".collections")
PROBE = textwrap.dedent("""\
    import json, os, subprocess, sys
    line = sys.stdin.readline()
    report = {
        "argv": sys.argv, "cwd": os.getcwd(), "umask": os.umask(0), "env": os.environ.get("PROBE_VALUE"),
        "path0": sys.path[0], "extra": os.environ.get("PROBE_PATH") in sys.path, "stdin": line,
        "main": __name__, "file": __file__,
        "oci": "oci" in sys.modules, "yaml": "yaml" in sys.modules,
        "ansible": sorted(m for m in sys.modules if m == "ansible" or m.startswith(("ansible.", "ansible_collections"))),
        "child": subprocess.run([sys.executable, "-c", "import sys; sys.exit(3)"], check=False).returncode,
    }
    print(json.dumps(report))
    sys.stderr.write("to stderr\\n")
    sys.exit(int(sys.argv[1]))
""")


@pytest.fixture(scope="module", name="env")
def fixture_env(tmp_path_factory):
    """The environment of the runs, which the server imports in."""
    extra = str(tmp_path_factory.mktemp("extra"))
    return dict(os.environ, PROBE_VALUE="from the client", PROBE_PATH=extra, PYTHONPATH=extra)


@pytest.fixture(scope="module")
def warm(tmp_path_factory, env):
    with WarmPython(tmp_path_factory.mktemp("warm"), ["yaml", "ansible.module_utils.basic"], COLLECTIONS,
                    env=env) as server:
        yield server


def run(interpreter, script, *args, cwd, env=None, stdin="", umask=0o027):
    def set_umask():
        os.umask(umask)
    return subprocess.run([interpreter, str(script), *args], cwd=cwd, env=env, input=stdin, capture_output=True,
                          text=True, check=False, preexec_fn=set_umask, timeout=60)


def test_a_script_sees_what_a_cold_interpreter_gives_it(warm, env, tmp_path):
    script = tmp_path / "scripts" / "probe.py"
    script.parent.mkdir()
    script.write_text(PROBE)
    work = tmp_path / "work"
    work.mkdir()
    proc = run(warm.interpreter, script, "4", cwd=work, env=dict(env, PWD=str(work)), stdin="first line\nsecond\n")
    assert proc.returncode == 4, proc.stderr
    assert proc.stderr == "to stderr\n"
    report = json.loads(proc.stdout)
    assert report["argv"] == [str(script), "4"] and report["file"] == str(script) and report["main"] == "__main__"
    assert report["cwd"] == str(work) and report["umask"] == 0o027 and report["env"] == "from the client"
    assert report["path0"] == str(script.parent) and report["extra"] is True
    assert report["stdin"] == "first line\n"
    assert report["child"] == 3, "a module's own child processes are waited for as usual"
    # The preloaded third-party package is there; Ansible's code, which each module run brings in its payload, is not.
    assert report["yaml"] is True and report["ansible"] == []

    cold = run(sys.executable, script, "4", cwd=work, env=env, stdin="first line\nsecond\n")
    cold_report = json.loads(cold.stdout)
    for key in ("argv", "cwd", "umask", "env", "path0", "extra", "stdin", "main", "file", "child", "ansible"):
        assert report[key] == cold_report[key], key
    assert cold.returncode == proc.returncode
    assert warm.runs()[-1] == "warm %s" % script


def test_a_run_in_another_environment_is_a_cold_one(warm, env, tmp_path):
    """The package the server imported in its environment is not in the run's process: a fresh interpreter ran."""
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    proc = run(warm.interpreter, script, "0", cwd=tmp_path, env=dict(env, PROBE_VALUE="another value"))
    report = json.loads(proc.stdout)
    assert proc.returncode == 0 and report["env"] == "another value"
    assert report["yaml"] is False and report["argv"] == [str(script), "0"] and report["child"] == 3
    assert warm.runs()[-1] == "cold %s (the environment differs: PROBE_VALUE)" % script


@pytest.mark.parametrize("body, code, said", [
    ("raise SystemExit('a message')", 1, "a message\n"),
    ("raise SystemExit(None)", 0, ""),
    ("raise ValueError('boom')", 1, "ValueError: boom"),
    ("import os; os._exit(9)", 9, ""),
    ("import os, signal; os.kill(os.getpid(), signal.SIGTERM)", -15, ""),
])
def test_exit_statuses_are_the_scripts(warm, env, tmp_path, body, code, said):
    script = tmp_path / "exit.py"
    script.write_text(body + "\n")
    proc = run(warm.interpreter, script, cwd=tmp_path, env=env)
    assert proc.returncode == code
    assert said in proc.stderr
    assert run(sys.executable, script, cwd=tmp_path, env=env).returncode == code, "as with a cold interpreter"
    assert warm.runs()[-1].startswith("warm ")


def test_a_module_run_through_it_is_the_payloads(warm, env, tmp_path):
    """An Ansible module run (AnsiballZ, not pipelined) gives the same result through the warm interpreter, warm in
    the server's environment and cold with a task environment of its own."""
    playbook = tmp_path / "play.yml"
    playbook.write_text(textwrap.dedent("""\
        - hosts: localhost
          gather_facts: false
          tasks:
            - ansible.builtin.stat:
                path: /
              register: found
            - ansible.builtin.stat:
                path: /
              environment:
                PROBE_VALUE: set by the task
              register: again
            - ansible.builtin.assert:
                that: found.stat.isdir and again.stat.isdir
    """))
    before = len(warm.runs())
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                           "-c", "local", "-e", "ansible_python_interpreter=" + warm.interpreter, str(playbook)],
                          cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok=3" in proc.stdout
    runs = [line.split(" ", 1)[0] + line.split("(", 1)[-1] * ("(" in line) for line in warm.runs()[before:]]
    assert runs == ["warm", "coldthe environment differs: PROBE_VALUE)"], warm.runs()[before:]


def test_a_payload_file_uses_the_cached_code_of_the_same_bytes_and_only_those(tmp_path, monkeypatch):
    """The bytecode cache: code cached for a file's exact bytes serves a payload file with those bytes, under the
    payload's path (nested functions too); a file with other bytes is compiled from them."""
    import hashlib  # pylint: disable=import-outside-toplevel
    import zipfile  # pylint: disable=import-outside-toplevel
    import zipimport  # pylint: disable=import-outside-toplevel

    from tests.support import warm_python  # pylint: disable=import-outside-toplevel

    monkeypatch.setattr(zipimport, "_compile_source", zipimport._compile_source)  # restored after the test
    cached_source = b"def where():\n    return __name__\n\nVALUE = 1\n"
    other_source = b"VALUE = 2\n"
    # The cached code is marked (VALUE 'cached') so that the test sees which code the import got.
    marked = cached_source.replace(b"VALUE = 1", b"VALUE = 'cached'")
    cache = {hashlib.sha256(cached_source).digest(): compile(marked, "/elsewhere/same.py", "exec")}
    payload = tmp_path / "payload.zip"
    with zipfile.ZipFile(payload, "w") as archive:
        archive.writestr("same.py", cached_source)
        archive.writestr("other.py", other_source)
    warm_python.use_cache(cache)
    importer = zipimport.zipimporter(str(payload))
    same, other = importer.get_code("same"), importer.get_code("other")
    assert same.co_filename == str(payload / "same.py")
    (function,) = [c for c in same.co_consts if isinstance(c, type(same))]
    assert function.co_filename == str(payload / "same.py")
    namespace, other_namespace = {}, {}
    exec(same, namespace)  # noqa: S102 pylint: disable=exec-used
    exec(other, other_namespace)  # noqa: S102 pylint: disable=exec-used
    assert namespace["VALUE"] == "cached"
    assert other_namespace["VALUE"] == 2 and other.co_filename == str(payload / "other.py")
