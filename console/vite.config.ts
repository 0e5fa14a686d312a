/**
 * The operator console (docs/console.md): a Vite build of console/ into console/dist, which the
 * API serves under /admin/. `npm run dev:console` serves it with hot reload and forwards /api to
 * the API (PORT, 3000 by default), so the session cookie stays same-origin.
 */
import path from 'node:path'
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

const root = __dirname
const apiPort = Number(process.env.PORT || 3000)

export default defineConfig({
  root,
  base: '/admin/',
  plugins: [react()],
  // The repository's own PostCSS/browserslist settings are the mini-program's, not this app's.
  css: { postcss: {} },
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    target: 'es2020',
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      output: {
        // React and antd change less often than the screens: their own long-cached chunks.
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined
          if (/node_modules\/(react|react-dom|scheduler)\//.test(id)) return 'react'
          return undefined
        },
      },
    },
  },
  server: {
    port: Number(process.env.CONSOLE_PORT || 5173),
    proxy: { '/api': { target: `http://127.0.0.1:${apiPort}`, changeOrigin: false } },
  },
})
