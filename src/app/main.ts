/**
 * `npm start`: Probot's server with the app, configured from Probot's standard
 * environment (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT,
 * HOST, GHE_HOST/GHE_PROTOCOL, LOG_LEVEL). Without APP_ID and a key it starts
 * Probot's setup flow, which registers the app from app.yml.
 *
 * Started through `run(app, { Octokit })` rather than `probot run` so that
 * every client Probot builds carries the app's rate-limit handlers.
 */
import { pathToFileURL } from 'node:url';
import { run, type Server } from 'probot';
import { createApp } from './index.js';
import { AppOctokit } from './octokit.js';

export async function start(env: NodeJS.ProcessEnv = process.env): Promise<Server> {
  return run(createApp().app, { Octokit: AppOctokit, env });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  start().catch((err: unknown) => {
    // Probot's own messages (missing APP_ID, unreadable key) never contain the key.
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
