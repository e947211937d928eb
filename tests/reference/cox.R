# Reference values for evalkit's Cox model (evalkit.survival.cox), computed with R's survival.
#
# Usage: Rscript cox.R <dir with the CSVs from survival_data.py> <output JSON>
# (make_cox_reference.sh runs both steps). Every case records the evalkit call that must
# reproduce it (function, data set, derived columns, arguments) and R's numbers:
# coefficients, model-based and robust standard errors, log-likelihoods, the likelihood-ratio,
# Wald, score and robust score tests, the concordance with its standard error and
# cox.zph tables for the listed time transforms.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
data_dir <- args[1]
out_file <- args[2]
read <- function(name) read.csv(file.path(data_dir, paste0(name, ".csv")))
frames <- list(
  veteran = read("veteran"), colon = read("colon"), lung = read("lung"),
  cgd = read("cgd"), bladder2 = read("bladder2")
)

cases <- list()

# evalkit names a dummy column of a text covariate `column[level]`; R pastes column and level.
evalkit_terms <- function(d, covariates) {
  out <- character(0)
  for (v in covariates) {
    if (is.character(d[[v]]) || is.factor(d[[v]])) {
      lev <- sort(unique(as.character(d[[v]])))
      out <- c(out, paste0(v, "[", lev[-1], "]"))
    } else {
      out <- c(out, v)
    }
  }
  out
}

test_row <- function(x) list(statistic = unname(x[1]), df = unname(x[2]), p_value = unname(x[3]))

cox_case <- function(name, data, duration, event, covariates, ties = "efron", strata = NULL,
                     cluster = NULL, robust = FALSE, entry = NULL, weights = NULL,
                     derive = NULL, zph = character(0)) {
  d <- frames[[data]]
  for (col in names(derive)) d[[col]] <- with(d, eval(parse(text = derive[[col]])))
  lhs <- if (is.null(entry)) {
    sprintf("Surv(%s, %s)", duration, event)
  } else {
    sprintf("Surv(%s, %s, %s)", entry, duration, event)
  }
  rhs <- paste(covariates, collapse = " + ")
  if (!is.null(strata)) rhs <- paste0(rhs, " + strata(", strata, ")")
  f <- as.formula(paste(lhs, "~", rhs))
  call <- list(formula = f, data = d, ties = ties)
  extra <- ""
  if (!is.null(weights)) {
    call$weights <- d[[weights]]
    extra <- paste0(extra, ", weights = ", weights)
  }
  if (!is.null(cluster)) {
    call$cluster <- d[[cluster]]
    extra <- paste0(extra, ", cluster = ", cluster)
  }
  if (robust) {
    call$robust <- TRUE
    extra <- paste0(extra, ", robust = TRUE")
  }
  fit <- do.call(coxph, call)
  s <- summary(fit)
  is_robust <- !is.null(fit$naive.var)
  naive <- if (is_robust) fit$naive.var else fit$var
  zph_tables <- list()
  for (tr in zph) {
    z <- cox.zph(fit, transform = tr)
    tab <- z$table
    zph_tables[[tr]] <- list(
      term = rownames(tab), chisq = unname(tab[, "chisq"]), df = unname(tab[, "df"]),
      p = unname(tab[, "p"])
    )
  }
  # cox.zph names a term by its covariate; the GLOBAL row stays.
  a <- list(duration = duration, event = event, covariates = as.list(covariates), ties = ties)
  if (!is.null(strata)) a$strata <- strata
  if (!is.null(cluster)) a$cluster <- cluster
  if (robust) a$robust <- TRUE
  if (!is.null(entry)) a$entry <- entry
  if (!is.null(weights)) a$weights <- weights
  conc <- fit$concordance
  case <- list(
    name = name, `function` = "cox", data = data, args = a,
    r_call = paste0("coxph(", deparse(f, width.cutoff = 500L), ", ties = '", ties, "'", extra, ")"),
    terms = evalkit_terms(d, covariates),
    coef = unname(coef(fit)),
    std_error = unname(sqrt(diag(naive))),
    robust_std_error = if (is_robust) unname(sqrt(diag(fit$var))) else NULL,
    loglik = fit$loglik[2], loglik_null = fit$loglik[1],
    # summary() rounds the Wald statistic to 2 decimals; fit$wald.test is the full one.
    lr_test = test_row(s$logtest),
    wald_test = test_row(c(fit$wald.test, s$waldtest[["df"]], s$waldtest[["pvalue"]])),
    score_test = test_row(s$sctest),
    robust_score_test = if (is_robust) test_row(s$robscore) else NULL,
    concordance = unname(conc["concordance"]), concordance_se = unname(conc["std"]),
    n = fit$n, n_events = fit$nevent, iterations = fit$iter,
    zph = zph_tables
  )
  if (!is.null(derive)) case$derive <- derive
  cases[[length(cases) + 1]] <<- case
}

vet_x <- c("treated", "karno", "age", "prior")
cox_case("veteran_efron", "veteran", "time", "status", vet_x,
         zph = c("km", "identity", "rank", "log"))
cox_case("veteran_breslow", "veteran", "time", "status", vet_x, ties = "breslow",
         zph = c("km", "identity"))
cox_case("veteran_robust", "veteran", "time", "status", vet_x, robust = TRUE)
cox_case("veteran_celltype", "veteran", "time", "status", c("treated", "celltype", "karno"),
         zph = c("km"))

colon_x <- c("treated", "age", "nodes", "obstruct")
cox_case("colon_weeks_efron", "colon", "weeks", "status", colon_x,
         zph = c("km", "identity"))
cox_case("colon_weeks_breslow", "colon", "weeks", "status", colon_x, ties = "breslow",
         zph = c("km", "identity"))
cox_case("colon_weeks_strata_efron", "colon", "weeks", "status", colon_x, strata = "sex",
         zph = c("km"))
cox_case("colon_weeks_strata_breslow", "colon", "weeks", "status", colon_x,
         ties = "breslow", strata = "sex")
cox_case("colon_weeks_robust", "colon", "weeks", "status", colon_x, robust = TRUE)

lung_x <- c("age", "female", "ecog")
cox_case("lung_cluster_inst", "lung", "time", "event", lung_x, cluster = "inst")
cox_case("lung_weeks_cluster_inst", "lung", "weeks", "event", lung_x, cluster = "inst")
cox_case("lung_weights", "lung", "time", "event", lung_x, weights = "w",
         derive = list(w = "1 + female"), zph = c("km"))
cox_case("lung_weeks_weights_robust", "lung", "weeks", "event", c("age", "ecog"),
         weights = "w", robust = TRUE, derive = list(w = "0.5 + age / 100"))

cox_case("cgd_andersen_gill", "cgd", "tstop", "status", c("treated", "age", "steroids"),
         cluster = "id", entry = "tstart", zph = c("km", "identity"))
cox_case("cgd_andersen_gill_breslow", "cgd", "tstop", "status",
         c("treated", "age", "steroids"), ties = "breslow", cluster = "id", entry = "tstart")
cox_case("cgd_strata_treated", "cgd", "tstop", "status", c("age", "steroids"),
         strata = "treated", cluster = "id", entry = "tstart", zph = c("km"))
cox_case("bladder2_andersen_gill", "bladder2", "stop", "event",
         c("treated", "number", "size"), cluster = "id", entry = "start", zph = c("km"))

out <- list(
  generated_by = "tests/reference/cox.R",
  r_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  cases = cases
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", null = "null",
                  pretty = TRUE), out_file)
