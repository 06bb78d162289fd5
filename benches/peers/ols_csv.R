# Whole-process peer for docs/performance.md (R 4.2.2, sandwich 3.0.2): read the CSV, lm, HC3
#   Rscript benches/peers/ols_csv.R /tmp/trustscale-perf-ols.csv
suppressMessages(library(sandwich))
d <- read.csv(commandArgs(trailingOnly = TRUE)[1])
fit <- lm(y ~ x1 + x2 + x3 + x4 + x5 + x6, data = d)
print(sqrt(diag(vcovHC(fit, type = "HC3"))), digits = 10)
