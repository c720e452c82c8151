# Times lme4's inference on one model, for bench/bench.ts: profile intervals (confint, method =
# "profile"), a parametric bootstrap (bootMer with lme4's confint(method = "boot") statistics:
# sd/cor/sigma and the fixed effects), or a likelihood-ratio test (anova with ML refits).
# Usage: Rscript lme4_inference.R DATA.csv FORMULA REML(TRUE|FALSE) profile|boot|lrt [NSIM|REDUCED]
# Prints one JSON object: loadMs, readMs, fitMs, inferenceMs, and a check value.
args <- commandArgs(trailingOnly = TRUE)
t0 <- proc.time()[["elapsed"]]
suppressPackageStartupMessages(library(lme4))
t1 <- proc.time()[["elapsed"]]
data <- read.csv(args[1], stringsAsFactors = TRUE)
t2 <- proc.time()[["elapsed"]]
m <- lmer(as.formula(args[2]), data = data, REML = as.logical(args[3]))
t3 <- proc.time()[["elapsed"]]
what <- args[4]
if (what == "profile") {
  ci <- suppressMessages(confint(m, method = "profile", oldNames = FALSE))
  check <- ci[1, 1]
} else if (what == "boot") {
  set.seed(1)
  stat <- function(x) c(unlist(as.data.frame(VarCorr(x), order = "lower.tri")[, "sdcor"]), fixef(x))
  b <- bootMer(m, stat, nsim = as.integer(args[5]))
  check <- quantile(b$t[, 1], 0.025)
} else {
  m0 <- lmer(as.formula(args[5]), data = data, REML = as.logical(args[3]))
  a <- suppressMessages(anova(m0, m))
  check <- a$Chisq[2]
}
t4 <- proc.time()[["elapsed"]]
cat(sprintf('{"loadMs": %.3f, "readMs": %.3f, "fitMs": %.3f, "inferenceMs": %.3f, "check": %.10g}\n',
            (t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000, (t4 - t3) * 1000, check))
