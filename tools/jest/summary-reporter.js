const { writeSync } = require('node:fs');

// Ends the run with the plain closing line CI reads: "Tests: N passed, N failed, N skipped".
// Written at process exit so it follows jest's own summary (which jest prints after reporters run).
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `\nTests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`;
    process.once('exit', () => writeSync(2, line));
  }
}
module.exports = SummaryReporter;
