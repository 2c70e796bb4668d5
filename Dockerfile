FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
RUN npm run build
ENV NODE_ENV=production
EXPOSE 3000
# The bundle built above, run by node itself: npm start would build again at every
# start and stay beside the service as a second process. Same command as package.json's start.
CMD ["node", "--enable-source-maps", "--heap-growing-percent=200", "dist/server/main.js"]
