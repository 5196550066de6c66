# One multi-stage image for every Healthsync process; the compose file picks the command.
# syntax=docker/dockerfile:1
FROM node:22-bookworm-slim AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true
# corepack cannot verify some registry mirrors' signatures; npm installs the pinned pnpm instead.
RUN npm install -g pnpm@10.34.8
WORKDIR /app

FROM base AS deps
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json .npmrc ./
COPY packages ./packages
COPY partners ./partners
COPY services ./services
RUN pnpm install --frozen-lockfile

FROM base AS runtime
ENV NODE_ENV=production
COPY --from=deps /app /app
COPY tsconfig.base.json tsconfig.json ./
COPY scripts ./scripts
USER node
EXPOSE 8080
CMD ["node", "--import", "tsx", "services/auth/src/main.ts"]
