"""Which export is which canonical table, and which column is which canonical column.

A column's score for a canonical column (0-1) combines its **name** — normalised (no diacritics,
case or punctuation; ``Nr zamówienia``, ``nr_zamowienia`` and ``NrZamowienia`` are alike) and
compared with Polish and English names exports use (``NAMES``) — and its **content** (ids that
repeat, dates that parse, numbers, yes/no words, funnel steps ...). A name alone cannot map a
column whose values do not fit (dates are never an amount), and content alone stays below the
level at which a mapping is written, except for unmistakable values (funnel step names, e-mail /
SMS / push as message channels).

``assign`` gives each canonical column its best free client column and says how sure it is:
``mapped`` (score at least ``CONFIDENT`` and no rival within ``TIE``), ``choose`` (two columns —
or two canonical meanings of one column — score within ``TIE``), ``weak`` (best score below
``CONFIDENT``) or ``missing``. Only ``mapped`` columns are written as mappings by
``clvlib.draft``; the others become comments listing the candidates.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from clvlib.config import DEFAULT_FUNNEL_STEPS
from clvlib.data.schema import TABLES
from clvlib.data.sniff import ColumnProfile, Export
from clvlib.data.validation import is_personal

CONFIDENT = 0.6  # a mapping is written from this score on
TIE = 0.1  # a rival this close makes a choice, not a guess
RIVAL = 0.3  # ... if it scores at least this
POSSIBLE = 0.4  # a table needs each required column at this score or better
WEAK_NAME = 0.75  # weight of a generic name ('data', 'kwota') against a telling one
CONTENT_ONLY = 0.3  # score of a column that fits by content but not by name
CONTENT_STRONG = 0.7  # ... when its values are unmistakable (funnel steps)

# Names exports use: (telling names, generic names). Written as exports write them; compared
# after ``normalise``. Each table's canonical names count as telling names too.
_CUSTOMER = (
    "ID klienta, numer klienta, kod klienta, identyfikator klienta, klient id, id kontrahenta, "
    "kod kontrahenta, numer kontrahenta, customer id, customer number, customer code, client id, "
    "client number, cust id, buyer id, user id, id użytkownika",
    "klient, kontrahent, nabywca, odbiorca, customer, client, buyer, user, użytkownik",
)
_ORDER = (
    "numer zamówienia, id zamówienia, order id, order number, numer faktury, invoice number, "
    "invoice id, numer dokumentu, numer paragonu, id transakcji, transaction id, receipt number",
    "zamówienie, faktura, dokument, paragon, transakcja, order, invoice, receipt, transaction",
)
_REP = (
    "opiekun, opiekun klienta, handlowiec, przedstawiciel handlowy, sprzedawca, account manager, "
    "sales rep, sales representative, salesperson, key account manager",
    "przedstawiciel, doradca, agent, manager, owner",
)
NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "transactions": {
        "customer_id": _CUSTOMER,
        "order_id": _ORDER,
        "order_ts": (
            "data zamówienia, data transakcji, data sprzedaży, data wystawienia, data dokumentu, "
            "data faktury, data zakupu, data złożenia, order date, invoice date, transaction "
            "date, purchase date, sale date, order time, ordered at, created at, data i godzina",
            "data, date, czas, timestamp, datetime, time, created",
        ),
        "revenue": (
            "wartość, wartość zamówienia, wartość sprzedaży, kwota, kwota zamówienia, przychód, "
            "obrót, suma, razem, do zapłaty, revenue, amount, total, order total, order value, "
            "sales, sales value, grand total, line total, subtotal",
            "value, sum",
        ),
        "unit_price": (
            "cena, cena jednostkowa, unit price, price, item price, cena sprzedaży",
            "stawka",
        ),
        "quantity": (
            "ilość, liczba sztuk, sztuk, szt, ilość sztuk, quantity, qty, units",
            "liczba, count, pieces",
        ),
        "margin": ("marża, marża kwotowa, zysk, margin, profit, gross profit", ""),
        "channel": (
            "kanał sprzedaży, kanał, sales channel, channel, platforma sprzedaży, źródło "
            "zamówienia",
            "platforma, platform, sklep, store, marketplace",
        ),
        "category": (
            "kategoria, kategoria produktu, grupa towarowa, grupa produktowa, category, product "
            "category, product type",
            "grupa, dział, department",
        ),
        "product_id": (
            "kod produktu, id produktu, kod towaru, indeks, indeks towaru, sku, product id, "
            "product code, item id, item code, ean",
            "produkt, towar, artykuł, product, item",
        ),
        "coupon_code": (
            "kod rabatowy, kupon, kod promocyjny, voucher, coupon, coupon code, discount code, "
            "promo code, promotion code",
            "rabat, promocja, discount, promo",
        ),
        "sales_rep": _REP,
        "is_return": ("zwrot, czy zwrot, is return, returned, return flag", "return, refund"),
    },
    "customers": {
        "customer_id": _CUSTOMER,
        "acquired_at": (
            "data rejestracji, data pozyskania, data założenia konta, data utworzenia konta, "
            "data utworzenia, data dodania, klient od, registration date, registered at, signup "
            "date, signed up, sign up date, created at, acquired at, acquisition date, customer "
            "since, first order date, data pierwszego zamówienia",
            "data, date, rejestracja, registered, created",
        ),
        "acquisition_channel": (
            "źródło pozyskania, kanał pozyskania, źródło, źródło klienta, acquisition channel, "
            "acquisition source, source, utm source, referral source, signup source, lead source",
            "kanał, channel, medium, utm medium",
        ),
        "loyalty_member": (
            "program lojalnościowy, członek programu, uczestnik programu, karta stałego klienta, "
            "klub, lojalność, loyalty, loyalty member, loyalty program, member, is member, vip",
            "program, karta, membership",
        ),
        "loyalty_joined_at": (
            "data przystąpienia, data dołączenia, data przystąpienia do programu, w programie od, "
            "loyalty joined, loyalty join date, joined loyalty, member since, joined at, "
            "membership date",
            "przystąpienie, joined",
        ),
        "sales_rep": _REP,
        "region": (
            "województwo, region, province, state, voivodeship",
            "miasto, city, kraj, country, lokalizacja, location",
        ),
    },
    "marketing_spend": {
        "period": ("miesiąc, okres, month, period, tydzień, week, data, date", "dzień, day"),
        "channel": (
            "kanał, kanał marketingowy, źródło, channel, source, medium, platforma, platform",
            "kampania, campaign, media",
        ),
        "spend": (
            "koszt, koszty, wydatki, budżet, wydatek, kwota, spend, cost, budget, amount, ad "
            "spend, media spend, koszt kampanii",
            "wartość, value, suma, total",
        ),
        "impressions": ("wyświetlenia, odsłony, impresje, impressions, views", "zasięg, reach"),
        "clicks": ("kliknięcia, clicks, click", ""),
    },
    "messages": {
        "customer_id": _CUSTOMER,
        "sent_at": (
            "data wysyłki, data wysłania, wysłano, data wysyłania, sent at, sent, send date, sent "
            "date, sent time, delivered at",
            "data, date, czas, timestamp",
        ),
        "channel": ("kanał, typ wiadomości, channel, message type, medium", "typ, type, rodzaj"),
        "campaign": (
            "kampania, nazwa kampanii, mailing, campaign, campaign name, newsletter",
            "temat, subject, nazwa, name",
        ),
        "opened_at": ("data otwarcia, otwarto, otwarcie, opened at, opened, open date", ""),
        "clicked_at": (
            "data kliknięcia, kliknięto, kliknięcie, clicked at, clicked, click date",
            "",
        ),
        "unsubscribed_at": (
            "data wypisania, wypisano, wypisanie, rezygnacja, data rezygnacji, unsubscribed at, "
            "unsubscribed, unsubscribe date, opt out, opted out",
            "",
        ),
        "order_id": (
            "przypisane zamówienie, zamówienie, numer zamówienia, attributed order, order id, "
            "order, conversion order",
            _ORDER[1],
        ),
    },
    "sessions": {
        "session_id": (
            "id sesji, sesja, numer sesji, session id, session, visit id, id wizyty",
            "wizyta, visit",
        ),
        "ts": (
            "czas, data i godzina, timestamp, ts, event time, time, czas zdarzenia, data "
            "zdarzenia, hit time",
            "data, date, godzina",
        ),
        "step": (
            "etap, krok, etap lejka, zdarzenie, step, funnel step, stage, event, event name, "
            "page type, akcja, action",
            "typ, type, strona, page",
        ),
        "customer_id": _CUSTOMER,
        "source": (
            "źródło ruchu, źródło, source, traffic source, utm source, kanał, channel, medium, "
            "source medium",
            "referrer, kampania, campaign",
        ),
    },
}
# words in file (and sheet) names that point to a table
FILE_WORDS = {
    "transactions": "zamówienia transakcje sprzedaż faktury paragony pozycje orders sales "
    "transactions invoices lines",
    "customers": "klienci klientów kontrahenci customers clients users użytkownicy crm",
    "marketing_spend": "marketing koszty wydatki budżet spend costs ads reklama media",
    "messages": "wiadomości wysyłki mailing newsletter komunikacja messages emails sms push",
    "sessions": "sesje ruch analytics lejek funnel sessions events zdarzenia ga4 clickstream",
}
# a qualifier that does not change what a column is ('Cena jedn. brutto' is a unit price)
NEUTRAL = {"brutto", "netto", "gross", "net", "pln", "zl", "eur", "usd", "gbp", "jedn", "i"}
NEUTRAL |= {"jednostkowa", "jednostkowy", "the", "of", "w", "z", "do", "kwotowa"}
_SAME_WORD = {"no": "nr", "numer": "nr", "number": "nr", "num": "nr", "identyfikator": "id"}
CATEGORICAL = {"channel", "category", "sales_rep", "acquisition_channel", "region", "campaign"}
CATEGORICAL |= {"step", "source", "coupon_code"}
MESSAGE_CHANNELS = {"email", "e-mail", "mail", "sms", "push", "web push", "webpush", "mms"}
MESSAGE_CHANNELS |= {"in-app", "app", "newsletter", "whatsapp", "messenger"}
RETURN_WORDS = {"zwrot", "zwroty", "korekta", "storno", "return", "returned", "refund"}
RETURN_WORDS |= {"credit note", "faktura korygujaca", "nota korygujaca", "zwrot towaru"}


def normalise(name: str) -> tuple[str, ...]:
    """Words of a column or file name: no diacritics, lower case, camelCase and digits split.

    ``'Nr zamówienia'``, ``'nr_zamowienia'`` and ``'NrZamowienia'`` -> ``('nr', 'zamowienia')``.
    """
    text = name.replace("ł", "l").replace("Ł", "L")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    words = re.findall(r"[a-z]+|[0-9]+", text.lower())
    return tuple(_SAME_WORD.get(w, w) for w in words)


def _same(a: str, b: str) -> bool:
    """Equal words, or inflections of one: a common stem of 5 letters or more and endings of
    at most 2 (klient / klienta, zamówienie / zamówienia; not sprzedaży / sprzedawca)."""
    if a == b:
        return True
    n = min(len(a), len(b))
    stem = next((i for i in range(n) if a[i] != b[i]), n)
    return stem >= 5 and len(a) - stem <= 2 and len(b) - stem <= 2


def _phrases(text: str) -> list[tuple[str, ...]]:
    return [normalise(p) for p in text.split(",") if p.strip()]


_PHRASES = {
    table: {
        canonical: (
            [*_phrases(strong), normalise(canonical)],
            _phrases(weak),
        )
        for canonical, (strong, weak) in columns.items()
    }
    for table, columns in NAMES.items()
}


def name_score(name: str, table: str, canonical: str) -> tuple[float, str]:
    """How well a column's name says it is ``canonical`` (0-1), and the name it resembles."""
    words = normalise(name)
    if not words:
        return 0.0, ""
    strong, weak = _PHRASES[table][canonical]
    best, like = 0.0, ""
    for weight, phrases in ((1.0, strong), (WEAK_NAME, weak)):
        for phrase in phrases:
            score = weight * _phrase_fit(words, phrase)
            if score > best:
                best, like = score, " ".join(phrase)
    return best, like


