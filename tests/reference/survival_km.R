# Reference values for evalkit's Kaplan-Meier, G-rho tests, RMST and discrete-time hazard
# models, computed with R's survival (and glm + sandwich for the discrete-time models).
#
# Usage: Rscript survival_km.R <dir with CSVs from survival_data.py> <output JSON>
# (make_survival_reference.sh runs both steps).
suppressPackageStartupMessages({
  library(survival)
  library(sandwich)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
read <- function(name) read.csv(file.path(args[1], paste0(name, ".csv")))
frames <- list(veteran = read("veteran"), lung = read("lung"), colon = read("colon"),
               cgd = read("cgd"))
cases <- list()
add <- function(case) cases[[length(cases) + 1]] <<- case

# ---- Kaplan-Meier ----
km_case <- function(name, data, duration, event, group = NULL, conf_type = "log-log",
                    entry = NULL, tau = NULL, times = NULL) {
  d <- frames[[data]]
  lhs <- if (is.null(entry)) sprintf("Surv(%s, %s)", duration, event) else
    sprintf("Surv(%s, %s, %s)", entry, duration, event)
  f <- as.formula(paste(lhs, "~", if (is.null(group)) "1" else group))
  fit <- survfit(f, data = d, conf.type = conf_type)
  strata <- if (is.null(fit$strata)) rep(NA, length(fit$time)) else
    as.numeric(sub(".*=", "", rep(names(fit$strata), fit$strata)))
  table <- data.frame(group = strata, time = fit$time, n_risk = fit$n.risk,
                      n_event = fit$n.event, n_censored = fit$n.censor,
                      survival = fit$surv, std_error = fit$std.err * fit$surv,
                      ci_low = fit$lower, ci_high = fit$upper)
  q <- quantile(fit, 0.5)
  median <- data.frame(median = as.vector(q$quantile), ci_low = as.vector(q$lower),
                       ci_high = as.vector(q$upper))
  out <- list(name = name, kind = "kaplan_meier", data = data,
              args = list(duration = duration, event = event, conf_type = conf_type),
              table = table, median = median)
  if (!is.null(group)) out$args$group <- group
  if (!is.null(entry)) out$args$entry <- entry
  if (!is.null(tau)) {
    tab <- summary(fit, rmean = tau)$table
    tab <- if (is.matrix(tab)) tab else t(as.matrix(tab))
    out$rmst <- list(tau = tau, rmst = unname(tab[, "rmean"]),
                     std_error = unname(tab[, "se(rmean)"]))
  }
  if (!is.null(times)) {
    s <- summary(fit, times = times, extend = TRUE)
    out$at_risk <- list(times = times, n_risk = s$n.risk)
  }
  add(out)
}
km_case("km_veteran_by_arm", "veteran", "time", "status", group = "treated", tau = 365,
        times = c(0, 30, 100, 365, 600))
km_case("km_veteran_by_arm_log", "veteran", "time", "status", group = "treated",
        conf_type = "log")
km_case("km_veteran_plain", "veteran", "time", "status", conf_type = "plain", tau = 500)
km_case("km_lung_weeks_ties", "lung", "weeks", "event", tau = 52, times = c(1, 26, 52, 104))
km_case("km_colon_weeks_by_arm", "colon", "weeks", "status", group = "treated", tau = 260)
km_case("km_cgd_delayed_entry", "cgd", "tstop", "status", group = "treated",
        entry = "tstart", times = c(50, 100, 200))

# ---- G-rho tests (survdiff) ----
lr_case <- function(name, data, duration, event, group, strata = NULL, rho = 0) {
  d <- frames[[data]]
  rhs <- if (is.null(strata)) group else paste(group, "+ strata(", strata, ")")
  f <- as.formula(sprintf("Surv(%s, %s) ~ %s", duration, event, rhs))
  fit <- survdiff(f, data = d, rho = rho)
  obs <- if (is.matrix(fit$obs)) rowSums(fit$obs) else fit$obs
  exp <- if (is.matrix(fit$exp)) rowSums(fit$exp) else fit$exp
  a <- list(duration = duration, event = event, group = group, rho = rho)
  if (!is.null(strata)) a$strata <- strata
  add(list(name = name, kind = "logrank_test", data = data, args = a,
           statistic = fit$chisq, df = length(fit$n) - 1, p_value = fit$pvalue,
           observed = unname(obs), expected = unname(exp), variance = fit$var))
}
lr_case("lr_veteran_arm", "veteran", "time", "status", "treated")
lr_case("lr_veteran_arm_peto", "veteran", "time", "status", "treated", rho = 1)
lr_case("lr_veteran_arm_strata", "veteran", "time", "status", "treated", strata = "celltype")
lr_case("lr_veteran_celltype", "veteran", "time", "status", "celltype")
lr_case("lr_colon_weeks_ties", "colon", "weeks", "status", "treated", strata = "sex")
lr_case("lr_colon_weeks_rho_half", "colon", "weeks", "status", "treated", rho = 0.5)

# ---- RMST difference (from survfit's rmean per arm) ----
rmst_case <- function(name, data, duration, event, treatment, tau) {
  d <- frames[[data]]
  f <- as.formula(sprintf("Surv(%s, %s) ~ %s", duration, event, treatment))
  tab <- summary(survfit(f, data = d), rmean = tau)$table
  est <- tab[2, "rmean"] - tab[1, "rmean"]
  se <- sqrt(tab[2, "se(rmean)"]^2 + tab[1, "se(rmean)"]^2)
  z <- qnorm(0.975)
  add(list(name = name, kind = "rmst_difference", data = data,
           args = list(duration = duration, event = event, treatment = treatment, tau = tau),
           estimate = est, std_error = se, conf_low = est - z * se, conf_high = est + z * se,
           p_value = 2 * pnorm(-abs(est / se))))
}
rmst_case("rmst_veteran", "veteran", "time", "status", "treated", 365)
rmst_case("rmst_colon_weeks", "colon", "weeks", "status", "treated", 260)

# ---- discrete-time hazard models (glm on person-period rows, sandwich::vcovCL) ----
dt_case <- function(name, data, duration, event, covariates, link, baseline,
                    cluster = NULL) {
  d <- frames[[data]]
  idx <- rep(seq_len(nrow(d)), d[[duration]])
  pp <- d[idx, , drop = FALSE]
  pp$week <- sequence(d[[duration]])
  pp$y <- as.integer(pp$week == d[[duration]][idx] & d[[event]][idx] == 1)
  pp$.row <- idx
  base <- switch(baseline, dummies = "0 + factor(week)", linear = "week",
                 quadratic = "week + I(week^2)", log = "log(week)")
  f <- as.formula(paste("y ~", base, "+", paste(covariates, collapse = " + ")))
  fit <- glm(f, family = binomial(link = link), data = pp,
             control = glm.control(epsilon = 1e-14, maxit = 100))
  cl <- if (is.null(cluster)) pp$.row else pp[[cluster]]
  v <- vcovCL(fit, cluster = cl, type = "HC0", cadjust = TRUE)
  term <- names(coef(fit))
  term <- sub("^factor\\(week\\)(.*)$", "week[\\1]", term)
  term[term == "I(week^2)"] <- "week^2"
  a <- list(duration = duration, event = event, covariates = covariates, link = link,
            baseline = baseline)
  if (!is.null(cluster)) a$cluster <- cluster
  add(list(name = name, kind = "discrete_time_hazard", data = data, args = a,
           terms = data.frame(term = term, estimate = unname(coef(fit)),
                              std_error = unname(sqrt(diag(v)))),
           loglik = as.numeric(logLik(fit))))
}
dt_case("dt_lung_quarters_dummies", "lung", "quarters", "event_q10", c("age", "female"),
        "cloglog", "dummies")
dt_case("dt_lung_quarters_dummies_logit", "lung", "quarters", "event_q10", c("age", "ecog"),
        "logit", "dummies")
dt_case("dt_lung_weeks_log", "lung", "weeks", "event", c("age", "female"), "cloglog", "log")
dt_case("dt_colon_weeks_quadratic", "colon", "weeks", "status", c("treated", "age"),
        "logit", "quadratic")
frames$cgd$gap <- frames$cgd$tstop - frames$cgd$tstart
dt_case("dt_cgd_gaps_by_person", "cgd", "gap", "status", c("treated", "age"), "cloglog",
        "linear", cluster = "id")

writeLines(toJSON(list(generated_by = "tests/reference/survival_km.R",
                       r_version = R.version.string,
                       survival_version = as.character(packageVersion("survival")),
                       cases = cases),
                  auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), args[2])
cat("wrote", length(cases), "cases\n")
