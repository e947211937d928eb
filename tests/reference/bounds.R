# Reference values for evalkit.lee_bounds and evalkit.manski_bounds, computed with the R
# package attrition 1.0.0 (Coppock, Gerber, Green & Kern): estimator_trim (Lee 2009
# trimming bounds, analytic standard errors, Imbens-Manski interval) and estimator_ev
# (Manski worst-case bounds), on synthetic data made here with a fixed seed.
#
# Usage: Rscript bounds.R <output JSON> (make_bounds_reference.sh). The data are saved in
# the JSON; every case records the evalkit call and attrition's results.
#
# How the package is called, and why (tests/test_bounds_reference.py reads these):
# - estimator_trim(Y ~ Z, R = "R") trims the treated arm only; when the control arm is
#   observed more often it returns NA (monotonicity "violated"). Such cases are also run
#   with the arms swapped (Z' = 1 - Z), which trims the control arm.
# - estimator_trim keeps whole persons: the upper bound keeps the observed persons whose
#   position in the sorted outcomes has cumulative share > Q (the person straddling the
#   cut is kept), the lower bound those with share < 1 - Q (the straddling person is
#   dropped). To get the lower bound under the same rule as the upper one, every case is
#   also run on -Y: the upper bound of -Y is minus the lower bound of Y.
# - attrition:::trimming_bounds (the internal routine estimator_trim calls) is run once
#   per case to record how many persons each bound kept, and attrition:::im_critical_value
#   (the one estimator_trim uses) gives the Imbens-Manski interval of the pair of bounds
#   made from the two runs.
# - estimator_trim does not support a tightening covariate ("Stratification is not yet
#   supported"): tightened bounds are estimator_trim within each cell, averaged with the
#   weights of Lee (2009, Section 3.4): the share of each cell among the observed persons
#   of the arm that is not trimmed. No standard errors for them (evalkit bootstraps).
# Observed counts are powers of two in the trimmed arm where the comparison needs
# attrition's comparisons of cumulative shares with Q to be exact in floating point
# (cumsum(rep(1/m, m)) and Q are exact then); the cases "fractional" and "ties_fractional"
# have natural counts.
suppressPackageStartupMessages({
  library(attrition)
  library(jsonlite)
})
out_file <- commandArgs(trailingOnly = TRUE)[1]
set.seed(20260914)

# One data set: arms of n1 and n0 persons, m1 and m0 of them observed (chosen with
# probabilities rising in y, so that attrition is not ignorable), optional cell column.
make_data <- function(y1, y0, m1, m0, x = NULL, tilt = 0.15) {
  n1 <- length(y1)
  n0 <- length(y0)
  seen <- function(y, m) {
    out <- integer(length(y))
    out[sample(seq_along(y), m, prob = plogis(tilt * (y - mean(y))))] <- 1L
    out
  }
  d <- data.frame(t = rep(c(1L, 0L), c(n1, n0)), seen = c(seen(y1, m1), seen(y0, m0)),
                  y = c(y1, y0))
  if (!is.null(x)) d$x <- x
  d$y[d$seen == 0] <- NA
  d
}
continuous <- function(n, shift) round(20 + shift + rnorm(n, 0, 6), 2)

data_sets <- list()
data_sets$treated_more <- make_data(continuous(256, 3), continuous(256, 0), 128, 96)
data_sets$control_more <- make_data(continuous(256, 2), continuous(256, 0), 96, 128)
data_sets$ties <- make_data(sample(0:6, 256, TRUE, c(1, 2, 3, 4, 3, 2, 1)),
                            sample(0:6, 256, TRUE, c(2, 3, 4, 3, 2, 1, 1)), 128, 100)
data_sets$fractional <- make_data(continuous(230, 2.5), continuous(170, 0), 191, 121)
data_sets$ties_fractional <- make_data(sample(0:6, 190, TRUE, c(1, 2, 3, 4, 3, 2, 1)),
                                       sample(0:6, 150, TRUE, c(2, 3, 4, 3, 2, 1, 1)), 171, 118)