def _phrase_fit(words: tuple[str, ...], phrase: tuple[str, ...]) -> float:
    """1 for the phrase itself; less for each further word; 0 when a word of it is missing."""
    if "".join(words) == "".join(phrase):
        return 1.0
    left = list(words)
    for word in phrase:
        hit = next((w for w in left if _same(w, word)), None)
        if hit is None:
            return 0.0
        left.remove(hit)
    extra = [w for w in left if w not in NEUTRAL and not w.isdigit()]
    neutral = len(left) - len(extra)
    return 0.75 ** len(extra) * (0.97 if neutral else 1.0)


# -- content --------------------------------------------------------------------------------------
def content_score(table: str, canonical: str, p: ColumnProfile) -> tuple[float, bool, str]:
    """How well the column's values fit ``canonical`` (0 = they cannot be it), whether they are
    unmistakable on their own, and the evidence in words."""
    kind = TABLES[table].types[canonical]
    if not p.filled:
        return 0.5, False, "empty in the sample"
    if kind == "id":
        return _id_fit(table, canonical, p)
    if kind in ("ts", "date"):
        if p.dated >= 0.8:
            return 1.0, False, f"dates {p.first_date} to {p.last_date}"
        if p.dated >= 0.5:
            return 0.6, False, f"{p.dated:.0%} of values are dates"
        return 0.0, False, "not dates"
    if kind in ("money", "number"):
        if p.dated >= 0.5 or p.numeric < 0.6:
            return 0.0, False, "not numbers"
        example = f", e.g. {p.examples[0]}" if p.examples else ""
        if p.numeric < 0.9:
            return 0.5, False, f"{p.numeric:.0%} numbers{example}"
        if kind == "money":
            return (1.0 if p.fractional else 0.8), False, f"numbers{example}"
        return (1.0 if p.integers >= 0.95 else 0.6), False, f"numbers{example}"
    if kind == "bool":
        if p.boolean >= 0.95 and p.distinct <= 4:
            return 1.0, False, "yes/no values (" + ", ".join(v for v, _ in p.top[:2]) + ")"
        return 0.0, False, "not yes/no values"
    return _text_fit(table, canonical, p)


