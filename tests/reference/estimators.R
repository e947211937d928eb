# Reference values for evalkit's treatment-effect estimators, computed with R.
#
# Usage: Rscript estimators.R <dir with the CSVs from reference_data.py> <output JSON>
# (make_reference.sh runs both steps). Every case records the evalkit call that
# must reproduce it: function name, data set and arguments, and R's tidy rows.
suppressPackageStartupMessages({
  library(estimatr)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
data_dir <- args[1]
out_file <- args[2]
read <- function(name) read.csv(file.path(data_dir, paste0(name, ".csv")))
frames <- list(
  nsw = read("nsw"), star = read("star"),
  star_two_classes_per_arm = read("star_two_classes_per_arm"),
  npk = read("npk"), sleep = read("sleep"), mtcars = read("mtcars")
)

cases <- list()
add_case <- function(name, fn, data, args, rows, r_call) {
  cases[[length(cases) + 1]] <<- list(
    name = name, `function` = fn, data = data, args = args,
    r_call = r_call, terms = rows
  )
}

tidy_rows <- function(fit) {
  td <- tidy(fit)
  data.frame(
    term = td$term, estimate = td$estimate, std_error = td$std.error,
    p_value = td$p.value, conf_low = td$conf.low, conf_high = td$conf.high,
    df = td$df
  )
}

# ---- difference in means (estimatr::difference_in_means) ----
dim_case <- function(name, data, outcome, treatment, blocks = NULL, clusters = NULL,
                     alpha = 0.05, weights = NULL) {
  d <- frames[[data]]
  f <- reformulate(treatment, outcome)
  call <- list(formula = f, data = d, alpha = alpha)
  if (!is.null(blocks)) call$blocks <- d[[blocks]]
  if (!is.null(clusters)) call$clusters <- d[[clusters]]
  if (!is.null(weights)) call$weights <- d[[weights]]
  fit <- do.call(difference_in_means, call)
  a <- list(outcome = outcome, treatment = treatment, alpha = alpha)
  if (!is.null(blocks)) a$blocks <- blocks
  if (!is.null(clusters)) a$clusters <- clusters
  if (!is.null(weights)) a$weights <- weights
  add_case(name, "difference_in_means", data, a, tidy_rows(fit),
           paste0("difference_in_means(", deparse(f), ", blocks = ", deparse(blocks),
                  ", clusters = ", deparse(clusters), ", weights = ", deparse(weights),
                  ", alpha = ", alpha, ")"))
}
dim_case("dim_nsw_complete", "nsw", "re78", "treat")
dim_case("dim_nsw_complete_alpha10", "nsw", "re78", "treat", alpha = 0.10)
dim_case("dim_nsw_blocked_nodegree", "nsw", "re78", "treat", blocks = "nodegree")
dim_case("dim_npk_blocked", "npk", "yield", "N", blocks = "block")
dim_case("dim_sleep_matched_pairs", "sleep", "extra", "drug2", blocks = "ID")
dim_case("dim_star_clustered", "star", "math", "small", clusters = "teacher")
dim_case("dim_star_blocked_clustered", "star_two_classes_per_arm", "math", "small",
         blocks = "school", clusters = "teacher")
dim_case("dim_nsw_weighted", "nsw", "re78", "treat", weights = "w")
dim_case("dim_nsw_blocked_weighted", "nsw", "re78", "treat", blocks = "nodegree",
         weights = "w")
dim_case("dim_star_clustered_weighted", "star", "math", "small", clusters = "teacher",
         weights = "w")
dim_case("dim_star_blocked_clustered_weighted", "star_two_classes_per_arm", "math", "small",
         blocks = "school", clusters = "teacher", weights = "w")

# ---- Lin (2013) regression adjustment (estimatr::lm_lin) ----
lin_case <- function(name, data, outcome, treatment, covariates, se_type,
                     clusters = NULL, weights = NULL) {
  d <- frames[[data]]
  call <- list(formula = reformulate(treatment, outcome),
               covariates = reformulate(covariates), data = d, se_type = se_type)
  if (!is.null(clusters)) call$clusters <- d[[clusters]]
  if (!is.null(weights)) call$weights <- d[[weights]]
  fit <- do.call(lm_lin, call)
  a <- list(outcome = outcome, treatment = treatment, covariates = covariates,
            se_type = se_type)
  if (!is.null(clusters)) a$clusters <- clusters
  if (!is.null(weights)) a$weights <- weights
  add_case(name, "lin_estimator", data, a, tidy_rows(fit),
           paste0("lm_lin(", outcome, " ~ ", treatment, ", covariates = ~ ",
                  paste(covariates, collapse = " + "), ", clusters = ", deparse(clusters),
                  ", weights = ", deparse(weights), ", se_type = '", se_type, "')"))
}
nsw_covariates <- c("age", "educ", "black", "hisp", "marr", "nodegree", "re74", "re75")
for (se in c("HC0", "HC1", "HC2", "HC3")) {
  lin_case(paste0("lin_nsw_", se), "nsw", "re78", "treat", nsw_covariates, se)
}
star_covariates <- c("girl", "white", "free_lunch")
for (se in c("CR0", "stata", "CR2")) {
  lin_case(paste0("lin_star_", se), "star", "math", "small", star_covariates, se,
           clusters = "teacher")
}
lin_case("lin_nsw_weighted_HC2", "nsw", "re78", "treat", nsw_covariates, "HC2",
         weights = "w")
lin_case("lin_star_weighted_CR2", "star", "math", "small", star_covariates, "CR2",
         clusters = "teacher", weights = "w")

# ---- ANCOVA (estimatr::lm_robust, additive, optional fixed effects) ----
ancova_case <- function(name, data, outcome, treatment, covariates, se_type,
                        fixed_effects = NULL, clusters = NULL, weights = NULL,
                        dummies = NULL) {
  d <- frames[[data]]
  # `dummies`: fixed effects entered as explicit factor dummies (estimatr has no weighted
  # CR2 with fixed_effects); only the rows of the other terms are compared.
  rhs <- c(treatment, covariates)
  if (!is.null(dummies)) rhs <- c(rhs, paste0("factor(", dummies, ")"))
  call <- list(formula = reformulate(rhs, outcome), data = d, se_type = se_type)
  if (!is.null(fixed_effects)) call$fixed_effects <- reformulate(fixed_effects)
  if (!is.null(clusters)) call$clusters <- d[[clusters]]
  if (!is.null(weights)) call$weights <- d[[weights]]
  fit <- do.call(lm_robust, call)
  rows <- tidy_rows(fit)
  a <- list(outcome = outcome, treatment = treatment, covariates = covariates,
            se_type = se_type)
  if (!is.null(fixed_effects)) a$fixed_effects <- fixed_effects
  if (!is.null(dummies)) {
    a$fixed_effects <- dummies
    rows <- rows[rows$term %in% c(treatment, covariates), ]
  }
  if (!is.null(clusters)) a$clusters <- clusters
  if (!is.null(weights)) a$weights <- weights
  add_case(name, "ancova", data, a, rows,
           paste0("lm_robust(", deparse(call$formula), ", fixed_effects = ",
                  deparse(fixed_effects), ", clusters = ", deparse(clusters),
                  ", weights = ", deparse(weights), ", se_type = '", se_type, "')"))
}
for (se in c("HC0", "HC1", "HC2", "HC3")) {
  ancova_case(paste0("ancova_nsw_", se), "nsw", "re78", "treat", nsw_covariates, se)
}
ancova_case("ancova_nsw_fe_educ_HC3", "nsw", "re78", "treat", c("age", "re74", "re75"),
            "HC3", fixed_effects = "educ")
ancova_case("ancova_npk_fe_block_HC2", "npk", "yield", "N", c("P", "K"), "HC2",
            fixed_effects = "block")
ancova_case("ancova_star_CR2", "star", "math", "small", star_covariates, "CR2",
            clusters = "teacher")
ancova_case("ancova_star_fe_school_CR2", "star", "math", "small", star_covariates, "CR2",
            fixed_effects = "school", clusters = "teacher")
ancova_case("ancova_star_fe_school_CR0", "star", "math", "small", star_covariates, "CR0",
            fixed_effects = "school", clusters = "teacher")
# One column both the fixed effect and the cluster (fixed_effects = ~ school, clusters = school).
ancova_case("ancova_star_fe_school_cluster_school_CR2", "star", "math", "small", star_covariates,
            "CR2", fixed_effects = "school", clusters = "school")
ancova_case("ancova_star_fe_school_cluster_school_stata", "star", "math", "small",
            star_covariates, "stata", fixed_effects = "school", clusters = "school")
ancova_case("ancova_nsw_weighted_HC1", "nsw", "re78", "treat", nsw_covariates, "HC1",
            weights = "w")
ancova_case("ancova_star_weighted_CR2", "star", "math", "small", star_covariates, "CR2",
            clusters = "teacher", weights = "w")
ancova_case("ancova_star_weighted_school_dummies_CR2", "star", "math", "small",
            star_covariates, "CR2", clusters = "teacher", weights = "w", dummies = "school")
ancova_case("ancova_npk_weighted_fe_block_HC3", "npk", "yield", "N", c("P", "K"), "HC3",
            fixed_effects = "block", weights = "w")

# ---- binary outcomes (stats: prop.test, glm, fisher.test) ----
binary_cases <- function(prefix, data, outcome, treatment) {
  d <- frames[[data]]
  y <- d[[outcome]]; t <- d[[treatment]]
  a <- sum(y[t == 1]); n1 <- sum(t == 1); c <- sum(y[t == 0]); n0 <- sum(t == 0)
  z <- qnorm(0.975)
  base <- list(outcome = outcome, treatment = treatment)
  row <- function(est, se, p, lo, hi) {
    data.frame(term = treatment, estimate = est, std_error = se, p_value = p,
               conf_low = lo, conf_high = hi, df = NA)
  }
  glm_row <- function(link, ratio) {
    # Tight convergence: glm's default (1e-8) leaves errors near 1e-7 in the estimates.
    fit <- glm(y ~ t, family = binomial(link = link), data = data.frame(y = y, t = t),
               control = glm.control(epsilon = 1e-15, maxit = 100))
    co <- summary(fit)$coefficients["t", ]
    ci <- confint.default(fit)["t", ]
    if (ratio) row(exp(co[1]), co[2], co[4], exp(ci[1]), exp(ci[2]))
    else row(co[1], co[2], co[4], ci[1], ci[2])
  }
  # Newcombe hybrid score interval from the Wilson intervals of prop.test.
  w1 <- prop.test(a, n1, correct = FALSE)$conf.int
  w0 <- prop.test(c, n0, correct = FALSE)$conf.int
  p1 <- a / n1; p0 <- c / n0; dd <- p1 - p0
  wald <- glm_row("identity", FALSE)
  add_case(paste0(prefix, "_risk_difference_newcombe"), "risk_difference", data, base,
           row(dd, wald$std_error,
               prop.test(c(a, c), c(n1, n0), correct = FALSE)$p.value,
               dd - sqrt((p1 - w1[1])^2 + (w0[2] - p0)^2),
               dd + sqrt((w1[2] - p1)^2 + (p0 - w0[1])^2)),
           "prop.test(correct = FALSE) Wilson limits combined by Newcombe (1998) method 10; SE from glm identity link")
  add_case(paste0(prefix, "_risk_difference_wald"), "risk_difference", data,
           c(base, list(method = "wald")), wald, "glm(binomial(link = 'identity')) + confint.default")
  add_case(paste0(prefix, "_risk_ratio"), "risk_ratio", data, base, glm_row("log", TRUE),
           "glm(binomial(link = 'log')) + confint.default")
  add_case(paste0(prefix, "_odds_ratio_woolf"), "odds_ratio", data, base,
           glm_row("logit", TRUE), "glm(binomial(link = 'logit')) + confint.default")
  ft <- fisher.test(table(t, y))
  cond <- conditional_or(table(t, y), 0.95)
  # fisher.test's p-value; its estimate and interval solved to 1e-13 (see conditional_or).
  frow <- row(cond[1], NA, ft$p.value, cond[2], cond[3])
  add_case(paste0(prefix, "_odds_ratio_conditional"), "odds_ratio", data,
           c(base, list(method = "conditional")), frow, "fisher.test(table(t, y))")
  add_case(paste0(prefix, "_fisher_exact"), "fisher_exact", data, base, frow,
           "fisher.test(table(t, y))")
}
# The conditional MLE of the odds ratio and its exact interval, defined as in R's
# fisher.test (noncentral hypergeometric mean and tails), but with the roots solved to
# 1e-13: fisher.test uses uniroot's default tolerance (about 1e-4), too coarse for a
# 1e-6 reference (fisher.test is still the source of the p-value).
conditional_or <- function(tab, conf_level) {
  m <- sum(tab[, 1]); n <- sum(tab[, 2]); k <- sum(tab[1, ]); x <- tab[1, 1]
  lo <- max(0L, k - n); hi <- min(k, m); support <- lo:hi
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dnhyper <- function(ncp) {
    d <- logdc + log(ncp) * support
    d <- exp(d - max(d))
    d / sum(d)
  }
  mnhyper <- function(ncp) {
    if (ncp == 0) return(lo)
    if (ncp == Inf) return(hi)
    sum(support * dnhyper(ncp))
  }
  pnhyper <- function(q, ncp, upper.tail = FALSE) {
    if (ncp == 1) {
      return(if (upper.tail) phyper(x - 1, m, n, k, lower.tail = FALSE)
             else phyper(x, m, n, k))
    }
    if (ncp == 0) return(as.numeric(if (upper.tail) q <= lo else q >= lo))
    if (ncp == Inf) return(as.numeric(if (upper.tail) q <= hi else q >= hi))
    sum(dnhyper(ncp)[if (upper.tail) support >= q else support <= q])
  }
  tol <- 1e-13
  mle <- if (x == lo) 0 else if (x == hi) Inf else {
    mu <- mnhyper(1)
    if (mu > x) uniroot(function(t) mnhyper(t) - x, c(0, 1), tol = tol)$root
    else if (mu < x) 1 / uniroot(function(t) mnhyper(1 / t) - x,
                                 c(.Machine$double.eps, 1), tol = tol)$root
    else 1
  }
  ncp_u <- function(x, alpha) {
    if (x == hi) return(Inf)
    p <- pnhyper(x, 1)
    if (p < alpha) uniroot(function(t) pnhyper(x, t) - alpha, c(0, 1), tol = tol)$root
    else if (p > alpha) 1 / uniroot(function(t) pnhyper(x, 1 / t) - alpha,
                                    c(.Machine$double.eps, 1), tol = tol)$root
    else 1
  }
  ncp_l <- function(x, alpha) {
    if (x == lo) return(0)
    p <- pnhyper(x, 1, upper.tail = TRUE)
    if (p > alpha) uniroot(function(t) pnhyper(x, t, upper.tail = TRUE) - alpha,
                           c(0, 1), tol = tol)$root
    else if (p < alpha) 1 / uniroot(function(t) pnhyper(x, 1 / t, upper.tail = TRUE) - alpha,
                                    c(.Machine$double.eps, 1), tol = tol)$root
    else 1
  }
  alpha <- (1 - conf_level) / 2
  c(mle, ncp_l(x, alpha), ncp_u(x, alpha))
}

binary_cases("nsw", "nsw", "employed78", "treat")
binary_cases("mtcars", "mtcars", "vs", "am")

out <- list(
  generated_by = "tests/reference/estimators.R",
  r_version = R.version.string,
  estimatr_version = as.character(packageVersion("estimatr")),
  cases = cases
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), out_file)
cat("wrote", length(cases), "cases to", out_file, "\n")