data_sets$equal_rates <- make_data(continuous(200, 3), continuous(200, 0), 150, 150)
# tightening: blocked assignment, equal arms within each cell
cells <- function(sizes, m1, m0, shift) {
  parts <- lapply(seq_along(sizes), function(k) {
    d <- make_data(continuous(sizes[k], shift + 2 * k), continuous(sizes[k], 2 * k),
                   m1[k], m0[k])
    d$x <- k
    d
  })
  do.call(rbind, parts)
}
data_sets$tighten <- cells(c(128, 64, 32), m1 = c(64, 32, 32), m0 = c(48, 20, 28), shift = 3)
data_sets$tighten_control <- cells(c(128, 64, 32), m1 = c(40, 24, 16), m0 = c(64, 32, 32),
                                   shift = 2)
# bounded outcomes for the Manski bounds
data_sets$manski_binary <- make_data(rbinom(150, 1, 0.55), rbinom(150, 1, 0.4), 126, 109,
                                     tilt = 1)
data_sets$manski_scale <- make_data(round(runif(180, 0, 100), 1), round(runif(220, 0, 90), 1),
                                    139, 188, tilt = 0.02)

# ---------------------------------------------------------------- Lee bounds
trim_run <- function(y, z, r, alpha) {
  d <- data.frame(Y = y, Z = z, R = r)
  est <- suppressWarnings(estimator_trim(Y ~ Z, R = "R", alpha = alpha, data = d))
  inner <- attrition:::trimming_bounds(Out = y, Treat = z, Fail = as.numeric(r == 0),
                                       Weight = rep(1, length(y)), monotonicity = TRUE)
  c(as.list(unclass(est)), list(
    n_keep_U = unname(inner["n_keep_U"]), n_keep_L = unname(inner["n_keep_L"]),
    var_keep_U = unname(inner["var_keep_U"]), var_keep_L = unname(inner["var_keep_L"]),
    var_control = unname(inner["var_control"])
  ))
}
trim_all <- function(d, alpha) {
  y <- d$y
  z <- d$t
  r <- d$seen
  q1 <- mean(r[z == 1])
  q0 <- mean(r[z == 0])
  zt <- if (q1 >= q0) z else 1L - z # the arm observed more is "treated" for attrition
  # as shipped: the arms as they are (NA when the control arm is observed more)
  shipped <- suppressWarnings(estimator_trim(Y ~ Z, R = "R", alpha = alpha,
                                             data = data.frame(Y = y, Z = z, R = r)))
  a <- trim_run(y, zt, r, alpha)
  b <- trim_run(-y, zt, r, alpha)
  # bounds on arm 1 minus arm 0 with the upper-bound rule on both sides
  if (q1 >= q0) {
    pair <- list(lower = -b$upper_bound, upper = a$upper_bound,
                 se_lower = b$upper_se, se_upper = a$upper_se)
  } else {
    pair <- list(lower = -a$upper_bound, upper = b$upper_bound,
                 se_lower = a$upper_se, se_upper = b$upper_se)
  }
  c_im <- attrition:::im_critical_value(pair$lower, pair$upper, pair$se_lower^2,
                                        pair$se_upper^2, alpha)
  pair$conf_int <- c(pair$lower - c_im * pair$se_lower, pair$upper + c_im * pair$se_upper)
  list(trimmed_arm = if (q1 >= q0) "treatment" else "control",
       shipped = as.list(unclass(shipped)), arms_as_trimmed = a, minus_y = b,
       upper_rule = pair)
}

