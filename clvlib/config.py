"""``client.yml``: one file per client audit, validated strictly (unknown keys are errors).

Every number a consultant might argue about lives here with a documented default. Paths are
relative to the directory of ``client.yml``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from clvlib.data.schema import TABLES
from clvlib.errors import ConfigError
from clvlib.i18n import normalize_locale

#: Names people often use for a canonical column (for the "did you mean" of a wrong mapping).
SYNONYMS = {
    "client_id": "customer_id",
    "client": "customer_id",
    "customer": "customer_id",
    "user_id": "customer_id",
    "date": "order_ts",
    "order_date": "order_ts",
    "timestamp": "order_ts",
    "amount": "revenue",
    "value": "revenue",
    "total": "revenue",
    "price": "unit_price",
    "qty": "quantity",
    "cost": "spend",
    "month": "period",
}
DEFAULT_FUNNEL_STEPS = ["visit", "product_view", "add_to_cart", "checkout", "purchase"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CsvOptions(_Strict):
    """How a CSV export is written. Polish exports: ``sep: ";"``, ``decimal: ","``, cp1250."""

    sep: str = Field(",", description="field separator, e.g. ';' or ','")
    decimal: Literal[".", ","] = Field(".", description="decimal mark of amounts")
    thousands: Literal["", " ", ".", ","] | None = Field(
        None, description="thousands separator in amounts; default: space if decimal is ','"
    )
    encoding: str = Field("utf-8", description="file encoding, e.g. utf-8, cp1250, iso-8859-2")
    date_format: str | list[str] | None = Field(
        None,
        description="strftime format of dates, e.g. '%d.%m.%Y' (or a list, tried in order, for "
        "an export that mixes formats); default ISO 8601",
    )
    header: bool = True
    skip_rows: int = Field(0, ge=0, description="lines to skip before the header")

    @field_validator("sep")
    @classmethod
    def _one_char(cls, v: str) -> str:
        if v in ("\\t", "tab"):
            return "\t"
        if len(v) != 1:
            raise ValueError("must be a single character such as ';' or ','")
        return v

    @field_validator("date_format")
    @classmethod
    def _formats(cls, v: str | list[str] | None) -> str | list[str] | None:
        formats = [v] if isinstance(v, str) else (v or [])
        if isinstance(v, list) and not v:
            raise ValueError("give at least one format, e.g. '%d.%m.%Y'")
        for f in formats:
            if "%" not in f:
                raise ValueError(f"{f!r} is not a strftime format; e.g. '%d.%m.%Y' for 31.12.2025")
        return v

    @property
    def date_formats(self) -> list[str]:
        """The configured date format(s) as a list (empty: ISO 8601)."""
        v = self.date_format
        return [v] if isinstance(v, str) else list(v or [])

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v: str) -> str:
        import codecs

        try:
            codecs.lookup(v)
        except LookupError as exc:
            raise ValueError("unknown encoding; use e.g. utf-8, cp1250 or iso-8859-2") from exc
        return v


class ReturnFlag(_Strict):
    """Rows whose ``column`` holds one of ``values`` are returns even with a positive amount."""

    column: str
    values: list[str]


class Source(_Strict):
    """One input table: a file (``path``) or a table or query of a database (``url`` with
    ``table`` or ``query``), and how its columns map to canonical names.

    A database source never holds credentials: the URL is written without a password and
    ``password_env`` names the environment variable that holds it. ``csv.decimal``,
    ``csv.thousands`` and ``csv.date_format`` say how the database's text columns write amounts
    and dates (typed numeric, date and timestamp columns need none); the file settings
    (``csv.sep``, ``encoding``, ``header``, ``skip_rows``) and ``sheet`` do not apply there.
    """

    path: Path | None = Field(None, description="the export file (CSV, Parquet, XLSX)")
    url: str | None = Field(
        None,
        description="ibis connection URL of a database, without password, e.g. "
        "postgresql://audit@db.example.com:5432/shop",
    )
    table: str | None = Field(
        None, description="the database table to read, e.g. orders or sales.orders"
    )
    query: str | None = Field(None, description="a SELECT whose rows are read, instead of table")
    password_env: str | None = Field(
        None, description="name of the environment variable holding the database password"
    )
    columns: dict[str, str] = Field(
        default_factory=dict, description="canonical name -> client's column name"
    )
    csv: CsvOptions = Field(default_factory=CsvOptions)
    sheet: str | int | None = Field(None, description="Excel sheet name or 0-based index")
    returns: ReturnFlag | None = None

    @field_validator("query")
    @classmethod
    def _one_select(cls, v: str | None) -> str | None:
        if v is None:
            return v
        text = v.strip().rstrip(";").strip()
        if not re.match(r"(?is)^(select|with)\b", text):
            raise ValueError("must be one SELECT statement (or WITH … SELECT), which only reads")
        if ";" in re.sub(r"'(?:[^']|'')*'", "", text):
            raise ValueError("must be one statement: remove the ';' inside it")
        return text

    @model_validator(mode="after")
    def _file_or_database(self) -> Source:
        # Messages never repeat the URL: it may carry the very password they warn about.
        given = self.model_fields_set
        database_keys = [k for k in ("table", "query", "password_env") if k in given]
        if self.path is not None and self.url is not None:
            raise ValueError("give path (an export file) or url (a database), not both")
        if self.path is None and self.url is None:
            raise ValueError("give path (the export file) or url (a database, with table or query)")
        if self.path is not None:
            if database_keys:
                raise ValueError(
                    f"{', '.join(database_keys)} belong to a database source (url); a file "
                    "source has path, columns and csv"
                )
            return self
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", self.url):
            raise ValueError(
                "url must be a connection URL such as postgresql://user@host:5432/database"
            )
        if _url_password(self.url):
            raise ValueError(
                "the url carries a password, and client.yml must never hold credentials: write "
                "the URL without it (postgresql://user@host:5432/database) and put the password in "
                "an environment variable named by password_env (e.g. password_env: "
                "SHOP_DB_PASSWORD, then export SHOP_DB_PASSWORD=… before the run)"
            )
        if (self.table is None) == (self.query is None):
            raise ValueError(
                "a database source (url) needs exactly one of table (a table name, e.g. "
                "orders or sales.orders) or query (a SELECT)"
            )
        if self.table is not None and not self.table.strip():
            raise ValueError("table is empty; name the table, e.g. orders or sales.orders")
        if self.password_env is not None and not re.fullmatch(
            r"[A-Za-z_][A-Za-z0-9_]*", self.password_env
        ):
            raise ValueError(
                "password_env must be the NAME of an environment variable (letters, digits, "
                "'_'), e.g. SHOP_DB_PASSWORD, never the password itself"
            )
        if self.sheet is not None:
            raise ValueError("sheet applies to Excel files, not to a database source (url)")
        file_only = [k for k in FILE_ONLY_CSV if k in self.csv.model_fields_set]
        if file_only:
            raise ValueError(
                f"csv.{', csv.'.join(file_only)} describe a file and mean nothing for a database "
                "source (url): remove them (csv.decimal, csv.thousands and csv.date_format "
                "stay: they say how text columns write amounts and dates)"
            )
        return self

    @property
    def is_database(self) -> bool:
        """Whether the rows come from a database (``url``) rather than a file (``path``)."""
        return self.url is not None


#: ``csv`` settings that describe a file's layout: meaningless for a database source
FILE_ONLY_CSV = ("sep", "encoding", "header", "skip_rows")


def _url_password(url: str) -> bool:
    """Whether a connection URL carries a password (``scheme://user:password@host``)."""
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).password is not None
    except ValueError:  # a malformed netloc (e.g. a bad port): look at it directly
        netloc = url.split("://", 1)[1].split("/", 1)[0]
        return "@" in netloc and ":" in netloc.rsplit("@", 1)[0]


