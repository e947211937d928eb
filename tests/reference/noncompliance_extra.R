# Reference values for evalkit.complier_profile (Abadie's kappa-weighted covariate means of
# compliers, never-takers and always-takers) and evalkit.ipw_attrition (inverse probability
# of observation weighting), on synthetic data made here with a fixed seed.
#
# Usage: Rscript noncompliance_extra.R <output JSON> (make_noncompliance_extra_reference.sh).
# The complier profiles are plain R arithmetic (the formulas of the evalkit docstring);
# the attrition weights come from glm(binomial), the effects from estimatr's
# difference_in_means and lm_lin with weights.
suppressPackageStartupMessages({
  library(estimatr)
  library(jsonlite)
})
out_file <- commandArgs(trailingOnly = TRUE)[1]

# ------------------------------------------------------------------ complier profiles
set.seed(20240611)
n <- 420
block <- rep(1:3, times = c(120, 160, 140))
share <- c(0.4, 0.5, 0.65)[block]
treat <- integer(n)
for (b in 1:3) {
  rows <- which(block == b)
  treat[sample(rows, round(length(rows) * share[rows[1]]))] <- 1L
}
age <- round(runif(n, 20, 60))
female <- rbinom(n, 1, 0.5)
x1 <- round(rnorm(n), 3)
# types depend on the covariates (so that compliers differ from the sample)
lin_c <- 0.5 + 0.03 * (age - 40) + 0.6 * female
lin_a <- -1.5 - 0.04 * (age - 40) + 0.5 * x1
u <- runif(n)
pa <- exp(lin_a) / (1 + exp(lin_a) + exp(lin_c))
pc <- exp(lin_c) / (1 + exp(lin_a) + exp(lin_c))
type <- ifelse(u < pa, "always", ifelse(u < pa + pc, "complier", "never"))
takeup <- as.integer(type == "always" | (type == "complier" & treat == 1))
takeup1 <- as.integer(type != "never" & treat == 1) # one-sided: no control takes up
cdata <- data.frame(treat, takeup, takeup1, block, age, female, x1)

profile <- function(z, d, X, strata, p) {
  k <- list(
    sample = rep(1, length(z)),
    compliers = 1 - d * (1 - z) / (1 - p) - (1 - d) * z / p,
    never_takers = (1 - d) * z / p,
    always_takers = d * (1 - z) / (1 - p)
  )
  if (!any(d == 1 & z == 0)) k$always_takers <- NULL
  N <- length(z)
  strat_var <- function(v) { # sum over strata of n_s * var_s(v)
    s <- 0
    for (g in unique(strata)) {
      vg <- v[strata == g]
      s <- s + length(vg) * var(vg)
    }
    s
  }
  groups <- list()
  for (g in names(k) ) {
    kg <- k[[g]]
    rows <- list()
    for (name in colnames(X)) {
      x <- X[, name]
      m <- sum(kg * x) / sum(kg)
      se <- sqrt(strat_var(kg * (x - m))) / abs(sum(kg))
      rows[[name]] <- list(mean = m, std_error = se)
    }
    groups[[g]] <- list(
      share = sum(kg) / N, share_se = sqrt(strat_var(kg)) / N, covariates = rows
    )
  }
  # the subgroup formula (Marbach & Hangartner 2020) for the unblocked case
  groups
}
profile_case <- function(name, takeup_col, blocks = FALSE) {
  z <- cdata$treat
  d <- cdata[[takeup_col]]
  X <- as.matrix(cdata[, c("age", "female", "x1")])
  if (blocks) {
    p <- ave(z, cdata$block, FUN = mean)
    strata <- paste(cdata$block, z)
  } else {
    p <- rep(mean(z), length(z))
    strata <- z
  }
  args <- list(treatment = "treat", takeup = takeup_col, covariates = c("age", "female", "x1"))
  if (blocks) args$blocks <- "block"
  cells <- list(
    n_treated_takeup = sum(z == 1 & d == 1), n_treated_no_takeup = sum(z == 1 & d == 0),
    n_control_takeup = sum(z == 0 & d == 1), n_control_no_takeup = sum(z == 0 & d == 0)
  )
  list(name = name, args = args, groups = profile(z, d, X, strata, p), cells = cells)
}
complier_cases <- list(
  profile_case("two_sided", "takeup"),
  profile_case("two_sided_blocks", "takeup", blocks = TRUE),
  profile_case("one_sided", "takeup1")
)

