# One image for every Caseline service; each Deployment (k8s/base) runs its own entry point:
#   docker build -t caseline .
#   docker run caseline node apps/intake/src/main.js
# The TypeScript is compiled to JavaScript in the build stage (tools/build/compile.mjs); the image
# holds the compiled apps and libs, the city's configuration, and production dependencies only,
# and runs as the unprivileged user `node`. NODE_ENV=production: secrets have no defaults (docs/security.md).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./
COPY tools/build ./tools/build
COPY apps ./apps
COPY libs ./libs
RUN node tools/build/compile.mjs \
 && find apps libs -name '*.ts' -delete \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/apps ./apps
COPY --from=build /app/libs ./libs
COPY config ./config
USER node
EXPOSE 3000
CMD ["node", "apps/intake/src/main.js"]
