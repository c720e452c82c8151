# More inference references for the engine's tests, beyond ../../../../shared/reference/inference
# (whose fit_inference.R this extends; a copy is kept beside this file), written to
# test/fixtures/inference/cases/<id>.json: lmerTest's t tests with
# Satterthwaite and Kenward-Roger df and its ANOVA tables of types I-III with both methods, on
# unbalanced, crossed, nested, factor-by-covariate and statsmodels-style (variance component)
# models, REML and ML. lme4 is run with tight tolerances, so that the references sit at the
# optimum (lme4's default stopped short on dietox_inter's ML fit: its log-likelihood 2.9e-7 low,
# Satterthwaite's df 1.5e-4 off).
# Kenward-Roger goes through pbkrtest's vcovAdj once per model and its .KR_adjust / Lb_ddf per
# hypothesis: what lmerTest does, without recomputing vcovAdj for every coefficient and term (the
# script checks that the two agree on the first case).
# Usage (from the repository root): Rscript scripts/reference/inference/fit_inference_cases.R [CASE ...]
suppressMessages({library(lme4); library(lmerTest); library(pbkrtest); library(jsonlite)})
args <- commandArgs(TRUE)
data_dir <- "test/fixtures/data"
out_dir <- "test/fixtures/inference/cases"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
ctl <- lmerControl(optimizer = "nloptwrap", optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 1e-12, ftol_rel = 1e-15, maxeval = 1e5))
read <- function(f) read.csv(file.path(data_dir, f), stringsAsFactors = TRUE)

# unbalanced versions of balanced sets, written beside the others
ss <- read("sleepstudy.csv")
write.csv(ss[-c(3, 14, 15, 27, 40, 41, 42, 66, 90, 101, 102, 133, 150, 160, 171, 172, 179), ], file.path(data_dir, "sleepstudy_unbalanced.csv"), row.names = FALSE)
pen <- read("Penicillin.csv")
write.csv(pen[-c(2, 9, 17, 40, 41, 77, 100, 121, 122, 140), ], file.path(data_dir, "Penicillin_unbalanced.csv"), row.names = FALSE)

cases <- list(
  list(id = "sleepstudy_unbalanced", data = "sleepstudy_unbalanced.csv", formula = "Reaction ~ Days + (Days | Subject)"),
  list(id = "orthodont", data = "Orthodont.csv", formula = "distance ~ age * factor(Sex) + (age | Subject)"),
  list(id = "chickweight", data = "ChickWeight.csv", formula = "weight ~ Time * factor(Diet) + (Time | Chick)"),
  list(id = "cake_split", data = "cake.csv", formula = "angle ~ factor(recipe) * factor(temp) + (1 | recipe:replicate)", exact = TRUE),
  list(id = "oats_split", data = "Oats.csv", formula = "yield ~ factor(nitro) * factor(Variety) + (1 | Block/Variety)", exact = TRUE),
  list(id = "ergostool", data = "ergoStool.csv", formula = "effort ~ factor(Type) + (1 | Subject)", exact = TRUE),
  list(id = "dyestuff", data = "Dyestuff.csv", formula = "Yield ~ 1 + (1 | Batch)", exact = TRUE),
  list(id = "penicillin_unbalanced", data = "Penicillin_unbalanced.csv", formula = "diameter ~ 1 + (1 | plate) + (1 | sample)"),
  list(id = "dietox_crossed", data = "dietox.csv", formula = "Weight ~ Time + factor(Evit) + (1 | Pig) + (1 | Time)"),
  list(id = "dietox_inter", data = "dietox.csv", formula = "Weight ~ Time * factor(Cu) + (Time | Pig)"),
  list(id = "machines_vc", data = "Machines.csv", formula = "score ~ factor(Machine) + (1 | Worker) + (1 | Worker:Machine)",
       statsmodels = list(formula = "score ~ C(Machine)", groups = "Worker", re_formula = "1", vc_formula = list(Machine = "0 + C(Machine)"))),
  list(id = "assay_vc", data = "Assay.csv", formula = "logDens ~ factor(sample) + factor(dilut) + (1 | Block) + (1 | Block:sample) + (1 | Block:dilut)",
       statsmodels = list(formula = "logDens ~ C(sample) + C(dilut)", groups = "Block", re_formula = "1", vc_formula = list(sample = "0 + C(sample)", dilut = "0 + C(dilut)"))),
  list(id = "dietox_vc_slope", data = "dietox.csv", formula = "Weight ~ Time + factor(Cu) + (Time | Litter) + (1 | Litter:Pig)",
       statsmodels = list(formula = "Weight ~ Time + C(Cu)", groups = "Litter", re_formula = "~Time", vc_formula = list(Pig = "0 + C(Pig)"))),
  list(id = "scotssec_crossed", data = "ScotsSec.csv", formula = "attain ~ verbal + factor(sex) + (1 | primary) + (1 | second)")
)