def _id_fit(table: str, canonical: str, p: ColumnProfile) -> tuple[float, bool, str]:
    if p.dated >= 0.5:
        return 0.0, False, "dates, not ids"
    if p.numeric >= 0.9 and p.fractional > 0.1:
        return 0.0, False, "fractional numbers, not ids"
    if p.distinct <= 2 and p.filled > 10:
        return 0.1, False, "only two values"
    fit = 1.0
    if p.email > 0.5:
        fit = 0.5
    elif p.spaced > 0.5:
        fit = 0.4
    repeats = p.filled / p.distinct
    if canonical == "customer_id" and table == "customers" and p.unique < 0.95:
        fit *= 0.6
    elif canonical in ("customer_id", "session_id") and table != "customers":
        if p.unique == 1.0 and p.filled > 50:
            fit *= 0.8
    how = "each once" if p.unique == 1.0 else f"{repeats:.1f} rows each"
    return fit, False, f"ids, {p.distinct:,} in {p.filled:,} rows ({how})"


def _text_fit(table: str, canonical: str, p: ColumnProfile) -> tuple[float, bool, str]:
    if p.dated >= 0.5:
        return 0.0, False, "dates, not text"
    values = [v for v, _ in p.top]
    shown = _listed(values) if not is_personal(p.name) else ""
    lowered = [v.lower() for v in values]
    if canonical == "step" and values:
        steps = sum(n for v, n in p.top if v in DEFAULT_FUNNEL_STEPS)
        if steps >= 0.9 * p.filled:
            return 1.0, True, f"funnel steps ({shown})"
    if table == "messages" and canonical == "channel" and values:
        known = sum(n for v, n in p.top if v.lower() in MESSAGE_CHANNELS)
        if known >= 0.9 * p.filled:
            return 1.0, True, f"message channels ({shown})"
    if p.email > 0.5:
        return 0.2, False, "e-mail addresses"
    fit = 0.3 if p.numeric >= 0.9 else 1.0
    if canonical in CATEGORICAL and not values and p.unique > 0.5:
        fit *= 0.5
    if canonical == "step" and lowered and not 2 <= len(values) <= 20:
        fit *= 0.5
    plural = "value" if p.distinct == 1 else "values"
    what = (
        f"{p.distinct:,} {plural} ({shown})" if shown else f"text, {p.distinct:,} distinct {plural}"
    )
    return fit, False, what


