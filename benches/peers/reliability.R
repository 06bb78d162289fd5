# Whole-process peer timing for the reliability benchmark (R 4.2.2, psych 2.2.9):
#   hyperfine 'Rscript benches/peers/reliability.R /tmp/trustscale-bench-1000000x24.csv'
# against
#   hyperfine 'target/release/trustscale reliability /tmp/trustscale-bench-1000000x24.csv --items NO1:CC6 --json'
# The CSV is written by `cargo bench --bench reliability` (simulated tblc items, seed 42).
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
x <- d[, -1]
a <- psych::alpha(x, check.keys = FALSE, warnings = FALSE)
ci <- psych::alpha.ci(a$total$raw_alpha, n.obs = nrow(x), n.var = ncol(x))
cat(a$total$raw_alpha, "\n")
