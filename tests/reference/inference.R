# Reference values for evalkit's randomization inference, p-value adjustment and power.
#
# Usage: Rscript inference.R <output JSON>   (make_inference_reference.sh runs it)
# Needs R with coin, pwr, survival and jsonlite. The data sets are written into the
# JSON, so the Python tests need neither R nor a download. Every case records the evalkit
# call that must reproduce it: function, data set, arguments, and R's value.
suppressPackageStartupMessages({
  library(coin)
  library(pwr)
  library(survival)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
out_file <- if (length(args)) args[1] else "inference.json"

# ---- data ------------------------------------------------------------------------
# sleep: 10 persons, each given both drugs (group 2 = "treated"); npk: 6 blocks of 4
# plots, nitrogen on 2 per block; surv16: a small made-up survival data set with tied
# times (8 treated, 8 controls).
sleep_d <- data.frame(extra = sleep$extra, drug2 = as.integer(sleep$group == "2"),
                      ID = as.integer(sleep$ID))
npk_d <- data.frame(yield = npk$yield, N = as.integer(as.character(npk$N)),
                    block = as.integer(npk$block))
surv16 <- data.frame(
  weeks = c(3, 5, 5, 8, 9, 12, 12, 15, 2, 4, 4, 6, 7, 7, 10, 11),
  exit = c(1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0),
  treated = rep(c(1L, 0L), each = 8)
)
frames <- list(sleep = sleep_d, npk = npk_d, surv16 = surv16)

# coin reports its test for the first factor level; putting the treated level first
# makes coin's "greater" mean "treated larger", as in evalkit.
arm <- function(x) factor(x, levels = c(1, 0))

cases <- list()
add_case <- function(name, data, args, r_call, p_value, n_assignments) {
  cases[[length(cases) + 1]] <<- list(
    name = name, `function` = "randomization_test", data = data, args = args,
    r_call = r_call, p_value = p_value, n_assignments = n_assignments
  )
}

for (alt in c("two.sided", "greater", "less")) {
  d <- sleep_d
  d$g <- arm(d$drug2)
  r <- oneway_test(extra ~ g, data = d, distribution = "exact", alternative = alt)
  add_case(paste0("coin_oneway_exact_sleep_", alt), "sleep",
           list(outcome = "extra", treatment = "drug2", statistic = "difference_in_means",
                alternative = sub("two.sided", "two-sided", alt), exact = TRUE),
           sprintf("oneway_test(extra ~ g, sleep, distribution = 'exact', alternative = '%s')",
                   alt),
           as.numeric(pvalue(r)), choose(20, 10))
}
d <- sleep_d
d$g <- arm(d$drug2)
d$ID <- factor(d$ID)
r <- oneway_test(extra ~ g | ID, data = d, distribution = "exact")
add_case("coin_oneway_exact_sleep_paired", "sleep",
         list(outcome = "extra", treatment = "drug2", blocks = "ID",
              statistic = "difference_in_means", alternative = "two-sided", exact = TRUE),
         "oneway_test(extra ~ g | ID, sleep, distribution = 'exact')",
         as.numeric(pvalue(r)), 2^10)
r <- wilcox_test(extra ~ g, data = d, distribution = "exact")
add_case("coin_wilcox_exact_sleep", "sleep",
         list(outcome = "extra", treatment = "drug2", statistic = "rank",
              alternative = "two-sided", exact = TRUE),
         "wilcox_test(extra ~ g, sleep, distribution = 'exact')",
         as.numeric(pvalue(r)), choose(20, 10))
r <- wilcox_test(extra ~ g | ID, data = d, distribution = "exact")
add_case("coin_wilcox_exact_sleep_paired", "sleep",
         list(outcome = "extra", treatment = "drug2", blocks = "ID", statistic = "rank",
              alternative = "two-sided", exact = TRUE),
         "wilcox_test(extra ~ g | ID, sleep, distribution = 'exact')",
         as.numeric(pvalue(r)), 2^10)

d <- npk_d
d$g <- arm(d$N)
d$block <- factor(d$block)
for (alt in c("two.sided", "greater")) {
  r <- oneway_test(yield ~ g | block, data = d, distribution = "exact", alternative = alt)
  add_case(paste0("coin_oneway_exact_npk_blocked_", alt), "npk",
           list(outcome = "yield", treatment = "N", blocks = "block",
                statistic = "difference_in_means",
                alternative = sub("two.sided", "two-sided", alt), exact = TRUE),
           sprintf("oneway_test(yield ~ N | block, npk, distribution = 'exact', alternative = '%s')",
                   alt),
           as.numeric(pvalue(r)), 6^6)
}
r <- wilcox_test(yield ~ g | block, data = d, distribution = "exact")
add_case("coin_wilcox_exact_npk_blocked", "npk",
         list(outcome = "yield", treatment = "N", blocks = "block", statistic = "rank",
              alternative = "two-sided", exact = TRUE),
         "wilcox_test(yield ~ N | block, npk, distribution = 'exact')",
         as.numeric(pvalue(r)), 6^6)

d <- surv16
d$g <- arm(d$treated)
for (alt in c("two.sided", "less")) {
  # coin's log-rank scores are minus O - E, so its "less" is evalkit's "greater".
  r <- logrank_test(Surv(weeks, exit) ~ g, data = d, distribution = "exact",
                    ties.method = "mid-ranks", alternative = alt)
  add_case(paste0("coin_logrank_exact_surv16_", alt), "surv16",
           list(outcome = "weeks", treatment = "treated", event = "exit",
                statistic = "logrank",
                alternative = c(two.sided = "two-sided", less = "greater")[[alt]],
                exact = TRUE),
           sprintf(paste0("logrank_test(Surv(weeks, exit) ~ g, surv16, distribution = ",
                          "'exact', ties.method = 'mid-ranks', alternative = '%s')"), alt),
           as.numeric(pvalue(r)), choose(16, 8))
}

# ---- p.adjust -------------------------------------------------------------------------
p <- c(0.01, 0.02, 0.03, 0.04, 0.05, 0.5, 0.001, 0.04, 0.9, 0.0001, 0.2, 0.04, 1, 0)
methods <- c(bonferroni = "bonferroni", holm = "holm", hochberg = "hochberg", bh = "BH",
             by = "BY")
p_adjust <- list(p = p, adjusted = lapply(methods, function(m) p.adjust(p, m)))

# ---- power and sample size -------------------------------------------------------------
power_cases <- list()
add_power <- function(name, fn, args, attribute, value, r_call, tolerance = 1e-6) {
  power_cases[[length(power_cases) + 1]] <<- list(
    name = name, `function` = fn, args = args, attribute = attribute, value = value,
    r_call = r_call, tolerance = tolerance
  )
}
tight <- 1e-12
add_power("power.prop.test_power", "power_proportions",
          list(p_control = 0.14, p_treated = 0.24, n_treated = 175, n_control = 175),
          "power", power.prop.test(n = 175, p1 = 0.24, p2 = 0.14)$power,
          "power.prop.test(n = 175, p1 = 0.24, p2 = 0.14)")
add_power("power.prop.test_power_strict", "power_proportions",
          list(p_control = 0.14, p_treated = 0.24, n_treated = 60, n_control = 60,
               strict = TRUE),
          "power", power.prop.test(n = 60, p1 = 0.24, p2 = 0.14, strict = TRUE)$power,
          "power.prop.test(n = 60, p1 = 0.24, p2 = 0.14, strict = TRUE)")
add_power("power.prop.test_power_one_sided", "power_proportions",
          list(p_control = 0.14, p_treated = 0.24, n_treated = 175, n_control = 175,
               alternative = "greater", alpha = 0.1),
          "power", power.prop.test(n = 175, p1 = 0.24, p2 = 0.14, sig.level = 0.1,
                                   alternative = "one.sided")$power,
          "power.prop.test(n = 175, p1 = 0.24, p2 = 0.14, sig.level = 0.1, alternative = 'one.sided')")
add_power("power.prop.test_n", "n_for_power",
          list(effect = 0.10, baseline = 0.14, outcome = "proportion"),
          "n_control_exact",
          power.prop.test(p1 = 0.24, p2 = 0.14, power = 0.8, tol = tight)$n,
          "power.prop.test(p1 = 0.24, p2 = 0.14, power = 0.8, tol = 1e-12)")
add_power("power.t.test_power", "power_means",
          list(delta = 0.3, sd = 1, n_treated = 175, n_control = 175),
          "power", power.t.test(n = 175, delta = 0.3, sd = 1)$power,
          "power.t.test(n = 175, delta = 0.3, sd = 1)")
add_power("power.t.test_power_sd2_strict", "power_means",
          list(delta = 0.5, sd = 2, n_treated = 40, n_control = 40, strict = TRUE),
          "power", power.t.test(n = 40, delta = 0.5, sd = 2, strict = TRUE)$power,
          "power.t.test(n = 40, delta = 0.5, sd = 2, strict = TRUE)")
add_power("power.t.test_power_one_sided", "power_means",
          list(delta = 0.3, sd = 1, n_treated = 100, n_control = 100,
               alternative = "greater"),
          "power", power.t.test(n = 100, delta = 0.3, sd = 1,
                                alternative = "one.sided")$power,
          "power.t.test(n = 100, delta = 0.3, sd = 1, alternative = 'one.sided')")
add_power("power.t.test_n", "n_for_power",
          list(effect = 0.3, sd = 1, outcome = "mean"), "n_control_exact",
          power.t.test(delta = 0.3, sd = 1, power = 0.8, tol = tight)$n,
          "power.t.test(delta = 0.3, sd = 1, power = 0.8, tol = 1e-12)")
add_power("power.t.test_delta", "minimum_detectable_effect",
          list(n_treated = 175, n_control = 175, outcome = "mean", sd = 1), "effect",
          power.t.test(n = 175, sd = 1, power = 0.8, tol = tight)$delta,
          "power.t.test(n = 175, sd = 1, power = 0.8, tol = 1e-12)")

h <- ES.h(0.24, 0.14)
add_power("pwr.2p2n.test_power", "power_proportions",
          list(p_control = 0.14, p_treated = 0.24, n_treated = 178, n_control = 172,
               method = "cohen_h"),
          "power", pwr.2p2n.test(h = h, n1 = 178, n2 = 172)$power,
          "pwr.2p2n.test(h = ES.h(0.24, 0.14), n1 = 178, n2 = 172)")
add_power("pwr.2p2n.test_power_greater", "power_proportions",
          list(p_control = 0.14, p_treated = 0.24, n_treated = 178, n_control = 172,
               method = "cohen_h", alternative = "greater"),
          "power", pwr.2p2n.test(h = h, n1 = 178, n2 = 172, alternative = "greater")$power,
          "pwr.2p2n.test(h = ES.h(0.24, 0.14), n1 = 178, n2 = 172, alternative = 'greater')")
# pwr solves h with uniroot's default tolerance (about 1e-4); the reference solves pwr's
# own power function to 1e-12 instead.
h_solved <- uniroot(function(h) pwr.2p2n.test(h = h, n1 = 178, n2 = 172)$power - 0.8,
                    c(1e-4, 2), tol = tight)$root
add_power("pwr.2p2n.test_h", "minimum_detectable_effect",
          list(n_treated = 178, n_control = 172, baseline = 0.14, outcome = "proportion"),
          "effect_size", h_solved,
          "uniroot(function(h) pwr.2p2n.test(h = h, n1 = 178, n2 = 172)$power - 0.8, tol = 1e-12)")
add_power("pwr.2p2n.test_h_as_difference", "minimum_detectable_effect",
          list(n_treated = 178, n_control = 172, baseline = 0.14, outcome = "proportion"),
          "effect", sin(asin(sqrt(0.14)) + h_solved / 2)^2 - 0.14,
          "sin(asin(sqrt(0.14)) + h / 2)^2 - 0.14 with h solved as above")
add_power("pwr.2p2n.test_h_pwr_default_tol", "minimum_detectable_effect",
          list(n_treated = 178, n_control = 172, baseline = 0.14, outcome = "proportion"),
          "effect_size", pwr.2p2n.test(n1 = 178, n2 = 172, power = 0.8)$h,
          "pwr.2p2n.test(n1 = 178, n2 = 172, power = 0.8) (uniroot tol about 1e-4)",
          tolerance = 1e-4)
add_power("pwr.t2n.test_power", "power_means",
          list(delta = 0.3, sd = 1, n_treated = 178, n_control = 172, strict = TRUE),
          "power", pwr.t2n.test(n1 = 178, n2 = 172, d = 0.3)$power,
          "pwr.t2n.test(n1 = 178, n2 = 172, d = 0.3)")
add_power("pwr.t2n.test_power_greater", "power_means",
          list(delta = 0.3, sd = 1, n_treated = 178, n_control = 172,
               alternative = "greater"),
          "power", pwr.t2n.test(n1 = 178, n2 = 172, d = 0.3, alternative = "greater")$power,
          "pwr.t2n.test(n1 = 178, n2 = 172, d = 0.3, alternative = 'greater')")
d_solved <- uniroot(function(d) pwr.t2n.test(n1 = 178, n2 = 172, d = d)$power - 0.8,
                    c(1e-4, 2), tol = tight)$root
add_power("pwr.t2n.test_d", "minimum_detectable_effect",
          list(n_treated = 178, n_control = 172, outcome = "mean", strict = TRUE),
          "effect_size", d_solved,
          "uniroot(function(d) pwr.t2n.test(n1 = 178, n2 = 172, d = d)$power - 0.8, tol = 1e-12)")

out <- list(
  generated_by = "tests/reference/inference.R",
  r_version = R.version.string,
  packages = list(coin = as.character(packageVersion("coin")),
                  pwr = as.character(packageVersion("pwr")),
                  survival = as.character(packageVersion("survival"))),
  data = frames,
  randomization = cases,
  p_adjust = p_adjust,
  power = power_cases
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, dataframe = "columns"),
           out_file)
