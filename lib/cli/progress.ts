import cliProgress from 'cli-progress';
import type { PipelineEvent } from '../pipeline/deps.js';

interface ReportProgress {
  planned: number;
  done: number;
  firstAt: number;
  lastAt: number;
  bar: cliProgress.SingleBar | undefined;
}

/**
 * Progress while a run works: one bar per report, pages done / planned (planned grows as chained pages are
 * discovered), drawn on stderr when it is a terminal. Also keeps each report's time span for the summary.
 */
export class RunProgress {
  private readonly reports = new Map<string, ReportProgress>();
  private bars: cliProgress.MultiBar | undefined;
  /** warnings of the run, for the summary */
  readonly warnings: string[] = [];

  constructor(
    private readonly draw: boolean,
    private readonly now: () => number = Date.now,
    /** where a wait is announced as it starts */
    private readonly announce: (text: string) => void = () => undefined,
  ) {
    this.bars = this.newBars();
  }

  private newBars(): cliProgress.MultiBar | undefined {
    return this.draw
      ? new cliProgress.MultiBar(
          { format: ' {report} |{bar}| {value}/{total} pages', hideCursor: true, clearOnComplete: false, stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  }

  readonly onEvent = (event: PipelineEvent): void => {
    if (event.type === 'waiting') {
      this.say(event.message);
      return;
    }
    if (event.type === 'warning') {
      if (!this.warnings.includes(event.message)) this.warnings.push(event.message);
      return;
    }
    const report = event.type === 'retry' ? undefined : event.report;
    if (!report) return;
    const progress = this.entry(report);
    progress.lastAt = this.now();
    if (event.type === 'planned') progress.planned += event.pages;
    else if (event.type === 'page' || event.type === 'dead-lettered') progress.done += 1;
    progress.bar?.setTotal(progress.planned);
    progress.bar?.update(progress.done);
  };

  /** A line for the person watching, above the bars when they are drawn. */
  say(text: string): void {
    if (this.bars) this.bars.log(`${text}\n`);
    else this.announce(text);
  }

  /** seconds between the report's first and last event */
  seconds(report: string): number {
    const progress = this.reports.get(report);
    return progress ? (progress.lastAt - progress.firstAt) / 1000 : 0;
  }

  stop(): void {
    this.bars?.stop();
  }

  /** Fresh bars, times and warnings for a second batch of work in the same command (a new run after queued pages). */
  restart(): void {
    this.bars?.stop();
    this.reports.clear();
    this.warnings.length = 0;
    this.bars = this.newBars();
  }

  private entry(report: string): ReportProgress {
    let progress = this.reports.get(report);
    if (!progress) {
      const at = this.now();
      progress = { planned: 0, done: 0, firstAt: at, lastAt: at, bar: this.bars?.create(0, 0, { report: report.padEnd(19) }) };
      this.reports.set(report, progress);
    }
    return progress;
  }
}
