/**
 * npm run demo: the whole service on one machine with the two demo stations
 * loaded (Changqing, urban; Fengqiao, rural). Any variable already set wins.
 */
const defaults: Record<string, string> = {
  STATION_FILES: 'seeds/changqing.yaml,seeds/fengqiao.yaml',
  DATA_DIR: './data/demo',
  WEB_CHAT_STATION: 'CQ',
  DEMO: 'true',
}
for (const [key, value] of Object.entries(defaults)) process.env[key] ??= value

await import('../main.ts')
