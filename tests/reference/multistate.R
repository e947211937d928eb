# Reference values for evalkit's state_occupation (Aalen-Johansen, multi-state survfit),
# mean_cumulative_function and nelson_aalen (survfit cumhaz / std.chaz), from R's survival.
#
# Usage: Rscript multistate.R <dir with CSVs from multistate_data.py> <output JSON>
# (make_multistate_reference.sh runs both steps).
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
read <- function(name) read.csv(file.path(args[1], paste0(name, ".csv")), stringsAsFactors = FALSE)
cases <- list()
add <- function(case) cases[[length(cases) + 1]] <<- case
strata_of <- function(fit) {
  if (is.null(fit$strata)) rep(NA, length(fit$time)) else
    sub(".*=", "", rep(names(fit$strata), fit$strata))
}

# ---- state occupation ----
so_case <- function(name, data, d, states, group = NULL, influence = FALSE, python = list()) {
  d$to[is.na(d$to)] <- ""
  d$to <- factor(d$to, levels = c("", states))
  d$from <- factor(d$from, levels = states)
  f <- as.formula(paste("Surv(start, stop, to) ~", if (is.null(group)) "1" else group))
  fit <- survfit(f, data = d, id = id, istate = from, influence = influence)
  st <- fit$states
  long <- data.frame()
  for (k in seq_along(st)) {
    long <- rbind(long, data.frame(group = strata_of(fit), time = fit$time, state = st[k],
      probability = fit$pstate[, k], std_error = fit$std.err[, k],
      ci_low = fit$lower[, k], ci_high = fit$upper[, k],
      n_risk = fit$n.risk[, k], n_event = fit$n.event[, k], n_censored_total = fit$n.censor))
  }
  tr <- fit$transitions
  trans <- data.frame(from = rep(rownames(tr), ncol(tr)), to = rep(colnames(tr), each = nrow(tr)),
                      n = as.vector(tr))
  # occurrence/exposure rates by from-state (all groups together)
  moved <- d[d$to != "", ]
  counts <- as.data.frame(table(from = as.character(moved$from), to = as.character(moved$to)))
  time_in <- tapply(d$stop - d$start, as.character(d$from), sum)
  counts$person_time <- as.vector(time_in[as.character(counts$from)])
  counts$rate <- counts$Freq / counts$person_time
  add(list(name = name, kind = "state_occupation", data = data, python = python,
           group = group, table = long, transitions = trans, rates = counts,
           p0 = as.vector(if (is.matrix(fit$p0)) t(fit$p0) else fit$p0)))
}
mg <- read("mgus2_ms")
so_case("so_mgus2_by_sex", "mgus2_ms", mg, c("entry", "pcm", "death"), group = "sex",
        python = list(group = "sex"))
so_case("so_mgus2_p0_influence", "mgus2_ms", mg[mg$sex == "F", ], c("entry", "pcm", "death"),
        influence = TRUE, python = list(p0_variance = TRUE, subset = "F"))

# The weekly panel: R builds the rows from the long weeks itself (a run of weeks a..b in
# one state is (a-1, b] at entry, (a, b] after a move; it ends with a move at b+1 or
# censored at b).
wk <- read("weekly")
wk <- wk[order(wk$id, wk$week), ]
rows <- do.call(rbind, lapply(split(wk, wk$id), function(p) {
  r <- rle(p$state)
  ends <- cumsum(r$lengths)
  begins <- ends - r$lengths + 1
  n <- length(r$values)
  data.frame(id = p$id[1], treated = p$treated[1],
             start = ifelse(seq_len(n) == 1, p$week[begins] - 1, p$week[begins]),
             stop = ifelse(seq_len(n) < n, p$week[ends] + 1, p$week[ends]),
             from = r$values, to = c(r$values[-1], ""))
}))
rows <- rows[rows$start < rows$stop, ]  # entered by a move and censored in that week
so_case("so_weekly_panel_by_arm", "weekly", rows, c("benefit", "job", "education"),
        group = "treated", python = list(treatment = "treated", panel = TRUE))
