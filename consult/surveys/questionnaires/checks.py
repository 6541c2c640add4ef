"""The machinery of questionnaire validation: YAML read with the line of every value, and typed readers
that record each problem with its path and line and go on, so a broken file is refused with all its errors.

Pure module; the schema itself is in ``yaml_format``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import yaml

from consult.surveys.questionnaires.spec import ITEM_CODE_PATTERN, LANGUAGES, OPTION_CODE_PATTERN, Text
from consult.textcheck import control_name, control_problem, first_control

Path = tuple[str | int, ...]
T = TypeVar("T")

ITEM_CODE = re.compile(ITEM_CODE_PATTERN)
OPTION_CODE = re.compile(OPTION_CODE_PATTERN)
LANGUAGE_NAMES = {"en": "English", "fr": "French"}
MAX_FILE_BYTES = 512 * 1024
MAX_NODES = 20_000
"""Values (scalars, lists, mappings) in a file; the 2005 charter template has about 1,600."""
MAX_DEPTH = 50
"""Levels of nesting; a questionnaire needs 6."""
MAX_DEPTH_SHOWN = 4
COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
KINDS = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "a mapping",
}


def format_path(path: Path) -> str:
    """``("sections", 3, "items", 1, "text", "fr")`` -> ``sections[3].items[1].text.fr``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


def describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    kind = KINDS.get(type(value), f"a {type(value).__name__}")
    return f"{kind} ({value!r})" if isinstance(value, bool | int | float | str) else kind


@dataclass
class Problems:
    """Errors found so far, each placed by its path and, when the YAML node is known, its line."""

    lines: dict[Path, int] = field(default_factory=dict)
    found: list[tuple[int, str]] = field(default_factory=list)

    def add(self, path: Path, message: str, line: int | None = None) -> None:
        line = line or self.line(path)
        where = format_path(path) if line is None else f"{format_path(path)} (line {line})"
        self.found.append((line or 0, f"{where}: {message}"))

    @property
    def errors(self) -> list[str]:
        """The messages in the order of the file's lines (those without a line first, as found)."""
        return [message for _, message in sorted(self.found, key=lambda found: found[0])]

    def line(self, path: Path) -> int | None:
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


