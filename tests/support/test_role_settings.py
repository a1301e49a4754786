"""Where a value shared by roles lives: a role reads another role's variables only where that role declares them
(its defaults/main.yml, its vars/main.yml, or a fact its own tasks set), so a reader finds any shared value in one
step; and every playbook runs the roles whose variables its roles read in the same play (site.yml, verify.yml and
destroy.yml are one play each), since role variables are in sight only within their play."""

from __future__ import annotations

import pathlib
import re

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
PLAYBOOKS = ("site.yml", "verify.yml", "destroy.yml")
FACT = re.compile(r"^\s+(?:register:\s*(\w+)|(\w+):)")


def _files(role_dir):
    for path in sorted(role_dir.rglob("*")):
        if path.is_file() and path.suffix in (".yml", ".yaml", ".j2") and path.relative_to(role_dir).parts[0] != "meta":
            yield path


def declared(role_dir):
    """The variables a role declares: its defaults and vars, the facts its tasks set and what they register."""
    names = set()
    for sub in ("defaults", "vars"):
        path = role_dir / sub / "main.yml"
        if path.exists():
            names |= set(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    for path in sorted((role_dir / "tasks").glob("*.yml")) if (role_dir / "tasks").is_dir() else []:
        for task in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            for block in [task] + list(task.get("block", [])) + list(task.get("rescue", [])):
                names |= set(block.get("ansible.builtin.set_fact", None) or {})
                if block.get("register"):
                    names.add(block["register"])
    return names


def cross_reads(roles_dir):
    """{(reader, owner): {variable, ...}}: the variables of another role's prefix each role reads (comments left
    out; a name after a dot, such as a plugin's eventstack.oke.apps_workload, a quoted one, such as a dict key, and a
    template's own {% set %} variable are not)."""
    roles = sorted(path.name for path in roles_dir.iterdir() if (path / "tasks").is_dir() or (path / "vars").is_dir())
    pattern = re.compile(r"(?<![.\w'\"])(%s)_(\w+)" % "|".join(sorted(roles, key=len, reverse=True)))
    found = {}
    for reader in roles:
        for path in _files(roles_dir / reader):
            text = path.read_text(encoding="utf-8")
            local = set(re.findall(r"\{%-?\s*set\s+(\w+)", text))
            for line in text.splitlines():
                if line.lstrip().startswith("#"):
                    continue
                for match in pattern.finditer(line):
                    owner = match.group(1)
                    if owner != reader and match.group(0) not in local and not line.lstrip().startswith(
                            match.group(0) + ":"):
                        found.setdefault((reader, owner), set()).add(match.group(0))
    return found


def undeclared(roles_dir):
    """(reader, owner, variable) for each read of a variable its owner does not declare."""
    out = []
    for (reader, owner), names in sorted(cross_reads(roles_dir).items()):
        known = declared(roles_dir / owner)
        out += [(reader, owner, name) for name in sorted(names) if name not in known]
    return out


def listed_roles(playbook):
    """The roles a playbook lists, play by play: [{role, ...}, ...]."""
    return [{(entry["role"] if isinstance(entry, dict) else entry).rsplit(".", 1)[-1] for entry in play.get("roles", [])}
            for play in yaml.safe_load(playbook.read_text(encoding="utf-8")) or []]


def split_plays(playbook, roles_dir, layers=None):
    """(play, reader, owner) where a play runs a role reading variables that one of the layers' roles (by default the
    ones the playbook lists) declares and the play does not list. The internal roles, which the others include, are
    no layer."""
    reads = cross_reads(roles_dir)
    plays = yaml.safe_load(playbook.read_text(encoding="utf-8")) or []
    listed = listed_roles(playbook)
    anywhere = layers if layers is not None else set().union(*listed)
    out = []
    for play, roles in zip(plays, listed):
        for reader in sorted(roles):
            for (who, owner), names in sorted(reads.items()):
                if who == reader and owner in anywhere - roles and names & declared(roles_dir / owner):
                    out.append((play["name"], reader, owner))
    return out


def test_a_role_reads_another_roles_variables_where_that_role_declares_them():
    assert undeclared(REPO / "roles") == []


def test_the_playbooks_run_the_roles_that_share_values_in_one_play():
    layers = set().union(*listed_roles(REPO / "playbooks" / "site.yml"))
    for name in PLAYBOOKS:
        assert split_plays(REPO / "playbooks" / name, REPO / "roles", layers) == [], name


def _role(root, name, defaults=None, tasks=None, var_files=None):
    for sub, content in (("defaults", defaults), ("tasks", tasks), ("vars", var_files)):
        if content is not None:
            (root / name / sub).mkdir(parents=True, exist_ok=True)
            (root / name / sub / "main.yml").write_text(content, encoding="utf-8")


def test_an_undeclared_read_and_a_split_play_are_found(tmp_path):
    roles = tmp_path / "roles"
    _role(roles, "kafka", defaults="kafka_port: 9092\n", tasks="- ansible.builtin.set_fact:\n    kafka_ready: true\n",
          var_files="kafka_settings: {port: '{{ kafka_port }}'}\n")
    _role(roles, "dapr", tasks=(
        "# kafka_comment_only is not read\n"
        "- ansible.builtin.debug:\n    msg: \"{{ kafka_settings.port }} {{ kafka_ready }} {{ kafka_missing }}\"\n"
        "- eventstack.oke.kafka_module: {'kafka_key': 1}\n"
        "- ansible.builtin.debug:\n    msg: \"{% set kafka_local = 1 %}{{ kafka_local }}\"\n"))
    assert undeclared(roles) == [("dapr", "kafka", "kafka_missing")]
    split = tmp_path / "split.yml"
    split.write_text("- name: Kafka\n  hosts: all\n  roles: [x.y.kafka]\n"
                     "- name: Dapr\n  hosts: all\n  roles: [{role: x.y.dapr, tags: [dapr]}]\n", encoding="utf-8")
    assert split_plays(split, roles) == [("Dapr", "dapr", "kafka")]
    one = tmp_path / "one.yml"
    one.write_text("- name: All\n  hosts: all\n  roles: [x.y.kafka, x.y.dapr]\n", encoding="utf-8")
    assert split_plays(one, roles) == []
    alone = tmp_path / "alone.yml"
    alone.write_text("- name: Dapr only\n  hosts: all\n  roles: [x.y.dapr]\n", encoding="utf-8")
    assert split_plays(alone, roles) == []
    assert split_plays(alone, roles, {"kafka", "dapr"}) == [("Dapr only", "dapr", "kafka")]
