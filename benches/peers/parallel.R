# Peer timing for the parallel-analysis benchmark (R 4.2.2, psych 2.2.9; fa.parallel runs its
# iterations with parallel::mclapply, 2 cores by default on this machine):
#   Rscript benches/peers/parallel.R /tmp/trustscale-bench-10000x24.csv
# against `cargo bench --bench parallel` (parallel_100_iterations/24_items/10000), which
# writes the CSV (simulated tblc items, seed 42). Only the analysis is timed, not read.csv.
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
x <- d[, -1]
set.seed(1)
for (i in 1:3) {
  t <- system.time(p <- psych::fa.parallel(x, n.iter = 100, plot = FALSE))
  cat("elapsed", t[["elapsed"]], "s; nfact", p$nfact, "ncomp", p$ncomp, "\n")
}
