#!/usr/bin/env Rscript
# Export textbook data sets that ship with lme4 and nlme to test/fixtures/data/<Name>.csv.
#
# Usage: Rscript scripts/reference/export_data.R   (from anywhere; paths are relative to this file)
#
# Factors (ordered or not) are written as their labels, so both peers read them back as plain
# character columns (alphabetical levels, treatment contrasts; no polynomial contrasts from
# ordered factors). Numbers are written at full precision. nlme sets are skipped if nlme is absent.
suppressPackageStartupMessages(library(lme4))

args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(file_arg)) dirname(normalizePath(file_arg)) else getwd()
out_dir <- normalizePath(file.path(here, "..", "..", "test", "fixtures", "data"), mustWork = FALSE)
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

as_plain <- function(d) {
  d <- as.data.frame(d)
  for (n in names(d)) {
    x <- d[[n]]
    x <- if (is.factor(x)) as.character(x) else if (is.numeric(x)) as.numeric(x) else as.character(x)
    attributes(x) <- NULL
    d[[n]] <- x
  }
  attributes(d) <- list(names = names(d), class = "data.frame", row.names = seq_len(nrow(d)))
  d
}

sets <- list(
  sleepstudy = lme4::sleepstudy,
  Dyestuff2 = lme4::Dyestuff2,
  cake = lme4::cake[, c("replicate", "recipe", "temp", "angle")]
)
if (requireNamespace("nlme", quietly = TRUE)) {
  sets <- c(sets, list(
    Machines = nlme::Machines, Oats = nlme::Oats, ergoStool = nlme::ergoStool,
    Orthodont = nlme::Orthodont, Rail = nlme::Rail, Pixel = nlme::Pixel))
} else {
  message("nlme not installed: skipping Machines, Oats, ergoStool, Orthodont, Rail, Pixel")
}
# Unseen-data cases: growth curves (nlme Oxboys, BodyWeight; datasets ChickWeight), nlme Assay
# (blocks with crossed sample and dilution effects), airquality (natural missing values).
# Only the columns the models use are kept, to keep the files small.
sets$ChickWeight <- datasets::ChickWeight
sets$airquality <- datasets::airquality
if (requireNamespace("nlme", quietly = TRUE)) {
  sets <- c(sets, list(
    Oxboys = nlme::Oxboys[, c("Subject", "age", "height")],
    BodyWeight = nlme::BodyWeight,
    Assay = nlme::Assay,
    # Alfalfa: Date has a level "None" (no cutting), which pandas would read as missing
    Alfalfa = nlme::Alfalfa[, c("Variety", "Date", "Block", "Yield")]))
}
# mlmRev (Goldstein's and Raudenbush & Bryk's school data): partially crossed ScotsSec, Exam,
# Hsb82, egsingle (children within schools, repeated years), Gcsemv (natural missing values).
if (requireNamespace("mlmRev", quietly = TRUE)) {
  sets <- c(sets, list(
    ScotsSec = mlmRev::ScotsSec[, c("attain", "verbal", "sex", "primary", "second")],
    Exam = mlmRev::Exam[, c("school", "normexam", "standLRT", "sex", "schgend")],
    Hsb82 = mlmRev::Hsb82[, c("school", "mAch", "cses", "meanses", "sector")],
    egsingle = mlmRev::egsingle[, c("schoolid", "childid", "year", "math", "female")],
    Gcsemv = mlmRev::Gcsemv[, c("school", "gender", "written", "course")]))
} else {
  message("mlmRev not installed: skipping ScotsSec, Exam, Hsb82, egsingle, Gcsemv")
}

# sleepstudy with missing values (listwise deletion test): 11 responses and 2 Days values blanked
# at fixed rows, so some subjects lose rows but none disappears.
ss_na <- as_plain(lme4::sleepstudy)
ss_na$Reaction[seq(5L, 180L, by = 17L)] <- NA
ss_na$Days[c(33L, 101L)] <- NA
sets$sleepstudy_na <- ss_na

for (nm in names(sets)) {
  d <- as_plain(sets[[nm]])
  f <- file.path(out_dir, paste0(nm, ".csv"))
  write.csv(d, f, row.names = FALSE, na = "")
  cat(sprintf("%-14s %4d rows, %d with NA: %s\n", nm, nrow(d), sum(!complete.cases(d)),
              paste(names(d), collapse = ",")))
}
