// graphql-ws publishes its ws adapter only through package "exports", which the project's
// moduleResolution "node" does not read; the runtime require resolves it, this gives it types.
declare module 'graphql-ws/use/ws' {
  export * from 'graphql-ws/dist/use/ws';
}
