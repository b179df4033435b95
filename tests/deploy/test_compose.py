"""docker-compose.yml (and its overrides), the Dockerfile, Prometheus and Grafana, against the code.

No Docker daemon is needed: the files are parsed and checked against the click command tree,
``pipeline.settings.Settings``, ``pipeline.contracts.topics.registry()``, the routes the processes
serve and the metrics ``pipeline.metrics`` registers. The topic job's command runs for real
against the session's broker.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys
import threading
import tomllib
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from click.testing import CliRunner

from pipeline.contracts.topics import registry
from pipeline.settings import Settings
from pipeline.tools.broker import EmbeddedBroker, free_port
from pipeline.tools.cli import cli
from tests.deploy import _support as sup

CONFIGS = list(sup.CONFIGURATIONS)
EXPECTED_SERVICES = {
    "kafka",
    "topics",
    "partners-sync",
    "worker",
    "ingest",
    "kafka-exporter",
    "prometheus",
    "grafana",
}


@pytest.fixture(scope="module")
def dockerfile() -> sup.Dockerfile:
    """The parsed Dockerfile."""
    return sup.parse_dockerfile()


@pytest.fixture(scope="module", params=CONFIGS)
def config(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    """(name, merged compose model) for the base file and each override."""
    name = str(request.param)
    return name, sup.load_compose(*sup.CONFIGURATIONS[name])


def edi_services(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The active services that run the edi-mesh image."""
    return {n: s for n, s in sup.active_services(model).items() if sup.is_edi_mesh(s)}


ONE_SHOT = {"topics", "partners-sync"}


def one_shot(service: dict[str, Any]) -> bool:
    """Jobs that run to completion: they say so with an explicit ``restart: "no"``."""
    return str(service.get("restart")) == "no"


# -- structure -------------------------------------------------------------------------------
def test_every_configuration_has_the_services(config: tuple[str, dict[str, Any]]) -> None:
    """Base file and overrides load and keep every service of the deployment."""
    name, model = config
    services = set(model["services"])
    assert services >= EXPECTED_SERVICES, f"{name}: missing {EXPECTED_SERVICES - services}"
    active = set(sup.active_services(model))
    assert active >= EXPECTED_SERVICES - {"kafka"}, name
    assert any(n.startswith("kafka") and "apache/kafka" in str(s.get("image", ""))
               for n, s in model["services"].items())  # fmt: skip


def test_depends_on_points_at_started_services(config: tuple[str, dict[str, Any]]) -> None:
    """No active service waits for a service the configuration does not start."""
    name, model = config
    active = sup.active_services(model)
    for svc_name, svc in active.items():
        deps = svc.get("depends_on") or {}
        for dep in deps if isinstance(deps, list) else deps.keys():
            assert dep in active, f"{name}: {svc_name} depends on {dep}, which is not started"


def test_images_are_pinned(dockerfile: sup.Dockerfile) -> None:
    """Third-party images and the Dockerfile base carry an exact version (or a digest)."""
    model = sup.load_compose(sup.KAFKA3)
    pinned = re.compile(r"^[\w./-]+(:v?\d+\.\d+\.\d+[\w.-]*)?(@sha256:[0-9a-f]{64})?$")
    for name, svc in model["services"].items():
        image = str(svc.get("image", ""))
        if sup.is_edi_mesh(svc):
            continue
        assert pinned.match(image) and (":" in image or "@" in image), (
            f"{name}: {image} is not pinned"
        )
        assert not image.endswith(":latest"), name
    base = dockerfile.stages[-1][0][1].split()[0]
    base = re.sub(r"\$\{(\w+)\}", lambda m: dockerfile.args[m.group(1)], base)
    assert re.match(r"^python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?$", base), base


