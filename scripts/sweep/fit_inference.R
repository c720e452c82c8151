#!/usr/bin/env Rscript
# One sweep case's inference with lmerTest / pbkrtest / lme4, as JSON (used by inference.py).
#
# Usage: Rscript scripts/sweep/fit_inference.R CSV FORMULA REML|ML PART OUT.json [THETA]
#   PART satterthwaite: summary(m, ddf = "Satterthwaite"), anova(m, type = 1, 2, 3) with
#        Satterthwaite df, and the likelihood-ratio test anova(m0, m) (lme4 refits both by ML)
#        of the model without its last fixed-effect term (the reduced formula is in the output);
#   PART kenward-roger: summary(m, ddf = "Kenward-Roger") and anova(m, type = 1, 2, 3,
#        ddf = "Kenward-Roger") (pbkrtest; lmerTest allows it for REML fits only).
# The CSV is read as fit_lme4.R reads it (read.csv(na.strings = "", stringsAsFactors = TRUE), C
# collation). The model is fitted with lmer's default optimizer and with bobyqa and the better fit
# is kept (likewise the reduced model). Each table is computed in a tryCatch: an error is recorded as the table's "error".
# THETA (comma-separated, lme4's order): no optimisation, the model at that θ (the engine's, where
# lme4 stops short of it), so that lmerTest's tables are those of the engine's fit.
# Needs lme4, lmerTest, pbkrtest and jsonlite.
invisible(Sys.setlocale("LC_COLLATE", "C"))
suppressPackageStartupMessages({library(lme4); library(lmerTest); library(jsonlite)})

a <- commandArgs(trailingOnly = TRUE)
if (!length(a) %in% 5:6) stop("usage: fit_inference.R CSV FORMULA REML|ML PART OUT.json [THETA]")
csv <- a[1]; form_s <- a[2]; REML <- toupper(a[3]) == "REML"; part <- a[4]; out_path <- a[5]
d <- read.csv(csv, na.strings = "", stringsAsFactors = TRUE)
form <- as.formula(form_s)

# The random-effect terms as written: top-level "+" pieces of the right-hand side in parentheses
# that hold a bar.
split_top <- function(s) {
  ch <- strsplit(s, "")[[1]]; depth <- 0; start <- 1; out <- character()
  for (i in seq_along(ch)) {
    if (ch[i] == "(") depth <- depth + 1 else if (ch[i] == ")") depth <- depth - 1
    else if (ch[i] == "+" && depth == 0) { out <- c(out, substr(s, start, i - 1)); start <- i + 1 }
  }
  trimws(c(out, substr(s, start, nchar(s))))
}
rhs <- sub("^[^~]*~", "", form_s)
lhs <- trimws(sub("~.*$", "", form_s))
pieces <- split_top(rhs)
bars <- pieces[grepl("^\\(.*\\|.*\\)$", pieces)]
labels <- attr(terms(nobars(form)), "term.labels")
reduced <- if (length(labels)) {
  keep <- labels[-length(labels)]
  paste(lhs, "~", paste(c(if (length(keep)) keep else "1", bars), collapse = " + "))
} else NA

tab <- function(m) { m <- as.data.frame(m); m$name <- rownames(m); rownames(m) <- NULL; m }
try_tab <- function(expr) {
  t0 <- proc.time()[["elapsed"]]
  r <- tryCatch(list(rows = tab(expr)), error = function(e) list(error = conditionMessage(e)))
  r$seconds <- proc.time()[["elapsed"]] - t0
  r
}

