# docchat for a Hugging Face Space (Docker SDK) or any container host.
#   docker build -t docchat . && docker run -p 7860:7860 -v docchat-data:/home/node/app/data docchat
# The steps are the same npm scripts CI runs: `npm install`, `npm run build`, `npm run serve`.
# A local model (llama.cpp in-process, no key, no server; see docs/DEPLOY.md), from models/ or downloaded:
#   docker build --build-arg CHAT_MODEL=qwen2.5-1.5b-instruct-q4_k_m.gguf -t docchat .
#   docker build --build-arg CHAT_MODEL=qwen2.5-1.5b-instruct-q4_k_m.gguf --build-arg CHAT_MODEL_URL=https://... .

# --- Stage 1: install everything and build the web UI into dist/web ---
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY vendor ./vendor
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build

# --- Stage 2: production dependencies, the server's TypeScript sources and the built UI ---
FROM node:24-slim
# Model files in models/ (from the build context, or fetched from the *_URL arguments). Either one set keeps the
# llama.cpp runtime (node-llama-cpp, about 120 MB) in the image; with neither, the image does without it.
ARG CHAT_MODEL=""
ARG CHAT_MODEL_URL=""
ARG EMBEDDING_MODEL=""
ARG EMBEDDING_MODEL_URL=""
ENV NODE_ENV=production \
    PORT=7860 \
    HOST=0.0.0.0 \
    DOCCHAT_DATA_DIR=/home/node/app/data \
    DOCCHAT_CHAT=${CHAT_MODEL:+gguf} \
    DOCCHAT_CHAT_MODEL_PATH=${CHAT_MODEL:+models/}${CHAT_MODEL} \
    DOCCHAT_EMBEDDER=${EMBEDDING_MODEL:+gguf} \
    DOCCHAT_EMBEDDING_MODEL_PATH=${EMBEDDING_MODEL:+models/}${EMBEDDING_MODEL}
WORKDIR /home/node/app
# WORKDIR creates the directory as root; the app and its data directory belong to the `node` user, which has
# uid 1000 in the official images: the uid Hugging Face Spaces run containers as.
RUN mkdir -p "$DOCCHAT_DATA_DIR" && chown -R node:node /home/node/app
USER node
COPY --chown=node:node package.json package-lock.json ./
COPY --chown=node:node vendor ./vendor
# Without dev dependencies, so without the `node` npm package either: the image's own Node 24 runs the app.
RUN npm install --omit=dev --no-audit --no-fund \
  && if [ -z "$CHAT_MODEL$EMBEDDING_MODEL" ]; then npm uninstall --no-save --no-audit --no-fund node-llama-cpp; fi \
  && npm cache clean --force
COPY --chown=node:node models ./models
RUN set -e; \
  fetch_model() { \
    [ -z "$2" ] && return 0; \
    [ -n "$1" ] || { echo "A model URL needs its file name: set CHAT_MODEL or EMBEDDING_MODEL too." >&2; exit 1; }; \
    node -e 'const [url, file] = process.argv.slice(1); const { Readable } = require("node:stream"); const { pipeline } = require("node:stream/promises"); fetch(url).then(async (response) => { if (!response.ok) throw new Error(`${response.status} for ${url}`); await pipeline(Readable.fromWeb(response.body), require("node:fs").createWriteStream(file)); }).catch((error) => { console.error(error.message); process.exit(1); });' "$2" "models/$1"; \
  }; \
  fetch_model "$CHAT_MODEL" "$CHAT_MODEL_URL"; \
  fetch_model "$EMBEDDING_MODEL" "$EMBEDDING_MODEL_URL"; \
  for file in "$CHAT_MODEL" "$EMBEDDING_MODEL"; do \
    [ -z "$file" ] || [ -f "models/$file" ] || { echo "models/$file is missing: put it in models/ or set its _URL argument." >&2; exit 1; }; \
  done
COPY --chown=node:node src ./src
COPY --chown=node:node --from=build /app/dist/web ./dist/web
EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:' + process.env.PORT + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# What `npm run serve` runs, started directly so that SIGTERM reaches the server (clean shutdown).
CMD ["node", "src/server/main.ts"]
