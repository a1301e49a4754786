# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the collection's filter plugins, imported once in ansible-playbook's own process.

Ansible runs each task in a process forked from ansible-playbook's, and a task that templates one of this
collection's filters loads every filter file of the collection (and the module_utils they import) in that process,
about 40 ms each time; a render of prod has some twenty such tasks. The strategy loads each task's action plugin in
ansible-playbook's process before it forks the task's, and the plugin loader takes a filter file it finds already in
sys.modules under its name as loaded: so the action plugins of the tasks every play starts with (preflight's) import
this module, and every later task inherits the filters. Where that does not hold, the loader loads them as before."""

from __future__ import annotations

import importlib
import os

FILTERS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "filter")
PACKAGE = "ansible_collections.eventstack.oke.plugins.filter"


def names():
    """The import names of the collection's filter plugin files."""
    return sorted("%s.%s" % (PACKAGE, name[:-3]) for name in os.listdir(FILTERS)
                  if name.endswith(".py") and not name.startswith("_"))


def import_all():
    """Import every filter file; one that cannot be imported is left to the plugin loader, which reports it in the
    task that uses it, as it would without this module."""
    for name in names():
        try:
            importlib.import_module(name)
        except Exception:  # pylint: disable=broad-exception-caught
            continue


import_all()
