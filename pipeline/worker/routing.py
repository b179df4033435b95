"""Routing rules as data: which agent topics a document goes to.

A pure function of (standard, type, version, partner, test flag) and the rules
of ``routing.toml`` plus the partner's own ``routes``; first match wins, a rule
may name several topics (fan-out). :class:`RulesFile` re-reads the file when
it changes, so operators change routing without a deploy.
"""

from __future__ import annotations

import fnmatch
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import metrics
from pipeline.contracts.topics import AGENT_PREFIX, DOMAINS
from pipeline.settings import read_tables

log = logging.getLogger(__name__)

UNROUTED = AGENT_PREFIX + "unrouted"
_CONDITIONS = {"standard", "types", "versions", "partners", "test", "topics", "name"}


class RoutingError(ValueError):
    """The routing rules cannot be used (the message says which rule and why)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: conditions (None = any) and the topics it routes to."""

    topics: tuple[str, ...]
    standard: str | None = None
    types: tuple[str, ...] | None = None
    versions: tuple[str, ...] | None = None
    partners: tuple[str, ...] | None = None
    test: bool | None = None
    name: str = ""

    def matches(self, standard: str, type_: str, version: str, partner: str, test: bool) -> bool:
        """True when every condition this rule states holds."""
        if self.standard is not None and self.standard != standard:
            return False
        if self.test is not None and self.test != test:
            return False
        if self.partners is not None and partner not in self.partners:
            return False
        if self.types is not None and not _glob_any(type_, self.types):
            return False
        return self.versions is None or _glob_any(version, self.versions)

    @classmethod
    def parse(cls, raw: Mapping[str, Any], where: str) -> Rule:
        """Check one rule table and build it."""
        unknown = set(raw) - _CONDITIONS
        if unknown:
            raise RoutingError(f"{where}: unknown keys {sorted(unknown)}")
        topics = raw.get("topics")
        if isinstance(topics, str):
            topics = [topics]
        if not topics or not all(isinstance(t, str) and t for t in topics):
            raise RoutingError(f"{where}: 'topics' must name at least one topic")
        std = raw.get("standard")
        if std is not None and std not in ("x12", "edifact"):
            raise RoutingError(f"{where}: standard must be 'x12' or 'edifact'")
        test = raw.get("test")
        if test is not None and not isinstance(test, bool):
            raise RoutingError(f"{where}: test must be true or false")
        return cls(
            topics=tuple(topics),
            standard=std,
            types=_strings(raw, "types", where),
            versions=_strings(raw, "versions", where),
            partners=_strings(raw, "partners", where),
            test=test,
            name=str(raw.get("name", where)),
        )


def _strings(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...] | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RoutingError(f"{where}: {key} must be a string or a list of strings")
    return tuple(value)


def _glob_any(value: str, patterns: Iterable[str]) -> bool:
    return any(
        p == value or (("*" in p or "?" in p) and fnmatch.fnmatchcase(value, p)) for p in patterns
    )


def parse_rules(raw_rules: Sequence[Mapping[str, Any]], where: str) -> tuple[Rule, ...]:
    """Build the rules of one list of tables (a file's ``[[rules]]`` or a partner's ``routes``)."""
    return tuple(Rule.parse(r, f"{where} rule {i + 1}") for i, r in enumerate(raw_rules))


class Router:
    """An immutable rule set; :meth:`route` is a pure function, memoised per input."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        self._cache: dict[tuple[str, str, str, str, bool, tuple[Rule, ...]], tuple[str, ...]] = {}

    def route(
        self,
        standard: str,
        type_: str,
        version: str,
        partner: str,
        test: bool,
        partner_rules: tuple[Rule, ...] = (),
    ) -> tuple[str, ...]:
        """The topics (unprefixed) of the first matching rule; ``agents.unrouted`` if none."""
        key = (standard, type_, version, partner, test, partner_rules)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        topics: tuple[str, ...] = (UNROUTED,)
        for rule in (*partner_rules, *self.rules):
            if rule.matches(standard, type_, version, partner, test):
                topics = rule.topics
                break
        if len(self._cache) < 65_536:
            self._cache[key] = topics
        return topics

    @classmethod
    def from_file(cls, path: Path) -> Router:
        """Read a routing file; raise RoutingError with a one-line reason."""
        return cls(parse_rules(read_tables(path, "rules", "routing", RoutingError), str(path)))

    def topics(self) -> set[str]:
        """Every topic some rule can route to."""
        return {t for r in self.rules for t in r.topics} | {UNROUTED}


def default_topics() -> list[str]:
    """The agent topics of DESIGN.md's domains."""
    return [AGENT_PREFIX + d for d in DOMAINS]


class RulesFile:
    """A routing file that re-reads itself when its mtime or size changes.

    A broken edit keeps the last good rules (and counts a failed reload), so a
    typo never stops routing.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp = self._stat()
        self.router = Router.from_file(path)

    def _stat(self) -> tuple[int, int]:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return (0, 0)
        return (st.st_mtime_ns, st.st_size)

    def maybe_reload(self) -> bool:
        """Reload when the file changed; return True when new rules took effect."""
        stamp = self._stat()
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        try:
            self.router = Router.from_file(self.path)
        except RoutingError as exc:
            log.error("routing reload failed, keeping previous rules: %s", exc)
            metrics.ROUTING_RELOADS.labels("error").inc()
            return False
        metrics.ROUTING_RELOADS.labels("ok").inc()
        log.warning("routing rules reloaded from %s (%d rules)", self.path, len(self.router.rules))
        return True
