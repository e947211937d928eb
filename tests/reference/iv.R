# Reference values for evalkit.cace (2SLS of the complier average causal effect),
# computed with estimatr::iv_robust on synthetic data made here with a fixed seed.
#
# Usage: Rscript iv.R <output JSON> (make_iv_reference.sh). The data are saved in the
# JSON; every case records the evalkit arguments and R's tidy rows.
suppressPackageStartupMessages({
  library(estimatr)
  library(jsonlite)
})
out_file <- commandArgs(trailingOnly = TRUE)[1]

set.seed(20240515)
n <- 240
block <- rep(1:6, each = 40)
cluster <- rep(1:48, each = 5)
treat <- as.integer(ave(runif(n), cluster, FUN = function(u) u[1]) < 0.5)
x1 <- round(rnorm(n), 3)
x2 <- round(runif(n, 20, 60))
wt <- round(runif(n, 0.5, 2), 3)
# two-sided non-compliance: always-takers among controls, never-takers among treated
type <- sample(c("complier", "never", "always"), n, TRUE, prob = c(0.6, 0.3, 0.1))
takeup <- as.integer(type == "always" | (type == "complier" & treat == 1))
y <- round(10 + 2.5 * takeup + 0.8 * x1 + 0.05 * x2 + block / 3 + rnorm(n, 0, 2 + takeup), 3)
# one-sided version: no control takes up
takeup1 <- as.integer(type != "never" & treat == 1)
y1 <- round(10 + 2 * takeup1 + 0.8 * x1 + rnorm(n, 0, 2), 3)
d <- data.frame(y, y1, treat, takeup, takeup1, x1, x2, block, cluster, wt)

cases <- list()
tidy_rows <- function(fit) {
  td <- tidy(fit)
  data.frame(
    term = td$term, estimate = td$estimate, std_error = td$std.error,
    p_value = td$p.value, conf_low = td$conf.low, conf_high = td$conf.high, df = td$df
  )
}
iv_case <- function(name, outcome = "y", takeup = "takeup", covariates = character(0),
                    se_type = "HC2", blocks = NULL, clusters = NULL, weights = NULL) {
  rhs1 <- paste(c(takeup, covariates), collapse = " + ")
  rhs2 <- paste(c("treat", covariates), collapse = " + ")
  f <- as.formula(paste(outcome, "~", rhs1, "|", rhs2))
  call <- list(formula = f, data = d, se_type = se_type)
  if (!is.null(blocks)) call$fixed_effects <- as.formula(paste("~", blocks))
  if (!is.null(clusters)) call$clusters <- d[[clusters]]
  if (!is.null(weights)) call$weights <- d[[weights]]
  fit <- do.call(iv_robust, call)
  a <- list(outcome = outcome, treatment = "treat", takeup = takeup, se_type = se_type)
  if (length(covariates)) a$covariates <- covariates
  if (!is.null(blocks)) a$blocks <- blocks
  if (!is.null(clusters)) a$clusters <- clusters
  if (!is.null(weights)) a$weights <- weights
  cases[[length(cases) + 1]] <<- list(
    name = name, args = a, terms = tidy_rows(fit),
    r_call = paste0("iv_robust(", deparse(f), ", se_type = '", se_type, "', fixed_effects = ",
                    deparse(blocks), ", clusters = ", deparse(clusters), ", weights = ",
                    deparse(weights), ")")
  )
}
for (se in c("HC0", "HC1", "HC2", "HC3")) {
  iv_case(paste0("iv_", se), se_type = se)
  iv_case(paste0("iv_", se, "_covariates"), covariates = c("x1", "x2"), se_type = se)
  iv_case(paste0("iv_", se, "_blocks"), blocks = "block", se_type = se)
}
for (se in c("CR0", "CR2", "stata")) {
  iv_case(paste0("iv_", se), clusters = "cluster", se_type = se)
  iv_case(paste0("iv_", se, "_covariates"), covariates = c("x1", "x2"), clusters = "cluster",
          se_type = se)
  iv_case(paste0("iv_", se, "_blocks_covariates"), covariates = "x1", blocks = "block", se_type = se,
          clusters = "cluster")
}
iv_case("iv_HC2_weighted", covariates = "x1", weights = "wt")
iv_case("iv_CR2_weighted", covariates = "x1", se_type = "CR2", clusters = "cluster",
        weights = "wt")
iv_case("iv_one_sided", outcome = "y1", takeup = "takeup1")
iv_case("iv_one_sided_CR2_blocks", outcome = "y1", takeup = "takeup1", se_type = "CR2",
        blocks = "block", clusters = "cluster")

writeLines(toJSON(list(
  generated_by = paste("tests/reference/iv.R with", R.version.string, "estimatr",
                       as.character(packageVersion("estimatr"))),
  data = d, cases = cases
), digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null", na = "null"), out_file)
