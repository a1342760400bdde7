# The apps (api, poller, the seed command) in one image; the command picks which one runs.
# Node's major matches .nvmrc, which the tests run on too.
FROM node:26-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
# Only for the demo-games stage; the production stage below copies none of it.
COPY test/support ./test/support
RUN npm run build

# The demo game servers of `seed --demo` (compose service demo-games). They are the test
# responders, which need dev dependencies (minecraft-protocol), so this stage is the build
# stage as it is: for demos and tests, never for production.
FROM build AS demo-games
USER node
CMD ["node", "dist/test/support/demo-games.js"]

# Production (the default target, being last): production dependencies only, non-root.
FROM node:26-trixie-slim AS app
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/apps ./dist/apps
COPY --from=build /app/dist/libs ./dist/libs
# The status page's static files: tsc emits only JavaScript.
COPY --from=build /app/apps/api/src/web/public ./apps/api/src/web/public
USER node
CMD ["node", "dist/apps/api/src/main.js"]
