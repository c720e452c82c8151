# Times lme4::lmer on one model, for bench/bench.ts.
# Usage: Rscript lme4_fit.R DATA.csv FORMULA REML(TRUE|FALSE) REPEATS
# Prints one JSON object: readMs, fitMs (one per repeat, the first in a fresh R), llf, peakRssMB.
args <- commandArgs(trailingOnly = TRUE)
t0 <- proc.time()[["elapsed"]]
suppressPackageStartupMessages(library(lme4))
t1 <- proc.time()[["elapsed"]]
data <- read.csv(args[1], stringsAsFactors = TRUE)
t2 <- proc.time()[["elapsed"]]
form <- as.formula(args[2])
reml <- as.logical(args[3])
repeats <- as.integer(args[4])
fit_ms <- numeric(0)
for (i in seq_len(repeats)) {
  s <- proc.time()[["elapsed"]]
  m <- lmer(form, data = data, REML = reml)
  fit_ms <- c(fit_ms, (proc.time()[["elapsed"]] - s) * 1000)
}
status <- readLines("/proc/self/status")
hwm <- as.numeric(gsub("[^0-9]", "", status[grepl("^VmHWM", status)]))
ll <- as.numeric(logLik(m))
cat(sprintf('{"loadMs": %.3f, "readMs": %.3f, "fitMs": [%s], "llf": %.10f, "singular": %s, "peakRssMB": %.1f}\n',
            (t1 - t0) * 1000, (t2 - t1) * 1000, paste(sprintf("%.3f", fit_ms), collapse = ", "), ll,
            tolower(as.character(isSingular(m))), hwm / 1024))
