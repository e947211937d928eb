# Reference values for evalkit.subgroup_effects (effects within subgroups and the
# heterogeneity test), computed with estimatr on synthetic data made here with a fixed seed.
#
# Usage: Rscript subgroups.R <output JSON> (make_subgroups_reference.sh). The data are saved
# in the JSON; every case records the evalkit arguments, R's estimate per level (estimatr's
# difference_in_means / lm_lin / lm_robust on the level's rows, or prop.test for the risk
# difference) and the Wald test that every treatment x level interaction is zero in the
# interacted regression fitted by lm_robust, computed from its coefficients and vcov:
# W = b' V^-1 b, F = W / q on (q, df.residual) df (on (q, clusters - 1) with clusters, the
# denominator df of lm_robust's own F test), chi-squared W on q df.
suppressPackageStartupMessages({
  library(estimatr)
  library(jsonlite)
})
out_file <- commandArgs(trailingOnly = TRUE)[1]

set.seed(20240611)
n <- 360
jobcentre <- rep(c("Nord", "Syd", "Vest"), each = 120)
block <- rep(1:6, each = 60)                       # two blocks per jobcentre
cluster <- rep(1:90, each = 4)                     # four persons per cluster, within blocks
treat <- as.integer(ave(runif(n), block, FUN = function(u) rank(u) <= 30))  # 30 of 60 per block
ctreat <- as.integer(ave(runif(n), cluster, FUN = function(u) u[1]) < 0.5)  # by cluster
benefit <- sample(c("cash benefit", "sickness benefit", "integration benefit"), n, TRUE,
                  prob = c(0.45, 0.35, 0.20))
age <- sample(c("18-29", "30-39", "40-49", "50+"), n, TRUE)
x1 <- round(rnorm(n), 3)
x2 <- round(runif(n, 0, 10), 2)
wt <- round(runif(n, 0.5, 2), 3)
effect <- c("cash benefit" = 1.5, "sickness benefit" = 0.4, "integration benefit" = 2.5)
y <- round(10 + effect[benefit] * treat + 0.8 * x1 + 0.2 * x2 + block / 4 +
           rnorm(n, 0, 2 + treat), 3)
yc <- round(10 + 1.2 * ctreat + 0.8 * x1 + rep(rnorm(90, 0, 1), each = 4) + rnorm(n, 0, 2), 3)
job <- as.integer(runif(n) < plogis(-0.5 + 0.6 * treat + 0.3 * (benefit == "cash benefit")))
d <- data.frame(y, yc, job, treat, ctreat, benefit, age, jobcentre, x1, x2, block, cluster, wt,
                stringsAsFactors = FALSE)

levels_of <- function(v) sort(unique(d[[v]]))

level_row <- function(level, fit_or_row) {
  if (is.data.frame(fit_or_row)) return(cbind(level = level, fit_or_row))
  td <- tidy(fit_or_row)
  td <- td[td$term == "treat" | td$term == "ctreat", ]
  data.frame(level = level, estimate = td$estimate, std_error = td$std.error,
             p_value = td$p.value, conf_low = td$conf.low, conf_high = td$conf.high, df = td$df)
}

wald <- function(fit, terms, contrast = NULL) {
  b <- coef(fit)
  V <- vcov(fit)
  if (is.null(contrast)) {
    b <- b[terms]; V <- V[terms, terms, drop = FALSE]
  } else {                                   # contrasts of the cell coefficients
    b <- contrast %*% b[terms]; V <- contrast %*% V[terms, terms] %*% t(contrast)
  }
  stopifnot(all(is.finite(b)), all(is.finite(V)))
  W <- as.numeric(t(b) %*% solve(V, b))
  q <- length(b)
  df2 <- if (is.null(fit$clusters) && is.null(fit$nclusters)) fit$df.residual else fit$nclusters - 1
  list(chi2 = W, df1 = q, df2 = df2, statistic = W / q,
       p_value = pf(W / q, q, df2, lower.tail = FALSE),
       chi2_p_value = pchisq(W, q, lower.tail = FALSE))
}

