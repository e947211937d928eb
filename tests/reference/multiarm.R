# Reference values for evalkit's contrasts of two arms of a multi-arm trial
# (condition1 / condition2 in difference_in_means, lin_estimator and ancova), computed with
# estimatr on synthetic data made here with a fixed seed (a control arm and two programmes),
# and for the omnibus randomization test of no effect of any arm (coin::oneway_test).
#
# Usage: Rscript multiarm.R <output JSON> (make_multiarm_reference.sh). The data are saved
# in the JSON; every case records the evalkit function, its arguments and R's tidy rows
# (terms named as evalkit names them: the arm indicator `arm[B]`, R's `armB`).
suppressPackageStartupMessages({
  library(estimatr)
  library(coin)
  library(jsonlite)
})
out_file <- commandArgs(trailingOnly = TRUE)[1]

set.seed(20250115)
n <- 240
block <- rep(1:6, each = 40)
cluster <- rep(1:48, each = 5)  # 8 clusters of 5 in every block
arms <- c("control", "A", "B")
# unit-level arms, complete within blocks: 14/13/13 per block of 40
arm <- unlist(lapply(1:6, function(b) sample(rep(arms, c(14, 13, 13)))))
# cluster-level arms, within blocks: 3/3/2 clusters of each block
carm_cluster <- unlist(lapply(1:6, function(b) sample(rep(arms, c(3, 3, 2)))))
carm <- carm_cluster[cluster]
arm_code <- match(arm, arms) - 1L  # 0, 1, 2: numeric labels
x1 <- round(rnorm(n), 3)
x2 <- round(runif(n, 20, 60))
wt <- round(runif(n, 0.5, 2), 3)
effect <- c(control = 0, A = 1.5, B = 2.5)
y <- round(10 + effect[arm] + 0.8 * x1 + 0.05 * x2 + block / 3 + rnorm(n, 0, 2), 3)
yc <- round(10 + effect[carm] + 0.8 * x1 + block / 3 + rnorm(48, 0, 1)[cluster] +
              rnorm(n, 0, 2), 3)
# a small effect, for the omnibus randomization test (p-values away from 0)
yw <- round(10 + c(control = 0, A = 0.3, B = 0.5)[arm] + block / 3 + rnorm(n, 0, 2), 3)
d <- data.frame(y, yc, yw, arm, carm, arm_code, x1, x2, block, cluster, wt,
                stringsAsFactors = FALSE)

cases <- list()
tidy_rows <- function(fit, indicator, term) {
  td <- tidy(fit)
  data.frame(
    term = sub(paste0("^", indicator), term, td$term), estimate = td$estimate,
    std_error = td$std.error, p_value = td$p.value, conf_low = td$conf.low,
    conf_high = td$conf.high, df = td$df, stringsAsFactors = FALSE
  )
}
add_case <- function(name, fun, args, rows, r_call) {
  cases[[length(cases) + 1]] <<- list(name = name, fun = fun, args = args, terms = rows,
                                      r_call = r_call)
}
dim_case <- function(name, outcome, treatment, c1, c2, blocks = NULL, clusters = NULL,
                     weights = NULL) {
  f <- as.formula(paste(outcome, "~", treatment))
  call <- list(formula = f, data = d, condition1 = c1, condition2 = c2)
  if (!is.null(blocks)) call$blocks <- d[[blocks]]
  if (!is.null(clusters)) call$clusters <- d[[clusters]]
  if (!is.null(weights)) call$weights <- d[[weights]]
  fit <- do.call(difference_in_means, call)
  a <- list(outcome = outcome, treatment = treatment, condition1 = c1, condition2 = c2)
  if (!is.null(blocks)) a$blocks <- blocks
  if (!is.null(clusters)) a$clusters <- clusters
  if (!is.null(weights)) a$weights <- weights
  rows <- tidy_rows(fit, paste0(treatment, c2), paste0(treatment, "[", c2, "]"))
  rows$term <- paste0(treatment, "[", c2, "]")
  add_case(name, "difference_in_means", a, rows,
           paste0("difference_in_means(", deparse(f), ", condition1 = ", deparse(c1),
                  ", condition2 = ", deparse(c2), ", blocks = ", deparse(blocks),
                  ", clusters = ", deparse(clusters), ", weights = ", deparse(weights),
                  ") [", fit$design, "]"))
}
pairs <- list(c("control", "A"), c("control", "B"), c("A", "B"), c("B", "control"))
for (p in pairs) {
  tag <- paste0(p[2], "_vs_", p[1])
  dim_case(paste0("dim_complete_", tag), "y", "arm", p[1], p[2])
  dim_case(paste0("dim_blocked_", tag), "y", "arm", p[1], p[2], blocks = "block")
  dim_case(paste0("dim_clustered_", tag), "yc", "carm", p[1], p[2], clusters = "cluster")
  dim_case(paste0("dim_block_clustered_", tag), "yc", "carm", p[1], p[2], blocks = "block",
           clusters = "cluster")
}
dim_case("dim_weighted_B_vs_control", "y", "arm", "control", "B", weights = "wt")
dim_case("dim_weighted_blocked_A_vs_B", "y", "arm", "B", "A", blocks = "block",
         weights = "wt")
dim_case("dim_numeric_labels_2_vs_0", "y", "arm_code", 0L, 2L)
dim_case("dim_numeric_labels_blocked_1_vs_2", "y", "arm_code", 2L, 1L, blocks = "block")

