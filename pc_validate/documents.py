"""The JSON documents pc-validate publishes, as typed models: the report and a rule file.

These TypedDicts are the one description of both contracts. The report's writers are typed
with them (mypy holds the code to the model), and ``scripts/generate_schemas.py`` turns them,
with the registry of check kinds, into ``schemas/report.schema.json`` and
``schemas/rules.schema.json`` through pydantic; a test keeps the committed files equal to what
it generates (docs/architecture.md, "Contracts kept"). A field's docstring is its description
in the schema, and `Keywords` adds what Python types cannot say (bounds, patterns).

Nothing here imports pydantic: it reads the class attributes below only when the schemas are
built, so the models cost nothing at run time (the report code imports them for type checking
only).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal, TypeVar

from pc_validate import model
from pc_validate.model import CODES, SEVERITIES, Status

if sys.version_info >= (3, 12):  # pydantic reads TypedDicts of typing only from 3.12 on
    from typing import NotRequired, TypeAliasType, TypedDict
else:
    from typing_extensions import NotRequired, TypeAliasType, TypedDict

if TYPE_CHECKING:
    from pc_validate.checks import CheckKind, Param

#: A rule id and a violation's `rule`: lower-case words joined by dots.
RULE_ID_PATTERN: Final = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity: typing hashes metadata
class Keywords:
    """JSON Schema keywords for a type, beyond what its Python type says (read by pydantic)."""

    keywords: dict[str, Any]

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema: dict[str, Any] = handler(core_schema)
        schema.update(self.keywords)
        return schema


_Model = TypeVar("_Model")


def _closed(**config: Any) -> Callable[[_Model], _Model]:
    """A model of a closed JSON object: no other keys, each field described by its docstring.

    Sets the class's `__pydantic_config__`, as pydantic.with_config would, without importing
    pydantic."""

    def configure(model: _Model) -> _Model:
        settings = {"extra": "forbid", "use_attribute_docstrings": True, **config}
        setattr(model, "__pydantic_config__", settings)  # noqa: B010 (a TypedDict has no slot)
        return model

    return configure


Count = TypeAliasType(
    "Count",
    Annotated[
        int, Keywords({"minimum": 0, "description": "A whole number of things, zero or more."})
    ],
)
_Position = Annotated[int | None, Keywords({"minimum": 1})]


# ---------------------------------------------------------------------------------------------
# The report (what `check --format json` prints and Report.to_dict() returns)


@_closed()
class CountsDocument(TypedDict):
    """Number of violations per severity."""

    error: Count
    warning: Count
    info: Count


Severity = TypeAliasType(
    "Severity",
    Annotated[
        model.Severity,
        Keywords(
            {
                "description": "error: Partner Center documents it and would reject the "
                "request; warning: another authority says it is likely wrong; info: a "
                "harmless normalisation hint.",
                "enum": list(SEVERITIES),
            }
        ),
    ],
)


_LinePosition = Annotated[int, Keywords({"minimum": 1})]


@_closed()
class LocationDocument(TypedDict):
    """Where the violation lies in the input's text: the offending value (for a key that is
    not known or is sent more than once, the key; for a missing field, the nearest object
    that is there, for CSV the row; for a CSV cell, the cell, quotes included). Lines and
    columns count from 1; columns count UTF-16 code units, as SARIF's default columnKind, the
    Language Server Protocol and editors do (a character beyond U+FFFF counts 2); the end is
    the position just past the last character, as SARIF's endColumn. Line ends are LF (and,
    in CSV, CR LF or CR)."""

    line: _LinePosition
    """Line of the value's first character."""
    column: _LinePosition
    """Column of the value's first character (UTF-16 code units, from 1)."""
    end_line: _LinePosition
    """Line of the position just past the value's last character."""
    end_column: _LinePosition
    """Column of the position just past the value's last character (UTF-16 code units)."""


