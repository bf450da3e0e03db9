import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset paths: dist/ works from any folder or static host.
  base: './',
  build: { target: 'es2022' },
  // The worker imports the @lattn libraries as ES modules.
  worker: { format: 'es' },
});
