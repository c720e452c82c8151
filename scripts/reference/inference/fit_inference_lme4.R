# Inference references for the engine's likelihood-ratio tests, confidence intervals, variance
# standard errors and predictions (src/engine/inference), from lme4 1.1-31 on R 4.2.2.
# Extends fit_inference.R beside it (the team's shared script, whose five cases are the first five
# here; that one makes test/fixtures/inference/shared/, lmerTest's tables) with lme4's own
# quantities, and with unbalanced, crossed, nested, ML and random-slope models of our own.
# Usage (from the repository root): Rscript scripts/reference/inference/fit_inference_lme4.R [CASE ...]
# Writes test/fixtures/inference/<case>.json.
suppressMessages({library(lme4); library(jsonlite); library(numDeriv)})
args <- commandArgs(TRUE)
dat <- function(f) read.csv(file.path("test", "fixtures", "data", f), stringsAsFactors = TRUE)
cases <- list(
  list(id="dietox_cat", data="dietox.csv", formula="Weight ~ Time + factor(Evit) + factor(Cu) + (1|Pig)",
       reduced="Weight ~ Time + factor(Cu) + (1|Pig)",
       newdata=data.frame(Time=c(1,6,12), Evit=c("Evit000","Evit100","Evit200"), Cu=c("Cu000","Cu035","Cu175"), Pig=c(4601, 4643, 99999))),
  list(id="dietox_inter", data="dietox.csv", formula="Weight ~ Time * factor(Cu) + (Time|Pig)",
       reduced="Weight ~ Time + factor(Cu) + (Time|Pig)",
       newdata=data.frame(Time=c(1,6,12), Cu=c("Cu000","Cu035","Cu175"), Pig=c(4601, 4643, 99999))),
  list(id="dietox_rs", data="dietox.csv", formula="Weight ~ Time + (Time|Pig)", reduced="Weight ~ Time + (1|Pig)",
       newdata=data.frame(Time=c(1,6,12), Pig=c(4601, 4643, 99999))),
  list(id="penicillin", data="Penicillin.csv", formula="diameter ~ 1 + (1|plate) + (1|sample)", reduced="diameter ~ 1 + (1|plate)",
       newdata=data.frame(plate=c("a","x"), sample=c("A","F")), norefit=TRUE),
  list(id="pastes", data="Pastes.csv", formula="strength ~ 1 + (1|batch/cask)", reduced="strength ~ 1 + (1|batch)",
       newdata=data.frame(batch=c("A","J"), cask=c("a","c")), norefit=TRUE),
  # our own. The statsmodels documentation's example (the observed-information SE of "Pig Var")
  list(id="dietox_ri", data="dietox.csv", formula="Weight ~ Time + (1|Pig)", reduced="Weight ~ 1 + (1|Pig)",
       newdata=data.frame(Time=c(2, 7), Pig=c(4601, 5)), norefit=FALSE),
  # random slopes, several reduced models in sequence, an uncorrelated reduction
  list(id="sleepstudy_rs", data="sleepstudy.csv", formula="Reaction ~ Days + (Days|Subject)",
       reduced=c("Reaction ~ 1 + (1|Subject)", "Reaction ~ Days + (1|Subject)", "Reaction ~ Days + (1|Subject) + (0 + Days|Subject)"),
       newdata=data.frame(Days=c(0, 4.5, 9, 12), Subject=c(308, 335, 372, 999)), norefit=TRUE),
  # an ML fit from the start
  list(id="sleepstudy_ml", data="sleepstudy.csv", formula="Reaction ~ Days + (Days|Subject)", method="ML",
       reduced="Reaction ~ 1 + (Days|Subject)",
       newdata=data.frame(Days=c(1, 8), Subject=c(309, 1))),
  # three correlated effects (q = 3): correlations between the 2nd and 3rd effects
  list(id="oxboys_q3", data="Oxboys.csv", formula="height ~ age + I(age^2) + (age + I(age^2)|Subject)",
       reduced="height ~ age + I(age^2) + (age|Subject)", fine=list(which=c(5, 6), delta=0.01),
       newdata=data.frame(age=c(-1, 0, 0.5, 1), Subject=c(1, 5, 26, 40))),
  # unbalanced (chicks that died early), a categorical fixed effect, slopes
  list(id="chickweight_diet", data="ChickWeight.csv", formula="weight ~ Time + factor(Diet) + (Time|Chick)",
       reduced="weight ~ Time + (Time|Chick)",
       newdata=data.frame(Time=c(0, 10, 21), Diet=c(1, 2, 4), Chick=c(1, 45, 100))),
  # crossed-and-nested, categorical fixed effect; REML comparison of random effects only
  list(id="machines", data="Machines.csv", formula="score ~ Machine + (1|Worker) + (1|Worker:Machine)",
       reduced="score ~ Machine + (1|Worker)", norefit=TRUE,
       newdata=data.frame(Machine=c("A","B","C"), Worker=c(1, 6, 7))),
  # a small balanced design: ML fit, crossed by type
  list(id="ergostool_ml", data="ergoStool.csv", formula="effort ~ Type + (1|Subject)", method="ML",
       reduced="effort ~ 1 + (1|Subject)",
       newdata=data.frame(Type=c("T1","T4"), Subject=c(1, 10))),
  # missing values in a column only the full model uses: compared on the rows complete for both
  list(id="airquality_rows", data="airquality.csv", formula="Ozone ~ Temp + Solar.R + (1|Month)",
       reduced="Ozone ~ Temp + (1|Month)", commonRows=c("Ozone", "Temp", "Solar.R", "Month"),
       newdata=data.frame(Temp=c(60, 90), Solar.R=c(100, 250), Month=c(5, 10)))
)
df_of <- function(x) lapply(seq_len(nrow(x)), function(i) as.list(x[i, , drop = FALSE]))
tab <- function(m) { m <- as.data.frame(m); m$name <- rownames(m); rownames(m) <- NULL; m }

