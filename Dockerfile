# syntax=docker/dockerfile:1
# Two stages: `build` installs every dependency and compiles TypeScript with the same commands CI
# runs (npm ci, npm run build); `runtime` holds production dependencies and the compiled dist/ only,
# and runs as the unprivileged `node` user. Configuration comes from the environment (.env.example).

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The demo book and its seed files (used when BOOK_FILE is unset) and the book-file JSON schema,
# which the book parser reads at run time.
COPY data ./data
COPY schema/book.schema.json ./schema/book.schema.json
USER node
EXPOSE 4000
# node:20-slim has no curl; Node's own fetch probes the liveness endpoint.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and receives the SIGTERM of `docker stop` itself (graceful shutdown, README).
CMD ["node", "dist/main.js"]
