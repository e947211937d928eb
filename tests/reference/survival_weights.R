# Reference values for evalkit's case weights and clustered spells in Kaplan-Meier,
# log-rank and RMST, computed with R's survival.
#
# Usage: Rscript survival_weights.R <dir with CSVs from survival_weights_data.py> <output JSON>
# (make_survival_weights_reference.sh runs both steps).
# - Kaplan-Meier: survfit(weights = , id = ) with R's default robust rule (robust when an
#   id has two or more events or a weight is fractional); std.err of S whatever logse.
# - log-rank with weights / clusters: survdiff takes neither; the score test of
#   coxph(Surv ~ group, weights = ) (fit$score) and the robust score test of
#   coxph(Surv ~ group + cluster(id)) (fit$rscore), Efron ties (coxph's default).
# - RMST: print(survfit(weights = ), rmean = tau) (survival:::survmean).
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
read <- function(name) read.csv(file.path(args[1], paste0(name, ".csv")))
frames <- list(veteran = read("veteran"), cgd = read("cgd"), weekly = read("weekly"))
cases <- list()
add <- function(case) cases[[length(cases) + 1]] <<- case

km_case <- function(name, data, duration, event, group = NULL, weights = NULL, id = NULL,
                    conf_type = "log-log", tau = NULL, entry = NULL, robust = NULL) {
  d <- frames[[data]]
  surv <- if (is.null(entry)) sprintf("Surv(%s, %s)", duration, event) else
    sprintf("Surv(%s, %s, %s)", entry, duration, event)
  f <- as.formula(sprintf("%s ~ %s", surv, if (is.null(group)) "1" else group))
  call <- list(formula = f, data = d, conf.type = conf_type)
  if (!is.null(weights)) call$weights <- d[[weights]]
  if (!is.null(id)) call$id <- d[[id]]
  if (!is.null(robust)) call$robust <- robust
  fit <- do.call(survfit, call)
  strata <- if (is.null(fit$strata)) rep(NA, length(fit$time)) else
    as.numeric(sub(".*=", "", rep(names(fit$strata), fit$strata)))
  se <- if (isTRUE(fit$logse)) fit$std.err * fit$surv else fit$std.err
  table <- data.frame(group = strata, time = fit$time, r_n_risk = fit$n.risk,
                      survival = fit$surv, std_error = se,
                      ci_low = fit$lower, ci_high = fit$upper)
  q <- quantile(fit, 0.5)
  a <- list(duration = duration, event = event, conf_type = conf_type)
  if (!is.null(group)) a$group <- group
  if (!is.null(weights)) a$weights <- weights
  if (!is.null(id)) a$id <- id
  if (!is.null(entry)) a$entry <- entry
  if (!is.null(robust)) a$robust <- robust
  out <- list(name = name, kind = "kaplan_meier", data = data, args = a,
              robust = !isTRUE(fit$logse), table = table,
              median = data.frame(median = as.vector(q$quantile),
                                  ci_low = as.vector(q$lower), ci_high = as.vector(q$upper)))
  if (!is.null(tau)) {
    tab <- summary(fit, rmean = tau)$table
    tab <- if (is.matrix(tab)) tab else t(as.matrix(tab))
    out$rmst <- list(tau = tau, rmst = unname(tab[, "rmean"]),
                     std_error = unname(tab[, "se(rmean)"]))
  }
  add(out)
}
km_case("km_cgd_gaps_by_person", "cgd", "gap", "status", group = "treated", id = "id",
        tau = 300)
km_case("km_veteran_fractional_weights", "veteran", "time", "status", group = "treated",
        weights = "wfrac", tau = 365)
km_case("km_veteran_whole_weights", "veteran", "time", "status", weights = "wint",
        conf_type = "log", tau = 500)
km_case("km_weekly_spells_weights_id", "weekly", "weeks", "exit", group = "arm",
        weights = "w", id = "id", tau = 20)
km_case("km_weekly_spells_id_plain", "weekly", "weeks", "exit", id = "id",
        conf_type = "plain")
# delayed entry (left truncation) with the robust variance clustered on the person:
# survfit(Surv(entry, time, status) ~ arm, id = , robust = TRUE)
km_case("km_cgd_counting_process_id_robust", "cgd", "tstop", "status", group = "treated",
        id = "id", entry = "tstart", robust = TRUE, tau = 300)
km_case("km_weekly_entry_weights_id_robust", "weekly", "weeks", "exit", group = "arm",
        weights = "w", id = "id", entry = "entry", robust = TRUE, conf_type = "log")
km_case("km_weekly_entry_id_default_rule", "weekly", "weeks", "exit", id = "id",
        entry = "entry")

