"""The files under deploy/: every dbward configuration in them (the examples,
the one embedded in the Kubernetes ConfigMap, any other) passes
`dbward --check-config`; the Kubernetes objects agree with that configuration;
the systemd unit keeps its hardening; logrotate rotates the audit file and
makes dbward reopen it with SIGUSR1.

The configurations name files in their real places (/etc/dbward,
/var/log/dbward, /var/lib/dbward), which `--check-config` requires to exist.
Each check therefore runs on a copy whose paths are moved under a temporary
directory holding those files: certificates, not-world-readable key files and
the directories. Nothing else in the text changes."""
import gzip
import os
import pwd
import grp
import re
import shutil
import socket
import subprocess
import time

import pytest
import yaml

from dbward_helpers import REPO, dbward_bin
from servers import free_port, make_self_signed_cert

DEPLOY = os.path.join(REPO, "deploy")
SECRET = "deploy-test-Secret-4f1d"
FILE_ROOTS = ("/etc/dbward/", "/var/log/dbward/", "/var/lib/dbward/")
ROOTS_RE = re.compile(r"(?<![\w./-])(/etc/dbward/|/var/log/dbward/|/var/lib/dbward/)")
CERT_KEYS = ("cert_file", "ca_file")
SECRET_FILE_KEYS = ("chain_key_file", "password_file", "backend_password_file")
DIR_ONLY_KEYS = ("allowlist_file",)   # may be absent; its directory is checked
UNIT = os.path.join(DEPLOY, "systemd", "dbward.service")
TMPFILES = os.path.join(DEPLOY, "systemd", "dbward.tmpfiles")
LOGROTATE = os.path.join(DEPLOY, "logrotate", "dbward")
MANIFEST = os.path.join(DEPLOY, "kubernetes", "dbward.yaml")


def is_manifest(docs):
    return any(isinstance(d, dict) and "apiVersion" in d and "kind" in d for d in docs)


def deploy_configs():
    """(id, YAML text) of every dbward configuration under deploy/."""
    found = []
    for dirpath, _, files in os.walk(DEPLOY):
        for name in sorted(files):
            if not name.endswith((".yaml", ".yml")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, REPO)
            with open(path) as f:
                text = f.read()
            docs = list(yaml.safe_load_all(text))
            if not is_manifest(docs):
                found.append((rel, text))
                continue
            for doc in docs:
                if doc and doc.get("kind") == "ConfigMap":
                    for key, value in sorted((doc.get("data") or {}).items()):
                        if key.endswith((".yaml", ".yml")):
                            found.append((f"{rel}:{doc['metadata']['name']}/{key}", value))
    return sorted(found)


CONFIGS = deploy_configs()


def walk(node, path=""):
    """(key path, key, value) of every mapping entry in NODE, depth first."""
    if isinstance(node, dict):
        for k, v in node.items():
            p = f"{path}.{k}" if path else str(k)
            yield p, k, v
            yield from walk(v, p)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, f"{path}[{i}]")


@pytest.fixture(scope="module")
def tls_material(tmp_path_factory):
    return make_self_signed_cert(str(tmp_path_factory.mktemp("deploy-tls")), "server")


def sandbox(text, root, tls_material):
    """Writes TEXT with its file paths moved under ROOT, creates the files it
    names there; returns (config path, environment with every *_env set)."""
    cert, key = tls_material
    env = dict(os.environ)
    for keypath, key_name, value in walk(yaml.safe_load(text)):
        if not isinstance(key_name, str):
            continue
        if key_name.endswith("_env"):
            env[value] = SECRET
            continue
        is_file = key_name.endswith("_file") or keypath == "audit.path"
        if not is_file:
            continue
        assert isinstance(value, str) and value.startswith(FILE_ROOTS), \
            f"{keypath}: {value!r} is not under {', '.join(FILE_ROOTS)}"
        target = root + value
        parent = os.path.dirname(target)
        os.makedirs(parent, exist_ok=True)
        d = parent
        while d != root:
            os.chmod(d, 0o750)
            d = os.path.dirname(d)
        if key_name in CERT_KEYS:
            shutil.copyfile(cert, target)
        elif key_name == "key_file":
            shutil.copyfile(key, target)
            os.chmod(target, 0o600)
        elif key_name in SECRET_FILE_KEYS:
            with open(target, "w") as f:
                f.write(SECRET + "-file\n")
            os.chmod(target, 0o600)
        elif keypath == "audit.path" or key_name in DIR_ONLY_KEYS:
            pass
        else:
            pytest.fail(f"{keypath}: the test does not know what file {value} should hold")
    moved = ROOTS_RE.sub(lambda m: root + m.group(1), text)
    path = os.path.join(root, "dbward.yaml")
    with open(path, "w") as f:
        f.write(moved)
    os.chmod(path, 0o600)
    return path, env