@_closed()
class ViolationDocument(TypedDict):
    """One problem found in a payload."""

    rule: Annotated[str, Keywords({"pattern": RULE_ID_PATTERN})]
    """Stable rule id, lower-case words joined by dots, e.g. "address.line1.length"; never
    reused for another meaning."""
    code: Annotated[str, Keywords({"enum": sorted(CODES)})]
    """Machine kind of the problem, from a closed list."""
    severity: Severity
    path: Annotated[str, Keywords({"pattern": "^(/([^~/]|~[01])*)*$"})]
    """RFC 6901 JSON Pointer into the payload as sent (the sender's key spelling): "" for the
    whole body, otherwise "/"-separated tokens with ~ written ~0 and / written ~1. For a
    missing field, the parent's pointer plus the canonical camelCase name. Under redaction
    (--redact, validate(redact=True)) a key that is not a known field is written `*N`
    instead, since keys can hold personal data: the N-th key of its object, counted from 1 in
    the order sent (a key sent twice counts once, where it first stood), e.g.
    "/billingProfile/*3" for the third key of billingProfile; known field names stay as sent,
    and no known field name starts with *. Without redaction the path is exact, whatever its
    length."""
    message: Annotated[str, Keywords({"minLength": 1})]
    """One human sentence: what is wrong and what is expected. Payload text in it is quoted
    and cut like `value`, and every control, bidi or zero-width character (Unicode categories
    Cc, Cf, Zl, Zp) is written as a visible escape such as \\u001b, so the sentence can be
    shown to a person as it is. Under redaction keys are named as in `path`."""
    params: dict[str, Any]
    """The numbers and lists behind the message, e.g. {"max": 200, "length": 201}; strings
    are cut like `value`. Under redaction values that repeat the payload are left out, and
    params that name keys (key, keys, keys_text, used) name them as `path` does (`*N` for a
    key that is not a known field)."""
    value: NotRequired[
        Annotated[
            Any, Keywords({"type": ["string", "number", "boolean", "null", "object", "array"]})
        ]
    ]
    """The offending value as sent (strings longer than 200 characters are cut and end in
    …). Left out when the value is not repeated: under --redact, for a missing field, or for
    an object or array."""
    suggestion: Any
    """A corrected value where one is clear ("en-US" for "EN-us", "GB" for "UK"), otherwise
    null; always null under --redact."""
    partner_center_error: int | None
    """The Partner Center error code this violation pre-empts (e.g. 600049), or null when
    none is known."""
    source: Annotated[str, Keywords({"minLength": 1})]
    """Where the rule comes from: the document and its date."""
    location: NotRequired[LocationDocument]
    """Line and column of the violation in the input (1.2): present when the record was read
    from text (a JSON file, JSON Lines, CSV), left out for an in-memory payload or a workbook
    row."""


@_closed(
    json_schema_extra={
        "not": {
            "properties": {"line": {"type": "null"}, "column": {"type": "integer"}},
            "required": ["line", "column"],
        }
    },
)
class ResultErrorDocument(TypedDict):
    """Only for status "unreadable" and "not_validated": why the record could not be
    validated."""

    message: Annotated[str, Keywords({"minLength": 1})]
    """What is wrong, e.g. "no such file" or "trailing comma before '}': strict JSON does not
    allow one"."""
    line: _Position
    """1-based line of the input where the text broke (or where the record starts), or null
    when there is no position (e.g. a missing file)."""
    column: _Position
    """1-based column (in characters) where the text broke, or null when not known."""


def _status_is(status: str | list[str]) -> dict[str, Any]:
    test = {"const": status} if isinstance(status, str) else {"enum": status}
    return {"properties": {"status": test}}


_HAS_ERROR_VIOLATION: Final = {"contains": {"properties": {"severity": {"const": "error"}}}}
#: What `status` decides of the rest of a result.
_STATUS_INVARIANTS: Final = [
    {
        "if": _status_is("valid"),
        "then": {
            "properties": {
                "ok": {"const": True},
                "counts": {"properties": {"error": {"const": 0}}},
                "violations": {"not": _HAS_ERROR_VIOLATION},
            },
            "not": {"required": ["error"]},
        },
    },
    {
        "if": _status_is("invalid"),
        "then": {
            "properties": {
                "ok": {"const": False},
                "counts": {"properties": {"error": {"minimum": 1}}},
                "violations": _HAS_ERROR_VIOLATION,
            },
            "not": {"required": ["error"]},
        },
    },
    {
        "if": _status_is(["unreadable", "not_validated"]),
        "then": {
            "required": ["error"],
            "properties": {
                "ok": {"const": False},
                "counts": {"properties": {severity: {"const": 0} for severity in SEVERITIES}},
                "violations": {"maxItems": 0},
            },
        },
    },
]