def _listed(values: list[str], n: int = 4) -> str:
    text = ", ".join(values[:n])
    return text + (", ..." if len(values) > n else "")


# -- choosing columns -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """A client column that may be a canonical column, its score and why."""

    column: str
    score: float
    evidence: str


@dataclass
class ColumnChoice:
    """What ``assign`` decided for one canonical column."""

    canonical: str
    status: str  # mapped | choose | weak | missing
    candidates: list[Candidate]  # best first (for 'mapped' the first is the mapping)
    note: str = ""

    @property
    def best(self) -> float:
        return self.candidates[0].score if self.candidates else 0.0


def score_columns(table: str, export: Export) -> dict[str, list[Candidate]]:
    """Every canonical column of ``table`` with its candidate client columns, best first."""
    out: dict[str, list[Candidate]] = {}
    for canonical in TABLES[table].columns:
        found = []
        for prof in export.columns:
            fit, strong, evidence = content_score(table, canonical, prof)
            if fit == 0.0:
                continue
            named, like = name_score(prof.name, table, canonical)
            if named:
                score = named * (0.4 + 0.6 * fit)
                why = f"name like '{like}'" if named < 1 else "name"
            else:
                score = (CONTENT_STRONG if strong else CONTENT_ONLY) * fit
                why = "content only"
            found.append(Candidate(prof.name, round(score, 2), f"{why}; {evidence}"))
        found.sort(key=lambda c: -c.score)
        out[canonical] = [c for c in found if c.score >= 0.15]
    return out


