#!/usr/bin/env bash
# Renders a trustscale report in headless Chromium and writes page-sized screenshots, so that a
# person can check it looks right (sections, tables, charts). It also fails if the page asks for
# anything outside its own file or logs an error. Not part of CI: it needs Debian's chromium and
# the npm package playwright-core, which it installs when they are missing.
#
#   scripts/look-at-report.sh [REPORT_DIR] [SHOTS_DIR]
#
# REPORT_DIR defaults to a fresh report of the example study in target/look-report; the
# screenshots go to SHOTS_DIR (default target/look-report/shots) as page-NN.png, 1280 x 1600 each.
set -euo pipefail
cd "$(dirname "$0")/.."
report=${1:-target/look-report}
shots=${2:-$report/shots}
if [ $# -lt 1 ]; then
    cargo run --release --quiet -- report --study data/example-study/study.toml --out "$report"
fi
if ! command -v chromium >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
tools=target/look-tools
if [ ! -d "$tools/node_modules/playwright-core" ]; then
    mkdir -p "$tools"
    (cd "$tools" && npm init -y >/dev/null && npm install --silent playwright-core@1 >/dev/null)
fi
mkdir -p "$shots"
rm -f "$shots"/page-*.png
NODE_PATH="$tools/node_modules" node - "$(realpath "$report/report.html")" "$shots" <<'JS'
const { chromium } = require('playwright-core');
const [page_file, shots] = process.argv.slice(2);
(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
  const problems = [];
  page.on('console', m => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  page.on('request', r => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) problems.push('fetches ' + r.url());
  });
  await page.goto('file://' + page_file);
  const facts = await page.evaluate(() => ({
    height: document.documentElement.scrollHeight,
    sections: document.querySelectorAll('section').length,
    tables: document.querySelectorAll('table').length,
    charts: document.querySelectorAll('figure svg').length,
    empty_charts: [...document.querySelectorAll('figure svg')]
      .filter(s => s.getBoundingClientRect().height < 20).length,
  }));
  const pages = Math.ceil(facts.height / 1600);
  for (let i = 0; i < pages; i++) {
    await page.evaluate(y => window.scrollTo(0, y), i * 1600);
    await page.screenshot({ path: `${shots}/page-${String(i).padStart(2, '0')}.png` });
  }
  await browser.close();
  console.log(`${facts.sections} sections, ${facts.tables} tables, ${facts.charts} charts` +
              ` (${facts.empty_charts} drawn empty), ${pages} screenshots in ${shots}`);
  if (problems.length || facts.empty_charts) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
})();
JS
