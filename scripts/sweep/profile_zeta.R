#!/usr/bin/env Rscript
# The exact profile at given values of one parameter: the ML deviance minimised with the
# parameter held at each value, as ζ = sign(value - estimate) * sqrt(deviance - deviance at the
# ML optimum). Decides which of two bounds (lme4's spline, the engine's root) is right: ζ must be
# ±qnorm(0.975) = ±1.96 at the right one.
#
# Usage: Rscript scripts/sweep/profile_zeta.R CSV FORMULA REML|ML PARAMETER VALUE [VALUE ...] [-- PARAMETER VALUE ...]
#
# PARAMETER is a row name of confint(m, method = "profile", oldNames = FALSE): sd_X|g, cor_X.Y|g,
# sigma (lme4's devfun2: the deviance as a function of the sd/cor/sigma vector, minimised over the
# others by bobyqa and Nelder-Mead from the optimum and from the held value's nearest corner, the
# lowest kept) or a fixed effect (its column of X times the value moved into the response, the
# model without that column refitted by ML with bobyqa and Nelder-Mead, the lower kept). The fit is
# refitted by ML first, as lme4's profile does for a REML fit. Prints one line per value.
invisible(Sys.setlocale("LC_COLLATE", "C"))
suppressPackageStartupMessages({ library(lme4); library(minqa) })
options(warn = -1)
a <- commandArgs(trailingOnly = TRUE)
if (length(a) < 5) stop("usage: profile_zeta.R CSV FORMULA REML|ML PARAMETER VALUE... [-- PARAMETER VALUE...]")
d <- read.csv(a[1], na.strings = "", stringsAsFactors = TRUE); form <- as.formula(a[2])
rest <- a[-(1:3)]
groups <- split(rest, cumsum(rest == "--"))
groups <- lapply(groups, function(g) g[g != "--"])
m <- lmer(form, d, REML = toupper(a[3]) == "REML")
# the ML fit, and D̂: the lowest ML deviance of lme4's fit and refits by bobyqa and Nelder-Mead
# (lme4 stops short on some models; the engine's bounds are then checked against the true optimum)
mML <- refitML(m)
fits <- c(list(mML), lapply(c("bobyqa", "Nelder_Mead"), function(o)
  tryCatch(suppressMessages(update(mML, REML = FALSE, control = lmerControl(optimizer = o))), error = function(e) NULL)))
fits <- Filter(Negate(is.null), fits)
mML <- fits[[which.min(vapply(fits, deviance, 0))]]
# minimisations restarted from where the last ended, on the parameters' own scales (bobyqa and
# L-BFGS-B): lme4's optimizers stop short with badly scaled covariates (sleepstudy with Days * 111:
# 1753.03 where the optimum is 1751.94)
polish <- function(fn, th, lower, upper = rep(Inf, length(th)), rounds = 3) {
  best <- list(par = th, f = fn(th))
  for (k in seq_len(rounds)) {
    sc <- ifelse(is.finite(lower) & is.finite(upper), 0.5, pmax(abs(best$par), 1e-12))
    g <- function(y) { r <- fn(y * sc); if (is.finite(r)) r else 1e300 }
    r1 <- tryCatch(minqa::bobyqa(best$par / sc, g, lower = lower / sc, upper = upper / sc,
                                 control = list(rhobeg = 0.1, rhoend = 1e-10, maxfun = 1e5)), error = function(e) NULL)
    r2 <- tryCatch(optim(best$par / sc, g, method = "L-BFGS-B", lower = lower / sc, upper = upper / sc,
                         control = list(factr = 1, maxit = 1e4)), error = function(e) NULL)
    old <- best$f
    for (x in list(r1$par, r2$par)) if (!is.null(x)) { v <- fn(x * sc); if (is.finite(v) && v < best$f) best <- list(par = x * sc, f = v) }
    if (old - best$f < 1e-9) break
  }
  best
}
{
  fn <- getME(mML, "devfun"); lw <- getME(mML, "lower")
  b <- polish(fn, getME(mML, "theta"), lw)
  if (b$f < deviance(mML) - 1e-9) {
    fn(b$par)  # the devfun's environment holds the state at b$par, as mkMerMod expects
    lf <- lFormula(form, d, REML = FALSE)
    mML <- mkMerMod(environment(fn), list(par = b$par, fval = b$f, conv = 0, feval = NA), lf$reTrms, fr = lf$fr)
  }
}
# The ML deviance as a function of the sd/cor/σ vector (devfun2's parameters, in its order):
# each term's covariance factored by a Cholesky that takes zero pivots (a singular covariance: an
# sd at 0, a correlation at ±1), divided by σ into θ, then lme4's own ML deviance function's
# factor at θ with σ held: ldL2 + (wrss + |u|²)/σ² + n log(2πσ²). lme4's devfun2 is not used for
# the values: its Cholesky of a singular covariance gives wrong, too low deviances (Oats'
# sd_nitro = 60: 616.7 where the dense ML deviance is 629.5; Soybean's 3 × 3 term with an sd at 0).
fnML <- getME(mML, "devfun"); envML <- environment(fnML)
vlist <- lengths(mML@cnms); nobs_ <- nrow(getME(mML, "X"))
schol <- function(S) {
  q <- nrow(S); L <- matrix(0, q, q)
  for (j in seq_len(q)) {
    k <- seq_len(j - 1)
    piv <- S[j, j] - sum(L[j, k]^2)
    if (piv <= 1e-13 * max(S[j, j], 0)) next
    L[j, j] <- sqrt(piv)
    if (j < q) for (i in (j + 1):q) L[i, j] <- (S[i, j] - sum(L[i, k] * L[j, k])) / L[j, j]
  }
  L
}
own <- function(pars) {
  sigma <- pars[length(pars)]; k <- 0; theta <- numeric(0)
  for (q in vlist) {
    v <- pars[k + seq_len(q * (q + 1) / 2)]; k <- k + q * (q + 1) / 2
    M <- matrix(0, q, q); M[lower.tri(M, diag = TRUE)] <- v
    sd <- diag(M); C <- M; diag(C) <- 1; C[upper.tri(C)] <- t(C)[upper.tri(C)]
    S <- outer(sd, sd) * C
    L <- schol(S)
    theta <- c(theta, L[lower.tri(L, diag = TRUE)] / sigma)
  }
  if (!all(is.finite(theta)) || !(sigma > 0)) return(Inf)
  fnML(theta)
  envML$pp$ldL2() + (envML$resp$wrss() + envML$pp$sqrL(1)) / sigma^2 + nobs_ * log(2 * pi * sigma^2)
}
mkdd <- function() { d2 <- lme4:::devfun2(mML, useSc = TRUE, signames = FALSE); f <- function(p) own(p); attributes(f) <- attributes(d2); f }
dd0 <- mkdd(); dd <- dd0
base <- attr(dd, "basedev"); opt <- attr(dd, "optimum")
nvp <- length(opt) - length(fixef(m)); vp <- opt[seq_len(nvp)]
cat(sprintf("# base ML deviance %.10g (lme4's fit %.10g)\n", base, deviance(refitML(m))), file = stderr())
zeta <- function(v, dev, est) sign(v - est) * sqrt(max(0, dev - base))

