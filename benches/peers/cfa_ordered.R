# Peer timing for benches/cfa_ordered.rs (R 4.2.2, lavaan 0.6.14), the whole job from CSV:
#   Rscript benches/peers/cfa_ordered.R /tmp/trustscale-bench-cfa-ordered-10000.csv [reps]
# read the CSV, then cfa(ordered = TRUE, estimator = "WLSMV") and fitMeasures.
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args) > 1) as.integer(args[2]) else 3L
model <- paste(sprintf("f%d =~ %s", 1:6,
  sapply(1:6, function(f) paste(sprintf("y%d_%d", f, 1:4), collapse = " + "))), collapse = "\n")
med <- function(f) median(replicate(reps, system.time(f())[["elapsed"]]))
t_wlsmv <- med(function() {
  d <- read.csv(args[1])
  fit <- cfa(model, data = d, ordered = TRUE, estimator = "WLSMV")
  fitMeasures(fit, c("chisq.scaled", "cfi.robust", "rmsea.robust"))
})
d <- read.csv(args[1])
cat(sprintf("lavaan %s, n = %d, median of %d runs from CSV:\n", packageVersion("lavaan"), nrow(d), reps))
cat(sprintf("  cfa WLSMV (ordered): %.3f s\n", t_wlsmv))
