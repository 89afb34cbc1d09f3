"""The hub's configuration file: properties and partners, as validated pydantic models.

``load_config`` refuses a file with any error; ``check_config`` lists every problem (errors and
warnings) with file, line, key path and reason, for ``hotelhub config check``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from canonical.property import DefineProperty, RateAdjustment, RatePlanDefinition, RoomTypeDefinition
from connectors.payments.settings import PaymentGatewaySettings
from hub.config_audit import DEFAULT_AUDIT_TIME, AuditTime, NoShowFeeConfig
from hub.config_check import (
    Conflict,
    check_loaded,
    duplicates,
    erp_conflicts,
    known_currency,
    known_timezone,
    partner_conflicts,
    pull_conflicts,
    rate_plan_conflicts,
    room_type_conflicts,
)
from hub.config_derived import (
    RESTRICTION_FIELDS,
    derivation_conflicts,
    parent_conflicts,
    unknown_restrictions,
)
from hub.config_folio import FolioConfig, folio_conflicts
from mappings.loader import load_mapping
from mappings.model import PartnerId, PartnerMapping
from mappings.source import (
    CodeText,
    Conflicts,
    FileProblem,
    SourceError,
    YamlDocument,
    read_yaml,
    validation_problems,
)
from routes.ari_policy import AriPolicy
from routes.partners import PartnerKind
from routes.policy import DeliveryPolicy
from routes.pull_policy import PullPolicy

ConfigProblem = FileProblem  # one problem in the config file or in a mapping file it names
_T = TypeVar("_T")

TimeZoneName = Annotated[str, AfterValidator(known_timezone)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$"), AfterValidator(known_currency)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
RoomNumber = Annotated[CodeText, Field(max_length=32)]
NightlyRate = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=3)]
EnvVarName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=128)]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _unless(found: list[Conflict], value: _T) -> _T:
    if found:
        raise Conflicts(found)
    return value


class RoomTypeConfig(_Section):
    """A room type: its code, name, maximum occupancy and physical room numbers."""

    code: CodeText
    name: Name
    max_occupancy: Annotated[int, Field(ge=1, le=50)]
    rooms: tuple[RoomNumber, ...] = Field(min_length=1)


class RateAdjustConfig(_Section):
    """How a derived plan's amounts differ from its parent's: `percent` or `amount` (negative: off)."""

    percent: Annotated[Decimal, Field(gt=-100, le=1000, max_digits=7, decimal_places=3)] | None = None
    amount: Annotated[Decimal, Field(max_digits=12, decimal_places=3)] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> RateAdjustConfig:
        if (self.percent is None) == (self.amount is None):
            raise ValueError("give either percent or amount")
        return self


class RatePlanConfig(_Section):
    """A rate plan: the room types it sells and a default nightly rate for each.

    A derived plan (`derived_from`) sells at its parent's rates with `adjust` applied, and takes
    the restrictions named in `follow` (or all, `follow_restrictions: true`) from its parent.
    """

    code: CodeText
    name: Name
    room_types: tuple[CodeText, ...] = Field(min_length=1)
    default_rates: dict[CodeText, NightlyRate] = Field(default_factory=dict)
    derived_from: CodeText | None = None
    adjust: RateAdjustConfig | None = None
    follow: tuple[CodeText, ...] = ()
    follow_restrictions: bool = False
    no_show_fee: NoShowFeeConfig | None = None  # charged by the night audit (hub/config_audit.py)

    @field_validator("follow")
    @classmethod
    def _restriction_fields(cls, follow: tuple[str, ...]) -> tuple[str, ...]:
        return _unless(unknown_restrictions(follow), follow)

    @model_validator(mode="after")
    def _derived_only(self) -> RatePlanConfig:
        found = derivation_conflicts(self)
        return _unless(found, self)

    @property
    def follows(self) -> frozenset[str]:
        """The restriction fields this plan takes from its parent."""
        return RESTRICTION_FIELDS if self.follow_restrictions else frozenset(self.follow)


class PropertyConfig(_Section):
    """One hotel: time zone, currency, room types with rooms, and rate plans."""

    code: CodeText
    name: Name
    timezone: TimeZoneName
    currency: CurrencyCode
    room_types: tuple[RoomTypeConfig, ...] = Field(min_length=1)
    rate_plans: tuple[RatePlanConfig, ...] = ()
    folio: FolioConfig | None = None  # transaction codes and taxes (hub/config_folio.py)
    audit_time: AuditTime = DEFAULT_AUDIT_TIME  # local time of the night audit (hub/config_audit.py)

    # Field validators, not a model validator: they still run when another key (say the time
    # zone) is wrong, so one `config check` reports every mistake at once.
    @field_validator("room_types")
    @classmethod
    def _room_types_unique(cls, room_types: tuple[RoomTypeConfig, ...]) -> tuple[RoomTypeConfig, ...]:
        return _unless(room_type_conflicts(room_types), room_types)

    @field_validator("rate_plans")
    @classmethod
    def _rate_plans_resolve(
        cls, rate_plans: tuple[RatePlanConfig, ...], info: ValidationInfo
    ) -> tuple[RatePlanConfig, ...]:
        found = rate_plan_conflicts(rate_plans, info.data.get("room_types")) + parent_conflicts(rate_plans)
        return _unless(found, rate_plans)

    @field_validator("folio")
    @classmethod
    def _folio_amounts_fit(cls, folio: FolioConfig | None, info: ValidationInfo) -> FolioConfig | None:
        return _unless(folio_conflicts(folio, info.data.get("currency")), folio)

    def to_command(self) -> DefineProperty:
        """This property as the canonical command the PMS core applies."""
        return DefineProperty(
            code=self.code,
            name=self.name,
            timezone=self.timezone,
            currency=self.currency,
            room_types=tuple(
                RoomTypeDefinition(code=rt.code, name=rt.name, max_occupancy=rt.max_occupancy, rooms=rt.rooms)
                for rt in self.room_types
            ),
            rate_plans=tuple(
                RatePlanDefinition(
                    code=rp.code,
                    name=rp.name,
                    room_types=rp.room_types,
                    default_rates=dict(rp.default_rates),
                    derived_from=rp.derived_from,
                    adjust=None if rp.adjust is None else RateAdjustment(**dict(rp.adjust)),
                    follows=rp.follows if rp.derived_from is not None else frozenset(),
                )
                for rp in self.rate_plans
            ),
        )


class InboundCredentials(_Section):
    """How a partner authenticates to the hub: a username and the NAME of the password's env var."""

    username: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[^:\s]+$")]
    password_env: EnvVarName

    @model_validator(mode="before")
    @classmethod
    def _no_secret_in_file(cls, data: Any) -> Any:
        if isinstance(data, dict) and "password" in data:
            raise Conflicts(
                [
                    (
                        ("password",),
                        "a secret never goes in this file: put it in an environment variable "
                        "and name that variable in password_env",
                    )
                ]
            )
        return data