tab <- function(m) { m <- as.data.frame(m); m$name <- rownames(m); rownames(m) <- NULL; m }
fixed_tab <- function(Vadj, m) {
  V0 <- as.matrix(vcov(m)); b <- fixef(m); p <- length(b)
  rows <- lapply(seq_len(p), function(i) {
    L <- diag(p)[i, ]
    se <- sqrt(drop(t(L) %*% as.matrix(Vadj) %*% L)); df <- pbkrtest::Lb_ddf(L, V0, Vadj)
    data.frame(Estimate = b[i], `Std. Error` = se, df = df, `t value` = b[i] / se, `Pr(>|t|)` = 2 * pt(-abs(b[i] / se), df), check.names = FALSE)
  })
  out <- do.call(rbind, rows); out$name <- names(b); rownames(out) <- NULL; out
}
kr_anova <- function(Vadj, m, type) {
  L_list <- attr(anova(m, type = type), "hypotheses")
  V0 <- as.matrix(vcov(m)); s2 <- sigma(m)^2
  rows <- lapply(names(L_list), function(nm) {
    L <- L_list[[nm]]
    x <- pbkrtest:::.KR_adjust(Vadj, V0, L, fixef(m), 0)
    MS <- x$FstatU * s2
    data.frame(`Sum Sq` = MS * x$ndf, `Mean Sq` = MS, NumDF = x$ndf, DenDF = x$ddf, `F value` = x$Fstat, `Pr(>F)` = x$p.value, name = nm, check.names = FALSE)
  })
  if (!length(rows)) return(data.frame())
  do.call(rbind, rows)
}

checked <- FALSE
for (cs in cases) {
  if (length(args) && !(cs$id %in% args)) next
  d <- read(cs$data)
  f <- as.formula(cs$formula)
  out <- list(id = cs$id, data = cs$data, formula = cs$formula, exact = isTRUE(cs$exact))
  if (!is.null(cs$statsmodels)) out$statsmodels <- cs$statsmodels
  m <- lmer(f, d, REML = TRUE, control = ctl)
  out$logLik <- as.numeric(logLik(m))
  out$satterthwaite <- tab(coef(summary(m, ddf = "Satterthwaite")))
  t0 <- Sys.time(); Vadj <- vcovAdj(m); out$vcovAdj_seconds <- as.numeric(Sys.time() - t0, units = "secs")
  out$kenward_roger <- fixed_tab(Vadj, m)
  out$anova <- list()
  for (ty in c("1", "2", "3")) {
    out$anova[[paste0("type", ty, "_Satterthwaite")]] <- tab(anova(m, type = ty))
    out$anova[[paste0("type", ty, "_Kenward-Roger")]] <- kr_anova(Vadj, m, ty)
  }
  if (!checked) {
    # the cached path is lmerTest's own: compare once
    a <- tab(anova(m, type = "3", ddf = "Kenward-Roger")); b <- out$anova[["type3_Kenward-Roger"]]
    stopifnot(isTRUE(all.equal(a[["F value"]], b[["F value"]])), isTRUE(all.equal(a$DenDF, b$DenDF)))
    k <- tab(coef(summary(m, ddf = "Kenward-Roger")))
    stopifnot(isTRUE(all.equal(k$df, out$kenward_roger$df)), isTRUE(all.equal(k[["Std. Error"]], out$kenward_roger[["Std. Error"]])))
    checked <- TRUE
  }
  mm <- lmer(f, d, REML = FALSE, control = ctl)
  out$ml <- list(logLik = as.numeric(logLik(mm)), satterthwaite = tab(coef(summary(mm, ddf = "Satterthwaite"))), anova = list())
  for (ty in c("1", "2", "3")) out$ml$anova[[paste0("type", ty, "_Satterthwaite")]] <- tab(anova(mm, type = ty))
  out$env <- list(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
                  lmerTest = as.character(packageVersion("lmerTest")), pbkrtest = as.character(packageVersion("pbkrtest")))
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), file.path(out_dir, paste0(cs$id, ".json")))
  cat(cs$id, "done\n")
}
