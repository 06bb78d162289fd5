# Peer timing for benches/cfa.rs (R 4.2.2, lavaan 0.6.14), the whole job as a user runs it:
#   Rscript benches/peers/cfa.R /tmp/trustscale-bench-cfa-10000.csv [reps]
# read the CSV, then (1) cfa() ML, (2) cfa() MLR, (3) the 3-group invariance sequence
# (configural, metric, scalar + lavTestLRT), on the first 4 items of each tblc subscale.
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args) > 1) as.integer(args[2]) else 5L
subs <- c("NO", "SIB", "PN", "CC", "ES", "RC")
model <- paste(sprintf("%s =~ %s1 + %s2 + %s3 + %s4", subs, subs, subs, subs, subs), collapse = "\n")
med <- function(f) median(replicate(reps, system.time(f())[["elapsed"]]))
t_ml <- med(function() { d <- read.csv(args[1]); cfa(model, data = d) })
t_mlr <- med(function() { d <- read.csv(args[1]); cfa(model, data = d, estimator = "MLR") })
t_inv <- med(function() {
  d <- read.csv(args[1])
  f1 <- cfa(model, data = d, group = "group")
  f2 <- cfa(model, data = d, group = "group", group.equal = "loadings")
  f3 <- cfa(model, data = d, group = "group", group.equal = c("loadings", "intercepts"))
  lavTestLRT(f1, f2, f3)
  sapply(list(f1, f2, f3), fitMeasures, fit.measures = c("cfi", "rmsea"))
})
d <- read.csv(args[1])
cat(sprintf("lavaan %s, n = %d, median of %d runs from CSV:\n", packageVersion("lavaan"), nrow(d), reps))
cat(sprintf("  cfa ML:                %.3f s\n", t_ml))
cat(sprintf("  cfa MLR:               %.3f s\n", t_mlr))
cat(sprintf("  invariance (3 groups): %.3f s\n", t_inv))
