"""The ``edi-mesh`` command line (public interface: see DESIGN.md).

Common options are also environment variables (``EDI_MESH_BROKER``,
``EDI_MESH_DATA_DIR``, ``EDI_MESH_PARTNERS``...): an option given on the
command line wins. Errors a user can cause print one line and exit non-zero,
never a traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def common_options(f: F) -> F:
    """``--broker``, ``--data-dir``, ``--partners`` (and their environment variables)."""
    f = click.option(
        "--partners",
        type=click.Path(path_type=Path),
        default=None,
        help="partners file (EDI_MESH_PARTNERS)",
    )(f)
    f = click.option(
        "--data-dir",
        type=click.Path(path_type=Path),
        default=None,
        help="data directory (EDI_MESH_DATA_DIR, default ./var)",
    )(f)
    f = click.option(
        "--broker",
        default=None,
        metavar="HOST:PORT",
        help="Kafka bootstrap servers (EDI_MESH_BROKER)",
    )(f)
    return f


def settings_from(**overrides: Any) -> Any:
    """Settings from the environment plus the options given; bad values exit with one line."""
    from pydantic import ValidationError

    from pipeline.settings import load

    try:
        return load(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise click.UsageError(f"setting {field}: {first['msg']}") from None


def friendly(f: F) -> F:
    """Turn the errors a user can cause (bad files, ports, broker) into one line and exit 1."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from aiokafka.errors import KafkaError

        from pipeline.kafka.clients import BrokerUnreachable, reason_of
        from pipeline.partners.profiles import PartnersFileError
        from pipeline.tools.up import UpError
        from pipeline.worker.routing import RoutingError

        try:
            return f(*args, **kwargs)
        except (PartnersFileError, RoutingError, UpError, BrokerUnreachable) as exc:
            click.echo(f"edi-mesh: {exc}", err=True)
            sys.exit(1)
        except KafkaError as exc:  # the broker went away mid-command
            click.echo(f"edi-mesh: broker error ({reason_of(exc)})", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            sys.exit(130)
        except OSError as exc:
            click.echo(f"edi-mesh: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


class LazyGroup(click.Group):
    """A click group whose heavy subgroups are imported only when they are invoked.

    ``bench`` pulls in thousands of lines of benchmark code; a worker process
    or a plain ``edi-mesh parse`` should not pay for it (click's documented
    lazy-loading pattern).
    """

    LAZY: ClassVar[dict[str, tuple[str, str]]] = {"bench": ("benchmarks.cli", "bench")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            import importlib

            module, attr = self.LAZY[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="edi-mesh")
def cli() -> None:
    """edi-mesh: EDI (X12, UN/EDIFACT) from trading partners into an agent mesh over Kafka."""


@cli.command()
@common_options
@click.option(
    "--port", "broker_port", type=int, default=None, help="embedded broker port (default 9092)"
)
@click.option("--facade-port", type=int, default=None, help="HTTP façade port (default 8080)")
@click.option(
    "--sftp-port", type=int, default=None, help="SFTP server port of ingest (default 0: off)"
)
@click.option(
    "--web-port", type=int, default=None, help="first worker's web/metrics port (default 6066)"
)
@click.option(
    "--workers", type=click.IntRange(1, 16), default=1, show_default=True, help="worker processes"
)
@friendly
def up(
    broker: str | None,
    data_dir: Path | None,
    partners: Path | None,
    broker_port: int | None,
    facade_port: int | None,
    sftp_port: int | None,
    web_port: int | None,
    workers: int,
) -> None:
    """Embedded broker + worker + ingest + façade, until Ctrl-C."""
    from pipeline.tools.up import up as run_up

    s = settings_from(
        data_dir=data_dir,
        partners=partners,
        broker_port=broker_port,
        facade_port=facade_port,
        sftp_port=sftp_port,
        worker_web_port=web_port,
    )
    sys.exit(run_up(s, workers=workers))


@cli.command()
@common_options
@click.option(
    "--web-port", type=int, default=None, help="web server port: /metrics, /readyz, /stats"
)
@friendly
def worker(
    broker: str | None, data_dir: Path | None, partners: Path | None, web_port: int | None
) -> None:
    """A Faust worker against --broker (scale by running more)."""
    from pipeline.worker.service import run

    run(
        settings_from(broker=broker, data_dir=data_dir, partners=partners, worker_web_port=web_port)
    )


@cli.command()
@common_options
@click.option("--facade-port", type=int, default=None, help="HTTP façade port (default 8080)")
@click.option(
    "--sftp-port", type=int, default=None, help="SFTP server port of ingest (default 0: off)"
)
@friendly
def ingest(
    broker: str | None,
    data_dir: Path | None,
    partners: Path | None,
    facade_port: int | None,
    sftp_port: int | None,
) -> None:
    """File-drop watcher + HTTP façade (+ SFTP server with --sftp-port) against --broker."""
    from pipeline.ingest.service import run

    run(
        settings_from(
            broker=broker,
            data_dir=data_dir,
            partners=partners,
            facade_port=facade_port,
            sftp_port=sftp_port,
        )
    )


@cli.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--acks", is_flag=True, help="print the acknowledgements we would send instead")
@click.option("--partner", default="", help="partner id to put in the documents")
@click.option(
    "--tolerance",
    type=click.Choice(["strict", "standard", "lenient"]),
    default="standard",
    show_default=True,
    help="which deviations from the standard reject (README: Tolerance)",
)
@click.option("--accept", multiple=True, metavar="CODE", help="also tolerate this error code")
@click.option("--reject", multiple=True, metavar="CODE", help="also reject on this error code")
@click.option(
    "--validation",
    type=click.Choice(["envelope", "standard", "hipaa"]),
    default="envelope",
    show_default=True,
    help="envelope only, content from the dictionary, or HIPAA guides (pyx12; file in memory)",
)
@click.option(
    "--data/--no-data",
    "with_data",
    default=True,
    show_default=True,
    help="render the named, loop-nested `data` tree in each document",
)
@click.option(
    "--fragment",
    "fragment",
    multiple=True,
    metavar="TYPE=LOOP",
    help="one document per instance of LOOP in TYPE transactions, e.g. 837=2300 (repeatable)",
)
def parse(
    files: tuple[Path, ...],
    acks: bool,
    partner: str,
    tolerance: str,
    accept: tuple[str, ...],
    reject: tuple[str, ...],
    validation: str,
    with_data: bool,
    fragment: tuple[str, ...],
) -> None:
    """Offline: print the documents of FILES as JSON lines; errors on stderr.

    Exit 0 when every file is valid, 1 when any is invalid, 2 on usage errors.
    """
    from parsers.fragments import FragmentError, parse_fragments
    from parsers.tolerance import Tolerance, ToleranceError
    from pipeline.tools.offline import parse_files

    try:
        policy = Tolerance.of(tolerance, accept, reject)
        fragments = parse_fragments(fragment)
    except (ToleranceError, FragmentError) as exc:
        raise click.UsageError(str(exc)) from None
    sys.exit(
        parse_files(
            files,
            acks=acks,
            partner=partner,
            tolerance=policy,
            validation=validation,
            with_data=with_data,
            fragments=fragments,
        )
    )


@cli.command()
@click.argument("type_")
@click.option(
    "--version", "version", default=None, help="version (default: 004010, D21A or the 5010 guide)"
)
@click.option(
    "--standard",
    type=click.Choice(["x12", "edifact"]),
    default=None,
    help="default: edifact for alphabetic types, else x12",
)
def schema(type_: str, version: str | None, standard: str | None) -> None:
    """Print the JSON Schema of TYPE's document with `data` (from the type's dictionary)."""
    from parsers.schema import default_version, document_schema, render_schema

    std = standard or ("edifact" if type_.isalpha() else "x12")
    ver = version or default_version(std, type_)
    click.echo(render_schema(document_schema(std, ver, type_.upper())), nl=False)


def _parse_time(value: str) -> float:
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 time (e.g. 2026-11-26T10:00:00Z)"
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


@cli.command()
@common_options
@click.argument("topic")
@click.option("--from-beginning", is_flag=True, help="start at the oldest record")
@click.option("--from", "from_", metavar="TIME", default=None, help="start at an ISO 8601 time")
@click.option("--max", "max_", type=click.IntRange(1), default=None, help="stop after N records")
@click.option("--timeout", type=float, default=None, help="stop after SECONDS without a new record")
@click.option("--partner", default=None, help="only records of this partner (record key)")
@friendly
def tail(
    broker: str | None,
    data_dir: Path | None,
    partners: Path | None,
    topic: str,
    from_beginning: bool,
    from_: str | None,
    max_: int | None,
    timeout: float | None,
    partner: str | None,
) -> None:
    """Print TOPIC's values as JSON lines (agents.orders, edi.deadletter, ...)."""
    from pipeline.kafka.clients import quiet

    quiet()
    from pipeline.tools.tail import run

    s = settings_from(broker=broker, data_dir=data_dir, partners=partners)
    run(
        s,
        topic,
        from_beginning=from_beginning,
        from_time=_parse_time(from_) if from_ else None,
        max_records=max_,
        timeout=timeout,
        partner=partner,
    )


@cli.group()
def partners() -> None:
    """Partner profiles."""


@partners.command("sync")
@common_options
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--prune", is_flag=True, help="tombstone partners that are no longer in the file")
@friendly
def partners_sync(
    broker: str | None, data_dir: Path | None, partners: Path | None, file: Path | None, prune: bool
) -> None:
    """Publish FILE (default: --partners) to edi.partners; workers apply it without restart."""
    from pipeline.kafka.clients import quiet

    quiet()
    import asyncio

    from pipeline.partners.profiles import load_partners
    from pipeline.partners.sync import sync

    s = settings_from(broker=broker, data_dir=data_dir, partners=file or partners)
    result = asyncio.run(sync(s, load_partners(s.partners), prune=prune))
    click.echo(f"published {result['published']} partner(s), removed {result['removed']}")


@cli.command()
@common_options
@click.option("--from", "from_", metavar="TIME", default=None, help="first record time (ISO 8601)")
@click.option("--to", "to_", metavar="TIME", default=None, help="last record time (ISO 8601)")
@click.option("--partition", type=click.IntRange(0), default=None, help="only this partition")
@click.option(
    "--start", type=click.IntRange(0), default=None, help="first offset (with --partition)"
)
@click.option("--end", type=click.IntRange(0), default=None, help="stop before this offset")
@click.option("--partner", default=None, help="only this partner's records")
@click.option(
    "--force", is_flag=True, help="route again even if already processed (same document ids)"
)
@click.option("--dry-run", is_flag=True, help="count what would be replayed, produce nothing")
@friendly
def replay(
    broker: str | None,
    data_dir: Path | None,
    partners: Path | None,
    from_: str | None,
    to_: str | None,
    partition: int | None,
    start: int | None,
    end: int | None,
    partner: str | None,
    force: bool,
    dry_run: bool,
) -> None:
    """Re-drive a range of edi.inbound through the pipeline (duplicates suppressed unless --force)."""
    from pipeline.kafka.clients import quiet

    quiet()
    import orjson

    from pipeline.tools.replay import run

    if (start is not None or end is not None) and partition is None and from_ is None:
        raise click.UsageError("--start/--end need --partition")
    s = settings_from(broker=broker, data_dir=data_dir, partners=partners)
    res = run(
        s,
        from_time=_parse_time(from_) if from_ else None,
        to_time=_parse_time(to_) if to_ else None,
        partition=partition,
        start=start,
        end=end,
        partner=partner,
        force=force,
        dry_run=dry_run,
    )
    click.echo(
        orjson.dumps(
            {
                "replay_id": res.replay_id,
                "records": res.records,
                "forced": res.forced,
                "dry_run": dry_run,
                "partitions": {str(p): list(r) for p, r in res.partitions.items()},
            }
        ).decode()
    )


@cli.group()
def topics() -> None:
    """The topic registry."""


@topics.command("create")
@common_options
@click.option(
    "--partitions", type=click.IntRange(1), default=None, help="partitions (EDI_MESH_PARTITIONS)"
)
@click.option(
    "--replication",
    type=click.IntRange(1),
    default=None,
    help="replication factor (EDI_MESH_REPLICATION)",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="give up after SECONDS without reaching the broker",
)
@friendly
def topics_create(
    broker: str | None,
    data_dir: Path | None,
    partners: Path | None,
    partitions: int | None,
    replication: int | None,
    timeout: float,
) -> None:
    """Create every missing topic of the registry with its partitions and configs."""
    from pipeline.kafka.clients import quiet

    quiet()
    import asyncio

    from pipeline.kafka.admin import ensure_topics

    s = settings_from(
        broker=broker,
        data_dir=data_dir,
        partners=partners,
        partitions=partitions,
        replication=replication,
    )
    created = asyncio.run(ensure_topics(s, timeout=timeout))
    click.echo(f"created {len(created)} topic(s)" + (": " + ", ".join(created) if created else ""))


@topics.command("list")
def topics_list() -> None:
    """Print the topic registry as JSON lines (name, key, value, partitions, config)."""
    import orjson

    from pipeline.contracts.topics import registry

    s = settings_from()
    for t in registry():
        click.echo(
            orjson.dumps(
                {
                    "name": t.full_name(s),
                    "key": t.key,
                    "value": t.value,
                    "partitions": t.partition_count(s),
                    "config": t.config,
                    "headers": list(t.headers),
                    "schema": t.schema,
                }
            ).decode()
        )


@cli.command()
@common_options
@click.option("--partner", required=True, help="the partner id to send to (the record key)")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@friendly
def send(
    broker: str | None, data_dir: Path | None, partners: Path | None, partner: str, file: Path
) -> None:
    """Publish an outbound request (JSON, see outbound-request.schema.json) to edi.outbound."""
    import asyncio

    import orjson

    from pipeline.tools.outbound import SendError
    from pipeline.tools.outbound import send as publish

    s = settings_from(broker=broker, data_dir=data_dir, partners=partners)
    try:
        where = asyncio.run(publish(s, partner, file.read_bytes()))
    except SendError as exc:
        click.echo(f"edi-mesh: {file}: {exc}", err=True)
        sys.exit(1)
    click.echo(orjson.dumps(where).decode())


@cli.group()
def outbound() -> None:
    """Interchanges sent to partners from edi.outbound requests."""


@outbound.command("status")
@common_options
@click.option("--partner", default=None, help="only this partner's interchanges")
@friendly
def outbound_status(
    broker: str | None, data_dir: Path | None, partners: Path | None, partner: str | None
) -> None:
    """One JSON line per outbound interchange: control numbers, file, acknowledgement state."""
    import asyncio

    import orjson

    from pipeline.tools.outbound import status

    s = settings_from(broker=broker, data_dir=data_dir, partners=partners)
    for row in asyncio.run(status(s, partner)):
        click.echo(orjson.dumps(row).decode())


def main() -> None:
    """Entry point of the ``edi-mesh`` console script."""
    cli(prog_name="edi-mesh")


if __name__ == "__main__":
    main()
