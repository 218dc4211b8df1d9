// `npm test`: the provider's tests and the benchmark's at once. The benchmark's tests run every
// scenario briefly and check that each produced a number, not how fast (speed is reported by
// `npm run bench`), so they run at the lowest CPU priority and fill the time the provider's
// tests spend waiting on browsers, processes and timers; their output follows the provider's.
// The provider is built once first, so neither side runs while the build rewrites it.
import { spawn } from 'node:child_process';

const run = (command, args, capture) =>
  new Promise((resolve) => {
    const child = spawn(command, args, { stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (capture) for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => (output += chunk));
    child.on('error', (err) => resolve({ code: 1, output: `${output}${err.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });

const build = await run('npm', ['run', 'build', '-w', 'signoff'], false);
if (build.code !== 0) process.exit(build.code);
// --ignore-scripts: the test scripts themselves, without their pretest builds.
const [provider, bench] = await Promise.all([
  run('npm', ['test', '-w', 'signoff', '--ignore-scripts'], false),
  run('nice', ['-n', '19', 'npm', 'test', '-w', 'signoff-bench', '--ignore-scripts'], true),
]);
process.stdout.write(`\n--- the benchmark's tests (run beside the provider's) ---\n${bench.output}`);
process.exit(provider.code !== 0 ? provider.code : bench.code);
