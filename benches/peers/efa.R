# Peer timing for benches/efa.rs (R 4.2.2, psych 2.2.9, GPArotation 2022.10.2):
#   Rscript benches/peers/efa.R /tmp/trustscale-bench-100000x24.csv
# whole job as a user runs it: read the CSV, fa(4 factors, minres, oblimin) on pairwise cor.
args <- commandArgs(trailingOnly = TRUE)
t <- system.time({
  d <- read.csv(args[1])
  x <- d[, 2:25]
  f <- psych::fa(x, nfactors = 4, fm = "minres", rotate = "oblimin")
})[["elapsed"]]
cat(sprintf("psych::fa from CSV, %d x 24: %.3f s\n", nrow(x), t))