@dataclass
class Reader:
    """Typed readers over plain YAML values: each returns the value, or None after recording why not."""

    problems: Problems
    languages: tuple[str, ...] = LANGUAGES
    languages_known: bool = True
    charter: str | None = None
    seen_codes: dict[str, dict[str, Path]] = field(default_factory=dict)

    def mapping(
        self, value: Any, path: Path, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> dict | None:
        if not isinstance(value, dict):
            self.problems.add(path, f"expected a mapping, found {describe(value)}")
            return None
        for key in value:
            if key not in required and key not in optional:
                self.problems.add((*path, key), unknown_key_message(key, required + optional))
        for key in required:
            if key not in value:
                self.problems.add(path, f"missing required key '{key}'")
        return value

    def sequence(
        self, value: Any, path: Path, what: str, low: int = 1, high: int | None = None
    ) -> list | None:
        if not isinstance(value, list):
            self.problems.add(path, f"expected a list of {what}, found {describe(value)}")
            return None
        if low == 1 and not value:
            self.problems.add(path, f"expected a non-empty list of {what}")
        elif len(value) < low or (high is not None and len(value) > high):
            bounds = f"at least {low}" if high is None else f"between {low} and {high}"
            self.problems.add(path, f"expected {bounds} {what}, found {len(value)}")
        return value

    def integer(self, value: Any, path: Path, low: int, high: int | None = None) -> int | None:
        if not isinstance(value, int) or isinstance(value, bool):
            self.problems.add(path, f"expected an integer, found {describe(value)}")
            return None
        if value < low or (high is not None and value > high):
            bounds = f"at least {low}" if high is None else f"between {low} and {high}"
            self.problems.add(path, f"must be {bounds}, found {value}")
            return None
        return value

    def fraction(self, value: Any, path: Path) -> float | None:
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.problems.add(path, f"expected a number, found {describe(value)}")
            return None
        if not 0 < value < 1:
            self.problems.add(path, f"must be strictly between 0 and 1, found {value}")
            return None
        return float(value)

    def boolean(self, value: Any, path: Path) -> bool | None:
        if not isinstance(value, bool):
            self.problems.add(path, f"expected true or false, found {describe(value)}")
            return None
        return value

    def string(self, value: Any, path: Path) -> str | None:
        if not isinstance(value, str):
            self.problems.add(path, f"expected a string, found {describe(value)}")
            return None
        if not value.strip():
            self.problems.add(path, "is empty")
            return None
        problem = control_problem(value)
        if problem is not None:
            self.problems.add(path, problem)
            return None
        return value.strip()

    def code(self, value: Any, path: Path, kind: str, scope: str = "") -> str | None:
        """A code of ``kind`` (item, section, dimension, option), unique within ``scope``."""
        text = self.string(value, path)
        if text is None:
            return None
        pattern, allowed = (
            (ITEM_CODE, "'_', '-' and '.' (between other characters)")
            if kind in ("item", "section")
            else (OPTION_CODE, "'_' and '-'")
        )
        if not pattern.match(text):
            self.problems.add(
                path,
                f"{text!r} is not a valid {kind} code: use letters, digits, {allowed}, "
                "starting with a letter, a digit or '_'",
            )
            return None
        seen = self.seen_codes.setdefault(f"{kind}:{scope}", {})
        if text in seen:
            self.problems.add(
                path, f"duplicate {kind} code {text!r} (first used at {format_path(seen[text])})"
            )
            return None
        seen[text] = path
        return text

    def value_at(
        self, mapping: dict, path: Path, key: str, read: Callable[..., T | None], *args: Any
    ) -> T | None:
        """``read`` applied to ``mapping[key]``; None when absent (``mapping`` reported a missing key)."""
        return read(mapping[key], (*path, key), *args) if key in mapping else None

    def value_or(
        self, mapping: dict, path: Path, key: str, default: T, read: Callable[..., T | None], *args: Any
    ) -> T | None:
        return read(mapping[key], (*path, key), *args) if key in mapping else default

    def per_language(
        self, value: Any, path: Path, read_one: Callable[[Any, Path], T | None]
    ) -> dict[str, T] | None:
        """A value given once for every language, or as a mapping language -> value."""
        if not isinstance(value, dict):
            one = read_one(value, path)
            return None if one is None else dict.fromkeys(self.languages, one)
        self.check_language_keys(value, path)
        result: dict[str, T] = {}
        for language in self.languages:
            if language not in value:
                self.problems.add((*path, language), f"missing the {LANGUAGE_NAMES[language]} version")
                continue
            one = read_one(value[language], (*path, language))
            if one is not None:
                result[language] = one
        return result if len(result) == len(self.languages) else None

    def check_language_keys(self, value: dict, path: Path) -> None:
        for key in value:
            if key not in LANGUAGES:
                self.problems.add(
                    (*path, key), f"unsupported language {key!r}: expected one of {', '.join(LANGUAGES)}"
                )
            elif key not in self.languages and self.languages_known:
                self.problems.add((*path, key), f"language {key!r} is not listed in languages")

    def text(self, value: Any, path: Path) -> Text | None:
        return self.per_language(value, path, self.text_string)

    def text_string(self, value: Any, path: Path) -> str | None:
        if isinstance(value, list | dict):
            self.problems.add(
                path, f"expected a text (a string, or a mapping language -> string), found {describe(value)}"
            )
            return None
        return self.string(value, path)

    def localise(self, text: Text) -> Text:
        """A reference text restricted to the questionnaire's languages."""
        return {language: text[language] for language in self.languages if language in text}


def unknown_key_message(key: Any, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(key), known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else f"; expected one of {', '.join(known)}"
    return f"unknown key {key!r}{hint}"


class LoadError(ValueError):
    """The text is not YAML at all (or too large to read): there is nothing to validate."""


class BoundedLoader(yaml.SafeLoader):
    """A safe loader that counts values and nesting while it composes the document, so that a file nested
    too deeply or holding too many values is refused before it costs time or recursion."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.nodes = 0
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        self.nodes += 1
        self.depth += 1
        try:
            self.check_bounds()
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def check_bounds(self) -> None:
        if self.depth > MAX_DEPTH:
            raise LoadError(f"{self.where()}the document is nested more than {MAX_DEPTH} levels deep")
        if self.nodes > MAX_NODES:
            raise LoadError(f"{self.where()}the document has more than {MAX_NODES:,} values")

    def where(self) -> str:
        mark = self.peek_event().start_mark
        return f"line {mark.line + 1}, column {mark.column + 1}: "


def load_yaml(source: str | bytes) -> tuple[Any, Problems]:
    """The plain data of a YAML document, with the line of every value and the problems found reading it."""
    text = decode(source)
    try:
        loader = BoundedLoader(text)
        node = loader.get_single_node()
    except yaml.YAMLError as error:
        raise LoadError(yaml_error_message(error)) from error
    if node is None:
        raise LoadError("the file is empty: expected a mapping with title, languages, scale and sections")
    walker = NodeWalker(loader)
    return walker.value(node, (), 0), walker.problems


def decode(source: str | bytes) -> str:
    """The text of a file within the size limit, in UTF-8, without control characters (YAML allows none)."""
    check_size(len(source.encode("utf-8", "surrogatepass") if isinstance(source, str) else source))
    if isinstance(source, str):
        text = source.removeprefix("\ufeff")
    else:
        try:
            text = source.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise LoadError(f"the file is not UTF-8 text (byte {error.start} cannot be decoded)") from error
    check_controls(text)
    return text


def check_size(size: int) -> None:
    """Refuse a file over MAX_FILE_BYTES; a caller may read at most MAX_FILE_BYTES + 1 bytes to learn it."""
    if size > MAX_FILE_BYTES:
        raise LoadError(
            f"the file is larger than the limit of {MAX_FILE_BYTES // 1024} KB ({MAX_FILE_BYTES:,} bytes)"
        )


def check_controls(text: str) -> None:
    index = first_control(text)
    if index is not None:
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        raise LoadError(
            f"line {line}, column {column}: the file contains the control character "
            f"{control_name(text[index])}, which a questionnaire may not hold"
        )


def yaml_error_message(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}malformed YAML: {problem}" + (f" ({context})" if context else "")


class NodeWalker:
    """Turns composed YAML nodes into plain values, recording the line of each and refusing duplicate keys."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.problems = Problems(lines={})
        self.nodes = 0
        self.too_large = False

    def value(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            if not self.too_large:
                self.problems.add(
                    path[:MAX_DEPTH_SHOWN], "the document is nested too deeply or has too many values"
                )
            self.too_large = True
            return None
        if not isinstance(node, yaml.ScalarNode) and node.tag not in COLLECTION_TAGS:
            self.problems.add(path, f"unsupported YAML tag {node.tag!r}", node.start_mark.line + 1)
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.entry(child, (*path, index), depth) for index, child in enumerate(node.value)]
        return self.scalar(node, path)

    def entry(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.problems.lines[path] = node.start_mark.line + 1
        return self.value(node, path, depth + 1)

    def mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, path) if isinstance(key_node, yaml.ScalarNode) else None
            line = key_node.start_mark.line + 1
            if key is None or key in result:
                problem = "keys must be non-empty plain values" if key is None else f"duplicate key {key!r}"
                self.problems.add(path if key is None else (*path, key), problem, line)
                continue
            self.problems.lines[(*path, key)] = line
            result[key] = self.value(value_node, (*path, key), depth + 1)
        return result

    def scalar(self, node: yaml.Node, path: Path) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as error:
            problem = getattr(error, "problem", None) or str(error)
            self.problems.add(path, f"unreadable value: {problem}", node.start_mark.line + 1)
            return None
