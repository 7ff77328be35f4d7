# The Portcullis image: the CLI as `npm pack` ships it (package.json "files": bin/ and dist/src
# without tests, test doubles or fixtures, and the page of `portcullis ui`), its production dependencies, the DNS learner's netlink
# helper (native/nft-elements.c, built here: npm pack does not ship it), and nft + ip.
#   docker build -t portcullis:0.1.0 .
# Checked statically by src/testing/deploy/dockerfile.test.ts (no Docker engine runs where the tests run).

# --- build: compile, pack, install production dependencies, build the native helper -------------
FROM node:20-bookworm-slim AS build
# gcc and libc6-dev (libc and the kernel UAPI headers): the native helper, nothing else.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (tsc) runs below, once the sources are in.
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
# The page of `portcullis ui` (its scripts compile against src/ui-model's types).
COPY ui ./ui
COPY README.md LICENSE ./
# The package is exactly what `npm pack` ships (the test src/package.test.ts keeps that list to
# the modules the CLI loads); then its production dependencies from the lock file.
RUN npx tsc -p tsconfig.json \
 && npx tsc -p ui \
 && npm pack --ignore-scripts --pack-destination /tmp \
 && mkdir -p /opt/portcullis \
 && tar -xzf /tmp/portcullis-*.tgz -C /opt/portcullis --strip-components=1 --no-same-owner \
 && cp package-lock.json /opt/portcullis/ \
 && cd /opt/portcullis \
 && npm ci --omit=dev --ignore-scripts \
 && rm package-lock.json
# The helper next to the package, where the agent looks for it (/opt/portcullis/native/).
COPY native/nft-elements.c ./native/
COPY scripts/build-native.sh ./scripts/
RUN bash scripts/build-native.sh \
 && mkdir -p /opt/portcullis/native \
 && cp native/build/portcullis-nft-elements /opt/portcullis/native/

# --- runtime ---------------------------------------------------------------------------------
FROM node:20-bookworm-slim
# nftables: the `nft` the enforcer drives; iproute2: `ip`, for network namespaces (--netns).
RUN apt-get update \
 && apt-get install -y --no-install-recommends nftables iproute2 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/portcullis /opt/portcullis
RUN ln -s /opt/portcullis/bin/portcullis.js /usr/local/bin/portcullis
# Not root by default: the read commands (lint, check, diff ... in CI) need no privilege. The node
# agent's DaemonSet sets runAsUser: 0 with only CAP_NET_ADMIN (drop ALL): Kubernetes grants added
# capabilities to uid 0 alone (no ambient capabilities), and nft needs CAP_NET_ADMIN (docs/deploy.md).
USER node
ENTRYPOINT ["portcullis"]
