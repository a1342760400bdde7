# The apps (api, poller) in one image; the command picks which one runs.
# Node's major matches .nvmrc, which the tests run on too.
FROM node:26-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build

FROM node:26-trixie-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The status page's static files: tsc emits only JavaScript.
COPY --from=build /app/apps/api/src/web/public ./apps/api/src/web/public
USER node
CMD ["node", "dist/apps/api/src/main.js"]
