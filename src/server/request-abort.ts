/**
 * Cancellation of a request whose client went away. The signal aborts when the response closes
 * before it finished: the client closed the socket, or the server cut it (request timeout).
 * Read-only work (the optimize query) listens and stops its solves, freeing the solver workers;
 * mutations do not listen, so a write is never stopped half-way (GraphQLContext.signal).
 */
import type { ServerResponse } from 'node:http';

/**
 * The same signal, made when first asked for: most requests (every read but optimize) never
 * look at it, and a controller plus a 'close' listener per request is a measurable share of a
 * light query. Made late, it is already aborted if the client has gone by then.
 */
export function lazyAbortSignalFor(response: ServerResponse): () => AbortSignal {
  let signal: AbortSignal | undefined;
  return () => (signal ??= abortSignalFor(response));
}

export function abortSignalFor(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  const onClose = () => {
    // 'close' follows 'finish' on every response; only one that never finished was abandoned.
    if (!response.writableFinished) {
      const error = new Error('The client disconnected before the response was sent');
      error.name = 'AbortError';
      controller.abort(error);
    }
  };
  if (response.closed) onClose();
  else response.once('close', onClose);
  return controller.signal;
}
