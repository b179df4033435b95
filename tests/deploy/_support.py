"""Helpers for the deployment tests: compose files, the Dockerfile, the CLI tree and PromQL.

No Docker daemon runs in the test environment, so these helpers model the small part of
Compose these tests need: YAML with merge keys and the ``!reset``/``!override`` tags,
``${VAR:-default}`` interpolation, and merging an override file onto the base file.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import yaml

from pipeline.settings import Settings
from pipeline.tools.cli import cli

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
KAFKA3 = ROOT / "docker-compose.kafka3.yml"
SASL = ROOT / "docker-compose.sasl.yml"
DOCKERFILE = ROOT / "Dockerfile"
MAKEFILE = ROOT / "Makefile"
DEPLOY = ROOT / "deploy"

# Compose variables the files use and the values the tests give the required ones.
TEST_VARIABLES = {
    "EDI_KAFKA_BOOTSTRAP": "b-1.kafka.test:9096,b-2.kafka.test:9096",
    "EDI_KAFKA_SEED": "b-1.kafka.test:9096",
    "EDI_MESH_SASL_USERNAME": "edi-mesh",
    "EDI_MESH_SASL_PASSWORD": "s3cret",
}

# Metric names of danielqsj/kafka-exporter (README "Metrics", kafka_exporter.go); it is the
# only exporter of consumer lag in docker-compose.yml (edi-mesh exports none).
KAFKA_EXPORTER_METRICS = frozenset(
    {
        "kafka_brokers",
        "kafka_broker_info",
        "kafka_topic_partitions",
        "kafka_topic_partition_current_offset",
        "kafka_topic_partition_oldest_offset",
        "kafka_topic_partition_in_sync_replica",
        "kafka_topic_partition_leader",
        "kafka_topic_partition_leader_is_preferred",
        "kafka_topic_partition_replicas",
        "kafka_topic_partition_under_replicated_partition",
        "kafka_consumergroup_current_offset",
        "kafka_consumergroup_current_offset_sum",
        "kafka_consumergroup_lag",
        "kafka_consumergroup_lag_sum",
        "kafka_consumergroup_members",
    }
)
# Series Prometheus itself attaches to every scrape target.
PROMETHEUS_SYNTHETIC = frozenset({"up", "scrape_duration_seconds", "scrape_samples_scraped"})


# -- YAML with Compose's tags --------------------------------------------------------------------
@dataclass(frozen=True)
class Tagged:
    """A value marked ``!reset`` (drop the base value) or ``!override`` (replace, no merge)."""

    tag: str
    value: Any


class ComposeLoader(yaml.SafeLoader):
    """SafeLoader that keeps Compose's ``!reset`` and ``!override`` tags."""


