#!/usr/bin/env Rscript
# One sweep case's inference with lmerTest / pbkrtest / lme4, as JSON (used by inference.py).
#
# Usage: Rscript scripts/sweep/fit_inference.R CSV FORMULA REML|ML PART OUT.json
#   PART satterthwaite: summary(m, ddf = "Satterthwaite"), anova(m, type = 1, 2, 3) with
#        Satterthwaite df, and the likelihood-ratio test anova(m0, m) (lme4 refits both by ML)
#        of the model without its last fixed-effect term (the reduced formula is in the output);
#   PART kenward-roger: summary(m, ddf = "Kenward-Roger") and anova(m, type = 1, 2, 3,
#        ddf = "Kenward-Roger") (pbkrtest; lmerTest allows it for REML fits only).
# The CSV is read as fit_lme4.R reads it (read.csv(na.strings = "", stringsAsFactors = TRUE), C
# collation). The model is fitted with lmer's default optimizer and with bobyqa and the better fit
# is kept (likewise the reduced model). Each table is computed in a tryCatch: an error is recorded as the table's "error".
# Needs lme4, lmerTest, pbkrtest and jsonlite.
invisible(Sys.setlocale("LC_COLLATE", "C"))
suppressPackageStartupMessages({library(lme4); library(lmerTest); library(jsonlite)})

a <- commandArgs(trailingOnly = TRUE)
if (length(a) != 5) stop("usage: fit_inference.R CSV FORMULA REML|ML PART OUT.json")
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
bf <- best_fit(form)
m <- bf$m
out <- list(formula = form_s, method = if (REML) "REML" else "ML", part = part, reduced = reduced,
            termLabels = labels, nobs = nobs(m), logLik = as.numeric(logLik(m)),
            singular = isSingular(m), optimizer = bf$optimizer, logLiks = bf$logLiks)
if (part == "satterthwaite") {
  out$summary <- try_tab(coef(summary(m, ddf = "Satterthwaite")))
  out$anova <- list()
  for (ty in c("1", "2", "3")) out$anova[[ty]] <- try_tab(anova(m, type = ty, ddf = "Satterthwaite"))
  if (!is.na(reduced)) {
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
