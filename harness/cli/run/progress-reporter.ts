/**
 * A small Playwright reporter for `dmc run`'s progress lines: it appends one JSON line per event to the file named
 * by env DMC_PROGRESS_FILE (the plan per target, each test's begin and end), so the `dmc run` process, which only
 * spawned Playwright, can tell which test each device is running now. results.partial.jsonl only knows finished
 * tests. Without DMC_PROGRESS_FILE it does nothing, so a config can list it unconditionally.
 */
import { appendFileSync } from 'node:fs';
import type { FullConfig, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';

export type ProgressEvent =
  | { event: 'plan'; target: string; total: number }
  | { event: 'begin'; target: string; id: string; title: string; at: string }
  | { event: 'end'; target: string; id: string; status: TestResult['status']; at: string };

/** The target a project stands for: its metadata.target (docs/results-format.md), else the project name. */
function targetOf(test: TestCase): string {
  const project = test.parent.project();
  const metadataTarget = (project?.metadata as { target?: unknown } | undefined)?.target;
  return typeof metadataTarget === 'string' && metadataTarget !== '' ? metadataTarget : (project?.name ?? '');
}

function idOf(test: TestCase): string {
  return test.annotations.find((a) => a.type === 'test-id')?.description ?? test.title;
}

export default class ProgressReporter implements Reporter {
  private readonly file = process.env['DMC_PROGRESS_FILE'];

  printsToStdio(): boolean {
    return false;
  }

  private append(event: ProgressEvent): void {
    if (this.file === undefined || this.file === '') return;
    appendFileSync(this.file, `${JSON.stringify(event)}\n`);
  }

  onBegin(_config: FullConfig, suite: Suite): void {
    const totals = new Map<string, number>();
    for (const test of suite.allTests()) totals.set(targetOf(test), (totals.get(targetOf(test)) ?? 0) + 1);
    for (const [target, total] of totals) this.append({ event: 'plan', target, total });
  }

  onTestBegin(test: TestCase): void {
    this.append({ event: 'begin', target: targetOf(test), id: idOf(test), title: test.title, at: new Date().toISOString() });
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    this.append({ event: 'end', target: targetOf(test), id: idOf(test), status: result.status, at: new Date().toISOString() });
  }
}
