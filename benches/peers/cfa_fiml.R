# Peer timing for benches/cfa.rs group cfa_fiml_from_csv (R 4.2.2, lavaan 0.6.14):
#   Rscript benches/peers/cfa_fiml.R /tmp/trustscale-bench-cfa-fiml-10000.csv [reps]
# read the CSV (empty cells = missing), then cfa(missing = "ml") with ML and with MLR on the
# first 4 items of each tblc subscale (the file is written by `cargo bench --bench cfa`).
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args) > 1) as.integer(args[2]) else 1L
subs <- c("NO", "SIB", "PN", "CC", "ES", "RC")
model <- paste(sprintf("%s =~ %s1 + %s2 + %s3 + %s4", subs, subs, subs, subs, subs), collapse = "\n")
med <- function(f) median(replicate(reps, system.time(f())[["elapsed"]]))
t_ml <- med(function() { d <- read.csv(args[1]); cfa(model, data = d, missing = "ml") })
t_mlr <- med(function() { d <- read.csv(args[1]); cfa(model, data = d, missing = "ml", estimator = "MLR") })
cat(sprintf("lavaan %s, median of %d runs from CSV:\n", packageVersion("lavaan"), reps))
cat(sprintf("  cfa FIML ML:  %.3f s\n", t_ml))
cat(sprintf("  cfa FIML MLR: %.3f s\n", t_mlr))
