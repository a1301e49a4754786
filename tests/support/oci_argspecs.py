"""Check oracle.oci task arguments against the collection's real option data, without the collection.

oracle.oci is on no reachable registry; set-up installs it from ../shared/collections when that is present. Its
option data (types, choices, required, aliases, suboptions)
comes from the installed collection when there is one (.collections/ansible_collections/oracle/oci: each module's
DOCUMENTATION with its doc fragments merged in), else from ../shared/reference/oracle_oci_argspecs.json. Each
task's arguments then go through ansible-core's ArgumentSpecValidator, the code AnsibleModule runs,
with every templated value ("{{ ... }}") replaced by a stand-in of the declared type: unknown
options, wrong literal types, values outside choices, typos in suboptions and missing required
options are reported; what a template renders to is not.
"""

from __future__ import annotations

import ast
import copy
import functools
import json
import os

import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED_SPECS = os.path.join(os.path.dirname(REPO), "shared", "reference", "oracle_oci_argspecs.json")
INSTALLED = os.path.join(REPO, ".collections", "ansible_collections", "oracle", "oci")
# Task keywords that are not module arguments.
_TASK_KEYWORDS = {"name", "when", "register", "loop", "loop_control", "vars", "tags", "no_log", "changed_when",
                  "failed_when", "until", "retries", "delay", "check_mode", "diff", "environment", "delegate_to",
                  "run_once", "become", "notify", "ignore_errors", "module_defaults", "throttle", "timeout", "args",
                  "with_items", "listen", "any_errors_fatal", "async", "poll", "collections", "debugger"}
_STAND_IN = {"str": "x", "path": "/x", "raw": "x", "int": 0, "float": 0.0, "bool": True, "list": [], "dict": {},
             "jsonarg": "{}", "json": "{}", "bytes": "1", "bits": "1"}


def _from_shared_file():
    with open(SHARED_SPECS, encoding="utf-8") as handle:
        data = json.load(handle)
    fragments = {name: frag.get("options", {}) for name, frag in data["doc_fragments"].items()}
    specs = {}
    for name, module in list(data["modules"].items()) + list(data.get("extra_modules", {}).items()):
        options = {}
        for fragment in module.get("extends_documentation_fragment") or []:
            options.update(fragments.get(fragment, {}))
        options.update(module.get("options") or {})
        specs[name] = options
    return specs