cases <- list()
lee_case <- function(name, data, alpha = 0.05) {
  cases[[length(cases) + 1]] <<- list(
    name = name, kind = "lee", dataset = data,
    args = list(outcome = "y", treatment = "t", observed = "seen", alpha = alpha),
    r = trim_all(data_sets[[data]], alpha),
    r_call = "estimator_trim(Y ~ Z, R = 'R', alpha = alpha) on (y, t'), (-y, t'); t' = t or 1 - t"
  )
}
lee_case("treated_more", "treated_more")
lee_case("treated_more_alpha10", "treated_more", alpha = 0.10)
lee_case("control_more", "control_more")
lee_case("ties_at_cut", "ties")
lee_case("fractional", "fractional")
lee_case("fractional_alpha10", "fractional", alpha = 0.10)
lee_case("ties_fractional", "ties_fractional")
lee_case("equal_rates", "equal_rates")
# 10 treated all observed, 8 of 10 controls: p = 0.2 and (1 - p) m = 8 persons, but
# 1 - 0.8 is 0.19999999999999996 in floating point, so attrition keeps 9 persons for the
# upper bound and 7 for the lower
data_sets$float_cut <- data.frame(t = rep(c(1L, 0L), each = 10),
                                  seen = c(rep(1L, 18), 0L, 0L), y = c(1:10, 1:8, NA, NA))
lee_case("float_cut", "float_cut")
cases[[length(cases)]]$kind <- "lee_float"

tighten_case <- function(name, data) {
  d <- data_sets[[data]]
  q1 <- mean(d$seen[d$t == 1])
  q0 <- mean(d$seen[d$t == 0])
  keep_arm <- if (q1 >= q0) 0L else 1L # the arm not trimmed
  low_seen <- d$seen == 1 & d$t == keep_arm
  per_cell <- lapply(sort(unique(d$x)), function(k) {
    inside <- d[d$x == k, ]
    fit <- trim_all(inside, 0.05)
    a <- fit$arms_as_trimmed
    b <- fit$minus_y
    # the trimmed arm's means: the bottom share through -y, the top share directly
    low_mean <- -b$Out1U_mono
    high_mean <- a$Out1U_mono
    list(cell = k, weight = sum(low_seen & d$x == k) / sum(low_seen), trimming = a$Q,
         low_mean = low_mean, high_mean = high_mean, lower = fit$upper_rule$lower,
         upper = fit$upper_rule$upper, trimmed_arm = fit$trimmed_arm,
         n_keep_U = a$n_keep_U, n_keep_U_minus_y = b$n_keep_U)
  })
  w <- vapply(per_cell, `[[`, 0, "weight")
  lower <- sum(w * vapply(per_cell, `[[`, 0, "lower"))
  upper <- sum(w * vapply(per_cell, `[[`, 0, "upper"))
  cases[[length(cases) + 1]] <<- list(
    name = name, kind = "lee_tightened", dataset = data,
    args = list(outcome = "y", treatment = "t", observed = "seen", tighten = "x"),
    r = list(lower = lower, upper = upper, cells = per_cell),
    r_call = "estimator_trim within each cell of x; bounds averaged with Lee's weights"
  )
}
tighten_case("tightened", "tighten")
tighten_case("tightened_control_more", "tighten_control")

# ---------------------------------------------------------------- Manski bounds
manski_case <- function(name, data, lo, hi, alpha = 0.05) {
  d <- data_sets[[data]]
  est <- estimator_ev(Y ~ Z, R = "R", minY = lo, maxY = hi, alpha = alpha,
                      data = data.frame(Y = d$y, Z = d$t, R = d$seen))
  cases[[length(cases) + 1]] <<- list(
    name = name, kind = "manski", dataset = data,
    args = list(outcome = "y", treatment = "t", observed = "seen", lo = lo, hi = hi,
                alpha = alpha),
    r = as.list(unclass(est)),
    r_call = "estimator_ev(Y ~ Z, R = 'R', minY = lo, maxY = hi, alpha = alpha)"
  )
}
manski_case("manski_binary", "manski_binary", 0, 1)
manski_case("manski_binary_alpha10", "manski_binary", 0, 1, alpha = 0.10)
manski_case("manski_scale", "manski_scale", 0, 100)
manski_case("manski_wider_support", "manski_scale", -10, 120)

writeLines(toJSON(list(
  generated_by = paste("tests/reference/bounds.R with", R.version.string, "attrition",
                       as.character(packageVersion("attrition"))),
  datasets = lapply(data_sets, as.list), cases = cases
), digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null", na = "null"), out_file)