class OutboundCredentials(InboundCredentials):
    """How the hub logs in to a partner: a username and the NAME of the password's env var."""


class OutboundConfig(_Section):
    """Where and how the hub sends to a partner: endpoint URL, login, delivery policy, booking pull."""

    url: HttpUrl | None = None
    credentials: OutboundCredentials | None = None
    policy: DeliveryPolicy = DeliveryPolicy()
    pull: PullPolicy | None = None  # set: a pull-model channel, polled for its bookings
    ari: AriPolicy | None = None  # how an OTA channel takes ARI (routes/ari_policy.py); None: defaults

    @field_validator("url")
    @classmethod
    def _no_secret_in_url(cls, url: HttpUrl | None) -> HttpUrl | None:
        if url is not None and (url.username or url.password):
            raise ValueError("a URL must not carry a username or password; secrets go in env vars")
        return url


class PartnerConfig(_Section):
    """One partner: identity, kind, granted properties, credentials, outbound policy, mapping."""

    id: PartnerId
    kind: PartnerKind
    name: Name
    properties: tuple[CodeText, ...] = Field(min_length=1)
    credentials: InboundCredentials
    outbound: OutboundConfig = OutboundConfig()
    mapping: Path | None = None
    payments: PaymentGatewaySettings | None = None  # a payments partner: key, webhook secrets, deposits

    @field_validator("mapping")
    @classmethod
    def _relative_to_config_file(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        # Mapping files are named relative to the config file, not to the working directory.
        base = (info.context or {}).get("config_dir")
        if path is not None and base is not None and not path.is_absolute():
            return Path(base) / path
        return path

    @field_validator("properties")
    @classmethod
    def _granted_once(cls, properties: tuple[str, ...]) -> tuple[str, ...]:
        return _unless(duplicates(properties, "properties", "property"), properties)

    @model_validator(mode="after")
    def _ota_has_mapping(self) -> PartnerConfig:
        if self.kind is PartnerKind.OTA and self.mapping is None:
            raise Conflicts([(("mapping",), "an OTA partner needs a mapping file for its codes")])
        if (self.kind is PartnerKind.PAYMENTS) != (self.payments is not None):
            raise Conflicts(
                [
                    (
                        ("payments",),
                        "a payments partner needs a payments section (and only a payments partner has one)",
                    )
                ]
            )
        return _unless(pull_conflicts(self) + erp_conflicts(self), self)

    def inbound_password(self, environ: Mapping[str, str]) -> SecretStr:
        """The partner's inbound password from its env var; raise MissingSecretError if unset."""
        value = environ.get(self.credentials.password_env)
        if not value:
            raise MissingSecretError(
                f"partner {self.id}: environment variable {self.credentials.password_env} is not set"
            )
        return SecretStr(value)


class MissingSecretError(LookupError):
    """A partner's credential environment variable is not set where the hub runs."""


class HubConfig(_Section):
    """The whole configuration file: properties and partners."""

    version: Literal[1] = 1
    properties: tuple[PropertyConfig, ...] = Field(min_length=1)
    partners: tuple[PartnerConfig, ...] = ()

    @field_validator("properties")
    @classmethod
    def _property_codes_unique(cls, properties: tuple[PropertyConfig, ...]) -> tuple[PropertyConfig, ...]:
        codes = [p.code for p in properties]
        return _unless(duplicates(codes, "properties", "property code", ("code",)), properties)

    @field_validator("partners")
    @classmethod
    def _partners_resolve(
        cls, partners: tuple[PartnerConfig, ...], info: ValidationInfo
    ) -> tuple[PartnerConfig, ...]:
        return _unless(partner_conflicts(partners, info.data.get("properties")), partners)

    def find_property(self, code: str) -> PropertyConfig | None:
        """The property with this code, or None."""
        return next((p for p in self.properties if p.code == code), None)

    def find_partner(self, partner_id: str) -> PartnerConfig | None:
        """The partner with this id, or None."""
        return next((p for p in self.partners if p.id == partner_id), None)

    def property_commands(self) -> list[DefineProperty]:
        """Every property as a DefineProperty command, in file order."""
        return [prop.to_command() for prop in self.properties]

    def load_mappings(self) -> dict[str, PartnerMapping]:
        """Each partner's mapping by partner id; raise MappingFileError if a file fails to load."""
        return {p.id: load_mapping(p.mapping) for p in self.partners if p.mapping is not None}


class ConfigError(SourceError):
    """The configuration file (or a mapping file it names) has at least one error."""


@dataclass(frozen=True)
class ConfigReading:
    """A configuration file as read: the config (None if it has errors), its YAML, every problem."""

    config: HubConfig | None
    doc: YamlDocument | None
    problems: list[ConfigProblem]

    @property
    def errors(self) -> list[ConfigProblem]:
        """The problems that are errors (a file with any is never applied)."""
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def warnings(self) -> list[ConfigProblem]:
        """The problems that are only warnings."""
        return [problem for problem in self.problems if problem.severity == "warning"]


def check_config(path: Path | str, environ: Mapping[str, str] | None = None) -> list[ConfigProblem]:
    """Every problem (errors and warnings) in the config file, then in the mapping files it names."""
    return read_config(path, environ).problems


def load_config(path: Path | str, environ: Mapping[str, str] | None = None) -> HubConfig:
    """Load and validate the config file and its mappings; raise ConfigError on any error."""
    reading = read_config(path, environ)
    if reading.config is None or reading.errors:
        raise ConfigError(reading.errors)
    return reading.config


def read_config(path: Path | str, environ: Mapping[str, str] | None = None) -> ConfigReading:
    """Read and check the config file and its mappings, keeping the YAML for lines of later checks."""
    path = Path(path)
    try:
        doc: YamlDocument = read_yaml(path)
    except SourceError as err:
        return ConfigReading(None, None, list(err.problems))
    try:
        config = HubConfig.model_validate(doc.data, context={"config_dir": path.parent})
    except ValidationError as err:
        return ConfigReading(None, doc, validation_problems(doc, err))
    # Credential variables are named by the operator, so HubSettings cannot declare them;
    # the environment is read here, in hub/, and can be passed in instead.
    env = os.environ if environ is None else environ
    return ConfigReading(config, doc, check_loaded(config, doc, env))
