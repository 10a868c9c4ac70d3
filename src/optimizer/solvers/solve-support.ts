/** Small helpers shared by the backends and the worker pool. */
import type { LinearModel } from './linear-model';

/** True when at least one column must take an integer value. */
export function isMixedInteger(model: LinearModel): boolean {
  return model.integrality.some((flag) => flag !== 0);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
