# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.k8s_objects: a role's Kubernetes objects rendered or converged in one task.
Render mode writes the manifest as eventstack.oke.build_files does; apply mode converges them as eventstack.oke.k8s_apply
does, the Secrets that carry values in runs of their own whose arguments, diff and output are never shown
(module_utils/_k8s_objects.py). On the controller (local connection) both happen in this process, without starting
the module (plugin_utils/_in_controller.py)."""

from __future__ import annotations

import os

import yaml

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.template import trust_as_template
from ansible_collections.eventstack.oke.plugins.module_utils import _build_files, _k8s_apply, _k8s_client, _k8s_objects, _manifests
from ansible_collections.eventstack.oke.plugins.plugin_utils import _in_controller


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(_k8s_objects.ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _spec, args = self.validate_argument_spec(argument_spec=_k8s_objects.ARGUMENT_SPEC,
                                                  mutually_exclusive=_k8s_objects.ONE_OF,
                                                  required_one_of=_k8s_objects.ONE_OF)
        if args["template"] is not None:
            args["definitions"] = self._from_template(args["template"], task_vars)
        try:
            if args["mode"] == "render":
                return self._render(result, args, task_vars)
            plain, sensitive = _k8s_objects.split(args["definitions"])
        except (_manifests.ManifestError, _build_files.BuildFilesError) as exc:
            result.update(failed=True, msg="k8s_objects %s: %s" % (args["name"], exc))
            return result
        auth = {key: args[key] for key in ("kubeconfig", "context") if args[key]}
        secrets = _k8s_objects.secret_strings(sensitive)
        result.update(changed=False, results=[], requests=0)
        client = None
        if _in_controller.kube_here(self):
            client, error = _k8s_client.open_client(args["kubeconfig"], args["context"])
            if error:
                result.update(failed=True, msg="k8s_objects %s: %s" % (args["name"], error))
                return result
        for hidden, module_args in _k8s_objects.steps(plain, sensitive, args["state"], args["field_manager"]):
            if client is not None:
                answer = self._apply_here(client, module_args, hidden and args["hide_secrets"], secrets)
            else:
                answer = self._apply(dict(module_args, **auth), task_vars, hidden and args["hide_secrets"], secrets)
            _k8s_objects.merge(result, answer)
            if answer.get("failed"):
                break
        return result

    def _from_template(self, name, task_vars):
        """The objects a template of the role renders (one YAML list), with the task's variables: what
        lookup('ansible.builtin.template', name) | from_yaml gives, without the lookup's deep copy of every variable
        (a shallow copy, as the ansible.builtin.template action makes)."""
        source = self._find_needle("templates", name)
        text = trust_as_template(self._loader.get_text_file_contents(source))
        searchpath = [os.path.dirname(source)]
        for path in task_vars.get("ansible_search_path", []):
            searchpath += [os.path.join(path, "templates"), path]
        templar = self._templar.copy_with_new_env(searchpath=searchpath, available_variables=task_vars.copy())
        rendered = templar.template(text, escape_backslashes=False)
        try:
            objects = yaml.safe_load(rendered or "") or []
        except yaml.YAMLError as exc:
            raise AnsibleActionFail("k8s_objects: %s does not render YAML: %s" % (name, exc)) from exc
        if not isinstance(objects, list):
            raise AnsibleActionFail("k8s_objects: %s renders a %s, not a list of objects" % (
                name, type(objects).__name__))
        return objects

    def _render(self, result, args, task_vars):
        """Write build_dir/manifests/<name>.yaml (present only; render mode writes nothing for absent)."""
        if args["state"] != "present":
            result.update(changed=False, skipped=True, skip_reason="render mode writes nothing for state absent")
            return result
        if not args["build_dir"]:
            result.update(failed=True, msg="k8s_objects %s: render mode needs build_dir" % args["name"])
            return result
        files = [{"path": os.path.join(args["build_dir"], "manifests", args["name"] + ".yaml"),
                  "content": _manifests.to_manifest(args["definitions"], args["name"])}]
        if _in_controller.is_local(self):
            result.update(_build_files.build(files, "0644", self._task.check_mode, self._task.diff))
        else:
            result.update(self._execute_module(module_name="eventstack.oke.build_files",
                                               module_args=dict(files=files), task_vars=task_vars))
        return result

    def _apply_here(self, client, module_args, hidden, secrets):
        """One k8s_apply batch converged in this process; a hidden one answers only what hidden_result lets through."""
        before = client.requests
        try:
            answer = _k8s_apply.run(client, check_mode=bool(self._task.check_mode), diff=bool(self._task.diff),
                                    **module_args)
        except Exception as exc:  # pylint: disable=broad-exception-caught  # a defect: fail the task, values masked
            answer = dict(failed=True, msg="k8s_apply failed: %s: %s" % (type(exc).__name__, exc))
        answer["requests"] = client.requests - before
        if not answer.get("warnings"):
            answer.pop("warnings", None)
        return _k8s_objects.hidden_result(answer, secrets) if hidden else answer

    def _apply(self, module_args, task_vars, hidden, secrets):
        """One run of k8s_apply; a hidden one runs with no_log and answers only what hidden_result lets through."""
        if not hidden:
            return self._execute_module(module_name=_k8s_objects.MODULE, module_args=module_args,
                                        task_vars=task_vars)
        no_log = self._task.no_log
        self._task.no_log = True
        try:
            answer = self._execute_module(module_name=_k8s_objects.MODULE, module_args=module_args,
                                          task_vars=task_vars)
        finally:
            self._task.no_log = no_log
        return _k8s_objects.hidden_result(answer, secrets)
