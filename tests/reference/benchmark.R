# Reference values for evalkit.benchmark, computed with base R (stats) and jsonlite.
#
# Usage: Rscript benchmark.R <output JSON>   (make_benchmark_reference.sh runs it).
# Every case records the arguments evalkit gets and R's numbers:
#   prop_test_two  prop.test(c(x1, x2), c(n1, n2), correct, conf.level)
#   prop_test_one  prop.test(x, n, p, alternative, conf.level, correct)
#   binom_test     binom.test(x, n, p, alternative, conf.level)
#   poisson_test   poisson.test(x, T, alternative = ..., conf.level)  (O/E: x observed, T expected)
#   fisher_test    fisher.test(2x2)$p.value
#   funnel_exact   Spiegelhalter's (2005, appendix) interpolated binomial limit
#                  (r_p - a) / n, r_p = qbinom(p, n, theta),
#                  a = (pbinom(r_p) - p) / (pbinom(r_p) - pbinom(r_p - 1)), clipped to [0, 1]
suppressPackageStartupMessages(library(jsonlite))

args <- commandArgs(trailingOnly = TRUE)
out_file <- if (length(args) >= 1) args[1] else "benchmark.json"
alt_r <- function(a) if (a == "two-sided") "two.sided" else a

prop_two <- list()
for (cs in list(
  list(96, 192, 1659, 3128, 0.95),   # Powerjobsøgerne vs the jobcentre (Fredericia 2021)
  list(96, 192, 1563, 2936, 0.95),   # ... the jobcentre without the 192
  list(16, 65, 5487, 12821, 0.95),
  list(3, 10, 7, 12, 0.95),
  list(0, 15, 4, 20, 0.95),
  list(57, 132, 4731, 12285, 0.90),
  list(60, 128, 5427, 12698, 0.99)
)) {
  for (correct in c(FALSE, TRUE)) {
    r <- suppressWarnings(prop.test(c(cs[[1]], cs[[3]]), c(cs[[2]], cs[[4]]),
                                    correct = correct, conf.level = cs[[5]]))
    prop_two[[length(prop_two) + 1]] <- list(
      successes = cs[[1]], n = cs[[2]], reference_successes = cs[[3]],
      reference_n = cs[[4]], correct = correct, alpha = 1 - cs[[5]],
      statistic = unname(r$statistic), p_value = r$p.value,
      conf_low = r$conf.int[1], conf_high = r$conf.int[2]
    )
  }
}

one_cases <- list(
  list(95, 192, 0.80, "less", 0.95),      # Powerjobsøgerne: job interview, target 80 %
  list(96, 192, 0.70, "less", 0.95),      # Powerjobsøgerne: job or education, target 70 %
  list(96, 192, 0.70, "two-sided", 0.95),
  list(16, 65, 0.50, "two-sided", 0.95),  # Impact60 midway against the 50 % goal
  list(16, 65, 0.50, "greater", 0.95),
  list(30, 50, 0.60, "two-sided", 0.95),  # Vi gør en forskel: 30 of 50
  list(57, 132, 0.40, "greater", 0.95),
  list(53, 132, 0.40, "two-sided", 0.90),
  list(0, 10, 0.30, "two-sided", 0.95),
  list(10, 10, 0.30, "two-sided", 0.95),
  list(5, 40, 0.125, "two-sided", 0.95),
  list(7, 20, 0.50, "two-sided", 0.95),
  list(3, 100, 0.01, "two-sided", 0.95),
  list(3, 100, 0.01, "greater", 0.99),
  list(1, 1, 0.50, "two-sided", 0.95)
)
prop_one <- list()
binom <- list()
for (cs in one_cases) {
  b <- binom.test(cs[[1]], cs[[2]], cs[[3]], alternative = alt_r(cs[[4]]),
                  conf.level = cs[[5]])
  binom[[length(binom) + 1]] <- list(
    successes = cs[[1]], n = cs[[2]], target = cs[[3]], alternative = cs[[4]],
    alpha = 1 - cs[[5]], p_value = b$p.value,
    conf_low = b$conf.int[1], conf_high = b$conf.int[2]
  )
  for (correct in c(FALSE, TRUE)) {
    r <- suppressWarnings(prop.test(cs[[1]], cs[[2]], cs[[3]], alternative = alt_r(cs[[4]]),
                                    conf.level = cs[[5]], correct = correct))
    prop_one[[length(prop_one) + 1]] <- list(
      successes = cs[[1]], n = cs[[2]], target = cs[[3]], alternative = cs[[4]],
      alpha = 1 - cs[[5]], correct = correct,
      statistic = unname(r$statistic), p_value = r$p.value,
      conf_low = r$conf.int[1], conf_high = r$conf.int[2]
    )
  }
}

poisson <- list()
for (cs in list(
  list(10, 5.2, "two-sided", 0.95),
  list(0, 3.2, "two-sided", 0.95),
  list(5, 5, "two-sided", 0.95),
  list(120, 98.7, "two-sided", 0.95),
  list(23, 17.4, "greater", 0.95),
  list(8, 15.5, "less", 0.95),
  list(3, 12.25, "two-sided", 0.95),
  list(45, 36, "two-sided", 0.95),
  list(1, 0.2, "two-sided", 0.90),
  list(62, 52.64, "two-sided", 0.99),
  list(400, 431.7, "two-sided", 0.95)
)) {
  p <- poisson.test(cs[[1]], cs[[2]], alternative = alt_r(cs[[3]]), conf.level = cs[[4]])
  poisson[[length(poisson) + 1]] <- list(
    observed = cs[[1]], expected = cs[[2]], alternative = cs[[3]], alpha = 1 - cs[[4]],
    estimate = unname(p$estimate), p_value = p$p.value,
    conf_low = p$conf.int[1], conf_high = if (is.finite(p$conf.int[2])) p$conf.int[2] else NULL
  )
}

fisher <- list()
for (cs in list(list(96, 192, 1659, 3128), list(3, 10, 7, 12))) {
  m <- matrix(c(cs[[1]], cs[[2]] - cs[[1]], cs[[3]], cs[[4]] - cs[[3]]), 2, byrow = TRUE)
  fisher[[length(fisher) + 1]] <- list(
    successes = cs[[1]], n = cs[[2]], reference_successes = cs[[3]],
    reference_n = cs[[4]], p_value = fisher.test(m)$p.value
  )
}

limit <- function(n, theta, p) {
  r <- qbinom(p, n, theta)
  a <- (pbinom(r, n, theta) - p) / (pbinom(r, n, theta) - pbinom(r - 1, n, theta))
  pmin(1, pmax(0, (r - a) / n))
}
funnel <- list()
bristol_theta <- 397 / 3319
for (theta in c(bristol_theta, 5487 / 12821, 0.05)) {
  for (n in c(5, 12, 58, 122, 143, 323, 581, 1000, 12821)) {
    for (level in c(0.95, 0.998)) {
      tail <- (1 - level) / 2
      funnel[[length(funnel) + 1]] <- list(
        denominator = n, target = theta, level = level,
        lower = limit(n, theta, tail), upper = limit(n, theta, 1 - tail)
      )
    }
  }
}

out <- list(
  generated_by = "tests/reference/benchmark.R",
  r_version = R.version.string,
  prop_test_two = prop_two,
  prop_test_one = prop_one,
  binom_test = binom,
  poisson_test = poisson,
  fisher_test = fisher,
  funnel_exact = funnel
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE),
           out_file)
cat("wrote", length(prop_two) + length(prop_one) + length(binom) + length(poisson) +
      length(fisher) + length(funnel), "cases to", out_file, "\n")