# -- commands and settings -------------------------------------------------------------------
def test_edi_mesh_commands_are_real(
    config: tuple[str, dict[str, Any]], dockerfile: sup.Dockerfile
) -> None:
    """Every edi-mesh service runs the console script with a real subcommand and options."""
    name, model = config
    scripts = tomllib.loads((sup.ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    services = edi_services(model)
    assert {"topics", "partners-sync", "worker", "ingest"} <= set(services), name
    for svc_name, svc in services.items():
        args = sup.argv(svc, dockerfile)
        assert args[0] in scripts and scripts[args[0]] == "pipeline.tools.cli:main", (
            svc_name,
            args,
        )
        try:
            sup.resolve_command(args[1:])
        except click.UsageError as exc:
            pytest.fail(f"{name}: {svc_name} runs {args}: {exc.format_message()}")


@pytest.mark.parametrize(
    "args",
    [
        ["workers"],
        ["worker", "--web-prot", "1"],
        ["topics"],
        ["topics", "create", "--partitions", "0"],
    ],
)
def test_command_check_rejects_what_the_cli_rejects(args: list[str]) -> None:
    """The command check above fails on unknown commands, options and bad values."""
    with pytest.raises(click.UsageError):
        sup.resolve_command(args)


def test_edi_mesh_environment_is_settings(
    config: tuple[str, dict[str, Any]], dockerfile: sup.Dockerfile
) -> None:
    """Every EDI_MESH_* variable set (image or compose) is a Settings field and validates."""
    name, model = config
    known = sup.settings_fields_env()
    for svc_name, svc in edi_services(model).items():
        env = sup.service_env(svc, dockerfile)
        unknown = {k for k in env if k.startswith("EDI_MESH_")} - known
        assert not unknown, f"{name}: {svc_name} sets {unknown}, which Settings does not read"
        sup.edi_settings(env)  # raises if a value does not validate
    for path in [sup.COMPOSE, *sup.CONFIGURATIONS[name]]:
        compose_vars = {v for v in sup.variables(path.read_text()) if v.startswith("EDI_MESH_")}
        assert compose_vars <= known, f"{path.name}: {compose_vars - known}"


def test_services_agree_on_kafka_settings(
    config: tuple[str, dict[str, Any]], dockerfile: sup.Dockerfile
) -> None:
    """All edi-mesh services use the same broker, topics, partitions, group and security."""
    name, model = config
    shared = ("broker", "topic_prefix", "partitions", "replication", "app_id", "security_protocol",
              "sasl_mechanism", "sasl_username", "ssl_cafile", "data_dir", "partners", "routing")  # fmt: skip
    seen: dict[str, tuple[Any, ...]] = {}
    for svc_name, svc in edi_services(model).items():
        s = sup.edi_settings(sup.service_env(svc, dockerfile))
        seen[svc_name] = tuple(getattr(s, f) for f in shared)
    assert len(set(seen.values())) == 1, f"{name}: {seen}"


def test_group_timing_is_valid_on_kafka(
    config: tuple[str, dict[str, Any]], dockerfile: sup.Dockerfile
) -> None:
    """Session timeout within Kafka's bounds, heartbeats well inside it, Faust accepts it."""
    from pipeline.app import create_app

    name, model = config
    for svc_name, svc in edi_services(model).items():
        s = sup.edi_settings(sup.service_env(svc, dockerfile))
        assert 6.0 <= s.session_timeout <= 1800.0, (name, svc_name)  # group.{min,max}.session...
        assert s.heartbeat_interval <= s.session_timeout / 3, (name, svc_name)
        assert s.rebalance_timeout >= s.session_timeout, (name, svc_name)
        plain = s.model_copy(update={"security_protocol": "PLAINTEXT"})  # no CA file here
        assert create_app(plain).conf.broker_request_timeout > s.session_timeout


def test_topic_job_runs_topics_create(
    config: tuple[str, dict[str, Any]], dockerfile: sup.Dockerfile
) -> None:
    """The one-shot topic job runs `edi-mesh topics create`; the others wait for it."""
    name, model = config
    services = edi_services(model)
    job = services["topics"]
    cmd, _ = sup.resolve_command(sup.argv(job, dockerfile)[1:])
    assert cmd is cli.commands["topics"].commands["create"]  # type: ignore[attr-defined]
    assert one_shot(job)
    sync_cmd, _ = sup.resolve_command(sup.argv(services["partners-sync"], dockerfile)[1:])
    assert sync_cmd is cli.commands["partners"].commands["sync"]  # type: ignore[attr-defined]
    for dependant in ("partners-sync", "worker", "ingest"):
        deps = services[dependant]["depends_on"]
        assert deps["topics"]["condition"] == "service_completed_successfully", (name, dependant)


async def _describe(
    settings: Settings, names: list[str]
) -> tuple[dict[str, int], dict[str, dict[str, str]]]:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap, **settings.kafka_security())
    await admin.start()
    try:
        topics = await admin.describe_topics(names)
        partitions = {t["topic"]: len(t["partitions"]) for t in topics if not t["error_code"]}
        resources = [ConfigResource(ConfigResourceType.TOPIC, n) for n in partitions]
        configs: dict[str, dict[str, str]] = {}
        for response in await admin.describe_configs(resources):
            for resource in response.resources:
                configs[resource[3]] = {entry[0]: entry[1] for entry in resource[4]}
        return partitions, configs
    finally:
        await admin.close()


def test_topic_job_creates_every_registry_topic(
    broker: EmbeddedBroker, dockerfile: sup.Dockerfile, tmp_path: Path
) -> None:
    """The topic job's exact command and environment create every registry topic, as specified."""
    job = sup.load_compose()["services"]["topics"]
    args = sup.argv(job, dockerfile)[1:]
    env = sup.service_env(job, dockerfile)
    env.update(
        EDI_MESH_BROKER=broker.address,  # the session broker instead of kafka:9092
        EDI_MESH_TOPIC_PREFIX=f"deploy{uuid.uuid4().hex[:8]}.",
        EDI_MESH_DATA_DIR=str(tmp_path),
    )
    runner_env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("EDI_MESH_")}
    runner_env.update(env)
    result = CliRunner().invoke(cli, args, env=runner_env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    settings = sup.edi_settings(env)
    specs = registry()
    names = [s.full_name(settings) for s in specs]
    assert f"created {len(specs)} topic(s)" in result.output, result.output

    partitions, configs = asyncio.run(_describe(settings, names))
    for spec in specs:
        topic = spec.full_name(settings)
        assert partitions.get(topic) == spec.partition_count(settings), topic
        for key, value in spec.config.items():
            assert configs[topic].get(key) == value, (topic, key)
    assert settings.partitions == int(env["EDI_MESH_PARTITIONS"])
    assert configs[f"{settings.topic_prefix}edi.partners"]["cleanup.policy"] == "compact"

    again = CliRunner().invoke(cli, args, env=runner_env, catch_exceptions=False)
    assert again.exit_code == 0 and "created 0 topic(s)" in again.output, again.output


# -- install step ------------------------------------------------------------------------------
def _install_invocations(text: str) -> list[list[str]]:
    """Each call of scripts/install.sh in ``text`` (up to a shell ``&&``), as argv."""
    return [
        shlex.split(line[line.index("scripts/install.sh") :].split("&&")[0])
        for line in text.splitlines()
        if "scripts/install.sh" in line and not line.lstrip().startswith("#")
    ]


def test_dockerfile_and_makefile_install_with_the_same_script(dockerfile: sup.Dockerfile) -> None:
    """`make install` and the image both install through scripts/install.sh, and only through it."""
    makefile = sup.MAKEFILE.read_text()
    recipe = re.search(r"^\$\(STAMP\):.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "no $(STAMP) rule in the Makefile"
    make_calls = _install_invocations(recipe.group(1))
    runs = "\n".join(
        rest for op, rest in (i for st in dockerfile.stages for i in st) if op == "RUN"
    )
    docker_calls = _install_invocations(runs)
    assert len(make_calls) == 1 and len(docker_calls) == 1, (make_calls, docker_calls)
    # nothing else installs the project
    assert not re.search(
        r"pip install(?! --quiet --upgrade pip)", makefile.replace(recipe.group(1), "")
    )
    assert "pip install" not in runs
    copies = [rest for op, rest in (i for st in dockerfile.stages for i in st) if op == "COPY"]
    assert any(c.split()[0] == "scripts/install.sh" for c in copies), copies

    def dry_run(call: list[str]) -> list[str]:
        script_args = [a.replace("$(BIN)", ".venv/bin") for a in call[1:]]
        out = subprocess.run(["sh", str(sup.ROOT / call[0]), "--dry-run", *script_args],
                             capture_output=True, text=True, check=True)  # fmt: skip
        return out.stdout.split()

    make_cmd, docker_cmd = dry_run(make_calls[0]), dry_run(docker_calls[0])
    assert make_cmd[1:4] == ["-m", "pip", "install"] and docker_cmd[1:4] == make_cmd[1:4]
    assert "-e" in make_cmd and make_cmd[-1] == f"{sup.ROOT}[dev,bench]", make_cmd
    assert "-e" not in docker_cmd and docker_cmd[-1] == str(sup.ROOT), docker_cmd


def test_install_script_rejects_bad_usage() -> None:
    """The shared install script refuses options it does not know."""
    bad = subprocess.run(["sh", str(sup.ROOT / "scripts/install.sh"), "--dry-run", "--bogus"],
                         capture_output=True, text=True)  # fmt: skip
    assert bad.returncode == 2 and "unknown option" in bad.stderr


def test_image_is_non_root_and_runs_edi_mesh(dockerfile: sup.Dockerfile) -> None:
    """The runtime stage drops root, runs the console script, and sets only real settings."""
    user = dockerfile.last("USER")
    assert user and user.split(":")[0] not in ("root", "0"), user
    assert json.loads(dockerfile.last("ENTRYPOINT") or "[]") == ["edi-mesh"]
    env = dockerfile.env()
    assert {k for k in env if k.startswith("EDI_MESH_")} <= sup.settings_fields_env()
    s = sup.edi_settings(env)
    assert s.facade_host == "0.0.0.0" and s.worker_web_host == "0.0.0.0"  # reachable by Prometheus


def _ignored(path: str, patterns: list[str]) -> bool:
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pat = pattern.lstrip("!").strip("/")
        hit = any(
            fnmatch.fnmatch(candidate, pat) or fnmatch.fnmatch(candidate, pat.removeprefix("**/"))
            for candidate in [path, *(str(p) for p in Path(path).parents if str(p) != ".")]
        )
        if hit:
            ignored = not negate
    return ignored


def test_dockerignore_keeps_the_build_inputs_only(dockerfile: sup.Dockerfile) -> None:
    """Every COPY source reaches the build context; the venv, git and data do not."""
    patterns = [
        line.strip()
        for line in (sup.ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for op, rest in dockerfile.stages[0]:
        if op == "COPY" and "--from" not in rest:
            for src in rest.split()[:-1]:
                assert (sup.ROOT / src).exists(), src
                assert not _ignored(src.strip("/"), patterns), f"{src} is excluded by .dockerignore"
    for unwanted in (".venv", ".git", "var", "tests", "pipeline/__pycache__/x.pyc"):
        assert _ignored(unwanted, patterns), unwanted


# -- ports and health checks -------------------------------------------------------------------
def _port_entries(svc: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for entry in svc.get("ports") or []:
        if isinstance(entry, dict):
            yield str(entry.get("host_ip", "")), str(entry.get("target"))
        else:
            parts = str(entry).split(":")
            yield (parts[0] if len(parts) == 3 else ""), parts[-1].split("/")[0]


def test_host_ports_are_bound_to_localhost(config: tuple[str, dict[str, Any]]) -> None:
    """Every published port listens on the host's 127.0.0.1 only."""
    name, model = config
    for svc_name, svc in sup.active_services(model).items():
        assert svc.get("network_mode") != "host", svc_name
        for host_ip, _ in _port_entries(svc):
            assert host_ip == "127.0.0.1", (
                f"{name}: {svc_name} publishes on {host_ip or 'all interfaces'}"
            )


def test_long_running_services_have_health_checks(config: tuple[str, dict[str, Any]]) -> None:
    """Every service that is not a one-shot job declares a health check."""
    name, model = config
    active = sup.active_services(model)
    assert {n for n, s in active.items() if one_shot(s)} == ONE_SHOT, name
    for svc_name, svc in active.items():
        if svc_name in ONE_SHOT:
            continue
        assert svc.get("restart") in ("unless-stopped", "always"), (name, svc_name)
        test = (svc.get("healthcheck") or {}).get("test")
        assert test and test != ["NONE"] and not svc["healthcheck"].get("disable"), (name, svc_name)


def _health_url(svc: dict[str, Any]) -> str:
    test = svc["healthcheck"]["test"]
    urls = [t for t in (test if isinstance(test, list) else test.split()) if "://" in t]
    assert len(urls) == 1, test
    return str(urls[0])


def _listen_ports(svc_name: str, svc: dict[str, Any], dockerfile: sup.Dockerfile) -> dict[str, int]:
    """Ports the edi-mesh processes listen on, from their settings and options."""
    s = sup.edi_settings(sup.service_env(svc, dockerfile))
    _, ctx = sup.resolve_command(sup.argv(svc, dockerfile)[1:])
    if svc_name == "worker":
        return {"web": ctx.params.get("web_port") or s.worker_web_port}
    return {"web": ctx.params.get("facade_port") or s.facade_port, "ops": s.ops_port}


def test_edi_mesh_health_checks_use_healthz_on_the_real_port(
    config: tuple[str, dict[str, Any]], dockerfile: sup.Dockerfile
) -> None:
    """worker and ingest health checks GET /healthz on the port the process listens on."""
    name, model = config
    for svc_name in ("worker", "ingest"):
        svc = model["services"][svc_name]
        url = urlsplit(_health_url(svc))
        assert url.hostname == "127.0.0.1" and url.path == "/healthz", (name, svc_name, url)
        assert url.port == _listen_ports(svc_name, svc, dockerfile)["web"], (name, svc_name)
    ingest = model["services"]["ingest"]
    published = {target for _, target in _port_entries(ingest)}
    assert str(_listen_ports("ingest", ingest, dockerfile)["web"]) in published


class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/healthz" else 503)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_health_check_command_fails_when_it_should() -> None:
    """The compose health-check command exits 0 on 200 only (not on 503, not when down)."""
    test = sup.load_compose()["services"]["worker"]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "python"], test
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]

        def run(url: str) -> int:
            return subprocess.run(
                [sys.executable, *test[2:-1], url], capture_output=True, timeout=30
            ).returncode

        assert run(f"http://127.0.0.1:{port}/healthz") == 0
        assert run(f"http://127.0.0.1:{port}/readyz") != 0
        assert run(f"http://127.0.0.1:{free_port()}/healthz") != 0
    finally:
        server.shutdown()


def test_other_health_checks_target_the_service_port(config: tuple[str, dict[str, Any]]) -> None:
    """Kafka, the exporter, Prometheus and Grafana are probed on the ports they listen on."""
    name, model = config
    for svc_name, svc in sup.active_services(model).items():
        if sup.is_edi_mesh(svc) or one_shot(svc):
            continue
        test = svc["healthcheck"]["test"]
        text = " ".join(test if isinstance(test, list) else [test])
        if "apache/kafka" in svc["image"]:
            port = re.search(r"--bootstrap-server localhost:(\d+)", text)
            assert port, text
            assert f"PLAINTEXT://:{port.group(1)}" in svc["environment"]["KAFKA_LISTENERS"], name
            continue
        url = urlsplit(_health_url(svc))
        listen = " ".join(str(a) for a in (svc.get("command") or []) if "listen-address" in str(a))
        expose = {str(p) for p in svc.get("expose") or []} | {t for _, t in _port_entries(svc)}
        assert f":{url.port}" in listen or str(url.port) in expose, (name, svc_name, url.port)


# -- Kafka topology ------------------------------------------------------------------------------
def _kafka_nodes(model: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {
        n: {k: str(v) for k, v in s["environment"].items()}
        for n, s in sup.active_services(model).items()
        if "apache/kafka" in str(s.get("image", ""))
    }


@pytest.mark.parametrize("name", ["single broker", "three brokers"])
def test_kafka_cluster_is_consistent(name: str, dockerfile: sup.Dockerfile) -> None:
    """Node ids, quorum voters, listeners and replication agree with what edi-mesh is given."""
    model = sup.load_compose(*sup.CONFIGURATIONS[name])
    nodes = _kafka_nodes(model)
    assert len(nodes) == (1 if name == "single broker" else 3)
    assert len({e["CLUSTER_ID"] for e in nodes.values()}) == 1
    assert len({e["KAFKA_NODE_ID"] for e in nodes.values()}) == len(nodes)
    plaintext = set()
    for svc_name, env in nodes.items():
        voters = dict(v.split("@") for v in env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(","))
        assert voters == {e["KAFKA_NODE_ID"]: f"{n}:9093" for n, e in nodes.items()}, svc_name
        assert "CONTROLLER://:9093" in env["KAFKA_LISTENERS"]
        advertised = dict(a.split("://") for a in env["KAFKA_ADVERTISED_LISTENERS"].split(","))
        assert advertised["PLAINTEXT"] == f"{svc_name}:9092"
        plaintext.add(advertised["PLAINTEXT"])
        rf = int(env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"])
        assert rf <= len(nodes) and int(env["KAFKA_MIN_INSYNC_REPLICAS"]) <= max(1, rf - 1)
        # records up to the producers' cap must be accepted
        assert int(env["KAFKA_MESSAGE_MAX_BYTES"]) >= Settings().producer_max_request_bytes
    for svc_name, svc in edi_services(model).items():
        s = sup.edi_settings(sup.service_env(svc, dockerfile))
        assert set(s.bootstrap) == plaintext, (svc_name, s.bootstrap)
        assert 1 <= s.replication <= len(nodes)
        if len(nodes) == 3:
            assert s.replication == 3
    exporter = [a.split("=", 1)[1] for a in model["services"]["kafka-exporter"]["command"]
                if a.startswith("--kafka.server=")]  # fmt: skip
    assert set(exporter) == plaintext


def test_sasl_override_configures_every_client(dockerfile: sup.Dockerfile) -> None:
    """With docker-compose.sasl.yml every edi-mesh process uses SASL_SSL/SCRAM-SHA-512 with the CA."""
    model = sup.load_compose(sup.SASL)
    assert "kafka" not in sup.active_services(model)
    secrets = model["secrets"]
    for svc_name, svc in edi_services(model).items():
        s = sup.edi_settings(sup.service_env(svc, dockerfile))
        assert (s.security_protocol, s.sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512"), svc_name
        assert s.broker == sup.TEST_VARIABLES["EDI_KAFKA_BOOTSTRAP"]
        assert s.sasl_password == sup.TEST_VARIABLES["EDI_MESH_SASL_PASSWORD"]
        assert (
            s.ssl_cafile == Path("/run/secrets") / svc["secrets"][0]
            and svc["secrets"][0] in secrets
        )
    exporter = model["services"]["kafka-exporter"]["command"]
    assert "--sasl.enabled" in exporter and "--tls.enabled" in exporter
    with pytest.raises(KeyError, match="EDI_MESH_SASL_PASSWORD"):
        sup.load_compose(
            sup.SASL, env={k: v for k, v in sup.TEST_VARIABLES.items() if "PASSWORD" not in k}
        )


# -- Prometheus ----------------------------------------------------------------------------------
def _prometheus() -> dict[str, Any]:
    return dict(sup.load_yaml(sup.DEPLOY / "prometheus" / "prometheus.yml"))


def _mounts(svc: dict[str, Any]) -> dict[str, str]:
    out = {}
    for v in svc.get("volumes") or []:
        parts = str(v).split(":")
        out[parts[1]] = parts[0]
    return out


def test_prometheus_files_are_mounted_where_referenced() -> None:
    """The config and rule files Prometheus is told to read are the repo's, mounted there."""
    svc = sup.load_compose()["services"]["prometheus"]
    mounts = _mounts(svc)
    config_path = next(a.split("=", 1)[1] for a in svc["command"] if a.startswith("--config.file="))
    assert (
        sup.ROOT / mounts[config_path]
    ).resolve() == sup.DEPLOY / "prometheus" / "prometheus.yml"
    for rule_file in _prometheus()["rule_files"]:
        assert (sup.ROOT / mounts[rule_file]).is_file(), rule_file


def test_prometheus_scrapes_the_real_ports_and_paths(dockerfile: sup.Dockerfile) -> None:
    """Workers (every replica, via DNS), ingest and the exporter are scraped where they serve /metrics."""
    model = sup.load_compose()
    jobs = {j["job_name"]: j for j in _prometheus()["scrape_configs"]}
    for job_name, svc_name in (("edi-mesh-worker", "worker"), ("edi-mesh-ingest", "ingest")):
        job = jobs[job_name]
        [sd] = job["dns_sd_configs"]
        assert sd["names"] == [svc_name] and sd.get("type", "SRV") == "A", job_name
        ports = _listen_ports(svc_name, model["services"][svc_name], dockerfile)
        assert sd["port"] == ports.get("ops", ports["web"])  # ingest: the operators' listener
        assert job.get("metrics_path", "/metrics") == "/metrics"
    exporter = model["services"]["kafka-exporter"]
    listen = next(
        a.split("=", 1)[1] for a in exporter["command"] if a.startswith("--web.listen-address=")
    )
    [static] = jobs["kafka-exporter"]["static_configs"]
    assert static["targets"] == [f"kafka-exporter{listen}"]


def test_scraped_paths_are_served(dockerfile: sup.Dockerfile) -> None:
    """/metrics is served by ingest's operators' listener (never the façade) and the worker's web server."""
    from pipeline.ingest.facade import Facade
    from pipeline.worker.service import build

    model = sup.load_compose()
    ingest = sup.edi_settings(sup.service_env(model["services"]["ingest"], dockerfile))
    facade = Facade(ingest, None, None)  # type: ignore[arg-type]

    def routes(app: Any) -> set[tuple[str, str]]:
        return {(r.method, r.resource.canonical) for r in app.router.routes() if r.resource}

    assert {("GET", "/metrics"), ("GET", "/healthz")} <= routes(facade.ops_app())
    assert ("GET", "/metrics") not in routes(facade.app()) and ("GET", "/healthz") in routes(
        facade.app()
    )
    worker_env = sup.service_env(model["services"]["worker"], dockerfile)
    worker_env.update(EDI_MESH_PARTNERS="", EDI_MESH_ROUTING="")  # the bundled files
    worker_env = {k: v for k, v in worker_env.items() if v}
    app, _ = build(sup.edi_settings(worker_env))
    assert {"/metrics", "/healthz"} <= set(app.web.views)


# -- metrics in the dashboard and the alerts ----------------------------------------------------
def exported_metric_names() -> set[str]:
    """Every sample name the edi-mesh processes expose (pipeline.metrics on the default registry)."""
    from prometheus_client import REGISTRY

    import pipeline.metrics  # noqa: F401  (registers the metrics)

    names = set(REGISTRY._names_to_collectors)  # sample names: _total, _bucket, _sum, _count...
    assert "edi_inbox_to_topic_seconds_bucket" in names and "edi_documents_routed_total" in names
    return names


def allowed_metric_names() -> set[str]:
    """Metrics a query may use: ours, kafka-exporter's, Prometheus' own per-target series."""
    return exported_metric_names() | sup.KAFKA_EXPORTER_METRICS | sup.PROMETHEUS_SYNTHETIC


def _dashboard() -> dict[str, Any]:
    return dict(json.loads((sup.DEPLOY / "grafana" / "dashboards" / "edi-mesh.json").read_text()))


def dashboard_exprs() -> list[str]:
    """Every PromQL expression of the dashboard."""
    return [
        t["expr"]
        for p in sup.dashboard_panels(_dashboard()["panels"])
        for t in p.get("targets", [])
    ]


def test_promql_name_extraction() -> None:
    """The PromQL parser finds metric names and nothing else."""
    expr = (
        'histogram_quantile(0.95, sum by (le, topic) (rate(edi_x_bucket{code=~"a|b", job="w"}'
        "[$__rate_interval]))) / on (topic) group_left clamp_min(foo:bar_total offset 5m, 1e-9)"
        ' and absent(up{job="x"}) > bool 0'
    )
    assert sup.promql_metric_names(expr) == {"edi_x_bucket", "foo:bar_total", "up"}


def test_dashboard_queries_only_exported_metrics() -> None:
    """Every metric a panel queries is exported by edi-mesh or kafka-exporter (no typos)."""
    exprs = dashboard_exprs()
    assert len(exprs) >= 10
    allowed = allowed_metric_names()
    for expr in exprs:
        unknown = sup.promql_metric_names(expr) - allowed
        assert not unknown, f"{expr}: {unknown} not exported"
    # the check can fail: a panel query with a misspelt metric is caught by the same test
    typo = 'sum by (topic) (rate(edi_documents_routd_total{job="w"}[$__rate_interval]))'
    assert sup.promql_metric_names(typo) - allowed == {"edi_documents_routd_total"}


def test_alerts_query_only_exported_metrics() -> None:
    """Alert rules use real metric names too."""
    rules = [
        r
        for g in sup.load_yaml(sup.DEPLOY / "prometheus" / "alerts.yml")["groups"]
        for r in g["rules"]
    ]
    assert len(rules) >= 5
    allowed = allowed_metric_names()
    for rule in rules:
        names = sup.promql_metric_names(rule["expr"])
        assert names and names <= allowed, (rule["alert"], names - allowed)


def test_dashboard_covers_the_operational_views() -> None:
    """Throughput per topic, latency percentiles, dead letters per code, duplicates, lag, partners."""
    exprs = dashboard_exprs()

    def has(pattern: str) -> bool:
        return any(re.search(pattern, e) for e in exprs)

    assert has(r"sum by \(topic\) \(rate\(edi_documents_routed_total")
    for q in ("0.50", "0.95", "0.99"):
        assert has(
            rf"histogram_quantile\({q}, sum by \(le\) \(rate\(edi_inbox_to_topic_seconds_bucket"
        )
    assert has(r"sum by \(code\) \(rate\(edi_deadletters_total")
    assert has(r"edi_duplicates_total") and has(r"edi_ingest_duplicate_files_total")
    assert has(r"kafka_consumergroup_lag_sum\{consumergroup=\"\$group\"")
    assert has(r"sum by \(partner\) \(rate\(edi_interchanges_received_total")


def test_consumer_group_matches_the_workers(dockerfile: sup.Dockerfile) -> None:
    """Dashboard and alerts look at the lag of the group the workers join (EDI_MESH_APP_ID)."""
    worker = sup.load_compose()["services"]["worker"]
    group = sup.edi_settings(sup.service_env(worker, dockerfile)).app_id
    [var] = [v for v in _dashboard()["templating"]["list"] if v["name"] == "group"]
    assert var["current"]["value"] == group
    alerts = (sup.DEPLOY / "prometheus" / "alerts.yml").read_text()
    assert set(re.findall(r'consumergroup="([^"]+)"', alerts)) == {group}


def test_grafana_provisioning_matches_the_mounts() -> None:
    """The datasource the panels use is provisioned, and the dashboard directory is mounted."""
    svc = sup.load_compose()["services"]["grafana"]
    mounts = _mounts(svc)
    prov = sup.ROOT / mounts["/etc/grafana/provisioning"]
    [ds] = sup.load_yaml(prov / "datasources" / "prometheus.yml")["datasources"]
    url = urlsplit(ds["url"])
    prom = sup.load_compose()["services"]["prometheus"]
    assert url.hostname == "prometheus" and f"--web.listen-address=:{url.port}" in prom["command"]
    uids = {
        t["datasource"]["uid"]
        for p in sup.dashboard_panels(_dashboard()["panels"])
        for t in [p, *p.get("targets", [])]
        if "datasource" in t
    }
    assert uids == {ds["uid"]}
    [provider] = sup.load_yaml(prov / "dashboards" / "edi-mesh.yml")["providers"]
    host_dir = sup.ROOT / mounts[provider["options"]["path"]]
    assert (host_dir / "edi-mesh.json").is_file()
    home = svc["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home.startswith(provider["options"]["path"] + "/")
    assert (host_dir / Path(home).name).is_file()


# -- documentation -------------------------------------------------------------------------------
def test_compose_variables_are_documented() -> None:
    """Every ${VAR} the compose files read is explained in docs/production.md."""
    doc = (sup.ROOT / "docs" / "production.md").read_text()
    for path in (sup.COMPOSE, sup.KAFKA3, sup.SASL):
        for var in sup.variables(path.read_text()):
            assert f"`{var}`" in doc, f"{path.name} uses {var}, not documented"