# lmer's default optimizer stops short on some of these models (see README.md); lmerTest's numbers
# are those of the fit, so the better of the default and bobyqa is kept (both logLiks reported).
best_fit <- function(f) {
  m1 <- lmer(f, d, REML = REML)
  m2 <- tryCatch(lmer(f, d, REML = REML, control = lmerControl(optimizer = "bobyqa")), error = function(e) NULL)
  fits <- list(default = m1, bobyqa = m2)
  fits <- fits[!vapply(fits, is.null, TRUE)]
  ll <- vapply(fits, function(x) as.numeric(logLik(x)), 0)
  list(m = fits[[which.max(ll)]], optimizer = names(fits)[which.max(ll)], logLiks = as.list(ll))
}
# The engine may order its terms otherwise than lme4 (which sorts them by their number of levels):
# of the orders of lme4's blocks, the one whose theta gives the highest likelihood.
engine_order <- function(f, th) {
  lf <- lFormula(f, d, REML = REML)
  sizes <- vapply(lf$reTrms$cnms, function(x) length(x) * (length(x) + 1) / 2, 0)
  if (length(sizes) < 2 || length(sizes) > 4) return(th)
  devfun <- do.call(mkLmerDevfun, lf)
  perms <- function(v) if (length(v) <= 1) list(v) else do.call(c, lapply(seq_along(v), function(i) lapply(perms(v[-i]), function(p) c(v[i], p))))
  best <- th; best_dev <- Inf
  for (p in perms(seq_along(sizes))) {
    pieces <- split(th, rep(seq_along(p), sizes[p]))   # the engine's blocks, in the order p of lme4's
    cand <- unlist(pieces[order(p)])
    dv <- tryCatch(devfun(cand), error = function(e) Inf)
    if (is.finite(dv) && dv < best_dev) { best <- unname(cand); best_dev <- dv }
  }
  best
}
at_theta <- function(f, th) {
  noopt <<- function(fn, par, lower, upper, control = list(), ...)
    list(par = par, fval = fn(par), conv = 0, message = "given theta")
  th <- engine_order(f, th)
  th <<- th  # lmerTest re-evaluates the call (update(m, devFunOnly = TRUE)) in this script's frame
  m <- lmer(f, d, REML = REML, start = list(theta = th), control = lmerControl(optimizer = noopt, calc.derivs = FALSE))
  list(m = m, optimizer = "none (given theta)", logLiks = list(given = as.numeric(logLik(m))))
}
bf <- if (length(a) == 6) at_theta(form, as.numeric(strsplit(a[6], ",")[[1]])) else best_fit(form)
m <- bf$m
out <- list(formula = form_s, method = if (REML) "REML" else "ML", part = part, reduced = reduced,
            termLabels = labels, nobs = nobs(m), logLik = as.numeric(logLik(m)),
            singular = isSingular(m), optimizer = bf$optimizer, logLiks = bf$logLiks)
if (part == "satterthwaite") {
  out$summary <- try_tab(coef(summary(m, ddf = "Satterthwaite")))
  out$anova <- list()
  for (ty in c("1", "2", "3")) out$anova[[ty]] <- try_tab(anova(m, type = ty, ddf = "Satterthwaite"))
  if (!is.na(reduced) && length(a) == 5) {
    m0 <- tryCatch(best_fit(as.formula(reduced))$m, error = function(e) NULL)
    # lme4 refuses models fitted to different rows (a column with missing values only the full
    # model uses); the engine compares them on the rows complete for both, with a note: so does this.
    if (!is.null(m0) && nobs(m0) != nobs(m)) {
      d <- d[complete.cases(d[, intersect(all.vars(form), names(d)), drop = FALSE]), , drop = FALSE]
      m0 <- best_fit(as.formula(reduced))$m; m <- best_fit(form)$m
      out$lrtCommonRows <- nobs(m)
    }
    out$lrt <- if (is.null(m0)) list(error = "reduced model does not fit") else try_tab(anova(m0, m))
  }
} else if (part == "kenward-roger") {
  suppressPackageStartupMessages(library(pbkrtest))
  out$summary <- try_tab(coef(summary(m, ddf = "Kenward-Roger")))
  out$anova <- list()
  for (ty in c("1", "2", "3")) out$anova[[ty]] <- try_tab(anova(m, type = ty, ddf = "Kenward-Roger"))
} else stop("PART must be satterthwaite or kenward-roger")
out$env <- list(lme4 = as.character(packageVersion("lme4")),
                lmerTest = as.character(packageVersion("lmerTest")),
                pbkrtest = if (part == "kenward-roger") as.character(packageVersion("pbkrtest")) else NULL)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", null = "null"), out_path)