cases <- list()
add_case <- function(name, args, levels, het, r_call) {
  cases[[length(cases) + 1]] <<- list(name = name, args = args, levels = levels,
                                      heterogeneity = het, r_call = r_call)
}
interaction_terms <- function(fit) grep("^(c?treat):g", names(coef(fit)), value = TRUE)

# ---- difference in means, by one variable: lm_robust(y ~ t * g, HC2) ----
dim_case <- function(name, by, outcome = "y", treatment = "treat", clusters = NULL,
                     weights = NULL, blocks = NULL) {
  g <- factor(d[[by]], levels = levels_of(by))
  rows <- do.call(rbind, lapply(levels(g), function(lv) {
    s <- d[g == lv, ]
    call <- list(formula = as.formula(paste(outcome, "~", treatment)), data = s)
    if (!is.null(clusters)) call$clusters <- s[[clusters]]
    if (!is.null(weights)) call$weights <- s[[weights]]
    if (!is.null(blocks)) call$blocks <- s[[blocks]]
    level_row(lv, do.call(difference_in_means, call))
  }))
  dd <- d; dd$g <- g
  if (is.null(blocks)) {
    f <- as.formula(paste(outcome, "~", treatment, "* g"))
    call <- list(formula = f, data = dd, se_type = if (is.null(clusters)) "HC2" else "CR2")
  } else {
    # block (x level) fixed effects in place of the level main effects
    dd$cell <- interaction(dd[[blocks]], g, drop = TRUE)
    f <- as.formula(paste(outcome, "~", treatment, "+", treatment, ":g + cell"))
    call <- list(formula = f, data = dd, se_type = "HC2")
  }
  if (!is.null(clusters)) call$clusters <- dd[[clusters]]
  if (!is.null(weights)) call$weights <- dd[[weights]]
  fit <- do.call(lm_robust, call)
  terms <- interaction_terms(fit)
  if (!is.null(blocks)) {                    # treat:g<first> is aliased by treat: drop it
    terms <- terms[!is.na(coef(fit)[terms])]
  }
  a <- list(outcome = outcome, treatment = treatment, by = by)
  if (!is.null(clusters)) a$clusters <- clusters
  if (!is.null(weights)) a$weights <- weights
  if (!is.null(blocks)) a$blocks <- blocks
  add_case(name, a, rows, wald(fit, terms),
           paste("difference_in_means per level; lm_robust(", deparse(f), ") Wald on", 
                 paste(terms, collapse = ", ")))
}
dim_case("dim_benefit", "benefit")
dim_case("dim_age", "age")
dim_case("dim_jobcentre_blocks", "jobcentre", blocks = "block")
dim_case("dim_benefit_weights", "benefit", weights = "wt")
dim_case("dim_jobcentre_clusters", "jobcentre", outcome = "yc", treatment = "ctreat",
         clusters = "cluster")

