# Reference fits of CLVTools 0.12.1 for clvlib's covariate BG/NBD and Pareto/NBD tests.
#
# Run from the repository root, after install_r.sh, build_clvtools.sh, simulate.py and
# prepare_cdnow.py:
#
#   TZ=UTC Rscript references/clvtools/make_references.R [/tmp/clvtools-lib]
#
# For each data set (cdnow, sim_pnbd, sim_bgnbd) it builds clvdata(time.unit = "weeks") with the
# calibration end as estimation.split, fits pnbd() and bgnbd() without covariates and with static
# covariates (SetStaticCovariates, the same columns in both processes), all with CLVTools' defaults
# (optimx L-BFGS-B on log-parameters, its default start values), and writes into
# tests/data/clvtools/:
#   <data>_cbs.csv              the per-customer CBS CLVTools fitted on (Id, x, t.x, T.cal, the same
#                               in whole days, the raw covariates and CLVTools' design columns)
#   <data>_<model>_<cov>.json   one fit: coefficients (CLVTools' and clvlib's names), standard
#                               errors, vcov, logLik, optimizer info, the standard Fader-Hardie LL
#                               recomputed here independently, predictions for a few customers and
#                               for new customers.
# Numbers are written with the shortest of %.15g/%.16g/%.17g that reads back to the same double.

suppressPackageStartupMessages({
  args <- commandArgs(trailingOnly = TRUE)
  lib <- if (length(args) >= 1) args[[1]] else "/tmp/clvtools-lib"
  library(CLVTools, lib.loc = lib)
  library(data.table)
  library(jsonlite)
})

DATA_DIR <- file.path("tests", "data", "clvtools")
PREDICTION_END <- 52  # weeks after the estimation end
N_PREDICTED_CUSTOMERS <- 12

DATASETS <- list(
  cdnow = list(
    transactions = "cdnow_transactions.csv", customers = "cdnow_customers.csv",
    estimation.split = "1997-09-30", has.price = TRUE,
    covariates = c("cohort", "multi_cd", "group"),
    factor.levels = list(cohort = c("jan", "feb", "mar"), group = c("a", "b")),
    truth = NULL),
  sim_pnbd = list(
    transactions = "sim_pnbd_transactions.csv", customers = "sim_pnbd_customers.csv",
    estimation.split = NULL, has.price = FALSE,
    covariates = c("channel", "loyalty"),
    factor.levels = list(channel = c("ads", "organic", "referral")),
    truth = "sim_pnbd_truth.json"),
  sim_bgnbd = list(
    transactions = "sim_bgnbd_transactions.csv", customers = "sim_bgnbd_customers.csv",
    estimation.split = NULL, has.price = FALSE,
    covariates = c("channel", "loyalty"),
    factor.levels = list(channel = c("ads", "organic", "referral")),
    truth = "sim_bgnbd_truth.json")
)

MODEL_PARAMS <- list(pnbd = c("r", "alpha", "s", "beta"), bgnbd = c("r", "alpha", "a", "b"))


# JSON writing at full precision ------------------------------------------------------------------
num_str <- function(v) {
  vapply(v, function(x) {
    if (is.na(x)) return("null")
    if (is.infinite(x)) return(if (x > 0) "\"Infinity\"" else "\"-Infinity\"")
    for (d in 15:17) {
      s <- sprintf(paste0("%.", d, "g"), x)
      if (as.numeric(s) == x) return(s)
    }
    s
  }, character(1))
}

