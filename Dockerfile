# customer-orders as a container: Node.js 24 running the TypeScript sources directly
# (no build step), as an unprivileged user, with node itself as PID 1 so that SIGTERM
# reaches the server's graceful shutdown (no shell or npm in between to swallow it).
#
#   docker build -t customer-orders .
#   docker run -e DATABASE_URL=postgres://… -e SESSION_SECRET=… -p 8000:8000 customer-orders
#
# The same image runs the SMS worker alone: `node bin/customer-orders.js worker`.

# --- dependencies: production ones only, from the lock file --------------------
FROM node:24-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- the image -------------------------------------------------------------------
FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY migrations ./migrations
# The `node` user of the base image; it owns nothing in /app, so the code cannot be
# changed by the process that runs it.
USER node
EXPOSE 8000
# /healthz answers while the process runs (and is exempt from ALLOWED_HOSTS).
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# What `npm start` runs, without npm (which does not pass SIGTERM on to the server).
CMD ["node", "--max-semi-space-size=8", "--max-old-space-size=1024", "bin/server.js"]