# ---- Lin: lm_lin per level; the cell-means model with covariates centred within level ----
lin_case <- function(name, by, covariates, clusters = NULL, outcome = "y",
                     treatment = "treat") {
  g <- factor(d[[by]], levels = levels_of(by))
  cov_formula <- as.formula(paste("~", paste(covariates, collapse = " + ")))
  rows <- do.call(rbind, lapply(levels(g), function(lv) {
    s <- d[g == lv, ]
    call <- list(formula = as.formula(paste(outcome, "~", treatment)),
                 covariates = cov_formula, data = s)
    if (!is.null(clusters)) call$clusters <- s[[clusters]]
    level_row(lv, do.call(lm_lin, call))
  }))
  dd <- d; dd$g <- g
  for (v in covariates) dd[[paste0(v, "_c")]] <- dd[[v]] - ave(dd[[v]], g)
  xc <- paste0(covariates, "_c")
  f <- as.formula(paste(outcome, "~ 0 + g + g:", treatment, "+",
                        paste0("g:", xc, collapse = " + "), "+",
                        paste0("g:", treatment, ":", xc, collapse = " + ")))
  call <- list(formula = f, data = dd, se_type = if (is.null(clusters)) "HC2" else "CR2")
  if (!is.null(clusters)) call$clusters <- dd[[clusters]]
  fit <- do.call(lm_robust, call)
  terms <- paste0("g", levels(g), ":", treatment)
  k <- length(terms)
  contrast <- cbind(-1, diag(k - 1))        # tau_k - tau_1, k = 2..K
  a <- list(outcome = outcome, treatment = treatment, by = by,
            estimator = "lin_estimator", covariates = covariates)
  if (!is.null(clusters)) a$clusters <- clusters
  add_case(name, a, rows, wald(fit, terms, contrast),
           paste("lm_lin per level; lm_robust(", deparse(f), ") Wald on tau_k - tau_1"))
}
lin_case("lin_benefit", "benefit", c("x1", "x2"))
lin_case("lin_age", "age", "x1")
lin_case("lin_jobcentre_clusters", "jobcentre", "x1", clusters = "cluster", outcome = "yc",
         treatment = "ctreat")

# ---- ANCOVA: lm_robust(y ~ t + x) per level; y ~ t * g + x ----
ancova_case <- function(name, by, covariates) {
  g <- factor(d[[by]], levels = levels_of(by))
  rhs <- paste(c("treat", covariates), collapse = " + ")
  rows <- do.call(rbind, lapply(levels(g), function(lv) {
    level_row(lv, lm_robust(as.formula(paste("y ~", rhs)), data = d[g == lv, ]))
  }))
  dd <- d; dd$g <- g
  f <- as.formula(paste("y ~ treat * g +", paste(covariates, collapse = " + ")))
  fit <- lm_robust(f, data = dd, se_type = "HC2")
  add_case(name, list(outcome = "y", treatment = "treat", by = by, estimator = "ancova",
                      covariates = covariates),
           rows, wald(fit, interaction_terms(fit)),
           paste("lm_robust(y ~ treat + x) per level; lm_robust(", deparse(f), ")"))
}
ancova_case("ancova_benefit", "benefit", c("x1", "x2"))

# ---- risk difference: prop.test per level (Newcombe); linear probability y ~ t * g ----
rd_case <- function(name, by) {
  g <- factor(d[[by]], levels = levels_of(by))
  z <- qnorm(0.975)
  rows <- do.call(rbind, lapply(levels(g), function(lv) {
    s <- d[g == lv, ]
    a <- sum(s$job[s$treat == 1]); n1 <- sum(s$treat == 1)
    c <- sum(s$job[s$treat == 0]); n0 <- sum(s$treat == 0)
    p1 <- a / n1; p0 <- c / n0; dd <- p1 - p0
    w1 <- prop.test(a, n1, correct = FALSE)$conf.int
    w0 <- prop.test(c, n0, correct = FALSE)$conf.int
    data.frame(level = lv, estimate = dd, std_error = sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0),
               p_value = prop.test(c(a, c), c(n1, n0), correct = FALSE)$p.value,
               conf_low = dd - sqrt((p1 - w1[1])^2 + (w0[2] - p0)^2),
               conf_high = dd + sqrt((w1[2] - p1)^2 + (p0 - w0[1])^2), df = NA)
  }))
  dd <- d; dd$g <- g
  fit <- lm_robust(job ~ treat * g, data = dd, se_type = "HC2")
  add_case(name, list(outcome = "job", treatment = "treat", by = by,
                      estimator = "risk_difference"),
           rows, wald(fit, interaction_terms(fit)),
           "prop.test per level (Newcombe method 10); lm_robust(job ~ treat * g) HC2")
}
rd_case("risk_difference_benefit", "benefit")

writeLines(toJSON(list(
  generated_by = paste("tests/reference/subgroups.R with", R.version.string, "estimatr",
                       as.character(packageVersion("estimatr"))),
  data = d, cases = cases
), digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null", na = "null"), out_file)
