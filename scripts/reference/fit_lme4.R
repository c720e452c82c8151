#!/usr/bin/env Rscript
# Reference fits from lme4::lmer for the cases in scripts/reference/cases.json.
#
#   Rscript scripts/reference/fit_lme4.R [CASE ...] [--cases FILE] [--repeats N]
#
# Writes test/fixtures/reference/<case>.lme4.json with the fields of the shared reference files
# (/work/shared/reference/README.md). Data: test/fixtures/data/<file name of case$data>, read with
# read.csv(stringsAsFactors = FALSE), so text columns become factors with alphabetical levels
# inside lmer. Rows with missing values are dropped by lmer's default na.action (na.omit).
# Timing: median of N (default 3) runs of system.time(lmer(...)). Satterthwaite df and p-values
# from lmerTest when it is installed.
# Optimizer: lmer's default (nloptwrap). A case with "lme4_fallback_optimizer" (e.g. "bobyqa") is
# refitted with lmerControl(optimizer = that) when the default fit reports non-convergence; the
# failed attempt is stored under "default_fit" (as fit_statsmodels.py does with fallback_method).
suppressPackageStartupMessages({
  library(lme4)
  library(jsonlite)
})

all_args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
here <- if (length(script)) dirname(normalizePath(script)) else getwd()
root <- normalizePath(file.path(here, "..", ".."))
data_dir <- file.path(root, "test", "fixtures", "data")
out_dir <- file.path(root, "test", "fixtures", "reference")

opts <- commandArgs(trailingOnly = TRUE)
cases_file <- file.path(here, "cases.json")
repeats <- 3L
wanted <- character(0)
k <- 1L
while (k <= length(opts)) {
  if (opts[k] == "--repeats") { repeats <- as.integer(opts[k + 1L]); k <- k + 2L }
  else if (opts[k] == "--cases") { cases_file <- opts[k + 1L]; k <- k + 2L }
  else { wanted <- c(wanted, opts[k]); k <- k + 1L }
}
cases <- fromJSON(cases_file, simplifyVector = FALSE)$cases
if (length(wanted)) {
  bad <- setdiff(wanted, vapply(cases, function(c) c$name, ""))
  if (length(bad)) stop("unknown case(s): ", paste(bad, collapse = ", "))
  cases <- Filter(function(c) c$name %in% wanted, cases)
}
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

lmertest <- requireNamespace("lmerTest", quietly = TRUE)
env <- list(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
            Matrix = as.character(packageVersion("Matrix")),
            lmerTest = if (lmertest) as.character(packageVersion("lmerTest")) else NULL,
            BLAS = extSoftVersion()[["BLAS"]], cpus = parallel::detectCores())

# JSON helpers: numeric vectors stay arrays even at length 1; non-finite -> null
nums <- function(x) { x <- as.numeric(x); x[!is.finite(x)] <- NA; I(x) }
rows <- function(m) { m <- as.matrix(m); lapply(seq_len(nrow(m)), function(r) nums(m[r, ])) }

lmer_logged <- function(form, data, REML, optimizer = NULL) {
  notes <- character(0)
  fit <- withCallingHandlers(
    if (is.null(optimizer)) lmer(form, data = data, REML = REML)
    else lmer(form, data = data, REML = REML, control = lmerControl(optimizer = optimizer)),
    warning = function(w) { notes <<- c(notes, paste0("warning: ", conditionMessage(w))); invokeRestart("muffleWarning") },
    message = function(m) { notes <<- c(notes, paste0("message: ", trimws(conditionMessage(m)))); invokeRestart("muffleMessage") })
  list(fit = fit, notes = notes)
}

