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
    PrivateAttr,
    SerializeAsAny,
    SerializerFunctionWrapHandler,
    Strict,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_serializer,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaValue

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


def _as_sent(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """The value as its field's type reads it, or else the value itself, untouched."""
    try:
        return handler(value)
    except ValidationError:
        return value


# A field: its type and limits (strict: no coercion), kept as sent when it is not that type,
# and serialised as what it holds (SerializeAsAny: no warning for a value of another type).
_KEPT = WrapValidator(_as_sent)
_ANY = cast(Any, SerializeAsAny)()  # the marker itself (typing sees a generic)
Text = Annotated[str | None, Strict(), _KEPT, _ANY]
Flag = Annotated[bool | None, Strict(), _KEPT, _ANY]
Texts = Annotated[list[str] | None, Strict(), _KEPT, _ANY]
Opaque = Annotated[Any, _ANY]
# Texts with the documented lengths (utility-resources.md's (min, max) column).
CountryCode = Annotated[str | None, Strict(), Field(min_length=2, max_length=2), _KEPT, _ANY]
StateCode = Annotated[str | None, Strict(), Field(max_length=2), _KEPT, _ANY]
Line1 = Annotated[str | None, Strict(), Field(min_length=1, max_length=200), _KEPT, _ANY]
Line2 = Annotated[str | None, Strict(), Field(max_length=200), _KEPT, _ANY]
Name = Annotated[str | None, Strict(), Field(min_length=1, max_length=50), _KEPT, _ANY]
Email = Annotated[str | None, Strict(), Field(json_schema_extra={"format": "email"}), _KEPT, _ANY]


#: Marks, while a body is validated, an unknown key spelled as a field's Python name.
_ESCAPED = "\x00pc-validate:"
#: Carries, while a body is validated, the order of keys that differ only in case.
_ORDER = _ESCAPED + "order"


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
    _sent_order: list[list[str]] | None = PrivateAttr(default=None)

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
        """Keys as the service matches them: a key spelled exactly as the field fills it,
        else the first key equal to it but for ASCII case; every other key is kept in its own
        spelling, and keys that differ only in case keep the order they were sent in."""
        if not isinstance(data, dict):
            return data
        fields = cls._fields_by_key
        exact = {key for key in data if key in cls._aliases}
        matched: dict[Any, Any] = {}
        sent: dict[str, list[Any]] = {}  # alias -> the names its copies are kept under
        for key, value in data.items():
            alias = fields.get(fold(key)) if isinstance(key, str) else None
            if alias is None:
                if key in cls.__pydantic_fields__:  # a Python name: pydantic would fill it
                    key = _ESCAPED + key
            else:
                if key == alias or (alias not in exact and alias not in sent):
                    key = alias  # the copy that fills the field
                sent.setdefault(alias, []).append(key)
            matched[key] = value
        repeated = [names for names in sent.values() if len(names) > 1]
        if repeated:
            matched[_ORDER] = repeated
        return matched

    @model_validator(mode="after")
    def _unescape(self) -> Body:
        """Unknown keys spelled as a field's Python name back under their own names; the
        order of keys that differ only in case, for serialising."""
        extra = self.__pydantic_extra__
        if extra and any(isinstance(key, str) and key.startswith(_ESCAPED) for key in extra):
            self._sent_order = extra.pop(_ORDER, None)
            fields_set = self.__pydantic_fields_set__
            fields_set.difference_update(extra)
            fields_set.discard(_ORDER)
            self.__pydantic_extra__ = {
                key.removeprefix(_ESCAPED) if isinstance(key, str) else key: value
                for key, value in extra.items()
            }
            fields = type(self).__pydantic_fields__
            fields_set.update(key for key in self.__pydantic_extra__ if key not in fields)
        return self

    @model_serializer(mode="wrap")
    def _in_order_sent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Keys that differ only in case in the order they were sent (the service and the
        rules use the last)."""
        data: dict[str, Any] = handler(self)
        order = self._sent_order
        if not order:
            return data
        group_of = {name: names for names in order for name in names}
        kept: dict[str, Any] = {}
        for key, value in data.items():
            names = group_of.get(key)
            if names is None:
                kept[key] = value
            elif key not in kept:
                kept.update((name, data[name]) for name in names if name in data)
        return kept

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


class CustomerBillingProfile(Body):
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
    default_address: Annotated[Address | None, _KEPT, _ANY] = None
    """The billing address; required."""
    links: Opaque = None
    """ResourceLinks (in responses)."""
    attributes: Opaque = None
    """ResourceAttributes (in responses)."""


class CustomerCompanyProfile(Body):
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
    links: Opaque = None
    """ResourceLinks (in responses)."""
    attributes: Opaque = None
    """ResourceAttributes (in responses)."""


class UserCredentials(Body):
    """UserCredentials (customer-resources.md): the administrator a response returns."""

    user_name: Text = None
    """The administrator's user name."""
    password: Text = None
    """The administrator's password (a password sent in a request is not accepted)."""


class Customer(Body):
    """Customer (customer-resources.md, ms.date 07/28/2023): the body of POST /v1/customers
    (create-a-customer.md, 07/28/2023), and the resource a response returns."""

    billing_profile: Annotated[CustomerBillingProfile | None, _KEPT, _ANY] = None
    """The billing profile; required."""
    company_profile: Annotated[CustomerCompanyProfile | None, _KEPT, _ANY] = None
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
    user_credentials: Annotated[UserCredentials | None, _KEPT, _ANY] = None
    """The administrator's credentials (in responses)."""
    links: Opaque = None
    """ResourceLinks (in responses)."""
    attributes: Opaque = None
    """ResourceAttributes (in responses)."""

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
