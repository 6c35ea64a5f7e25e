# docchat for a Hugging Face Space (Docker SDK) or any container host.
#   docker build -t docchat . && docker run -p 7860:7860 -v docchat-data:/home/node/app/data docchat
# The steps are the same npm scripts CI runs: `npm install`, `npm run build`, `npm run serve`.

# --- Stage 1: install everything and build the web UI into dist/web ---
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build

# --- Stage 2: production dependencies, the server's TypeScript sources and the built UI ---
FROM node:24-slim
ENV NODE_ENV=production \
    PORT=7860 \
    HOST=0.0.0.0 \
    DOCCHAT_DATA_DIR=/home/node/app/data
WORKDIR /home/node/app
# WORKDIR creates the directory as root; the app and its data directory belong to the `node` user, which has
# uid 1000 in the official images: the uid Hugging Face Spaces run containers as.
RUN mkdir -p "$DOCCHAT_DATA_DIR" && chown -R node:node /home/node/app
USER node
COPY --chown=node:node package.json package-lock.json ./
# Without dev dependencies, so without the `node` npm package either: the image's own Node 24 runs the app.
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --chown=node:node src ./src
COPY --chown=node:node --from=build /app/dist/web ./dist/web
EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:' + process.env.PORT + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# What `npm run serve` runs, started directly so that SIGTERM reaches the server (clean shutdown).
CMD ["node", "src/server/main.ts"]
