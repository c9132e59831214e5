# syntax=docker/dockerfile:1.7
# One image, three commands: the server (default), the worker (node dist/worker.js) and migrations
# (node dist/migrate.js). Only compiled JavaScript and production dependencies reach the final stage.

FROM node:24-slim AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN npm install --global --no-audit --no-fund pnpm@10.34.9
WORKDIR /repo

FROM base AS build
# Manifests first, so the dependency layer is cached until a lockfile or manifest changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json .node-version ./
# Local fixes to registry packages (pnpm patchedDependencies): the install refuses to run without them.
COPY patches patches
COPY packages/db/package.json packages/db/
COPY packages/server/package.json packages/server/
COPY packages/worker/package.json packages/worker/
COPY packages/sdk/package.json packages/sdk/
COPY packages/console/package.json packages/console/
RUN --mount=type=cache,id=pnpm,target=/pnpm/store pnpm install --frozen-lockfile
COPY . .
RUN pnpm --filter @taskmgr/console build \
 && pnpm --filter @taskmgr/server build \
 && pnpm --filter @taskmgr/server deploy --prod --legacy /out

FROM node:24-slim AS runtime
ENV NODE_ENV=production PORT=3000
# V8 sizes its heap from the host's memory and collects lazily: on a 24 GiB host an idle server grew to 300 MB of
# uncollected garbage under load. These bounds keep it near 170 MB at the same throughput (docs/benchmarks.md).
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=16"
WORKDIR /app
COPY --from=build --chown=node:node /out /app
# The console's static build, served at /admin (the server finds it through CONSOLE_DIR).
COPY --from=build --chown=node:node /repo/packages/console/dist /app/console
ENV CONSOLE_DIR=/app/console
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
