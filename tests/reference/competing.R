# Reference values for evalkit's competing-risks functions, computed with R.
#
# Usage: Rscript competing.R <dir with the CSVs from survival_data.py> <output JSON>
# (make_competing_reference.sh runs both steps). Every case records the evalkit call
# that must reproduce it (function, data set, arguments) and R's numbers:
#   cumulative_incidence <- survival::survfit(Surv(time, factor(event)) ~ group), the
#     multi-state Aalen-Johansen fit: pstate, std.err (infinitesimal jackknife) and the
#     default "log" confidence interval, at every time with an exit of any cause;
#   gray_test            <- cmprsk::cuminc(...)$Tests;
#   fine_gray            <- cmprsk::crr(...) and summary(crr)'s table.
suppressPackageStartupMessages({
  library(survival)
  library(cmprsk)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
data_dir <- args[1]
out_file <- args[2]
read <- function(name) read.csv(file.path(data_dir, paste0(name, ".csv")))
frames <- list(mgus2 = read("mgus2"), pbc = read("pbc"))

# A small synthetic data set for the corner cases, stored in the JSON itself: durations
# of 0, heavy ties, cause codes 2 and 5 (no 1), three groups, and only exits (no
# censoring) at the largest time.
set.seed(20240611)
n_edge <- 150
edge <- data.frame(
  t = sample(0:10, n_edge, replace = TRUE),
  e = sample(c(0, 2, 5), n_edge, replace = TRUE, prob = c(0.3, 0.4, 0.3)),
  g = sample(c("a", "b", "c"), n_edge, replace = TRUE),
  x1 = round(rnorm(n_edge), 3),
  x2 = rbinom(n_edge, 1, 0.4)
)
last <- edge$t == max(edge$t)
edge$e[last] <- sample(c(2, 5), sum(last), replace = TRUE)
frames$edge <- edge

cases <- list()
add_case <- function(case) cases[[length(cases) + 1]] <<- case

# ---- Aalen-Johansen cumulative incidence (survival::survfit, multi-state) ----
aj_case <- function(name, data, duration, event, group = NULL) {
  d <- frames[[data]]
  d$.time <- d[[duration]]
  d$.state <- factor(d[[event]])
  if (is.null(group)) {
    fit <- survfit(Surv(.time, .state) ~ 1, data = d)
    strata <- rep("all", length(fit$time))
    labels <- NULL
  } else {
    d$.group <- d[[group]]
    fit <- survfit(Surv(.time, .state) ~ .group, data = d)
    strata <- rep(sub("^\\.group=", "", names(fit$strata)), fit$strata)
    labels <- sort(unique(d[[group]]))
  }
  states <- fit$states  # "(s0)" then the causes, in factor order
  causes <- as.integer(states[-1])
  curves <- list()
  survival_rows <- list()
  for (s in unique(strata)) {
    rows <- which(strata == s)
    n_event <- fit$n.event[rows, -1, drop = FALSE]
    exit <- rowSums(n_event) > 0  # times with an exit of any cause
    rows <- rows[exit]
    n_event <- n_event[exit, , drop = FALSE]
    label <- if (is.null(group)) NA else labels[match(s, as.character(labels))]
    for (j in seq_along(causes)) {
      curves[[length(curves) + 1]] <- list(
        group = label, cause = causes[j],
        time = fit$time[rows],
        cumulative_incidence = fit$pstate[rows, j + 1],
        std_error = fit$std.err[rows, j + 1],
        ci_low = fit$lower[rows, j + 1],
        ci_high = fit$upper[rows, j + 1],
        n_risk = fit$n.risk[rows, 1],
        n_event = n_event[, j]
      )
    }
    survival_rows[[length(survival_rows) + 1]] <- list(
      group = label, time = fit$time[rows],
      survival = fit$pstate[rows, 1], std_error = fit$std.err[rows, 1]
    )
  }
  a <- list(duration = duration, event = event)
  if (!is.null(group)) a$group <- group
  add_case(list(
    name = name, `function` = "cumulative_incidence", data = data, args = a,
    r_call = paste0("survfit(Surv(", duration, ", factor(", event, ")) ~ ",
                    if (is.null(group)) "1" else group, ", data = ", data, ")"),
    conf_type = fit$conf.type, curves = curves, survival = survival_rows
  ))
}
aj_case("aj_mgus2", "mgus2", "etime", "cause")
aj_case("aj_mgus2_by_male", "mgus2", "etime", "cause", group = "male")
aj_case("aj_mgus2_months", "mgus2", "months", "cause")
aj_case("aj_mgus2_months_by_male", "mgus2", "months", "cause", group = "male")
aj_case("aj_pbc_by_treated", "pbc", "time", "status", group = "treated")
aj_case("aj_pbc", "pbc", "time", "status")
aj_case("aj_edge_by_g", "edge", "t", "e", group = "g")

# ---- Gray's K-sample test (cmprsk::cuminc) ----
gray_case <- function(name, data, duration, event, group, rho = 0, strata = NULL) {
  d <- frames[[data]]
  if (is.null(strata)) {
    fit <- cuminc(d[[duration]], d[[event]], group = d[[group]], rho = rho, cencode = 0)
  } else {
    fit <- cuminc(d[[duration]], d[[event]], group = d[[group]], strata = d[[strata]],
                  rho = rho, cencode = 0)
  }
  tests <- fit$Tests
  for (cause in rownames(tests)) {
    args <- list(duration = duration, event = event, group = group,
                 cause = as.integer(cause), rho = rho)
    if (!is.null(strata)) args$strata <- strata
    add_case(list(
      name = paste0(name, "_cause", cause), `function` = "gray_test", data = data,
      args = args,
      r_call = paste0("cuminc(", duration, ", ", event, ", group = ", group,
                      if (is.null(strata)) "" else paste0(", strata = ", strata),
                      ", rho = ", rho, ")$Tests[\"", cause, "\", ]"),
      statistic = unname(tests[cause, "stat"]), p_value = unname(tests[cause, "pv"]),
      df = unname(tests[cause, "df"])
    ))
  }
}
gray_case("gray_mgus2_by_male", "mgus2", "etime", "cause", "male")
gray_case("gray_mgus2_months_by_male_rho1", "mgus2", "months", "cause", "male", rho = 1)
gray_case("gray_pbc_by_treated", "pbc", "time", "status", "treated")
gray_case("gray_edge_by_g", "edge", "t", "e", "g")
gray_case("gray_mgus2_by_male_strata_old", "mgus2", "etime", "cause", "male", strata = "old")
gray_case("gray_pbc_by_treated_strata_older_rho1", "pbc", "time", "status", "treated",
          rho = 1, strata = "older")
gray_case("gray_edge_by_g_strata_x2", "edge", "t", "e", "g", strata = "x2")

# ---- Fine-Gray subdistribution hazards (cmprsk::crr) ----
fg_case <- function(name, data, duration, event, covariates, cause, alpha = 0.05,
                    cengroup = NULL) {
  d <- frames[[data]]
  x <- as.matrix(d[, covariates, drop = FALSE])
  if (is.null(cengroup)) {
    fit <- crr(d[[duration]], d[[event]], cov1 = x, failcode = cause, cencode = 0)
  } else {
    fit <- crr(d[[duration]], d[[event]], cov1 = x, failcode = cause, cencode = 0,
               cengroup = d[[cengroup]])
  }
  if (!fit$converged) stop("crr did not converge in ", name)
  s <- summary(fit, conf.int = 1 - alpha)
  se <- sqrt(diag(fit$var))
  z <- qnorm(1 - alpha / 2)
  terms <- data.frame(
    term = names(fit$coef), estimate = unname(fit$coef), std_error = unname(se),
    subdistribution_hazard_ratio = unname(exp(fit$coef)),
    conf_low = unname(fit$coef - z * se), conf_high = unname(fit$coef + z * se),
    shr_conf_low = unname(s$conf.int[, 3]), shr_conf_high = unname(s$conf.int[, 4]),
    statistic = unname(fit$coef / se),
    p_value = unname(2 * pnorm(-abs(fit$coef / se)))
  )
  args <- list(duration = duration, event = event, covariates = covariates,
               cause = cause, alpha = alpha)
  if (!is.null(cengroup)) args$cengroup <- cengroup
  add_case(list(
    name = name, `function` = "fine_gray", data = data,
    args = args,
    r_call = paste0("crr(", duration, ", ", event, ", cov1 = cbind(",
                    paste(covariates, collapse = ", "), "), failcode = ", cause,
                    if (is.null(cengroup)) "" else paste0(", cengroup = ", cengroup), ")"),
    terms = terms, loglik = fit$loglik, loglik_null = fit$loglik.null,
    n = fit$n, information = unname(fit$inf), variance = unname(fit$var),
    baseline_jumps = list(time = fit$uftime, jump = fit$bfitj)
  ))
}
fg_case("fg_mgus2_cause1", "mgus2", "etime", "cause", c("age", "male", "mspike"), 1)
fg_case("fg_mgus2_cause2", "mgus2", "etime", "cause", c("age", "male"), 2)
fg_case("fg_mgus2_months_cause1", "mgus2", "months", "cause", c("age", "male", "mspike"), 1)
fg_case("fg_pbc_cause2", "pbc", "time", "status", c("treated", "age", "bili"), 2)
fg_case("fg_pbc_cause2_alpha10", "pbc", "time", "status", c("treated", "age", "bili"), 2,
        alpha = 0.10)
fg_case("fg_edge_cause5", "edge", "t", "e", c("x1", "x2"), 5)
fg_case("fg_mgus2_cause1_cengroup_old", "mgus2", "etime", "cause", c("age", "male"), 1,
        cengroup = "old")
fg_case("fg_pbc_cause2_cengroup_older", "pbc", "time", "status", c("treated", "bili"), 2,
        cengroup = "older")
fg_case("fg_edge_cause5_cengroup_x2", "edge", "t", "e", c("x1"), 5, cengroup = "x2")

out <- list(
  generated_by = "tests/reference/competing.R",
  r_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  cmprsk_version = as.character(packageVersion("cmprsk")),
  inline_data = list(edge = edge),
  cases = cases
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE,
                  matrix = "rowmajor"), out_file)
cat("wrote", length(cases), "cases to", out_file, "\n")
