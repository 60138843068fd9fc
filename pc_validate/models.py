"""Typed models of the "create a customer" request body, named as the Partner Center SDKs
name them: `Customer`, `CustomerBillingProfile`, `CustomerCompanyProfile`, `Address` (and
`UserCredentials`).

They are for building and reading bodies in Python; the rules stay in ``rules/``. So a
model never refuses a value the rules could accept, whatever rules are loaded: every field
is typed and its documented limits are in its JSON Schema (``pc-validate schema request``),
but a value that is not of that type or breaks a limit is kept exactly as sent (never
coerced: "yes" stays "yes", not True), for the rules to judge and name. Keys are matched as
the service matches them, ignoring ASCII letter case (PascalCase, camelCase, lower case);
a key that is no field is kept, in its own spelling, so that pc-validate can still warn
about it. A body serialises (`to_body`, `model_dump`) by alias, in camelCase, with only
the fields that were given: what would be sent.

In Python, fields take their snake_case names (``Address(address_line1="...")``); in a
dict or JSON only the keys the service reads count (``address_line1`` there is an unknown
key, as the service would take it).

>>> body = Customer.model_validate({"BillingProfile": {"Email": "a@contoso.com"}})
>>> body.billing_profile.email
'a@contoso.com'
>>> body.to_body()
{'billingProfile': {'email': 'a@contoso.com'}}

Sources (docs/architecture.md names them; ../shared/reference/partner-center-facts.md):
create-a-customer.md (ms.date 07/28/2023), customer-resources.md (07/28/2023),
utility-resources.md (9/21/2022), create-a-customer-for-an-indirect-reseller.md
(07/28/2023), the .NET SDK models (snapshot 2023-06-06) and the Java SDK (2020).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, cast

from pydantic import (
    AliasGenerator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from pc_validate.model import fold

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from pc_validate.report import Report

__all__ = [
    "Address",
    "Body",
    "Customer",
    "CustomerBillingProfile",
    "CustomerCompanyProfile",
    "UserCredentials",
]

#: Names the service spells otherwise than camelCase of the Python name.
_SPELLED: dict[str, str] = {"enable_gdap_by_default": "enableGDAPByDefault"}


def _alias(name: str) -> str:
    return _SPELLED.get(name) or to_camel(name)


class _AsSent:
    """A field's type, or else the value itself, untouched: a union of the type (strict, so
    nothing is coerced) and any value, tried in that order, with the type's JSON Schema.
    pydantic-core does it all, with no Python call per value."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.union_schema(
            [handler(source), core_schema.any_schema()], mode="left_to_right"
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        choices = cast(core_schema.UnionSchema, schema)["choices"]
        typed = choices[0]
        return handler(typed[0] if isinstance(typed, tuple) else typed)


_KEPT = _AsSent()
Text = Annotated[str | None, Strict(), _KEPT]
Flag = Annotated[bool | None, Strict(), _KEPT]
Texts = Annotated[list[str] | None, Strict(), _KEPT]
Opaque = Any
# Texts with the documented lengths (utility-resources.md's (min, max) column).
CountryCode = Annotated[str | None, Strict(), Field(min_length=2, max_length=2), _KEPT]
StateCode = Annotated[str | None, Strict(), Field(max_length=2), _KEPT]
Line1 = Annotated[str | None, Strict(), Field(min_length=1, max_length=200), _KEPT]
Line2 = Annotated[str | None, Strict(), Field(max_length=200), _KEPT]
Name = Annotated[str | None, Strict(), Field(min_length=1, max_length=50), _KEPT]
Email = Annotated[str | None, Strict(), Field(json_schema_extra={"format": "email"}), _KEPT]


#: Marks, while a body is validated, a key that must not fill the field it names.
_ESCAPED = "\x00pc-validate:"


def _case_insensitive(name: str) -> str:
    """An ECMA-262 pattern that matches `name` in any ASCII letter case."""
    return "^" + "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in name) + "$"