zeta_at <- function(par, values) {
if (par %in% names(vp)) {
  i <- match(par, names(vp))
  cor <- grepl("^cor_", names(vp))
  lower <- ifelse(cor, -1, 0); upper <- ifelse(cor, 1, Inf)
  for (v in values) {
    f <- function(x) { p <- vp; p[i] <- v; p[-i] <- x; r <- dd(p); if (is.finite(r)) r else { dd <<- mkdd(); 1e300 } }
    starts <- list(pmax(lower[-i], pmin(upper[-i], vp[-i])), pmax(lower[-i], pmin(upper[-i], vp[-i] * 0.5 + 1e-3 * (!cor[-i]))))
    # each minimum is evaluated again on a fresh copy of the factor: only a value confirmed so counts
    confirm <- function(x) { dd <<- mkdd(); r <- f(x); dd <<- mkdd(); r }
    best <- Inf; arg <- numeric(0)
    if (nvp == 1) best <- confirm(numeric(0)) else for (s in starts) {
      r <- polish(f, s, lower[-i], upper[-i])
      fr <- confirm(r$par)
      if (fr < best) { best <- fr; arg <- r$par }
    }
    if (nzchar(Sys.getenv("ZETA_VERBOSE"))) { p <- vp; p[i] <- v; p[-i] <- arg; cat(deparse(unname(p)), "\n", file = stderr()) }
    cat(sprintf("%s = %.10g: deviance %.10g, zeta %.6f\n", par, v, best, zeta(v, best, vp[i])))
    dd <<- mkdd()
  }
} else {
  lf <- lFormula(form, d, REML = FALSE)
  X <- lf$X; lnames <- colnames(X)
  # the engine's names (Intercept, Sex[T.Male], a[T.x]:b) as lme4's ((Intercept), SexMale, ax:b)
  key <- function(n) vapply(strsplit(sub("^Intercept$", "(Intercept)", gsub("\\[(T\\.)?([^]]*)\\]", "\\2", n)), ":", fixed = TRUE),
                            function(p) paste(sort(p), collapse = ":"), "")
  j <- match(par, lnames)
  if (is.na(j)) j <- match(key(par), key(lnames))
  if (is.na(j)) stop("unknown parameter ", par, "; known: ", paste(c(names(vp), lnames), collapse = ", "))
  y <- model.response(lf$fr)
  for (v in values) {
    lf2 <- lf; lf2$X <- X[, -j, drop = FALSE]; lf2$fr[[1]] <- y - X[, j] * v
    best <- Inf
    for (o in c("bobyqa", "Nelder_Mead")) {
      fn <- do.call(mkLmerDevfun, c(lf2, list(control = lmerControl(optimizer = o), start = getME(mML, "theta"))))
      r <- tryCatch(optimizeLmer(fn, optimizer = o, control = list())$par, error = function(e) NULL)
      if (!is.null(r)) best <- min(best, polish(fn, r, lf$reTrms$lower)$f)
    }
    cat(sprintf("%s = %.10g: deviance %.10g, zeta %.6f\n", par, v, best, zeta(v, best, fixef(mML)[[j]])))
  }
}
}
for (g in groups) if (length(g) >= 2) zeta_at(g[1], as.numeric(g[-1]))
