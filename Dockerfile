# The deployflow image: `deployctl` and its worker (docker-compose.yml,
# examples/worker/). The TypeScript sources are compiled while the image is built
# (bin/compiled-tree.js; the image's user cannot write there later); the worker
# bundles its workflow code at start.
#   docker build -t deployflow:0.1.0 .
#   docker run --rm -e TEMPORAL_ADDRESS=host:7233 deployflow:0.1.0 list
FROM node:20.19.5-bookworm-slim

ENV NODE_ENV=production
# A worker's heap, sized for 100 concurrent deploys (BENCHMARKS.md, "the worker's memory"):
# V8 otherwise lets garbage pile up toward its default limit (4 GB here) and each
# thread's semi-spaces grow to 16 MB. The cache follows (worker/workflow-cache.ts).
ENV NODE_OPTIONS="--max-old-space-size=256 --max-semi-space-size=4"
# glibc gives each busy thread (the Temporal core's, libuv's) an allocator arena of its
# own and rarely returns their memory; two arenas held the worker 43 MB lower at 100
# concurrent deploys, at no cost in time (BENCHMARKS.md, fourth round).
ENV MALLOC_ARENA_MAX=2
# glibc raises its trim and mmap thresholds as the process frees large blocks, and
# then keeps what it freed; fixed at 128 KiB (the defaults' starting values) it
# returns it: at 100 concurrent deploys 293 against 319 MB peak, median of three
# runs each, no cost in time or CPU (BENCHMARKS.md, fifth round).
ENV MALLOC_TRIM_THRESHOLD_=131072
ENV MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app

# Dependencies first: this layer is reused until the lockfile changes.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY tsconfig.json ./
COPY bin ./bin
COPY codec ./codec
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY client ./client
# CI jobs that run in this image call the example pipeline script (examples/ci/).
COPY examples/ci ./examples/ci
RUN node bin/compiled-tree.js

RUN ln -s /app/bin/deployctl.js /usr/local/bin/deployctl
USER node

# `docker run deployflow:0.1.0 worker --env production`, `... deploy -f spec.yaml ...`
ENTRYPOINT ["node", "bin/deployctl.js"]
CMD ["--help"]
