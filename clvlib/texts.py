"""Every sentence and label of the report, in English and Polish (terms per REPORT.md).

Keys are grouped by section prefix: ``report.``/``cover.`` (frame), ``dq.`` (appendix A),
``calc.`` (step I), ``sum.`` (executive summary), ``meth.`` (appendix B), ``col.`` (table
headers), ``fig.`` (figure titles and sources). Placeholders take pre-formatted strings.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # -- frame ------------------------------------------------------------------------------
    "report.title": {
        "en": "Customer lifetime value audit",
        "pl": "Audyt wartości klienta (CLV)",
    },
    "report.contents": {"en": "Contents", "pl": "Spis treści"},
    "cover.kicker": {"en": "Relationship marketing audit", "pl": "Audyt marketingu relacji"},
    "cover.window": {"en": "Data window", "pl": "Okres danych"},
    "cover.date": {"en": "Report date", "pl": "Data raportu"},
    "cover.currency": {"en": "Currency", "pl": "Waluta"},
    "cover.prepared_by": {"en": "Prepared by", "pl": "Przygotował(a)"},
    "cover.confidential": {
        "en": "Confidential. Customer identifiers in this report are pseudonymised.",
        "pl": "Poufne. Identyfikatory klientów w raporcie są pseudonimizowane.",
    },
    "fig.source": {
        "en": "Source: {client} transaction data; clvlib analysis.",
        "pl": "Źródło: dane transakcyjne {client}; analiza clvlib.",
    },
    # -- appendix A: data -----------------------------------------------------------------------
    "dq.title": {"en": "Appendix A — Data", "pl": "Załącznik A — Dane"},
    "dq.sources": {"en": "Sources and row accounting", "pl": "Źródła i rozliczenie wierszy"},
    "dq.lead": {
        "en": "Every row read is either used or excluded for a stated reason; the table below "
        "reconciles each file (rows read = rows used + rows excluded).",
        "pl": "Każdy wczytany wiersz został użyty albo wykluczony z podanego powodu; tabela "
        "rozlicza każdy plik (wiersze wczytane = użyte + wykluczone).",
    },
    "dq.window": {
        "en": "The analysis covers <b>{start}</b> to <b>{end}</b> ({months} months).",
        "pl": "Analiza obejmuje okres od <b>{start}</b> do <b>{end}</b> ({months} mies.).",
    },
    "dq.transactions": {
        "en": "Of <b>{read}</b> transaction rows read, <b>{used}</b> are used "
        "({share} of the file) and <b>{excluded}</b> are excluded; <b>{returns}</b> used rows "
        "are returns or cancellations, which reduce customer value and are not counted as "
        "purchases.",
        "pl": "Spośród <b>{read}</b> wczytanych wierszy transakcji użyto <b>{used}</b> "
        "({share} pliku), a <b>{excluded}</b> wykluczono; <b>{returns}</b> użytych wierszy to "
        "zwroty lub anulacje, które obniżają wartość klienta i nie są liczone jako zakupy.",
    },
    "dq.transactions_none": {
        "en": "No transaction row could be read, so nothing is used.",
        "pl": "Nie udało się wczytać żadnego wiersza transakcji, więc nic nie zostało użyte.",
    },
    "dq.reasons": {"en": "Excluded rows by reason", "pl": "Wykluczone wiersze według powodu"},
    "dq.no_exclusions": {
        "en": "No rows had to be excluded.",
        "pl": "Nie trzeba było wykluczyć żadnego wiersza.",
    },
    "dq.examples": {"en": "Examples of excluded rows", "pl": "Przykłady wykluczonych wierszy"},
    "dq.examples_lead": {
        "en": "Up to three rows per reason, as they appear in the export (row = data row "
        "number in the file; customer ids pseudonymised, personal data omitted).",
        "pl": "Do trzech wierszy na powód, tak jak w eksporcie (wiersz = numer wiersza danych "
        "w pliku; identyfikatory klientów pseudonimizowane, dane osobowe pominięte).",
    },
    "dq.mapping": {"en": "Column mapping", "pl": "Mapowanie kolumn"},
    "dq.mapping_lead": {
        "en": "How the client's columns were read (from client.yml).",
        "pl": "Jak odczytano kolumny klienta (z client.yml).",
    },
    "dq.notes": {"en": "Notes on the data", "pl": "Uwagi do danych"},
    "dq.missing_tables": {
        "en": "Not provided: {tables}. The sections that need them say what they would show.",
        "pl": "Nie dostarczono: {tables}. Sekcje, które ich wymagają, opisują, co by pokazały.",
    },
    # -- step I: calculation ----------------------------------------------------------------------
    "calc.title": {
        "en": "Step I — Calculation: what is a customer worth?",
        "pl": "Krok I — Kalkulacja: ile jest wart klient?",
    },
    "calc.question": {
        "en": "How much margin does an average customer bring over their life with the "
        "company, and so how much may acquiring a new customer cost at most?",
        "pl": "Ile marży przynosi przeciętny klient w całym okresie relacji z firmą i ile "
        "w związku z tym może maksymalnie kosztować pozyskanie nowego klienta?",
    },
    "calc.simple.title": {
        "en": "Simple CLV: order value × frequency × retention period × margin",
        "pl": "CLV prosty: wartość zamówienia × częstotliwość × okres retencji × marża",
    },
    "calc.simple.formula": {
        "en": "CLV = {aov} (AOV) × {frequency} purchases a year × {years} years of retention "
        "× {margin} margin = {clv}",
        "pl": "CLV = {aov} (AOV) × {frequency} zakupu rocznie × {years} roku retencji "
        "× {margin} marży = {clv}",
    },
    "calc.simple.finding": {
        "en": "An average customer spends <b>{aov}</b> per order and buys <b>{frequency}</b> "
        "times a year; with an annual retention of <b>{retention}</b> they stay about "
        "<b>{years} years</b>, which at a {margin} margin makes a customer worth "
        "<b>{clv}</b> in margin.",
        "pl": "Przeciętny klient wydaje <b>{aov}</b> na zamówienie i kupuje <b>{frequency}</b> "
        "razy w roku; przy rocznej retencji <b>{retention}</b> pozostaje klientem około "
        "<b>{years} roku</b>, co przy marży {margin} daje wartość klienta <b>{clv}</b> marży.",
    },
    "calc.simple.finding_capped": {
        "en": "An average customer spends <b>{aov}</b> per order and buys <b>{frequency}</b> "
        "times a year. With an annual retention of <b>{retention}</b> the formula "
        "1 / (1 − r) would keep a customer for {uncapped} years, so the retention period is "
        "capped at <b>{cap} years</b> (economics.retention_period_cap_years in client.yml); at "
        "a {margin} margin that makes a customer worth <b>{clv}</b> in margin.",
        "pl": "Przeciętny klient wydaje <b>{aov}</b> na zamówienie i kupuje <b>{frequency}</b> "
        "razy w roku. Przy rocznej retencji <b>{retention}</b> wzór 1 / (1 − r) dałby "
        "{uncapped} lat pozostawania klientem, dlatego okres retencji ograniczono do "
        "<b>{cap} lat</b> (economics.retention_period_cap_years w client.yml); przy marży "
        "{margin} daje to wartość klienta <b>{clv}</b> marży.",
    },
    "calc.simple.finding_capped_all": {
        "en": "An average customer spends <b>{aov}</b> per order and buys <b>{frequency}</b> "
        "times a year. Every customer of the year before the last 12 months bought again "
        "(annual retention {retention}), so 1 / (1 − r) has no finite value and the retention "
        "period is capped at <b>{cap} years</b> (economics.retention_period_cap_years in "
        "client.yml); at a {margin} margin that makes a customer worth <b>{clv}</b> in margin.",
        "pl": "Przeciętny klient wydaje <b>{aov}</b> na zamówienie i kupuje <b>{frequency}</b> "
        "razy w roku. Każdy klient z roku poprzedzającego ostatnie 12 miesięcy kupił ponownie "
        "(roczna retencja {retention}), więc 1 / (1 − r) nie ma skończonej wartości, a okres "
        "retencji ograniczono do <b>{cap} lat</b> (economics.retention_period_cap_years "
        "w client.yml); przy marży {margin} daje to wartość klienta <b>{clv}</b> marży.",
    },
    "calc.simple.missing": {
        "en": "The simple CLV (AOV × purchase frequency × retention period × margin) is not "
        "computed because {reasons}.",
        "pl": "CLV prosty (AOV × częstotliwość zakupów × okres retencji × marża) nie jest "
        "liczony, ponieważ {reasons}.",
    },
    "calc.simple.partial": {
        "en": "Of its factors the data do give an average order value of <b>{aov}</b>, "
        "<b>{frequency}</b> purchases a year per active customer and a {margin} margin; "
        "historical value per customer is shown below instead.",
        "pl": "Z jego składników dane dają średnią wartość zamówienia <b>{aov}</b>, "
        "<b>{frequency}</b> zakupu rocznie na aktywnego klienta i marżę {margin}; zamiast "
        "CLV prostego poniżej pokazano historyczną wartość klienta.",
    },
    "calc.simple.partial_aov": {
        "en": "Of its factors the data do give an average order value of <b>{aov}</b> and a "
        "{margin} margin; historical value per customer is shown below instead.",
        "pl": "Z jego składników dane dają średnią wartość zamówienia <b>{aov}</b> i marżę "
        "{margin}; zamiast CLV prostego poniżej pokazano historyczną wartość klienta.",
    },
    "calc.why.aov.no_purchases": {
        "en": "the average order value cannot be computed: there are no purchases in the data "
        "window",
        "pl": "średniej wartości zamówienia nie da się obliczyć: w okresie danych nie ma zakupów",
    },
    "calc.why.frequency.short_window": {
        "en": "the purchase frequency per year cannot be measured: the data cover {months} "
        "months, fewer than the 12 it needs",
        "pl": "częstotliwości zakupów w roku nie da się zmierzyć: dane obejmują {months} mies., "
        "a potrzeba 12",
    },
    "calc.why.frequency.no_recent_purchases": {
        "en": "the purchase frequency per year cannot be measured: no customer bought in the "
        "last 12 months",
        "pl": "częstotliwości zakupów w roku nie da się zmierzyć: w ostatnich 12 miesiącach "
        "nikt nie kupił",
    },
    "calc.why.retention.short_window": {
        "en": "the annual retention rate cannot be measured: the data cover {months} months, "
        "fewer than the 24 it needs (the customers of one year, and whether they bought again "
        "in the next)",
        "pl": "rocznego wskaźnika retencji nie da się zmierzyć: dane obejmują {months} mies., a "
        "potrzeba 24 (klienci jednego roku i to, czy kupili ponownie w następnym)",
    },
    "calc.why.retention.no_base": {
        "en": "the annual retention rate cannot be measured: no customer bought in the year "
        "before the last 12 months",
        "pl": "rocznego wskaźnika retencji nie da się zmierzyć: nikt nie kupił w roku "
        "poprzedzającym ostatnie 12 miesięcy",
    },
    "calc.why.retention.all_retained": {
        "en": "the retention period has no finite value: every customer of the year before the "
        "last 12 months bought again (retention 100%), so 1 / (1 − r) is unbounded",
        "pl": "okres retencji nie ma skończonej wartości: każdy klient z roku poprzedzającego "
        "ostatnie 12 miesięcy kupił ponownie (retencja 100 %), więc 1 / (1 − r) jest "
        "nieograniczone",
    },
    "calc.why.retention.unbounded_sum": {
        "en": "every customer of the year before the last 12 months bought again (retention "
        "100%) and the discount rate is 0, so the sum over all future years has no finite "
        "value",
        "pl": "każdy klient z roku poprzedzającego ostatnie 12 miesięcy kupił ponownie "
        "(retencja 100 %), a stopa dyskontowa wynosi 0, więc suma po wszystkich przyszłych "
        "latach nie ma skończonej wartości",
    },
    "calc.components": {"en": "The factors", "pl": "Składniki"},
    "calc.retention.title": {
        "en": "Retention-rate CLV: m · r / (1 + d − r)",
        "pl": "CLV z wskaźnika retencji: m · r / (1 + d − r)",
    },
    "calc.retention.finding": {
        "en": "With <b>{m}</b> of margin a year per active customer, annual retention "
        "<b>{r}</b> and a discount rate of {d}, the discounted value of a customer's future "
        "years is <b>{clv}</b>. It is lower than the simple CLV because it counts only the "
        "years after the current one and discounts them.",
        "pl": "Przy <b>{m}</b> marży rocznie na aktywnego klienta, rocznej retencji <b>{r}</b> "
        "i stopie dyskontowej {d} zdyskontowana wartość przyszłych lat klienta wynosi "
        "<b>{clv}</b>. Jest niższa od CLV prostego, bo obejmuje tylko lata po bieżącym "
        "i je dyskontuje.",
    },
    "calc.retention.missing": {
        "en": "The retention-rate CLV (m · r / (1 + d − r)) is not computed because {reasons}.",
        "pl": "CLV z wskaźnika retencji (m · r / (1 + d − r)) nie jest liczony, ponieważ "
        "{reasons}.",
    },
    "calc.historical.title": {
        "en": "Value so far: historical margin per customer",
        "pl": "Dotychczasowa wartość: historyczna marża na klienta",
    },
    "calc.historical.finding": {
        "en": "So far the median customer has brought <b>{median}</b> of margin and the mean "
        "customer <b>{mean}</b>; the top 20% of customers account for <b>{top20}</b> of net "
        "revenue, and <b>{repeat}</b> of customers bought more than once.",
        "pl": "Dotychczas mediana marży na klienta wynosi <b>{median}</b>, a średnia "
        "<b>{mean}</b>; 20 % najlepszych klientów odpowiada za <b>{top20}</b> przychodu netto, "
        "a <b>{repeat}</b> klientów kupiło więcej niż raz.",
    },
    "calc.historical.finding_no_share": {
        "en": "So far the median customer has brought <b>{median}</b> of margin and the mean "
        "customer <b>{mean}</b>; <b>{repeat}</b> of customers bought more than once (net "
        "revenue is not positive, so no share of it is stated).",
        "pl": "Dotychczas mediana marży na klienta wynosi <b>{median}</b>, a średnia "
        "<b>{mean}</b>; <b>{repeat}</b> klientów kupiło więcej niż raz (przychód netto nie "
        "jest dodatni, więc nie podajemy udziałów w nim).",
    },
    "calc.historical.fig": {
        "en": "Most customers have brought little margin so far; a few brought a lot",
        "pl": "Większość klientów przyniosła dotąd niewielką marżę, nieliczni dużą",
    },
    "calc.top_customers": {
        "en": "The ten most valuable customers so far",
        "pl": "Dziesięciu najcenniejszych dotąd klientów",
    },
    "calc.ceiling.title": {
        "en": "The acquisition-cost ceiling: what a new customer may cost",
        "pl": "Pułap kosztu pozyskania: ile może kosztować nowy klient",
    },
    "calc.ceiling.finding": {
        "en": "By the simple formula, acquiring a customer must cost less than <b>{ceiling}</b> "
        "to pay for itself; by {segment_label}, the ceiling ranges from <b>{low}</b> "
        "({low_segment}) to <b>{high}</b> ({high_segment}).",
        "pl": "Według prostego wzoru pozyskanie klienta musi kosztować mniej niż <b>{ceiling}</b>, "
        "aby się zwróciło; w podziale na {segment_label} pułap wynosi od <b>{low}</b> "
        "({low_segment}) do <b>{high}</b> ({high_segment}).",
    },
    "calc.ceiling.finding_equal": {
        "en": "By the simple formula, acquiring a customer must cost less than <b>{ceiling}</b> "
        "to pay for itself; by {segment_label}, the ceiling is the same, <b>{value}</b>, in "
        "every segment.",
        "pl": "Według prostego wzoru pozyskanie klienta musi kosztować mniej niż <b>{ceiling}</b>, "
        "aby się zwróciło; w podziale na {segment_label} pułap jest w każdym segmencie taki "
        "sam: <b>{value}</b>.",
    },
    "calc.ceiling.overall": {
        "en": "By the simple formula, acquiring a customer must cost less than <b>{ceiling}</b> "
        "to pay for itself.",
        "pl": "Według prostego wzoru pozyskanie klienta musi kosztować mniej niż <b>{ceiling}</b>, "
        "aby się zwróciło.",
    },
    "calc.ceiling.missing": {
        "en": "The simple formula gives no acquisition-cost ceiling because {reasons}.",
        "pl": "Prosty wzór nie daje pułapu kosztu pozyskania, ponieważ {reasons}.",
    },
    "calc.ceiling.fig": {
        "en": "The most a new customer may cost, by {segment_label}",
        "pl": "Maksymalny koszt pozyskania klienta według: {segment_label}",
    },
    "calc.ceiling.note": {
        "en": "A segment's ceiling uses its own order value and frequency with the overall "
        "retention period and margin. It is the break-even cost: paying that much leaves no "
        "profit.",
        "pl": "Pułap segmentu wykorzystuje jego własną wartość zamówienia i częstotliwość "
        "oraz ogólny okres retencji i marżę. To koszt progu rentowności: zapłacenie tyle nie "
        "zostawia zysku.",
    },
    "calc.clv.title": {
        "en": "Predictive CLV: what each customer will bring",
        "pl": "Predykcyjny CLV: ile przyniesie każdy klient",
    },
    "calc.clv.lead": {
        "en": "The purchase model ({model}) and the spend model (Gamma-Gamma: the value of a "
        "customer's future purchases) are refitted on all data up to {end}. A customer's CLV is "
        "the margin ({margin} of spend) on the purchases they are expected to make in the next "
        "{horizon} months, discounted at {rate} a year.",
        "pl": "Model zakupów ({model}) i model wartości zakupu (Gamma-Gamma: wartość przyszłych "
        "zakupów klienta) dopasowujemy ponownie do wszystkich danych do {end}. CLV klienta to "
        "marża ({margin} wartości zakupów) od zakupów, których oczekujemy od niego w ciągu "
        "kolejnych {horizon} miesięcy, zdyskontowana stopą {rate} rocznie.",
    },
    "calc.clv.finding": {
        "en": "Over the next {horizon} months the {customers} customers are expected to bring "
        "<b>{total}</b> of margin (95% CI {total_low}–{total_high}), <b>{mean}</b> per "
        "customer (95% CI {low}–{high}); the median customer brings {median}. {alive} of "
        "customers are more likely still active than not.",
        "pl": "W ciągu kolejnych {horizon} miesięcy {customers} klientów przyniesie według "
        "prognozy <b>{total}</b> marży (95 % PU {total_low}–{total_high}), czyli <b>{mean}</b> "
        "na klienta (95 % PU {low}–{high}); klient środkowy (mediana) przyniesie {median}. "
        "{alive} klientów jest raczej nadal aktywnych niż utraconych.",
    },
    "calc.clv.finding_no_alive": {
        "en": "Over the next {horizon} months the {customers} customers are expected to bring "
        "<b>{total}</b> of margin (95% CI {total_low}–{total_high}), <b>{mean}</b> per "
        "customer (95% CI {low}–{high}); the median customer brings {median}.",
        "pl": "W ciągu kolejnych {horizon} miesięcy {customers} klientów przyniesie według "
        "prognozy <b>{total}</b> marży (95 % PU {total_low}–{total_high}), czyli <b>{mean}</b> "
        "na klienta (95 % PU {low}–{high}); klient środkowy (mediana) przyniesie {median}.",
    },
    "calc.clv.no_dropout": {
        "en": "No drop-out is visible in these {months} months of data: the model's drop-out "
        "parameters ({params}) ran to their limits, so it assumes that nobody leaves within "
        "the {horizon}-month horizon. {alive} of customers count as still active by that "
        "assumption, not by evidence, and the CLV (like the value of a new customer) is an "
        "upper bound.",
        "pl": "W tych {months} miesiącach danych nie widać odchodzenia klientów: parametry "
        "odejścia w modelu ({params}) doszły do granic, więc model zakłada, że w horyzoncie "
        "{horizon} miesięcy nikt nie odchodzi. {alive} klientów uznajemy za nadal aktywnych na "
        "mocy tego założenia, a nie danych, a CLV (podobnie jak wartość nowego klienta) jest "
        "górnym oszacowaniem.",
    },
    "calc.clv.interval_caveat_miss": {
        "en": "The interval reflects the sampling of customers only; the model missed the "
        "holdout check (forecast error {error}), so treat it as a lower bound of the "
        "uncertainty. Scaled by the holdout's ratio of actual to forecast purchases, the CLV "
        "per customer spans {low}–{high}.",
        "pl": "Przedział odzwierciedla wyłącznie losowość próby klientów; model nie zdał "
        "sprawdzianu na okresie testowym (błąd prognozy {error}), więc traktuj go jako dolną "
        "granicę niepewności. Po przeskalowaniu stosunkiem rzeczywistych do prognozowanych "
        "zakupów w okresie testowym CLV na klienta mieści się w przedziale {low}–{high}.",
    },
    "calc.clv.interval_caveat_season": {
        "en": "The interval reflects the sampling of customers only; the model missed the "
        "holdout check (forecast error {error}) because the holdout holds a busier or quieter "
        "part of the year than the calibration, a season the model does not know. Over whole "
        "years the season evens out, yet treat the interval as a lower bound of the "
        "uncertainty: scaled by the holdout's ratio of actual to forecast purchases, the CLV "
        "per customer spans {low}–{high}.",
        "pl": "Przedział odzwierciedla wyłącznie losowość próby klientów; model nie zdał "
        "sprawdzianu na okresie testowym (błąd prognozy {error}), bo okres testowy obejmuje "
        "bardziej lub mniej ruchliwą część roku niż kalibracja, a model nie zna sezonu. W "
        "pełnych latach sezon się wyrównuje, mimo to traktuj przedział jako dolną granicę "
        "niepewności: po przeskalowaniu stosunkiem rzeczywistych do prognozowanych zakupów w "
        "okresie testowym CLV na klienta mieści się w przedziale {low}–{high}.",
    },
    "calc.clv.interval_caveat_miss_none": {
        "en": "The interval reflects the sampling of customers only; the model missed the "
        "holdout check (customers made no repeat purchase there), so treat it as a lower bound "
        "of the uncertainty. Scaled by the holdout's ratio of actual to forecast purchases, the "
        "CLV per customer spans {low}–{high}.",
        "pl": "Przedział odzwierciedla wyłącznie losowość próby klientów; model nie zdał "
        "sprawdzianu na okresie testowym (klienci nie dokonali tam ponownych zakupów), więc "
        "traktuj go jako dolną granicę niepewności. Po przeskalowaniu stosunkiem rzeczywistych "
        "do prognozowanych zakupów w okresie testowym CLV na klienta mieści się w przedziale "
        "{low}–{high}.",
    },
    "calc.clv.interval_caveat_bound": {
        "en": "The interval reflects the sampling of customers only: with drop-out at the "
        "limit of the model the data cannot show how uncertain drop-out is, so treat the "
        "interval as a lower bound of the uncertainty.",
        "pl": "Przedział odzwierciedla wyłącznie losowość próby klientów: gdy odejścia są na "
        "granicy modelu, dane nie pokazują, jak niepewne jest odchodzenie klientów, więc "
        "traktuj przedział jako dolną granicę niepewności.",
    },
    "calc.clv.ceiling": {
        "en": "A newly acquired customer is worth <b>{value}</b> (95% CI {low}–{high}) in "
        "margin over {horizon} months: the first order plus the repeat purchases the models "
        "expect. That is the ceiling for the cost of acquiring a customer (maximum CAC); the "
        "simple formula (AOV × frequency × retention period × margin) gives {simple}.",
        "pl": "Nowo pozyskany klient jest wart <b>{value}</b> (95 % PU {low}–{high}) marży w "
        "ciągu {horizon} miesięcy: pierwsze zamówienie plus ponowne zakupy przewidywane przez "
        "modele. To pułap kosztu pozyskania klienta (maksymalny CAC); prosty wzór (AOV × "
        "częstotliwość × okres retencji × marża) daje {simple}.",
    },
    "calc.clv.ceiling_no_simple": {
        "en": "A newly acquired customer is worth <b>{value}</b> (95% CI {low}–{high}) in "
        "margin over {horizon} months: the first order plus the repeat purchases the models "
        "expect. That is the ceiling for the cost of acquiring a customer (maximum CAC); the "
        "simple formula gives no figure to compare because {reasons}.",
        "pl": "Nowo pozyskany klient jest wart <b>{value}</b> (95 % PU {low}–{high}) marży w "
        "ciągu {horizon} miesięcy: pierwsze zamówienie plus ponowne zakupy przewidywane przez "
        "modele. To pułap kosztu pozyskania klienta (maksymalny CAC); prosty wzór nie daje "
        "wartości do porównania, ponieważ {reasons}.",
    },
    "calc.clv.gap_high": {
        "en": "The simple CLV ({simple}) is <b>{ratio} times</b> the value of a new customer "
        "({value}) because {reasons}.",
        "pl": "CLV prosty ({simple}) jest <b>{ratio} razy</b> wyższy od wartości nowego "
        "klienta ({value}), ponieważ {reasons}.",
    },
    "calc.clv.gap_low": {
        "en": "The value of a new customer ({value}) is <b>{ratio} times</b> the simple CLV "
        "({simple}) because {reasons}.",
        "pl": "Wartość nowego klienta ({value}) jest <b>{ratio} razy</b> wyższa od CLV "
        "prostego ({simple}), ponieważ {reasons}.",
    },
    "calc.gap.capped": {
        "en": "an annual retention of {retention} makes 1 / (1 − r) {uncapped} years, so the "
        "simple formula assumes every active customer keeps buying at this year's rate for "
        "the cap of {cap} years (economics.retention_period_cap_years)",
        "pl": "roczna retencja {retention} daje 1 / (1 − r) = {uncapped} lat, więc prosty wzór "
        "zakłada, że każdy aktywny klient kupuje w tegorocznym tempie przez cały limit "
        "{cap} lat (economics.retention_period_cap_years)",
    },
    "calc.gap.capped_all": {
        "en": "every customer of the year before bought again (retention {retention}), so the "
        "simple formula assumes every active customer keeps buying at this year's rate for "
        "the cap of {cap} years (economics.retention_period_cap_years)",
        "pl": "każdy klient z poprzedniego roku kupił ponownie (retencja {retention}), więc "
        "prosty wzór zakłada, że każdy aktywny klient kupuje w tegorocznym tempie przez cały "
        "limit {cap} lat (economics.retention_period_cap_years)",
    },
    "calc.gap.horizon": {
        "en": "the new customer's value counts {horizon} months of purchases, discounted at "
        "{rate} a year, against the simple formula's {years} years, undiscounted",
        "pl": "wartość nowego klienta obejmuje {horizon} miesięcy zakupów dyskontowanych "
        "stopą {rate} rocznie, a prosty wzór {years} roku bez dyskontowania",
    },
    "calc.gap.dropout": {
        "en": "only {repeat} of customers ever bought a second time while {retention} of last "
        "year's buyers bought again: many new customers leave after their first purchase, "
        "which the models see and the simple formula, measured on established customers, "
        "does not",
        "pl": "tylko {repeat} klientów kupiło kiedykolwiek drugi raz, podczas gdy {retention} "
        "zeszłorocznych kupujących kupiło ponownie: wielu nowych klientów odchodzi po "
        "pierwszym zakupie, co widzą modele, a czego nie widzi prosty wzór liczony na stałych "
        "klientach",
    },
    "calc.gap.young": {
        "en": "the data cover only {months} months, so how long customers stay is barely "
        "observed: the simple formula extends this year's retention, the models fit the short "
        "history there is",
        "pl": "dane obejmują tylko {months} mies., więc to, jak długo klienci zostają, jest "
        "ledwie widoczne: prosty wzór przedłuża tegoroczną retencję, a modele dopasowują się "
        "do krótkiej historii",
    },
    "calc.gap.short_period": {
        "en": "at an annual retention of {retention} the simple formula counts only {years} "
        "years of purchases, less than the {horizon} months the new customer's value covers",
        "pl": "przy rocznej retencji {retention} prosty wzór liczy tylko {years} roku zakupów, "
        "mniej niż {horizon} miesięcy, które obejmuje wartość nowego klienta",
    },
    "calc.gap.different": {
        "en": "the two answer different questions: the simple formula values an average "
        "active customer at this year's rates, the models a newly acquired customer over "
        "{horizon} months",
        "pl": "oba wzory odpowiadają na różne pytania: prosty wycenia przeciętnego aktywnego "
        "klienta według tegorocznych wskaźników, a modele nowo pozyskanego klienta w ciągu "
        "{horizon} miesięcy",
    },
    "calc.clv.segment_finding": {
        "en": "By {segment_label}, a new customer is worth from <b>{low}</b> ({low_segment}) to "
        "<b>{high}</b> ({high_segment}).",
        "pl": "W podziale na {segment_label} nowy klient jest wart od <b>{low}</b> "
        "({low_segment}) do <b>{high}</b> ({high_segment}).",
    },
    "calc.clv.segment_no_difference": {
        "en": "By {segment_label}, a new customer is worth from {low} to {high} over {segments} "
        "segments, but no difference between them was found: the 95% intervals of the lowest and "
        "the highest overlap.",
        "pl": "W podziale na {segment_label} nowy klient jest wart od {low} do {high} w "
        "{segments} segmentach, ale nie stwierdzono różnicy między nimi: 95-procentowe przedziały "
        "ufności najniższego i najwyższego zachodzą na siebie.",
    },
    "calc.clv.segment_finding_equal": {
        "en": "By {segment_label}, a new customer is worth the same, <b>{value}</b>, in every "
        "segment with its own figure.",
        "pl": "W podziale na {segment_label} nowy klient jest wart tyle samo, <b>{value}</b>, "
        "w każdym segmencie z własnym wynikiem.",
    },
    "calc.clv.fig.distribution": {
        "en": "Predicted CLV per customer over {horizon} months (dashed line: median)",
        "pl": "Prognozowany CLV klienta w ciągu {horizon} miesięcy (linia przerywana: mediana)",
    },
    "calc.clv.fig.p_alive": {
        "en": "Probability that a customer is still active at the end of the data",
        "pl": "Prawdopodobieństwo, że klient jest nadal aktywny na koniec danych",
    },
    "calc.clv.fig.segments": {
        "en": "Predicted CLV by {segment_label}: existing customers and a new customer",
        "pl": "Prognozowany CLV według: {segment_label} (obecni klienci i nowy klient)",
    },
    "calc.clv.segments": {
        "en": "CLV by {segment_label} over {horizon} months (95% bootstrap intervals)",
        "pl": "CLV według: {segment_label} w ciągu {horizon} miesięcy (przedziały 95 %, bootstrap)",
    },
    "calc.clv.spend_parameters": {
        "en": "Parameters of the spend model (Gamma-Gamma, {repeaters} repeat customers)",
        "pl": "Parametry modelu wartości zakupu (Gamma-Gamma, {repeaters} powracających klientów)",
    },
    "calc.clv.spend_correlated": {
        "en": "Among repeat customers, purchase frequency and spend per purchase are correlated "
        "(r = {r}); the spend model assumes they are not, so the CLV of the most frequent "
        "buyers may be biased.",
        "pl": "Wśród powracających klientów częstotliwość zakupów i wartość zakupu są "
        "skorelowane (r = {r}); model wartości zakupu zakłada ich niezależność, więc CLV "
        "najczęściej kupujących może być obciążony.",
    },
    "calc.clv.no_repeat_spend": {
        "en": "No customer has a repeat purchase of positive value, so the spend model cannot be "
        "fitted; the CLV uses a fixed {spend} per purchase.",
        "pl": "Żaden klient nie ma ponownego zakupu o dodatniej wartości, więc modelu wartości "
        "zakupu nie da się dopasować; CLV przyjmuje stałe {spend} na zakup.",
    },
    "calc.clv.few_repeat_spend": {
        "en": "Only a few repeat customers have a repeat purchase of positive value (fewer than "
        "{needed}), too few to fit the spend model; the CLV uses their mean, {spend} per "
        "purchase, for every customer.",
        "pl": "Tylko nieliczni powracający klienci mają ponowny zakup o dodatniej wartości (mniej "
        "niż {needed}), za mało, by dopasować model wartości zakupu; CLV przyjmuje dla każdego "
        "klienta ich średnią, {spend} na zakup.",
    },
    "calc.clv.constant_spend": {
        "en": "Repeat purchases are all worth practically the same, so the spend model has "
        "nothing to fit; the CLV uses that value, {spend} per purchase.",
        "pl": "Ponowne zakupy mają praktycznie tę samą wartość, więc model wartości zakupu nie "
        "ma czego dopasować; CLV przyjmuje tę wartość, {spend} na zakup.",
    },
    "calc.clv.spend_not_identified": {
        "en": "The spend model's estimates ran to the limits of the optimiser (the spend of "
        "repeat customers varies too little to pin them down); the CLV uses the mean spend, "
        "{spend} per purchase, instead.",
        "pl": "Oszacowania modelu wartości zakupu doszły do granic optymalizatora (wartość "
        "zakupów powracających klientów zmienia się za mało, by je wyznaczyć); CLV przyjmuje "
        "zamiast tego średnią wartość, {spend} na zakup.",
    },
    "calc.clv.too_few_repeaters": {
        "en": "Only {repeaters} of {customers} customers bought more than once; the purchase "
        "models need at least {needed} repeat buyers to estimate how often customers return "
        "and when they leave. No predictive CLV is computed: the acquisition-cost ceiling is "
        "the simple CLV ({simple}), and step III values customers at their margin so far.",
        "pl": "Tylko {repeaters} z {customers} klientów kupiło więcej niż raz; modele zakupów "
        "potrzebują co najmniej {needed} powracających klientów, by oszacować, jak często "
        "klienci wracają i kiedy odchodzą. Predykcyjnego CLV nie liczymy: pułapem kosztu "
        "pozyskania jest CLV prosty ({simple}), a krok III wycenia klientów ich dotychczasową "
        "marżą.",
    },
    "calc.clv.too_few_repeaters_no_simple": {
        "en": "Only {repeaters} of {customers} customers bought more than once; the purchase "
        "models need at least {needed} repeat buyers to estimate how often customers return "
        "and when they leave. No predictive CLV is computed, and the simple CLV cannot be "
        "computed either because {reasons}: these data give no acquisition-cost ceiling, and "
        "step III values customers at their margin so far.",
        "pl": "Tylko {repeaters} z {customers} klientów kupiło więcej niż raz; modele zakupów "
        "potrzebują co najmniej {needed} powracających klientów, by oszacować, jak często "
        "klienci wracają i kiedy odchodzą. Predykcyjnego CLV nie liczymy, a CLV prostego też "
        "nie da się policzyć, ponieważ {reasons}: te dane nie dają pułapu kosztu pozyskania, "
        "a krok III wycenia klientów ich dotychczasową marżą.",
    },
    "calc.clv.params_at_bounds": {
        "en": "The {model} estimate of {params} lies at the limit of what the optimiser "
        "allows or has no standard error: the data barely pin it down. The forecasts are "
        "still defined, but rest more than usual on the model's form.",
        "pl": "Oszacowanie {params} w modelu {model} leży na granicy dopuszczalnej przez "
        "optymalizator albo nie ma błędu standardowego: dane słabo je wyznaczają. Prognozy "
        "pozostają określone, ale bardziej niż zwykle zależą od postaci modelu.",
    },
    "calc.clv.dropout_profile_zero.purchase": {
        "en": "How many customers leave, the data cannot pin down: the mean chance of leaving "
        "after a purchase lies between 0 and {high} (95% profile-likelihood interval), so that "
        "customers practically never leave cannot be excluded.",
        "pl": "Ilu klientów odchodzi, dane nie rozstrzygają: średnia szansa odejścia po zakupie "
        "leży między 0 a {high} (95-procentowy przedział wiarygodności profilowej), więc nie "
        "można wykluczyć, że klienci praktycznie nie odchodzą.",
    },
    "calc.clv.dropout_profile_zero.year": {
        "en": "How many customers leave, the data cannot pin down: the share of new customers "
        "lost within a year lies between 0 and {high} (95% profile-likelihood interval), so "
        "that customers practically never leave cannot be excluded.",
        "pl": "Ilu klientów odchodzi, dane nie rozstrzygają: odsetek nowych klientów utraconych "
        "w ciągu roku leży między 0 a {high} (95-procentowy przedział wiarygodności "
        "profilowej), więc nie można wykluczyć, że klienci praktycznie nie odchodzą.",
    },
    "calc.clv.dropout_profile.purchase": {
        "en": "The model's drop-out sits at its bound, where standard errors do not exist; the "
        "profile likelihood still bounds it: the mean chance of leaving after a purchase lies "
        "between {low} and {high} (95%).",
        "pl": "Parametry odejść modelu są na granicy, gdzie błędy standardowe nie istnieją; "
        "wiarygodność profilowa i tak je ogranicza: średnia szansa odejścia po zakupie leży "
        "między {low} a {high} (95 %).",
    },
    "calc.clv.dropout_profile.year": {
        "en": "The model's drop-out sits at its bound, where standard errors do not exist; the "
        "profile likelihood still bounds it: the share of new customers lost within a year lies "
        "between {low} and {high} (95%).",
        "pl": "Parametry odejść modelu są na granicy, gdzie błędy standardowe nie istnieją; "
        "wiarygodność profilowa i tak je ogranicza: odsetek nowych klientów utraconych w ciągu "
        "roku leży między {low} a {high} (95 %).",
    },
    "calc.clv.covariates_used": {
        "en": "Repeat purchases and drop-out differ by {columns} (likelihood-ratio test against "
        "one model for all customers: {statistic} on {df} degrees of freedom, {p}), so each "
        "channel's value of a new customer comes from one {model} with {columns} as covariates, "
        "at the channel's own mix of customers.",
        "pl": "Powtórne zakupy i odejścia różnią się według: {columns} (test ilorazu "
        "wiarygodności względem jednego modelu dla wszystkich klientów: {statistic} przy {df} "
        "stopniach swobody, {p}), więc wartość nowego klienta każdego kanału pochodzi z "
        "jednego modelu {model} z tymi zmiennymi, przy strukturze klientów danego kanału.",
    },
    "calc.clv.covariates_not_used": {
        "en": "Repeat purchases and drop-out do not differ detectably by {columns} "
        "(likelihood-ratio test, {p}): every channel's new customer is valued with the one "
        "{model} for all customers, so the channels' values differ only by their first orders.",
        "pl": "Powtórne zakupy i odejścia nie różnią się wykrywalnie według: {columns} (test "
        "ilorazu wiarygodności, {p}): nowy klient każdego kanału jest wyceniany jednym "
        "modelem {model} dla wszystkich klientów, więc wartości kanałów różnią się tylko "
        "pierwszym zamówieniem.",
    },
    "calc.clv.covariates_untested": {
        "en": "{model} takes no covariates here, so every channel's new customer is valued with "
        "the one model for all customers; the channels' values differ only by their first "
        "orders.",
        "pl": "Model {model} nie przyjmuje tu zmiennych objaśniających, więc nowy klient każdego "
        "kanału jest wyceniany jednym modelem dla wszystkich klientów; wartości kanałów różnią "
        "się tylko pierwszym zamówieniem.",
    },
    "calc.clv.covariate.channel": {"en": "acquisition channel", "pl": "kanał pozyskania"},
    "calc.clv.covariate.loyalty": {
        "en": "loyalty membership",
        "pl": "członkostwo w programie lojalnościowym",
    },
    "calc.clv.covariate.and": {"en": " and ", "pl": " i "},
    "calc.clv.small_segments": {
        "en": "Segments with fewer than {customers} customers or {repeaters} repeat customers "
        "get no models of their own, so their new-customer value is left blank.",
        "pl": "Segmenty mające mniej niż {customers} klientów lub {repeaters} powracających "
        "klientów nie dostają własnych modeli, więc wartość nowego klienta pozostaje pusta.",
    },
    "calc.clv.interval_note": {
        "en": "Intervals: {n_boot} bootstrap resamples of the customers, each refitting both "
        "models (seed {seed}). They measure how precisely the models are estimated, not how "
        "much one customer may deviate. A new customer's value per acquisition channel comes "
        "from the model named above; per other segment, from models fitted on that segment "
        "alone.",
        "pl": "Przedziały: {n_boot} prób bootstrapowych klientów, w każdej oba modele "
        "dopasowane od nowa (ziarno {seed}). Mierzą precyzję oszacowania modeli, a nie to, jak "
        "bardzo może odbiegać pojedynczy klient. Wartość nowego klienta w kanale pozyskania "
        "pochodzi z modelu wskazanego wyżej; w innym segmencie — z modeli dopasowanych tylko do "
        "tego segmentu.",
    },
    "calc.clv.interval_note_one_step": {
        "en": "Intervals: {n_boot} bootstrap resamples of the customers (seed {seed}). With more "
        "than {exact} customers each resample moves both models' estimates by one Newton step "
        "instead of refitting them: the same limiting distribution at a fraction of the time. "
        "They measure how precisely the models are estimated, not how much one customer may "
        "deviate. A new customer's value per acquisition channel comes from the model named "
        "above; per other segment, from models fitted on that segment alone.",
        "pl": "Przedziały: {n_boot} prób bootstrapowych klientów (ziarno {seed}). Przy ponad "
        "{exact} klientach w każdej próbie oszacowania obu modeli przesuwa jeden krok Newtona "
        "zamiast ponownego dopasowania: ten sam rozkład graniczny w ułamku czasu. Mierzą "
        "precyzję oszacowania modeli, a nie to, jak bardzo może odbiegać pojedynczy klient. "
        "Wartość nowego klienta w kanale pozyskania pochodzi z modelu wskazanego wyżej; w innym "
        "segmencie — z modeli dopasowanych tylko do tego segmentu.",
    },
    "calc.axis.clv": {
        "en": "CLV per customer, {horizon} months ({currency})",
        "pl": "CLV klienta, {horizon} mies. ({currency})",
    },
    "calc.axis.p_alive": {"en": "P(alive)", "pl": "P(aktywny)"},
    "calc.axis.clv_mean": {
        "en": "CLV per customer ({currency})",
        "pl": "CLV na klienta ({currency})",
    },
    "calc.legend.clv_mean": {
        "en": "existing customers: mean CLV (95% CI)",
        "pl": "obecni klienci: średni CLV (95 % PU)",
    },
    "calc.legend.ceiling": {
        "en": "new customer: acquisition-cost ceiling",
        "pl": "nowy klient: pułap kosztu pozyskania",
    },
    "xlsx.figures": {"en": "Figures", "pl": "Wartości"},  # tables.xlsx: headline sheet
    "xlsx.simple_clv": {"en": "Simple CLV per customer", "pl": "CLV prosty na klienta"},
    "xlsx.unit": {"en": "Unit", "pl": "Jednostka"},
    # tables.xlsx: a column the PDF shows as "value (low–high)" becomes three numeric columns
    "xlsx.ci_mark": {"en": "(95% CI)", "pl": "(95 % PU)"},  # cut from the value's header
    "xlsx.low": {"en": "{column}: 95% CI low", "pl": "{column}: 95 % PU od"},
    "xlsx.high": {"en": "{column}: 95% CI high", "pl": "{column}: 95 % PU do"},
    "xlsx.note": {"en": "{column}: note", "pl": "{column}: uwaga"},  # words instead of a number
    "col.clv_mean": {"en": "CLV per customer (95% CI)", "pl": "CLV na klienta (95 % PU)"},
    "col.clv_total": {"en": "CLV in total (95% CI)", "pl": "CLV łącznie (95 % PU)"},
    "col.new_customer": {"en": "New customer", "pl": "Nowy klient"},
    "calc.predictive.title": {
        "en": "Predictive model: does it forecast purchases it has not seen?",
        "pl": "Model predykcyjny: czy przewiduje zakupy, których nie widział?",
    },
    "calc.predictive.lead": {
        "en": "The purchase model ({model}: how often customers buy and when they stop) is "
        "fitted on the data up to {calibration_end} only and then forecasts the next {weeks} "
        "weeks, which are compared with what customers actually bought.",
        "pl": "Model zakupów ({model}: jak często klienci kupują i kiedy odchodzą) jest "
        "dopasowany tylko do danych do {calibration_end}, a następnie prognozuje kolejne "
        "{weeks} tygodni, które porównujemy z rzeczywistymi zakupami klientów.",
    },
    "calc.predictive.finding": {
        "en": "Fitted on purchases up to {calibration_end}, the model forecast <b>{predicted}</b> "
        "repeat purchases in the following {weeks} weeks; customers made <b>{actual}</b> "
        "(forecast error <b>{error}</b>).",
        "pl": "Dopasowany do zakupów do {calibration_end} model prognozował <b>{predicted}</b> "
        "ponownych zakupów w kolejnych {weeks} tygodniach; klienci dokonali ich <b>{actual}</b> "
        "(błąd prognozy <b>{error}</b>).",
    },
    "calc.predictive.finding_none": {
        "en": "Fitted on purchases up to {calibration_end}, the model forecast <b>{predicted}</b> "
        "repeat purchases in the following {weeks} weeks; customers made none.",
        "pl": "Dopasowany do zakupów do {calibration_end} model prognozował <b>{predicted}</b> "
        "ponownych zakupów w kolejnych {weeks} tygodniach; klienci nie dokonali żadnego.",
    },
    "calc.predictive.within": {
        "en": "That lies within the model's 95% predictive interval for the holdout total "
        "({low}–{high}): the model passes the check.",
        "pl": "To mieści się w 95 % przedziale predykcji modelu dla sumy w okresie testowym "
        "({low}–{high}): model przechodzi sprawdzian.",
    },
    "calc.predictive.miss": {
        "en": "That is a miss: the actual total lies outside the model's 95% predictive "
        "interval ({low}–{high}), so the model has not captured how these customers bought in "
        "the holdout weeks.",
        "pl": "To chybienie: rzeczywista suma leży poza 95 % przedziałem predykcji modelu "
        "({low}–{high}), więc model nie uchwycił, jak ci klienci kupowali w okresie testowym.",
    },
    "calc.predictive.per_customer": {
        "en": "Per customer the forecast is off by {mae} purchases on average (correlation "
        "{correlation}).",
        "pl": "Dla pojedynczego klienta prognoza myli się średnio o {mae} zakupu (korelacja "
        "{correlation}).",
    },
    "calc.predictive.per_customer_no_corr": {
        "en": "Per customer the forecast is off by {mae} purchases on average.",
        "pl": "Dla pojedynczego klienta prognoza myli się średnio o {mae} zakupu.",
    },
    "calc.predictive.season_busier": {
        "en": "The holdout ({start}–{end}) falls in months with {share} more purchases per day "
        "than the calibration months (by month of year): it covers a busier part of the year, "
        "a seasonal peak or a base that grew, which a model without seasons does not foresee.",
        "pl": "Okres testowy ({start}–{end}) przypada na miesiące z {share} większą liczbą "
        "zakupów dziennie niż miesiące kalibracji (według miesiąca roku): obejmuje bardziej "
        "ruchliwą część roku (szczyt sezonu lub wzrost bazy), czego model bez sezonowości "
        "nie przewiduje.",
    },
    "calc.predictive.season_quieter": {
        "en": "The holdout ({start}–{end}) falls in months with {share} fewer purchases per day "
        "than the calibration months (by month of year): it covers a quieter part of the year, "
        "a seasonal trough or a base that shrank, which a model without seasons does not "
        "foresee.",
        "pl": "Okres testowy ({start}–{end}) przypada na miesiące z {share} mniejszą liczbą "
        "zakupów dziennie niż miesiące kalibracji (według miesiąca roku): obejmuje spokojniejszą "
        "część roku (dołek sezonowy lub kurczenie się bazy), czego model bez sezonowości nie "
        "przewiduje.",
    },
    "calc.predictive.season_cause": {
        "en": "By the seasonal index alone the holdout months should see {expected} repeat "
        "purchases per day against the calibration months (95% CI {low} to {high}); actual "
        "purchases ran {observed} against the forecast, so the season, which the model does not "
        "know, is the likely cause of the miss.",
        "pl": "Sam indeks sezonowy zapowiada w miesiącach testowych {expected} ponownych zakupów "
        "dziennie względem miesięcy kalibracji (95 % PU od {low} do {high}); rzeczywiste zakupy "
        "wyniosły {observed} względem prognozy, więc prawdopodobną przyczyną chybienia jest "
        "sezon, którego model nie zna.",
    },
    "calc.predictive.season_title": {
        "en": "Season of repeat purchases",
        "pl": "Sezonowość ponownych zakupów",
    },
    "calc.predictive.season_strong": {
        "en": "Repeat purchases follow a strong season: the busiest month is <b>{peak}</b>, with "
        "{peak_index} times the purchases per day of an average month (95% CI "
        "{peak_low}–{peak_high}), the quietest {trough} with {trough_index} "
        "({trough_low}–{trough_high}). The growth or decline of the customer base over the "
        "{months} months is taken out; half the gap between the busiest and the quietest month "
        "is {amplitude} (95% CI {amplitude_low}–{amplitude_high}), above the {strong} from "
        "which we call a season strong.",
        "pl": "Ponowne zakupy mają wyraźny sezon: najwięcej przypada na <b>{peak}</b>, "
        "{peak_index} raza tyle zakupów dziennie co w przeciętnym miesiącu (95 % PU "
        "{peak_low}–{peak_high}), najmniej na {trough}: {trough_index} "
        "({trough_low}–{trough_high}). Wzrost lub spadek bazy klientów w ciągu {months} miesięcy "
        "jest usunięty; połowa różnicy między najmocniejszym a najsłabszym miesiącem wynosi "
        "{amplitude} (95 % PU {amplitude_low}–{amplitude_high}), powyżej progu {strong}, od "
        "którego nazywamy sezon wyraźnym.",
    },
    "calc.predictive.season_mild": {
        "en": "Repeat purchases vary mildly with the season: the busiest month is {peak} (index "
        "{peak_index}, 95% CI {peak_low}–{peak_high}; 1 is an average month), the quietest "
        "{trough} ({trough_index}, {trough_low}–{trough_high}); half the gap between them, "
        "{amplitude} (95% CI {amplitude_low}–{amplitude_high}), is not clearly above the "
        "{strong} from which we call a season strong.",
        "pl": "Ponowne zakupy zmieniają się z sezonem umiarkowanie: najwięcej przypada na {peak} "
        "(indeks {peak_index}, 95 % PU {peak_low}–{peak_high}; 1 to przeciętny miesiąc), "
        "najmniej na {trough} ({trough_index}, {trough_low}–{trough_high}); połowa różnicy "
        "między nimi, {amplitude} (95 % PU {amplitude_low}–{amplitude_high}), nie przekracza "
        "wyraźnie progu {strong}, od którego nazywamy sezon wyraźnym.",
    },
    "calc.predictive.season_none": {
        "en": "No season shows in repeat purchases over the {months} months: once the growth or "
        "decline of the customer base is taken out, no month of the year differs from an "
        "average one by more than chance allows (test of no season: p = {p}).",
        "pl": "W ciągu {months} miesięcy nie widać sezonu w ponownych zakupach: po usunięciu "
        "wzrostu lub spadku bazy klientów żaden miesiąc roku nie odbiega od przeciętnego "
        "bardziej, niż pozwala przypadek (test braku sezonowości: p = {p}).",
    },
    "calc.predictive.season_one_year": {
        "en": "With {months} months of history each month of the year is seen about once, so a "
        "season cannot be told apart from chance or from a change of the customer base with "
        "confidence: the busiest month was {peak} (index {peak_index}, 95% CI "
        "{peak_low}–{peak_high}; 1 is an average month), the quietest {trough} ({trough_index}, "
        "{trough_low}–{trough_high}), and no clear season shows.",
        "pl": "Przy {months} miesiącach historii każdy miesiąc roku widzimy mniej więcej raz, "
        "więc sezonu nie da się pewnie odróżnić od przypadku ani od zmian bazy klientów: "
        "najwięcej zakupów przypadło na {peak} (indeks {peak_index}, 95 % PU "
        "{peak_low}–{peak_high}; 1 to przeciętny miesiąc), najmniej na {trough} "
        "({trough_index}, {trough_low}–{trough_high}); wyraźnego sezonu nie widać.",
    },
    "calc.predictive.season_one_year_strong": {
        "en": "Repeat purchases seem to follow a strong season, seen in one year only: with "
        "{months} months of history each month of the year is seen about once. The busiest "
        "month was <b>{peak}</b> ({peak_index} times an average month, 95% CI "
        "{peak_low}–{peak_high}), the quietest {trough} ({trough_index}, "
        "{trough_low}–{trough_high}), with the change of the customer base taken out as far as "
        "one year allows.",
        "pl": "Ponowne zakupy wydają się mieć wyraźny sezon, widoczny jednak tylko w jednym "
        "roku: przy {months} miesiącach historii każdy miesiąc roku widzimy mniej więcej raz. "
        "Najwięcej zakupów przypadło na <b>{peak}</b> ({peak_index} raza tyle co w przeciętnym "
        "miesiącu, 95 % PU {peak_low}–{peak_high}), najmniej na {trough} ({trough_index}, "
        "{trough_low}–{trough_high}), po usunięciu zmian bazy klientów na tyle, na ile pozwala "
        "jeden rok.",
    },
    "calc.predictive.season_one_year_raw": {
        "en": "With {months} months of history each month of the year is seen once, so the "
        "season cannot be separated from the growth or decline of the customer base: repeat "
        "purchases per day were highest in {peak} ({peak_index} times the average) and lowest "
        "in {trough} ({trough_index}), which may be season, growth or both.",
        "pl": "Przy {months} miesiącach historii każdy miesiąc roku widzimy raz, więc sezonu nie "
        "da się oddzielić od wzrostu lub spadku bazy klientów: najwięcej ponownych zakupów "
        "dziennie przypadło na {peak} ({peak_index} średniej), najmniej na {trough} "
        "({trough_index}); to może być sezon, wzrost bazy albo jedno i drugie.",
    },
    "calc.predictive.season_too_short": {
        "en": "With {months} months of history, fewer than the 12 a month-of-year index needs, "
        "the season of purchases cannot be measured.",
        "pl": "Przy {months} miesiącach historii, mniej niż 12 potrzebnych do indeksu miesięcy "
        "roku, sezonowości zakupów nie da się zmierzyć.",
    },
    "calc.predictive.season_too_few": {
        "en": "Customers made {purchases} repeat purchases (on different days) in the data, too "
        "few to measure a season of purchases: the month-of-year index needs at least {needed}, "
        "with every month of the year holding some.",
        "pl": "Klienci dokonali w danych {purchases} ponownych zakupów (w różnych dniach), za "
        "mało, by zmierzyć sezonowość zakupów: indeks miesięcy roku wymaga co najmniej "
        "{needed}, przy czym każdy miesiąc roku musi mieć jakieś zakupy.",
    },
    "calc.predictive.season_full": {
        "en": "Because repeat purchases follow a strong season, the holdout spans a full year "
        "({weeks} weeks), so the check compares whole seasons and is not tilted by the part of "
        "the year it covers.",
        "pl": "Ponieważ ponowne zakupy mają wyraźny sezon, okres testowy obejmuje pełny rok "
        "({weeks} tyg.), więc sprawdzian porównuje całe sezony i nie zależy od tego, którą "
        "część roku obejmuje.",
    },
    "calc.predictive.season_part_config": {
        "en": "Repeat purchases follow a strong season, but client.yml fixes holdout_weeks at "
        "{weeks}: the holdout holds only part of the season, so its error partly reflects the "
        "season rather than the model. With holdout_weeks: auto the audit holds out a full year "
        "(52 weeks).",
        "pl": "Ponowne zakupy mają wyraźny sezon, ale client.yml ustala holdout_weeks na "
        "{weeks}: okres testowy obejmuje tylko część sezonu, więc jego błąd częściowo "
        "odzwierciedla sezon, a nie model. Przy holdout_weeks: auto audyt odkłada do testu pełny "
        "rok (52 tygodnie).",
    },
    "calc.predictive.season_part_short": {
        "en": "Repeat purchases follow a strong season, but {months} months of history are too "
        "short to hold out a full year (52 weeks) and still fit the model on a year before it: "
        "the {weeks}-week holdout holds only part of the season, so its error partly reflects "
        "the season rather than the model.",
        "pl": "Ponowne zakupy mają wyraźny sezon, ale {months} miesięcy historii to za mało, by "
        "odłożyć do testu pełny rok (52 tygodnie) i nadal dopasować model do roku przed nim: "
        "okres testowy ({weeks} tyg.) obejmuje tylko część sezonu, więc jego błąd częściowo "
        "odzwierciedla sezon, a nie model.",
    },
    "calc.predictive.fig.season": {
        "en": "Repeat purchases per day by month of year, growth taken out (1 = an average "
        "month; whiskers: 95% CI)",
        "pl": "Ponowne zakupy dziennie według miesiąca roku, bez wzrostu bazy (1 = przeciętny "
        "miesiąc; wąsy: 95 % PU)",
    },
    "calc.axis.month": {"en": "month of year", "pl": "miesiąc roku"},
    "calc.axis.season_index": {
        "en": "index (1 = an average month)",
        "pl": "indeks (1 = przeciętny miesiąc)",
    },
    "calc.predictive.too_few_repeaters": {
        "en": "Up to {calibration_end}, only {repeaters} of {customers} customers bought more "
        "than once, fewer than the {needed} a purchase model needs, so the models are not "
        "checked on a holdout.",
        "pl": "Do {calibration_end} tylko {repeaters} z {customers} klientów kupiło więcej niż "
        "raz, mniej niż {needed} potrzebnych modelowi zakupów, więc modeli nie sprawdzamy na "
        "okresie testowym.",
    },
    "calc.predictive.no_holdout": {
        "en": "holdout_weeks is 0 in client.yml, so the purchase model is not validated on "
        "unseen data.",
        "pl": "W client.yml holdout_weeks wynosi 0, więc model zakupów nie jest weryfikowany "
        "na niewidzianych danych.",
    },
    "calc.predictive.fig.tracking": {
        "en": "Cumulative repeat purchases, actual and forecast (line: end of calibration)",
        "pl": "Skumulowane ponowne zakupy: rzeczywiste i prognozowane (linia: koniec kalibracji)",
    },
    "calc.predictive.fig.conditional": {
        "en": "Holdout purchases by number of earlier repeat purchases: actual and forecast",
        "pl": "Zakupy w okresie testowym według liczby wcześniejszych ponownych zakupów",
    },
    "calc.predictive.models": {
        "en": "Model comparison (the model with the lowest AIC is used for the CLV)",
        "pl": "Porównanie modeli (do CLV używamy modelu o najniższym AIC)",
    },
    "calc.predictive.parameters": {
        "en": "Parameters of the chosen model (maximum likelihood, 95% intervals)",
        "pl": "Parametry wybranego modelu (największa wiarygodność, przedziały 95 %)",
    },
    "calc.axis.week": {"en": "week of the data window", "pl": "tydzień okresu danych"},
    "calc.axis.cumulative": {
        "en": "cumulative repeat purchases",
        "pl": "skumulowane ponowne zakupy",
    },
    "calc.axis.calibration_frequency": {
        "en": "repeat purchases before the holdout",
        "pl": "ponowne zakupy przed okresem testowym",
    },
    "calc.axis.holdout_mean": {
        "en": "mean purchases in the holdout",
        "pl": "średnia liczba zakupów w okresie testowym",
    },
    "calc.legend.actual": {"en": "actual", "pl": "rzeczywiste"},
    "calc.legend.model": {"en": "model", "pl": "model"},
    "col.model": {"en": "Model", "pl": "Model"},
    "col.parameters": {"en": "Parameters", "pl": "Parametry"},
    "col.log_likelihood": {"en": "Log-likelihood", "pl": "Log-wiarygodność"},
    "col.aic": {"en": "AIC", "pl": "AIC"},
    "col.bic": {"en": "BIC", "pl": "BIC"},
    "col.holdout_mae": {"en": "Holdout MAE", "pl": "MAE (test)"},
    "col.holdout_total_error": {"en": "Holdout total error", "pl": "Błąd sumy (test)"},
    "col.parameter": {"en": "Parameter", "pl": "Parametr"},
    "col.estimate": {"en": "Estimate", "pl": "Ocena"},
    "col.standard_error": {"en": "Std. error", "pl": "Błąd std."},
    "col.ci_low": {"en": "95% CI from", "pl": "95 % PU od"},
    "col.ci_high": {"en": "to", "pl": "do"},
    "calc.q.aov": {"en": "Average order value (AOV)", "pl": "Średnia wartość zamówienia (AOV)"},
    "calc.q.purchase_frequency_per_year": {
        "en": "Purchase frequency (purchases a year per customer active in the last 12 months)",
        "pl": "Częstotliwość zakupów (zakupy rocznie na klienta aktywnego w ostatnich 12 mies.)",
    },
    "calc.q.retention_rate": {
        "en": "Annual retention rate r",
        "pl": "Roczny wskaźnik retencji r",
    },
    "calc.q.retention_years": {
        "en": "Retention period min(1 / (1 − r), cap), years",
        "pl": "Okres retencji min(1 / (1 − r), limit), lata",
    },
    "calc.q.retention_years_uncapped": {
        "en": "1 / (1 − r) before the cap, years",
        "pl": "1 / (1 − r) przed ograniczeniem, lata",
    },
    "calc.q.gross_margin": {"en": "Gross margin", "pl": "Marża brutto"},
    "calc.q.simple_clv": {"en": "Simple CLV", "pl": "CLV prosty"},
    "calc.axis.margin": {
        "en": "margin per customer so far ({currency})",
        "pl": "dotychczasowa marża na klienta ({currency})",
    },
    "calc.axis.customers": {"en": "customers", "pl": "liczba klientów"},
    "calc.axis.ceiling": {
        "en": "CLV ceiling per customer ({currency})",
        "pl": "pułap CLV na klienta ({currency})",
    },
    "calc.legend.historical": {
        "en": "margin so far per customer (mean)",
        "pl": "dotychczasowa marża na klienta (średnia)",
    },
    "col.quantity": {"en": "Quantity", "pl": "Wielkość"},
    "col.segment": {"en": "Segment", "pl": "Segment"},
    "col.customers": {"en": "Customers", "pl": "Klienci"},
    "col.aov": {"en": "AOV", "pl": "AOV"},
    "col.purchase_frequency_per_year": {"en": "Purchases / year", "pl": "Zakupy / rok"},
    "col.clv_ceiling": {"en": "CLV ceiling", "pl": "Pułap CLV"},
    "col.first_purchase": {"en": "First purchase", "pl": "Pierwszy zakup"},
    "col.orders": {"en": "Orders", "pl": "Zamówienia"},
    "col.revenue": {"en": "Net revenue", "pl": "Przychód netto"},
    "col.margin": {"en": "Margin", "pl": "Marża"},
    "step.2": {"en": "II funnel and communication", "pl": "II lejek i komunikacja"},
    "step.3": {"en": "III acquisition channels", "pl": "III kanały pozyskania"},
    "step.4": {"en": "IV retention", "pl": "IV retencja"},
    "step.5": {"en": "V saturation and potential", "pl": "V wysycenie i potencjał"},
    "segment.all": {"en": "all customers", "pl": "wszyscy klienci"},
    "segment.acquisition_channel": {"en": "acquisition channel", "pl": "kanał pozyskania"},
    "segment.channel": {"en": "sales channel", "pl": "kanał sprzedaży"},
    "segment.region": {"en": "region", "pl": "region"},
    "segment.loyalty_member": {"en": "loyalty membership", "pl": "udział w programie"},
    # -- executive summary -----------------------------------------------------------------------
    "sum.title": {"en": "Executive summary", "pl": "Podsumowanie dla zarządu"},
    "sum.lead": {
        "en": "{client}: {customers} customers and {orders} purchases between {start} and {end}.",
        "pl": "{client}: {customers} klientów i {orders} zakupów w okresie od {start} do {end}.",
    },
    "sum.findings": {"en": "Key findings", "pl": "Najważniejsze wnioski"},
    "sum.box.clv": {"en": "CLV per customer", "pl": "CLV na klienta"},
    "sum.box.frequency": {"en": "Purchase frequency", "pl": "Częstotliwość zakupów"},
    "sum.box.retention": {"en": "Annual retention", "pl": "Retencja roczna"},
    "sum.box.aov": {"en": "Average order value", "pl": "Średnia wartość zamówienia"},
    "sum.box.repeat": {"en": "Repeat rate", "pl": "Odsetek powracających"},
    "sum.box.top20": {"en": "Revenue from top 20%", "pl": "Przychód od top 20 %"},
    "sum.box.customers": {"en": "Customers", "pl": "Klienci"},
    "sum.sub.clv": {
        "en": "simple CLV in margin; also the most a new customer may cost",
        "pl": "CLV prosty (marża); zarazem maks. koszt pozyskania klienta",
    },
    "sum.sub.clv_predictive": {
        "en": "margin over {horizon} months, 95% CI {low}–{high}",
        "pl": "marża w {horizon} mies., 95 % PU {low}–{high}",
    },
    "sum.sub.max_cac_no_ci": {"en": "value of a new customer", "pl": "wartość nowego klienta"},
    "sum.sub.clv_predictive_no_ci": {
        "en": "margin over {horizon} months",
        "pl": "marża w {horizon} mies.",
    },
    "sum.sub.caveat.upper_bound": {"en": "upper bound", "pl": "górna granica"},
    "sum.sub.caveat.holdout_miss": {
        "en": "model missed holdout",
        "pl": "model chybił w okresie testowym",
    },
    "sum.box.max_cac": {"en": "Maximum CAC", "pl": "Maksymalny CAC"},
    "sum.box.cac": {"en": "CAC (paid channels)", "pl": "CAC (kanały płatne)"},
    "sum.sub.cac": {
        "en": "spend per new customer",
        "pl": "wydatki na nowego klienta",
    },
    "sum.box.ltv_cac": {"en": "LTV:CAC", "pl": "LTV:CAC"},
    "sum.sub.ltv_cac": {
        "en": "value of a new customer ÷ CAC",
        "pl": "wartość nowego klienta ÷ CAC",
    },
    "sum.sub.max_cac": {
        "en": "value of a new customer, 95% CI {low}–{high}",
        "pl": "wartość nowego klienta, 95 % PU {low}–{high}",
    },
    "sum.sub.frequency": {"en": "purchases per customer a year", "pl": "zakupy klienta rocznie"},
    "sum.sub.retention": {
        "en": "last year's buyers who bought again; {years} years on average",
        "pl": "kupujący sprzed roku, którzy wrócili; średnio {years} roku",
    },
    "sum.sub.aov": {"en": "net of returns", "pl": "netto po zwrotach"},
    "sum.sub.repeat": {"en": "bought at least twice", "pl": "kupili co najmniej dwa razy"},
    "sum.sub.top20": {"en": "share of net revenue", "pl": "udział w przychodzie netto"},
    "sum.sub.customers": {"en": "with a purchase", "pl": "z co najmniej jednym zakupem"},
    "sum.not_run": {
        "en": "Without the exports they need, these steps give no findings here: {steps} (each "
        "step's section says which data would unlock it).",
        "pl": "Bez potrzebnych eksportów te kroki nie dają tu wniosków: {steps} (sekcja każdego "
        "kroku mówi, jakie dane by je odblokowały).",
    },
    # -- appendix B: methods ---------------------------------------------------------------------
    "meth.title": {"en": "Appendix B — Methods", "pl": "Załącznik B — Metody"},
    "meth.definitions": {"en": "Definitions", "pl": "Definicje"},
    "meth.assumptions": {
        "en": "Assumptions from client.yml",
        "pl": "Założenia z client.yml",
    },
    "meth.def.purchase": {
        "en": "<b>Purchase.</b> An order with at least one non-return line. Several orders of "
        "one customer on the same day count as one purchase (same-day merge). Zero-value "
        "orders are purchases.",
        "pl": "<b>Zakup.</b> Zamówienie z co najmniej jedną pozycją niebędącą zwrotem. Kilka "
        "zamówień klienta jednego dnia liczy się jako jeden zakup. Zamówienia o wartości zero "
        "są zakupami.",
    },
    "meth.def.returns": {
        "en": "<b>Returns.</b> Rows with a negative amount or quantity (or flagged as returns) "
        "reduce the customer's net revenue; they are never counted as purchases.",
        "pl": "<b>Zwroty.</b> Wiersze z ujemną kwotą lub ilością (albo oznaczone jako zwrot) "
        "obniżają przychód netto klienta; nigdy nie są liczone jako zakupy.",
    },
    "meth.def.time": {
        "en": "<b>Time units.</b> Model time is measured in weeks of 7 days; a month is "
        "{days_per_month} days and a year 365.25 days.",
        "pl": "<b>Jednostki czasu.</b> Czas w modelach mierzony jest w tygodniach (7 dni); "
        "miesiąc to {days_per_month} dnia, rok 365,25 dnia.",
    },
    "meth.def.margin": {
        "en": "<b>Margin.</b> {margin_rule}",
        "pl": "<b>Marża.</b> {margin_rule}",
    },
    "meth.margin.column": {
        "en": "Taken from the margin column of the transactions.",
        "pl": "Z kolumny marży w transakcjach.",
    },
    "meth.margin.rate": {
        "en": "Revenue × gross margin of {margin} (client.yml economics.gross_margin).",
        "pl": "Przychód × marża brutto {margin} (client.yml economics.gross_margin).",
    },
    "meth.def.discount": {
        "en": "<b>Discounting.</b> Future margin is discounted at {rate} a year.",
        "pl": "<b>Dyskontowanie.</b> Przyszła marża dyskontowana stopą {rate} rocznie.",
    },
    "meth.def.simple_clv": {
        "en": "<b>Simple CLV.</b> Average order value × purchases per year of a customer active "
        "in the last 12 months × expected retention period in years × margin. The retention "
        "period is 1 / (1 − r), r being the annual retention rate (share of last year's "
        "buyers who bought again this year), capped at {cap} years "
        "(economics.retention_period_cap_years): near r = 1 the formula runs to decades.",
        "pl": "<b>CLV prosty.</b> Średnia wartość zamówienia × roczna liczba zakupów klienta "
        "aktywnego w ostatnich 12 miesiącach × oczekiwany okres retencji w latach × marża. "
        "Okres retencji to 1 / (1 − r), gdzie r to roczny wskaźnik retencji (odsetek "
        "zeszłorocznych kupujących, którzy kupili ponownie w tym roku), ograniczony do "
        "{cap} lat (economics.retention_period_cap_years): przy r bliskim 1 wzór daje "
        "dziesiątki lat.",
    },
    "meth.def.retention_formula": {
        "en": "<b>Retention-rate CLV.</b> m · r / (1 + d − r): annual margin per active "
        "customer m, annual retention r, annual discount rate d (an infinite-horizon "
        "geometric-retention value, discounted, counted from the next year's margin).",
        "pl": "<b>CLV z wskaźnika retencji.</b> m · r / (1 + d − r): roczna marża na aktywnego "
        "klienta m, roczna retencja r, roczna stopa dyskontowa d (wartość przy geometrycznej "
        "retencji i nieskończonym horyzoncie, zdyskontowana, liczona od marży przyszłego roku).",
    },
    "meth.def.holdout": {
        "en": "<b>Holdout check.</b> The purchase model is fitted to the data up to the "
        "calibration end and forecasts the repeat purchases (purchase days) of the weeks after "
        "it. Its {level} predictive interval is simulated: in each draw the model's "
        "parameters are drawn from their estimated uncertainty (when the fit gives one), each "
        "customer is still active "
        "with their P(alive) and buys at a rate (and drops out with a probability) drawn from "
        "their own history's posterior. An actual total outside the interval is reported as a "
        "miss, and the CLV interval is then widened by the ratio of actual to forecast "
        "purchases.",
        "pl": "<b>Sprawdzian na okresie testowym.</b> Model zakupów jest dopasowany do danych "
        "do końca okresu kalibracji i prognozuje ponowne zakupy (dni zakupów) w kolejnych "
        "tygodniach. Jego {level} przedział predykcji jest symulowany: w każdym losowaniu "
        "parametry modelu są losowane zgodnie z niepewnością oszacowania (gdy dopasowanie ją "
        "podaje), każdy klient jest "
        "nadal aktywny z własnym P(aktywny) i kupuje z częstością (oraz odchodzi z "
        "prawdopodobieństwem) wylosowaną z rozkładu a posteriori dla jego historii. Wynik "
        "rzeczywisty poza przedziałem raportujemy jako chybioną prognozę, a przedział CLV "
        "poszerzamy wtedy o stosunek zakupów rzeczywistych do prognozowanych.",
    },
    "meth.def.predictive": {
        "en": "<b>Predictive CLV.</b> Purchases follow BG/NBD, MBG/NBD or Pareto/NBD (the one "
        "with the lowest AIC on the calibration period; its holdout forecast is reported beside "
        "it), spend per purchase the Gamma-Gamma model, both fitted by maximum likelihood on "
        "purchase days in weeks (same-day orders merged; the first purchase is not a repeat). "
        "A customer's CLV is margin × expected spend × Σ over months m of the expected purchases "
        "in month m, discounted by (1 + d)^(m/12), over {horizon} months of {days_per_month} "
        "days. A new customer's value adds the first order's margin and uses the population "
        "means. {intervals} Standard errors come from the observed information; a parameter's "
        "95% interval is the Wald interval of its logarithm, θ·exp(±1.96·se/θ), so it stays "
        "positive like the parameter.",
        "pl": "<b>CLV predykcyjny.</b> Zakupy opisuje model BG/NBD, MBG/NBD lub Pareto/NBD (ten "
        "o najniższym AIC w okresie kalibracji; obok podajemy jego prognozę na okres testowy), "
        "wartość zakupu: model Gamma-Gamma; oba dopasowane metodą największej wiarygodności do "
        "dni zakupów w tygodniach (zamówienia z jednego dnia łączone; pierwszy zakup nie jest "
        "ponownym). CLV klienta to marża × oczekiwana wartość zakupu × suma po miesiącach m "
        "oczekiwanej liczby zakupów w miesiącu m, dyskontowanej przez (1 + d)^(m/12), w "
        "horyzoncie {horizon} miesięcy po {days_per_month} dnia. Wartość nowego klienta dodaje "
        "marżę pierwszego zamówienia i korzysta ze średnich populacyjnych. {intervals} Błędy "
        "standardowe pochodzą z obserwowanej macierzy informacji; 95-procentowy przedział "
        "parametru to przedział Walda dla jego logarytmu, θ·exp(±1,96·se/θ), więc jak parametr "
        "pozostaje dodatni.",
    },
    "meth.intervals.bootstrap": {
        "en": "Intervals are percentile intervals of {n_boot} bootstrap resamples of customers "
        "with both models refitted.",
        "pl": "Przedziały to przedziały percentylowe z {n_boot} prób bootstrapowych klientów "
        "z ponownie dopasowanymi modelami.",
    },
    "meth.intervals.one_step": {
        "en": "Intervals are percentile intervals of {n_boot} bootstrap resamples of customers; "
        "with more than {exact} customers each resample moves both models' estimates by one "
        "Newton step (the full fit's observed information) instead of refitting them, which "
        "has the same limiting distribution.",
        "pl": "Przedziały to przedziały percentylowe z {n_boot} prób bootstrapowych klientów; "
        "przy ponad {exact} klientach w każdej próbie oszacowania obu modeli przesuwa jeden "
        "krok Newtona (z obserwowanej macierzy informacji pełnego dopasowania) zamiast "
        "ponownego dopasowania, o tym samym rozkładzie granicznym.",
    },
    "meth.def.funnel": {
        "en": "<b>Funnel and communication.</b> A session reaches every funnel step up to the "
        "furthest one it logged; an abandoned cart is a session that reached the cart step but "
        "not the last one, valued at the average order value (an estimate). Time to the second "
        "purchase is measured over the first 180 days of customers whose first purchase lies at "
        "least 180 days before the end of the data. CTR = clicks / messages sent; a customer's "
        "messages per week are counted over the weeks they stayed subscribed; rates carry Wilson "
        "95% intervals. The point where more messages stop paying maximises expected clicks per "
        "customer over a year, c·m·(1 − e^(−u·m·52))/(u·m) for CTR c, unsubscribes per message u "
        "and m messages a week.",
        "pl": "<b>Lejek i komunikacja.</b> Sesja dociera do każdego etapu lejka aż do "
        "najdalszego zarejestrowanego; porzucony koszyk to sesja, która dotarła do etapu koszyka, "
        "ale nie do ostatniego, wyceniona średnią wartością zamówienia (szacunek). Czas do "
        "drugiego zakupu mierzymy w pierwszych 180 dniach u klientów, których pierwszy zakup był "
        "co najmniej 180 dni przed końcem danych. CTR = kliknięcia / wysłane komunikaty; "
        "komunikaty tygodniowo liczymy na tygodnie, w których klient był zapisany; wskaźniki "
        "mają przedziały Wilsona 95 %. Granica opłacalności maksymalizuje oczekiwane kliknięcia "
        "klienta w roku, c·m·(1 − e^(−u·m·52))/(u·m) dla CTR c, wypisań na komunikat u i m "
        "komunikatów tygodniowo.",
    },
    "meth.def.channels": {
        "en": "<b>Channels.</b> New customers of a channel are those acquired within the months "
        "covered by the spend data; CAC = spend / new customers in the same window. A new "
        "customer's value comes from step I's purchase model with the acquisition channel and "
        "loyalty membership as covariates (CLVTools' parametrisation: the channel scales the "
        "purchase rate's and the drop-out's Gamma/Beta parameters) when a likelihood-ratio "
        'test rejects "no covariate effect" at 5%, else from the one model for all '
        "customers; intervals from the estimates' asymptotic distribution. Payback is the "
        "first month in which cumulative margin per new customer reaches the CAC. Spend "
        "response: least squares of log new customers on log spend per month (HC3 standard "
        "errors, Duan's smearing); the marginal CAC is the inverse slope at the channel's mean "
        "spend.",
        "pl": "<b>Kanały.</b> Nowi klienci kanału to pozyskani w miesiącach objętych danymi o "
        "wydatkach; CAC = wydatki / nowi klienci w tym samym okresie. Wartość nowego klienta "
        "pochodzi z modelu zakupów z kroku I z kanałem pozyskania i członkostwem w programie "
        "lojalnościowym jako zmiennymi objaśniającymi (parametryzacja CLVTools: kanał skaluje "
        "parametry rozkładów Gamma/Beta częstości zakupów i odejść), gdy test ilorazu "
        "wiarygodności odrzuca na poziomie 5 % brak wpływu tych zmiennych, a w przeciwnym razie "
        "z jednego modelu dla wszystkich klientów; przedziały z asymptotycznego rozkładu ocen. "
        "Okres zwrotu to pierwszy miesiąc, w którym skumulowana marża na nowego klienta "
        "osiąga CAC. Reakcja na wydatki: metoda najmniejszych kwadratów dla logarytmu nowych "
        "klientów względem logarytmu miesięcznych wydatków (błędy HC3, korekta Duana); krańcowy "
        "CAC to odwrotność nachylenia przy średnich wydatkach kanału.",
    },
    "meth.def.differences": {
        "en": "<b>Differences.</b> A highest and a lowest group (sales reps, traffic sources, "
        "message channels, the lightest and the heaviest message load) are named only when a "
        "two-sided test at 5% finds them different, with every pair of groups counted "
        "(Bonferroni: p below 5% divided by the number of pairs), because the two were picked "
        "after looking. Rates are compared by the pooled two-proportion z-test (Fisher's exact "
        "test for small counts), sales reps' churn by a Wald test in which each customer's "
        "purchases count together; otherwise the report says that no difference was found. "
        "Loyalty members are compared with the others by a bootstrap interval of the lift.",
        "pl": "<b>Różnice.</b> Najwyższą i najniższą grupę (opiekunów, źródła ruchu, kanały "
        "komunikatów, najmniejsze i największe obciążenie komunikatami) wskazujemy tylko wtedy, "
        "gdy dwustronny test na poziomie 5 % uznaje je za różne, z uwzględnieniem wszystkich par "
        "grup (Bonferroni: p poniżej 5 % podzielonych przez liczbę par), bo obie wybrano po "
        "obejrzeniu danych. Wskaźniki porównuje test z dla dwóch proporcji (dla małych liczności "
        "dokładny test Fishera), odsetek odejść u opiekunów test Walda, w którym zakupy jednego "
        "klienta liczą się razem; w przeciwnym razie raport stwierdza, że różnicy nie znaleziono. "
        "Członków programu lojalnościowego porównujemy z pozostałymi przedziałem bootstrapowym "
        "różnicy.",
    },
    "meth.def.pseudonyms": {
        "en": "<b>Privacy.</b> Customer identifiers shown in tables are keyed hashes "
        "(HMAC-SHA256); the key is kept outside the report.",
        "pl": "<b>Prywatność.</b> Identyfikatory klientów w tabelach to skróty z kluczem "
        "(HMAC-SHA256); klucz przechowywany jest poza raportem.",
    },
    # -- column labels ---------------------------------------------------------------------------
    "col.table": {"en": "Table", "pl": "Tabela"},
    "col.file": {"en": "File", "pl": "Plik"},
    "col.rows_read": {"en": "Rows read", "pl": "Wczytane"},
    "col.rows_used": {"en": "Used", "pl": "Użyte"},
    "col.rows_excluded": {"en": "Excluded", "pl": "Wykluczone"},
    "col.returns": {"en": "Returns", "pl": "Zwroty"},
    "col.reconciles": {"en": "Reconciles", "pl": "Zgodne"},
    "col.reason": {"en": "Reason", "pl": "Powód"},
    "col.meaning": {"en": "Meaning", "pl": "Znaczenie"},
    "col.rows": {"en": "Rows", "pl": "Wiersze"},
    "col.canonical": {"en": "Field", "pl": "Pole"},
    "col.client_column": {"en": "Client's column", "pl": "Kolumna klienta"},
    "col.source_row": {"en": "Row", "pl": "Wiersz"},
    "col.key": {"en": "Key", "pl": "Klucz"},
    "col.value": {"en": "Value", "pl": "Wartość"},
    "col.customer_id": {"en": "Customer", "pl": "Klient"},
    # -- reasons (data quality) -------------------------------------------------------------------
    "reason.missing_customer_id": {"en": "no customer id", "pl": "brak identyfikatora klienta"},
    "reason.missing_order_id": {"en": "no order id", "pl": "brak numeru zamówienia"},
    "reason.missing_required_value": {
        "en": "a required value is empty",
        "pl": "pusta wymagana wartość",
    },
    "reason.unparseable_date": {
        "en": "date cannot be read with the configured format",
        "pl": "data nieczytelna w skonfigurowanym formacie",
    },
    "reason.impossible_date": {
        "en": "date that does not exist (e.g. 31.02)",
        "pl": "nieistniejąca data (np. 31.02)",
    },
    "reason.future_date": {
        "en": "date in the future (after the day the data were loaded)",
        "pl": "data z przyszłości (po dniu wczytania danych)",
    },
    "reason.non_numeric_amount": {"en": "amount is not a number", "pl": "kwota nie jest liczbą"},
    "reason.negative_spend": {
        "en": "negative marketing spend",
        "pl": "ujemny wydatek marketingowy",
    },
    "reason.conflicting_order_id": {
        "en": "order number used for more than one customer",
        "pl": "numer zamówienia użyty dla więcej niż jednego klienta",
    },
    "reason.duplicate_row": {
        "en": "exact duplicate of an earlier row",
        "pl": "dokładny duplikat wcześniejszego wiersza",
    },
    "reason.outside_window": {
        "en": "outside the observation window",
        "pl": "poza okresem obserwacji",
    },
    "reason.unknown_funnel_step": {
        "en": "funnel step not listed in funnel.steps",
        "pl": "etap lejka spoza funnel.steps",
    },
    "table.transactions": {"en": "transactions", "pl": "transakcje"},
    "table.customers": {"en": "customers", "pl": "klienci"},
    "table.marketing_spend": {"en": "marketing spend", "pl": "wydatki marketingowe"},
    "table.messages": {"en": "messages", "pl": "komunikaty"},
    "table.sessions": {"en": "sessions", "pl": "sesje"},
    "yes": {"en": "yes", "pl": "tak"},
    "no": {"en": "no", "pl": "nie"},
    # -- step II: funnel and communication -----------------------------------------------------
    "funnel.title": {
        "en": "Step II — Funnel and communication: where are buyers lost?",
        "pl": "Krok II — Lejek i komunikacja: gdzie tracimy kupujących?",
    },
    "funnel.question": {
        "en": "How many visits end in a purchase, where the others stop, what abandoned carts "
        "are worth, when a follow-up after the first purchase works best, and whether customers "
        "get more messages than pay.",
        "pl": "Ile wizyt kończy się zakupem, gdzie zatrzymują się pozostałe, ile są warte "
        "porzucone koszyki, kiedy najlepiej działa kontakt po pierwszym zakupie i czy klienci "
        "nie dostają więcej komunikatów, niż to się opłaca.",
    },
    "funnel.no_sessions": {
        "en": "No sessions export was provided, so the funnel, its drop-offs and abandoned carts "
        "are not measured. They need web analytics with one row per session and step "
        "(session_id, ts, step; optionally source and customer_id).",
        "pl": "Nie przekazano eksportu sesji, więc lejek, jego ubytki i porzucone koszyki nie są "
        "mierzone. Potrzebne są dane analityki internetowej: wiersz na sesję i etap (session_id, "
        "ts, step; opcjonalnie source i customer_id).",
    },
    "funnel.no_messages": {
        "en": "No messages export was provided, so campaign response and message overload are "
        "not measured. They need one row per message sent (customer_id, sent_at, channel; "
        "optionally opened_at, clicked_at, unsubscribed_at and the attributed order_id).",
        "pl": "Nie przekazano eksportu komunikatów, więc skuteczność kampanii i nadmiar "
        "komunikatów nie są mierzone. Potrzebny jest wiersz na wysłany komunikat (customer_id, "
        "sent_at, channel; opcjonalnie opened_at, clicked_at, unsubscribed_at i przypisane "
        "order_id).",
    },
    "funnel.steps.title": {"en": "The sales funnel", "pl": "Lejek sprzedaży"},
    "funnel.steps.finding": {
        "en": "Of <b>{sessions}</b> sessions, {purchases} ended in a purchase (<b>{conversion}"
        "</b>). The biggest loss is between <b>{from_step}</b> and <b>{to_step}</b>: {lost} "
        "sessions ({lost_rate}) go no further.",
        "pl": "Z <b>{sessions}</b> sesji {purchases} zakończyło się zakupem (<b>{conversion}</b>). "
        "Największy ubytek jest między etapami <b>{from_step}</b> i <b>{to_step}</b>: {lost} "
        "sesji ({lost_rate}) nie idzie dalej.",
    },
    "funnel.steps.no_loss": {
        "en": "Of <b>{sessions}</b> sessions, {purchases} ended in a purchase (<b>{conversion}"
        "</b>): no step of the funnel loses sessions.",
        "pl": "Z <b>{sessions}</b> sesji {purchases} zakończyło się zakupem (<b>{conversion}</b>): "
        "żaden etap lejka nie traci sesji.",
    },
    "funnel.steps.empty": {
        "en": "The sessions export has no session at any step of funnel.steps ({steps}), so the "
        "funnel is not measured; check that funnel.steps in client.yml names the steps as the "
        "export does.",
        "pl": "Eksport sesji nie zawiera żadnej sesji na etapach z funnel.steps ({steps}), więc "
        "lejek nie jest mierzony; sprawdź, czy funnel.steps w client.yml nazywa etapy tak jak "
        "eksport.",
    },
    "funnel.steps.fig": {
        "en": "Sessions reaching each step of the funnel",
        "pl": "Sesje docierające do kolejnych etapów lejka",
    },
    "funnel.sources.finding": {
        "en": "By traffic source, visit-to-purchase conversion ranges from <b>{low}</b> "
        "({low_source}) to <b>{high}</b> ({high_source}).",
        "pl": "W podziale na źródła ruchu konwersja od wizyty do zakupu wynosi od <b>{low}</b> "
        "({low_source}) do <b>{high}</b> ({high_source}).",
    },
    "funnel.sources.no_difference": {
        "en": "By traffic source, visit-to-purchase conversion ranges from {low} to {high} over "
        "{sources} sources, but no difference between sources was found: a spread this wide is "
        "within chance (a test at 5% with every pair of sources accounted for).",
        "pl": "W podziale na źródła ruchu konwersja od wizyty do zakupu wynosi od {low} do {high} "
        "w {sources} źródłach, ale nie stwierdzono różnicy między źródłami: taki rozrzut mieści "
        "się w granicach przypadku (test na poziomie 5 % z uwzględnieniem wszystkich par "
        "źródeł).",
    },
    "funnel.sources.same": {
        "en": "Visit-to-purchase conversion is <b>{rate}</b> in every traffic source ({sources}).",
        "pl": "Konwersja od wizyty do zakupu wynosi <b>{rate}</b> w każdym źródle ruchu "
        "({sources}).",
    },
    "funnel.sources.fig": {
        "en": "Conversion from the previous step by traffic source",
        "pl": "Konwersja z poprzedniego etapu według źródła ruchu",
    },
    "funnel.carts.title": {"en": "Abandoned carts", "pl": "Porzucone koszyki"},
    "funnel.carts.finding": {
        "en": "<b>{carts}</b> sessions put something in the cart and did not buy ({rate} of "
        "carts): about <b>{value}</b> at stake (abandoned carts × average order value {aov}, an "
        "estimate). A reminder campaign that wins back {recovery} of them would bring about "
        "<b>{recovered}</b>.",
        "pl": "<b>{carts}</b> sesji dodało produkt do koszyka i nie kupiło ({rate} koszyków): "
        "w grze jest około <b>{value}</b> (porzucone koszyki × średnia wartość zamówienia {aov}, "
        "szacunek). Kampania przypominająca, która odzyska {recovery} z nich, przyniesie około "
        "<b>{recovered}</b>.",
    },
    "funnel.carts.finding_no_value": {
        "en": "<b>{carts}</b> sessions put something in the cart and did not buy ({rate} of "
        "carts); their value is not estimated because no purchase gives an average order value.",
        "pl": "<b>{carts}</b> sesji dodało produkt do koszyka i nie kupiło ({rate} koszyków); ich "
        "wartość nie jest szacowana, bo brak zakupów, z których wynikałaby średnia wartość "
        "zamówienia.",
    },
    "funnel.carts.none": {
        "en": "No session reached the cart step (<b>{step}</b>), so there are no abandoned carts "
        "to measure.",
        "pl": "Żadna sesja nie dotarła do etapu koszyka (<b>{step}</b>), więc nie ma porzuconych "
        "koszyków do zmierzenia.",
    },
    "funnel.carts.no_cart_step": {
        "en": "No step of the funnel ({steps}) reads as the cart, so abandoned carts and their "
        "value are not measured; name the step in client.yml (funnel.cart_step) or call it "
        'e.g. "cart" or "koszyk" to unlock them.',
        "pl": "Żaden etap lejka ({steps}) nie wygląda na koszyk, więc porzucone koszyki i ich "
        "wartość nie są mierzone; wskaż etap w client.yml (funnel.cart_step) albo nazwij go np. "
        '"koszyk" lub "cart", aby je odblokować.',
    },
    "funnel.carts.inferred": {
        "en": "The cart step is taken to be <b>{step}</b> ({how}); set funnel.cart_step in "
        "client.yml to choose another.",
        "pl": "Za etap koszyka przyjęto <b>{step}</b> ({how}); inny można wskazać w client.yml "
        "(funnel.cart_step).",
    },
    "funnel.carts.how.name": {"en": "its name reads as a cart", "pl": "nazwa wskazuje koszyk"},
    "funnel.carts.how.before_checkout": {
        "en": "the step before checkout",
        "pl": "etap przed kasą",
    },
    "funnel.carts.fig": {
        "en": "Abandoned carts by traffic source: value at stake and what a reminder wins back",
        "pl": "Porzucone koszyki według źródła ruchu: wartość w grze i odzysk kampanii",
    },
    "funnel.second.title": {
        "en": "From the first to the second purchase",
        "pl": "Od pierwszego do drugiego zakupu",
    },
    "funnel.second.rate": {
        "en": "Of the {customers} customers followed for {horizon} days after their first "
        "purchase, <b>{rate}</b> bought again ({ci}).",
        "pl": "Spośród {customers} klientów obserwowanych przez {horizon} dni po pierwszym zakupie "
        "<b>{rate}</b> kupiło ponownie ({ci}).",
    },
    "funnel.second.timing": {
        "en": "Half of those second purchases come within <b>{median} days</b>, a quarter within "
        "{p25} and three quarters within {p75}.",
        "pl": "Połowa drugich zakupów następuje w ciągu <b>{median} dni</b>, jedna czwarta w ciągu "
        "{p25}, trzy czwarte w ciągu {p75}.",
    },
    "funnel.second.timing_one_day": {
        "en": "At least half of those second purchases come on day <b>{median}</b> after the "
        "first.",
        "pl": "Co najmniej połowa drugich zakupów następuje <b>{median}.</b> dnia po pierwszym.",
    },
    "funnel.second.no_repeat": {
        "en": "Of the {customers} customers followed for {horizon} days after their first "
        "purchase, none bought again within that time, so there is no timing of the second "
        "purchase to measure.",
        "pl": "Spośród {customers} klientów obserwowanych przez {horizon} dni po pierwszym zakupie "
        "nikt nie kupił ponownie w tym czasie, więc nie ma czasu do drugiego zakupu do zmierzenia.",
    },
    "funnel.ci": {"en": "95% CI {low}–{high}", "pl": "95 % PU {low}–{high}"},
    "funnel.ci_tight": {
        "en": "95% CI the same to the digits shown",
        "pl": "95 % PU takie samo w podanej dokładności",
    },
    "funnel.second.window": {
        "en": "A follow-up (for example a discount coupon) sent between day <b>{start}</b> and "
        "day <b>{end}</b> after the first purchase still reaches <b>{reach}</b> of the customers "
        "who will buy again, before they do.",
        "pl": "Kontakt po zakupie (np. kupon rabatowy) wysłany między <b>{start}.</b> a "
        "<b>{end}.</b> dniem po pierwszym zakupie dociera jeszcze do <b>{reach}</b> klientów, "
        "którzy kupią ponownie, zanim to zrobią.",
    },
    "funnel.second.window_one_day": {
        "en": "A follow-up (for example a discount coupon) sent on day <b>{day}</b> after the "
        "first purchase still reaches <b>{reach}</b> of the customers who will buy again, "
        "before they do; a week later it reaches fewer.",
        "pl": "Kontakt po zakupie (np. kupon rabatowy) wysłany <b>{day}.</b> dnia po pierwszym "
        "zakupie dociera jeszcze do <b>{reach}</b> klientów, którzy kupią ponownie — zanim to "
        "zrobią; tydzień później dociera do mniejszej liczby.",
    },
    "funnel.second.no_window": {
        "en": "Second purchases come so soon that a follow-up a week after the first purchase "
        "reaches fewer than {min_reach} of second buyers; put the offer in the order "
        "confirmation instead.",
        "pl": "Drugie zakupy następują tak szybko, że kontakt tydzień po pierwszym zakupie "
        "dociera do mniej niż {min_reach} kupujących ponownie; ofertę lepiej umieścić w "
        "potwierdzeniu zamówienia.",
    },
    "funnel.second.none": {
        "en": "No customer can be followed for {horizon} days after the first purchase within "
        "the data window, so the time to the second purchase is not measured.",
        "pl": "W okresie danych żadnego klienta nie da się obserwować przez {horizon} dni po "
        "pierwszym zakupie, więc czas do drugiego zakupu nie jest mierzony.",
    },
    "funnel.second.fig": {
        "en": "Second purchases by days after the first (shaded: recommended follow-up window)",
        "pl": "Drugie zakupy według dni od pierwszego (zacieniowane: zalecane okno kontaktu)",
    },
    "funnel.campaigns.title": {
        "en": "Campaigns by message channel",
        "pl": "Kampanie według kanału komunikacji",
    },
    "funnel.campaigns.ctr": {
        "en": "Of {sent} messages, <b>{best}</b> gets the highest click-through "
        "(<b>{best_ctr}</b>) and <b>{worst}</b> the lowest ({worst_ctr}).",
        "pl": "Z {sent} komunikatów najwyższy współczynnik klikalności ma <b>{best}</b> "
        "(<b>{best_ctr}</b>), najniższy <b>{worst}</b> ({worst_ctr}).",
    },
    "funnel.campaigns.ctr_no_difference": {
        "en": "Of {sent} messages, click-through ranges from {low} to {high} over {channels} "
        "channels, but no difference between channels was found: a spread this wide is within "
        "chance (a test at 5% with every pair of channels accounted for).",
        "pl": "Z {sent} komunikatów współczynnik klikalności wynosi od {low} do {high} w "
        "{channels} kanałach, ale nie stwierdzono różnicy między kanałami: taki rozrzut mieści "
        "się w granicach przypadku (test na poziomie 5 % z uwzględnieniem wszystkich par "
        "kanałów).",
    },
    "funnel.campaigns.ctr_one": {
        "en": "Of {sent} messages ({channels}), click-through is <b>{ctr}</b>.",
        "pl": "Z {sent} komunikatów ({channels}) współczynnik klikalności wynosi <b>{ctr}</b>.",
    },
    "funnel.campaigns.no_clicks": {
        "en": "{sent} messages were sent; clicks are not recorded in the messages export (no "
        "clicked_at), so click-through is not measured.",
        "pl": "Wysłano {sent} komunikatów; eksport nie zawiera kliknięć (brak clicked_at), więc "
        "klikalność nie jest mierzona.",
    },
    "funnel.campaigns.attributed": {
        "en": "Messages are credited with {orders} orders worth {revenue}.",
        "pl": "Komunikatom przypisano {orders} zamówień o wartości {revenue}.",
    },
    "funnel.campaigns.attributed_no_value": {
        "en": "Messages are credited with {orders} orders; their value is not known because the "
        "transactions carry no order number to match them.",
        "pl": "Komunikatom przypisano {orders} zamówień; ich wartość nie jest znana, bo "
        "transakcje nie mają numeru zamówienia, po którym można je dopasować.",
    },
    "funnel.campaigns.no_attribution": {
        "en": "The messages export has no attributed order (order_id), so the orders that "
        "messages bring are not measured.",
        "pl": "Eksport komunikatów nie zawiera przypisanych zamówień (order_id), więc zamówienia "
        "przynoszone przez komunikaty nie są mierzone.",
    },
    "funnel.campaigns.no_opens": {
        "en": "Opens are not tracked for {channels}; their open rate is left blank, not zero.",
        "pl": "Otwarcia nie są mierzone dla: {channels}; ich wskaźnik otwarć pozostaje pusty, "
        "a nie zerowy.",
    },
    "funnel.campaigns.fig": {
        "en": "Open rate, click-through and click-to-open by channel",
        "pl": "Otwarcia, klikalność i kliknięcia z otwartych według kanału",
    },
    "funnel.fatigue.title": {"en": "Message overload", "pl": "Nadmiar komunikatów"},
    "funnel.fatigue.load": {
        "en": "<b>{above}</b> of messaged customers get more than {cap} messages a week.",
        "pl": "<b>{above}</b> klientów otrzymujących komunikaty dostaje ich więcej niż {cap} "
        "tygodniowo.",
    },
    "funnel.fatigue.ctr_falls": {
        "en": "Click-through falls from {ctr_first} at {first} to {ctr_last} at {last} messages "
        "a week.",
        "pl": "Klikalność spada z {ctr_first} przy {first} do {ctr_last} przy {last} komunikatach "
        "tygodniowo.",
    },
    "funnel.fatigue.ctr_rises": {
        "en": "Click-through rises from {ctr_first} at {first} to {ctr_last} at {last} messages "
        "a week.",
        "pl": "Klikalność rośnie z {ctr_first} przy {first} do {ctr_last} przy {last} "
        "komunikatach tygodniowo.",
    },
    "funnel.fatigue.ctr_no_difference": {
        "en": "Click-through is {ctr_first} at {first} and {ctr_last} at {last} messages a week: "
        "no difference was found, the gap is within chance (a test at 5%).",
        "pl": "Klikalność wynosi {ctr_first} przy {first} i {ctr_last} przy {last} komunikatach "
        "tygodniowo: nie stwierdzono różnicy, ta rozbieżność mieści się w granicach przypadku "
        "(test na poziomie 5 %).",
    },
    "funnel.fatigue.ctr_flat": {
        "en": "Click-through is {ctr_first} both at {first} and at {last} messages a week.",
        "pl": "Klikalność wynosi {ctr_first} zarówno przy {first}, jak i przy {last} "
        "komunikatach tygodniowo.",
    },
    "funnel.fatigue.no_clicks": {
        "en": "Clicks are not recorded in the messages export (no clicked_at), so how response "
        "changes with the number of messages, and where more messages stop paying, is not "
        "measured.",
        "pl": "Eksport komunikatów nie zawiera kliknięć (brak clicked_at), więc nie mierzymy, jak "
        "reakcja zmienia się z liczbą komunikatów ani od kiedy kolejne przestają się opłacać.",
    },
    "funnel.fatigue.unsub_rises": {
        "en": "Unsubscribes rise from {unsub_first} to {unsub_last} per message.",
        "pl": "Wypisania rosną z {unsub_first} do {unsub_last} na komunikat.",
    },
    "funnel.fatigue.unsub_falls": {
        "en": "Unsubscribes fall from {unsub_first} to {unsub_last} per message.",
        "pl": "Wypisania spadają z {unsub_first} do {unsub_last} na komunikat.",
    },
    "funnel.fatigue.unsub_no_difference": {
        "en": "Unsubscribes are {unsub_first} and {unsub_last} per message at the lightest and "
        "the heaviest load: no difference was found, the gap is within chance (a test at 5%).",
        "pl": "Wypisania wynoszą {unsub_first} i {unsub_last} na komunikat przy najmniejszym i "
        "największym obciążeniu: nie stwierdzono różnicy, ta rozbieżność mieści się w granicach "
        "przypadku (test na poziomie 5 %).",
    },
    "funnel.fatigue.unsub_flat": {
        "en": "Unsubscribes stay at {unsub_first} per message.",
        "pl": "Wypisania pozostają na poziomie {unsub_first} na komunikat.",
    },
    "funnel.fatigue.no_unsub": {
        "en": "There are no unsubscribe data (no unsubscribed_at in the messages export), so what "
        "more messages cost in unsubscribes, and where they stop paying, is not measured.",
        "pl": "Brak danych o wypisaniach (brak unsubscribed_at w eksporcie komunikatów), więc nie "
        "mierzymy, ile wypisań kosztują kolejne komunikaty ani od kiedy przestają się opłacać.",
    },
    "funnel.fatigue.limit": {
        "en": "Expected clicks per customer peak at about <b>{limit} messages a week</b>; beyond "
        "that more messages stop paying.",
        "pl": "Oczekiwana liczba kliknięć na klienta jest największa przy około <b>{limit} "
        "komunikatach tygodniowo</b>; powyżej kolejne komunikaty przestają się opłacać.",
    },
    "funnel.fatigue.limit_top": {
        "en": "Expected clicks per customer still rise at the highest load observed ({limit} "
        "messages a week and more): no point where more messages stop paying is visible in "
        "these data.",
        "pl": "Oczekiwana liczba kliknięć na klienta rośnie jeszcze przy najwyższym obserwowanym "
        "obciążeniu ({limit} komunikatów tygodniowo i więcej): w tych danych nie widać punktu, "
        "od którego kolejne komunikaty przestają się opłacać.",
    },
    "funnel.fatigue.limit_lightest": {
        "en": "Expected clicks per customer are highest at the lightest load observed, <b>{limit} "
        "messages a week</b>, and fall above it: more messages stop paying from there on, and "
        "whether a lighter load would pay still more these data cannot show.",
        "pl": "Oczekiwana liczba kliknięć na klienta jest największa przy najmniejszym "
        "obserwowanym obciążeniu, <b>{limit} komunikatach tygodniowo</b>, i spada powyżej niego: "
        "od tego miejsca kolejne komunikaty przestają się opłacać, a czy mniejsze obciążenie "
        "opłaciłoby się jeszcze bardziej, tych danych nie da się ocenić.",
    },
    "funnel.fatigue.limit_unclear": {
        "en": "Expected clicks per customer are highest at about {limit} messages a week in these "
        "data, but neither click-through nor unsubscribes differ measurably between the lightest "
        "and the heaviest load, so this is no limit the data support: no cap is recommended.",
        "pl": "Oczekiwana liczba kliknięć na klienta jest w tych danych największa przy około "
        "{limit} komunikatach tygodniowo, ale ani współczynnik kliknięć, ani odsetek wypisań nie "
        "różnią się wyraźnie między najmniejszym a największym obciążeniem, więc dane nie "
        "potwierdzają takiego limitu: nie zalecamy ograniczenia.",
    },
    "funnel.fatigue.fig": {
        "en": "Click-through and unsubscribes by messages per week (95% CI)",
        "pl": "Klikalność i wypisania według liczby komunikatów tygodniowo (95 % PU)",
    },
    "funnel.fatigue.note": {
        "en": "Messages per week count the weeks a customer stayed subscribed, so those who "
        "unsubscribed are rated by the load that made them leave; customers who joined during "
        "the message window are rated slightly too low.",
        "pl": "Komunikaty tygodniowo liczymy na tygodnie, w których klient był zapisany, więc "
        "wypisani są oceniani według obciążenia, które ich zniechęciło; klienci, którzy "
        "dołączyli w trakcie okresu komunikatów, mają zaniżoną wartość.",
    },
    "funnel.step.visit": {"en": "visit", "pl": "wizyta"},
    "funnel.step.product_view": {"en": "product view", "pl": "karta produktu"},
    "funnel.step.add_to_cart": {"en": "add to cart", "pl": "dodanie do koszyka"},
    "funnel.step.checkout": {"en": "checkout", "pl": "kasa"},
    "funnel.step.purchase": {"en": "purchase", "pl": "zakup"},
    "funnel.axis.sessions": {"en": "sessions", "pl": "sesje"},
    "funnel.axis.days": {
        "en": "days after the first purchase",
        "pl": "dni od pierwszego zakupu",
    },
    "funnel.axis.second": {"en": "second purchases", "pl": "drugie zakupy"},
    "ret.axis.days_since_purchase": {"en": "days since a purchase", "pl": "dni od zakupu"},
    "ret.axis.days_between": {"en": "days between purchases", "pl": "dni między zakupami"},
    "funnel.axis.value": {
        "en": "value ({currency}; abandoned carts × AOV, an estimate)",
        "pl": "wartość ({currency}; porzucone koszyki × AOV, szacunek)",
    },
    "funnel.axis.share": {"en": "share of messages", "pl": "udział komunikatów"},
    "funnel.axis.per_week": {
        "en": "messages per customer and week",
        "pl": "komunikaty na klienta tygodniowo",
    },
    "funnel.legend.median": {"en": "median", "pl": "mediana"},
    "funnel.legend.window": {"en": "recommended follow-up window", "pl": "zalecane okno kontaktu"},
    "funnel.legend.abandoned": {"en": "abandoned carts", "pl": "porzucone koszyki"},
    "funnel.legend.recovered": {
        "en": "won back by a reminder",
        "pl": "odzyskane przypomnieniem",
    },
    "funnel.legend.all": {"en": "all sessions", "pl": "wszystkie sesje"},
    "funnel.legend.total": {"en": "visit → purchase", "pl": "wizyta → zakup"},
    "funnel.legend.open_rate": {"en": "open rate", "pl": "otwarcia"},
    "funnel.legend.ctr": {"en": "click-through (CTR)", "pl": "klikalność (CTR)"},
    "funnel.legend.click_to_open": {"en": "click-to-open", "pl": "kliknięcia z otwartych"},
    "funnel.legend.ctr_ci": {
        "en": "click-through per message (95% CI)",
        "pl": "klikalność na komunikat (95 % PU)",
    },
    "funnel.legend.unsubscribe_ci": {
        "en": "unsubscribes per message (95% CI)",
        "pl": "wypisania na komunikat (95 % PU)",
    },
    "funnel.legend.cap": {"en": "contact cap", "pl": "limit kontaktów"},
    "funnel.legend.limit": {"en": "more messages stop paying", "pl": "granica opłacalności"},
    # -- step III: acquisition channels -----------------------------------------------------------
    "channels.title": {
        "en": "Step III — Acquisition channels: what a customer costs and what it is worth",
        "pl": "Krok III — Kanały pozyskania: ile kosztuje klient i ile jest wart",
    },
    "channels.question": {
        "en": "For each acquisition channel: how much a new customer costs (CAC), what they "
        "are worth (CLV), how long they take to pay back, and where the next unit of budget "
        "buys the most value.",
        "pl": "Dla każdego kanału pozyskania: ile kosztuje nowy klient (CAC), ile jest wart "
        "(CLV), po jakim czasie się zwraca i gdzie kolejna złotówka budżetu kupi najwięcej "
        "wartości.",
    },
    "channels.no_customers": {
        "en": "No customers export with an acquisition channel was provided, so step III "
        "cannot attribute customers to channels. It needs customer_id, acquisition_channel and "
        "acquired_at per customer, and marketing spend per channel and month.",
        "pl": "Nie przekazano eksportu klientów z kanałem pozyskania, więc w kroku III nie da "
        "się przypisać klientów do kanałów. Potrzebne są customer_id, acquisition_channel i "
        "acquired_at dla każdego klienta oraz wydatki marketingowe według kanału i miesiąca.",
    },
    "channels.no_spend": {
        "en": "No marketing spend was provided, so CAC, LTV:CAC and payback cannot be computed; "
        "the table shows new customers and their value only. They need spend per channel and "
        "month (period, channel, spend).",
        "pl": "Nie przekazano wydatków marketingowych, więc CAC, LTV:CAC i okresu zwrotu nie da "
        "się policzyć; tabela pokazuje tylko nowych klientów i ich wartość. Potrzebne są "
        "wydatki według kanału i miesiąca (period, channel, spend).",
    },
    "channels.overall": {
        "en": "From {start} to {end}, {spend} of marketing spend brought {new} new customers in "
        "paid channels: <b>{cac}</b> per customer, against a value of {clv} per customer "
        "(<b>LTV:CAC {ltv_cac}</b>).",
        "pl": "Od {start} do {end} wydatki marketingowe {spend} przyniosły {new} nowych klientów "
        "w kanałach płatnych: <b>{cac}</b> na klienta wobec wartości {clv} na klienta "
        "(<b>LTV:CAC {ltv_cac}</b>).",
    },
    "channels.organic_more": {
        "en": "Organic channels and referrals brought {organic} more at no media cost.",
        "pl": "Kanały organiczne i polecenia przyniosły kolejnych {organic} bez kosztów mediowych.",
    },
    "channels.overall_no_new": {
        "en": "From {start} to {end}, {spend} of marketing spend brought no new customer recorded "
        "under a paid channel, so the cost of acquiring one cannot be computed.",
        "pl": "Od {start} do {end} wydatki marketingowe {spend} nie przyniosły żadnego nowego "
        "klienta przypisanego do kanału płatnego, więc kosztu pozyskania nie da się policzyć.",
    },
    "channels.no_new": {
        "en": "{channels}: spend in the window but no new customer recorded under that "
        "acquisition channel, so its CAC cannot be computed.",
        "pl": "{channels}: wydatki w tym okresie, ale żaden nowy klient nie jest przypisany do "
        "tego kanału pozyskania, więc jego CAC nie da się policzyć.",
    },
    "channels.flagged": {
        "en": "In <b>{channels}</b> acquiring a customer costs more than the customer is worth "
        "(CAC above CLV): the budget ceiling is broken there.",
        "pl": "W kanale <b>{channels}</b> pozyskanie klienta kosztuje więcej, niż klient jest "
        "wart (CAC powyżej CLV): pułap budżetu jest tam przekroczony.",
    },
    "channels.none_flagged": {
        "en": "In every paid channel a new customer is worth more than it cost; LTV:CAC ranges "
        "from <b>{low}</b> ({low_channel}) to <b>{high}</b> ({high_channel}).",
        "pl": "W każdym płatnym kanale nowy klient jest wart więcej, niż kosztował; LTV:CAC "
        "wynosi od <b>{low}</b> ({low_channel}) do <b>{high}</b> ({high_channel}).",
    },
    "channels.none_flagged_one": {
        "en": "In {channels} a new customer is worth more than it cost: LTV:CAC <b>{ltv_cac}</b>.",
        "pl": "W kanale {channels} nowy klient jest wart więcej, niż kosztował: LTV:CAC "
        "<b>{ltv_cac}</b>.",
    },
    "channels.thin": {
        "en": "In <b>{channel}</b> the lower end of the CLV interval ({clv_low}) is below the CAC "
        "({cac}): the margin of safety is thin.",
        "pl": "W kanale <b>{channel}</b> dolna granica przedziału CLV ({clv_low}) jest poniżej "
        "CAC ({cac}): margines bezpieczeństwa jest niewielki.",
    },
    "channels.table.title": {
        "en": "Cost of acquisition against customer value",
        "pl": "Koszt pozyskania a wartość klienta",
    },
    "channels.basis": {
        "en": "Where a channel is too small for its own models, CLV per customer = margin so "
        "far + predicted margin over the next {horizon} months (step I), averaged over the "
        "channel's new customers; intervals: {n_boot} bootstrap resamples of those customers.",
        "pl": "Gdy kanał jest za mały na własne modele, CLV na klienta = dotychczasowa marża + "
        "prognozowana marża w kolejnych {horizon} miesiącach (krok I), uśredniona po nowych "
        "klientach kanału; przedziały: {n_boot} prób bootstrapowych tych klientów.",
    },
    "channels.basis_new": {
        "en": "CLV per new customer = what step I's models expect a customer acquired today "
        "through the channel to bring over {horizon} months: the first order's margin plus the "
        "discounted margin of repeat purchases — the same basis as the maximum CAC. Step I says "
        "whether the channels' repeat purchases and drop-out differ (then one model with the "
        "channel as a covariate values each) or not (then they differ only by first orders). "
        "Intervals reflect the models' parameter uncertainty.",
        "pl": "CLV nowego klienta = wartość, jakiej modele z kroku I oczekują od klienta "
        "pozyskanego dziś przez dany kanał w ciągu {horizon} miesięcy: marża pierwszego "
        "zamówienia plus zdyskontowana marża ponownych zakupów — ta sama podstawa co maksymalny "
        "CAC. Krok I mówi, czy powtórne zakupy i odejścia różnią się między kanałami (wtedy "
        "każdy wycenia jeden model z kanałem jako zmienną objaśniającą), czy nie (wtedy kanały "
        "różnią się tylko pierwszym zamówieniem). Przedziały odzwierciedlają niepewność "
        "parametrów modeli.",
    },
    "channels.basis_so_far": {
        "en": "Step I's predictive CLV was not available, so value per customer is the margin "
        "so far — a lower bound.",
        "pl": "Predykcyjny CLV z kroku I nie był dostępny, więc wartość klienta to dotychczasowa "
        "marża — dolne ograniczenie.",
    },
    "channels.fig.cac_clv": {
        "en": "What a new customer costs (CAC) and what it is worth (CLV, 95% CI)",
        "pl": "Ile kosztuje nowy klient (CAC) i ile jest wart (CLV, 95 % PU)",
    },
    "channels.fig.budget": {
        "en": "Share of the budget against share of the value created",
        "pl": "Udział w budżecie a udział w wytworzonej wartości",
    },
    "channels.payback.title": {"en": "Payback", "pl": "Okres zwrotu"},
    "channels.payback.finding": {
        "en": "Margin per new customer covers the acquisition cost in month <b>{fast_months}"
        "</b> in {fast} and in month {slow_months} in {slow}.",
        "pl": "Marża z nowego klienta pokrywa koszt pozyskania w <b>{fast_months}.</b> miesiącu "
        "w kanale {fast} i w {slow_months}. miesiącu w kanale {slow}.",
    },
    "channels.payback.one": {
        "en": "Margin per new customer covers the acquisition cost in month <b>{months}</b> in "
        "{channel}.",
        "pl": "Marża z nowego klienta pokrywa koszt pozyskania w <b>{months}.</b> miesiącu w "
        "kanale {channel}.",
    },
    "channels.payback.never": {
        "en": "In {channels} the margin so far has not yet covered the acquisition cost within "
        "the data.",
        "pl": "W kanale {channels} dotychczasowa marża nie pokryła jeszcze kosztu pozyskania w "
        "okresie danych.",
    },
    "channels.payback.too_few": {
        "en": "{channels}: fewer than {min_customers} new customers observed for a month, so "
        "payback is not followed there.",
        "pl": "{channels}: mniej niż {min_customers} nowych klientów obserwowanych przez miesiąc, "
        "więc okres zwrotu nie jest tam śledzony.",
    },
    "channels.fig.payback": {
        "en": "Cumulative margin per new customer against the channel's CAC (dashed)",
        "pl": "Skumulowana marża na nowego klienta a CAC kanału (linia przerywana)",
    },
    "channels.response.title": {
        "en": "Does more budget buy more customers?",
        "pl": "Czy większy budżet kupuje więcej klientów?",
    },
    "channels.response.finding": {
        "en": "Fitted per channel as new customers = a · spend^b on {periods} months: b = 1 "
        "means every extra unit of spend buys as many customers as the average, b < 1 "
        "diminishing returns. The lowest elasticity is {channel}'s, b = <b>{b}</b> ({ci}), "
        "marginal CAC {marginal} against an average of {average}.",
        "pl": "Dopasowanie dla każdego kanału: nowi klienci = a · wydatki^b na {periods} "
        "miesiącach: b = 1 oznacza, że każda dodatkowa złotówka kupuje tylu klientów co "
        "przeciętna, b < 1 — malejące przychody. Najniższa elastyczność ma kanał {channel}: "
        "b = <b>{b}</b> ({ci}), krańcowy CAC {marginal} wobec średniego {average}.",
    },
    "channels.response.finding_no_marginal": {
        "en": "Fitted per channel as new customers = a · spend^b on {periods} months: b = 1 "
        "means every extra unit of spend buys as many customers as the average, b < 1 "
        "diminishing returns. The lowest elasticity is {channel}'s, b = <b>{b}</b> ({ci}): more "
        "spend brought no more new customers there, so its marginal CAC is not defined "
        "(average CAC {average}).",
        "pl": "Dopasowanie dla każdego kanału: nowi klienci = a · wydatki^b na {periods} "
        "miesiącach: b = 1 oznacza, że każda dodatkowa złotówka kupuje tylu klientów co "
        "przeciętna, b < 1 — malejące przychody. Najniższa elastyczność ma kanał {channel}: "
        "b = <b>{b}</b> ({ci}): większe wydatki nie przyniosły tam więcej nowych klientów, więc "
        "krańcowy CAC nie jest określony (średni CAC {average}).",
    },
    "channels.ci": {"en": "95% CI {low}–{high}", "pl": "95 % PU {low}–{high}"},
    "channels.ci_tight": {
        "en": "the months lie on the curve, so the 95% CI is that value",
        "pl": "miesiące leżą na krzywej, więc 95 % PU to ta sama wartość",
    },
    "channels.response.flat": {
        "en": "{channels}: the spend was the same in every period, so how new customers respond "
        "to more or less spend cannot be estimated (no marginal CAC, no reallocation for them).",
        "pl": "{channels}: wydatki były takie same w każdym okresie, więc nie da się oszacować, "
        "jak liczba nowych klientów reaguje na większe lub mniejsze wydatki (brak krańcowego "
        "CAC i realokacji dla tych kanałów).",
    },
    "channels.response.none": {
        "en": "No paid channel has {periods} months of spend, so the response to spend is not "
        "estimated.",
        "pl": "Żaden płatny kanał nie ma {periods} miesięcy wydatków, więc reakcja na wydatki "
        "nie jest szacowana.",
    },
    "channels.fig.response": {
        "en": "New customers against spend per month, with the fitted curves",
        "pl": "Nowi klienci a wydatki miesięczne, z dopasowanymi krzywymi",
    },
    "channels.reallocation.finding": {
        "en": "Moving {amount} a month from {source} to {target} would change new customers by "
        "{source_change} and {target_change} a month and the value they bring by about "
        "<b>{value}</b> a month.",
        "pl": "Przesunięcie {amount} miesięcznie z kanału {source} do kanału {target} zmieniłoby "
        "liczbę nowych klientów o {source_change} i {target_change} miesięcznie, a ich wartość o "
        "około <b>{value}</b> miesięcznie.",
    },
    "channels.reallocation.yearly": {
        "en": "Counted over a year, about <b>{yearly}</b>; both channels stay within the monthly "
        "spend observed for them ({source}: {source_low}–{source_high}; {target}: "
        "{target_low}–{target_high}).",
        "pl": "W skali roku to około <b>{yearly}</b>; oba kanały pozostają w zakresie "
        "miesięcznych wydatków obserwowanych w danych ({source}: {source_low}–{source_high}; "
        "{target}: {target_low}–{target_high}).",
    },
    "channels.reallocation.capped": {
        "en": "The move is capped at {amount} a month instead of the {share} of {source}'s "
        "budget asked ({requested}): beyond that a response curve would be read at a spend "
        "never observed.",
        "pl": "Przesunięcie ograniczono do {amount} miesięcznie zamiast {share} budżetu kanału "
        "{source} ({requested}): powyżej krzywą reakcji trzeba by odczytać przy wydatkach, "
        "których w danych nie było.",
    },
    "channels.reallocation.uncapped": {
        "en": "Moving the full {requested} a month would change the value by about {value} a "
        "month by the fitted curves, but only by extrapolating them: shown for orientation, "
        "not counted and not ranked.",
        "pl": "Przesunięcie pełnych {requested} miesięcznie zmieniłoby wartość o około {value} "
        "miesięcznie według dopasowanych krzywych, ale tylko przez ich ekstrapolację: podajemy "
        "orientacyjnie, bez liczenia i bez rankingu.",
    },
    "channels.reallocation.none": {
        "en": "No budget can be moved between {source} and {target} without reading a response "
        "curve at a spend never observed, so no reallocation is counted.",
        "pl": "Między kanałami {source} i {target} nie da się przesunąć budżetu bez odczytu "
        "krzywej reakcji przy wydatkach spoza danych, więc żadna realokacja nie jest liczona.",
    },
    "channels.reallocation.caveat": {
        "en": "An estimate from observational data: the curves describe months the client "
        "chose to spend in, last-touch attribution credits one channel per customer, and "
        "customer value is assumed not to change with the budget.",
        "pl": "Szacunek z danych obserwacyjnych: krzywe opisują miesiące, w których klient sam "
        "zdecydował o wydatkach, atrybucja przypisuje klienta jednemu kanałowi, a wartość "
        "klienta przyjmujemy za niezależną od budżetu.",
    },
    "channels.reallocation.extrapolated": {
        "en": "{channel} would then spend {spend} a month, outside the {low}–{high} observed "
        "for it.",
        "pl": "Kanał {channel} wydawałby wtedy {spend} miesięcznie, poza obserwowanym zakresem "
        "{low}–{high}.",
    },
    "channels.fig.reallocation": {
        "en": "Moving budget: estimated change in value per month",
        "pl": "Przesunięcie budżetu: szacowana zmiana wartości miesięcznie",
    },
    "channels.axis.per_customer": {
        "en": "per new customer ({currency})",
        "pl": "na nowego klienta ({currency})",
    },
    "channels.axis.share": {"en": "share of the total", "pl": "udział w całości"},
    "channels.axis.months": {"en": "months since acquisition", "pl": "miesiące od pozyskania"},
    "channels.axis.margin": {
        "en": "cumulative margin per new customer ({currency})",
        "pl": "skumulowana marża na nowego klienta ({currency})",
    },
    "channels.axis.spend": {
        "en": "spend per month ({currency})",
        "pl": "wydatki miesięczne ({currency})",
    },
    "channels.axis.new": {"en": "new customers per month", "pl": "nowi klienci miesięcznie"},
    "channels.axis.value_change": {
        "en": "change in value per month ({currency})",
        "pl": "zmiana wartości miesięcznie ({currency})",
    },
    "channels.legend.cac": {"en": "CAC", "pl": "CAC"},
    "channels.legend.clv": {"en": "mean CLV (95% CI)", "pl": "średni CLV (95 % PU)"},
    "channels.legend.flagged": {"en": "CAC above CLV", "pl": "CAC powyżej CLV"},
    "channels.legend.budget": {"en": "budget (spend)", "pl": "budżet (wydatki)"},
    "channels.legend.value": {
        "en": "value (CLV of new customers)",
        "pl": "wartość (CLV nowych klientów)",
    },
    "channels.legend.net": {"en": "net", "pl": "netto"},
    "channels.organic": {"en": "organic", "pl": "organiczny"},
    "col.channel": {"en": "Channel", "pl": "Kanał"},
    "col.source": {"en": "Source", "pl": "Źródło"},
    "col.new_customers": {"en": "New customers", "pl": "Nowi klienci"},
    "col.spend": {"en": "Spend", "pl": "Wydatki"},
    "col.cac": {"en": "CAC", "pl": "CAC"},
    "col.clv": {"en": "CLV (95% CI)", "pl": "CLV (95 % PU)"},
    "col.ltv_cac": {"en": "LTV:CAC", "pl": "LTV:CAC"},
    "col.payback_months": {"en": "Payback (months)", "pl": "Zwrot (mies.)"},
    "col.repeat_rate": {"en": "Repeat rate", "pl": "Powracający"},
    "col.budget_share": {"en": "Budget share", "pl": "Udział w budżecie"},
    "col.value_share": {"en": "Value share", "pl": "Udział w wartości"},
    "col.step": {"en": "Step", "pl": "Etap"},
    "col.sessions": {"en": "Sessions", "pl": "Sesje"},
    "col.conversion_from_previous": {"en": "From previous", "pl": "Z poprzedniego"},
    "col.conversion_from_start": {"en": "From start", "pl": "Od początku"},
    "col.drop_off": {"en": "Lost", "pl": "Utracone"},
    "col.sent": {"en": "Sent", "pl": "Wysłane"},
    "col.opened": {"en": "Opened", "pl": "Otwarte"},
    "col.clicked": {"en": "Clicked", "pl": "Kliknięte"},
    "col.open_rate": {"en": "Open rate", "pl": "Otwarcia"},
    "col.ctr": {"en": "CTR", "pl": "CTR"},
    "col.unsubscribed": {"en": "Unsubscribed", "pl": "Wypisani"},
    "col.unsubscribe_rate": {"en": "Unsubscribe rate", "pl": "Wypisania"},
    "col.attributed_orders": {"en": "Orders credited", "pl": "Przypisane zamówienia"},
    "col.attributed_revenue": {"en": "Their revenue", "pl": "Ich przychód"},
    "col.messages": {"en": "Messages", "pl": "Komunikaty"},
    "col.messages_per_week": {"en": "Messages / week", "pl": "Komunikaty / tydz."},
    "col.ctr_ci": {"en": "CTR (95% CI)", "pl": "CTR (95 % PU)"},
    "col.unsubscribe_ci": {"en": "Unsubscribes (95% CI)", "pl": "Wypisania (95 % PU)"},
    "col.elasticity": {"en": "Elasticity b (95% CI)", "pl": "Elastyczność b (95 % PU)"},
    "col.marginal_cac": {"en": "Marginal CAC", "pl": "Krańcowy CAC"},
    "col.average_cac": {"en": "Average CAC", "pl": "Średni CAC"},
    "col.periods": {"en": "Months", "pl": "Miesiące"},
    "col.r_squared": {"en": "R²", "pl": "R²"},
    # -- recommendations and scenarios ------------------------------------------------------------
    "rec.cut_channel.title": {
        "en": "Cut or renegotiate {channel}",
        "pl": "Ogranicz lub renegocjuj kanał {channel}",
    },
    "rec.cut_channel.evidence": {
        "en": "CAC {cac} is above the value of a new customer ({clv}); about {per_year} "
        "customers a year are bought at a loss.",
        "pl": "CAC {cac} przewyższa wartość nowego klienta ({clv}); około {per_year} klientów "
        "rocznie kupowanych jest ze stratą.",
    },
    "rec.reallocate.title": {
        "en": "Move budget from {source} to {target}",
        "pl": "Przesuń budżet z kanału {source} do {target}",
    },
    "rec.reallocate.evidence": {
        "en": "Marginal LTV:CAC {source_ltv_cac} against {target_ltv_cac}; moving {amount} a "
        "month (see step III for the caveats).",
        "pl": "Krańcowy LTV:CAC {source_ltv_cac} wobec {target_ltv_cac}; przesunięcie {amount} "
        "miesięcznie (zastrzeżenia w kroku III).",
    },
    "rec.reallocate.evidence_extrapolated": {
        "en": "Marginal LTV:CAC {source_ltv_cac} against {target_ltv_cac}; moving {amount} a "
        "month would take {channel} above the largest monthly spend observed ({max_spend}), "
        "where its response curve is extrapolated, so the gain is not estimated.",
        "pl": "Krańcowy LTV:CAC {source_ltv_cac} wobec {target_ltv_cac}; przesunięcie {amount} "
        "miesięcznie wyprowadziłoby kanał {channel} powyżej największych zaobserwowanych "
        "wydatków miesięcznych ({max_spend}), gdzie krzywa reakcji jest ekstrapolowana, więc "
        "zysku nie szacujemy.",
    },
    "rec.reallocate.evidence_extrapolated_nomax": {
        "en": "Marginal LTV:CAC {source_ltv_cac} against {target_ltv_cac}; moving {amount} a "
        "month would take {channel}'s monthly spend outside the range observed so far, where "
        "its response curve is extrapolated, so the gain is not estimated.",
        "pl": "Krańcowy LTV:CAC {source_ltv_cac} wobec {target_ltv_cac}; przesunięcie {amount} "
        "miesięcznie wyprowadziłoby wydatki kanału {channel} poza dotąd obserwowany zakres, "
        "gdzie krzywa reakcji jest ekstrapolowana, więc zysku nie szacujemy.",
    },
    "rec.capped": {
        "en": "The rule's own estimate, {raw} a year, exceeds the client's yearly marketing "
        "spend plus yearly margin ({ceiling}), which no single action can return: it is capped "
        "there and not ranked.",
        "pl": "Szacunek reguły, {raw} rocznie, przekracza roczne wydatki marketingowe klienta "
        "razem z roczną marżą ({ceiling}), czego żadne pojedyncze działanie nie może przynieść: "
        "ograniczamy go do tej kwoty i nie uwzględniamy w rankingu.",
    },
    "rec.cart_reminder.title": {
        "en": "Send abandoned-cart reminders",
        "pl": "Wysyłaj przypomnienia o porzuconych koszykach",
    },
    "rec.cart_reminder.evidence": {
        "en": "{carts} abandoned carts in {days} days; the impact assumes a reminder wins back "
        "{recovery} of them.",
        "pl": "{carts} porzuconych koszyków w {days} dni; szacunek zakłada, że przypomnienie "
        "odzyska {recovery} z nich.",
    },
    "rec.follow_up.title": {
        "en": "Send a second-purchase offer between day {start} and day {end}",
        "pl": "Wysyłaj ofertę drugiego zakupu między {start}. a {end}. dniem",
    },
    "rec.follow_up.title_one_day": {
        "en": "Send a second-purchase offer on day {start} after the first purchase",
        "pl": "Wysyłaj ofertę drugiego zakupu {start}. dnia po pierwszym zakupie",
    },
    "rec.follow_up.evidence": {
        "en": "It still reaches {reach} of the customers who will buy again; the impact assumes "
        "{lift} more second purchases.",
        "pl": "Dociera jeszcze do {reach} klientów, którzy kupią ponownie; szacunek zakłada "
        "{lift} więcej drugich zakupów.",
    },
    "rec.cap_messages.title": {
        "en": "Cap messages at about {limit} a week",
        "pl": "Ogranicz komunikaty do około {limit} tygodniowo",
    },
    "rec.cap_messages.evidence": {
        "en": "{share} of customers get more than {cap} a week; beyond about {limit} clicks "
        "fall and unsubscribes rise (not valued in money).",
        "pl": "{share} klientów dostaje więcej niż {cap} tygodniowo; powyżej około {limit} "
        "kliknięcia spadają, a wypisania rosną (bez wyceny w pieniądzu).",
    },
    "rec.reactivate.title": {
        "en": "Reactivate likely-active customers who spend little",
        "pl": "Reaktywuj prawdopodobnie aktywnych klientów, którzy wydają mało",
    },
    "rec.reactivate.evidence": {
        "en": "{customers} customers with P(alive) above 70% spent little in the last year; the "
        "models expect {value} of margin from them; the impact assumes a campaign brings {share} "
        "of it forward.",
        "pl": "{customers} klientów z P(aktywny) powyżej 70 % wydało mało w ostatnim roku; "
        "modele oczekują od nich {value} marży; szacunek zakłada, że kampania przyspieszy "
        "{share} tej kwoty.",
    },
    "rec.coach_rep.title": {
        "en": "Coach {rep} on relationship marketing",
        "pl": "Szkolenie z marketingu relacji dla opiekuna: {rep}",
    },
    "rec.coach_rep.evidence": {
        "en": "{churn} of purchases by this rep's {customers} customers are their last, against "
        "{median} for the median rep; impact: the CLV gap to the median rep.",
        "pl": "{churn} zakupów {customers} klientów tego opiekuna to ich ostatnie zakupy, wobec "
        "{median} u mediany opiekunów; efekt: różnica CLV względem mediany.",
    },
    "rec.free_delivery.title": {
        "en": "Nudge orders just below the free-delivery threshold",
        "pl": "Zachęcaj do uzupełnienia zamówień tuż poniżej progu darmowej dostawy",
    },
    "rec.free_delivery.evidence": {
        "en": "{near} of orders are within 20% below {threshold}; the impact assumes a nudge "
        "tops up {share} of them.",
        "pl": "{near} zamówień jest do 20 % poniżej progu {threshold}; szacunek zakłada, że "
        "zachęta uzupełni {share} z nich.",
    },
    "scen.messages": {
        "en": "Messages capped at {x} a week",
        "pl": "Limit {x} komunikatów tygodniowo",
    },
    "sum.recommendations": {
        "en": "Recommendations, by estimated impact",
        "pl": "Rekomendacje według szacowanego efektu",
    },
    "sum.scenarios": {"en": "Scenarios", "pl": "Scenariusze"},
    "sum.thin_data": {
        "en": "Thin data: {customers} customers, {repeaters} of whom bought more than once. "
        "Figures that need more (the purchase models from {needed} repeat buyers, rates from "
        "{small} customers) are left out and say so; the rest rest on few customers and should "
        "be read as indications.",
        "pl": "Mało danych: {customers} klientów, z których {repeaters} kupiło więcej niż raz. "
        "Wielkości wymagające więcej (modele zakupów od {needed} powracających klientów, "
        "wskaźniki od {small} klientów) pominięto z informacją o tym; pozostałe opierają się na "
        "niewielu klientach i należy je traktować jako orientacyjne.",
    },
    "sum.no_scenarios": {
        "en": "No scenarios: they move the CLV, and here neither the simple CLV (it needs a "
        "retention rate, so two years of data) nor the predictive CLV (it needs repeat buyers) "
        "could be computed.",
        "pl": "Brak scenariuszy: zmieniają one CLV, a tu nie dało się policzyć ani CLV prostego "
        "(wymaga wskaźnika retencji, czyli dwóch lat danych), ani predykcyjnego (wymaga "
        "powracających klientów).",
    },
    "sum.scenarios_basis.predictive": {
        "en": "The levers act on the simple CLV decomposition (AOV × frequency × retention "
        "period × margin) and carry its relative change over to the predictive CLV of {clv} "
        "per customer.",
        "pl": "Dźwignie działają na rozkład CLV prostego (AOV × częstotliwość × okres retencji "
        "× marża), a jego względną zmianę przenosimy na CLV predykcyjny wynoszący {clv} na "
        "klienta.",
    },
    "sum.scenarios_basis.simple": {
        "en": "The levers act on the simple CLV of {clv} per customer (AOV × frequency × "
        "retention period × margin); no predictive CLV was computed.",
        "pl": "Dźwignie działają na CLV prosty wynoszący {clv} na klienta (AOV × częstotliwość "
        "× okres retencji × marża); CLV predykcyjnego nie policzono.",
    },
    "sum.scenarios_retention_capped": {
        "en": "Retention is not among the levers: with an annual retention of {rate} the simple "
        "formula's retention period is already at its cap of {cap} years, so a higher rate "
        "changes nothing the formula can show (the predictive CLV counts each customer's own "
        "chance of leaving).",
        "pl": "Retencji nie ma wśród dźwigni: przy rocznej retencji {rate} okres retencji we "
        "wzorze prostym jest już na limicie {cap} lat, więc wyższy wskaźnik nie zmienia niczego, "
        "co wzór może pokazać (CLV predykcyjny uwzględnia szansę odejścia każdego klienta).",
    },
    "sum.scenarios_basis.predictive_direct": {
        "en": "The simple CLV cannot be computed here (it needs an annual retention rate, so "
        "two years of data), so the levers act on the predictive CLV of {clv} per customer "
        "itself: order value and frequency scale it in proportion; retention has no measured "
        "rate to move and is left out.",
        "pl": "CLV prostego nie da się tu policzyć (wymaga rocznego wskaźnika retencji, czyli "
        "dwóch lat danych), więc dźwignie działają bezpośrednio na CLV predykcyjny wynoszący "
        "{clv} na klienta: wartość zamówienia i częstotliwość zmieniają go proporcjonalnie; "
        "retencji nie ma zmierzonego wskaźnika do zmiany, więc ją pominięto.",
    },
    "sum.impact_note": {
        "en": "Impact: margin a year under the assumption stated with each action. Scenarios "
        "move one lever at a time (method in Appendix B).",
        "pl": "Efekt: marża rocznie przy założeniu podanym przy każdym działaniu. Scenariusze "
        "zmieniają jedną dźwignię naraz (metoda w załączniku B).",
    },
    "meth.def.scenarios": {
        "en": "<b>Scenarios and recommendations.</b> A scenario changes one lever of the simple "
        "CLV (retention in percentage points, order value, frequency, acquisition cost) and "
        "carries the relative change over to the predictive CLV and the base's value over the "
        "horizon: exact for order value, a first-order approximation for the others. Without "
        "an annual retention rate (under two years of data) the levers act on the predictive "
        "CLV itself: order value and frequency scale it in proportion, retention is left out. "
        "The message cap is valued at the campaigns' attributed revenue per click, which "
        "overstates it if messages take credit for purchases that would happen anyway. "
        "Recommendation impacts are yearly margin under the assumption stated with each; those "
        "that cannot be valued honestly are listed without a figure. No impact may exceed the "
        "client's yearly marketing spend plus yearly margin (one capped there is a warning and "
        "is not ranked), and none counts a response curve beyond the largest spend observed "
        "for a channel: such a move is listed as an extrapolation, without a figure, not "
        "ranked.",
        "pl": "<b>Scenariusze i rekomendacje.</b> Scenariusz zmienia jedną dźwignię prostego CLV "
        "(retencję w punktach procentowych, wartość zamówienia, częstotliwość, koszt "
        "pozyskania) i przenosi względną zmianę na CLV predykcyjny i wartość bazy w horyzoncie, "
        "dokładnie dla wartości zamówienia, w przybliżeniu pierwszego rzędu dla pozostałych. "
        "Bez rocznego wskaźnika retencji (poniżej dwóch lat danych) dźwignie działają "
        "bezpośrednio na CLV predykcyjny: wartość zamówienia i częstotliwość zmieniają go "
        "proporcjonalnie, retencję pomijamy. Limit komunikatów wyceniamy przychodem "
        "przypisanym do kliknięcia, co zawyża efekt, jeśli komunikaty przypisują sobie zakupy, "
        "które i tak by nastąpiły. Efekty rekomendacji to roczna marża przy założeniu podanym "
        "przy każdej; tych, których nie da się uczciwie wycenić, nie wyceniamy. Żaden efekt "
        "nie może przekroczyć rocznych wydatków marketingowych klienta razem z roczną marżą "
        "(efekt ograniczony do tej kwoty to ostrzeżenie i nie trafia do rankingu) i żaden nie "
        "korzysta z krzywej reakcji powyżej największych zaobserwowanych wydatków kanału: "
        "takie przesunięcie pokazujemy jako ekstrapolację, bez kwoty i poza rankingiem.",
    },
    "sum.no_recommendations": {
        "en": "The data of this edition support no recommendation with evidence yet.",
        "pl": "Dane tej edycji nie pozwalają jeszcze na rekomendacje poparte dowodami.",
    },
    "sum.priority.high": {"en": "high", "pl": "wysoki"},
    "sum.priority.medium": {"en": "medium", "pl": "średni"},
    "sum.priority.low": {"en": "low", "pl": "niski"},
    "sum.priority.not_ranked.extrapolation": {
        "en": "extrapolation, not ranked",
        "pl": "ekstrapolacja, poza rankingiem",
    },
    "sum.priority.not_ranked.impact_capped": {
        "en": "estimate capped, not ranked",
        "pl": "szacunek ograniczony, poza rankingiem",
    },
    "scen.retention": {"en": "Retention +{x} pp", "pl": "Retencja +{x} pp"},
    "scen.aov": {"en": "Average order value +{x}", "pl": "Średnia wartość zamówienia +{x}"},
    "scen.frequency": {"en": "Purchase frequency +{x}", "pl": "Częstotliwość zakupów +{x}"},
    "scen.cac": {"en": "Acquisition cost −{x}", "pl": "Koszt pozyskania −{x}"},
    "col.priority": {"en": "Priority", "pl": "Priorytet"},
    "col.action": {"en": "Action", "pl": "Działanie"},
    "col.evidence": {"en": "Evidence", "pl": "Uzasadnienie"},
    "col.impact": {"en": "Impact / year", "pl": "Efekt / rok"},
    "col.lever": {"en": "Lever", "pl": "Dźwignia"},
    "col.clv_after": {"en": "CLV per customer", "pl": "CLV na klienta"},
    "col.clv_change": {"en": "CLV change", "pl": "Zmiana CLV"},
    "col.value_change": {"en": "Value of the base", "pl": "Wartość bazy"},
    "col.spend_change": {"en": "Acquisition spend", "pl": "Wydatki na pozyskanie"},
    # -- step IV: retention ---------------------------------------------------------------------
    "ret.title": {
        "en": "Step IV — Retention: who stays, who leaves, and what keeps them",
        "pl": "Krok IV — Retencja: kto zostaje, kto odchodzi i co go zatrzymuje",
    },
    "ret.question": {
        "en": "How many customers come back, how soon, when a customer should be counted as "
        "lost, whether loyalty members are worth more, and which sales rep keeps customers.",
        "pl": "Ilu klientów wraca i jak szybko, kiedy klienta uznać za utraconego, czy członkowie "
        "programu lojalnościowego są więcej warci i który opiekun handlowy utrzymuje klientów.",
    },
    "ret.cohorts.title": {"en": "Acquisition cohorts", "pl": "Kohorty pozyskania"},
    "ret.cohorts.finding": {
        "en": "Of the customers acquired in a month, on average <b>{m1}</b> buy again in the "
        "following month, {m3} in the third and <b>{m12}</b> in the twelfth.",
        "pl": "Spośród klientów pozyskanych w danym miesiącu średnio <b>{m1}</b> kupuje ponownie "
        "w kolejnym miesiącu, {m3} w trzecim i <b>{m12}</b> w dwunastym.",
    },
    "ret.cohorts.finding_m3": {
        "en": "Of the customers acquired in a month, on average <b>{m1}</b> buy again in the "
        "following month and {m3} in the third; the history is too short to follow a cohort "
        "for twelve months.",
        "pl": "Spośród klientów pozyskanych w danym miesiącu średnio <b>{m1}</b> kupuje ponownie "
        "w kolejnym miesiącu i {m3} w trzecim; historia jest za krótka, by śledzić kohortę "
        "przez dwanaście miesięcy.",
    },
    "ret.cohorts.finding_m1": {
        "en": "Of the customers acquired in a month, on average <b>{m1}</b> buy again in the "
        "following month; the history is too short to follow a cohort for three months.",
        "pl": "Spośród klientów pozyskanych w danym miesiącu średnio <b>{m1}</b> kupuje ponownie "
        "w kolejnym miesiącu; historia jest za krótka, by śledzić kohortę przez trzy miesiące.",
    },
    "ret.cohorts.short": {
        "en": "The history is too short to follow a cohort beyond its month of acquisition, so "
        "no repeat share by month is stated.",
        "pl": "Historia jest za krótka, by śledzić kohortę poza miesiącem pozyskania, więc nie "
        "podajemy odsetka ponownych zakupów w kolejnych miesiącach.",
    },
    "ret.cohorts.none": {
        "en": "No complete calendar month of first purchases lies in the data window, so "
        "acquisition cohorts are not shown.",
        "pl": "W oknie danych nie ma pełnego miesiąca kalendarzowego z pierwszymi zakupami, więc "
        "kohort pozyskania nie pokazujemy.",
    },
    "ret.cohorts.fig": {
        "en": "Share of a cohort buying in each month after acquisition (monthly cohorts, "
        "one a quarter shown)",
        "pl": "Odsetek kohorty kupującej w kolejnych miesiącach od pozyskania (kohorty "
        "miesięczne, pokazana co trzecia)",
    },
    "ret.cohorts.fig_all": {
        "en": "Share of a cohort buying in each month after acquisition",
        "pl": "Odsetek kohorty kupującej w kolejnych miesiącach od pozyskania",
    },
    "ret.ltv.fig": {
        "en": "Cumulative net revenue per customer by cohort",
        "pl": "Skumulowany przychód netto na klienta według kohort",
    },
    "ret.churn.title": {
        "en": "Repeat purchases and churn",
        "pl": "Ponowne zakupy i odejścia",
    },
    "ret.churn.finding": {
        "en": "<b>{repeat}</b> of customers bought more than once (95% CI {repeat_ci}); half "
        "of the gaps between purchases are shorter than {median_gap} days. After a purchase, "
        "<b>{churn}</b> of customers do not buy again within {days} days (95% CI {churn_ci}) "
        "and count as lost.",
        "pl": "<b>{repeat}</b> klientów kupiło więcej niż raz (95 % PU {repeat_ci}); połowa "
        "przerw między zakupami jest krótsza niż {median_gap} dni. Po zakupie <b>{churn}</b> "
        "klientów nie kupuje ponownie w ciągu {days} dni (95 % PU {churn_ci}) i uznajemy ich "
        "za utraconych.",
    },
    "ret.churn.finding_repeat": {
        "en": "<b>{repeat}</b> of customers bought more than once (95% CI {repeat_ci}); half "
        "of the gaps between purchases are shorter than {median_gap} days. The share lost after "
        "a purchase could not be estimated.",
        "pl": "<b>{repeat}</b> klientów kupiło więcej niż raz (95 % PU {repeat_ci}); połowa "
        "przerw między zakupami jest krótsza niż {median_gap} dni. Odsetka klientów utraconych "
        "po zakupie nie udało się oszacować.",
    },
    "ret.survival.fig": {
        "en": "Share of customers who have not yet bought again, by days since a purchase "
        "(Kaplan–Meier, 95% CI)",
        "pl": "Odsetek klientów, którzy jeszcze nie kupili ponownie, według dni od zakupu "
        "(Kaplan–Meier, 95 % PU)",
    },
    "ret.gaps.fig": {
        "en": "Days between consecutive purchases",
        "pl": "Dni między kolejnymi zakupami",
    },
    "ret.loyalty.title": {"en": "Loyalty programme", "pl": "Program lojalnościowy"},
    "ret.churn.thin": {
        "en": "Only {customers} customers, {repeaters} of whom bought again: too few for a "
        "repeat rate and a churn rate with meaningful intervals (at least {needed} customers "
        "and one repeat buyer are needed), so none is stated; the curves below show the data "
        "as they are.",
        "pl": "Tylko {customers} klientów, z których {repeaters} kupiło ponownie: za mało na "
        "odsetek powracających i wskaźnik odejść z sensownymi przedziałami (potrzeba co "
        "najmniej {needed} klientów i jednego powracającego), więc ich nie podajemy; wykresy "
        "poniżej pokazują dane takie, jakie są.",
    },
    "ret.loyalty.thin": {
        "en": "Members and non-members cannot be compared: one of the groups has no or too few "
        "buyers for a difference with an interval.",
        "pl": "Nie da się porównać członków programu z pozostałymi: w jednej z grup nie ma "
        "kupujących albo jest ich za mało na różnicę z przedziałem ufności.",
    },
    "ret.loyalty.order_more": {
        "en": "Loyalty members spend <b>{lift}</b> more per order than non-members (95% CI {ci}).",
        "pl": "Członkowie programu lojalnościowego wydają na zamówienie <b>{lift}</b> więcej niż "
        "pozostali (95 % PU {ci}).",
    },
    "ret.loyalty.order_less": {
        "en": "Loyalty members spend <b>{lift}</b> less per order than non-members (95% CI {ci}).",
        "pl": "Członkowie programu lojalnościowego wydają na zamówienie <b>{lift}</b> mniej niż "
        "pozostali (95 % PU {ci}).",
    },
    "ret.loyalty.order_same": {
        "en": "No difference in spend per order between loyalty members and non-members was "
        "found (members against non-members, 95% CI {ci}).",
        "pl": "Nie stwierdzono różnicy w wartości zamówienia między członkami programu "
        "lojalnościowego a pozostałymi (członkowie względem pozostałych, 95 % PU {ci}).",
    },
    "ret.loyalty.year_more": {
        "en": "Per customer-year, members spend {lift} more (95% CI {ci}).",
        "pl": "W przeliczeniu na klienta rocznie członkowie wydają {lift} więcej (95 % PU {ci}).",
    },
    "ret.loyalty.year_less": {
        "en": "Per customer-year, members spend {lift} less (95% CI {ci}).",
        "pl": "W przeliczeniu na klienta rocznie członkowie wydają {lift} mniej (95 % PU {ci}).",
    },
    "ret.loyalty.year_same": {
        "en": "Per customer-year no difference was found (95% CI {ci}).",
        "pl": "W przeliczeniu na klienta rocznie nie stwierdzono różnicy (95 % PU {ci}).",
    },
    "ret.loyalty.bias": {
        "en": "Members choose to join, so part of the difference may reflect who joins rather "
        "than what the programme does. Joiners' order value after joining changed by {change} "
        "(95% CI {ci}) against before: {verdict}",
        "pl": "Członkowie sami decydują o przystąpieniu, więc część różnicy może wynikać z tego, "
        "kto przystępuje, a nie z działania programu. Wartość zamówień po przystąpieniu zmieniła "
        "się o {change} (95 % PU {ci}) względem okresu przed: {verdict}",
    },
    "ret.loyalty.verdict_effect": {
        "en": "the programme itself seems to raise spending.",
        "pl": "sam program wydaje się zwiększać wydatki.",
    },
    "ret.loyalty.verdict_lower": {
        "en": "joiners spent less per order after joining.",
        "pl": "po przystąpieniu wartość zamówień spadła.",
    },
    "ret.loyalty.verdict_selection": {
        "en": "no change on joining, so the lift reflects who joins.",
        "pl": "brak zmiany po przystąpieniu, więc różnica odzwierciedla to, kto przystępuje.",
    },
    "ret.loyalty.fig": {
        "en": "Members against non-members: lift with 95% CI",
        "pl": "Członkowie a pozostali: różnica z 95 % PU",
    },
    "ret.no_loyalty": {
        "en": "No loyalty membership in the customers export (loyalty_member, optionally "
        "loyalty_joined_at), so members are not compared with other customers.",
        "pl": "Eksport klientów nie zawiera przynależności do programu (loyalty_member, "
        "opcjonalnie loyalty_joined_at), więc członków nie porównujemy z pozostałymi.",
    },
    "ret.reps.title": {
        "en": "Relationship marketing by sales rep",
        "pl": "Marketing relacji według opiekunów handlowych",
    },
    "ret.reps.finding": {
        "en": "Customers of <b>{worst}</b> are lost after a purchase most often (<b>{worst_churn}"
        "</b>, 95% CI {worst_ci}), those of {best} least often ({best_churn}, 95% CI "
        "{best_ci}).",
        "pl": "Najczęściej odchodzą po zakupie klienci, których opiekunem jest <b>{worst}</b> "
        "(<b>{worst_churn}</b>, 95 % PU {worst_ci}), najrzadziej klienci opiekuna {best} "
        "({best_churn}, 95 % PU {best_ci}).",
    },
    "ret.reps.no_difference": {
        "en": "No difference between sales reps was found: the share of customers lost after a "
        "purchase ranges over {range} across {reps} reps, a spread within chance (a test at "
        "5% with every pair of reps accounted for).",
        "pl": "Nie stwierdzono różnicy między opiekunami: odsetek klientów utraconych po zakupie "
        "wynosi {range} u {reps} opiekunów, a taki rozrzut mieści się w granicach przypadku "
        "(test na poziomie 5 % z uwzględnieniem wszystkich par opiekunów).",
    },
    "ret.reps.no_difference_same": {
        "en": "No difference between sales reps was found: the share of customers lost after a "
        "purchase is {rate} for each of the {reps} reps.",
        "pl": "Nie stwierdzono różnicy między opiekunami: odsetek klientów utraconych po zakupie "
        "wynosi {rate} u każdego z {reps} opiekunów.",
    },
    "ret.reps.one": {
        "en": "Only one sales rep, {rep}, has customers followed long enough for a churn rate, "
        "so reps are not compared.",
        "pl": "Tylko jeden opiekun, {rep}, ma klientów obserwowanych wystarczająco długo, by "
        "policzyć odsetek odejść, więc opiekunów nie porównujemy.",
    },
    "ret.reps.unranked": {
        "en": "No sales rep has customers followed long enough for a churn rate, so reps are "
        "not compared.",
        "pl": "Żaden opiekun nie ma klientów obserwowanych wystarczająco długo, by policzyć "
        "odsetek odejść, więc opiekunów nie porównujemy.",
    },
    "ret.reps.fig": {
        "en": "Share of purchases after which the customer is lost, by sales rep (95% CI)",
        "pl": "Odsetek zakupów, po których klient odchodzi, według opiekuna (95 % PU)",
    },
    "ret.reps.small": {
        "en": "Reps with fewer than {needed} customers are marked; their figures are uncertain.",
        "pl": "Opiekunowie mający mniej niż {needed} klientów są oznaczeni; ich wyniki są "
        "niepewne.",
    },
    "ret.reps.scorecard": {
        "en": "The scorecard column is the consultant's rating (1–5) of each rep's "
        "relationship-marketing competence from client.yml, shown beside the data.",
        "pl": "Kolumna oceny to ocena konsultanta (1–5) kompetencji opiekuna w marketingu "
        "relacji z client.yml, pokazana obok danych.",
    },
    "ret.no_reps": {
        "en": "No sales rep per customer in the customers export (sales_rep), so retention is "
        "not compared across the sales team.",
        "pl": "Eksport klientów nie zawiera opiekuna handlowego (sales_rep), więc retencji nie "
        "porównujemy między opiekunami.",
    },
    "col.sales_rep": {"en": "Sales rep", "pl": "Opiekun"},
    "ret.metric.spend_per_order": {"en": "spend per order", "pl": "wartość zamówienia"},
    "ret.metric.spend_per_customer_year": {
        "en": "spend per customer-year",
        "pl": "wydatki na klienta rocznie",
    },
    "sat.tier.top": {"en": "top {share}", "pl": "najlepsze {share}"},
    "sat.tier.next": {"en": "next {share}", "pl": "kolejne {share}"},
    "sat.tier.rest": {"en": "the rest", "pl": "pozostali"},
    "col.churn": {"en": "Churn (95% CI)", "pl": "Odejścia (95 % PU)"},
    "col.retention_12m": {"en": "12-month retention", "pl": "Retencja 12 mies."},
    "col.clv_mean_ci": {"en": "CLV (95% CI)", "pl": "CLV (95 % PU)"},
    "col.scorecard": {"en": "Scorecard", "pl": "Ocena"},
    # -- step V: saturation ----------------------------------------------------------------------
    "sat.title": {
        "en": "Step V — Saturation and potential: where the remaining value is",
        "pl": "Krok V — Stopień wysycenia i potencjał: gdzie jest pozostała wartość",
    },
    "sat.question": {
        "en": "Which customer segments carry the value, how concentrated it is, how much is "
        "still to come, what customers could buy more of, and where order value and "
        "acquisition spend stop growing.",
        "pl": "Które segmenty klientów niosą wartość, jak bardzo jest skoncentrowana, ile jeszcze "
        "przed nami, czego klienci mogliby kupować więcej i gdzie przestają rosnąć wartość "
        "zamówienia i efekty wydatków na pozyskanie.",
    },
    "sat.segments.title": {"en": "RFM segments", "pl": "Segmenty RFM"},
    "sat.segments.finding": {
        "en": "<b>Champions</b> are {champions_customers} of customers and bring "
        "<b>{champions_revenue}</b> of net revenue; customers <b>at risk</b> or who <b>can't be "
        "lost</b> are {risk_customers} and brought {risk_revenue}.",
        "pl": "<b>Mistrzowie</b> to {champions_customers} klientów, a przynoszą "
        "<b>{champions_revenue}</b> przychodu netto; klienci <b>zagrożeni</b> odejściem lub "
        "<b>nie do stracenia</b> to {risk_customers}, a przynieśli {risk_revenue}.",
    },
    "sat.segments.customers": {
        "en": "<b>Champions</b> are {champions_customers} of customers; customers <b>at risk</b> "
        "or who <b>can't be lost</b> are {risk_customers}. Net revenue is not positive, so its "
        "shares are not stated.",
        "pl": "<b>Mistrzowie</b> to {champions_customers} klientów; klienci <b>zagrożeni</b> "
        "odejściem lub <b>nie do stracenia</b> to {risk_customers}. Przychód netto nie jest "
        "dodatni, więc nie podajemy udziałów w nim.",
    },
    "sat.segments.one": {
        "en": "Every customer falls into one RFM segment, <b>{segment}</b>, so the segments do "
        "not separate customers in these data.",
        "pl": "Wszyscy klienci należą do jednego segmentu RFM (<b>{segment}</b>), więc w tych "
        "danych segmenty nie różnicują klientów.",
    },
    "sat.segments.fig": {
        "en": "RFM segments: share of customers and of net revenue",
        "pl": "Segmenty RFM: udział w klientach i w przychodzie netto",
    },
    "sat.tiers": {
        "en": "Proposed loyalty-programme tiers by net revenue so far",
        "pl": "Proponowane poziomy programu lojalnościowego według dotychczasowego przychodu",
    },
    "sat.concentration.title": {"en": "Value concentration", "pl": "Koncentracja wartości"},
    "sat.concentration.finding": {
        "en": "The top 20% of customers bring <b>{top20}</b> of net revenue (Gini {gini}).",
        "pl": "Najlepsze 20 % klientów przynosi <b>{top20}</b> przychodu netto (Gini {gini}).",
    },
    "sat.concentration.none": {
        "en": "The customers' net revenue is not positive in total, so its concentration is "
        "not measured.",
        "pl": "Łączny przychód netto klientów nie jest dodatni, więc jego koncentracji nie "
        "mierzymy.",
    },
    "sat.lorenz.fig": {
        "en": "Concentration of net revenue (Lorenz curve)",
        "pl": "Koncentracja przychodu netto (krzywa Lorenza)",
    },
    "sat.potential.title": {"en": "Remaining potential", "pl": "Pozostały potencjał"},
    "sat.potential.finding": {
        "en": "<b>{targets}</b> customers are probably still active (P(alive) above 70%) but "
        "spent little in the last 12 months; the models expect <b>{value}</b> of margin from "
        "them over the horizon: the target for reactivation and up-selling.",
        "pl": "<b>{targets}</b> klientów jest prawdopodobnie nadal aktywnych (P(aktywny) powyżej "
        "70 %), ale w ostatnich 12 miesiącach wydało niewiele; modele oczekują od nich "
        "<b>{value}</b> marży w horyzoncie. To cel reaktywacji i sprzedaży dodatkowej.",
    },
    "sat.potential.none": {
        "en": "No customer is both probably still active (P(alive) above 70%) and a low spender "
        "over the last 12 months, so there is no reactivation target.",
        "pl": "Żaden klient nie jest jednocześnie prawdopodobnie aktywny (P(aktywny) powyżej "
        "70 %) i mało wydający w ostatnich 12 miesiącach, więc nie ma celu reaktywacji.",
    },
    "sat.potential.fig": {
        "en": "Margin so far and predicted remaining margin by segment",
        "pl": "Dotychczasowa i prognozowana pozostała marża według segmentu",
    },
    "sat.no_potential": {
        "en": "Step I's predictive CLV is not available in this run, so the remaining potential "
        "is not shown.",
        "pl": "Predykcyjny CLV z kroku I nie jest dostępny w tym przebiegu, więc pozostały "
        "potencjał nie jest pokazany.",
    },
    "sat.crosssell.title": {"en": "Cross-sell headroom", "pl": "Potencjał sprzedaży krzyżowej"},
    "sat.crosssell.finding": {
        "en": "{single} of customers have bought from one category only. The strongest pair: "
        "customers of <b>{antecedent}</b> buy <b>{consequent}</b> {lift} times as often as "
        "customers at large (confidence {confidence}).",
        "pl": "{single} klientów kupiło tylko z jednej kategorii. Najsilniejsza para: klienci "
        "kategorii <b>{antecedent}</b> kupują <b>{consequent}</b> {lift} razy częściej niż "
        "ogół klientów (ufność {confidence}).",
    },
    "sat.crosssell.no_rules": {
        "en": "{single} of customers have bought from one category only; no two categories are "
        "bought by the same customers often enough (1% of customers) to suggest a pair.",
        "pl": "{single} klientów kupiło tylko z jednej kategorii; żadne dwie kategorie nie są "
        "kupowane przez tych samych klientów na tyle często (1 % klientów), by wskazać parę.",
    },
    "sat.rules": {
        "en": "Categories bought by the same customers (association rules)",
        "pl": "Kategorie kupowane przez tych samych klientów (reguły asocjacyjne)",
    },
    "sat.no_category": {
        "en": "The transactions have no product category, so cross-sell is not measured.",
        "pl": "Transakcje nie zawierają kategorii produktu, więc sprzedaży krzyżowej nie mierzymy.",
    },
    "sat.aov.title": {"en": "Order-value levers", "pl": "Dźwignie wartości zamówienia"},
    "sat.aov.finding": {
        "en": "Half of the orders are below <b>{median}</b> and a quarter above {p75}: lifting "
        "a median order to the 75th percentile is worth {headroom} per order.",
        "pl": "Połowa zamówień ma wartość poniżej <b>{median}</b>, a jedna czwarta powyżej "
        "{p75}: podniesienie typowego zamówienia do 75. percentyla to {headroom} na zamówieniu.",
    },
    "sat.aov.same": {
        "en": "Half of the orders are below <b>{median}</b> and a quarter at that value or "
        "above: order values are too uniform for an up-sell lever between the median and the "
        "upper quartile.",
        "pl": "Połowa zamówień ma wartość poniżej <b>{median}</b>, a jedna czwarta tyle samo lub "
        "więcej: wartości zamówień są zbyt jednolite, by między medianą a górnym kwartylem "
        "była dźwignia sprzedaży dodatkowej.",
    },
    "sat.free_delivery": {
        "en": "{near} of orders fall just below the free-delivery threshold of {threshold}; "
        "topping them up would add at most {uplift} of revenue.",
        "pl": "{near} zamówień jest tuż poniżej progu darmowej dostawy {threshold}; ich "
        "uzupełnienie do progu dałoby co najwyżej {uplift} przychodu.",
    },
    "sat.aov.fig": {"en": "Order values", "pl": "Wartości zamówień"},
    "sat.acquisition.title": {
        "en": "Acquisition saturation",
        "pl": "Wysycenie pozyskania",
    },
    "sat.acquisition.finding": {
        "en": "In <b>{channel}</b> the next new customer costs {marginal} against a value of "
        "{clv}: above about <b>{break_even}</b> of spend a month (now {spend}) more budget buys "
        "customers for more than they are worth.",
        "pl": "W kanale <b>{channel}</b> kolejny nowy klient kosztuje {marginal}, a jest wart "
        "{clv}: powyżej około <b>{break_even}</b> wydatków miesięcznie (obecnie {spend}) "
        "dodatkowy budżet kupuje klientów drożej, niż są warci.",
    },
    "sat.acquisition.saturated": {
        "en": "In <b>{channel}</b> the next new customer already costs {marginal}, more than "
        "the {clv} a customer is worth: more spend there has stopped paying.",
        "pl": "W kanale <b>{channel}</b> kolejny nowy klient kosztuje już {marginal}, więcej niż "
        "{clv}, które jest wart: dalsze wydatki przestały się tam opłacać.",
    },
    "sat.acquisition.headroom": {
        "en": "<b>{channel}</b> could spend up to about {break_even} a month (now {spend}) "
        "before the next customer costs more than the {clv} it is worth.",
        "pl": "Kanał <b>{channel}</b> mógłby wydawać do około {break_even} miesięcznie "
        "(obecnie {spend}), zanim kolejny klient będzie kosztował więcej niż {clv}, które jest "
        "wart.",
    },
    "sat.acquisition.headroom_far": {
        "en": "<b>{channel}</b> shows no saturation within the spend observed (up to {spend_max} "
        "a month): the next customer costs {marginal}, below the {clv} it is worth; where the "
        "limit lies beyond that, the data cannot tell.",
        "pl": "Kanał <b>{channel}</b> nie wykazuje wysycenia w obserwowanym zakresie wydatków "
        "(do {spend_max} miesięcznie): kolejny klient kosztuje {marginal}, mniej niż {clv}, "
        "które jest wart; gdzie leży granica powyżej tego zakresu, dane nie pozwalają ocenić.",
    },
    "sat.acquisition.saturated_all": {
        "en": "In <b>{channel}</b> the next new customer costs more than the {clv} it is worth at "
        "every monthly spend observed ({spend_min} to {spend_max}; now {marginal} at {spend}): "
        "more spend there has stopped paying.",
        "pl": "W kanale <b>{channel}</b> kolejny nowy klient kosztuje więcej niż {clv}, które "
        "jest wart, przy każdych zaobserwowanych wydatkach miesięcznych (od {spend_min} do "
        "{spend_max}; obecnie {marginal} przy {spend}): dalsze wydatki przestały się tam "
        "opłacać.",
    },
    "sat.acquisition.increasing": {
        "en": "In <b>{channel}</b> customers get cheaper as spend grows: from about "
        "<b>{break_even}</b> a month (now {spend}) the next customer costs less than the {clv} "
        "it is worth.",
        "pl": "W kanale <b>{channel}</b> klienci tanieją wraz ze wzrostem wydatków: od około "
        "<b>{break_even}</b> miesięcznie (obecnie {spend}) kolejny klient kosztuje mniej niż "
        "{clv}, które jest wart.",
    },
    "sat.acquisition.increasing_loses": {
        "en": "In <b>{channel}</b> customers get cheaper as spend grows, but at every monthly "
        "spend observed (up to {spend_max}) the next one still costs more than the {clv} it is "
        "worth (now {marginal}); whether more spend would pay, the data cannot tell.",
        "pl": "W kanale <b>{channel}</b> klienci tanieją wraz ze wzrostem wydatków, ale przy "
        "każdych zaobserwowanych wydatkach miesięcznych (do {spend_max}) kolejny wciąż kosztuje "
        "więcej niż {clv}, które jest wart (obecnie {marginal}); czy większe wydatki by się "
        "opłaciły, dane nie pozwalają ocenić.",
    },
    "sat.acquisition.linear_pays": {
        "en": "In <b>{channel}</b> new customers grow in proportion to spend, so every customer "
        "costs about {marginal} whatever the spend, less than the {clv} it is worth: every "
        "monthly spend observed (up to {spend_max}) pays, and there is no break-even from "
        "diminishing returns. Beyond that spend, the data cannot tell.",
        "pl": "W kanale <b>{channel}</b> liczba nowych klientów rośnie proporcjonalnie do "
        "wydatków, więc każdy klient kosztuje około {marginal} niezależnie od wydatków, mniej "
        "niż {clv}, które jest wart: opłacają się wszystkie zaobserwowane wydatki miesięczne "
        "(do {spend_max}), a malejących przychodów i progu opłacalności nie ma. Powyżej tych "
        "wydatków dane nie pozwalają ocenić.",
    },
    "sat.acquisition.linear_loses": {
        "en": "In <b>{channel}</b> new customers grow in proportion to spend, so every customer "
        "costs about {marginal} whatever the spend, more than the {clv} it is worth: no monthly "
        "spend observed pays.",
        "pl": "W kanale <b>{channel}</b> liczba nowych klientów rośnie proporcjonalnie do "
        "wydatków, więc każdy klient kosztuje około {marginal} niezależnie od wydatków, więcej "
        "niż {clv}, które jest wart: żadne zaobserwowane wydatki miesięczne się nie opłacają.",
    },
    "sat.acquisition.no_value": {
        "en": "A new customer from <b>{channel}</b> is worth {clv}, nothing to pay for: no "
        "acquisition spend there pays.",
        "pl": "Nowy klient z kanału <b>{channel}</b> jest wart {clv}, więc nie ma za co płacić: "
        "żadne wydatki na pozyskanie się tam nie opłacają.",
    },
    "sat.acquisition.no_response": {
        "en": "In <b>{channel}</b> more spend brought no more new customers in these data, so no "
        "spend level can be said to pay.",
        "pl": "W kanale <b>{channel}</b> większe wydatki nie przyniosły w tych danych więcej "
        "nowych klientów, więc o żadnym poziomie wydatków nie można powiedzieć, że się opłaca.",
    },
    "sat.acquisition.unfitted": {
        "en": "No spend response could be fitted for {channels} (too few months with spend and "
        "new customers, or spend that never varied), so their saturation is not judged.",
        "pl": "Dla kanałów {channels} nie udało się dopasować reakcji na wydatki (za mało "
        "miesięcy z wydatkami i nowymi klientami albo wydatki bez zmian), więc ich wysycenia "
        "nie oceniamy.",
    },
    "sat.acquisition.no_clv": {
        "en": "There is no value of a new customer for {channels}, so their saturation is not "
        "judged.",
        "pl": "Dla kanałów {channels} brak wartości nowego klienta, więc ich wysycenia nie "
        "oceniamy.",
    },
    "sat.break_even.pays_throughout": {
        "en": "pays at every spend seen",
        "pl": "opłaca się przy każdych wydatkach",
    },
    "sat.break_even.pays_nowhere": {
        "en": "pays at no spend seen",
        "pl": "nie opłaca się przy żadnych wydatkach",
    },
    "sat.acquisition.none": {
        "en": "In every fitted channel the marginal CAC is still below a new customer's value.",
        "pl": "W każdym dopasowanym kanale krańcowy CAC jest wciąż poniżej wartości nowego "
        "klienta.",
    },
    "sat.acquisition.fig": {
        "en": "Cost of the next new customer against its value, per channel",
        "pl": "Koszt kolejnego nowego klienta a jego wartość, według kanału",
    },
    "sat.acquisition.caption": {
        "en": "Monthly spend and the break-even point per channel",
        "pl": "Wydatki miesięczne i próg opłacalności według kanału",
    },
    "sat.acquisition.break_even_note": {
        "en": "Break-even: the monthly spend at which the fitted curve's marginal CAC reaches "
        "the value of a new customer (step III), given only inside the range of monthly spend "
        "observed, the range the curve can vouch for; outside it the table says whether every "
        "spend seen pays or none does. A linear response has the same marginal CAC at every "
        "spend, so it has no break-even.",
        "pl": "Próg opłacalności: miesięczne wydatki, przy których krańcowy CAC dopasowanej "
        "krzywej zrównuje się z wartością nowego klienta (krok III), podawany tylko w zakresie "
        "zaobserwowanych wydatków miesięcznych, za który krzywa może ręczyć; poza nim tabela "
        "mówi, czy opłacają się wszystkie zaobserwowane wydatki, czy żadne. Reakcja liniowa ma "
        "ten sam krańcowy CAC przy każdych wydatkach, więc nie ma progu opłacalności.",
    },
    "sat.legend.marginal": {"en": "marginal CAC", "pl": "krańcowy CAC"},
    "sat.legend.average": {"en": "average CAC", "pl": "średni CAC"},
    "sat.legend.clv": {"en": "value of a new customer", "pl": "wartość nowego klienta"},
    "col.spend_mean": {"en": "Spend / month", "pl": "Wydatki / mies."},
    "col.spend_max": {"en": "Highest month", "pl": "Maks. miesiąc"},
    "col.spend_min": {"en": "Lowest month", "pl": "Min. miesiąc"},
    "col.break_even_spend": {"en": "Break-even", "pl": "Próg opłacalności"},
    "col.new_customer_value": {"en": "New customer value", "pl": "Wartość klienta"},
    "sat.segment.champions": {"en": "champions", "pl": "mistrzowie"},
    "sat.segment.loyal": {"en": "loyal", "pl": "lojalni"},
    "sat.segment.potential_loyalists": {"en": "potential loyalists", "pl": "potencjalnie lojalni"},
    "sat.segment.new": {"en": "new", "pl": "nowi"},
    "sat.segment.at_risk": {"en": "at risk", "pl": "zagrożeni"},
    "sat.segment.cant_lose_them": {"en": "can't lose them", "pl": "nie do stracenia"},
    "sat.segment.hibernating": {"en": "hibernating", "pl": "uśpieni"},
    "sat.segment.lost": {"en": "lost", "pl": "utraceni"},
    "col.customer_share": {"en": "Share of customers", "pl": "Udział w klientach"},
    "sat.legend.past": {"en": "margin so far", "pl": "dotychczasowa marża"},
    "sat.legend.future": {
        "en": "predicted remaining margin",
        "pl": "prognozowana pozostała marża",
    },
    "sat.legend.p75": {"en": "75th percentile", "pl": "75. percentyl"},
    "sat.legend.free_delivery": {"en": "free delivery", "pl": "darmowa dostawa"},
    "col.revenue_share": {"en": "Revenue share", "pl": "Udział w przychodzie"},
    "col.tier": {"en": "Tier", "pl": "Poziom"},
    "col.threshold": {"en": "From", "pl": "Od"},
    "col.antecedent": {"en": "Customers of", "pl": "Klienci kategorii"},
    "col.consequent": {"en": "also buy", "pl": "kupują też"},
    "col.support": {"en": "Support", "pl": "Wsparcie"},
    "col.confidence": {"en": "Confidence", "pl": "Ufność"},
    "col.lift": {"en": "Lift", "pl": "Przyrost (lift)"},
    # -- interactive controls (clvlib.widgets; notebooks and the app, never the report) --------
    "widget.busy": {"en": "Recomputing…", "pl": "Przeliczam…"},
    "widget.no_model": {
        "en": "Too few customers bought again to fit the purchase models, so there is no "
        "predictive CLV to recompute here.",
        "pl": "Zbyt mało klientów kupiło ponownie, by dopasować modele zakupów, więc nie ma tu "
        "predykcyjnego CLV do przeliczenia.",
    },
    "widget.error": {
        "en": "Could not recompute: {error}",
        "pl": "Nie udało się przeliczyć: {error}",
    },
    "widget.static_skipped": {
        "en": "At this data size a report run does not redraw their outputs here: at these "
        "settings they are the figures above.",
        "pl": "Przy tej wielkości danych przebieg raportu nie rysuje tu ich wyników: w tych "
        "ustawieniach są to wyniki przedstawione powyżej.",
    },
    "widget.static": {
        "en": "Interactive controls, shown here at their default settings. Open the notebook in "
        "JupyterLab (make lab) or the app (make app) to change them.",
        "pl": "Suwaki interaktywne, tu w ustawieniach domyślnych. Otwórz notatnik w JupyterLab "
        "(make lab) lub w aplikacji (make app), aby je zmieniać.",
    },
    "widget.horizon": {"en": "Horizon (months)", "pl": "Horyzont (mies.)"},
    "widget.margin": {"en": "Margin", "pl": "Marża"},
    "widget.discount": {"en": "Discount rate a year", "pl": "Stopa dyskontowa rocznie"},
    "widget.segment": {"en": "Segment", "pl": "Segment"},
    "widget.calc.headline": {
        "en": "Over {horizon} months: total CLV {total} for {customers} customers, {mean} per "
        "customer; a new customer is worth {new} (the most an acquisition may cost).",
        "pl": "W ciągu {horizon} mies.: łączny CLV {total} dla {customers} klientów, {mean} na "
        "klienta; nowy klient jest wart {new} (tyle najwyżej może kosztować jego pozyskanie).",
    },
    "widget.col.total": {"en": "Total CLV", "pl": "CLV łącznie"},
    "widget.col.mean": {"en": "CLV per customer", "pl": "CLV na klienta"},
    "widget.source": {"en": "Traffic source", "pl": "Źródło ruchu"},
    "widget.recovery": {"en": "Carts recovered", "pl": "Odzyskane koszyki"},
    "widget.cap": {"en": "Messages a week, cap", "pl": "Limit komunikatów tygodniowo"},
    "widget.funnel.cap": {
        "en": "{above} of the {customers} messaged customers get more than {cap} messages a week.",
        "pl": "{above} z {customers} klientów, do których wysyłano komunikaty, dostaje ich więcej "
        "niż {cap} tygodniowo.",
    },
    "widget.channel": {"en": "Channel", "pl": "Kanał"},
    "widget.share": {"en": "Budget moved", "pl": "Przesunięty budżet"},
    "widget.churn_days": {"en": "Churn after (days)", "pl": "Odpływ po (dniach)"},
    "widget.threshold": {"en": "Free delivery from", "pl": "Darmowa dostawa od"},
    "widget.lever.retention": {"en": "Retention + (pp)", "pl": "Retencja + (pp)"},
    "widget.lever.aov": {"en": "Order value +", "pl": "Wartość zamówienia +"},
    "widget.lever.frequency": {"en": "Frequency +", "pl": "Częstotliwość +"},
    "widget.lever.cac": {"en": "Acquisition cost −", "pl": "Koszt pozyskania −"},
}
