# Reference values of the t, F and chi-square distributions (upper tails into the far tail, and
# quantiles) for test/engine/inference/distributions.test.ts.
# Usage (from the repository root): Rscript scripts/reference/inference/distributions.R
suppressMessages(library(jsonlite))
t_cases <- expand.grid(t = c(0, 0.3, 1.96, 4, 15.67, 48.79, 207.9, -3.2), df = c(1, 2.5, 5.4866, 69.11, 788.03, 1e5))
t_cases$p <- 2 * pt(-abs(t_cases$t), t_cases$df)
q_cases <- expand.grid(p = c(0.975, 0.995, 0.5, 0.025, 1e-6), df = c(1, 2.5, 5.4866, 69.11, 788.03))
q_cases$q <- qt(q_cases$p, q_cases$df)
f_cases <- expand.grid(f = c(0.05, 0.2, 1.23, 7.4, 43293.9, 7381.8), d1 = c(1, 2, 5), d2 = c(3.7, 69.06, 789.04))
f_cases$p <- pf(f_cases$f, f_cases$d1, f_cases$d2, lower.tail = FALSE)
c_cases <- expand.grid(x = c(0.01, 0.5, 3.84, 12.3, 150, 700), k = c(1, 2, 3.5, 10))
c_cases$p <- pchisq(c_cases$x, c_cases$k, lower.tail = FALSE)
cq_cases <- expand.grid(p = c(0.95, 0.99, 0.5), k = c(1, 2, 5))
cq_cases$q <- qchisq(cq_cases$p, cq_cases$k)
out <- list(R = R.version.string, t = t_cases, tQuantile = q_cases, f = f_cases, chiSquare = c_cases, chiSquareQuantile = cq_cases)
writeLines(toJSON(out, digits = NA, dataframe = "rows", auto_unbox = TRUE), "test/fixtures/distributions/r_tails.json")
