# Reference values for evalkit.effects.sites (pool_sites, pool_sites_from_data):
# metafor::rma with method "FE", "DL" and "REML" on data sets shipped with metafor and R,
# with predict() (prediction interval), blup() and weights(). Run through
# make_sites_reference.sh. REML is iterated to a threshold of 1e-12 (metafor's default
# stops at 1e-5), so that the reference is the maximum itself.
suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "sites.json"

fit_all <- function(yi, sei, sites, alpha = 0.05) {
  k <- length(yi)
  models <- list()
  for (m in c("FE", "DL", "REML")) {
    res <- rma(yi, sei = sei, method = m, level = 100 * (1 - alpha),
               control = list(threshold = 1e-12, maxiter = 10000))
    pr <- predict(res, level = 100 * (1 - alpha))
    bl <- blup(res, level = 100 * (1 - alpha))
    se_pred <- sqrt(res$se^2 + res$tau2)
    crit_t <- qt(1 - alpha / 2, df = k - 2)
    models[[m]] <- list(
      estimate = as.numeric(res$b), std_error = res$se, statistic = res$zval,
      p_value = res$pval, conf_low = res$ci.lb, conf_high = res$ci.ub,
      tau2 = res$tau2, I2 = res$I2, H2 = res$H2, Q = res$QE, Q_df = k - 1,
      Q_p = res$QEp, pi_low = if (is.null(pr$pi.lb)) NA else pr$pi.lb,
      pi_high = if (is.null(pr$pi.ub)) NA else pr$pi.ub,
      pi_t_low = as.numeric(res$b) - crit_t * se_pred,
      pi_t_high = as.numeric(res$b) + crit_t * se_pred,
      weights = as.numeric(weights(res)),
      blup = as.numeric(bl$pred), blup_se = as.numeric(bl$se),
      blup_low = as.numeric(bl$pi.lb), blup_high = as.numeric(bl$pi.ub)
    )
  }
  # Q-profile intervals of tau^2, I^2 and H^2 (the same for every estimator of tau^2).
  qp <- confint(rma(yi, sei = sei, method = "REML", level = 100 * (1 - alpha),
                    control = list(threshold = 1e-12, maxiter = 10000)),
                control = list(tol = 1e-13, tau2.max = 1e8))$random  # no truncation
  list(sites = as.character(sites), yi = as.numeric(yi), sei = as.numeric(sei),
       alpha = alpha, models = models,
       tau2_ci = as.numeric(qp["tau^2", c("ci.lb", "ci.ub")]),
       i2_ci = as.numeric(qp["I^2(%)", c("ci.lb", "ci.ub")]),
       h2_ci = as.numeric(qp["H^2", c("ci.lb", "ci.ub")]))
}

cases <- list()

# BCG vaccine trials: log risk ratios (escalc RR), 13 trials
bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
cases$bcg <- c(list(call = "pool_sites(yi, sqrt(vi), sites=author_year)"),
               fit_all(bcg$yi, sqrt(bcg$vi), paste(bcg$author, bcg$year)))
cases$bcg_90 <- c(list(call = "pool_sites(..., alpha=0.1)"),
                  fit_all(bcg$yi, sqrt(bcg$vi), paste(bcg$author, bcg$year), alpha = 0.1))

# Normand (1999): length of hospital stay, mean differences, 9 studies
nor <- escalc(measure = "MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i,
              n2i = n2i, data = dat.normand1999)
cases$normand1999 <- c(list(call = "pool_sites(yi, sqrt(vi), sites=source)"),
                       fit_all(nor$yi, sqrt(nor$vi), nor$source))

# Person-level data: each site's difference in means (escalc MD: Welch variance),
# warpbreaks (site = tension, treatment = wool B) and npk (site = block, treatment = N).
person <- function(data, outcome, treatment, site) {
  d <- data.frame(y = data[[outcome]], t = data[[treatment]], s = as.character(data[[site]]))
  sites <- unique(d$s)
  agg <- do.call(rbind, lapply(sites, function(s) {
    y1 <- d$y[d$s == s & d$t == 1]; y0 <- d$y[d$s == s & d$t == 0]
    data.frame(site = s, m1 = mean(y1), s1 = sd(y1), n1 = length(y1),
               m0 = mean(y0), s0 = sd(y0), n0 = length(y0))
  }))
  es <- escalc(measure = "MD", m1i = agg$m1, sd1i = agg$s1, n1i = agg$n1,
               m2i = agg$m0, sd2i = agg$s0, n2i = agg$n0)
  c(list(data = list(y = d$y, t = d$t, site = d$s), n_treated = agg$n1, n_control = agg$n0),
    fit_all(es$yi, sqrt(es$vi), agg$site))
}
wb <- warpbreaks
wb$woolB <- as.integer(wb$wool == "B")
cases$warpbreaks <- c(list(call = "pool_sites_from_data(data, 'y', 't', 'site')"),
                      person(wb, "breaks", "woolB", "tension"))
np <- npk
np$N <- as.integer(as.character(np$N))
cases$npk <- c(list(call = "pool_sites_from_data(data, 'y', 't', 'site')"),
               person(np, "yield", "N", "block"))

cases$meta <- list(metafor = as.character(packageVersion("metafor")),
                   R = R.version.string)
writeLines(toJSON(cases, digits = NA, auto_unbox = TRUE, pretty = TRUE), out)
