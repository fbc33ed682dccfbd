"""Configs with policies for the policy tests, and the README's example policy."""
import os
import re

from dbward_helpers import REPO, to_yaml


def with_policies(config, policies):
    """YAML text: CONFIG (a dict from pg_config/my_config) plus a `policies`
    section, given as a list of dicts or as YAML text."""
    text = to_yaml(config)
    if isinstance(policies, str):
        return text + "\n" + policies.strip("\n") + "\n"
    return text + "\n" + to_yaml({"policies": policies}) + "\n"


def readme_policy():
    """The example policy block of README.md, as YAML text (what users copy)."""
    with open(os.path.join(REPO, "README.md")) as f:
        readme = f.read()
    m = re.search(r"<!-- BEGIN EXAMPLE POLICY -->\s*```yaml\n(.*?)```\s*<!-- END EXAMPLE POLICY -->",
                  readme, re.S)
    assert m, "README.md has no example policy block"
    return m.group(1)


def blocked_lines(proxy):
    return [ln for ln in proxy.log_text().splitlines() if "blocked a statement" in ln]


def would_block_lines(proxy):
    return [ln for ln in proxy.log_text().splitlines() if "would block" in ln]
