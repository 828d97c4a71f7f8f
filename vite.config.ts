import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

export default defineConfig({
  root: resolve(root, 'client'),
  // Absolute base: the server answers /host/CODE, /play/CODE… with index.html, so a
  // relative "./assets/x.js" would resolve under /host/ and miss.
  base: '/',
  publicDir: resolve(root, 'assets'),
  build: {
    outDir: resolve(root, 'dist/client'),
    emptyOutDir: true,
    target: 'es2022',
    // Phaser alone is ~1.2 MB minified; it is split out and loaded after the forms show.
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'phaser', test: /node_modules[\\/]phaser[\\/]/ },
            { name: 'tfjs', test: /node_modules[\\/]@tensorflow[\\/]/ },
            { name: 'net', test: /node_modules[\\/](@colyseus|msgpackr)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    // `vite` for client work against `npm start` on 2567 (the WebSocket goes there directly).
    proxy: { '/api': 'http://localhost:2567' },
  },
});
