# Reference values for evalkit's adjust_pvalues(method = "hommel") (issue 13): R's p.adjust
# on the p-values of inference.R and on a second set with ties.
# Usage: Rscript p_adjust_extra.R <output JSON>   (make_p_adjust_extra_reference.sh runs it)
suppressPackageStartupMessages(library(jsonlite))
args <- commandArgs(trailingOnly = TRUE)
out_file <- if (length(args)) args[1] else "p_adjust_extra.json"
p1 <- c(0.01, 0.02, 0.03, 0.04, 0.05, 0.5, 0.001, 0.04, 0.9, 0.0001, 0.2, 0.04, 1, 0)
p2 <- c(0.021, 0.001, 0.017, 0.041, 0.005, 0.036, 0.042, 0.023, 0.07, 0.041)
sets <- list(inference = p1, ties = p2)
out <- lapply(sets, function(p) list(p = p, hommel = p.adjust(p, "hommel")))
writeLines(toJSON(list(generated_by = "tests/reference/p_adjust_extra.R",
                       r_version = R.version.string, sets = out),
                  auto_unbox = TRUE, digits = NA, pretty = TRUE), out_file)
