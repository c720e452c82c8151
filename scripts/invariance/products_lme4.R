# Data and lme4 fits for the products of shifted covariates (test/engine/centredProducts.test.ts).
# Run from the repository root: Rscript scripts/invariance/products_lme4.R
# Writes test/fixtures/data/products.csv (200 rows, 20 groups; y, x in [0, 10], z ~ N(0, 1), g)
# and test/fixtures/invariance/products_lme4.json: lme4 1.1-31's fits of the original data and
# of x + 1e9, z + 3e5 (both at once), or lme4's error where it fails.
suppressMessages(library(lme4))
set.seed(7)
n <- 200; g <- rep(sprintf("G%02d", 1:20), each = 10)
x <- round(runif(n, 0, 10), 6); z <- round(rnorm(n), 6)
b0 <- rnorm(20, 0, 1.5)[as.integer(factor(g))]; b1 <- rnorm(20, 0, 0.3)[as.integer(factor(g))]
y <- round(1 + 0.5 * x - 0.3 * z + 0.2 * x * z + b0 + b1 * x + rnorm(n), 6)
d <- data.frame(y = y, x = x, z = z, g = g)
write.csv(d, "test/fixtures/data/products.csv", row.names = FALSE, quote = FALSE)
d <- read.csv("test/fixtures/data/products.csv")
shifted <- transform(d, x = x + 1e9, z = z + 3e5)
fitOf <- function(formula, data, reml) {
  r <- tryCatch({
    m <- lmer(as.formula(formula), data, REML = reml)
    list(status = "ok", logLik = as.numeric(logLik(m)), names = names(fixef(m)), coef = unname(fixef(m)),
         se = unname(sqrt(diag(as.matrix(vcov(m))))), theta = unname(getME(m, "theta")), sigma = sigma(m),
         messages = m@optinfo$conv$lme4$messages)
  }, error = function(e) list(status = "error", message = conditionMessage(e)))
  c(list(formula = formula, reml = reml), r)
}
cases <- list(
  original_ri = fitOf("y ~ x * z + (1 | g)", d, TRUE),
  original_slope_ml = fitOf("y ~ x * z + (x | g)", d, FALSE),
  shifted_ri = fitOf("y ~ x * z + (1 | g)", shifted, TRUE),
  shifted_slope_ml = fitOf("y ~ x * z + (x | g)", shifted, FALSE)
)
writeLines(jsonlite::toJSON(cases, auto_unbox = TRUE, digits = NA, pretty = TRUE), "test/fixtures/invariance/products_lme4.json")
