# One image for every MooseNG role; the role is the command: master | chunkserver | mount | cluster | ...
#   docker run mooseng master --config /etc/mooseng/master.yaml
FROM node:20-bookworm-slim

# libfuse2 for fuse-native, fuse3 for fusermount, a toolchain to build the patched fuse-native and the O_DIRECT addon.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libfuse2 fuse3 python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/mooseng
COPY . .
RUN npm ci --no-audit --no-fund && npx tsc -b && mkdir -p /mnt/mooseng

# Control API, Raft, HTTP (master); data plane, HTTP (chunkserver); HTTP (client). See docs/architecture.md, "Processes and ports".
EXPOSE 9420 9421 9422 9423 9425 9427
ENV MOOSENG_LOG_LEVEL=info
ENTRYPOINT ["node", "/opt/mooseng/cli/bin/run.js"]
CMD ["--help"]
