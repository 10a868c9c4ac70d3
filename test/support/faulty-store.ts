/**
 * A store that fails on demand, for fault tests: wraps a real store and makes one chosen method
 * throw on its Nth call from now, either before the call reaches the store (the write never
 * happened: a connection dropped on the way) or after the store did it (the write happened, but
 * the acknowledgement was lost on the way back). Every other call goes through unchanged.
 */
import type { CollateralStore } from '../../src/store/store.port';

export type StoreMethod = {
  [K in keyof CollateralStore]: CollateralStore[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof CollateralStore];

export interface StoreFault {
  readonly method: StoreMethod;
  /** 'before': the store never sees the call. 'after': the store does it, then the caller gets an error. */
  readonly timing: 'before' | 'after';
  /** Which call of `method`, counted from when the fault is armed; default 1 (the next one). */
  readonly onCall?: number;
}

/** The error an armed fault throws: not a DomainError, so the service sees an unknown failure. */
export class InjectedStoreFault extends Error {
  constructor(readonly fault: StoreFault) {
    super(`Injected store failure: ${fault.method} (${fault.timing} the write)`);
    this.name = 'InjectedStoreFault';
  }
}

export interface FaultyStore {
  /** The wrapped store, to hand to the services. */
  readonly store: CollateralStore;
  /** Arms one fault; it fires once, then the method works again. */
  fail(fault: StoreFault): void;
  /** How many armed faults have fired so far. */
  readonly fired: number;
}

export function faultyStore<S extends CollateralStore>(inner: S): FaultyStore {
  let armed: { fault: StoreFault; remainingCalls: number } | undefined;
  let fired = 0;

  const fire = (method: string): StoreFault | undefined => {
    if (armed === undefined || armed.fault.method !== method) return undefined;
    armed.remainingCalls -= 1;
    if (armed.remainingCalls > 0) return undefined;
    const { fault } = armed;
    armed = undefined;
    fired += 1;
    return fault;
  };

  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      // Faults fire only on the asynchronous methods (StoreMethod); `describe()` stays synchronous.
      return (...args: unknown[]): unknown => {
        const fault = fire(property);
        if (fault?.timing === 'before') return Promise.reject(new InjectedStoreFault(fault));
        const result = (value as (...callArgs: unknown[]) => unknown).apply(target, args);
        if (fault?.timing !== 'after') return result;
        return Promise.resolve(result).then(() => {
          throw new InjectedStoreFault(fault);
        });
      };
    },
  });

  return {
    store,
    fail(fault) {
      armed = { fault, remainingCalls: fault.onCall ?? 1 };
    },
    get fired() {
      return fired;
    },
  };
}
