# Times lmerTest's tests of the fixed effects with denominator df, for bench/bench.ts: the lme4
# fit, then what a user of lmerTest runs on it: the coefficient table (summary) and the ANOVA
# table, with Satterthwaite's or Kenward-Roger's method (the latter through pbkrtest).
# Usage: Rscript lmertest_inference.R DATA.csv FORMULA DDF(Satterthwaite|Kenward-Roger) TYPE(1|2|3) [vcovAdj]
# With "vcovAdj", times pbkrtest::vcovAdj alone instead (the Kenward-Roger covariance, once).
# Prints one JSON object: fitMs, inferenceMs, df (per coefficient), denDF (per term), llf.
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages({library(lme4); library(lmerTest); library(pbkrtest)})
data <- read.csv(args[1], stringsAsFactors = TRUE)
form <- as.formula(args[2])
ddf <- args[3]
type <- args[4]
only_vcovadj <- length(args) >= 5 && args[5] == "vcovAdj"
t0 <- proc.time()[["elapsed"]]
m <- lme4::lmer(form, data = data, REML = TRUE)
t1 <- proc.time()[["elapsed"]]
if (only_vcovadj) {
  V <- pbkrtest::vcovAdj(m)
  df <- numeric(0); dendf <- numeric(0)
} else {
  mt <- lmerTest::as_lmerModLmerTest(m)
  co <- summary(mt, ddf = ddf)$coefficients
  a <- anova(mt, type = type, ddf = ddf)
  df <- co[, "df"]; dendf <- a$DenDF
}
t2 <- proc.time()[["elapsed"]]
num <- function(x) paste(sprintf("%.10g", x), collapse = ", ")
cat(sprintf('{"fitMs": %.3f, "inferenceMs": %.3f, "df": [%s], "denDF": [%s], "llf": %.10f}\n',
            (t1 - t0) * 1000, (t2 - t1) * 1000, num(df), num(dendf), as.numeric(logLik(m))))