describe <- function(case) {
  spec <- case$lme4
  out <- list(case = case$name, engine = "lme4", engine_version = as.character(packageVersion("lme4")),
              spec = spec, compare = if (is.null(case$compare)) TRUE else case$compare)
  if (is.null(spec)) { out$status <- "not_expressible"; return(out) }
  data <- read.csv(file.path(data_dir, basename(case$data)), stringsAsFactors = FALSE)
  form <- as.formula(spec$formula)
  REML <- isTRUE(spec$REML)

  fit_all <- function(optimizer) {
    first <- NULL
    times <- numeric(0)
    err <- tryCatch({
      for (r in seq_len(max(1L, repeats))) {
        gc(FALSE)
        times <- c(times, system.time(run <- lmer_logged(form, data, REML, optimizer))[["elapsed"]])
        if (is.null(first)) first <- run
      }
      NULL
    }, error = function(e) conditionMessage(e))
    list(first = first, times = times, err = err)
  }
  attempt <- fit_all(NULL)
  if (is.null(attempt$err) && !is.null(case$lme4_fallback_optimizer)) {
    f0 <- attempt$first$fit
    c0 <- f0@optinfo$conv
    m0 <- unlist(c0$lme4$messages)
    if (!(isTRUE(c0$opt == 0) && !any(!grepl("^boundary \\(singular\\) fit", m0)))) {
      out$default_fit <- list(optimizer = f0@optinfo$optimizer, converged = FALSE,
                              warnings = as.list(attempt$first$notes), lme4_conv_messages = as.list(m0),
                              fe_names = I(names(fixef(f0))), fe_params = nums(fixef(f0)),
                              theta = nums(getME(f0, "theta")), scale = sigma(f0)^2,
                              llf = as.numeric(logLik(f0)), fit_seconds = median(attempt$times),
                              fit_seconds_all = nums(attempt$times))
      attempt <- fit_all(case$lme4_fallback_optimizer)
      out$fit_strategy <- sprintf("default optimizer did not converge (see default_fit); refitted with lmerControl(optimizer = \"%s\")",
                                  case$lme4_fallback_optimizer)
    }
  }
  first <- attempt$first
  times <- attempt$times
  err <- attempt$err
  if (!is.null(err)) { out$status <- "error"; out$error <- err; return(out) }

  fit <- first$fit
  errors <- list()
  conv <- fit@optinfo$conv
  conv_msgs <- unlist(conv$lme4$messages)
  out$status <- "ok"
  out$warnings <- as.list(first$notes)
  out$optimizer <- fit@optinfo$optimizer
  out$optimizer_code <- conv$opt
  out$lme4_conv_messages <- as.list(c(conv_msgs, unlist(fit@optinfo$warnings)))
  out$singular <- isSingular(fit)
  # converged: optimizer code 0 and no lme4 convergence message other than the singular-fit note
  out$converged <- isTRUE(conv$opt == 0) && !any(!grepl("^boundary \\(singular\\) fit", conv_msgs))
  out$method <- if (REML) "REML" else "ML"

  beta <- fixef(fit)
  V <- as.matrix(vcov(fit))
  se <- sqrt(diag(V))
  out$fe_names <- I(names(beta))
  out$fe_params <- nums(beta)
  out$bse_fe <- nums(se)
  out$tvalues <- nums(beta / se)
  out$tvalues_kind <- "t"
  out$pvalues_normal <- nums(2 * pnorm(-abs(beta / se)))
  out["pvalues"] <- list(NULL)
  out$conf_int_wald <- rows(confint(fit, parm = "beta_", method = "Wald", level = 0.95))
  out$vcov_fe <- rows(V)
  if (lmertest) {
    sat <- tryCatch({
      co <- summary(suppressMessages(suppressWarnings(lmerTest::lmer(form, data = data, REML = REML))))$coefficients
      list(df = nums(co[, "df"]), p = nums(co[, "Pr(>|t|)"]))
    }, error = function(e) { errors$lmerTest <<- conditionMessage(e); list(df = NULL, p = NULL) })
    out["df_satterthwaite"] <- list(sat$df)
    out["pvalues_satterthwaite"] <- list(sat$p)
  }

  out$cov_re <- lapply(VarCorr(fit), function(m) list(
    names = I(colnames(m)), matrix = rows(m), sd = nums(attr(m, "stddev")),
    corr = if (ncol(m) > 1) rows(attr(m, "correlation")) else NULL))
  out["vcomp"] <- list(NULL)
  out$sigma <- sigma(fit)
  out$scale <- sigma(fit)^2
  out$theta <- nums(getME(fit, "theta"))
  out$theta_names <- I(names(getME(fit, "theta")))
  ll <- logLik(fit)
  out$llf <- as.numeric(ll)
  out$llf_kind <- out$method
  out$llf_df <- attr(ll, "df")
  out$aic <- AIC(fit)
  out$bic <- BIC(fit)
  out$aic_bic_note <- "lme4 AIC/BIC from logLik (the REML log-likelihood for REML fits), df = p + length(theta) + 1"
  out$deviance_or_reml_crit <- as.numeric(if (REML) getME(fit, "devcomp")$cmp[["REML"]] else deviance(fit))
  out["bse_re"] <- list(NULL)
  out$random_effects <- tryCatch(lapply(ranef(fit), function(d) {
    setNames(lapply(seq_len(nrow(d)), function(r) as.list(setNames(as.numeric(unlist(d[r, , drop = FALSE])), colnames(d)))),
             rownames(d))
  }), error = function(e) { errors$random_effects <<- conditionMessage(e); NULL })

  flist <- getME(fit, "flist")
  out$n_obs <- nobs(fit)
  out$n_dropped <- nrow(data) - nobs(fit)
  out$n_groups <- lapply(flist, nlevels)
  out$group_size <- lapply(flist, function(f) { n <- as.numeric(table(f)); list(min = min(n), max = max(n), mean = mean(n)) })
  out$summary <- paste(capture.output(print(summary(fit), correlation = FALSE)), collapse = "\n")
  out$fit_seconds <- median(times)
  out$fit_seconds_all <- nums(times)
  out$timing_note <- sprintf("system.time(lmer(...))['elapsed'], median of %d run(s)", length(times))
  if (length(errors)) out$errors <- errors
  out
}

for (case in cases) {
  out <- describe(case)
  out$env <- env
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = 1),
             file.path(out_dir, paste0(case$name, ".lme4.json")))
  cat(sprintf("%-24s status=%s converged=%s singular=%s llf=%s %s\n", case$name, out$status,
              format(out$converged), format(out$singular), format(out$llf, digits = 12),
              paste(c(out$error, unlist(out$warnings)), collapse = " | ")))
}
