# Reference values for evalkit's Cox curves, residuals, offsets, exact ties and split data
# (evalkit.survival.cox_curves, cox_residuals, cox_exact, split), computed with R's survival.
#
# Usage: Rscript cox_curves.R <dir with the CSVs from survival_data.py> <output JSON>
# (make_cox_curves_reference.sh runs both steps). Each case names the data set, the
# formula pieces and R's numbers: survfit.coxph predictions (surv, cumhaz, std.err, log
# CI) at given times, basehaz(centered = FALSE), residuals.coxph of every type, adjusted
# (direct-standardised) curves as the average of survfit(fit, newdata) with the arm set,
# and their RMST; coxph with an offset and with ties = "exact"; a tt() model.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
data_dir <- args[1]
out_file <- args[2]
read <- function(name) read.csv(file.path(data_dir, paste0(name, ".csv")))
frames <- list(veteran = read("veteran"), lung = read("lung"), cgd = read("cgd"))

fit_of <- function(c) {
  d <- frames[[c$data]]
  lhs <- if (is.null(c$entry)) sprintf("Surv(%s, %s)", c$duration, c$event) else
    sprintf("Surv(%s, %s, %s)", c$entry, c$duration, c$event)
  rhs <- paste(c$covariates, collapse = " + ")
  if (!is.null(c$strata)) rhs <- paste0(rhs, " + strata(", c$strata, ")")
  if (!is.null(c$offset)) rhs <- paste0(rhs, " + offset(", c$offset, ")")
  coxph(as.formula(paste(lhs, "~", rhs)), data = d, ties = c$ties, x = TRUE)
}

mat <- function(m) unname(as.matrix(m))

cases <- list(
  list(name = "veteran_efron", data = "veteran", duration = "time", event = "status",
       covariates = c("treated", "karno", "age"), ties = "efron",
       profiles = data.frame(treated = c(0, 1, 1), karno = c(60, 60, 85), age = c(60, 60, 45)),
       times = c(10, 30, 100, 250, 500), tau = 365, arm = "treated"),
  list(name = "lung_weeks_breslow_strata", data = "lung", duration = "weeks", event = "event",
       covariates = c("age", "ecog"), ties = "breslow", strata = "female",
       profiles = data.frame(age = c(60, 70), ecog = c(1, 2), female = c(0, 1)),
       times = c(5, 20, 40, 80)),
  list(name = "lung_weeks_efron", data = "lung", duration = "weeks", event = "event",
       covariates = c("female", "age", "ecog"), ties = "efron",
       profiles = data.frame(female = c(0, 1), age = c(65, 65), ecog = c(1, 1)),
       times = c(5, 20, 40, 80), tau = 52, arm = "female"),
  list(name = "cgd_counting", data = "cgd", duration = "tstop", event = "status",
       entry = "tstart", covariates = c("treated", "age"), ties = "efron",
       profiles = data.frame(treated = c(0, 1), age = c(15, 15)),
       times = c(50, 150, 300)),
  list(name = "veteran_offset", data = "veteran", duration = "time", event = "status",
       covariates = c("treated", "karno"), ties = "efron", offset = "off",
       profiles = data.frame(treated = c(0, 1), karno = c(60, 60), off = c(0.2, 0.2)),
       times = c(30, 100))
)
frames$veteran$off <- 0.01 * frames$veteran$age

out <- list()
for (c in cases) {
  fit <- fit_of(c)
  sf <- survfit(fit, newdata = c$profiles)
  s <- summary(sf, times = c$times, extend = TRUE)
  rec <- list(name = c$name, data = c$data, duration = c$duration, event = c$event,
              entry = c$entry, covariates = c$covariates, ties = c$ties, strata = c$strata,
              offset = c$offset, profiles = c$profiles, times = c$times,
              tau = c$tau, arm = c$arm, coef = unname(coef(fit)), loglik = fit$loglik,
              surv = mat(s$surv), cumhaz = mat(s$cumhaz), std_err = mat(s$std.err),
              lower = mat(s$lower), upper = mat(s$upper))
  bh <- basehaz(fit, centered = FALSE)
  rec$basehaz <- list(time = bh$time, hazard = bh$hazard,
                      strata = if (is.null(bh$strata)) NULL else as.character(bh$strata))
  res <- list()
  for (type in c("martingale", "deviance", "score", "schoenfeld", "scaledsch", "dfbeta",
                 "dfbetas")) {
    r <- residuals(fit, type = type)
    res[[type]] <- if (is.matrix(r)) mat(r) else unname(as.vector(r))
  }
  rec$residuals <- res
  if (!is.null(c$tau)) {
    d <- frames[[c$data]]
    curves <- list()
    for (arm in c(0, 1)) {
      nd <- d
      nd[[c$arm]] <- arm
      sa <- survfit(fit, newdata = nd, se.fit = FALSE)
      avg <- rowMeans(sa$surv)
      at <- approx(c(0, sa$time), c(1, avg), xout = c$times, method = "constant",
                   f = 0, rule = 2)$y
      grid <- c(0, sa$time[sa$time <= c$tau], c$tau)
      vals <- c(1, avg[sa$time <= c$tau])
      rmst <- sum(diff(grid) * vals)
      curves[[length(curves) + 1]] <- list(arm = arm, survival = at, rmst = rmst)
    }
    rec$adjusted <- curves
  }
  out[[length(out) + 1]] <- rec
}

# exact partial likelihood
exact <- list()
for (c in list(
  list(name = "veteran_quarters", data = "veteran", duration = "quarters", event = "status",
       covariates = c("treated", "karno")),
  list(name = "lung_weeks", data = "lung", duration = "weeks", event = "event",
       covariates = c("female", "age"), strata = "ecog"),
  list(name = "cgd_counting", data = "cgd", duration = "tstop", event = "status",
       entry = "tstart", covariates = c("treated", "age")),
  list(name = "veteran_offset", data = "veteran", duration = "quarters", event = "status",
       covariates = c("treated"), offset = "off"))) {
  c$ties <- "exact"
  fit <- fit_of(c)
  exact[[length(exact) + 1]] <- list(
    name = c$name, data = c$data, duration = c$duration, event = c$event, entry = c$entry,
    covariates = c$covariates, strata = c$strata, offset = c$offset,
    coef = unname(coef(fit)), std_error = unname(sqrt(diag(fit$var))), loglik = fit$loglik,
    score_test = unname(fit$score), martingale = unname(residuals(fit, "martingale")))
}

# tt(): a time-dependent effect of karno, karno * log(t), against split data
vet <- frames$veteran
tt_fit <- coxph(Surv(time, status) ~ treated + karno + tt(karno), data = vet,
                tt = function(x, t, ...) x * log(t))
cuts <- sort(unique(vet$time[vet$status == 1]))
sp <- survSplit(Surv(time, status) ~ ., data = vet, cut = cuts, episode = "ep")
sp$karno_logt <- sp$karno * log(sp$time)
sp_fit <- coxph(Surv(tstart, time, status) ~ treated + karno + karno_logt, data = sp)
tt_case <- list(coef = unname(coef(tt_fit)), std_error = unname(sqrt(diag(tt_fit$var))),
                split_coef = unname(coef(sp_fit)), split_rows = nrow(sp), cuts = cuts)

writeLines(toJSON(list(generated_by = paste("R", getRversion(), "survival",
                                            packageVersion("survival")),
                       cases = out, exact = exact, tt = tt_case),
                  digits = NA, auto_unbox = TRUE, null = "null", na = "null", pretty = FALSE),
           out_file)