to_json <- function(x, indent = 0) {
  pad <- strrep(" ", indent + 1)
  end <- strrep(" ", indent)
  if (is.null(x)) return("null")
  if (is.data.frame(x)) x <- as.list(x)  # column-wise: {"col": [...]}
  if (is.list(x)) {
    if (length(x) == 0) return(if (is.null(names(x))) "[]" else "{}")
    items <- vapply(x, to_json, character(1), indent = indent + 1)
    if (is.null(names(x))) return(paste0("[\n", pad, paste(items, collapse = paste0(",\n", pad)), "\n", end, "]"))
    keys <- vapply(names(x), function(k) as.character(toJSON(k, auto_unbox = TRUE)), character(1))
    return(paste0("{\n", pad, paste(paste0(keys, ": ", items), collapse = paste0(",\n", pad)), "\n", end, "}"))
  }
  scalar <- length(x) == 1 && !inherits(x, "AsIs")
  if (is.matrix(x)) return(to_json(lapply(seq_len(nrow(x)), function(i) I(unname(x[i, ]))), indent))
  vals <- if (is.logical(x)) ifelse(is.na(x), "null", tolower(as.character(x)))
          else if (is.numeric(x)) num_str(as.numeric(x))
          else vapply(as.character(x), function(s) as.character(toJSON(s, auto_unbox = TRUE)), character(1))
  vals <- unname(vals)
  if (scalar) vals else paste0("[", paste(vals, collapse = ", "), "]")
}

write_json_file <- function(x, path) writeLines(to_json(x), path)


# Standard Fader-Hardie log-likelihoods, computed here without CLVTools ----------------------------
# Pareto/NBD (Fader & Hardie 2005 note, eq. 18) without the Gauss hypergeometric function:
#   L = G(T) (beta/(beta+T))^s + int_{t.x}^{T} G(tau) s beta^s (beta+tau)^-(s+1) dtau,
#   G(u) = Gamma(r+x)/Gamma(r) alpha^r (alpha+u)^-(r+x)
# (the second term integrates the drop-out time tau over (t.x, T]); log G(t.x) is factored out.
pnbd_standard_ll <- function(r, s, alpha_i, beta_i, x, t.x, T.cal) {
  vapply(seq_along(x), function(i) {
    a <- alpha_i[i]; b <- beta_i[i]; n <- r + x[i]
    log.G.tx <- lgamma(n) - lgamma(r) + r * log(a) - n * log(a + t.x[i])
    term.alive <- exp(-n * log((a + T.cal[i]) / (a + t.x[i])) + s * log(b / (b + T.cal[i])))
    term.dead <- 0
    if (T.cal[i] > t.x[i]) {
      f <- function(tau) exp(-n * log((a + tau) / (a + t.x[i])) + log(s) + s * log(b) - (s + 1) * log(b + tau))
      term.dead <- integrate(f, t.x[i], T.cal[i], rel.tol = 1e-12, abs.tol = 0, subdivisions = 1000L)$value
    }
    log.G.tx + log(term.alive + term.dead)
  }, numeric(1))
}

# BG/NBD (Fader, Hardie & Lee 2005, eq. 6).
bgnbd_standard_ll <- function(r, alpha_i, a_i, b_i, x, t.x, T.cal) {
  part <- lgamma(r + x) - lgamma(r) + r * log(alpha_i)
  alive <- lbeta(a_i, b_i + x) - lbeta(a_i, b_i) - (r + x) * log(alpha_i + T.cal)
  dead <- ifelse(x > 0, lbeta(a_i + 1, pmax(b_i + x - 1, 1e-300)) - lbeta(a_i, b_i) - (r + x) * log(alpha_i + t.x), -Inf)
  m <- pmax(alive, dead)
  part + m + log(exp(alive - m) + exp(dead - m))
}


# Helpers -------------------------------------------------------------------------------------------
read_dataset <- function(spec) {
  cols <- if (spec$has.price) c(Id = "character", Date = "character", Price = "numeric")
          else c(Id = "character", Date = "character")
  tr <- fread(file.path(DATA_DIR, spec$transactions), colClasses = cols)
  cu <- fread(file.path(DATA_DIR, spec$customers), colClasses = c(Id = "character"))
  for (col in names(spec$factor.levels)) set(cu, j = col, value = factor(cu[[col]], levels = spec$factor.levels[[col]]))
  truth <- if (is.null(spec$truth)) NULL else fromJSON(file.path(DATA_DIR, spec$truth), simplifyVector = FALSE)
  split <- if (is.null(spec$estimation.split)) truth$design$estimation_split else spec$estimation.split
  list(transactions = tr, customers = cu, truth = truth, estimation.split = split)
}