@_closed(json_schema_extra={"allOf": _STATUS_INVARIANTS})
class ResultDocument(TypedDict):
    """The outcome for one record. `status` decides the rest: "valid" (no error-severity
    violation; warnings and infos may be present), "invalid" (at least one error),
    "unreadable" (the record could not be read or is not JSON; `error` says why and where,
    and there are no violations), "not_validated" (the record was read but its validation
    did not finish, e.g. its worker process died; `error` says why)."""

    input: str | None
    """The input's name as given on the command line ("<stdin>" for -), or null for a
    payload validated in memory."""
    record: Count
    """Index of the record within its input, from 0 (0 for an input holding one request
    body)."""
    line: _Position
    """1-based line of the input where the record starts (JSON arrays and JSON Lines), or
    null (an input holding one body, CSV)."""
    row: _Position
    """1-based CSV row of the record, counting the header as row 1, or null for other
    formats."""
    status: Status
    """valid, invalid, unreadable or not_validated (see the result description)."""
    ok: bool
    """True exactly when status is "valid": Partner Center would not reject the body for
    anything pc-validate checks."""
    counts: CountsDocument
    """Number of this input's violations per severity."""
    violations: list[ViolationDocument]
    """Every problem found, in a deterministic order (by path, then most severe first, then
    rule id)."""
    error: NotRequired[ResultErrorDocument]


@_closed()
class ToolDocument(TypedDict):
    """The program that wrote the report."""

    name: Literal["pc-validate"]
    """Always "pc-validate"."""
    version: Annotated[str, Keywords({"minLength": 1})]
    """The pc-validate package version, e.g. "0.1.0"."""


@_closed()
class SummaryDocument(TypedDict):
    """Totals over every record read (including those left out of `results` by
    --only-invalid)."""

    inputs: Count
    """Number of inputs: files (after glob expansion), stdin, or in-memory payloads."""
    records: Count
    """Number of records read: valid + invalid + unreadable + not_validated."""
    valid: Count
    """Records whose status is "valid"."""
    invalid: Count
    """Records whose status is "invalid"."""
    unreadable: Count
    """Records whose status is "unreadable"."""
    not_validated: Count
    """Records whose status is "not_validated"."""
    violations: CountsDocument
    """Violations of every result, by severity."""


@_closed(title="pc-validate report")
class ReportDocument(TypedDict):
    """The JSON report of pc-validate, format 1.2: what `pc-validate check --format json`
    prints and what `Report.to_dict()` returns. One shape whatever the number of inputs: one
    entry in `results` per record (a request body: a file, stdin, an element of a JSON array,
    a JSON Lines line, a CSV row, or an in-memory payload), in input order. 1.1 added `line`,
    `row`, the status "not_validated" and the summary's `records` and `not_validated`; 1.2
    added a violation's `location` (line and column in the input) and `language`. Its
    text writes every control, bidi and zero-width character (Unicode categories Cc, Cf, Zl,
    Zp) and lone surrogates as JSON escapes (\\u202e), never raw: parsed, it gives back every
    string exactly, and shown on a terminal, it cannot act on it. docs/architecture.md,
    "Report versioning", says what changes `version` and what a reader may rely on."""

    version: Literal["1.2"]  # report.REPORT_FORMAT (a test holds them equal)
    """Version of this report format (not of the tool). A change that breaks readers changes
    it."""
    tool: ToolDocument
    language: NotRequired[
        Annotated[str, Keywords({"minLength": 1, "examples": ["en", "de", "pt-BR"]})]
    ]
    """The language of the messages (and of nothing else: rule ids, codes, paths and params
    never change with it), a BCP 47 tag of a shipped catalog: "en", "de", "pt-BR", "zh-Hans",
    or "qps-ploc" for the pseudo-language. Written by pc-validate since format 1.2."""
    results: list[ResultDocument]
    """One entry per record, in input order (valid records are left out with
    --only-invalid)."""
    summary: SummaryDocument


