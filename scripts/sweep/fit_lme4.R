#!/usr/bin/env Rscript
# One sweep case fitted with lme4::lmer; the result as JSON.
#
# Usage: Rscript scripts/sweep/fit_lme4.R CSV FORMULA REML|ML OUT.json
#
# The CSV is read as sweep.py's engine reads it: read.csv(na.strings = "", stringsAsFactors =
# TRUE) in the C collation (text columns become factors with levels in byte order; "None" or "NA"
# text stays a level). The fit is lmer's default; if lme4 reports a convergence problem
# (warnings or messages about convergence, the Hessian, eigenvalues), the model is refitted with
# lmerControl(optimizer = "bobyqa") and the better log-likelihood of the two is reported, both
# being kept under "default" and "bobyqa". Timing: elapsed seconds of the default lmer() call, the
# fastest of 3 when the first takes under 2 s.
# Needs only lme4 (JSON is written here, without jsonlite).
invisible(Sys.setlocale("LC_COLLATE", "C"))
suppressPackageStartupMessages(library(lme4))

a <- commandArgs(trailingOnly = TRUE)
if (length(a) != 4) stop("usage: fit_lme4.R CSV FORMULA REML|ML OUT.json")
csv <- a[1]; form <- as.formula(a[2]); REML <- toupper(a[3]) == "REML"; out <- a[4]

## JSON: named lists are objects, other lists arrays, atomic vectors of length 1 scalars (longer
## ones arrays); arr() makes a vector an array whatever its length.
arr <- function(x) as.list(x)
json_str <- function(s) {
  s <- enc2utf8(as.character(s))
  s <- gsub("\\", "\\\\", s, fixed = TRUE)
  s <- gsub("\"", "\\\"", s, fixed = TRUE)
  s <- gsub("\n", "\\n", s, fixed = TRUE)
  s <- gsub("\r", "\\r", s, fixed = TRUE)
  s <- gsub("\t", "\\t", s, fixed = TRUE)
  s <- gsub("[\001-\037]", " ", s)
  paste0("\"", s, "\"")
}
json_atom <- function(v) {
  if (is.na(v)) return("null")
  if (is.logical(v)) return(if (v) "true" else "false")
  if (is.numeric(v)) return(if (is.finite(v)) sprintf("%.17g", v) else "null")
  json_str(v)
}
json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    items <- vapply(x, json, "")
    if (!is.null(names(x))) return(paste0("{", paste0(json_str(names(x)), ":", items, collapse = ","), "}"))
    return(paste0("[", paste(items, collapse = ","), "]"))
  }
  if (is.factor(x)) x <- as.character(x)
  if (length(x) == 1) return(json_atom(x))
  json(as.list(unname(x)))
}

conv_problem <- function(msgs) any(grepl("converge|Hessian|eigenvalue|degenerate", msgs, ignore.case = TRUE))

d <- read.csv(csv, na.strings = "", stringsAsFactors = TRUE)

fit1 <- function(ctrl) {
  w <- character(0)
  t <- system.time(fit <- withCallingHandlers(lmer(form, data = d, REML = REML, control = ctrl),
    warning = function(x) { w <<- c(w, conditionMessage(x)); invokeRestart("muffleWarning") },
    message = function(x) { w <<- c(w, conditionMessage(x)); invokeRestart("muffleMessage") }))[["elapsed"]]
  conv <- fit@optinfo$conv$lme4$messages
  w <- c(w, if (is.null(conv)) character(0) else conv)
  list(fit = fit, warnings = unique(trimws(w)), time = t, converged = !conv_problem(w))
}

summ <- function(r) {
  fit <- r$fit
  vc <- VarCorr(fit)
  Zt <- getME(fit, "Zt"); Gp <- getME(fit, "Gp"); n <- nobs(fit)
  terms <- lapply(seq_along(vc), function(k) {
    v <- as.matrix(vc[[k]]); p <- ncol(v)
    # mean square of each random-effect column over the rows (the covariate's scale, for
    # comparing small variances on the data's scale); a term's rows of Zt are its levels' p
    # columns one after the other
    rows <- (Gp[k] + 1):Gp[k + 1]
    ms <- vapply(seq_len(p), function(j) sum(Zt[rows[seq(j, length(rows), by = p)], , drop = FALSE]^2) / n, 0)
    list(grouping = names(vc)[k], names = arr(colnames(v)), cov = lapply(seq_len(p), function(i) arr(unname(v[i, ]))),
         zscale = arr(ms))
  })
  fe <- fixef(fit)
  list(logLik = as.numeric(logLik(fit)), converged = r$converged, warnings = arr(r$warnings),
       fixef = as.list(fe), se = as.list(setNames(sqrt(diag(as.matrix(vcov(fit)))), names(fe))),
       terms = terms, sigma2 = sigma(fit)^2, singular = isSingular(fit), theta = arr(unname(getME(fit, "theta"))),
       nobs = n, feval = fit@optinfo$feval, optimizer = fit@optinfo$optimizer)
}

res <- tryCatch({
  r <- fit1(lmerControl())
  if (r$time < 2) for (k in 1:2) r$time <- min(r$time, fit1(lmerControl())$time)
  s <- summ(r)
  s$used <- "default"
  s$default <- list(logLik = s$logLik, converged = r$converged, warnings = arr(r$warnings), time = r$time)
  if (!r$converged) {
    rb <- tryCatch(fit1(lmerControl(optimizer = "bobyqa")), error = function(e) NULL)
    if (!is.null(rb)) {
      sb <- summ(rb)
      bobyqa <- list(logLik = sb$logLik, converged = rb$converged, warnings = arr(rb$warnings), time = rb$time)
      if (sb$logLik > s$logLik) { sb$default <- s$default; sb$used <- "bobyqa"; s <- sb }
      s$bobyqa <- bobyqa
    }
  }
  s$time <- s$default$time
  c(list(ok = TRUE), s)
}, error = function(e) list(ok = FALSE, error = conditionMessage(e)))
res$lme4 <- as.character(packageVersion("lme4"))
res$R <- paste(R.version$major, R.version$minor, sep = ".")
writeLines(json(res), out, useBytes = TRUE)
