# Peer timings for benches/agreement.rs (R 4.2.2, psych 2.2.9, multilevel 2.7), same sizes:
#   Rscript benches/peers/agreement.R
set.seed(1)
n <- 2000; k <- 10
x <- matrix(pmin(7, pmax(1, round(4 + rnorm(n) + matrix(rnorm(n * k, sd = 0.8), n, k) +
  rep(rnorm(k, sd = 0.3), each = n)))), n, k)
t1 <- system.time(psych::ICC(x, lmer = FALSE))[["elapsed"]]
t2 <- system.time(psych::ICC(x))[["elapsed"]]
G <- 2000; m <- 8; J <- 6
grp <- rep(1:G, each = m)
d <- matrix(pmin(7, pmax(1, round(4 + rep(rnorm(G), each = m) + matrix(rnorm(G * m * J), G * m, J)))), G * m, J)
t3 <- system.time({
  r <- multilevel::rwg.j(d, grp, ranvar = (7^2 - 1) / 12)
  a <- aov(rowMeans(d) ~ as.factor(grp))
  i1 <- multilevel::ICC1(a); i2 <- multilevel::ICC2(a)
})[["elapsed"]]
cat(sprintf("psych::ICC(lmer=FALSE) 2000x10: %.3f s\npsych::ICC(lmer=TRUE) 2000x10: %.3f s\nmultilevel rwg.j+ICC1+ICC2 2000 groups: %.3f s\n", t1, t2, t3))