so_case("so_weekly_rows_influence", "weekly", rows, c("benefit", "job", "education"),
        influence = TRUE, python = list(p0_variance = TRUE, panel = TRUE))

# ---- mean cumulative function (robust cumhaz of recurrent events) ----
mcf_case <- function(name, data, d, start, stop, event, group) {
  f <- as.formula(sprintf("Surv(%s, %s, %s) ~ %s", start, stop, event, group))
  fit <- survfit(f, data = d, id = id, robust = TRUE)
  g <- strata_of(fit)
  table <- data.frame(group = as.numeric(g), time = fit$time, n_risk = fit$n.risk,
                      n_event = fit$n.event, n_censored = fit$n.censor,
                      mean_events = fit$cumhaz, std_error = fit$std.chaz)
  # n.censor of a grouped fit with id= reads survflag()'s positions of the whole data with
  # the row numbers of the group's subset (survival 3.5-3), so it is taken from one fit
  # per group, where the two agree
  table$n_censored <- unlist(lapply(sort(unique(d[[group]])), function(v) {
    survfit(as.formula(sprintf("Surv(%s, %s, %s) ~ 1", start, stop, event)),
            data = d[d[[group]] == v, ], id = id, robust = TRUE)$n.censor
  }))
  # difference (group 1 - group 0) at the event times of either, while both are followed
  parts <- split(table, table$group)
  end <- min(sapply(parts, function(p) max(p$time)))
  times <- sort(unique(table$time[table$n_event > 0]))
  times <- times[times <= end]
  step <- function(p, col) stepfun(p$time, c(0, p[[col]]))(times)
  diff <- step(parts[["1"]], "mean_events") - step(parts[["0"]], "mean_events")
  se <- sqrt(step(parts[["1"]], "std_error")^2 + step(parts[["0"]], "std_error")^2)
  add(list(name = name, kind = "mcf", data = data,
           args = list(stop = stop, event = event, id = "id", start = start, treatment = group),
           table = table,
           difference = data.frame(time = times, difference = diff, std_error = se,
                                   ci_low = diff - qnorm(0.975) * se,
                                   ci_high = diff + qnorm(0.975) * se,
                                   p_value = 2 * pnorm(-abs(diff / se)))))
}
mcf_case("mcf_cgd_by_treated", "cgd", read("cgd"), "tstart", "tstop", "status", "treated")
mcf_case("mcf_bladder2_by_treated", "bladder2", read("bladder2"), "start", "stop", "event",
         "treated")

# ---- Nelson-Aalen / Fleming-Harrington ----
na_case <- function(name, data, d, lhs, group, ctype, args, id = FALSE) {
  f <- as.formula(paste(lhs, "~", group))
  fit <- if (id) survfit(f, data = d, id = id, ctype = ctype, stype = 2) else
    survfit(f, data = d, ctype = ctype, stype = 2)
  table <- data.frame(group = as.numeric(strata_of(fit)), time = fit$time,
                      n_risk = fit$n.risk, n_event = fit$n.event,
                      cumulative_hazard = fit$cumhaz, std_error = fit$std.chaz,
                      survival = fit$surv)
  if (!id) {
    table$survival_low <- fit$lower
    table$survival_high <- fit$upper
  }
  add(list(name = name, kind = "nelson_aalen", data = data, args = args, table = table))
}
vet <- read("veteran")
na_case("na_veteran_by_arm", "veteran", vet, "Surv(time, status)", "treated", 1,
        list(duration = "time", event = "status", treatment = "treated", ctype = 1))
na_case("fh_veteran_quarters_by_arm", "veteran", vet, "Surv(quarters, status)", "treated", 2,
        list(duration = "quarters", event = "status", treatment = "treated", ctype = 2))
na_case("fh_cgd_robust", "cgd", read("cgd"), "Surv(tstart, tstop, status)", "treated", 2,
        list(duration = "tstop", event = "status", start = "tstart", id = "id",
             treatment = "treated", ctype = 2), id = TRUE)

out <- list(generated_by = "tests/reference/multistate.R",
            r_version = R.version.string,
            survival_version = as.character(packageVersion("survival")),
            cases = cases)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", null = "null",
                  pretty = FALSE), args[2])
