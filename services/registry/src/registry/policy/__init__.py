"""The recipient policy file (recipients.toml) and its start-up check against the contracts.

`load_policy` reads the TOML; `parse_policy` (pure) refuses, listing every problem at once, a policy
that names a field its contract lacks or misses one it has, names an unknown condition, source or
routing key, was reviewed against another contract version, or reaches for something that must
never leave (the sealed 個人番号, its lookup hash).  Call `load_policy` from the composition root,
so the registry never starts with a policy that would disclose what the law does not allow.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from jumin_contracts.messages import MESSAGE_MODELS, RecipientMessage

from registry.domain.recipient_policy import (
    CONDITIONS,
    DERIVED_SOURCES,
    ENVELOPE_LEVEL_FIELDS,
    FORBIDDEN_SOURCES,
    PERSON_ATTRIBUTES,
    MessagePolicy,
    RecipientPolicy,
    Ward,
)

__all__ = ["POLICY_FILE", "PolicyError", "load_policy", "parse_policy"]

POLICY_FILE = Path(str(resources.files("registry.policy").joinpath("recipients.toml")))
"""The policy shipped with the registry."""

_MESSAGE_KEYS = frozenset({"schema", "condition", "legal_basis", "fields", "description"})


class PolicyError(ValueError):
    """Refuse a recipient policy that does not match the contracts; lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"提供先ポリシーが不正です / invalid recipient policy:\n{lines}")


def load_policy(*, ward: Ward, path: Path = POLICY_FILE) -> RecipientPolicy:
    """Read and check a policy file; raise PolicyError (also for TOML syntax errors)."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise PolicyError([f"{path}: not valid TOML: {error}"]) from error
    return parse_policy(document, ward=ward)


def parse_policy(document: Mapping[str, Any], *, ward: Ward) -> RecipientPolicy:
    """Check a policy document (TOML as a dict) against the contracts; raise PolicyError."""
    problems: list[str] = []
    messages: list[MessagePolicy] = []
    for recipient, table in document.items():
        if not isinstance(table, Mapping) or not table:
            problems.append(f"{recipient}: expected a table of messages")
            continue
        for message, spec in table.items():
            rule = _parse_message(recipient, message, spec, problems)
            if rule is not None:
                messages.append(rule)
    if problems:
        raise PolicyError(problems)
    return RecipientPolicy(ward=ward, messages=tuple(messages))


def _parse_message(
    recipient: str, message: str, spec: Any, problems: list[str]
) -> MessagePolicy | None:
    key = f"{recipient}.{message}"
    if not isinstance(spec, Mapping):
        problems.append(f"{key}: expected a table with schema, condition, legal_basis, fields")
        return None
    found = len(problems)
    if unknown := sorted(set(spec) - _MESSAGE_KEYS):
        problems.append(f"{key}: unknown keys {unknown}")
    if missing := sorted(_MESSAGE_KEYS - {"description"} - set(spec)):
        problems.append(f"{key}: missing keys {missing}")
        return None
    model = MESSAGE_MODELS.get(key)
    if model is None:
        problems.append(f"{key}: no contract model for this routing key ({sorted(MESSAGE_MODELS)})")
        return None
    if spec["schema"] != model.schema_id():
        problems.append(
            f"{key}: policy is for {spec['schema']}, the contract is {model.schema_id()}"
        )
    if spec["condition"] not in CONDITIONS:
        problems.append(
            f"{key}: unknown condition {spec['condition']!r} (known: {sorted(CONDITIONS)})"
        )
    if not isinstance(spec["legal_basis"], str) or not spec["legal_basis"].strip():
        problems.append(f"{key}: legal_basis must name the law that allows the disclosure")
    fields = _parse_fields(key, spec["fields"], problems)
    _check_fields(key, model, fields, problems)
    if len(problems) > found:
        return None
    return MessagePolicy(
        recipient=recipient,
        message=message,
        model=model,
        fields=fields,
        condition=spec["condition"],
        legal_basis=spec["legal_basis"],
        description=str(spec.get("description", "")),
    )


def _parse_fields(key: str, raw: Any, problems: list[str]) -> tuple[tuple[str, str], ...]:
    """Read ``fields``: a list (source = same name) or a table payload field → source."""
    if isinstance(raw, list) and all(isinstance(name, str) for name in raw):
        if duplicates := sorted({name for name in raw if raw.count(name) > 1}):
            problems.append(f"{key}: fields listed twice: {duplicates}")
        pairs = tuple((name, name) for name in raw)
    elif isinstance(raw, Mapping) and all(isinstance(v, str) for v in raw.values()):
        pairs = tuple((str(name), source) for name, source in raw.items())
    else:
        problems.append(f"{key}: fields must be a list of names or a table of name = source")
        return ()
    for name, source in pairs:
        if source in FORBIDDEN_SOURCES:
            problems.append(f"{key}.{name}: {source!r} never leaves ({FORBIDDEN_SOURCES[source]})")
        elif source not in PERSON_ATTRIBUTES and source not in DERIVED_SOURCES:
            problems.append(f"{key}.{name}: unknown source {source!r}")
    return pairs


def _check_fields(
    key: str,
    model: type[RecipientMessage],
    fields: tuple[tuple[str, str], ...],
    problems: list[str],
) -> None:
    """Require the granted fields to equal the contract's payload fields, no more, no fewer."""
    contract = set(model.model_fields)
    if envelope := sorted(contract & ENVELOPE_LEVEL_FIELDS):
        problems.append(f"{key}: the contract repeats envelope-level fields {envelope}")
    expected, granted = contract - ENVELOPE_LEVEL_FIELDS, {name for name, _ in fields}
    if extra := sorted(granted - expected):
        problems.append(
            f"{key}: names fields the contract {model.schema_id()} does not have: {extra}"
        )
    if missing := sorted(expected - granted):
        problems.append(
            f"{key}: misses fields the contract {model.schema_id()} requires: {missing}"
        )