# ------------------------------------------------------------------ IPW for attrition
set.seed(20240612)
m <- 500
t <- as.integer(seq_len(m) %in% sample(m, 250))
a1 <- round(rnorm(m), 3)
a2 <- rbinom(m, 1, 0.4)
# observation depends on the covariates differently by arm (missing at random given X)
lin_obs <- ifelse(t == 1, 1.2 + 0.8 * a1 - 0.6 * a2, 0.4 + 0.3 * a1 + 0.7 * a2)
seen <- rbinom(m, 1, 1 / (1 + exp(-lin_obs)))
y <- round(5 + 1.5 * t + 2 * a1 - a2 + rnorm(m), 3)
y[seen == 0] <- NA
adata <- data.frame(y, t, seen, a1, a2)

tight <- glm.control(epsilon = 1e-14, maxit = 100)
fit_weights <- function(model) {
  p <- numeric(m)
  coefs <- list()
  if (model == "by_arm") {
    for (arm in c(1, 0)) {
      rows <- adata$t == arm
      fit <- glm(seen ~ a1 + a2, family = binomial, data = adata[rows, ], control = tight)
      p[rows] <- fitted(fit)
      coefs[[if (arm == 1) "treatment" else "control"]] <- as.list(coef(fit))
    }
  } else {
    fit <- glm(seen ~ t + a1 + a2, family = binomial, data = adata, control = tight)
    p <- fitted(fit)
    coefs[["both"]] <- as.list(coef(fit))
  }
  list(p = p, coefs = coefs)
}
tidy_row <- function(fit) {
  td <- tidy(fit)
  td <- td[td$term == "t", ]
  list(estimate = td$estimate, std_error = td$std.error, p_value = td$p.value,
       conf_low = td$conf.low, conf_high = td$conf.high, df = td$df)
}
ipw_case <- function(name, model, estimator) {
  fw <- fit_weights(model)
  obs <- adata[adata$seen == 1, ]
  obs$w <- 1 / fw$p[adata$seen == 1]
  if (estimator == "difference_in_means") {
    weighted <- difference_in_means(y ~ t, data = obs, weights = w)
    unweighted <- difference_in_means(y ~ t, data = obs)
  } else {
    weighted <- lm_lin(y ~ t, covariates = ~ a1 + a2, data = obs, weights = w)
    unweighted <- lm_lin(y ~ t, covariates = ~ a1 + a2, data = obs)
  }
  ess <- function(w) sum(w)^2 / sum(w^2)
  list(
    name = name,
    args = list(outcome = "y", treatment = "t", observed = "seen", covariates = c("a1", "a2"),
                model = model, estimator = estimator),
    coefficients = fw$coefs,
    probabilities = fw$p,
    weighted = tidy_row(weighted),
    unweighted = tidy_row(unweighted),
    max_weight = max(obs$w),
    ess_treated = ess(obs$w[obs$t == 1]),
    ess_control = ess(obs$w[obs$t == 0])
  )
}
ipw_cases <- list(
  ipw_case("by_arm_dim", "by_arm", "difference_in_means"),
  ipw_case("by_arm_lin", "by_arm", "lin_estimator"),
  ipw_case("additive_dim", "additive", "difference_in_means"),
  ipw_case("additive_lin", "additive", "lin_estimator")
)

writeLines(toJSON(list(
  generated_by = paste("tests/reference/noncompliance_extra.R with", R.version.string,
                       "estimatr", as.character(packageVersion("estimatr"))),
  complier_data = cdata, complier_cases = complier_cases,
  attrition_data = adata, ipw_cases = ipw_cases
), digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null", na = "null"), out_file)
