/**
 * The contract between the benchmark runner and its scenarios. A scenario is a file in
 * bench/scenarios/ whose module exports `scenario`; the runner finds it by file name, so a new
 * scenario needs no change anywhere else.
 */
import type { BenchContext } from './context';

/** One measured number. */
export interface Metric {
  /** A stable key for `--json` readers, such as `wallTimeInMs`. */
  key: string;
  label: string;
  value: number;
  /** The unit shown after the value: `ms`, `s`, `MB`, `requests`, `x`. */
  unit: string;
}

/** One target of the benchmark and whether the run met it. */
export interface TargetCheck {
  /** The target as a sentence, such as `initial sync <= 1.2 x the throttle bound`. */
  target: string;
  /** The measured value in words, such as `1.08 x (14.1 s against 13.0 s)`. */
  measured: string;
  met: boolean;
}

/** The result of one scenario run. */
export interface ScenarioResult {
  metrics: Metric[];
  checks: TargetCheck[];
  /** Explanations of where the time or memory goes and why a target was missed, one sentence per entry. */
  notes: string[];
  /** Extra data for `--json` readers, such as requests by operation per vault. */
  details?: Record<string, unknown>;
}

/** A benchmark scenario. */
export interface BenchScenario {
  /** The name `--only` selects, such as `initial`. */
  name: string;
  title: string;
  /** One or two sentences: what is measured and under which conditions. */
  description: string;
  /** Position in a full run; lower runs first. Scenarios that reuse another's state run after it. */
  order: number;
  run(context: BenchContext): Promise<ScenarioResult>;
}
