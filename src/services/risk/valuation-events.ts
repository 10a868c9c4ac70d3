/**
 * A signal that something valuations depend on was written (prices, FX, terms, postings, the
 * whole book). Writers emit it after a successful write; the margin monitor listens. Writers
 * know nothing of the monitor, and the monitor nothing of who writes.
 */
import { EventEmitter } from 'node:events';

export type ValuationChange =
  'PRICES' | 'FX_RATES' | 'REQUIREMENT' | 'ACCOUNT' | 'ASSET' | 'INVENTORY' | 'POSTINGS' | 'BOOK';

const EVENT = 'valuation-change';

export class ValuationEvents {
  private readonly emitter = new EventEmitter();

  emit(change: ValuationChange): void {
    this.emitter.emit(EVENT, change);
  }

  /** Returns a function that removes the listener. */
  on(listener: (change: ValuationChange) => void): () => void {
    this.emitter.on(EVENT, listener);
    return () => this.emitter.off(EVENT, listener);
  }
}
