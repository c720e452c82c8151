/**
 * Preloaded into a benchmarked process (`node --require build/cli/bench/peakRss.js ...`): on exit
 * it writes the peak resident memory of the whole process to stderr, where bench.ts reads it.
 */
process.on("exit", () => {
  process.stderr.write(`\npeak-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
