import fs from 'node:fs/promises';

/**
 * User plus system CPU milliseconds a process has used so far, from /proc. A benchmark's figure of CPU per request or
 * per operation does not depend on what else the machine runs, where throughput and latency do.
 */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks (100 per second).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