# −2 log L at (θ, σ) with β profiled and σ explicit (REML or ML), from lme4's own pieces
crit_fun <- function(m) {
  dd <- getME(m, "devfun"); env <- environment(dd)
  n <- nrow(getME(m, "X")); p <- ncol(getME(m, "X")); reml <- isREML(m)
  function(theta, sigma) {
    dd(theta)
    r2 <- env$resp$wrss() + env$pp$sqrL(1)
    ld <- env$pp$ldL2() + if (reml) env$pp$ldRX2() else 0
    ld + (if (reml) n - p else n) * log(2 * pi * sigma^2) + r2 / sigma^2
  }
}
# standard errors of the covariance entries (data scale) and σ² from the observed information
variance_se <- function(m) {
  f0 <- crit_fun(m); cn <- getME(m, "cnms"); sig <- sigma(m)
  vc <- VarCorr(m); psi <- c(); nm <- c()
  for (k in seq_along(cn)) {
    S <- vc[[k]][, , drop = FALSE]; q <- nrow(S); g <- names(vc)[k]; e <- cn[[k]]
    for (c in seq_len(q)) for (r in c:q) {
      psi <- c(psi, S[r, c])
      nm <- c(nm, if (r == c) sprintf("var_%s|%s", e[r], g) else sprintf("cov_%s.%s|%s", e[r], e[c], g))
    }
  }
  psi <- c(psi, sig^2); nm <- c(nm, "var_Residual")
  f <- function(x) {
    th <- c(); at <- 0; s2 <- x[length(x)]
    for (k in seq_along(cn)) {
      q <- length(cn[[k]]); S <- matrix(0, q, q)
      for (c in seq_len(q)) for (r in c:q) { at <- at + 1; S[r, c] <- S[c, r] <- x[at] }
      L <- t(chol(S / s2)); th <- c(th, L[lower.tri(L, diag = TRUE)])
    }
    f0(th, sqrt(s2))
  }
  H <- numDeriv::hessian(f, psi)
  f(psi)  # leave the model's environment at the optimum
  data.frame(name = nm, value = psi, stdErr = sqrt(diag(2 * solve(H))))
}
for (cs in cases) {
  if (length(args) && !(cs$id %in% args)) next
  d <- dat(cs$data)
  for (v in names(cs$newdata)) if (is.factor(d[[v]])) cs$newdata[[v]] <- as.character(cs$newdata[[v]])
  reml <- is.null(cs$method) || cs$method == "REML"
  out <- list(id = cs$id, data = cs$data, formula = cs$formula, reduced = cs$reduced, method = if (reml) "REML" else "ML")
  m <- lmer(as.formula(cs$formula), d, REML = reml)
  out$logLik <- as.numeric(logLik(m))
  out$fixef <- as.list(fixef(m))
  pr <- tryCatch(confint(m, method = "profile", oldNames = FALSE, level = 0.95), error = function(e) NULL)
  if (!is.null(pr)) out$confint_profile <- tab(pr)
  out$confint_profile_90 <- tryCatch(tab(confint(m, method = "profile", oldNames = FALSE, level = 0.9)), error = function(e) NULL)
  out$confint_wald <- tab(confint(m, method = "Wald", level = 0.95, oldNames = FALSE))
  out$variance_se <- tryCatch(variance_se(m), error = function(e) NULL)
  # likelihood-ratio tests: anova of the reduced models and the full one (refitted by ML)
  dl <- if (is.null(cs$commonRows)) d else d[complete.cases(d[, cs$commonRows]), ]
  if (!is.null(cs$commonRows)) out$nCommonRows <- nrow(dl)
  m_l <- lmer(as.formula(cs$formula), dl, REML = reml)
  m0 <- lapply(cs$reduced, function(f) lmer(as.formula(f), dl, REML = reml))
  a <- do.call(anova, c(m0, list(m_l)))
  out$lrt <- tab(a)
  if (isTRUE(cs$norefit)) out$lrt_norefit <- tab(do.call(anova, c(m0, list(m_l), list(refit = FALSE))))
  # predictions: population level (re.form = NA) with its standard error, and conditional
  nd <- cs$newdata
  out$newdata <- df_of(nd)
  out$predict_population <- as.numeric(predict(m, newdata = nd, re.form = NA))
  tt <- delete.response(terms(m))
  Xn <- model.matrix(tt, model.frame(tt, nd, xlev = .getXlevels(terms(m), model.frame(m))))
  out$predict_se <- sqrt(diag(Xn %*% as.matrix(vcov(m)) %*% t(Xn)))
  out$predict_conditional <- as.numeric(predict(m, newdata = nd, allow.new.levels = TRUE))
  if (reml) {
    mm <- lmer(as.formula(cs$formula), d, REML = FALSE)
    out$ml <- list(logLik = as.numeric(logLik(mm)), variance_se = tryCatch(variance_se(mm), error = function(e) NULL))
    pm <- tryCatch(confint(mm, method = "profile", oldNames = FALSE), error = function(e) NULL)
    if (!is.null(pm)) out$ml$confint_profile <- tab(pm)
    # lme4's spline through its default grid can miss a bound by a few thousandths of the
    # interval's width; a grid ten times finer shows where the exact bound is
    if (!is.null(cs$fine)) out$ml$confint_profile_fine <- tab(confint(profile(mm, which = cs$fine$which, signames = FALSE,
                                                                        delta = cs$fine$delta, maxpts = 5000)))
  }
  # the same model fitted with a tight optimiser: where lme4's default tolerance leaves the
  # estimates a few 1e-6 from the optimum, these are the numbers to compare closely with
  tight <- lmerControl(optimizer = "nloptwrap", optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 1e-12, ftol_rel = 1e-15, maxeval = 1e5))
  mt <- lmer(as.formula(cs$formula), d, REML = reml, control = tight)
  out$tight <- list(logLik = as.numeric(logLik(mt)), confint_wald = tab(confint(mt, method = "Wald", level = 0.95, oldNames = FALSE)),
                    predict_population = as.numeric(predict(mt, newdata = nd, re.form = NA)),
                    predict_conditional = as.numeric(predict(mt, newdata = nd, allow.new.levels = TRUE)),
                    predict_se = sqrt(diag(Xn %*% as.matrix(vcov(mt)) %*% t(Xn))))
  out$env <- list(R = R.version.string, lme4 = as.character(packageVersion("lme4")), numDeriv = as.character(packageVersion("numDeriv")))
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), file.path("test", "fixtures", "inference", paste0(cs$id, ".json")))
  cat(cs$id, "done\n")
}
