/**
 * The bench's helper-thread CPU (thread-cpu.ts): a worker thread's busy loop counts, the main thread's does not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { helperCpuMsSince, threadCpuNow } from './thread-cpu.js';

const spin = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy on purpose
  }
};

test('CPU of threads other than the main one is counted, the main thread\'s is not', { skip: !existsSync('/proc/self/task') && 'no /proc (not Linux)' }, async () => {
  const start = threadCpuNow();
  assert.ok(start?.has(process.pid), 'the main thread is listed by its id, the process id');
  spin(300);
  const afterMainSpin = helperCpuMsSince(start);
  assert.ok(afterMainSpin !== undefined && afterMainSpin < 150, `main-thread work is not helper time (got ${afterMainSpin} ms)`);

  // The worker spins until the kernel has counted 300 ms of CPU on its own thread, then waits (no CPU) to be ended:
  // a figure of CPU, not of wall time, however busy the machine is. The idle timer keeps its thread alive: a worker
  // whose script has ended exits, and an ended thread's /proc entry is gone before the reading below.
  const during = threadCpuNow();
  const worker = new Worker(
    `const { readFileSync } = require('node:fs');
    const { parentPort } = require('node:worker_threads');
    const cpuMs = () => { const f = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
    while (cpuMs() < 300) for (let i = 0; i < 1e6; i++);
    setInterval(() => {}, 60_000);
    parentPort.postMessage('spun');`,
    { eval: true },
  );
  try {
    await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
    const helper = helperCpuMsSince(during);
    assert.ok(helper !== undefined && helper >= 300, `a busy worker thread's CPU counts (got ${helper} ms for 300)`);
  } finally {
    await worker.terminate();
  }
});

test('without a start reading there is no figure, not a zero', () => {
  assert.equal(helperCpuMsSince(undefined), undefined);
});