def check_config(path, env):
    return subprocess.run([dbward_bin(), "--check-config", path], capture_output=True,
                          text=True, timeout=30, env=env, stdin=subprocess.DEVNULL)


def test_every_kind_of_config_is_found():
    ids = [cid for cid, _ in CONFIGS]
    for name in ("app.yaml", "reporting.yaml", "breakglass.yaml"):
        assert f"deploy/examples/{name}" in ids, ids
    assert any(cid.startswith("deploy/kubernetes/dbward.yaml:") for cid in ids), ids


@pytest.mark.parametrize("cid,text", CONFIGS, ids=[c for c, _ in CONFIGS])
def test_config_passes_check_config(cid, text, tmp_path, tls_material):
    path, env = sandbox(text, str(tmp_path), tls_material)
    res = check_config(path, env)
    out = res.stdout + res.stderr
    assert res.returncode == 0, f"{cid}:\n{out}"
    assert "configuration is valid" in res.stdout, out
    assert SECRET not in out


def test_sandbox_does_not_hide_errors(tmp_path, tls_material):
    """The same procedure fails a file with a mistake in it."""
    text = dict(CONFIGS)["deploy/examples/app.yaml"]
    text = text.replace("pool_wait: 5s", "pool_wait: 5 seconds")
    path, env = sandbox(text, str(tmp_path), tls_material)
    del env["APP_DB_PASSWORD"]
    res = check_config(path, env)
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    assert "timeouts.pool_wait" in out and "users[0].password_env" in out, out


# ---- Kubernetes --------------------------------------------------------------

def manifest_objects():
    with open(MANIFEST) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    return {d["kind"]: d for d in docs}


