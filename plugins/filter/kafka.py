# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The strimzi_kafka role's topics and the checks of its settings (docs in kafka_topics.yml and
strimzi_kafka_problems.yml)."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _kafka
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin


def strimzi_kafka_problems(settings):
    return _kafka.kafka_problems(to_builtin(settings or {}))


def kafka_topics(services, topic_settings=None, defaults=None, dead_letter_defaults=None):
    return _kafka.kafka_topics(to_builtin(services or []), to_builtin(topic_settings or {}), to_builtin(defaults or {}),
                               to_builtin(dead_letter_defaults or {}))


class FilterModule:
    def filters(self):
        return {"strimzi_kafka_problems": strimzi_kafka_problems, "kafka_topics": kafka_topics}