# Lin and ANCOVA: estimatr has no condition arguments for lm_lin / lm_robust; the contrast
# is the model on the rows of the two arms with the indicator of condition2.
reg_case <- function(name, fun, outcome, treatment, c1, c2, covariates, se_type = NULL,
                     clusters = NULL, fixed_effects = NULL, weights = NULL) {
  sub <- d[d[[treatment]] %in% c(c1, c2), ]
  sub$trt_ind <- as.numeric(sub[[treatment]] == c2)
  cov_f <- as.formula(paste("~", paste(covariates, collapse = " + ")))
  if (fun == "lin_estimator") {
    f <- as.formula(paste(outcome, "~ trt_ind"))
    call <- list(formula = f, covariates = cov_f, data = sub)
    r_fun <- "lm_lin"
  } else {
    f <- as.formula(paste(outcome, "~", paste(c("trt_ind", covariates), collapse = " + ")))
    call <- list(formula = f, data = sub)
    if (!is.null(fixed_effects)) call$fixed_effects <- as.formula(paste("~", fixed_effects))
    r_fun <- "lm_robust"
  }
  if (!is.null(se_type)) call$se_type <- se_type
  if (!is.null(clusters)) call$clusters <- sub[[clusters]]
  if (!is.null(weights)) call$weights <- sub[[weights]]
  fit <- do.call(get(r_fun), call)
  a <- list(outcome = outcome, treatment = treatment, covariates = covariates,
            condition1 = c1, condition2 = c2)
  if (!is.null(se_type)) a$se_type <- se_type
  if (!is.null(clusters)) a$clusters <- clusters
  if (!is.null(fixed_effects)) a$fixed_effects <- fixed_effects
  if (!is.null(weights)) a$weights <- weights
  add_case(name, fun, a, tidy_rows(fit, "trt_ind", paste0(treatment, "[", c2, "]")),
           paste0(r_fun, "(", deparse(f), ", ", deparse(cov_f), ", se_type = ",
                  deparse(se_type), ", clusters = ", deparse(clusters),
                  ", fixed_effects = ", deparse(fixed_effects), ", weights = ",
                  deparse(weights), ") on rows with ", treatment, " in ",
                  deparse(c(c1, c2))))
}
reg_case("lin_A_vs_control", "lin_estimator", "y", "arm", "control", "A", c("x1", "x2"))
reg_case("lin_B_vs_A_HC1", "lin_estimator", "y", "arm", "A", "B", c("x1", "x2"), "HC1")
reg_case("lin_clustered_B_vs_control", "lin_estimator", "yc", "carm", "control", "B",
         c("x1", "x2"), clusters = "cluster")
reg_case("lin_weighted_B_vs_control", "lin_estimator", "y", "arm", "control", "B", "x1",
         weights = "wt")
reg_case("lin_numeric_2_vs_1", "lin_estimator", "y", "arm_code", 1L, 2L, "x1")
reg_case("ancova_B_vs_control", "ancova", "y", "arm", "control", "B", c("x1", "x2"))
reg_case("ancova_blocks_A_vs_B", "ancova", "y", "arm", "B", "A", c("x1", "x2"),
         fixed_effects = "block")
reg_case("ancova_clustered_A_vs_control_CR0", "ancova", "yc", "carm", "control", "A", "x1",
         se_type = "CR0", clusters = "cluster")

# Omnibus randomization test of no effect of any arm: coin's quadratic statistic (exact
# value), its asymptotic chi-square p-value and a Monte Carlo p-value (1e5 resamples).
omnibus <- list()
omnibus_case <- function(name, outcome, blocks = NULL) {
  f <- if (is.null(blocks)) {
    as.formula(paste(outcome, "~ factor(arm)"))
  } else {
    as.formula(paste(outcome, "~ factor(arm) | factor(", blocks, ")"))
  }
  asy <- oneway_test(f, data = d, teststat = "quadratic")
  set.seed(7)
  mc <- oneway_test(f, data = d, teststat = "quadratic",
                    distribution = approximate(nresample = 100000))
  a <- list(outcome = outcome, treatment = "arm", statistic = "omnibus")
  if (!is.null(blocks)) a$blocks <- blocks
  omnibus[[length(omnibus) + 1]] <<- list(
    name = name, args = a, statistic = as.numeric(statistic(asy)),
    df = nlevels(factor(d$arm)) - 1, p_value_asymptotic = as.numeric(pvalue(asy)),
    p_value_approximate = as.numeric(pvalue(mc)), nresample = 100000,
    r_call = paste0("coin::oneway_test(", deparse(f), ", teststat = 'quadratic')")
  )
}
omnibus_case("omnibus_complete", "yw")
omnibus_case("omnibus_blocked", "yw", blocks = "block")
omnibus_case("omnibus_complete_strong", "y")

writeLines(toJSON(list(
  description = paste(
    "estimatr difference_in_means(condition1, condition2) and lm_lin / lm_robust on the",
    "rows of two arms, for a three-arm synthetic trial (set.seed(20250115))"),
  r_version = R.version.string,
  estimatr_version = as.character(packageVersion("estimatr")),
  data = d, cases = cases, omnibus = omnibus
), digits = NA, auto_unbox = TRUE, pretty = FALSE), out_file)
