# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of eventstack_services (docs in eventstack_services_problems.yml)."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _services
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin


def eventstack_services_problems(services):
    return _services.services_problems(to_builtin(services or []))


def eventstack_event_probes(services, broadcast_consumer_id="{podName}"):
    return _services.event_probes(to_builtin(services or []), broadcast_consumer_id)


def eventstack_pubsub_scopes(services, broadcast=False):
    return _services.pubsub_scopes(to_builtin(services or []), bool(broadcast))


class FilterModule:
    def filters(self):
        return {"eventstack_services_problems": eventstack_services_problems,
                "eventstack_event_probes": eventstack_event_probes,
                "eventstack_pubsub_scopes": eventstack_pubsub_scopes}
