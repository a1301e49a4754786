# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of the strimzi_kafka settings (docs in strimzi_kafka_problems.yml)."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _kafka
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin


def strimzi_kafka_problems(settings):
    return _kafka.kafka_problems(to_builtin(settings or {}))


class FilterModule:
    def filters(self):
        return {"strimzi_kafka_problems": strimzi_kafka_problems}