def _doc_strings(path):
    """The string constants assigned to DOCUMENTATION (module level or in a class) in a Python file, by owner:
    {None: module's, 'CLASS.ATTR'...}; read with ast, nothing imported or run."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


def _installed_module_options(short):
    """Documented options of one installed oracle.oci module, its doc fragments merged in (as ansible-doc does)."""
    path = os.path.join(INSTALLED, "plugins", "modules", short + ".py")
    if not os.path.isfile(path):
        return None
    doc = yaml.safe_load(_doc_strings(path)["DOCUMENTATION"]) or {}
    options = {}
    for fragment in doc.get("extends_documentation_fragment") or []:
        name = fragment.split(".", 2)[-1] if fragment.startswith("oracle.oci.") else fragment
        base, _dot, attribute = name.partition(".")
        strings = _doc_strings(os.path.join(INSTALLED, "plugins", "doc_fragments", base + ".py"))
        options.update((yaml.safe_load(strings[attribute.upper() or "DOCUMENTATION"]) or {}).get("options") or {})
    options.update(doc.get("options") or {})
    return options


class _InstalledSpecs(dict):
    """Short module name -> options, read from the installed collection on first use (it has 2,000 modules)."""

    def __missing__(self, short):
        options = _installed_module_options(short)
        if options is None:
            raise KeyError(short)
        self[short] = options
        return options

    def __contains__(self, short):
        try:
            self[short]  # pylint: disable=pointless-statement
        except KeyError:
            return False
        return True


@functools.lru_cache(maxsize=1)
def require():
    """Fail the calling test, naming both sources and how to get them, when neither holds the option data."""
    import pytest  # pylint: disable=import-outside-toplevel

    if not os.path.isdir(os.path.join(INSTALLED, "plugins", "modules")) and not os.path.isfile(SHARED_SPECS):
        pytest.fail("no oracle.oci option data: oracle.oci is not installed in %s (make setup installs it) and %s is "
                    "missing (the project's reference set beside the checkout, see ../shared/README.md)"
                    % (INSTALLED, SHARED_SPECS), pytrace=False)


def module_specs():
    """Short module name -> documented options (fragments merged in)."""
    if os.path.isdir(os.path.join(INSTALLED, "plugins", "modules")):
        return _InstalledSpecs()
    return _from_shared_file()


def _argspec(options):
    spec = {}
    for name, option in options.items():
        entry = {"type": option.get("type") or "str"}
        for key in ("required", "choices", "elements", "aliases", "no_log"):
            if option.get(key):
                entry[key] = option[key]
        if option.get("suboptions"):
            entry["options"] = _argspec(option["suboptions"])
        spec[name] = entry
    return spec


def _is_template(value):
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def _stand_in(value, option):
    """Replace templated values (recursively) with a value of the declared type."""
    if option is None:
        return value
    if _is_template(value):
        if option.get("choices"):
            return option["choices"][0]
        if option.get("type") == "list" and option.get("suboptions"):
            return []
        # A fresh copy: the validator fills suboption defaults into the dict it is given.
        return copy.deepcopy(_STAND_IN.get(option.get("type") or "str", "x"))
    subs = option.get("suboptions")
    if subs and isinstance(value, dict):
        return {key: _stand_in(val, _lookup(subs, key)) for key, val in value.items()}
    if subs and isinstance(value, list):
        return [_stand_in(item, {"type": "dict", "suboptions": subs}) if isinstance(item, dict)
                else ([] if _is_template(item) else item) for item in value]
    if isinstance(value, list) and option.get("elements") and option.get("elements") != "dict":
        return [_STAND_IN.get(option["elements"], "x") if _is_template(item) else item for item in value]
    return value


def _lookup(options, name):
    if name in options:
        return options[name]
    for option in options.values():
        if name in (option.get("aliases") or []):
            return option
    return None


def validate_task(module, args):
    """Problems with one task's arguments (empty when they would pass the module's own validation)."""
    short = module.split(".", 2)[-1] if module.startswith("oracle.oci.") else module
    specs = module_specs()
    if short not in specs:
        return ["unknown module oracle.oci.%s" % short]
    if _is_template(args):
        return []  # the whole argument dict comes from a variable
    options = specs[short]
    params = {key: _stand_in(value, _lookup(options, key)) for key, value in (args or {}).items()}
    result = ArgumentSpecValidator(_argspec(options)).validate(params)
    return [str(error) for error in result.errors]


def _walk(tasks, source):
    for task in tasks or []:
        if not isinstance(task, dict):
            continue
        for section in ("block", "rescue", "always"):
            yield from _walk(task.get(section), source)
        for key, value in task.items():
            if key.startswith("oracle.oci."):
                args = dict(value) if isinstance(value, dict) else value
                if isinstance(task.get("args"), dict):
                    args = dict(args or {}, **task["args"])
                yield source, task.get("name", "(unnamed)"), key, args


def oci_tasks(root=REPO):
    """Every oracle.oci task in roles/*/tasks and playbooks/: (file, task name, module, arguments)."""
    found = []
    for top in ("roles", "playbooks"):
        for directory, _dirs, files in sorted(os.walk(os.path.join(root, top))):
            for filename in sorted(files):
                if not filename.endswith((".yml", ".yaml")):
                    continue
                path = os.path.join(directory, filename)
                if top == "roles" and os.sep + "tasks" + os.sep not in path + os.sep and "handlers" not in path:
                    continue
                with open(path, encoding="utf-8") as handle:
                    content = yaml.safe_load(handle)
                if top == "playbooks" and isinstance(content, list):
                    for play in content:
                        if isinstance(play, dict):
                            for section in ("pre_tasks", "tasks", "post_tasks", "handlers"):
                                found.extend(_walk(play.get(section), os.path.relpath(path, root)))
                elif isinstance(content, list):
                    found.extend(_walk(content, os.path.relpath(path, root)))
    return found