def assign(table: str, scored: dict[str, list[Candidate]]) -> dict[str, ColumnChoice]:
    """Give each canonical column its best free client column (best pairs first) and decide
    whether that is a mapping, a choice between near-equal candidates or a weak guess."""
    order = list(TABLES[table].columns)
    required = set(TABLES[table].required)
    # content alone is offered for a required column only: it says "a date", not which date
    scored = {
        canonical: [c for c in cands if canonical in required or c.score > CONTENT_ONLY]
        for canonical, cands in scored.items()
    }
    pairs = sorted(
        ((c.score, canonical, c) for canonical, cands in scored.items() for c in cands),
        key=lambda t: (-t[0], order.index(t[1])),
    )
    taken: dict[str, str] = {}  # client column -> canonical
    chosen: dict[str, Candidate] = {}
    for _, canonical, cand in pairs:
        if canonical in chosen or cand.column in taken:
            continue
        chosen[canonical] = cand
        taken[cand.column] = canonical
    choices: dict[str, ColumnChoice] = {}
    for canonical in order:
        cands = scored.get(canonical, [])
        pick = chosen.get(canonical)
        if pick is None:
            status = "missing"
            choices[canonical] = ColumnChoice(canonical, status, cands[:3])
            continue
        floor = max(RIVAL, pick.score - TIE)
        rivals = [
            c
            for c in cands
            if c.column != pick.column
            and c.score >= floor
            and not _better_elsewhere(scored, taken, c.column, c.score)
        ]
        meanings = [
            other
            for other, cs in scored.items()
            if other != canonical
            and other not in chosen
            and any(c.column == pick.column and c.score >= floor for c in cs)
        ]
        listed = [pick, *rivals] + [c for c in cands if c is not pick and c not in rivals][:2]
        if rivals:
            choices[canonical] = ColumnChoice(canonical, "choose", listed)
        elif meanings:
            note = f"'{pick.column}' could also be {' or '.join(meanings)}"
            choices[canonical] = ColumnChoice(canonical, "choose", listed, note)
        elif pick.score < CONFIDENT:
            choices[canonical] = ColumnChoice(canonical, "weak", listed)
        else:
            choices[canonical] = ColumnChoice(canonical, "mapped", listed)
    return choices


def _better_elsewhere(scored, taken: dict[str, str], column: str, score: float) -> bool:
    """True when ``column`` went to another canonical column that it fits clearly better."""
    owner = taken.get(column)
    if owner is None:
        return False
    owned = next(c.score for c in scored[owner] if c.column == column)
    return owned >= score + TIE


# -- choosing tables ------------------------------------------------------------------------------
@dataclass
class TableGuess:
    """An export read as one canonical table: its column choices and how well it fits (0-1)."""

    table: str
    export: Export
    fit: float
    choices: dict[str, ColumnChoice]
    problems: list[str] = field(default_factory=list)  # why it cannot be this table
    reasons: list[str] = field(default_factory=list)  # what raised the fit

    @property
    def possible(self) -> bool:
        return not self.problems

    def mapping(self) -> dict[str, str]:
        """canonical -> client column, for the confident choices only."""
        return {
            c: ch.candidates[0].column for c, ch in self.choices.items() if ch.status == "mapped"
        }

    def unmapped(self) -> list[tuple[str, str]]:
        """(client column, why) for the columns neither mapped nor offered in a choice."""
        offered = set(self.mapping().values())
        for ch in self.choices.values():
            if ch.status == "choose":
                offered |= {c.column for c in ch.candidates[:3]}
            elif ch.status != "mapped" and ch.candidates:
                offered.add(ch.candidates[0].column)
        out = []
        for prof in self.export.columns:
            if prof.name in offered:
                continue
            if is_personal(prof.name):
                out.append((prof.name, "looks like personal data; not needed"))
            else:
                out.append((prof.name, f"no canonical column of {self.table} fits"))
        return out


