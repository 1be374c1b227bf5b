# syntax=docker/dockerfile:1
#
# The kubefork sidecar image for Argo CD's repo-server (config-management plugin).
#
#   docker build -t ghcr.io/kubefork/kubefork:v0.1.0 .
#   docker build --build-arg KUSTOMIZE_VERSION=5.8 -t ghcr.io/kubefork/kubefork:v0.1.0-kustomize .
#
# Runtime contents: node, the bundled CLI at /usr/local/bin/kubefork, plugin.yaml where the
# cmp-server looks for it. The entrypoint, /var/run/argocd/argocd-cmp-server, is not in the
# image: the repo-server's init container copies it into the shared `var-files` volume (a static
# Go binary, so it runs on alpine/musl).

# Node 22 LTS: Node 20 reached end of life in April 2026. The bundle targets Node 20 syntax, so it
# runs on any Node from 20.16 on (process.getBuiltinModule); the test suite runs it on the machine's Node.
ARG NODE_IMAGE=node:22-alpine

# ---- build: bundle the CLI into one CommonJS file (dist/kubefork.cjs, shebang, no node_modules needed)
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# ---- runtime: node + one file
FROM ${NODE_IMAGE}

# Optional: kustomize for ForkManager `base.command: [kustomize, build, ...]`. Empty (the
# default) installs nothing. Alpine ships it in the community repository; the value is a
# version prefix for apk's fuzzy match, e.g. 5.8 (must exist in the base image's Alpine branch).
# The CLI needs node alone: the package managers are dropped (size, attack surface).
ARG KUSTOMIZE_VERSION=""
RUN if [ -n "${KUSTOMIZE_VERSION}" ]; then apk add --no-cache "kustomize~${KUSTOMIZE_VERSION}"; fi \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
           /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg

# An extensionless CommonJS file, which node runs as such with no package.json around it. The smoke
# test below fails the build if it does not start.
COPY --from=build --chmod=755 /src/dist/kubefork.cjs /usr/local/bin/kubefork
COPY --chmod=644 plugin.yaml /home/argocd/cmp-server/config/plugin.yaml
RUN kubefork --help >/dev/null

# Argo CD runs CMP sidecars as uid 999; the pod's security context enforces it too. HOME must be
# writable with a read-only root file system: /tmp is the sidecar's own emptyDir.
# NODE_COMPILE_CACHE (Node >= 22.1): V8 keeps the bundle's compiled code in /tmp, which lives as
# long as the pod, so every render after the first compiles less (about 12-15 ms of each start).
ENV HOME=/tmp \
    NODE_ENV=production \
    NODE_COMPILE_CACHE=/tmp/node-compile-cache
USER 999
WORKDIR /tmp

ENTRYPOINT ["/var/run/argocd/argocd-cmp-server"]