# CLVTools names a numeric covariate as the column, a factor level as <column><level> (model.matrix).
covariate_map <- function(customers, covariates) {
  rows <- list()
  for (col in covariates) {
    v <- customers[[col]]
    if (is.factor(v)) {
      for (lev in levels(v)[-1]) rows[[length(rows) + 1]] <- list(clvtools = paste0(col, lev), column = col, level = lev, reference = levels(v)[1])
    } else {
      rows[[length(rows) + 1]] <- list(clvtools = col, column = col, level = NULL, reference = NULL)
    }
  }
  rows
}

clvlib_name <- function(process, entry) {
  if (is.null(entry$level)) paste0(process, ".", entry$column) else paste0(process, ".", entry$column, ".", entry$level)
}

design_matrix <- function(customers, ids, cmap) {
  cu <- customers[match(ids, customers$Id)]
  m <- sapply(cmap, function(e) if (is.null(e$level)) as.numeric(cu[[e$column]]) else as.numeric(cu[[e$column]] == e$level))
  m <- matrix(m, nrow = length(ids))
  colnames(m) <- vapply(cmap, `[[`, "", "clvtools")
  m
}

predicted_ids <- function(cbs) {
  o <- cbs[order(x, t.x, T.cal, as.integer(Id))]
  o$Id[unique(round(seq(1, nrow(o), length.out = N_PREDICTED_CUSTOMERS)))]
}

covariate_combinations <- function(customers, covariates) {
  levs <- lapply(covariates, function(col) {
    v <- customers[[col]]
    if (is.factor(v)) levels(v) else sort(unique(v))
  })
  names(levs) <- covariates
  combos <- do.call(CJ, c(levs, sorted = FALSE))
  for (col in covariates) if (is.factor(customers[[col]])) set(combos, j = col, value = factor(combos[[col]], levels = levels(customers[[col]])))
  combos
}


# CLVTools' own convergence verdict: optimx convcode 0 and both KKT conditions met.
converged <- function(fit) {
  opt <- fit@optimx.estimation.output
  i <- nrow(opt)
  isTRUE(opt$convcode[i] == 0) && isTRUE(opt$kkt1[i]) && isTRUE(opt$kkt2[i])
}

# How far the optimizer stopped short of the maximum: gradient of CLVTools' own negative LL on
# its optimization scale and the LL gain of one Newton step, 0.5 g' H^-1 g.
stopping_gap <- function(fit) {
  neg.ll <- CLVTools:::clv.fitted.get.LL(fit)
  p <- drop(coef(fit@optimx.estimation.output)[nrow(fit@optimx.estimation.output), , drop = TRUE])
  g <- tryCatch(numDeriv::grad(neg.ll, p), error = function(e) rep(NA_real_, length(p)))
  names(g) <- names(p)
  step <- tryCatch(-drop(solve(fit@optimx.hessian[names(p), names(p)], g)), error = function(e) rep(NA_real_, length(p)))
  names(step) <- names(p)
  list(gradient = g, gain = -0.5 * sum(g * step), step = step)
}