lr_case <- function(name, data, duration, event, group, weights = NULL, id = NULL,
                    strata = NULL) {
  d <- frames[[data]]
  rhs <- paste0("factor(", group, ")")
  if (!is.null(strata)) rhs <- paste0(rhs, " + strata(", strata, ")")
  if (!is.null(id)) rhs <- paste0(rhs, " + cluster(", id, ")")
  f <- as.formula(sprintf("Surv(%s, %s) ~ %s", duration, event, rhs))
  call <- list(formula = f, data = d)
  if (!is.null(weights)) call$weights <- d[[weights]]
  fit <- do.call(coxph, call)
  stat <- if (is.null(id)) fit$score else as.numeric(fit$rscore)
  a <- list(duration = duration, event = event, group = group)
  if (!is.null(weights)) a$weights <- weights
  if (!is.null(id)) a$id <- id
  if (!is.null(strata)) a$strata <- strata
  df <- length(coef(fit))
  add(list(name = name, kind = "logrank_test", data = data, args = a, statistic = stat,
           df = df, p_value = pchisq(stat, df, lower.tail = FALSE)))
}
lr_case("lr_cgd_gaps_clustered", "cgd", "gap", "status", "treated", id = "id")
lr_case("lr_cgd_gaps_clustered_weights", "cgd", "gap", "status", "treated", id = "id",
        weights = "wfrac")
lr_case("lr_veteran_weights_celltype", "veteran", "time", "status", "celltype",
        weights = "wfrac")
lr_case("lr_veteran_whole_weights", "veteran", "time", "status", "treated",
        weights = "wint")
lr_case("lr_weekly_clustered_weights_strata", "weekly", "weeks", "exit", "arm",
        weights = "w", id = "id", strata = "site")
lr_case("lr_weekly_clustered_three_sites", "weekly", "weeks", "exit", "site", id = "id")

rmst_case <- function(name, data, duration, event, treatment, weights, tau) {
  d <- frames[[data]]
  f <- as.formula(sprintf("Surv(%s, %s) ~ %s", duration, event, treatment))
  tab <- summary(survfit(f, data = d, weights = d[[weights]]), rmean = tau)$table
  est <- tab[2, "rmean"] - tab[1, "rmean"]
  se <- sqrt(tab[2, "se(rmean)"]^2 + tab[1, "se(rmean)"]^2)
  z <- qnorm(0.975)
  add(list(name = name, kind = "rmst_difference", data = data,
           args = list(duration = duration, event = event, treatment = treatment, tau = tau,
                       weights = weights),
           estimate = est, std_error = se, conf_low = est - z * se, conf_high = est + z * se,
           p_value = 2 * pnorm(-abs(est / se))))
}
rmst_case("rmst_veteran_weights", "veteran", "time", "status", "treated", "wfrac", 365)
rmst_case("rmst_weekly_weights", "weekly", "weeks", "exit", "arm", "w", 20)

# Cumulative incidence (Aalen-Johansen) with case weights: survfit(Surv(time,
# factor(dest)) ~ group, weights = ), pstate and std.err (multi-state survfit has only
# the IJ variance). With several spells per person (each from time 0) R's id = refuses the
# overlapping rows and cluster = is not used without id, so the clustered reference is
# survfit's own per-row IJ influence (influence = TRUE), times the case weight as std.err
# uses it, summed per person: sqrt(colSums(rowsum(w * influence, id)^2)).
cif_case <- function(name, data, duration, event, group = NULL, weights = NULL,
                     id = NULL) {
  d <- frames[[data]]
  # one fit per group (the same curves as ~ group, whose strata are separate)
  f <- as.formula(sprintf("Surv(%s, factor(%s)) ~ 1", duration, event))
  w <- if (is.null(weights)) rep(1, nrow(d)) else d[[weights]]
  levels <- if (is.null(group)) NA else sort(unique(d[[group]]))
  rows <- list()
  for (g in seq_along(levels)) {
    keep <- if (is.null(group)) rep(TRUE, nrow(d)) else d[[group]] == levels[g]
    dg <- d[keep, ]
    wg <- w[keep]
    sub <- survfit(f, data = dg, weights = wg, influence = !is.null(id))
    p <- sub$pstate
    se <- sub$std.err
    if (!is.null(id)) {
      infl <- sub$influence.pstate
      k <- dim(infl)
      agg <- rowsum(matrix(infl, nrow = k[1]) * wg, dg[[id]])
      se <- matrix(sqrt(colSums(agg^2)), nrow = k[2])[-1, , drop = FALSE]  # drop time 0
    }
    exits <- rowSums(sub$n.event) > 0
    for (s in 2:ncol(p)) {
      rows[[length(rows) + 1]] <- data.frame(
        group = levels[g], time = sub$time[exits], cause = s - 1,
        cumulative_incidence = p[exits, s], std_error = se[exits, s])
    }
    rows[[length(rows) + 1]] <- data.frame(
      group = levels[g], time = sub$time[exits], cause = 0,
      cumulative_incidence = p[exits, 1], std_error = se[exits, 1])
  }
  a <- list(duration = duration, event = event)
  if (!is.null(group)) a$group <- group
  if (!is.null(weights)) a$weights <- weights
  if (!is.null(id)) a$id <- id
  add(list(name = name, kind = "cumulative_incidence", data = data, args = a,
           table = do.call(rbind, rows)))
}
cif_case("cif_veteran_fractional_weights", "veteran", "time", "dest", group = "treated",
         weights = "wfrac")
cif_case("cif_weekly_spells_weights_id", "weekly", "weeks", "dest", group = "arm",
         weights = "w", id = "id")
cif_case("cif_weekly_spells_id", "weekly", "weeks", "dest", id = "id")

writeLines(toJSON(list(generated_by = "tests/reference/survival_weights.R",
                       r_version = R.version.string,
                       survival_version = as.character(packageVersion("survival")),
                       cases = cases),
                  auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), args[2])
cat("wrote", length(cases), "cases\n")
