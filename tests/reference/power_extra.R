# Reference values for evalkit's power solvers far out in the noncentral t and at low
# powers (issue 13): the wrong-direction tail of a large effect, the MDE of small unequal
# arms with strict = TRUE, and sample sizes at every power with and without strict, also
# with clusters (the noncentral t of evalkit's documented design-effect formula).
#
# Usage: Rscript power_extra.R <output JSON>   (make_power_extra_reference.sh runs it)
# Needs R with pwr and jsonlite.
suppressPackageStartupMessages({
  library(pwr)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
out_file <- if (length(args)) args[1] else "power_extra.json"
tight <- 1e-12

cases <- list()
add <- function(name, fn, args, attribute, value, r_call, tolerance = 1e-6) {
  cases[[length(cases) + 1]] <<- list(
    name = name, `function` = fn, args = args, attribute = attribute, value = value,
    r_call = r_call, tolerance = tolerance
  )
}

# ---- a large effect: the wrong-direction tail is far out (scipy's nct.cdf gives NaN)
add("pwr.t2n.test_power_far_out", "power_means",
    list(delta = 4, sd = 1, n_treated = 35, n_control = 55, strict = TRUE), "power",
    pwr.t2n.test(n1 = 35, n2 = 55, d = 4)$power, "pwr.t2n.test(n1 = 35, n2 = 55, d = 4)")
add("power.t.test_power_far_out_strict", "power_means",
    list(delta = 3, sd = 1, n_treated = 10, n_control = 10, strict = TRUE), "power",
    power.t.test(n = 10, delta = 3, strict = TRUE)$power,
    "power.t.test(n = 10, delta = 3, strict = TRUE)")

# ---- minimum detectable effects of small unequal arms (strict = TRUE, as pwr)
for (pw in c(0.5, 0.8, 0.9, 0.99)) {
  d <- uniroot(function(d) pwr.t2n.test(n1 = 35, n2 = 55, d = d)$power - pw,
               c(1e-4, 5), tol = tight)$root
  add(sprintf("pwr.t2n.test_d_35_55_power_%g", pw), "minimum_detectable_effect",
      list(n_treated = 35, n_control = 55, outcome = "mean", strict = TRUE, power = pw),
      "effect_size", d,
      sprintf(paste0("uniroot(function(d) pwr.t2n.test(n1 = 35, n2 = 55, d = d)$power - %g, ",
                     "tol = 1e-12)"), pw))
}
add("power.t.test_delta_n4_strict", "minimum_detectable_effect",
    list(n_treated = 4, n_control = 4, outcome = "mean", strict = TRUE, power = 0.8),
    "effect_size", power.t.test(n = 4, power = 0.8, strict = TRUE, tol = tight)$delta,
    "power.t.test(n = 4, power = 0.8, strict = TRUE, tol = 1e-12)")

# ---- sample sizes at every power, strict or not, two- and one-sided
for (pw in c(0.3, 0.5, 0.6, 0.8, 0.9, 0.99)) {
  for (strict in c(FALSE, TRUE)) {
    add(sprintf("power.t.test_n_delta_0.5_power_%g%s", pw, if (strict) "_strict" else ""),
        "n_for_power",
        list(effect = 0.5, outcome = "mean", power = pw, strict = strict), "n_control_exact",
        power.t.test(delta = 0.5, power = pw, strict = strict, tol = tight)$n,
        sprintf("power.t.test(delta = 0.5, power = %g, strict = %s, tol = 1e-12)", pw, strict))
  }
}
add("power.t.test_n_one_sided_power_0.6", "n_for_power",
    list(effect = 0.5, outcome = "mean", power = 0.6, alternative = "greater"),
    "n_control_exact",
    power.t.test(delta = 0.5, power = 0.6, alternative = "one.sided", tol = tight)$n,
    "power.t.test(delta = 0.5, power = 0.6, alternative = 'one.sided', tol = 1e-12)")
add("power.t.test_n_sd_3_power_0.8_strict", "n_for_power",
    list(effect = 1.2, sd = 3, outcome = "mean", power = 0.8, strict = TRUE),
    "n_control_exact",
    power.t.test(delta = 1.2, sd = 3, power = 0.8, strict = TRUE, tol = tight)$n,
    "power.t.test(delta = 1.2, sd = 3, power = 0.8, strict = TRUE, tol = 1e-12)")

# ---- clusters: n per arm with clusters of m, ICC; n_eff = n / DEFF, df = 2 n / m - 2
clustered_power <- function(n, delta, m, icc, strict, alpha = 0.05) {
  ne <- n / (1 + (m - 1) * icc)
  df <- 2 * n / m - 2
  ncp <- delta * sqrt(ne / 2)
  q <- qt(alpha / 2, df, lower.tail = FALSE)
  pt(q, df, ncp, lower.tail = FALSE) + if (strict) pt(-q, df, ncp) else 0
}
for (pw in c(0.6, 0.8)) {
  for (strict in c(FALSE, TRUE)) {
    n <- uniroot(function(n) clustered_power(n, 0.5, 10, 0.05, strict) - pw,
                 c(2 * 10, 1e7), tol = tight)$root
    add(sprintf("clustered_t_n_power_%g%s", pw, if (strict) "_strict" else ""), "n_for_power",
        list(effect = 0.5, outcome = "mean", power = pw, strict = strict, icc = 0.05,
             cluster_size = 10),
        "n_control_exact", n,
        sprintf(paste0("uniroot(n: pt(q, 2n/10 - 2, 0.5 sqrt(n / 1.45 / 2), lower = FALSE)%s ",
                       "- %g, c(20, 1e7), tol = 1e-12); q = qt(0.975, 2n/10 - 2)"),
                if (strict) " + pt(-q, ...)" else "", pw))
  }
}

writeLines(toJSON(list(generated_by = "tests/reference/power_extra.R",
                       r_version = R.version.string,
                       packages = list(pwr = as.character(packageVersion("pwr"))),
                       power = cases),
                  auto_unbox = TRUE, digits = NA, pretty = TRUE), out_file)