class Body(BaseModel):
    """What the models share: the service's key matching, unknown keys kept, the body as
    sent. `to_body()` is the dict that would be sent."""

    model_config = ConfigDict(
        extra="allow",
        alias_generator=AliasGenerator(alias=_alias),
        validate_by_alias=True,
        validate_by_name=False,  # in a body only the service's spelling counts
        serialize_by_alias=True,
        use_attribute_docstrings=True,
    )
    _fields_by_key: ClassVar[dict[str, str]]
    _aliases: ClassVar[frozenset[str]]

    if not TYPE_CHECKING:  # type checkers see pydantic's keyword-only __init__ by name

        def __init__(self, /, **data: Any) -> None:
            """Fields by their Python names (or as the body spells them)."""
            fields = type(self).__pydantic_fields__
            sent: dict[str, Any] = {}
            for key, value in data.items():
                field = fields.get(key)
                alias = field.alias if field is not None and field.alias else key
                if alias in sent:
                    raise TypeError(f"{type(self).__name__}: {alias} is given twice")
                sent[alias] = value
            super().__init__(**sent)

        # Marked as pydantic marks its own: model_validate (and FastAPI) then validate a
        # body without calling it, so only the service's key spellings count there.
        __init__.__pydantic_base_init__ = True

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._fields_by_key = {
            fold(field.alias): field.alias
            for field in cls.__pydantic_fields__.values()
            if field.alias is not None
        }
        cls._aliases = frozenset(cls._fields_by_key.values())

    @model_validator(mode="before")
    @classmethod
    def _match_keys(cls, data: Any) -> Any:
        """Keys as the service matches them: the one key equal to a field's name but for
        ASCII case fills it, under the field's name. Keys that differ only in case fill no
        field: every copy is kept, in its own spelling and in the order sent (the rules
        report them and judge the last, as the service uses only one); so is every key that
        is no field."""
        if not isinstance(data, dict):
            return data
        fields = cls._fields_by_key
        aliases = [fields.get(fold(key)) if isinstance(key, str) else None for key in data]
        repeated = {alias for alias in aliases if alias is not None and aliases.count(alias) > 1}
        matched: dict[Any, Any] = {}
        for alias, (key, value) in zip(aliases, data.items(), strict=True):
            if alias is not None and alias not in repeated:
                matched[alias] = value
            elif alias is not None or key in cls.__pydantic_fields__:
                matched[_ESCAPED + key] = value  # pydantic would fill the field with it
            else:
                matched[key] = value
        return matched

    @model_validator(mode="after")
    def _unescape(self) -> Body:
        """The keys kept from filling a field, back under their own names."""
        extra = self.__pydantic_extra__
        if extra and any(isinstance(key, str) and key.startswith(_ESCAPED) for key in extra):
            self.__pydantic_fields_set__.difference_update(extra)
            self.__pydantic_extra__ = {
                key.removeprefix(_ESCAPED) if isinstance(key, str) else key: value
                for key, value in extra.items()
            }
        return self

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> JsonSchemaValue:
        """The schema lists the camelCase names; any other letter case of a name is checked
        against the same schema (the service matches keys so)."""
        schema: JsonSchemaValue = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        properties = target.get("properties", {})
        for field in properties.values():
            field.pop("default", None)  # an editor would offer it when completing a key
        target["patternProperties"] = {
            _case_insensitive(name): properties[name] for name in properties
        }
        return schema

    def to_body(self) -> dict[str, Any]:
        """The body as it would be sent: camelCase keys, the fields that were given (null
        too, when given as None) and the unknown keys, every value as it was given."""
        return self.model_dump(exclude_unset=True)


class Address(Body):
    """Address (utility-resources.md, ms.date 9/21/2022): the billing profile's
    `defaultAddress`. Lengths are the document's (min, max) column."""

    country: CountryCode = None
    """ISO 3166-1 alpha-2 country code, e.g. "US"; length (2, 2), so required."""
    region: Text = None
    """Region; no limit documented (the service refuses one for US addresses)."""
    city: Text = None
    """City; required where the country's validation rules say (isCityRequired)."""
    state: StateCode = None
    """State code, length (0, 2) as documented; only some countries' rules check it
    against a list (US, CA, CN, MX)."""
    address_line1: Line1 = None
    """First street line; length (1, 200), so required."""
    address_line2: Line2 = None
    """Second street line; length (0, 200), optional."""
    postal_code: Text = None
    """Postal code; required and matched against a pattern where the country's rules say."""
    first_name: Name = None
    """Contact's first name; length (1, 50)."""
    middle_name: Name = None
    """Contact's middle name; length (1, 50), optional. In the document from 11/13/2020 to
    03/30/2021 and in the .NET SDK's Address; not in the Java SDK's."""
    last_name: Name = None
    """Contact's last name; length (1, 50)."""
    phone_number: Text = None
    """Phone number; optional, but mandatory for 24 countries (Armenia, Brazil, India, ...)."""


