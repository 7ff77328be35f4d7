#!/usr/bin/env node
// The portcullis command: runs the compiled CLI (npm run build) and exits with its code.
try {
  const { main } = await import("../dist/src/cli/main.js");
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // Only a broken installation gets here (main itself never throws): say so without a stack trace.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`portcullis: cannot start: ${message}\n(is the build complete? run: npm run build)\n`);
  if (process.argv.includes("--debug") && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 4;
}
