/**
 * Runs `op` one at a time (one operation in flight: a core's worth of work) for `seconds` and
 * prints what it did as JSON: operations per wall second and per CPU second of this process
 * (main thread and worker pool both count).
 */
export const runLoop = async (seconds, op) => {
  for (let i = 0; i < 3; i++) await op(); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  let ops = 0;
  while (performance.now() < until) {
    await op();
    ops++;
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(JSON.stringify({ ops, wallSeconds: wall, cpuSeconds, perSecond: ops / wall, perCpuSecond: ops / cpuSeconds }) + '\n');
};

export const secondsArg = () => Number(process.argv[2] ?? 3);