def test_manifest_matches_its_config():
    objs = manifest_objects()
    assert "Namespace" not in objs
    assert {"ConfigMap", "Deployment", "Service"} <= set(objs)
    config = yaml.safe_load(objs["ConfigMap"]["data"]["dbward.yaml"])
    pod = objs["Deployment"]["spec"]["template"]["spec"]
    (container,) = [c for c in pod["containers"] if c["name"] == "dbward"]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}

    # The configuration the container reads is the ConfigMap's.
    args = container["args"]
    conf_path = args[args.index("-c") + 1]
    conf_dir, conf_name = os.path.split(conf_path)
    assert volumes[mounts[conf_dir]]["configMap"]["name"] == objs["ConfigMap"]["metadata"]["name"]
    assert conf_name in objs["ConfigMap"]["data"]

    # Every file the configuration names lies in a mounted volume.
    for keypath, key_name, value in walk(config):
        if isinstance(key_name, str) and (key_name.endswith("_file") or keypath == "audit.path"):
            assert any(value.startswith(m.rstrip("/") + "/") for m in mounts), \
                f"{keypath}: {value} is in no volume of the container"

    # Every variable a *_env key names comes from a Secret.
    env = {e["name"]: e for e in container.get("env", [])}
    for keypath, key_name, value in walk(config):
        if isinstance(key_name, str) and key_name.endswith("_env"):
            assert value in env, f"{keypath}: {value} is not set in the Deployment"
            assert "secretKeyRef" in env[value]["valueFrom"], env[value]

    # Listener ports are container ports, and the Service reaches them.
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    listen_ports = {int(lst["listen"].rsplit(":", 1)[1]) for lst in config["listeners"]}
    assert listen_ports <= set(ports.values()), (listen_ports, ports)
    assert all(lst["listen"].startswith("0.0.0.0:") for lst in config["listeners"])
    svc = objs["Service"]["spec"]
    assert svc["type"] == "ClusterIP"
    assert {p["port"] for p in svc["ports"]} == {6432, 3307}
    for p in svc["ports"]:
        target = p["targetPort"]
        assert (ports[target] if isinstance(target, str) else target) == p["port"]
    assert svc["selector"].items() <= \
        objs["Deployment"]["spec"]["template"]["metadata"]["labels"].items()

    # Hardening and probes.
    assert objs["Deployment"]["spec"]["replicas"] == 2
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    for c in pod["containers"] + pod.get("initContainers", []):
        sc = c["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True, c["name"]
        assert sc["allowPrivilegeEscalation"] is False, c["name"]
        assert sc["capabilities"]["drop"] == ["ALL"], c["name"]
    assert ports["admin"] == 9187
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for probe in ("livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["port"] in ("admin", 9187)
    annotations = objs["Deployment"]["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == "9187"
    assert "limits" in container["resources"] and "requests" in container["resources"]

    # The audit directory is a volume of the pod, and it is not the volume's
    # root when that is an emptyDir (world-writable, which dbward refuses).
    audit_dir = os.path.dirname(config["audit"]["path"])
    (vol_mount,) = [m for m in mounts if audit_dir == m or audit_dir.startswith(m + "/")]
    if "emptyDir" in volumes[mounts[vol_mount]]:
        assert audit_dir != vol_mount
        init = " ".join(" ".join(c["command"]) for c in pod.get("initContainers", []))
        assert audit_dir in init and "0750" in init, init


# ---- systemd -----------------------------------------------------------------

def parse_unit(path):
    """{section: {key: [values...]}} of a systemd unit file."""
    sections, current = {}, None
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                current = sections.setdefault(line.strip("[]"), {})
                continue
            key, _, value = line.partition("=")
            current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_systemd_unit_hardening():
    unit = parse_unit(UNIT)
    svc = unit["Service"]

    def one(key):
        assert key in svc, f"{key} missing"
        assert len(svc[key]) == 1, f"{key} given more than once: {svc[key]}"
        return svc[key][0]

    assert one("Type") == "notify" and one("NotifyAccess") == "main"
    assert one("ExecStart") == "/usr/local/bin/dbward -c /etc/dbward/dbward.yaml"
    assert svc["ExecReload"][-1] == "/bin/kill -HUP $MAINPID"
    assert one("Restart") == "on-failure"
    assert one("User") == "dbward" and one("Group") == "dbward"
    assert "DynamicUser" not in svc
    expect = {
        "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
        "PrivateTmp": "yes", "PrivateDevices": "yes", "LockPersonality": "yes",
        "MemoryDenyWriteExecute": "yes", "RestrictNamespaces": "yes",
        "RestrictRealtime": "yes", "SystemCallArchitectures": "native",
        "LimitNOFILE": "65536", "UMask": "0077",
        "CapabilityBoundingSet": "", "AmbientCapabilities": "",
    }
    for key, value in expect.items():
        assert one(key) == value, f"{key}={one(key)}"
    # Nothing but the audit directory is writable.
    assert svc["ReadWritePaths"] == ["/var/log/dbward"]
    for key in ("StateDirectory", "LogsDirectory", "CacheDirectory", "RuntimeDirectory"):
        assert key not in svc, key
    assert set(one("RestrictAddressFamilies").split()) == {"AF_INET", "AF_INET6", "AF_UNIX"}
    assert svc["SystemCallFilter"][0] == "@system-service"
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]

    # The flags it passes are the binary's.
    usage = subprocess.run([dbward_bin(), "--help"], capture_output=True, text=True,
                           timeout=10).stdout
    assert "dbward -c FILE" in usage and "--check-config FILE" in usage

    # The tmpfiles entry creates exactly the writable directory, closed to others.
    with open(TMPFILES) as f:
        entries = [ln.split() for ln in f if ln.strip() and not ln.startswith("#")]
    assert entries == [["d", "/var/log/dbward", "0750", "dbward", "dbward", "-"]]


def test_systemd_analyze_verify(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    # verify wants the binary the unit starts: point it at the one under test.
    with open(UNIT) as f:
        text = f.read().replace("/usr/local/bin/dbward", dbward_bin())
    copy = tmp_path / "dbward.service"
    copy.write_text(text)
    res = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0 and "dbward.service" not in res.stderr, res.stderr


# ---- logrotate ---------------------------------------------------------------

def logrotate_block():
    with open(LOGROTATE) as f:
        text = "\n".join(ln for ln in f.read().splitlines() if not ln.strip().startswith("#"))
    m = re.search(r"^(\S+)\s*\{(.*?)^\}", text, re.S | re.M)
    assert m, text
    return m.group(1), m.group(2)


def test_logrotate_sends_sigusr1():
    path, body = logrotate_block()
    assert path == "/var/log/dbward/audit.jsonl"
    post = re.search(r"postrotate(.*?)endscript", body, re.S)
    assert post, body
    signal_opt = r"(?:^|\s)(?:-s\s*|--signal[=\s]|-)(?:SIG)?USR1\b"
    assert re.search(signal_opt, post.group(1)), post.group(1)
    assert "dbward" in post.group(1)
    directives = [ln.strip() for ln in body[:post.start()].splitlines() if ln.strip()]
    for d in ("daily", "rotate 30", "compress", "delaycompress", "missingok", "notifempty",
              "create 0600 dbward dbward"):
        assert d in directives, (d, directives)
    # A truncated file would lose records and break the chain.
    assert "copytruncate" not in body


def wait_for(what, predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_logrotate_rotates_a_running_dbward(tmp_path, start_dbward):
    """logrotate with this file, for real, twice: dbward reopens the audit
    file each time and the chain runs on across the rotated files. Only the
    place, the owner of the new file and the way to reach the process are
    changed for the test (there is no systemd here to signal through)."""
    if shutil.which("logrotate") is None:
        pytest.skip("logrotate is not installed")
    logdir = tmp_path / "log"
    logdir.mkdir(mode=0o750)
    audit = logdir / "audit.jsonl"
    port = free_port()
    proxy = start_dbward(f"""
listeners:
  - {{ name: pg, protocol: postgres, listen: 127.0.0.1:{port}, backend: pg }}
backends:
  - {{ name: pg, protocol: postgres, address: 127.0.0.1:{free_port()} }}
audit:
  path: {audit}
""")
    user = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    with open(LOGROTATE) as f:
        conf = f.read().replace("/var/log/dbward/", f"{logdir}/")
    conf = conf.replace("create 0600 dbward dbward", f"create 0600 {user} {group}")
    conf, n = re.subn(r"^(\s*)\S*systemctl kill .*$",
                      lambda m: f"{m.group(1)}kill -USR1 {proxy.proc.pid}", conf, flags=re.M)
    assert n == 1, conf
    conf_path = tmp_path / "logrotate.conf"
    conf_path.write_text(conf)
    os.chmod(conf_path, 0o644)

    def rotate():
        res = subprocess.run(["logrotate", "-f", "-s", str(tmp_path / "state"), str(conf_path)],
                             capture_output=True, text=True, timeout=30)
        assert res.returncode == 0, res.stdout + res.stderr

    def touch_listener():
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass

    wait_for("the start record", lambda: audit.exists() and audit.stat().st_size > 0)
    for round_ in (1, 2):
        touch_listener()
        wait_for("the disconnect record",
                 lambda: audit.read_text().count('"action":"disconnect"') >= 1)
        rotate()
        wait_for(f"reopen number {round_}",
                 lambda: proxy.log_text().count("audit: reopened") >= round_)
        assert audit.stat().st_mode & 0o777 == 0o600
    touch_listener()
    assert proxy.terminate() == 0

    # delaycompress: .1 stays plain, .2 is compressed.
    assert (logdir / "audit.jsonl.1").exists()
    older = tmp_path / "audit.jsonl.2"
    with gzip.open(logdir / "audit.jsonl.2.gz") as src:
        older.write_bytes(src.read())
    for f in (logdir / "audit.jsonl.1", audit):
        assert '"action":"file_start"' in f.read_text().splitlines()[0]
    res = subprocess.run([dbward_bin(), "audit", "verify", str(older),
                          str(logdir / "audit.jsonl.1"), str(audit)],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stdout + res.stderr
