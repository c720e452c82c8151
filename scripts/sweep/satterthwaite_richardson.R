#!/usr/bin/env Rscript
# Satterthwaite's df of each fixed effect as lmerTest defines them, with the Hessian of the
# deviance in (theta, sigma) and the Jacobian of vcov(beta) by central differences with absolute
# steps h and Richardson's extrapolation (h, h/2), for several h: a check of lmerTest's own numbers,
# which come from numDeriv's steps relative to each parameter and move with the step at a boundary
# fit (theta = 0). Also lmerTest's and pbkrtest's tables of the same fit, for comparison.
#
# Usage: Rscript scripts/sweep/satterthwaite_richardson.R CSV FORMULA REML|ML OUT.json
# (made test/fixtures/inference/sweep/co2_boundary.json from scripts/sweep/.out/data/CO2.csv and
# "uptake ~ log(conc) * Treatment + Type + (log(conc)|Plant)", REML)
invisible(Sys.setlocale("LC_COLLATE", "C"))
suppressPackageStartupMessages({library(lmerTest); library(jsonlite)})
a <- commandArgs(TRUE)
if (length(a) != 4) stop("usage: satterthwaite_richardson.R CSV FORMULA REML|ML OUT.json")
d <- read.csv(a[1], na.strings = "", stringsAsFactors = TRUE)
REML <- toupper(a[3]) == "REML"
m <- lmer(as.formula(a[2]), d, REML = REML)
m2 <- lmer(as.formula(a[2]), d, REML = REML, control = lmerControl(optimizer = "bobyqa"))
if (logLik(m2) > logLik(m)) m <- m2
devfun <- update(m, devFunOnly = TRUE)
x <- unname(c(getME(m, "theta"), sigma(m)))
k <- length(x); p <- length(fixef(m))
f <- function(x) lmerTest:::devfun_vp(x, devfun = devfun, reml = REML)
g <- function(x) as.vector(lmerTest:::get_covbeta(x, devfun = devfun))
unit <- function(i) replace(numeric(k), i, 1)
hess <- function(h) outer(1:k, 1:k, Vectorize(function(i, j) {
  e <- unit(i) * h; u <- unit(j) * h
  (f(x + e + u) - f(x + e - u) - f(x - e + u) + f(x - e - u)) / (4 * h^2)
}))
jac <- function(h) sapply(1:k, function(i) { e <- unit(i) * h; (g(x + e) - g(x - e)) / (2 * h) })
rich <- function(F, h) (4 * F(h / 2) - F(h)) / 3
vb <- as.matrix(vcov(m))
sat_df <- function(H, Jac) {
  V <- 2 * solve(H); J <- lapply(1:k, function(i) matrix(Jac[, i], p, p))
  sapply(1:p, function(j) { L <- replace(numeric(p), j, 1); v <- sum(L * (vb %*% L))
    gr <- sapply(J, function(X) sum(L * (X %*% L))); 2 * v^2 / sum(gr * (V %*% gr)) })
}
steps <- c(1e-2, 3e-3, 1e-3, 3e-4)
tab <- function(t) { t <- as.data.frame(t); t$name <- rownames(t); rownames(t) <- NULL; t }
out <- list(formula = a[2], method = if (REML) "REML" else "ML", logLik = as.numeric(logLik(m)),
            theta = getME(m, "theta"), sigma = sigma(m), names = names(fixef(m)),
            richardson = lapply(steps, function(h) list(h = h, df = sat_df(rich(hess, h), rich(jac, h)))),
            lmerTest_satterthwaite = tab(coef(summary(m, ddf = "Satterthwaite"))))
if (REML) out$pbkrtest_kenward_roger <- tab(coef(summary(m, ddf = "Kenward-Roger")))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), a[4])
