# ndis-review GitHub App. Build: docker build -t ndis-review .
# Run: docker run -e APP_ID=... -e PRIVATE_KEY="$(cat key.pem)" -e WEBHOOK_SECRET=... -p 3000:3000 ndis-review
FROM node:20-bookworm-slim
WORKDIR /app
# NDIS_REVIEW_STATE_DIR: check runs in flight, completed as interrupted after a crash (mount a volume to keep it across containers).
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 NDIS_REVIEW_STATE_DIR=/app/state
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
COPY rules ./rules
COPY docs ./docs
# prepare compiles TypeScript; dev dependencies are dropped afterwards.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev && mkdir -p /app/state && chown -R node:node /app
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/ping').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# node itself, not npm, is process 1, so SIGTERM (docker stop) reaches the app: it stops taking webhooks,
# lets running analyses finish for SHUTDOWN_GRACE_S (20 s) and marks the rest cancelled on GitHub.
# Give it the time: docker stop -t 40 (or terminationGracePeriodSeconds: 40).
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/app/main.js"]