class Sources(_Strict):
    transactions: Source
    customers: Source | None = None
    marketing_spend: Source | None = None
    messages: Source | None = None
    sessions: Source | None = None

    @model_validator(mode="after")
    def _canonical_names(self) -> Sources:
        for table, source in self.present().items():
            allowed = TABLES[table].columns
            for canonical in source.columns:
                if canonical not in allowed:
                    close = [SYNONYMS[canonical]] if SYNONYMS.get(canonical) in allowed else []
                    close = close or difflib.get_close_matches(canonical, allowed, n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    raise ValueError(
                        f"sources.{table}.columns: '{canonical}' is not a canonical column{hint}; "
                        f"allowed: {', '.join(allowed)}"
                    )
        return self

    def present(self) -> dict[str, Source]:
        """The configured tables, by canonical table name."""
        return {name: src for name in TABLES if (src := getattr(self, name)) is not None}


class Economics(_Strict):
    gross_margin: float = Field(
        0.35, gt=0, le=1, description="margin as a fraction of revenue, when no margin column"
    )
    annual_discount_rate: float = Field(0.10, ge=0, lt=1, description="per year, as a fraction")
    horizon_months: int = Field(36, gt=0, le=240, description="CLV horizon in months")
    #: The simple CLV's retention period 1 / (1 − r) is capped at this many years. Ten years, not
    #: the CLV horizon: the horizon (36 months by default) would bind for every r above 2/3 and
    #: turn the simple CLV into a second horizon figure, while ten years binds only where the
    #: formula runs away (r above 90 %: 1 / (1 − r) → decades, r = 1 → unbounded), keeps the
    #: simple CLV's undiscounted whole-relationship reading, and is a planning life a client
    #: can argue with.
    retention_period_cap_years: float = Field(
        10,
        gt=0,
        le=50,
        description="cap on the simple CLV's retention period 1 / (1 - r), in years",
    )


#: words that name a cart step, compared without case, diacritics or punctuation (any language)
CART_WORDS = (
    "cart",
    "koszyk",
    "basket",
    "warenkorb",
    "panier",
    "carrito",
    "carrello",
    "kosik",
    "winkelwagen",
    "cesta",
    "trolley",
)
#: words that name a checkout step; the step before it is where a cart exists
CHECKOUT_WORDS = (
    "checkout",
    "kasa",
    "kasse",
    "platnosc",
    "payment",
    "zahlung",
    "caisse",
    "pago",
    "pagamento",
    "kassa",
    "zaplata",
    "shipping",
    "dostawa",
    "versand",
    "billing",
)


def _plain(name: str) -> str:
    """A step name without case, diacritics or punctuation: ``Płatność`` → ``platnosc``."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L"))
    return re.sub(
        r"[^a-z0-9]+", " ", "".join(c for c in folded if not unicodedata.combining(c)).lower()
    )


def infer_cart_step(steps: list[str]) -> tuple[str | None, str]:
    """The step at which a cart exists, guessed from the funnel's step names.

    Returns ``(step, how)``: a step named like a cart (``cart``, ``koszyk``, ``Warenkorb`` …;
    ``how="name"``), else the step before one named like a checkout (``kasa``, ``checkout``,
    ``Zahlung`` …; ``how="before_checkout"``), else ``(None, "none")``. The last step (the
    purchase) is never a cart step.
    """
    candidates = steps[:-1]
    for step in candidates:
        words = _plain(step).split()
        if any(c in w if len(c) > 5 else w.startswith(c) for w in words for c in CART_WORDS):
            return step, "name"
    for i, step in enumerate(candidates[1:], start=1):
        words = _plain(step).split()
        if any(w.startswith(c) for w in words for c in CHECKOUT_WORDS):
            return steps[i - 1], "before_checkout"
    return None, "none"


class Funnel(_Strict):
    steps: list[str] = Field(default_factory=lambda: list(DEFAULT_FUNNEL_STEPS), min_length=2)
    cart_step: str | None = Field(
        None,
        description="the step at which a cart exists (abandoned: never purchased); default: "
        "inferred from the step names (cart, koszyk, basket, Warenkorb …, else the step before "
        "checkout); none found: no abandoned-cart figures",
    )
    cart_recovery_rate: float = Field(
        0.10, ge=0, le=1, description="share of abandoned carts a reminder campaign wins back"
    )
    #: how ``cart_step`` was set: ``config`` (client.yml), ``name``, ``before_checkout``, ``none``
    cart_step_source: Literal["config", "name", "before_checkout", "none"] = Field(
        "config", exclude=True, description="set by validation; not a client.yml key"
    )

    @model_validator(mode="before")
    @classmethod
    def _no_source_key(cls, data: Any) -> Any:
        if isinstance(data, dict) and "cart_step_source" in data:
            raise ValueError("cart_step_source is set by clvlib, not in client.yml")
        return data

    @model_validator(mode="after")
    def _cart_step_is_a_step(self) -> Funnel:
        if len(set(self.steps)) != len(self.steps):
            raise ValueError(f"funnel.steps lists a step twice: {self.steps}")
        if self.cart_step is None:
            step, how = infer_cart_step(self.steps)
            object.__setattr__(self, "cart_step", step)
            object.__setattr__(self, "cart_step_source", how)
            return self
        if self.cart_step not in self.steps:
            raise ValueError(
                f"cart_step {self.cart_step!r} is not one of funnel.steps {self.steps}; name one "
                "of them, or leave cart_step out to have it inferred from the step names"
            )
        if self.steps.index(self.cart_step) == len(self.steps) - 1:
            raise ValueError("cart_step must come before the last (purchase) step")
        return self


class Communication(_Strict):
    contact_cap_per_week: float = Field(
        2.0, gt=0, description="messages per customer and week above which contact is too much"
    )


class Channels(_Strict):
    min_spend_periods: int = Field(
        6, ge=3, description="spend periods a channel needs for its spend-response fit"
    )


class Retention(_Strict):
    churn_after_days: int = Field(
        365, gt=0, description="a customer with no purchase for this many days counts as lost"
    )
    sales_scorecard: dict[str, float] | None = Field(
        None,
        description="consultant's score (1-5) of each sales rep's relationship-marketing "
        "competence, shown beside the data",
    )


class Saturation(_Strict):
    free_delivery_threshold: float | None = Field(
        None, gt=0, description="order value (currency) from which delivery is free, if any"
    )


class Scenarios(_Strict):
    retention_pp: float = Field(0.05, gt=0, lt=1, description="retention +x (fraction points)")
    aov_pct: float = Field(0.05, gt=0, lt=1, description="average order value +x (fraction)")
    frequency_pct: float = Field(0.05, gt=0, lt=1, description="purchase frequency +x")
    cac_pct: float = Field(0.10, gt=0, lt=1, description="acquisition cost −x (fraction)")


class Backend(_Strict):
    """Where the steps' queries run. ``url`` follows a database source's rules: no password in
    it, the password in the environment variable ``password_env`` names."""

    name: Literal["duckdb", "pyspark"] = "duckdb"
    url: str | None = Field(None, description="an ibis connection URL, overrides name")
    master: str | None = Field(None, description="Spark master, e.g. local[2]")
    password_env: str | None = Field(
        None, description="name of the environment variable holding backend.url's password"
    )

    @model_validator(mode="after")
    def _no_credentials(self) -> Backend:
        # Messages never repeat the URL: it may carry the very password they warn about.
        if self.url is not None and _url_password(self.url):
            raise ValueError(
                "the url carries a password, and client.yml must never hold credentials: write "
                "the URL without it (postgresql://user@host:5432/database) and name the "
                "environment variable holding the password in password_env"
            )
        if self.password_env is not None:
            if self.url is None:
                raise ValueError("password_env belongs to a url backend; give url or remove it")
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", self.password_env):
                raise ValueError(
                    "password_env must be the NAME of an environment variable (letters, "
                    "digits, '_'), e.g. WAREHOUSE_PASSWORD, never the password itself"
                )
        return self


#: ``holdout_weeks: auto`` without a strong season holds out this many weeks (the long-standing
#: default) when the history is three times as long; below ``MIN_SPLIT_WEEKS`` nothing (too short
#: to split).
DEFAULT_HOLDOUT_WEEKS, MIN_SPLIT_WEEKS = 26, 16


def default_holdout_weeks(window_weeks: float) -> int:
    """``holdout_weeks: auto`` without a strong season: 26 from 78 weeks of history, a third of
    the history from 16 weeks (two thirds stay to fit on), and 0 (no holdout) below 16 weeks,
    too short to split."""
    if window_weeks >= 3 * DEFAULT_HOLDOUT_WEEKS:
        return DEFAULT_HOLDOUT_WEEKS
    return int(window_weeks // 3) if window_weeks >= MIN_SPLIT_WEEKS else 0


class Privacy(_Strict):
    pseudonymize_ids: bool = True


class ClientConfig(_Strict):
    """The validated ``client.yml``. ``base_dir`` is the directory the file lives in."""

    client: str = Field(min_length=1)
    currency: str = Field("PLN", min_length=3, max_length=3)
    locale: str = Field(
        "en",
        description="a CLDR locale (pl, pl_PL, en_GB, en_US, de_DE, cs_CZ …): how figures look; "
        "the texts are Polish for pl*, else English",
    )
    prepared_by: str | None = None
    observation_start: dt.date | None = Field(
        None, description="rows before this date are excluded as outside the window"
    )
    observation_end: dt.date | None = Field(
        None, description="end of the data window; default: the last transaction"
    )
    holdout_weeks: Literal["auto"] | int = Field(
        "auto",
        description="weeks held out to check the purchase model's forecasts (0 = none); "
        '"auto": 52 when purchases follow a strong season and the history holds two years, '
        "else 26 (clvlib.predictive.holdout_plan)",
    )
    economics: Economics = Field(default_factory=Economics)
    sources: Sources
    funnel: Funnel = Field(default_factory=Funnel)
    retention: Retention = Field(default_factory=Retention)
    communication: Communication = Field(default_factory=Communication)
    saturation: Saturation = Field(default_factory=Saturation)
    scenarios: Scenarios = Field(default_factory=Scenarios)
    channels: Channels = Field(default_factory=Channels)
    backend: Backend = Field(default_factory=Backend)
    privacy: Privacy = Field(default_factory=Privacy)

    # set by load_config, not by the file
    base_dir: Path = Field(default=Path("."), exclude=True)
    config_path: Path | None = Field(default=None, exclude=True)
    config_hash: str = Field(default="", exclude=True)

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        return normalize_locale(value)

    @field_validator("holdout_weeks")
    @classmethod
    def _holdout_weeks(cls, value: str | int) -> str | int:
        if value != "auto" and not 0 <= value <= 260:
            raise ValueError('holdout_weeks must be "auto" or a whole number of weeks, 0 … 260')
        return value

    @model_validator(mode="after")
    def _window(self) -> ClientConfig:
        if self.observation_start and self.observation_end:
            if self.observation_start >= self.observation_end:
                raise ValueError("observation_start must be before observation_end")
        return self

    def source_path(self, table: str) -> Path:
        """Absolute path of a configured table's file."""
        source = getattr(self.sources, table)
        path = Path(source.path)
        return path if path.is_absolute() else (self.base_dir / path).resolve()


def _describe(error: dict[str, Any], raw: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = raw
        for part in error["loc"][:-1]:
            parent = parent.get(part, {}) if isinstance(parent, dict) else {}
        model = _model_at(error["loc"][:-1])
        allowed = list(model.model_fields) if model else []
        allowed = [a for a in allowed if a not in ("base_dir", "config_path", "config_hash")]
        close = difflib.get_close_matches(str(error["loc"][-1]), allowed, n=1)
        hint = f" — did you mean '{close[0]}'?" if close else ""
        return f"'{loc}' is not a known key{hint} (allowed here: {', '.join(allowed)})"
    if kind == "missing":
        return f"'{loc}' is required but missing"
    got = error.get("input")
    got_text = f" (got {got!r})" if got is not None and not isinstance(got, dict) else ""
    msg = error["msg"].removeprefix("Value error, ")
    return f"'{loc}': {msg}{got_text}" if loc else f"{msg}{got_text}"


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] = ClientConfig
    for part in loc:
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        ann = field.annotation
        candidates = getattr(ann, "__args__", (ann,))
        nxt = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if nxt is None:
            return None
        model = nxt
    return model


def load_config(path: str | Path, *, check_files: bool = True) -> ClientConfig:
    """Read and validate ``client.yml``.

    Raises ``ConfigError`` (one paragraph naming the key and what is expected) for YAML syntax
    errors, unknown keys, wrong types and, with ``check_files``, input files that do not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            "the configuration file does not exist",
            file=str(path),
            fix="pass the path of the client's client.yml (e.g. data/demo/client.yml; "
            "`make demo` creates the demo one)",
        )
    raw_bytes = path.read_bytes()
    try:
        raw = yaml.safe_load(raw_bytes.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(
            "client.yml is not UTF-8 text", file=str(path), fix="save it as UTF-8"
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(
            f"client.yml is not valid YAML{where}: {getattr(exc, 'problem', exc)}",
            file=str(path),
            fix="check indentation and quoting around that line (quote values containing ':' "
            "or ';')",
        ) from exc
    if not isinstance(raw, dict):
        raise ConfigError(
            "client.yml must be a mapping of keys (client, currency, sources, ...)",
            file=str(path),
            fix="start from data/demo/client.yml",
        )
    try:
        config = ClientConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe(e, raw) for e in exc.errors())
        raise ConfigError(
            f"invalid configuration: {problems}",
            file=str(path),
            fix="correct the key(s) named above; every key and its default is listed in the "
            "README section 'client.yml'",
        ) from None  # pydantic's own text repeats the input, e.g. a URL with a password
    config = config.model_copy(
        update={
            "base_dir": path.resolve().parent,
            "config_path": path.resolve(),
            "config_hash": hashlib.sha256(raw_bytes).hexdigest()[:16],
        }
    )
    if check_files:
        for table, source in config.sources.present().items():
            if source.is_database:  # reached when the tables load (clvlib.data.database)
                continue
            file = config.source_path(table)
            if not file.is_file():
                raise ConfigError(
                    f"sources.{table}.path points to a file that does not exist ({file})",
                    file=str(path),
                    fix=f"correct sources.{table}.path (relative paths are resolved against "
                    f"the directory of client.yml: {config.base_dir})",
                )
    return config
