# syntax=docker/dockerfile:1
#
# Signoff's container image (issue 17 §1; docs/deploy.md "The container image").
#
#   docker build -t signoff .
#   docker run -d --name signoff --read-only --tmpfs /tmp \
#     -v signoff-data:/data -v "$PWD/config:/config:ro" \
#     -e SIGNOFF_KEY_ENCRYPTION_KEY="$(cat signoff.kek)" \
#     -p 3000:3000 signoff
#
# /config/signoff.json is the configuration (mount it read-only); it must say "host": "0.0.0.0"
# so the public listener is reachable from outside the container. The SQLite store (and, in a
# development configuration, its generated key-encryption key) lives in the /data volume, the
# only place the provider writes: the root file system may be read-only. Outside development the
# key-encryption key comes from SIGNOFF_KEY_ENCRYPTION_KEY or a file named by
# keys.encryptionKeyFile (a mounted secret). `docker run IMAGE --version` prints the version.

ARG NODE_VERSION=22

# --- Production dependencies of the server workspace only, native addons built for this platform.
# The full image has python3, make and g++, should better-sqlite3 find no prebuilt binary.
FROM node:${NODE_VERSION}-bookworm AS deps
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages/server/package.json packages/server/
COPY examples/demo/package.json examples/demo/
COPY bench/package.json bench/
# --ignore-scripts: the workspace root's `prepare` builds with tsc, which is not here; the one
# production dependency with an install script (better-sqlite3) is then built on its own.
RUN npm ci --workspace signoff --include-workspace-root=false --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 \
 && mkdir -p packages/server/node_modules \
 && npm cache clean --force

# --- The TypeScript build (src only: tests and scripts are not shipped).
FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages/server/package.json packages/server/
COPY examples/demo/package.json examples/demo/
COPY bench/package.json bench/
RUN npm ci --workspace signoff --include-workspace-root=false --ignore-scripts --no-audit --no-fund
COPY packages/server/tsconfig.json packages/server/tsconfig.build.json packages/server/
COPY packages/server/src packages/server/src
RUN cd packages/server && npx tsc -p tsconfig.build.json

# --- The runtime: slim, no compiler, no npm at run time, the code owned by root and read-only
# to the user that runs it.
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /src/node_modules ./node_modules
COPY --from=deps /src/packages/server/node_modules ./packages/server/node_modules
COPY --from=build /src/packages/server/dist/src ./packages/server/dist/src
COPY packages/server/package.json ./packages/server/
COPY packages/server/bin ./packages/server/bin
COPY LICENSE ./
# The data volume is the one writable place; /config is where the configuration is mounted.
RUN mkdir -p /data /config && chown 1000:1000 /data && chmod 0700 /data
# The `node` user of the official image, by number so that runAsNonRoot can verify it.
USER 1000:1000
VOLUME ["/data"]
# 3000: the public listener (port). 9464: the management listener (/metrics, /readyz), which
# binds to management.host — 127.0.0.1 by default, enough for the health check below; set
# "management": {"host": "0.0.0.0"} to let Prometheus scrape it, and publish it only privately.
EXPOSE 3000 9464
# Readiness on the management listener (the store answers), with node: slim images have no curl.
# SIGNOFF_MANAGEMENT_PORT, when set, moves the listener and the check with it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.SIGNOFF_MANAGEMENT_PORT||9464)+'/readyz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM (docker stop) shuts down gracefully: requests in flight finish, back-channel attempts
# get backchannel.shutdownGrace (5 s) — inside Docker's default 10 s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/packages/server/bin/signoff.js"]
CMD ["start", "--config", "/config/signoff.json"]
