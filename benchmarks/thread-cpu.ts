/**
 * CPU time of this process's threads other than the main one: V8's platform workers (the optimizing JIT compiler,
 * parallel and concurrent GC) and libuv's pool. `process.cpuUsage()` counts them with the main thread, and a CPU
 * profile (which samples the main thread only) does not see them at all. Read from /proc (Linux); elsewhere
 * `threadCpuNow()` answers undefined and the bench prints n/a.
 *
 * Why the bench reports it: in the server bench these threads took close to a third of the harness's CPU per
 * session, mostly TurboFan compiling the harness's hot functions during the measured phase (issue #13).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The kernel reports thread times in USER_HZ ticks, 100 per second on every Linux ABI Node runs on. */
const MS_PER_TICK = 10;

/** CPU ms (user + system) of each thread of this process, by thread id; undefined where /proc cannot be read. */
export function threadCpuNow(): Map<number, number> | undefined {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  const times = new Map<number, number>();
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // The thread ended between the listing and the read.
    }
    // Fields after the command name (which may hold spaces and parentheses): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    if (Number.isFinite(ticks)) times.set(Number(tid), ticks * MS_PER_TICK);
  }
  return times;
}

/**
 * CPU ms the threads other than the main one spent since `start`. A thread started since then counts whole; one that
 * ended in between is missed (its /proc entry is gone), which V8's and libuv's long-lived threads never do.
 */
export function helperCpuMsSince(start: Map<number, number> | undefined): number | undefined {
  const now = threadCpuNow();
  if (start === undefined || now === undefined) return undefined;
  let total = 0;
  for (const [tid, ms] of now) if (tid !== process.pid) total += ms - (start.get(tid) ?? 0);
  return total;
}
