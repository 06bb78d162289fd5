# Peer timings for benches/regress.rs (R 4.2.2, sandwich 3.0.2, lme4 1.1.31), same data:
# run `cargo bench --bench regress` first (it writes the simulated inputs to the temp dir), then
#   Rscript benches/peers/regress.R [TEMP_DIR] [BOOTSTRAP_RESAMPLES]
# TEMP_DIR defaults to /tmp; BOOTSTRAP_RESAMPLES to 1000 (the dominance loop takes minutes).
suppressMessages({ library(sandwich); library(lme4) })
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[1] else "/tmp"
B <- if (length(args) >= 2) as.integer(args[2]) else 1000L
csv <- function(name) read.csv(file.path(dir, sprintf("trustscale-bench-regress-%s.csv", name)))
med <- function(expr, reps) {
  f <- substitute(expr); e <- parent.frame()
  median(replicate(reps, system.time(eval(f, e))[["elapsed"]]))
}

d <- csv("ols")
t_ols <- med({ fit <- lm(y ~ x1 + x2 + x3 + x4 + x5 + x6, data = d)
               se <- sqrt(diag(vcovHC(fit, type = "HC3"))) }, 10)

d <- csv("reml")
t_reml <- med(lmer(y ~ x1 + x2 + x3 + x4 + x5 + x6 + (1 | g), data = d, REML = TRUE), 5)

d <- csv("dominance")
preds <- paste0("x", 1:6)
# general dominance by all subsets with lm, as the reference cases compute it
general <- function(X) {
  r2 <- list(); key <- function(v) paste(sort(v), collapse = "+")
  for (k in 1:6) for (s in combn(preds, k, simplify = FALSE))
    r2[[key(s)]] <- summary(lm(reformulate(s, "y"), data = X))$r.squared
  R2 <- function(v) if (length(v) == 0) 0 else r2[[key(v)]]
  sapply(preds, function(p) { o <- setdiff(preds, p)
    mean(sapply(0:5, function(k) { S <- if (k == 0) list(character(0)) else combn(o, k, simplify = FALSE)
      mean(sapply(S, function(s) R2(c(s, p)) - R2(s))) })) })
}
set.seed(1)
t_dom <- system.time({
  g0 <- general(d)
  boot <- replicate(B, general(d[sample.int(nrow(d), replace = TRUE), ]))
  ci <- apply(boot, 1, quantile, c(0.025, 0.975))
})[["elapsed"]]

cat(sprintf("%s; sandwich %s; lme4 %s\n", R.version.string, packageVersion("sandwich"), packageVersion("lme4")))
cat(sprintf("lm + vcovHC(HC3), 1e5 x 6: %.4f s (median of 10)\n", t_ols))
cat(sprintf("lmer REML (1 | g), 1e5 rows, 2000 groups: %.3f s (median of 5)\n", t_reml))
cat(sprintf("all-subsets dominance with lm, 6 predictors, n = 1e4, %d bootstrap resamples: %.1f s\n", B, t_dom))
