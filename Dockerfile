# Sekoia.io container for the MISP module: each trigger and action is a command of the same image.
# Build stage: install everything, compile TypeScript.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/automation-sdk-shim/package.json packages/automation-sdk-shim/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.image.json ./
COPY packages/automation-sdk-shim packages/automation-sdk-shim
COPY misp_modules misp_modules
COPY manifest.json trigger_*.json action_*.json ./
# The runtime with its type declarations first, which the trigger compiles against. Then image/ gets
# the JavaScript of the product alone: no demo or dev runner (misp_modules/dev), none of the
# runtime's test helpers (src/testing), no source maps, no declarations.
# The compiler is the one npm ci installed: a failed install stops here, where `npx tsc` would fetch
# the registry's unrelated `tsc` package and hang.
RUN node_modules/.bin/tsc -b packages/automation-sdk-shim
RUN node_modules/.bin/tsc -p tsconfig.image.json
RUN node_modules/.bin/tsc -p packages/automation-sdk-shim/tsconfig.image.json

# Runtime stage: production dependencies and the build only, as an unprivileged user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
# A smaller young generation: V8 otherwise grows it for the large JSON pages of MISP, and the
# trigger's peak memory with it (see the README's Performance section, measured with this setting).
ENV NODE_OPTIONS=--max-semi-space-size=8
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/automation-sdk-shim/package.json packages/automation-sdk-shim/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/image/shim packages/automation-sdk-shim/dist
COPY --from=build /app/image/dist dist
# The module's description: the runtime reads the schemas and the command from these files.
COPY manifest.json trigger_*.json action_*.json ./
# The data path (SYMPHONY_DATA_PATH); mount a volume here so that state survives restarts.
RUN mkdir -p /symphony_data && chown node:node /symphony_data
USER node
# liveness_port and metrics_port defaults.
EXPOSE 8000 8020
# The platform starts `node <main> <command>`, the command being the docker_parameters of a trigger or
# action JSON (trigger-misp-ids-to-ioc-collection, trigger, publish-to-misp, convert-misp-to-stix).
ENTRYPOINT ["node", "dist/misp_modules/main.js"]