# One fit -> one JSON -----------------------------------------------------------------------------
export_fit <- function(name, model, cov.kind, fit, cbs, customers, covariates, cmap, truth, ll.nocov, seconds, variant = "default") {
  est <- coef(fit)
  se <- sqrt(diag(vcov(fit)))
  V <- vcov(fit)
  base.names <- MODEL_PARAMS[[model]]

  coefs <- list()
  for (p in base.names) coefs[[length(coefs) + 1]] <- list(clvtools = p, clvlib = p, process = "model", column = NULL, level = NULL,
                                                           estimate = unname(est[[p]]), se = unname(se[[p]]))
  if (cov.kind == "staticcov") {
    for (process in c("trans", "life")) for (e in cmap) {
      nm <- paste0(process, ".", e$clvtools)
      coefs[[length(coefs) + 1]] <- list(clvtools = nm, clvlib = clvlib_name(process, e), process = process,
                                         column = e$column, level = e$level,
                                         estimate = unname(est[[nm]]), se = unname(se[[nm]]))
    }
  }

  # Per-customer parameters at CLVTools' estimates, in CBS order.
  n <- nrow(cbs)
  lin.trans <- lin.life <- rep(0, n)
  if (cov.kind == "staticcov") {
    X <- design_matrix(customers, cbs$Id, cmap)
    lin.trans <- drop(X %*% est[paste0("trans.", colnames(X))])
    lin.life <- drop(X %*% est[paste0("life.", colnames(X))])
  }
  alpha_i <- est[["alpha"]] * exp(-lin.trans)
  if (model == "pnbd") {
    beta_i <- est[["beta"]] * exp(-lin.life)
    ll.std <- pnbd_standard_ll(est[["r"]], est[["s"]], alpha_i, beta_i, cbs$x, cbs$t.x, cbs$T.cal)
  } else {
    ll.std <- bgnbd_standard_ll(est[["r"]], alpha_i, est[["a"]] * exp(lin.life), est[["b"]] * exp(lin.life), cbs$x, cbs$t.x, cbs$T.cal)
  }
  ll <- logLik(fit)
  opt <- fit@optimx.estimation.output
  stop.short <- stopping_gap(fit)

  # Predictions for a few customers.
  ids <- predicted_ids(cbs)
  pred <- as.data.table(predict(fit, prediction.end = PREDICTION_END, predict.spending = FALSE, verbose = FALSE))
  pred <- pred[match(ids, Id)]
  keep <- intersect(c("Id", "period.length", "PAlive", "CET", "DERT"), names(pred))
  pred <- pred[, ..keep]
  pred[, Id := as.character(Id)]

  # New customers: CLVTools returns 1 + E[X(t)], the first purchase plus the expected repeat
  # purchases in the first PREDICTION_END weeks (man/newcustomer.Rd); for the Pareto/NBD the
  # closed form E[X(t)] = r beta_i / (alpha_i (s-1)) [1 - (beta_i/(beta_i+t))^(s-1)] is added here.
  pnbd_expectation <- function(lin.t, lin.l) {
    if (model != "pnbd") return(NULL)
    a <- est[["alpha"]] * exp(-lin.t); b <- est[["beta"]] * exp(-lin.l); s <- est[["s"]]
    est[["r"]] * b / (a * (s - 1)) * (1 - (b / (b + PREDICTION_END))^(s - 1))
  }
  if (cov.kind == "nocov") {
    newcust <- list(list(covariates = NULL,
                         expected_transactions = predict(fit, newdata = newcustomer(num.periods = PREDICTION_END)),
                         closed_form_expected_repeat_transactions = pnbd_expectation(0, 0)))
  } else {
    combos <- covariate_combinations(customers, covariates)
    newcust <- lapply(seq_len(nrow(combos)), function(i) {
      row <- combos[i]
      X1 <- as.data.frame(design_matrix(cbind(Id = "new", row), "new", cmap))
      raw <- lapply(covariates, function(col) if (is.factor(row[[col]])) as.character(row[[col]]) else row[[col]])
      names(raw) <- covariates
      x1 <- unlist(X1)
      list(covariates = raw, design = as.list(X1),
           expected_transactions = predict(fit, newdata = newcustomer.static(num.periods = PREDICTION_END,
                                                                              data.cov.life = X1, data.cov.trans = X1)),
           closed_form_expected_repeat_transactions = pnbd_expectation(sum(x1 * est[paste0("trans.", names(x1))]),
                                                                       sum(x1 * est[paste0("life.", names(x1))])))
    })
  }

  out <- list(
    dataset = name, model = model, covariates = cov.kind,
    variant = variant,
    converged = converged(fit),
    clvtools = list(version = as.character(packageVersion("CLVTools", lib.loc = lib)),
                    commit = "1b06356b0ec07640b532c666aff29e2a3b8393fa", tag = "v0.12.1",
                    call = paste(deparse(fit@call), collapse = " "), r_version = R.version.string),
    covariate_columns = if (cov.kind == "staticcov") as.list(covariates) else list(),
    covariate_design = if (cov.kind == "staticcov") cmap else list(),
    name_mapping = paste("clvlib = CLVTools for r, alpha, s, beta / r, alpha, a, b;",
                         "CLVTools '<process>.<column><level>' (model.matrix dummy) = clvlib '<process>.<column>.<level>';",
                         "numeric CLVTools '<process>.<column>' = clvlib '<process>.<column>'"),
    parametrisation = if (model == "pnbd") "alpha_i = alpha*exp(-trans'x), beta_i = beta*exp(-life'x)"
                      else "alpha_i = alpha*exp(-trans'x), a_i = a*exp(life'x), b_i = b*exp(life'x)",
    n_customers = n, n_repeat_transactions = sum(cbs$x),
    coefficients = coefs,
    vcov = list(names = I(rownames(V)), matrix = unname(V)),
    loglik = list(
      clvtools = as.numeric(ll), df = attr(ll, "df"), nobs = attr(ll, "nobs"),
      standard_fader_hardie = sum(ll.std),
      difference_clvtools_minus_standard = as.numeric(ll) - sum(ll.std),
      definition = "CLVTools' logLik: sum over customers of the full individual log-likelihood (Gamma terms and all constants); standard_fader_hardie is recomputed in make_references.R at CLVTools' estimates"),
    optimizer = list(method = rownames(opt)[nrow(opt)], convcode = opt$convcode[nrow(opt)],
                     kkt1 = opt$kkt1[nrow(opt)], kkt2 = opt$kkt2[nrow(opt)],
                     value_negative_ll = opt$value[nrow(opt)], fevals = opt$fevals[nrow(opt)],
                     gevals = opt$gevals[nrow(opt)], seconds = seconds,
                     log_scale_estimates = as.list(drop(coef(opt)[nrow(opt), , drop = TRUE])),
                     gradient_negative_ll_log_scale = as.list(stop.short$gradient),
                     newton_ll_gain = stop.short$gain,
                     newton_step_log_scale = as.list(stop.short$step),
                     newton_ll_gain_definition = "0.5 g' H^-1 g with g the numerical gradient (numDeriv) of CLVTools' own negative LL and H its Hessian, both on the optimizer's (log) scale at the estimates: about how much LL a Newton step would still add; newton_step_log_scale = -H^-1 g, about how far each estimate (log scale for r, alpha, s, beta / a, b; as is for covariates) is from the maximum"),
    predictions = list(prediction_end_weeks = PREDICTION_END, customers = pred),
    new_customer = list(num_periods_weeks = PREDICTION_END,
                        definition = "expected_transactions is CLVTools' predict(fit, newdata = newcustomer(...)): 1 (the first purchase) + E[X(t)] repeat purchases in the first t weeks; closed_form_expected_repeat_transactions (Pareto/NBD only) is E[X(t)] recomputed in make_references.R",
                        rows = newcust),
    lr_test_vs_nocov = if (cov.kind == "staticcov" && !is.null(ll.nocov)) {
      stat <- 2 * (as.numeric(ll) - ll.nocov)
      dfd <- attr(ll, "df") - length(base.names)
      list(statistic = stat, df = dfd, p_value = pchisq(stat, dfd, lower.tail = FALSE))
    } else NULL,
    truth = truth$truth
  )
  suffix <- if (variant == "default") "" else paste0("_", gsub("[^a-z0-9]", "", tolower(variant)))
  path <- file.path(DATA_DIR, sprintf("%s_%s_%s%s.json", name, model, cov.kind, suffix))
  write_json_file(out, path)
  cat(sprintf("%-10s %-6s %-9s LL %.4f (standard %.4f) convcode %s kkt %s/%s %.1fs -> %s\n", name, model, cov.kind,
              as.numeric(ll), sum(ll.std), out$optimizer$convcode, out$optimizer$kkt1, out$optimizer$kkt2, seconds, path))
}