def _tagged(tag: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Tagged:
        if isinstance(node, yaml.MappingNode):
            value: Any = loader.construct_mapping(node, deep=True)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_scalar(node)
        return Tagged(tag, value)

    return construct


ComposeLoader.add_constructor("!reset", _tagged("!reset"))
ComposeLoader.add_constructor("!override", _tagged("!override"))

_VAR = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


def variables(text: str) -> set[str]:
    """Names of the ``${VAR}`` / ``$VAR`` compose variables referenced in ``text``."""
    return {m["name"] or m["bare"] for m in _VAR.finditer(text) if m.group(0) != "$$"}


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Compose interpolation of one string: defaults, required variables, ``$$``."""

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m["name"] or m["bare"]
        op, arg = m["op"], m["arg"] or ""
        present = name in env
        val = env.get(name, "")
        if (op in (":-", ":?") and not val) or (op in ("-", "?") and not present):
            if op.endswith("?"):
                raise KeyError(f"required compose variable {name}: {arg}")
            return arg
        return val

    return _VAR.sub(sub, value)


def _interpolate_all(node: Any, env: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, Tagged):
        return Tagged(node.tag, _interpolate_all(node.value, env))
    if isinstance(node, dict):
        return {k: _interpolate_all(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [_interpolate_all(v, env) for v in node]
    return node


def load_yaml(path: Path) -> Any:
    """A YAML file with Compose's tags (no interpolation)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=ComposeLoader)


_UNION_KEYS = {"ports", "volumes", "secrets", "expose", "profiles"}


def merge(base: Any, over: Any, key: str = "") -> Any:
    """Merge an override onto a base value following Compose's rules for these files."""
    if isinstance(over, Tagged):
        return None if over.tag == "!reset" else over.value
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            merged = merge(base.get(k), v, k) if k in base else merge(None, v, k)
            if merged is None and isinstance(v, Tagged):
                out.pop(k, None)
            else:
                out[k] = merged
        return out
    if isinstance(base, list) and isinstance(over, list) and key in _UNION_KEYS:
        return base + [v for v in over if v not in base]
    if isinstance(over, dict):
        return {k: merge(None, v, k) for k, v in over.items()}
    return over


def load_compose(*overrides: Path, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """docker-compose.yml with the given override files merged, interpolated with ``env``."""
    env = dict(TEST_VARIABLES if env is None else env)
    model: Any = _interpolate_all(load_yaml(COMPOSE), env)
    for path in overrides:
        model = merge(model, _interpolate_all(load_yaml(path), env))
    return dict(model)


CONFIGURATIONS: dict[str, tuple[Path, ...]] = {
    "single broker": (),
    "three brokers": (KAFKA3,),
    "external SASL_SSL": (SASL,),
}


def active_services(model: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Services started by ``docker compose up`` (no profile)."""
    return {n: s for n, s in model["services"].items() if not s.get("profiles")}


# -- Dockerfile ----------------------------------------------------------------------------
@dataclass
class Dockerfile:
    """The instructions of the Dockerfile that matter here, per stage (last = runtime)."""

    stages: list[list[tuple[str, str]]] = field(default_factory=list)
    args: dict[str, str] = field(default_factory=dict)

    @property
    def runtime(self) -> list[tuple[str, str]]:
        """Instructions of the final stage."""
        return self.stages[-1]

    def env(self) -> dict[str, str]:
        """ENV of the runtime stage."""
        out: dict[str, str] = {}
        for op, rest in self.runtime:
            if op == "ENV":
                for item in shlex.split(rest):
                    k, _, v = item.partition("=")
                    out[k] = v
        return out

    def last(self, op: str) -> str | None:
        """The argument of the runtime stage's last ``op`` instruction."""
        found = [rest for o, rest in self.runtime if o == op]
        return found[-1] if found else None


def parse_dockerfile(path: Path = DOCKERFILE) -> Dockerfile:
    """Split the Dockerfile into stages of (instruction, argument) pairs."""
    logical: list[str] = []
    buf = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not buf and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            buf += stripped[:-1] + " "
            continue
        logical.append(buf + stripped)
        buf = ""
    df = Dockerfile()
    for item in logical:
        op, _, rest = item.partition(" ")
        op = op.upper()
        if op == "ARG" and not df.stages:
            k, _, v = rest.partition("=")
            df.args[k.strip()] = v.strip()
            continue
        if op == "FROM":
            df.stages.append([])
        df.stages[-1].append((op, rest.strip()))
    return df


# -- edi-mesh services -----------------------------------------------------------------------
def is_edi_mesh(service: Mapping[str, Any]) -> bool:
    """True for services that run the edi-mesh image."""
    return bool(service.get("build")) or str(service.get("image", "")).startswith("edi-mesh")


def argv(service: Mapping[str, Any], dockerfile: Dockerfile) -> list[str]:
    """The full argv a service runs: its entrypoint (or the image's) plus its command."""
    import json

    entry = service.get("entrypoint")
    if entry is None:
        entry = json.loads(dockerfile.last("ENTRYPOINT") or "[]")
    command = service.get("command")
    if command is None:
        command = json.loads(dockerfile.last("CMD") or "[]")
    if isinstance(entry, str):
        entry = shlex.split(entry)
    if isinstance(command, str):
        command = shlex.split(command)
    return [*entry, *command]


def service_env(service: Mapping[str, Any], dockerfile: Dockerfile) -> dict[str, str]:
    """The image's ENV overlaid with the service's ``environment`` (map or list form)."""
    env = dockerfile.env()
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.partition("=")[::2] for item in raw)
    env.update({k: "" if v is None else str(v) for k, v in raw.items()})
    return env


def resolve_command(args: list[str]) -> tuple[click.Command, click.Context]:
    """Walk ``pipeline.tools.cli.cli`` along ``args``; parse the leaf's options (UsageError if bad)."""
    cmd: click.Command = cli
    path = ["edi-mesh"]
    rest = list(args)
    while isinstance(cmd, click.Group):
        if not rest or rest[0].startswith("-"):
            raise click.UsageError(f"{' '.join(path)} needs a subcommand, got {rest}")
        name = rest.pop(0)
        sub = cmd.commands.get(name)
        if sub is None:
            raise click.UsageError(f"{' '.join(path)} has no command {name!r}")
        path.append(name)
        cmd = sub
    return cmd, cmd.make_context(" ".join(path), rest)


def edi_settings(env: Mapping[str, str]) -> Settings:
    """Settings exactly as a process with environment ``env`` reads them (nothing else)."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("EDI_MESH_")}
    try:
        for k in saved:
            del os.environ[k]
        os.environ.update({k: v for k, v in env.items() if k.startswith("EDI_MESH_")})
        return Settings()
    finally:
        for k in [k for k in os.environ if k.startswith("EDI_MESH_")]:
            del os.environ[k]
        os.environ.update(saved)


def settings_fields_env() -> set[str]:
    """Every ``EDI_MESH_*`` variable Settings reads."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return {f"{prefix}{name}".upper() for name in Settings.model_fields}


# -- PromQL --------------------------------------------------------------------------------
_PROMQL_KEYWORDS = frozenset(
    {
        "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile",
        "count_values", "group", "limitk", "limit_ratio", "and", "or", "unless", "bool", "by",
        "without", "on", "ignoring", "group_left", "group_right", "offset", "inf", "nan", "atan2",
    }
)  # fmt: skip
_LABEL_LISTS = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_IDENT = re.compile(r"(?<![\w.$])([A-Za-z_:][A-Za-z0-9_:]*)(?![\w:]|\s*\()")


def promql_metric_names(expr: str) -> set[str]:
    """Metric names a PromQL expression selects (functions, keywords, labels excluded)."""
    text = _STRINGS.sub('""', expr)
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # range and subquery selectors
    text = re.sub(r"\$\{?\w+\}?", "", text)  # Grafana variables ($__rate_interval, ${group})
    text = _LABEL_LISTS.sub("", text)
    return {m for m in _IDENT.findall(text) if m.lower() not in _PROMQL_KEYWORDS}


def dashboard_panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every panel of a dashboard, including those nested in collapsed rows."""
    for p in panels:
        yield p
        yield from dashboard_panels(p.get("panels", []))
