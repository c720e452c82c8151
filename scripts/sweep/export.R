#!/usr/bin/env Rscript
# Export the sweep's data sets (textbook data from lme4, nlme, mlmRev, MASS and R's datasets) to
# CSV for the cases of scripts/sweep/cases.tsv (its "data" column names a set below).
#
# Usage: Rscript scripts/sweep/export.R [OUT_DIR]   (default scripts/sweep/.out/data)
#
# Writes OUT_DIR/<name>.csv (only the columns the cases use; factors as their labels, missing
# values as empty fields) and OUT_DIR/datasets.tsv (name, package, status: "ok" or why the set
# was skipped). A set whose package is not installed is skipped with a note; its cases are then
# skipped by sweep.py.
invisible(Sys.setlocale("LC_COLLATE", "C"))

args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(file_arg)) dirname(normalizePath(file_arg)) else getwd()
opts <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(opts)) opts[1] else file.path(here, ".out", "data")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

# A data set of package pkg, by name (lazy data is loaded through data(), not attached).
ds <- function(name, pkg) {
  e <- new.env()
  utils::data(list = name, package = pkg, envir = e)
  as.data.frame(e[[name]])
}

# name = list(package, columns, function building the data frame)
sets <- list(
  ## lme4
  sleepstudy = list("lme4", c("Reaction", "Days", "Subject"), function() ds("sleepstudy", "lme4")),
  sleepstudy_scaled = list("lme4", c("Reaction", "Days100", "Days1e4", "Subject"), function() {
    s <- ds("sleepstudy", "lme4"); s$Days100 <- s$Days * 111; s$Days1e4 <- s$Days * 1e4; s
  }),
  Dyestuff = list("lme4", c("Yield", "Batch"), function() ds("Dyestuff", "lme4")),
  Dyestuff2 = list("lme4", c("Yield", "Batch"), function() ds("Dyestuff2", "lme4")),
  Penicillin = list("lme4", c("diameter", "plate", "sample"), function() ds("Penicillin", "lme4")),
  Pastes = list("lme4", c("strength", "batch", "cask"), function() ds("Pastes", "lme4")),
  cake = list("lme4", c("angle", "recipe", "replicate", "temperature", "temp"), function() {
    ck <- ds("cake", "lme4"); ck$temperature <- paste0("T", as.character(ck$temperature)); ck
  }),
  InstEval = list("lme4", c("y", "s", "d", "dept", "service"), function() ds("InstEval", "lme4")),
  ## nlme
  Orthodont = list("nlme", c("distance", "age", "Subject", "Sex"), function() ds("Orthodont", "nlme")),
  Oxboys = list("nlme", c("height", "age", "Subject", "Occasion"), function() ds("Oxboys", "nlme")),
  BodyWeight = list("nlme", c("weight", "Time", "Rat", "Diet"), function() ds("BodyWeight", "nlme")),
  Machines = list("nlme", c("score", "Machine", "Worker"), function() ds("Machines", "nlme")),
  Oats_nlme = list("nlme", c("yield", "nitro", "Variety", "Block"), function() ds("Oats", "nlme")),
  Rail = list("nlme", c("travel", "Rail"), function() ds("Rail", "nlme")),
  Pixel = list("nlme", c("pixel", "day", "Dog", "Side"), function() ds("Pixel", "nlme")),
  ergoStool = list("nlme", c("effort", "Type", "Subject"), function() ds("ergoStool", "nlme")),
  Assay = list("nlme", c("logDens", "sample", "dilut", "Block"), function() ds("Assay", "nlme")),
  Alfalfa = list("nlme", c("Yield", "Date", "Variety", "Block"), function() ds("Alfalfa", "nlme")),
  Alfalfa_ctrl = list("nlme", c("Yield", "Date", "Variety", "Block"), function() {
    a <- ds("Alfalfa", "nlme"); a$Date <- as.character(a$Date); a$Date[a$Date == "None"] <- "Control"; a
  }),
  Gasoline = list("nlme", c("yield", "endpoint", "Sample"), function() ds("Gasoline", "nlme")),
  Wafer = list("nlme", c("current", "voltage", "Wafer", "Site"), function() ds("Wafer", "nlme")),
  MathAchieve = list("nlme", c("MathAch", "SES", "MEANSES", "Minority", "Sex", "Sector", "School"), function() {
    ma <- ds("MathAchieve", "nlme"); sc <- ds("MathAchSchool", "nlme")
    ma$Sector <- sc$Sector[match(ma$School, sc$School)]; ma
  }),
  Ovary = list("nlme", c("follicles", "s2pi", "c2pi", "Mare"), function() {
    ov <- ds("Ovary", "nlme"); ov$s2pi <- sin(2 * pi * ov$Time); ov$c2pi <- cos(2 * pi * ov$Time); ov
  }),
  Spruce = list("nlme", c("logSize", "days", "Tree", "plot"), function() ds("Spruce", "nlme")),
  Soybean = list("nlme", c("weight", "Time", "Variety", "Year", "Plot"), function() ds("Soybean", "nlme")),
  Fatigue = list("nlme", c("relLength", "cycles", "cycles1e4", "Path"), function() {
    fa <- ds("Fatigue", "nlme"); fa$cycles1e4 <- fa$cycles * 1e4; fa
  }),
  Glucose2 = list("nlme", c("glucose", "Time", "Subject", "Date"), function() ds("Glucose2", "nlme")),
  IGF = list("nlme", c("conc", "age", "Lot"), function() ds("IGF", "nlme")),
  ## MASS
  oats_MASS = list("MASS", c("Y", "N", "V", "B"), function() ds("oats", "MASS")),
  ## mlmRev
  Exam = list("mlmRev", c("normexam", "standLRT", "sex", "schgend", "school"), function() ds("Exam", "mlmRev")),
  Exam_scaled = list("mlmRev", c("normexam", "LRT1e4", "school"), function() {
    e <- ds("Exam", "mlmRev"); e$LRT1e4 <- e$standLRT * 1e4; e
  }),
  Hsb82 = list("mlmRev", c("mAch", "meanses", "cses", "sector", "school"), function() ds("Hsb82", "mlmRev")),
  ScotsSec = list("mlmRev", c("attain", "verbal", "sex", "social", "primary", "second"), function() ds("ScotsSec", "mlmRev")),
  Gcsemv = list("mlmRev", c("written", "course", "gender", "school"), function() ds("Gcsemv", "mlmRev")),
  Chem97 = list("mlmRev", c("score", "gcsecnt", "gender", "age", "school", "lea"), function() ds("Chem97", "mlmRev")),
  Early = list("mlmRev", c("cog", "age", "trt", "id"), function() ds("Early", "mlmRev")),
  Mmmec = list("mlmRev", c("lrate", "uvb", "nation", "region"), function() {
    mm <- ds("Mmmec", "mlmRev"); mm$lrate <- log((mm$deaths + 0.5) / mm$expected); mm
  }),
  Oxboys_mlmRev = list("mlmRev", c("height", "age", "Subject", "Occasion"), function() ds("Oxboys", "mlmRev")),
  star = list("mlmRev", c("math", "gr", "cltype", "sx", "eth", "id", "sch"), function() ds("star", "mlmRev")),
  egsingle = list("mlmRev", c("math", "year", "size", "lowinc", "female", "childid", "schoolid"), function() ds("egsingle", "mlmRev")),
  ## datasets (always there)
  ChickWeight = list("datasets", c("weight", "Time", "Chick", "Diet"), function() ds("ChickWeight", "datasets")),
  Loblolly = list("datasets", c("height", "age", "Seed"), function() ds("Loblolly", "datasets")),
  Orange = list("datasets", c("circumference", "age", "Tree"), function() ds("Orange", "datasets")),
  CO2 = list("datasets", c("uptake", "conc", "Type", "Treatment", "Plant"), function() ds("CO2", "datasets")),
  airquality = list("datasets", c("Ozone", "Temp", "Wind", "Solar.R", "Month"), function() ds("airquality", "datasets")),
  warpbreaks = list("datasets", c("breaks", "wool", "tension"), function() ds("warpbreaks", "datasets"))
)

status <- character(0)
for (name in names(sets)) {
  s <- sets[[name]]; pkg <- s[[1]]
  csv <- file.path(out_dir, paste0(name, ".csv"))
  unlink(csv)
  if (!requireNamespace(pkg, quietly = TRUE)) {
    status[name] <- paste("skipped: R package", pkg, "is not installed")
    message("export.R: ", name, " skipped (R package ", pkg, " is not installed)")
    next
  }
  status[name] <- tryCatch({
    d <- s[[3]]()[, s[[2]], drop = FALSE]
    for (col in names(d)) if (is.factor(d[[col]])) d[[col]] <- as.character(d[[col]])
    write.csv(d, csv, row.names = FALSE, na = "")
    "ok"
  }, error = function(e) {
    message("export.R: ", name, " failed: ", conditionMessage(e))
    paste("failed:", gsub("[\t\n]", " ", conditionMessage(e)))
  })
}
write.table(data.frame(name = names(sets), package = vapply(sets, `[[`, "", 1), status = unname(status[names(sets)])),
            file.path(out_dir, "datasets.tsv"), sep = "\t", row.names = FALSE, quote = FALSE)
cat(sprintf("export.R: %d of %d data sets in %s\n", sum(status == "ok"), length(sets), out_dir))
