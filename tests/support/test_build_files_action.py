"""eventstack.oke.build_files through ansible-playbook: for the controller its action plugin writes in process (no
module is sent); with become (as for a remote target) the module runs; both write, both are idempotent, and --check
writes nothing."""
from __future__ import annotations

import json
import os
import subprocess

from tests.support.playbook import BIN, REPO

PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - eventstack.oke.build_files:
        files: [{path: "%(dir)s/local/a.txt", content: "hello\\n"}]
      register: here
    - eventstack.oke.build_files:
        files: [{path: "%(dir)s/module/a.txt", content: "hello\\n"}]
      become: true
      become_method: ansible.builtin.su
      register: there
    - ansible.builtin.copy:
        content: "{{ {'here': here, 'there': there} | to_json }}"
        dest: "%(dir)s/results.json"
        mode: "0644"
      check_mode: false
"""


def play(tmp_path, *args):
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAY % {"dir": tmp_path})
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), str(playbook), *args], cwd=REPO, text=True,
                          capture_output=True, check=False,
                          env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # -vvv shows every module sent to the target: build_files once, for the task with become
    sent = [line for line in proc.stdout.splitlines() if line.startswith("<localhost> PUT ")]
    assert [line for line in sent if line.endswith("/AnsiballZ_build_files.py")] == sent[:1], sent
    return json.loads((tmp_path / "results.json").read_text())


def test_in_process_for_the_controller_and_as_a_module_otherwise(tmp_path):
    first = play(tmp_path, "--check", "-vvv")
    assert first["here"]["changed"] and first["there"]["changed"]
    assert not (tmp_path / "local").exists() and not (tmp_path / "module").exists()
    first = play(tmp_path, "-vvv")
    assert first["here"]["changed"] and first["there"]["changed"]
    assert (tmp_path / "local/a.txt").read_text() == (tmp_path / "module/a.txt").read_text() == "hello\n"
    second = play(tmp_path, "-vvv")
    assert not second["here"]["changed"] and not second["there"]["changed"]
