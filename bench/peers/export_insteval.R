# Writes lme4's InstEval data set (73,421 ratings; 2,972 students crossed with 1,128 instructors)
# as CSV, for the crossed benchmark. Usage: Rscript export_insteval.R OUT.csv
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages(library(lme4))
d <- InstEval[, c("y", "service", "s", "d", "dept", "studage", "lectage")]
write.csv(d, args[1], row.names = FALSE)