class _Resource(Body):
    """What every resource of the REST API carries besides its own fields (in responses)."""

    links: Opaque = None
    """ResourceLinks (in responses)."""
    attributes: Opaque = None
    """ResourceAttributes (in responses)."""


class CustomerBillingProfile(_Resource):
    """CustomerBillingProfile (customer-resources.md, ms.date 07/28/2023; create-a-customer.md,
    07/28/2023): the billing contact and address."""

    id: Text = None
    """Profile id (in responses)."""
    email: Email = None
    """Billing contact's e-mail address; required."""
    culture: Text = None
    """Culture for communication and currency, e.g. "en-US"; required, one of the country's
    supported cultures (partner-center-supported-languages-and-locales.md, 6/29/2022)."""
    language: Text = None
    """Preferred language, a two-character code such as "en"; required."""
    company_name: Text = None
    """Registered company name; required."""
    first_name: Text = None
    """Billing contact's first name."""
    last_name: Text = None
    """Billing contact's last name."""
    default_address: Annotated[Address | None, _KEPT] = None
    """The billing address; required."""


class CustomerCompanyProfile(_Resource):
    """CustomerCompanyProfile (customer-resources.md, ms.date 07/28/2023; the .NET SDK's model
    has these four fields, the Java SDK's no organizationRegistrationNumber)."""

    tenant_id: Text = None
    """Microsoft Entra tenant id (in responses)."""
    domain: Text = None
    """Initial domain, e.g. "contoso.onmicrosoft.com" (".partner.onmschina.cn" in 21Vianet);
    required."""
    company_name: Text = None
    """Company name."""
    organization_registration_number: Text = None
    """Registration number (INN); required in 25 countries (Armenia, Brazil, China, India,
    ...), which Partner Center lists; no format documented."""


class UserCredentials(Body):
    """UserCredentials (customer-resources.md): the administrator a response returns."""

    user_name: Text = None
    """The administrator's user name."""
    password: Text = None
    """The administrator's password (a password sent in a request is not accepted)."""


class Customer(_Resource):
    """Customer (customer-resources.md, ms.date 07/28/2023): the body of POST /v1/customers
    (create-a-customer.md, 07/28/2023), and the resource a response returns."""

    billing_profile: Annotated[CustomerBillingProfile | None, _KEPT] = None
    """The billing profile; required."""
    company_profile: Annotated[CustomerCompanyProfile | None, _KEPT] = None
    """The company profile; required."""
    enable_gdap_by_default: Flag = None
    """True: a default GDAP relationship is made and no DAP; false: neither (added 2023)."""
    associated_partner_id: Text = None
    """The indirect reseller's tenant id (a GUID), for indirect providers only
    (create-a-customer-for-an-indirect-reseller.md, 07/28/2023)."""
    id: Text = None
    """Customer id, the tenant id (in responses)."""
    commerce_id: Text = None
    """Commerce id (in responses)."""
    relationship_to_partner: Text = None
    """none, reseller, advisor, syndication or microsoft_support (in responses)."""
    allow_delegated_access: Flag = None
    """Whether delegated access is allowed (in responses of get-by-id)."""
    custom_domains: Texts = None
    """The customer's custom domains (in responses)."""
    tags: Texts = None
    """Tags on the partner-customer relationship (current learn.microsoft.com only)."""
    user_credentials: Annotated[UserCredentials | None, _KEPT] = None
    """The administrator's credentials (in responses)."""

    def check(
        self,
        *,
        cloud: str | None = None,
        rules: Sequence[str | Path] = (),
        disable: Sequence[str] = (),
        fail_on: Literal["error", "warning"] = "error",
        redact: bool = False,
    ) -> Report:
        """pc-validate's report of this body as it would be sent. Raises one pydantic
        ValidationError with every violation at or above `fail_on` (the errors, by default);
        the report that returns holds the rest (warnings, hints)."""
        from pc_validate.pydantic_types import PartnerCenterCustomer

        options = PartnerCenterCustomer(cloud, tuple(rules), tuple(disable), fail_on, redact)
        return options.check(self)
