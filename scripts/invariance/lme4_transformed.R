#!/usr/bin/env Rscript
# lme4 on the data of issue 9 (test/fixtures/data/offsets.csv) and on shifted and rescaled
# versions of its columns: the comparison quoted in README.md ("Numerical accuracy") and the
# reference numbers of test/engine/invariance.test.ts.
#
#   Rscript scripts/invariance/lme4_transformed.R
#
# Writes test/fixtures/invariance/lme4.json: per case the transform (column, multiplier a and
# shift b: column -> a * column + b, computed in doubles as the tests compute it), lme4's REML
# log-likelihood, fixed effects and their SEs, variance components, sigma^2, theta, isSingular and
# every warning or message lme4 gave.
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })

all_args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
here <- if (length(script)) dirname(normalizePath(script)) else getwd()
root <- normalizePath(file.path(here, "..", ".."))
data <- read.csv(file.path(root, "test", "fixtures", "data", "offsets.csv"), stringsAsFactors = FALSE)

nums <- function(x) { x <- as.numeric(x); x[!is.finite(x)] <- NA; I(x) }

cases <- list(
  list(name = "intercept", formula = "y ~ x + (1|g)"),
  list(name = "intercept y+1e6", formula = "y ~ x + (1|g)", column = "y", a = 1, b = 1e6),
  list(name = "intercept y+1e8", formula = "y ~ x + (1|g)", column = "y", a = 1, b = 1e8),
  list(name = "intercept y+1e12", formula = "y ~ x + (1|g)", column = "y", a = 1, b = 1e12),
  list(name = "intercept y*1e8", formula = "y ~ x + (1|g)", column = "y", a = 1e8, b = 0),
  list(name = "intercept y*1e160", formula = "y ~ x + (1|g)", column = "y", a = 1e160, b = 0),
  list(name = "intercept x+1e5", formula = "y ~ x + (1|g)", column = "x", a = 1, b = 1e5),
  list(name = "intercept x+3e5", formula = "y ~ x + (1|g)", column = "x", a = 1, b = 3e5),
  list(name = "intercept x+1e9", formula = "y ~ x + (1|g)", column = "x", a = 1, b = 1e9),
  list(name = "slope", formula = "y ~ x + (x|g)"),
  list(name = "slope x*1e3", formula = "y ~ x + (x|g)", column = "x", a = 1e3, b = 0),
  list(name = "slope x*1e4", formula = "y ~ x + (x|g)", column = "x", a = 1e4, b = 0),
  list(name = "slope x*1e5", formula = "y ~ x + (x|g)", column = "x", a = 1e5, b = 0),
  list(name = "slope x*1e6", formula = "y ~ x + (x|g)", column = "x", a = 1e6, b = 0),
  list(name = "slope x*1e8", formula = "y ~ x + (x|g)", column = "x", a = 1e8, b = 0),
  list(name = "slope x*1e-6", formula = "y ~ x + (x|g)", column = "x", a = 1e-6, b = 0),
  list(name = "slope x*1e-8", formula = "y ~ x + (x|g)", column = "x", a = 1e-8, b = 0),
  list(name = "slope x+1e4", formula = "y ~ x + (x|g)", column = "x", a = 1, b = 1e4),
  list(name = "slope y*1e8", formula = "y ~ x + (x|g)", column = "y", a = 1e8, b = 0)
)

fit_case <- function(c) {
  d <- data
  if (!is.null(c$column)) d[[c$column]] <- c$a * d[[c$column]] + c$b
  notes <- character(0)
  fit <- tryCatch(withCallingHandlers(
    lmer(as.formula(c$formula), data = d, REML = TRUE),
    warning = function(w) { notes <<- c(notes, paste0("warning: ", conditionMessage(w))); invokeRestart("muffleWarning") },
    message = function(m) { notes <<- c(notes, paste0("message: ", trimws(conditionMessage(m)))); invokeRestart("muffleMessage") }
  ), error = function(e) e)
  out <- list(name = c$name, formula = c$formula)
  if (!is.null(c$column)) out <- c(out, list(column = c$column, a = c$a, b = c$b))
  if (inherits(fit, "error")) return(c(out, list(status = "error", error = conditionMessage(fit), notes = I(notes))))
  vc <- as.data.frame(VarCorr(fit))
  conv <- fit@optinfo$conv$lme4$messages
  se <- tryCatch(sqrt(diag(as.matrix(vcov(fit)))), error = function(e) { notes <<- c(notes, paste0("vcov: ", conditionMessage(e))); rep(NA, length(fixef(fit))) })
  c(out, list(
    status = "ok",
    llf = as.numeric(logLik(fit)),
    fe_names = I(names(fixef(fit))), fe_params = nums(fixef(fit)), bse_fe = nums(se),
    vc_names = I(paste(vc$grp, vc$var1, ifelse(is.na(vc$var2), "", vc$var2))), vc_values = nums(vc$vcov),
    scale = sigma(fit)^2, theta = nums(getME(fit, "theta")), singular = isSingular(fit),
    notes = I(c(notes, if (!is.null(conv)) paste0("convergence: ", conv) else character(0)))
  ))
}

res <- lapply(cases, fit_case)
env <- list(R = R.version.string, lme4 = as.character(packageVersion("lme4")))
dir.create(file.path(root, "test", "fixtures", "invariance"), showWarnings = FALSE)
writeLines(toJSON(list(env = env, cases = res), auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
           file.path(root, "test", "fixtures", "invariance", "lme4.json"))
for (r in res) cat(sprintf("%-22s %-6s llf %s  %s\n", r$name, r$status, if (is.null(r$llf)) "-" else format(r$llf, digits = 10),
                           paste(c(r$notes, r$error), collapse = " | ")))
