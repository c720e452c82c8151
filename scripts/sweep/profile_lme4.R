#!/usr/bin/env Rscript
# One sweep case's profile intervals with lme4: confint(m, method = "profile"), as JSON.
#
# Usage: Rscript scripts/sweep/profile_lme4.R CSV FORMULA REML|ML OUT.json [SECONDS]
#
# The CSV is read as fit_lme4.R reads it (na.strings = "", text columns as factors in the C
# collation). The model is lmer's default fit, refitted with bobyqa when lme4 reports a
# convergence problem (the better log-likelihood kept), as fit_lme4.R does. The profile gets
# SECONDS of elapsed time (default 60; setTimeLimit, checked between lme4's R-level steps); a
# profile that errors or runs out of time is written as {ok: false, error}. Warnings of the
# profile (e.g. "non-monotonic profile", "bad spline fit") are kept: lme4 gives NA where it
# cannot find a bound. Fixed effects are listed in lme4's order with their names, beside their
# estimates, so a comparison can map them to the engine's (patsy's) names and order.
invisible(Sys.setlocale("LC_COLLATE", "C"))
suppressPackageStartupMessages(library(lme4))

a <- commandArgs(trailingOnly = TRUE)
if (length(a) < 4) stop("usage: profile_lme4.R CSV FORMULA REML|ML OUT.json [SECONDS]")
csv <- a[1]; form <- as.formula(a[2]); REML <- toupper(a[3]) == "REML"; out <- a[4]
limit <- if (length(a) >= 5) as.numeric(a[5]) else 60

json_str <- function(s) paste0("\"", gsub("[\001-\037]", " ", gsub("\"", "\\\"", gsub("\\", "\\\\", enc2utf8(as.character(s)), fixed = TRUE), fixed = TRUE)), "\"")
json_num <- function(v) if (is.na(v) || !is.finite(v)) "null" else sprintf("%.17g", v)
json_strs <- function(v) paste0("[", paste(vapply(v, json_str, ""), collapse = ","), "]")

conv_problem <- function(msgs) any(grepl("converge|Hessian|eigenvalue|degenerate", msgs, ignore.case = TRUE))
fit1 <- function(d, ctrl) {
  w <- character(0)
  fit <- withCallingHandlers(lmer(form, data = d, REML = REML, control = ctrl),
    warning = function(x) { w <<- c(w, conditionMessage(x)); invokeRestart("muffleWarning") },
    message = function(x) { w <<- c(w, conditionMessage(x)); invokeRestart("muffleMessage") })
  conv <- fit@optinfo$conv$lme4$messages
  list(fit = fit, bad = conv_problem(c(w, conv)))
}

res <- tryCatch({
  d <- read.csv(csv, na.strings = "", stringsAsFactors = TRUE)
  r <- fit1(d, lmerControl())
  used <- "default"
  if (r$bad) {
    rb <- tryCatch(fit1(d, lmerControl(optimizer = "bobyqa")), error = function(e) NULL)
    if (!is.null(rb) && logLik(rb$fit) > logLik(r$fit)) { r <- rb; used <- "bobyqa" }
  }
  m <- r$fit
  w <- character(0)
  t0 <- proc.time()[["elapsed"]]
  setTimeLimit(elapsed = limit, transient = TRUE)
  ci <- withCallingHandlers(confint(m, method = "profile", oldNames = FALSE),
    warning = function(x) { w <<- c(w, conditionMessage(x)); invokeRestart("muffleWarning") })
  setTimeLimit(elapsed = Inf)
  secs <- proc.time()[["elapsed"]] - t0
  rows <- vapply(seq_len(nrow(ci)), function(i)
    paste0("{\"name\":", json_str(rownames(ci)[i]), ",\"low\":", json_num(ci[i, 1]), ",\"high\":", json_num(ci[i, 2]), "}"), "")
  fe <- fixef(m)
  paste0("{\"ok\":true,\"optimizer\":", json_str(used), ",\"seconds\":", json_num(secs),
         ",\"logLik\":", json_num(as.numeric(logLik(m))), ",\"singular\":", if (isSingular(m)) "true" else "false",
         ",\"fixef\":", json_strs(names(fe)), ",\"fixefValues\":[", paste(vapply(fe, json_num, ""), collapse = ","), "]",
         ",\"warnings\":", json_strs(unique(w)), ",\"rows\":[", paste(rows, collapse = ","), "]}")
}, error = function(e) {
  setTimeLimit(elapsed = Inf)
  paste0("{\"ok\":false,\"error\":", json_str(conditionMessage(e)), "}")
})
writeLines(res, out, useBytes = TRUE)
