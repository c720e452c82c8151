# Models with more effects than the data can identify (issue 9's follow-up): small data sets, and
# what lme4 1.1-31 does with each model (its error, or its fit with its warnings).
#   Rscript scripts/identifiability/lme4_cases.R
# writes test/fixtures/data/identifiability/<case>.csv and test/fixtures/identifiability/lme4.json.
suppressMessages({ library(lme4); library(jsonlite) })
out_data <- "test/fixtures/data/identifiability"
dir.create(out_data, recursive = TRUE, showWarnings = FALSE)
dir.create("test/fixtures/identifiability", showWarnings = FALSE)

# n rows in groups g (sizes given), a crossed factor h with nh levels, covariates, y with group effects
make <- function(seed, sizes, nh = 0) {
  set.seed(seed)
  n <- sum(sizes)
  g <- paste0("g", rep(seq_along(sizes), sizes))
  d <- data.frame(g = g, x = round(rnorm(n), 3), z = round(rnorm(n), 3), x1 = round(rnorm(n), 3), x2 = round(rnorm(n), 3), x3 = round(rnorm(n), 3), x4 = round(rnorm(n), 3))
  if (nh > 0) d$h <- paste0("h", sample(rep(seq_len(nh), length.out = n)))
  ge <- rnorm(length(sizes)); names(ge) <- paste0("g", seq_along(sizes))
  gs <- rnorm(length(sizes), sd = 0.5); names(gs) <- names(ge)
  d$y <- round(3 + d$x + ge[d$g] + gs[d$g] * d$x + rnorm(n), 3)
  d$obs <- paste0("o", seq_len(n))
  d
}

fit_case <- function(data, formula, REML) {
  warn <- character(0)
  r <- withCallingHandlers(tryCatch({
    m <- lmer(as.formula(formula), data = get(data), REML = REML)
    vc <- as.data.frame(VarCorr(m))
    list(ok = TRUE, logLik = as.numeric(logLik(m)), sigma2 = sigma(m)^2, varcor = vc$vcov, varcorNames = paste(vc$grp, vc$var1, vc$var2),
         beta = unname(fixef(m)), singular = isSingular(m), messages = c(m@optinfo$conv$lme4$messages))
  }, error = function(e) list(ok = FALSE, error = conditionMessage(e))), warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") })
  r$warnings <- warn
  r
}

datasets <- list(
  obs = make(1, rep(1, 12)),                       # each row its own group
  pairs = make(2, rep(2, 6)),                      # 2 rows per group: (x|g) has 12 random effects for 12 rows
  triples = make(3, rep(3, 6)),                    # 3 rows per group: (1 + x + z|g) has 18 for 18
  crossed = make(9, rep(2, 5), nh = 4),            # 2 + 5 + 4 effects for 10 rows, but crossed: rank 9 < 10
  crossed_full = make(5, c(1, 1, 2, 2, 2, 2), nh = 6),  # 2 + 6 + 6 effects for 10 rows spanning all of them
  pn1 = make(6, rep(2, 3)),                        # p = 5 = n − 1 with a random intercept on 3 groups
  singles = make(7, c(rep(1, 6), 2)),              # 7 groups on 8 rows: 2 + 7 effects span the rows
  one_single = make(8, c(rep(4, 10), 1)),          # a group of one row among groups of four: fits
  confounded = make(10, rep(5, 8)),                # C(g) beside (1|g)
  between = make(11, rep(5, 12))                   # w constant within groups, k constant everywhere
)
set.seed(12)
datasets$between$w <- round(rnorm(12), 3)[as.integer(sub("g", "", datasets$between$g))]
datasets$between$k <- 2.5
datasets$between$y <- round(datasets$between$y + datasets$between$w, 3)
for (nm in names(datasets)) { assign(nm, datasets[[nm]]); write.csv(datasets[[nm]], file.path(out_data, paste0(nm, ".csv")), row.names = FALSE) }

cases <- list(
  list(id = "obs", data = "obs", formula = "y ~ x + (1|obs)"),
  list(id = "pairs_slope", data = "pairs", formula = "y ~ x + (x|g)"),
  list(id = "triples_two_slopes", data = "triples", formula = "y ~ x + (1 + x + z|g)"),
  list(id = "crossed", data = "crossed", formula = "y ~ x + (1|g) + (1|h)"),
  list(id = "crossed_full", data = "crossed_full", formula = "y ~ x + (1|g) + (1|h)"),
  list(id = "pn1", data = "pn1", formula = "y ~ x1 + x2 + x3 + x4 + (1|g)"),
  list(id = "singles", data = "singles", formula = "y ~ x + (1|g)"),
  list(id = "one_single_intercept", data = "one_single", formula = "y ~ x + (1|g)"),
  list(id = "one_single_slope", data = "one_single", formula = "y ~ x + (x|g)"),
  list(id = "confounded", data = "confounded", formula = "y ~ factor(g) + x + (1|g)"),
  list(id = "between_slope", data = "between", formula = "y ~ x + w + (w|g)"),
  list(id = "constant_slope", data = "between", formula = "y ~ x + (k|g)")
)
res <- lapply(cases, function(cs) c(cs, list(reml = fit_case(cs$data, cs$formula, TRUE), ml = fit_case(cs$data, cs$formula, FALSE))))
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE), "test/fixtures/identifiability/lme4.json")
for (r in res) cat(sprintf("%-22s REML: %s | ML: %s\n", r$id,
  if (r$reml$ok) sprintf("logLik %.6f sigma2 %.4g %s", r$reml$logLik, r$reml$sigma2, paste(c(r$reml$messages, r$reml$warnings), collapse = "; ")) else r$reml$error,
  if (r$ml$ok) sprintf("logLik %.6f sigma2 %.4g %s", r$ml$logLik, r$ml$sigma2, paste(c(r$ml$messages, r$ml$warnings), collapse = "; ")) else r$ml$error))

# Where the engine says the ML likelihood has no maximum: lme4's own ML deviance function, at
# θ = 1e2, 1e4, 1e6, 1e7 on every term, against the deviance lme4 reports as its optimum.
unbounded <- list()
for (cs in cases) {
  d <- get(cs$data)
  dev <- tryCatch(lmer(as.formula(cs$formula), data = d, REML = FALSE, devFunOnly = TRUE), error = function(e) NULL)
  if (is.null(dev) || !res[[which(sapply(cases, `[[`, "id") == cs$id)]]$ml$ok) next
  nth <- length(environment(dev)$pp$theta)
  at <- sapply(c(1e2, 1e4, 1e6, 1e7), function(t) tryCatch(dev(rep(t, nth)), error = function(e) NA))
  unbounded[[cs$id]] <- list(theta = c(1e2, 1e4, 1e6, 1e7), deviance = at, reported = -2 * res[[which(sapply(cases, `[[`, "id") == cs$id)]]$ml$logLik)
  cat(sprintf("%-22s ML deviance at theta = 1e2, 1e4, 1e6, 1e7: %s; lme4's optimum: %.4f\n", cs$id, paste(sprintf("%.4f", at), collapse = ", "), unbounded[[cs$id]]$reported))
}
writeLines(toJSON(unbounded, auto_unbox = TRUE, digits = NA, pretty = TRUE), "test/fixtures/identifiability/lme4_ml_deviance.json")
