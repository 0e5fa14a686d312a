# syntax=docker/dockerfile:1
# The API server image: TypeScript compiled to dist-server/ by tsc, run by node (not tsx), with production
# dependencies only, as the unprivileged `node` user. docs/deploy.md ("Container image") explains the choices.
#
#   docker build -t beichen-api .
#   docker run --env-file .env -e TRUST_PROXY=… -p 3000:3000 beichen-api
#
# Production refuses to start without TRUST_PROXY (server/src/config.ts); it depends on what stands in
# front, so it is set where the container runs (compose.yaml), never here.

ARG NODE_IMAGE=node:20-bookworm-slim

# Every dependency, scripts skipped: the compiler only reads type declarations, and no install script
# (Taro's CLI calls hosts outside the registry) runs with the devDependencies present.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --ignore-scripts --no-audit --no-fund

# The server compiled to dist-server/ (server/tsconfig.build.json); a type error fails the build.
FROM deps AS build
COPY server ./server
RUN npx tsc -p server/tsconfig.build.json

# Production dependencies: the same tree pruned, then better-sqlite3's native module built
# (a prebuilt binary when the download works, else compiled: hence python3, make and g++ here only).
FROM deps AS prod-deps
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
RUN npm prune --omit=dev --no-audit --no-fund \
  && npm rebuild better-sqlite3 \
  && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    IMPORT_SAMPLE_CONTENT=false
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist-server ./dist-server
COPY package.json ./
# Code stays owned by root (read-only to the server); only data/ (SQLite, avatars, PDF cache) is writable.
RUN mkdir -p /app/data/media && chown -R node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist-server/src/main.js"]
