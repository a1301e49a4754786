"""The collection's filter files are imported under the names Ansible's plugin loader gives them, so that a task
process forked after preflight's action plugin was loaded finds them loaded."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from ansible_collections.eventstack.oke.plugins.plugin_utils import _filters_once

# In a fresh interpreter set up as ansible-playbook sets itself up (the collection loader over the collections path),
# since this test process imports the collection without it.
LOADER_CHECK = textwrap.dedent("""\
    import sys
    from ansible.plugins.loader import filter_loader, init_plugin_loader
    init_plugin_loader([sys.argv[1]])
    from ansible_collections.eventstack.oke.plugins.plugin_utils import _filters_once
    module = sys.modules["ansible_collections.eventstack.oke.plugins.filter.hardening"]
    plugin = filter_loader.get("eventstack.oke.network_flows")
    function = getattr(plugin, "j2_function", plugin)
    print(function is module.network_flows,
          sys.modules["ansible_collections.eventstack.oke.plugins.filter.hardening"] is module)
""")


def test_every_filter_file_is_listed():
    files = sorted(name[:-3] for name in os.listdir(_filters_once.FILTERS) if name.endswith(".py"))
    assert [name.rsplit(".", 1)[1] for name in _filters_once.names()] == files
    assert "hardening" in files and "database" in files


def test_the_plugin_loader_takes_the_imported_files_as_loaded():
    collection = os.path.dirname(os.path.dirname(_filters_once.FILTERS))
    root = os.path.dirname(os.path.dirname(os.path.dirname(collection)))
    proc = subprocess.run([sys.executable, "-c", LOADER_CHECK, root], capture_output=True, text=True, check=False,
                          timeout=60)
    # The loader found the filter in the module imported on import of _filters_once, not in a copy of its own.
    assert proc.stdout.split() == ["True", "True"], proc.stdout + proc.stderr


def test_a_filter_file_that_cannot_be_imported_is_left_to_the_loader(monkeypatch):
    broken = _filters_once.PACKAGE + ".broken"
    monkeypatch.setattr(_filters_once, "names", lambda: [broken])
    _filters_once.import_all()
    assert broken not in sys.modules