# ---------------------------------------------------------------------------------------------
# A rule file (rules/*.yaml and the files given with --rules)

Text = TypeAliasType(
    "Text", Annotated[str, Keywords({"pattern": r"\S", "description": "Non-blank text."})]
)
Values = TypeAliasType(
    "Values",
    Annotated[str | list[str], Keywords({"description": "A dataset name, or a list of values."})],
)
FieldType = TypeAliasType(
    "FieldType",
    Annotated[
        Literal["object", "array", "string", "boolean", "any"],
        Keywords({"description": "The JSON type a field holds; 'any' accepts every type."}),
    ],
)


@_closed()
class DatasetDocument(TypedDict):
    """A named list of values."""

    description: Text
    """What the list holds."""
    source: Text
    """Where the list comes from (document and its date)."""
    values: list[str]
    """The values, all text: quote codes YAML would read otherwise (NO, YES, ON, OFF, 098)."""


ConditionDocument = TypedDict(
    "ConditionDocument",
    {
        "field": Annotated[str, Keywords({"description": "Dotted field path."})],
        "in": NotRequired[Values],
        "not_in": NotRequired[Values],
    },
)
_closed(
    json_schema_extra={
        "description": "The rule applies only when the field's text (trimmed, any letter "
        "case) is in (or not in) the values.",
        "oneOf": [{"required": ["in"]}, {"required": ["not_in"]}],
    },
)(ConditionDocument)