def guess_table(table: str, export: Export) -> TableGuess:
    """How well ``export`` fits ``table``, with its column choices."""
    spec = TABLES[table]
    choices = assign(table, score_columns(table, export))
    guess = TableGuess(table, export, 0.0, choices)
    best = {c: ch.best for c, ch in choices.items()}
    required = {c: best[c] for c in spec.required}
    if spec.one_of:
        groups = [(g, min(best[c] for c in g)) for g in spec.one_of]
        group, score = max(groups, key=lambda t: t[1])
        required[" and ".join(group)] = score
    alternatives = " or ".join(" and ".join(g) for g in spec.one_of)
    for name, score in required.items():
        if score < POSSIBLE:
            what = alternatives if spec.one_of and name not in spec.required else name
            guess.problems.append(f"no column looks like {what}")
    optional = [
        c for c, ch in choices.items() if c not in required and ch.status == "mapped"
    ]  # fmt: skip
    if table == "customers":
        if not optional and not guess.problems:
            guess.problems.append("only a customer id, nothing else a customers table holds")
        pick = choices["customer_id"].candidates
        prof = next((p for p in export.columns if pick and p.name == pick[0].column), None)
        if prof is not None and prof.unique < 0.5:
            guess.problems.append("customer ids repeat, so it is not one row per customer")
    if guess.problems:
        return guess
    fit = 0.85 * sum(required.values()) / len(required) + min(0.2, 0.04 * len(optional))
    guess.reasons.append(
        f"required columns {', '.join(required)} found; {len(optional)} optional mapped"
    )
    words = normalise(export.path.stem + " " + (export.sheet or ""))
    if any(_same(w, k) for w in words for k in normalise(FILE_WORDS[table])):
        fit += 0.15
        guess.reasons.append("the file name says so")
    guess.fit = round(min(1.0, fit), 2)
    return guess


@dataclass
class Plan:
    """Which export is which table, and the exports that are none."""

    tables: dict[str, TableGuess]  # by canonical table, in TABLES order
    unused: list[tuple[Export, str]]  # export, why it is not used
    guesses: dict[int, list[TableGuess]]  # id(export) -> its possible tables, best first


def plan_tables(exports: list[Export]) -> Plan:
    """The best export for each table (best fits first; each export used once)."""
    guesses = {
        id(e): sorted(
            (guess_table(t, e) for t in TABLES), key=lambda g: (-g.fit, list(TABLES).index(g.table))
        )
        for e in exports
    }
    pairs = sorted(
        (g for gs in guesses.values() for g in gs if g.possible),
        key=lambda g: (-g.fit, list(TABLES).index(g.table), g.export.label),
    )
    tables: dict[str, TableGuess] = {}
    used: set[int] = set()
    for g in pairs:
        if g.table in tables or id(g.export) in used:
            continue
        tables[g.table] = g
        used.add(id(g.export))
    unused = []
    for e in exports:
        if id(e) in used:
            continue
        possible = [g for g in guesses[id(e)] if g.possible]
        if possible:
            g = possible[0]
            why = (
                f"looks like {g.table} (fit {g.fit:.2f}), but "
                f"{tables[g.table].export.label} fits better (fit {tables[g.table].fit:.2f})"
            )
        else:
            why = _why_none(e, guesses[id(e)])
        unused.append((e, why))
    ordered = {t: tables[t] for t in TABLES if t in tables}
    return Plan(ordered, unused, guesses)


def _why_none(export: Export, guesses: list[TableGuess]) -> str:
    header = export.options.get("header")
    if header is not None and header.value is False:
        return (
            "it has no header line, so its columns can only be told apart by their values; "
            "add the header row to the export (or map the columns by hand)"
        )
    closest = sorted(guesses, key=lambda g: len(g.problems))[:2]
    parts = [f"{g.table}: {'; '.join(g.problems)}" for g in closest]
    return "matches no table (" + " | ".join(parts) + ")"


def returns_flag(export: Export, mapping: dict[str, str]) -> tuple[str, list[str]] | None:
    """A text column (not mapped) whose values mark returns, e.g. 'Typ' = 'Zwrot': the column
    and its return values."""
    for prof in export.columns:
        if prof.name in mapping.values() or not 2 <= len(prof.top) <= 10:
            continue
        values = [v for v, _ in prof.top if " ".join(normalise(v)) in RETURN_WORDS]
        if values:
            return prof.name, values
    return None
