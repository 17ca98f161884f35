import { NanolumError } from '../core/errors.js';

/** The error a task threw inside a worker (or the worker's own failure). */
export interface TaskErrorInfo {
  name: string;
  message: string;
  code: string | null;
  stack: string | null;
}

/**
 * A task function threw (or a worker died): the whole `parallelMap` rejects with this error.
 * `index` is the failing item (null when no single item is to blame, e.g. a worker crashed),
 * `taskError` the original error's name, message, code and stack.
 * @example
 * try { await parallelMap(task, items); } catch (e) { if (e instanceof ParallelTaskError) console.log(e.index); }
 */
export class ParallelTaskError extends NanolumError {
  readonly index: number | null;
  readonly taskError: TaskErrorInfo;
  constructor(message: string, index: number | null, taskError: TaskErrorInfo) {
    super(message, 'PARALLEL_TASK');
    this.index = index;
    this.taskError = taskError;
  }
}