#: How each kind of check parameter is written in a rule file (docs/rules.md says it in words).
PARAM_SCHEMAS: Final[dict[str, dict[str, Any]]] = {
    "int": {"type": "integer", "minimum": 0},
    "str": {"type": "string"},
    "bool": {"type": "boolean"},
    "regex": {"type": "string", "format": "regex"},
    "values": {"$ref": "#/$defs/values"},
    "choice": {"type": "string"},
    "field": {"type": "string", "minLength": 1},
    "table": {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
}


def param_schema(param: Param) -> dict[str, Any]:
    """The JSON Schema of one check-kind parameter; an optional one may be null (its default)."""
    schema: dict[str, Any] = dict(PARAM_SCHEMAS[param.kind])
    if param.choices:
        schema = {"enum": list(param.choices)}
    if param.required:
        return {"description": param.doc, **schema}
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    elif "type" in schema:
        schema["type"] = [schema["type"], "null"]
    else:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return {"description": param.doc, **schema}


def params_schema(kind: CheckKind) -> dict[str, Any]:
    """The JSON Schema of a rule's `params` for one check kind."""
    required = [key for key, param in kind.params.items() if param.required]
    schema: dict[str, Any] = {
        "type": "object" if required else ["object", "null"],
        "properties": {key: param_schema(param) for key, param in kind.params.items()},
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    if kind.one_of_params:
        schema["description"] = "Exactly one of " + " and ".join(kind.one_of_params) + "."
        schema["oneOf"] = [
            {"required": [key], "properties": {key: {"not": {"type": "null"}}}}
            for key in kind.one_of_params
        ]
    return schema


def _rule_of_kind(kind: CheckKind) -> dict[str, Any]:
    """What a rule of one check kind must hold: its kind's params (all of them, when the kind
    has required ones: a rule's params are replaced whole, never merged)."""
    params = params_schema(kind)
    clause: dict[str, Any] = {"properties": {"params": params}}
    if "required" in params:
        clause["required"] = ["params"]
    return clause


def add_check_kinds(rule_schema: dict[str, Any]) -> None:
    """Complete the schema of a rule from the registry: its `check` names a registered kind,
    and its `params` are that kind's (scripts/generate_schemas.py calls it)."""
    from pc_validate.checks import REGISTRY

    schema = rule_schema
    schema["properties"]["check"]["enum"] = sorted(REGISTRY)
    schema["allOf"] = [
        {
            "if": {"properties": {"check": {"const": name}}, "required": ["check"]},
            "then": _rule_of_kind(REGISTRY[name]),
        }
        for name in sorted(REGISTRY)
    ]


@_closed()
class RuleDocument(TypedDict):
    """One rule. A new rule needs severity, description, source, check and (except for object
    checks) field; an entry whose id already exists overrides only the keys it gives."""

    id: Annotated[str, Keywords({"pattern": RULE_ID_PATTERN})]
    """Stable id: lower-case words joined by dots, e.g. address.line1.length. Never reused for
    another meaning."""
    severity: NotRequired[Severity]
    description: NotRequired[Text]
    """What the rule checks, in one or two sentences."""
    source: NotRequired[Text]
    """Where the rule comes from (document and its date)."""
    field: NotRequired[str]
    """Dotted path of the field the rule checks (must be in the fields catalog). Object checks
    may leave it out to check every known object."""
    check: NotRequired[str]
    """The check kind, one of the registry of check kinds built into pc-validate (rule files
    name checks, never code). The schema lists them, with each kind's params (see
    add_check_kinds)."""
    params: NotRequired[dict[str, Any] | None]
    """The check's parameters (see each check kind)."""
    when: NotRequired[ConditionDocument | list[ConditionDocument] | None]
    """Conditions that must all hold for the rule to apply."""
    partner_center_error: NotRequired[int | None]
    """The Partner Center error code this rule pre-empts, e.g. 600051."""
    message: NotRequired[str | None]
    """A message template replacing the check's own: text with plain {name} fields, each one
    of field, value, suggestion, condition or the words of the rule's check kind (no
    conversions, format specs, attributes or positions); {{ and }} are literal braces."""
    note: NotRequired[str | None]
    """Why the rule is as it is, where sources disagree."""
    authority: NotRequired[str | None]
    """Whose data or word the rule rests on, as the coverage table names it, where that is
    not its check kind's (e.g. "Partner Center, as the service was recorded")."""
    enabled: NotRequired[bool]
    """false switches the rule off (true switches it back on)."""
    autofix: NotRequired[bool]
    """true: the rule's suggestion is a certain repair, applied by `pc-validate fix` and
    normalize() (only where a suggestion is given)."""


@_closed(title="pc-validate rule file", json_schema_extra={"type": ["object", "null"]})
class RuleFileDocument(TypedDict):
    """A pc-validate rule file (YAML, read safely): the bundled files under rules/ and the
    user files given with --rules. Up to four top-level keys, all optional: fields (the
    catalog of known request fields), datasets (named value lists), markets (per-country
    data) and rules. In a user file, an entry whose id already exists overrides only the keys
    it gives (severity, params, enabled: false, ...); a new id is a new rule and also needs
    severity, description, source, check and (except for object checks) field. For editors,
    e.g. with the YAML language server: '# yaml-language-server: $schema=<path to this
    file>'. pc-validate's loader is the authority; it also checks that fields and datasets
    named in rules exist."""

    fields: NotRequired[
        Annotated[dict[str, FieldType], Keywords({"propertyNames": {"minLength": 1}})] | None
    ]
    """Dotted camelCase field path (e.g. billingProfile.defaultAddress.country) -> its JSON
    type. A field inside another must be inside an object field."""
    datasets: NotRequired[dict[str, DatasetDocument] | None]
    """Named value lists that rules refer to by name (a later file's dataset of the same name
    replaces the earlier one)."""
    rules: NotRequired[list[RuleDocument] | None]
    """The rules, each with a stable id."""
    markets: NotRequired[
        Annotated[dict[str, dict[str, Any]], Keywords({"propertyNames": {"pattern": "^[A-Z]{2}$"}})]
        | None
    ]
    """Country code -> what is known of that market (postal code pattern, states, cultures
    ...); generated into rules/markets.yaml by scripts/generate_markets.py. A later file's
    entry overrides the keys it gives."""
