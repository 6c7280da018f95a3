# ndis-review GitHub App. Build: docker build -t ndis-review .
# Run: docker run -e APP_ID=... -e PRIVATE_KEY="$(cat key.pem)" -e WEBHOOK_SECRET=... -p 3000:3000 ndis-review
# Fleet (REDIS_URL set): the same image runs the webhook receiver (default command) and the analysis
# workers (command: node dist/src/app/worker.js); see docker-compose.yml and docs/operations.md.
#
# CI runs this file's WORKDIR, ENV, COPY and RUN lines outside Docker (.ci/dockerfile-steps.mjs) on the
# machine's Node 20, then starts the result and asks it for /ping: keep RUN lines to commands that work
# in any folder (paths relative to WORKDIR).

# --- build: compile TypeScript and tree-sitter's native binding (dev dependencies live only in this stage)
FROM node:22-bookworm-slim AS build
WORKDIR /app
# tree-sitter 0.25.1's prebuilt linux-x64 binary needs libstdc++ from GCC 13 (GLIBCXX_3.4.31); Debian 12
# has GCC 12's, so the binding is compiled here, once, and only the result goes to the runtime stage.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
COPY rules ./rules
COPY scripts/bundle.mjs ./scripts/bundle.mjs
# What the bundle script scans to make the CLI's code cache for this Node (see scripts/bundle.mjs).
COPY test/cases-pack ./test/cases-pack
COPY eval/ndis-review.yml ./eval/ndis-review.yml
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild tree-sitter && npx tsc -p tsconfig.build.json && node scripts/bundle.mjs

# --- runtime: production dependencies and the compiled app only
FROM node:22-bookworm-slim
WORKDIR /app
# Jobs in hand are recorded in NDIS_REVIEW_STATE_DIR (mount a volume there to keep them across containers).
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 NDIS_REVIEW_STATE_DIR=/home/node/state
COPY package.json package-lock.json ./
# No install script runs here: the one native binding that needs building comes from the build stage.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/node_modules/tree-sitter/build ./node_modules/tree-sitter/build
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/cli ./dist/cli
COPY bin ./bin
COPY rules ./rules
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/ping').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# node itself, not npm, is process 1, so SIGTERM (docker stop) reaches the app: it stops taking webhooks,
# lets running analyses finish for SHUTDOWN_GRACE_S (20 s) and marks the rest cancelled on GitHub.
# Give it the time: docker stop -t 40 (or terminationGracePeriodSeconds: 40).
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/app/main.js"]
