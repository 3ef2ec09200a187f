/**
 * The studio's build: one single-page app, built into studio/dist and served by the server at `/`
 * (server/http/studio.routes.ts). `npm run dev:studio` serves it with hot reload on :5173 and
 * passes API calls to a server started with `npm start` on :3000.
 */
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const api = process.env.RAPPORT_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [svelte()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  server: { proxy: { '/api': api, '/hooks': api, '/mail': api } },
});