write_cbs <- function(name, cbs, customers, covariates, cmap, first.dates, split) {
  cu <- customers[match(cbs$Id, customers$Id)]
  X <- design_matrix(customers, cbs$Id, cmap)
  out <- data.table(Id = cbs$Id, x = cbs$x, t.x = num_str(cbs$t.x), T.cal = num_str(cbs$T.cal),
                    t.x.days = round(cbs$t.x * 7), T.cal.days = round(cbs$T.cal * 7),
                    first.transaction = first.dates)
  stopifnot(all(abs(out$t.x.days - cbs$t.x * 7) < 1e-6), all(abs(out$T.cal.days - cbs$T.cal * 7) < 1e-6))
  for (col in covariates) set(out, j = col, value = as.character(cu[[col]]))
  for (j in colnames(X)) set(out, j = paste0("cov.", j), value = X[, j])
  out <- out[order(as.integer(Id))]
  fwrite(out, file.path(DATA_DIR, paste0(name, "_cbs.csv")), quote = FALSE)
}


# Main ---------------------------------------------------------------------------------------------
for (name in names(DATASETS)) {
  spec <- DATASETS[[name]]
  d <- read_dataset(spec)
  cl <- clvdata(d$transactions, date.format = "ymd", time.unit = "weeks", estimation.split = d$estimation.split,
                name.id = "Id", name.date = "Date", name.price = if (spec$has.price) "Price" else NULL)
  cl.static <- SetStaticCovariates(cl, data.cov.life = d$customers, data.cov.trans = d$customers,
                                   names.cov.life = spec$covariates, names.cov.trans = spec$covariates)
  cmap <- covariate_map(d$customers, spec$covariates)
  stopifnot(identical(sort(vapply(cmap, `[[`, "", "clvtools")), sort(cl.static@names.cov.data.life)))

  cbs.written <- FALSE
  for (model in c("pnbd", "bgnbd")) {
    fitter <- match.fun(model)
    ll.nocov <- NULL
    for (cov.kind in c("nocov", "staticcov")) {
      data <- if (cov.kind == "nocov") cl else cl.static
      t0 <- proc.time()[["elapsed"]]
      fit <- fitter(data, verbose = FALSE)
      seconds <- proc.time()[["elapsed"]] - t0
      cbs <- copy(fit@cbs)
      cbs[, Id := as.character(Id)]
      if (!cbs.written) {
        write_cbs(name, cbs, d$customers, spec$covariates, cmap, as.character(cbs$date.first.actual.trans), d$estimation.split)
        cbs.written <- TRUE
      }
      export_fit(name, model, cov.kind, fit, cbs, d$customers, spec$covariates, cmap, d$truth, ll.nocov, seconds)
      if (!converged(fit)) {
        # The default optimizer failed (e.g. BG/NBD's BFGS ran off to a = 1e-179): keep that fit as
        # it is, and add CLVTools' fit with optimx L-BFGS-B as a second, converged reference.
        t0 <- proc.time()[["elapsed"]]
        fit <- fitter(data, verbose = FALSE, optimx.args = list(method = "L-BFGS-B"))
        seconds <- proc.time()[["elapsed"]] - t0
        export_fit(name, model, cov.kind, fit, cbs, d$customers, spec$covariates, cmap, d$truth, ll.nocov, seconds,
                   variant = "L-BFGS-B")
      }
      if (cov.kind == "nocov" && converged(fit)) ll.nocov <- as.numeric(logLik(fit))
    }
  }
}
